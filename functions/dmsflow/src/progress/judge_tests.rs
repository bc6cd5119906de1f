use serde_json::json;

use super::super::fixtures::{failing, spec, stopped, table, task, with_stats};
use super::super::summary::table_state::*;
use super::super::summary::validation_state::{
    MISMATCHED_RECORDS, NO_PRIMARY_KEY, NOT_ENABLED, PENDING_RECORDS, VALIDATED,
};
use super::*;
use crate::aws::dms::Task;
use crate::aws::metrics::CdcLatency;

fn criterion(name: &str) -> MigrationSpec {
    spec(json!({"completion": {"criterion": name}}))
}

fn check(
    spec: &MigrationSpec,
    task: &Task,
    tables: &[TableStats],
    latency: Option<(f64, f64)>,
) -> StepResult<Verdict> {
    let latency = latency.map(|(s, t)| CdcLatency {
        source_seconds: Some(s),
        target_seconds: Some(t),
        validation_failed_records: None,
    });
    let summary = ProgressSummary::build(task, tables, latency);
    judge(spec, &summary, tables, None)
}

fn running_cdc() -> Task {
    with_stats(task("full-load-and-cdc", "running"), 100, [2, 0, 0, 0])
}

fn finished_full_load() -> Task {
    with_stats(
        stopped("full-load", "FULL_LOAD_ONLY_FINISHED"),
        100,
        [2, 0, 0, 0],
    )
}

fn two_tables(validation: &str) -> Vec<TableStats> {
    vec![
        table("sales.orders", COMPLETED, validation),
        table("sales.items", COMPLETED, validation),
    ]
}

fn waiting(verdict: &Verdict) -> &str {
    assert!(!verdict.done, "{verdict:?}");
    verdict.waiting_for.as_deref().unwrap()
}

#[test]
fn full_load_complete_per_migration_type() {
    let spec = criterion("full-load-complete");
    let tables = two_tables(PENDING_RECORDS);
    // full-load-and-cdc: running with everything loaded.
    let v = check(&spec, &running_cdc(), &tables, None).unwrap();
    assert!(v.done && !v.bounded);
    // Still loading.
    let loading = with_stats(task("full-load-and-cdc", "running"), 60, [1, 1, 0, 0]);
    let v = check(&spec, &loading, &tables, None).unwrap();
    assert!(waiting(&v).contains("60%"), "{v:?}");
    assert!(v.bounded);
    // full-load: only once stopped with FULL_LOAD_ONLY_FINISHED.
    let at_100 = with_stats(task("full-load", "running"), 100, [2, 0, 0, 0]);
    let v = check(&spec, &at_100, &tables, None).unwrap();
    assert!(waiting(&v).contains("to finish"), "{v:?}");
    assert!(
        check(&spec, &finished_full_load(), &tables, None)
            .unwrap()
            .done
    );
}

#[test]
fn a_fast_full_and_cdc_load_is_complete_at_the_first_poll_that_sees_it() {
    let spec = criterion("full-load-complete");
    // The previous poll saw `starting`; this one sees `running` at 100%.
    let previous = ProgressSummary::build(&task("full-load-and-cdc", "starting"), &[], None);
    let tables = two_tables(NOT_ENABLED);
    let summary = ProgressSummary::build(&running_cdc(), &tables, None);
    assert!(
        judge(&spec, &summary, &tables, Some(&previous))
            .unwrap()
            .done
    );
}

#[test]
fn validated_needs_every_table_validated() {
    let spec = criterion("validated");
    let v = check(&spec, &running_cdc(), &two_tables(VALIDATED), None).unwrap();
    assert!(v.done);
    let mut tables = two_tables(VALIDATED);
    tables[1].validation_state = PENDING_RECORDS.into();
    let v = check(&spec, &running_cdc(), &tables, None).unwrap();
    let w = waiting(&v);
    assert!(
        w.contains("1 of 2") && w.contains("sales.items (Pending records)"),
        "{w}"
    );
    assert!(v.bounded, "validation still running is bounded");
    // A full-load task: validated and finished.
    assert!(
        check(&spec, &finished_full_load(), &two_tables(VALIDATED), None)
            .unwrap()
            .done
    );
    // No table statistics yet: not validated.
    let v = check(&spec, &running_cdc(), &[], None).unwrap();
    assert!(waiting(&v).contains("no table"));
}

#[test]
fn tolerated_mismatches_count_as_validated_and_more_fail_the_run() {
    let tolerant = spec(json!({
        "completion": {"criterion": "validated"},
        "validation": {"max_failed_records": 5}
    }));
    let tables = vec![
        failing("sales.orders", MISMATCHED_RECORDS, 3),
        table("sales.items", COMPLETED, VALIDATED),
    ];
    assert!(
        check(&tolerant, &running_cdc(), &tables, None)
            .unwrap()
            .done
    );

    let tables = vec![
        failing("sales.orders", MISMATCHED_RECORDS, 4),
        failing("sales.items", MISMATCHED_RECORDS, 2),
    ];
    let err = check(&tolerant, &running_cdc(), &tables, None).unwrap_err();
    assert_eq!(err.kind, ErrorKind::ValidationFailed);
    assert!(
        err.message.contains("6 failed record(s)")
            && err.message.contains("max_failed_records (5)")
            && err.message.contains("sales.orders (4), sales.items (2)"),
        "{}",
        err.message
    );
}

#[test]
fn failed_records_fail_the_run_whatever_the_criterion() {
    let spec = criterion("full-load-complete");
    let tables = vec![failing("sales.orders", MISMATCHED_RECORDS, 1)];
    let err = check(&spec, &running_cdc(), &tables, None).unwrap_err();
    assert_eq!(err.kind, ErrorKind::ValidationFailed);
    assert!(err.message.contains("awsdms_validation_failures_v1"));
}

#[test]
fn tables_that_can_never_validate_fail_the_run_only_when_validation_is_needed() {
    let mut tables = two_tables(VALIDATED);
    tables[0].validation_state = NO_PRIMARY_KEY.into();
    let err = check(&criterion("validated"), &running_cdc(), &tables, None).unwrap_err();
    assert_eq!(err.kind, ErrorKind::ValidationFailed);
    assert!(
        err.message.contains("sales.orders (No primary key)"),
        "{}",
        err.message
    );
    assert!(
        check(
            &criterion("full-load-complete"),
            &running_cdc(),
            &tables,
            None
        )
        .unwrap()
        .done
    );
    let no_validation = spec(json!({"validation": {"enabled": false}}));
    assert!(
        check(&no_validation, &running_cdc(), &tables, Some((1.0, 2.0)))
            .unwrap()
            .done
    );
}

#[test]
fn ready_for_cutover_needs_both_latencies_under_the_threshold() {
    let spec = criterion("ready-for-cutover");
    let tables = two_tables(VALIDATED);
    assert!(
        check(&spec, &running_cdc(), &tables, Some((5.0, 59.0)))
            .unwrap()
            .done
    );
    let v = check(&spec, &running_cdc(), &tables, Some((5.0, 60.0))).unwrap();
    assert!(waiting(&v).contains("target 60 s"), "{v:?}");
    assert!(!v.bounded, "waiting for latency alone is not bounded");
    let v = check(&spec, &running_cdc(), &tables, None).unwrap();
    assert!(waiting(&v).contains("no CDCLatencySource"), "{v:?}");
    // Validation first, when enabled.
    let v = check(
        &spec,
        &running_cdc(),
        &two_tables(PENDING_RECORDS),
        Some((1.0, 1.0)),
    )
    .unwrap();
    assert!(waiting(&v).starts_with("validation of 2 of 2"), "{v:?}");
    // A CDC-only task is ready once replicating with low latency.
    let cdc = task("cdc", "running");
    assert!(check(&spec, &cdc, &tables, Some((1.0, 1.0))).unwrap().done);
    let v = check(&spec, &task("cdc", "starting"), &tables, None).unwrap();
    assert!(waiting(&v).contains("to start"), "{v:?}");
}

#[test]
fn a_failed_task_names_dms_message_and_stop_reason() {
    let mut failed = stopped("full-load-and-cdc", "FATAL_ERROR");
    failed.last_failure_message = Some(
        "Last Error ODBC general error. Task error notification received from subtask 0".into(),
    );
    let err = check(&criterion("validated"), &failed, &[], None).unwrap_err();
    assert_eq!(err.kind, ErrorKind::TaskFailed);
    assert!(
        err.message.contains("Stop Reason FATAL_ERROR")
            && err.message.contains("ODBC general error")
            && err.message.contains("dmsflow-orders-task"),
        "{}",
        err.message
    );
    let err = check(
        &criterion("validated"),
        &task("full-load", "failed"),
        &[],
        None,
    )
    .unwrap_err();
    assert!(
        err.message.contains("status failed")
            && err.message.contains("DMS gave no failure message")
    );
}

#[test]
fn errored_tables_are_named_first_few_and_counted() {
    let tables: Vec<TableStats> = (1..=7)
        .map(|i| table(&format!("sales.t{i}"), ERROR, NOT_ENABLED))
        .chain([table("sales.ok", COMPLETED, NOT_ENABLED)])
        .collect();
    let t = with_stats(task("full-load-and-cdc", "running"), 12, [1, 0, 0, 7]);
    let err = check(&criterion("full-load-complete"), &t, &tables, None).unwrap_err();
    assert_eq!(err.kind, ErrorKind::TablesErrored);
    assert!(
        err.message.starts_with("7 table(s)")
            && err
                .message
                .contains("sales.t1, sales.t2, sales.t3, sales.t4, sales.t5 and 2 more")
            && !err.message.contains("sales.ok"),
        "{}",
        err.message
    );
    // Counted by the task's statistics but not in the table statistics.
    let t = with_stats(task("full-load-and-cdc", "running"), 12, [1, 0, 0, 1]);
    let err = check(&criterion("full-load-complete"), &t, &two_tables(""), None).unwrap_err();
    assert!(
        err.message.contains("does not name them"),
        "{}",
        err.message
    );
}

#[test]
fn a_task_stopped_by_someone_else_fails_the_run_and_says_so() {
    let t = with_stats(stopped("full-load-and-cdc", "NORMAL"), 70, [1, 0, 1, 0]);
    let err = check(&criterion("full-load-complete"), &t, &[], None).unwrap_err();
    assert_eq!(err.kind, ErrorKind::TaskFailed);
    assert!(
        err.message.contains("not by dmsflow") && err.message.contains("Stop Reason NORMAL"),
        "{}",
        err.message
    );
    // Even when its full load was complete, a stopped task is news.
    let t = with_stats(stopped("full-load-and-cdc", "NORMAL"), 100, [2, 0, 0, 0]);
    let err = check(&criterion("full-load-complete"), &t, &two_tables(""), None).unwrap_err();
    assert!(err.message.contains("not by dmsflow"));
    // Stopped by DMS itself.
    let t = stopped("full-load-and-cdc", "RECYCLE_TASK");
    let err = check(&criterion("full-load-complete"), &t, &[], None).unwrap_err();
    assert!(err.message.contains("by DMS itself"), "{}", err.message);
}

#[test]
fn a_stop_the_settings_asked_for_is_fine_when_the_criterion_holds() {
    let t = stopped("full-load-and-cdc", "STOPPED_AFTER_FULL_LOAD");
    let tables = two_tables(PENDING_RECORDS);
    assert!(
        check(&criterion("full-load-complete"), &t, &tables, None)
            .unwrap()
            .done
    );
    // ready-for-cutover cannot hold on a stopped task: one more poll, then an error.
    let spec = criterion("ready-for-cutover");
    let summary = ProgressSummary::build(&t, &tables, None);
    let v = judge(&spec, &summary, &tables, None).unwrap();
    assert!(waiting(&v).contains("final table statistics"));
    let err = judge(&spec, &summary, &tables, Some(&summary)).unwrap_err();
    assert_eq!(err.kind, ErrorKind::TaskFailed);
    assert!(
        err.message.contains("as its task settings ask")
            && err.message.contains("ready-for-cutover"),
        "{}",
        err.message
    );
}

#[test]
fn a_finished_full_load_with_incomplete_validation_gets_one_more_poll() {
    let spec = criterion("validated");
    let tables = two_tables(PENDING_RECORDS);
    let summary = ProgressSummary::build(&finished_full_load(), &tables, None);
    let running = ProgressSummary::build(
        &with_stats(task("full-load", "running"), 100, [2, 0, 0, 0]),
        &tables,
        None,
    );
    let v = judge(&spec, &summary, &tables, Some(&running)).unwrap();
    assert!(!v.done);
    let err = judge(&spec, &summary, &tables, Some(&summary)).unwrap_err();
    assert_eq!(err.kind, ErrorKind::TaskFailed);
    assert!(
        err.message.contains("validation of 2 of 2"),
        "{}",
        err.message
    );
}

#[test]
fn a_task_being_deleted_is_missing() {
    let err = check(
        &criterion("validated"),
        &task("full-load-and-cdc", "deleting"),
        &[],
        None,
    )
    .unwrap_err();
    assert_eq!(err.kind, ErrorKind::ResourceMissing);
    assert!(err.message.contains("CloudTrail"));
}

#[test]
fn validated_without_validation_is_an_invalid_spec() {
    let spec = spec(json!({
        "completion": {"criterion": "validated"},
        "validation": {"enabled": false}
    }));
    let err = check(&spec, &running_cdc(), &two_tables(VALIDATED), None).unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidSpec);
}

#[test]
fn criterion_names_match_the_spec_spelling() {
    for name in ["full-load-complete", "validated", "ready-for-cutover"] {
        assert_eq!(criterion_name(criterion(name).completion.criterion), name);
    }
}
