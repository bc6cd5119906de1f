//! `dmsflow status`: the stack's runs in progress, one line each: the run, what
//! its execution does (migrate, teardown, cutover, a hand-over's resume), the
//! state it is in, since when, its CDC latency at the last progress check, its
//! last alert (the newest of its alarms in ALARM: what pages people while a run
//! goes on; failures end the execution, and a run whose execution ended is no
//! longer in progress), and the execution.

use std::io::Write;
use std::time::{Duration, UNIX_EPOCH};

use aws_sdk_cloudwatch::types::StateValue;
use aws_sdk_sfn::types::HistoryEventType;
use dmsflow::aws::History;
use dmsflow::election;
use dmsflow::naming::Names;
use dmsflow::steps::claim_run;
use serde_json::Value;

use crate::stack::Stack;
use crate::{OK, Outcome, StackArgs, TROUBLE};

/// `dmsflow status`; see the module documentation.
pub async fn status(stack_args: &StackArgs, out: &mut dyn Write) -> Outcome {
    let Stack {
        sfn,
        cloudwatch,
        machine,
    } = Stack::connect(stack_args).await?;
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
        "LATENCY".into(),
        "LAST ALERT".into(),
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
        let since = u64::try_from(contender.started_ms)
            .map_or_else(|_| "?".to_string(), |ms| utc(ms as f64 / 1000.0));
        let run_id = election::run_id_of(&contender.input).unwrap_or("(none)");
        let latency = latest_latency(&sfn, &contender.execution_arn)
            .await?
            .map_or_else(|| "-".to_string(), |s| format!("{s:.0} s"));
        rows.push([
            run_id.to_string(),
            doing(&contender.input).to_string(),
            state,
            since,
            latency,
            last_alert(&cloudwatch, run_id).await?,
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

/// An instant as `2026-12-06T13:02:11Z`.
fn utc(epoch_seconds: f64) -> String {
    humantime::format_rfc3339_seconds(UNIX_EPOCH + Duration::from_secs_f64(epoch_seconds.max(0.0)))
        .to_string()
}

/// Events of the execution's history read, newest first, for its latency.
const RECENT_EVENTS: i32 = 200;

/// The CDC latency (the larger of source and target, seconds) of the newest
/// CheckProgress report among the execution's last [`RECENT_EVENTS`] events.
async fn latest_latency(sfn: &aws_sdk_sfn::Client, arn: &str) -> Result<Option<f64>, (u8, String)> {
    let page = sfn
        .get_execution_history()
        .execution_arn(arn)
        .reverse_order(true)
        .max_results(RECENT_EVENTS)
        .send()
        .await
        .map_err(|e| (TROUBLE, format!("reading the history of {arn}: {e}")))?;
    Ok(page
        .events()
        .iter()
        .filter(|e| {
            matches!(
                e.r#type(),
                HistoryEventType::TaskSucceeded | HistoryEventType::LambdaFunctionSucceeded
            )
        })
        .filter_map(|e| {
            e.task_succeeded_event_details()
                .and_then(|d| d.output())
                .or_else(|| e.lambda_function_succeeded_event_details()?.output())
        })
        .find_map(report_latency))
}

/// The CDC latency a step's answer reports, when it is a CheckProgress report
/// that has one.
fn report_latency(output: &str) -> Option<f64> {
    let output: Value = serde_json::from_str(output).ok()?;
    let state = output.get("Payload").unwrap_or(&output);
    if state.pointer("/step/name").and_then(Value::as_str) != Some("CheckProgress") {
        return None;
    }
    let summary = state.pointer("/step/report/summary")?;
    ["cdc_latency_source_seconds", "cdc_latency_target_seconds"]
        .iter()
        .filter_map(|k| summary.get(*k).and_then(Value::as_f64))
        .reduce(f64::max)
}

/// The newest of the run's alarms in ALARM, as `<alarm> since <time>`; `-` when
/// none is.
async fn last_alert(
    cloudwatch: &aws_sdk_cloudwatch::Client,
    run_id: &str,
) -> Result<String, (u8, String)> {
    let answer = cloudwatch
        .describe_alarms()
        .alarm_name_prefix(Names::prefix(run_id))
        .state_value(StateValue::Alarm)
        .send()
        .await
        .map_err(|e| (TROUBLE, format!("reading the alarms of run {run_id}: {e}")))?;
    let firing: Vec<(String, f64)> = answer
        .metric_alarms()
        .iter()
        .filter_map(|a| {
            let since = a.state_updated_timestamp().map_or(0.0, |t| t.as_secs_f64());
            Some((a.alarm_name()?.to_string(), since))
        })
        .collect();
    Ok(newest_alarm(&Names::for_run(run_id), &firing))
}

/// Of `firing` (alarm, since when), the newest of the run's own alarms (the
/// prefix also matches a run whose id extends this one's).
fn newest_alarm(names: &Names, firing: &[(String, f64)]) -> String {
    firing
        .iter()
        .filter(|(name, _)| names.alarms.contains(name))
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map_or_else(
            || "-".to_string(),
            |(name, since)| format!("{name} since {}", utc(*since)),
        )
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
fn table(rows: &[[String; 7]]) -> String {
    let widths: Vec<usize> = (0..7)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_latency_is_the_newest_check_progress_report_s_larger_one() {
        let report = |name: &str, summary: Value| {
            serde_json::json!({"Payload": {"step": {"name": name, "report": {"summary": summary}}}})
                .to_string()
        };
        let both = serde_json::json!({"cdc_latency_source_seconds": 4.0, "cdc_latency_target_seconds": 9.5});
        assert_eq!(
            report_latency(&report("CheckProgress", both.clone())),
            Some(9.5)
        );
        assert_eq!(report_latency(&report("CutOver", both)), None);
        let full_load = serde_json::json!({"full_load_percent": 40});
        assert_eq!(report_latency(&report("CheckProgress", full_load)), None);
        assert_eq!(report_latency("not json"), None);
    }

    #[test]
    fn the_last_alert_is_the_run_s_newest_alarm_in_alarm() {
        let names = Names::for_run("orders");
        assert_eq!(newest_alarm(&names, &[]), "-");
        let firing = [
            ("dmsflow-orders-tables-errored".to_string(), 1_780_000_000.0),
            (
                "dmsflow-orders-cdc-latency-target".to_string(),
                1_780_000_600.0,
            ),
            // Run orders-2's, newer still: not this run's.
            (
                "dmsflow-orders-2-tables-errored".to_string(),
                1_780_001_000.0,
            ),
        ];
        assert_eq!(
            newest_alarm(&names, &firing),
            "dmsflow-orders-cdc-latency-target since 2026-05-28T20:36:40Z"
        );
    }
}
