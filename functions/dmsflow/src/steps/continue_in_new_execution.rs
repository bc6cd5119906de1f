//! ContinueInNewExecution: hands a long run over to a new execution of the state
//! machine before this one's history fills up (Step Functions ends an execution
//! at 25,000 history events).
//!
//! The successor is named after the chain's first execution and its generation
//! (`<first execution name>-gen-<n>`), so a retried hand-over cannot start two:
//! Step Functions answers a repeated StartExecution with the same name and input
//! with the same execution, and `ExecutionAlreadyExists` when the name is taken
//! otherwise (StartExecution, Step Functions API reference). Taken by an
//! execution this one started (a retry whose first answer was lost), the chain
//! goes on there; taken by anything else, the step fails with
//! `ResourceConflict` rather than leave the run unwatched. A rerun of the same
//! run id under a new execution name starts a chain of its own names.

use serde_json::json;

use crate::aws::{AwsFault, Executions, Starter};
use crate::error::{ErrorKind, StepError, StepResult};
use crate::workflow::{Continuation, Resume, RunState, StepCall, execution_arn, state_machine_arn};

/// The name of the chain's `generation`th execution.
pub fn successor_name(first_execution_name: &str, generation: u32) -> String {
    crate::naming::execution_name(first_execution_name, &format!("-gen-{generation}"))
}

/// The last part of an execution ARN.
fn name_of(execution_arn: &str) -> &str {
    execution_arn.rsplit(':').next().unwrap_or(execution_arn)
}

/// Starts the run's next execution; see the module documentation.
pub async fn step<E: Executions, S: Starter>(
    executions: &E,
    starter: &S,
    call: StepCall,
) -> StepResult<RunState> {
    let mut state = RunState::read(call.state)?;
    let run = state.run()?.clone();
    let generation = run.generation + 1;
    let name = successor_name(name_of(&run.first_execution_arn), generation);
    let continuation = Continuation {
        spec: run.spec.clone(),
        resume: Resume {
            generation,
            parent_execution_arn: call.execution.clone(),
            first_execution_arn: run.first_execution_arn.clone(),
            names: run.names.clone(),
            loop_started_at: state.step.started_at.clone().unwrap_or_default(),
            previous: state.step.report.clone(),
            claimed_since_ms: state.claimed_since_ms,
            notes: run.notes.clone(),
        },
        started_by: Some(call.execution.clone()),
    };
    let input = serde_json::to_string(&continuation).unwrap_or_default();
    let machine = state_machine_arn(&call.execution)?;
    let context = format!(
        "starting execution {name} to continue run {}",
        run.names.metric_run_dimension
    );
    let successor = match starter.start(&machine, &name, &input).await {
        Ok(arn) => arn,
        Err(AwsFault::AlreadyExists(_)) => {
            let arn = execution_arn(&machine, &name);
            let existing = executions
                .describe(&arn)
                .await
                .map_err(|f| f.into_step_error(&format!("reading execution {arn}")))?;
            let parent = existing
                .input
                .as_deref()
                .and_then(|text| serde_json::from_str::<Continuation>(text).ok())
                .map(|c| c.resume.parent_execution_arn);
            if parent.as_deref() != Some(call.execution.as_str()) {
                return Err(StepError::new(
                    ErrorKind::ResourceConflict,
                    format!(
                        "{context}: an execution named {name} exists already and was not started by \
                         this execution, so it does not continue this run. Stop this run's task or \
                         start the run again under a new execution name."
                    ),
                ));
            }
            existing.execution_arn
        }
        Err(fault) => return Err(fault.into_step_error(&context)),
    };
    state.step.done = true;
    state.result = json!({
        "run_id": run.names.metric_run_dimension,
        "generation": run.generation,
        "continued_in": {
            "execution_name": name,
            "execution_arn": successor,
            "generation": generation,
        },
    });
    Ok(state)
}

#[cfg(test)]
#[path = "continue_in_new_execution_tests.rs"]
mod tests;
