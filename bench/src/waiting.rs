//! The cost of waiting: what a long migration costs in Step Functions state
//! transitions and history events with the real definition and the real wait
//! policy, against a fixed 60-second poll; how late the workflow notices a failed
//! task; and how many executions a 30-day run is split into.
//!
//! The migration is simulated (instance 10 minutes, full load 3 hours over 100
//! tables, then CDC whose latency stays above the cutover threshold, so the run
//! keeps watching); the definition (`statemachine/migration.asl.json`) runs in a
//! small interpreter that counts what Step Functions bills, and every Task calls
//! the real step handler on a simulated DMS.

mod choice;
mod functions;
mod interpreter;
mod intrinsics;
mod paths;
mod sim_dms;
mod simulation;

use std::path::Path;

use serde_json::{Value, json};

use crate::table::Row;
use functions::substitution;
use sim_dms::Timeline;
use simulation::{Record, simulate};

const GROUP: &str = "cost of waiting";
const HOUR: f64 = 3600.0;
const DAY: f64 = 24.0 * HOUR;
/// The migration the figures describe.
pub const TIMELINE: Timeline = Timeline {
    instance_seconds: 600.0,
    full_load_seconds: 3.0 * HOUR,
    tables: 100,
    cdc_latency_seconds: 90.0,
    task_fails_at: None,
};
/// The steady-CDC day the per-day figures count (well after the full load).
const STEADY_DAY: f64 = 10.0 * DAY;

/// The rows of the cost-of-waiting part of the bench.
pub fn rows(root: &Path) -> Result<Vec<Row>, String> {
    let definition = definition(root)?;
    let spec = sample_spec(root)?;
    let adaptive = Policy::measure("dmsflow's wait policy", &definition, spec.clone())?;
    let mut fixed_spec = spec;
    fixed_spec["polling"] = json!({"min_wait_seconds": 60, "max_wait_seconds": 60});
    let fixed = Policy::measure("fixed 60 s poll", &definition, fixed_spec)?;
    let mut rows = Vec::new();
    for policy in [&adaptive, &fixed] {
        rows.extend(policy.rows(std::ptr::eq(policy, &adaptive)));
    }
    Ok(rows)
}

/// The figures of one polling policy.
struct Policy {
    name: &'static str,
    first_day: Record,
    month: Record,
    reaction: Option<f64>,
    worst_gap: f64,
}

impl Policy {
    fn measure(name: &'static str, definition: &Value, spec: Value) -> Result<Policy, String> {
        let month = simulate(definition, spec.clone(), TIMELINE, 30.0 * DAY)?;
        let first_day = simulate(definition, spec.clone(), TIMELINE, DAY)?;
        let checks = month.checks();
        let running_from = TIMELINE.instance_seconds;
        let worst_gap = checks
            .windows(2)
            .filter(|pair| pair[0] >= running_from)
            .map(|pair| pair[1] - pair[0])
            .fold(0.0, f64::max);
        // The worst moment to fail: just after a check read the task as running.
        let fails_at = checks
            .iter()
            .find(|&&at| at >= STEADY_DAY)
            .map(|at| at + interpreter::TASK_SECONDS + 0.5);
        let reaction = match fails_at {
            Some(fails_at) => {
                let timeline = Timeline {
                    task_fails_at: Some(fails_at),
                    ..TIMELINE
                };
                let failed = simulate(definition, spec, timeline, fails_at + DAY)?;
                failed
                    .alerts
                    .iter()
                    .find(|(at, _)| *at >= fails_at)
                    .map(|(at, _)| at - fails_at)
            }
            None => None,
        };
        Ok(Policy {
            name,
            first_day,
            month,
            reaction,
            worst_gap,
        })
    }

    fn rows(&self, ours: bool) -> Vec<Row> {
        let steady = self.month.cost_between(STEADY_DAY, STEADY_DAY + DAY);
        let most_checks = (0..self.month.executions.len())
            .map(|i| {
                self.month
                    .entries
                    .iter()
                    .filter(|e| e.execution == i && e.state == "CheckProgress")
                    .count()
            })
            .max()
            .unwrap_or(0);
        let max_history = self
            .month
            .executions
            .iter()
            .map(|c| c.history_events)
            .max()
            .unwrap_or(0);
        let row = |measure: &str, value: String| {
            Row::new(GROUP, format!("{}: {measure}", self.name), value)
        };
        let mut rows = vec![
            row(
                "first 24 h (instance, full load, CDC): transitions / history events",
                format!(
                    "{} / {}",
                    self.first_day.total.transitions, self.first_day.total.history_events
                ),
            ),
            row(
                "transitions per 24 h of steady CDC",
                steady.transitions.to_string(),
            ),
            row(
                "30 days: transitions / history events",
                format!(
                    "{} / {}",
                    self.month.total.transitions, self.month.total.history_events
                ),
            ),
            row(
                "30 days: executions",
                self.month.executions.len().to_string(),
            ),
            row(
                "most checks / history events in one execution",
                format!("{most_checks} / {max_history}"),
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
            rows[1] = rows[1].clone().target("<= 500", steady.transitions <= 500);
            rows[2] = rows[2].clone().target(
                "< 15,000 transitions",
                self.month.total.transitions < 15_000,
            );
            rows[4] = rows[4].clone().target("< 25,000", max_history < 25_000);
            rows[6] = rows[6]
                .clone()
                .target("<= 10 min", self.reaction.is_some_and(|s| s <= 600.0));
        }
        rows
    }
}

fn seconds(s: f64) -> String {
    format!("{:.0} s ({:.1} min)", s, s / 60.0)
}

/// The definition with the simulation's values for its placeholders.
fn definition(root: &Path) -> Result<Value, String> {
    let path = root.join("statemachine/migration.asl.json");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut out = String::new();
    let mut rest = text.as_str();
    while let Some(start) = rest.find("${") {
        let end = rest[start..]
            .find('}')
            .ok_or("an unclosed ${ placeholder")?
            + start;
        let name = &rest[start + 2..end];
        let value = substitution(name)
            .ok_or_else(|| format!("placeholder ${{{name}}} has no simulated value"))?;
        out.push_str(&rest[..start]);
        out.push_str(&value);
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    serde_json::from_str(&out).map_err(|e| format!("{}: {e}", path.display()))
}

/// The full-load-and-CDC sample, without its completion action: the run watches CDC.
fn sample_spec(root: &Path) -> Result<Value, String> {
    let path = root.join("events/mysql-full-load-and-cdc.json");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

#[cfg(test)]
mod tests;
