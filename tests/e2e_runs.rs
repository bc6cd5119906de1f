//! End to end, the way a user runs dmsflow: whole migrations through the real state
//! machine and function binaries on the local stack (see `local/`), and a spec that
//! is refused before anything exists.

#[path = "support/e2e.rs"]
mod e2e;

use serde_json::Value;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_load_only_run_stops_and_deletes_everything_after_success() {
    let mut stack = e2e::stack().await;
    let run_id = "e2e-full-load";
    let prepared = e2e::sample(&stack, "postgres-to-aurora-full-load.json", run_id, &[]);
    assert_eq!(prepared.input["completion"]["then"], "stop-and-clean-up");
    assert_eq!(prepared.input["cleanup"]["on_success"], "delete");

    let outcome = e2e::run(&mut stack, &prepared).await;

    let output = e2e::assert_succeeded(&outcome);
    assert_eq!(output["run_id"], run_id);
    assert_eq!(output["completion_criterion"], "validated");
    assert_eq!(output["progress"]["summary"]["full_load_percent"], 100);
    assert_eq!(outcome.alerts.len(), 1, "{:?}", outcome.alerts);
    assert_eq!(
        outcome.alerts[0].subject.as_deref(),
        Some("dmsflow run e2e-full-load complete (validated)")
    );
    // The spec names no topic: the stack's alert topic is the run's.
    assert!(prepared.input.get("notifications").is_none());
    assert_eq!(outcome.alerts[0].topic_arn, stack.stack_topic_arn);
    let created: Vec<&str> = outcome
        .created
        .iter()
        .map(|c| c.operation.as_str())
        .collect();
    assert_eq!(
        created,
        [
            "CreateReplicationSubnetGroup",
            "CreateReplicationInstance",
            "CreateEndpoint",
            "CreateEndpoint",
            "CreateReplicationTask",
            "CreateEventSubscription"
        ]
    );
    assert!(
        outcome.deleted.len() >= created.len(),
        "{:?}",
        outcome.deleted
    );
    e2e::assert_holds(&stack, run_id, 0);
    e2e::stop(stack).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_load_and_cdc_run_reaches_ready_for_cutover_and_leaves_replication_running() {
    let mut stack = e2e::stack().await;
    let run_id = "e2e-cdc";
    let prepared = e2e::sample(&stack, "mysql-full-load-and-cdc.json", run_id, &[]);
    assert_eq!(prepared.input["completion"]["then"], "leave-running");

    let outcome = e2e::run(&mut stack, &prepared).await;

    let output = e2e::assert_succeeded(&outcome);
    assert_eq!(output["completion_criterion"], "ready-for-cutover");
    assert_eq!(output["progress"]["summary"]["phase"], "cdc");
    assert_eq!(outcome.alerts.len(), 1, "{:?}", outcome.alerts);
    assert!(outcome.deleted.is_empty(), "{:?}", outcome.deleted);
    e2e::assert_holds_one_full_set(&stack, run_id, e2e::CDC_ALARMS);
    let held = stack.resources_of(run_id);
    let task = held.of_kind("replication_tasks")[0];
    assert_eq!(task.status, "running");
    assert!(
        held.of_kind("connections")
            .iter()
            .all(|c| c.status == "successful")
    );
    e2e::stop(stack).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invalid_spec_fails_before_any_dms_resource_exists() {
    let mut stack = e2e::stack().await;
    let run_id = "e2e-invalid";
    let mut spec = e2e::events("mysql-full-load-and-cdc.json");
    spec["migration_type"] = Value::from("sideways");
    spec["source"]["port"] = Value::from(0);
    let prepared = e2e::prepare(&stack, spec, run_id, &[]);

    let outcome = e2e::run(&mut stack, &prepared).await;

    let execution = &outcome.execution;
    assert_eq!(execution.status, "FAILED", "{execution:?}");
    assert_eq!(execution.error.as_deref(), Some("InvalidSpec"));
    let cause = execution.cause.as_deref().unwrap_or_default();
    assert!(
        cause.contains("migration_type") && cause.contains("source.port"),
        "{cause}"
    );
    let alerts = e2e::failure_alerts(&outcome);
    assert_eq!(alerts.len(), 1, "{:?}", outcome.alerts);
    let (alert, message) = &alerts[0];
    assert_eq!(
        alert.topic_arn, stack.stack_topic_arn,
        "no validated spec: the stack's topic"
    );
    assert_eq!(message["failed_state"], "ValidateSpec");
    assert_eq!(message["error"], "InvalidSpec");
    let calls = stack.calls();
    assert!(calls.is_empty(), "no DMS call at all expected: {calls:?}");
    e2e::assert_holds(&stack, run_id, 0);
    e2e::stop(stack).await;
}
