//! End to end, after something went wrong: a rerun of the same input adopts what
//! the failed run left instead of creating it again, and a cleanup request removes
//! a run that was left running.

#[path = "support/e2e.rs"]
mod e2e;
#[path = "support/fault_matrix.rs"]
mod fault_matrix;

use dms_emulator::Scenario;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rerun_of_the_same_input_after_a_failure_duplicates_nothing() {
    let row = fault_matrix::row("rerun-after-failure");
    let mut stack = e2e::stack().await;
    let run_id = "e2e-rerun";
    let prepared = e2e::sample(&stack, "mysql-full-load-and-cdc.json", run_id, &[]);
    // The source cannot be reached (as if a security group were missing)...
    let unreachable = Scenario::from_json(
        &json!({"drills": {format!("dmsflow-{run_id}-source"): {"fail-connection": "source"}}})
            .to_string(),
    )
    .expect("a valid scenario");
    stack.emulator().set_scenario(unreachable);
    let failed = e2e::run(&mut stack, &prepared).await;
    e2e::assert_failed_with_one_alert(
        &failed,
        "TestConnections",
        "ConnectionTestFailed",
        "Test Endpoint failed",
    );
    e2e::assert_holds_one_full_set(&stack, run_id, e2e::CDC_ALARMS);
    let creates_before = e2e::creates_of(&stack, run_id);
    assert_eq!(creates_before.len(), 6, "{creates_before:?}");

    // ...then it is fixed, and the same input runs again under a new execution name.
    stack.emulator().set_scenario(Scenario::default());
    let rerun = e2e::rerun(&mut stack, &prepared, "retry-1").await;

    e2e::assert_ends(&rerun, None, "");
    assert!(
        rerun.created.is_empty(),
        "the rerun created {:?}",
        rerun.created
    );
    assert_eq!(e2e::creates_of(&stack, run_id), creates_before);
    e2e::assert_holds_one_full_set(&stack, run_id, e2e::CDC_ALARMS);
    e2e::assert_holds(&stack, run_id, row.resources_left());
    assert_eq!(
        stack.resources_of(run_id).of_kind("replication_tasks")[0].status,
        "running"
    );
    e2e::stop(stack).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rerun_on_a_task_dms_says_has_run_resumes_it_and_reloads_nothing() {
    let row = fault_matrix::row("start-after-run");
    let mut stack = e2e::stack().await;
    let run_id = "e2e-start-after-run";
    let task = format!("dmsflow-{run_id}-task");
    let prepared = e2e::sample(&stack, "mysql-full-load-and-cdc.json", run_id, &[]);
    // The task fails part-way through its full load, and the run is kept...
    let fails = json!({"drills": {&task: {"fail-task-at-percent": 40}}}).to_string();
    stack
        .emulator()
        .set_scenario(Scenario::from_json(&fails).expect("a valid scenario"));
    let failed = e2e::run(&mut stack, &prepared).await;
    e2e::assert_failed_with_one_alert(&failed, "CheckProgress", "TaskFailed", "");

    // ...then DMS describes it with no sign of that run, so the start step takes it
    // for new: DMS refuses start-replication ("valid only for tasks running for the
    // first time") and the step resumes the task instead of failing for good.
    let hidden = json!({"drills": {&task: {"hide-run-signs": "true"}}}).to_string();
    stack
        .emulator()
        .set_scenario(Scenario::from_json(&hidden).expect("a valid scenario"));
    let rerun = e2e::rerun(&mut stack, &prepared, "retry-1").await;

    e2e::assert_ends(&rerun, None, "");
    let starts: Vec<(String, String)> = dmsflow_local::resources::calls_of(&stack.calls(), run_id)
        .into_iter()
        .filter(|c| c.operation == "StartReplicationTask")
        .map(|c| {
            let start_type = c.request["StartReplicationTaskType"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            (start_type, c.outcome)
        })
        .collect();
    let pair = |t: &str, o: &str| (t.to_string(), o.to_string());
    assert_eq!(
        starts,
        vec![
            pair("start-replication", "ok"),
            pair("start-replication", "InvalidParameterCombinationException"),
            pair("resume-processing", "ok"),
        ],
        "one first start, DMS's refusal of a second, then a resume: the target is never reloaded"
    );
    assert!(rerun.created.is_empty(), "{:?}", rerun.created);
    e2e::assert_holds(&stack, run_id, row.resources_left());
    e2e::stop(stack).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cleanup_request_removes_a_run_that_was_left_running() {
    let mut stack = e2e::stack().await;
    let run_id = "e2e-teardown";
    let migration = e2e::sample(&stack, "mysql-full-load-and-cdc.json", run_id, &[]);
    let ran = e2e::run(&mut stack, &migration).await;
    e2e::assert_succeeded(&ran);
    e2e::assert_holds_one_full_set(&stack, run_id, e2e::CDC_ALARMS);

    let mut request = e2e::events("cleanup-only.json");
    request["run_id"] = json!(run_id);
    let teardown = e2e::prepare(&stack, request, run_id, &[]);
    assert_eq!(teardown.execution_name, "e2e-teardown-teardown");
    let outcome = e2e::run(&mut stack, &teardown).await;

    e2e::assert_succeeded(&outcome);
    assert!(outcome.created.is_empty(), "{:?}", outcome.created);
    let deleted: Vec<&str> = outcome
        .deleted
        .iter()
        .map(|c| c.operation.as_str())
        .collect();
    for operation in [
        "DeleteReplicationTask",
        "DeleteEndpoint",
        "DeleteReplicationInstance",
        "DeleteReplicationSubnetGroup",
        "DeleteEventSubscription",
    ] {
        assert!(
            deleted.contains(&operation),
            "{operation} missing from {deleted:?}"
        );
    }
    assert!(
        e2e::failure_alerts(&outcome).is_empty(),
        "{:?}",
        outcome.alerts
    );
    e2e::assert_holds(&stack, run_id, 0);
    e2e::stop(stack).await;
}
