//! End to end, the failure drills: a transient fault is retried and the run
//! succeeds; each permanent fault publishes exactly one alert naming the failed
//! step and DMS's message, cleans up as the spec's policy says, and fails the
//! execution with the error type.

#[path = "support/e2e.rs"]
mod e2e;
#[path = "support/fault_matrix.rs"]
mod fault_matrix;

use dmsflow_local::drills::Drill;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_connection_test_alerts_once_and_deletes_the_run_when_the_policy_says_delete() {
    let row = fault_matrix::row("fail-connection");
    let mut stack = e2e::stack().await;
    let run_id = "e2e-fail-connection";
    let mut spec = e2e::events("mysql-full-load-and-cdc.json");
    spec["cleanup"] = json!({"on_failure": "delete"});
    let prepared = e2e::prepare(&stack, spec, run_id, &[Drill::FailConnection]);

    let outcome = e2e::run(&mut stack, &prepared).await;

    e2e::assert_failed_with_one_alert(&outcome, row.state(), row.error(), "Test Endpoint failed");
    let (_, alert) = &e2e::failure_alerts(&outcome)[0];
    assert_eq!(alert["cleanup_on_failure"], "delete");
    assert!(!outcome.deleted.is_empty());
    e2e::assert_holds(&stack, run_id, row.resources_left());
    e2e::stop(stack).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_task_alerts_once_and_keeps_the_run_for_inspection() {
    let row = fault_matrix::row("fail-task");
    let mut stack = e2e::stack().await;
    let run_id = "e2e-fail-task";
    let prepared = e2e::sample(
        &stack,
        "mysql-full-load-and-cdc.json",
        run_id,
        &[Drill::FailTask],
    );

    let outcome = e2e::run(&mut stack, &prepared).await;

    e2e::assert_failed_with_one_alert(&outcome, row.state(), row.error(), "ODBC general error");
    let (_, alert) = &e2e::failure_alerts(&outcome)[0];
    assert_eq!(alert["cleanup_on_failure"], "keep");
    assert!(outcome.deleted.is_empty(), "{:?}", outcome.deleted);
    e2e::assert_holds_one_full_set(&stack, run_id, e2e::CDC_ALARMS);
    e2e::assert_holds(&stack, run_id, row.resources_left());
    let held = stack.resources_of(run_id);
    assert_eq!(held.of_kind("replication_tasks")[0].status, "failed");
    e2e::stop(stack).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_table_error_alerts_once_naming_the_table_and_stops_replication() {
    let row = fault_matrix::row("table-error");
    let mut stack = e2e::stack().await;
    let run_id = "e2e-table-error";
    let prepared = e2e::sample(
        &stack,
        "mysql-full-load-and-cdc.json",
        run_id,
        &[Drill::TableError],
    );
    assert!(
        prepared.input.get("cleanup").is_none(),
        "the default policy keeps"
    );

    let outcome = e2e::run(&mut stack, &prepared).await;

    e2e::assert_failed_with_one_alert(
        &outcome,
        row.state(),
        row.error(),
        "already tried, with ReloadTables while the task ran: orders.orders (1 reload)",
    );
    assert!(outcome.deleted.is_empty(), "{:?}", outcome.deleted);
    e2e::assert_holds_one_full_set(&stack, run_id, e2e::CDC_ALARMS);
    e2e::assert_holds(&stack, run_id, row.resources_left());
    // Kept for inspection, but a failed run never leaves replication running.
    let held = stack.resources_of(run_id);
    assert_eq!(held.of_kind("replication_tasks")[0].status, "stopped");
    e2e::stop(stack).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_validation_mismatch_alerts_once_with_the_failed_record_count() {
    let row = fault_matrix::row("validation-mismatch");
    let mut stack = e2e::stack().await;
    let run_id = "e2e-validation";
    let mut spec = e2e::events("postgres-to-aurora-full-load.json");
    spec["cleanup"] = json!({"on_success": "delete", "on_failure": "delete"});
    let prepared = e2e::prepare(&stack, spec, run_id, &[Drill::ValidationMismatch]);

    let outcome = e2e::run(&mut stack, &prepared).await;

    e2e::assert_failed_with_one_alert(&outcome, row.state(), row.error(), "found 3 failed record");
    e2e::assert_failed_with_one_alert(
        &outcome,
        row.state(),
        row.error(),
        "could not reload or re-validate the tables: DMS does so only while the task runs",
    );
    e2e::assert_holds(&stack, run_id, row.resources_left());
    e2e::stop(stack).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_throttling_burst_is_retried_and_the_run_succeeds() {
    let row = fault_matrix::row("throttle-burst");
    let mut stack = e2e::stack().await;
    let run_id = "e2e-throttle";
    let prepared = e2e::sample(
        &stack,
        "postgres-to-aurora-full-load.json",
        run_id,
        &[Drill::Throttle],
    );

    let outcome = e2e::run(&mut stack, &prepared).await;

    e2e::assert_succeeded(&outcome);
    assert!(
        dmsflow_local::drills::THROTTLED_CALLS > u64::from(dmsflow::aws::clients::SDK_ATTEMPTS),
        "the burst must outlast the SDK's own attempts to reach the state machine's Retry"
    );
    assert!(
        outcome.task_failures >= 1,
        "the burst should fail one invocation with Throttled"
    );
    let throttled = stack
        .calls()
        .iter()
        .filter(|c| c.outcome == "ThrottlingException")
        .count();
    assert_eq!(throttled, dmsflow_local::drills::THROTTLED_CALLS as usize);
    assert!(
        e2e::failure_alerts(&outcome).is_empty(),
        "{:?}",
        outcome.alerts
    );
    assert_eq!(outcome.alerts.len(), 1, "the success notice only");
    e2e::assert_holds(&stack, run_id, row.resources_left());
    e2e::stop(stack).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_instance_is_waited_for_and_the_run_succeeds() {
    let row = fault_matrix::row("slow-instance");
    let mut stack = e2e::stack().await;
    let run_id = "e2e-slow-instance";
    let prepared = e2e::sample(
        &stack,
        "postgres-to-aurora-full-load.json",
        run_id,
        &[Drill::SlowInstance],
    );

    let outcome = e2e::run(&mut stack, &prepared).await;

    e2e::assert_ends(&outcome, None, "");
    // The instance was seen still creating on several checks before it was ready.
    let creating = stack
        .calls()
        .iter()
        .filter(|c| c.operation == "DescribeReplicationInstances" && c.ok())
        .count();
    assert!(
        creating >= 3,
        "the create step should check the instance several times: {creating}"
    );
    e2e::assert_holds(&stack, run_id, row.resources_left());
    e2e::stop(stack).await;
}

/// A run of the CDC sample whose task carries the emulator drill `key = value`.
async fn run_with_task_drill(
    run_id: &str,
    key: &str,
    value: &str,
) -> (
    dmsflow_local::stack::Stack,
    dmsflow_local::rehearsal::Outcome,
) {
    let mut stack = e2e::stack().await;
    e2e::set_scenario(
        &stack,
        json!({"drills": {format!("dmsflow-{run_id}-task"): {key: value}}}),
    );
    let prepared = e2e::sample(&stack, "mysql-full-load-and-cdc.json", run_id, &[]);
    let outcome = e2e::run(&mut stack, &prepared).await;
    (stack, outcome)
}

/// The success notice's notes.
fn notes(outcome: &dmsflow_local::rehearsal::Outcome) -> Vec<String> {
    let notice = outcome.alerts[0].json().expect("a JSON notice");
    notice["notes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|n| n.as_str().map(str::to_string))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_table_that_errors_once_is_reloaded_and_the_run_succeeds() {
    let row = fault_matrix::row("table-error-once");
    let run_id = "e2e-error-once";
    let (stack, outcome) = run_with_task_drill(run_id, "table-error-once", "orders").await;

    e2e::assert_ends(&outcome, None, "");
    assert_eq!(e2e::ok_calls_of(&stack, run_id, "ReloadTables"), 1);
    assert_eq!(
        notes(&outcome),
        ["Table orders.orders was in Table error and was reloaded (1 reload)."]
    );
    e2e::assert_holds(&stack, run_id, row.resources_left());
    e2e::stop(stack).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mismatch_cleared_by_re_validation_lets_the_run_succeed() {
    let row = fault_matrix::row("validation-mismatch-once");
    let run_id = "e2e-mismatch-once";
    let (stack, outcome) =
        run_with_task_drill(run_id, "validation-mismatch-once", "orders=3").await;

    e2e::assert_ends(&outcome, None, "");
    assert_eq!(e2e::ok_calls_of(&stack, run_id, "ReloadTables"), 1);
    assert_eq!(
        notes(&outcome),
        ["Table orders.orders had 3 failed validation records and was re-validated."]
    );
    e2e::assert_holds(&stack, run_id, row.resources_left());
    e2e::stop(stack).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mismatch_that_survives_re_validation_fails_the_run_saying_what_was_tried() {
    let row = fault_matrix::row("validation-mismatch-persists");
    let run_id = "e2e-mismatch-persists";
    let (stack, outcome) = run_with_task_drill(run_id, "validation-mismatches", "orders=3").await;

    e2e::assert_failed_with_one_alert(
        &outcome,
        row.state(),
        row.error(),
        "orders.orders (re-validated once after 3 failed records)",
    );
    assert_eq!(e2e::ok_calls_of(&stack, run_id, "ReloadTables"), 1);
    e2e::assert_holds(&stack, run_id, row.resources_left());
    e2e::stop(stack).await;
}
