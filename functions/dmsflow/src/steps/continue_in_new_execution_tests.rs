//! The hand-over against an in-memory Step Functions.

use std::sync::Mutex;

use serde_json::json;

use super::*;
use crate::aws::AwsResult;
use crate::aws::executions::{Described, Listed};
use crate::naming::Names;
use crate::workflow::{Run, StepState};

const MACHINE: &str = "arn:aws:states:us-east-1:123456789012:stateMachine:dmsflow-migration";

fn arn(name: &str) -> String {
    format!("arn:aws:states:us-east-1:123456789012:execution:dmsflow-migration:{name}")
}

/// Executions by name, with their inputs.
#[derive(Default)]
struct FakeSfn {
    started: Mutex<Vec<(String, String)>>,
}

impl Starter for FakeSfn {
    async fn start(&self, machine: &str, name: &str, input: &str) -> AwsResult<String> {
        assert_eq!(machine, MACHINE);
        let mut started = self.started.lock().unwrap();
        if started.iter().any(|(n, _)| n == name) {
            return Err(AwsFault::AlreadyExists(format!(
                "Execution Already Exists: {name}"
            )));
        }
        started.push((name.to_string(), input.to_string()));
        Ok(arn(name))
    }
}

impl Executions for FakeSfn {
    async fn running(&self, _: &str) -> AwsResult<Vec<Listed>> {
        Ok(Vec::new())
    }

    async fn describe(&self, execution_arn: &str) -> AwsResult<Described> {
        let started = self.started.lock().unwrap();
        let (_, input) = started
            .iter()
            .find(|(n, _)| arn(n) == execution_arn)
            .expect("described an execution that exists");
        Ok(Described {
            execution_arn: execution_arn.to_string(),
            status: "RUNNING".into(),
            started_ms: 0,
            input: Some(input.clone()),
            ..Described::default()
        })
    }
}

/// Generation `generation` of run `orders`, first started as `first`, checking.
fn call(me: &str, first: &str, generation: u32) -> StepCall {
    let state = RunState {
        execution: arn(me),
        run_id: Some("orders".into()),
        claimed_since_ms: Some(1_700_000_000_000),
        run: Some(Run {
            spec: json!({"run_id": "orders"}),
            names: Names::for_run("orders"),
            plan: vec![],
            generation,
            first_execution_arn: arn(first),
            notes: Vec::new(),
        }),
        step: StepState {
            name: "CheckProgress".into(),
            started_at: Some("2026-12-01T00:00:00.000Z".into()),
            calls: 500,
            done: false,
            wait_seconds: 540,
            hand_over: true,
            report: json!({"poll_count": 1500}),
        },
        ..RunState::default()
    };
    StepCall {
        state: serde_json::to_value(state).unwrap(),
        step: "ContinueInNewExecution".into(),
        execution: arn(me),
        input: None,
        token: None,
    }
}

#[tokio::test]
async fn the_successor_is_named_after_the_first_execution_and_resumes_the_checks() {
    let sfn = FakeSfn::default();
    let state = step(&sfn, &sfn, call("orders-gen-2", "orders", 2))
        .await
        .unwrap();
    let started = sfn.started.lock().unwrap().clone();
    assert_eq!(started.len(), 1);
    assert_eq!(started[0].0, "orders-gen-3");
    let input: Continuation = serde_json::from_str(&started[0].1).unwrap();
    assert_eq!(input.resume.generation, 3);
    assert_eq!(input.resume.parent_execution_arn, arn("orders-gen-2"));
    assert_eq!(input.resume.first_execution_arn, arn("orders"));
    assert_eq!(input.resume.loop_started_at, "2026-12-01T00:00:00.000Z");
    assert_eq!(input.resume.previous["poll_count"], 1500);
    assert_eq!(input.resume.claimed_since_ms, Some(1_700_000_000_000));
    assert_eq!(
        input.started_by.as_deref(),
        Some(arn("orders-gen-2").as_str())
    );
    assert_eq!(
        state.result["continued_in"]["execution_arn"],
        arn("orders-gen-3")
    );
    assert_eq!(state.result["continued_in"]["generation"], 3);
}

#[tokio::test]
async fn a_retried_hand_over_starts_one_successor_only() {
    let sfn = FakeSfn::default();
    let first = step(&sfn, &sfn, call("orders", "orders", 1)).await.unwrap();
    let again = step(&sfn, &sfn, call("orders", "orders", 1)).await.unwrap();
    assert_eq!(sfn.started.lock().unwrap().len(), 1);
    assert_eq!(first.result, again.result);
}

#[tokio::test]
async fn a_successor_name_taken_by_another_chain_is_a_conflict_not_a_silent_success() {
    let sfn = FakeSfn::default();
    // Generation 1 of the chain first started as `orders` started `orders-gen-2`.
    step(&sfn, &sfn, call("orders", "orders", 1)).await.unwrap();
    // Another execution claiming to be generation 1 of the same first execution
    // (not the one that started it) finds the name taken by someone else's successor.
    let err = step(&sfn, &sfn, call("intruder", "orders", 1))
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::ResourceConflict);
    assert!(err.message.contains("orders-gen-2"), "{}", err.message);
}

#[tokio::test]
async fn a_rerun_under_a_new_execution_name_starts_a_chain_of_its_own() {
    let sfn = FakeSfn::default();
    step(&sfn, &sfn, call("orders", "orders", 1)).await.unwrap();
    let rerun = step(&sfn, &sfn, call("orders-rerun", "orders-rerun", 1))
        .await
        .unwrap();
    assert_eq!(
        rerun.result["continued_in"]["execution_name"],
        "orders-rerun-gen-2"
    );
}

#[test]
fn long_first_names_still_give_valid_distinct_successor_names() {
    let long_a = "a".repeat(80);
    let mut long_b = "a".repeat(79);
    long_b.push('b');
    let a = successor_name(&long_a, 12);
    let b = successor_name(&long_b, 12);
    assert!(a.len() <= 80 && b.len() <= 80, "{a} {b}");
    assert!(a.ends_with("-gen-12") && b.ends_with("-gen-12"));
    assert_ne!(a, b);
    assert_eq!(successor_name("orders", 2), "orders-gen-2");
}
