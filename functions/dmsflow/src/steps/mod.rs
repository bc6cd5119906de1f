//! The step handlers, one module per Lambda function. Each is a reconciler: it
//! reads the current state from AWS, takes the next safe action, and reports what
//! it did, what it waits for and how long to wait before the next call. Running a
//! step twice with the same input is always safe.

pub mod check_progress;
pub mod claim_run;
pub mod cleanup;
pub mod create;
pub mod enable_validation;
pub mod read;
pub mod start;
pub mod test_connection;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::StepResult;
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
    /// Parses and validates the spec (an `InvalidSpec` error lists every problem).
    pub fn spec(&self) -> StepResult<MigrationSpec> {
        crate::spec::parse::parse_value(&self.spec)
    }
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
