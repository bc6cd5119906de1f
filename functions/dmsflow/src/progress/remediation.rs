//! Remediation: what a progress check does about a table in `Table error` or failed
//! validation records before it fails the run.
//!
//! DMS can reload a table (`data-reload`) or re-validate it (`validate-only`)
//! while the task keeps running: ReloadTables, "only ... with a task in the
//! RUNNING state" (DMS API reference), up to 10 tables at a time (DMS user guide,
//! "Reloading tables during a task"; "you can choose up to 10 tables at one time"
//! to revalidate, "AWS DMS data validation"). So, when the judge fails a check:
//! - `TablesErrored` on a running task: the errored tables reloaded fewer times
//!   than `remediation.reload_errored_tables` are reloaded (10 at most); the run
//!   fails only once a table is still errored after its reloads;
//! - `ValidationFailed` for failed records on a running task, with
//!   `remediation.revalidate`: the tables with failed records are re-validated
//!   once (10 at most);
//! - the check right after an action waits once more before it judges the same
//!   tables again, as DMS may still show them as they were;
//! - anything else, or nothing left to try: the error stands, and says what was
//!   tried.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::errors::first_few;
use super::summary::{ProgressSummary, qualified_name, table_state};
use crate::aws::dms::{ReloadOption, TableName, TableStats};
use crate::error::{ErrorKind, StepError};
use crate::spec::MigrationSpec;

/// ReloadTables' limit on tables a call (DMS user guide).
pub const TABLES_PER_RELOAD: usize = 10;
/// Most distinct tables one run reloads or re-validates. More tables in error than
/// this is rarely a table problem (the target, the network, the task settings), and
/// the record the state carries must not grow with the catalog (Step Functions'
/// 256 KiB state limit): past it, the error stands and names what was tried.
pub const MAX_TABLES_REMEDIATED: usize = 50;

/// What the run's checks have done so far (carried from check to check).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Remediation {
    /// Reloads by table (`schema.table`).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub reloads: BTreeMap<String, u32>,
    /// Tables re-validated, with the failed records they had.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub revalidated: BTreeMap<String, i64>,
    /// The tables the previous check acted on: this check does not judge them yet.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub just_acted_on: Vec<String>,
}

/// One ReloadTables call to make.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Action {
    pub option: ReloadOption,
    pub tables: Vec<TableName>,
}

impl Remediation {
    /// What to do about `error`, and the record with it; `None`: nothing (more) to try.
    pub fn next(
        &self,
        error: &StepError,
        spec: &MigrationSpec,
        summary: &ProgressSummary,
        tables: &[TableStats],
    ) -> Option<(Action, Remediation)> {
        if summary.status != "running" {
            return None;
        }
        let (option, chosen): (ReloadOption, Vec<&TableStats>) = match error.kind {
            ErrorKind::TablesErrored => (
                ReloadOption::DataReload,
                tables
                    .iter()
                    .filter(|t| t.table_state == table_state::ERROR)
                    .filter(|t| {
                        self.reloads.get(&qualified_name(t)).copied().unwrap_or(0)
                            < spec.remediation.reload_errored_tables
                    })
                    .collect(),
            ),
            ErrorKind::ValidationFailed if spec.remediation.revalidate => (
                ReloadOption::ValidateOnly,
                tables
                    .iter()
                    .filter(|t| t.validation_failed_records > 0)
                    .filter(|t| !self.revalidated.contains_key(&qualified_name(t)))
                    .collect(),
            ),
            _ => return None,
        };
        let mut room = MAX_TABLES_REMEDIATED.saturating_sub(self.tables_acted_on());
        let chosen: Vec<&TableStats> = chosen
            .into_iter()
            .filter(|t| {
                let name = qualified_name(t);
                let known =
                    self.reloads.contains_key(&name) || self.revalidated.contains_key(&name);
                let fits = known || room > 0;
                if fits && !known {
                    room -= 1;
                }
                fits
            })
            .take(TABLES_PER_RELOAD)
            .collect();
        if chosen.is_empty() {
            return None;
        }
        let mut record = self.clone();
        record.just_acted_on = chosen.iter().map(|t| qualified_name(t)).collect();
        for table in &chosen {
            let name = qualified_name(table);
            match option {
                ReloadOption::DataReload => *record.reloads.entry(name).or_insert(0) += 1,
                ReloadOption::ValidateOnly => {
                    record
                        .revalidated
                        .insert(name, table.validation_failed_records);
                }
            }
        }
        let tables = chosen
            .iter()
            .map(|t| TableName {
                schema: t.schema.clone(),
                table: t.table.clone(),
            })
            .collect();
        Some((Action { option, tables }, record))
    }

    /// Distinct tables reloaded or re-validated so far.
    fn tables_acted_on(&self) -> usize {
        self.reloads.len()
            + self
                .revalidated
                .keys()
                .filter(|t| !self.reloads.contains_key(*t))
                .count()
    }

    /// Whether this check should wait instead of failing: every table the error is
    /// about was acted on by the previous check.
    pub fn settling(&self, error: &StepError, tables: &[TableStats]) -> bool {
        if self.just_acted_on.is_empty() {
            return false;
        }
        let concerned: Vec<String> = match error.kind {
            ErrorKind::TablesErrored => tables
                .iter()
                .filter(|t| t.table_state == table_state::ERROR)
                .map(qualified_name)
                .collect(),
            ErrorKind::ValidationFailed => tables
                .iter()
                .filter(|t| t.validation_failed_records > 0)
                .map(qualified_name)
                .collect(),
            _ => return false,
        };
        !concerned.is_empty() && concerned.iter().all(|t| self.just_acted_on.contains(t))
    }

    /// The error with what was tried, or why nothing could be.
    pub fn explain(
        &self,
        mut error: StepError,
        spec: &MigrationSpec,
        summary: &ProgressSummary,
    ) -> StepError {
        let allowed = match error.kind {
            ErrorKind::TablesErrored => spec.remediation.reload_errored_tables > 0,
            ErrorKind::ValidationFailed => spec.remediation.revalidate,
            _ => false,
        };
        let untried = self.reloads.is_empty() && self.revalidated.is_empty();
        if allowed && untried && summary.status != "running" {
            error.message = format!(
                "{} dmsflow could not reload or re-validate the tables: DMS does so only while the task runs, and task {} is {}.",
                error.message, summary.task, summary.status
            );
            return error;
        }
        let tried: Vec<String> = match error.kind {
            ErrorKind::TablesErrored if !self.reloads.is_empty() => self
                .reloads
                .iter()
                .map(|(t, n)| format!("{t} ({n} reload{})", if *n == 1 { "" } else { "s" }))
                .collect(),
            ErrorKind::ValidationFailed if !self.revalidated.is_empty() => self
                .revalidated
                .iter()
                .map(|(t, n)| format!("{t} (re-validated once after {n} failed records)"))
                .collect(),
            _ => return error,
        };
        let (call, what) = match summary.provisioning {
            Some(_) => ("ReloadReplicationTables", "replication"),
            None => ("ReloadTables", "task"),
        };
        error.message = format!(
            "{} dmsflow already tried, with {call} while the {what} ran: {}.",
            error.message,
            first_few(&tried)
        );
        if self.tables_acted_on() >= MAX_TABLES_REMEDIATED {
            error.message = format!(
                "{} dmsflow reloads or re-validates at most {MAX_TABLES_REMEDIATED} tables a run: with more in trouble, look for a common cause (the target, the network, the task settings) in the task's log.",
                error.message
            );
        }
        error
    }

    /// What the success notice says of it, one line each (at most
    /// [`MAX_TABLES_REMEDIATED`] lines, as many as tables acted on).
    pub fn notes(&self) -> Vec<String> {
        let reloads = self.reloads.iter().map(|(t, n)| {
            format!(
                "Table {t} was in Table error and was reloaded ({n} reload{}).",
                if *n == 1 { "" } else { "s" }
            )
        });
        let revalidated = self.revalidated.iter().map(|(t, n)| {
            format!("Table {t} had {n} failed validation records and was re-validated.")
        });
        reloads.chain(revalidated).collect()
    }
}

#[cfg(test)]
#[path = "remediation_tests.rs"]
mod tests;
