//! End to end: the premigration assessment before the task's first start. A failed
//! assessment ends the run before the task is started; warnings go on into the
//! success notice, or fail the run when the spec says so.

#[path = "support/e2e.rs"]
mod e2e;
#[path = "support/fault_matrix.rs"]
mod fault_matrix;

use serde_json::json;

fn task(run_id: &str) -> String {
    format!("dmsflow-{run_id}-task")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_assessment_alerts_once_with_its_checks_and_report_and_never_starts_the_task() {
    let row = fault_matrix::row("assessment-failed");
    let mut stack = e2e::stack().await;
    let run_id = "e2e-assess-fail";
    e2e::set_scenario(
        &stack,
        json!({"drills": {task(run_id): {"assessment-fail": "true"}}}),
    );
    let prepared = e2e::sample(&stack, "mysql-full-load-and-cdc.json", run_id, &[]);

    let outcome = e2e::run(&mut stack, &prepared).await;

    e2e::assert_failed_with_one_alert(&outcome, row.state(), row.error(), "failed checks: ");
    let (_, alert) = &e2e::failure_alerts(&outcome)[0];
    let cause = alert["cause"].as_str().unwrap_or_default();
    assert!(
        cause.contains("Report: s3://dmsflow-assessmentbucket/dmsflow/e2e-assess-fail/"),
        "{cause}"
    );
    assert_eq!(
        e2e::ok_calls_of(&stack, run_id, "StartReplicationTask"),
        0,
        "the task is never started"
    );
    assert_eq!(
        e2e::ok_calls_of(&stack, run_id, "StartReplicationTaskAssessmentRun"),
        1
    );
    e2e::assert_holds(&stack, run_id, row.resources_left());
    e2e::stop(stack).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_assessment_with_warnings_goes_on_and_the_notice_lists_them() {
    let row = fault_matrix::row("assessment-warning");
    let mut stack = e2e::stack().await;
    let run_id = "e2e-assess-warn";
    e2e::set_scenario(
        &stack,
        json!({"drills": {task(run_id): {"assessment-warning": "true"}}}),
    );
    let prepared = e2e::sample(&stack, "mysql-full-load-and-cdc.json", run_id, &[]);

    let outcome = e2e::run(&mut stack, &prepared).await;

    e2e::assert_ends(&outcome, None, "");
    let notice = outcome.alerts[0].json().expect("a JSON notice");
    let notes = notice["notes"].as_array().cloned().unwrap_or_default();
    assert_eq!(notes.len(), 1, "{notice}");
    assert!(
        notes[0]
            .as_str()
            .is_some_and(|n| n.contains("ended with warnings: ")),
        "{notes:?}"
    );
    e2e::assert_holds(&stack, run_id, row.resources_left());
    e2e::stop(stack).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn warnings_fail_the_run_when_the_spec_says_on_warning_fail() {
    let row = fault_matrix::row("assessment-warning-fails");
    let mut stack = e2e::stack().await;
    let run_id = "e2e-assess-strict";
    e2e::set_scenario(
        &stack,
        json!({"drills": {task(run_id): {"assessment-warning": "true"}}}),
    );
    let mut spec = e2e::events("mysql-full-load-and-cdc.json");
    spec["assessment"] = json!({"on_warning": "fail"});
    let prepared = e2e::prepare(&stack, spec, run_id, &[]);

    let outcome = e2e::run(&mut stack, &prepared).await;

    e2e::assert_failed_with_one_alert(
        &outcome,
        row.state(),
        row.error(),
        "assessment.on_warning is fail",
    );
    assert_eq!(e2e::ok_calls_of(&stack, run_id, "StartReplicationTask"), 0);
    e2e::assert_holds(&stack, run_id, row.resources_left());
    e2e::stop(stack).await;
}
