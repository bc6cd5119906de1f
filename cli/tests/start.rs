//! `dmsflow start`, `status` and `teardown` against the local stack (moto's Step
//! Functions running the deployed definition, the function binaries, the DMS
//! emulator): a run starts under its run id, a second start of the same run is
//! refused while the first runs, status lists the runs in progress, the runs
//! succeed, and a teardown runs after them.

use std::process::Command;
use std::time::Duration;

use dmsflow_local::drills::Drill;
use dmsflow_local::rehearsal;
use dmsflow_local::stack::{build_functions, default_root};
use dmsflow_local::{Stack, StackOptions};

/// `dmsflow args` against the local stack: its state machine named, unless the
/// arguments name a stack.
fn dmsflow(stack: &Stack, args: &[&str]) -> (i32, String, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_dmsflow"));
    command.args(args);
    if !args.contains(&"--stack") {
        command.args(["--state-machine-arn", &stack.state_machine_arn]);
    }
    let output = command
        .args(["--endpoint-url", &stack.endpoint_url()])
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_REGION", "us-east-1")
        .env_remove("AWS_PROFILE")
        .output()
        .expect("the dmsflow binary runs");
    (
        output.status.code().expect("an exit code"),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn start_refuses_a_run_in_progress_status_lists_the_runs_and_teardown_follows() {
    build_functions(&default_root()).unwrap_or_else(|e| panic!("{e}"));
    let mut stack = Stack::start(StackOptions {
        build: false,
        ..StackOptions::default()
    })
    .await
    .unwrap_or_else(|e| panic!("the local stack did not start: {e}"));
    let text =
        std::fs::read_to_string(default_root().join("events/postgres-to-aurora-full-load.json"))
            .unwrap();
    let mut spec: serde_json::Value = serde_json::from_str(&text).unwrap();
    spec["run_id"] = serde_json::json!("cli-start");
    let prepared =
        rehearsal::prepare(spec, &stack.run_topic_arn, &[], stack.options.speed).unwrap();
    let file = std::env::temp_dir().join(format!("dmsflow-cli-start-{}.json", std::process::id()));
    std::fs::write(&file, prepared.input.to_string()).unwrap();
    let file = file.to_str().unwrap();
    let mut second = prepared.input.clone();
    second["run_id"] = serde_json::json!("cli-second");
    let second_file =
        std::env::temp_dir().join(format!("dmsflow-cli-second-{}.json", std::process::id()));
    std::fs::write(&second_file, second.to_string()).unwrap();

    let (code, out, err) = dmsflow(&stack, &["start", file]);
    assert_eq!(code, 0, "{out}{err}");
    let mut lines = out.lines();
    let first = lines.next().unwrap();
    assert!(
        first.starts_with("started run cli-start as execution cli-start-"),
        "{out}"
    );
    let arn = lines
        .next()
        .and_then(|l| l.strip_prefix("  execution  "))
        .unwrap_or_else(|| panic!("{out}"))
        .to_string();
    assert!(
        arn.starts_with(
            &stack
                .state_machine_arn
                .replace(":stateMachine:", ":execution:")
        )
    );
    assert!(
        lines
            .next()
            .unwrap()
            .starts_with("  console    https://us-east-1.console.aws.amazon.com/states/home"),
        "{out}"
    );

    // The same run again while it runs: refused, nothing started.
    let (code, out, err) = dmsflow(&stack, &["start", file]);
    assert_eq!((code, out.as_str()), (1, ""), "{err}");
    assert!(
        err.starts_with(&format!(
            "dmsflow: Run cli-start is already being driven by execution {arn}"
        )),
        "{err}"
    );
    assert!(err.contains("Nothing was started."), "{err}");

    // Another run beside it: status lists both, oldest first, the stack found by
    // its name through its StateMachineArn output (a CloudFormation stack in moto).
    let template = serde_json::json!({
        "Resources": {"Topic": {"Type": "AWS::SNS::Topic"}},
        "Outputs": {"StateMachineArn": {"Value": stack.state_machine_arn}},
    });
    for (name, body) in [
        ("dmsflow-local", template.to_string()),
        (
            "not-dmsflow",
            serde_json::json!({"Resources": {"Topic": {"Type": "AWS::SNS::Topic"}}}).to_string(),
        ),
    ] {
        stack
            .http
            .aws_query(
                stack.moto_url(),
                "cloudformation",
                &[
                    ("Action", "CreateStack"),
                    ("Version", "2010-05-15"),
                    ("StackName", name),
                    ("TemplateBody", &body),
                ],
            )
            .await
            .and_then(|a| a.ok("CreateStack"))
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let (code, out, err) = dmsflow(&stack, &["start", second_file.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
    let second_arn = out
        .lines()
        .nth(1)
        .and_then(|l| l.strip_prefix("  execution  "))
        .unwrap_or_else(|| panic!("{out}"))
        .to_string();
    let (code, out, err) = dmsflow(&stack, &["status", "--stack", "dmsflow-local"]);
    assert_eq!(code, 0, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3, "{out}");
    assert!(lines[0].starts_with("RUN "), "{out}");
    assert!(lines[0].contains(" LATENCY  LAST ALERT "), "{out}");
    // No alarm of either run is in ALARM.
    let alert = lines[0].find("LAST ALERT").unwrap();
    for row in &lines[1..] {
        assert_eq!(&row[alert..alert + 3], "-  ", "{out}");
    }
    assert!(lines[1].starts_with("cli-start   migrate  "), "{out}");
    assert!(lines[2].starts_with("cli-second  migrate  "), "{out}");

    // Watched to its end: the phases, then the outcome and the exit code.
    let (code, out, err) = dmsflow(&stack, &["watch", "cli-start", "--interval", "1"]);
    assert_eq!(code, 0, "{out}{err}");
    let mut at = 0;
    for expected in [
        "watching run cli-start: execution cli-start-",
        "  dashboard  https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#dashboards/dashboard/dmsflow-cli-start",
        "] ClaimRun",
        "] CreateResources",
        "+ created CloudWatch dashboard dmsflow-cli-start",
        "] StartReplication",
        "] CheckProgress",
        "full load [",
        "] NotifySuccess",
        "] execution SUCCEEDED",
        "run cli-start SUCCEEDED",
    ] {
        let found = out[at..]
            .find(expected)
            .unwrap_or_else(|| panic!("{expected:?} not in order in\n{out}"));
        at += found + expected.len();
    }
    let ended = stack
        .follow(&second_arn, Duration::from_secs(600), |_| {})
        .await
        .unwrap();
    assert_eq!(ended.status, "SUCCEEDED", "{ended:?}");
    let (code, out, _) = dmsflow(&stack, &["status"]);
    assert_eq!(
        (code, out.trim_end()),
        (
            0,
            format!("no run in progress on {}", stack.state_machine_arn).as_str()
        )
    );
    // Stacks that cannot be used: one line each, exit 2.
    for (name, expected) in [
        (
            "not-dmsflow",
            "dmsflow: stack not-dmsflow in us-east-1 has no StateMachineArn output: is it a dmsflow stack",
        ),
        (
            "no-such-stack",
            "dmsflow: no stack no-such-stack in us-east-1",
        ),
    ] {
        let (code, out, err) = dmsflow(&stack, &["status", "--stack", name]);
        assert_eq!((code, out.as_str()), (2, ""), "{err}");
        assert!(err.starts_with(expected), "{err}");
        assert_eq!(err.lines().count(), 1, "{err}");
    }
    // Watching a run that ended prints its history and its outcome.
    let (code, out, _) = dmsflow(&stack, &["watch", "cli-second"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.ends_with("run cli-second SUCCEEDED\n"), "{out}");
    let (code, _, err) = dmsflow(&stack, &["watch", "no-such-run"]);
    assert_eq!(code, 1);
    assert!(
        err.starts_with("dmsflow: no execution of run no-such-run among the last 100"),
        "{err}"
    );

    // A run that fails: watch ends with its error and exit code 1.
    let mut failing = serde_json::from_str::<serde_json::Value>(&text).unwrap();
    failing["run_id"] = serde_json::json!("cli-fails");
    let failing = rehearsal::prepare(
        failing,
        &stack.run_topic_arn,
        &[Drill::FailConnection],
        stack.options.speed,
    )
    .unwrap();
    let failing_file =
        std::env::temp_dir().join(format!("dmsflow-cli-fails-{}.json", std::process::id()));
    std::fs::write(&failing_file, failing.input.to_string()).unwrap();
    let (code, out, err) = dmsflow(&stack, &["start", failing_file.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
    let (code, out, err) = dmsflow(&stack, &["watch", "cli-fails", "--interval", "1"]);
    assert_eq!(code, 1, "{out}{err}");
    let expected = Drill::FailConnection.expected(false);
    assert!(
        out.contains(&format!(
            "run cli-fails FAILED: {}",
            expected.error.unwrap()
        )),
        "{out}"
    );

    // A teardown of the first run, then a cutover request the stack checks first.
    let (code, out, err) = dmsflow(&stack, &["teardown", "cli-start"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.starts_with("started the teardown of run cli-start as execution cli-start-teardown-"),
        "{out}"
    );
    let teardown = out
        .lines()
        .nth(1)
        .and_then(|l| l.strip_prefix("  execution  "))
        .unwrap()
        .to_string();
    let ended = stack
        .follow(&teardown, Duration::from_secs(600), |_| {})
        .await
        .unwrap();
    assert_eq!(ended.status, "SUCCEEDED", "{ended:?}");
    let (code, out, err) = dmsflow(&stack, &["cutover", "cli-start", "--set", "then=explode"]);
    assert_eq!((code, out.as_str()), (1, ""), "{err}");
    assert!(
        err.starts_with("dmsflow: ") && err.contains("then"),
        "{err}"
    );
    stack.shutdown().await;
}
