//! cfn-lint on the SAM template, asl-validator on the state machine definition, and
//! `tools/audit` (checkov, parliament, cfn-lint's IAM rules against an accepted baseline),
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
fn asl_validator_accepts_the_definitions() {
    for (_, path) in support::asl::DEFINITIONS {
        run(
            project_tool("node_modules/.bin/asl-validator"),
            &["--json-path", path],
        );
    }
}

/// checkov, parliament and cfn-lint's IAM rules on the SAM-transformed template
/// (`tools/audit`): every finding must be accepted, with its reason, in
/// `tools/audit-baseline.yaml`, and every accepted finding must still occur.
#[test]
fn audit_finds_nothing_beyond_the_baseline() {
    project_tool(".venv/audit/bin/python");
    run(project_tool("tools/audit"), &[]);
}

/// The gate holds: a copy of the template whose create role may do anything in DMS
/// fails the audit, naming the statement.
#[test]
fn audit_fails_on_a_role_that_may_do_anything_in_dms() {
    let text = std::fs::read_to_string(support::root().join(support::template::PATH))
        .expect("template.yaml");
    let role = text.find("\n  CreateRole:\n").expect("CreateRole");
    let at = role
        + text[role..]
            .find("            Statement:\n")
            .expect("CreateRole's inline statements")
        + "            Statement:\n".len();
    let widened = format!(
        "{}              - Sid: ManageAllOfDms\n                Effect: Allow\n                Action: dms:*\n                Resource: \"*\"\n{}",
        &text[..at],
        &text[at..]
    );
    let dir = std::env::temp_dir().join(format!("dmsflow-audit-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    let copy = dir.join("template.yaml");
    std::fs::write(&copy, widened).expect("the widened copy");
    let output = Command::new(project_tool("tools/audit"))
        .arg("--template")
        .arg(&copy)
        .current_dir(support::root())
        .output()
        .expect("tools/audit runs");
    let _ = std::fs::remove_dir_all(&dir);
    let printed = String::from_utf8_lossy(&output.stdout).to_string()
        + &String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{printed}");
    assert!(
        printed.contains("NEW") && printed.contains("CreateRole/create/ManageAllOfDms"),
        "{printed}"
    );
}
