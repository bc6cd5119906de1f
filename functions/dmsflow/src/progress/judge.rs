//! Judging a progress summary against the spec's completion criterion.
//!
//! Errors come first, in this order: the task is being deleted (`ResourceMissing`);
//! the task failed or stopped with an error (`TaskFailed`); a table is in
//! `Table error` (`TablesErrored`); more failed validation records than
//! `validation.max_failed_records` (`ValidationFailed`); when the criterion needs
//! validation, a table whose validation can never finish (`ValidationFailed`).
//!
//! A task that is `stopped` otherwise either stopped as its own settings ask (a
//! stop after the full load, a CDC stop position): fine when the criterion already
//! holds; or it was stopped by someone else (`Stop Reason NORMAL`) or by DMS
//! (RECYCLE_TASK, ...): that ends the run with `TaskFailed` saying it was stopped
//! outside dmsflow, since nothing more will happen until someone resumes it.
//! A task that stopped for good with the criterion unmet (a finished full-load
//! task whose validation is incomplete, a settings stop) gets one more poll first,
//! so table statistics that lag behind the stop do not fail a good run.

use super::errors;
use super::stop_reason::StopReason;
use super::summary::{Phase, ProgressSummary, validation_state};
use crate::aws::dms::TableStats;
use crate::error::{ErrorKind, StepError, StepResult};
use crate::spec::{CompletionCriterion, MigrationSpec};

/// The outcome of a check that found no error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// The completion criterion holds.
    pub done: bool,
    /// What is still missing, when not done.
    pub waiting_for: Option<String>,
    /// The full load (or the validation the criterion needs) is not complete yet: the
    /// loop is bounded by `polling.full_load_timeout_hours`. Waiting only for CDC
    /// latency is bounded by `polling.cdc_timeout_hours` instead.
    pub bounded: bool,
}

/// The criterion's name as the spec spells it.
pub fn criterion_name(criterion: CompletionCriterion) -> &'static str {
    match criterion {
        CompletionCriterion::FullLoadComplete => "full-load-complete",
        CompletionCriterion::Validated => "validated",
        CompletionCriterion::ReadyForCutover => "ready-for-cutover",
    }
}

/// Judges `summary` (built from `tables`) against the spec. `previous` is the
/// summary of the loop's previous check, if any.
pub fn judge(
    spec: &MigrationSpec,
    summary: &ProgressSummary,
    tables: &[TableStats],
    previous: Option<&ProgressSummary>,
) -> StepResult<Verdict> {
    if summary.status == "deleting" {
        return Err(crate::steps::read::being_deleted(
            &summary.task,
            "the run cannot go on",
        ));
    }
    if summary.phase == Phase::Failed {
        return Err(errors::serverless_failed(spec, summary)
            .unwrap_or_else(|| errors::task_failed(summary)));
    }
    if summary.tables_errored > 0 {
        return Err(errors::tables_errored(summary, tables));
    }
    let max_failed = spec.validation.max_failed_records;
    if u64::try_from(summary.validation_failed_records).unwrap_or(0) > max_failed {
        return Err(errors::validation_failed(summary, tables, max_failed));
    }
    let needs_validation = needs_validation(spec)?;
    if needs_validation {
        let stuck: Vec<&TableStats> = tables.iter().filter(|t| validation_stuck(t)).collect();
        if !stuck.is_empty() {
            return Err(errors::validation_impossible(summary, &stuck));
        }
    }

    let validation_unmet = needs_validation.then(|| validation_unmet(tables)).flatten();
    let bounded = !summary.full_load_complete || validation_unmet.is_some();
    let unmet = if !summary.full_load_complete {
        Some(full_load_unmet(summary))
    } else {
        validation_unmet.or_else(|| latency_unmet(spec, summary))
    };

    let stopped_for_good = matches!(summary.phase, Phase::Stopped | Phase::Finished);
    let Some(unmet) = unmet else {
        let reason = stop_reason(summary);
        if summary.phase == Phase::Stopped && !reason.as_ref().is_some_and(stopped_by_settings) {
            // Stopped by someone else: say so even if the criterion holds.
            return Err(stopped_early(spec, summary, "the task to keep running"));
        }
        return Ok(Verdict {
            done: true,
            waiting_for: None,
            bounded,
        });
    };
    if stopped_for_good {
        let reason = stop_reason(summary);
        let seen_before = previous.is_some_and(|p| p.phase == summary.phase);
        if reason.as_ref().is_some_and(stopped_by_settings) && !seen_before {
            return Ok(Verdict {
                done: false,
                waiting_for: Some(format!(
                    "the final table statistics of the stopped task ({unmet})"
                )),
                bounded,
            });
        }
        return Err(stopped_early(spec, summary, &unmet));
    }
    Ok(Verdict {
        done: false,
        waiting_for: Some(unmet),
        bounded,
    })
}

fn stop_reason(summary: &ProgressSummary) -> Option<StopReason> {
    summary.stop_reason.as_deref().and_then(StopReason::parse)
}

/// A stop the task's own settings asked for (for a full-load task, its normal end).
fn stopped_by_settings(reason: &StopReason) -> bool {
    reason.is_requested_by_settings() || *reason == StopReason::FullLoadOnlyFinished
}

fn stopped_early(spec: &MigrationSpec, summary: &ProgressSummary, unmet: &str) -> StepError {
    errors::stopped_early(
        summary,
        stop_reason(summary).as_ref(),
        criterion_name(spec.completion.criterion),
        unmet,
    )
}

/// Whether the criterion needs every table validated.
pub(super) fn needs_validation(spec: &MigrationSpec) -> StepResult<bool> {
    match spec.completion.criterion {
        CompletionCriterion::FullLoadComplete => Ok(false),
        CompletionCriterion::ReadyForCutover => Ok(spec.validation.enabled),
        CompletionCriterion::Validated if spec.validation.enabled => Ok(true),
        CompletionCriterion::Validated => Err(StepError::new(
            ErrorKind::InvalidSpec,
            "completion.criterion `validated` needs validation.enabled: true; enable validation or choose full-load-complete",
        )),
    }
}

/// Validation states from which a table never becomes `Validated`.
fn validation_stuck(table: &TableStats) -> bool {
    [
        validation_state::NO_PRIMARY_KEY,
        validation_state::ERROR,
        validation_state::TABLE_ERROR,
    ]
    .contains(&table.validation_state.as_str())
}

/// Tables not yet validated. A table with mismatched records counts as settled:
/// the failed records were already checked against the tolerance.
fn validation_unmet(tables: &[TableStats]) -> Option<String> {
    if tables.is_empty() {
        return Some("table statistics to validate (DMS reports no table yet)".into());
    }
    let pending: Vec<String> = tables
        .iter()
        .filter(|t| {
            t.validation_state != validation_state::VALIDATED
                && t.validation_state != validation_state::MISMATCHED_RECORDS
        })
        .map(|t| {
            let state = if t.validation_state.is_empty() {
                "no validation state"
            } else {
                &t.validation_state
            };
            format!("{} ({state})", super::summary::qualified_name(t))
        })
        .collect();
    (!pending.is_empty()).then(|| {
        format!(
            "validation of {} of {} table(s): {}",
            pending.len(),
            tables.len(),
            errors::first_few(&pending)
        )
    })
}

fn full_load_unmet(summary: &ProgressSummary) -> String {
    if let (Phase::Starting, Some(provisioning)) = (summary.phase, &summary.provisioning) {
        return format!(
            "the replication to start (DMS Serverless stage {})",
            provisioning.replication_status
        );
    }
    if summary.migration_type == "cdc" || summary.phase == Phase::Starting {
        return format!("the task to start (status {})", summary.status);
    }
    if summary.migration_type == "full-load" && summary.full_load_percent >= 100 {
        return format!(
            "the full-load task to finish (status {}, 100% loaded)",
            summary.status
        );
    }
    format!(
        "the full load: {}% ({} of {} table(s) loaded, status {})",
        summary.full_load_percent, summary.tables_loaded, summary.tables, summary.status
    )
}

/// For ready-for-cutover with CDC: both latencies under the threshold.
pub(super) fn latency_unmet(spec: &MigrationSpec, summary: &ProgressSummary) -> Option<String> {
    if spec.completion.criterion != CompletionCriterion::ReadyForCutover
        || summary.migration_type == "full-load"
    {
        return None;
    }
    let threshold = spec.notifications.cdc_latency_threshold_seconds;
    let limit = f64::from(threshold);
    match (
        summary.cdc_latency_source_seconds,
        summary.cdc_latency_target_seconds,
    ) {
        (Some(source), Some(target)) if source < limit && target < limit => None,
        (Some(source), Some(target)) => Some(format!(
            "CDC latency under {threshold} s (source {source:.0} s, target {target:.0} s)"
        )),
        _ => Some(format!(
            "CDC latency under {threshold} s (CloudWatch has no CDCLatencySource/CDCLatencyTarget data point yet)"
        )),
    }
}

#[cfg(test)]
#[path = "judge_tests.rs"]
mod tests;
