//! Shared helpers of the project checks: where the files are, and reading the state
//! machine definition and the SAM template.

#![allow(dead_code)]

pub mod asl;
pub mod template;

use std::path::{Path, PathBuf};

/// The workspace root (the parent of this crate's directory).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the tests crate lives inside the workspace")
        .to_path_buf()
}

/// Reads a file of the project, naming it when it cannot.
pub fn read(relative: &str) -> String {
    let path = root().join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// `CreateFunctionArn` -> `dmsflow-create`, `TestConnectionFunctionArn` ->
/// `dmsflow-test-connection`: the binary a function-ARN substitution must point at.
pub fn binary_for_substitution(name: &str) -> Option<String> {
    let stem = name.strip_suffix("FunctionArn")?;
    let mut binary = String::from("dmsflow");
    for c in stem.chars() {
        if c.is_ascii_uppercase() {
            binary.push('-');
        }
        binary.push(c.to_ascii_lowercase());
    }
    Some(binary)
}
