//! The step handlers, one module per Lambda function. Each is a reconciler: it
//! reads the current state from AWS, takes the next safe action, and reports what
//! it did, what it waits for and how long to wait before the next call. Running a
//! step twice with the same input is always safe.

pub mod assess;
pub mod check_progress;
pub mod claim_run;
pub mod cleanup;
pub mod continue_in_new_execution;
pub mod create;
pub mod drain_replication;
pub mod enable_validation;
pub mod notify;
pub mod prepare_wave;
pub mod read;
pub mod start;
pub mod stop_replication;
pub mod test_connection;
pub mod validate_spec;
pub mod verify_target;
pub mod wave;
#[cfg(test)]
pub(crate) mod wave_fakes;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{ErrorKind, StepError, StepResult};
use crate::spec::MigrationSpec;

/// The input every looping step receives from the state machine.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepInput {
    /// The migration spec, as the validate step returned it (defaults filled in).
    pub spec: Value,
    /// When the state machine entered this step's loop (RFC 3339, from
    /// `$$.State.EnteredTime` of the loop's first state). Bounds the loop's total time.
    #[serde(default)]
    pub loop_started_at: Option<String>,
    /// The previous report of this step in the loop, if any.
    #[serde(default)]
    pub previous: Option<Value>,
}

impl StepInput {
    /// The run's spec, as ValidateSpec normalized it.
    pub fn spec(&self) -> StepResult<MigrationSpec> {
        read_spec(&self.spec)
    }
}

/// Reads a spec that ValidateSpec has validated and normalized (every default
/// filled in), with plain serde: the whole validation runs once per run, in
/// ValidateSpec, not on every call of every step.
pub fn read_spec(spec: &Value) -> StepResult<MigrationSpec> {
    serde_json::from_value(spec.clone()).map_err(|error| {
        StepError::new(
            ErrorKind::InvalidSpec,
            format!(
                "the run's spec is not one ValidateSpec returned ({error}); start the run with \
                 the migration spec itself, not a step's input"
            ),
        )
    })
}

/// What a step reports back to the state machine.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepReport<D> {
    /// True when the step's goal holds: the state machine moves on.
    pub done: bool,
    /// What this call did (human-readable, one line each), empty when it only looked.
    pub actions: Vec<String>,
    /// What the step waits for when not done.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waiting_for: Option<String>,
    /// Suggested wait before the next call, in seconds (the state machine's
    /// `SecondsPath`).
    pub wait_seconds: u32,
    /// Step-specific details.
    #[serde(flatten)]
    pub detail: D,
}

impl<D> StepReport<D> {
    /// A report. Once `done`, there is nothing to wait for: `waiting_for` is
    /// dropped and the suggested wait is 0; otherwise it is `wait_seconds`.
    pub fn new(
        done: bool,
        actions: Vec<String>,
        waiting_for: Option<String>,
        wait_seconds: u32,
        detail: D,
    ) -> Self {
        Self {
            done,
            actions,
            waiting_for: waiting_for.filter(|_| !done),
            wait_seconds: if done { 0 } else { wait_seconds },
            detail,
        }
    }
}
