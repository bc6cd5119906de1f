use serde_json::json;

use super::*;
use crate::aws::dms::TaskStats;
use crate::testing::{foreign_tags, owned_tags, task};

fn request(options: Value) -> Result<CutoverRequest, Vec<String>> {
    let mut input = json!({"action": "cutover", "run_id": "orders"});
    for (k, v) in options.as_object().unwrap() {
        input[k] = v.clone();
    }
    CutoverRequest::parse(input.as_object().unwrap())
}

fn defaults() -> CutoverRequest {
    request(json!({})).unwrap()
}

#[test]
fn a_bare_request_gets_every_default() {
    let r = defaults();
    assert_eq!(r.run_id, "orders");
    assert_eq!(
        (
            r.max_latency_seconds,
            r.drained_for_seconds,
            r.drain_timeout_minutes,
            r.stop_timeout_minutes
        ),
        (5, 120, 60, 30)
    );
    assert_eq!(r.then, AfterCutover::Delete);
    assert_eq!(
        (r.approval, r.approval_timeout_minutes),
        (Approval::None, 240)
    );
    let required =
        request(json!({"approval": "required", "approval_timeout_minutes": 30})).unwrap();
    assert_eq!(required.approval, Approval::Required);
    assert_eq!(CutoverRecord::new(required).approval_timeout_seconds, 1800);
    assert_eq!(serde_json::to_value(&r).unwrap()["then"], "delete");
}

#[test]
fn every_problem_of_a_request_is_named_at_once() {
    let problems = CutoverRequest::parse(
        json!({"action": "cutover", "max_latency_seconds": -1, "drain_timeout_minutes": 0,
               "then": "drop", "approval": "maybe", "approver": "me"})
        .as_object()
        .unwrap(),
    )
    .unwrap_err();
    let text = problems.join("\n");
    assert_eq!(problems.len(), 6, "{text}");
    for field in [
        "approver:",
        "approval:",
        "run_id:",
        "max_latency_seconds:",
        "drain_timeout_minutes:",
        "then:",
    ] {
        assert!(text.contains(field), "{field} in {text}");
    }
    assert!(text.contains("`keep`"), "the fix is named: {text}");
}

fn running_in_cdc() -> Task {
    let mut t = task("dmsflow-orders-task", "running");
    t.stats = Some(TaskStats {
        full_load_progress_percent: 100,
        tables_loaded: 3,
        ..TaskStats::default()
    });
    t
}

#[test]
fn only_a_running_cdc_task_of_the_run_after_its_full_load_is_cut_over() {
    let t = running_in_cdc();
    assert_eq!(refusal("orders", &t, &owned_tags("orders")), None);
    let foreign = refusal("orders", &t, &foreign_tags()).unwrap();
    assert!(foreign.contains("not this run's"), "{foreign}");
    let other_run = refusal("orders", &t, &owned_tags("orders-2")).unwrap();
    assert!(other_run.contains("does not carry"), "{other_run}");
    let mut stopped = running_in_cdc();
    stopped.status = "stopped".into();
    assert!(
        refusal("orders", &stopped, &owned_tags("orders"))
            .unwrap()
            .contains("stopped, not running")
    );
    let mut full_load = running_in_cdc();
    full_load.migration_type = "full-load".into();
    assert!(
        refusal("orders", &full_load, &owned_tags("orders"))
            .unwrap()
            .contains("no CDC")
    );
    let mut loading = running_in_cdc();
    loading.stats.as_mut().unwrap().full_load_progress_percent = 60;
    assert!(
        refusal("orders", &loading, &owned_tags("orders"))
            .unwrap()
            .contains("60%")
    );
    let mut cdc_only = running_in_cdc();
    cdc_only.migration_type = "cdc".into();
    cdc_only.stats = None;
    assert_eq!(refusal("orders", &cdc_only, &owned_tags("orders")), None);
}

fn look(at: u64, source: f64, target: f64, applied: i64) -> DrainLook {
    DrainLook {
        at,
        latency_source_seconds: Some(source),
        latency_target_seconds: Some(target),
        applied_changes: applied,
    }
}

#[test]
fn the_drain_counts_from_the_first_quiet_look_and_restarts_when_writes_resume() {
    let r = defaults();
    let d1 = Drain::after(None, look(1000, 30.0, 40.0, 500), &r);
    assert_eq!(d1.quiet_since, None);
    assert!(
        d1.not_quiet
            .as_deref()
            .unwrap()
            .contains("CDCLatencySource 30 s")
    );
    let d2 = Drain::after(Some(&d1), look(1060, 1.0, 2.0, 520), &r);
    assert_eq!(d2.quiet_since, None, "changes were still applied");
    assert!(d2.not_quiet.as_deref().unwrap().contains("20 more changes"));
    let d3 = Drain::after(Some(&d2), look(1120, 0.0, 1.0, 520), &r);
    assert_eq!(d3.quiet_since, Some(1120));
    assert!(!d3.drained(&r));
    let d4 = Drain::after(Some(&d3), look(1240, 0.0, 0.0, 520), &r);
    assert_eq!(d4.quiet_for(), 120);
    assert!(d4.drained(&r));
    let resumed = Drain::after(Some(&d4), look(1300, 0.0, 9.0, 520), &r);
    assert_eq!(resumed.quiet_since, None);
    assert!(!resumed.drained(&r));
    let no_data = Drain::after(
        None,
        DrainLook {
            at: 5,
            ..DrainLook::default()
        },
        &r,
    );
    assert!(
        no_data
            .not_quiet
            .unwrap()
            .contains("no CDCLatencySource datapoint")
    );
    assert!(
        d4.figures()
            .contains("CDCLatencyTarget 0 s, 520 changes applied")
    );
}

fn table(name: &str, state: &str, validation: &str, failed: i64) -> TableStats {
    TableStats {
        schema: "orders".into(),
        table: name.into(),
        table_state: state.into(),
        full_load_rows: 10,
        inserts: 2,
        updates: 3,
        deletes: 1,
        validation_state: validation.into(),
        validation_failed_records: failed,
        ..TableStats::default()
    }
}

#[test]
fn the_final_check_names_every_table_that_is_not_complete_and_validated() {
    let good = table("a", "Table completed", "Validated", 0);
    assert!(final_problems(std::slice::from_ref(&good), true).is_empty());
    let tables = [
        good.clone(),
        table("b", "Table error", "Table error", 0),
        table("c", "Table completed", "Mismatched records", 4),
        table("d", "Table completed", "Pending records", 0),
    ];
    let problems = final_problems(&tables, true);
    assert_eq!(problems.len(), 3, "{problems:?}");
    assert!(problems[0].starts_with("orders.b: Table error"));
    assert!(problems[1].contains("4 records failed validation"));
    assert!(problems[2].contains("validation Pending records"));
    assert_eq!(
        final_problems(&tables[3..], false),
        Vec::<String>::new(),
        "validation off"
    );
    assert_eq!(final_problems(&[], true).len(), 1);
}

#[test]
fn the_report_lists_the_first_tables_and_totals_all() {
    let tables: Vec<TableStats> = (0..25)
        .map(|i| table(&format!("t{i:02}"), "Table completed", "Validated", 0))
        .collect();
    let report = table_report(&tables);
    assert_eq!(report["count"], 25);
    assert_eq!(report["listed"], TABLES_NAMED);
    assert_eq!(report["tables"][0]["table"], "orders.t00");
    assert_eq!(report["inserts"], 50);
    assert_eq!(report["full_load_rows"], 250);
}

#[test]
fn only_error_stops_are_abnormal() {
    assert!(abnormal_stop(Some("Stop Reason FATAL_ERROR")));
    assert!(abnormal_stop(Some("Stop Reason STOPPED_DUE_TO_LOW_DISK")));
    assert!(!abnormal_stop(Some("Stop Reason NORMAL")));
    assert!(!abnormal_stop(None));
}

#[test]
fn the_table_report_stays_small_at_20000_tables() {
    let tables: Vec<TableStats> = (0..20_000)
        .map(|i| TableStats {
            schema: "orders".into(),
            table: format!("t{i:05}"),
            table_state: "Table completed".into(),
            full_load_rows: 100,
            validation_state: "Validated".into(),
            ..TableStats::default()
        })
        .collect();
    let report = table_report(&tables);
    assert_eq!(report["count"], 20_000);
    assert_eq!(report["listed"], TABLES_NAMED);
    assert_eq!(report["full_load_rows"], 2_000_000);
    assert!(
        report.to_string().len() < 5_000,
        "{}",
        report.to_string().len()
    );
}
