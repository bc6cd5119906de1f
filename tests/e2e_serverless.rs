//! End to end on DMS Serverless: whole migrations on a replication config
//! instead of an instance and a task, through the same state machine and
//! functions on the local stack, and the serverless rows of the fault matrix.

#[path = "support/e2e.rs"]
mod e2e;
#[path = "support/fault_matrix.rs"]
mod fault_matrix;

use dmsflow_local::drills::Drill;
use dmsflow_local::resources::calls_of;
use dmsflow_local::stack::Stack;
use serde_json::{Value, json};

/// The serverless sample (full load and CDC, validated, then stop and clean up).
const SAMPLE: &str = "mysql-serverless-full-load-and-cdc.json";

/// The full-load sample of the instance path, moved to DMS Serverless.
fn serverless_full_load() -> Value {
    let mut spec = e2e::events("postgres-to-aurora-full-load.json");
    let fields = spec.as_object_mut().expect("a spec object");
    fields.remove("instance");
    fields.insert("compute".into(), json!("serverless"));
    fields.insert("serverless".into(), json!({"max_capacity_units": 8}));
    fields.insert("assessment".into(), json!({"enabled": false}));
    spec
}

/// The DMS calls of `operation` for the run, and how many DMS refused.
fn calls(stack: &Stack, run_id: &str, operation: &str) -> (usize, usize) {
    let all: Vec<_> = calls_of(&stack.calls(), run_id)
        .into_iter()
        .filter(|c| c.operation == operation)
        .collect();
    let refused = all.iter().filter(|c| !c.ok()).count();
    (all.len() - refused, refused)
}

/// The run holds one serverless set: subnet group, two endpoints, the config
/// (in `status`), the two alarms on dmsflow's metrics and the dashboard; no
/// instance, task, event subscription or connection.
fn assert_holds_one_serverless_set(stack: &Stack, run_id: &str, status: &str) {
    let held = stack.resources_of(run_id);
    let by_kind = held.by_kind();
    for (kind, count) in [
        ("replication_subnet_groups", 1),
        ("endpoints", 2),
        ("replication_configs", 1),
        ("cloudwatch_alarms", 2),
        ("cloudwatch_dashboards", 1),
    ] {
        assert_eq!(
            by_kind.get(kind).copied().unwrap_or(0),
            count,
            "{kind}: {}",
            held.describe()
        );
    }
    assert_eq!(held.count(), 7, "{}", held.describe());
    assert_eq!(held.of_kind("replication_configs")[0].status, status);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_serverless_full_load_is_validated_then_deleted_once_dms_released_its_capacity() {
    let row = fault_matrix::row("serverless-cleanup-waits-for-capacity");
    let mut stack = e2e::stack().await;
    let run_id = "e2e-sl-full-load";
    let prepared = e2e::prepare(&stack, serverless_full_load(), run_id, &[]);
    // DMS keeps the capacity a while after the stop (the emulator: 60 simulated
    // seconds), longer than a few cleanup polls.
    e2e::set_scenario(
        &stack,
        json!({"drills": {format!("dmsflow-{run_id}-task"): {"deprovision-seconds": 120}}}),
    );

    let outcome = e2e::run(&mut stack, &prepared).await;

    let output = e2e::assert_ends(&outcome, None, "").expect("succeeded");
    assert_eq!(output["completion_criterion"], "validated");
    assert_eq!(output["progress"]["summary"]["full_load_percent"], 100);
    let created = e2e::created_operations(&outcome);
    assert_eq!(
        created,
        [
            "CreateReplicationSubnetGroup",
            "CreateEndpoint",
            "CreateEndpoint",
            "CreateReplicationConfig"
        ],
        "no instance, no task, no event subscription"
    );
    // Deleted once, and never before DMS had released the capacity: the
    // emulator refuses a delete while the config holds any.
    assert_eq!(calls(&stack, run_id, "DeleteReplicationConfig"), (1, 0));
    assert_eq!(calls(&stack, run_id, "TestConnection"), (0, 0));
    assert_eq!(calls(&stack, run_id, "CreateEventSubscription"), (0, 0));
    e2e::assert_holds(&stack, run_id, row.resources_left());
    e2e::stop(stack).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_serverless_full_load_and_cdc_run_is_validated_and_left_replicating() {
    let mut stack = e2e::stack().await;
    let run_id = "e2e-sl-cdc";
    let mut spec = e2e::events(SAMPLE);
    spec["completion"]["then"] = json!("leave-running");

    let prepared = e2e::prepare(&stack, spec, run_id, &[]);
    let outcome = e2e::run(&mut stack, &prepared).await;

    let output = e2e::assert_ends(&outcome, None, "").expect("succeeded");
    let summary = &output["progress"]["summary"];
    assert_eq!(summary["phase"], "cdc");
    assert_eq!(summary["provisioning"]["replication_status"], "running");
    assert_eq!(summary["provisioning"]["state"], "provisioned");
    assert!(outcome.deleted.is_empty(), "{:?}", outcome.deleted);
    assert_holds_one_serverless_set(&stack, run_id, "running");
    // The notice names the replication and the dashboard; no instance's log.
    let notice = outcome.alerts[0].json().expect("a JSON notice");
    assert!(notice.get("task_log_group").is_none(), "{notice}");
    assert!(notice.get("dashboard").is_some(), "{notice}");
    e2e::stop(stack).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_serverless_replication_whose_capacity_cannot_be_provisioned_alerts_once() {
    let row = fault_matrix::row("serverless-provisioning-fails");
    let mut stack = e2e::stack().await;
    let run_id = "e2e-sl-provisioning";
    let prepared = e2e::sample(&stack, SAMPLE, run_id, &[]);
    e2e::set_scenario(
        &stack,
        json!({"drills": {format!("dmsflow-{run_id}-task"):
            {"fail-provisioning": "Insufficient DMS capacity units in the account."}}}),
    );

    let outcome = e2e::run(&mut stack, &prepared).await;

    e2e::assert_failed_with_one_alert(
        &outcome,
        row.state(),
        row.error(),
        "failed while DMS provisioned its capacity (up to 16 DCU; provision state failed_provision): Insufficient DMS capacity units",
    );
    assert_holds_one_serverless_set(&stack, run_id, "failed");
    e2e::assert_holds(&stack, run_id, row.resources_left());
    e2e::stop(stack).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_serverless_replication_failing_mid_load_alerts_once_and_is_kept() {
    let row = fault_matrix::row("serverless-fails-mid-load");
    let mut stack = e2e::stack().await;
    let run_id = "e2e-sl-fail-task";
    let prepared = e2e::sample(&stack, SAMPLE, run_id, &[Drill::FailTask]);

    let outcome = e2e::run(&mut stack, &prepared).await;

    e2e::assert_failed_with_one_alert(&outcome, row.state(), row.error(), "ODBC general error");
    assert_holds_one_serverless_set(&stack, run_id, "failed");
    e2e::assert_holds(&stack, run_id, row.resources_left());
    e2e::stop(stack).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_serverless_table_error_is_reloaded_once_then_alerted_naming_the_table() {
    let row = fault_matrix::row("serverless-table-error");
    let mut stack = e2e::stack().await;
    let run_id = "e2e-sl-table-error";
    let prepared = e2e::sample(&stack, SAMPLE, run_id, &[Drill::TableError]);

    let outcome = e2e::run(&mut stack, &prepared).await;

    e2e::assert_failed_with_one_alert(
        &outcome,
        row.state(),
        row.error(),
        "already tried, with ReloadReplicationTables while the replication ran: orders.orders (1 reload)",
    );
    assert_eq!(calls(&stack, run_id, "ReloadReplicationTables"), (1, 0));
    // Kept for inspection, replication stopped.
    assert_holds_one_serverless_set(&stack, run_id, "stopped");
    e2e::assert_holds(&stack, run_id, row.resources_left());
    e2e::stop(stack).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_serverless_rerun_after_a_failed_connection_test_duplicates_nothing() {
    let row = fault_matrix::row("serverless-rerun-after-failure");
    let mut stack = e2e::stack().await;
    let run_id = "e2e-sl-rerun";
    let mut spec = e2e::events(SAMPLE);
    spec["completion"]["then"] = json!("leave-running");
    let prepared = e2e::prepare(&stack, spec, run_id, &[]);
    // The target cannot be reached: DMS's own connection test fails the start.
    e2e::set_scenario(
        &stack,
        json!({"drills": {format!("dmsflow-{run_id}-target"): {"fail-connection": "target"}}}),
    );
    let failed = e2e::run(&mut stack, &prepared).await;
    e2e::assert_failed_with_one_alert(
        &failed,
        "CheckProgress",
        "ConnectionTestFailed",
        &format!("The target endpoint dmsflow-{run_id}-target"),
    );
    let creates_before = e2e::creates_of(&stack, run_id);
    assert_eq!(creates_before.len(), 4, "{creates_before:?}");

    // Fixed, then the same input again under a new execution name.
    e2e::set_scenario(&stack, json!({}));
    let rerun = e2e::rerun(&mut stack, &prepared, "retry-1").await;

    e2e::assert_ends(&rerun, None, "");
    assert!(rerun.created.is_empty(), "{:?}", rerun.created);
    assert_eq!(e2e::creates_of(&stack, run_id), creates_before);
    // Started once each run: start-replication, then a resume (never a reload).
    let starts: Vec<String> = calls_of(&stack.calls(), run_id)
        .into_iter()
        .filter(|c| c.operation == "StartReplication" && c.ok())
        .map(|c| {
            c.request["StartReplicationType"]
                .as_str()
                .unwrap_or("")
                .to_string()
        })
        .collect();
    assert_eq!(starts, ["start-replication", "resume-processing"]);
    assert_holds_one_serverless_set(&stack, run_id, "running");
    e2e::assert_holds(&stack, run_id, row.resources_left());
    e2e::stop(stack).await;
}
