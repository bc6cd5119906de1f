//! What a person reads of an execution as it runs, from its history: each state
//! entered, and what each step reported (actions, DMS statuses, full-load
//! percent and tables, validation), or why it failed. One view for `dmsflow
//! watch` and `tools/rehearse`. Plain Rust, no I/O: the callers read the history.

use serde_json::Value;

use crate::steps::notify::cause_message;

/// One history event: its type, and the details object of that type.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub id: u64,
    pub kind: String,
    /// Seconds since the epoch.
    pub timestamp: f64,
    pub details: Value,
}

impl Event {
    /// An event as GetExecutionHistory answers it in JSON (`type`, `id`,
    /// `timestamp`, and one `<type>EventDetails` object).
    pub fn from_json(v: &Value) -> Option<Event> {
        let kind = v.get("type")?.as_str()?.to_string();
        let details = v
            .as_object()?
            .iter()
            .find(|(k, _)| k.ends_with("EventDetails"))
            .map(|(_, d)| d.clone())
            .unwrap_or(Value::Null);
        Some(Event {
            id: v.get("id")?.as_u64()?,
            kind,
            timestamp: v.get("timestamp").and_then(Value::as_f64).unwrap_or(0.0),
            details,
        })
    }

    /// The state name of a `*StateEntered` event.
    pub fn entered_state(&self) -> Option<&str> {
        self.kind
            .ends_with("StateEntered")
            .then(|| self.details.get("name").and_then(Value::as_str))
            .flatten()
    }

    /// The output of a `TaskSucceeded` event, parsed.
    pub fn task_output(&self) -> Option<Value> {
        (self.kind == "TaskSucceeded" || self.kind == "LambdaFunctionSucceeded")
            .then(|| self.details.get("output").and_then(Value::as_str))
            .flatten()
            .and_then(|o| serde_json::from_str(o).ok())
    }
}

/// Turns history events into lines for a person, one event at a time.
#[derive(Debug, Default)]
pub struct Progress {
    started: Option<f64>,
    last_wait: Option<u64>,
    /// The state entered last (a Task's answer is read as that step's).
    state: Option<String>,
    /// States entered so far.
    pub states_entered: usize,
    /// Task invocations that failed (retried or caught).
    pub task_failures: usize,
}

impl Progress {
    pub fn lines(&mut self, event: &Event) -> Vec<String> {
        let started = *self.started.get_or_insert(event.timestamp);
        let at = format!("[{:>6.1}s]", (event.timestamp - started).max(0.0));
        let mut out = Vec::new();
        if let Some(state) = event.entered_state() {
            self.states_entered += 1;
            self.state = Some(state.to_string());
            let mut line = format!("{at} {state}");
            if event.kind == "WaitStateEntered"
                && let Some(seconds) = self.last_wait
            {
                line.push_str(&format!(" ({seconds} s)"));
            }
            out.push(line);
            return out;
        }
        match event.kind.as_str() {
            "ExecutionStarted" => out.push(format!("{at} execution started")),
            "TaskSucceeded" | "LambdaFunctionSucceeded" => {
                if let Some(output) = event.task_output() {
                    let state = output.get("Payload").unwrap_or(&output);
                    // A step's answer is the whole state; its report is under
                    // step.report, when the step is the one that answered.
                    let own = state.pointer("/step/name").and_then(Value::as_str)
                        == self.state.as_deref();
                    let Some(payload) = state.pointer("/step/report").filter(|_| own) else {
                        return out;
                    };
                    self.last_wait = payload.get("wait_seconds").and_then(Value::as_u64);
                    out.extend(
                        report_lines(payload)
                            .into_iter()
                            .map(|l| format!("           {l}")),
                    );
                }
            }
            "TaskFailed" | "LambdaFunctionFailed" => {
                self.task_failures += 1;
                let error = detail_text(&event.details, "error");
                let cause = cause_message(&detail_text(&event.details, "cause"));
                out.push(format!("           ✗ {error}: {}", shorten(&cause, 300)));
            }
            "ExecutionSucceeded" => out.push(format!("{at} execution SUCCEEDED")),
            "ExecutionFailed" => out.push(format!(
                "{at} execution FAILED: {}",
                detail_text(&event.details, "error")
            )),
            _ => {}
        }
        out
    }
}

/// The text of `key` in an event's details or a report (empty when there is none).
pub fn detail_text(value: &Value, key: &str) -> String {
    value
        .get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let cut: String = text.chars().take(max).collect();
    format!("{cut}…")
}

/// What one step's result says, whatever the step.
pub fn report_lines(payload: &Value) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(id) = payload.get("MessageId").and_then(Value::as_str) {
        out.push(format!("published to SNS (message {id})"));
        return out;
    }
    if let Some(plan) = payload.get("plan").and_then(Value::as_array) {
        out.push("spec valid; the plan:".into());
        out.extend(
            plan.iter()
                .filter_map(Value::as_str)
                .map(|l| format!("  - {l}")),
        );
        return out;
    }
    for action in payload
        .get("actions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
    {
        out.push(format!("+ {action}"));
    }
    if let Some(statuses) = resource_statuses(payload) {
        out.push(format!("DMS: {statuses}"));
    }
    if let Some(connections) = payload.get("connections").and_then(Value::as_array) {
        let list: Vec<String> = connections
            .iter()
            .map(|c| format!("{} {}", detail_text(c, "role"), detail_text(c, "status")))
            .collect();
        out.push(format!("connections: {}", list.join(", ")));
    }
    if let Some(summary) = payload.get("summary") {
        let due_in = payload
            .get("full_load_due_in_seconds")
            .and_then(Value::as_u64);
        out.push(progress_line(summary, due_in));
        if let Some(validation) = validation_line(summary) {
            out.push(validation);
        }
    }
    if let Some(remaining) = payload.get("remaining").filter(|r| !is_empty(r)) {
        out.push(format!("remaining: {}", compact(remaining)));
    }
    if let Some(waiting) = payload.get("waiting_for").and_then(Value::as_str) {
        out.push(format!("… waiting for {waiting}"));
    } else if payload.get("done").and_then(Value::as_bool) == Some(true) {
        out.push("✓ done".into());
    }
    out
}

fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    }
}

fn compact(v: &Value) -> String {
    shorten(&v.to_string(), 200)
}

/// `instance available, source active, target active, task ready` from a create report.
fn resource_statuses(payload: &Value) -> Option<String> {
    let parts: Vec<String> = [
        ("subnet_group", "subnet group"),
        ("instance", "instance"),
        ("source_endpoint", "source"),
        ("target_endpoint", "target"),
        ("task", "task"),
        ("event_subscription", "events"),
    ]
    .iter()
    .filter_map(|(key, label)| {
        let resource = payload.get(*key)?;
        let status = resource.get("status")?.as_str()?;
        let arn = resource.get("arn").and_then(Value::as_str).unwrap_or("");
        let label = match crate::aws::dms::is_config_arn(arn) {
            true => "replication config",
            false => label,
        };
        Some(format!("{label} {status}"))
    })
    .collect();
    (!parts.is_empty()).then(|| parts.join(", "))
}

fn number(v: &Value, key: &str) -> i64 {
    v.get(key).and_then(Value::as_i64).unwrap_or(0)
}

/// Cells of the full load's progress bar.
const BAR_CELLS: usize = 20;

/// `[#############-------]` for `percent` (0 to 100).
fn bar(percent: i64) -> String {
    let filled = (percent.clamp(0, 100) as usize * BAR_CELLS + 50) / 100;
    format!("[{}{}]", "#".repeat(filled), "-".repeat(BAR_CELLS - filled))
}

/// `3 min`, `1 h 05 min`, `40 s`.
fn duration(seconds: u64) -> String {
    match seconds {
        0..=89 => format!("{seconds} s"),
        90..=5_399 => format!("{} min", (seconds + 30) / 60),
        _ => format!("{} h {:02} min", seconds / 3600, (seconds % 3600 + 30) / 60),
    }
}

/// `task running (full-load), full load [#############-------] 67%: 4/6 tables
/// loaded, 0 errored, 5000 rows, about 3 min left`.
fn progress_line(summary: &Value, due_in_seconds: Option<u64>) -> String {
    let percent = number(summary, "full_load_percent");
    // A DMS Serverless replication: its own status (the stage while it starts)
    // and the capacity DMS holds for it.
    let what = match summary.get("provisioning") {
        Some(p) => {
            let units = p.get("capacity_units").and_then(Value::as_i64);
            format!(
                "replication {}{}",
                detail_text(p, "replication_status"),
                units.map(|n| format!(" on {n} DCU")).unwrap_or_default()
            )
        }
        None => format!("task {}", detail_text(summary, "status")),
    };
    let mut line = format!(
        "{what} ({}), full load {} {}%: {}/{} tables loaded, {} errored, {} rows",
        detail_text(summary, "phase"),
        bar(percent),
        percent,
        number(summary, "tables_loaded"),
        number(summary, "tables"),
        number(summary, "tables_errored"),
        number(summary, "rows_loaded"),
    );
    if let Some(seconds) = due_in_seconds {
        line.push_str(&format!(", about {} left", duration(seconds)));
    }
    if let Some(reason) = summary.get("stop_reason").and_then(Value::as_str) {
        line.push_str(&format!(", stopped: {reason}"));
    }
    let latency: Vec<f64> = ["cdc_latency_source_seconds", "cdc_latency_target_seconds"]
        .iter()
        .filter_map(|k| summary.get(*k).and_then(Value::as_f64))
        .collect();
    if let Some(max) = latency.into_iter().reduce(f64::max) {
        line.push_str(&format!(", CDC latency {max:.0} s"));
    }
    if let Some(message) = summary.get("last_failure_message").and_then(Value::as_str) {
        line.push_str(&format!(", DMS says: {message}"));
    }
    line
}

/// `validation: Validated 4, Pending records 2 (failed records 0)`.
fn validation_line(summary: &Value) -> Option<String> {
    let states = summary.get("tables_by_validation_state")?.as_object()?;
    if states.is_empty() {
        return None;
    }
    let list: Vec<String> = states
        .iter()
        .map(|(state, n)| format!("{state} {}", n.as_u64().unwrap_or(0)))
        .collect();
    Some(format!(
        "validation: {} (failed records {})",
        list.join(", "),
        number(summary, "validation_failed_records")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn event(id: u64, kind: &str, t: f64, details: Value) -> Event {
        Event {
            id,
            kind: kind.into(),
            timestamp: t,
            details,
        }
    }

    #[test]
    fn the_bar_and_the_time_left_read_at_a_glance() {
        assert_eq!(bar(0), format!("[{}]", "-".repeat(20)));
        assert_eq!(bar(67), "[#############-------]");
        assert_eq!(bar(100), format!("[{}]", "#".repeat(20)));
        assert_eq!(bar(140), bar(100));
        assert_eq!(duration(40), "40 s");
        assert_eq!(duration(250), "4 min");
        assert_eq!(duration(3_900), "65 min");
        assert_eq!(duration(11_400), "3 h 10 min");
    }

    #[test]
    fn a_serverless_replication_shows_its_stage_and_capacity() {
        let summary = json!({"status": "starting", "phase": "starting", "full_load_percent": 0,
            "tables": 0, "tables_loaded": 0, "tables_errored": 0, "rows_loaded": 0,
            "provisioning": {"replication_status": "provisioning_capacity", "state": "provisioning"}});
        assert!(
            progress_line(&summary, None)
                .starts_with("replication provisioning_capacity (starting), full load"),
            "{}",
            progress_line(&summary, None)
        );
        let running = json!({"status": "running", "phase": "cdc", "full_load_percent": 100,
            "provisioning": {"replication_status": "running", "state": "provisioned", "capacity_units": 8}});
        assert!(progress_line(&running, None).starts_with("replication running on 8 DCU (cdc)"));
    }

    #[test]
    fn states_reports_and_failures_become_lines() {
        let mut p = Progress::default();
        assert_eq!(
            p.lines(&event(1, "ExecutionStarted", 100.0, Value::Null)),
            vec!["[   0.0s] execution started"]
        );
        let lines = p.lines(&event(
            2,
            "TaskStateEntered",
            101.5,
            json!({"name": "CheckProgress"}),
        ));
        assert_eq!(lines, vec!["[   1.5s] CheckProgress"]);
        let report = json!({"done": false, "actions": [], "waiting_for": "the full load", "wait_seconds": 2,
            "full_load_due_in_seconds": 250,
            "summary": {"status": "running", "phase": "full-load", "full_load_percent": 50, "tables": 6, "tables_loaded": 3,
                        "tables_errored": 0, "rows_loaded": 3000, "tables_by_validation_state": {"Validated": 3}}});
        let output = json!({"Payload": {"step": {"name": "CheckProgress", "report": report}}});
        // Another step's report in the state is not this step's answer.
        let stale = json!({"Payload": {"step": {"name": "ClaimRun", "report": report}}});
        assert!(
            p.lines(&event(
                3,
                "TaskSucceeded",
                101.9,
                json!({"output": stale.to_string()})
            ))
            .is_empty()
        );
        let lines = p.lines(&event(
            3,
            "TaskSucceeded",
            102.0,
            json!({"output": output.to_string()}),
        ));
        assert_eq!(
            lines[0],
            "           task running (full-load), full load [##########----------] 50%: 3/6 tables \
             loaded, 0 errored, 3000 rows, about 4 min left",
        );
        assert!(lines[1].contains("validation: Validated 3"), "{lines:?}");
        assert!(lines[2].contains("waiting for the full load"), "{lines:?}");
        let lines = p.lines(&event(
            4,
            "WaitStateEntered",
            102.5,
            json!({"name": "WaitForProgress"}),
        ));
        assert_eq!(lines, vec!["[   2.5s] WaitForProgress (2 s)"]);
        let cause = json!({"errorType": "Throttled", "errorMessage": "slow down"}).to_string();
        let lines = p.lines(&event(
            5,
            "TaskFailed",
            103.0,
            json!({"error": "Throttled", "cause": cause}),
        ));
        assert!(lines[0].ends_with("✗ Throttled: slow down"), "{lines:?}");
        assert_eq!((p.states_entered, p.task_failures), (2, 1));
    }

    #[test]
    fn create_reports_show_dms_statuses_and_actions() {
        let lines = report_lines(
            &json!({"done": true, "actions": ["created replication task t"],
            "instance": {"id": "i", "status": "available"}, "task": {"id": "t", "status": "ready"}}),
        );
        assert_eq!(
            lines,
            vec![
                "+ created replication task t",
                "DMS: instance available, task ready",
                "✓ done"
            ]
        );
    }
}
