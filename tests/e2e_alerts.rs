//! End to end, when the run's own SNS topic cannot take a message (deleted, a
//! wrong ARN, or a policy or KMS key that refuses the state machine): a failure
//! alert goes to the stack's alert topic instead, and a success notice that
//! cannot be delivered ends the execution failed with `NotificationFailed`
//! after telling the stack's alert topic. Rows of the fault matrix.
//!
//! The tests name a topic that does not exist. The DMS emulator checks only the
//! form of a topic ARN, so the run's event subscription is still created; real
//! DMS refuses a topic that does not exist (`SNSInvalidTopicFault`), which is
//! the same as a topic deleted after the resources were created.

#[path = "support/e2e.rs"]
mod e2e;
#[path = "support/fault_matrix.rs"]
mod fault_matrix;

use dmsflow_local::Stack;
use dmsflow_local::rehearsal::Prepared;
use fault_matrix::row;
use serde_json::{Value, json};

const FULL_LOAD: &str = "postgres-to-aurora-full-load.json";
const GONE_TOPIC: &str = "arn:aws:sns:us-east-1:123456789012:dmsflow-deleted-topic";

/// The full-load sample, deleting everything after success or failure, with
/// notifications to a topic that does not exist.
fn to_a_gone_topic(stack: &Stack, run_id: &str) -> Prepared {
    let mut spec = e2e::events(FULL_LOAD);
    spec["cleanup"] = json!({"on_success": "delete", "on_failure": "delete"});
    let mut prepared = e2e::prepare(stack, spec, run_id, &[]);
    prepared.input["notifications"]["sns_topic_arn"] = Value::from(GONE_TOPIC);
    prepared
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_alert_the_runs_topic_cannot_take_goes_to_the_stack_topic() {
    let row = row("alert-topic-gone");
    let mut stack = e2e::stack().await;
    let run_id = "e2e-alert-topic-gone";
    let prepared = to_a_gone_topic(&stack, run_id);
    let message = "Insufficient capacity for the replication instance class.";
    e2e::set_scenario(
        &stack,
        json!({"faults": [{"operation": "CreateReplicationInstance",
                           "code": "InsufficientResourceCapacityFault", "message": message}]}),
    );

    let outcome = e2e::run(&mut stack, &prepared).await;

    e2e::assert_ends(&outcome, Some((row.state(), row.error())), message);
    let alert = &outcome.alerts[0];
    assert_eq!(alert.topic_arn, stack.stack_topic_arn, "{alert:?}");
    let delivery = alert.json().expect("a JSON alert")["delivery"].clone();
    let delivery = delivery.as_str().unwrap_or_default();
    assert!(
        delivery.contains(GONE_TOPIC) && delivery.contains("alert topic of the dmsflow stack"),
        "the alert says why it comes to the stack's topic: {delivery:?}"
    );
    let cause = outcome.execution.cause.as_deref().unwrap_or_default();
    assert!(
        cause.contains(message) && cause.contains(&stack.stack_topic_arn),
        "the execution's cause keeps DMS's message and says where the alert went: {cause}"
    );
    e2e::assert_holds(&stack, run_id, row.resources_left());
    e2e::stop(stack).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_success_notice_the_runs_topic_cannot_take_is_reported_to_the_stack_topic() {
    let row = row("notice-topic-gone");
    let mut stack = e2e::stack().await;
    let run_id = "e2e-notice-topic-gone";
    let prepared = to_a_gone_topic(&stack, run_id);

    let outcome = e2e::run(&mut stack, &prepared).await;

    let cause = e2e::failed_with(&outcome, row.error());
    assert!(
        cause.contains("reached its completion criterion") && cause.contains(GONE_TOPIC),
        "{cause}"
    );
    assert!(
        e2e::failure_alerts(&outcome).is_empty(),
        "the migration did not fail: {:?}",
        outcome.alerts
    );
    assert_eq!(outcome.alerts.len(), 1, "{:?}", outcome.alerts);
    let alert = &outcome.alerts[0];
    assert_eq!(alert.topic_arn, stack.stack_topic_arn, "{alert:?}");
    assert_eq!(
        alert.subject.as_deref(),
        Some(format!("dmsflow run {run_id} complete, but its notice was not delivered").as_str())
    );
    let message = alert.json().expect("a JSON alert");
    assert_eq!(message["error"], row.error(), "{message}");
    assert_eq!(message["then"], "stop-and-clean-up", "{message}");
    assert!(
        !outcome.deleted.is_empty(),
        "the completion policy still ran"
    );
    e2e::assert_holds(&stack, run_id, row.resources_left());
    e2e::stop(stack).await;
}
