//! `dmsflow-local rehearse [EVENTS_FILE] [--drill NAME]... [--keep-stack] ...`:
//! starts the local stack, runs one events file through the real state machine
//! with progress and a summary, and stops everything (also on Ctrl-C). Run it
//! through `tools/rehearse`, which installs the tools and builds first.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use dmsflow_local::drills::Drill;
use dmsflow_local::rehearsal::{self, Prepared};
use dmsflow_local::{Error, Stack, StackOptions};

const USAGE: &str = "usage: dmsflow-local rehearse [EVENTS_FILE] [--drill NAME]... [--then-cutover] [--keep-stack] \
[--time-scale N] [--speed N] [--timeout SECONDS] [--root DIR] [--no-build]
(see tools/rehearse --help)";

const DEFAULT_EVENTS: &str = "events/mysql-full-load-and-cdc.json";

struct Args {
    events: Option<PathBuf>,
    drills: Vec<Drill>,
    then_cutover: bool,
    keep_stack: bool,
    timeout: Duration,
    options: StackOptions,
}

fn parse(mut args: impl Iterator<Item = String>) -> Result<Args, Error> {
    match args.next().as_deref() {
        Some("rehearse") => {}
        Some("-h" | "--help") | None => return Err(Error::new(USAGE)),
        Some(other) => return Err(Error::new(format!("unknown command {other}\n{USAGE}"))),
    }
    let mut parsed = Args {
        events: None,
        drills: Vec::new(),
        then_cutover: false,
        keep_stack: false,
        timeout: Duration::from_secs(600),
        options: StackOptions::default(),
    };
    let number = |value: Option<String>, flag: &str| -> Result<f64, Error> {
        value
            .and_then(|v| v.parse::<f64>().ok())
            .filter(|n| n.is_finite() && *n > 0.0)
            .ok_or_else(|| Error::new(format!("{flag} needs a positive number")))
    };
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--drill" => {
                let name = args
                    .next()
                    .ok_or_else(|| Error::new("--drill needs a name"))?;
                parsed.drills.push(Drill::parse(&name)?);
            }
            "--keep-stack" => parsed.keep_stack = true,
            "--then-cutover" => parsed.then_cutover = true,
            "--no-build" => parsed.options.build = false,
            "--time-scale" => parsed.options.time_scale = number(args.next(), &arg)?,
            "--speed" => parsed.options.speed = number(args.next(), &arg)?,
            "--timeout" => {
                parsed.timeout = Duration::from_secs_f64(number(args.next(), &arg)?);
            }
            "--root" => {
                parsed.options.root = PathBuf::from(
                    args.next()
                        .ok_or_else(|| Error::new("--root needs a path"))?,
                );
            }
            "-h" | "--help" => return Err(Error::new(USAGE)),
            flag if flag.starts_with('-') => {
                return Err(Error::new(format!("unknown option {flag}\n{USAGE}")));
            }
            path if parsed.events.is_none() => parsed.events = Some(PathBuf::from(path)),
            extra => return Err(Error::new(format!("unexpected argument {extra}\n{USAGE}"))),
        }
    }
    Ok(parsed)
}

fn main() -> ExitCode {
    let args = match parse(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("cannot start the async runtime: {e}");
            return ExitCode::from(2);
        }
    };
    runtime.block_on(async {
        tokio::select! {
            code = run(args) => code,
            signal = interrupted() => {
                eprintln!("\n{signal}: stopping the local stack");
                ExitCode::from(130)
            }
        }
    })
}

/// Ctrl-C or SIGTERM. Returning drops the running rehearsal, and with it the stack.
async fn interrupted() -> &'static str {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate()).ok();
    let mut hangup = signal(SignalKind::hangup()).ok();
    tokio::select! {
        _ = tokio::signal::ctrl_c() => "interrupted",
        Some(_) = async { term.as_mut()?.recv().await } => "terminated",
        Some(_) = async { hangup.as_mut()?.recv().await } => "hung up",
    }
}

async fn run(args: Args) -> ExitCode {
    match rehearse(args).await {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("rehearse: {e}");
            ExitCode::from(2)
        }
    }
}

/// The template's bucket of wave manifests.
const WAVE_BUCKET: &str = "WaveBucket";

async fn rehearse(args: Args) -> Result<bool, Error> {
    let root = args.options.root.clone();
    let events = args
        .events
        .clone()
        .unwrap_or_else(|| root.join(DEFAULT_EVENTS));
    let text = std::fs::read_to_string(&events)
        .map_err(|e| Error::new(format!("cannot read {}: {e}", events.display())))?;
    let input: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| Error::new(format!("{} is not JSON: {e}", events.display())))?;

    println!(
        "starting the local stack (moto Step Functions + SNS, cargo-lambda, DMS emulator at speed {}, waits compressed {}x)",
        args.options.speed, args.options.time_scale
    );
    let speed = args.options.speed;
    let mut stack = Stack::start(args.options).await?;
    println!(
        "  endpoint   {} (logs in {})",
        stack.endpoint_url(),
        stack.log_dir.display()
    );
    let events_dir = events.parent().unwrap_or(&root);
    if let Some((key, specs)) = rehearsal::manifest(&input, events_dir, &stack.run_topic_arn)? {
        println!("  manifest   {key} uploaded to the wave bucket");
        stack.put_object(WAVE_BUCKET, &key, &specs).await?;
    }
    let prepared: Prepared = rehearsal::prepare(input, &stack.run_topic_arn, &args.drills, speed)?;
    if prepared.is_wave() {
        println!(
            "running {} on the wave state machine as execution {}\n",
            events.display(),
            prepared.execution_name
        );
        let outcome = rehearsal::rehearse_wave(&mut stack, &prepared, args.timeout, |line| {
            println!("{line}")
        })
        .await?;
        for line in rehearsal::wave_summary(&prepared, &outcome) {
            println!("{line}");
        }
        stack.shutdown().await;
        return Ok(outcome.execution.status == "SUCCEEDED");
    }
    for drill in &prepared.drills {
        println!("  drill      {}: {}", drill.name(), drill.describe());
        println!("             expected: {}", prepared.expectation(*drill));
    }
    println!(
        "running {} as execution {}\n",
        events.display(),
        prepared.execution_name
    );
    let outcome = rehearsal::rehearse(&mut stack, &prepared, args.timeout, |line| {
        println!("{line}");
    })
    .await?;
    for line in rehearsal::summary(&prepared, &outcome) {
        println!("{line}");
    }
    let mut succeeded = outcome.succeeded();
    if args.then_cutover && succeeded {
        succeeded = cutover(&mut stack, &prepared, speed, args.timeout).await?;
    }
    if args.keep_stack {
        println!(
            "\nthe stack keeps running: endpoint {} (DMS control API at {}/_emulator/resources, \
             moto at {}); press Ctrl-C to stop it",
            stack.endpoint_url(),
            stack.endpoint_url(),
            stack.moto_url()
        );
        std::future::pending::<()>().await;
    }
    stack.shutdown().await;
    Ok(succeeded)
}

/// `--then-cutover`: the run's source stops its writes (the emulator's control),
/// then a cutover request for the run drains, stops, verifies and hands over.
async fn cutover(
    stack: &mut Stack,
    run: &Prepared,
    speed: f64,
    timeout: Duration,
) -> Result<bool, Error> {
    let task = format!("dmsflow-{}-task", run.run_id);
    if !stack.emulator().stop_source_writes(&task) {
        return Err(Error::new(format!(
            "--then-cutover: {task} has no running replication to cut over (the run must end with replication running: completion.then leave-running)"
        )));
    }
    println!(
        "\nthe source's writes stop (emulator control); cutting run {} over\n",
        run.run_id
    );
    // The functions judge the drain window by the clock, which the local stack
    // does not compress: a short window keeps the rehearsal short.
    let request =
        serde_json::json!({"action": "cutover", "run_id": run.run_id, "drained_for_seconds": 5});
    let prepared = rehearsal::prepare(request, &stack.run_topic_arn, &[], speed)?;
    let outcome = rehearsal::rehearse(stack, &prepared, timeout, |line| println!("{line}")).await?;
    for line in rehearsal::summary(&prepared, &outcome) {
        println!("{line}");
    }
    Ok(outcome.succeeded())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Result<Args, Error> {
        parse(list.iter().map(|s| s.to_string()))
    }

    #[test]
    fn arguments_name_the_events_file_drills_and_options() {
        let a = args(&[
            "rehearse",
            "events/x.json",
            "--drill",
            "throttle",
            "--drill",
            "table-error",
            "--keep-stack",
            "--time-scale",
            "10",
        ])
        .unwrap();
        assert_eq!(a.events, Some(PathBuf::from("events/x.json")));
        assert_eq!(a.drills, vec![Drill::Throttle, Drill::TableError]);
        assert!(a.keep_stack);
        assert!(!a.then_cutover);
        assert_eq!(a.options.time_scale, 10.0);
        assert!(args(&["rehearse", "--then-cutover"]).unwrap().then_cutover);
        assert!(args(&["rehearse", "--drill", "nope"]).is_err());
        assert!(args(&["rehearse", "a.json", "b.json"]).is_err());
        assert!(args(&["rehearse", "--speed", "0"]).is_err());
        assert!(args(&["other"]).is_err());
    }
}
