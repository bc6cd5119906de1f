//! Waves: many migrations started together, each its own execution of the
//! migration state machine, at most `max_concurrent` at a time, ending with one
//! report. Plain Rust, no I/O: the wave's input and its checks, the names of the
//! runs' executions, and the outcomes the report is made of.
//!
//! Input (the wave state machine's):
//! `{"action": "wave", "wave_id", "runs": [spec, ...] | "manifest": "s3://<wave
//! bucket>/manifests/<file>.json", "max_concurrent", "tolerated_failures",
//! "start_spacing_seconds", "poll_minutes", "run_timeout_hours"}`. A manifest is
//! a JSON list of specs in the stack's wave bucket, for waves whose specs do not
//! fit in an execution's input. Every spec is validated as ValidateSpec validates
//! it, and every problem of every spec is reported at once, before the first run
//! starts.
//!
//! A run's execution is named after the wave and the run (`<wave_id>--<run_id>`,
//! then `-r2`, `-r3` for the attempts of later reruns of the wave). Step Functions
//! keeps a name for 90 days after its execution ends (StartExecution, API
//! reference), so a wave rerun finds each run's earlier attempts by name: a run
//! whose last attempt succeeded is skipped, one still running is followed, one
//! that failed gets a new attempt. A long run hands over to executions named
//! `<name>-gen-<n>` (ContinueInNewExecution): the wave follows them too.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::naming;
use crate::spec::stack_bounds::StackBounds;
use crate::steps::validate_spec;

/// Longest `wave_id` (the execution names keep room for the run id).
pub const MAX_WAVE_ID_LEN: usize = 32;
/// Most runs in one wave. Their specs stay out of the wave's state (PrepareWave
/// writes them to the stack's wave bucket, where the Distributed Map reads them),
/// but every run's outcome comes back into it: 500 outcomes at their longest take
/// under 240 KiB of Step Functions' 256 KiB (a test measures it).
pub const MAX_RUNS: usize = 500;
/// Where a wave's manifest must be: the stack's wave bucket, under this prefix
/// (the prepare-wave function's role may read nothing else of it).
pub const MANIFEST_PREFIX: &str = "manifests/";
/// Where PrepareWave writes the runs the Distributed Map reads:
/// `prepared/<wave_id>/<wave execution name>.json`.
pub const PREPARED_PREFIX: &str = "prepared/";
/// Most runs at a time (a wave's every run; the Distributed Map state itself
/// allows up to 10,000 child executions at once).
pub const MAX_CONCURRENT: u32 = MAX_RUNS as u32;
/// Most looks at one run: each run is watched in a child workflow execution of
/// its own, which Step Functions ends at 25,000 history events; a look (Wait,
/// FollowRun's Task, the Choice) records 9 of them.
pub const MAX_LOOKS: u32 = 2_500;

/// A wave's input, checked, with its defaults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WaveRequest {
    pub wave_id: String,
    /// The specs, normalized by validation (defaults filled in), from `runs` or
    /// the manifest.
    pub runs: Vec<Value>,
    pub max_concurrent: u32,
    pub tolerated_failures: u32,
    pub start_spacing_seconds: u32,
    pub poll_minutes: u32,
    pub run_timeout_hours: u32,
}

/// One integer field: its value, its default, its bounds.
fn number(
    input: &Map<String, Value>,
    field: &str,
    default: u32,
    (min, max): (u32, u32),
    problems: &mut Vec<String>,
) -> u32 {
    match input.get(field) {
        None | Some(Value::Null) => default,
        Some(value) => match value.as_u64().and_then(|n| u32::try_from(n).ok()) {
            Some(n) if (min..=max).contains(&n) => n,
            _ => {
                problems.push(format!(
                    "{field}: {value} is not a whole number from {min} to {max}; give one in that range or leave it out (default {default})"
                ));
                default
            }
        },
    }
}

impl WaveRequest {
    /// Checks a wave's input and every spec in it; every problem at once, each
    /// naming its field and the fix. `manifest` is what reading the input's
    /// manifest gave (its JSON, or the problem of finding or reading it), `None`
    /// when the input names none.
    pub fn parse(
        input: &Value,
        manifest: Option<Result<Value, String>>,
        stack: &StackBounds,
    ) -> Result<WaveRequest, Vec<String>> {
        let mut problems = Vec::new();
        let Some(input) = input.as_object() else {
            return Err(vec![
                "the wave's input is not a JSON object: give {\"action\": \"wave\", \"wave_id\": ..., \"runs\": [...]}".into(),
            ]);
        };
        const KNOWN: [&str; 9] = [
            "action",
            "wave_id",
            "runs",
            "manifest",
            "max_concurrent",
            "tolerated_failures",
            "start_spacing_seconds",
            "poll_minutes",
            "run_timeout_hours",
        ];
        for key in input.keys().filter(|k| !KNOWN.contains(&k.as_str())) {
            problems.push(format!(
                "{key}: not a field of a wave; the fields are {}",
                KNOWN.join(", ")
            ));
        }
        if input.get("action").and_then(Value::as_str) != Some("wave") {
            problems.push("action: must be \"wave\" on the wave state machine".into());
        }
        let wave_id = input
            .get("wave_id")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let id_ok = !wave_id.is_empty()
            && wave_id.len() <= MAX_WAVE_ID_LEN
            && wave_id.starts_with(|c: char| c.is_ascii_alphanumeric())
            && wave_id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-')
            && !wave_id.contains("--");
        if !id_ok {
            problems.push(format!(
                "wave_id: {:?} must be 1 to {MAX_WAVE_ID_LEN} letters, digits and single hyphens, starting with a letter or digit; it names the runs' executions",
                wave_id
            ));
        }
        let (label, specs) = specs(input, manifest, &mut problems);
        let max_concurrent = number(
            input,
            "max_concurrent",
            5,
            (1, MAX_CONCURRENT),
            &mut problems,
        );
        // Bounded by the runs once they are known (by the most a wave holds when
        // they are not, so no wrong fix is suggested).
        let most = if specs.is_empty() {
            MAX_RUNS
        } else {
            specs.len()
        };
        let tolerated_failures = number(
            input,
            "tolerated_failures",
            0,
            (0, u32::try_from(most).unwrap_or(0)),
            &mut problems,
        );
        let start_spacing_seconds = number(
            input,
            "start_spacing_seconds",
            30,
            (0, 3_600),
            &mut problems,
        );
        let poll_minutes = number(input, "poll_minutes", 10, (1, 60), &mut problems);
        let run_timeout_hours = number(input, "run_timeout_hours", 72, (1, 2_160), &mut problems);
        let looks = run_timeout_hours.saturating_mul(60) / poll_minutes.max(1);
        if looks > MAX_LOOKS {
            problems.push(format!(
                "run_timeout_hours / poll_minutes: {run_timeout_hours} h at one look every {poll_minutes} min is {looks} looks at a run, more than the {MAX_LOOKS} its watch's 25,000-event history holds; raise poll_minutes to at least {} or lower run_timeout_hours",
                (run_timeout_hours * 60).div_ceil(MAX_LOOKS)
            ));
        }

        let mut runs = Vec::new();
        let mut seen: Vec<String> = Vec::new();
        for (i, spec) in specs.iter().enumerate() {
            let run_id = spec
                .get("run_id")
                .and_then(Value::as_str)
                .unwrap_or("?")
                .to_string();
            if let Some(why) = name_clash(&run_id) {
                problems.push(format!(
                    "{label}[{i}].run_id: {run_id} {why}, which the names of a wave's executions use; rename the run"
                ));
            }
            if seen.contains(&run_id) {
                problems.push(format!(
                    "{label}[{i}].run_id: {run_id} is already the run_id of an earlier run of this wave; each run needs its own"
                ));
            }
            seen.push(run_id.clone());
            match validate_spec::validate(spec, stack) {
                Ok(validated) => runs.push(validated.spec),
                Err(error) => problems.push(format!("{label}[{i}] ({run_id}): {}", error.message)),
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(WaveRequest {
            wave_id,
            runs,
            max_concurrent,
            tolerated_failures,
            start_spacing_seconds,
            poll_minutes,
            run_timeout_hours,
        })
    }
}

/// The wave's specs and the field they came from (`runs` or `manifest`): one of
/// the two, a list of 1 to [`MAX_RUNS`].
fn specs(
    input: &Map<String, Value>,
    manifest: Option<Result<Value, String>>,
    problems: &mut Vec<String>,
) -> (&'static str, Vec<Value>) {
    let (label, given) = match (input.get("runs"), input.contains_key("manifest")) {
        (Some(_), true) => {
            problems.push(
                "runs, manifest: give the specs in one of them, not both (manifest for waves too big for an execution's input)".into(),
            );
            return ("runs", Vec::new());
        }
        (_, true) => match manifest {
            Some(Ok(list)) => ("manifest", list),
            Some(Err(problem)) => {
                problems.push(problem);
                return ("manifest", Vec::new());
            }
            None => {
                problems.push("manifest: it was not read; name it as s3://<wave bucket>/manifests/<file>.json".into());
                return ("manifest", Vec::new());
            }
        },
        (runs, false) => ("runs", runs.cloned().unwrap_or(Value::Null)),
    };
    match given {
        Value::Array(runs) if !runs.is_empty() && runs.len() <= MAX_RUNS => (label, runs),
        Value::Array(runs) if runs.len() > MAX_RUNS => {
            problems.push(format!(
                "{label}: {} runs; a wave holds at most {MAX_RUNS}: split it into waves",
                runs.len()
            ));
            (label, Vec::new())
        }
        _ => {
            problems.push(format!(
                "{label}: give a list of one or more migration specs (as the migration state machine takes them){}",
                if label == "manifest" { ", as the manifest's whole content" } else { ", or a manifest of them in the stack's wave bucket" }
            ));
            (label, Vec::new())
        }
    }
}

/// The key of the wave's manifest in the stack's wave bucket `bucket`, from the
/// input's `manifest` (`s3://<bucket>/manifests/...`, or the key alone);
/// `Ok(None)` when the input names none, `Err` the problem with the fix.
pub fn manifest_key(input: &Value, bucket: Option<&str>) -> Result<Option<String>, String> {
    let Some(given) = input.get("manifest") else {
        return Ok(None);
    };
    let Some(bucket) = bucket.filter(|b| !b.is_empty()) else {
        return Err("manifest: this stack has no wave bucket (DMSFLOW_WAVE_BUCKET is not set); deploy the template again, or give the specs in runs".into());
    };
    let fix = format!(
        "upload it with `aws s3 cp <file>.json s3://{bucket}/{MANIFEST_PREFIX}<file>.json` and give that address"
    );
    let Some(given) = given.as_str() else {
        return Err(format!("manifest: {given} is not an S3 address; {fix}"));
    };
    let key = match given.strip_prefix("s3://") {
        Some(address) => match address.split_once('/') {
            Some((named, key)) if named == bucket => key,
            _ => {
                return Err(format!(
                    "manifest: {given} is not in the stack's wave bucket {bucket}, the only one the wave may read; {fix}"
                ));
            }
        },
        None => given,
    };
    if !key.starts_with(MANIFEST_PREFIX) || key.len() == MANIFEST_PREFIX.len() {
        return Err(format!(
            "manifest: {given} is not under {MANIFEST_PREFIX}, the only prefix of the wave bucket the wave may read; {fix}"
        ));
    }
    Ok(Some(key.to_string()))
}

/// Where PrepareWave writes the runs of wave `wave_id` for its execution
/// `execution_name` (a rerun of the wave writes its own).
pub fn prepared_key(wave_id: &str, execution_name: &str) -> String {
    format!("{PREPARED_PREFIX}{wave_id}/{execution_name}.json")
}

/// Why a run id cannot be told apart in the names of a wave's executions
/// (`<wave_id>--<run_id>`, `-r<attempt>`, and a hand-over's `-gen-<n>`): it holds
/// `--`, ends like an attempt, or holds a generation.
fn name_clash(run_id: &str) -> Option<&'static str> {
    let ends_like_attempt = run_id
        .rsplit_once("-r")
        .is_some_and(|(_, n)| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()));
    let holds_generation = run_id
        .split("-gen-")
        .skip(1)
        .any(|rest| rest.chars().next().is_some_and(|c| c.is_ascii_digit()));
    if run_id.contains("--") {
        Some("holds `--`")
    } else if ends_like_attempt {
        Some("ends in `-r<number>`")
    } else if holds_generation {
        Some("holds `-gen-<number>`")
    } else {
        None
    }
}

/// The name of a run's `attempt`th execution in wave `wave_id`
/// ([`naming::execution_name`]: at most 80 characters).
pub fn execution_name(wave_id: &str, run_id: &str, attempt: u32) -> String {
    let attempt = if attempt <= 1 {
        String::new()
    } else {
        format!("-r{attempt}")
    };
    naming::execution_name(&format!("{wave_id}--{run_id}"), &attempt)
}

/// Where an execution chain (a run's attempt and its hand-overs) stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChainStatus {
    Running,
    Succeeded,
    /// FAILED, TIMED_OUT or ABORTED (Step Functions' status), with its error.
    Failed,
}

/// A run's place in the wave, as PrepareWave hands it to the Map state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WaveRun {
    pub run_id: String,
    pub wave_id: String,
    /// The execution this attempt runs (or the running one it follows).
    pub execution_name: String,
    /// The spec, the migration state machine's input.
    pub input: Value,
    /// The run succeeded in an earlier attempt of this wave: not started again.
    pub skip: bool,
    /// What an earlier attempt of this wave did, when there was one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub earlier: Option<String>,
    /// Seconds to wait before starting (spacing the first runs' starts).
    pub start_delay_seconds: u32,
    pub poll_seconds: u32,
    pub run_timeout_hours: u32,
    /// The run's outcome so far: the iteration's output ([`RunOutcome::planned`],
    /// then FollowRun's).
    pub outcome: RunOutcome,
}

/// The spacing of the first `max_concurrent` runs' starts; a later run starts
/// when an earlier one ends, which spaces it already.
pub fn start_delay(index: usize, request: &WaveRequest) -> u32 {
    let slot = u32::try_from(index).unwrap_or(u32::MAX);
    if slot < request.max_concurrent {
        slot.saturating_mul(request.start_spacing_seconds)
    } else {
        0
    }
}

/// How one run of the wave ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunOutcome {
    pub run_id: String,
    /// succeeded, failed, skipped (succeeded in an earlier attempt), timed-out
    /// (still running when `run_timeout_hours` passed), not-followed (the wave
    /// could not start or follow it).
    pub outcome: String,
    /// The name of the run's last execution (a hand-over's, if it handed over).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub execution: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cause: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_seconds: Option<u64>,
    /// What the Map state's Catch put here when the wave could not start or
    /// follow the run (`{"Error", "Cause"}`); [`RunOutcome::settled`] reads it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caught: Option<Value>,
}

impl RunOutcome {
    /// What a run's outcome is before anything happened to it: skipped (it
    /// succeeded in an earlier attempt), or not followed (the wave could not start
    /// or follow it) until FollowRun says how it ended.
    pub fn planned(run_id: &str, earlier: Option<&str>, skip: bool) -> RunOutcome {
        RunOutcome {
            run_id: run_id.to_string(),
            outcome: if skip { "skipped" } else { "not-followed" }.to_string(),
            execution: None,
            error: None,
            cause: skip.then(|| earlier.map(str::to_string)).flatten(),
            duration_seconds: None,
            caught: None,
        }
    }

    /// The outcome with a caught error, if any, as its error and cause.
    pub fn settled(mut self) -> RunOutcome {
        if let Some(caught) = self.caught.take() {
            let text = |field: &str| {
                caught
                    .get(field)
                    .and_then(Value::as_str)
                    .map(str::to_string)
            };
            self.error = text("Error").map(|e| cut(&e, ERROR_QUOTED)).or(self.error);
            self.cause = text("Cause")
                .map(|c| cut(&crate::steps::notify::cause_message(&c), CAUSE_QUOTED))
                .or(self.cause);
        }
        self
    }

    /// Whether the outcome counts against the wave's tolerance.
    pub fn failed(&self) -> bool {
        !matches!(self.outcome.as_str(), "succeeded" | "skipped")
    }
}

/// The longest cause an outcome keeps and the report quotes (the runs' own
/// alerts have the whole).
pub const CAUSE_QUOTED: usize = 120;

/// The longest error name an outcome keeps (dmsflow's and Step Functions' are
/// far shorter; a function's own runtime error could be anything).
pub const ERROR_QUOTED: usize = 80;

/// `text` cut to at most `limit` bytes as a JSON string holds it (UTF-8, with its
/// escapes: what it takes of a state), `...` marking the cut.
pub fn cut(text: &str, limit: usize) -> String {
    let escaped = |c: char| match c {
        '"' | '\\' | '\n' | '\r' | '\t' | '\u{8}' | '\u{c}' => 2,
        c if u32::from(c) < 0x20 => 6,
        c => c.len_utf8(),
    };
    let mut used = 0;
    for (at, c) in text.char_indices() {
        used += escaped(c);
        if used > limit {
            return format!("{}...", &text[..at]);
        }
    }
    text.to_string()
}

#[cfg(test)]
#[path = "wave_tests.rs"]
mod tests;
