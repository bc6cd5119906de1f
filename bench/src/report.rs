//! The rows of the cold-start, first-invocation and memory figures.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::invocations::FunctionRun;
use crate::stats::{Summary, mb, ms};
use crate::table::Row;

/// Init may take at most this many times the hello-world's (medians).
pub const INIT_RATIO_LIMIT: f64 = 1.5;
/// Peak memory must stay below this (bytes), so 128 MB functions suffice.
pub const MEMORY_LIMIT: u64 = 64_000_000;

/// One init row per function: median / p90 / max, and the ratio of its median
/// to the baseline's (`baseline` names the hello-world).
pub fn init_rows(times: &BTreeMap<String, Vec<Duration>>, baseline: &str) -> Vec<Row> {
    let base = times.get(baseline).and_then(|t| Summary::of(t));
    let mut rows = Vec::new();
    let ordered = times
        .iter()
        .filter(|(name, _)| name.as_str() == baseline)
        .chain(times.iter().filter(|(name, _)| name.as_str() != baseline));
    for (name, timings) in ordered {
        let Some(summary) = Summary::of(timings) else {
            continue;
        };
        let measure = format!("init, {name} (median / p90 / max of {} runs)", summary.runs);
        let row = match base.filter(|_| name != baseline) {
            Some(base) => {
                let ratio = summary.median.as_secs_f64() / base.median.as_secs_f64();
                Row::new(
                    "cold start",
                    measure,
                    format!("{} ({ratio:.2}x hello-world)", summary.show()),
                )
                .target(
                    format!("<= {INIT_RATIO_LIMIT}x hello-world"),
                    ratio <= INIT_RATIO_LIMIT,
                )
            }
            None => Row::new("cold start", measure, summary.show()),
        };
        rows.push(row);
    }
    rows
}

/// One first-invocation row per function run.
pub fn first_invocation_rows(runs: &[FunctionRun]) -> Vec<Row> {
    runs.iter()
        .map(|run| {
            let more = match run.calls {
                1 => String::new(),
                n => format!(
                    " (then {} more calls until {})",
                    n - 1,
                    if run.done {
                        "done"
                    } else {
                        "the bench gave up"
                    }
                ),
            };
            Row::new(
                "first invocation",
                format!("{}{more}", run.name),
                format!("{} ms", ms(run.first_latency)),
            )
        })
        .collect()
}

/// One peak-memory row per function run; `tables` is the size of the catalog
/// check-progress read.
pub fn memory_rows(runs: &[FunctionRun], tables: u32) -> Vec<Row> {
    runs.iter()
        .map(|run| {
            let mut measure = format!("peak (VmHWM), {}", run.name);
            if run.table_statistics_pages > 0 {
                measure.push_str(&format!(
                    ": {tables}-table task, {} calls, {} table statistics pages",
                    run.calls, run.table_statistics_pages
                ));
            }
            Row::new("memory", measure, mb(run.peak_memory)).target(
                format!("< {}", mb(MEMORY_LIMIT)),
                run.peak_memory < MEMORY_LIMIT,
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms_list(values: &[u64]) -> Vec<Duration> {
        values.iter().map(|&v| Duration::from_millis(v)).collect()
    }

    #[test]
    fn init_rows_put_the_baseline_first_and_judge_the_ratio_of_medians() {
        let times = BTreeMap::from([
            ("a-fast".to_string(), ms_list(&[12, 13, 14])),
            ("hello-world".to_string(), ms_list(&[9, 10, 11])),
            ("z-slow".to_string(), ms_list(&[15, 16, 40])),
        ]);
        let rows = init_rows(&times, "hello-world");
        assert_eq!(rows.len(), 3);
        assert!(rows[0].measure.contains("hello-world"), "{:?}", rows[0]);
        assert_eq!(rows[0].met, None);
        assert!(rows[1].value.contains("1.30x"), "{:?}", rows[1]);
        assert_eq!(rows[1].met, Some(true));
        assert!(rows[2].value.contains("1.60x"), "{:?}", rows[2]);
        assert_eq!(rows[2].met, Some(false));
    }

    #[test]
    fn memory_rows_name_the_catalog_only_for_the_function_that_read_it() {
        let run = |name: &str, peak, pages| FunctionRun {
            name: name.into(),
            first_latency: Duration::from_millis(5),
            calls: 3,
            done: true,
            peak_memory: peak,
            table_statistics_pages: pages,
        };
        let rows = memory_rows(
            &[run("start", 10_000_000, 0), run("check", 70_000_000, 3)],
            500,
        );
        assert_eq!(rows[0].measure, "peak (VmHWM), start");
        assert_eq!(rows[0].met, Some(true));
        assert!(
            rows[1]
                .measure
                .contains("500-table task, 3 calls, 3 table statistics pages")
        );
        assert_eq!(rows[1].met, Some(false));
        let first = first_invocation_rows(&[run("start", 0, 0)]);
        assert_eq!(first[0].measure, "start (then 2 more calls until done)");
        assert_eq!(first[0].value, "5.0 ms");
    }
}
