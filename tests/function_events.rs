//! The sample events in `events/functions/` drive the real step handlers, through
//! the real SDK clients, against the DMS emulator: a whole migration step by step
//! (no state machine), ending with a teardown that leaves nothing behind.

use std::future::Future;
use std::path::Path;
use std::time::SystemTime;

use aws_sdk_cloudwatch::config::{BehaviorVersion, Credentials, Region};
use aws_smithy_http_client::tls::{Provider, rustls_provider::CryptoMode};
use dms_emulator::{Config, serve};
use dmsflow::StepResult;
use dmsflow::steps::create::CreateOutput;
use dmsflow::steps::{
    StepInput, StepReport, check_progress, cleanup, create, enable_validation, start,
    test_connection,
};
use lambda_runtime::{Context, LambdaEvent};
use serde::Serialize;
use serde_json::Value;

const FUNCTION_ARN: &str = "arn:aws:lambda:us-east-1:123456789012:function:dmsflow-test";
/// Calls a loop may take before the test gives up (the emulator is fast).
const MAX_CALLS: usize = 400;

fn event_file(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../events/functions")
        .join(format!("{name}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn lambda_event(payload: Value) -> LambdaEvent<Value> {
    let mut context = Context::default();
    context.invoked_function_arn = FUNCTION_ARN.to_string();
    LambdaEvent::new(payload, context)
}

fn clients(
    url: &str,
) -> (
    aws_sdk_databasemigration::Client,
    aws_sdk_cloudwatch::Client,
) {
    let http = aws_smithy_http_client::Builder::new()
        .tls_provider(Provider::Rustls(CryptoMode::Ring))
        .build_https();
    let config = aws_config::SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(
            aws_credential_types::provider::SharedCredentialsProvider::new(Credentials::new(
                "AKIDLOCAL",
                "local",
                None,
                None,
                "test",
            )),
        )
        .endpoint_url(url)
        .http_client(http)
        .build();
    (
        aws_sdk_databasemigration::Client::new(&config),
        aws_sdk_cloudwatch::Client::new(&config),
    )
}

/// Calls `step` with the report of the previous call until it reports done.
async fn until_done<D, F, Fut>(what: &str, mut step: F) -> StepReport<D>
where
    D: Serialize,
    F: FnMut(Option<Value>) -> Fut,
    Fut: Future<Output = StepResult<StepReport<D>>>,
{
    let mut previous = None;
    for _ in 0..MAX_CALLS {
        let report = step(previous.take())
            .await
            .unwrap_or_else(|e| panic!("{what} failed: {e}"));
        if report.done {
            return report;
        }
        previous = Some(serde_json::to_value(&report).expect("report serializes"));
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("{what} was not done after {MAX_CALLS} calls");
}

fn step_input(payload: &Value, spec: &Value, previous: Option<Value>) -> StepInput {
    let mut payload = payload.clone();
    payload["spec"] = spec.clone();
    if let Some(previous) = previous {
        payload["previous"] = previous;
    }
    serde_json::from_value(payload).expect("sample event is a StepInput")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sample_events_run_a_migration_step_by_step_and_leave_nothing() {
    let emulator = serve(Config::default().with_speed(200.0))
        .await
        .expect("emulator starts");
    let (dms, cloudwatch) = clients(&emulator.url());
    let now = SystemTime::now;

    // Validate: no AWS call, every default filled in.
    let validated = create::handle(
        &dms,
        &cloudwatch,
        lambda_event(event_file("create-validate")),
        now(),
    )
    .await
    .expect("the sample spec is valid");
    let CreateOutput::Validated(validated) = validated else {
        panic!("validate mode answers the normalized spec");
    };
    let validated = serde_json::to_value(&validated).unwrap();
    let spec = validated["spec"].clone();
    assert_eq!(
        spec["polling"]["max_wait_seconds"], 540,
        "defaults are filled in"
    );
    assert_eq!(
        emulator.emulator().calls()["count"],
        0,
        "validation calls no AWS API"
    );

    let create_event = event_file("create");
    let created = until_done("create", |previous| {
        let mut payload = create_event.clone();
        payload["spec"] = spec.clone();
        if let Some(previous) = previous {
            payload["previous"] = previous;
        }
        let (dms, cloudwatch) = (&dms, &cloudwatch);
        async move {
            match create::handle(dms, cloudwatch, lambda_event(payload), now()).await? {
                CreateOutput::Report(report) => Ok(*report),
                CreateOutput::Validated(_) => panic!("reconcile mode answers a report"),
            }
        }
    })
    .await;
    let created = serde_json::to_value(&created).unwrap();
    assert_eq!(created["task"]["status"], "ready", "{created:#}");

    let event = event_file("test-connection");
    until_done("test-connection", |p| {
        test_connection::handle(&dms, step_input(&event, &spec, p), now())
    })
    .await;
    let event = event_file("enable-validation");
    until_done("enable-validation", |p| {
        enable_validation::handle(&dms, step_input(&event, &spec, p), now())
    })
    .await;
    let event = event_file("start");
    until_done("start", |p| {
        start::handle(&dms, step_input(&event, &spec, p), now())
    })
    .await;
    let event = event_file("check-progress");
    let progress = until_done("check-progress", |p| {
        check_progress::handle(&dms, &cloudwatch, step_input(&event, &spec, p), now())
    })
    .await;
    let progress = serde_json::to_value(&progress).unwrap();
    assert_eq!(progress["summary"]["phase"], "cdc", "{progress:#}");
    assert_eq!(progress["summary"]["full_load_percent"], 100);
    assert_eq!(progress["summary"]["tables_errored"], 0);

    // Run twice: the start step does not start a running task again.
    let starts = |calls: Value| {
        calls["calls"]
            .as_array()
            .expect("call log")
            .iter()
            .filter(|c| c["operation"] == "StartReplicationTask")
            .count()
    };
    let before = starts(emulator.emulator().calls());
    let event = event_file("start");
    start::handle(&dms, step_input(&event, &spec, None), now())
        .await
        .expect("start again");
    assert_eq!(
        starts(emulator.emulator().calls()),
        before,
        "no second start"
    );

    let event = event_file("cleanup");
    let cleaned = until_done("cleanup", |_| {
        cleanup::handle(&dms, &cloudwatch, lambda_event(event.clone()))
    })
    .await;
    let cleaned = serde_json::to_value(&cleaned).unwrap();
    assert!(
        cleaned["skipped_foreign"]
            .as_array()
            .is_none_or(Vec::is_empty),
        "{cleaned:#}"
    );
    let left = emulator.emulator().resources();
    assert_eq!(left["total"], 0, "teardown leaves nothing: {left:#}");
}
