//! The typed state document and how a step reads it and writes to it.

use std::collections::BTreeMap;
use std::time::SystemTime;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::cutover::CutoverRecord;
use crate::error::{ErrorKind, StepError, StepResult};
use crate::naming::Names;
use crate::spec::MigrationSpec;
use crate::steps::{StepInput, StepReport, read_spec};

/// What a Task sends its function.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepCall {
    /// `$`: the state as the previous state left it (on ClaimRun's first call,
    /// and on NotifyFailure after ClaimRun failed at once, the execution input).
    pub state: Value,
    /// `$$.State.Name`: the state this call serves.
    pub step: String,
    /// `$$.Execution.Id`: this execution's ARN.
    pub execution: String,
    /// `$$.Execution.Input` (ClaimRun only).
    #[serde(default)]
    pub input: Option<Value>,
    /// `$$.Task.Token` (AwaitApproval only): the token a person's answer carries.
    #[serde(default)]
    pub token: Option<String>,
}

/// What the execution input asks for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Route {
    /// A migration spec: a new run, or a rerun of one.
    #[default]
    Migrate,
    /// `{"action": "cleanup", "run_id": ...}`: tear a run down.
    Teardown,
    /// A continuation started by the previous execution of a long run.
    Resume,
    /// `{"action": "cutover", "run_id": ...}`: drain, stop and verify a run in CDC,
    /// then hand over.
    Cutover,
}

/// The run, once its spec is validated (or carried on by a continuation).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Run {
    /// The spec with every default filled in; steps read it with plain serde.
    pub spec: Value,
    pub names: Names,
    /// What the run creates and does, one line each (ValidateSpec's dry run).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub plan: Vec<String>,
    /// 1 for the first execution of the run, n for its (n-1)th continuation.
    pub generation: u32,
    /// The execution that started this chain (this one in generation 1).
    pub first_execution_arn: String,
    /// What earlier steps want the success notice to say (the assessment's warnings).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

impl Run {
    /// The run's replication instance; `None` on DMS Serverless (`compute:
    /// serverless`), which has none.
    pub fn instance(&self) -> Option<&str> {
        (!self.is_serverless()).then_some(self.names.instance.as_str())
    }

    /// The run replicates on DMS Serverless (a replication config, no task).
    pub fn is_serverless(&self) -> bool {
        self.spec.get("compute").and_then(Value::as_str) == Some("serverless")
    }
}

/// The loop of the step in progress.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StepState {
    /// The state (step) this is the loop of.
    pub name: String,
    /// When the loop's first call ran (RFC 3339): the step bounds the loop from it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<String>,
    /// Calls of the loop in this execution.
    pub calls: u32,
    /// The step's goal holds: the definition moves on.
    pub done: bool,
    /// How long the loop's Wait state waits before the next call.
    pub wait_seconds: u32,
    /// CheckProgress only: this execution has made its share of checks, the run
    /// continues in a new execution.
    pub hand_over: bool,
    /// The step's last report.
    pub report: Value,
}

/// The success notice, as NotifySuccess sent it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Outcome {
    /// `completion.then`: `leave-running` or `stop-and-clean-up`.
    pub then: String,
    /// Where the notice went (`None`: nowhere).
    #[serde(default)]
    pub notified: Option<String>,
}

/// The failure the execution ends with, as NotifyFailure recorded it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Failure {
    /// The state that failed.
    pub state: String,
    /// Its `error_type` (the execution's error).
    pub error: String,
    /// What happened, in words (the execution's cause).
    pub cause: String,
    /// The topic the alert went to (`None`: it could not be published).
    #[serde(default)]
    pub alerted_to: Option<String>,
    /// The spec's failure cleanup policy applies next.
    pub clean_up: bool,
}

/// An error the definition's Catch put into the state (`{"Error", "Cause"}`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Caught {
    #[serde(rename = "Error")]
    pub error: String,
    /// Empty when the error came without one (a `send-task-failure` without
    /// `--cause` gives `null`).
    #[serde(rename = "Cause", default, deserialize_with = "null_as_empty")]
    pub cause: String,
}

fn null_as_empty<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(Option::<String>::deserialize(d)?.unwrap_or_default())
}

/// The state document.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RunState {
    /// This execution's ARN.
    pub execution: String,
    pub route: Route,
    /// The run this execution drives, once ClaimRun has read the input.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_id: Option<String>,
    /// The migration spec as given, until ValidateSpec has read it.
    #[serde(default, skip_serializing_if = "Value::is_null")]
    pub input: Value,
    /// The run election's date for this run; a continuation carries it on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claimed_since_ms: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run: Option<Run>,
    #[serde(default)]
    pub step: StepState,
    /// A continuation's progress checks, until CheckProgress takes them up again
    /// (ClaimRun's own loop runs in `step` first).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resumed: Option<StepState>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<Outcome>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure: Option<Failure>,
    /// Errors the definition caught, by the state that failed.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub failed_at: BTreeMap<String, Caught>,
    /// A cutover's request and what it has found so far: a [`CutoverRecord`],
    /// kept as JSON so that only the functions that read it carry its parser
    /// (`cutover_record`, `keep_cutover_record`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cutover: Option<Value>,
    /// What the execution answers when it ends well (the Succeed states' output).
    #[serde(default, skip_serializing_if = "Value::is_null")]
    pub result: Value,
}

/// RFC 3339 with milliseconds, as Step Functions writes times.
pub fn rfc3339(at: SystemTime) -> String {
    humantime::format_rfc3339_millis(at).to_string()
}

impl RunState {
    /// The state a Task received; `InvalidSpec` if it is not one (a definition
    /// that does not match the functions).
    pub fn read(value: Value) -> StepResult<RunState> {
        serde_json::from_value(value).map_err(|error| {
            StepError::new(
                ErrorKind::InvalidSpec,
                format!(
                    "the state this step received is not dmsflow's ({error}); the state machine \
                     definition and the functions are from different versions: deploy them together"
                ),
            )
        })
    }

    /// The run, or `InvalidSpec` when a step that needs one runs before ValidateSpec.
    pub fn run(&self) -> StepResult<&Run> {
        self.run.as_ref().ok_or_else(|| {
            StepError::new(
                ErrorKind::InvalidSpec,
                "this step needs the run's validated spec, and the state has none: ValidateSpec \
                 comes first (check the state machine definition)",
            )
        })
    }

    /// The run's spec, read with plain serde.
    pub fn spec(&self) -> StepResult<MigrationSpec> {
        read_spec(&self.run()?.spec)
    }

    /// The loop of `step` in progress, if `step` is the state's step (or the
    /// continued progress checks of a continuation).
    fn current(&self, step: &str) -> Option<&StepState> {
        if self.step.name == step {
            Some(&self.step)
        } else {
            self.resumed.as_ref().filter(|r| r.name == step)
        }
    }

    /// When `step`'s loop started and its last report: the loop in progress, or a
    /// new loop starting `now`.
    pub fn loop_of(&self, step: &str, now: SystemTime) -> (Option<String>, Option<Value>) {
        match self.current(step) {
            Some(current) => (
                current.started_at.clone(),
                Some(current.report.clone()).filter(|r| !r.is_null()),
            ),
            None => (Some(rfc3339(now)), None),
        }
    }

    /// The input of the next call of `step`.
    pub fn step_input(&self, step: &str, now: SystemTime) -> StepResult<StepInput> {
        let (loop_started_at, previous) = self.loop_of(step, now);
        Ok(StepInput {
            spec: self.run()?.spec.clone(),
            loop_started_at,
            previous,
        })
    }

    /// The cutover's record, for `step`; `InvalidSpec` when the execution is no
    /// cutover (a definition that does not match the functions).
    pub fn cutover_record(&self, step: &str) -> StepResult<CutoverRecord> {
        self.cutover
            .clone()
            .and_then(|record| serde_json::from_value(record).ok())
            .ok_or_else(|| {
                StepError::new(
                    ErrorKind::InvalidSpec,
                    format!(
                        "{step} serves a cutover request and the state holds none: start it with \
                         {{\"action\": \"cutover\", \"run_id\": ...}} (check the state machine definition)"
                    ),
                )
            })
    }

    /// Keeps the cutover's record in the state.
    pub fn keep_cutover_record(&mut self, record: &CutoverRecord) {
        self.cutover = serde_json::to_value(record).ok();
    }

    /// A cutover step's record and the input of its next call (no spec: a cutover
    /// names its run by run_id only).
    pub fn cutover_input(
        &self,
        step: &str,
        now: SystemTime,
    ) -> StepResult<(CutoverRecord, StepInput)> {
        let record = self.cutover_record(step)?;
        let (loop_started_at, previous) = self.loop_of(step, now);
        Ok((
            record,
            StepInput {
                spec: Value::Null,
                loop_started_at,
                previous,
            },
        ))
    }

    /// Records a call's report as the step's new state.
    pub fn record<D: Serialize>(
        &mut self,
        step: &str,
        started_at: Option<String>,
        report: &StepReport<D>,
    ) {
        let calls = self
            .current(step)
            .map_or(1, |current| current.calls.saturating_add(1));
        if self.resumed.as_ref().is_some_and(|r| r.name == step) {
            self.resumed = None;
        }
        self.step = StepState {
            name: step.to_string(),
            started_at,
            calls,
            done: report.done,
            wait_seconds: report.wait_seconds,
            hand_over: false,
            report: serde_json::to_value(report).unwrap_or(Value::Null),
        };
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::steps::StepReport;

    fn at(s: &str) -> SystemTime {
        humantime::parse_rfc3339_weak(s).unwrap()
    }

    fn with_run() -> RunState {
        RunState {
            execution: "arn:aws:states:us-east-1:1:execution:sm:e".into(),
            run: Some(Run {
                spec: json!({"run_id": "orders"}),
                names: Names::for_run("orders"),
                plan: vec![],
                generation: 1,
                first_execution_arn: "arn:aws:states:us-east-1:1:execution:sm:e".into(),
                notes: Vec::new(),
            }),
            ..RunState::default()
        }
    }

    #[test]
    fn a_caught_error_without_a_cause_reads_as_an_empty_cause() {
        let caught: Caught =
            serde_json::from_value(json!({"Error": "CutoverRejected", "Cause": null})).unwrap();
        assert_eq!(
            (caught.error.as_str(), caught.cause.as_str()),
            ("CutoverRejected", "")
        );
        let caught: Caught = serde_json::from_value(json!({"Error": "States.Timeout"})).unwrap();
        assert_eq!(caught.cause, "");
    }

    #[test]
    fn a_new_step_starts_its_loop_now_and_the_same_step_carries_it_on() {
        let mut state = with_run();
        let now = at("2026-12-05T10:00:00Z");
        let first = state.step_input("CreateResources", now).unwrap();
        assert_eq!(
            first.loop_started_at.as_deref(),
            Some("2026-12-05T10:00:00.000Z")
        );
        assert_eq!(first.previous, None);
        let report = StepReport::new(false, vec![], Some("x".into()), 45, json!({"n": 1}));
        state.record("CreateResources", first.loop_started_at.clone(), &report);
        assert_eq!(
            (state.step.calls, state.step.done, state.step.wait_seconds),
            (1, false, 45)
        );

        let later = at("2026-12-05T10:05:00Z");
        let second = state.step_input("CreateResources", later).unwrap();
        assert_eq!(second.loop_started_at, first.loop_started_at);
        assert_eq!(second.previous.as_ref().unwrap()["n"], 1);
        state.record("CreateResources", second.loop_started_at.clone(), &report);
        assert_eq!(state.step.calls, 2);

        let next = state.step_input("TestConnections", later).unwrap();
        assert_eq!(
            next.loop_started_at.as_deref(),
            Some("2026-12-05T10:05:00.000Z")
        );
        assert_eq!(next.previous, None);
        state.record("TestConnections", next.loop_started_at.clone(), &report);
        assert_eq!(state.step.calls, 1);
    }

    #[test]
    fn the_state_round_trips_and_names_its_choice_fields() {
        let mut state = with_run();
        state.failed_at.insert(
            "CreateResources".into(),
            Caught {
                error: "QuotaExceeded".into(),
                cause: "c".into(),
            },
        );
        let value = serde_json::to_value(&state).unwrap();
        assert_eq!(value["route"], "migrate");
        assert_eq!(value["step"]["done"], false);
        assert_eq!(value["step"]["hand_over"], false);
        assert_eq!(
            value["failed_at"]["CreateResources"]["Error"],
            "QuotaExceeded"
        );
        assert_eq!(RunState::read(value).unwrap(), state);
    }

    #[test]
    fn a_step_without_a_run_or_with_a_foreign_state_says_what_is_wrong() {
        let err = RunState::default()
            .step_input("CreateResources", SystemTime::now())
            .unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidSpec);
        assert!(err.message.contains("ValidateSpec"), "{}", err.message);
        let err = RunState::read(json!({"run_id": "x"})).unwrap_err();
        assert!(
            err.message.contains("deploy them together"),
            "{}",
            err.message
        );
    }
}
