//! The guided cutover of a run in CDC: what a cutover request asks for, when the
//! replication counts as drained, and what the target must show once the task has
//! stopped. Plain Rust, no I/O; the steps `drain_replication`, `stop_replication`
//! and `verify_target` do the calls.
//!
//! A cutover request is `{"action": "cutover", "run_id": ..., <options>}`. It acts
//! only on a run of this stack whose task is running in CDC: the task carries the
//! run's ownership tags, its migration type includes CDC and its full load is
//! over. Anything else is refused before anything is touched.
//!
//! Drained means: the task's `CDCLatencySource` and `CDCLatencyTarget` are both at
//! or under `max_latency_seconds`, and the changes DMS has applied (the sum of
//! every table's inserts, updates, deletes and DDLs) have not moved, for
//! `drained_for_seconds` in a row. Writes on the source have stopped and DMS has
//! applied what it captured. The AWS DMS user guide's cutover advice is the same
//! (stop the application's writes, wait for CDC latency near zero, check the table
//! statistics and validation, then stop the task).
//!
//! The task is then stopped with `StopReplicationTask`. DMS's other way to stop at a
//! known point, `CdcStopPosition` (`server_time:...`), can only be set by
//! `ModifyReplicationTask`, which DMS accepts on a stopped, ready or failed task,
//! or by `StartReplicationTask` (DMS API reference, ModifyReplicationTask and
//! StartReplicationTask): on a running task it would take a stop and a restart, so
//! a drained task is simply stopped and the point is the drained one.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::aws::dms::{TableStats, Task};
use crate::naming::owned_by;

/// What the run's resources become once the cutover has been verified.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AfterCutover {
    /// Delete the run's DMS resources, event subscription and alarms.
    #[default]
    Delete,
    /// Keep them, the task stopped.
    Keep,
}

/// Whether a person approves the stop once the replication has drained.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Approval {
    /// Stop as soon as the replication has drained.
    #[default]
    None,
    /// Publish the drained figures and wait for `send-task-success` (approve) or
    /// `send-task-failure` (reject), at most `approval_timeout_minutes`.
    Required,
}

/// A validated cutover request, every option filled in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CutoverRequest {
    pub action: String,
    pub run_id: String,
    /// Highest CDC latency (source and target, seconds) that counts as drained.
    pub max_latency_seconds: u32,
    /// How long the latency and the applied changes must hold still.
    pub drained_for_seconds: u32,
    /// How long to wait for the drain before `CutoverNotReady`.
    pub drain_timeout_minutes: u32,
    /// How long to wait for the task to stop before `StepTimedOut`.
    pub stop_timeout_minutes: u32,
    pub then: AfterCutover,
    pub approval: Approval,
    /// How long to wait for the approval before the cutover ends (States.Timeout).
    pub approval_timeout_minutes: u32,
}

const DEFAULT_MAX_LATENCY_SECONDS: u32 = 5;
const DEFAULT_DRAINED_FOR_SECONDS: u32 = 120;
const DEFAULT_DRAIN_TIMEOUT_MINUTES: u32 = 60;
const DEFAULT_STOP_TIMEOUT_MINUTES: u32 = 30;
const DEFAULT_APPROVAL_TIMEOUT_MINUTES: u32 = 240;
const FIELDS: [&str; 9] = [
    "action",
    "run_id",
    "max_latency_seconds",
    "drained_for_seconds",
    "drain_timeout_minutes",
    "stop_timeout_minutes",
    "then",
    "approval",
    "approval_timeout_minutes",
];

impl CutoverRequest {
    /// The request with defaults filled in, or every problem, each naming its
    /// field and the fix.
    pub fn parse(input: &Map<String, Value>) -> Result<CutoverRequest, Vec<String>> {
        let mut problems = Vec::new();
        for key in input.keys().filter(|k| !FIELDS.contains(&k.as_str())) {
            problems.push(format!(
                "{key}: not a cutover option; a cutover request takes {}",
                FIELDS.join(", ")
            ));
        }
        let run_id = match input.get("run_id").and_then(Value::as_str) {
            Some(id) if !id.trim().is_empty() => id.to_string(),
            _ => {
                problems.push("run_id: required, the run_id of the run to cut over".into());
                String::new()
            }
        };
        let mut number = |field: &str, default: u32, min: u32, max: u32| -> u32 {
            match input.get(field) {
                None => default,
                Some(v) => match v
                    .as_u64()
                    .filter(|n| (u64::from(min)..=u64::from(max)).contains(n))
                {
                    Some(n) => n as u32,
                    None => {
                        problems.push(format!(
                            "{field}: {v} is not a whole number from {min} to {max} (default {default})"
                        ));
                        default
                    }
                },
            }
        };
        let max_latency_seconds =
            number("max_latency_seconds", DEFAULT_MAX_LATENCY_SECONDS, 0, 3600);
        let drained_for_seconds =
            number("drained_for_seconds", DEFAULT_DRAINED_FOR_SECONDS, 0, 3600);
        let drain_timeout_minutes = number(
            "drain_timeout_minutes",
            DEFAULT_DRAIN_TIMEOUT_MINUTES,
            1,
            1440,
        );
        let stop_timeout_minutes = number(
            "stop_timeout_minutes",
            DEFAULT_STOP_TIMEOUT_MINUTES,
            1,
            1440,
        );
        let approval_timeout_minutes = number(
            "approval_timeout_minutes",
            DEFAULT_APPROVAL_TIMEOUT_MINUTES,
            1,
            10080,
        );
        let approval = match input.get("approval") {
            None => Approval::default(),
            Some(v) => serde_json::from_value(v.clone()).unwrap_or_else(|_| {
                problems.push(format!(
                    "approval: {v} is not `none` (stop once drained, the default) or `required` (wait for a person to approve the stop)"
                ));
                Approval::default()
            }),
        };
        let then = match input.get("then") {
            None => AfterCutover::default(),
            Some(v) => serde_json::from_value(v.clone()).unwrap_or_else(|_| {
                problems.push(format!(
                    "then: {v} is not `delete` (delete the run's DMS resources once the cutover is verified, the default) or `keep` (keep them, the task stopped)"
                ));
                AfterCutover::default()
            }),
        };
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(CutoverRequest {
            action: "cutover".into(),
            run_id,
            max_latency_seconds,
            drained_for_seconds,
            drain_timeout_minutes,
            stop_timeout_minutes,
            then,
            approval,
            approval_timeout_minutes,
        })
    }
}

/// Why the cutover cannot act on this task, if it cannot: it is not the run's,
/// not running, has no CDC, or its full load is not over.
pub fn refusal(run_id: &str, task: &Task, tags: &BTreeMap<String, String>) -> Option<String> {
    if !owned_by(run_id, tags) {
        return Some(format!(
            "replication task {} does not carry run {run_id}'s dmsflow tags: it is not this run's, and a cutover touches nothing it does not own",
            task.id
        ));
    }
    if task.migration_type == "full-load" {
        return Some(format!(
            "replication task {} is a full-load task: there is no CDC to drain; its run ends by itself",
            task.id
        ));
    }
    if task.status != "running" {
        return Some(format!(
            "replication task {} is {}, not running: a cutover drains a task that replicates changes; start the run again to resume it first",
            task.id, task.status
        ));
    }
    let stats = task.stats.clone().unwrap_or_default();
    if task.migration_type == "full-load-and-cdc"
        && (stats.full_load_progress_percent < 100
            || stats.tables_loading > 0
            || stats.tables_queued > 0)
    {
        return Some(format!(
            "replication task {} is still in its full load ({}%, {} tables loading, {} queued): cut over once the run has announced it is ready for cutover",
            task.id, stats.full_load_progress_percent, stats.tables_loading, stats.tables_queued
        ));
    }
    None
}

/// The changes DMS has applied to the target, over every table.
pub fn applied_changes(tables: &[TableStats]) -> i64 {
    tables
        .iter()
        .map(|t| t.inserts + t.updates + t.deletes + t.ddls)
        .sum()
}

/// One look at the replication while it drains.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DrainLook {
    /// Seconds since the Unix epoch.
    pub at: u64,
    pub latency_source_seconds: Option<f64>,
    pub latency_target_seconds: Option<f64>,
    pub applied_changes: i64,
}

/// Where the drain stands after a look.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Drain {
    pub latest: DrainLook,
    /// Since when (epoch seconds) the latency has been low and the applied changes
    /// unchanged; `None` while it is not.
    pub quiet_since: Option<u64>,
    /// Why the latest look was not quiet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_quiet: Option<String>,
}

impl Drain {
    /// The drain after `look`, from the previous one.
    pub fn after(previous: Option<&Drain>, look: DrainLook, request: &CutoverRequest) -> Drain {
        let max = f64::from(request.max_latency_seconds);
        let high = |what: &str, v: Option<f64>| match v {
            None => Some(format!("no {what} datapoint yet")),
            Some(s) if s > max => Some(format!("{what} {s} s is over {max} s")),
            Some(_) => None,
        };
        let moved = previous
            .filter(|p| p.latest.applied_changes != look.applied_changes)
            .map(|p| {
                format!(
                    "DMS applied {} more changes since the last look: writes go on",
                    look.applied_changes - p.latest.applied_changes
                )
            });
        let not_quiet = high("CDCLatencySource", look.latency_source_seconds)
            .or_else(|| high("CDCLatencyTarget", look.latency_target_seconds))
            .or(moved);
        let quiet_since = match (&not_quiet, previous.and_then(|p| p.quiet_since)) {
            (Some(_), _) => None,
            (None, Some(since)) => Some(since),
            (None, None) => Some(look.at),
        };
        Drain {
            latest: look,
            quiet_since,
            not_quiet,
        }
    }

    /// Seconds the replication has been quiet.
    pub fn quiet_for(&self) -> u64 {
        self.quiet_since
            .map_or(0, |since| self.latest.at.saturating_sub(since))
    }

    /// Quiet for the request's window.
    pub fn drained(&self, request: &CutoverRequest) -> bool {
        self.quiet_since.is_some() && self.quiet_for() >= u64::from(request.drained_for_seconds)
    }

    /// The latest figures, in words.
    pub fn figures(&self) -> String {
        let s = |v: Option<f64>| v.map_or("no data".to_string(), |v| format!("{v} s"));
        format!(
            "CDCLatencySource {}, CDCLatencyTarget {}, {} changes applied",
            s(self.latest.latency_source_seconds),
            s(self.latest.latency_target_seconds),
            self.latest.applied_changes
        )
    }
}

/// What the cutover has found and done, carried in the execution's state from step
/// to step and published in the cutover report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CutoverRecord {
    pub request: CutoverRequest,
    /// The drain's last figures, once drained.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drained: Option<Drain>,
    /// Seconds from the first look to the drained one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drain_seconds: Option<u64>,
    /// When the task was seen stopped (RFC 3339), and DMS's stop reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stopped_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop_reason: Option<String>,
    /// `approval_timeout_minutes` in seconds, for the definition's
    /// `TimeoutSecondsPath`.
    pub approval_timeout_seconds: u32,
    /// What the approver sent with `send-task-success` (the definition writes it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approval: Option<Value>,
    /// The final table statistics ([`table_report`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tables: Option<Value>,
}

impl CutoverRecord {
    pub fn new(request: CutoverRequest) -> CutoverRecord {
        CutoverRecord {
            approval_timeout_seconds: request.approval_timeout_minutes.saturating_mul(60),
            approval: None,
            request,
            drained: None,
            drain_seconds: None,
            stopped_at: None,
            stop_reason: None,
            tables: None,
        }
    }
}

/// Stop reasons that say the task did not stop as asked (DMS API reference,
/// ReplicationTask.StopReason). Which reason DMS gives a task stopped by
/// `StopReplicationTask` is not documented (the reference describes `NORMAL` as
/// "the task completed successfully"), so every other reason is accepted.
const ABNORMAL_STOPS: [&str; 4] = [
    "RECOVERABLE_ERROR",
    "FATAL_ERROR",
    "STOPPED_DUE_TO_LOW_MEMORY",
    "STOPPED_DUE_TO_LOW_DISK",
];

/// Whether a stop reason says the task stopped because something went wrong.
pub fn abnormal_stop(stop_reason: Option<&str>) -> bool {
    stop_reason.is_some_and(|r| ABNORMAL_STOPS.iter().any(|a| r.ends_with(a)))
}

/// Tables listed by name in a report or an error, at most.
pub const TABLES_NAMED: usize = 20;

/// What is wrong with the target once the task has stopped: tables not loaded,
/// errored, or (with validation on) not validated or with failed records. Empty
/// when the target is complete.
pub fn final_problems(tables: &[TableStats], validation_on: bool) -> Vec<String> {
    let mut problems = Vec::new();
    for t in tables {
        let name = format!("{}.{}", t.schema, t.table);
        if t.table_state != "Table completed" {
            problems.push(format!("{name}: {}", t.table_state));
        } else if validation_on && t.validation_failed_records > 0 {
            problems.push(format!(
                "{name}: {} records failed validation (awsdms_validation_failures_v1 on the target lists them)",
                t.validation_failed_records
            ));
        } else if validation_on && t.validation_state != "Validated" {
            problems.push(format!("{name}: validation {}", t.validation_state));
        }
    }
    if tables.is_empty() {
        problems.push("DMS reports no table statistics for the task: nothing was migrated".into());
    }
    problems
}

/// The cutover report's tables: per table the full-load rows, the changes applied
/// and the validation state, the first [`TABLES_NAMED`] by name and totals for all.
pub fn table_report(tables: &[TableStats]) -> Value {
    let mut sorted: Vec<&TableStats> = tables.iter().collect();
    sorted.sort_by(|a, b| (&a.schema, &a.table).cmp(&(&b.schema, &b.table)));
    let rows: Vec<Value> = sorted
        .iter()
        .take(TABLES_NAMED)
        .map(|t| {
            json!({
                "table": format!("{}.{}", t.schema, t.table),
                "full_load_rows": t.full_load_rows,
                "inserts": t.inserts,
                "updates": t.updates,
                "deletes": t.deletes,
                "validation": t.validation_state,
            })
        })
        .collect();
    let sum = |f: fn(&TableStats) -> i64| tables.iter().map(f).sum::<i64>();
    json!({
        "count": tables.len(),
        "listed": rows.len(),
        "full_load_rows": sum(|t| t.full_load_rows),
        "inserts": sum(|t| t.inserts),
        "updates": sum(|t| t.updates),
        "deletes": sum(|t| t.deletes),
        "tables": rows,
    })
}

#[cfg(test)]
#[path = "cutover_tests.rs"]
mod tests;
