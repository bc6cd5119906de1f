//! The cutover report: the success notice of a cutover.

use serde_json::{Value, json};

use super::{Links, Message};
use crate::cutover::{AfterCutover, CutoverRecord};

/// The report of a verified cutover: how the drain went, when and why the task
/// stopped, every table's final figures (the first ones by name, totals for all),
/// and what happens to the run's resources now.
pub fn cutover_report(execution_arn: &str, task: &str, record: &CutoverRecord) -> Message {
    let run_id = &record.request.run_id;
    let links = Links::new(execution_arn, Some(task), None);
    let drain = record
        .drained
        .as_ref()
        .map_or_else(|| "not recorded".to_string(), |d| d.figures());
    let drain_seconds = record.drain_seconds.unwrap_or_default();
    let tables = record.tables.clone().unwrap_or(Value::Null);
    let count = |key: &str| tables.get(key).and_then(Value::as_i64).unwrap_or(0);
    let next = match record.request.then {
        AfterCutover::Delete => {
            "The run's DMS resources, event subscription and alarms are deleted now (then: delete); a cleanup failure would be alerted."
        }
        AfterCutover::Keep => {
            "The run's DMS resources are kept, the task stopped (then: keep); tear the run down with {\"action\": \"cleanup\"} when you no longer need them."
        }
    };
    let listed: String = tables
        .get("tables")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|t| {
            format!(
                "\n- {}: {} rows loaded, {} inserts, {} updates, {} deletes applied; validation {}",
                t["table"].as_str().unwrap_or_default(),
                t["full_load_rows"],
                t["inserts"],
                t["updates"],
                t["deletes"],
                t["validation"].as_str().unwrap_or_default()
            )
        })
        .collect();
    let unlisted = count("count") - count("listed");
    let unlisted = if unlisted > 0 {
        format!("\n- and {unlisted} more (the totals count them)")
    } else {
        String::new()
    };
    let mut text = format!(
        "The cutover of run {run_id} is verified: the source's changes are all applied and the target is complete.\n\n\
         Drained in {drain_seconds} s: {drain}.\n\
         Stopped: {} ({}).\n\
         Tables: {} complete; {} rows loaded, {} inserts, {} updates, {} deletes applied in CDC.{listed}{unlisted}\n\n\
         Next: switch the application to the target. {next}\nExecution: {}",
        record.stopped_at.as_deref().unwrap_or("unknown"),
        record
            .stop_reason
            .as_deref()
            .unwrap_or("DMS gave no stop reason"),
        count("count"),
        count("full_load_rows"),
        count("inserts"),
        count("updates"),
        count("deletes"),
        links.execution()
    );
    let mut document = json!({
        "result": "The cutover is verified.",
        "run_id": run_id,
        "cutover": record,
        "then": record.request.then,
        "next": next,
        "replication_task": task,
        "execution_console": links.execution(),
    });
    links.add_task_links(document.as_object_mut().expect("an object"), &mut text);
    Message::new(
        &format!("dmsflow run {run_id} cut over and verified"),
        text,
        document,
    )
}
