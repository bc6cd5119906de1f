//! `dmsflow watch RUN_ID`: follows a run live with the view `tools/rehearse`
//! prints ([`dmsflow::execution_view`]): each state entered, what each step did
//! (DMS statuses, full-load progress with the time left, CDC latency,
//! validation), each failure; and the links to the execution and the run's
//! dashboard.
//! A run that hands over to its next execution (`<name>-gen-<n>`) is followed
//! there without losing its place. At the end: the outcome, and the exit code 0
//! (succeeded) or 1 (failed, timed out, aborted).

use std::io::Write;
use std::time::Duration;

use aws_sdk_sfn::types::HistoryEvent;
use dmsflow::aws::Executions;
use dmsflow::dashboard;
use dmsflow::election;
use dmsflow::execution_view::{Event, Progress, detail_text};
use dmsflow::naming::Names;
use dmsflow::steps::claim_run;
use dmsflow::steps::continue_in_new_execution::successor_name;
use dmsflow::steps::notify::cause_message;
use dmsflow::workflow::execution_arn;
use serde_json::{Value, json};

use crate::stack::Stack;
use crate::{OK, Outcome, REFUSED, StackArgs, TROUBLE};

/// Executions (newest first) a watch looks through for a run that is not running.
const LOOK_BACK: i32 = 100;

/// `dmsflow watch`; see the module documentation.
pub async fn watch(
    run_id: &str,
    interval: Duration,
    stack_args: &StackArgs,
    out: &mut dyn Write,
) -> Outcome {
    let Stack { sfn, machine, .. } = Stack::connect(stack_args).await?;
    let machine = machine.as_str();
    let mut arn = find(&sfn, machine, run_id).await?;
    let first_name = arn.rsplit(':').next().unwrap_or_default().to_string();
    let mut generation = 1;
    let mut progress = Progress::default();
    print(
        out,
        &format!("watching run {run_id}: execution {first_name}"),
    )?;
    if let Some(link) = election::console_link(&arn) {
        print(out, &format!("  console    {link}"))?;
    }
    if let Some(region) = arn.split(':').nth(3) {
        let name = Names::for_run(run_id).dashboard;
        let link = dashboard::console_url(region, &name);
        print(
            out,
            &format!("  dashboard  {link} (once the run's resources exist)"),
        )?;
    }
    let mut seen = 0;
    loop {
        let events = history(&sfn, &arn).await?;
        let fresh: Vec<&Event> = events.iter().filter(|e| e.id > seen).collect();
        for event in fresh {
            for line in progress.lines(event) {
                print(out, &line)?;
            }
            seen = event.id;
        }
        let Some(end) = events.iter().rev().find(|e| is_end(e)) else {
            tokio::time::sleep(interval).await;
            continue;
        };
        if end.kind == "ExecutionSucceeded" {
            let next = successor_name(&first_name, generation + 1);
            let next_arn = execution_arn(machine, &next);
            if sfn.describe(&next_arn).await.is_ok() {
                print(out, &format!("handed over to execution {next}"))?;
                generation += 1;
                arn = next_arn;
                seen = 0;
                continue;
            }
            print(out, &format!("run {run_id} SUCCEEDED"))?;
            return Ok(OK);
        }
        let error = detail_text(&end.details, "error");
        let cause = cause_message(&detail_text(&end.details, "cause"));
        let status = end.kind.trim_start_matches("Execution").to_uppercase();
        print(
            out,
            format!("run {run_id} {status}: {error}\n{cause}").trim_end_matches([':', ' ', '\n']),
        )?;
        return Ok(REFUSED);
    }
}

/// The execution of run `run_id`: the running one that drives it (the oldest),
/// else the newest of the last [`LOOK_BACK`] executions whose input names it.
async fn find(
    sfn: &aws_sdk_sfn::Client,
    machine: &str,
    run_id: &str,
) -> Result<String, (u8, String)> {
    let running = claim_run::running_contenders(sfn, machine, None)
        .await
        .map_err(|e| (TROUBLE, e.message))?;
    if let Some(driver) = running
        .iter()
        .filter(|c| election::run_id_of(&c.input) == Some(run_id))
        .min_by_key(|c| c.started_ms)
    {
        return Ok(driver.execution_arn.clone());
    }
    let listed = sfn
        .list_executions()
        .state_machine_arn(machine)
        .max_results(LOOK_BACK)
        .send()
        .await
        .map_err(|e| (TROUBLE, format!("listing the executions of {machine}: {e}")))?;
    for execution in listed.executions() {
        let described = sfn.describe(execution.execution_arn()).await.map_err(|f| {
            (
                TROUBLE,
                f.into_step_error("reading an execution's input").message,
            )
        })?;
        let input: Value = described
            .input
            .as_deref()
            .and_then(|text| serde_json::from_str(text).ok())
            .unwrap_or(Value::Null);
        if election::run_id_of(&input) == Some(run_id) {
            return Ok(described.execution_arn);
        }
    }
    Err((
        REFUSED,
        format!(
            "no execution of run {run_id} among the last {LOOK_BACK} of {machine}: check the run id, or start it with dmsflow start"
        ),
    ))
}

/// Every event of the execution, oldest first.
async fn history(sfn: &aws_sdk_sfn::Client, arn: &str) -> Result<Vec<Event>, (u8, String)> {
    let mut events = Vec::new();
    let mut token = None;
    loop {
        let page = sfn
            .get_execution_history()
            .execution_arn(arn)
            .max_results(1_000)
            .set_next_token(token)
            .send()
            .await
            .map_err(|e| (TROUBLE, format!("reading the history of {arn}: {e}")))?;
        events.extend(page.events().iter().map(event));
        token = page.next_token().map(str::to_string);
        if token.is_none() {
            return Ok(events);
        }
    }
}

/// The SDK's event as the view reads it: its type, and the details it shows.
fn event(e: &HistoryEvent) -> Event {
    let failure =
        |error: Option<&str>, cause: Option<&str>| json!({"error": error, "cause": cause});
    let details = if let Some(d) = e.state_entered_event_details() {
        json!({"name": d.name()})
    } else if let Some(d) = e.task_succeeded_event_details() {
        json!({"output": d.output()})
    } else if let Some(d) = e.lambda_function_succeeded_event_details() {
        json!({"output": d.output()})
    } else if let Some(d) = e.task_failed_event_details() {
        failure(d.error(), d.cause())
    } else if let Some(d) = e.lambda_function_failed_event_details() {
        failure(d.error(), d.cause())
    } else if let Some(d) = e.execution_failed_event_details() {
        failure(d.error(), d.cause())
    } else if let Some(d) = e.execution_timed_out_event_details() {
        failure(d.error(), d.cause())
    } else if let Some(d) = e.execution_aborted_event_details() {
        failure(d.error(), d.cause())
    } else {
        Value::Null
    };
    Event {
        id: u64::try_from(e.id()).unwrap_or(0),
        kind: e.r#type().as_str().to_string(),
        timestamp: e.timestamp().as_secs_f64(),
        details,
    }
}

fn is_end(event: &Event) -> bool {
    matches!(
        event.kind.as_str(),
        "ExecutionSucceeded" | "ExecutionFailed" | "ExecutionTimedOut" | "ExecutionAborted"
    )
}

fn print(out: &mut dyn Write, line: &str) -> Result<(), (u8, String)> {
    writeln!(out, "{line}").map_err(|e| (TROUBLE, format!("cannot write the output: {e}")))?;
    out.flush()
        .map_err(|e| (TROUBLE, format!("cannot write the output: {e}")))
}
