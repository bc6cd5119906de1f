//! The errors a progress check ends a run with, each naming what went wrong and
//! what to do about it.

use super::stop_reason::StopReason;
use super::summary::{ProgressSummary, qualified_name, table_state};
use crate::aws::dms::TableStats;
use crate::error::{ErrorKind, StepError};
use crate::naming::Names;
use crate::spec::MigrationSpec;
use crate::steps::test_connection::{ConnectionState, failure_text};

/// How many names an error message lists before "and N more".
pub const NAMES_LISTED: usize = 5;

/// "a, b, c and 4 more".
pub fn first_few(names: &[String]) -> String {
    let shown = names
        .iter()
        .take(NAMES_LISTED)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    match names.len().saturating_sub(NAMES_LISTED) {
        0 => shown,
        more => format!("{shown} and {more} more"),
    }
}

const TASK_LOG_HINT: &str = "The task's CloudWatch log (log group dms-tasks-<replication instance>, when task logging is on) has the details";

/// The task failed, or stopped because of an error.
pub fn task_failed(summary: &ProgressSummary) -> StepError {
    let reason = summary
        .stop_reason
        .as_deref()
        .map(|r| format!(", Stop Reason {r}"))
        .unwrap_or_default();
    let message = summary
        .last_failure_message
        .as_deref()
        .filter(|m| !m.trim().is_empty())
        .unwrap_or("DMS gave no failure message");
    StepError::new(
        ErrorKind::TaskFailed,
        format!(
            "{} {} failed (status {}{reason}): {message}. {TASK_LOG_HINT}. Fix the cause, then run the workflow again with the same run_id: its start step resumes a failed or stopped task.",
            match summary.provisioning {
                Some(_) => "replication config",
                None => "replication task",
            },
            summary.task,
            summary.status
        ),
    )
}

/// "Test connection failed for endpoint X." (the user guide's log example of
/// a serverless replication whose connection test failed, DMS Serverless
/// components): the start of the failure message that names the endpoint.
pub const SERVERLESS_CONNECTION_FAILED: &str = "Test connection failed for endpoint ";

/// A DMS Serverless replication that failed before it replicated: its
/// connection test (`ConnectionTestFailed`, with the connection step's advice)
/// or its capacity's provisioning (`TaskFailed`). `None` for a task, or for a
/// replication that failed otherwise ([`task_failed`] says it).
pub fn serverless_failed(spec: &MigrationSpec, summary: &ProgressSummary) -> Option<StepError> {
    let provisioning = summary.provisioning.as_ref()?;
    let message = summary.last_failure_message.as_deref().unwrap_or("");
    let names = Names::for_run(&spec.run_id);
    if let Some(line) = message
        .lines()
        .find(|l| l.contains(SERVERLESS_CONNECTION_FAILED))
    {
        let rest =
            &line[line.find(SERVERLESS_CONNECTION_FAILED)? + SERVERLESS_CONNECTION_FAILED.len()..];
        let endpoint = rest.split(['.', ' ']).next().unwrap_or("");
        let role = if endpoint == names.target_endpoint {
            "target"
        } else {
            "source"
        };
        let connection = ConnectionState {
            role: role.into(),
            endpoint: endpoint.to_string(),
            status: "failed".into(),
            last_failure_message: Some(message.replace('\n', " ")),
            tests_started: 0,
        };
        return Some(StepError::new(
            ErrorKind::ConnectionTestFailed,
            failure_text(spec, &names, &connection),
        ));
    }
    if provisioning.state != "failed_provision" {
        return None;
    }
    let message = if message.trim().is_empty() {
        "DMS gave no failure message"
    } else {
        message
    };
    Some(StepError::new(
        ErrorKind::TaskFailed,
        format!(
            "replication config {} failed while DMS provisioned its capacity (up to {} DCU; \
             provision state failed_provision): {message}. Fix: check the account's DMS \
             Serverless quotas (capacity units), the free IP addresses of the subnets of \
             network.subnet_ids and, when given, that DMS may use serverless.kms_key_id; \
             then run the workflow again with the same run_id: its start step starts the \
             replication again",
            summary.task,
            spec.serverless.as_ref().map_or(0, |s| s.max_capacity_units),
        ),
    ))
}

/// Tables ended in `Table error`.
pub fn tables_errored(summary: &ProgressSummary, tables: &[TableStats]) -> StepError {
    let names: Vec<String> = tables
        .iter()
        .filter(|t| t.table_state == table_state::ERROR)
        .map(qualified_name)
        .collect();
    let which = if names.is_empty() {
        "DMS does not name them in the table statistics".to_string()
    } else {
        first_few(&names)
    };
    StepError::new(
        ErrorKind::TablesErrored,
        format!(
            "{} table(s) of replication task {} are in `Table error`: {which}. DMS stopped loading them. {TASK_LOG_HINT} (often a data type the target does not support, missing privileges on the target, or a constraint violation). Fix the cause, then reload those tables (`aws dms reload-tables`) or run the workflow again.",
            summary.tables_errored, summary.task
        ),
    )
}

/// More failed validation records than the spec tolerates.
pub fn validation_failed(summary: &ProgressSummary, tables: &[TableStats], max: u64) -> StepError {
    let mut failing: Vec<&TableStats> = tables
        .iter()
        .filter(|t| t.validation_failed_records > 0)
        .collect();
    failing.sort_by_key(|t| std::cmp::Reverse(t.validation_failed_records));
    let names: Vec<String> = failing
        .iter()
        .map(|t| format!("{} ({})", qualified_name(t), t.validation_failed_records))
        .collect();
    StepError::new(
        ErrorKind::ValidationFailed,
        format!(
            "data validation of replication task {} found {} failed record(s), more than validation.max_failed_records ({max}): {}. The table awsdms_validation_failures_v1 on the target (schema awsdms_control unless ControlSchema is set) lists each record. Fix the data and revalidate, or raise validation.max_failed_records if these differences are acceptable.",
            summary.task,
            summary.validation_failed_records,
            first_few(&names)
        ),
    )
}

/// Tables whose validation can never finish (no primary key, validation error).
pub fn validation_impossible(summary: &ProgressSummary, stuck: &[&TableStats]) -> StepError {
    let names: Vec<String> = stuck
        .iter()
        .map(|t| format!("{} ({})", qualified_name(t), t.validation_state))
        .collect();
    StepError::new(
        ErrorKind::ValidationFailed,
        format!(
            "data validation of replication task {} cannot complete for {} table(s): {}. DMS validates only tables with a primary key or unique index, and stops validating a table after a validation error. Add a key, leave those tables out of the table mappings, or set completion.criterion to full-load-complete (or validation.enabled to false).",
            summary.task,
            stuck.len(),
            first_few(&names)
        ),
    )
}

/// The task stopped before the completion criterion held, and will not go on.
pub fn stopped_early(
    summary: &ProgressSummary,
    reason: Option<&StopReason>,
    criterion: &str,
    unmet: &str,
) -> StepError {
    let reason_text = reason.map_or("no stop reason".to_string(), |r| format!("Stop Reason {r}"));
    let cause = match reason {
        Some(r) if r.is_requested_by_settings() || *r == StopReason::FullLoadOnlyFinished => {
            "as its task settings ask (a stop after the full load or after a DDL, or a CDC stop position). Remove that setting from task_settings or choose a completion.criterion the task can meet before it stops"
        }
        Some(StopReason::Normal) | None => {
            "but not by dmsflow: someone or something called StopReplicationTask (the console, the CLI or another tool; CloudTrail says who). If that was not intended, run the workflow again with the same run_id: its start step resumes the task"
        }
        Some(_) => {
            "by DMS itself, not by dmsflow. Run the workflow again with the same run_id: its start step resumes the task"
        }
    };
    StepError::new(
        ErrorKind::TaskFailed,
        format!(
            "replication task {} stopped ({reason_text}) before the completion criterion {criterion} was met (still waiting for {unmet}); it stopped {cause}.",
            summary.task
        ),
    )
}
