//! Alarm evaluation. Before each CloudWatch request is answered (and when the
//! control API shows CloudWatch), every alarm takes the state the newest
//! datapoint of its metric over its evaluation range gives: ALARM when it
//! breaches the threshold, OK when not; with no datapoint, what
//! `TreatMissingData` says (default `missing`: INSUFFICIENT_DATA).

use serde::Serialize;

use super::alarms::{Alarm, State};
use super::data::Selection;
use super::query;
use super::wire::epoch_secs;
use crate::model::World;

/// Transitions kept for the control API.
const MAX_TRANSITIONS: usize = 10_000;

/// One change of an alarm's state.
#[derive(Debug, Clone, Serialize)]
pub struct Transition {
    pub alarm: String,
    pub from: &'static str,
    pub to: &'static str,
    pub reason: String,
    /// Epoch seconds.
    pub timestamp: f64,
    /// Simulated seconds since start.
    pub sim_time: f64,
}

pub fn evaluate(w: &mut World) {
    let now = epoch_secs(w.wall(w.now));
    let sim_time = w.now;
    let newest: Vec<(String, Option<f64>)> = w
        .cloudwatch
        .alarms
        .values()
        .map(|a| (a.name.clone(), newest(w, a, now)))
        .collect();
    let cw = &mut w.cloudwatch;
    for (name, value) in newest {
        let Some(alarm) = cw.alarms.get_mut(&name) else {
            continue;
        };
        let Some((state, reason)) = judge(alarm, value) else {
            continue;
        };
        if state == alarm.state {
            continue;
        }
        if cw.transitions.len() >= MAX_TRANSITIONS {
            cw.transitions.remove(0);
        }
        cw.transitions.push(Transition {
            alarm: name,
            from: alarm.state.as_str(),
            to: state.as_str(),
            reason: reason.clone(),
            timestamp: now,
            sim_time,
        });
        alarm.state = state;
        alarm.state_reason = reason;
        alarm.state_updated = now;
    }
}

/// The newest datapoint of the alarm's statistic over its evaluation range.
fn newest(w: &World, a: &Alarm, now: f64) -> Option<f64> {
    let range = (a.period * a.evaluation_periods) as f64;
    query::series(
        w,
        &Selection {
            metric: &a.metric,
            unit: a.unit.as_deref(),
            stat: a.stat(),
            period: a.period,
            start: now - range,
            end: now + a.period as f64,
        },
    )
    .last()
    .map(|(_, v)| *v)
}

fn words(comparison: &str) -> &'static str {
    match comparison {
        "GreaterThanOrEqualToThreshold" => "greater than or equal to",
        "GreaterThanThreshold" => "greater than",
        "LessThanThreshold" => "less than",
        _ => "less than or equal to",
    }
}

pub fn breaches(comparison: &str, value: f64, threshold: f64) -> bool {
    match comparison {
        "GreaterThanOrEqualToThreshold" => value >= threshold,
        "GreaterThanThreshold" => value > threshold,
        "LessThanThreshold" => value < threshold,
        _ => value <= threshold,
    }
}

/// The state and reason a datapoint (or its absence) gives; `None` keeps the
/// current state (`TreatMissingData` = `ignore`).
fn judge(a: &Alarm, value: Option<f64>) -> Option<(State, String)> {
    let cmp = words(&a.comparison);
    let n = a.evaluation_periods;
    Some(match value {
        Some(v) if breaches(&a.comparison, v, a.threshold) => (
            State::Alarm,
            format!(
                "Threshold Crossed: the newest datapoint [{v}] was {cmp} the threshold ({}).",
                a.threshold
            ),
        ),
        Some(v) => (
            State::Ok,
            format!(
                "Threshold Crossed: the newest datapoint [{v}] was not {cmp} the threshold ({}).",
                a.threshold
            ),
        ),
        None => match a.treat_missing_data.as_deref().unwrap_or("missing") {
            "ignore" => return None,
            "breaching" => (
                State::Alarm,
                format!(
                    "Threshold Crossed: no datapoints were received for {n} periods and {n} missing datapoints were treated as [Breaching]."
                ),
            ),
            "notBreaching" => (
                State::Ok,
                format!(
                    "Threshold Crossed: no datapoints were received for {n} periods and {n} missing datapoints were treated as [NonBreaching]."
                ),
            ),
            _ => (
                State::InsufficientData,
                format!("Insufficient Data: no datapoints were received for {n} periods."),
            ),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comparisons() {
        assert!(breaches("GreaterThanThreshold", 2.0, 1.0));
        assert!(!breaches("GreaterThanThreshold", 1.0, 1.0));
        assert!(breaches("GreaterThanOrEqualToThreshold", 1.0, 1.0));
        assert!(breaches("LessThanThreshold", 0.5, 1.0));
        assert!(breaches("LessThanOrEqualToThreshold", 1.0, 1.0));
        assert!(!breaches("LessThanOrEqualToThreshold", 1.5, 1.0));
    }
}
