//! The `dmsflow` binary's offline commands, run as a user runs them: exit codes,
//! what they print, and one clear line (never a panic) when they cannot work.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the workspace")
        .to_path_buf()
}

fn dmsflow(args: &[&str]) -> (i32, String, String) {
    let Output {
        status,
        stdout,
        stderr,
    } = Command::new(env!("CARGO_BIN_EXE_dmsflow"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("the dmsflow binary runs");
    (
        status.code().expect("an exit code"),
        String::from_utf8_lossy(&stdout).into_owned(),
        String::from_utf8_lossy(&stderr).into_owned(),
    )
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("dmsflow-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn every_sample_input_validates_and_the_exit_code_says_so() {
    let (code, out, err) = dmsflow(&["validate", "events"]);
    assert_eq!(code, 0, "{out}{err}");
    for expected in [
        "ok    events/mysql-full-load-and-cdc.json: migration spec of run ",
        "ok    events/wave.json: wave q3-billing of 2 run(s), at most 2 at a time",
        "ok    events/wave-manifest.json: wave q4-fleet of 3 run(s)",
        "ok    events/cleanup-only.json: cleanup request for run ",
        "ok    events/cutover.json: cutover request for run ",
    ] {
        assert!(out.contains(expected), "{expected:?} not in\n{out}");
    }
    let files = std::fs::read_dir(root().join("events"))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "json")
        })
        .count();
    assert!(
        out.ends_with(&format!("{files} of {files} valid\n")),
        "{out}"
    );
}

#[test]
fn a_bad_spec_fails_with_every_problem_its_path_and_fix() {
    let dir = scratch("bad");
    let mut spec: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("events/postgres-to-aurora-full-load.json")).unwrap(),
    )
    .unwrap();
    spec["source"]["port"] = serde_json::json!(0);
    spec["full_load"] = serde_json::json!("yes");
    std::fs::write(dir.join("broken.json"), spec.to_string()).unwrap();
    std::fs::write(dir.join("truncated.json"), "{\"run_id\": ").unwrap();
    let (code, out, err) = dmsflow(&["validate", dir.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        out.contains("broken.json:\n      The migration spec has"),
        "{out}"
    );
    assert!(out.contains("source.port"), "{out}");
    assert!(
        out.contains("truncated.json is not JSON: EOF while parsing"),
        "{out}"
    );
    assert!(out.ends_with("0 of 2 valid\n"), "{out}");
    // The stack's bounds, when given, are checked too.
    let good = root().join("events/postgres-to-aurora-full-load.json");
    let (code, out, _) = dmsflow(&[
        "validate",
        good.to_str().unwrap(),
        "--secret-access-role-path",
        "/elsewhere/",
    ]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("secret_access_role_arn"), "{out}");
}

#[test]
fn plan_prints_what_a_run_will_create_and_do() {
    let (code, out, err) = dmsflow(&["plan", "events/postgres-to-aurora-full-load.json"]);
    assert_eq!(code, 0, "{err}");
    let mut lines = out.lines();
    assert!(lines.next().unwrap().starts_with("run "), "{out}");
    assert!(lines.next().unwrap().starts_with("  1. "), "{out}");
    assert!(out.contains("replication instance"), "{out}");
    // A wave: each run's plan.
    let (code, out, _) = dmsflow(&["plan", "events/wave.json"]);
    assert_eq!(code, 0);
    assert_eq!(out.matches("\nrun ").count() + 1, 2, "{out}");
    let (code, out, err) = dmsflow(&["plan", "events/cleanup-only.json"]);
    assert_eq!((code, out.as_str()), (1, ""));
    assert!(
        err.starts_with(
            "dmsflow: events/cleanup-only.json: a cleanup or cutover request has no plan"
        ),
        "{err}"
    );
}

#[test]
fn what_cannot_be_done_is_one_line_and_exit_code_two() {
    let (code, out, err) = dmsflow(&["validate", "no/such/spec.json"]);
    assert_eq!((code, out.as_str()), (2, ""));
    assert_eq!(
        err,
        "dmsflow: no/such/spec.json: no such file or directory\n"
    );
    let (code, _, err) = dmsflow(&["validate"]);
    assert_eq!(code, 2);
    assert!(err.contains("required"), "{err}");
    let (code, _, err) = dmsflow(&["explode"]);
    assert_eq!(code, 2);
    assert!(err.contains("unrecognized subcommand"), "{err}");
    let (code, out, _) = dmsflow(&["--help"]);
    assert_eq!(code, 0);
    for command in ["validate", "plan", "start"] {
        assert!(out.contains(command), "{out}");
    }
    let spec = root().join("events/postgres-to-aurora-full-load.json");
    let (code, out, err) = dmsflow(&[
        "start",
        spec.to_str().unwrap(),
        "--state-machine-arn",
        "not-an-arn",
    ]);
    assert_eq!((code, out.as_str()), (2, ""));
    assert!(
        err.starts_with("dmsflow: --state-machine-arn not-an-arn is not a state machine ARN"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    // No credentials anywhere: said at once, in one line.
    let output = Command::new(env!("CARGO_BIN_EXE_dmsflow"))
        .args([
            "status",
            "--state-machine-arn",
            "arn:aws:states:us-east-1:123456789012:stateMachine:dmsflow-migration",
        ])
        .env_clear()
        .env("HOME", scratch("home"))
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{err}");
    assert!(err.starts_with("dmsflow: no AWS credentials ("), "{err}");
    assert!(
        err.trim_end()
            .ends_with("set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
}
