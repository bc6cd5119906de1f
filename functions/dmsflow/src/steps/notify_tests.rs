//! notify against an in-memory SNS and execution history.

use std::sync::Mutex;

use serde_json::json;

use super::*;
use crate::aws::{AwsFault, AwsResult};
use crate::progress::fixtures;
use crate::spec::stack_bounds::StackBounds;
use crate::steps::validate_spec;
use crate::workflow::{Route, Run};

const STACK_TOPIC: &str = "arn:aws:sns:us-east-1:123456789012:dmsflow-stack-alerts";
const RUN_TOPIC: &str = "arn:aws:sns:us-east-1:123456789012:dmsflow-run-alerts";
const EXECUTION: &str = "arn:aws:states:eu-west-1:123456789012:execution:dmsflow-migration:orders";

/// Topics that take messages, and what they took.
#[derive(Default)]
struct FakeSns {
    refusing: Vec<String>,
    published: Mutex<Vec<(String, Message)>>,
}

impl FakeSns {
    fn refusing(topics: &[&str]) -> Self {
        FakeSns {
            refusing: topics.iter().map(|t| t.to_string()).collect(),
            ..FakeSns::default()
        }
    }

    fn published(&self) -> Vec<(String, Message)> {
        self.published.lock().unwrap().clone()
    }
}

impl Notices for FakeSns {
    async fn publish(&self, topic_arn: &str, message: &Message) -> AwsResult<String> {
        if self.refusing.iter().any(|t| t == topic_arn) {
            return Err(AwsFault::NotFound("Topic does not exist".into()));
        }
        self.published
            .lock()
            .unwrap()
            .push((topic_arn.to_string(), message.clone()));
        Ok("m-1".into())
    }
}

/// The last state each execution entered.
struct FakeHistory(Option<&'static str>);

impl History for FakeHistory {
    async fn last_state_entered(&self, _: &str) -> AwsResult<Option<String>> {
        Ok(self.0.map(str::to_string))
    }
}

/// The state after ValidateSpec for the fixture spec (topic: the run's).
fn validated() -> RunState {
    let mut spec = fixtures::spec_json(json!({}));
    spec["notifications"] = json!({"sns_topic_arn": RUN_TOPIC});
    let validated =
        validate_spec::validate(&spec, &StackBounds::alert_topic_only(Some(STACK_TOPIC))).unwrap();
    RunState {
        execution: EXECUTION.into(),
        run_id: Some("orders".into()),
        run: Some(Run {
            spec: validated.spec,
            names: validated.names,
            plan: vec![],
            generation: 1,
            first_execution_arn: EXECUTION.into(),
            notes: Vec::new(),
        }),
        ..RunState::default()
    }
}

fn caught_at(mut state: RunState, failed: &str, error: &str, message: &str) -> StepCall {
    state.failed_at.insert(
        failed.into(),
        Caught {
            error: error.into(),
            cause: json!({"errorType": error, "errorMessage": message}).to_string(),
        },
    );
    StepCall {
        state: serde_json::to_value(state).unwrap(),
        step: "NotifyFailure".into(),
        execution: EXECUTION.into(),
        input: None,
        token: None,
    }
}

#[tokio::test]
async fn a_failure_is_alerted_once_to_the_runs_topic_and_its_cleanup_policy_applies() {
    let sns = FakeSns::default();
    let call = caught_at(
        validated(),
        "CreateResources",
        "QuotaExceeded",
        "no capacity",
    );
    let state = failure(&sns, STACK_TOPIC, call).await.unwrap();
    let published = sns.published();
    assert_eq!(published.len(), 1);
    assert_eq!(published[0].0, RUN_TOPIC);
    assert_eq!(
        published[0].1.subject,
        "dmsflow run orders failed at CreateResources"
    );
    let failure = state.failure.unwrap();
    assert_eq!(
        (
            failure.state.as_str(),
            failure.error.as_str(),
            failure.cause.as_str()
        ),
        ("CreateResources", "QuotaExceeded", "no capacity")
    );
    assert_eq!(failure.alerted_to.as_deref(), Some(RUN_TOPIC));
    assert!(failure.clean_up);
    assert!(state.failed_at.is_empty(), "the caught error is consumed");
}

#[tokio::test]
async fn an_alert_the_runs_topic_refuses_goes_to_the_stack_topic_saying_why() {
    let sns = FakeSns::refusing(&[RUN_TOPIC]);
    let call = caught_at(validated(), "StartReplication", "AccessDenied", "denied");
    let state = failure(&sns, STACK_TOPIC, call).await.unwrap();
    let published = sns.published();
    assert_eq!(published.len(), 1);
    assert_eq!(published[0].0, STACK_TOPIC);
    let delivery = published[0].1.document["delivery"].as_str().unwrap();
    assert!(delivery.contains(RUN_TOPIC) && delivery.contains("alert topic of the dmsflow stack"));
    assert!(
        published[0].1.text.ends_with(delivery),
        "the e-mail says so too"
    );
    let failure = state.failure.unwrap();
    assert_eq!(failure.alerted_to.as_deref(), Some(STACK_TOPIC));
    assert!(
        failure
            .cause
            .starts_with("denied -- The alert could not be published to the topic of the run")
            && failure.cause.contains(STACK_TOPIC),
        "{}",
        failure.cause
    );
}

#[tokio::test]
async fn an_alert_no_topic_takes_is_recorded_and_the_run_still_cleans_up() {
    let sns = FakeSns::refusing(&[RUN_TOPIC, STACK_TOPIC]);
    let call = caught_at(
        validated(),
        "TestConnections",
        "ConnectionTestFailed",
        "refused",
    );
    let state = failure(&sns, STACK_TOPIC, call).await.unwrap();
    assert!(sns.published().is_empty());
    let failure = state.failure.unwrap();
    assert_eq!(failure.alerted_to, None);
    assert!(
        failure.cause.contains("could not be published"),
        "{}",
        failure.cause
    );
    assert!(failure.clean_up);
}

#[tokio::test]
async fn a_yielding_execution_and_an_unread_input_clean_nothing_up() {
    let sns = FakeSns::default();
    let mut yielding = RunState::begin(EXECUTION, json!({"run_id": "orders"})).unwrap();
    yielding.route = Route::Migrate;
    let call = caught_at(
        yielding,
        "ClaimRun",
        "RunInProgress",
        "run orders is driven by x",
    );
    let state = failure(&sns, STACK_TOPIC, call).await.unwrap();
    assert!(!state.failure.unwrap().clean_up);
    assert_eq!(
        sns.published()[0].1.subject,
        "dmsflow run already in progress: execution failed at ClaimRun"
    );

    // ClaimRun refused the input at once: the state is the input itself.
    let sns = FakeSns::default();
    let call = StepCall {
        state: json!({"action": "explode", "failed_at": {"ClaimRun": {"Error": "InvalidSpec", "Cause": "not understood"}}}),
        step: "NotifyFailure".into(),
        execution: EXECUTION.into(),
        input: None,
        token: None,
    };
    let state = failure(&sns, STACK_TOPIC, call).await.unwrap();
    let published = sns.published();
    assert_eq!(published[0].0, STACK_TOPIC, "no run topic before a spec");
    assert_eq!(
        published[0].1.subject,
        "dmsflow execution orders failed at ClaimRun"
    );
    let failure = state.failure.unwrap();
    assert_eq!(
        (failure.error.as_str(), failure.clean_up),
        ("InvalidSpec", false)
    );
}

#[tokio::test]
async fn a_cleanup_that_fails_after_a_failure_is_announced_and_the_first_error_stays() {
    let sns = FakeSns::default();
    let call = caught_at(
        validated(),
        "CheckProgress",
        "TaskFailed",
        "the task failed",
    );
    let after_first = failure(&sns, STACK_TOPIC, call).await.unwrap();
    let call = caught_at(
        after_first,
        "Cleanup",
        "AccessDenied",
        "cannot delete the instance",
    );
    let state = failure(&sns, STACK_TOPIC, call).await.unwrap();
    let published = sns.published();
    assert_eq!(published.len(), 2, "the cleanup failure is announced too");
    assert_eq!(
        published[1].1.subject,
        "dmsflow run orders failed at Cleanup"
    );
    assert!(
        published[1]
            .1
            .text
            .starts_with("Cleanup after the earlier failure (TaskFailed at CheckProgress")
    );
    let failure = state.failure.unwrap();
    assert_eq!(
        (failure.state.as_str(), failure.error.as_str()),
        ("CheckProgress", "TaskFailed")
    );
    assert_eq!(
        failure.cause,
        "the task failed -- Cleanup after this failure also failed (AccessDenied): cannot delete the instance"
    );
    assert!(!failure.clean_up, "no second cleanup");
}

fn completed() -> StepCall {
    let mut state = validated();
    state.step.name = "CheckProgress".into();
    state.step.done = true;
    state.step.report = json!({"summary": {"full_load_percent": 100, "tables_loaded": 6}});
    StepCall {
        state: serde_json::to_value(state).unwrap(),
        step: "NotifySuccess".into(),
        execution: EXECUTION.into(),
        input: None,
        token: None,
    }
}

#[tokio::test]
async fn the_success_notice_goes_to_the_runs_topic_and_becomes_the_result() {
    let sns = FakeSns::default();
    let state = success(&sns, STACK_TOPIC, completed()).await.unwrap();
    let published = sns.published();
    assert_eq!(published.len(), 1);
    assert_eq!(published[0].0, RUN_TOPIC);
    assert_eq!(
        published[0].1.subject,
        "dmsflow run orders complete (ready-for-cutover)"
    );
    let outcome = state.outcome.unwrap();
    assert_eq!(
        (outcome.then.as_str(), outcome.notified.as_deref()),
        ("leave-running", Some(RUN_TOPIC))
    );
    assert_eq!(state.result["run_id"], "orders");
    assert!(state.failure.is_none());
}

#[tokio::test]
async fn a_success_notice_the_runs_topic_refuses_tells_the_stack_topic_and_fails_the_run_later() {
    let sns = FakeSns::refusing(&[RUN_TOPIC]);
    let state = success(&sns, STACK_TOPIC, completed()).await.unwrap();
    let published = sns.published();
    assert_eq!(published.len(), 1);
    assert_eq!(published[0].0, STACK_TOPIC);
    assert_eq!(
        published[0].1.subject,
        "dmsflow run orders complete, but its notice was not delivered"
    );
    let failure = state.failure.unwrap();
    assert_eq!(failure.error, "NotificationFailed");
    assert!(
        !failure.clean_up,
        "the completion policy, not the failure policy, applies"
    );
    assert!(
        failure.cause.contains("reached its completion criterion")
            && failure.cause.contains(RUN_TOPIC)
    );
    assert_eq!(state.outcome.unwrap().notified, None);
}

fn status_change(status: &str) -> EventBridgeEvent<StatusChange> {
    serde_json::from_value(json!({
        "version": "0", "id": "1", "detail-type": "Step Functions Execution Status Change",
        "source": "aws.states", "account": "123456789012", "time": "2026-12-05T10:00:00Z",
        "region": "eu-west-1", "resources": [EXECUTION],
        "detail": {"executionArn": EXECUTION, "stateMachineArn": "arn:sm", "name": "orders",
                   "status": status, "input": "{\"run_id\": \"orders\"}",
                   "error": "States.Runtime", "cause": "boom"}
    }))
    .unwrap()
}

#[tokio::test]
async fn the_safety_net_alerts_only_for_an_execution_that_did_not_alert_itself() {
    let sns = FakeSns::default();
    // FailRun comes after NotifyFailure; a wave reaches WaveFailed after its
    // report or its alert.
    for alerted_already in ["FailRun", "WaveFailed"] {
        let done = ended(
            &sns,
            &FakeHistory(Some(alerted_already)),
            STACK_TOPIC,
            status_change("FAILED"),
        )
        .await
        .unwrap();
        assert!(
            !done.alerted && sns.published().is_empty(),
            "{alerted_already}"
        );
    }

    let done = ended(
        &sns,
        &FakeHistory(Some("CheckProgress")),
        STACK_TOPIC,
        status_change("FAILED"),
    )
    .await
    .unwrap();
    assert!(done.alerted);
    let done = ended(
        &sns,
        &FakeHistory(Some("WaitForProgress")),
        STACK_TOPIC,
        status_change("ABORTED"),
    )
    .await
    .unwrap();
    assert!(done.alerted);
    let published = sns.published();
    assert_eq!(published.len(), 2);
    assert!(published.iter().all(|(topic, _)| topic == STACK_TOPIC));
    assert_eq!(published[1].1.subject, "dmsflow execution orders aborted");
    assert_eq!(published[1].1.document["run_id"], "orders");
    assert_eq!(published[1].1.document["last_state"], "WaitForProgress");

    let done = ended(
        &sns,
        &FakeHistory(None),
        STACK_TOPIC,
        status_change("SUCCEEDED"),
    )
    .await
    .unwrap();
    assert!(!done.alerted);
    assert_eq!(sns.published().len(), 2);
}

#[tokio::test]
async fn the_function_tells_a_step_from_an_event_and_needs_the_stack_topic() {
    let sns = FakeSns::default();
    let history = FakeHistory(Some("ClaimRun"));
    let event = serde_json::to_value(status_change("TIMED_OUT")).unwrap();
    let answer = handle(&sns, &history, Some(STACK_TOPIC), event.clone())
        .await
        .unwrap();
    assert_eq!(answer["alerted"], true);
    let answer = handle(
        &sns,
        &history,
        Some(STACK_TOPIC),
        serde_json::to_value(completed_call_value()).unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(answer["outcome"]["then"], "leave-running");
    let err = handle(&sns, &history, None, event).await.unwrap_err();
    assert!(err.message.contains("DMSFLOW_ALERT_TOPIC_ARN"));
    let err = handle(&sns, &history, Some(STACK_TOPIC), json!({"what": 1}))
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidSpec);
}

fn completed_call_value() -> serde_json::Value {
    let call = completed();
    json!({"state": call.state, "step": call.step, "execution": call.execution})
}

#[test]
fn a_function_errors_message_is_read_out_of_its_envelope() {
    let envelope = json!({"errorType": "TaskFailed", "errorMessage": "it failed", "trace": []});
    assert_eq!(cause_message(&envelope.to_string()), "it failed");
    assert_eq!(
        cause_message("States.Timeout happened"),
        "States.Timeout happened"
    );
}

#[tokio::test]
async fn a_cutover_asks_for_approval_with_the_token_and_a_rejection_is_alerted_without_cleanup() {
    let sns = FakeSns::default();
    let state = crate::testing::cutover_state(json!({"approval": "required"}));
    let mut call = crate::testing::step_call(&state, "AwaitApproval");
    call.token = Some("TOKEN-1".into());
    let answered = approval(&sns, STACK_TOPIC, call).await.unwrap();
    assert_eq!(answered, state, "the state is kept as it was");
    let published = sns.published();
    assert_eq!(published.len(), 1);
    assert_eq!(published[0].0, STACK_TOPIC);
    let document = &published[0].1.document;
    assert_eq!(document["task_token"], "TOKEN-1");
    assert_eq!(
        document["reject_command"],
        "aws stepfunctions send-task-failure --task-token 'TOKEN-1' --error CutoverRejected --cause '<why>'"
    );
    assert!(
        published[0]
            .1
            .text
            .contains("send-task-success --task-token 'TOKEN-1'")
    );
    let without_token = crate::testing::step_call(&state, "AwaitApproval");
    let error = approval(&sns, STACK_TOPIC, without_token)
        .await
        .unwrap_err();
    assert_eq!(error.kind, ErrorKind::InvalidSpec);

    let mut rejected = state.clone();
    rejected.failed_at.insert(
        "AwaitApproval".into(),
        Caught {
            error: "CutoverRejected".into(),
            cause: "not tonight".into(),
        },
    );
    let call = crate::testing::step_call(&rejected, "NotifyFailure");
    let failed = failure(&sns, STACK_TOPIC, call).await.unwrap();
    let failure = failed.failure.unwrap();
    assert_eq!(failure.error, "CutoverRejected");
    assert!(!failure.clean_up, "a failed cutover cleans nothing up");
    let alert = &sns.published()[1].1;
    assert_eq!(
        alert.subject,
        "dmsflow cutover of run orders failed at AwaitApproval"
    );
    assert!(alert.text.contains("not tonight"), "{}", alert.text);
    assert!(
        alert.text.contains("replication keeps running"),
        "{}",
        alert.text
    );
}
