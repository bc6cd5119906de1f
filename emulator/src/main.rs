//! `dms-emulator`: run the DMS emulator as a process.

use std::io::Write;
use std::process::ExitCode;

use dms_emulator::{Config, Scenario, ThrottleSpec};
use tokio::io::AsyncReadExt;

const USAGE: &str = "\
usage: dms-emulator [options]

  --port N                  port on 127.0.0.1 (0 = pick a free one; default 0)
  --host IP                 address to bind (default 127.0.0.1)
  --speed F                 simulated seconds per real second (default 1)
  --scenario FILE           scenario JSON (catalog, drills, throttle, speed, ...)
  --throttle-first-calls N  answer the first N calls with ThrottlingException
  --throttle-every-nth N    then throttle every Nth call...
  --throttle-for-calls M    ...among the next M calls
  --ignore-stdin            keep serving when stdin closes
  -h, --help                this text

Prints `listening on http://HOST:PORT` once ready, then serves until killed or
until stdin closes (unless --ignore-stdin).";

struct Args {
    config: Config,
    ignore_stdin: bool,
}

fn parse_args() -> Result<Args, String> {
    let mut config = Config::default();
    let mut ignore_stdin = false;
    let mut scenario_file = None;
    let mut throttle = ThrottleSpec::default();
    let mut throttled = false;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or_else(|| format!("{name} needs a value"));
        let num = |name: &str, v: String| {
            v.parse::<u64>()
                .map_err(|_| format!("{name}: not a number: {v}"))
        };
        match arg.as_str() {
            "--port" => {
                let v = value("--port")?;
                config.port = v.parse().map_err(|_| format!("--port: not a port: {v}"))?;
            }
            "--host" => {
                let v = value("--host")?;
                config.host = v
                    .parse()
                    .map_err(|_| format!("--host: not an IP address: {v}"))?;
            }
            "--speed" => {
                let v = value("--speed")?;
                config.speed = v
                    .parse::<f64>()
                    .ok()
                    .filter(|s| s.is_finite() && *s > 0.0)
                    .ok_or_else(|| format!("--speed: not a positive number: {v}"))?;
            }
            "--scenario" => scenario_file = Some(value("--scenario")?),
            "--throttle-first-calls" => {
                throttle.first_calls = Some(num(&arg, value(&arg)?)?);
                throttled = true;
            }
            "--throttle-every-nth" => {
                throttle.every_nth = Some(num(&arg, value(&arg)?)?);
                throttled = true;
            }
            "--throttle-for-calls" => {
                throttle.for_calls = Some(num(&arg, value(&arg)?)?);
                throttled = true;
            }
            "--ignore-stdin" => ignore_stdin = true,
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument: {other}")),
        }
    }
    if let Some(path) = scenario_file {
        let text = std::fs::read_to_string(&path).map_err(|e| format!("--scenario {path}: {e}"))?;
        config.scenario =
            Scenario::from_json(&text).map_err(|e| format!("--scenario {path}: {e}"))?;
    }
    if throttled {
        config.scenario.throttle = Some(throttle);
    }
    Ok(Args {
        config,
        ignore_stdin,
    })
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(msg) if msg.is_empty() => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(msg) => {
            eprintln!("dms-emulator: {msg}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let handle = match dms_emulator::serve(args.config).await {
        Ok(h) => h,
        Err(e) => {
            eprintln!("dms-emulator: cannot listen: {e}");
            return ExitCode::FAILURE;
        }
    };
    {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "listening on {}", handle.url());
        let _ = out.flush();
    }
    let stdin_closed = async {
        if args.ignore_stdin {
            std::future::pending::<()>().await;
        }
        let mut stdin = tokio::io::stdin();
        let mut buf = [0u8; 1024];
        while let Ok(n) = stdin.read(&mut buf).await {
            if n == 0 {
                break;
            }
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = terminated() => {}
        _ = stdin_closed => {}
    }
    handle.shutdown().await;
    ExitCode::SUCCESS
}

#[cfg(unix)]
async fn terminated() {
    match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        Ok(mut s) => {
            s.recv().await;
        }
        Err(_) => std::future::pending::<()>().await,
    }
}

#[cfg(not(unix))]
async fn terminated() {
    std::future::pending::<()>().await
}
