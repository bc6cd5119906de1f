//! notify: composes and publishes every message of a run ([`crate::alerts`]).
//!
//! Three callers:
//! - **NotifyFailure**, the definition's failure notice: every Catch leads here
//!   with the error under `$.failed_at.<State>`. It publishes one alert to the
//!   run's topic (the stack's alert topic before a spec is validated), falls back
//!   to the stack's topic saying why when the run's topic refuses, records the
//!   failure (`$.failure`: state, error, cause, where the alert went, whether the
//!   failure cleanup policy applies next) and clears `failed_at`. A failure of the
//!   cleanup that follows an announced failure comes here too: it is announced
//!   once more (what is left), and the execution keeps its first error.
//! - **NotifySuccess**: the success notice to the run's topic. When that topic
//!   refuses, the stack's topic is told and the run will end `NotificationFailed`
//!   after its completion policy is applied.
//! - **The safety net**: an EventBridge rule sends every FAILED, TIMED_OUT or
//!   ABORTED `Step Functions Execution Status Change` of the state machine here.
//!   An execution whose last state is the definition's `FailRun` went through
//!   NotifyFailure and is left alone; any other (aborted, timed out, a runtime
//!   error, the history limit) gets one alert on the stack's topic.
//!
//! Publishing never fails the step: a message that no topic takes is recorded
//! (the execution's cause says so), so the run's cleanup and end still follow.

use aws_lambda_events::eventbridge::EventBridgeEvent;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::alerts::{self, EndedFacts, FailureFacts, Message, SuccessFacts};
use crate::aws::{History, Notices};
use crate::cutover::AfterCutover;
use crate::election::run_id_of;
use crate::error::{ErrorKind, StepError, StepResult};
use crate::naming::Names;
use crate::workflow::{Caught, Failure, Outcome, Route, RunState, StepCall};

/// The state that ends an execution after its failure was announced.
pub const FAIL_STATE: &str = "FailRun";
/// The wave state machine's: it ends there after its report or its alert.
pub const WAVE_FAIL_STATE: &str = "WaveFailed";

/// The `detail` of a `Step Functions Execution Status Change` event (Step
/// Functions user guide, "Step Functions events" in EventBridge).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct StatusChange {
    pub execution_arn: String,
    pub state_machine_arn: String,
    pub name: String,
    pub status: String,
    pub error: Option<String>,
    pub cause: Option<String>,
    /// The execution's input (JSON text), when the event carries it.
    pub input: Option<String>,
}

/// What the safety net did with one event.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SafetyNet {
    pub execution_arn: String,
    pub status: String,
    /// Whether this call alerted.
    pub alerted: bool,
    pub reason: String,
}

/// Where a message went.
enum Delivery {
    /// To the topic it was meant for.
    Delivered(String),
    /// To the stack's topic instead; the note says why.
    Rerouted { to: String },
    /// Nowhere.
    Failed(String),
}

/// Publishes `message` to `topic`, or to the stack's alert topic saying why.
async fn deliver<N: Notices>(
    notices: &N,
    topic: &str,
    alert_topic: &str,
    message: &mut Message,
) -> Delivery {
    let refusal = match notices.publish(topic, message).await {
        Ok(_) => return Delivery::Delivered(topic.to_string()),
        Err(fault) => fault.into_step_error("publishing").message,
    };
    if topic == alert_topic {
        return Delivery::Failed(refusal);
    }
    let note = format!(
        "This alert could not be published to the topic of the run, {topic} ({refusal}), so it was \
         sent to the alert topic of the dmsflow stack. Check that topic: it may be deleted, or its \
         access policy or KMS key may not let dmsflow publish."
    );
    message.note("delivery", &note);
    match notices.publish(alert_topic, message).await {
        Ok(_) => Delivery::Rerouted {
            to: alert_topic.to_string(),
        },
        Err(fault) => Delivery::Failed(format!(
            "{refusal}; the stack's alert topic refused too: {}",
            fault.into_step_error("publishing").message
        )),
    }
}

/// The message of a caught error: a step function's error arrives as the JSON
/// text `{"errorType", "errorMessage"}`; other causes (Step Functions' own) pass
/// as they are.
pub fn cause_message(cause: &str) -> String {
    serde_json::from_str::<Value>(cause)
        .ok()
        .and_then(|v| {
            v.get("errorMessage")
                .and_then(Value::as_str)
                .map(str::to_string)
        })
        .unwrap_or_else(|| cause.to_string())
}

/// The state NotifyFailure received. After ClaimRun failed at once it is the
/// execution input with the error added: read what it can.
fn failed_state(call: &StepCall) -> RunState {
    RunState::read(call.state.clone()).unwrap_or_else(|_| RunState {
        execution: call.execution.clone(),
        run_id: run_id_of(&call.state).map(str::to_string),
        failed_at: call
            .state
            .get("failed_at")
            .and_then(|f| serde_json::from_value(f.clone()).ok())
            .unwrap_or_default(),
        ..RunState::default()
    })
}

/// NotifyFailure; see the module documentation.
pub async fn failure<N: Notices>(
    notices: &N,
    alert_topic: &str,
    call: StepCall,
) -> StepResult<RunState> {
    let mut state = failed_state(&call);
    let (failed, caught) = state.failed_at.pop_first().unwrap_or_else(|| {
        (
            "unknown".into(),
            Caught {
                error: "States.Runtime".into(),
                cause: "NotifyFailure was reached with no error in $.failed_at".into(),
            },
        )
    });
    state.failed_at.clear();
    let cause = cause_message(&caught.cause);
    let earlier = state.failure.clone();
    let run = state.run.as_ref();
    let spec = run.map(|r| &r.spec);
    let clean_up = run.is_some()
        && earlier.is_none()
        && caught.error != ErrorKind::RunInProgress.as_str()
        && failed != "Cleanup";
    let on_failure = spec
        .and_then(|s| s.pointer("/cleanup/on_failure"))
        .and_then(Value::as_str);
    let mut message = alerts::failure_alert(&FailureFacts {
        execution_arn: &state.execution,
        run_id: state.run_id.as_deref(),
        run_validated: run.is_some(),
        cutover: state.route == Route::Cutover,
        failed_state: &failed,
        error: &caught.error,
        cause: &cause,
        cleanup_on_failure: on_failure.filter(|_| clean_up),
        task: run.map(|r| r.names.task.as_str()),
        instance: run.and_then(crate::workflow::Run::instance),
        serverless: run.is_some_and(crate::workflow::Run::is_serverless),
        generation: run.map_or(1, |r| r.generation),
        first_execution_arn: run.map(|r| r.first_execution_arn.as_str()),
        earlier: earlier
            .as_ref()
            .map(|e| (e.state.as_str(), e.error.as_str())),
    });
    let topic = spec
        .and_then(|s| s.pointer("/notifications/sns_topic_arn"))
        .and_then(Value::as_str)
        .unwrap_or(alert_topic)
        .to_string();
    let delivery = deliver(notices, &topic, alert_topic, &mut message).await;
    let (alerted_to, where_) = match delivery {
        Delivery::Delivered(to) => (Some(to), String::new()),
        Delivery::Rerouted { to } => (
            Some(to.clone()),
            format!(
                " -- The alert could not be published to the topic of the run, {topic}; it went to \
                 the alert topic of the dmsflow stack, {to}."
            ),
        ),
        Delivery::Failed(why) => (
            None,
            format!(" -- The SNS alert could not be published: {why}"),
        ),
    };
    state.failure = Some(match earlier {
        Some(earlier) => Failure {
            cause: format!(
                "{} -- Cleanup after this failure also failed ({}): {cause}{where_}",
                earlier.cause, caught.error
            ),
            alerted_to: alerted_to.or(earlier.alerted_to),
            clean_up: false,
            ..earlier
        },
        None => Failure {
            state: failed,
            error: caught.error,
            cause: format!("{cause}{where_}"),
            alerted_to,
            clean_up,
        },
    });
    Ok(state)
}

/// NotifySuccess; see the module documentation.
pub async fn success<N: Notices>(
    notices: &N,
    alert_topic: &str,
    call: StepCall,
) -> StepResult<RunState> {
    let state = RunState::read(call.state.clone())?;
    if state.route == Route::Cutover {
        return cutover_success(notices, alert_topic, &call.step, state).await;
    }
    let mut state = state;
    let run = state.run()?.clone();
    let spec = &run.spec;
    let text = |pointer: &str| {
        spec.pointer(pointer)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    let (run_id, then, topic) = (
        text("/run_id"),
        text("/completion/then"),
        text("/notifications/sns_topic_arn"),
    );
    let message = alerts::success_notice(&SuccessFacts {
        execution_arn: &state.execution,
        spec,
        task: &run.names.task,
        instance: run.instance(),
        serverless: run.is_serverless(),
        progress: &state.step.report,
        notes: &run.notes,
    });
    let notified = match notices.publish(&topic, &message).await {
        Ok(_) => Some(topic.clone()),
        Err(fault) => {
            let refusal = fault.into_step_error("publishing").message;
            let cause = format!(
                "The migration reached its completion criterion and completion.then ({then}) is \
                 applied, but the success notice could not be published to {topic}: {refusal}"
            );
            let mut told = alerts::undelivered_notice(
                &state.execution,
                &run_id,
                &then,
                &run.names.task,
                &cause,
            );
            let alerted_to = match topic != alert_topic {
                true => deliver(notices, alert_topic, alert_topic, &mut told).await,
                false => Delivery::Failed(refusal),
            };
            let alerted_to = match alerted_to {
                Delivery::Delivered(to) | Delivery::Rerouted { to } => Some(to),
                Delivery::Failed(_) => None,
            };
            state.failure = Some(Failure {
                state: call.step.clone(),
                error: "NotificationFailed".into(),
                cause,
                alerted_to,
                clean_up: false,
            });
            None
        }
    };
    Ok(announced(state, message, then, notified))
}

/// The state after a success notice: the notice as the execution's result, and
/// where it went and what comes next for the Choice after NotifySuccess.
fn announced(
    mut state: RunState,
    mut message: Message,
    then: String,
    notified: Option<String>,
) -> RunState {
    message.document["notified"] = json!(notified);
    state.result = message.document;
    state.outcome = Some(Outcome { then, notified });
    state
}

/// AwaitApproval (invoked with `waitForTaskToken`): publishes the approval request
/// with the task token to the stack's alert topic. The state machine waits for a
/// person's answer, not for this function's; it answers the state unchanged.
pub async fn approval<N: Notices>(
    notices: &N,
    alert_topic: &str,
    call: StepCall,
) -> StepResult<RunState> {
    let state = RunState::read(call.state)?;
    let record = state.cutover_record(&call.step)?;
    let token = call.token.ok_or_else(|| {
        StepError::new(
            ErrorKind::InvalidSpec,
            "AwaitApproval needs $$.Task.Token (check the state machine definition)",
        )
    })?;
    let task = Names::for_run(&record.request.run_id).task;
    let message = alerts::approval_request(&state.execution, &task, &record, &token);
    notices.publish(alert_topic, &message).await.map_err(|f| {
        f.into_step_error(&format!(
            "publishing the approval request to {alert_topic} (nobody could approve the cutover)"
        ))
    })?;
    Ok(state)
}

/// NotifySuccess after a verified cutover: the cutover report, to the stack's
/// alert topic (a cutover request names no topic). `then: delete` routes on to
/// Cleanup, `keep` ends the execution.
async fn cutover_success<N: Notices>(
    notices: &N,
    alert_topic: &str,
    step: &str,
    mut state: RunState,
) -> StepResult<RunState> {
    let record = state.cutover_record(step)?;
    let task = Names::for_run(&record.request.run_id).task;
    let message = alerts::cutover_report(&state.execution, &task, &record);
    let then = match record.request.then {
        AfterCutover::Delete => "stop-and-clean-up",
        AfterCutover::Keep => "keep",
    }
    .to_string();
    let notified = match notices.publish(alert_topic, &message).await {
        Ok(_) => Some(alert_topic.to_string()),
        Err(fault) => {
            state.failure = Some(Failure {
                state: step.to_string(),
                error: "NotificationFailed".into(),
                cause: format!(
                    "The cutover of run {} is verified, but its report could not be published to {alert_topic}: {}",
                    record.request.run_id,
                    fault.into_step_error("publishing").message
                ),
                alerted_to: None,
                clean_up: false,
            });
            None
        }
    };
    Ok(announced(state, message, then, notified))
}

/// The safety net; see the module documentation.
pub async fn ended<N: Notices, H: History>(
    notices: &N,
    history: &H,
    alert_topic: &str,
    event: EventBridgeEvent<StatusChange>,
) -> StepResult<SafetyNet> {
    let detail = event.detail;
    let answer = |alerted: bool, reason: &str| SafetyNet {
        execution_arn: detail.execution_arn.clone(),
        status: detail.status.clone(),
        alerted,
        reason: reason.to_string(),
    };
    if !matches!(detail.status.as_str(), "FAILED" | "TIMED_OUT" | "ABORTED") {
        return Ok(answer(false, "the execution did not fail"));
    }
    let last_state = history
        .last_state_entered(&detail.execution_arn)
        .await
        .map_err(|f| {
            f.into_step_error(&format!(
                "reading the history of {} (to see whether it alerted already)",
                detail.execution_arn
            ))
        })?;
    if detail.status == "FAILED" && last_state.as_deref() == Some(FAIL_STATE) {
        return Ok(answer(
            false,
            "the execution ended in FailRun: NotifyFailure alerted already",
        ));
    }
    if detail.status == "FAILED" && last_state.as_deref() == Some(WAVE_FAIL_STATE) {
        return Ok(answer(
            false,
            "the wave ended in WaveFailed: its report or its alert was sent already",
        ));
    }
    let input = detail
        .input
        .as_deref()
        .and_then(|text| serde_json::from_str::<Value>(text).ok())
        .unwrap_or(Value::Null);
    let message = alerts::ended_without_alert(&EndedFacts {
        execution_arn: &detail.execution_arn,
        status: &detail.status,
        error: detail.error.as_deref(),
        cause: detail.cause.as_deref(),
        run_id: run_id_of(&input),
        last_state: last_state.as_deref(),
    });
    notices.publish(alert_topic, &message).await.map_err(|f| {
        f.into_step_error(&format!(
            "publishing the safety net's alert to {alert_topic}"
        ))
    })?;
    Ok(answer(true, "the execution ended without its own alert"))
}

/// The notify function's input: a step of the state machine, or an EventBridge event.
pub async fn handle<N: Notices, H: History>(
    notices: &N,
    history: &H,
    alert_topic: Option<&str>,
    payload: Value,
) -> StepResult<Value> {
    let alert_topic = alert_topic.ok_or_else(|| {
        StepError::new(
            ErrorKind::InvalidSpec,
            "DMSFLOW_ALERT_TOPIC_ARN is not set: the template sets it to the stack's alert topic",
        )
    })?;
    let unreadable = |e: serde_json::Error| {
        StepError::new(
            ErrorKind::InvalidSpec,
            format!(
                "the notify function's input is neither a step of the state machine nor a Step Functions status change event ({e})"
            ),
        )
    };
    if payload.get("detail-type").is_some() {
        let event = serde_json::from_value(payload).map_err(unreadable)?;
        let done = ended(notices, history, alert_topic, event).await?;
        return Ok(serde_json::to_value(done).unwrap_or(Value::Null));
    }
    let call: StepCall = serde_json::from_value(payload).map_err(unreadable)?;
    let state = match call.step.as_str() {
        "NotifySuccess" => success(notices, alert_topic, call).await?,
        "AwaitApproval" => approval(notices, alert_topic, call).await?,
        _ => failure(notices, alert_topic, call).await?,
    };
    Ok(serde_json::to_value(state).unwrap_or(Value::Null))
}

#[cfg(test)]
#[path = "notify_tests.rs"]
mod tests;
