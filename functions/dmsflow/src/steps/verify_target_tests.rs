use std::time::SystemTime;

use serde_json::json;

use super::*;
use crate::aws::dms::TableStats;
use crate::testing::{FakeDms, cutover_state, owned_tags, step_call, task};

const TASK: &str = "dmsflow-orders-task";

fn call() -> StepCall {
    step_call(&cutover_state(json!({})), "VerifyTarget")
}

fn table(name: &str, validation: &str, failed: i64) -> TableStats {
    TableStats {
        schema: "orders".into(),
        table: name.into(),
        table_state: "Table completed".into(),
        full_load_rows: 100,
        inserts: 5,
        validation_state: validation.into(),
        validation_failed_records: failed,
        ..TableStats::default()
    }
}

fn with_validation(dms: &FakeDms) {
    let mut t = task(TASK, "stopped");
    t.settings = Some(r#"{"ValidationSettings":{"EnableValidation":true}}"#.into());
    dms.put_task(t, owned_tags("orders"));
}

#[tokio::test]
async fn a_complete_validated_target_is_recorded_table_by_table() {
    let dms = FakeDms::new();
    with_validation(&dms);
    dms.set_table_stats(
        TASK,
        vec![table("a", "Validated", 0), table("b", "Validated", 0)],
    );
    let s = step(&dms, call(), SystemTime::now()).await.unwrap();
    assert!(s.step.done);
    let tables = s.cutover_record("VerifyTarget").unwrap().tables.unwrap();
    assert_eq!(tables["count"], 2);
    assert_eq!(tables["full_load_rows"], 200);
    assert_eq!(tables["tables"][1]["table"], "orders.b");
}

#[tokio::test]
async fn a_table_with_failed_records_fails_the_check_by_name() {
    let dms = FakeDms::new();
    with_validation(&dms);
    dms.set_table_stats(
        TASK,
        vec![
            table("a", "Validated", 0),
            table("b", "Mismatched records", 3),
        ],
    );
    let error = step(&dms, call(), SystemTime::now()).await.unwrap_err();
    assert_eq!(error.kind, ErrorKind::CutoverCheckFailed);
    assert!(error.message.contains("1 of 2 tables"), "{}", error.message);
    assert!(
        error
            .message
            .contains("orders.b: 3 records failed validation"),
        "{}",
        error.message
    );
    assert!(error.message.contains("stays stopped"), "{}", error.message);
    assert!(
        dms.calls()
            .iter()
            .all(|c| !c.starts_with("stop") && !c.starts_with("delete"))
    );
}
