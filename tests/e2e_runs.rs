//! End to end, the way a user runs dmsflow: whole migrations through the real state
//! machine and function binaries on the local stack (see `local/`), and a spec that
//! is refused before anything exists.

#[path = "support/e2e.rs"]
mod e2e;
#[path = "support/fault_matrix.rs"]
mod fault_matrix;

use dmsflow_local::rehearsal::Outcome;
use dmsflow_local::resources::calls_of;
use serde_json::{Value, json};

/// The default source catalog of the DMS emulator, by table name, sorted.
const CATALOG_TABLES: [&str; 6] = [
    "customers",
    "inventory",
    "order_items",
    "orders",
    "payments",
    "products",
];

/// The success notice, the only message of a successful run, as JSON.
fn success_notice(outcome: &Outcome) -> Value {
    assert_eq!(outcome.alerts.len(), 1, "{:?}", outcome.alerts);
    outcome.alerts[0]
        .json()
        .expect("the success notice is a JSON message")
}

/// The notice's `target_tables`: the prep mode, an effect that starts with
/// `effect`, every catalog table under `schema` and `prefix`, and no unknown name.
fn assert_target_tables(notice: &Value, mode: &str, effect: &str, schema: &str, prefix: &str) {
    let section = &notice["target_tables"];
    assert_eq!(section["prep_mode"], mode, "{notice}");
    let says = section["effect"].as_str().unwrap_or_default();
    assert!(says.starts_with(effect), "{says}");
    let expected: Vec<String> = CATALOG_TABLES
        .iter()
        .map(|t| format!("{schema}.{prefix}{t}"))
        .collect();
    assert_eq!(section["tables"], json!(expected), "{notice}");
    assert_eq!(section["total"], CATALOG_TABLES.len(), "{notice}");
    assert!(section.get("names_unknown").is_none(), "{notice}");
}

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
    // No prep mode in the spec: the tables were loaded into what was there.
    let notice = success_notice(&outcome);
    assert_target_tables(
        &notice,
        "DO_NOTHING",
        "loaded into existing tables; DMS created any that were missing",
        "billing",
        "",
    );
    assert_eq!(output["target_tables"], notice["target_tables"]);
    let created = e2e::created_operations(&outcome);
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
    // The sample's transformation rule adds the prefix `mig_` to every table.
    assert_target_tables(
        &success_notice(&outcome),
        "DO_NOTHING",
        "loaded into existing tables",
        "orders",
        "mig_",
    );
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
async fn a_drop_and_create_run_says_its_target_tables_were_dropped_and_re_created() {
    let mut stack = e2e::stack().await;
    let run_id = "e2e-drop-create";
    let mut spec = e2e::events("postgres-to-aurora-full-load.json");
    spec["target_table_prep"] = Value::from("drop-and-create");
    let prepared = e2e::prepare(&stack, spec, run_id, &[]);

    let outcome = e2e::run(&mut stack, &prepared).await;

    e2e::assert_succeeded(&outcome);
    let notice = success_notice(&outcome);
    assert_target_tables(
        &notice,
        "DROP_AND_CREATE",
        "dropped and re-created (existing data replaced)",
        "billing",
        "",
    );
    // What the notice says is what DMS was told.
    let calls = calls_of(&stack.calls(), run_id);
    let create = calls
        .iter()
        .find(|c| c.operation == "CreateReplicationTask" && c.ok())
        .expect("the run created its replication task");
    let settings: Value = serde_json::from_str(
        create.request["ReplicationTaskSettings"]
            .as_str()
            .unwrap_or_default(),
    )
    .expect("the task settings are JSON");
    assert_eq!(
        settings["FullLoadSettings"]["TargetTablePrepMode"],
        "DROP_AND_CREATE"
    );
    e2e::assert_holds(&stack, run_id, 0);
    e2e::stop(stack).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invalid_spec_fails_before_any_dms_resource_exists() {
    let row = fault_matrix::row("invalid-spec");
    let mut stack = e2e::stack().await;
    let run_id = "e2e-invalid";
    let mut spec = e2e::events("mysql-full-load-and-cdc.json");
    spec["migration_type"] = Value::from("sideways");
    spec["source"]["port"] = Value::from(0);
    let prepared = e2e::prepare(&stack, spec, run_id, &[]);

    let outcome = e2e::run(&mut stack, &prepared).await;

    let execution = &outcome.execution;
    assert_eq!(execution.status, "FAILED", "{execution:?}");
    assert_eq!(execution.error.as_deref(), Some(row.error()));
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
    assert_eq!(message["failed_state"], row.state());
    assert_eq!(message["error"], row.error());
    let calls = stack.calls();
    assert!(calls.is_empty(), "no DMS call at all expected: {calls:?}");
    e2e::assert_holds(&stack, run_id, row.resources_left());
    e2e::stop(stack).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_role_outside_the_stacks_path_fails_before_any_dms_resource_exists() {
    // The deployed validate function reads SecretAccessRolePath from its environment
    // (the template's default here): a role at "/" could not be passed to DMS.
    let mut stack = e2e::stack().await;
    let run_id = "e2e-role-path";
    let mut spec = e2e::events("mysql-full-load-and-cdc.json");
    spec["target"]["secret_access_role_arn"] =
        Value::from("arn:aws:iam::123456789012:role/secrets-access");
    let prepared = e2e::prepare(&stack, spec, run_id, &[]);

    let outcome = e2e::run(&mut stack, &prepared).await;

    let execution = &outcome.execution;
    assert_eq!(execution.status, "FAILED", "{execution:?}");
    assert_eq!(execution.error.as_deref(), Some("InvalidSpec"));
    let cause = execution.cause.as_deref().unwrap_or_default();
    assert!(
        cause.contains("target.secret_access_role_arn") && cause.contains("/dmsflow-dms/"),
        "{cause}"
    );
    let calls = stack.calls();
    assert!(calls.is_empty(), "no DMS call at all expected: {calls:?}");
    e2e::stop(stack).await;
}
