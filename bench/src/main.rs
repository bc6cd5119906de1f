//! `dmsflow-bench`: prints one table of dmsflow's performance figures.
//!
//! ```text
//! dmsflow-bench [--root DIR] [--lambda-dir DIR] [--zip-dir DIR] [--runs N] [--tables N]
//! dmsflow-bench --waiting [--root DIR]
//! ```
//!
//! Build the release functions first (`tools/bench` does both). `--waiting` prints
//! the cost-of-waiting rows alone: a calculation, it needs no build.

use std::path::PathBuf;

use dmsflow_bench::invocations::{self, Paths};
// `crate::table` for the modules of this binary.
use dmsflow_bench::table;
use dmsflow_bench::{catalog, coldstart, machine, report, sizes};

mod waiting;

/// The deployed functions, in the state machine's order (the wave's last).
/// claim-run, notify, continue, prepare-wave and wave call Step Functions, SNS and
/// S3, which the bench does not serve: they have init and size rows only.
const FUNCTIONS: [&str; 14] = [
    "dmsflow-claim-run",
    "dmsflow-validate",
    "dmsflow-create",
    "dmsflow-test-connection",
    "dmsflow-enable-validation",
    "dmsflow-assess",
    "dmsflow-start",
    "dmsflow-check-progress",
    "dmsflow-cutover",
    "dmsflow-cleanup",
    "dmsflow-notify",
    "dmsflow-continue",
    "dmsflow-prepare-wave",
    "dmsflow-wave",
];
/// The baseline of the init figures.
const HELLO: &str = "hello-world";

struct Options {
    root: PathBuf,
    lambda_dir: Option<PathBuf>,
    zip_dir: Option<PathBuf>,
    runs: usize,
    tables: u32,
    waiting_only: bool,
}

fn options() -> Result<Options, String> {
    let mut options = Options {
        root: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".."),
        lambda_dir: None,
        zip_dir: None,
        runs: 20,
        tables: 500,
        waiting_only: false,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--root" => options.root = value()?.into(),
            "--lambda-dir" => options.lambda_dir = Some(value()?.into()),
            "--zip-dir" => options.zip_dir = Some(value()?.into()),
            "--runs" => options.runs = number(&value()?)?,
            "--tables" => options.tables = number(&value()?)?,
            "--waiting" => options.waiting_only = true,
            "-h" | "--help" => {
                println!(
                    "dmsflow-bench [--root DIR] [--lambda-dir DIR] [--zip-dir DIR] [--runs N] [--tables N]\n\
                     dmsflow-bench --waiting [--root DIR]   (the cost-of-waiting rows alone)"
                );
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(options)
}

fn number<T: std::str::FromStr>(text: &str) -> Result<T, String> {
    text.parse()
        .map_err(|_| format!("{text} is not a positive number"))
}

fn main() {
    if let Err(e) = run() {
        eprintln!("dmsflow-bench: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), String> {
    let options = options()?;
    let root = options.root.clone();
    if options.waiting_only {
        print!("{}", table::render(&waiting::rows(&root)?));
        return Ok(());
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("no Tokio runtime: {e}"))?;
    let mut rows = runtime.block_on(measure(options))?;
    rows.extend(waiting::rows(&root)?);

    println!("Machine: {}", machine::describe());
    println!();
    print!("{}", table::render(&rows));
    Ok(())
}

/// Cold start, first invocations, memory and sizes of the release functions.
async fn measure(options: Options) -> Result<Vec<table::Row>, String> {
    let root = options.root;
    let paths = Paths {
        lambda_dir: options
            .lambda_dir
            .unwrap_or_else(|| root.join("target/bench/lambda")),
        events_dir: root.join("events/functions"),
        log_dir: invocations::default_log_dir(&root),
    };
    let zip_dir = options
        .zip_dir
        .unwrap_or_else(|| root.join("target/bench/zip"));

    let emulator = invocations::emulator(options.tables).await?;
    // A function not built is named in the size rows; the others are measured.
    let names: Vec<&str> = std::iter::once(HELLO)
        .chain(FUNCTIONS)
        .filter(|name| paths.bootstrap(name).is_file())
        .collect();
    if !names.contains(&HELLO) {
        return Err(format!(
            "no {} under {}: build it first (tools/bench)",
            HELLO,
            paths.lambda_dir.display()
        ));
    }
    eprintln!("init: {} runs of {} functions", options.runs, names.len());
    let times = coldstart::init_times(&paths, &names, &emulator.url(), options.runs).await?;
    eprintln!(
        "first invocations: a migration of {} tables",
        options.tables
    );
    let mut runs = vec![coldstart::hello_run(&paths, HELLO, &emulator.url()).await?];
    runs.extend(invocations::run(&paths, &emulator).await?);
    emulator.shutdown().await;
    // The same run on DMS Serverless, on a fresh emulator (the run ids are the same).
    eprintln!("first invocations: the same migration on DMS Serverless");
    let emulator = invocations::emulator(options.tables).await?;
    runs.extend(invocations::run_serverless(&paths, &emulator).await?);
    emulator.shutdown().await;
    let catalogs = catalog::run(&paths).await?;

    let mut rows: Vec<table::Row> = report::init_rows(&times, HELLO);
    rows.extend(report::first_invocation_rows(&runs));
    rows.extend(report::memory_rows(&runs, options.tables));
    rows.extend(catalog::rows(&catalogs));
    for name in FUNCTIONS {
        rows.extend(sizes::rows(name, &paths.lambda_dir, &zip_dir));
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_function_the_template_deploys_is_benched() {
        let template =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../template.yaml"))
                .expect("the template");
        let mut deployed: Vec<&str> = template
            .lines()
            .filter_map(|line| line.trim().strip_prefix("Binary: "))
            .collect();
        deployed.sort_unstable();
        let mut benched = super::FUNCTIONS.to_vec();
        benched.sort_unstable();
        assert_eq!(benched, deployed);
    }
}
