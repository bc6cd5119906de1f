//! A wave's messages: its report (every run's outcome, and whether the wave met
//! its tolerance) and the alert of a wave that could not start its runs.

use serde_json::json;

use super::{Links, Message};
use crate::wave::{RunOutcome, cut};

/// The report of wave `wave_id` and whether it met its tolerance: failed runs (a
/// run that timed out or could not be followed counts as failed) at most
/// `tolerated_failures`. Every run is listed (a wave holds at most 100), a failed
/// one with its error, the start of its cause and its execution.
pub fn wave_report(
    execution_arn: &str,
    wave_id: &str,
    outcomes: &[RunOutcome],
    tolerated_failures: u32,
) -> (Message, bool) {
    let count = |outcome: &str| outcomes.iter().filter(|o| o.outcome == outcome).count();
    let failed = outcomes.iter().filter(|o| o.failed()).count();
    let met = failed <= tolerated_failures as usize;
    let links = Links::new(execution_arn, None, None);
    let lines: Vec<String> = outcomes
        .iter()
        .map(|o| {
            let mut line = format!("- {}: {}", o.run_id, o.outcome);
            if let Some(seconds) = o.duration_seconds {
                line.push_str(&format!(" in {}", duration(seconds)));
            }
            if let Some(error) = &o.error {
                line.push_str(&format!(" ({error}"));
                if let Some(cause) = o.cause.as_deref().filter(|c| !c.is_empty()) {
                    line.push_str(&format!(": {}", cut(cause, CAUSE_IN_REPORT)));
                }
                line.push(')');
            }
            if let Some(arn) = &o.execution_arn
                && o.failed()
            {
                line.push_str(&format!(
                    ", execution {}",
                    Links::new(arn, None, None).execution_name()
                ));
            }
            line
        })
        .collect();
    // The document names each run's outcome and error; the causes are in the text
    // and in each run's own alert (a wave of 100 runs stays far under SNS's 256 KiB).
    let runs: Vec<serde_json::Value> = outcomes
        .iter()
        .map(|o| {
            json!({"run_id": o.run_id, "outcome": o.outcome, "error": o.error,
                   "duration_seconds": o.duration_seconds})
        })
        .collect();
    let verdict = if met {
        format!("met its tolerance ({failed} failed, {tolerated_failures} tolerated)")
    } else {
        format!("did NOT meet its tolerance ({failed} failed, {tolerated_failures} tolerated)")
    };
    let text = format!(
        "Wave {wave_id} ended: {} succeeded, {} skipped (succeeded in an earlier attempt), {failed} failed; it {verdict}.\n\n\
         {}\n\n\
         Each run sent its own alerts; a failed run's alert says what went wrong and what to do. \
         Start the wave again with the same input to retry the failed runs: succeeded runs are skipped.\n\
         Execution: {}",
        count("succeeded"),
        count("skipped"),
        lines.join("\n"),
        links.execution()
    );
    let document = json!({
        "result": if met { "The wave met its tolerance." } else { "The wave did not meet its tolerance." },
        "wave_id": wave_id,
        "met": met,
        "succeeded": count("succeeded"),
        "skipped": count("skipped"),
        "failed": failed,
        "tolerated_failures": tolerated_failures,
        "runs": runs,
        "execution_console": links.execution(),
    });
    let subject = if met {
        format!(
            "dmsflow wave {wave_id}: done, {failed} of {} runs failed",
            outcomes.len()
        )
    } else {
        format!(
            "dmsflow wave {wave_id} FAILED: {failed} of {} runs failed",
            outcomes.len()
        )
    };
    (Message::new(&subject, text, document), met)
}

/// The alert of a wave that ended before its report: its input was refused, or a
/// step failed.
pub fn wave_failure(
    execution_arn: &str,
    wave_id: Option<&str>,
    error: &str,
    cause: &str,
) -> Message {
    let links = Links::new(execution_arn, None, None);
    let wave = wave_id.unwrap_or("(no wave_id)");
    let text = format!(
        "Wave {wave} failed before it could report on its runs: {error}.\n\n{cause}\n\n\
         Runs it had started keep running and send their own alerts. Fix what the error says and start the wave again: \
         succeeded runs are skipped.\nExecution: {}",
        links.execution()
    );
    let document = json!({
        "result": "The wave failed.",
        "wave_id": wave_id,
        "error": error,
        "cause": cause,
        "execution_console": links.execution(),
    });
    Message::new(
        &format!("dmsflow wave {wave} FAILED: {error}"),
        text,
        document,
    )
}

/// The longest cause a report quotes per run.
const CAUSE_IN_REPORT: usize = 120;

fn duration(seconds: u64) -> String {
    match seconds {
        s if s < 120 => format!("{s} s"),
        s if s < 7_200 => format!("{} min", s / 60),
        s => format!("{:.1} h", s as f64 / 3_600.0),
    }
}
