//! `dmsflow status`: the stack's runs in progress, one line each: the run, what
//! its execution does (migrate, teardown, cutover, a hand-over's resume), the
//! state it is in, since when, and the execution.

use std::io::Write;
use std::time::{Duration, UNIX_EPOCH};

use dmsflow::aws::History;
use dmsflow::election;
use dmsflow::steps::claim_run;
use serde_json::Value;

use crate::stack::Stack;
use crate::{OK, Outcome, StackArgs, TROUBLE};

/// `dmsflow status`; see the module documentation.
pub async fn status(stack_args: &StackArgs, out: &mut dyn Write) -> Outcome {
    let Stack { sfn, machine } = Stack::connect(stack_args).await?;
    let machine = machine.as_str();
    let mut running = claim_run::running_contenders(&sfn, machine, None)
        .await
        .map_err(|e| (TROUBLE, e.message))?;
    running.sort_by_key(|c| c.started_ms);
    let mut rows = vec![[
        "RUN".to_string(),
        "DOING".into(),
        "STATE".into(),
        "SINCE".into(),
        "EXECUTION".into(),
    ]];
    for contender in &running {
        let state = sfn
            .last_state_entered(&contender.execution_arn)
            .await
            .map_err(|f| {
                (
                    TROUBLE,
                    f.into_step_error(&format!(
                        "reading the history of {}",
                        contender.execution_arn
                    ))
                    .message,
                )
            })?
            .unwrap_or_else(|| "(starting)".into());
        let since = u64::try_from(contender.started_ms).map_or_else(
            |_| "?".to_string(),
            |ms| {
                humantime::format_rfc3339_seconds(UNIX_EPOCH + Duration::from_millis(ms))
                    .to_string()
            },
        );
        rows.push([
            election::run_id_of(&contender.input)
                .unwrap_or("(none)")
                .to_string(),
            doing(&contender.input).to_string(),
            state,
            since,
            contender
                .execution_arn
                .rsplit(':')
                .next()
                .unwrap_or_default()
                .to_string(),
        ]);
    }
    let text = if running.is_empty() {
        format!("no run in progress on {machine}\n")
    } else {
        table(&rows)
    };
    out.write_all(text.as_bytes())
        .map_err(|e| (TROUBLE, format!("cannot write the output: {e}")))?;
    Ok(OK)
}

/// What an execution's input asks.
fn doing(input: &Value) -> &'static str {
    match input.get("action").and_then(Value::as_str) {
        Some("cleanup") => "teardown",
        Some("cutover") => "cutover",
        // An action dmsflow does not know: ClaimRun refuses it.
        Some(_) => "refused",
        None if input.get("resume").is_some() => "resume",
        None => "migrate",
    }
}

/// The rows as columns padded to their widest cell.
fn table(rows: &[[String; 5]]) -> String {
    let widths: Vec<usize> = (0..5)
        .map(|i| rows.iter().map(|r| r[i].len()).max().unwrap_or(0))
        .collect();
    rows.iter()
        .map(|row| {
            let cells: Vec<String> = row
                .iter()
                .zip(&widths)
                .map(|(cell, width)| format!("{cell:width$}"))
                .collect();
            format!("{}\n", cells.join("  ").trim_end())
        })
        .collect()
}
