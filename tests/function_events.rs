//! The sample events in `events/functions/` are exactly what the state machine
//! sends each function (`{"state", "step", "execution"}`), made here from the
//! sample migration spec; `DMSFLOW_WRITE_EVENTS=1 cargo test -p dmsflow-tests
//! --test function_events` writes them. They drive the real step functions'
//! handlers, through the real SDK clients, against the DMS emulator: a whole
//! migration step by step (no state machine), each step's answer fed back to it
//! as the state machine's loops do, ending with a cleanup that leaves nothing.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use dms_emulator::{Config, serve};
use dmsflow::spec::stack_bounds::StackBounds;
use dmsflow::steps::assess;
use dmsflow::steps::{
    StepReport, check_progress, cleanup, create, enable_validation, start, test_connection,
    validate_spec,
};
use dmsflow::workflow::{self, Caught, RunState, StepCall};
use serde_json::{Value, json};
use steps::{clients, lambda_event};

#[path = "support/steps.rs"]
mod steps;

const EXECUTION: &str =
    "arn:aws:states:us-east-1:123456789012:execution:dmsflow-migration:orders-mysql-to-aurora";
const ALERT_TOPIC: &str = "arn:aws:sns:us-east-1:123456789012:dmsflow-alerts";
/// Calls a loop may take before the test gives up (the emulator is fast).
const MAX_CALLS: usize = 400;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn json_file(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn call(state: &impl serde::Serialize, step: &str) -> Value {
    json!({"state": state, "step": step, "execution": EXECUTION})
}

/// Every sample, by file name, made from `events/mysql-full-load-and-cdc.json`.
fn samples() -> Vec<(&'static str, Value)> {
    let spec = json_file(&root().join("events/mysql-full-load-and-cdc.json"));
    let mut claimed =
        RunState::begin(EXECUTION, spec.clone()).expect("the sample spec is an input");
    claimed.record(
        "ClaimRun",
        None,
        &StepReport::new(true, vec![], None, 0, json!({"looks": 2})),
    );
    let validate = call(&claimed, "ValidateSpec");
    let validated = validate_spec::step(
        serde_json::from_value(validate.clone()).unwrap(),
        &StackBounds::alert_topic_only(Some(ALERT_TOPIC)),
    )
    .expect("the sample spec is valid");
    let mut failed = validated.clone();
    failed.failed_at.insert(
        "CreateResources".into(),
        Caught {
            error: "QuotaExceeded".into(),
            // As the Lambda runtime writes a function's error.
            cause: r#"{"errorType":"QuotaExceeded","errorMessage":"creating replication instance dmsflow-orders-mysql-to-aurora-instance: InsufficientResourceCapacityFault: Insufficient capacity."}"#.to_string(),
        },
    );
    let mut complete = validated.clone();
    complete.step.name = "CheckProgress".into();
    complete.step.done = true;
    complete.step.report = json!({"done": true, "actions": [], "wait_seconds": 0, "poll_count": 3,
        "summary": {"status": "running", "phase": "cdc", "full_load_percent": 100, "tables": 6,
                    "tables_loaded": 6, "tables_errored": 0, "validation_failed_records": 0,
                    "cdc_latency_target_seconds": 2.0}});
    let mut handing_over = complete.clone();
    handing_over.step.done = false;
    handing_over.step.hand_over = true;
    handing_over.step.started_at = Some("2026-12-05T10:00:00.000Z".into());
    vec![
        (
            "claim-run",
            json!({"state": spec, "step": "ClaimRun", "execution": EXECUTION, "input": spec}),
        ),
        ("validate-spec", validate),
        ("create-resources", call(&validated, "CreateResources")),
        ("test-connections", call(&validated, "TestConnections")),
        ("enable-validation", call(&validated, "EnableValidation")),
        ("assess-migration", call(&validated, "AssessMigration")),
        ("start-replication", call(&validated, "StartReplication")),
        ("check-progress", call(&validated, "CheckProgress")),
        ("notify-success", call(&complete, "NotifySuccess")),
        (
            "continue-in-new-execution",
            call(&handing_over, "ContinueInNewExecution"),
        ),
        ("notify-failure", call(&failed, "NotifyFailure")),
        ("cleanup", call(&validated, "Cleanup")),
        (
            "safety-net-event",
            json!({
                "version": "0",
                "id": "315c1398-40ff-a850-213b-158f73e60175",
                "detail-type": "Step Functions Execution Status Change",
                "source": "aws.states",
                "account": "123456789012",
                "time": "2026-12-05T10:30:00Z",
                "region": "us-east-1",
                "resources": [EXECUTION],
                "detail": {
                    "executionArn": EXECUTION,
                    "stateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:dmsflow-migration",
                    "name": "orders-mysql-to-aurora",
                    "status": "ABORTED",
                    "startDate": 1_796_464_800_000_u64,
                    "stopDate": 1_796_466_600_000_u64,
                    "input": sorted(&spec).to_string(),
                    "output": null,
                    "error": null,
                    "cause": null
                }
            }),
        ),
    ]
}

/// The value with every object's keys in order: the files do not depend on whether
/// serde_json keeps insertion order (a feature another crate of the build may turn
/// on).
fn sorted(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            Value::Object(
                keys.into_iter()
                    .map(|k| (k.clone(), sorted(&map[k])))
                    .collect(),
            )
        }
        Value::Array(items) => Value::Array(items.iter().map(sorted).collect()),
        other => other.clone(),
    }
}

fn sample_path(name: &str) -> PathBuf {
    root().join("events/functions").join(format!("{name}.json"))
}

#[test]
fn the_samples_are_what_the_state_machine_sends() {
    let write = std::env::var_os("DMSFLOW_WRITE_EVENTS").is_some();
    if write {
        let dir = root().join("events/functions");
        for entry in std::fs::read_dir(&dir).unwrap() {
            std::fs::remove_file(entry.unwrap().path()).unwrap();
        }
    }
    for (name, sample) in samples() {
        let path = sample_path(name);
        let text = format!(
            "{}\n",
            serde_json::to_string_pretty(&sorted(&sample)).unwrap()
        );
        if write {
            std::fs::write(&path, text).unwrap();
            continue;
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == text,
            "{} is stale: run `DMSFLOW_WRITE_EVENTS=1 cargo test -p dmsflow-tests --test function_events` and commit it",
            path.display()
        );
        if name != "safety-net-event" && name != "claim-run" {
            let call: StepCall = serde_json::from_value(sample).expect("a step call");
            RunState::read(call.state).expect("the state of a run");
        }
    }
    let files = std::fs::read_dir(root().join("events/functions"))
        .unwrap()
        .count();
    assert_eq!(
        files,
        samples().len(),
        "events/functions holds the samples only"
    );
}

fn sample_call(name: &str) -> StepCall {
    serde_json::from_value(json_file(&sample_path(name))).expect("a step call")
}

/// Calls a step with its sample, then with its own answer, until it is done.
async fn until_done<F, Fut>(sample: &str, step: F) -> RunState
where
    F: FnMut(StepCall) -> Fut,
    Fut: Future<Output = dmsflow::StepResult<RunState>>,
{
    steps::until_done(sample, sample_call(sample), MAX_CALLS, |_| {}, step).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_samples_run_a_migration_step_by_step_and_leave_nothing() {
    let emulator = serve(Config::default().with_speed(200.0))
        .await
        .expect("emulator starts");
    let (dms, cloudwatch) = clients(&emulator.url());
    let now = SystemTime::now;
    let (dms, cloudwatch) = (&dms, &cloudwatch);

    let validated = validate_spec::step(
        sample_call("validate-spec"),
        &StackBounds::alert_topic_only(Some(ALERT_TOPIC)),
    )
    .expect("the sample spec is valid");
    let spec = &validated.run.as_ref().unwrap().spec;
    assert_eq!(
        spec["polling"]["max_wait_seconds"], 540,
        "defaults are filled in"
    );
    assert_eq!(
        emulator.emulator().calls()["count"],
        0,
        "validation calls no AWS API"
    );

    let created = until_done("create-resources", |call| async move {
        create::step(dms, cloudwatch, lambda_event(call), now()).await
    })
    .await;
    assert_eq!(
        created.step.report["task"]["status"], "ready",
        "{:#}",
        created.step.report
    );

    until_done("test-connections", |call| {
        workflow::advance(call, now(), |input| {
            test_connection::handle(dms, input, now())
        })
    })
    .await;
    until_done("enable-validation", |call| {
        workflow::advance(call, now(), |input| {
            enable_validation::handle(dms, input, now())
        })
    })
    .await;
    let store = &steps::report_store();
    let assessed = until_done("assess-migration", |call| {
        assess::step(dms, call, store, now())
    })
    .await;
    assert_eq!(
        assessed.step.report["status"], "passed",
        "{:#}",
        assessed.step.report
    );
    until_done("start-replication", |call| {
        workflow::advance(call, now(), |input| start::handle(dms, input, now()))
    })
    .await;
    let progress = until_done("check-progress", |call| {
        check_progress::step(dms, cloudwatch, call, now())
    })
    .await;
    let report = &progress.step.report;
    assert_eq!(report["summary"]["phase"], "cdc", "{report:#}");
    assert_eq!(report["summary"]["full_load_percent"], 100);
    assert_eq!(report["summary"]["tables_errored"], 0);
    assert!(
        !progress.step.hand_over,
        "one execution's share of checks is far off"
    );

    // Run again: the start step does not start a running task a second time.
    let starts = |calls: Value| {
        calls["calls"]
            .as_array()
            .expect("call log")
            .iter()
            .filter(|c| c["operation"] == "StartReplicationTask")
            .count()
    };
    let before = starts(emulator.emulator().calls());
    workflow::advance(sample_call("start-replication"), now(), |input| {
        start::handle(dms, input, now())
    })
    .await
    .expect("start again");
    assert_eq!(
        starts(emulator.emulator().calls()),
        before,
        "no second start"
    );

    // The sample spec's completion policy deletes everything on success.
    let cleaned = until_done("cleanup", |call| async move {
        cleanup::step(dms, cloudwatch, lambda_event(call), now()).await
    })
    .await;
    let report = &cleaned.step.report;
    assert_eq!(report["reason"], "success", "{report:#}");
    assert!(
        report["skipped_foreign"]
            .as_array()
            .is_none_or(Vec::is_empty),
        "{report:#}"
    );
    let left = emulator.emulator().resources();
    assert_eq!(left["total"], 0, "cleanup leaves nothing: {left:#}");
}
