//! The text of every message dmsflow publishes: the failure alert, the success
//! notice, the notice that a success could not be announced, and the safety
//! net's alert for an execution that ended without its own. Plain Rust, no I/O:
//! the notify step publishes what this composes.
//!
//! Each message has a subject (SNS allows at most 100 ASCII characters, no line
//! breaks), a plain text for people (e-mail) and a JSON document for programs
//! (Lambda, SQS, HTTPS subscribers); [`Message::structured`] is the body for
//! SNS's `MessageStructure: json`.

mod advice;
mod cutover;
mod links;
mod wave;

pub use advice::advice;
pub use cutover::{approval_request, cutover_report};
pub use links::Links;
pub use wave::{RUNS_LISTED, wave_failure, wave_report};

use serde_json::{Map, Value, json};

/// One message, in its two forms.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    pub subject: String,
    /// For people: what happened, what to do, where to look.
    pub text: String,
    /// For programs: the same, as fields.
    pub document: Value,
}

/// SNS's limit on a subject (characters).
pub const SUBJECT_LIMIT: usize = 100;

impl Message {
    fn new(subject: &str, text: String, document: Value) -> Message {
        Message {
            subject: subject_line(subject),
            text,
            document,
        }
    }

    /// The body of a `MessageStructure: json` publish: plain text for e-mail
    /// (and as the default for any other protocol), the JSON document for the
    /// protocols programs read. The keys are SNS's protocol names (SNS API
    /// reference, Publish, `MessageStructure`).
    pub fn structured(&self) -> String {
        let document = self.document.to_string();
        let mut body = Map::new();
        body.insert("default".into(), Value::from(self.text.clone()));
        body.insert("email".into(), Value::from(self.text.clone()));
        for protocol in ["email-json", "sqs", "lambda", "http", "https", "firehose"] {
            body.insert(protocol.into(), Value::from(document.clone()));
        }
        Value::Object(body).to_string()
    }

    /// Adds a field to the document and a paragraph to the text.
    pub fn note(&mut self, field: &str, paragraph: &str) {
        if let Some(object) = self.document.as_object_mut() {
            object.insert(field.into(), Value::from(paragraph));
        }
        self.text.push_str("\n\n");
        self.text.push_str(paragraph);
    }
}

/// A subject SNS accepts: printable ASCII on one line, at most [`SUBJECT_LIMIT`]
/// characters (longer ones end in `...`).
pub fn subject_line(subject: &str) -> String {
    let clean: String = subject
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() || c == ' ' {
                c
            } else {
                '?'
            }
        })
        .collect();
    if clean.chars().count() <= SUBJECT_LIMIT {
        return clean;
    }
    let mut cut: String = clean.chars().take(SUBJECT_LIMIT - 3).collect();
    cut.push_str("...");
    cut
}

/// What a failure alert is about.
#[derive(Debug, Clone, PartialEq)]
pub struct FailureFacts<'a> {
    pub execution_arn: &'a str,
    /// The run, once ClaimRun has read its id.
    pub run_id: Option<&'a str>,
    /// Whether the spec was validated (the run's resources may exist).
    pub run_validated: bool,
    /// The execution is a cutover of the run (`{"action": "cutover"}`).
    pub cutover: bool,
    pub failed_state: &'a str,
    pub error: &'a str,
    /// The error's message (the function's, not its JSON envelope).
    pub cause: &'a str,
    /// `cleanup.on_failure`, when a cleanup follows.
    pub cleanup_on_failure: Option<&'a str>,
    /// The run's task and instance names (for links), once known.
    pub task: Option<&'a str>,
    pub instance: Option<&'a str>,
    /// The run is on DMS Serverless (`task` names its replication config).
    pub serverless: bool,
    /// Generation of a long run, and its first execution.
    pub generation: u32,
    pub first_execution_arn: Option<&'a str>,
    /// An earlier failure of this execution, already announced (cleanup after it failed).
    pub earlier: Option<(&'a str, &'a str)>,
}

/// The failure alert.
pub fn failure_alert(facts: &FailureFacts<'_>) -> Message {
    let links =
        Links::new(facts.execution_arn, facts.task, facts.instance).on_serverless(facts.serverless);
    let name = links.execution_name();
    let (subject, result) = match (facts.error, facts.run_id, facts.earlier) {
        ("RunInProgress", _, _) => (
            format!(
                "dmsflow run already in progress: execution failed at {}",
                facts.failed_state
            ),
            "Another execution is driving this run id. This execution stopped before touching \
             anything and cleans nothing up."
                .to_string(),
        ),
        (_, Some(run_id), Some((state, error))) => (
            format!("dmsflow run {run_id} failed at {}", facts.failed_state),
            format!(
                "Cleanup after the earlier failure ({error} at {state}, alerted already) failed too: \
                 the run's resources named below may still exist."
            ),
        ),
        (_, Some(run_id), None) if facts.cutover => (
            format!(
                "dmsflow cutover of run {run_id} failed at {}",
                facts.failed_state
            ),
            "The cutover did not complete. The message says what was found and in which state \
             the replication task was left; dmsflow cleans nothing up after a failed cutover."
                .to_string(),
        ),
        (_, Some(run_id), None) if facts.run_validated => (
            format!("dmsflow run {run_id} failed at {}", facts.failed_state),
            "The migration run failed.".to_string(),
        ),
        _ => (
            format!("dmsflow execution {name} failed at {}", facts.failed_state),
            "The dmsflow execution failed before a migration spec was validated, or while \
             tearing a run down."
                .to_string(),
        ),
    };
    let what_to_do = advice(facts.error);
    let mut document = json!({
        "result": result,
        "failed_state": facts.failed_state,
        "error": facts.error,
        "cause": facts.cause,
        "what_to_do": what_to_do,
        "execution": facts.execution_arn,
        "execution_name": name,
        "execution_console": links.execution(),
    });
    let mut text = format!(
        "{result}\n\nWhat failed: {} at {}.\n{}\n\nWhat to do: {what_to_do}",
        facts.error, facts.failed_state, facts.cause
    );
    let fields = document.as_object_mut().expect("an object");
    if let Some(run_id) = facts.run_id {
        fields.insert("run_id".into(), run_id.into());
        text.push_str(&format!("\n\nRun: {run_id}"));
        if facts.generation > 1 {
            let first = facts.first_execution_arn.unwrap_or_default();
            fields.insert("generation".into(), facts.generation.into());
            fields.insert("first_execution".into(), first.into());
            text.push_str(&format!(
                " (generation {} of a long run; its first execution: {first})",
                facts.generation
            ));
        }
    }
    if let Some(policy) = facts.cleanup_on_failure {
        fields.insert("cleanup_on_failure".into(), policy.into());
        let then = match policy {
            "delete" => "the run's resources are deleted now (the task is stopped first)",
            _ => "the run's resources are kept for inspection; the task is stopped",
        };
        text.push_str(&format!("\nCleanup after this failure ({policy}): {then}."));
    }
    text.push_str(&format!("\nExecution: {}", links.execution()));
    links.add_task_links(fields, &mut text);
    Message::new(&subject, text, document)
}

/// What a success notice is about.
#[derive(Debug, Clone, PartialEq)]
pub struct SuccessFacts<'a> {
    pub execution_arn: &'a str,
    /// The run's normalized spec.
    pub spec: &'a Value,
    pub task: &'a str,
    /// The replication instance; none for a DMS Serverless run (whose log group
    /// is not documented: no log link).
    pub instance: Option<&'a str>,
    /// The run is on DMS Serverless (`task` names its replication config).
    pub serverless: bool,
    /// CheckProgress's last report.
    pub progress: &'a Value,
    /// What earlier steps asked the notice to say (the assessment's warnings).
    pub notes: &'a [String],
}

/// The success notice: what was migrated, what happened to the target tables, how
/// far it got, what happens next and where to look.
pub fn success_notice(facts: &SuccessFacts<'_>) -> Message {
    let spec = facts.spec;
    let text_of = |pointer: &str| spec.pointer(pointer).map_or_else(String::new, plain);
    let run_id = text_of("/run_id");
    let criterion = text_of("/completion/criterion");
    let then = text_of("/completion/then");
    let endpoint = |side: &str| {
        format!(
            "{} database {} on {}:{}",
            text_of(&format!("/{side}/engine")),
            text_of(&format!("/{side}/database")),
            text_of(&format!("/{side}/server")),
            text_of(&format!("/{side}/port"))
        )
    };
    let links = Links::new(facts.execution_arn, Some(facts.task), facts.instance)
        .on_serverless(facts.serverless);
    let next = match then.as_str() {
        "stop-and-clean-up" => {
            "The task is stopped now and cleanup.on_success applies; a cleanup failure would be alerted."
        }
        _ => "Replication keeps running (leave-running) until you cut over and tear the run down.",
    };
    let summary = facts
        .progress
        .get("summary")
        .cloned()
        .unwrap_or(Value::Null);
    let mut document = json!({
        "result": "The migration reached its completion criterion.",
        "run_id": run_id,
        "migration_type": text_of("/migration_type"),
        "source": endpoint("source"),
        "target": endpoint("target"),
        "completion_criterion": criterion,
        "then": then,
        "next": next,
        "target_tables": facts.progress.get("target_tables").cloned().unwrap_or(Value::Null),
        "progress": facts.progress,
        "execution_console": links.execution(),
    });
    let also: String = facts.notes.iter().map(|n| format!("\n- {n}")).collect();
    if !facts.notes.is_empty() {
        document["notes"] = json!(facts.notes);
    }
    let also = if also.is_empty() {
        also
    } else {
        format!("\n\nAlso:{also}")
    };
    let mut text = format!(
        "The migration of run {run_id} reached its completion criterion ({criterion}).\n\n\
         From: {}\nTo: {}\nProgress: {}{also}\n\nNext: {next}\nExecution: {}",
        endpoint("source"),
        endpoint("target"),
        progress_line(&summary),
        links.execution()
    );
    links.add_task_links(document.as_object_mut().expect("an object"), &mut text);
    Message::new(
        &format!("dmsflow run {run_id} complete ({criterion})"),
        text,
        document,
    )
}

/// One line of a progress summary for people.
fn progress_line(summary: &Value) -> String {
    let number = |key: &str| summary.get(key).and_then(Value::as_f64).unwrap_or(0.0);
    let mut line = format!(
        "full load {}%, {} tables loaded, {} in error, {} validation failures",
        number("full_load_percent"),
        number("tables_loaded"),
        number("tables_errored"),
        number("validation_failed_records")
    );
    if let Some(latency) = summary
        .get("cdc_latency_target_seconds")
        .and_then(Value::as_f64)
    {
        line.push_str(&format!(", CDC latency {latency} s"));
    }
    line
}

/// The notice to the stack's topic that a run completed but its own topic could
/// not take the success notice.
pub fn undelivered_notice(
    execution_arn: &str,
    run_id: &str,
    then: &str,
    task: &str,
    cause: &str,
) -> Message {
    let links = Links::new(execution_arn, Some(task), None);
    let document = json!({
        "result": "The migration reached its completion criterion, but its success notice could not be published to the topic of the run.",
        "run_id": run_id,
        "then": then,
        "error": "NotificationFailed",
        "cause": cause,
        "what_to_do": advice("NotificationFailed"),
        "replication_task": task,
        "execution": execution_arn,
        "execution_console": links.execution(),
    });
    let text = format!(
        "The migration of run {run_id} reached its completion criterion and completion.then ({then}) \
         is applied, but its success notice could not be published to the topic of the run.\n\n{cause}\n\n\
         What to do: {}\nExecution: {}",
        advice("NotificationFailed"),
        links.execution()
    );
    Message::new(
        &format!("dmsflow run {run_id} complete, but its notice was not delivered"),
        text,
        document,
    )
}

/// What the safety net knows of an execution that ended without its own alert.
#[derive(Debug, Clone, PartialEq)]
pub struct EndedFacts<'a> {
    pub execution_arn: &'a str,
    /// FAILED, TIMED_OUT or ABORTED.
    pub status: &'a str,
    pub error: Option<&'a str>,
    pub cause: Option<&'a str>,
    /// The run the execution's input names, if any.
    pub run_id: Option<&'a str>,
    /// The last state the execution entered, if known.
    pub last_state: Option<&'a str>,
}

/// The safety net's alert.
pub fn ended_without_alert(facts: &EndedFacts<'_>) -> Message {
    let links = Links::new(facts.execution_arn, None, None);
    let name = links.execution_name();
    let how = match facts.status {
        "ABORTED" => "was stopped (aborted) from outside".to_string(),
        "TIMED_OUT" => "timed out".to_string(),
        _ => format!(
            "failed with {} outside dmsflow's own failure path (a runtime error, the history limit, or a step that could not report)",
            facts.error.unwrap_or("an error")
        ),
    };
    let where_ = facts
        .last_state
        .map(|s| format!(" in state {s}"))
        .unwrap_or_default();
    let run = facts
        .run_id
        .map(|r| format!("run {r}"))
        .unwrap_or_else(|| "an input that names no run".to_string());
    let what_to_do = match facts.run_id {
        Some(run_id) => format!(
            "Nothing alerted or cleaned up after this. The run's resources may still exist and its \
             task may still be running: look at the execution's events, then start the run again \
             with the same input (it picks up what exists), or tear it down with \
             {{\"action\": \"cleanup\", \"run_id\": \"{run_id}\"}}."
        ),
        None => "Look at the execution's events in the console.".to_string(),
    };
    let document = json!({
        "result": format!("The execution {how}{where_}, without its own alert."),
        "status": facts.status,
        "error": facts.error,
        "cause": facts.cause,
        "run_id": facts.run_id,
        "last_state": facts.last_state,
        "what_to_do": what_to_do,
        "execution": facts.execution_arn,
        "execution_name": name,
        "execution_console": links.execution(),
    });
    let mut text =
        format!("The dmsflow execution {name} ({run}) {how}{where_}, without its own alert.");
    if let Some(error) = facts.error {
        text.push_str(&format!("\n\nError: {error}"));
    }
    if let Some(cause) = facts.cause {
        text.push_str(&format!("\nCause: {cause}"));
    }
    text.push_str(&format!(
        "\n\nWhat to do: {what_to_do}\nExecution: {}",
        links.execution()
    ));
    Message::new(
        &format!(
            "dmsflow execution {name} {}",
            facts.status.to_lowercase().replace('_', " ")
        ),
        text,
        document,
    )
}

/// A JSON value as text: strings without quotes.
fn plain(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests;
