//! The wave's steps against an in-memory Step Functions and SNS.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Duration;

use serde_json::json;

use super::*;
use crate::alerts::Message;
use crate::aws::AwsResult;
use crate::aws::executions::Listed;
use crate::progress::fixtures::spec_json;

const MACHINE: &str = "arn:aws:states:eu-west-1:123456789012:stateMachine:dmsflow-migration";
const WAVE_EXECUTION: &str = "arn:aws:states:eu-west-1:123456789012:execution:dmsflow-wave:q3-1";
const TOPIC: &str = "arn:aws:sns:eu-west-1:123456789012:dmsflow-alerts";
const HOUR_MS: i64 = 3_600_000;

fn arn(name: &str) -> String {
    execution_arn(MACHINE, name)
}

/// Executions by name.
#[derive(Default)]
struct FakeSfn {
    executions: Mutex<BTreeMap<String, Described>>,
    started: Mutex<Vec<String>>,
}

impl FakeSfn {
    fn put(&self, name: &str, status: &str, started_ms: i64, error: Option<&str>) {
        self.executions.lock().unwrap().insert(
            name.to_string(),
            Described {
                execution_arn: arn(name),
                status: status.into(),
                started_ms,
                stopped_ms: (status != "RUNNING").then_some(started_ms + HOUR_MS),
                error: error.map(str::to_string),
                cause: error
                    .map(|e| format!("{{\"errorType\":\"{e}\",\"errorMessage\":\"it broke\"}}")),
                ..Described::default()
            },
        );
    }
}

impl Executions for FakeSfn {
    async fn running(&self, _: &str) -> AwsResult<Vec<Listed>> {
        Ok(Vec::new())
    }

    async fn describe(&self, execution_arn: &str) -> AwsResult<Described> {
        let name = execution_arn.rsplit(':').next().unwrap();
        self.executions
            .lock()
            .unwrap()
            .get(name)
            .cloned()
            .ok_or_else(|| AwsFault::NotFound(format!("Execution Does Not Exist: {name}")))
    }
}

impl Starter for FakeSfn {
    async fn start(&self, machine: &str, name: &str, _input: &str) -> AwsResult<String> {
        assert_eq!(machine, MACHINE);
        self.started.lock().unwrap().push(name.to_string());
        if self.executions.lock().unwrap().contains_key(name) {
            return Err(AwsFault::AlreadyExists(format!(
                "Execution Already Exists: {name}"
            )));
        }
        self.put(name, "RUNNING", 0, None);
        Ok(arn(name))
    }
}

#[derive(Default)]
struct FakeSns(Mutex<Vec<Message>>);

impl Notices for FakeSns {
    async fn publish(&self, topic: &str, message: &Message) -> AwsResult<String> {
        assert_eq!(topic, TOPIC);
        self.0.lock().unwrap().push(message.clone());
        Ok("m-1".into())
    }
}

fn spec(run_id: &str) -> Value {
    let mut spec = spec_json(json!({}));
    spec["run_id"] = json!(run_id);
    spec
}

fn wave_input() -> Value {
    json!({"action": "wave", "wave_id": "q3", "max_concurrent": 2,
           "runs": [spec("orders"), spec("billing"), spec("ledger")]})
}

/// PrepareWave's refusal of `input`: an `InvalidSpec`.
async fn refused(sfn: &FakeSfn, input: &Value) -> StepError {
    let error = prepare(
        sfn,
        MACHINE,
        &StackBounds::alert_topic_only(Some(TOPIC)),
        input,
    )
    .await
    .unwrap_err();
    assert_eq!(error.kind, ErrorKind::InvalidSpec);
    error
}

async fn prepared(sfn: &FakeSfn) -> WaveState {
    prepare(
        sfn,
        MACHINE,
        &StackBounds::alert_topic_only(Some(TOPIC)),
        &wave_input(),
    )
    .await
    .expect("a valid wave")
}

/// The wave's first run, started.
async fn first_run_started(sfn: &FakeSfn) -> Value {
    let state = prepared(sfn).await;
    let run = serde_json::to_value(&state.runs[0]).unwrap();
    start_run(sfn, MACHINE, &run, at(0)).await.unwrap()
}

fn at(ms: i64) -> SystemTime {
    UNIX_EPOCH + Duration::from_millis(u64::try_from(ms).unwrap())
}

#[tokio::test]
async fn a_first_wave_starts_every_run_under_its_first_name() {
    let sfn = FakeSfn::default();
    let state = prepared(&sfn).await;
    let names: Vec<&str> = state
        .runs
        .iter()
        .map(|r| r.execution_name.as_str())
        .collect();
    assert_eq!(names, ["q3--orders", "q3--billing", "q3--ledger"]);
    assert!(state.runs.iter().all(|r| !r.skip && r.earlier.is_none()));
    let delays: Vec<u32> = state.runs.iter().map(|r| r.start_delay_seconds).collect();
    assert_eq!(delays, [0, 30, 0]);
    assert_eq!(state.runs[0].poll_seconds, 600);
    // Starting twice (a lost answer) follows the same execution.
    let run = serde_json::to_value(&state.runs[0]).unwrap();
    let first = start_run(&sfn, MACHINE, &run, at(0)).await.unwrap();
    let again = start_run(&sfn, MACHINE, &run, at(0)).await.unwrap();
    assert_eq!(first["execution_arn"], arn("q3--orders"));
    assert_eq!(again["execution_arn"], first["execution_arn"]);
}

#[tokio::test]
async fn a_rerun_skips_succeeded_runs_follows_running_ones_and_retries_failed_ones() {
    let sfn = FakeSfn::default();
    // orders succeeded after two hand-overs; billing failed; ledger still runs.
    sfn.put("q3--orders", "SUCCEEDED", 0, None);
    sfn.put("q3--orders-gen-2", "SUCCEEDED", HOUR_MS, None);
    sfn.put("q3--billing", "FAILED", 0, Some("TablesErrored"));
    sfn.put("q3--ledger", "RUNNING", 0, None);
    let state = prepared(&sfn).await;
    let plan: Vec<(&str, bool)> = state
        .runs
        .iter()
        .map(|r| (r.execution_name.as_str(), r.skip))
        .collect();
    assert_eq!(
        plan,
        [
            ("q3--orders", true),
            ("q3--billing-r2", false),
            ("q3--ledger", false)
        ]
    );
    assert_eq!(
        state.runs[1].earlier.as_deref(),
        Some("failed in execution q3--billing (TablesErrored)")
    );
    // A second failure: the third attempt.
    sfn.put("q3--billing-r2", "FAILED", 0, Some("TablesErrored"));
    let state = prepared(&sfn).await;
    assert_eq!(state.runs[1].execution_name, "q3--billing-r3");
}

#[tokio::test]
async fn following_a_run_goes_through_its_hand_overs_to_its_end() {
    let sfn = FakeSfn::default();
    let run = first_run_started(&sfn).await;
    let followed = follow_run(&sfn, MACHINE, &run, at(HOUR_MS)).await.unwrap();
    assert_eq!(followed["ended"], false);
    // It hands over, then the successor fails.
    sfn.put("q3--orders", "SUCCEEDED", 0, None);
    sfn.put("q3--orders-gen-2", "FAILED", HOUR_MS, Some("TaskFailed"));
    let followed = follow_run(&sfn, MACHINE, &run, at(3 * HOUR_MS))
        .await
        .unwrap();
    assert_eq!(followed["ended"], true);
    let outcome: RunOutcome = serde_json::from_value(followed["outcome"].clone()).unwrap();
    assert_eq!(outcome.outcome, "failed");
    assert_eq!(outcome.error.as_deref(), Some("TaskFailed"));
    assert_eq!(outcome.execution_arn, Some(arn("q3--orders-gen-2")));
    assert_eq!(outcome.duration_seconds, Some(2 * 3_600));
}

#[tokio::test]
async fn a_run_past_its_timeout_ends_the_wait_not_the_run() {
    let sfn = FakeSfn::default();
    let run = first_run_started(&sfn).await;
    let followed = follow_run(&sfn, MACHINE, &run, at(73 * HOUR_MS))
        .await
        .unwrap();
    assert_eq!(followed["outcome"]["outcome"], "timed-out");
    assert_eq!(followed["outcome"]["error"], "WaveRunTimedOut");
    assert_eq!(
        sfn.describe(&arn("q3--orders")).await.unwrap().status,
        "RUNNING",
        "the run itself goes on"
    );
}

#[tokio::test]
async fn the_report_names_every_run_and_judges_the_tolerance() {
    let sns = FakeSns::default();
    let outcome = |run_id: &str, outcome: &str, error: Option<&str>| json!({"run_id": run_id, "outcome": outcome, "error": error, "cause": error.map(|_| "it broke")});
    // After the Map state, the wave's runs are their outcomes.
    let input = json!({"wave": {"wave_id": "q3", "tolerated_failures": 0, "max_concurrent": 2, "runs": [
        outcome("orders", "succeeded", None),
        outcome("billing", "failed", Some("TablesErrored")),
        outcome("ledger", "skipped", None),
    ]}});
    let figures = report(&sns, TOPIC, WAVE_EXECUTION, &input).await.unwrap();
    assert_eq!(figures["met"], false);
    assert_eq!(figures["failed"], 1);
    let sent = sns.0.lock().unwrap().clone();
    assert_eq!(sent.len(), 1);
    assert_eq!(
        sent[0].subject,
        "dmsflow wave q3 FAILED: 1 of 3 runs failed"
    );
    assert!(
        sent[0]
            .text
            .contains("- billing: failed (TablesErrored: it broke)"),
        "{}",
        sent[0].text
    );
    assert!(
        sent[0].text.contains("- ledger: skipped"),
        "{}",
        sent[0].text
    );
    // One failure tolerated: the same outcomes meet it.
    let mut tolerant = input.clone();
    tolerant["wave"]["tolerated_failures"] = json!(1);
    let figures = report(&sns, TOPIC, WAVE_EXECUTION, &tolerant)
        .await
        .unwrap();
    assert_eq!(figures["met"], true);
}

#[tokio::test]
async fn a_hundred_failed_runs_make_a_report_sns_takes() {
    let sns = FakeSns::default();
    let runs: Vec<Value> = (0..100)
        .map(|i| {
            json!({"run_id": format!("{i:03}{}", "r".repeat(37)), "outcome": "failed",
                   "error": "TablesErrored", "cause": "x".repeat(5_000), "duration_seconds": 86_400,
                   "execution_arn": arn(&format!("{}--{i:03}{}", "w".repeat(32), "r".repeat(37)))})
        })
        .collect();
    let input = json!({"wave": {"wave_id": "w".repeat(32), "tolerated_failures": 0, "runs": runs}});
    report(&sns, TOPIC, WAVE_EXECUTION, &input).await.unwrap();
    let sent = sns.0.lock().unwrap().clone();
    let size = sent[0].structured().len();
    assert!(size <= 256 * 1024, "the report is {size} bytes");
}

#[tokio::test]
async fn a_rerun_waits_its_own_timeout_for_a_run_it_follows() {
    let sfn = FakeSfn::default();
    sfn.put("q3--orders", "RUNNING", 0, None);
    let state = prepared(&sfn).await;
    assert_eq!(state.runs[0].execution_name, "q3--orders");
    let run = serde_json::to_value(&state.runs[0]).unwrap();
    // The run started 100 h ago; this wave follows it from now on.
    let run = start_run(&sfn, MACHINE, &run, at(100 * HOUR_MS))
        .await
        .unwrap();
    let followed = follow_run(&sfn, MACHINE, &run, at(101 * HOUR_MS))
        .await
        .unwrap();
    assert_eq!(followed["ended"], false, "{followed}");
    let followed = follow_run(&sfn, MACHINE, &run, at(173 * HOUR_MS))
        .await
        .unwrap();
    assert_eq!(followed["outcome"]["outcome"], "timed-out");
}

#[tokio::test]
async fn a_wave_too_big_for_the_state_is_refused_before_anything_starts() {
    let sfn = FakeSfn::default();
    // Long table mappings: fifteen selection rules a spec.
    let mut big = spec("orders");
    big["table_mappings"]["rules"] = json!((1..=15)
        .map(|i| json!({"rule-type": "selection", "rule-id": i.to_string(), "rule-name": format!("r{i}"),
            "object-locator": {"schema-name": "sales", "table-name": format!("t{i}_{}", "x".repeat(150))},
            "rule-action": "include"}))
        .collect::<Vec<_>>());
    let runs: Vec<Value> = (0..80)
        .map(|i| {
            let mut spec = big.clone();
            spec["run_id"] = json!(format!("run{i}"));
            spec
        })
        .collect();
    let input = json!({"action": "wave", "wave_id": "big", "runs": runs});
    let error = refused(&sfn, &input).await;
    assert!(
        error.message.contains("split it into smaller waves"),
        "{}",
        error.message
    );
}

#[tokio::test]
async fn a_refused_wave_is_one_alert_naming_every_problem() {
    let sfn = FakeSfn::default();
    let sns = FakeSns::default();
    let mut input = wave_input();
    input["runs"][1]["source"]["port"] = json!(0);
    let error = refused(&sfn, &input).await;
    assert!(
        error.message.contains("runs[1] (billing)"),
        "{}",
        error.message
    );
    assert!(sfn.started.lock().unwrap().is_empty(), "nothing started");
    let mut caught = input.clone();
    caught["caught"] = json!({"Error": "InvalidSpec", "Cause": error.message});
    notify_failure(&sns, TOPIC, WAVE_EXECUTION, &caught)
        .await
        .unwrap();
    let sent = sns.0.lock().unwrap().clone();
    assert_eq!(sent[0].subject, "dmsflow wave q3 FAILED: InvalidSpec");
    assert!(
        sent[0].text.contains("runs[1] (billing)"),
        "{}",
        sent[0].text
    );
}
