//! stop-replication (StopReplication): the cutover's stop, once the replication has
//! drained. `running` -> `StopReplicationTask`; `stopping` (or any passing state) ->
//! wait; `stopped` -> done, with DMS's stop reason and when it was seen stopped. A
//! stop for an error reason, or a task that `failed`, ends the cutover with
//! `CutoverCheckFailed` and the task kept. The wait is bounded by the request's
//! `stop_timeout_minutes` (`StepTimedOut`). Why a plain stop and not
//! `CdcStopPosition`: see [`crate::cutover`].

use std::time::SystemTime;

use serde::{Deserialize, Serialize};

use super::{StepInput, StepReport, read};
use crate::aws::Dms;
use crate::cutover::{CutoverRequest, abnormal_stop};
use crate::deadline::{elapsed, minutes};
use crate::error::{ErrorKind, StepError, StepResult};
use crate::naming::Names;
use crate::spec::Compute;
use crate::workflow::{RunState, StepCall, rfc3339};

/// Seconds between two looks while the task stops.
const LOOK_EVERY_SECONDS: u32 = 15;

/// What stop-replication reports besides the common fields.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StopDetail {
    pub task: String,
    pub task_status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop_reason: Option<String>,
}

/// One call; see the module documentation.
pub async fn handle<D: Dms>(
    dms: &D,
    request: &CutoverRequest,
    input: &StepInput,
    now: SystemTime,
) -> StepResult<StepReport<StopDetail>> {
    let names = Names::for_run(&request.run_id);
    let task = read::task(dms, Compute::Instance, &names).await?;
    let detail = StopDetail {
        task: task.id.clone(),
        task_status: task.status.clone(),
        stop_reason: task.stop_reason.clone(),
    };
    let kept = |why: String| {
        StepError::new(
            ErrorKind::CutoverCheckFailed,
            format!(
                "{why}; the task is kept as it is for inspection. Do not switch the application over yet."
            ),
        )
    };
    let mut actions = Vec::new();
    match task.status.as_str() {
        "stopped" if abnormal_stop(task.stop_reason.as_deref()) => {
            return Err(kept(format!(
                "replication task {} stopped for an error ({}), not for the cutover",
                task.id,
                task.stop_reason.as_deref().unwrap_or_default()
            )));
        }
        "stopped" => return Ok(StepReport::new(true, actions, None, 0, detail)),
        "failed" => {
            return Err(kept(format!(
                "replication task {} failed while the cutover stopped it: {}",
                task.id,
                task.last_failure_message
                    .as_deref()
                    .unwrap_or("DMS gives no message")
            )));
        }
        "running" => {
            dms.stop_task(&task.arn).await.map_err(|f| {
                f.into_step_error(&format!(
                    "stopping replication task {} for the cutover",
                    task.id
                ))
            })?;
            actions.push(format!(
                "stopped replication task {} (StopReplicationTask) after the drain",
                task.id
            ));
        }
        _ => {}
    }
    let ran = elapsed(input.loop_started_at.as_deref(), now).unwrap_or_default();
    if ran > minutes(request.stop_timeout_minutes) {
        return Err(StepError::new(
            ErrorKind::StepTimedOut,
            format!(
                "replication task {} did not stop within {} minutes (it is {}); look at it in the DMS console, or raise stop_timeout_minutes in the cutover request",
                task.id, request.stop_timeout_minutes, task.status
            ),
        ));
    }
    Ok(StepReport::new(
        false,
        actions,
        Some(format!(
            "replication task {} to stop (status {})",
            task.id, task.status
        )),
        LOOK_EVERY_SECONDS,
        detail,
    ))
}

/// StopReplication as the state machine calls it: records when the task was seen
/// stopped and why.
pub async fn step<D: Dms>(dms: &D, call: StepCall, now: SystemTime) -> StepResult<RunState> {
    let mut state = RunState::read(call.state)?;
    let (mut record, input) = state.cutover_input(&call.step, now)?;
    let report = handle(dms, &record.request, &input, now).await?;
    if report.done {
        record.stopped_at = Some(rfc3339(now));
        record.stop_reason = report.detail.stop_reason.clone();
        state.keep_cutover_record(&record);
    }
    state.record(&call.step, input.loop_started_at.clone(), &report);
    Ok(state)
}

#[cfg(test)]
#[path = "stop_replication_tests.rs"]
mod tests;
