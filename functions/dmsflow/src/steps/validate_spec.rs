//! ValidateSpec: checks the migration spec once, before anything is created, and
//! fills in every default.
//!
//! No AWS call. The spec is checked against its JSON Schema and every rule of
//! [`crate::spec::check`] (an `InvalidSpec` error lists every problem at once,
//! each with its field path and the fix) and the stack's bounds
//! ([`crate::spec::stack_bounds`]: the roles it may pass, the topics it may reach),
//! `notifications.sns_topic_arn` is filled
//! from the stack's alert topic when the spec names none, and the state gets the
//! run: the normalized spec (every later step reads it with plain serde), the
//! run's resource names and a dry run of what it will create and do.

use serde::Serialize;
use serde_json::{Value, json};

use super::StepReport;
use crate::error::{ErrorKind, StepError, StepResult};
use crate::naming::Names;
use crate::plan;
use crate::spec::MigrationSpec;
use crate::spec::parse::{SpecProblem, invalid_spec, validate_value};
use crate::spec::stack_bounds::{self, StackBounds};
use crate::workflow::{Run, RunState, StepCall};

/// What validation answers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Validated {
    /// The spec with every default filled in (the input of every later step).
    pub spec: Value,
    pub names: Names,
    /// What the run will create and do, one line each.
    pub plan: Vec<String>,
}

/// ValidateSpec as the state machine calls it: validates the input kept by
/// ClaimRun within the stack's bounds.
pub fn step(call: StepCall, stack: &StackBounds) -> StepResult<RunState> {
    let mut state = RunState::read(call.state)?;
    let validated = validate(&state.input, stack)?;
    let actions = vec![format!(
        "validated the spec of run {}",
        validated.names.metric_run_dimension
    )];
    state.input = Value::Null;
    state.run = Some(Run {
        spec: validated.spec,
        names: validated.names,
        plan: validated.plan,
        generation: 1,
        first_execution_arn: state.execution.clone(),
        notes: Vec::new(),
    });
    state.record(
        &call.step,
        None,
        &StepReport::new(true, actions, None, 0, json!({})),
    );
    Ok(state)
}

/// Checks `spec` and fills in its defaults; see the module documentation.
pub fn validate(spec: &Value, stack: &StackBounds) -> StepResult<Validated> {
    let default_topic = stack.alert_topic.clone().filter(|t| !t.trim().is_empty());
    let has_topic = spec
        .pointer("/notifications/sns_topic_arn")
        .is_some_and(Value::is_string);
    let mut problems = Vec::new();
    if !has_topic && default_topic.is_none() {
        problems.push(SpecProblem::new(
            "notifications.sns_topic_arn",
            "no SNS topic for alerts: the spec names none and the stack has no default topic",
            "set notifications.sns_topic_arn to the ARN of an SNS topic in this region",
        ));
    }
    let mut spec = match validate_value(spec) {
        Ok(spec) => {
            problems.extend(stack_bounds::check(&spec, stack));
            if !problems.is_empty() {
                return Err(invalid_spec(&problems));
            }
            spec
        }
        Err(mut found) => {
            found.append(&mut problems);
            return Err(invalid_spec(&found));
        }
    };
    if spec.notifications.sns_topic_arn.is_none() {
        spec.notifications.sns_topic_arn = default_topic;
    }
    let topic = topic(&spec)?;
    let names = Names::for_run(&spec.run_id);
    let plan = plan::dry_run(&spec, &names, &topic);
    let spec = serde_json::to_value(&spec).map_err(|e| {
        StepError::new(
            ErrorKind::InvalidSpec,
            format!("the spec cannot be written back as JSON ({e})"),
        )
    })?;
    Ok(Validated { spec, names, plan })
}

pub fn topic(spec: &MigrationSpec) -> StepResult<String> {
    spec.notifications.sns_topic_arn.clone().ok_or_else(|| {
        StepError::new(
            ErrorKind::InvalidSpec,
            "notifications.sns_topic_arn is missing: ValidateSpec fills it; \
             pass the spec it returned",
        )
    })
}

#[cfg(test)]
#[path = "validate_spec_tests.rs"]
mod tests;
