//! ReloadTables, its refusals, and the `-once` drills it recovers from, through the
//! real SDK client.

mod common;

use aws_sdk_databasemigration::Client;
use aws_sdk_databasemigration::types::{
    MigrationTypeValue as M, ReloadOptionValue, StartReplicationTaskTypeValue as S,
    TableStatistics, TableToReload,
};
use common::*;
use dms_emulator::Scenario;

/// Slow enough (1 simulated second = 200 ms) to see a reload's every state.
fn slow() -> Scenario {
    Scenario {
        speed: Some(5.0),
        ..Scenario::default()
    }
}

fn table(name: &str) -> TableToReload {
    TableToReload::builder()
        .schema_name("sales")
        .table_name(name)
        .build()
        .unwrap()
}

async fn stats(dms: &Client, task: &str, name: &str) -> TableStatistics {
    dms.describe_table_statistics()
        .replication_task_arn(task)
        .filters(filter("table-name", name))
        .send()
        .await
        .expect("describe table statistics")
        .table_statistics()[0]
        .clone()
}

/// Polls `name` until `done`; gives the last statistics and every distinct value
/// of `field` seen, in order.
async fn watch(
    dms: &Client,
    task: &str,
    name: &str,
    field: fn(&TableStatistics) -> String,
    done: fn(&TableStatistics) -> bool,
) -> (TableStatistics, Vec<String>) {
    let seen = std::sync::Mutex::new(Vec::<String>::new());
    let last = eventually(&format!("{name} settled"), || async {
        let t = stats(dms, task, name).await;
        let mut seen = seen.lock().unwrap();
        let value = field(&t);
        if seen.last() != Some(&value) {
            seen.push(value);
        }
        done(&t).then_some(t)
    })
    .await;
    (last, seen.into_inner().unwrap())
}

fn state(t: &TableStatistics) -> String {
    t.table_state().unwrap_or_default().to_string()
}

fn validation(t: &TableStatistics) -> String {
    t.validation_state().unwrap_or_default().to_string()
}

/// `seen` is `order` with some steps possibly missed, in order.
fn in_order(seen: &[String], order: &[&str]) {
    let mut at = 0;
    for s in seen {
        at += order[at..]
            .iter()
            .position(|o| o == s)
            .unwrap_or_else(|| panic!("{s} out of order in {seen:?}"));
    }
}

async fn reload(dms: &Client, task: &str, names: &[&str], option: ReloadOptionValue) {
    let out = dms
        .reload_tables()
        .replication_task_arn(task)
        .set_tables_to_reload(Some(names.iter().map(|n| table(n)).collect()))
        .reload_option(option)
        .send()
        .await
        .expect("reload tables");
    assert_eq!(out.replication_task_arn(), Some(task));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn table_error_once_is_reloaded_and_completes() {
    let env = start_with(slow()).await;
    let dms = &env.dms;
    let s = setup(dms, "ro").await;
    let arn = create_task(
        dms,
        &s,
        "ro-task",
        M::FullLoadAndCdc,
        None,
        vec![tag("dms-emulator:table-error-once", "orders")],
    )
    .await;
    start_task(dms, &arn, S::StartReplication).await;
    wait_cdc_running(dms, &arn).await;
    let before = stats(dms, &arn, "orders").await;
    assert_eq!(before.table_state(), Some("Table error"));
    assert!(!before.full_load_reloaded().unwrap());
    assert_eq!(
        task(dms, &arn)
            .await
            .replication_task_stats()
            .unwrap()
            .tables_errored(),
        1
    );

    reload(dms, &arn, &["orders"], ReloadOptionValue::DataReload).await;
    let (after, seen) = watch(dms, &arn, "orders", state, |t| {
        t.table_state() == Some("Table completed")
    })
    .await;
    assert_eq!(seen[0], "Table is being reloaded", "{seen:?}");
    in_order(
        &seen,
        &[
            "Table is being reloaded",
            "Before load",
            "Full load",
            "Table completed",
        ],
    );
    assert!(after.full_load_reloaded().unwrap());
    assert_eq!(after.full_load_rows(), 12_000);
    assert_eq!(after.full_load_error_rows(), 0);
    assert!(after.full_load_start_time().unwrap() > before.full_load_end_time().unwrap());
    let others = stats(dms, &arn, "customers").await;
    assert!(!others.full_load_reloaded().unwrap());
    let t = task(dms, &arn).await;
    assert_eq!(
        t.status(),
        Some("running"),
        "a reload does not stop the task"
    );
    let st = t.replication_task_stats().unwrap();
    assert_eq!((st.tables_loaded(), st.tables_errored()), (6, 0));

    let calls = env.handle.emulator().calls();
    let logged = calls["calls"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["operation"] == "ReloadTables")
        .unwrap();
    assert_eq!(logged["resource_arn"], arn.as_str());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn table_error_errors_again_after_its_reload() {
    let env = start_with(slow()).await;
    let dms = &env.dms;
    let s = setup(dms, "ra").await;
    let arn = create_task(
        dms,
        &s,
        "ra-task",
        M::FullLoadAndCdc,
        None,
        vec![tag("dms-emulator:table-error", "orders")],
    )
    .await;
    start_task(dms, &arn, S::StartReplication).await;
    wait_cdc_running(dms, &arn).await;
    reload(dms, &arn, &["orders"], ReloadOptionValue::DataReload).await;
    let (after, seen) = watch(dms, &arn, "orders", state, |t| {
        t.table_state() == Some("Table error")
    })
    .await;
    assert_ne!(seen, ["Table error"], "the table reloaded first");
    assert!(after.full_load_reloaded().unwrap());
    assert!(after.full_load_error_rows() > 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn validate_only_revalidates() {
    let env = start_with(slow()).await;
    let dms = &env.dms;
    let s = setup(dms, "rv").await;
    let arn = create_task(
        dms,
        &s,
        "rv-task",
        M::FullLoadAndCdc,
        Some(r#"{"ValidationSettings":{"EnableValidation":true}}"#),
        vec![
            tag("dms-emulator:validation-mismatch-once", "orders=3"),
            tag("dms-emulator:validation-mismatches", "payments=2"),
        ],
    )
    .await;
    start_task(dms, &arn, S::StartReplication).await;
    wait_cdc_running(dms, &arn).await;
    for (name, failed) in [("orders", 3), ("payments", 2)] {
        let (t, _) = watch(dms, &arn, name, validation, |t| {
            t.validation_state() == Some("Mismatched records")
        })
        .await;
        assert_eq!(t.validation_failed_records(), failed);
    }

    reload(
        dms,
        &arn,
        &["orders", "payments"],
        ReloadOptionValue::ValidateOnly,
    )
    .await;
    let (orders, seen) = watch(dms, &arn, "orders", validation, |t| {
        t.validation_state() == Some("Validated")
    })
    .await;
    assert_eq!(seen[0], "Pending revalidation", "{seen:?}");
    assert_eq!(orders.validation_failed_records(), 0);
    assert_eq!(orders.table_state(), Some("Table completed"));
    assert!(!orders.full_load_reloaded().unwrap(), "no data reloaded");
    let payments = stats(dms, &arn, "payments").await;
    assert_eq!(payments.validation_state(), Some("Mismatched records"));
    assert_eq!(payments.validation_failed_records(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals() {
    let env = start().await;
    let dms = &env.dms;
    let s = setup(dms, "rr").await;
    let arn = create_task(dms, &s, "rr-task", M::FullLoadAndCdc, None, vec![]).await;
    let call = |task: &str, names: &[&str]| {
        dms.reload_tables()
            .replication_task_arn(task)
            .set_tables_to_reload(Some(names.iter().map(|n| table(n)).collect()))
    };

    // Not running (ready) -> InvalidResourceStateFault, as the reference says.
    let e = call(&arn, &["orders"]).send().await.unwrap_err();
    assert_eq!(code(&e), "InvalidResourceStateFault");
    let e = call(&format!("{arn}X"), &["orders"])
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "ResourceNotFoundFault");

    start_task(dms, &arn, S::StartReplication).await;
    wait_cdc_running(dms, &arn).await;
    let eleven = [
        "t1", "t2", "t3", "t4", "t5", "t6", "t7", "t8", "t9", "t10", "t11",
    ];
    let e = call(&arn, &eleven).send().await.unwrap_err();
    assert_eq!(code(&e), "InvalidParameterValueException");
    let e = call(&arn, &["orders", "ORDERS"]).send().await.unwrap_err();
    assert_eq!(code(&e), "InvalidParameterValueException");
    let e = call(&arn, &["orders", "nope"]).send().await.unwrap_err();
    assert_eq!(code(&e), "ResourceNotFoundFault");
    let e = call(&arn, &["orders"])
        .reload_option(ReloadOptionValue::ValidateOnly)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "InvalidParameterCombinationException");
    // None of those reloaded anything.
    assert!(
        !stats(dms, &arn, "orders")
            .await
            .full_load_reloaded()
            .unwrap()
    );

    // A cdc-only task cannot reload tables.
    let cdc = create_task(dms, &s, "rr-cdc", M::Cdc, None, vec![]).await;
    start_task(dms, &cdc, S::StartReplication).await;
    wait_task_status(dms, &cdc, "running").await;
    let e = call(&cdc, &["orders"]).send().await.unwrap_err();
    assert_eq!(code(&e), "InvalidResourceStateFault");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn table_error_once_errors_on_the_first_run_only() {
    let env = start().await;
    let dms = &env.dms;
    let s = setup(dms, "rt").await;
    let arn = create_task(
        dms,
        &s,
        "rt-task",
        M::FullLoad,
        None,
        vec![tag("dms-emulator:table-error-once", "orders")],
    )
    .await;
    start_task(dms, &arn, S::StartReplication).await;
    let first = wait_task_status(dms, &arn, "stopped").await;
    assert_eq!(first.replication_task_stats().unwrap().tables_errored(), 1);
    start_task(dms, &arn, S::ReloadTarget).await;
    wait_task_status(dms, &arn, "running").await;
    let again = wait_task_status(dms, &arn, "stopped").await;
    let st = again.replication_task_stats().unwrap();
    assert_eq!((st.tables_loaded(), st.tables_errored()), (6, 0));
}
