use std::time::{Duration, UNIX_EPOCH};

use serde_json::json;

use super::*;
use crate::testing::{FakeDms, cutover_state, owned_tags, step_call, task};
use crate::workflow::RunState;

const TASK: &str = "dmsflow-orders-task";

fn at(seconds: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_800_000_000 + seconds)
}

fn state() -> RunState {
    cutover_state(json!({"stop_timeout_minutes": 5}))
}

fn call(state: &RunState) -> StepCall {
    step_call(state, "StopReplication")
}

#[tokio::test]
async fn the_task_is_stopped_once_and_its_stop_recorded() {
    let dms = FakeDms::new();
    dms.put_task(task(TASK, "running"), owned_tags("orders"));
    let mut s = step(&dms, call(&state()), at(0)).await.unwrap();
    assert!(!s.step.done);
    assert_eq!(dms.calls_to("stop_task").len(), 1);
    s = step(&dms, call(&s), at(15)).await.unwrap();
    assert!(!s.step.done, "still stopping");
    assert_eq!(dms.calls_to("stop_task").len(), 1, "never stopped twice");
    dms.update_task(TASK, |t| {
        t.status = "stopped".into();
        t.stop_reason = Some("Stop Reason NORMAL".into());
    });
    s = step(&dms, call(&s), at(30)).await.unwrap();
    assert!(s.step.done);
    let record = s.cutover_record("StopReplication").unwrap();
    assert_eq!(record.stop_reason.as_deref(), Some("Stop Reason NORMAL"));
    assert!(record.stopped_at.is_some());
}

#[tokio::test]
async fn an_error_stop_or_a_failure_is_a_failed_check_and_a_stuck_stop_times_out() {
    let dms = FakeDms::new();
    let mut t = task(TASK, "stopped");
    t.stop_reason = Some("Stop Reason FATAL_ERROR".into());
    dms.put_task(t, owned_tags("orders"));
    let error = step(&dms, call(&state()), at(0)).await.unwrap_err();
    assert_eq!(error.kind, ErrorKind::CutoverCheckFailed);
    assert!(error.message.contains("FATAL_ERROR"), "{}", error.message);

    dms.update_task(TASK, |t| t.status = "failed".into());
    let error = step(&dms, call(&state()), at(0)).await.unwrap_err();
    assert_eq!(error.kind, ErrorKind::CutoverCheckFailed);

    dms.update_task(TASK, |t| t.status = "stopping".into());
    let s = step(&dms, call(&state()), at(0)).await.unwrap();
    let error = step(&dms, call(&s), at(301)).await.unwrap_err();
    assert_eq!(error.kind, ErrorKind::StepTimedOut);
    assert!(
        error.message.contains("stop_timeout_minutes"),
        "{}",
        error.message
    );
}
