//! Throttling drills: `ThrottlingException` ("Rate exceeded") on chosen calls.

mod common;

use std::time::Duration;

use aws_sdk_databasemigration::config::retry::RetryConfig;
use common::*;
use dms_emulator::Scenario;

fn outcomes(env: &Env) -> Vec<String> {
    env.handle.emulator().calls()["calls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["outcome"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn first_calls_are_throttled() {
    let env = start_with(Scenario::from_json(r#"{"throttle": {"first_calls": 3}}"#).unwrap()).await;
    for _ in 0..3 {
        let e = env
            .dms
            .describe_replication_instances()
            .send()
            .await
            .unwrap_err();
        assert_eq!(code(&e), "ThrottlingException");
        assert_eq!(message(&e), "Rate exceeded");
        assert_eq!(e.raw_response().unwrap().status().as_u16(), 400);
    }
    env.dms
        .describe_replication_instances()
        .send()
        .await
        .unwrap();
    assert_eq!(
        outcomes(&env),
        [
            "ThrottlingException",
            "ThrottlingException",
            "ThrottlingException",
            "ok"
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_nth_call_for_a_while() {
    let env = start().await;
    let (status, _) = control(
        env.handle.addr(),
        "POST",
        "/_emulator/throttle",
        Some(r#"{"every_nth": 3, "for_calls": 9}"#.into()),
    )
    .await;
    assert_eq!(status, 200);
    for _ in 0..12 {
        let _ = env.dms.describe_endpoints().send().await;
    }
    let throttled: Vec<usize> = outcomes(&env)
        .iter()
        .enumerate()
        .filter(|(_, o)| *o == "ThrottlingException")
        .map(|(i, _)| i + 1)
        .collect();
    assert_eq!(throttled, [3, 6, 9]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sdk_standard_retries_ride_out_a_short_burst() {
    let env = start_with(
        Scenario::from_json(
            r#"{"throttle": {"first_calls": 2, "operations": ["CreateEndpoint"]}}"#,
        )
        .unwrap(),
    )
    .await;
    let retrying = client(
        &env.handle.url(),
        RetryConfig::standard()
            .with_max_attempts(3)
            .with_initial_backoff(Duration::from_millis(5)),
    );
    env.dms
        .describe_endpoints()
        .send()
        .await
        .expect("other operations are not throttled");
    create_endpoint(&retrying, "retried", "source", vec![]).await;
    let creates: Vec<String> = env.handle.emulator().calls()["calls"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["operation"] == "CreateEndpoint")
        .map(|c| c["outcome"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        creates,
        ["ThrottlingException", "ThrottlingException", "ok"]
    );
    assert_eq!(
        env.handle.emulator().resources()["endpoints"]["count"],
        1,
        "exactly one endpoint"
    );
}
