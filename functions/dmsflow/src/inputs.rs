//! What an input file asks of dmsflow, checked offline as the stack checks it: a
//! migration spec (ValidateSpec's validation), a wave (PrepareWave's), a list of
//! specs (a wave's manifest), or a cleanup or cutover request (ClaimRun's). No
//! I/O: a wave's manifest is read by the caller's `read_manifest`. The
//! `dmsflow validate` command and the sample-input test use it.

use serde_json::{Value, json};

use crate::spec::parse::invalid_spec;
use crate::spec::stack_bounds::StackBounds;
use crate::steps::validate_spec::{self, Validated};
use crate::wave::{self, WaveRequest};
use crate::workflow::{Route, RunState};

/// An input that passed its checks.
#[derive(Debug, Clone, PartialEq)]
pub enum Checked {
    /// A migration spec: its defaults filled in, its names and plan.
    Spec(Box<Validated>),
    /// A wave (inline or from its manifest), its specs validated.
    Wave(WaveRequest),
    /// A wave's manifest: the list of specs, validated as a wave validates them.
    Manifest(WaveRequest),
    /// A cleanup or cutover request for run `run_id`.
    Request { route: Route, run_id: String },
}

impl Checked {
    /// One line saying what the input is.
    pub fn describe(&self) -> String {
        match self {
            Checked::Spec(validated) => format!(
                "migration spec of run {} ({} steps planned)",
                validated.names.metric_run_dimension,
                validated.plan.len()
            ),
            Checked::Wave(request) => format!(
                "wave {} of {} run(s), at most {} at a time",
                request.wave_id,
                request.runs.len(),
                request.max_concurrent
            ),
            Checked::Manifest(request) => {
                format!("manifest of {} migration spec(s)", request.runs.len())
            }
            Checked::Request { route, run_id } => {
                let what = match route {
                    Route::Cutover => "cutover",
                    _ => "cleanup",
                };
                format!("{what} request for run {run_id}")
            }
        }
    }
}

/// Checks `input` within the stack's bounds `stack`; `read_manifest` gives the
/// JSON of a wave's manifest from its key (`manifests/...`). The error is the
/// message the stack would answer, every problem at once.
pub fn check(
    input: &Value,
    stack: &StackBounds,
    read_manifest: impl FnOnce(&str) -> Result<Value, String>,
) -> Result<Checked, String> {
    let action = input.get("action").and_then(Value::as_str);
    match (action, input) {
        (_, Value::Array(_)) => {
            let as_wave = json!({"action": "wave", "wave_id": "manifest", "manifest": "-"});
            WaveRequest::parse(&as_wave, Some(Ok(input.clone())), stack)
                .map(Checked::Manifest)
                .map_err(|problems| problems.join("\n"))
        }
        (Some("wave"), _) => {
            // Offline, the stack's bucket is the one the input names.
            let named = input
                .get("manifest")
                .and_then(Value::as_str)
                .and_then(|m| m.strip_prefix("s3://"))
                .and_then(|m| m.split_once('/'))
                .map_or("wave-bucket", |(bucket, _)| bucket);
            let manifest = match wave::manifest_key(input, Some(named)) {
                Ok(None) => None,
                Ok(Some(key)) => Some(read_manifest(&key)),
                Err(problem) => Some(Err(problem)),
            };
            WaveRequest::parse(input, manifest, stack)
                .map(Checked::Wave)
                .map_err(|problems| problems.join("\n"))
        }
        (Some(_), _) => {
            let state = RunState::begin(CHECK_EXECUTION, input.clone()).map_err(|e| e.message)?;
            let run_id = input
                .get("run_id")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            Ok(Checked::Request {
                route: state.route,
                run_id,
            })
        }
        (None, Value::Object(_)) => validate_spec::validate(input, stack)
            .map(|validated| Checked::Spec(Box::new(validated)))
            .map_err(|e| e.message),
        (None, _) => Err(invalid_spec(&[crate::spec::parse::SpecProblem::new(
            "",
            "the input is neither a JSON object nor a list of specs",
            "give a migration spec, a wave, a cleanup or cutover request, or a list of specs",
        )])
        .message),
    }
}

/// The execution an offline check reads a request as.
const CHECK_EXECUTION: &str =
    "arn:aws:states:us-east-1:123456789012:execution:dmsflow-migration:check";

#[cfg(test)]
#[path = "inputs_tests.rs"]
mod tests;
