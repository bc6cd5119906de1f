//! End to end, one execution at a time drives a run id: two executions of the same
//! input started at once leave exactly one full set of resources, created and
//! started once, and the other execution stops with `RunInProgress` (one alert, no
//! DMS step, no cleanup); a cleanup request while the run is running deletes
//! nothing; and once the driver has ended, a rerun or a cleanup request goes ahead.

#[path = "support/e2e.rs"]
mod e2e;
#[path = "support/fault_matrix.rs"]
mod fault_matrix;

use std::collections::BTreeSet;

use dmsflow_local::Stack;
use dmsflow_local::moto::Published;
use dmsflow_local::resources::calls_of;
use dmsflow_local::sfn::Execution;
use serde_json::{Value, json};

/// The states that reach DMS (directly or through the cleanup function).
const DMS_STATES: [&str; 7] = [
    "ValidateSpec",
    "CreateResources",
    "TestConnections",
    "EnableValidation",
    "StartReplication",
    "CheckProgress",
    "Cleanup",
];

/// Starts both inputs at the same moment; answers their execution ARNs.
async fn start_together(stack: &Stack, a: (&str, &Value), b: (&str, &Value)) -> (String, String) {
    let (first, second) = tokio::join!(
        stack.start_execution(a.0, a.1),
        stack.start_execution(b.0, b.1)
    );
    (
        first.unwrap_or_else(|e| panic!("{} did not start: {e}", a.0)),
        second.unwrap_or_else(|e| panic!("{} did not start: {e}", b.0)),
    )
}

/// Follows an execution to its end; answers it with the states it entered.
async fn finish(stack: &mut Stack, arn: &str) -> (Execution, BTreeSet<String>) {
    let mut entered = BTreeSet::new();
    let execution = stack
        .follow(arn, e2e::RUN_TIMEOUT, |event| {
            if let Some(state) = event.entered_state() {
                entered.insert(state.to_string());
            }
        })
        .await
        .unwrap_or_else(|e| panic!("{arn} did not end: {e}"));
    println!("{arn}: {} {:?}", execution.status, execution.error);
    (execution, entered)
}

/// The alerts that report `RunInProgress`.
fn run_in_progress_alerts(published: &[Published]) -> Vec<Value> {
    published
        .iter()
        .filter_map(Published::json)
        .filter(|m| m["error"] == "RunInProgress")
        .collect()
}

/// The execution stopped with `RunInProgress`, naming `driver`, without entering a
/// state that reaches DMS.
fn assert_yielded(loser: &(Execution, BTreeSet<String>), driver: &str, run_id: &str) {
    let (execution, entered) = loser;
    assert_eq!(execution.status, "FAILED", "{execution:?}");
    assert_eq!(
        execution.error.as_deref(),
        Some("RunInProgress"),
        "{execution:?}"
    );
    let cause = execution.cause.as_deref().unwrap_or_default();
    assert!(
        cause.contains(driver) && cause.contains(&format!("Run {run_id} ")),
        "the cause names the run and the driving execution {driver}: {cause}"
    );
    assert!(
        !cause.starts_with('{'),
        "the cause is the function's message: {cause}"
    );
    let touched: Vec<_> = DMS_STATES
        .iter()
        .filter(|s| entered.contains(**s))
        .collect();
    assert!(
        touched.is_empty(),
        "the execution that yielded entered {touched:?}"
    );
    assert!(entered.contains("ClaimRun"), "{entered:?}");
}

/// Successful DMS calls of a run with this operation name.
fn ok_calls(stack: &Stack, run_id: &str, operation: &str) -> usize {
    calls_of(&stack.calls(), run_id)
        .iter()
        .filter(|c| c.ok() && c.operation == operation)
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_executions_of_one_run_at_once_one_drives_and_the_other_stops_with_run_in_progress() {
    let row = fault_matrix::row("concurrent-executions");
    let mut stack = e2e::stack().await;
    let run_id = "e2e-twins";
    let prepared = e2e::sample(&stack, "mysql-full-load-and-cdc.json", run_id, &[]);
    let input = &prepared.input;
    let (a, b) = start_together(
        &stack,
        ("twins-console-a", input),
        ("twins-console-b", input),
    )
    .await;
    let first = finish(&mut stack, &a).await;
    let second = finish(&mut stack, &b).await;

    let ((driver, driven), loser) = match (first.0.status.as_str(), second.0.status.as_str()) {
        ("SUCCEEDED", _) => ((&a, &first), &second),
        (_, "SUCCEEDED") => ((&b, &second), &first),
        _ => panic!(
            "one of the two must succeed: {:?} / {:?}",
            first.0, second.0
        ),
    };
    assert_eq!(driven.0.status, "SUCCEEDED");
    assert!(driven.1.contains("CheckProgress"), "{:?}", driven.1);
    assert_yielded(loser, driver, run_id);

    e2e::assert_holds_one_full_set(&stack, run_id, e2e::CDC_ALARMS);
    assert_eq!(
        e2e::creates_of(&stack, run_id).len(),
        6,
        "each resource created once: {:?}",
        e2e::creates_of(&stack, run_id)
    );
    assert_eq!(ok_calls(&stack, run_id, "CreateReplicationTask"), 1);
    assert_eq!(ok_calls(&stack, run_id, "StartReplicationTask"), 1);
    e2e::assert_holds(&stack, run_id, row.resources_left());

    let published = stack.published().await.expect("published messages");
    let alerts = run_in_progress_alerts(&published);
    assert_eq!(alerts.len(), 1, "one RunInProgress alert: {published:?}");
    let alert = &alerts[0];
    assert_eq!(alert["failed_state"], row.state(), "{alert}");
    assert_eq!(alert["error"], row.error(), "{alert}");
    assert!(
        alert["cause"]
            .as_str()
            .unwrap_or_default()
            .contains(driver.as_str()),
        "the alert names the driving execution: {alert}"
    );
    assert_eq!(
        published
            .iter()
            .filter(|p| p.topic_arn == stack.stack_topic_arn)
            .count(),
        1,
        "the stack's alert topic got the one RunInProgress alert only: {published:?}"
    );

    // Once the driver has ended, the same input runs again: nothing blocks it, and
    // it creates nothing new.
    let rerun = e2e::rerun(&mut stack, &prepared, "after").await;
    e2e::assert_ends(&rerun, None, "");
    assert!(rerun.created.is_empty(), "{:?}", rerun.created);
    assert_eq!(ok_calls(&stack, run_id, "CreateReplicationTask"), 1);
    e2e::assert_holds_one_full_set(&stack, run_id, e2e::CDC_ALARMS);
    e2e::stop(stack).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cleanup_request_while_the_run_is_running_deletes_nothing_and_one_afterwards_tears_down()
{
    let mut stack = e2e::stack().await;
    let run_id = "e2e-busy";
    let prepared = e2e::sample(&stack, "mysql-full-load-and-cdc.json", run_id, &[]);
    let run = stack
        .start_execution(&prepared.execution_name, &prepared.input)
        .await
        .expect("the run starts");
    let teardown = json!({"action": "cleanup", "run_id": run_id});
    let early = stack
        .start_execution("busy-teardown-early", &teardown)
        .await
        .expect("the cleanup request starts");
    let early = finish(&mut stack, &early).await;
    let run_outcome = finish(&mut stack, &run).await;

    assert_yielded(&early, &run, run_id);
    assert_eq!(run_outcome.0.status, "SUCCEEDED", "{:?}", run_outcome.0);
    for operation in [
        "StopReplicationTask",
        "DeleteReplicationTask",
        "DeleteEndpoint",
        "DeleteReplicationInstance",
        "DeleteReplicationSubnetGroup",
        "DeleteEventSubscription",
    ] {
        assert_eq!(
            ok_calls(&stack, run_id, operation),
            0,
            "{operation} during the run"
        );
    }
    e2e::assert_holds_one_full_set(&stack, run_id, e2e::CDC_ALARMS);
    let published = stack.published().await.expect("published messages");
    assert_eq!(run_in_progress_alerts(&published).len(), 1, "{published:?}");

    // After the run has ended, a cleanup request goes ahead and removes it.
    let late = stack
        .start_execution("busy-teardown-late", &teardown)
        .await
        .expect("the cleanup request starts");
    let (late, _) = finish(&mut stack, &late).await;
    assert_eq!(late.status, "SUCCEEDED", "{late:?}");
    e2e::assert_holds(&stack, run_id, 0);
    e2e::stop(stack).await;
}
