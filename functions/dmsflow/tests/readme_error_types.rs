//! The README documents every error type the functions return, and nothing else.

use dmsflow::ErrorKind;

fn readme_rows() -> Vec<(String, bool)> {
    let readme = include_str!("../../../README.md");
    let section = readme
        .split("## Error types")
        .nth(1)
        .expect("README has an '## Error types' section");
    let section = section.split("\n## ").next().unwrap_or(section);
    section
        .lines()
        .filter_map(|line| {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            let name = cells.get(1)?.strip_prefix('`')?.strip_suffix('`')?;
            let transient = match *cells.get(2)? {
                "yes" => true,
                "no" => false,
                _ => return None,
            };
            Some((name.to_string(), transient))
        })
        .collect()
}

#[test]
fn every_error_kind_is_documented_with_its_retry_class() {
    let rows = readme_rows();
    for kind in ErrorKind::ALL {
        let row = rows.iter().find(|(name, _)| name == kind.as_str());
        let (_, transient) = row.unwrap_or_else(|| panic!("README's error table lacks {kind}"));
        assert_eq!(
            *transient,
            kind.is_transient(),
            "README says wrong retry class for {kind}"
        );
    }
    assert_eq!(
        rows.len(),
        ErrorKind::ALL.len(),
        "README documents an error type the code does not have: {rows:?}"
    );
}
