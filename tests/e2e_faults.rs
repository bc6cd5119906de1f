//! End to end, the faults a run must survive or end cleanly on (rows of the fault
//! matrix, `support/fault_matrix.rs`): a throttling storm, busy resources, step
//! results lost after the step ran, an execution stopped and started again, and
//! a permanent fault at each step of the workflow.

#[path = "support/e2e.rs"]
mod e2e;
#[path = "support/fault_matrix.rs"]
mod fault_matrix;

use dmsflow_local::Stack;
use dmsflow_local::rehearsal::Outcome;
use fault_matrix::{Row, row};
use serde_json::{Value, json};

const FULL_LOAD: &str = "postgres-to-aurora-full-load.json";
const CDC: &str = "mysql-full-load-and-cdc.json";

/// The run's DMS calls that DMS answered with `outcome` (a fault code).
fn answered_with(stack: &Stack, outcome: &str) -> usize {
    stack
        .calls()
        .iter()
        .filter(|c| c.outcome == outcome)
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_throttling_storm_is_ridden_out_with_bounded_retries() {
    let row = row("throttle-storm");
    let mut stack = e2e::stack().await;
    let run_id = "e2e-throttle-storm";
    let prepared = e2e::sample(&stack, FULL_LOAD, run_id, &[]);
    e2e::set_scenario(
        &stack,
        json!({"throttle": {"percent": 50, "for_calls": 150, "seed": 7}}),
    );

    let outcome = e2e::run(&mut stack, &prepared).await;

    e2e::assert_ends(&outcome, None, "");
    let throttled = answered_with(&stack, "ThrottlingException");
    assert!(
        throttled >= 50,
        "the storm should throttle about 75 calls: {throttled}"
    );
    // The SDK's retries absorb most of it; what they cannot is retried by the
    // state machine, within its MaxAttempts.
    println!(
        "storm: {throttled} calls throttled, {} step invocations failed and were retried",
        outcome.task_failures
    );
    e2e::assert_holds(&stack, run_id, row.resources_left());
    e2e::stop(stack).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_busy_resource_is_waited_out() {
    let row = row("resource-busy");
    let mut stack = e2e::stack().await;
    let run_id = "e2e-busy";
    let prepared = e2e::sample(&stack, FULL_LOAD, run_id, &[]);
    let busy = |operation: &str, times: u64| {
        json!({"operation": operation, "code": "InvalidResourceStateFault", "times": times,
               "message": format!("{operation}: the resource is busy; try again later")})
    };
    e2e::set_scenario(
        &stack,
        json!({"faults": [busy("TestConnection", 1), busy("StartReplicationTask", 1),
                          busy("DeleteEndpoint", 2)]}),
    );

    let outcome = e2e::run(&mut stack, &prepared).await;

    e2e::assert_ends(&outcome, None, "");
    assert_eq!(answered_with(&stack, "InvalidResourceStateFault"), 4);
    assert!(
        outcome.task_failures >= 2,
        "testing a connection and starting fail an invocation each"
    );
    assert_eq!(e2e::ok_calls_of(&stack, run_id, "TestConnection"), 2);
    assert_eq!(e2e::ok_calls_of(&stack, run_id, "StartReplicationTask"), 1);
    e2e::assert_holds(&stack, run_id, row.resources_left());
    e2e::stop(stack).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_step_whose_result_was_lost_runs_again_without_doing_anything_twice() {
    let row = row("lost-responses");
    let mut stack = e2e::stack().await;
    let run_id = "e2e-lost";
    let prepared = e2e::sample(&stack, FULL_LOAD, run_id, &[]);
    // The first invocation of every step.
    let armed = [
        ("dmsflow-validate", 1),
        ("dmsflow-create", 1),
        ("dmsflow-test-connection", 1),
        ("dmsflow-enable-validation", 1),
        ("dmsflow-assess", 1),
        ("dmsflow-start", 1),
        ("dmsflow-check-progress", 1),
        ("dmsflow-cleanup", 1),
    ];
    for (function, count) in armed {
        e2e::lose_responses(&stack, function, count).await;
    }

    let outcome = e2e::run(&mut stack, &prepared).await;

    e2e::assert_ends(&outcome, None, "");
    let lost = e2e::lost_responses(&stack).await;
    assert_eq!(lost.len(), 8, "every armed response was lost: {lost:?}");
    assert!(outcome.task_failures >= 8, "each loss fails one invocation");
    let created = e2e::created_operations(&outcome);
    assert_eq!(created.len(), 6, "nothing created twice: {created:?}");
    for operation in [
        "StartReplicationTaskAssessmentRun",
        "StartReplicationTask",
        "DeleteReplicationTask",
        "DeleteReplicationInstance",
        "DeleteReplicationSubnetGroup",
    ] {
        assert_eq!(
            e2e::ok_calls_of(&stack, run_id, operation),
            1,
            "{operation}"
        );
    }
    e2e::assert_holds(&stack, run_id, row.resources_left());
    e2e::stop(stack).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restarted_execution_adopts_the_run_and_starts_nothing_twice() {
    let row = row("restarted-execution");
    let mut stack = e2e::stack().await;
    let run_id = "e2e-restart";
    let mut prepared = e2e::sample(&stack, CDC, run_id, &[]);
    // Checks 10 s apart locally: the first execution is still watching the task
    // when it is stopped.
    prepared.input["polling"] = json!({"min_wait_seconds": 300});
    let first = stack
        .start_execution(&prepared.execution_name, &prepared.input)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let mut waited = 0;
    while e2e::ok_calls_of(&stack, run_id, "StartReplicationTask") == 0 {
        assert!(waited < 600, "the first execution never started the task");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        waited += 1;
    }
    e2e::stop_execution(&stack, &first).await;

    let outcome = e2e::rerun(&mut stack, &prepared, "restarted").await;

    e2e::assert_ends(&outcome, None, "");
    assert!(outcome.created.is_empty(), "{:?}", outcome.created);
    assert_eq!(e2e::creates_of(&stack, run_id).len(), 6);
    assert_eq!(
        e2e::ok_calls_of(&stack, run_id, "StartReplicationTask"),
        1,
        "the running task is not started again"
    );
    e2e::assert_holds_one_full_set(&stack, run_id, e2e::CDC_ALARMS);
    e2e::assert_holds(&stack, run_id, row.resources_left());
    let held = stack.resources_of(run_id);
    assert_eq!(held.of_kind("replication_tasks")[0].status, "running");
    e2e::stop(stack).await;
}

/// A run of `spec` (as `run_id`) while `operation` fails for good with DMS fault
/// `code` and `message`: it ends as `row` says, with one alert quoting DMS, DMS
/// is asked `faulted_calls` times (the fault is not retried) and the run leaves
/// what the row says.
async fn permanent_fault(
    stack: &mut Stack,
    row: &Row,
    (run_id, spec): (&str, Value),
    (operation, code, message): (&str, &str, &str),
    faulted_calls: usize,
) -> Outcome {
    let prepared = e2e::prepare(stack, spec, run_id, &[]);
    e2e::set_scenario(
        stack,
        json!({"faults": [{"operation": operation, "code": code, "message": message}]}),
    );

    let outcome = e2e::run(stack, &prepared).await;

    e2e::assert_failure_alerted_once(&outcome, row.state(), row.error(), message);
    assert_eq!(answered_with(stack, code), faulted_calls, "{operation}");
    e2e::assert_holds(stack, run_id, row.resources_left());
    outcome
}

/// A sample spec with a failure cleanup policy.
fn spec(sample: &str, on_failure: &str) -> Value {
    let mut spec = e2e::events(sample);
    spec["cleanup"] = json!({"on_success": "delete", "on_failure": on_failure});
    spec
}

/// claim-run is the first step: its Step Functions calls are refused by the
/// router (the emulator serves DMS only), as a role without
/// `states:ListExecutions` would see them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_permanent_claim_failure_alerts_once_and_touches_nothing() {
    let row = row("claim-fails");
    let mut stack = e2e::stack().await;
    let run_id = "e2e-claim-fails";
    let prepared = e2e::sample(&stack, FULL_LOAD, run_id, &[]);
    let message = "User: arn:aws:sts::123456789012:assumed-role/dmsflow-claim-run/dmsflow-claim-run \
                   is not authorized to perform: states:ListExecutions";
    e2e::refuse_calls(
        &stack,
        "AWSStepFunctions.ListExecutions",
        "AccessDeniedException",
        message,
    )
    .await;

    let outcome = e2e::run(&mut stack, &prepared).await;

    e2e::assert_ends(&outcome, Some((row.state(), row.error())), message);
    assert_eq!(
        e2e::refused_calls(&stack).await,
        ["AWSStepFunctions.ListExecutions"],
        "a permanent fault is neither retried by the SDK nor by the state machine"
    );
    assert!(stack.calls().is_empty(), "no DMS call: {:?}", stack.calls());
    let alert = &outcome.alerts[0];
    assert_eq!(alert.topic_arn, stack.stack_topic_arn, "{alert:?}");
    assert!(alert.message.contains("IAM role"), "{alert:?}");
    e2e::assert_holds(&stack, run_id, row.resources_left());
    e2e::stop(stack).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_permanent_create_failure_alerts_once_and_cleans_up() {
    let row = row("create-fails");
    let mut stack = e2e::stack().await;
    let message = "Insufficient capacity for the replication instance class in the requested Availability Zone.";
    let outcome = permanent_fault(
        &mut stack,
        row,
        ("e2e-create-fails", spec(FULL_LOAD, "delete")),
        (
            "CreateReplicationInstance",
            "InsufficientResourceCapacityFault",
            message,
        ),
        1,
    )
    .await;
    e2e::assert_ends(&outcome, Some((row.state(), row.error())), message);
    assert!(!outcome.deleted.is_empty(), "the subnet group is deleted");
    e2e::stop(stack).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_permanent_connection_test_failure_alerts_once_and_keeps_the_run() {
    let row = row("test-connection-fails");
    let mut stack = e2e::stack().await;
    let message = "The KMS key that encrypts the endpoint's connection settings is not accessible.";
    let outcome = permanent_fault(
        &mut stack,
        row,
        ("e2e-test-connection-fails", spec(CDC, "keep")),
        ("TestConnection", "KMSKeyNotAccessibleFault", message),
        1,
    )
    .await;
    e2e::assert_ends(&outcome, Some((row.state(), row.error())), message);
    assert!(outcome.deleted.is_empty(), "{:?}", outcome.deleted);
    e2e::stop(stack).await;
}

/// The task is created with validation when the spec asks for it, so this step
/// modifies a task only when the run's task exists without validation: here a
/// first run without validation failed and was kept, and its rerun turns
/// validation on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_permanent_enable_validation_failure_alerts_once_and_cleans_up() {
    let row = row("enable-validation-fails");
    let mut stack = e2e::stack().await;
    let run_id = "e2e-enable-validation-fails";
    let mut without = spec(CDC, "keep");
    without["validation"] = json!({"enabled": false});
    let mut first = e2e::prepare(&stack, without, run_id, &[]);
    first.execution_name.push_str("-without-validation");
    e2e::set_scenario(
        &stack,
        json!({"drills": {format!("dmsflow-{run_id}-source"): {"fail-connection": "source"}}}),
    );
    let failed = e2e::run(&mut stack, &first).await;
    e2e::assert_failed_with_one_alert(
        &failed,
        "TestConnections",
        "ConnectionTestFailed",
        "Test Endpoint failed",
    );

    let message = "Task Settings ValidationSettings are not valid for this engine version.";
    let outcome = permanent_fault(
        &mut stack,
        row,
        (run_id, spec(CDC, "delete")),
        (
            "ModifyReplicationTask",
            "InvalidParameterValueException",
            message,
        ),
        1,
    )
    .await;
    e2e::assert_ends(&outcome, Some((row.state(), row.error())), message);
    assert!(outcome.created.is_empty(), "{:?}", outcome.created);
    e2e::stop(stack).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_permanent_start_failure_alerts_once_and_keeps_the_run() {
    let row = row("start-fails");
    let mut stack = e2e::stack().await;
    let run_id = "e2e-start-fails";
    let message = "The IAM Role arn:aws:iam::123456789012:role/dms-cloudwatch-logs-role is not configured properly.";
    let outcome = permanent_fault(
        &mut stack,
        row,
        (run_id, spec(CDC, "keep")),
        ("StartReplicationTask", "AccessDeniedFault", message),
        1,
    )
    .await;
    e2e::assert_ends(&outcome, Some((row.state(), row.error())), message);
    let held = stack.resources_of(run_id);
    assert_eq!(held.of_kind("replication_tasks")[0].status, "ready");
    e2e::stop(stack).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_permanent_check_progress_failure_alerts_once_and_cleans_up() {
    let row = row("check-progress-fails");
    let mut stack = e2e::stack().await;
    let run_id = "e2e-check-progress-fails";
    let message = "User is not authorized to perform: dms:DescribeTableStatistics";
    let outcome = permanent_fault(
        &mut stack,
        row,
        (run_id, spec(CDC, "delete")),
        ("DescribeTableStatistics", "AccessDeniedFault", message),
        1,
    )
    .await;
    e2e::assert_ends(&outcome, Some((row.state(), row.error())), message);
    assert_eq!(
        e2e::ok_calls_of(&stack, run_id, "StopReplicationTask"),
        1,
        "replication is stopped before it is deleted"
    );
    e2e::stop(stack).await;
}

/// Cleanup after a successful migration fails; the failure path's own cleanup
/// (`on_failure: delete`) meets the same fault: DMS is asked twice, once by each.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_permanent_cleanup_failure_alerts_once_and_names_what_is_left() {
    let row = row("cleanup-fails");
    let mut stack = e2e::stack().await;
    let run_id = "e2e-cleanup-fails";
    let message = "User is not authorized to perform: dms:DeleteReplicationInstance";
    let outcome = permanent_fault(
        &mut stack,
        row,
        (run_id, spec(FULL_LOAD, "delete")),
        ("DeleteReplicationInstance", "AccessDeniedFault", message),
        // The success cleanup's failure is announced; the failure cleanup policy
        // does not run the same deletions again.
        1,
    )
    .await;
    // The migration itself completed, and said so before cleaning up.
    let notices: Vec<_> = outcome
        .alerts
        .iter()
        .filter(|a| a.subject.as_deref().is_some_and(|s| s.contains("complete")))
        .collect();
    assert_eq!(notices.len(), 1, "{:?}", outcome.alerts);
    assert_eq!(outcome.alerts.len(), 2, "{:?}", outcome.alerts);
    // The Fail state quotes the cleanup's message, not its error JSON.
    let cause = outcome.execution.cause.as_deref().unwrap_or_default();
    assert!(cause.contains(message), "{cause}");
    assert!(!cause.contains("errorType"), "{cause}");
    let held = stack.resources_of(run_id);
    assert_eq!(held.of_kind("replication_instances").len(), 1);
    assert!(held.of_kind("replication_tasks").is_empty());
    assert!(held.of_kind("endpoints").is_empty());
    e2e::stop(stack).await;
}
