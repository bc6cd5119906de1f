use serde_json::{Value, json};

use super::*;
use crate::aws::AwsFault;
use crate::progress::fixtures::{input, seeded_dms};
use crate::testing::{FakeDms, arn};

const SOURCE: &str = "dmsflow-orders-source";
const TARGET: &str = "dmsflow-orders-target";
const INSTANCE: &str = "dmsflow-orders-instance";

async fn run(dms: &FakeDms, previous: Value) -> StepResult<StepReport<ConnectionsDetail>> {
    handle(dms, input(json!({}), previous, None), SystemTime::now()).await
}

fn set_connection(dms: &FakeDms, endpoint: &str, status: &str, message: Option<&str>) {
    dms.put_connection(Connection {
        endpoint_arn: arn("endpoint", endpoint),
        instance_arn: arn("rep", INSTANCE),
        status: status.into(),
        last_failure_message: message.map(str::to_string),
    });
}

fn as_previous(report: &StepReport<ConnectionsDetail>) -> Value {
    serde_json::to_value(report).unwrap()
}

#[tokio::test]
async fn the_first_call_starts_both_tests_and_a_second_call_starts_none() {
    let dms = seeded_dms("available", "ready");
    let first = run(&dms, Value::Null).await.unwrap();
    assert!(!first.done);
    assert_eq!(first.actions.len(), 2);
    assert_eq!(
        dms.calls_to("test_connection"),
        vec![
            format!("test_connection {INSTANCE} {SOURCE}"),
            format!("test_connection {INSTANCE} {TARGET}"),
        ]
    );
    assert!(
        first
            .detail
            .connections
            .iter()
            .all(|c| c.status == "testing")
    );
    assert_eq!(first.wait_seconds, 30);

    // Run again with the same input (a retry), and with the report as previous.
    for previous in [Value::Null, as_previous(&first)] {
        dms.clear_calls();
        let again = run(&dms, previous).await.unwrap();
        assert!(!again.done && again.actions.is_empty());
        assert!(dms.calls_to("test_connection").is_empty());
        assert!(again.waiting_for.unwrap().contains("source endpoint"));
    }
}

#[tokio::test]
async fn both_successful_is_done_without_another_test() {
    let dms = seeded_dms("available", "ready");
    set_connection(&dms, SOURCE, "successful", None);
    set_connection(&dms, TARGET, "successful", None);
    let report = run(&dms, Value::Null).await.unwrap();
    assert!(report.done && report.actions.is_empty());
    assert_eq!(report.wait_seconds, 0);
    assert!(dms.calls_to("test_connection").is_empty());
    assert_eq!(report.detail.connections[1].role, "target");
}

#[tokio::test]
async fn a_failure_from_before_the_loop_is_tested_again_once() {
    let dms = seeded_dms("available", "ready");
    set_connection(&dms, SOURCE, "failed", Some("old failure"));
    set_connection(&dms, TARGET, "successful", None);
    let first = run(&dms, Value::Null).await.unwrap();
    assert_eq!(
        dms.calls_to("test_connection"),
        vec![format!("test_connection {INSTANCE} {SOURCE}")]
    );
    assert_eq!(first.detail.connections[0].tests_started, 1);

    // The retest fails too: now it is the run's failure.
    set_connection(
        &dms,
        SOURCE,
        "failed",
        Some("Test connection failed for endpoint 'dmsflow-orders-source': timeout"),
    );
    let err = run(&dms, as_previous(&first)).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::ConnectionTestFailed);
    for needle in [
        "source endpoint dmsflow-orders-source",
        "source.example.internal:5432",
        "timeout",
        "security group",
        "network ACLs",
        "arn:aws:secretsmanager:eu-west-1:123456789012:secret:source-AbCdEf",
        "SSL mode require",
    ] {
        assert!(err.message.contains(needle), "{needle}: {}", err.message);
    }
    assert!(!err.message.contains("target endpoint"));
}

#[tokio::test]
async fn both_failing_are_named_in_one_error() {
    let dms = seeded_dms("available", "ready");
    let first = run(&dms, Value::Null).await.unwrap();
    set_connection(&dms, SOURCE, "failed", Some("no route"));
    set_connection(&dms, TARGET, "failed", None);
    let err = run(&dms, as_previous(&first)).await.unwrap_err();
    assert!(
        err.message.contains("source endpoint")
            && err.message.contains("target endpoint")
            && err.message.contains("DMS gave no failure message"),
        "{}",
        err.message
    );
}

#[tokio::test]
async fn nothing_is_tested_before_the_instance_is_available() {
    let dms = seeded_dms("modifying", "ready");
    let report = run(&dms, Value::Null).await.unwrap();
    assert!(!report.done);
    assert!(dms.calls_to("test_connection").is_empty());
    assert!(report.waiting_for.unwrap().contains("status modifying"));
}

#[tokio::test]
async fn an_endpoint_that_is_not_active_is_waited_for() {
    let dms = seeded_dms("available", "ready");
    dms.set_status(TARGET, "creating");
    let report = run(&dms, Value::Null).await.unwrap();
    assert_eq!(
        dms.calls_to("test_connection"),
        vec![format!("test_connection {INSTANCE} {SOURCE}")]
    );
    assert_eq!(
        report.detail.connections[1].status,
        "waiting for the endpoint"
    );
}

#[tokio::test]
async fn faults_keep_their_kinds_and_missing_resources_are_named() {
    let dms = seeded_dms("available", "ready");
    dms.fail_next(
        "describe_connection",
        AwsFault::Throttled("Rate exceeded".into()),
    );
    assert_eq!(
        run(&dms, Value::Null).await.unwrap_err().kind,
        ErrorKind::Throttled
    );
    dms.fail_next("test_connection", AwsFault::Busy("instance busy".into()));
    assert_eq!(
        run(&dms, Value::Null).await.unwrap_err().kind,
        ErrorKind::ResourceBusy
    );
    dms.remove(TARGET);
    let err = run(&dms, Value::Null).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::ResourceMissing);
    assert!(err.message.contains(TARGET));
}

#[tokio::test]
async fn the_loop_is_bounded_by_the_connection_timeout() {
    let dms = seeded_dms("available", "ready");
    let report = handle(
        &dms,
        input(json!({}), Value::Null, Some("2020-01-01T00:00:00Z")),
        SystemTime::now(),
    )
    .await;
    let err = report.unwrap_err();
    assert_eq!(err.kind, ErrorKind::StepTimedOut);
    assert!(err.message.contains("connection_timeout_minutes"));
    // Done is done, however long it took.
    set_connection(&dms, SOURCE, "successful", None);
    set_connection(&dms, TARGET, "successful", None);
    let report = handle(
        &dms,
        input(json!({}), Value::Null, Some("2020-01-01T00:00:00Z")),
        SystemTime::now(),
    )
    .await
    .unwrap();
    assert!(report.done);
}

#[tokio::test]
async fn a_serverless_run_has_dms_test_the_connections_when_it_starts() {
    let dms = crate::progress::fixtures::seeded_serverless_dms("ready", "");
    let input = crate::progress::fixtures::serverless_input(json!({}), Value::Null);
    let report = handle(&dms, input, SystemTime::now()).await.unwrap();
    assert!(report.done);
    assert!(dms.calls().is_empty(), "{:?}", dms.calls());
    assert_eq!(report.detail.connections.len(), 2);
    assert!(
        report
            .detail
            .connections
            .iter()
            .all(|c| c.status == TESTED_AT_START)
    );
    assert!(
        report.actions[0].contains("testing_connection"),
        "{:?}",
        report.actions
    );
}
