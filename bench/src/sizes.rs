//! Sizes of what gets deployed: each release `bootstrap`, and the zip cargo-lambda
//! makes of it (`--output-format zip`, deflate), which is what Lambda receives.

use std::path::Path;

use crate::stats::mb;
use crate::table::Row;

const GROUP: &str = "size";
/// The largest `bootstrap` the project accepts.
pub const BOOTSTRAP_LIMIT: u64 = 6_000_000;

/// Size rows of one function: `bootstrap` under `lambda_dir/<name>/`, its zip
/// under `zip_dir/<name>/bootstrap.zip`.
pub fn rows(name: &str, lambda_dir: &Path, zip_dir: &Path) -> Vec<Row> {
    let bootstrap = lambda_dir.join(name).join("bootstrap");
    let zip = zip_dir.join(name).join("bootstrap.zip");
    vec![
        size_row(
            format!("bootstrap, {name}"),
            &bootstrap,
            Some(BOOTSTRAP_LIMIT),
        ),
        size_row(format!("zip, {name}"), &zip, None),
    ]
}

fn size_row(measure: String, path: &Path, limit: Option<u64>) -> Row {
    match std::fs::metadata(path) {
        Ok(meta) => {
            let row = Row::new(GROUP, measure, mb(meta.len()));
            match limit {
                Some(limit) => row.target(format!("<= {}", mb(limit)), meta.len() <= limit),
                None => row,
            }
        }
        Err(e) => Row::new(
            GROUP,
            measure,
            format!("missing ({}: {e}; run tools/bench)", path.display()),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_are_judged_against_the_limit_and_missing_files_say_so() {
        let dir = std::env::temp_dir().join(format!("dmsflow-bench-sizes-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("f")).unwrap();
        std::fs::write(dir.join("f/bootstrap"), vec![0u8; 1_500_000]).unwrap();
        let rows = rows("f", &dir, &dir.join("zips"));
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(rows[0].value, "1.50 MB");
        assert_eq!(rows[0].met, Some(true));
        assert_eq!(rows[0].target, "<= 6.00 MB");
        assert!(rows[1].value.starts_with("missing"), "{}", rows[1].value);
        assert_eq!(rows[1].met, None);
    }
}
