//! cfn-lint on the SAM template and asl-validator on the state machine definition,
//! from the project's own installs (made by `tools/setup`).

mod support;

use std::path::PathBuf;
use std::process::Command;

/// A tool installed by `tools/setup`; fails the test, saying so, when it is missing.
fn project_tool(relative: &str) -> PathBuf {
    let path = support::root().join(relative);
    assert!(
        path.exists(),
        "{} is missing: run tools/setup (it installs the pinned linters into .venv and node_modules)",
        path.display()
    );
    path
}

fn run(tool: PathBuf, args: &[&str]) {
    let output = Command::new(&tool)
        .args(args)
        .current_dir(support::root())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", tool.display()));
    assert!(
        output.status.success(),
        "{} {} failed:\n{}{}",
        tool.display(),
        args.join(" "),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn cfn_lint_accepts_the_template() {
    run(
        project_tool(".venv/bin/cfn-lint"),
        &[support::template::PATH],
    );
}

#[test]
fn asl_validator_accepts_the_definition() {
    run(
        project_tool("node_modules/.bin/asl-validator"),
        &["--json-path", support::asl::PATH],
    );
}
