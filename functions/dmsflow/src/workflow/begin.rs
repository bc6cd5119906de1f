//! What an execution input asks for, read once by ClaimRun: a migration spec, a
//! cleanup request, or a continuation of a long run; anything else is refused
//! before anything is touched.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{Route, Run, RunState, StepState};
use crate::cutover::{CutoverRecord, CutoverRequest};
use crate::error::{ErrorKind, StepError, StepResult};
use crate::naming::Names;
use crate::spec::parse::parse_value;

/// The input a run's next execution is started with (by ContinueInNewExecution).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Continuation {
    /// The run's normalized spec.
    pub spec: Value,
    pub resume: Resume,
    /// Links the two executions in the Step Functions console.
    #[serde(
        rename = "AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub started_by: Option<String>,
}

/// Where the run's progress checks resume.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Resume {
    /// The generation of the execution this input starts (2 for the first continuation).
    pub generation: u32,
    pub parent_execution_arn: String,
    /// The chain's first execution.
    pub first_execution_arn: String,
    pub names: Names,
    /// When the run's progress checks began (the loop's bound counts from it).
    pub loop_started_at: String,
    /// CheckProgress's last report.
    pub previous: Value,
    /// The chain's claim: nothing started during the hand-over outranks it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claimed_since_ms: Option<i64>,
    /// What earlier steps want the success notice to say.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

const NOT_UNDERSTOOD: &str = "The execution input is not understood. Start an execution with a \
     migration spec (see events/), with {\"action\": \"cleanup\", \"run_id\": \"<run id>\"} to tear a \
     run down, with {\"action\": \"cutover\", \"run_id\": \"<run id>\"} to cut a run in CDC \
     over, or let the state machine start its own continuations.";

fn refuse(detail: &str) -> StepError {
    StepError::new(
        ErrorKind::InvalidSpec,
        format!("{NOT_UNDERSTOOD} ({detail})"),
    )
}

impl RunState {
    /// The state an execution starts with, from its input.
    pub fn begin(execution: &str, input: Value) -> StepResult<RunState> {
        let Some(object) = input.as_object() else {
            return Err(refuse("it is not a JSON object"));
        };
        let mut state = RunState {
            execution: execution.to_string(),
            ..RunState::default()
        };
        if let Some(action) = object.get("action") {
            let run_id = object.get("run_id").and_then(Value::as_str);
            return match (action.as_str(), run_id) {
                (Some("cleanup"), Some(run_id)) => {
                    state.route = Route::Teardown;
                    state.run_id = Some(run_id.to_string());
                    Ok(state)
                }
                (Some("cleanup"), None) => Err(refuse("a cleanup request needs a run_id string")),
                (Some("cutover"), _) => {
                    let request = CutoverRequest::parse(object).map_err(|problems| {
                        StepError::new(
                            ErrorKind::InvalidSpec,
                            format!(
                                "The cutover request has {} problem(s); nothing was touched:\n- {}",
                                problems.len(),
                                problems.join("\n- ")
                            ),
                        )
                    })?;
                    state.route = Route::Cutover;
                    state.run_id = Some(request.run_id.clone());
                    state.keep_cutover_record(&CutoverRecord::new(request));
                    Ok(state)
                }
                (Some("wave"), _) => Err(refuse(
                    "a wave starts on the stack's wave state machine (output WaveStateMachineArn), not on the migration state machine",
                )),
                _ => Err(refuse(&format!("unknown action {action}"))),
            };
        }
        if object.contains_key("resume") {
            let continuation: Continuation = serde_json::from_value(input)
                .map_err(|e| refuse(&format!("an incomplete continuation: {e}")))?;
            return state.resume(continuation);
        }
        state.run_id = object
            .get("run_id")
            .and_then(Value::as_str)
            .map(str::to_string);
        state.input = input;
        Ok(state)
    }

    /// A continuation: the run as the previous execution left it, its progress
    /// checks resumed where they stopped. Its spec is checked again, as any input is.
    fn resume(mut self, continuation: Continuation) -> StepResult<RunState> {
        let spec = parse_value(&continuation.spec)?;
        let resume = continuation.resume;
        if resume.names != Names::for_run(&spec.run_id) {
            return Err(refuse("the continuation's names are not its run's"));
        }
        self.route = Route::Resume;
        self.run_id = Some(spec.run_id.clone());
        self.claimed_since_ms = resume.claimed_since_ms;
        self.run = Some(Run {
            spec: continuation.spec,
            names: resume.names,
            plan: Vec::new(),
            generation: resume.generation,
            first_execution_arn: resume.first_execution_arn,
            notes: resume.notes,
        });
        self.resumed = Some(StepState {
            name: "CheckProgress".into(),
            started_at: Some(resume.loop_started_at),
            calls: 0,
            done: false,
            wait_seconds: 0,
            hand_over: false,
            report: resume.previous,
        });
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const ME: &str = "arn:aws:states:us-east-1:1:execution:sm:me";

    #[test]
    fn a_spec_a_cleanup_request_and_garbage_are_told_apart() {
        let state = RunState::begin(ME, json!({"run_id": "orders", "source": {}})).unwrap();
        assert_eq!(state.route, Route::Migrate);
        assert_eq!(state.run_id.as_deref(), Some("orders"));
        assert_eq!(state.input["source"], json!({}));

        let state = RunState::begin(ME, json!({"action": "cleanup", "run_id": "orders"})).unwrap();
        assert_eq!(
            (state.route, state.run_id.as_deref()),
            (Route::Teardown, Some("orders"))
        );

        for bad in [
            json!("text"),
            json!({"action": "cleanup"}),
            json!({"action": "explode", "run_id": "x"}),
            json!({"resume": {"generation": 2}, "spec": {}}),
        ] {
            let err = RunState::begin(ME, bad.clone()).unwrap_err();
            assert_eq!(err.kind, ErrorKind::InvalidSpec, "{bad}");
            assert!(err.message.contains("not understood"), "{}", err.message);
        }
    }

    #[test]
    fn a_cutover_request_is_checked_whole_and_kept_with_its_defaults() {
        let state = RunState::begin(
            ME,
            json!({"action": "cutover", "run_id": "orders", "then": "keep"}),
        )
        .unwrap();
        assert_eq!(state.route, Route::Cutover);
        assert_eq!(state.run_id.as_deref(), Some("orders"));
        let record = state
            .cutover_record("ClaimRun")
            .expect("the request is kept");
        assert_eq!(record.request.drained_for_seconds, 120);
        assert_eq!(
            serde_json::to_value(&record.request).unwrap()["then"],
            "keep"
        );
        let err = RunState::begin(
            ME,
            json!({"action": "cutover", "max_latency_seconds": "low", "then": "drop"}),
        )
        .unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidSpec);
        assert!(err.message.contains("3 problem(s)"), "{}", err.message);
        assert!(
            err.message.contains("nothing was touched"),
            "{}",
            err.message
        );
    }
}
