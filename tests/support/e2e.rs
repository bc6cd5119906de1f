//! Shared steps of the end-to-end tests: each test starts its own local stack
//! (moto's Step Functions interpreter and SNS, the real function binaries under
//! cargo-lambda, the DMS emulator, one router), runs inputs through the real state
//! machine, and checks what DMS holds and what was published afterwards.

#![allow(dead_code)]

use std::sync::OnceLock;
use std::time::Duration;

use dmsflow_local::drills::Drill;
use dmsflow_local::moto::Published;
use dmsflow_local::process::group_alive;
use dmsflow_local::rehearsal::{self, Outcome, Prepared};
use dmsflow_local::resources::calls_of;
use dmsflow_local::stack::{build_functions, default_root};
use dmsflow_local::{Stack, StackOptions};
use serde_json::Value;

/// Longest a single execution may take (a transient fault may add the
/// definition's 15 s Retry interval; the rest takes seconds).
pub const RUN_TIMEOUT: Duration = Duration::from_secs(240);

/// The CloudWatch alarms of a run: tables errored and validation failed, plus
/// CDC latency (source and target) when the task replicates changes.
pub const FULL_LOAD_ALARMS: usize = 2;
pub const CDC_ALARMS: usize = 4;

/// The resource kinds (as the emulator names them) and counts of a full run when
/// nothing is deleted, besides its alarms: subnet group, instance, two endpoints,
/// task, event subscription and the two tested connections.
pub const FULL_SET_KINDS: [(&str, usize); 6] = [
    ("connections", 2),
    ("endpoints", 2),
    ("event_subscriptions", 1),
    ("replication_instances", 1),
    ("replication_subnet_groups", 1),
    ("replication_tasks", 1),
];

/// Starts a fresh stack; fails (never skips) when the local tools are missing.
/// The function binaries are built once per test binary.
pub async fn stack() -> Stack {
    static BUILT: OnceLock<Result<(), String>> = OnceLock::new();
    let built = BUILT.get_or_init(|| build_functions(&default_root()).map_err(|e| e.to_string()));
    if let Err(e) = built {
        panic!("{e}");
    }
    let options = StackOptions {
        build: false,
        ..StackOptions::default()
    };
    match Stack::start(options).await {
        Ok(stack) => stack,
        Err(e) => panic!("the local stack did not start: {e}"),
    }
}

/// A sample input of `events/`.
pub fn events(file: &str) -> Value {
    let path = default_root().join("events").join(file);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}

/// The input made local (run topic, drills), under a distinct run id and execution name.
pub fn prepare(stack: &Stack, mut input: Value, run_id: &str, drills: &[Drill]) -> Prepared {
    if input.get("run_id").is_some() {
        input["run_id"] = Value::from(run_id);
    }
    rehearsal::prepare(input, &stack.run_topic_arn, drills, stack.options.speed)
        .unwrap_or_else(|e| panic!("cannot prepare the input: {e}"))
}

/// A sample of `events/` made local, under `run_id`.
pub fn sample(stack: &Stack, file: &str, run_id: &str, drills: &[Drill]) -> Prepared {
    prepare(stack, events(file), run_id, drills)
}

/// The execution succeeded; answers its output (`null` when it has none).
pub fn assert_succeeded(outcome: &Outcome) -> Value {
    let execution = &outcome.execution;
    assert_eq!(execution.status, "SUCCEEDED", "{execution:?}");
    execution.output_json().unwrap_or(Value::Null)
}

/// Runs a prepared input to its end, printing its progress (shown when a test fails).
pub async fn run(stack: &mut Stack, prepared: &Prepared) -> Outcome {
    println!("== {} ==", prepared.execution_name);
    let outcome = rehearsal::rehearse(stack, prepared, RUN_TIMEOUT, |line| println!("{line}"))
        .await
        .unwrap_or_else(|e| panic!("{} did not run to its end: {e}", prepared.execution_name));
    for line in rehearsal::summary(prepared, &outcome) {
        println!("{line}");
    }
    outcome
}

/// Runs it under another execution name (a rerun: execution names are not reused).
pub async fn rerun(stack: &mut Stack, prepared: &Prepared, suffix: &str) -> Outcome {
    let mut again = prepared.clone();
    again.execution_name = format!("{}-{suffix}", prepared.execution_name);
    run(stack, &again).await
}

/// The execution failed with `error`; answers its cause.
pub fn failed_with<'a>(outcome: &'a Outcome, error: &str) -> &'a str {
    let execution = &outcome.execution;
    assert_eq!(execution.status, "FAILED", "{execution:?}");
    assert_eq!(execution.error.as_deref(), Some(error), "{execution:?}");
    execution.cause.as_deref().unwrap_or_default()
}

/// The alerts of an outcome that report a failure, as JSON messages.
pub fn failure_alerts(outcome: &Outcome) -> Vec<(&Published, Value)> {
    outcome
        .alerts
        .iter()
        .filter(|a| a.subject.as_deref().is_some_and(|s| s.contains("failed")))
        .map(|a| (a, a.json().expect("an alert is a JSON message")))
        .collect()
}

/// The execution failed with `error`, after exactly one alert naming `state`, the
/// error and a message containing `dms_says`; no success notice.
pub fn assert_failed_with_one_alert(outcome: &Outcome, state: &str, error: &str, dms_says: &str) {
    assert_failure_alerted_once(outcome, state, error, dms_says);
    assert_eq!(
        outcome.alerts.len(),
        1,
        "no other message expected: {:?}",
        outcome.alerts
    );
}

/// The execution failed with `error`, after exactly one failure alert naming
/// `state`, the error and a message containing `dms_says` (other messages, such
/// as a success notice before a failed cleanup, may have been published).
pub fn assert_failure_alerted_once(outcome: &Outcome, state: &str, error: &str, dms_says: &str) {
    let execution_cause = failed_with(outcome, error);
    let alerts = failure_alerts(outcome);
    assert_eq!(
        alerts.len(),
        1,
        "exactly one failure alert expected: {:?}",
        outcome.alerts
    );
    let (alert, message) = &alerts[0];
    assert!(
        alert
            .subject
            .as_deref()
            .unwrap_or_default()
            .ends_with(&format!("failed at {state}")),
        "{alert:?}"
    );
    assert_eq!(message["failed_state"], state, "{message}");
    assert_eq!(message["error"], error, "{message}");
    let cause = message["cause"].as_str().unwrap_or_default();
    assert!(
        cause.contains(dms_says),
        "the alert's cause should quote {dms_says:?}: {cause}"
    );
    assert!(
        !cause.starts_with('{') && !execution_cause.starts_with('{'),
        "the alert and the execution carry the function's message, not its JSON envelope: {cause}"
    );
    assert!(
        execution_cause.contains(dms_says),
        "the execution's cause should quote {dms_says:?}: {execution_cause}"
    );
}

/// What the run holds in DMS, by kind, and in total.
pub fn assert_holds(stack: &Stack, run_id: &str, expected: usize) {
    let held = stack.resources_of(run_id);
    assert_eq!(
        held.count(),
        expected,
        "run {run_id} holds {}",
        held.describe()
    );
}

/// The run holds exactly one full set of resources with `alarms` alarms and its
/// dashboard (nothing duplicated, nothing missing).
pub fn assert_holds_one_full_set(stack: &Stack, run_id: &str, alarms: usize) {
    let held = stack.resources_of(run_id);
    let by_kind = held.by_kind();
    let kinds = FULL_SET_KINDS
        .into_iter()
        .chain([("cloudwatch_alarms", alarms), ("cloudwatch_dashboards", 1)]);
    for (kind, count) in kinds {
        assert_eq!(
            by_kind.get(kind).copied().unwrap_or(0),
            count,
            "{kind}: run {run_id} holds {}",
            held.describe()
        );
    }
    let full_set = FULL_SET_KINDS.iter().map(|(_, n)| n).sum::<usize>() + alarms + 1;
    assert_eq!(
        held.count(),
        full_set,
        "run {run_id} holds {}",
        held.describe()
    );
}

/// The operations of the execution's successful DMS create calls, in order.
pub fn created_operations(outcome: &Outcome) -> Vec<&str> {
    outcome
        .created
        .iter()
        .map(|c| c.operation.as_str())
        .collect()
}

/// Successful DMS create calls of a run, by operation.
pub fn creates_of(stack: &Stack, run_id: &str) -> Vec<String> {
    calls_of(&stack.calls(), run_id)
        .into_iter()
        .filter(|c| c.ok() && c.is_create())
        .map(|c| c.operation)
        .collect()
}

/// Stops the stack and checks that no process of it is left (each child led
/// its own process group).
pub async fn stop(stack: Stack) {
    let groups = stack.child_pids();
    assert!(!groups.is_empty());
    let logs = stack.log_dir.clone();
    stack.shutdown().await;
    // Kept only when a test fails (its output names the directory).
    let _ = std::fs::remove_dir_all(logs);
    for group in groups {
        assert!(
            !group_alive(group),
            "process group {group} of the stack is still running"
        );
    }
}

/// The run ends as expected: succeeded with the success notice only, or failed
/// with `error` at `state` after exactly one alert quoting `dms_says`.
pub fn assert_ends(
    outcome: &Outcome,
    failure: Option<(&str, &str)>,
    dms_says: &str,
) -> Option<Value> {
    match failure {
        Some((state, error)) => {
            assert_failed_with_one_alert(outcome, state, error, dms_says);
            None
        }
        None => {
            let output = assert_succeeded(outcome);
            assert!(failure_alerts(outcome).is_empty(), "{:?}", outcome.alerts);
            assert_eq!(outcome.alerts.len(), 1, "the success notice only");
            Some(output)
        }
    }
}

/// Makes DMS answer with faults (and/or throttling) from now on, by a scenario
/// written as JSON.
pub fn set_scenario(stack: &Stack, scenario: Value) {
    let scenario =
        dms_emulator::Scenario::from_json(&scenario.to_string()).unwrap_or_else(|e| panic!("{e}"));
    stack.emulator().set_scenario(scenario);
}

/// Arms one of the router's drills: posts `drill` to its control `path`.
async fn arm_router_drill(stack: &Stack, path: &str, drill: &Value) {
    let url = format!("{}{path}", stack.endpoint_url());
    stack
        .http
        .post_json(&url, drill)
        .await
        .and_then(|answer| answer.ok(&format!("arming the drill at {path}")))
        .unwrap_or_else(|e| panic!("{e}"));
}

/// The state of one of the router's drills (its control `path`).
async fn router_drill_state(stack: &Stack, path: &str) -> Value {
    let url = format!("{}{path}", stack.endpoint_url());
    stack
        .http
        .get(&url)
        .await
        .and_then(|answer| answer.json())
        .unwrap_or_else(|e| panic!("{e}"))
}

/// Arms the router's lost-response drill for `function` (`dmsflow-start`).
pub async fn lose_responses(stack: &Stack, function: &str, count: u64) {
    let drill = serde_json::json!({"function": function, "count": count});
    arm_router_drill(stack, dmsflow_local::drills::LOST_RESPONSES_PATH, &drill).await;
}

/// The functions whose responses the router lost so far, in order.
pub async fn lost_responses(stack: &Stack) -> Vec<String> {
    let state = router_drill_state(stack, dmsflow_local::drills::LOST_RESPONSES_PATH).await;
    serde_json::from_value(state["lost"].clone()).expect("a list of function names")
}

/// Makes the router refuse every call of `target` (`AWSStepFunctions.ListExecutions`)
/// from now on with the error `code` and `message`, as the service would.
pub async fn refuse_calls(stack: &Stack, target: &str, code: &str, message: &str) {
    let drill = serde_json::json!({"target": target, "code": code, "message": message});
    arm_router_drill(
        stack,
        dmsflow_local::refused_calls::REFUSED_CALLS_PATH,
        &drill,
    )
    .await;
}

/// The targets of the calls the router refused so far, in order.
pub async fn refused_calls(stack: &Stack) -> Vec<String> {
    let state = router_drill_state(stack, dmsflow_local::refused_calls::REFUSED_CALLS_PATH).await;
    serde_json::from_value(state["refused"].clone()).expect("a list of targets")
}

/// Successful DMS calls of a run to `operation`.
pub fn ok_calls_of(stack: &Stack, run_id: &str, operation: &str) -> usize {
    calls_of(&stack.calls(), run_id)
        .iter()
        .filter(|c| c.ok() && c.operation == operation)
        .count()
}

/// Stops a running execution (StopExecution) and waits until it is aborted.
pub async fn stop_execution(stack: &Stack, execution_arn: &str) {
    let body = serde_json::json!({"executionArn": execution_arn, "cause": "stopped by a test"});
    stack
        .http
        .aws_json(
            stack.moto_url(),
            "states",
            "AWSStepFunctions.StopExecution",
            &body,
        )
        .await
        .and_then(|answer| answer.ok("StopExecution"))
        .unwrap_or_else(|e| panic!("{e}"));
    // moto's interpreter does not always abort at once: it was seen taking over
    // 20 s here (while the execution waited between checks). Up to a minute.
    for _ in 0..300 {
        let execution = stack
            .sfn
            .describe_execution(execution_arn)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        if execution.status == "ABORTED" {
            return;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("{execution_arn} was not aborted");
}

/// What the stack's topics received that `before` (an earlier look) did not hold.
pub async fn published_since(stack: &Stack, before: &[Published]) -> Vec<Published> {
    stack
        .published_since(before)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}
