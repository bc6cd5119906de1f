//! enable-validation: turns data validation on in the task's settings, when the
//! spec asks for it.
//!
//! `validation.enabled: false` -> done, nothing read or touched. Settings that
//! already enable validation -> done. Otherwise by the task's status:
//! `ready`, `stopped`, `failed` -> `ModifyReplicationTask` with the current
//! settings plus the spec's `ValidationSettings`; `running` -> stop it first (DMS
//! refuses to modify a running task), and remember in the report that this step
//! stopped it (`stopped_by_this_step`, read back from `previous`); once it is
//! `stopped`, modify; once the modify is through, resume it with
//! `resume-processing`. `starting`, `stopping`, `modifying`, `creating` -> wait;
//! `deleting` or absent -> `ResourceMissing`. A task that never ran stays never
//! run: it is only modified, the start step starts it. A modify is never sent to a
//! task in any other state than `ready`, `stopped` or `failed`.
//!
//! The wait is bounded by `polling.task_change_timeout_minutes` (`StepTimedOut`):
//! a task stuck in `stopping` or `modifying` is announced, not waited on for ever.
//!
//! A DMS Serverless replication config takes its settings before its first
//! start only ("You can only modify a replication configuration before any
//! replication that uses it has started", botocore's model,
//! ModifyReplicationConfig), and DescribeReplications does not show them: a
//! config never started is given the spec's settings, validation included, once
//! (`settings_applied`), and the step waits for it to leave `modifying`; one that
//! has run keeps the settings of its first start (those the create step gave it
//! from the spec), and the step says so.
//!
//! Should the report that says "stopped by this step" be lost (a Lambda retry after
//! the stop), the task stays stopped with validation enabled; the start step then
//! resumes it, so replication goes on either way.

use std::time::SystemTime;

use crate::deadline::{self, minutes};

use serde::{Deserialize, Serialize};

use super::{StepInput, StepReport, read};
use crate::aws::Dms;
use crate::aws::dms::{StartType, Task};
use crate::error::StepResult;
use crate::naming::Names;
use crate::spec::MigrationSpec;
use crate::spec::settings::{task_settings, validation_enabled, with_validation};

/// What enable-validation reports besides the common fields.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ValidationDetail {
    /// The spec asks for data validation.
    pub requested: bool,
    /// The task's settings have validation enabled (as this call found them).
    pub validation_enabled: bool,
    /// The task's status as this call found it.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub task_status: String,
    /// This step stopped the running task to modify it, and resumes it.
    pub stopped_by_this_step: bool,
    /// This step resumed the task it had stopped.
    pub resumed: bool,
    /// This step gave a serverless replication config the spec's settings.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub settings_applied: bool,
}

/// Enables validation if the spec asks for it; see the module documentation.
pub async fn handle<D: Dms>(
    dms: &D,
    input: StepInput,
    now: SystemTime,
) -> StepResult<StepReport<ValidationDetail>> {
    let spec = input.spec()?;
    if !spec.validation.enabled {
        return Ok(StepReport::new(
            true,
            Vec::new(),
            None,
            0,
            ValidationDetail::default(),
        ));
    }
    let names = Names::for_run(&spec.run_id);
    let previous: ValidationDetail = read::previous(&input).unwrap_or_default();
    let task = read::task(dms, spec.compute, &names).await?;
    if task.is_serverless() {
        return serverless(dms, &spec, &task, previous, &input, now).await;
    }
    let settings = task.settings.as_deref().unwrap_or("{}");
    let mut detail = ValidationDetail {
        requested: true,
        validation_enabled: validation_enabled(settings),
        task_status: task.status.clone(),
        stopped_by_this_step: previous.stopped_by_this_step,
        resumed: previous.resumed,
        settings_applied: false,
    };
    if task.status == "deleting" {
        return Err(read::being_deleted(
            &task.id,
            "validation cannot be enabled",
        ));
    }
    let mut actions = Vec::new();
    let status = task.status.as_str();
    let done = if detail.validation_enabled {
        if !detail.stopped_by_this_step || detail.resumed {
            true
        } else if matches!(status, "stopped" | "failed") {
            start(dms, &task, StartType::ResumeProcessing).await?;
            actions.push(format!(
                "resumed replication task {} (resume-processing) after enabling validation",
                task.id
            ));
            detail.resumed = true;
            true
        } else {
            // Resumed already (a retried call), or still modifying.
            matches!(status, "starting" | "running")
        }
    } else {
        match status {
            "ready" | "stopped" | "failed" => {
                let new_settings = with_validation(settings, &spec)?;
                dms.modify_task_settings(&task.arn, &new_settings)
                    .await
                    .map_err(|f| {
                        f.into_step_error(&format!(
                            "enabling validation on replication task {} (status {status})",
                            task.id
                        ))
                    })?;
                actions.push(format!(
                    "modified replication task {} to enable data validation",
                    task.id
                ));
            }
            "running" => {
                dms.stop_task(&task.arn).await.map_err(|f| {
                    f.into_step_error(&format!(
                        "stopping replication task {} to enable validation",
                        task.id
                    ))
                })?;
                actions.push(format!(
                    "stopped replication task {} to enable data validation (DMS cannot modify a running task); this step resumes it",
                    task.id
                ));
                detail.stopped_by_this_step = true;
            }
            _ => {}
        }
        false
    };
    let waiting_for = (!done).then(|| waiting_text(&task, &detail));
    bounded_report(&spec, &input, now, actions, waiting_for, detail)
}

/// The report of one call: done unless `waiting_for`, a wait bounded by
/// `polling.task_change_timeout_minutes`.
fn bounded_report(
    spec: &MigrationSpec,
    input: &StepInput,
    now: SystemTime,
    actions: Vec<String>,
    waiting_for: Option<String>,
    detail: ValidationDetail,
) -> StepResult<StepReport<ValidationDetail>> {
    if let Some(waiting_for) = &waiting_for {
        deadline::check(
            input.loop_started_at.as_deref(),
            now,
            minutes(spec.polling.task_change_timeout_minutes),
            waiting_for,
            "task_change_timeout_minutes",
        )?;
    }
    Ok(StepReport::new(
        waiting_for.is_none(),
        actions,
        waiting_for,
        spec.polling.min_wait_seconds,
        detail,
    ))
}

/// Enable-validation on a DMS Serverless replication config; see the module
/// documentation.
async fn serverless<D: Dms>(
    dms: &D,
    spec: &MigrationSpec,
    config: &Task,
    previous: ValidationDetail,
    input: &StepInput,
    now: SystemTime,
) -> StepResult<StepReport<ValidationDetail>> {
    let mut detail = ValidationDetail {
        requested: true,
        task_status: config.status.clone(),
        settings_applied: previous.settings_applied,
        ..ValidationDetail::default()
    };
    let mut actions = Vec::new();
    let has_run = config.start_date.is_some();
    let waiting_for = match config.status.as_str() {
        "deleting" => {
            return Err(read::being_deleted(
                &config.id,
                "validation cannot be enabled",
            ));
        }
        _ if has_run => {
            actions.push(format!(
                "replication config {} has run: it keeps the settings of its first start, \
                 which the create step gave it from the spec (DMS does not modify a config once started)",
                config.id
            ));
            None
        }
        "ready" if detail.settings_applied => None,
        "ready" => {
            let settings = task_settings(spec).to_string();
            dms.modify_task_settings(&config.arn, &settings)
                .await
                .map_err(|f| {
                    f.into_step_error(&format!(
                        "giving replication config {} the spec's settings with data validation",
                        config.id
                    ))
                })?;
            actions.push(format!(
                "gave replication config {} the spec's settings with data validation \
                 (before its first start, the only time DMS allows it)",
                config.id
            ));
            detail.settings_applied = true;
            Some(format!(
                "replication config {} to take the new settings",
                config.id
            ))
        }
        status => Some(format!(
            "replication config {} to take the new settings (status {status})",
            config.id
        )),
    };
    detail.validation_enabled = waiting_for.is_none();
    bounded_report(spec, input, now, actions, waiting_for, detail)
}

async fn start<D: Dms>(dms: &D, task: &Task, start_type: StartType) -> StepResult<()> {
    dms.start_task(&task.arn, start_type).await.map_err(|f| {
        f.into_step_error(&format!(
            "resuming replication task {} after enabling validation",
            task.id
        ))
    })
}

fn waiting_text(task: &Task, detail: &ValidationDetail) -> String {
    let goal = match (detail.validation_enabled, task.status.as_str()) {
        (true, _) => "to finish modifying, then to be resumed",
        (false, "running") => "to stop, so that its settings can be modified",
        (false, "ready" | "stopped" | "failed") => "to take the new settings",
        (false, _) => "to reach a state that allows a modify (ready, stopped or failed)",
    };
    format!(
        "replication task {} {goal} (status {})",
        task.id, task.status
    )
}

#[cfg(test)]
#[path = "enable_validation_tests.rs"]
mod tests;
