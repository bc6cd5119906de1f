//! The cost of waiting: what a long migration costs in Step Functions state
//! transitions and history events with the real definition and the real wait
//! policy, against a fixed 60-second poll; how late the workflow notices a failed
//! task; and how many executions a 30-day run is split into.
//!
//! One calculation (see [`calculation`]): the states each piece of an execution
//! enters come from the definition's graph (`statemachine/migration.asl.json`,
//! [`definition`]), what each state costs from how Step Functions bills and records
//! it ([`history`]), and when the checks happen from the real
//! [`dmsflow::wait_policy`] over a simulated migration ([`timeline`]): instance 10
//! minutes, full load 3 hours over 100 tables, then CDC whose latency stays above
//! the cutover threshold, so the run keeps checking.

mod budget;
mod calculation;
mod definition;
mod history;
mod timeline;

use std::path::Path;

use dmsflow::spec::Polling;

use crate::table::Row;
use calculation::{Costs, Run};
use definition::{Definition, Shape};
use history::HISTORY_LIMIT;
use timeline::Timeline;

/// The Task of the progress loop, and the Task that starts the next execution.
const CHECK_TASK: &str = "CheckProgress";
const HAND_OVER_TASK: &str = "ContinueInNewExecution";
/// Checks an execution makes before it hands over to a new one: the spec's default
/// `polling.checks_per_execution`.
fn checks_per_execution() -> u64 {
    u64::from(dmsflow::spec::Polling::default().checks_per_execution)
}

const GROUP: &str = "cost of waiting";
const HOUR: f64 = 3600.0;
const DAY: f64 = 24.0 * HOUR;
/// The migration the figures describe.
const TIMELINE: Timeline = Timeline {
    instance_seconds: 600.0,
    full_load_seconds: 3.0 * HOUR,
    tables: 100,
};
/// The steady-CDC day the per-day figures count (well after the full load).
const STEADY_DAY: f64 = 10.0 * DAY;
const MONTH: f64 = 30.0 * DAY;

/// The rows of the cost-of-waiting part of the bench.
pub fn rows(root: &Path) -> Result<Vec<Row>, String> {
    let path = root.join("statemachine/migration.asl.json");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let definition = Definition::parse(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let shape = Shape::derive(&definition, CHECK_TASK, HAND_OVER_TASK)?;
    let fixed = Polling {
        min_wait_seconds: 60,
        max_wait_seconds: 60,
        ..Polling::default()
    };
    let mut rows = Vec::new();
    for (name, polling, ours) in [
        ("dmsflow's wait policy", Polling::default(), true),
        ("fixed 60 s poll", fixed, false),
    ] {
        let costs = Costs::of(&definition, &shape, &TIMELINE, &polling)?;
        let run = Run::calculate(costs, TIMELINE, polling, checks_per_execution(), MONTH);
        rows.extend(Figures::of(&run).rows(name, ours));
    }
    rows.extend(budget::rows(&TIMELINE, &Polling::default()));
    Ok(rows)
}

/// The figures of one polling policy's run.
#[derive(Debug)]
struct Figures {
    first_day: history::Cost,
    steady_day: history::Cost,
    month: history::Cost,
    executions: usize,
    most_checks: usize,
    most_events: u64,
    /// The most checks a first execution can make within the history limit.
    checks_allowed: u64,
    worst_gap: f64,
    reaction: Option<f64>,
}

impl Figures {
    fn of(run: &Run) -> Figures {
        let checks: Vec<f64> = run.checks().collect();
        let worst_gap = checks
            .windows(2)
            .map(|pair| pair[1] - pair[0])
            .fold(0.0, f64::max);
        // The worst moment to fail: just after a check read the task. The next
        // check reads it failed, and its Catch path sends the alert.
        let reaction = checks
            .windows(2)
            .find(|pair| pair[0] >= STEADY_DAY)
            .map(|pair| pair[1] - pair[0] + run.costs.alert_seconds);
        Figures {
            first_day: run.cost_between(0.0, DAY),
            steady_day: run.cost_between(STEADY_DAY, STEADY_DAY + DAY),
            month: run.total(),
            executions: run.executions.len(),
            most_checks: run
                .executions
                .iter()
                .map(|e| e.checks.len())
                .max()
                .unwrap_or(0),
            most_events: run
                .executions
                .iter()
                .map(|e| run.execution_cost(e).history_events)
                .max()
                .unwrap_or(0),
            checks_allowed: run.costs.most_checks_within_history_limit(),
            worst_gap,
            reaction,
        }
    }

    fn rows(&self, name: &str, ours: bool) -> Vec<Row> {
        let row =
            |measure: &str, value: String| Row::new(GROUP, format!("{name}: {measure}"), value);
        let pair = |cost: history::Cost| format!("{} / {}", cost.transitions, cost.history_events);
        let mut rows = vec![
            row(
                "first 24 h (instance, full load, CDC): transitions / history events",
                pair(self.first_day),
            ),
            row(
                "transitions per 24 h of steady CDC",
                self.steady_day.transitions.to_string(),
            ),
            row("30 days: transitions / history events", pair(self.month)),
            row("30 days: executions", self.executions.to_string()),
            row(
                "most checks / history events in one execution",
                format!("{} / {}", self.most_checks, self.most_events),
            ),
            row(
                "checks per execution / most the 25,000-event history allows",
                format!("{} / {}", checks_per_execution(), self.checks_allowed),
            ),
            row(
                "longest gap between checks once replication runs",
                seconds(self.worst_gap),
            ),
            row(
                "task failure to alert (failure just after a check, steady CDC)",
                self.reaction
                    .map_or_else(|| "not observed".to_string(), seconds),
            ),
        ];
        if ours {
            rows[1] = rows[1]
                .clone()
                .target("<= 500", self.steady_day.transitions <= 500);
            rows[2] = rows[2]
                .clone()
                .target("< 15,000 transitions", self.month.transitions < 15_000);
            rows[4] = rows[4]
                .clone()
                .target("< 25,000", self.most_events < HISTORY_LIMIT);
            rows[5] = rows[5].clone().target(
                format!("<= {}", self.checks_allowed),
                checks_per_execution() <= self.checks_allowed,
            );
            rows[7] = rows[7]
                .clone()
                .target("<= 10 min", self.reaction.is_some_and(|s| s <= 600.0));
        }
        rows
    }
}

fn seconds(s: f64) -> String {
    format!("{:.0} s ({:.1} min)", s, s / 60.0)
}

#[cfg(test)]
mod tests;
