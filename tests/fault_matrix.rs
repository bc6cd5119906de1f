//! The README's fault matrix is the one rendered from `support/fault_matrix.rs`,
//! and every row is backed by the end-to-end test it names, which takes its
//! expectations from that row. Regenerate the README's matrix with
//! `DMSFLOW_WRITE_FAULT_MATRIX=1 cargo test -p dmsflow-tests --test fault_matrix`.

#[path = "support/fault_matrix.rs"]
mod fault_matrix;
mod support;

use std::collections::BTreeSet;

use fault_matrix::{BEGIN, END, ROWS, Row, render};

const README: &str = "README.md";

/// The README's text between the markers (exclusive), and where it lies.
fn matrix_in(readme: &str) -> Option<(usize, usize)> {
    let start = readme.find(BEGIN)? + BEGIN.len();
    let end = start + readme[start..].find(END)?;
    Some((start, end))
}

#[test]
fn the_readme_holds_the_rendered_fault_matrix() {
    let readme = support::read(README);
    let Some((start, end)) = matrix_in(&readme) else {
        panic!("{README} has no fault matrix between {BEGIN} and {END}");
    };
    let rendered = format!("\n{}", render(ROWS));
    if readme[start..end] == rendered {
        return;
    }
    if std::env::var_os("DMSFLOW_WRITE_FAULT_MATRIX").is_some() {
        let updated = format!("{}{rendered}{}", &readme[..start], &readme[end..]);
        std::fs::write(support::root().join(README), updated).expect("README.md is writable");
        return;
    }
    panic!(
        "{README}'s fault matrix is not the one rendered from tests/support/fault_matrix.rs: \
         run `DMSFLOW_WRITE_FAULT_MATRIX=1 cargo test -p dmsflow-tests --test fault_matrix` \
         and commit README.md"
    );
}

/// The body of test function `name` in `source`: from its `fn` to the next test.
fn test_body<'a>(source: &'a str, name: &str) -> Option<&'a str> {
    let start = source.find(&format!("async fn {name}()"))?;
    let rest = &source[start..];
    let end = rest.find("#[tokio::test").unwrap_or(rest.len());
    Some(&rest[..end])
}

fn backs(row: &Row) -> Result<(), String> {
    let manifest = support::read("tests/Cargo.toml");
    if !manifest.contains(&format!("path = \"{}\"", row.file)) {
        return Err(format!(
            "{} is not a test binary of tests/Cargo.toml",
            row.file
        ));
    }
    let source = support::read(&format!("tests/{}", row.file));
    let body = test_body(&source, row.test)
        .ok_or_else(|| format!("{} has no test {}", row.file, row.test))?;
    if !body.contains(&format!("row(\"{}\")", row.id)) {
        return Err(format!(
            "{}::{} does not take its expectations from row(\"{}\")",
            row.file, row.test, row.id
        ));
    }
    Ok(())
}

#[test]
fn every_row_is_backed_by_a_test_that_reads_it() {
    let problems: Vec<String> = ROWS.iter().filter_map(|r| backs(r).err()).collect();
    assert!(problems.is_empty(), "{problems:#?}");
    let ids: BTreeSet<&str> = ROWS.iter().map(|r| r.id).collect();
    assert_eq!(ids.len(), ROWS.len(), "row ids are unique");
    let tests: BTreeSet<(&str, &str)> = ROWS.iter().map(|r| (r.file, r.test)).collect();
    assert_eq!(tests.len(), ROWS.len(), "one test per row");
}

#[test]
fn a_row_that_no_test_reads_is_found() {
    let orphan = Row {
        id: "no-such-row",
        ..ROWS[0]
    };
    assert!(backs(&orphan).unwrap_err().contains("no-such-row"));
    let missing = Row {
        test: "no_such_test",
        ..ROWS[0]
    };
    assert!(backs(&missing).unwrap_err().contains("no_such_test"));
}

#[test]
fn the_rendering_counts_the_rows() {
    let text = render(ROWS);
    assert_eq!(
        text.lines().filter(|l| l.starts_with("| ")).count(),
        ROWS.len() + 1,
        "a header and one line per row"
    );
    assert!(text.contains(&format!("Faults tried: {}.", ROWS.len())));
    let survived = ROWS
        .iter()
        .filter(|r| r.ends == fault_matrix::Ends::Succeeds)
        .count();
    assert!(text.contains(&format!("Runs survived: {survived} ")));
    for row in ROWS {
        assert!(
            text.contains(row.fault) && text.contains(row.test),
            "{}",
            row.id
        );
    }
}
