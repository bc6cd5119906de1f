//! Large catalogs: what one progress check costs at 500, 5,000 and 20,000 tables,
//! in the full load and in steady CDC. For each size a migration runs through the
//! release functions against the emulator up to the start; then one
//! check-progress process is called as the state machine's loop calls it, and each
//! call's DMS calls (the emulator's call log) and latency are kept. The emulator
//! holds the task's CDC latency above the threshold (`cdc-latency-seconds`), so the
//! run stays in steady CDC once the full load and its validation are over.

use std::time::{Duration, Instant};

use dms_emulator::{Config, EmulatorHandle, Scenario};
use serde_json::{Value, json};

use crate::function::Function;
use crate::invocations::{self, Paths, STEPS};
use crate::report::MEMORY_LIMIT;
use crate::stats::{mb, ms};
use crate::table::Row;

/// The catalog sizes the bench measures.
pub const SIZES: [u32; 3] = [500, 5_000, 20_000];
/// Slow enough that the first check meets the full load at 500 tables.
const SPEED: f64 = 60.0;
/// Above the sample spec's 60 s threshold: the run never reaches its criterion.
const HELD_LATENCY_SECONDS: &str = "300";
/// Real time between two checks, and how long the bench waits for steady CDC.
const POLL_INTERVAL: Duration = Duration::from_millis(100);
const PATIENCE: Duration = Duration::from_secs(600);
/// The check-progress binary.
const CHECK: &str = "dmsflow-check-progress";

/// One check: the DMS calls it made, how many of them read table statistics,
/// and its latency.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Check {
    pub dms_calls: u64,
    pub table_statistics_calls: u64,
    pub latency: Duration,
}

/// What the checks of one catalog size cost.
#[derive(Debug, Clone, PartialEq)]
pub struct CatalogRun {
    pub tables: u32,
    /// The first check that met the full load.
    pub full_load: Option<Check>,
    /// The first check in steady CDC (no page of table statistics read).
    pub steady: Option<Check>,
    pub peak_memory: u64,
}

/// Measures every size in [`SIZES`].
pub async fn run(paths: &Paths) -> Result<Vec<CatalogRun>, String> {
    let mut runs = Vec::new();
    for tables in SIZES {
        eprintln!("large catalogs: {tables} tables");
        runs.push(measure(paths, tables).await?);
    }
    Ok(runs)
}

async fn measure(paths: &Paths, tables: u32) -> Result<CatalogRun, String> {
    let mut scenario = Scenario::generated("orders", "t_", tables, 1_000);
    scenario.drills.insert(
        "*".into(),
        [(
            "cdc-latency-seconds".to_string(),
            json!(HELD_LATENCY_SECONDS),
        )]
        .into(),
    );
    let emulator = dms_emulator::serve(Config::default().with_speed(SPEED).with_scenario(scenario))
        .await
        .map_err(|e| format!("the DMS emulator does not start: {e}"))?;
    let outcome = checks(paths, &emulator, tables).await;
    emulator.shutdown().await;
    outcome
}

async fn checks(
    paths: &Paths,
    emulator: &EmulatorHandle,
    tables: u32,
) -> Result<CatalogRun, String> {
    // Create, test, validate, assess, start: everything before check-progress.
    invocations::run_steps(paths, emulator, &STEPS[..5]).await?;
    let event = paths.event("check-progress")?;
    let log = paths.log(&format!("{CHECK}-{tables}"));
    let mut function =
        Function::spawn(&paths.bootstrap(CHECK), CHECK, &emulator.url(), Some(&log)).await?;
    let outcome = async {
        function.init().await?;
        let mut run = CatalogRun {
            tables,
            full_load: None,
            steady: None,
            peak_memory: 0,
        };
        let mut previous: Option<Value> = None;
        let began = Instant::now();
        while run.steady.is_none() && began.elapsed() < PATIENCE {
            let mut payload = event.clone();
            if let Some(state) = &previous {
                payload["state"] = state.clone();
            }
            let before = call_count(emulator);
            let (answer, latency) = invocations::answer(CHECK, function.invoke(&payload).await?)?;
            let after = call_count(emulator);
            let check = Check {
                dms_calls: after.0 - before.0,
                table_statistics_calls: after.1 - before.1,
                latency,
            };
            let phase = answer.pointer("/step/report/summary/phase").and_then(Value::as_str);
            if phase == Some("full-load") && run.full_load.is_none() {
                run.full_load = Some(check);
            }
            if phase == Some("cdc") && check.table_statistics_calls <= 1 && previous.is_some() {
                run.steady = Some(check);
            }
            if invocations::done(&answer) {
                return Err(format!(
                    "check-progress reached its criterion at {tables} tables: the held latency did not hold"
                ));
            }
            previous = Some(answer);
            tokio::time::sleep(POLL_INTERVAL).await;
        }
        run.peak_memory = function.peak_memory()?;
        Ok::<_, String>(run)
    }
    .await;
    function.stop().await;
    outcome.map_err(|e| format!("{e} (its log: {})", log.display()))
}

/// The DMS calls the emulator has received so far, and of them DescribeTableStatistics.
fn call_count(emulator: &EmulatorHandle) -> (u64, u64) {
    let log = emulator.emulator().calls();
    let calls = log["calls"].as_array().cloned().unwrap_or_default();
    let last = calls.last().and_then(|c| c["seq"].as_u64()).unwrap_or(0);
    let statistics = calls
        .iter()
        .filter(|c| c["operation"] == "DescribeTableStatistics")
        .count() as u64;
    (last, statistics)
}

/// The rows: per size, the calls and latency of a full-load and a steady check,
/// and the peak memory of the process that made them.
pub fn rows(runs: &[CatalogRun]) -> Vec<Row> {
    let mut rows = Vec::new();
    for run in runs {
        let tables = run.tables;
        let describe = |check: Option<Check>| match check {
            Some(c) => format!(
                "{} DMS calls ({} DescribeTableStatistics), {} ms",
                c.dms_calls,
                c.table_statistics_calls,
                ms(c.latency)
            ),
            None => "not reached".to_string(),
        };
        rows.push(Row::new(
            "large catalogs",
            format!("check in the full load, {tables} tables"),
            describe(run.full_load),
        ));
        let steady_calls = run.steady.map(|c| c.dms_calls);
        rows.push(
            Row::new(
                "large catalogs",
                format!("check in steady CDC, {tables} tables"),
                describe(run.steady),
            )
            .target(
                "<= 2 DMS calls, any table count",
                steady_calls.is_some_and(|n| n <= 2),
            ),
        );
        rows.push(
            Row::new(
                "large catalogs",
                format!("peak (VmHWM), check-progress, {tables} tables"),
                mb(run.peak_memory),
            )
            .target(
                format!("< {}", mb(MEMORY_LIMIT)),
                run.peak_memory < MEMORY_LIMIT,
            ),
        );
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_size_that_never_reached_steady_cdc_fails_its_target() {
        let check = Check {
            dms_calls: 2,
            table_statistics_calls: 1,
            latency: Duration::from_millis(12),
        };
        let rows = rows(&[
            CatalogRun {
                tables: 500,
                full_load: Some(Check {
                    dms_calls: 3,
                    ..check
                }),
                steady: Some(check),
                peak_memory: 8_000_000,
            },
            CatalogRun {
                tables: 20_000,
                full_load: None,
                steady: None,
                peak_memory: 70_000_000,
            },
        ]);
        assert_eq!(rows.len(), 6);
        assert_eq!(
            rows[1].value,
            "2 DMS calls (1 DescribeTableStatistics), 12.0 ms"
        );
        assert_eq!(rows[1].met, Some(true));
        assert_eq!(rows[3].value, "not reached");
        assert_eq!(rows[4].met, Some(false));
        assert_eq!(rows[5].met, Some(false));
    }
}
