//! verify-target (VerifyTarget): the cutover's proof, once the task has stopped.
//! Reads every table's statistics one last time: each table `Table completed`, and
//! where the task validates, `Validated` with no failed record
//! ([`crate::cutover::final_problems`]). Anything else fails with
//! `CutoverCheckFailed`, naming the tables, and the task stays stopped for
//! inspection. Otherwise the cutover record gets the final per-table figures
//! ([`crate::cutover::table_report`]) for the report. Reads only.

use std::time::SystemTime;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{StepReport, read};
use crate::aws::Dms;
use crate::cutover::{CutoverRequest, TABLES_NAMED, final_problems, table_report};
use crate::error::{ErrorKind, StepError, StepResult};
use crate::naming::Names;
use crate::spec::Compute;
use crate::spec::settings::validation_enabled;
use crate::workflow::{RunState, StepCall};

/// What verify-target reports besides the common fields.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct VerifyDetail {
    pub task: String,
    pub validation_on: bool,
    pub tables: Value,
}

/// The one call; see the module documentation.
pub async fn handle<D: Dms>(
    dms: &D,
    request: &CutoverRequest,
) -> StepResult<StepReport<VerifyDetail>> {
    let names = Names::for_run(&request.run_id);
    let task = read::task(dms, Compute::Instance, &names).await?;
    let tables = dms
        .table_statistics(&task.arn)
        .await
        .map_err(|f| f.into_step_error(&format!("reading the table statistics of {}", task.id)))?;
    let validation_on = task.settings.as_deref().is_some_and(validation_enabled);
    let problems = final_problems(&tables, validation_on);
    if !problems.is_empty() {
        let listed: Vec<&String> = problems.iter().take(TABLES_NAMED).collect();
        let more = problems.len().saturating_sub(listed.len());
        let more = if more > 0 {
            format!("\n- and {more} more")
        } else {
            String::new()
        };
        return Err(StepError::new(
            ErrorKind::CutoverCheckFailed,
            format!(
                "after the stop, {} of {} tables of replication task {} are not complete{}: \n- {}{more}\nThe task stays stopped for inspection.",
                problems.len(),
                tables.len(),
                task.id,
                if validation_on { " and validated" } else { "" },
                listed
                    .iter()
                    .map(|p| p.as_str())
                    .collect::<Vec<_>>()
                    .join("\n- ")
            ),
        ));
    }
    Ok(StepReport::new(
        true,
        Vec::new(),
        None,
        0,
        VerifyDetail {
            task: task.id,
            validation_on,
            tables: table_report(&tables),
        },
    ))
}

/// VerifyTarget as the state machine calls it: puts the final figures into the
/// cutover's record.
pub async fn step<D: Dms>(dms: &D, call: StepCall, now: SystemTime) -> StepResult<RunState> {
    let mut state = RunState::read(call.state)?;
    let (mut record, input) = state.cutover_input(&call.step, now)?;
    let report = handle(dms, &record.request).await?;
    record.tables = Some(report.detail.tables.clone());
    state.keep_cutover_record(&record);
    state.record(&call.step, input.loop_started_at.clone(), &report);
    Ok(state)
}

#[cfg(test)]
#[path = "verify_target_tests.rs"]
mod tests;
