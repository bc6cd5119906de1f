//! ReloadTables in a run: a table loaded again (`data-reload`) or validated again
//! (`validate-only`), over simulated time.
//!
//! Sources (see /work/notes/assessment-research.md §7): the DMS API reference,
//! ReloadTables ("Specify data-reload to reload the data and re-validate it if
//! validation is enabled. Specify validate-only to re-validate the table");
//! the DMS user guide, "Reloading tables during a task" (the table shows "Table
//! is being reloaded"); botocore's DMS model (TableStatistics.FullLoadReloaded,
//! "if the table was reloaded (true) or loaded as part of a new full load
//! operation (false)"; ValidationState `Pending revalidation`, "All rows in the
//! table are pending validation after the table was updated").
//!
//! Inferred or the emulator's choice: after "Table is being reloaded" the table
//! goes Before load -> Full load -> Table completed (or Table error), as a first
//! load does; its full-load counters start again from 0 when the reload begins;
//! tables reloaded by one call load at once, side by side; during a
//! revalidation the table shows `Pending revalidation` (what real DMS shows is
//! not documented) with every row pending and no failed record, then
//! `Validated` or `Mismatched records`.

use super::{
    Run, TABLE_BEFORE_LOAD, TABLE_CANCELLED, TABLE_COMPLETED, TABLE_ERROR, TABLE_FULL_LOAD,
    TABLE_RELOADING, TablePlan, TableView, fraction, load_secs, validation_secs,
};

/// Simulated seconds a reloaded table shows "Table is being reloaded", then
/// "Before load", before it loads (the emulator's choice).
pub const RELOAD_PREPARE_SECS: f64 = 1.0;
pub const RELOAD_QUEUE_SECS: f64 = 0.5;
/// Simulated seconds a revalidated table waits before its rows are validated
/// again (the emulator's choice).
pub const REVALIDATE_QUEUE_SECS: f64 = 0.5;

/// One ReloadTables call for one table.
#[derive(Debug, Clone, PartialEq)]
pub enum Reload {
    /// `data-reload`: the table loads again over `load`, then, with validation on,
    /// is validated again over `validation`.
    Data {
        at: f64,
        load: (f64, f64),
        error: bool,
        validation: Option<(f64, f64)>,
        mismatches: u64,
    },
    /// `validate-only`: the loaded table is validated again over `validation`.
    Validate {
        at: f64,
        validation: (f64, f64),
        mismatches: u64,
    },
}

impl Reload {
    pub fn at(&self) -> f64 {
        match self {
            Reload::Data { at, .. } | Reload::Validate { at, .. } => *at,
        }
    }

    fn is_data(&self) -> bool {
        matches!(self, Reload::Data { .. })
    }
}

impl Run {
    /// `data-reload` of table `i` from `at`. The reload errors again under the
    /// `table-error` drill, not under `table-error-once`; its revalidation finds
    /// the `validation-mismatches` count, not the `-once` one.
    pub fn reload_table(&mut self, i: usize, at: f64) {
        let validation_on = self.validation_enabled;
        let tp = &mut self.tables[i];
        let start = at + RELOAD_PREPARE_SECS + RELOAD_QUEUE_SECS;
        let end = start + load_secs(tp.rows);
        let error = tp.error_again;
        let validation = (validation_on && !error).then(|| (end, end + validation_secs(tp.rows)));
        tp.reloads.push(Reload::Data {
            at,
            load: (start, end),
            error,
            validation,
            mismatches: tp.mismatches_again,
        });
        self.reload_end = self.reload_end.max(validation.map_or(end, |v| v.1));
    }

    /// `validate-only` of table `i` from `at`: once the table's latest load is
    /// over, its rows are validated again.
    pub fn revalidate_table(&mut self, i: usize, at: f64) {
        let tp = &mut self.tables[i];
        let loaded = tp
            .reloads
            .iter()
            .rev()
            .find_map(|r| match r {
                Reload::Data { load, .. } => Some(load.1),
                Reload::Validate { .. } => None,
            })
            .or(tp.load.map(|l| l.1))
            .unwrap_or(at);
        let start = at.max(loaded) + REVALIDATE_QUEUE_SECS;
        let end = start + validation_secs(tp.rows);
        tp.reloads.push(Reload::Validate {
            at,
            validation: (start, end),
            mismatches: tp.mismatches_again,
        });
        self.reload_end = self.reload_end.max(end);
    }

    /// The table as its latest reload (begun by `te`) shows it.
    pub(super) fn reload_view(
        &self,
        tp: &TablePlan,
        te: f64,
        frozen_here: bool,
        v: &mut TableView,
    ) {
        let latest = |data: bool| {
            tp.reloads
                .iter()
                .rev()
                .find(|r| r.at() <= te && r.is_data() == data)
        };
        let data = latest(true);
        if let Some(Reload::Data {
            at,
            load: (s, e),
            error,
            validation,
            mismatches,
        }) = data
        {
            let errored_before = v.state == TABLE_ERROR;
            v.reloaded = true;
            v.full_load_rows = 0;
            v.error_rows = 0;
            v.load_start = None;
            v.load_end = None;
            let mut loaded_rows = 0;
            if te < at + RELOAD_PREPARE_SECS {
                v.state = TABLE_RELOADING;
            } else if te < *s {
                v.state = TABLE_BEFORE_LOAD;
            } else if te < *e {
                v.state = if frozen_here {
                    TABLE_CANCELLED
                } else {
                    TABLE_FULL_LOAD
                };
                v.full_load_rows = (tp.rows as f64 * fraction(te, *s, *e)) as u64;
                v.load_start = Some(*s);
            } else {
                v.load_start = Some(*s);
                v.load_end = Some(*e);
                if *error {
                    v.state = TABLE_ERROR;
                    v.full_load_rows = tp.rows * 3 / 5;
                    v.error_rows = tp.rows - v.full_load_rows;
                } else {
                    v.state = TABLE_COMPLETED;
                    v.full_load_rows = tp.rows;
                    loaded_rows = tp.rows;
                    // A table whose load had errored applied no changes; once
                    // reloaded it applies them from the end of its reload.
                    if errored_before && let Some(cb) = self.cdc_begin {
                        let secs = (te - e.max(cb)).max(0.0);
                        let [ri, ru, rd] = tp.rates;
                        v.inserts = (ri * secs) as u64;
                        v.updates = (ru * secs) as u64;
                        v.deletes = (rd * secs) as u64;
                    }
                }
            }
            if self.validation_enabled {
                v.validation_failed = 0;
                Self::validation_view(*validation, *mismatches, te, v, loaded_rows);
            }
        }
        let since = data.map_or(f64::NEG_INFINITY, Reload::at);
        let Some(Reload::Validate {
            validation: (s, e),
            mismatches,
            ..
        }) = latest(false).filter(|r| r.at() >= since)
        else {
            return;
        };
        if !self.validation_enabled || v.state != TABLE_COMPLETED {
            return;
        }
        if te < *e {
            v.validation_state = "Pending revalidation".into();
            v.validation_failed = 0;
            let left = 1.0 - fraction(te, *s, *e);
            v.validation_pending = ((v.full_load_rows as f64 * left).ceil() as u64).max(1);
        } else {
            v.validation_pending = 0;
            v.validation_failed = *mismatches;
            v.validation_state = if *mismatches > 0 {
                "Mismatched records".into()
            } else {
                "Validated".into()
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{RunInput, RunKind};
    use super::*;
    use crate::model::catalog::default_catalog;

    fn run(kind: RunKind, validation: bool, drills: &[(&str, &str)]) -> Run {
        let get = |k: &str| {
            drills
                .iter()
                .find(|(key, _)| *key == k)
                .map(|(_, v)| v.to_string())
        };
        let names = |k: &str| get(k).map(|v| vec![v]).unwrap_or_default();
        let counts = |k: &str| get(k).map(|v| vec![(v, 3)]).unwrap_or_default();
        Run::plan(RunInput {
            kind,
            begin: 0.0,
            tables: default_catalog("sales"),
            previous: None,
            reload: false,
            parallel: 8,
            validation,
            error_tables: names("table-error"),
            error_once_tables: names("table-error-once"),
            mismatches: counts("validation-mismatches"),
            mismatches_once: counts("validation-mismatch-once"),
            fail_at_percent: None,
            latency_override: None,
        })
    }

    const ORDERS: usize = 1;

    #[test]
    fn a_reload_goes_through_its_states_and_extends_a_full_load_run() {
        let mut r = run(RunKind::FullLoad, false, &[("table-error-once", "orders")]);
        let at = r.full_load_end - 0.01;
        assert_eq!(r.view(ORDERS, at).state, TABLE_ERROR);
        let before = r.done_at().unwrap();
        r.reload_table(ORDERS, at);
        let Reload::Data { load: (s, e), .. } = r.tables[ORDERS].reloads[0].clone() else {
            panic!("a data reload")
        };
        assert!(r.done_at().unwrap() >= e && e > before);
        let states: Vec<&str> = [at, at + 1.2, (s + e) / 2.0, e]
            .iter()
            .map(|t| r.view(ORDERS, *t).state)
            .collect();
        assert_eq!(
            states,
            [
                TABLE_RELOADING,
                TABLE_BEFORE_LOAD,
                TABLE_FULL_LOAD,
                TABLE_COMPLETED
            ]
        );
        let done = r.view(ORDERS, e);
        assert!(done.reloaded);
        assert_eq!((done.full_load_rows, done.error_rows), (12_000, 0));
        assert!(!r.view(0, e).reloaded, "only the reloaded table");
        assert_eq!(r.stats(e).tables_errored, 0);
    }

    #[test]
    fn table_error_errors_again_and_cdc_resumes_only_after_a_good_reload() {
        let mut bad = run(RunKind::FullLoadAndCdc, false, &[("table-error", "orders")]);
        let at = bad.full_load_end + 1.0;
        bad.reload_table(ORDERS, at);
        let t = at + 10.0;
        assert_eq!(bad.view(ORDERS, t).state, TABLE_ERROR);
        assert!(bad.view(ORDERS, t).reloaded);
        let mut good = run(
            RunKind::FullLoadAndCdc,
            false,
            &[("table-error-once", "orders")],
        );
        assert_eq!(good.view(ORDERS, at).inserts, 0);
        good.reload_table(ORDERS, at);
        assert_eq!(good.view(ORDERS, t).state, TABLE_COMPLETED);
        assert!(good.view(ORDERS, t + 5.0).inserts > 0);
    }

    #[test]
    fn validate_only_revalidates_with_the_drill_of_every_validation() {
        let mut once = run(
            RunKind::FullLoadAndCdc,
            true,
            &[("validation-mismatch-once", "orders")],
        );
        let at = once.validation_end + 1.0;
        let first = once.view(ORDERS, at);
        assert_eq!(
            (first.validation_state.as_str(), first.validation_failed),
            ("Mismatched records", 3)
        );
        once.revalidate_table(ORDERS, at);
        let during = once.view(ORDERS, at + 0.1);
        assert_eq!(during.validation_state, "Pending revalidation");
        assert_eq!(during.validation_failed, 0);
        assert!(during.validation_pending > 0);
        let after = once.view(ORDERS, at + 5.0);
        assert_eq!(
            (after.validation_state.as_str(), after.validation_failed),
            ("Validated", 0)
        );
        assert_eq!(after.state, TABLE_COMPLETED);
        assert!(!after.reloaded, "validate-only reloads no data");

        let mut always = run(
            RunKind::FullLoadAndCdc,
            true,
            &[("validation-mismatches", "orders")],
        );
        always.revalidate_table(ORDERS, at);
        let after = always.view(ORDERS, at + 5.0);
        assert_eq!(
            (after.validation_state.as_str(), after.validation_failed),
            ("Mismatched records", 3)
        );
    }

    #[test]
    fn a_data_reload_revalidates_when_validation_is_on() {
        let mut r = run(
            RunKind::FullLoadAndCdc,
            true,
            &[("validation-mismatch-once", "orders")],
        );
        let at = r.validation_end + 1.0;
        r.reload_table(ORDERS, at);
        let loading = r.view(ORDERS, at + 0.1);
        assert_eq!(loading.validation_state, "Pending records");
        assert_eq!(loading.validation_failed, 0);
        let after = r.view(ORDERS, at + 10.0);
        assert_eq!(after.validation_state, "Validated");
    }
}
