//! The execution's state: the one JSON document the state machine carries from
//! state to state (`$`), typed here.
//!
//! Every Task of the definition sends the whole state to its function with the
//! Step Functions context it needs (`{"state.$": "$", "step.$": "$$.State.Name",
//! "execution.$": "$$.Execution.Id"}`) and takes the function's answer as the new
//! state. So the bookkeeping the definition used to do in Pass states (when a
//! loop started, how many checks it made, what the previous report said, which
//! topic an alert goes to, where a run continues) is done here, typed and tested,
//! and the definition keeps only the recipe: its steps, their loops' Choice and
//! Wait states, the routes, the failure notice and the ends.
//!
//! The Choice states read only these fields: `$.step.done`, `$.step.hand_over`,
//! `$.route`, `$.outcome.then`, `$.failure` (present or not) and
//! `$.failure.clean_up`; the Wait states read `$.step.wait_seconds`; the Fail
//! state `$.failure.error` and `$.failure.cause`; the Succeed states `$.result`.
//! A step that fails leaves the state as it was, and the definition's Catch adds
//! the error under the failed state's name (`$.failed_at.<State>`), which
//! NotifyFailure reads.

mod begin;
mod state;

pub use begin::{Continuation, Resume};

pub use state::{Caught, Failure, Outcome, Route, Run, RunState, StepCall, StepState, rfc3339};

use std::future::Future;
use std::time::SystemTime;

use serde::Serialize;

use crate::error::StepResult;
use crate::steps::{StepInput, StepReport};

/// One call of a looping step: the step's input from the state (a new loop when
/// the state's step is another one), the step's report back into the state.
pub async fn advance<D, F, Fut>(call: StepCall, now: SystemTime, step: F) -> StepResult<RunState>
where
    D: Serialize,
    F: FnOnce(StepInput) -> Fut,
    Fut: Future<Output = StepResult<StepReport<D>>>,
{
    let mut state = RunState::read(call.state)?;
    let input = state.step_input(&call.step, now)?;
    let started_at = input.loop_started_at.clone();
    let report = step(input).await?;
    state.record(&call.step, started_at, &report);
    Ok(state)
}

/// The state machine of an execution, from the execution's ARN
/// The ARN of execution `name` of the state machine `state_machine_arn`.
pub fn execution_arn(state_machine_arn: &str, name: &str) -> String {
    format!(
        "{}:{name}",
        state_machine_arn.replace(":stateMachine:", ":execution:")
    )
}

/// (`arn:<partition>:states:<region>:<account>:execution:<state machine>:<name>`).
pub fn state_machine_arn(execution_arn: &str) -> StepResult<String> {
    let parts: Vec<&str> = execution_arn.split(':').collect();
    match parts.as_slice() {
        [
            arn,
            partition,
            "states",
            region,
            account,
            "execution",
            machine,
            _name,
        ] => Ok(format!(
            "{arn}:{partition}:states:{region}:{account}:stateMachine:{machine}"
        )),
        _ => Err(crate::error::StepError::new(
            crate::error::ErrorKind::InvalidSpec,
            format!(
                "{execution_arn} is not an execution ARN; the state machine passes $$.Execution.Id"
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_state_machine_is_read_from_the_execution_arn() {
        assert_eq!(
            state_machine_arn(
                "arn:aws:states:eu-west-1:111122223333:execution:dmsflow-migration:orders"
            )
            .unwrap(),
            "arn:aws:states:eu-west-1:111122223333:stateMachine:dmsflow-migration"
        );
        assert!(state_machine_arn("orders").is_err());
    }
}
