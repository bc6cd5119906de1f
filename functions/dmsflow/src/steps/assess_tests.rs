use serde_json::{Value, json};

use super::*;
use crate::error::ErrorKind;
use crate::progress::fixtures::{input, seeded_dms};
use crate::testing::FakeDms;

const TASK: &str = "dmsflow-orders-task";

fn store() -> ReportStore {
    ReportStore {
        bucket: Some("stack-reports".into()),
        role_arn: Some("arn:aws:iam::111122223333:role/stack-assessment".into()),
    }
}

async fn call(
    dms: &FakeDms,
    changes: Value,
    previous: Value,
) -> StepResult<StepReport<AssessDetail>> {
    handle(
        dms,
        input(changes, previous, None),
        &store(),
        SystemTime::now(),
    )
    .await
}

/// Two calls as the loop makes them: the second sees the first's report.
async fn start_then_look(dms: &FakeDms, changes: Value) -> StepResult<StepReport<AssessDetail>> {
    let first = call(dms, changes.clone(), Value::Null).await.unwrap();
    assert!(!first.done);
    let previous = serde_json::to_value(&first).unwrap();
    call(dms, changes, previous).await
}

#[tokio::test]
async fn a_new_task_is_assessed_once_into_the_stacks_bucket_and_a_pass_goes_on() {
    let dms = seeded_dms("available", "ready");
    let started = call(&dms, json!({}), Value::Null).await.unwrap();
    assert!(!started.done);
    assert_eq!(started.actions.len(), 1, "{:?}", started.actions);
    let requests = dms.assessment_requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].bucket, "stack-reports");
    assert_eq!(requests[0].folder, "dmsflow/orders/");
    assert!(requests[0].name.starts_with(&format!("{TASK}-")));
    // Called again while DMS assesses: no second run.
    let waiting = call(&dms, json!({}), serde_json::to_value(&started).unwrap())
        .await
        .unwrap();
    assert!(!waiting.done && waiting.actions.is_empty());
    dms.finish_assessment(
        TASK,
        "passed",
        &[("mysql-check-binlog-format", "passed")],
        None,
    );
    let passed = call(&dms, json!({}), serde_json::to_value(&waiting).unwrap())
        .await
        .unwrap();
    assert!(passed.done);
    assert_eq!(passed.detail.status.as_deref(), Some("passed"));
    assert_eq!(
        passed.detail.report.as_deref(),
        Some("s3://stack-reports/dmsflow/orders/")
    );
    assert_eq!(dms.calls_to("start_assessment").len(), 1);
}

#[tokio::test]
async fn a_failed_assessment_names_its_checks_dms_and_the_report_and_the_task_is_not_started() {
    let dms = seeded_dms("available", "ready");
    call(&dms, json!({}), Value::Null).await.unwrap();
    dms.finish_assessment(
        TASK,
        "failed",
        &[
            ("mysql-check-binlog-format", "failed"),
            ("unsupported-data-types-in-source", "passed"),
            ("mysql-check-server-id", "error"),
        ],
        Some("binlog_format is STATEMENT"),
    );
    let previous = json!({"assessment": dms.assessments_of(TASK)[0].name});
    let error = call(&dms, json!({}), previous).await.unwrap_err();
    assert_eq!(error.kind, ErrorKind::AssessmentFailed);
    for part in [
        "ended failed",
        "failed checks: mysql-check-binlog-format",
        "checks that could not run: mysql-check-server-id",
        "DMS says: binlog_format is STATEMENT",
        "Report: s3://stack-reports/dmsflow/orders/",
        "The task was not started",
    ] {
        assert!(error.message.contains(part), "{part}: {}", error.message);
    }
    assert!(dms.calls_to("start_task").is_empty());
}

#[tokio::test]
async fn warnings_go_on_and_are_listed_unless_the_spec_fails_on_them() {
    let dms = seeded_dms("available", "ready");
    let first = call(&dms, json!({}), Value::Null).await.unwrap();
    dms.finish_assessment(
        TASK,
        "warning",
        &[(
            "table-with-lob-but-without-primary-key-or-unique-constraint",
            "warning",
        )],
        None,
    );
    let previous = serde_json::to_value(&first).unwrap();
    let warned = call(&dms, json!({}), previous.clone()).await.unwrap();
    assert!(warned.done);
    assert_eq!(
        warned.detail.warnings,
        ["table-with-lob-but-without-primary-key-or-unique-constraint"]
    );
    let strict = json!({"assessment": {"on_warning": "fail"}});
    let error = call(&dms, strict, previous).await.unwrap_err();
    assert_eq!(error.kind, ErrorKind::AssessmentFailed);
    assert!(
        error.message.contains("assessment.on_warning is fail"),
        "{}",
        error.message
    );
}

#[tokio::test]
async fn a_rerun_does_not_assess_again_a_task_that_passed_as_it_is_but_does_after_a_failure_or_a_change()
 {
    let dms = seeded_dms("available", "ready");
    call(&dms, json!({}), Value::Null).await.unwrap();
    dms.finish_assessment(TASK, "passed", &[], None);
    // A rerun (a new loop, no previous report): the latest run passed.
    let rerun = call(&dms, json!({}), Value::Null).await.unwrap();
    assert!(rerun.done && rerun.actions.is_empty());
    // Other checks asked for: the task is assessed again.
    let changed = json!({"assessment": {"exclude": ["mysql-check-server-id"]}});
    let again = call(&dms, changed, Value::Null).await.unwrap();
    assert!(!again.done);
    assert_eq!(dms.assessment_requests().len(), 2);
    assert_eq!(
        dms.assessment_requests()[1].exclude,
        ["mysql-check-server-id"]
    );
    // A run that failed in an earlier attempt: a rerun starts a new one.
    let dms = seeded_dms("available", "ready");
    call(&dms, json!({}), Value::Null).await.unwrap();
    dms.finish_assessment(TASK, "failed", &[("a-b", "failed")], None);
    let after_failure = start_then_look(&dms, json!({})).await.unwrap();
    assert!(!after_failure.done);
    assert_eq!(dms.assessment_requests().len(), 2);
}

#[tokio::test]
async fn nothing_is_assessed_when_the_spec_says_so_or_the_task_has_started_before() {
    let dms = seeded_dms("available", "ready");
    let off = call(&dms, json!({"assessment": {"enabled": false}}), Value::Null)
        .await
        .unwrap();
    assert!(off.done);
    assert!(off.detail.skipped.is_some());
    dms.update_task(TASK, |t| {
        t.status = "stopped".into();
        t.start_date = Some(1_767_225_600);
    });
    let started_before = call(&dms, json!({}), Value::Null).await.unwrap();
    assert!(started_before.done);
    assert!(
        started_before
            .detail
            .skipped
            .as_deref()
            .is_some_and(|s| s.contains("has started before"))
    );
    assert!(dms.calls_to("start_assessment").is_empty());
}

#[tokio::test]
async fn a_task_that_is_changing_is_waited_for_and_the_wait_is_bounded() {
    let dms = seeded_dms("available", "modifying");
    let waiting = call(&dms, json!({}), Value::Null).await.unwrap();
    assert!(!waiting.done);
    assert!(dms.calls_to("start_assessment").is_empty());
    let long_ago = input(json!({}), Value::Null, Some("2020-01-01T00:00:00Z"));
    let error = handle(&dms, long_ago, &store(), SystemTime::now())
        .await
        .unwrap_err();
    assert_eq!(error.kind, ErrorKind::StepTimedOut);
    assert!(error.message.contains("task_change_timeout_minutes"));
}

#[tokio::test]
async fn the_specs_own_bucket_and_role_win_and_a_stack_without_a_bucket_is_a_clear_error() {
    let dms = seeded_dms("available", "ready");
    let own = json!({"assessment": {"bucket": "orders-reports",
        "role_arn": "arn:aws:iam::111122223333:role/dmsflow-dms/reports"}});
    call(&dms, own, Value::Null).await.unwrap();
    assert_eq!(dms.assessment_requests()[0].bucket, "orders-reports");
    let dms = seeded_dms("available", "ready");
    let error = handle(
        &dms,
        input(json!({}), Value::Null, None),
        &ReportStore::default(),
        SystemTime::now(),
    )
    .await
    .unwrap_err();
    assert_eq!(error.kind, ErrorKind::InvalidSpec);
    assert!(error.message.contains("DMSFLOW_ASSESSMENT_BUCKET"));
}
