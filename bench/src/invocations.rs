//! A whole migration run through the release functions, one fresh process per
//! function, against the in-process DMS emulator: the latency of each function's
//! first invocation and each process's peak memory.
//!
//! The steps run in the state machine's order (validate, create, test-connection,
//! enable-validation, assess, start, check-progress, cleanup). Each is called with its
//! sample (`events/functions/`), then with its own answer, until it is done, as
//! the state machine's loops do, so
//! every first invocation meets the state the real run would give it. The source
//! catalog has `tables` tables, so check-progress reads (and pages) that many
//! table statistics on every call.

use std::path::{Path, PathBuf};
use std::time::Duration;

use dms_emulator::{Config, EmulatorHandle, Scenario};
use serde_json::{Value, json};

use crate::function::{Function, Invocation};

/// Simulated seconds per real second: a DMS instance is "available" in about a second.
const EMULATOR_SPEED: f64 = 300.0;
/// Real time between two calls of a looping step.
const POLL_INTERVAL: Duration = Duration::from_millis(25);
/// Calls of one step before the bench gives up on it reaching done.
const MAX_CALLS: usize = 400;
/// The schema the sample spec's table mappings select.
const SCHEMA: &str = "orders";

/// What one function did in the run.
#[derive(Debug, Clone)]
pub struct FunctionRun {
    pub name: String,
    pub first_latency: Duration,
    /// Invocations made, the first included.
    pub calls: usize,
    /// Whether the last one reported done.
    pub done: bool,
    /// Peak resident set of the process after its last invocation, in bytes.
    pub peak_memory: u64,
    /// Table statistics pages (DescribeTableStatistics or
    /// DescribeReplicationTableStatistics) the emulator served during this function's turn.
    pub table_statistics_pages: usize,
}

/// Where the binaries, events and logs are.
pub struct Paths {
    /// `target/bench/lambda`: `<name>/bootstrap` for each function.
    pub lambda_dir: PathBuf,
    /// `events/functions`.
    pub events_dir: PathBuf,
    /// One log file per function process.
    pub log_dir: PathBuf,
}

impl Paths {
    pub fn bootstrap(&self, name: &str) -> PathBuf {
        self.lambda_dir.join(name).join("bootstrap")
    }

    pub fn event(&self, file: &str) -> Result<Value, String> {
        let path = self.events_dir.join(format!("{file}.json"));
        let text =
            std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    pub fn log(&self, name: &str) -> PathBuf {
        self.log_dir.join(format!("{name}.log"))
    }
}

/// The emulator's scenario: a source catalog of `tables` tables in the sample's schema.
pub fn scenario(tables: u32) -> Scenario {
    Scenario::generated(SCHEMA, "t_", tables, 100)
}

/// Starts the emulator the functions talk to.
pub async fn emulator(tables: u32) -> Result<EmulatorHandle, String> {
    dms_emulator::serve(
        Config::default()
            .with_speed(EMULATOR_SPEED)
            .with_scenario(scenario(tables)),
    )
    .await
    .map_err(|e| format!("the DMS emulator does not start: {e}"))
}

/// Runs the migration; answers one [`FunctionRun`] per function, in order.
pub async fn run(paths: &Paths, emulator: &EmulatorHandle) -> Result<Vec<FunctionRun>, String> {
    std::fs::create_dir_all(&paths.log_dir)
        .map_err(|e| format!("{}: {e}", paths.log_dir.display()))?;
    let endpoint = emulator.url();
    let mut runs = Vec::new();

    let validate = paths.event("validate-spec")?;
    let (validated, run) = run_step(paths, emulator, "dmsflow-validate", &endpoint, |_| {
        validate.clone()
    })
    .await?;
    if !validated.pointer("/run/spec").is_some_and(Value::is_object) {
        return Err(format!("validation answered no run: {validated}"));
    }
    runs.push(run);

    runs.extend(run_steps(paths, emulator, &STEPS).await?.1);
    Ok(runs)
}

/// The same steps on DMS Serverless: every sample's run moved to `compute:
/// serverless` ([`on_serverless`]); each run is named `<function> (serverless)`.
pub async fn run_serverless(
    paths: &Paths,
    emulator: &EmulatorHandle,
) -> Result<Vec<FunctionRun>, String> {
    let (_, mut runs) = run_steps_as(paths, emulator, &STEPS, on_serverless).await?;
    for run in &mut runs {
        run.name = format!("{} (serverless)", run.name);
    }
    Ok(runs)
}

/// A step sample whose run is on DMS Serverless: `compute` and a `serverless`
/// section, no assessment and a criterion dmsflow can judge there (the spec
/// checks refuse the others; the sample's run is already validated).
pub fn on_serverless(mut event: Value) -> Value {
    if let Some(spec) = event.pointer_mut("/state/run/spec") {
        spec["compute"] = json!("serverless");
        spec["serverless"] = json!({"max_capacity_units": 16, "min_capacity_units": 2});
        spec["assessment"]["enabled"] = json!(false);
        spec["completion"]["criterion"] = json!("validated");
    }
    event
}

/// The steps after ValidateSpec with their samples, in the state machine's order.
pub const STEPS: [(&str, &str); 7] = [
    ("dmsflow-create", "create-resources"),
    ("dmsflow-test-connection", "test-connections"),
    ("dmsflow-enable-validation", "enable-validation"),
    ("dmsflow-assess", "assess-migration"),
    ("dmsflow-start", "start-replication"),
    ("dmsflow-check-progress", "check-progress"),
    ("dmsflow-cleanup", "cleanup"),
];

/// Runs `steps` until each is done. Each step's sample is the state ValidateSpec
/// answers, as the state machine hands it on; then each call gets the previous
/// call's answer. Answers the last step's last answer and one run per step.
pub async fn run_steps(
    paths: &Paths,
    emulator: &EmulatorHandle,
    steps: &[(&str, &str)],
) -> Result<(Value, Vec<FunctionRun>), String> {
    run_steps_as(paths, emulator, steps, |event| event).await
}

/// [`run_steps`], each sample changed by `sample` first.
async fn run_steps_as(
    paths: &Paths,
    emulator: &EmulatorHandle,
    steps: &[(&str, &str)],
    sample: impl Fn(Value) -> Value,
) -> Result<(Value, Vec<FunctionRun>), String> {
    std::fs::create_dir_all(&paths.log_dir)
        .map_err(|e| format!("{}: {e}", paths.log_dir.display()))?;
    let endpoint = emulator.url();
    let mut runs = Vec::new();
    let mut last = Value::Null;
    for &(name, event) in steps {
        let event = sample(paths.event(event)?);
        let (answer, run) = run_step(paths, emulator, name, &endpoint, |previous| {
            let mut payload = event.clone();
            if let Some(previous) = previous {
                payload["state"] = previous.clone();
            }
            payload
        })
        .await?;
        runs.push(run);
        last = answer;
    }
    Ok((last, runs))
}

/// Starts `name` fresh and calls it until its answer says the step is done;
/// answers its last answer.
async fn run_step(
    paths: &Paths,
    emulator: &EmulatorHandle,
    name: &str,
    endpoint: &str,
    payload: impl Fn(Option<&Value>) -> Value,
) -> Result<(Value, FunctionRun), String> {
    let pages_before = table_statistics_calls(emulator);
    let log = paths.log(name);
    let mut function = Function::spawn(&paths.bootstrap(name), name, endpoint, Some(&log)).await?;
    let outcome = async {
        function.init().await?;
        let first = answer(name, function.invoke(&payload(None)).await?)?;
        let mut last = first.0;
        let mut calls = 1;
        while !done(&last) && calls < MAX_CALLS {
            tokio::time::sleep(POLL_INTERVAL).await;
            last = answer(name, function.invoke(&payload(Some(&last))).await?)?.0;
            calls += 1;
        }
        let run = FunctionRun {
            name: name.to_string(),
            first_latency: first.1,
            calls,
            done: done(&last),
            peak_memory: function.peak_memory()?,
            table_statistics_pages: table_statistics_calls(emulator) - pages_before,
        };
        Ok::<_, String>((last, run))
    }
    .await;
    function.stop().await;
    outcome.map_err(|e| format!("{e} (its log: {})", log.display()))
}

/// Whether a step's answer (the execution's state) says its loop is done.
pub fn done(state: &Value) -> bool {
    state.pointer("/step/done") == Some(&Value::Bool(true))
}

pub fn answer(name: &str, invocation: Invocation) -> Result<(Value, Duration), String> {
    match invocation.result {
        Ok(value) => Ok((value, invocation.latency)),
        Err(error) => Err(format!("{name} failed: {error}")),
    }
}

/// Pages of table statistics read: a task's, or a serverless replication's.
fn table_statistics_calls(emulator: &EmulatorHandle) -> usize {
    let calls = emulator.emulator().calls();
    count_operation(&calls, "DescribeTableStatistics")
        + count_operation(&calls, "DescribeReplicationTableStatistics")
}

/// How many calls of `operation` an emulator call log holds.
pub fn count_operation(calls: &Value, operation: &str) -> usize {
    calls["calls"].as_array().map_or(0, |calls| {
        calls.iter().filter(|c| c["operation"] == operation).count()
    })
}

/// A hello-world invocation, for comparison.
pub fn hello_event() -> Value {
    json!({"name": "bench"})
}

/// Where the log of the function runs go by default.
pub fn default_log_dir(root: &Path) -> PathBuf {
    root.join("target/bench/logs")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scenario_puts_every_table_in_the_schema_the_sample_selects() {
        let scenario = scenario(500);
        let catalog = scenario.catalog.expect("a catalog");
        assert_eq!(catalog.generate.len(), 1);
        assert_eq!(catalog.generate[0].count, 500);
        assert_eq!(catalog.generate[0].schema, SCHEMA);
        let sample: Value = serde_json::from_str(
            &std::fs::read_to_string(
                Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("../events/functions/check-progress.json"),
            )
            .unwrap(),
        )
        .unwrap();
        assert_eq!(
            sample["state"]["run"]["spec"]["table_mappings"]["rules"][0]["object-locator"]["schema-name"],
            SCHEMA
        );
    }

    #[test]
    fn a_serverless_sample_is_one_the_steps_run_on_a_replication_config() {
        let sample: Value = serde_json::from_str(
            &std::fs::read_to_string(
                Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("../events/functions/create-resources.json"),
            )
            .unwrap(),
        )
        .unwrap();
        let moved = on_serverless(sample);
        let spec: dmsflow::spec::MigrationSpec =
            serde_json::from_value(moved["state"]["run"]["spec"].clone()).unwrap();
        assert_eq!(spec.compute, dmsflow::spec::Compute::Serverless);
        assert_eq!(spec.serverless.unwrap().max_capacity_units, 16);
        assert!(!spec.assessment.enabled);
    }

    #[test]
    fn operations_are_counted_in_the_call_log() {
        let log = json!({"count": 3, "calls": [
            {"operation": "DescribeTableStatistics"},
            {"operation": "DescribeReplicationTasks"},
            {"operation": "DescribeTableStatistics"},
        ]});
        assert_eq!(count_operation(&log, "DescribeTableStatistics"), 2);
        assert_eq!(count_operation(&json!({}), "DescribeTableStatistics"), 0);
    }
}
