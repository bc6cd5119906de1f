//! Steady CDC: the checks that need no table statistics, so that a check costs the
//! same few DMS calls for 50 tables or 20,000.
//!
//! Reading every page of `DescribeTableStatistics` (500 rows a page, the API's
//! maximum) costs 40 calls a check at 20,000 tables. Once the full load is over and
//! a complete read found nothing wrong, most checks only wait for the CDC latency
//! to come under the threshold; the task's own statistics (`ReplicationTaskStats`:
//! tables loading, queued, errored) and one `DescribeTableStatistics` filtered on
//! `table-state` = `Table error` (one call while no table is in error) tell whether
//! that still holds, and `ValidationFailedOverallCount` (read with the latency, no
//! DMS call) whether validation found new failures. Every page is read again only
//! when the answer needs it: during the full load, when something looks wrong, while
//! the criterion waits for validation, and for the final report (a steady check
//! never says `done`: the check that does reads every page).

use super::judge::{latency_unmet, needs_validation};
use super::summary::{Phase, ProgressSummary, table_state, validation_state};
use crate::aws::dms::{TableStats, Task};
use crate::aws::metrics::CdcLatency;
use crate::spec::MigrationSpec;

/// Whether this check may judge the run without reading the table statistics:
/// the previous check read them all and saw a finished full load with nothing
/// wrong (failed validation records within the tolerance) and nothing in
/// progress, and the task, as just described, still agrees.
/// `acting` is true while a remediation the previous check started settles.
pub fn may_skip_tables(
    spec: &MigrationSpec,
    previous: &ProgressSummary,
    task: &Task,
    acting: bool,
) -> bool {
    let settled_before = previous.phase == Phase::Cdc
        && previous.full_load_complete
        && previous.tables > 0
        && previous.tables_errored == 0
        // A check that waited for a re-validation to show saw more failed records
        // than tolerated without judging them: judge them again from every page.
        && u64::try_from(previous.validation_failed_records).unwrap_or(u64::MAX)
            <= spec.validation.max_failed_records
        && ![
            table_state::BEFORE_LOAD,
            table_state::FULL_LOAD,
            table_state::RELOADING,
            table_state::ERROR,
        ]
        .iter()
        .any(|state| previous.tables_in(state) > 0)
        && (!needs_validation(spec).unwrap_or(true) || validation_settled(previous));
    let stats = task.stats.clone().unwrap_or_default();
    let steady_now = task.status == "running"
        && task.migration_type != "full-load"
        && task.migration_type == previous.migration_type
        && stats.tables_errored == 0
        && stats.tables_loading == 0
        && stats.tables_queued == 0;
    settled_before && steady_now && !acting
}

/// Every table validated (or with mismatches already judged against the tolerance).
fn validation_settled(summary: &ProgressSummary) -> bool {
    summary.tables_by_validation_state.keys().all(|state| {
        [
            validation_state::VALIDATED,
            validation_state::MISMATCHED_RECORDS,
        ]
        .contains(&state.as_str())
    })
}

/// What a check that skipped the table statistics saw: `None` when its readings
/// disagree with the previous complete read (a table in error, validation
/// failures that changed or that CloudWatch does not report), so that the check
/// reads every page after all; otherwise the summary, the previous one's table
/// counts with the task's status and statistics and the latency of now.
pub fn steady_summary(
    spec: &MigrationSpec,
    previous: &ProgressSummary,
    task: &Task,
    errored: &[TableStats],
    latency: CdcLatency,
) -> Option<ProgressSummary> {
    if !errored.is_empty() {
        return None;
    }
    if spec.validation.enabled {
        let failed = latency.validation_failed_records?;
        if failed != previous.validation_failed_records as f64 {
            return None;
        }
    }
    let now = ProgressSummary::build(task, &[], Some(latency));
    if now.phase != Phase::Cdc {
        return None;
    }
    Some(ProgressSummary {
        status: now.status,
        stop_reason: now.stop_reason,
        last_failure_message: now.last_failure_message,
        full_load_percent: now.full_load_percent,
        cdc_latency_source_seconds: now.cdc_latency_source_seconds,
        cdc_latency_target_seconds: now.cdc_latency_target_seconds,
        provisioning: now.provisioning,
        ..previous.clone()
    })
}

/// What a steady check still waits for: the CDC latency under the threshold.
/// `None` when the criterion may hold: the check reads every page and judges it
/// in full before it says `done`.
pub fn steady_waiting_for(spec: &MigrationSpec, summary: &ProgressSummary) -> Option<String> {
    latency_unmet(spec, summary)
}

#[cfg(test)]
#[path = "steady_tests.rs"]
mod tests;
