//! claim-run: decides, before anything touches DMS, whether this execution drives
//! its run or another execution already does (see [`crate::election`]).
//!
//! It lists the state machine's RUNNING executions, reads each one's input and
//! holds the election. Losing is a `RunInProgress` error naming the driving
//! execution; the state machine then alerts and fails without cleaning up (the
//! resources are the driver's). Winning once is not enough: ListExecutions is
//! eventually consistent, so an execution started a moment earlier may not be
//! listed yet. The first win reports `done: false` with a short wait, and the
//! state machine calls again; the second win is final. By then every execution
//! started before the first look is listed, and the later of two near-simultaneous
//! starts yields.
//!
//! [`step`] is the state machine's entry: it reads the execution input once
//! ([`RunState::begin`]: a migration spec, a cleanup request or a continuation;
//! anything else is refused with `InvalidSpec` before anything is touched) and
//! holds the election with [`handle`].

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::StepReport;
use crate::aws::Executions;
use crate::election::{self, Contender, Verdict};
use crate::error::{ErrorKind, StepError, StepResult};
use crate::workflow::{RunState, StepCall, state_machine_arn};

/// How many elections an execution must win, one wait apart, before it drives.
pub const LOOKS: u32 = 2;
/// The wait between two looks, in seconds: longer than ListExecutions takes to
/// show a new execution.
pub const CONFIRM_AFTER_SECONDS: u32 = 5;

/// What the state machine sends.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClaimInput {
    pub execution_arn: String,
    pub state_machine_arn: String,
    #[serde(default)]
    pub previous: Option<Value>,
}

/// What claim-run reports besides the common fields.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ClaimDetail {
    /// The run this execution drives (`None`: the input names no run).
    pub run_id: Option<String>,
    /// The claim's date (ms since the Unix epoch); a continuation carries it on.
    pub claimed_since_ms: Option<i64>,
    /// Elections won so far.
    pub looks: u32,
    /// Other RUNNING executions of the run at the last look (all of them yield).
    pub rivals: usize,
}

fn contender(described: crate::aws::executions::Described) -> Contender {
    let input = described
        .input
        .as_deref()
        .and_then(|text| serde_json::from_str(text).ok())
        .unwrap_or(Value::Null);
    Contender {
        execution_arn: described.execution_arn,
        started_ms: described.started_ms,
        input,
    }
}

fn looks_before(previous: Option<&Value>) -> u32 {
    previous
        .and_then(|p| p.get("looks"))
        .and_then(Value::as_u64)
        .map_or(0, |n| u32::try_from(n).unwrap_or(u32::MAX))
}

/// The RUNNING executions of `state_machine_arn` but `except`, each with its
/// input: the contenders of an election (ClaimRun's, and `dmsflow start`'s check
/// before it starts a run).
pub async fn running_contenders<E: Executions>(
    executions: &E,
    state_machine_arn: &str,
    except: Option<&str>,
) -> StepResult<Vec<Contender>> {
    let listed = executions.running(state_machine_arn).await.map_err(|f| {
        f.into_step_error(&format!(
            "listing the running executions of {state_machine_arn}"
        ))
    })?;
    let mut running = Vec::with_capacity(listed.len());
    for other in listed
        .iter()
        .filter(|l| Some(l.execution_arn.as_str()) != except)
    {
        let described = executions
            .describe(&other.execution_arn)
            .await
            .map_err(|f| {
                f.into_step_error(&format!("reading the input of {}", other.execution_arn))
            })?;
        if described.status == "RUNNING" {
            running.push(contender(described));
        }
    }
    Ok(running)
}

/// The error of an execution that yields.
pub fn run_in_progress(run_id: &str, driver_arn: &str, driver_since_ms: i64) -> StepError {
    let since = u64::try_from(driver_since_ms)
        .ok()
        .map(|ms| std::time::UNIX_EPOCH + std::time::Duration::from_millis(ms))
        .map(|t| {
            format!(
                " (its claim dates from {})",
                humantime::format_rfc3339_millis(t)
            )
        })
        .unwrap_or_default();
    let console = election::console_link(driver_arn)
        .map(|link| format!(" Console: {link}."))
        .unwrap_or_default();
    StepError::new(
        ErrorKind::RunInProgress,
        format!(
            "Run {run_id} is already being driven by execution {driver_arn}{since}. \
             This execution stopped before touching anything of the run.{console} \
             Wait for that execution to end (start again afterwards if needed: a rerun \
             picks up what exists), or stop it first \
             (aws stepfunctions stop-execution --execution-arn {driver_arn})."
        ),
    )
}

/// Holds one look of the election; see the module documentation.
pub async fn handle<E: Executions>(
    executions: &E,
    input: ClaimInput,
) -> StepResult<StepReport<ClaimDetail>> {
    let me = executions
        .describe(&input.execution_arn)
        .await
        .map_err(|f| f.into_step_error("reading this execution's input"))?;
    let me = contender(me);
    if election::run_id_of(&me.input).is_none() {
        let note = "the input names no run id: nothing to claim".to_string();
        return Ok(StepReport::new(
            true,
            vec![note],
            None,
            0,
            ClaimDetail::default(),
        ));
    }
    let running = running_contenders(
        executions,
        &input.state_machine_arn,
        Some(&me.execution_arn),
    )
    .await?;
    match election::elect(&me, &running) {
        Verdict::NoRun => Ok(StepReport::new(
            true,
            vec![],
            None,
            0,
            ClaimDetail::default(),
        )),
        Verdict::Yield {
            run_id,
            driver_arn,
            driver_since_ms,
        } => Err(run_in_progress(&run_id, &driver_arn, driver_since_ms)),
        Verdict::Drive {
            run_id,
            since_ms,
            rivals,
        } => {
            let looks = looks_before(input.previous.as_ref()) + 1;
            let done = looks >= LOOKS;
            let action = format!("won the election for run {run_id} ({looks} of {LOOKS} looks)");
            Ok(StepReport::new(
                done,
                vec![action],
                Some("a second look at the running executions".into()),
                CONFIRM_AFTER_SECONDS,
                ClaimDetail {
                    run_id: Some(run_id),
                    claimed_since_ms: Some(since_ms),
                    looks,
                    rivals,
                },
            ))
        }
    }
}

/// ClaimRun as the state machine calls it: reads the execution input once (what
/// it asks, refused when it asks nothing dmsflow understands), then holds a look
/// of the election; see the module documentation.
pub async fn step<E: Executions>(executions: &E, call: StepCall) -> StepResult<RunState> {
    let input = call.input.clone().unwrap_or_else(|| call.state.clone());
    let mut state = if call.state == input {
        RunState::begin(&call.execution, input)?
    } else {
        RunState::read(call.state)?
    };
    let (started_at, previous) = state.loop_of(&call.step, std::time::SystemTime::now());
    let claim = ClaimInput {
        execution_arn: call.execution.clone(),
        state_machine_arn: state_machine_arn(&call.execution)?,
        previous,
    };
    let report = handle(executions, claim).await?;
    if let Some(since) = report.detail.claimed_since_ms {
        state.claimed_since_ms = Some(since);
    }
    state.record(&call.step, started_at, &report);
    Ok(state)
}

#[cfg(test)]
#[path = "claim_run_tests.rs"]
mod tests;
