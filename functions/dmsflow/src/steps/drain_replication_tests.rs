use std::time::{Duration, UNIX_EPOCH};

use serde_json::json;

use super::*;
use crate::aws::dms::{TableStats, TaskStats};
use crate::aws::metrics::CdcLatency;
use crate::testing::{
    FakeDms, FakeMetrics, cutover_state, foreign_tags, owned_tags, step_call, task,
};

const TASK: &str = "dmsflow-orders-task";

fn at(seconds: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_800_000_000 + seconds)
}

fn fakes(status: &str, tags_of_run: &str) -> (FakeDms, FakeMetrics) {
    let dms = FakeDms::new();
    let mut t = task(TASK, status);
    t.stats = Some(TaskStats {
        full_load_progress_percent: 100,
        ..TaskStats::default()
    });
    dms.put_task(t, owned_tags(tags_of_run));
    set_changes(&dms, 100);
    let metrics = FakeMetrics::new();
    set_latency(&metrics, 40.0);
    (dms, metrics)
}

fn set_changes(dms: &FakeDms, inserts: i64) {
    dms.set_table_stats(
        TASK,
        vec![TableStats {
            schema: "orders".into(),
            table: "a".into(),
            table_state: "Table completed".into(),
            inserts,
            ..TableStats::default()
        }],
    );
}

fn set_latency(metrics: &FakeMetrics, seconds: f64) {
    metrics.set_cdc_latency(CdcLatency {
        source_seconds: Some(seconds),
        target_seconds: Some(seconds),
        validation_failed_records: None,
    });
}

fn call(state: &RunState) -> StepCall {
    step_call(state, "DrainReplication")
}

fn begun() -> RunState {
    cutover_state(json!({"drained_for_seconds": 60, "drain_timeout_minutes": 10}))
}

#[tokio::test]
async fn the_drain_waits_for_quiet_then_records_it_and_touches_nothing() {
    let (dms, metrics) = fakes("running", "orders");
    let mut state = step(&dms, &metrics, call(&begun()), at(0)).await.unwrap();
    assert!(!state.step.done);
    assert_eq!(state.step.wait_seconds, 30);
    assert!(
        state.step.report["waiting_for"]
            .as_str()
            .unwrap()
            .contains("CDCLatencySource 40 s")
    );
    // Writes stop: latency falls, the applied changes stay.
    set_latency(&metrics, 1.0);
    set_changes(&dms, 130);
    state = step(&dms, &metrics, call(&state), at(30)).await.unwrap();
    assert!(
        !state.step.done,
        "changes were still applied since the last look"
    );
    state = step(&dms, &metrics, call(&state), at(60)).await.unwrap();
    assert!(!state.step.done, "quiet from now");
    state = step(&dms, &metrics, call(&state), at(120)).await.unwrap();
    assert!(state.step.done, "{:#}", state.step.report);
    let record = state.cutover_record("DrainReplication").unwrap();
    assert_eq!(record.drain_seconds, Some(120));
    assert_eq!(record.drained.as_ref().unwrap().latest.applied_changes, 130);
    assert!(
        dms.calls()
            .iter()
            .all(|c| !c.starts_with("stop_task") && !c.starts_with("modify")),
        "the drain only reads: {:?}",
        dms.calls()
    );
}

#[tokio::test]
async fn a_drain_that_never_settles_ends_not_ready_with_the_latest_figures() {
    let (dms, metrics) = fakes("running", "orders");
    let state = step(&dms, &metrics, call(&begun()), at(0)).await.unwrap();
    let error = step(&dms, &metrics, call(&state), at(601))
        .await
        .unwrap_err();
    assert_eq!(error.kind, ErrorKind::CutoverNotReady);
    assert!(
        error.message.contains("CDCLatencySource 40 s"),
        "{}",
        error.message
    );
    assert!(
        error.message.contains("nothing was stopped"),
        "{}",
        error.message
    );
    assert_eq!(dms.task(TASK).unwrap().status, "running");
}

#[tokio::test]
async fn a_task_that_is_not_the_runs_or_not_in_cdc_is_refused_before_anything() {
    for (status, owner, why) in [
        ("running", "orders-2", "does not carry"),
        ("stopped", "orders", "stopped, not running"),
    ] {
        let (dms, metrics) = fakes(status, owner);
        let error = step(&dms, &metrics, call(&begun()), at(0))
            .await
            .unwrap_err();
        assert_eq!(error.kind, ErrorKind::CutoverRefused, "{status} {owner}");
        assert!(error.message.contains(why), "{}", error.message);
        assert!(
            !dms.calls()
                .iter()
                .any(|c| c.starts_with("table_statistics"))
        );
    }
    let dms = FakeDms::new();
    dms.put_task(task(TASK, "running"), foreign_tags());
    let error = step(&dms, &FakeMetrics::new(), call(&begun()), at(0))
        .await
        .unwrap_err();
    assert_eq!(error.kind, ErrorKind::CutoverRefused);
    let error = step(&FakeDms::new(), &FakeMetrics::new(), call(&begun()), at(0))
        .await
        .unwrap_err();
    assert_eq!(error.kind, ErrorKind::CutoverRefused);
    assert!(
        error.message.contains("has no replication task"),
        "{}",
        error.message
    );
}

#[tokio::test]
async fn a_task_that_fails_during_the_drain_is_a_task_failure() {
    let (dms, metrics) = fakes("running", "orders");
    let state = step(&dms, &metrics, call(&begun()), at(0)).await.unwrap();
    dms.update_task(TASK, |t| {
        t.status = "failed".into();
        t.last_failure_message = Some("Last Error ODBC".into());
    });
    let error = step(&dms, &metrics, call(&state), at(30))
        .await
        .unwrap_err();
    assert_eq!(error.kind, ErrorKind::TaskFailed);
    assert!(error.message.contains("ODBC"), "{}", error.message);
}
