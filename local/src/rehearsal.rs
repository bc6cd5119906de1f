//! One rehearsal: an events file (a migration spec, a cleanup or cutover request,
//! or a wave) through the real state machine on the local stack, with progress and
//! a summary.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::Error;
use crate::drills::Drill;
use crate::moto::Published;
use crate::resources::{Call, RunResources, calls_of};
use crate::sfn::Execution;
use crate::stack::Stack;
use dmsflow::execution_view::Progress;
use dmsflow::steps::notify::cause_message;

/// An execution input ready to start.
#[derive(Debug, Clone, PartialEq)]
pub struct Prepared {
    pub input: Value,
    pub run_id: String,
    /// Deterministic: the run id, `-drill-<names>` for drills, `-teardown` for a
    /// cleanup request, `-cutover` for a cutover request.
    pub execution_name: String,
    pub drills: Vec<Drill>,
}

/// Makes an events file's input local: a spec's `notifications.sns_topic_arn`
/// becomes the local run topic, and each drill adds its tags.
pub fn prepare(
    mut input: Value,
    run_topic_arn: &str,
    drills: &[Drill],
    speed: f64,
) -> Result<Prepared, Error> {
    let run_id = input
        .get("run_id")
        .or_else(|| input.get("wave_id"))
        .and_then(Value::as_str)
        .unwrap_or("unnamed")
        .to_string();
    let action = input
        .get("action")
        .map(|a| a.as_str().unwrap_or("action").to_string());
    if action.is_some() && !drills.is_empty() {
        return Err(Error::new(
            "drills apply to a migration spec, not to a cleanup or cutover request or a wave",
        ));
    }
    if let Some(topic) = input.pointer_mut("/notifications/sns_topic_arn") {
        *topic = Value::String(run_topic_arn.to_string());
    }
    // A wave's runs, likewise.
    if let Some(Value::Array(runs)) = input.get_mut("runs") {
        localize_topics(runs, run_topic_arn);
    }
    let serverless = input.get("compute").and_then(Value::as_str) == Some("serverless");
    for drill in drills {
        if serverless && let Some(why) = drill.not_on_serverless() {
            return Err(Error::new(format!(
                "drill {} does not apply to a DMS Serverless run: {why}",
                drill.name()
            )));
        }
        drill.apply(&mut input, speed);
    }
    let mut execution_name = run_id.clone();
    if let Some(action) = &action {
        execution_name.push_str(match action.as_str() {
            "cleanup" => "-teardown",
            "cutover" => "-cutover",
            "wave" => "-wave",
            _ => "-request",
        });
    } else if !drills.is_empty() {
        execution_name.push_str("-drill");
        for drill in drills {
            execution_name.push('-');
            execution_name.push_str(drill.name());
        }
    }
    let execution_name: String = execution_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .take(80)
        .collect();
    Ok(Prepared {
        input,
        run_id,
        execution_name,
        drills: drills.to_vec(),
    })
}

fn localize_topics(specs: &mut [Value], run_topic_arn: &str) {
    for spec in specs {
        if let Some(topic) = spec.pointer_mut("/notifications/sns_topic_arn") {
            *topic = Value::String(run_topic_arn.to_string());
        }
    }
}

/// The manifest a wave's input names, as the rehearsal uploads it to the local
/// wave bucket: its key (`manifests/...`, from `s3://<bucket>/<key>` or the key
/// alone) and the specs of the file `<events_dir>/<key>`, their topics made
/// local. `None` when the input names no manifest.
pub fn manifest(
    input: &Value,
    events_dir: &std::path::Path,
    run_topic_arn: &str,
) -> Result<Option<(String, Value)>, Error> {
    let Some(named) = input.get("manifest").and_then(Value::as_str) else {
        return Ok(None);
    };
    let key = named
        .strip_prefix("s3://")
        .and_then(|address| address.split_once('/'))
        .map_or(named, |(_, key)| key);
    let path = events_dir.join(key);
    let text = std::fs::read_to_string(&path).map_err(|e| {
        Error::new(format!(
            "the wave's manifest {named} is read from {} for a rehearsal: {e}",
            path.display()
        ))
    })?;
    let mut specs: Value = serde_json::from_str(&text)
        .map_err(|e| Error::new(format!("{} is not JSON: {e}", path.display())))?;
    if let Value::Array(list) = &mut specs {
        localize_topics(list, run_topic_arn);
    }
    Ok(Some((key.to_string(), specs)))
}

/// How a wave's rehearsal ended: the wave execution, and its report (the JSON
/// document of the message the wave published), if it published one.
#[derive(Debug, Clone)]
pub struct WaveOutcome {
    pub execution: Execution,
    pub duration: Duration,
    pub report: Option<Value>,
}

impl Prepared {
    /// Whether the input is a migration on DMS Serverless (`compute: serverless`).
    pub fn is_serverless(&self) -> bool {
        self.input.get("compute").and_then(Value::as_str) == Some("serverless")
    }

    /// What `drill` should end in, on this input.
    pub fn expectation(&self, drill: Drill) -> String {
        drill.expectation(self.is_serverless())
    }

    /// Whether the input is a wave (for the wave state machine).
    pub fn is_wave(&self) -> bool {
        self.input.get("action").and_then(Value::as_str) == Some("wave")
    }
}

/// Runs a prepared wave on the wave state machine to its end, printing the wave's
/// states with `print` (each run's own states are in its own executions).
pub async fn rehearse_wave(
    stack: &mut Stack,
    prepared: &Prepared,
    timeout: Duration,
    mut print: impl FnMut(&str),
) -> Result<WaveOutcome, Error> {
    let published_before = stack.published().await?;
    let started = Instant::now();
    let arn = stack
        .start_wave(&prepared.execution_name, &prepared.input)
        .await?;
    let mut progress = Progress::default();
    let execution = stack
        .follow(&arn, timeout, |event| {
            for line in progress.lines(event) {
                print(&line);
            }
        })
        .await?;
    let report = stack
        .published_since(&published_before)
        .await?
        .into_iter()
        .filter(|p| {
            p.subject
                .as_deref()
                .is_some_and(|s| s.starts_with("dmsflow wave "))
        })
        .filter_map(|p| p.json())
        .next_back();
    Ok(WaveOutcome {
        execution,
        duration: started.elapsed(),
        report,
    })
}

/// The lines that end a wave's rehearsal: the wave's outcome and each run's.
pub fn wave_summary(prepared: &Prepared, outcome: &WaveOutcome) -> Vec<String> {
    let execution = &outcome.execution;
    let mut out = vec![
        String::new(),
        "== wave summary ==".into(),
        format!(
            "execution  {}: {} in {:.1} s",
            prepared.execution_name,
            execution.status,
            outcome.duration.as_secs_f64()
        ),
    ];
    let Some(report) = &outcome.report else {
        out.push("report     none was published (see the wave's alert)".into());
        return out;
    };
    out.push(format!(
        "report     {}",
        report["result"].as_str().unwrap_or_default()
    ));
    for run in report["runs"].as_array().into_iter().flatten() {
        let mut line = format!(
            "  {:<24} {}",
            run["run_id"].as_str().unwrap_or_default(),
            run["outcome"].as_str().unwrap_or_default()
        );
        if let Some(error) = run["error"].as_str() {
            line.push_str(&format!(" ({error})"));
        }
        out.push(line);
    }
    out
}

/// How a rehearsal ended.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub execution: Execution,
    pub duration: Duration,
    pub states_entered: usize,
    pub task_failures: usize,
    /// Successful DMS create and delete calls of this run during the execution.
    pub created: Vec<Call>,
    pub deleted: Vec<Call>,
    /// What the run has in DMS afterwards.
    pub left: RunResources,
    /// Messages published during the execution.
    pub alerts: Vec<Published>,
    /// Identifiers of the run's resources by ARN (from every create call of the run).
    pub names: BTreeMap<String, String>,
}

impl Outcome {
    pub fn succeeded(&self) -> bool {
        self.execution.status == "SUCCEEDED"
    }
}

/// Runs a prepared input to its end, printing progress with `print`.
pub async fn rehearse(
    stack: &mut Stack,
    prepared: &Prepared,
    timeout: Duration,
    mut print: impl FnMut(&str),
) -> Result<Outcome, Error> {
    for drill in &prepared.drills {
        if let Some(throttle) = drill.throttle() {
            stack.emulator().set_throttle(throttle);
        }
    }
    let last_before = stack.calls().last().map_or(0, |c| c.seq);
    let published_before = stack.published().await?;
    let started = Instant::now();
    let mut progress = Progress::default();
    let execution = stack
        .run(
            &prepared.execution_name,
            &prepared.input,
            timeout,
            |event| {
                for line in progress.lines(event) {
                    print(&line);
                }
            },
        )
        .await?;
    let duration = started.elapsed();
    let calls = stack.calls();
    let all_mine = calls_of(&calls, &prepared.run_id);
    let mine: Vec<Call> = all_mine
        .iter()
        .filter(|c| c.seq > last_before)
        .cloned()
        .collect();
    let names = all_mine
        .iter()
        .filter(|c| c.is_create())
        .filter_map(|c| Some((c.resource_arn.clone()?, identifier(&c.request)?)))
        .collect();
    let alerts = stack.published_since(&published_before).await?;
    Ok(Outcome {
        execution,
        duration,
        states_entered: progress.states_entered,
        task_failures: progress.task_failures,
        created: mine
            .iter()
            .filter(|c| c.ok() && c.is_create())
            .cloned()
            .collect(),
        deleted: mine
            .iter()
            .filter(|c| c.ok() && c.is_delete())
            .cloned()
            .collect(),
        left: stack.resources_of(&prepared.run_id),
        alerts,
        names,
    })
}

/// The summary printed at the end of a rehearsal.
pub fn summary(prepared: &Prepared, outcome: &Outcome) -> Vec<String> {
    let execution = &outcome.execution;
    let mut out = vec![
        String::new(),
        "== rehearsal summary ==".into(),
        format!(
            "execution  {}: {} in {:.1} s ({} states entered, {} failed invocations)",
            prepared.execution_name,
            execution.status,
            outcome.duration.as_secs_f64(),
            outcome.states_entered,
            outcome.task_failures
        ),
    ];
    if let Some(error) = &execution.error {
        out.push(format!("error      {error}"));
        if let Some(cause) = &execution.cause {
            out.push(format!("cause      {}", cause_message(cause)));
        }
    }
    out.push(format!(
        "created    {}",
        operations(&outcome.created, &outcome.names).unwrap_or_else(|| "nothing".into())
    ));
    out.push(format!(
        "removed    {}",
        operations(&outcome.deleted, &outcome.names).unwrap_or_else(|| "nothing".into())
    ));
    out.push(format!("left       {}", outcome.left.describe()));
    for item in outcome
        .left
        .items
        .iter()
        .filter(|i| i.kind != "connections")
    {
        out.push(format!(
            "             {} {} ({})",
            item.kind, item.id, item.status
        ));
    }
    out.push(format!("alerts     {}", outcome.alerts.len()));
    for alert in &outcome.alerts {
        out.push(format!(
            "             {}: {}",
            alert.topic_arn,
            alert.subject.as_deref().unwrap_or("(no subject)")
        ));
        if let Some(message) = alert.json() {
            for key in ["failed_state", "error", "cause", "cleanup_on_failure"] {
                if let Some(value) = message.get(key).and_then(Value::as_str) {
                    out.push(format!("               {key}: {}", cause_message(value)));
                }
            }
        }
    }
    for drill in &prepared.drills {
        out.push(format!(
            "drill      {}: {}; expected: {}",
            drill.name(),
            drill.describe(),
            prepared.expectation(*drill)
        ));
    }
    out
}

/// `CreateReplicationInstance dmsflow-x-instance, ...`.
fn operations(calls: &[Call], names: &BTreeMap<String, String>) -> Option<String> {
    if calls.is_empty() {
        return None;
    }
    let list: Vec<String> = calls
        .iter()
        .map(|c| {
            let arn = c.resource_arn.as_ref();
            let name = identifier(&c.request)
                .or_else(|| arn.and_then(|a| names.get(a)).cloned())
                .or_else(|| arn.cloned())
                .unwrap_or_default();
            format!("{} {name}", c.operation)
        })
        .collect();
    Some(format!("{}: {}", calls.len(), list.join(", ")))
}

fn identifier(request: &Value) -> Option<String> {
    let object = request.as_object()?;
    object
        .iter()
        .find(|(k, v)| {
            (k.ends_with("Identifier") || k.as_str() == "SubscriptionName") && v.is_string()
        })
        .and_then(|(_, v)| v.as_str().map(str::to_string))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_spec_gets_the_local_topic_and_its_drills() {
        let spec = json!({"run_id": "r1", "notifications": {"sns_topic_arn": "arn:aws:sns:us-east-1:1:real"}});
        let p = prepare(spec, "arn:local", &[Drill::TableError], 5.0).unwrap();
        assert_eq!(p.input["notifications"]["sns_topic_arn"], "arn:local");
        assert_eq!(p.input["tags"]["dms-emulator:table-error"], "orders");
        assert_eq!(p.execution_name, "r1-drill-table-error");
        let plain = prepare(json!({"run_id": "r2"}), "arn:local", &[], 5.0).unwrap();
        assert_eq!(plain.execution_name, "r2");
        assert!(plain.input.get("notifications").is_none());
    }

    #[test]
    fn a_serverless_spec_refuses_the_drills_that_do_not_apply_and_expects_its_own_end() {
        let spec = json!({"run_id": "r1", "compute": "serverless"});
        let Err(refused) = prepare(spec.clone(), "arn:local", &[Drill::SlowInstance], 5.0) else {
            panic!("slow-instance applies to no serverless run");
        };
        assert!(
            refused.to_string().contains("no replication instance"),
            "{refused}"
        );
        let p = prepare(spec, "arn:local", &[Drill::FailConnection], 5.0).unwrap();
        assert!(p.is_serverless());
        assert!(
            p.expectation(Drill::FailConnection)
                .contains("CheckProgress")
        );
    }

    #[test]
    fn a_cleanup_request_is_named_for_the_run_and_takes_no_drills() {
        let request = json!({"action": "cleanup", "run_id": "r1"});
        let p = prepare(request.clone(), "arn:local", &[], 5.0).unwrap();
        assert_eq!(p.execution_name, "r1-teardown");
        assert_eq!(p.input, request);
        assert!(prepare(request, "arn:local", &[Drill::Throttle], 5.0).is_err());
    }
}
