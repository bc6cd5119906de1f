//! End to end, a long run: its progress checks continue in new executions (each
//! started by the continue function with StartExecution, as deployed), on a
//! compressed clock: two checks per execution, and a CDC latency held above the
//! cutover threshold until the test lets it drop (or fails the task). Rows of the
//! fault matrix.

#[path = "support/e2e.rs"]
mod e2e;
#[path = "support/fault_matrix.rs"]
mod fault_matrix;

use std::time::{Duration, Instant};

use dmsflow_local::Stack;
use dmsflow_local::moto::Published;
use dmsflow_local::rehearsal::Prepared;
use dmsflow_local::sfn::Execution;
use fault_matrix::row;
use serde_json::json;

const CDC: &str = "mysql-full-load-and-cdc.json";

/// The CDC sample under `run_id`: two checks per execution, short waits, the
/// task's CDC latency held at 500 s (the threshold is 60 s) until the test changes it.
fn long_run(stack: &Stack, run_id: &str, on_failure: &str) -> Prepared {
    let mut spec = e2e::events(CDC);
    spec["polling"] =
        json!({"min_wait_seconds": 30, "max_wait_seconds": 60, "checks_per_execution": 2});
    spec["cleanup"] = json!({"on_success": "delete", "on_failure": on_failure});
    e2e::set_scenario(
        stack,
        json!({"drills": {task(run_id): {"cdc-latency-seconds": 500}}}),
    );
    e2e::prepare(stack, spec, run_id, &[])
}

fn task(run_id: &str) -> String {
    format!("dmsflow-{run_id}-task")
}

/// Waits until the execution named `name` exists and runs; its ARN.
async fn running(stack: &Stack, name: &str) -> String {
    let arn = stack.execution_arn(name);
    let deadline = Instant::now() + e2e::RUN_TIMEOUT;
    loop {
        if let Ok(execution) = stack.sfn.describe_execution(&arn).await
            && execution.status == "RUNNING"
        {
            return arn;
        }
        assert!(Instant::now() < deadline, "{name} never ran");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Starts a long run and waits until its third execution runs: the run's input,
/// what was published before it, and its first execution's ARN.
async fn until_generation_three(stack: &Stack, run_id: &str) -> (Prepared, Vec<Published>, String) {
    let prepared = long_run(stack, run_id, "keep");
    let before = stack.published().await.unwrap();
    let first = stack
        .start_execution(&prepared.execution_name, &prepared.input)
        .await
        .unwrap();
    running(stack, &format!("{}-gen-3", prepared.execution_name)).await;
    (prepared, before, first)
}

/// Follows the chain from `first` to its last execution.
async fn to_the_end(stack: &mut Stack, first: &str) -> Execution {
    stack
        .follow_chain(first, e2e::RUN_TIMEOUT, |_| {})
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

async fn described(stack: &Stack, arn: &str) -> Execution {
    stack
        .sfn
        .describe_execution(arn)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_cdc_run_continues_through_three_generations_to_its_end() {
    let row = row("long-cdc-generations");
    let mut stack = e2e::stack().await;
    let run_id = "e2e-long-cdc";
    let (prepared, before, first) = until_generation_three(&stack, run_id).await;
    assert!(stack.emulator().set_cdc_latency(&task(run_id), 2.0));
    let last = to_the_end(&mut stack, &first).await;

    assert_eq!(last.status, "SUCCEEDED", "{last:?}");
    for (arn, generation) in [(&first, 1), (&running_arn(&stack, &prepared, 2), 2)] {
        let execution = described(&stack, arn).await;
        assert_eq!(execution.status, "SUCCEEDED", "generation {generation}");
        let output = execution.output_json().expect("a hand-over's output");
        assert_eq!(output["generation"], generation, "{output}");
        assert_eq!(
            output["continued_in"]["generation"],
            generation + 1,
            "{output}"
        );
    }
    let alerts = e2e::published_since(&stack, &before).await;
    assert_eq!(alerts.len(), 1, "the success notice only: {alerts:?}");
    assert!(
        alerts[0]
            .subject
            .as_deref()
            .unwrap_or_default()
            .contains("complete")
    );
    assert_eq!(
        e2e::ok_calls_of(&stack, run_id, "StartReplicationTask"),
        1,
        "the task is started once, whatever the generation"
    );
    e2e::assert_holds(&stack, run_id, row.resources_left());
    e2e::stop(stack).await;
}

fn running_arn(stack: &Stack, prepared: &Prepared, generation: u32) -> String {
    stack.execution_arn(&format!("{}-gen-{generation}", prepared.execution_name))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_task_failure_in_generation_three_alerts_once_naming_the_generation_and_the_first_execution()
 {
    let row = row("task-fails-in-generation-3");
    let mut stack = e2e::stack().await;
    let run_id = "e2e-gen3-fails";
    let (_, before, first) = until_generation_three(&stack, run_id).await;
    let message = "Error reading binary log: the log file was purged on the source";
    assert!(stack.emulator().fail_task(&task(run_id), message));
    let last = to_the_end(&mut stack, &first).await;

    assert_eq!(last.status, "FAILED", "{last:?}");
    assert_eq!(last.error.as_deref(), Some(row.error()));
    assert!(last.execution_arn.ends_with("-gen-3"), "{last:?}");
    let alerts = e2e::published_since(&stack, &before).await;
    assert_eq!(
        alerts.len(),
        1,
        "one alert, no safety-net alert: {alerts:?}"
    );
    let alert = alerts[0].json().expect("a JSON document");
    assert_eq!(alert["failed_state"], row.state());
    assert_eq!(alert["run_id"], run_id);
    assert_eq!(alert["generation"], 3);
    assert_eq!(alert["first_execution"], first.as_str());
    assert!(
        alert["cause"]
            .as_str()
            .unwrap_or_default()
            .contains(message),
        "{alert}"
    );
    assert!(
        alerts[0]
            .email_text()
            .contains("generation 3 of a long run"),
        "the e-mail says it too"
    );
    e2e::assert_holds(&stack, run_id, row.resources_left());
    e2e::stop(stack).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hand_over_whose_result_was_lost_starts_one_successor_only() {
    let row = row("hand-over-result-lost");
    let mut stack = e2e::stack().await;
    let run_id = "e2e-handover-lost";
    let prepared = long_run(&stack, run_id, "keep");
    e2e::lose_responses(&stack, "dmsflow-continue", 1).await;
    let first = stack
        .start_execution(&prepared.execution_name, &prepared.input)
        .await
        .unwrap();

    running(&stack, &format!("{}-gen-2", prepared.execution_name)).await;
    assert!(stack.emulator().set_cdc_latency(&task(run_id), 2.0));
    let last = to_the_end(&mut stack, &first).await;

    assert_eq!(last.status, "SUCCEEDED", "{last:?}");
    assert_eq!(e2e::lost_responses(&stack).await, ["dmsflow-continue"]);
    let output = described(&stack, &first).await.output_json().unwrap();
    assert_eq!(
        output["continued_in"]["execution_arn"],
        running_arn(&stack, &prepared, 2).as_str(),
        "the retried hand-over found the successor it had started: {output}"
    );
    let history = stack.sfn.history(&first).await.unwrap();
    let hand_overs = history
        .iter()
        .filter(|e| e.entered_state() == Some("ContinueInNewExecution"))
        .count();
    assert_eq!(hand_overs, 1, "one state, retried inside it");
    assert_eq!(e2e::ok_calls_of(&stack, run_id, "StartReplicationTask"), 1);
    e2e::assert_holds(&stack, run_id, row.resources_left());
    e2e::stop(stack).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rerun_after_an_earlier_attempt_continued_is_watched_to_its_end() {
    let row = row("rerun-after-continuation");
    let mut stack = e2e::stack().await;
    let run_id = "e2e-rerun-continued";
    let prepared = long_run(&stack, run_id, "keep");
    let first = stack
        .start_execution(&prepared.execution_name, &prepared.input)
        .await
        .unwrap();
    running(&stack, &format!("{}-gen-2", prepared.execution_name)).await;
    assert!(
        stack
            .emulator()
            .fail_task(&task(run_id), "the source went away")
    );
    let failed = to_the_end(&mut stack, &first).await;
    assert_eq!(failed.status, "FAILED", "{failed:?}");

    // The same input under a new execution name, as docs/deploy.md says.
    let mut again = prepared.clone();
    again.execution_name.push_str("-rerun");
    let before = stack.published().await.unwrap();
    let rerun = stack
        .start_execution(&again.execution_name, &again.input)
        .await
        .unwrap();
    let successor = running(&stack, &format!("{}-gen-2", again.execution_name)).await;
    assert!(stack.emulator().set_cdc_latency(&task(run_id), 2.0));
    let last = to_the_end(&mut stack, &rerun).await;

    assert_eq!(last.status, "SUCCEEDED", "{last:?}");
    assert_ne!(
        successor,
        running_arn(&stack, &prepared, 2),
        "the rerun's chain has names of its own"
    );
    let alerts = e2e::published_since(&stack, &before).await;
    assert_eq!(alerts.len(), 1, "the success notice only: {alerts:?}");
    assert!(
        alerts[0]
            .subject
            .as_deref()
            .unwrap_or_default()
            .contains("complete")
    );
    e2e::assert_holds(&stack, run_id, row.resources_left());
    e2e::stop(stack).await;
}
