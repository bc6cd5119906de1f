//! One run of a replication task: the full-load schedule, validation, CDC, and the
//! view of every table and of the task's stats at any simulated instant.
//!
//! A run is planned once, when StartReplicationTask is accepted, from the selected
//! tables, the task settings and the drills. Everything after that is a pure
//! function of simulated time, clamped at `frozen_at` once the run stops or fails.
//! ReloadTables adds to the plan of a table (see [`reload`]).

mod reload;

use std::collections::HashMap;

use crate::drills;
use crate::model::catalog::CatalogTable;

pub use reload::Reload;

/// Simulated seconds a table load takes: a fixed part plus rows / throughput.
pub const LOAD_BASE_SECS: f64 = 0.3;
pub const LOAD_ROWS_PER_SEC: f64 = 10_000.0;
pub const VALIDATION_BASE_SECS: f64 = 0.2;
pub const VALIDATION_ROWS_PER_SEC: f64 = 40_000.0;
/// CDC latency once the full load is over (seconds).
pub const CDC_LATENCY_SOURCE: f64 = 1.0;
pub const CDC_LATENCY_TARGET: f64 = 2.0;

pub const TABLE_BEFORE_LOAD: &str = "Before load";
pub const TABLE_FULL_LOAD: &str = "Full load";
pub const TABLE_COMPLETED: &str = "Table completed";
pub const TABLE_ERROR: &str = "Table error";
pub const TABLE_CANCELLED: &str = "Table cancelled";
/// "When AWS DMS is preparing to reload a table, the console changes the table
/// status to Table is being reloaded" (DMS user guide, "Reloading tables during a
/// task"; a TableState value in botocore's DMS model, TableStatistics.TableState).
pub const TABLE_RELOADING: &str = "Table is being reloaded";

pub fn load_secs(rows: u64) -> f64 {
    LOAD_BASE_SECS + rows as f64 / LOAD_ROWS_PER_SEC
}

pub fn validation_secs(rows: u64) -> f64 {
    VALIDATION_BASE_SECS + rows as f64 / VALIDATION_ROWS_PER_SEC
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunKind {
    FullLoad,
    FullLoadAndCdc,
    Cdc,
}

impl RunKind {
    pub fn from_migration_type(t: &str) -> RunKind {
        match t {
            "cdc" => RunKind::Cdc,
            "full-load-and-cdc" => RunKind::FullLoadAndCdc,
            _ => RunKind::FullLoad,
        }
    }
}

/// What a finished table carries into a resumed run.
#[derive(Debug, Clone, PartialEq)]
pub struct TableSnapshot {
    pub errored: bool,
    pub full_load_rows: u64,
    pub error_rows: u64,
    pub inserts: u64,
    pub updates: u64,
    pub deletes: u64,
    pub validation_state: String,
    pub validation_pending: u64,
    pub validation_failed: u64,
    pub validation_done: bool,
    pub load_start: Option<f64>,
    pub load_end: Option<f64>,
}

#[derive(Debug, Clone)]
pub struct TablePlan {
    pub schema: String,
    pub name: String,
    pub rows: u64,
    pub carried: Option<TableSnapshot>,
    pub load: Option<(f64, f64)>,
    pub error: bool,
    /// Whether a reload of the table errors too (`table-error`, not
    /// `table-error-once`).
    pub error_again: bool,
    pub validation: Option<(f64, f64)>,
    pub mismatches: u64,
    /// Mismatches a revalidation finds (`validation-mismatches`, not
    /// `validation-mismatch-once`).
    pub mismatches_again: u64,
    /// ReloadTables calls for this table, oldest first.
    pub reloads: Vec<Reload>,
    /// Inserts, updates, deletes per simulated second during CDC.
    pub rates: [f64; 3],
}

/// The state of one table at one instant (a row of DescribeTableStatistics).
#[derive(Debug, Clone, PartialEq)]
pub struct TableView {
    pub schema: String,
    pub name: String,
    pub state: &'static str,
    pub full_load_rows: u64,
    pub error_rows: u64,
    pub inserts: u64,
    pub updates: u64,
    pub deletes: u64,
    pub validation_state: String,
    pub validation_pending: u64,
    pub validation_failed: u64,
    pub load_start: Option<f64>,
    pub load_end: Option<f64>,
    pub reloaded: bool,
    pub last_update: f64,
}

/// ReplicationTaskStats at one instant.
#[derive(Debug, Clone, PartialEq)]
pub struct RunStats {
    pub progress_percent: i32,
    pub tables_loaded: i32,
    pub tables_loading: i32,
    pub tables_queued: i32,
    pub tables_errored: i32,
    pub elapsed_ms: i64,
    pub full_load_start: Option<f64>,
    pub full_load_finish: Option<f64>,
}

pub struct RunInput<'a> {
    pub kind: RunKind,
    pub begin: f64,
    pub tables: Vec<CatalogTable>,
    /// The previous run, for resume-processing; None for a fresh start or reload.
    pub previous: Option<&'a Run>,
    pub reload: bool,
    pub parallel: usize,
    pub validation: bool,
    pub error_tables: Vec<String>,
    /// `table-error-once` tables: errored on this load only (given for a task's
    /// first run only).
    pub error_once_tables: Vec<String>,
    pub mismatches: Vec<(String, u64)>,
    /// `validation-mismatch-once`: on this validation only (first run only).
    pub mismatches_once: Vec<(String, u64)>,
    pub fail_at_percent: Option<f64>,
    pub latency_override: Option<f64>,
}

/// How a run ended, and when (simulated seconds).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RunEnd {
    Failed(f64),
    Finished(f64),
}

#[derive(Debug, Clone)]
pub struct Run {
    pub kind: RunKind,
    pub begin: f64,
    pub fresh_start: f64,
    pub tables: Vec<TablePlan>,
    pub full_load_end: f64,
    pub validation_end: f64,
    pub cdc_begin: Option<f64>,
    pub fail_at: Option<f64>,
    pub failure_message: Option<String>,
    pub frozen_at: Option<f64>,
    pub validation_enabled: bool,
    pub latency_override: Option<f64>,
    /// When the source's writes stopped (a test's control call): no change is
    /// captured after it, and the CDC latency drains to zero.
    pub writes_stopped_at: Option<f64>,
    pub carried_elapsed_ms: i64,
    pub full_load_started: Option<f64>,
    pub reloaded: bool,
    /// When the latest ReloadTables work (load and validation) ends.
    pub reload_end: f64,
}

impl Run {
    pub fn plan(input: RunInput) -> Run {
        let begin = input.begin;
        let carried: HashMap<(String, String), TableSnapshot> =
            input.previous.map(Run::snapshots).unwrap_or_default();
        let mut tables: Vec<TablePlan> = input
            .tables
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let key = (t.schema.to_lowercase(), t.name.to_lowercase());
                let named = |list: &[String]| {
                    list.iter()
                        .any(|d| drills::names_table(d, &t.schema, &t.name))
                };
                let counted = |list: &[(String, u64)]| {
                    list.iter()
                        .filter(|(d, _)| drills::names_table(d, &t.schema, &t.name))
                        .map(|(_, n)| *n)
                        .sum::<u64>()
                };
                TablePlan {
                    schema: t.schema.clone(),
                    name: t.name.clone(),
                    rows: t.rows,
                    carried: carried.get(&key).cloned(),
                    load: None,
                    error: named(&input.error_tables) || named(&input.error_once_tables),
                    error_again: named(&input.error_tables),
                    validation: None,
                    mismatches: counted(&input.mismatches) + counted(&input.mismatches_once),
                    mismatches_again: counted(&input.mismatches),
                    reloads: Vec::new(),
                    rates: cdc_rates(i),
                }
            })
            .collect();

        if input.kind != RunKind::Cdc {
            let mut slots = vec![begin; input.parallel.max(1)];
            for tp in tables.iter_mut().filter(|t| t.carried.is_none()) {
                let (slot, start) = slots
                    .iter()
                    .copied()
                    .enumerate()
                    .min_by(|a, b| a.1.total_cmp(&b.1))
                    .expect("at least one slot");
                let end = start + load_secs(tp.rows);
                slots[slot] = end;
                tp.load = Some((start, end));
            }
        }
        let full_load_end = tables
            .iter()
            .filter_map(|t| t.load.map(|l| l.1))
            .fold(begin, f64::max);

        if input.validation {
            for tp in tables.iter_mut() {
                tp.validation = match (&tp.carried, tp.load) {
                    (Some(c), _) if c.errored || c.validation_done => None,
                    (Some(c), _) => Some((begin, begin + validation_secs(c.full_load_rows))),
                    (None, _) if tp.error => None,
                    (None, Some((_, end))) => Some((end, end + validation_secs(tp.rows))),
                    (None, None) => Some((begin, begin + VALIDATION_BASE_SECS)),
                };
            }
        }
        let validation_end = tables
            .iter()
            .filter_map(|t| t.validation.map(|v| v.1))
            .fold(full_load_end, f64::max);

        let cdc_begin = match input.kind {
            RunKind::FullLoad => None,
            RunKind::FullLoadAndCdc => Some(full_load_end),
            RunKind::Cdc => Some(begin),
        };
        let previous = input.previous;
        let mut run = Run {
            kind: input.kind,
            begin,
            fresh_start: previous.map(|p| p.fresh_start).unwrap_or(begin),
            full_load_started: previous.and_then(|p| p.full_load_started),
            carried_elapsed_ms: previous
                .map(|p| p.stats(p.frozen_at.unwrap_or(p.begin)).elapsed_ms)
                .unwrap_or(0),
            tables,
            full_load_end,
            validation_end,
            cdc_begin,
            fail_at: None,
            failure_message: None,
            frozen_at: None,
            validation_enabled: input.validation,
            latency_override: input.latency_override,
            writes_stopped_at: None,
            reloaded: input.reload,
            reload_end: begin,
        };
        if run.full_load_started.is_none() {
            run.full_load_started = run
                .tables
                .iter()
                .filter_map(|t| t.load.map(|l| l.0))
                .reduce(f64::min);
        }
        if run.tables.is_empty() {
            run.fail_at = Some(begin);
            run.failure_message = Some(
                "Last Error No tables were found at task initialization. Either the selected table(s) or schemas(s) no longer exist or no table(s) match the selection criteria. Stop Reason FATAL_ERROR Error Level FATAL".into(),
            );
        } else if let Some(percent) = input.fail_at_percent.filter(|_| previous.is_none()) {
            run.plan_failure(percent);
        }
        run
    }

    fn plan_failure(&mut self, percent: f64) {
        if percent > 100.0 || self.kind == RunKind::Cdc {
            return;
        }
        let (mut lo, mut hi) = (self.begin, self.full_load_end);
        if percent > 0.0 {
            if self.progress_at(hi) < percent {
                return;
            }
            for _ in 0..60 {
                let mid = (lo + hi) / 2.0;
                if self.progress_at(mid) >= percent {
                    hi = mid;
                } else {
                    lo = mid;
                }
            }
        } else {
            hi = self.begin;
        }
        let at = hi;
        let table = self
            .tables
            .iter()
            .find(|t| t.load.is_some_and(|(s, e)| s <= at && at < e))
            .or_else(|| self.tables.iter().find(|t| t.load.is_some()))
            .or(self.tables.first());
        let name = table
            .map(|t| format!("'{}'.'{}'", t.schema, t.name))
            .unwrap_or_default();
        self.fail_at = Some(at);
        self.failure_message = Some(format!(
            "Last Error Load of table {name} failed: ODBC general error. Task error notification received from subtask 1, thread 0 [reptask/replicationtask.c:2883] [1022502] Error executing source loop; Stream component failed at subtask 1, component st_1_{} ; Stream component 'st_1_{}' terminated [reptask/replicationtask.c:2891] [1022502] Stop Reason FATAL_ERROR Error Level FATAL",
            self.begin as u64, self.begin as u64
        ));
    }

    /// How the run ends by `now`, if it does: the failure its drill planned (when it
    /// comes before the end) or, for a full load only, its end. The run is frozen
    /// at that instant. Tasks and serverless replications end their runs alike.
    pub fn end_by(&mut self, now: f64) -> Option<RunEnd> {
        let fail = self.fail_at.filter(|f| *f <= now);
        let done = self.done_at().filter(|d| *d <= now);
        let (at, end) = match (fail, done) {
            (Some(f), d) if d.is_none_or(|d| f <= d) => (f, RunEnd::Failed(f)),
            (_, Some(d)) => (d, RunEnd::Finished(d)),
            _ => return None,
        };
        self.frozen_at = Some(at);
        Some(end)
    }

    /// When a full-load-only run ends by itself (loads, validation and reloads done).
    pub fn done_at(&self) -> Option<f64> {
        (self.kind == RunKind::FullLoad).then_some(
            self.validation_end
                .max(self.full_load_end)
                .max(self.reload_end),
        )
    }

    pub fn effective(&self, t: f64) -> f64 {
        match self.frozen_at {
            Some(f) => t.min(f),
            None => t,
        }
    }

    /// Full-load progress (0..=100, not rounded) at simulated instant `te`.
    pub fn progress_at(&self, te: f64) -> f64 {
        let total: u64 = self.tables.iter().map(|t| t.rows).sum();
        if total == 0 {
            return if te >= self.full_load_end { 100.0 } else { 0.0 };
        }
        let done: f64 = self
            .tables
            .iter()
            .map(|t| match (&t.carried, t.load) {
                (Some(_), _) | (None, None) => t.rows as f64,
                (None, Some((s, e))) => t.rows as f64 * fraction(te, s, e),
            })
            .sum();
        (100.0 * done / total as f64).min(100.0)
    }

    pub fn view(&self, i: usize, t: f64) -> TableView {
        let te = self.effective(t);
        let frozen_here = self.frozen_at.is_some_and(|f| t >= f);
        let tp = &self.tables[i];
        let [ri, ru, rd] = tp.rates;
        // No change is captured once the source's writes have stopped.
        let captured_until = self.writes_stopped_at.map_or(te, |s| te.min(s));
        let cdc_secs = match self.cdc_begin {
            Some(cb) if captured_until > cb && !(tp.error && tp.carried.is_none()) => {
                captured_until - cb
            }
            _ => 0.0,
        };
        let mut v = TableView {
            schema: tp.schema.clone(),
            name: tp.name.clone(),
            state: TABLE_COMPLETED,
            full_load_rows: 0,
            error_rows: 0,
            inserts: (ri * cdc_secs) as u64,
            updates: (ru * cdc_secs) as u64,
            deletes: (rd * cdc_secs) as u64,
            validation_state: "Not enabled".into(),
            validation_pending: 0,
            validation_failed: 0,
            load_start: None,
            load_end: None,
            reloaded: self.reloaded,
            last_update: te,
        };
        let mut loaded_rows = 0;
        if let Some(c) = &tp.carried {
            v.state = if c.errored {
                TABLE_ERROR
            } else {
                TABLE_COMPLETED
            };
            v.full_load_rows = c.full_load_rows;
            v.error_rows = c.error_rows;
            v.inserts += c.inserts;
            v.updates += c.updates;
            v.deletes += c.deletes;
            v.load_start = c.load_start;
            v.load_end = c.load_end;
            v.validation_state = c.validation_state.clone();
            v.validation_pending = c.validation_pending;
            v.validation_failed = c.validation_failed;
            loaded_rows = if c.errored { 0 } else { c.full_load_rows };
        } else if let Some((s, e)) = tp.load {
            if te < s {
                v.state = TABLE_BEFORE_LOAD;
            } else if te < e {
                v.state = if frozen_here {
                    TABLE_CANCELLED
                } else {
                    TABLE_FULL_LOAD
                };
                v.full_load_rows = (tp.rows as f64 * fraction(te, s, e)) as u64;
                v.load_start = Some(s);
            } else if tp.error {
                v.state = TABLE_ERROR;
                v.full_load_rows = tp.rows * 3 / 5;
                v.error_rows = tp.rows - v.full_load_rows;
                v.load_start = Some(s);
                v.load_end = Some(e);
            } else {
                v.state = TABLE_COMPLETED;
                v.full_load_rows = tp.rows;
                v.load_start = Some(s);
                v.load_end = Some(e);
                loaded_rows = tp.rows;
            }
        }
        if !self.validation_enabled {
            v.validation_state = "Not enabled".into();
            v.validation_pending = 0;
            v.validation_failed = 0;
        } else if tp.carried.as_ref().is_none_or(|c| !c.validation_done) {
            Self::validation_view(tp.validation, tp.mismatches, te, &mut v, loaded_rows);
        }
        self.reload_view(tp, te, frozen_here, &mut v);
        v
    }

    /// The validation columns of a table view, for a validation window and the
    /// mismatches it finds.
    fn validation_view(
        validation: Option<(f64, f64)>,
        mismatches: u64,
        te: f64,
        v: &mut TableView,
        loaded_rows: u64,
    ) {
        if v.state == TABLE_ERROR {
            v.validation_state = "Table error".into();
            v.validation_pending = 0;
            return;
        }
        v.validation_state = "Pending records".into();
        match validation {
            Some((s, e)) if v.state == TABLE_COMPLETED => {
                if te >= e {
                    v.validation_pending = 0;
                    if mismatches > 0 {
                        v.validation_state = "Mismatched records".into();
                        v.validation_failed = mismatches;
                    } else {
                        v.validation_state = "Validated".into();
                    }
                } else {
                    let left = 1.0 - fraction(te, s, e);
                    v.validation_pending = ((loaded_rows as f64 * left).ceil() as u64).max(1);
                }
            }
            _ => v.validation_pending = v.full_load_rows,
        }
    }

    pub fn stats(&self, t: f64) -> RunStats {
        let te = self.effective(t);
        let mut s = RunStats {
            progress_percent: self.progress_at(te).floor() as i32,
            tables_loaded: 0,
            tables_loading: 0,
            tables_queued: 0,
            tables_errored: 0,
            elapsed_ms: self.carried_elapsed_ms + ((te - self.begin).max(0.0) * 1000.0) as i64,
            full_load_start: self.full_load_started.filter(|s| *s <= te),
            full_load_finish: (self.kind != RunKind::Cdc && te >= self.full_load_end)
                .then_some(self.full_load_end),
        };
        for i in 0..self.tables.len() {
            match self.view(i, t).state {
                TABLE_COMPLETED => s.tables_loaded += 1,
                TABLE_ERROR => s.tables_errored += 1,
                TABLE_FULL_LOAD => s.tables_loading += 1,
                _ => s.tables_queued += 1,
            }
        }
        s
    }

    /// CDC latency (source, target) in seconds while the task is running.
    pub fn latency(&self, t: f64, running: bool) -> (f64, f64) {
        let Some(cb) = self.cdc_begin.filter(|_| running) else {
            return (0.0, 0.0);
        };
        match self.writes_stopped_at.filter(|s| t >= *s) {
            // The emulator's choice: once the source's writes stop, DMS applies
            // what it captured and both latencies fall by a second per second to
            // zero. The DMS user guide defines CDCLatencySource as the gap between
            // the last event captured and the instance's clock, and
            // CDCLatencyTarget as the gap between the oldest event not yet
            // committed on the target and that clock; how DMS reports the source
            // gap when no change arrives at all is not documented (AWS's cutover
            // advice expects both near zero once writes stop).
            Some(stopped) => {
                let (src, tgt) = self.latency_while_writing(stopped, cb);
                let drained = t - stopped;
                ((src - drained).max(0.0), (tgt - drained).max(0.0))
            }
            None => self.latency_while_writing(t, cb),
        }
    }

    fn latency_while_writing(&self, t: f64, cdc_begin: f64) -> (f64, f64) {
        if let Some(n) = self.latency_override {
            return (n, n);
        }
        if t < cdc_begin {
            // Changes are cached while the full load runs.
            (0.0, (t - self.begin).max(0.0))
        } else {
            (CDC_LATENCY_SOURCE, CDC_LATENCY_TARGET)
        }
    }

    /// Rows per second being loaded at `t`.
    pub fn throughput(&self, t: f64) -> f64 {
        let te = self.effective(t);
        self.tables
            .iter()
            .filter(|tp| tp.carried.is_none())
            .filter_map(|tp| tp.load.map(|(s, e)| (tp.rows, s, e)))
            .filter(|(_, s, e)| *s <= te && te < *e)
            .map(|(rows, s, e)| rows as f64 / (e - s))
            .sum()
    }

    /// Change rate (changes per second) during CDC.
    pub fn change_rate(&self) -> f64 {
        self.tables
            .iter()
            .map(|t| t.rates.iter().sum::<f64>())
            .sum()
    }

    /// The finished tables of this run, to carry into a resumed run.
    pub fn snapshots(&self) -> HashMap<(String, String), TableSnapshot> {
        let t = self.frozen_at.unwrap_or(f64::INFINITY);
        (0..self.tables.len())
            .filter_map(|i| {
                let v = self.view(i, t);
                if v.state != TABLE_COMPLETED && v.state != TABLE_ERROR {
                    return None;
                }
                let done = matches!(
                    v.validation_state.as_str(),
                    "Validated" | "Mismatched records" | "Table error" | "Not enabled"
                ) && self.validation_enabled;
                Some((
                    (v.schema.to_lowercase(), v.name.to_lowercase()),
                    TableSnapshot {
                        errored: v.state == TABLE_ERROR,
                        full_load_rows: v.full_load_rows,
                        error_rows: v.error_rows,
                        inserts: v.inserts,
                        updates: v.updates,
                        deletes: v.deletes,
                        validation_state: v.validation_state,
                        validation_pending: v.validation_pending,
                        validation_failed: v.validation_failed,
                        validation_done: done,
                        load_start: v.load_start,
                        load_end: v.load_end,
                    },
                ))
            })
            .collect()
    }
}

fn fraction(t: f64, start: f64, end: f64) -> f64 {
    if t <= start {
        0.0
    } else if t >= end || end <= start {
        1.0
    } else {
        (t - start) / (end - start)
    }
}

/// Deterministic CDC change rates for the i-th table.
fn cdc_rates(i: usize) -> [f64; 3] {
    [
        2.0 + (i % 3) as f64,
        1.0 + (i % 2) as f64,
        if i.is_multiple_of(4) { 1.0 } else { 0.5 },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::catalog::default_catalog;

    fn input(kind: RunKind) -> RunInput<'static> {
        RunInput {
            kind,
            begin: 10.0,
            tables: default_catalog("sales"),
            previous: None,
            reload: false,
            parallel: 2,
            validation: false,
            error_tables: vec![],
            error_once_tables: vec![],
            mismatches: vec![],
            mismatches_once: vec![],
            fail_at_percent: None,
            latency_override: None,
        }
    }

    #[test]
    fn full_load_progresses_and_finishes() {
        let run = Run::plan(input(RunKind::FullLoad));
        let start = run.stats(10.0);
        assert_eq!(start.progress_percent, 0);
        assert_eq!(start.tables_loading, 2);
        assert_eq!(start.tables_queued, 4);
        let mid = run.stats((10.0 + run.full_load_end) / 2.0);
        assert!(mid.progress_percent > 0 && mid.progress_percent < 100);
        let end = run.stats(run.full_load_end);
        assert_eq!(end.progress_percent, 100);
        assert_eq!(end.tables_loaded, 6);
        assert_eq!(run.done_at(), Some(run.full_load_end));
        assert_eq!(run.view(1, run.full_load_end).full_load_rows, 12_000);
    }

    #[test]
    fn failure_is_planned_at_the_percent() {
        let mut i = input(RunKind::FullLoad);
        i.fail_at_percent = Some(40.0);
        let run = Run::plan(i);
        let at = run.fail_at.unwrap();
        let p = run.progress_at(at);
        assert!((40.0..41.0).contains(&p), "{p}");
    }

    #[test]
    fn resume_carries_finished_tables() {
        let mut first = Run::plan(input(RunKind::FullLoad));
        first.frozen_at = Some(first.tables[0].load.unwrap().1 + 0.01);
        let carried = first.snapshots();
        assert!(!carried.is_empty() && carried.len() < 6);
        let mut i = input(RunKind::FullLoad);
        i.begin = 100.0;
        i.previous = Some(&first);
        let second = Run::plan(i);
        let loads = second.tables.iter().filter(|t| t.load.is_some()).count();
        assert_eq!(loads + carried.len(), 6);
        assert_eq!(second.fresh_start, 10.0);
    }

    #[test]
    fn validation_reports_mismatches() {
        let mut i = input(RunKind::FullLoad);
        i.validation = true;
        i.mismatches = vec![("orders".into(), 3)];
        let run = Run::plan(i);
        let during = run.view(1, run.tables[1].load.unwrap().1 + 0.01);
        assert_eq!(during.validation_state, "Pending records");
        assert!(during.validation_pending > 0);
        let end = run.done_at().unwrap();
        let v = run.view(1, end);
        assert_eq!(v.validation_state, "Mismatched records");
        assert_eq!(v.validation_failed, 3);
        assert_eq!(run.view(0, end).validation_state, "Validated");
    }
}
