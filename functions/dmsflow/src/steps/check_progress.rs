//! check-progress: reads where the replication task is, publishes the run's
//! progress metrics, and says whether the spec's completion criterion holds.
//!
//! Each call reads the task (status, statistics, stop reason, failure message),
//! every page of its table statistics, and, in the CDC phase, its CDC latency
//! (in steady CDC, once a complete read found nothing wrong, the table statistics
//! in `Table error` only, so that a check costs the same calls whatever the table
//! count: see [`progress::may_skip_tables`]);
//! condenses them into a [`ProgressSummary`]; publishes the progress metrics the
//! run's alarms watch; and judges the summary ([`progress::judge`]: `done`, what
//! it still waits for, or a `TaskFailed` / `TablesErrored` / `ValidationFailed`
//! error). The loop is bounded by `polling.full_load_timeout_hours` until the full
//! load and the validation the criterion needs are complete, and by
//! `polling.cdc_timeout_hours` while it waits for the CDC latency alone.
//!
//! The report's `target_tables` says what the task's target table preparation did
//! and lists the loaded tables under their target names (the table mapping's
//! transformation rules applied; see [`TargetTables`]).
//!
//! The report carries `poll_count` (the run's checks so far, across the executions
//! of a long run; [`step`] hands the run over after `polling.checks_per_execution`
//! checks of one execution), `quiet_polls` (polls in a
//! row that saw no progress; the suggested wait doubles with each, see
//! [`wait_policy`]) and the `summary`, all read back from `previous`.
//!
//! A check the judge fails for a table in `Table error` or for failed validation
//! records first tries what the spec's `remediation` allows (ReloadTables
//! `data-reload` or `validate-only` while the task runs, see [`Remediation`]); the
//! run fails only when nothing is left to try, and the error says what was tried.
//! The success notice lists what was reloaded or re-validated.
//!
//! Publishing the metrics is best effort: a failure does not hide the task's
//! state; it is reported in `metrics_error`. So is a failure to read the CDC
//! latency, unless the criterion (ready-for-cutover) needs it.

use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};

use super::{StepInput, StepReport, read};
use crate::aws::dms::{ReloadOption, TableStats, Task};
use crate::aws::metrics::{Datum, metric_names, task_resource_id};
use crate::aws::{AwsFault, Dms, Metrics};
use crate::deadline;
use crate::error::StepResult;
use crate::naming::Names;
use crate::progress::{self, Phase, ProgressSummary, Remediation, TargetTables, table_state};
use crate::spec::{CompletionCriterion, MigrationSpec};
use crate::wait_policy;
use crate::workflow::{self, RunState, StepCall};

/// What check-progress reports besides the common fields.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProgressDetail {
    /// Checks made in this loop, this one included (across continued executions).
    pub poll_count: u64,
    /// Checks in a row, up to this one, that saw no progress.
    pub quiet_polls: u32,
    /// What this check saw.
    pub summary: ProgressSummary,
    /// What the run did to the target tables it loaded, under their target names
    /// (the success notice shows it).
    pub target_tables: TargetTables,
    /// Why the progress metrics (or the CDC latency) could not be read or published.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metrics_error: Option<String>,
    /// Tables reloaded or re-validated so far ([`Remediation`]).
    pub remediation: Remediation,
    /// During the full load, when it is expected to end, in seconds from this
    /// check ([`progress::full_load_due_in`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub full_load_due_in_seconds: Option<u64>,
}

/// Checks progress once; see the module documentation.
pub async fn handle<D: Dms, M: Metrics>(
    dms: &D,
    metrics: &M,
    input: StepInput,
    now: SystemTime,
) -> StepResult<StepReport<ProgressDetail>> {
    let spec = input.spec()?;
    let names = Names::for_run(&spec.run_id);
    let previous: Option<ProgressDetail> = read::previous(&input);
    let task = read::task(dms, spec.compute, &names).await?;
    let steady = match previous.as_ref() {
        Some(p) => steady_check(dms, metrics, &spec, &names, &task, p).await?,
        None => None,
    };
    let mut metrics_errors = Vec::new();
    let (summary, tables) = match steady {
        Some(summary) => (summary, None),
        None => {
            let tables = table_statistics(dms, &task).await?;
            let mut summary = ProgressSummary::build(&task, &tables, None);
            if summary.phase == Phase::Cdc {
                match read_latency(metrics, &names, &task).await {
                    Ok(latency) => {
                        summary.cdc_latency_source_seconds = latency.source_seconds;
                        summary.cdc_latency_target_seconds = latency.target_seconds;
                    }
                    Err(fault) => {
                        let context =
                            format!("reading the CDC latency of replication task {}", task.id);
                        if spec.completion.criterion == CompletionCriterion::ReadyForCutover {
                            return Err(fault.into_step_error(&context));
                        }
                        metrics_errors.push(best_effort(fault, &context));
                    }
                }
            }
            (summary, Some(tables))
        }
    };
    if let Err(fault) = metrics
        .put_progress(&names.metric_run_dimension, &progress_data(&summary))
        .await
    {
        metrics_errors.push(best_effort(fault, "publishing the progress metrics"));
    }

    let previous_summary = previous.as_ref().map(|p| &p.summary);
    let changed = previous_summary.is_none_or(|p| summary.changed_since(p));
    let due_in = (summary.phase == Phase::FullLoad)
        .then(|| progress::full_load_due_in(&task))
        .flatten();
    let mut wait = wait_policy::next(
        &spec.polling,
        previous.as_ref().map(|p| p.quiet_polls),
        changed,
        due_in,
    );
    let poll_count = previous.as_ref().map_or(0, |p| p.poll_count) + 1;
    wait.seconds = wait_policy::spread(&spec.polling, wait.seconds, &spec.run_id, poll_count);
    let target_tables = match &tables {
        Some(tables) => TargetTables::build(&spec, &task, &progress::loaded_tables(&task, tables)),
        None => previous
            .as_ref()
            .map(|p| p.target_tables.clone())
            .unwrap_or_default(),
    };
    let remediation = previous
        .as_ref()
        .map(|p| p.remediation.clone())
        .unwrap_or_default();
    let mut detail = ProgressDetail {
        poll_count,
        quiet_polls: wait.quiet_polls,
        summary: summary.clone(),
        target_tables,
        metrics_error: (!metrics_errors.is_empty()).then(|| metrics_errors.join("; ")),
        remediation: Remediation {
            just_acted_on: Vec::new(),
            ..remediation.clone()
        },
        full_load_due_in_seconds: due_in,
    };
    let within = |limit_hours: u32, what: &str, setting: &str| {
        deadline::check(
            input.loop_started_at.as_deref(),
            now,
            hours(limit_hours),
            what,
            setting,
        )
    };
    const LATENCY: &str = "the completion criterion (CDC latency under the threshold)";
    let Some(tables) = tables else {
        // A steady check: only the latency is still missing (see [`steady_check`]).
        within(spec.polling.cdc_timeout_hours, LATENCY, "cdc_timeout_hours")?;
        return Ok(StepReport::new(
            false,
            Vec::new(),
            progress::steady_waiting_for(&spec, &summary),
            wait.seconds,
            detail,
        ));
    };
    let verdict = match progress::judge(&spec, &summary, &tables, previous_summary) {
        Ok(verdict) => verdict,
        Err(error) => {
            // A table in error or with failed records: reload or re-validate it
            // while the task runs, before the run fails ([`Remediation`]).
            let mut actions = Vec::new();
            if !remediation.settling(&error, &tables) {
                let Some((action, record)) = remediation.next(&error, &spec, &summary, &tables)
                else {
                    return Err(remediation.explain(error, &spec, &summary));
                };
                dms.reload_tables(&task.arn, &action.tables, action.option)
                    .await
                    .map_err(|f| {
                        f.into_step_error(&format!(
                            "reloading tables of replication task {} ({})",
                            task.id,
                            action.option.as_str()
                        ))
                    })?;
                actions.push(format!(
                    "{} {} of replication task {} ({})",
                    match action.option {
                        ReloadOption::DataReload => "reloaded",
                        ReloadOption::ValidateOnly => "re-validating",
                    },
                    record.just_acted_on.join(", "),
                    task.id,
                    error.kind
                ));
                detail.remediation = record;
            }
            within(
                spec.polling.full_load_timeout_hours,
                "the full load (with the tables dmsflow reloads or re-validates)",
                "full_load_timeout_hours",
            )?;
            return Ok(StepReport::new(
                false,
                actions,
                Some("the reloaded or re-validated tables".into()),
                spec.polling.min_wait_seconds,
                detail,
            ));
        }
    };
    if !verdict.done {
        if verdict.bounded {
            within(
                spec.polling.full_load_timeout_hours,
                "the full load (with the validation the completion criterion needs)",
                "full_load_timeout_hours",
            )?;
        } else {
            within(spec.polling.cdc_timeout_hours, LATENCY, "cdc_timeout_hours")?;
        }
    }
    Ok(StepReport::new(
        verdict.done,
        Vec::new(),
        verdict.waiting_for,
        wait.seconds,
        detail,
    ))
}

/// CheckProgress as the state machine calls it: one check, and whether this
/// execution has made its share of checks (`polling.checks_per_execution`) and
/// hands the run over to a new one.
pub async fn step<D: Dms, M: Metrics>(
    dms: &D,
    metrics: &M,
    call: StepCall,
    now: SystemTime,
) -> StepResult<RunState> {
    let mut state = workflow::advance(call, now, |input| handle(dms, metrics, input, now)).await?;
    let budget = state.spec()?.polling.checks_per_execution;
    state.step.hand_over = !state.step.done && state.step.calls >= budget;
    if state.step.done
        && let Ok(detail) = serde_json::from_value::<ProgressDetail>(state.step.report.clone())
        && let Some(run) = state.run.as_mut()
    {
        for note in detail.remediation.notes() {
            if !run.notes.contains(&note) {
                run.notes.push(note);
            }
        }
    }
    Ok(state)
}

/// A check in steady CDC ([`progress::may_skip_tables`]): the task just read, the
/// tables in `Table error` (one filtered call while there is none) and the latency
/// with the validation failures, and no page of table statistics. `None` when the
/// run is not steady, a reading disagrees with the previous complete read, or the
/// criterion may hold: the check then reads every page. A failed read is the
/// check's error (a throttled call is retried by the state machine, not answered
/// with every page).
async fn steady_check<D: Dms, M: Metrics>(
    dms: &D,
    metrics: &M,
    spec: &MigrationSpec,
    names: &Names,
    task: &Task,
    previous: &ProgressDetail,
) -> StepResult<Option<ProgressSummary>> {
    let acting = !previous.remediation.just_acted_on.is_empty();
    if !progress::may_skip_tables(spec, &previous.summary, task, acting) {
        return Ok(None);
    }
    let errored = dms
        .table_statistics_in_state(&task.arn, table_state::ERROR)
        .await
        .map_err(|f| {
            f.into_step_error(&format!(
                "reading the errored tables of replication task {}",
                task.id
            ))
        })?;
    let latency = read_latency(metrics, names, task).await.map_err(|f| {
        f.into_step_error(&format!(
            "reading the CDC latency of replication task {}",
            task.id
        ))
    })?;
    let summary = progress::steady_summary(spec, &previous.summary, task, &errored, latency);
    Ok(summary.filter(|s| progress::steady_waiting_for(spec, s).is_some()))
}

async fn read_latency<M: Metrics>(
    metrics: &M,
    names: &Names,
    task: &Task,
) -> Result<crate::aws::metrics::CdcLatency, AwsFault> {
    if task.is_serverless() {
        // The dimensions of DMS Serverless's metrics are not documented
        // (docs/dms-serverless.md): no latency is read, and the spec checks
        // refuse a criterion that needs it.
        return Ok(crate::aws::metrics::CdcLatency::default());
    }
    let resource = task_resource_id(&task.arn).unwrap_or(&task.arn);
    metrics.cdc_latency(&names.instance, resource).await
}

fn hours(hours: u32) -> Duration {
    Duration::from_secs(u64::from(hours) * 3600)
}

/// Every page of the task's table statistics. A task that has not started yet may
/// have none to give (DMS answers with a fault): that is an empty list.
async fn table_statistics<D: Dms>(dms: &D, task: &Task) -> StepResult<Vec<TableStats>> {
    let started = matches!(
        task.status.as_str(),
        "running" | "stopping" | "stopped" | "failed"
    );
    // "If the replication task is in a deprovisioned state, metadata and
    // replication statistics related to the table are lost" (user guide, DMS
    // Serverless limitations): a serverless replication at rest whose capacity
    // is released has none to read, and is judged on its own statistics.
    let statistics_lost = task
        .provisioning
        .as_ref()
        .is_some_and(|p| p.state == "deprovisioned");
    match dms.table_statistics(&task.arn).await {
        Ok(tables) => Ok(tables),
        Err(AwsFault::Busy(_) | AwsFault::NotFound(_)) if !started || statistics_lost => {
            Ok(Vec::new())
        }
        Err(fault) => Err(fault.into_step_error(&format!(
            "reading the table statistics of {} {}",
            task.kind(),
            task.id
        ))),
    }
}

fn best_effort(fault: AwsFault, context: &str) -> String {
    let error = fault.into_step_error(context);
    tracing::warn!(error_type = %error.kind, message = %error.message, "progress check goes on without it");
    error.to_string()
}

/// The run's progress metrics (names in [`metric_names`]); the CDC latency is the
/// larger of source and target, when DMS reported one.
pub fn progress_data(summary: &ProgressSummary) -> Vec<Datum> {
    let datum = |name: &str, value: f64, unit: &str| Datum {
        name: name.to_string(),
        value,
        unit: unit.to_string(),
    };
    let mut data = vec![
        datum(
            metric_names::FULL_LOAD_PERCENT,
            f64::from(summary.full_load_percent),
            "Percent",
        ),
        datum(
            metric_names::TABLES_LOADED,
            f64::from(summary.tables_loaded),
            "Count",
        ),
        datum(
            metric_names::ROWS_LOADED,
            summary.rows_loaded as f64,
            "Count",
        ),
        datum(
            metric_names::TABLES_ERRORED,
            f64::from(summary.tables_errored),
            "Count",
        ),
        datum(
            metric_names::VALIDATION_FAILED_RECORDS,
            summary.validation_failed_records as f64,
            "Count",
        ),
    ];
    let latency = [
        summary.cdc_latency_source_seconds,
        summary.cdc_latency_target_seconds,
    ]
    .into_iter()
    .flatten()
    .reduce(f64::max);
    if let Some(seconds) = latency {
        data.push(datum(metric_names::CDC_LATENCY_SECONDS, seconds, "Seconds"));
    }
    data
}

#[cfg(test)]
#[path = "check_progress_tests.rs"]
mod tests;
