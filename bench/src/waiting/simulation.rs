//! One simulated run: the real definition, executed by the interpreter, with the
//! real step handlers on the simulated DMS, execution after execution (each
//! continuation starts the next) until the run ends or the horizon comes.

use serde_json::Value;

use super::functions::{Current, Effect, Functions};
use super::interpreter::{self, Cost, End, Execution};
use super::sim_dms::{SimDms, Timeline};

/// A state entered: which, when, in which execution, and the run's cost before it.
#[derive(Debug, Clone)]
pub struct Entry {
    pub state: String,
    pub at: f64,
    pub execution: usize,
    pub before: Cost,
}

/// What a simulated run did.
#[derive(Debug, Default)]
pub struct Record {
    pub entries: Vec<Entry>,
    /// Each execution's own cost, in order.
    pub executions: Vec<Cost>,
    pub ends: Vec<End>,
    pub alerts: Vec<(f64, String)>,
    pub total: Cost,
}

impl Record {
    /// The run's cost in `[from, to)` simulated seconds.
    pub fn cost_between(&self, from: f64, to: f64) -> Cost {
        let at = |t: f64| {
            self.entries
                .iter()
                .find(|e| e.at >= t)
                .map_or(self.total.clone(), |e| e.before.clone())
        };
        let (a, b) = (at(from), at(to));
        Cost {
            transitions: b.transitions - a.transitions,
            history_events: b.history_events - a.history_events,
        }
    }

    /// When each check of progress started.
    pub fn checks(&self) -> Vec<f64> {
        self.entries
            .iter()
            .filter(|e| e.state == "CheckProgress")
            .map(|e| e.at)
            .collect()
    }
}

/// Runs the spec `input` until the run ends or `horizon` simulated seconds.
pub fn simulate(
    definition: &Value,
    input: Value,
    timeline: Timeline,
    horizon: f64,
) -> Result<Record, String> {
    let dms = SimDms::new(timeline);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .map_err(|e| e.to_string())?;
    let mut functions = Functions {
        dms: &dms,
        runtime,
        effects: Vec::new(),
        current: Current::default(),
    };
    let mut record = Record::default();
    let mut clock = 0.0;
    let mut next = Some(("run".to_string(), input));
    while let Some((name, input)) = next.take() {
        let index = record.executions.len();
        let arn = format!("arn:aws:states:us-east-1:123456789012:execution:dmsflow:{name}");
        let execution = Execution {
            arn: &arn,
            name: &name,
            state_machine_arn: "arn:aws:states:us-east-1:123456789012:stateMachine:dmsflow",
            input,
        };
        functions.current = Current {
            arn: arn.clone(),
            input: execution.input.clone(),
            started_ms: interpreter::epoch_millis(clock),
        };
        let offset = record.total.clone();
        let seen = functions.effects.len();
        let entries = &mut record.entries;
        let (end, cost) = interpreter::run(
            definition,
            &execution,
            &mut functions,
            &mut clock,
            horizon,
            &mut |state, at, so_far| {
                entries.push(Entry {
                    state: state.to_string(),
                    at,
                    execution: index,
                    before: Cost {
                        transitions: offset.transitions + so_far.transitions,
                        history_events: offset.history_events + so_far.history_events,
                    },
                })
            },
        )?;
        for effect in functions.effects.drain(seen..) {
            match effect {
                Effect::Published { at, subject } => record.alerts.push((at, subject)),
                Effect::Started { name, input } => next = Some((name, input)),
            }
        }
        if !matches!(end, End::Succeeded(_)) {
            next = None;
        }
        record.total.transitions += cost.transitions;
        record.total.history_events += cost.history_events;
        record.executions.push(cost);
        record.ends.push(end);
    }
    Ok(record)
}
