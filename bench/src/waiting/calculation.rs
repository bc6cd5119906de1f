//! The one calculation: what each piece of an execution costs, from the
//! definition's states, and when each check happens, from the wait policy over the
//! timeline; a run's cost is the pieces that fall in the window counted.
//!
//! ```text
//! per check      = the states of the progress loop (its Task, Choice, Wait)
//! first start    = ExecutionStarted + the states from StartAt to the first check
//!                  + (calls - 1) x the states of each setup loop on the way
//! continuation   = ExecutionStarted + the states from StartAt to its first check
//!                  (+ its setup loops' repeats, if any)
//! hand-over      = the last check: the states from the loop's Task through the
//!                  hand-over Task to the Succeed state, + ExecutionSucceeded
//! an execution   = its start + (checks - 1) x per check + hand-over
//!                  (the last one, cut by the horizon: start + checks x per check)
//! ```

use dmsflow::spec::Polling;

use super::definition::{Definition, Shape};
use super::history::{Cost, EXECUTION_STARTED, EXECUTION_SUCCEEDED, HISTORY_LIMIT};
use super::timeline::{Checker, Replication, Setup, TASK_SECONDS, Timeline, setup_loop};

/// The way from StartAt to an execution's first check.
#[derive(Debug, Clone, PartialEq)]
pub struct Start {
    /// With `ExecutionStarted` and the setup loops' repeats.
    pub cost: Cost,
    /// Simulated seconds from the execution's start to its first check.
    pub seconds: f64,
    /// Each setup loop on the way, by its Task: its calls.
    pub setup: Vec<(String, Setup)>,
}

/// What each piece of an execution costs and takes.
#[derive(Debug, Clone, PartialEq)]
pub struct Costs {
    pub per_check: Cost,
    pub first: Start,
    pub continuation: Start,
    /// The last check of an execution, the hand-over and `ExecutionSucceeded`.
    pub hand_over: Cost,
    /// From the last check's read of the task to the next execution's start.
    pub hand_over_seconds: f64,
    /// From the check that reads a failed task to its alert sent.
    pub alert_seconds: f64,
}

impl Costs {
    pub fn of(
        definition: &Definition,
        shape: &Shape,
        timeline: &Timeline,
        polling: &Polling,
    ) -> Result<Costs, String> {
        Ok(Costs {
            per_check: definition.cost(&shape.check_loop)?,
            first: start(definition, &shape.first_run, timeline, polling)?,
            continuation: start(definition, &shape.continuation, timeline, polling)?,
            hand_over: definition.cost(&shape.hand_over)? + EXECUTION_SUCCEEDED,
            hand_over_seconds: task_seconds(definition, &shape.hand_over[1..])?,
            alert_seconds: task_seconds(definition, &shape.to_alert[1..])?,
        })
    }

    /// An execution of `checks` checks (at least one) that hands over at its end.
    pub fn execution(&self, start: &Start, checks: u64) -> Cost {
        start.cost + self.per_check * checks.saturating_sub(1) + self.hand_over
    }

    /// The most checks a first execution can make before its history reaches
    /// [`HISTORY_LIMIT`] (the first execution is the longest: it has the setup).
    pub fn most_checks_within_history_limit(&self) -> u64 {
        let one = self.execution(&self.first, 1).history_events;
        match (HISTORY_LIMIT - 1).checked_sub(one) {
            Some(room) => room / self.per_check.history_events.max(1) + 1,
            None => 0,
        }
    }
}

fn start(
    definition: &Definition,
    path: &[String],
    timeline: &Timeline,
    polling: &Polling,
) -> Result<Start, String> {
    let mut cost = EXECUTION_STARTED + definition.cost(path)?;
    let mut seconds = 0.0;
    let mut setup = Vec::new();
    for name in path {
        match definition.kind(name)? {
            "Task" => match definition.wait_loop(name) {
                Some(states) => {
                    let calls = setup_loop(name, timeline, polling, seconds)?;
                    cost += definition.cost(&states)? * (calls.calls - 1);
                    seconds += calls.seconds;
                    setup.push((name.clone(), calls));
                }
                None => seconds += TASK_SECONDS,
            },
            "Wait" => return Err(format!("{name}: a Wait outside a loop is not modelled")),
            _ => {}
        }
    }
    Ok(Start {
        cost,
        seconds,
        setup,
    })
}

/// Seconds the Task states among `names` take.
fn task_seconds(definition: &Definition, names: &[String]) -> Result<f64, String> {
    let mut tasks = 0;
    for name in names {
        match definition.kind(name)? {
            "Task" => tasks += 1,
            "Wait" => return Err(format!("{name}: a Wait outside a loop is not modelled")),
            _ => {}
        }
    }
    Ok(f64::from(tasks) * TASK_SECONDS)
}

/// One execution of a run.
#[derive(Debug, Clone, PartialEq)]
pub struct Execution {
    /// Simulated second it started.
    pub start: f64,
    /// Whether it is the run's first (it has the setup), not a continuation.
    pub first: bool,
    /// When each of its checks was entered.
    pub checks: Vec<f64>,
    /// Whether it handed over to the next (else the horizon cut it).
    pub handed_over: bool,
}

/// A run, execution after execution, until `horizon` simulated seconds.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    pub costs: Costs,
    pub executions: Vec<Execution>,
}

impl Run {
    pub fn calculate(
        costs: Costs,
        timeline: Timeline,
        polling: Polling,
        checks_per_execution: u64,
        horizon: f64,
    ) -> Run {
        let per_execution = checks_per_execution.max(1) as usize;
        // The task starts at the setup's last call, just before the first check.
        let replication = Replication::new(timeline, costs.first.seconds);
        let mut checker = Checker::new(polling, replication);
        let mut executions = Vec::new();
        let mut started = 0.0;
        while started < horizon {
            let first = executions.is_empty();
            let start = if first {
                &costs.first
            } else {
                &costs.continuation
            };
            let mut execution = Execution {
                start: started,
                first,
                checks: Vec::new(),
                handed_over: false,
            };
            let mut entered = started + start.seconds;
            while entered < horizon {
                execution.checks.push(entered);
                let read = entered + TASK_SECONDS;
                let wait = checker.check(read);
                if execution.checks.len() == per_execution {
                    execution.handed_over = true;
                    break;
                }
                entered = read + f64::from(wait);
            }
            started = if execution.handed_over {
                entered + TASK_SECONDS + costs.hand_over_seconds
            } else {
                f64::INFINITY
            };
            executions.push(execution);
        }
        Run { costs, executions }
    }

    /// An execution's own cost.
    pub fn execution_cost(&self, execution: &Execution) -> Cost {
        self.cost_of(execution, f64::NEG_INFINITY, f64::INFINITY)
    }

    /// The run's cost in `[from, to)`: each piece counted at the moment it starts
    /// (an execution's way to its first check at its start, a check's states at
    /// the check).
    pub fn cost_between(&self, from: f64, to: f64) -> Cost {
        self.executions
            .iter()
            .map(|execution| self.cost_of(execution, from, to))
            .sum()
    }

    fn cost_of(&self, execution: &Execution, from: f64, to: f64) -> Cost {
        let inside = |at: f64| from <= at && at < to;
        let start = if execution.first {
            &self.costs.first
        } else {
            &self.costs.continuation
        };
        let mut cost = Cost::default();
        if inside(execution.start) {
            cost += start.cost;
        }
        let last = execution.checks.len().saturating_sub(1);
        for (i, &at) in execution.checks.iter().enumerate() {
            if inside(at) {
                cost += if execution.handed_over && i == last {
                    self.costs.hand_over
                } else {
                    self.costs.per_check
                };
            }
        }
        cost
    }

    pub fn total(&self) -> Cost {
        self.cost_between(f64::NEG_INFINITY, f64::INFINITY)
    }

    /// When each check was entered, execution after execution.
    pub fn checks(&self) -> impl Iterator<Item = f64> + '_ {
        self.executions
            .iter()
            .flat_map(|e| e.checks.iter().copied())
    }
}
