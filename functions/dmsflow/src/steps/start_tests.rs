use serde_json::{Value, json};

use super::*;
use crate::aws::AwsFault;
use crate::error::ErrorKind;
use crate::progress::fixtures::{input, seeded_dms};
use crate::testing::FakeDms;

const TASK: &str = "dmsflow-orders-task";

async fn run(dms: &FakeDms) -> StepResult<StepReport<StartDetail>> {
    handle(dms, input(json!({}), Value::Null, None), SystemTime::now()).await
}

fn has_run(dms: &FakeDms, status: &str, stop_reason: Option<&str>) {
    dms.update_task(TASK, |t| {
        t.status = status.into();
        t.start_date = Some(1_767_225_600);
        t.stop_reason = stop_reason.map(str::to_string);
    });
}

#[tokio::test]
async fn a_never_run_task_gets_start_replication_once() {
    let dms = seeded_dms("available", "ready");
    let first = run(&dms).await.unwrap();
    assert!(first.done);
    assert_eq!(
        first.detail.start_type.as_deref(),
        Some("start-replication")
    );
    assert_eq!(first.actions.len(), 1);
    // The same input again (a retry): the task is starting, no second start.
    let again = run(&dms).await.unwrap();
    assert!(again.done && again.actions.is_empty());
    assert_eq!(again.detail.task_status, "starting");
    assert_eq!(
        dms.calls_to("start_task"),
        vec![format!("start_task {TASK} start-replication")]
    );
}

#[tokio::test]
async fn a_stopped_or_failed_task_that_ran_is_resumed_never_restarted() {
    for status in ["stopped", "failed"] {
        let dms = seeded_dms("available", "ready");
        has_run(&dms, status, Some("Stop Reason NORMAL"));
        let report = run(&dms).await.unwrap();
        assert!(report.done, "{status}");
        assert_eq!(
            dms.calls_to("start_task"),
            vec![format!("start_task {TASK} resume-processing")],
            "{status}"
        );
    }
}

#[tokio::test]
async fn dms_saying_the_task_has_run_turns_the_first_start_into_a_resume() {
    // A stopped task DMS shows no start date for: the step tries a first start,
    // DMS answers that the task has run, and the step resumes it.
    let dms = seeded_dms("available", "ready");
    dms.update_task(TASK, |t| t.status = "stopped".into());
    let report = run(&dms).await.unwrap();
    assert!(report.done);
    assert_eq!(
        dms.calls_to("start_task"),
        vec![
            format!("start_task {TASK} start-replication"),
            format!("start_task {TASK} resume-processing"),
        ]
    );
    assert_eq!(
        report.detail.start_type.as_deref(),
        Some("resume-processing")
    );
}

#[tokio::test]
async fn a_finished_full_load_task_is_not_started_again() {
    let dms = seeded_dms("available", "ready");
    dms.update_task(TASK, |t| t.migration_type = "full-load".into());
    has_run(&dms, "stopped", Some("Stop Reason FULL_LOAD_ONLY_FINISHED"));
    let report = run(&dms).await.unwrap();
    assert!(report.done && report.detail.already_finished);
    assert!(report.actions.is_empty());
    assert!(dms.calls_to("start_task").is_empty());
    // The same stop reason on a full-load-and-cdc task is not an end: resume.
    let dms = seeded_dms("available", "ready");
    has_run(&dms, "stopped", Some("Stop Reason FULL_LOAD_ONLY_FINISHED"));
    run(&dms).await.unwrap();
    assert_eq!(dms.calls_to("start_task").len(), 1);
}

#[tokio::test]
async fn running_or_starting_is_done_and_passing_states_wait() {
    for status in ["starting", "running"] {
        let dms = seeded_dms("available", status);
        let report = run(&dms).await.unwrap();
        assert!(report.done && report.actions.is_empty(), "{status}");
        assert!(dms.calls_to("start_task").is_empty());
    }
    for status in ["creating", "modifying", "stopping", "moving"] {
        let dms = seeded_dms("available", status);
        let report = run(&dms).await.unwrap();
        assert!(!report.done, "{status}");
        assert_eq!(report.wait_seconds, 30);
        assert!(report.waiting_for.unwrap().contains(status));
        assert!(dms.calls_to("start_task").is_empty());
    }
}

#[tokio::test]
async fn refusals_and_absences_are_named() {
    let dms = seeded_dms("available", "ready");
    dms.fail_next(
        "start_task",
        AwsFault::Busy("Replication Task cannot be started, invalid state".into()),
    );
    let err = run(&dms).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::ResourceBusy);
    assert!(err.message.contains("start-replication"), "{}", err.message);
    dms.fail_next("describe_task", AwsFault::Throttled("Rate exceeded".into()));
    assert_eq!(run(&dms).await.unwrap_err().kind, ErrorKind::Throttled);
    dms.set_status(TASK, "deleting");
    assert_eq!(
        run(&dms).await.unwrap_err().kind,
        ErrorKind::ResourceMissing
    );
    dms.remove(TASK);
    let err = run(&dms).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::ResourceMissing);
    assert!(err.message.contains(TASK));
}

mod serverless {
    use super::*;
    use crate::progress::fixtures::{seeded_serverless_dms, serverless_input};

    async fn run(dms: &FakeDms, changes: Value) -> StepResult<StepReport<StartDetail>> {
        handle(
            dms,
            serverless_input(changes, Value::Null),
            SystemTime::now(),
        )
        .await
    }

    fn has_run(dms: &FakeDms, status: &str, provision: &str, migration_type: &str) {
        dms.update_task(TASK, |t| {
            t.status = status.into();
            t.start_date = Some(1_767_225_600);
            t.migration_type = migration_type.into();
            if let Some(p) = t.provisioning.as_mut() {
                p.state = provision.into();
            }
        });
    }

    #[tokio::test]
    async fn a_new_config_is_started_once_with_start_replication() {
        let dms = seeded_serverless_dms("ready", "");
        let report = run(&dms, json!({})).await.unwrap();
        assert!(report.done);
        assert_eq!(
            report.actions,
            [format!(
                "started replication config {TASK} with start-replication"
            )]
        );
        assert_eq!(
            dms.calls(),
            [
                format!("describe_serverless_replication {TASK}"),
                format!("start_task {TASK} start-replication"),
            ]
        );
    }

    #[tokio::test]
    async fn a_config_still_releasing_its_capacity_is_waited_for() {
        let dms = seeded_serverless_dms("ready", "");
        has_run(&dms, "failed", "deprovisioning", "full-load-and-cdc");
        let report = run(&dms, json!({})).await.unwrap();
        assert!(!report.done);
        assert!(dms.calls_to("start_task").is_empty());
        let waiting = report.waiting_for.unwrap();
        assert!(
            waiting.contains(
                "to release the capacity of its last run (provision state deprovisioning)"
            ),
            "{waiting}"
        );
        // Released: resumed, never restarted.
        has_run(&dms, "failed", "deprovisioned", "full-load-and-cdc");
        assert!(run(&dms, json!({})).await.unwrap().done);
        assert_eq!(
            dms.calls_to("start_task"),
            [format!("start_task {TASK} resume-processing")]
        );
    }

    #[tokio::test]
    async fn a_full_load_config_that_ran_is_reloaded_only_when_no_row_loads_twice() {
        // DMS does not resume a full-load replication; with do-nothing a reload
        // would load the rows again: refused, with the fix.
        let dms = seeded_serverless_dms("ready", "");
        has_run(&dms, "failed", "deprovisioned", "full-load");
        dms.update_task(TASK, |t| {
            t.stats = Some(crate::aws::dms::TaskStats {
                full_load_progress_percent: 40,
                tables_loaded: 3,
                ..Default::default()
            });
        });
        let refused = run(&dms, json!({"migration_type": "full-load"}))
            .await
            .unwrap_err();
        assert_eq!(refused.kind, ErrorKind::InvalidSpec);
        assert!(
            refused.message.contains("truncate-before-load"),
            "{}",
            refused.message
        );
        assert!(dms.calls_to("start_task").is_empty());
        // Target tables emptied before the load: reloaded.
        let truncating =
            json!({"migration_type": "full-load", "target_table_prep": "truncate-before-load"});
        assert!(run(&dms, truncating).await.unwrap().done);
        assert_eq!(
            dms.calls_to("start_task"),
            [format!("start_task {TASK} reload-target")]
        );
        // Nothing loaded (it failed before): reloaded whatever the prep.
        let dms = seeded_serverless_dms("ready", "");
        has_run(&dms, "failed", "failed_provision", "full-load");
        dms.update_task(TASK, |t| t.stats = Some(Default::default()));
        assert!(
            run(&dms, json!({"migration_type": "full-load"}))
                .await
                .unwrap()
                .done
        );
        assert_eq!(
            dms.calls_to("start_task"),
            [format!("start_task {TASK} reload-target")]
        );
    }
}
