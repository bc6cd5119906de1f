//! drain-replication (DrainReplication): the first step of a cutover. Waits until
//! the run's replication has drained: CDC latency at or under the request's
//! `max_latency_seconds` and no change applied, for `drained_for_seconds` in a row
//! ([`crate::cutover::Drain`]).
//!
//! Every call reads the task and its tags first: a task that is not the run's, not
//! running in CDC, or still loading is refused with `CutoverRefused` on the first
//! call, before anything is touched; a task that stops running during the drain
//! fails with `TaskFailed`. Nothing is ever changed by this step. Past
//! `drain_timeout_minutes` it fails with `CutoverNotReady`, naming the latest
//! figures; the task keeps running.

use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use super::{StepInput, StepReport, read};
use crate::aws::metrics::task_resource_id;
use crate::aws::{Dms, Metrics};
use crate::cutover::{CutoverRequest, Drain, DrainLook, applied_changes, refusal};
use crate::deadline::{elapsed, minutes};
use crate::error::{ErrorKind, StepError, StepResult};
use crate::naming::Names;
use crate::workflow::{RunState, StepCall};

/// Seconds between two looks.
const LOOK_EVERY_SECONDS: u32 = 30;

/// What drain-replication reports besides the common fields.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DrainDetail {
    pub task: String,
    pub drain: Drain,
}

/// One look; see the module documentation.
pub async fn handle<D: Dms, M: Metrics>(
    dms: &D,
    metrics: &M,
    request: &CutoverRequest,
    input: &StepInput,
    now: SystemTime,
) -> StepResult<StepReport<DrainDetail>> {
    let names = Names::for_run(&request.run_id);
    let previous: Option<DrainDetail> = read::previous(input);
    let task = dms
        .describe_task(&names.task)
        .await
        .map_err(|f| f.into_step_error(&format!("reading replication task {}", names.task)))?
        .ok_or_else(|| {
            StepError::new(
                ErrorKind::CutoverRefused,
                format!(
                    "run {} has no replication task {} in this account and region: check the run_id (the run's notices name it); a guided cutover is for runs on a replication instance (dmsflow does not yet cut over DMS Serverless runs: stop the replication from the DMS console at cutover)",
                    request.run_id, names.task
                ),
            )
        })?;
    let tags = dms
        .tags(&task.arn)
        .await
        .map_err(|f| f.into_step_error(&format!("reading the tags of {}", task.id)))?;
    if let Some(why) = refusal(&request.run_id, &task, &tags) {
        let kind = match (&previous, task.status.as_str()) {
            (Some(_), status) if status != "running" => ErrorKind::TaskFailed,
            _ => ErrorKind::CutoverRefused,
        };
        let detail = task
            .last_failure_message
            .as_deref()
            .map(|m| format!(" DMS says: {m}"))
            .unwrap_or_default();
        return Err(StepError::new(
            kind,
            format!("{why}; nothing was touched.{detail}"),
        ));
    }
    let tables = dms
        .table_statistics(&task.arn)
        .await
        .map_err(|f| f.into_step_error(&format!("reading the table statistics of {}", task.id)))?;
    let latency = metrics
        .cdc_latency(
            &names.instance,
            task_resource_id(&task.arn).unwrap_or(&task.arn),
        )
        .await
        .map_err(|f| f.into_step_error(&format!("reading the CDC latency of {}", task.id)))?;
    let at = now.duration_since(UNIX_EPOCH).unwrap_or_default().as_secs();
    let look = DrainLook {
        at,
        latency_source_seconds: latency.source_seconds,
        latency_target_seconds: latency.target_seconds,
        applied_changes: applied_changes(&tables),
    };
    let drain = Drain::after(previous.as_ref().map(|p| &p.drain), look, request);
    let done = drain.drained(request);
    if !done {
        timed_out(request, input, now, &drain)?;
    }
    let waiting_for = format!(
        "replication task {} to drain: {} ({}; quiet for {} s of {} s)",
        task.id,
        drain.figures(),
        drain.not_quiet.as_deref().unwrap_or("quiet"),
        drain.quiet_for(),
        request.drained_for_seconds
    );
    Ok(StepReport::new(
        done,
        Vec::new(),
        Some(waiting_for),
        LOOK_EVERY_SECONDS,
        DrainDetail {
            task: task.id,
            drain,
        },
    ))
}

/// `CutoverNotReady` once the drain has taken longer than the request allows.
fn timed_out(
    request: &CutoverRequest,
    input: &StepInput,
    now: SystemTime,
    drain: &Drain,
) -> StepResult<()> {
    let ran = elapsed(input.loop_started_at.as_deref(), now).unwrap_or_default();
    if ran <= minutes(request.drain_timeout_minutes) {
        return Ok(());
    }
    Err(StepError::new(
        ErrorKind::CutoverNotReady,
        format!(
            "run {}'s replication did not drain within {} minutes (drain_timeout_minutes): {}; {}. The task keeps running; nothing was stopped.",
            request.run_id,
            request.drain_timeout_minutes,
            drain.figures(),
            drain
                .not_quiet
                .as_deref()
                .unwrap_or("quiet, but not for long enough"),
        ),
    ))
}

/// DrainReplication as the state machine calls it: records the drain in the
/// cutover's record once it is drained.
pub async fn step<D: Dms, M: Metrics>(
    dms: &D,
    metrics: &M,
    call: StepCall,
    now: SystemTime,
) -> StepResult<RunState> {
    let mut state = RunState::read(call.state)?;
    let (mut record, input) = state.cutover_input(&call.step, now)?;
    let report = handle(dms, metrics, &record.request, &input, now).await?;
    if report.done {
        let ran = elapsed(input.loop_started_at.as_deref(), now).unwrap_or_default();
        record.drain_seconds = Some(ran.as_secs());
        record.drained = Some(report.detail.drain.clone());
        state.keep_cutover_record(&record);
    }
    state.record(&call.step, input.loop_started_at.clone(), &report);
    Ok(state)
}

#[cfg(test)]
#[path = "drain_replication_tests.rs"]
mod tests;
