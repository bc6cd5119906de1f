use super::*;
use crate::progress::fixtures;

fn table(name: &str, state: &str, failed: i64) -> TableStats {
    TableStats {
        schema: "sales".into(),
        table: name.into(),
        table_state: state.into(),
        validation_failed_records: failed,
        ..TableStats::default()
    }
}

fn running() -> ProgressSummary {
    ProgressSummary {
        status: "running".into(),
        ..ProgressSummary::default()
    }
}

fn errored() -> StepError {
    StepError::new(ErrorKind::TablesErrored, "1 table(s) are in `Table error`.")
}

fn failing() -> StepError {
    StepError::new(ErrorKind::ValidationFailed, "3 failed record(s).")
}

#[test]
fn an_errored_table_is_reloaded_as_often_as_the_spec_allows_then_the_error_says_so() {
    let spec = fixtures::spec(serde_json::json!({}));
    let tables = [
        table("orders", table_state::ERROR, 0),
        table("items", "Table completed", 0),
    ];
    let none = Remediation::default();
    let (action, record) = none.next(&errored(), &spec, &running(), &tables).unwrap();
    assert_eq!(action.option, ReloadOption::DataReload);
    assert_eq!(action.tables.len(), 1);
    assert_eq!(action.tables[0].table, "orders");
    assert_eq!(record.reloads["sales.orders"], 1);
    // The next check waits once for DMS to show the reload.
    assert!(record.settling(&errored(), &tables));
    let judged = Remediation {
        just_acted_on: Vec::new(),
        ..record
    };
    assert!(!judged.settling(&errored(), &tables));
    // The default allows one reload: nothing more to try.
    assert!(
        judged
            .next(&errored(), &spec, &running(), &tables)
            .is_none()
    );
    let error = judged.explain(errored(), &spec, &running());
    assert!(
        error.message.ends_with(
            "dmsflow already tried, with ReloadTables while the task ran: sales.orders (1 reload)."
        ),
        "{}",
        error.message
    );
    assert_eq!(
        judged.notes(),
        ["Table sales.orders was in Table error and was reloaded (1 reload)."]
    );
}

#[test]
fn failed_records_are_re_validated_once_and_only_on_a_running_task() {
    let spec = fixtures::spec(serde_json::json!({}));
    let tables = [table("orders", "Table completed", 3)];
    let (action, record) = Remediation::default()
        .next(&failing(), &spec, &running(), &tables)
        .unwrap();
    assert_eq!(action.option, ReloadOption::ValidateOnly);
    assert_eq!(record.revalidated["sales.orders"], 3);
    assert!(
        record
            .next(&failing(), &spec, &running(), &tables)
            .is_none()
    );
    let stopped = ProgressSummary {
        task: "t".into(),
        status: "stopped".into(),
        ..ProgressSummary::default()
    };
    assert!(
        Remediation::default()
            .next(&failing(), &spec, &stopped, &tables)
            .is_none()
    );
    let said = Remediation::default().explain(failing(), &spec, &stopped);
    assert!(
        said.message
            .ends_with("DMS does so only while the task runs, and task t is stopped."),
        "{}",
        said.message
    );
    let off = fixtures::spec(serde_json::json!({"remediation": {"revalidate": false,
        "reload_errored_tables": 0}}));
    assert!(
        Remediation::default()
            .next(&failing(), &off, &running(), &tables)
            .is_none()
    );
    let errored_tables = [table("orders", table_state::ERROR, 0)];
    assert!(
        Remediation::default()
            .next(&errored(), &off, &running(), &errored_tables)
            .is_none()
    );
}

#[test]
fn at_most_ten_tables_go_into_one_reload() {
    let spec = fixtures::spec(serde_json::json!({}));
    let tables: Vec<TableStats> = (0..12)
        .map(|i| table(&format!("t{i:02}"), table_state::ERROR, 0))
        .collect();
    let (action, record) = Remediation::default()
        .next(&errored(), &spec, &running(), &tables)
        .unwrap();
    assert_eq!(action.tables.len(), TABLES_PER_RELOAD);
    let (rest, _) = Remediation {
        just_acted_on: Vec::new(),
        ..record
    }
    .next(&errored(), &spec, &running(), &tables)
    .unwrap();
    assert_eq!(rest.tables.len(), 2);
}

#[test]
fn other_errors_are_left_as_they_are() {
    let spec = fixtures::spec(serde_json::json!({}));
    let failed = StepError::new(ErrorKind::TaskFailed, "the task failed");
    assert!(
        Remediation::default()
            .next(&failed, &spec, &running(), &[])
            .is_none()
    );
    assert_eq!(
        Remediation::default().explain(failed.clone(), &spec, &running()),
        failed
    );
}

#[test]
fn a_run_remediates_a_bounded_number_of_tables_whatever_the_catalog() {
    let spec = fixtures::spec(serde_json::json!({}));
    let tables: Vec<TableStats> = (0..20_000)
        .map(|i| table(&format!("t{i:05}"), table_state::ERROR, 0))
        .collect();
    let mut record = Remediation::default();
    let mut calls = 0;
    while let Some((action, next)) = record.next(&errored(), &spec, &running(), &tables) {
        assert!(action.tables.len() <= TABLES_PER_RELOAD);
        record = Remediation {
            just_acted_on: Vec::new(),
            ..next
        };
        calls += 1;
    }
    assert_eq!(record.reloads.len(), MAX_TABLES_REMEDIATED);
    assert_eq!(calls, MAX_TABLES_REMEDIATED / TABLES_PER_RELOAD);
    let error = record.explain(errored(), &spec, &running());
    assert!(error.message.len() < 2_000, "{}", error.message);
    assert!(error.message.contains("and 45 more"), "{}", error.message);
    assert!(
        error.message.contains("at most 50 tables a run"),
        "{}",
        error.message
    );
    assert_eq!(record.notes().len(), MAX_TABLES_REMEDIATED);
}
