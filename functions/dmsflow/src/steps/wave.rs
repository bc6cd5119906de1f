//! The wave state machine's steps after PrepareWave ([`super::prepare_wave`]),
//! one function, `dmsflow-wave`:
//! - StartRun: starts a run's execution of the migration state machine
//!   (idempotent: Step Functions answers the same execution for the same name and
//!   input while it runs; a name taken otherwise is followed as it is);
//! - FollowRun: where the run's execution chain stands (its hand-overs followed),
//!   bounded by `run_timeout_hours`;
//! - SettleRun: the error that kept the wave from starting or following a run
//!   (the Map state's Catch put it under the run's outcome) becomes the outcome's
//!   error and a short cause, so no outcome grows the wave's state;
//! - ReportWave: publishes the wave's report and says whether it met its tolerance;
//! - NotifyWaveFailure: the alert of a wave that failed before its report.
//!
//! The runs' own alerts, claims and cleanups are the migration state machine's:
//! the wave only starts and watches them.

use std::time::{SystemTime, UNIX_EPOCH};

use serde::Deserialize;
use serde_json::{Value, json};

use crate::alerts;
use crate::aws::executions::Described;
use crate::aws::{AwsFault, Executions, Notices, Starter};
use crate::error::{ErrorKind, StepError, StepResult};
use crate::steps::continue_in_new_execution::successor_name;
use crate::wave::{CAUSE_QUOTED, ChainStatus, ERROR_QUOTED, RunOutcome, WaveRun, cut};
use crate::workflow::execution_arn;

/// Hand-overs of one run followed (a 30-day run makes about 10).
const MAX_GENERATIONS: u32 = 200;

/// What the wave state machine sends the function.
#[derive(Debug, Clone, Deserialize)]
pub struct WaveCall {
    pub step: String,
    /// The wave execution's ARN (`$$.Execution.Id`).
    pub execution: String,
    /// The state's input: the wave's input, a run, or the report's input.
    pub input: Value,
}

/// What the wave function is told by its environment (the template sets it).
#[derive(Debug, Clone, Copy)]
pub struct WaveEnv<'a> {
    /// The migration state machine (`DMSFLOW_MIGRATION_STATE_MACHINE_ARN`).
    pub machine: Option<&'a str>,
    /// The stack's alert topic (`DMSFLOW_ALERT_TOPIC_ARN`).
    pub alert_topic: Option<&'a str>,
}

/// Where one execution chain (an attempt and its hand-overs) stands: its status,
/// its first and last executions.
#[derive(Debug, Clone, PartialEq)]
pub struct Chain {
    pub status: ChainStatus,
    pub first: Described,
    pub last: Described,
}

/// The chain that starts at execution `name`, or `None` when there is no such
/// execution.
pub async fn chain<E: Executions>(
    executions: &E,
    machine: &str,
    name: &str,
) -> StepResult<Option<Chain>> {
    let describe = |name: String| async move {
        match executions.describe(&execution_arn(machine, &name)).await {
            Ok(found) => Ok(Some(found)),
            Err(AwsFault::NotFound(_)) => Ok(None),
            Err(fault) => Err(fault.into_step_error(&format!("describing execution {name}"))),
        }
    };
    let Some(first) = describe(name.to_string()).await? else {
        return Ok(None);
    };
    let mut last = first.clone();
    let mut generation = 2;
    while last.status == "SUCCEEDED" && generation <= MAX_GENERATIONS {
        match describe(successor_name(name, generation)).await? {
            Some(next) => last = next,
            None => break,
        }
        generation += 1;
    }
    let status = match last.status.as_str() {
        "RUNNING" | "PENDING_REDRIVE" => ChainStatus::Running,
        "SUCCEEDED" => ChainStatus::Succeeded,
        _ => ChainStatus::Failed,
    };
    Ok(Some(Chain {
        status,
        first,
        last,
    }))
}

/// StartRun; see the module documentation. Answers the run with its execution.
pub async fn start_run<S: Starter>(
    starter: &S,
    machine: &str,
    run: &Value,
    now: SystemTime,
) -> StepResult<Value> {
    let item: WaveRun = read_run(run)?;
    let input = serde_json::to_string(&item.input).unwrap_or_default();
    let arn = match starter.start(machine, &item.execution_name, &input).await {
        Ok(arn) => arn,
        // Taken by an execution of this name (an earlier answer lost, or a rerun
        // following a running attempt): FollowRun watches that one.
        Err(AwsFault::AlreadyExists(_)) => execution_arn(machine, &item.execution_name),
        Err(fault) => {
            return Err(fault.into_step_error(&format!(
                "starting execution {} for run {}",
                item.execution_name, item.run_id
            )));
        }
    };
    let mut answer = run.clone();
    answer["execution_arn"] = json!(arn);
    // The wave's wait for the run is bounded from now: a rerun that follows a run
    // an earlier wave gave up on waits its own run_timeout_hours.
    answer["followed_since_ms"] = json!(epoch_ms(now));
    Ok(answer)
}

fn epoch_ms(now: SystemTime) -> i64 {
    now.duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// FollowRun; see the module documentation. Answers the run with `ended` and,
/// once it has, its `outcome`.
pub async fn follow_run<E: Executions>(
    executions: &E,
    machine: &str,
    run: &Value,
    now: SystemTime,
) -> StepResult<Value> {
    let item: WaveRun = read_run(run)?;
    let found = chain(executions, machine, &item.execution_name)
        .await?
        .ok_or_else(|| {
            StepError::new(
                ErrorKind::ResourceMissing,
                format!(
                    "execution {} of run {} does not exist: it was started and is gone",
                    item.execution_name, item.run_id
                ),
            )
        })?;
    let now_ms = epoch_ms(now);
    let waiting_since = run
        .get("followed_since_ms")
        .and_then(Value::as_i64)
        .unwrap_or(0)
        .max(found.first.started_ms);
    let outcome =
        |outcome: &str, error: Option<String>, cause: Option<String>, end: i64| RunOutcome {
            run_id: item.run_id.clone(),
            outcome: outcome.to_string(),
            execution: found
                .last
                .execution_arn
                .rsplit(':')
                .next()
                .map(str::to_string),
            error: error.map(|e| cut(&e, ERROR_QUOTED)),
            cause: cause.map(|c| cut(&c, CAUSE_QUOTED)),
            duration_seconds: u64::try_from((end - found.first.started_ms) / 1000).ok(),
            caught: None,
        };
    let ended = match found.status {
        ChainStatus::Running => {
            let limit_ms = i64::from(item.run_timeout_hours) * 3_600_000;
            (now_ms - waiting_since > limit_ms).then(|| {
                outcome(
                    "timed-out",
                    Some("WaveRunTimedOut".into()),
                    Some(format!(
                        "still running after run_timeout_hours ({} h); the wave stopped waiting, the run goes on and sends its own alerts",
                        item.run_timeout_hours
                    )),
                    now_ms,
                )
            })
        }
        ChainStatus::Succeeded => Some(outcome(
            "succeeded",
            None,
            None,
            found.last.stopped_ms.unwrap_or(now_ms),
        )),
        ChainStatus::Failed => Some(outcome(
            "failed",
            Some(
                found
                    .last
                    .error
                    .clone()
                    .unwrap_or_else(|| found.last.status.clone()),
            ),
            found.last.cause.clone(),
            found.last.stopped_ms.unwrap_or(now_ms),
        )),
    };
    let mut answer = run.clone();
    answer["ended"] = json!(ended.is_some());
    if let Some(outcome) = ended {
        answer["outcome"] = serde_json::to_value(outcome).unwrap_or(Value::Null);
    }
    Ok(answer)
}

/// SettleRun; see the module documentation. Answers the run with its outcome
/// settled ([`RunOutcome::settled`]).
pub fn settle_run(run: &Value) -> StepResult<Value> {
    let outcome: RunOutcome = serde_json::from_value(
        run.get("outcome").cloned().unwrap_or(Value::Null),
    )
    .map_err(|e| {
        StepError::new(
            ErrorKind::InvalidSpec,
            format!("a wave run's outcome is not as PrepareWave plans it ({e})"),
        )
    })?;
    let mut answer = run.clone();
    answer["outcome"] = serde_json::to_value(outcome.settled()).unwrap_or(Value::Null);
    Ok(answer)
}

fn read_run(run: &Value) -> StepResult<WaveRun> {
    serde_json::from_value(run.clone()).map_err(|e| {
        StepError::new(
            ErrorKind::InvalidSpec,
            format!("a wave run is not as PrepareWave answers it ({e})"),
        )
    })
}

/// The report's input: the wave, whose runs the Map state replaced by their
/// outcomes (the specs leave the state there).
#[derive(Debug, Clone, Deserialize)]
struct ReportInput {
    wave: ReportedWave,
}

#[derive(Debug, Clone, Deserialize)]
struct ReportedWave {
    wave_id: String,
    tolerated_failures: u32,
    runs: Vec<RunOutcome>,
}

/// ReportWave; see the module documentation. Answers the report's figures.
pub async fn report<N: Notices>(
    notices: &N,
    alert_topic: &str,
    execution: &str,
    input: &Value,
) -> StepResult<Value> {
    let input: ReportInput = serde_json::from_value(input.clone()).map_err(|e| {
        StepError::new(
            ErrorKind::InvalidSpec,
            format!("the wave report's input is not the wave with its runs' outcomes ({e})"),
        )
    })?;
    let outcomes: Vec<RunOutcome> = input
        .wave
        .runs
        .into_iter()
        .map(RunOutcome::settled)
        .collect();
    let (message, met) = alerts::wave_report(
        execution,
        &input.wave.wave_id,
        &outcomes,
        input.wave.tolerated_failures,
    );
    notices
        .publish(alert_topic, &message)
        .await
        .map_err(|f| f.into_step_error(&format!("publishing the wave report to {alert_topic}")))?;
    let mut figures = message.document.clone();
    if let Some(fields) = figures.as_object_mut() {
        // The state keeps the figures; the runs are in the report.
        fields.remove("runs");
    }
    figures["met"] = json!(met);
    Ok(figures)
}

/// NotifyWaveFailure; see the module documentation. `input` is the wave's input
/// with the caught error (`$.caught`).
pub async fn notify_failure<N: Notices>(
    notices: &N,
    alert_topic: &str,
    execution: &str,
    input: &Value,
) -> StepResult<Value> {
    let error = input
        .pointer("/caught/Error")
        .and_then(Value::as_str)
        .unwrap_or("WaveFailed");
    let cause = input
        .pointer("/caught/Cause")
        .and_then(Value::as_str)
        .map(crate::steps::notify::cause_message)
        .unwrap_or_default();
    let wave_id = input
        .get("wave_id")
        .or_else(|| input.pointer("/wave/wave_id"))
        .and_then(Value::as_str);
    let message = alerts::wave_failure(execution, wave_id, error, &cause);
    notices
        .publish(alert_topic, &message)
        .await
        .map_err(|f| f.into_step_error(&format!("publishing the wave's alert to {alert_topic}")))?;
    Ok(json!({"alerted": true, "error": error}))
}

/// The error of a variable the template sets and the function did not find.
pub fn unset(name: &str, what: &str) -> StepError {
    StepError::new(
        ErrorKind::InvalidSpec,
        format!("{name} is not set: the template sets it to {what}"),
    )
}

/// The function's input, dispatched by step.
pub async fn handle<E: Executions, S: Starter, N: Notices>(
    sfn: (&E, &S),
    notices: &N,
    env: WaveEnv<'_>,
    call: WaveCall,
    now: SystemTime,
) -> StepResult<Value> {
    let (executions, starter) = sfn;
    let machine = || {
        env.machine.ok_or_else(|| {
            unset(
                "DMSFLOW_MIGRATION_STATE_MACHINE_ARN",
                "the stack's migration state machine",
            )
        })
    };
    let topic = || {
        env.alert_topic
            .ok_or_else(|| unset("DMSFLOW_ALERT_TOPIC_ARN", "the stack's alert topic"))
    };
    match call.step.as_str() {
        "StartRun" => start_run(starter, machine()?, &call.input, now).await,
        "FollowRun" => follow_run(executions, machine()?, &call.input, now).await,
        "SettleRun" => settle_run(&call.input),
        "ReportWave" => report(notices, topic()?, &call.execution, &call.input).await,
        "NotifyWaveFailure" => {
            notify_failure(notices, topic()?, &call.execution, &call.input).await
        }
        other => Err(StepError::new(
            ErrorKind::InvalidSpec,
            format!("the wave function has no step {other}"),
        )),
    }
}

#[cfg(test)]
#[path = "wave_tests.rs"]
mod tests;
