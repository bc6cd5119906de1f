//! What a progress check saw, condensed: the phase, the counts, the latency.
//! Built from the task, its table statistics and (in CDC) its latency, judged from
//! the status and the statistics together, never from one expected status.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::stop_reason::StopReason;
use crate::aws::dms::Provisioning;
use crate::aws::dms::{TableStats, Task};
use crate::aws::metrics::CdcLatency;
use crate::spec::MigrationType;

/// `TableState` values of `DescribeTableStatistics`.
pub mod table_state {
    pub const DOES_NOT_EXIST: &str = "Table does not exist";
    pub const BEFORE_LOAD: &str = "Before load";
    pub const FULL_LOAD: &str = "Full load";
    pub const COMPLETED: &str = "Table completed";
    pub const CANCELLED: &str = "Table cancelled";
    pub const ERROR: &str = "Table error";
    pub const RELOADING: &str = "Table is being reloaded";
}

/// `ValidationState` values of `DescribeTableStatistics`.
pub mod validation_state {
    pub const NOT_ENABLED: &str = "Not enabled";
    pub const PENDING_RECORDS: &str = "Pending records";
    pub const MISMATCHED_RECORDS: &str = "Mismatched records";
    pub const SUSPENDED_RECORDS: &str = "Suspended records";
    pub const NO_PRIMARY_KEY: &str = "No primary key";
    pub const TABLE_ERROR: &str = "Table error";
    pub const VALIDATED: &str = "Validated";
    pub const ERROR: &str = "Error";
    pub const PENDING_VALIDATION: &str = "Pending validation";
    pub const PREPARING_TABLE: &str = "Preparing table";
    pub const PENDING_REVALIDATION: &str = "Pending revalidation";
}

/// How many target table names a report lists (its counts are always complete).
pub const TARGET_TABLES_LISTED: usize = 200;

/// Where the task is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Phase {
    /// Not yet replicating: creating, ready, starting, modifying, ...
    #[default]
    Starting,
    /// Loading tables (a full-load task stays here until it stops).
    FullLoad,
    /// Replicating ongoing changes (the full load, if any, is complete).
    Cdc,
    /// A full-load task stopped because its full load finished.
    Finished,
    /// Stopped for a reason that is not a failure (or being deleted).
    Stopped,
    /// Failed, or stopped because of an error.
    Failed,
}

/// The condensed state of the task at one check.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProgressSummary {
    /// The task's identifier.
    pub task: String,
    /// DMS status of the task.
    pub status: String,
    /// full-load, cdc or full-load-and-cdc, as DMS reports the task.
    pub migration_type: String,
    pub phase: Phase,
    /// The suffix of DMS's stop reason (e.g. FULL_LOAD_ONLY_FINISHED).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stop_reason: Option<String>,
    /// DMS's `LastFailureMessage`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_failure_message: Option<String>,
    /// `FullLoadProgressPercent`.
    pub full_load_percent: i32,
    /// Every selected table is loaded (for a full-load task: the task stopped with
    /// FULL_LOAD_ONLY_FINISHED; for a CDC-only task: it is replicating).
    pub full_load_complete: bool,
    /// Tables in the table statistics.
    pub tables: u32,
    /// Tables loaded (the larger of the task's statistics and the table statistics).
    pub tables_loaded: u32,
    /// Tables in `Table error` (the larger of the two sources).
    pub tables_errored: u32,
    /// Tables per `TableState`.
    pub tables_by_state: BTreeMap<String, u32>,
    /// Tables per `ValidationState`.
    pub tables_by_validation_state: BTreeMap<String, u32>,
    /// Rows copied by the full load.
    pub rows_loaded: i64,
    /// Changes applied during CDC.
    pub inserts: i64,
    pub updates: i64,
    pub deletes: i64,
    pub validation_pending_records: i64,
    pub validation_failed_records: i64,
    pub validation_suspended_records: i64,
    /// `CDCLatencySource` and `CDCLatencyTarget` (seconds), read only during CDC.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cdc_latency_source_seconds: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cdc_latency_target_seconds: Option<f64>,
    /// A DMS Serverless replication's own status and capacity; `None` for a task.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provisioning: Option<Provisioning>,
}

/// The migration type DMS reports for a task.
pub fn task_migration_type(task: &Task) -> MigrationType {
    match task.migration_type.as_str() {
        "full-load" => MigrationType::FullLoad,
        "cdc" => MigrationType::Cdc,
        _ => MigrationType::FullLoadAndCdc,
    }
}

/// The tables the run loaded into the target: those the full load completed, and
/// for a CDC-only task those it replicates (in the order DMS listed them).
pub fn loaded_tables<'a>(task: &Task, tables: &'a [TableStats]) -> Vec<&'a TableStats> {
    let cdc_only = task_migration_type(task) == MigrationType::Cdc;
    tables
        .iter()
        .filter(|t| {
            t.table_state == table_state::COMPLETED || (cdc_only && counts_as_replicated(t))
        })
        .collect()
}

/// `schema.table`.
pub fn qualified_name(table: &TableStats) -> String {
    format!("{}.{}", table.schema, table.table)
}

impl ProgressSummary {
    /// Condenses what DMS reports. `latency` is read only in the CDC phase.
    pub fn build(task: &Task, tables: &[TableStats], latency: Option<CdcLatency>) -> Self {
        let migration_type = task_migration_type(task);
        let stop_reason = task.stop_reason.as_deref().and_then(StopReason::parse);
        let loaded = full_load_complete(task, tables, migration_type, stop_reason.as_ref());
        let phase = phase(task, migration_type, stop_reason.as_ref(), loaded);
        let stats = task.stats.clone().unwrap_or_default();
        let by_state = tally(tables.iter().map(|t| t.table_state.as_str()));
        let in_state = |state: &str| by_state.get(state).copied().unwrap_or(0);
        let at_least =
            |reported: i32, counted: u32| counted.max(u32::try_from(reported).unwrap_or(0));
        let sum = |field: fn(&TableStats) -> i64| tables.iter().map(field).sum::<i64>();
        Self {
            task: task.id.clone(),
            status: task.status.clone(),
            migration_type: task.migration_type.clone(),
            phase,
            stop_reason: stop_reason.map(|r| r.as_str().to_string()),
            last_failure_message: task.last_failure_message.clone(),
            full_load_percent: stats.full_load_progress_percent,
            full_load_complete: loaded,
            tables: count(tables.len()),
            tables_loaded: at_least(stats.tables_loaded, in_state(table_state::COMPLETED)),
            tables_errored: at_least(stats.tables_errored, in_state(table_state::ERROR)),
            tables_by_state: by_state,
            tables_by_validation_state: tally(tables.iter().map(|t| t.validation_state.as_str())),
            rows_loaded: sum(|t| t.full_load_rows),
            inserts: sum(|t| t.inserts),
            updates: sum(|t| t.updates),
            deletes: sum(|t| t.deletes),
            validation_pending_records: sum(|t| t.validation_pending_records),
            validation_failed_records: sum(|t| t.validation_failed_records),
            validation_suspended_records: sum(|t| t.validation_suspended_records),
            cdc_latency_source_seconds: latency.and_then(|l| l.source_seconds),
            cdc_latency_target_seconds: latency.and_then(|l| l.target_seconds),
            provisioning: task.provisioning.clone(),
        }
    }

    /// Whether the state changed since `previous`: status, phase, stop reason, how
    /// many tables are in error, which table and validation states occur, failed
    /// records. Counters
    /// moving (percent, rows, tables finishing their load one by one, changes
    /// applied, pending validation records, latency) is expected progress, not a
    /// change: a long full load and steady CDC both read as quiet, so the wait can
    /// grow (see [`crate::wait_policy`]).
    pub fn changed_since(&self, previous: &ProgressSummary) -> bool {
        self.status != previous.status
            || self.phase != previous.phase
            || self.stop_reason != previous.stop_reason
            || self.tables_errored != previous.tables_errored
            || appeared(&self.tables_by_state, &previous.tables_by_state)
            || appeared(
                &self.tables_by_validation_state,
                &previous.tables_by_validation_state,
            )
            || self.validation_failed_records != previous.validation_failed_records
    }

    /// Tables in `state`.
    pub fn tables_in(&self, state: &str) -> u32 {
        self.tables_by_state.get(state).copied().unwrap_or(0)
    }
}

/// Whether `now` has a state (key) that `before` had not.
fn appeared(now: &BTreeMap<String, u32>, before: &BTreeMap<String, u32>) -> bool {
    now.keys().any(|state| !before.contains_key(state))
}

fn counts_as_replicated(table: &TableStats) -> bool {
    ![
        table_state::DOES_NOT_EXIST,
        table_state::ERROR,
        table_state::CANCELLED,
    ]
    .contains(&table.table_state.as_str())
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn tally<'a>(values: impl Iterator<Item = &'a str>) -> BTreeMap<String, u32> {
    let mut counts = BTreeMap::new();
    for value in values {
        *counts.entry(value.to_string()).or_insert(0) += 1;
    }
    counts
}

/// The full load is over: judged from the status, the stop reason and the
/// statistics together, so a load that finished between two polls is seen.
fn full_load_complete(
    task: &Task,
    tables: &[TableStats],
    migration_type: MigrationType,
    stop_reason: Option<&StopReason>,
) -> bool {
    let status = task.status.as_str();
    let has_run = matches!(status, "running" | "stopping" | "stopped");
    match migration_type {
        MigrationType::FullLoad => {
            status == "stopped" && stop_reason == Some(&StopReason::FullLoadOnlyFinished)
        }
        MigrationType::Cdc => has_run,
        MigrationType::FullLoadAndCdc => {
            (status == "stopped" && stop_reason.is_some_and(StopReason::means_full_load_finished))
                || (has_run && statistics_say_loaded(task, tables))
        }
    }
}

/// 100 percent, nothing queued or loading, no table before or in a (re)load.
fn statistics_say_loaded(task: &Task, tables: &[TableStats]) -> bool {
    let Some(stats) = &task.stats else {
        return false;
    };
    let loading = [
        table_state::BEFORE_LOAD,
        table_state::FULL_LOAD,
        table_state::RELOADING,
    ];
    stats.full_load_progress_percent >= 100
        && stats.tables_loading == 0
        && stats.tables_queued == 0
        && !tables
            .iter()
            .any(|t| loading.contains(&t.table_state.as_str()))
}

fn phase(
    task: &Task,
    migration_type: MigrationType,
    stop_reason: Option<&StopReason>,
    loaded: bool,
) -> Phase {
    match task.status.as_str() {
        "failed" | "failed-move" => Phase::Failed,
        "stopped" => match stop_reason {
            Some(reason) if reason.is_failure() => Phase::Failed,
            Some(StopReason::FullLoadOnlyFinished) if migration_type == MigrationType::FullLoad => {
                Phase::Finished
            }
            _ => Phase::Stopped,
        },
        "running" | "stopping" => match migration_type {
            MigrationType::Cdc => Phase::Cdc,
            MigrationType::FullLoadAndCdc if loaded => Phase::Cdc,
            _ => Phase::FullLoad,
        },
        "deleting" => Phase::Stopped,
        _ => Phase::Starting,
    }
}

#[cfg(test)]
#[path = "summary_tests.rs"]
mod tests;
