use serde_json::{Value, json};

use super::*;
use crate::aws::AwsFault;
use crate::error::ErrorKind;
use crate::progress::fixtures::{input, seeded_dms};
use crate::testing::FakeDms;

const TASK: &str = "dmsflow-orders-task";

async fn call(dms: &FakeDms, previous: &Value) -> StepResult<StepReport<ValidationDetail>> {
    handle(
        dms,
        input(json!({}), previous.clone(), None),
        SystemTime::now(),
    )
    .await
}

/// Calls the step as the state machine's loop does, moving the fake's task to
/// `after` between calls; returns the reports.
async fn loop_through(dms: &FakeDms, after: &[&str]) -> Vec<StepReport<ValidationDetail>> {
    let mut previous = Value::Null;
    let mut reports = Vec::new();
    for status in after {
        let report = call(dms, &previous).await.unwrap();
        previous = serde_json::to_value(&report).unwrap();
        reports.push(report);
        dms.set_status(TASK, status);
    }
    reports
}

fn task(dms: &FakeDms) -> Task {
    dms.task(TASK).unwrap()
}

#[tokio::test]
async fn nothing_is_touched_when_validation_is_not_requested() {
    let dms = seeded_dms("available", "running");
    let report = handle(
        &dms,
        input(json!({"validation": {"enabled": false}}), Value::Null, None),
        SystemTime::now(),
    )
    .await
    .unwrap();
    assert!(report.done && !report.detail.requested);
    assert!(dms.calls().is_empty(), "{:?}", dms.calls());
}

#[tokio::test]
async fn settings_that_already_validate_are_left_alone() {
    let dms = seeded_dms("available", "running");
    dms.update_task(TASK, |t| {
        t.settings = Some(r#"{"ValidationSettings":{"EnableValidation":true}}"#.into())
    });
    let report = call(&dms, &Value::Null).await.unwrap();
    assert!(report.done && report.detail.validation_enabled);
    assert_eq!(dms.calls(), vec![format!("describe_task {TASK}")]);
}

#[tokio::test]
async fn a_never_run_task_is_modified_only_and_stays_never_run() {
    let dms = seeded_dms("available", "ready");
    // ready -> modify -> modifying -> ready with validation.
    let reports = loop_through(&dms, &["ready", "ready"]).await;
    assert!(!reports[0].done);
    assert_eq!(reports[0].actions.len(), 1);
    assert!(reports[1].done && reports[1].actions.is_empty());
    assert_eq!(dms.calls_to("modify_task_settings").len(), 1);
    assert!(dms.calls_to("start_task").is_empty());
    assert!(dms.calls_to("stop_task").is_empty());
    let task = task(&dms);
    assert_eq!(task.start_date, None);
    assert!(validation_enabled(task.settings.as_deref().unwrap()));
}

#[tokio::test]
async fn a_running_task_is_stopped_then_modified_then_resumed_across_calls() {
    let dms = seeded_dms("available", "running");
    dms.update_task(TASK, |t| t.start_date = Some(1_767_225_600));
    let next = |report: &StepReport<ValidationDetail>| serde_json::to_value(report).unwrap();

    let stop = call(&dms, &Value::Null).await.unwrap();
    assert!(!stop.done && stop.detail.stopped_by_this_step);
    assert!(stop.actions[0].contains("stopped"), "{:?}", stop.actions);
    assert_eq!(task(&dms).status, "stopping");
    let stopping = call(&dms, &next(&stop)).await.unwrap();
    assert!(!stopping.done && stopping.actions.is_empty());
    assert!(dms.calls_to("modify_task_settings").is_empty());

    dms.set_status(TASK, "stopped");
    let modify = call(&dms, &next(&stopping)).await.unwrap();
    assert!(!modify.done && modify.detail.stopped_by_this_step);
    assert_eq!(task(&dms).status, "modifying");
    let modifying = call(&dms, &next(&modify)).await.unwrap();
    assert!(!modifying.done && modifying.actions.is_empty());
    assert!(
        dms.calls_to("start_task").is_empty(),
        "no resume while modifying"
    );

    dms.set_status(TASK, "stopped");
    let resume = call(&dms, &next(&modifying)).await.unwrap();
    assert!(resume.done && resume.detail.resumed, "{resume:?}");
    let log: Vec<String> = dms
        .calls()
        .into_iter()
        .filter(|c| !c.starts_with("describe_"))
        .collect();
    assert_eq!(
        log,
        vec![
            format!("stop_task {TASK}"),
            format!("modify_task_settings {TASK}"),
            format!("start_task {TASK} resume-processing"),
        ]
    );
    // Once more, with the task running again: done, nothing sent.
    dms.clear_calls();
    dms.set_status(TASK, "running");
    assert!(call(&dms, &next(&resume)).await.unwrap().done);
    // A retry with the report before the resume: the task is starting, no second resume.
    dms.set_status(TASK, "starting");
    assert!(call(&dms, &next(&modifying)).await.unwrap().done);
    assert!(dms.calls_to("start_task").is_empty());
}

#[tokio::test]
async fn a_retried_call_stops_once_and_never_modifies_a_running_task() {
    let dms = seeded_dms("available", "running");
    let first = call(&dms, &Value::Null).await.unwrap();
    let retry = call(&dms, &Value::Null).await.unwrap();
    assert!(!first.done && !retry.done);
    assert_eq!(dms.calls_to("stop_task").len(), 1);
    assert!(dms.calls_to("modify_task_settings").is_empty());
    assert!(retry.waiting_for.unwrap().contains("status stopping"));
}

#[tokio::test]
async fn a_stopped_or_failed_task_this_step_did_not_stop_is_not_resumed() {
    for status in ["stopped", "failed"] {
        let dms = seeded_dms("available", status);
        let reports = loop_through(&dms, &[status, status]).await;
        assert!(reports[1].done, "{status}");
        assert!(!reports[1].detail.stopped_by_this_step);
        assert_eq!(dms.calls_to("modify_task_settings").len(), 1);
        assert!(dms.calls_to("start_task").is_empty(), "{status}");
    }
}

#[tokio::test]
async fn passing_states_are_waited_for_without_any_call() {
    for status in ["starting", "stopping", "modifying", "creating"] {
        let dms = seeded_dms("available", status);
        let report = call(&dms, &Value::Null).await.unwrap();
        assert!(!report.done, "{status}");
        assert_eq!(report.wait_seconds, 30);
        assert_eq!(
            dms.calls(),
            vec![format!("describe_task {TASK}")],
            "{status}"
        );
    }
}

#[tokio::test]
async fn faults_and_missing_tasks_are_named() {
    let dms = seeded_dms("available", "ready");
    dms.fail_next(
        "modify_task_settings",
        AwsFault::Busy("task is modifying".into()),
    );
    assert_eq!(
        call(&dms, &Value::Null).await.unwrap_err().kind,
        ErrorKind::ResourceBusy
    );
    dms.fail_next("describe_task", AwsFault::Throttled("Rate exceeded".into()));
    assert_eq!(
        call(&dms, &Value::Null).await.unwrap_err().kind,
        ErrorKind::Throttled
    );
    dms.set_status(TASK, "deleting");
    assert_eq!(
        call(&dms, &Value::Null).await.unwrap_err().kind,
        ErrorKind::ResourceMissing
    );
    dms.remove(TASK);
    let err = call(&dms, &Value::Null).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::ResourceMissing);
    assert!(err.message.contains(TASK));
}

mod serverless {
    use super::*;
    use crate::progress::fixtures::{seeded_serverless_dms, serverless_input};

    async fn call(dms: &FakeDms, previous: &Value) -> StepResult<StepReport<ValidationDetail>> {
        handle(
            dms,
            serverless_input(json!({"validation": {"enabled": true}}), previous.clone()),
            SystemTime::now(),
        )
        .await
    }

    #[tokio::test]
    async fn a_config_never_started_gets_the_specs_settings_once_then_waits_for_them() {
        let dms = seeded_serverless_dms("ready", "");
        let first = call(&dms, &Value::Null).await.unwrap();
        assert!(!first.done && first.detail.settings_applied);
        assert_eq!(dms.calls_to("modify_task_settings").len(), 1);
        let mut settings = None;
        dms.update_task(TASK, |t| settings = t.settings.clone());
        let settings: Value = serde_json::from_str(&settings.unwrap()).unwrap();
        assert_eq!(settings["ValidationSettings"]["EnableValidation"], true);
        // DMS applies them (modifying), then the config is ready again: done,
        // with no second modify.
        let mut previous = serde_json::to_value(&first).unwrap();
        for (status, done) in [("modifying", false), ("ready", true)] {
            dms.set_status(TASK, status);
            let report = call(&dms, &previous).await.unwrap();
            assert_eq!(report.done, done, "{status}");
            previous = serde_json::to_value(&report).unwrap();
        }
        assert_eq!(dms.calls_to("modify_task_settings").len(), 1);
    }

    #[tokio::test]
    async fn a_config_that_has_run_keeps_its_settings_and_the_step_says_so() {
        let dms = seeded_serverless_dms("stopped", "deprovisioned");
        dms.update_task(TASK, |t| t.start_date = Some(1_767_225_600));
        let report = call(&dms, &Value::Null).await.unwrap();
        assert!(report.done);
        assert!(dms.calls_to("modify_task_settings").is_empty());
        assert!(report.actions[0].contains("keeps the settings of its first start"));
    }
}
