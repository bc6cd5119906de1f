//! What Step Functions bills and records for each state a Standard workflow enters.
//!
//! Transitions: the pricing page (<https://aws.amazon.com/step-functions/pricing/>)
//! says "Step Functions counts a state transition each time a step of your workflow
//! is executed" and that each retry is charged as one more. So every state entered,
//! whatever its type (Pass, Choice, Wait and Succeed too), is one transition; starting
//! and ending the execution are none. The figures assume no retries: the simulated
//! Lambda calls never fail.
//!
//! History events, by type, from the `HistoryEvent` type list
//! (<https://docs.aws.amazon.com/step-functions/latest/apireference/API_HistoryEvent.html>):
//!
//! - Task (`arn:aws:states:::lambda:invoke`, or any request-response integration such
//!   as `sns:publish`): `TaskStateEntered`, `TaskScheduled`, `TaskStarted`,
//!   `TaskSucceeded`, `TaskStateExited` (5). The `.sync` and `.waitForTaskToken`
//!   patterns add `TaskSubmitted`; dmsflow uses neither. A Lambda given by its bare ARN
//!   writes `LambdaFunction*` events instead of `Task*`, as many.
//! - Choice: `ChoiceStateEntered`, `ChoiceStateExited` (2).
//! - Wait: `WaitStateEntered`, `WaitStateExited` (2).
//! - Pass: `PassStateEntered`, `PassStateExited` (2).
//! - Succeed: `SucceedStateEntered`, `SucceedStateExited` (2).
//! - Fail: `FailStateEntered` (1): the list has no `FailStateExited`.
//! - Per execution: `ExecutionStarted`, and `ExecutionSucceeded` or `ExecutionFailed`.
//!
//! Where uncertainty remains: the type list names the event types, not the
//! sequence each state writes. The sequences above are the ones execution histories
//! show for these states, and the counts the interpreter this calculation replaced
//! used; they are not a documented contract.
//! Parallel and Map states write more (per branch and iteration): not modelled, and
//! refused.

use std::ops::{Add, AddAssign, Mul};

/// An execution fails once its history reaches this many events (Step Functions
/// quotas: "maximum execution history size", 25,000 events).
pub const HISTORY_LIMIT: u64 = 25_000;

/// State transitions and history events.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Cost {
    pub transitions: u64,
    pub history_events: u64,
}

impl Cost {
    pub const fn new(transitions: u64, history_events: u64) -> Cost {
        Cost {
            transitions,
            history_events,
        }
    }
}

/// `ExecutionStarted`.
pub const EXECUTION_STARTED: Cost = Cost::new(0, 1);
/// `ExecutionSucceeded`.
pub const EXECUTION_SUCCEEDED: Cost = Cost::new(0, 1);

/// One state entered once, by its `Type`.
pub fn of_state(kind: &str) -> Result<Cost, String> {
    let events = match kind {
        "Task" => 5,
        "Choice" | "Wait" | "Pass" | "Succeed" => 2,
        "Fail" => 1,
        other => return Err(format!("state type {other} is not modelled")),
    };
    Ok(Cost::new(1, events))
}

impl Add for Cost {
    type Output = Cost;
    fn add(self, other: Cost) -> Cost {
        Cost::new(
            self.transitions + other.transitions,
            self.history_events + other.history_events,
        )
    }
}

impl AddAssign for Cost {
    fn add_assign(&mut self, other: Cost) {
        *self = *self + other;
    }
}

impl Mul<u64> for Cost {
    type Output = Cost;
    fn mul(self, times: u64) -> Cost {
        Cost::new(self.transitions * times, self.history_events * times)
    }
}

impl std::iter::Sum for Cost {
    fn sum<I: Iterator<Item = Cost>>(costs: I) -> Cost {
        costs.fold(Cost::default(), Add::add)
    }
}
