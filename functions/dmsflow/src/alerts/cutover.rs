//! The cutover report: the success notice of a cutover.

use serde_json::{Value, json};

use super::{Links, Message};
use crate::cutover::{AfterCutover, CutoverRecord};

/// The approval request of a drained cutover: the figures, and the two commands
/// that answer it (Step Functions' SendTaskSuccess and SendTaskFailure with the
/// task token of the waiting AwaitApproval state).
pub fn approval_request(
    execution_arn: &str,
    task: &str,
    record: &CutoverRecord,
    token: &str,
) -> Message {
    let run_id = &record.request.run_id;
    let links = Links::new(execution_arn, Some(task), None);
    let drain = drained(record);
    let approve = format!(
        "aws stepfunctions send-task-success --task-token '{token}' --task-output '{{\"approved_by\": \"<your name>\"}}'"
    );
    let reject = format!(
        "aws stepfunctions send-task-failure --task-token '{token}' --error CutoverRejected --cause '<why>'"
    );
    let minutes = record.request.approval_timeout_minutes;
    let mut text = format!(
        "Run {run_id} has drained and waits for your approval to stop replication and cut over.\n\n\
         Drained: {drain}.\n\
         Keep the source's writes stopped until the cutover report arrives.\n\n\
         Approve (stops the task, verifies the target, then applies then: {}):\n  {approve}\n\n\
         Reject (replication keeps running, nothing is stopped):\n  {reject}\n\n\
         Without an answer within {minutes} minutes the cutover ends and replication keeps running.\n\
         Execution: {}",
        serde_json::to_value(record.request.then)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default(),
        links.execution()
    );
    let mut document = json!({
        "result": "The cutover waits for approval.",
        "run_id": run_id,
        "drained": record.drained,
        "task_token": token,
        "approve_command": approve,
        "reject_command": reject,
        "approval_timeout_minutes": minutes,
        "execution_console": links.execution(),
    });
    links.add_task_links(document.as_object_mut().expect("an object"), &mut text);
    Message::new(
        &format!("dmsflow run {run_id} drained: approve the cutover"),
        text,
        document,
    )
}

/// The report of a verified cutover: how the drain went, when and why the task
/// stopped, every table's final figures (the first ones by name, totals for all),
/// and what happens to the run's resources now.
pub fn cutover_report(execution_arn: &str, task: &str, record: &CutoverRecord) -> Message {
    let run_id = &record.request.run_id;
    let links = Links::new(execution_arn, Some(task), None);
    let drain = drained(record);
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
    let approved = record
        .approval
        .as_ref()
        .map(|a| format!("Approved: {a}.\n"))
        .unwrap_or_default();
    let mut text = format!(
        "The cutover of run {run_id} is verified: the source's changes are all applied and the target is complete.\n\n\
         Drained in {drain_seconds} s: {drain}.\n\
         {approved}Stopped: {} ({}).\n\
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

/// The drain's last figures, in words.
fn drained(record: &CutoverRecord) -> String {
    record
        .drained
        .as_ref()
        .map_or_else(|| "not recorded".to_string(), |d| d.figures())
}
