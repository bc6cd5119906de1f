//! End to end, every way an execution can end is announced: a wait that does not
//! end is bounded by the spec and alerted (`StepTimedOut`), an execution stopped
//! from outside is announced once by the safety net (the template's EventBridge
//! rule, on moto's EventBridge, targeting the notify function), and an execution
//! that alerted itself is not announced twice. Rows of the fault matrix.

#[path = "support/e2e.rs"]
mod e2e;
#[path = "support/fault_matrix.rs"]
mod fault_matrix;

use std::time::Duration;

use dmsflow_local::drills::Drill;
use fault_matrix::row;
use serde_json::json;

const CDC: &str = "mysql-full-load-and-cdc.json";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_execution_stopped_from_outside_gets_one_alert_from_the_safety_net() {
    let row = row("execution-aborted");
    let mut stack = e2e::stack().await;
    let run_id = "e2e-aborted";
    let mut prepared = e2e::sample(&stack, CDC, run_id, &[]);
    // Checks 10 s apart locally: the execution is watching the task when stopped.
    prepared.input["polling"] = json!({"min_wait_seconds": 300});
    let before = stack.published().await.unwrap();
    let arn = stack
        .start_execution(&prepared.execution_name, &prepared.input)
        .await
        .unwrap();
    let mut waited = 0;
    while e2e::ok_calls_of(&stack, run_id, "StartReplicationTask") == 0 {
        assert!(waited < 600, "the execution never started the task");
        tokio::time::sleep(Duration::from_millis(200)).await;
        waited += 1;
    }
    e2e::stop_execution(&stack, &arn).await;
    let ended = stack
        .follow(&arn, e2e::RUN_TIMEOUT, |_| {})
        .await
        .unwrap_or_else(|e| panic!("{e}"));

    assert_eq!(ended.status, "ABORTED");
    let alerts = e2e::published_since(&stack, &before).await;
    assert_eq!(alerts.len(), 1, "one alert: {alerts:?}");
    let alert = &alerts[0];
    assert_eq!(
        alert.topic_arn, stack.stack_topic_arn,
        "the stack's alert topic"
    );
    assert_eq!(
        alert.subject.as_deref(),
        Some(format!("dmsflow execution {} aborted", prepared.execution_name).as_str())
    );
    let message = alert.json().expect("a JSON document");
    assert_eq!(message["status"], "ABORTED");
    assert_eq!(message["run_id"], run_id);
    assert!(
        message["last_state"]
            .as_str()
            .is_some_and(|s| !s.is_empty()),
        "{message}"
    );
    assert!(
        alert.email_text().contains("\"action\": \"cleanup\""),
        "the e-mail says how to tear the run down"
    );
    e2e::assert_holds(&stack, run_id, row.resources_left());
    e2e::stop(stack).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_execution_that_alerted_itself_gets_no_second_alert() {
    let row = row("failed-run-no-second-alert");
    let mut stack = e2e::stack().await;
    let run_id = "e2e-alerted-once";
    let prepared = e2e::sample(&stack, CDC, run_id, &[Drill::FailTask]);

    let outcome = e2e::run(&mut stack, &prepared).await;

    e2e::assert_failed_with_one_alert(&outcome, row.state(), row.error(), "ODBC general error");
    assert!(
        outcome
            .alerts
            .iter()
            .all(|a| a.topic_arn == stack.run_topic_arn),
        "nothing to the stack's topic: {:?}",
        outcome.alerts
    );
    e2e::assert_holds(&stack, run_id, row.resources_left());
    e2e::stop(stack).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_task_stuck_in_modifying_ends_with_step_timed_out_and_one_alert() {
    let row = row("task-stuck-modifying");
    let mut stack = e2e::stack().await;
    let run_id = "e2e-stuck-modifying";
    // A first run creates the task without validation (and fails its connection test).
    let mut without = e2e::events(CDC);
    without["validation"] = json!({"enabled": false});
    without["cleanup"] = json!({"on_success": "delete", "on_failure": "keep"});
    let mut first = e2e::prepare(&stack, without, run_id, &[]);
    first.execution_name.push_str("-without-validation");
    e2e::set_scenario(
        &stack,
        json!({"drills": {format!("dmsflow-{run_id}-source"): {"fail-connection": "source"}}}),
    );
    e2e::run(&mut stack, &first).await;

    // The rerun turns validation on: the modify never ends within the bound.
    let mut spec = e2e::events(CDC);
    spec["cleanup"] = json!({"on_success": "delete", "on_failure": "keep"});
    spec["polling"] = json!({"task_change_timeout_minutes": 1});
    let prepared = e2e::prepare(&stack, spec, run_id, &[]);
    e2e::set_scenario(
        &stack,
        json!({"drills": {format!("dmsflow-{run_id}-task"): {"slow-modify-seconds": 100000}}}),
    );
    let outcome = e2e::run(&mut stack, &prepared).await;

    e2e::assert_failed_with_one_alert(
        &outcome,
        row.state(),
        row.error(),
        "polling.task_change_timeout_minutes",
    );
    let cause = outcome.execution.cause.as_deref().unwrap_or_default();
    assert!(
        cause.contains("modifying"),
        "names the task's status: {cause}"
    );
    let held = stack.resources_of(run_id);
    assert_eq!(held.of_kind("replication_tasks")[0].status, "modifying");
    e2e::assert_holds(&stack, run_id, row.resources_left());
    e2e::stop(stack).await;
}
