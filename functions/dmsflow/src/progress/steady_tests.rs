use serde_json::json;

use super::*;
use crate::progress::fixtures::{spec, table, task, with_stats};
use crate::progress::table_state::{COMPLETED, ERROR, FULL_LOAD};
use crate::progress::validation_state::{NOT_ENABLED, PENDING_RECORDS, VALIDATED};

/// ready-for-cutover without validation.
fn plain() -> MigrationSpec {
    spec(json!({
        "completion": {"criterion": "ready-for-cutover"},
        "validation": {"enabled": false}
    }))
}

fn running() -> Task {
    with_stats(task("full-load-and-cdc", "running"), 100, [3, 0, 0, 0])
}

/// The summary of a complete read of `tables` on a running CDC task.
fn read(tables: &[TableStats]) -> ProgressSummary {
    ProgressSummary::build(&running(), tables, None)
}

fn latency(source: f64, failed: Option<f64>) -> CdcLatency {
    CdcLatency {
        source_seconds: Some(source),
        target_seconds: Some(source),
        validation_failed_records: failed,
    }
}

fn loaded(validation: &str) -> Vec<TableStats> {
    ["s.a", "s.b", "s.c"]
        .iter()
        .map(|n| table(n, COMPLETED, validation))
        .collect()
}

#[test]
fn a_settled_cdc_run_may_skip_the_table_statistics() {
    let spec = plain();
    let previous = read(&loaded(NOT_ENABLED));
    assert_eq!(previous.phase, Phase::Cdc);
    assert!(may_skip_tables(&spec, &previous, &running(), false));
}

#[test]
fn anything_unsettled_reads_every_page() {
    let spec = plain();
    let settled = read(&loaded(NOT_ENABLED));
    // A remediation settling.
    assert!(!may_skip_tables(&spec, &settled, &running(), true));
    // The task's own statistics: an errored, loading or queued table.
    for counts in [[2, 0, 0, 1], [2, 1, 0, 0], [2, 0, 1, 0]] {
        let task = with_stats(task("full-load-and-cdc", "running"), 100, counts);
        assert!(
            !may_skip_tables(&spec, &settled, &task, false),
            "{counts:?}"
        );
    }
    // The task stopped or stopping: the final report needs every table.
    for status in ["stopping", "stopped", "failed"] {
        let task = with_stats(task("full-load-and-cdc", status), 100, [3, 0, 0, 0]);
        assert!(!may_skip_tables(&spec, &settled, &task, false), "{status}");
    }
    // The previous read saw a table still loading, or no table at all.
    let mut tables = loaded(NOT_ENABLED);
    tables[1].table_state = FULL_LOAD.into();
    assert!(!may_skip_tables(&spec, &read(&tables), &running(), false));
    assert!(!may_skip_tables(&spec, &read(&[]), &running(), false));
    // A full-load task never gets there.
    let full_load = with_stats(task("full-load", "running"), 100, [3, 0, 0, 0]);
    assert!(!may_skip_tables(&spec, &settled, &full_load, false));
}

#[test]
fn a_criterion_that_waits_for_validation_reads_every_page_until_it_is_settled() {
    let spec = spec(json!({
        "completion": {"criterion": "ready-for-cutover"},
        "validation": {"enabled": true}
    }));
    let pending = read(&loaded(PENDING_RECORDS));
    assert!(!may_skip_tables(&spec, &pending, &running(), false));
    let validated = read(&loaded(VALIDATED));
    assert!(may_skip_tables(&spec, &validated, &running(), false));
}

#[test]
fn a_steady_summary_keeps_the_counts_and_takes_the_new_latency() {
    let spec = plain();
    let previous = read(&loaded(NOT_ENABLED));
    let summary =
        steady_summary(&spec, &previous, &running(), &[], latency(420.0, None)).expect("steady");
    assert_eq!(summary.tables, 3);
    assert_eq!(summary.tables_loaded, 3);
    assert_eq!(summary.tables_by_state, previous.tables_by_state);
    assert_eq!(summary.cdc_latency_source_seconds, Some(420.0));
    assert_eq!(
        steady_waiting_for(&spec, &summary).as_deref(),
        Some("CDC latency under 60 s (source 420 s, target 420 s)")
    );
    let fast = steady_summary(&spec, &previous, &running(), &[], latency(1.0, None)).unwrap();
    assert_eq!(steady_waiting_for(&spec, &fast), None);
}

#[test]
fn an_errored_table_or_new_validation_failures_end_the_steady_check() {
    let plain = plain();
    let previous = read(&loaded(NOT_ENABLED));
    let errored = [table("s.b", ERROR, NOT_ENABLED)];
    assert_eq!(
        steady_summary(&plain, &previous, &running(), &errored, latency(1.0, None)),
        None
    );
    let validating = spec(json!({
        "completion": {"criterion": "ready-for-cutover"},
        "validation": {"enabled": true}
    }));
    let previous = read(&loaded(VALIDATED));
    let steady = |failed| {
        steady_summary(
            &validating,
            &previous,
            &running(),
            &[],
            latency(1.0, failed),
        )
    };
    assert!(steady(Some(0.0)).is_some());
    assert_eq!(steady(Some(3.0)), None, "new failed records: read them all");
    assert_eq!(steady(None), None, "CloudWatch silent: read them all");
}

#[test]
fn failed_records_over_the_tolerance_are_judged_again_from_every_page() {
    let spec = spec(json!({
        "completion": {"criterion": "ready-for-cutover"},
        "validation": {"enabled": true, "max_failed_records": 0}
    }));
    let mut tables = loaded(VALIDATED);
    tables[0].validation_state = crate::progress::validation_state::MISMATCHED_RECORDS.into();
    tables[0].validation_failed_records = 3;
    // Seen by a check that only waited for a re-validation to show.
    assert!(!may_skip_tables(&spec, &read(&tables), &running(), false));
    tables[0].validation_failed_records = 0;
    assert!(may_skip_tables(&spec, &read(&tables), &running(), false));
}
