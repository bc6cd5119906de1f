//! The wave's steps after PrepareWave against an in-memory Step Functions and SNS.

use serde_json::json;

use super::*;
use crate::alerts::RUNS_LISTED;
use crate::steps::wave_fakes::*;

/// The wave's first run, started.
async fn first_run_started(sfn: &FakeSfn) -> Value {
    let runs = prepared(sfn).await;
    let run = serde_json::to_value(&runs[0]).unwrap();
    start_run(sfn, MACHINE, &run, at(0)).await.unwrap()
}

#[tokio::test]
async fn starting_twice_follows_the_same_execution() {
    let sfn = FakeSfn::default();
    // Starting twice (a lost answer) follows the same execution.
    let run = serde_json::to_value(&prepared(&sfn).await[0]).unwrap();
    let first = start_run(&sfn, MACHINE, &run, at(0)).await.unwrap();
    let again = start_run(&sfn, MACHINE, &run, at(0)).await.unwrap();
    assert_eq!(first["execution_arn"], arn("q3--orders"));
    assert_eq!(again["execution_arn"], first["execution_arn"]);
    assert_eq!(sfn.started.lock().unwrap().len(), 2);
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
    assert_eq!(outcome.execution.as_deref(), Some("q3--orders-gen-2"));
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
async fn the_largest_wave_makes_a_report_sns_takes_listing_failed_runs_first() {
    let sns = FakeSns::default();
    // 500 runs with the longest ids, the last one succeeded, every other failed
    // with a long cause.
    let mut runs: Vec<Value> = (0..crate::wave::MAX_RUNS - 1)
        .map(|i| {
            json!({"run_id": format!("{i:03}{}", "r".repeat(37)), "outcome": "failed",
                   "error": "TablesErrored", "cause": "x".repeat(5_000), "duration_seconds": 86_400,
                   "execution": format!("{}--{i:03}{}", "w".repeat(32), "r".repeat(37))})
        })
        .collect();
    runs.insert(0, json!({"run_id": "fine", "outcome": "succeeded"}));
    let input = json!({"wave": {"wave_id": "w".repeat(32), "tolerated_failures": 0, "runs": runs}});
    let figures = report(&sns, TOPIC, WAVE_EXECUTION, &input).await.unwrap();
    assert_eq!(figures["failed"], crate::wave::MAX_RUNS - 1);
    assert_eq!(
        figures["runs_not_listed"],
        crate::wave::MAX_RUNS - RUNS_LISTED
    );
    let sent = sns.0.lock().unwrap().clone();
    let size = sent[0].structured().len();
    assert!(size <= 256 * 1024, "the report is {size} bytes");
    assert!(
        sent[0].text.contains("- 000rrr") && !sent[0].text.contains("- fine"),
        "failed runs come first: {}",
        sent[0].text
    );
    assert!(
        sent[0]
            .text
            .contains("- and 450 more run(s), 449 of them failed"),
        "{}",
        sent[0].text
    );
}

#[tokio::test]
async fn a_rerun_waits_its_own_timeout_for_a_run_it_follows() {
    let sfn = FakeSfn::default();
    sfn.put("q3--orders", "RUNNING", 0, None);
    let runs = prepared(&sfn).await;
    assert_eq!(runs[0].execution_name, "q3--orders");
    let run = serde_json::to_value(&runs[0]).unwrap();
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

#[test]
fn a_caught_error_settles_into_a_short_outcome() {
    let mut run = serde_json::to_value(WaveRun {
        run_id: "orders".into(),
        wave_id: "q3".into(),
        execution_name: "q3--orders".into(),
        input: json!({}),
        skip: false,
        earlier: None,
        start_delay_seconds: 0,
        poll_seconds: 600,
        run_timeout_hours: 72,
        outcome: RunOutcome::planned("orders", None, false),
    })
    .unwrap();
    let message = "x".repeat(5_000);
    run["outcome"]["caught"] = json!({"Error": "AccessDenied",
        "Cause": json!({"errorType": "AccessDenied", "errorMessage": message}).to_string()});
    let settled = settle_run(&run).unwrap();
    let outcome = &settled["outcome"];
    assert_eq!(outcome["outcome"], "not-followed");
    assert_eq!(outcome["error"], "AccessDenied");
    assert!(outcome.get("caught").is_none(), "{outcome}");
    assert!(outcome.to_string().len() < 300, "{outcome}");
}
