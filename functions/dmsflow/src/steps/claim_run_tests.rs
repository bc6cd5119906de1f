//! claim-run against an in-memory list of executions.

use std::collections::BTreeMap;
use std::sync::Mutex;

use serde_json::{Value, json};

use super::*;
use crate::aws::executions::{Described, Listed};
use crate::aws::{AwsFault, AwsResult};

const MACHINE: &str = "arn:aws:states:us-east-1:123456789012:stateMachine:dmsflow-migration";

fn arn(name: &str) -> String {
    format!("arn:aws:states:us-east-1:123456789012:execution:dmsflow-migration:{name}")
}

/// Executions by ARN; `listed` says which ones ListExecutions shows (a new one
/// may be missing from it for a moment).
#[derive(Default)]
struct FakeExecutions {
    all: BTreeMap<String, Described>,
    unlisted: Vec<String>,
    calls: Mutex<Vec<String>>,
    fail_listing: Option<AwsFault>,
}

impl FakeExecutions {
    fn add(&mut self, name: &str, status: &str, started_ms: i64, input: Value) -> &mut Self {
        self.all.insert(
            arn(name),
            Described {
                execution_arn: arn(name),
                status: status.into(),
                started_ms,
                input: Some(input.to_string()),
                ..Described::default()
            },
        );
        self
    }

    fn calls(&self) -> Vec<String> {
        self.calls.lock().unwrap().clone()
    }
}

impl Executions for FakeExecutions {
    async fn running(&self, state_machine_arn: &str) -> AwsResult<Vec<Listed>> {
        self.calls
            .lock()
            .unwrap()
            .push(format!("running {state_machine_arn}"));
        if let Some(fault) = &self.fail_listing {
            return Err(fault.clone());
        }
        Ok(self
            .all
            .values()
            .filter(|d| d.status == "RUNNING" && !self.unlisted.contains(&d.execution_arn))
            .map(|d| Listed {
                execution_arn: d.execution_arn.clone(),
                started_ms: d.started_ms,
            })
            .collect())
    }

    async fn describe(&self, execution_arn: &str) -> AwsResult<Described> {
        self.calls
            .lock()
            .unwrap()
            .push(format!("describe {execution_arn}"));
        self.all
            .get(execution_arn)
            .cloned()
            .ok_or_else(|| AwsFault::NotFound(execution_arn.into()))
    }
}

fn input(me: &str, previous: Option<Value>) -> ClaimInput {
    ClaimInput {
        execution_arn: arn(me),
        state_machine_arn: MACHINE.into(),
        previous,
    }
}

fn spec(run_id: &str) -> Value {
    json!({"run_id": run_id, "source": {"engine": "mysql"}})
}

#[tokio::test]
async fn the_only_execution_of_a_run_drives_after_two_looks_a_wait_apart() {
    let mut sfn = FakeExecutions::default();
    sfn.add("first", "RUNNING", 1_000, spec("orders"))
        .add("other-run", "RUNNING", 500, spec("invoices"))
        .add("old", "SUCCEEDED", 100, spec("orders"));
    let look = handle(&sfn, input("first", None)).await.unwrap();
    assert!(!look.done);
    assert_eq!(look.wait_seconds, CONFIRM_AFTER_SECONDS);
    assert_eq!(
        look.detail,
        ClaimDetail {
            run_id: Some("orders".into()),
            claimed_since_ms: Some(1_000),
            looks: 1,
            rivals: 0
        }
    );
    let previous = serde_json::to_value(&look).unwrap();
    let second = handle(&sfn, input("first", Some(previous))).await.unwrap();
    assert!(second.done);
    assert_eq!(second.wait_seconds, 0);
    assert_eq!(second.detail.looks, LOOKS);
    assert!(sfn.calls().contains(&format!("running {MACHINE}")));
}

#[tokio::test]
async fn a_later_execution_of_the_same_run_stops_with_run_in_progress_naming_the_driver() {
    let mut sfn = FakeExecutions::default();
    sfn.add("driver", "RUNNING", 1_000, spec("orders")).add(
        "late",
        "RUNNING",
        1_001,
        spec("orders"),
    );
    let error = handle(&sfn, input("late", None)).await.unwrap_err();
    assert_eq!(error.kind, ErrorKind::RunInProgress);
    for part in [
        "Run orders",
        arn("driver").as_str(),
        "1970-01-01T00:00:01.000Z",
        "https://us-east-1.console.aws.amazon.com/states/home?region=us-east-1#/v2/executions/details/",
        "stop-execution",
        "Wait for that execution to end",
    ] {
        assert!(
            error.message.contains(part),
            "{part:?} missing: {}",
            error.message
        );
    }
    // The driver, looking at the same list, goes on.
    assert!(handle(&sfn, input("driver", None)).await.is_ok());
}

#[tokio::test]
async fn an_earlier_start_missing_from_the_first_listing_is_seen_at_the_second_look() {
    let mut sfn = FakeExecutions::default();
    sfn.add("early", "RUNNING", 1_000, spec("orders")).add(
        "late",
        "RUNNING",
        1_200,
        spec("orders"),
    );
    sfn.unlisted.push(arn("early"));
    let first = handle(&sfn, input("late", None)).await.unwrap();
    assert!(!first.done, "one win is not final");
    sfn.unlisted.clear();
    let previous = serde_json::to_value(&first).unwrap();
    let error = handle(&sfn, input("late", Some(previous)))
        .await
        .unwrap_err();
    assert_eq!(error.kind, ErrorKind::RunInProgress);
    assert!(error.message.contains(&arn("early")));
}

#[tokio::test]
async fn a_continuation_drives_beside_its_running_predecessor_and_keeps_the_chains_claim() {
    let mut sfn = FakeExecutions::default();
    sfn.add("orders", "RUNNING", 1_000, spec("orders")).add(
        "orders-gen-2",
        "RUNNING",
        90_000,
        json!({"spec": {"run_id": "orders"},
               "resume": {"generation": 2, "parent_execution_arn": arn("orders"),
                          "claimed_since_ms": 1_000}}),
    );
    let look = handle(&sfn, input("orders-gen-2", None)).await.unwrap();
    assert_eq!(look.detail.claimed_since_ms, Some(1_000));
    assert_eq!(look.detail.rivals, 0);
}

#[tokio::test]
async fn an_input_without_a_run_id_claims_nothing_and_lists_nothing() {
    let mut sfn = FakeExecutions::default();
    sfn.add("odd", "RUNNING", 1_000, json!({"hello": "world"}));
    let report = handle(&sfn, input("odd", None)).await.unwrap();
    assert!(report.done);
    assert_eq!(report.detail.run_id, None);
    assert_eq!(sfn.calls(), vec![format!("describe {}", arn("odd"))]);
}

#[tokio::test]
async fn a_failed_listing_is_an_error_of_its_kind_never_a_win() {
    let mut sfn = FakeExecutions::default();
    sfn.add("me", "RUNNING", 1_000, spec("orders"));
    sfn.fail_listing = Some(AwsFault::Throttled("Rate exceeded".into()));
    let error = handle(&sfn, input("me", None)).await.unwrap_err();
    assert_eq!(error.kind, ErrorKind::Throttled);
    sfn.fail_listing = Some(AwsFault::AccessDenied("no states:ListExecutions".into()));
    let error = handle(&sfn, input("me", None)).await.unwrap_err();
    assert_eq!(error.kind, ErrorKind::AccessDenied);
    assert!(error.message.contains(MACHINE), "{}", error.message);
}

#[tokio::test]
async fn an_execution_that_ended_between_listing_and_reading_does_not_compete() {
    let mut sfn = FakeExecutions::default();
    sfn.add("me", "RUNNING", 2_000, spec("orders"))
        .add("ended", "RUNNING", 1_000, spec("orders"));
    // Listed as running, then described as failed.
    struct Ending<'a>(&'a FakeExecutions);
    impl Executions for Ending<'_> {
        async fn running(&self, machine: &str) -> AwsResult<Vec<Listed>> {
            self.0.running(machine).await
        }
        async fn describe(&self, execution_arn: &str) -> AwsResult<Described> {
            let mut d = self.0.describe(execution_arn).await?;
            if execution_arn.ends_with(":ended") {
                d.status = "FAILED".into();
            }
            Ok(d)
        }
    }
    let report = handle(&Ending(&sfn), input("me", None)).await.unwrap();
    assert_eq!(report.detail.run_id.as_deref(), Some("orders"));
}
