//! A small interpreter of the Amazon States Language, enough for dmsflow's own
//! definition (Pass, Task, Choice, Wait, Succeed, Fail; Parameters, ResultSelector,
//! ResultPath, InputPath, OutputPath; Retry and Catch) on a simulated clock. It
//! counts what Step Functions bills and records: state transitions and history
//! events.

use serde_json::{Map, Value, json};

use super::{choice, intrinsics, paths};

/// A task's failure: the error name and cause Step Functions would report.
#[derive(Debug, Clone)]
pub struct TaskError {
    pub error: String,
    pub cause: String,
}

/// Runs a Task state's resource.
pub trait Tasks {
    /// `resource` with its evaluated `Parameters`, at simulated second `now`.
    fn run(&mut self, resource: &str, parameters: &Value, now: f64) -> Result<Value, TaskError>;
}

/// One execution to run.
pub struct Execution<'a> {
    pub arn: &'a str,
    pub name: &'a str,
    pub state_machine_arn: &'a str,
    pub input: Value,
}

/// How an execution ended.
#[derive(Debug, Clone, PartialEq)]
pub enum End {
    Succeeded(Value),
    Failed {
        error: String,
        cause: String,
    },
    /// Still running when the simulation's horizon came.
    CutOff,
}

/// What an execution cost.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Cost {
    pub transitions: u64,
    pub history_events: u64,
}

/// Simulated seconds a task takes (a Lambda call or an SNS publish).
pub const TASK_SECONDS: f64 = 0.2;

/// Runs `execution` of `definition` from simulated second `*clock`, advancing it,
/// until it ends or a state would be entered at or after `horizon`. `visit` sees
/// every state entered, the time it was entered and the execution's cost so far.
pub fn run(
    definition: &Value,
    execution: &Execution,
    tasks: &mut impl Tasks,
    clock: &mut f64,
    horizon: f64,
    visit: &mut impl FnMut(&str, f64, &Cost),
) -> Result<(End, Cost), String> {
    let states = definition["States"].as_object().ok_or("no States")?;
    let mut name = definition["StartAt"]
        .as_str()
        .ok_or("no StartAt")?
        .to_string();
    let mut data = execution.input.clone();
    let mut cost = Cost {
        transitions: 0,
        history_events: 1, // ExecutionStarted
    };
    loop {
        let state = states
            .get(&name)
            .ok_or_else(|| format!("no state {name}"))?;
        if *clock >= horizon {
            return Ok((End::CutOff, cost));
        }
        visit(&name, *clock, &cost);
        cost.transitions += 1;
        let context = json!({
            "Execution": {"Id": execution.arn, "Name": execution.name, "Input": execution.input},
            "StateMachine": {"Id": execution.state_machine_arn},
            "State": {"Name": name, "EnteredTime": rfc3339(*clock)},
        });
        let kind = state["Type"].as_str().unwrap_or_default();
        let input = select(state, "InputPath", &data, &context)?;
        let next = match kind {
            "Pass" => {
                let result = match state.get("Parameters") {
                    Some(template) => evaluate(template, &input, &context)?,
                    None => state.get("Result").cloned().unwrap_or(input),
                };
                data = output(state, data, result, &context)?;
                state["Next"].as_str()
            }
            "Wait" => {
                let seconds = match state.get("SecondsPath").and_then(Value::as_str) {
                    Some(path) => paths::get(path, &input, &context).and_then(Value::as_f64),
                    None => state.get("Seconds").and_then(Value::as_f64),
                }
                .ok_or_else(|| format!("{name}: no wait seconds"))?;
                *clock += seconds.max(0.0);
                data = select(state, "OutputPath", &input, &context)?;
                state["Next"].as_str()
            }
            "Choice" => {
                let mut chosen = state.get("Default").and_then(Value::as_str);
                for rule in state["Choices"].as_array().into_iter().flatten() {
                    if choice::holds(rule, &input, &context).map_err(|e| format!("{name}: {e}"))? {
                        chosen = rule["Next"].as_str();
                        break;
                    }
                }
                data = select(state, "OutputPath", &input, &context)?;
                Some(chosen.ok_or_else(|| format!("{name}: no choice matched"))?)
            }
            "Task" => {
                let parameters = match state.get("Parameters") {
                    Some(template) => evaluate(template, &input, &context)?,
                    None => input.clone(),
                };
                let resource = state["Resource"].as_str().unwrap_or_default();
                match attempt(state, resource, &parameters, tasks, clock, &mut cost) {
                    Ok(result) => {
                        let result = match state.get("ResultSelector") {
                            Some(selector) => evaluate(selector, &result, &context)?,
                            None => result,
                        };
                        data = output(state, data, result, &context)?;
                        state["Next"].as_str()
                    }
                    Err(failure) => match catcher(state, &failure.error) {
                        Some(catch) => {
                            let path = catch
                                .get("ResultPath")
                                .and_then(Value::as_str)
                                .unwrap_or("$");
                            let error = json!({"Error": failure.error, "Cause": failure.cause});
                            data = paths::set(data, path, error)?;
                            catch["Next"].as_str()
                        }
                        None => {
                            cost.history_events += 1; // ExecutionFailed
                            return Ok((
                                End::Failed {
                                    error: failure.error,
                                    cause: failure.cause,
                                },
                                cost,
                            ));
                        }
                    },
                }
            }
            "Succeed" => {
                cost.history_events += 3; // entered, exited, ExecutionSucceeded
                return Ok((
                    End::Succeeded(select(state, "OutputPath", &input, &context)?),
                    cost,
                ));
            }
            "Fail" => {
                cost.history_events += 2; // entered, ExecutionFailed
                let text = |key: &str, path_key: &str| {
                    state
                        .get(path_key)
                        .and_then(Value::as_str)
                        .and_then(|path| paths::get(path, &data, &context))
                        .or_else(|| state.get(key))
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_string()
                };
                return Ok((
                    End::Failed {
                        error: text("Error", "ErrorPath"),
                        cause: text("Cause", "CausePath"),
                    },
                    cost,
                ));
            }
            other => return Err(format!("{name}: state type {other} is not supported")),
        };
        cost.history_events += 2; // entered, exited
        name = next.ok_or_else(|| format!("{name}: no Next"))?.to_string();
    }
}

/// Runs a task with the state's Retry rules; each attempt is scheduled, started
/// and ends (three history events), and each retry is another transition.
fn attempt(
    state: &Value,
    resource: &str,
    parameters: &Value,
    tasks: &mut impl Tasks,
    clock: &mut f64,
    cost: &mut Cost,
) -> Result<Value, TaskError> {
    let mut tries: Vec<u64> = Vec::new();
    loop {
        cost.history_events += 3;
        *clock += TASK_SECONDS;
        let failure = match tasks.run(resource, parameters, *clock) {
            Ok(result) => return Ok(result),
            Err(failure) => failure,
        };
        let rules = state
            .get("Retry")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let Some(index) = rules
            .iter()
            .position(|rule| names_error(rule, &failure.error))
        else {
            return Err(failure);
        };
        tries.resize(rules.len(), 0);
        let rule = &rules[index];
        let max = rule.get("MaxAttempts").and_then(Value::as_u64).unwrap_or(3);
        if tries[index] >= max {
            return Err(failure);
        }
        let interval = rule
            .get("IntervalSeconds")
            .and_then(Value::as_f64)
            .unwrap_or(1.0);
        let backoff = rule
            .get("BackoffRate")
            .and_then(Value::as_f64)
            .unwrap_or(2.0);
        let delay = interval * backoff.powi(i32::try_from(tries[index]).unwrap_or(i32::MAX));
        let cap = rule
            .get("MaxDelaySeconds")
            .and_then(Value::as_f64)
            .unwrap_or(f64::MAX);
        *clock += delay.min(cap);
        tries[index] += 1;
        cost.transitions += 1;
    }
}

fn catcher<'s>(state: &'s Value, error: &str) -> Option<&'s Value> {
    state
        .get("Catch")?
        .as_array()?
        .iter()
        .find(|c| names_error(c, error))
}

fn names_error(rule: &Value, error: &str) -> bool {
    rule["ErrorEquals"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|name| {
            let name = name.as_str().unwrap_or_default();
            name == error
                || name == "States.ALL"
                || (name == "States.TaskFailed" && error != "States.Timeout")
        })
}

/// `ResultPath` then `OutputPath`.
fn output(state: &Value, data: Value, result: Value, context: &Value) -> Result<Value, String> {
    let data = match state.get("ResultPath") {
        Some(Value::Null) => data,
        Some(path) => paths::set(data, path.as_str().unwrap_or("$"), result)?,
        None => result,
    };
    select(state, "OutputPath", &data, context)
}

/// `InputPath` / `OutputPath`: the value at the path (the whole document by default).
fn select(state: &Value, key: &str, data: &Value, context: &Value) -> Result<Value, String> {
    match state.get(key) {
        None => Ok(data.clone()),
        Some(Value::Null) => Ok(json!({})),
        Some(path) => {
            let path = path.as_str().unwrap_or("$");
            paths::get(path, data, context)
                .cloned()
                .ok_or_else(|| format!("{key} {path} is not present"))
        }
    }
}

/// A `Parameters` or `ResultSelector` template: keys ending in `.$` take a path's
/// value or an intrinsic's result.
pub fn evaluate(template: &Value, data: &Value, context: &Value) -> Result<Value, String> {
    match template {
        Value::Object(fields) => {
            let mut out = Map::new();
            for (key, value) in fields {
                match key.strip_suffix(".$") {
                    Some(key) => {
                        let expression = value.as_str().ok_or("a .$ field holds a string")?;
                        let value = if expression.starts_with("States.") {
                            intrinsics::eval(expression, data, context)?
                        } else {
                            paths::get(expression, data, context)
                                .cloned()
                                .ok_or_else(|| format!("{expression} is not present"))?
                        };
                        out.insert(key.to_string(), value);
                    }
                    None => {
                        out.insert(key.clone(), evaluate(value, data, context)?);
                    }
                }
            }
            Ok(Value::Object(out))
        }
        Value::Array(items) => items.iter().map(|v| evaluate(v, data, context)).collect(),
        other => Ok(other.clone()),
    }
}

/// Simulated second `seconds` as an RFC 3339 timestamp (simulated time starts at
/// the Unix epoch plus [`EPOCH_OFFSET`] seconds).
pub fn rfc3339(seconds: f64) -> String {
    humantime::format_rfc3339_millis(system_time(seconds)).to_string()
}

/// Where simulated second 0 lies: 2026-01-01T00:00:00Z.
pub const EPOCH_OFFSET: u64 = 1_767_225_600;

pub fn system_time(seconds: f64) -> std::time::SystemTime {
    std::time::UNIX_EPOCH
        + std::time::Duration::from_secs(EPOCH_OFFSET)
        + std::time::Duration::from_secs_f64(seconds.max(0.0))
}

/// Simulated second `seconds` in milliseconds since the Unix epoch.
pub fn epoch_millis(seconds: f64) -> i64 {
    (EPOCH_OFFSET as i64) * 1000 + (seconds * 1000.0) as i64
}
