use super::super::fixtures::{stopped, table, task, with_stats};
use super::table_state::*;
use super::validation_state::{MISMATCHED_RECORDS, NOT_ENABLED, PENDING_RECORDS, VALIDATED};
use super::*;

fn build(task: &Task, tables: &[TableStats]) -> ProgressSummary {
    ProgressSummary::build(task, tables, None)
}

fn loaded(task: &Task, tables: &[TableStats]) -> Vec<String> {
    loaded_tables(task, tables)
        .into_iter()
        .map(qualified_name)
        .collect()
}

#[test]
fn a_full_load_task_is_complete_only_when_stopped_with_full_load_only_finished() {
    let tables = [table("s.a", COMPLETED, NOT_ENABLED)];
    let running = with_stats(task("full-load", "running"), 100, [1, 0, 0, 0]);
    let s = build(&running, &tables);
    assert_eq!(s.phase, Phase::FullLoad);
    assert!(!s.full_load_complete);

    let finished = with_stats(
        stopped("full-load", "FULL_LOAD_ONLY_FINISHED"),
        100,
        [1, 0, 0, 0],
    );
    let s = build(&finished, &tables);
    assert_eq!(s.phase, Phase::Finished);
    assert!(s.full_load_complete);
    assert_eq!(s.stop_reason.as_deref(), Some("FULL_LOAD_ONLY_FINISHED"));

    let normal = with_stats(stopped("full-load", "NORMAL"), 100, [1, 0, 0, 0]);
    let s = build(&normal, &tables);
    assert_eq!(s.phase, Phase::Stopped);
    assert!(!s.full_load_complete);
}

#[test]
fn a_fast_full_load_seen_first_as_stopped_is_finished() {
    // The previous poll saw `starting`; this one sees the end: no `running` between.
    let previous = build(&task("full-load", "starting"), &[]);
    assert_eq!(previous.phase, Phase::Starting);
    let done = with_stats(
        stopped("full-load", "FULL_LOAD_ONLY_FINISHED"),
        100,
        [2, 0, 0, 0],
    );
    let s = build(
        &done,
        &[
            table("s.a", COMPLETED, NOT_ENABLED),
            table("s.b", COMPLETED, NOT_ENABLED),
        ],
    );
    assert_eq!(s.phase, Phase::Finished);
    assert!(s.full_load_complete);
    assert!(s.changed_since(&previous));
}

#[test]
fn full_load_and_cdc_needs_percent_and_queues_and_table_states_together() {
    let done_tables = [table("s.a", COMPLETED, NOT_ENABLED)];
    let loaded = with_stats(task("full-load-and-cdc", "running"), 100, [1, 0, 0, 0]);
    let s = build(&loaded, &done_tables);
    assert!(s.full_load_complete);
    assert_eq!(s.phase, Phase::Cdc);

    for (percent, counts) in [(99, [1, 0, 0, 0]), (100, [0, 1, 0, 0]), (100, [0, 0, 1, 0])] {
        let t = with_stats(task("full-load-and-cdc", "running"), percent, counts);
        let s = build(&t, &done_tables);
        assert!(!s.full_load_complete, "{percent} {counts:?}");
        assert_eq!(s.phase, Phase::FullLoad);
    }
    for state in [BEFORE_LOAD, FULL_LOAD, RELOADING] {
        let s = build(
            &loaded,
            &[table("s.a", COMPLETED, ""), table("s.b", state, "")],
        );
        assert!(!s.full_load_complete, "{state}");
    }
    // No statistics yet: not loaded.
    let s = build(&task("full-load-and-cdc", "running"), &done_tables);
    assert!(!s.full_load_complete);
}

#[test]
fn full_load_and_cdc_stopped_by_its_settings_after_the_load_is_complete() {
    for suffix in ["STOPPED_AFTER_FULL_LOAD", "STOPPED_AFTER_CACHED_EVENTS"] {
        let s = build(&stopped("full-load-and-cdc", suffix), &[]);
        assert!(s.full_load_complete, "{suffix}");
        assert_eq!(s.phase, Phase::Stopped);
    }
}

#[test]
fn a_cdc_task_is_in_cdc_as_soon_as_it_runs() {
    let tables = [table("s.a", BEFORE_LOAD, ""), table("s.b", ERROR, "")];
    let s = build(&task("cdc", "running"), &tables);
    assert_eq!(s.phase, Phase::Cdc);
    assert!(s.full_load_complete);
    assert_eq!(loaded(&task("cdc", "running"), &tables), ["s.a"]);
    // A task with a full load has loaded a table only once the load completed it.
    assert!(loaded(&task("full-load-and-cdc", "running"), &tables).is_empty());
    let s = build(&task("cdc", "starting"), &[]);
    assert_eq!(s.phase, Phase::Starting);
    assert!(!s.full_load_complete);
}

#[test]
fn failures_and_error_stops_are_the_failed_phase() {
    assert_eq!(
        build(&task("full-load", "failed"), &[]).phase,
        Phase::Failed
    );
    for suffix in [
        "FATAL_ERROR",
        "RECOVERABLE_ERROR",
        "STOPPED_DUE_TO_LOW_DISK",
        "STOPPED_DUE_TO_LOW_MEMORY",
        "EXPRESS_LICENSE_LIMITS_REACHED",
    ] {
        assert_eq!(
            build(&stopped("full-load-and-cdc", suffix), &[]).phase,
            Phase::Failed,
            "{suffix}"
        );
    }
}

#[test]
fn not_yet_replicating_statuses_are_starting() {
    for status in [
        "creating",
        "ready",
        "starting",
        "modifying",
        "moving",
        "testing",
    ] {
        assert_eq!(
            build(&task("full-load", status), &[]).phase,
            Phase::Starting,
            "{status}"
        );
    }
}

#[test]
fn counts_and_totals_add_up_over_every_table() {
    let mut a = table("sales.orders", COMPLETED, VALIDATED);
    a.inserts = 5;
    a.updates = 2;
    a.validation_pending_records = 3;
    let mut b = table("sales.items", ERROR, MISMATCHED_RECORDS);
    b.deletes = 1;
    b.full_load_rows = 50;
    b.validation_failed_records = 4;
    b.validation_suspended_records = 6;
    let c = table("hr.people", COMPLETED, PENDING_RECORDS);
    let t = with_stats(task("full-load-and-cdc", "running"), 100, [2, 0, 0, 1]);
    let tables = [a, b, c];
    let s = ProgressSummary::build(
        &t,
        &tables,
        Some(CdcLatency {
            source_seconds: Some(3.0),
            target_seconds: Some(7.5),
            validation_failed_records: None,
        }),
    );
    assert_eq!(s.tables, 3);
    assert_eq!(s.tables_in(COMPLETED), 2);
    assert_eq!(s.tables_in(ERROR), 1);
    assert_eq!(s.tables_by_validation_state.get(VALIDATED), Some(&1));
    assert_eq!(s.rows_loaded, 250);
    assert_eq!((s.inserts, s.updates, s.deletes), (5, 2, 1));
    assert_eq!(s.validation_pending_records, 3);
    assert_eq!(s.validation_failed_records, 4);
    assert_eq!(s.validation_suspended_records, 6);
    assert_eq!(s.cdc_latency_target_seconds, Some(7.5));
    // The errored table is not reported as loaded.
    assert_eq!(loaded(&t, &tables), ["sales.orders", "hr.people"]);
}

#[test]
fn steady_cdc_is_quiet_but_progress_is_a_change() {
    let t = with_stats(task("full-load-and-cdc", "running"), 100, [1, 0, 0, 0]);
    let mut row = table("s.a", COMPLETED, VALIDATED);
    let before = build(&t, std::slice::from_ref(&row));
    row.inserts += 1000;
    row.updates += 10;
    row.validation_pending_records += 40;
    let after = ProgressSummary::build(
        &t,
        std::slice::from_ref(&row),
        Some(CdcLatency {
            source_seconds: Some(1.0),
            target_seconds: Some(2.0),
            validation_failed_records: None,
        }),
    );
    assert!(!after.changed_since(&before));
    assert!(!before.changed_since(&before.clone()));

    let mut failed = row.clone();
    failed.validation_failed_records = 1;
    assert!(build(&t, &[failed]).changed_since(&before));
    let mut state = row.clone();
    state.validation_state = MISMATCHED_RECORDS.into();
    assert!(build(&t, &[state]).changed_since(&before));

    // During the full load, counters moving and tables finishing one by one are
    // expected progress, not a change of state...
    let loading = with_stats(task("full-load-and-cdc", "running"), 40, [1, 1, 1, 0]);
    let rows = |a: &str, b: &str, c: &str| {
        vec![
            table("s.a", a, PENDING_RECORDS),
            table("s.b", b, PENDING_RECORDS),
            table("s.c", c, PENDING_RECORDS),
        ]
    };
    let first = build(&loading, &rows(COMPLETED, FULL_LOAD, BEFORE_LOAD));
    let mut moved = rows(COMPLETED, FULL_LOAD, BEFORE_LOAD);
    moved[1].full_load_rows += 1;
    moved[1].validation_pending_records = 10;
    let more = with_stats(task("full-load-and-cdc", "running"), 41, [1, 1, 1, 0]);
    assert!(!build(&more, &moved).changed_since(&first));
    let next_table = with_stats(task("full-load-and-cdc", "running"), 70, [2, 1, 0, 0]);
    assert!(!build(&next_table, &rows(COMPLETED, COMPLETED, FULL_LOAD)).changed_since(&first));
    // ...while a state no table was in before, an error, or a status change is one.
    assert!(build(&loading, &rows(COMPLETED, RELOADING, BEFORE_LOAD)).changed_since(&first));
    assert!(build(&loading, &rows(COMPLETED, ERROR, BEFORE_LOAD)).changed_since(&first));
    let stopping = with_stats(task("full-load-and-cdc", "stopping"), 40, [1, 1, 1, 0]);
    assert!(build(&stopping, &rows(COMPLETED, FULL_LOAD, BEFORE_LOAD)).changed_since(&first));
}

#[test]
fn the_summary_round_trips_through_json_as_previous() {
    let t = with_stats(
        stopped("full-load", "FULL_LOAD_ONLY_FINISHED"),
        100,
        [1, 0, 0, 0],
    );
    let s = build(&t, &[table("s.a", COMPLETED, VALIDATED)]);
    let json = serde_json::to_value(&s).unwrap();
    assert_eq!(json["phase"], "finished");
    assert_eq!(json["stop_reason"], "FULL_LOAD_ONLY_FINISHED");
    let back: ProgressSummary = serde_json::from_value(json).unwrap();
    assert_eq!(back, s);
}

#[test]
fn loaded_and_errored_counts_take_the_larger_source() {
    let t = with_stats(task("full-load-and-cdc", "running"), 50, [3, 0, 0, 2]);
    let s = build(&t, &[table("s.a", COMPLETED, ""), table("s.b", ERROR, "")]);
    assert_eq!((s.tables_loaded, s.tables_errored), (3, 2));
    let s = build(
        &task("full-load-and-cdc", "running"),
        &[table("s.a", ERROR, ""), table("s.b", ERROR, "")],
    );
    assert_eq!((s.tables_loaded, s.tables_errored), (0, 2));
}
