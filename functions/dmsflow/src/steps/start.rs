//! start: starts the run's replication task, once.
//!
//! By the task's status: `ready` and never run -> `start-replication`; `stopped` or
//! `failed` after a run -> `resume-processing` (a full-load task that stopped with
//! FULL_LOAD_ONLY_FINISHED has finished: it is not restarted, and the step is
//! done); `starting` or `running` -> done without a second start; `creating`,
//! `modifying`, `stopping` (and DMS's other passing states) -> wait; `deleting` ->
//! `ResourceMissing`. `start-replication` is sent only to a task that has never
//! run: on a task with a history it would reload the target from scratch. A task
//! has run when DMS gives it a `ReplicationTaskStartDate`; should DMS still answer
//! a first-time start with "Start Type : START_REPLICATION, valid only for tasks
//! running for the first time" (`InvalidParameterCombinationException`; see
//! terraform-provider-aws PR #24047), the task has run after all and is resumed
//! (`resume-processing`), never failed for good. DMS refusing the start
//! (`InvalidResourceStateFault`, a state change racing this call) is
//! `ResourceBusy`, which the state machine retries. The wait for a
//! passing state is bounded by `polling.task_change_timeout_minutes`
//! (`StepTimedOut`): a task stuck in `stopping` or `modifying` is announced, not
//! waited on for ever.
//!
//! A DMS Serverless replication is started the same way (StartReplication), with
//! two differences DMS imposes (docs/dms-serverless.md): it is not started while
//! DMS still releases the capacity of its last run (provision state
//! `deprovisioning`: wait, as Airflow's DmsStartReplicationOperator does), and a
//! full-load replication cannot be resumed ("The resume-processing option isn't
//! applicable for a full-load replication", botocore's model): a rerun reloads it
//! (`reload-target`), which the step does only when that cannot load a row twice:
//! the spec's `target_table_prep` empties or recreates the tables, or the run
//! loaded nothing.

use std::time::SystemTime;

use crate::deadline::{self, minutes};

use serde::{Deserialize, Serialize};

use super::{StepInput, StepReport, read};
use crate::aws::dms::{StartType, Task};
use crate::aws::{AwsFault, Dms};
use crate::error::StepResult;
use crate::error::{ErrorKind, StepError};
use crate::naming::Names;
use crate::progress::StopReason;
use crate::spec::{MigrationSpec, TargetTablePrep};

/// What start reports besides the common fields.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StartDetail {
    /// The task's identifier.
    pub task: String,
    /// The task's status as this call found it.
    pub task_status: String,
    /// The start type this call sent (start-replication, resume-processing), if
    /// it started the task.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_type: Option<String>,
    /// A full-load task that had already finished: nothing was started.
    #[serde(default)]
    pub already_finished: bool,
}

/// DMS's answer to `start-replication` on a task that has run (the message of its
/// `InvalidParameterCombinationException`).
pub const FIRST_TIME_ONLY: &str =
    "Start Type : START_REPLICATION, valid only for tasks running for the first time";

/// What to do with the task as found.
enum Next {
    Done,
    Finished,
    Start(StartType),
    Wait,
}

fn next(spec: &MigrationSpec, task: &Task) -> StepResult<Next> {
    let has_run = task.start_date.is_some();
    let releasing = task
        .provisioning
        .as_ref()
        .is_some_and(|p| p.state == "deprovisioning");
    Ok(match task.status.as_str() {
        "starting" | "running" => Next::Done,
        "ready" if !has_run => Next::Start(StartType::StartReplication),
        "stopped"
            if task.migration_type == "full-load"
                && task.stop_reason.as_deref().and_then(StopReason::parse)
                    == Some(StopReason::FullLoadOnlyFinished) =>
        {
            Next::Finished
        }
        "ready" | "stopped" | "failed" if releasing => Next::Wait,
        "ready" | "stopped" | "failed" if has_run && task.is_serverless() => {
            Next::Start(serverless_restart(spec, task)?)
        }
        "ready" | "stopped" | "failed" if has_run => Next::Start(StartType::ResumeProcessing),
        "stopped" | "failed" => Next::Start(StartType::StartReplication),
        "deleting" => return Err(read::being_deleted(&task.id, "it cannot be started")),
        _ => Next::Wait,
    })
}

/// How a serverless replication that has run starts again: resumed, or, for a
/// full-load one (which DMS does not resume), reloaded when that loads no row twice.
fn serverless_restart(spec: &MigrationSpec, task: &Task) -> StepResult<StartType> {
    if task.migration_type != "full-load" {
        return Ok(StartType::ResumeProcessing);
    }
    let loaded_nothing = task.stats.as_ref().is_some_and(|s| {
        s.full_load_progress_percent == 0 && s.tables_loaded == 0 && s.tables_loading == 0
    });
    if spec.target_table_prep != TargetTablePrep::DoNothing || loaded_nothing {
        return Ok(StartType::ReloadTarget);
    }
    Err(StepError::new(
        ErrorKind::InvalidSpec,
        format!(
            "replication config {} is a full-load replication that has run ({}); DMS cannot              resume it, only reload it, and with target_table_prep do-nothing a reload would              load again the rows it already loaded. Fix: set target_table_prep to              truncate-before-load (or drop-and-create) and run again, or run the cleanup and              start a new run on empty target tables",
            task.id, task.status
        ),
    ))
}

/// Starts the task if it needs starting; see the module documentation.
pub async fn handle<D: Dms>(
    dms: &D,
    input: StepInput,
    now: SystemTime,
) -> StepResult<StepReport<StartDetail>> {
    let spec = input.spec()?;
    let names = Names::for_run(&spec.run_id);
    let task = read::task(dms, spec.compute, &names).await?;
    let mut detail = StartDetail {
        task: task.id.clone(),
        task_status: task.status.clone(),
        ..StartDetail::default()
    };
    let mut actions = Vec::new();
    let done = match next(&spec, &task)? {
        Next::Done => true,
        Next::Finished => {
            detail.already_finished = true;
            true
        }
        Next::Start(first) => {
            let mut start_type = first;
            let mut started = dms.start_task(&task.arn, first).await;
            if let Err(AwsFault::Invalid(message)) = &started
                && first == StartType::StartReplication
                && message.contains(FIRST_TIME_ONLY)
            {
                start_type = StartType::ResumeProcessing;
                started = dms.start_task(&task.arn, start_type).await;
            }
            started.map_err(|f| {
                f.into_step_error(&format!(
                    "starting {} {} ({}, status {})",
                    task.kind(),
                    task.id,
                    start_type.as_str(),
                    task.status
                ))
            })?;
            actions.push(format!(
                "started {} {} with {}",
                task.kind(),
                task.id,
                start_type.as_str()
            ));
            detail.start_type = Some(start_type.as_str().to_string());
            true
        }
        Next::Wait => {
            deadline::check(
                input.loop_started_at.as_deref(),
                now,
                minutes(spec.polling.task_change_timeout_minutes),
                &format!(
                    "the wait for {} {} to leave status {}",
                    task.kind(),
                    task.id,
                    task.status
                ),
                "task_change_timeout_minutes",
            )?;
            false
        }
    };
    let waiting_for = match task.provisioning.as_ref().filter(|p| !p.released()) {
        Some(p) if !matches!(task.status.as_str(), "starting" | "running") => format!(
            "{} {} to release the capacity of its last run (provision state {})",
            task.kind(),
            task.id,
            p.state
        ),
        _ => format!(
            "{} {} to leave status {}",
            task.kind(),
            task.id,
            task.status
        ),
    };
    Ok(StepReport::new(
        done,
        actions,
        Some(waiting_for),
        spec.polling.min_wait_seconds,
        detail,
    ))
}

#[cfg(test)]
#[path = "start_tests.rs"]
mod tests;
