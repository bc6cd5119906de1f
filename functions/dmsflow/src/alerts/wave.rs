//! A wave's messages: its report (every run's outcome, and whether the wave met
//! its tolerance) and the alert of a wave that could not start its runs.

use serde_json::json;

use super::{Links, Message};
use crate::wave::{CAUSE_QUOTED, RunOutcome, cut};

/// The report of wave `wave_id` and whether it met its tolerance: failed runs (a
/// run that timed out or could not be followed counts as failed) at most
/// `tolerated_failures`. The first [`RUNS_LISTED`] runs are listed, failed ones
/// first, a failed one with its error, the start of its cause and its execution;
/// the others are counted (SNS takes 256 KiB, and the document goes out in six
/// copies, one per protocol).
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
    let mut listed: Vec<&RunOutcome> = outcomes.iter().filter(|o| o.failed()).collect();
    listed.extend(outcomes.iter().filter(|o| !o.failed()));
    listed.truncate(RUNS_LISTED);
    let mut lines: Vec<String> = listed
        .iter()
        .map(|o| {
            let mut line = format!("- {}: {}", o.run_id, o.outcome);
            if let Some(seconds) = o.duration_seconds {
                line.push_str(&format!(" in {}", duration(seconds)));
            }
            if let Some(error) = &o.error {
                line.push_str(&format!(" ({error}"));
                if let Some(cause) = o.cause.as_deref().filter(|c| !c.is_empty()) {
                    line.push_str(&format!(": {}", cut(cause, CAUSE_QUOTED)));
                }
                line.push(')');
            }
            if let Some(execution) = &o.execution
                && o.failed()
            {
                line.push_str(&format!(", execution {execution}"));
            }
            line
        })
        .collect();
    let unlisted = outcomes.len() - listed.len();
    if unlisted > 0 {
        lines.push(format!(
            "- and {unlisted} more run(s), {} of them failed: ReportWave's input in the wave's execution lists every run",
            failed.saturating_sub(listed.iter().filter(|o| o.failed()).count())
        ));
    }
    // The document names each listed run's outcome and error; the causes are in
    // the text and in each run's own alert.
    let runs: Vec<serde_json::Value> = listed
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
        "runs_not_listed": unlisted,
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
    // The message goes out in eight copies (text twice, the document six times):
    // 20,000 bytes of cause keep it far under SNS's 256 KiB.
    let cause = &cut(cause, CAUSE_IN_ALERT);
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

/// The most bytes of cause a wave's failure alert quotes.
const CAUSE_IN_ALERT: usize = 20_000;

/// The most runs a report lists.
pub const RUNS_LISTED: usize = 50;

fn duration(seconds: u64) -> String {
    match seconds {
        s if s < 120 => format!("{s} s"),
        s if s < 7_200 => format!("{} min", s / 60),
        s => format!("{:.1} h", s as f64 / 3_600.0),
    }
}
