//! Failure drills driven by `dms-emulator:` tags and by scenarios.

mod common;

use aws_sdk_databasemigration::types::{
    MigrationTypeValue as M, StartReplicationTaskTypeValue as S,
};
use common::*;
use dms_emulator::Scenario;

async fn connection(
    dms: &aws_sdk_databasemigration::Client,
    ri: &str,
    ep: &str,
) -> aws_sdk_databasemigration::types::Connection {
    dms.test_connection()
        .replication_instance_arn(ri)
        .endpoint_arn(ep)
        .send()
        .await
        .unwrap();
    eventually("connection tested", || async {
        let out = dms
            .describe_connections()
            .filters(filter("endpoint-arn", ep))
            .filters(filter("replication-instance-arn", ri))
            .send()
            .await
            .unwrap();
        let c = out.connections()[0].clone();
        (c.status() != Some("testing")).then_some(c)
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fail_connection_tag_fails_that_endpoint_only() {
    let env = start().await;
    let dms = &env.dms;
    let s = setup(dms, "fc").await;
    dms.add_tags_to_resource()
        .resource_arn(&s.source_arn)
        .tags(tag("dms-emulator:fail-connection", "source"))
        .send()
        .await
        .unwrap();
    let src = connection(dms, &s.instance_arn, &s.source_arn).await;
    assert_eq!(src.status(), Some("failed"));
    let msg = src.last_failure_message().unwrap();
    assert!(msg.starts_with("Test Endpoint failed"), "{msg}");
    assert!(
        msg.contains("fc-src.example.internal"),
        "names the server: {msg}"
    );
    let tgt = connection(dms, &s.instance_arn, &s.target_arn).await;
    assert_eq!(tgt.status(), Some("successful"));
    assert!(tgt.last_failure_message().is_none());

    // Removing the tag and testing again succeeds.
    dms.remove_tags_from_resource()
        .resource_arn(&s.source_arn)
        .tag_keys("dms-emulator:fail-connection")
        .send()
        .await
        .unwrap();
    assert_eq!(
        connection(dms, &s.instance_arn, &s.source_arn)
            .await
            .status(),
        Some("successful")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fail_connection_from_a_scenario_on_the_instance() {
    let env = start().await;
    let dms = &env.dms;
    let s = setup(dms, "fs").await;
    let (status, _) = control(
        env.handle.addr(),
        "POST",
        "/_emulator/scenario",
        Some(format!(
            r#"{{"speed": {SPEED}, "drills": {{"fs-ri": {{"fail-connection": "target"}}}}}}"#
        )),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        connection(dms, &s.instance_arn, &s.target_arn)
            .await
            .status(),
        Some("failed")
    );
    assert_eq!(
        connection(dms, &s.instance_arn, &s.source_arn)
            .await
            .status(),
        Some("successful")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fail_task_at_percent_fails_part_way_then_resume_finishes() {
    let env = start().await;
    let dms = &env.dms;
    let s = setup(dms, "fp").await;
    let arn = create_task(
        dms,
        &s,
        "fp-task",
        M::FullLoad,
        None,
        vec![tag("dms-emulator:fail-task-at-percent", "40")],
    )
    .await;
    start_task(dms, &arn, S::StartReplication).await;
    let failed = wait_task_status(dms, &arn, "failed").await;
    let pct = failed
        .replication_task_stats()
        .unwrap()
        .full_load_progress_percent();
    assert!((40..100).contains(&pct), "failed at {pct}%");
    assert!(failed.stop_reason().unwrap().ends_with("FATAL_ERROR"));
    let msg = failed.last_failure_message().unwrap();
    assert!(
        msg.contains("Last Error") && msg.contains("'sales'."),
        "{msg}"
    );
    assert!(failed.replication_task_stats().unwrap().tables_loaded() < 6);

    // The drill fires on fresh starts only: resume-processing completes the load.
    start_task(dms, &arn, S::ResumeProcessing).await;
    let done = wait_task_status(dms, &arn, "stopped").await;
    assert!(
        done.stop_reason()
            .unwrap()
            .ends_with("FULL_LOAD_ONLY_FINISHED")
    );
    assert!(done.last_failure_message().is_none());
    assert_eq!(done.replication_task_stats().unwrap().tables_loaded(), 6);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn table_error_marks_that_table_and_counts_it() {
    let env = start().await;
    let dms = &env.dms;
    let s = setup(dms, "te").await;
    let arn = create_task(
        dms,
        &s,
        "te-task",
        M::FullLoad,
        None,
        vec![tag("dms-emulator:table-error", "orders")],
    )
    .await;
    start_task(dms, &arn, S::StartReplication).await;
    let done = wait_task_status(dms, &arn, "stopped").await;
    let st = done.replication_task_stats().unwrap();
    assert_eq!((st.tables_loaded(), st.tables_errored()), (5, 1));
    let ts = dms
        .describe_table_statistics()
        .replication_task_arn(&arn)
        .filters(filter("table-state", "Table error"))
        .send()
        .await
        .unwrap();
    assert_eq!(ts.table_statistics().len(), 1);
    let orders = &ts.table_statistics()[0];
    assert_eq!(orders.table_name(), Some("orders"));
    assert!(orders.full_load_error_rows() > 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn validation_mismatches_are_reported_for_that_table() {
    let env = start().await;
    let dms = &env.dms;
    let s = setup(dms, "vm").await;
    let settings = r#"{"ValidationSettings":{"EnableValidation":true}}"#;
    let arn = create_task(
        dms,
        &s,
        "vm-task",
        M::FullLoad,
        Some(settings),
        vec![tag("dms-emulator:validation-mismatches", "orders=3")],
    )
    .await;
    start_task(dms, &arn, S::StartReplication).await;
    wait_task_status(dms, &arn, "stopped").await;
    let ts = dms
        .describe_table_statistics()
        .replication_task_arn(&arn)
        .send()
        .await
        .unwrap();
    for t in ts.table_statistics() {
        if t.table_name() == Some("orders") {
            assert_eq!(t.validation_state(), Some("Mismatched records"));
            assert_eq!(t.validation_failed_records(), 3);
            assert!(t.validation_state_details().unwrap().contains('3'));
        } else {
            assert_eq!(
                t.validation_state(),
                Some("Validated"),
                "{:?}",
                t.table_name()
            );
            assert_eq!(t.validation_failed_records(), 0);
        }
        assert_eq!(t.validation_pending_records(), 0);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_instance_stays_creating_longer() {
    let env = start().await;
    let dms = &env.dms;
    let slow = create_instance(
        dms,
        "slow-ri",
        None,
        vec![tag("dms-emulator:slow-instance-seconds", "150")],
    )
    .await;
    let quick = create_instance(dms, "quick-ri", None, vec![]).await;
    wait_instance_available(dms, &quick).await;
    assert_eq!(
        instance_status(dms, &slow).await.as_deref(),
        Some("creating")
    );
    wait_instance_available(dms, &slow).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cdc_latency_drill_holds_latency() {
    let env = start().await;
    let dms = &env.dms;
    let s = setup(dms, "lat").await;
    let slow = create_task(
        dms,
        &s,
        "lat-slow",
        M::FullLoadAndCdc,
        None,
        vec![tag("dms-emulator:cdc-latency-seconds", "9")],
    )
    .await;
    let normal = create_task(dms, &s, "lat-normal", M::FullLoadAndCdc, None, vec![]).await;
    for arn in [&slow, &normal] {
        start_task(dms, arn, S::StartReplication).await;
    }
    for arn in [&slow, &normal] {
        wait_cdc_running(dms, arn).await;
    }
    let (_, m) = control(
        env.handle.addr(),
        "GET",
        "/_emulator/tasks/lat-slow/metrics",
        None,
    )
    .await;
    assert_eq!(m["CDCLatencySource"], 9.0);
    assert_eq!(m["CDCLatencyTarget"], 9.0);
    let (_, m) = control(
        env.handle.addr(),
        "GET",
        "/_emulator/tasks/lat-normal/metrics",
        None,
    )
    .await;
    assert!(m["CDCLatencyTarget"].as_f64().unwrap() < 9.0, "{m}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scenario_wildcard_drills_apply_to_every_task() {
    let scenario =
        Scenario::from_json(r#"{"drills": {"*": {"table-error": "payments,inventory"}}}"#).unwrap();
    let env = start_with(scenario).await;
    let dms = &env.dms;
    let s = setup(dms, "wc").await;
    let arn = create_task(dms, &s, "wc-task", M::FullLoad, None, vec![]).await;
    start_task(dms, &arn, S::StartReplication).await;
    let done = wait_task_status(dms, &arn, "stopped").await;
    assert_eq!(done.replication_task_stats().unwrap().tables_errored(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_modify_keeps_that_task_modifying_longer() {
    let env = start().await;
    let dms = &env.dms;
    let s = setup(dms, "sm").await;
    // 100 simulated seconds: 2 s at the tests' speed, long after the plain task.
    let slow = create_task(
        dms,
        &s,
        "sm-slow",
        M::FullLoad,
        None,
        vec![tag("dms-emulator:slow-modify-seconds", "100")],
    )
    .await;
    let plain = create_task(dms, &s, "sm-plain", M::FullLoad, None, vec![]).await;
    for arn in [&slow, &plain] {
        let modified = dms
            .modify_replication_task()
            .replication_task_arn(arn)
            .table_mappings(mappings("sales", "orders"))
            .send()
            .await
            .expect("modify");
        assert_eq!(
            modified.replication_task().unwrap().status(),
            Some("modifying")
        );
    }
    wait_task_status(dms, &plain, "ready").await;
    assert_eq!(task(dms, &slow).await.status(), Some("modifying"));
    wait_task_status(dms, &slow, "ready").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fail_task_fails_a_running_task_with_the_message_given() {
    let env = start().await;
    let dms = &env.dms;
    let s = setup(dms, "ft").await;
    let arn = create_task(dms, &s, "ft-task", M::FullLoadAndCdc, None, vec![]).await;
    let emulator = env.handle.emulator();
    assert!(
        !emulator.fail_task("ft-task", "too early"),
        "a task that never ran has nothing to fail"
    );
    start_task(dms, &arn, S::StartReplication).await;
    wait_task_status(dms, &arn, "running").await;
    assert!(emulator.fail_task("FT-TASK", "the source went away"));
    assert!(!emulator.fail_task("no-such-task", "x"));
    let failed = wait_task_status(dms, &arn, "failed").await;
    assert!(failed.stop_reason().unwrap().ends_with("FATAL_ERROR"));
    assert!(
        failed
            .last_failure_message()
            .unwrap()
            .contains("the source went away"),
        "{:?}",
        failed.last_failure_message()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn set_cdc_latency_changes_a_running_tasks_latency() {
    let env = start().await;
    let dms = &env.dms;
    let s = setup(dms, "sl").await;
    let arn = create_task(
        dms,
        &s,
        "sl-task",
        M::FullLoadAndCdc,
        None,
        vec![tag("dms-emulator:cdc-latency-seconds", "500")],
    )
    .await;
    let emulator = env.handle.emulator();
    assert!(!emulator.set_cdc_latency("sl-task", 2.0), "not started yet");
    start_task(dms, &arn, S::StartReplication).await;
    wait_cdc_running(dms, &arn).await;
    let metrics = || emulator.task_metrics("sl-task").expect("metrics");
    assert_eq!(metrics()["CDCLatencyTarget"], 500.0);
    assert!(emulator.set_cdc_latency("sl-task", 2.0));
    assert_eq!(metrics()["CDCLatencySource"], 2.0);
    assert_eq!(metrics()["CDCLatencyTarget"], 2.0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stopped_source_writes_stop_the_changes_and_drain_the_latency() {
    let env = start().await;
    let dms = &env.dms;
    let s = setup(dms, "sw").await;
    let arn = create_task(
        dms,
        &s,
        "sw-task",
        M::FullLoadAndCdc,
        None,
        vec![tag("dms-emulator:cdc-latency-seconds", "30")],
    )
    .await;
    let emulator = env.handle.emulator();
    assert!(!emulator.stop_source_writes("sw-task"), "not started yet");
    start_task(dms, &arn, S::StartReplication).await;
    wait_cdc_running(dms, &arn).await;
    let metrics = || emulator.task_metrics("sw-task").expect("metrics");
    let changes = |m: &serde_json::Value| {
        let c = &m["counters"];
        c["inserts"].as_u64().unwrap()
            + c["updates"].as_u64().unwrap()
            + c["deletes"].as_u64().unwrap()
    };
    assert_eq!(metrics()["CDCLatencyTarget"], 30.0);
    assert!(emulator.stop_source_writes("sw-task"));
    let at_stop = metrics();
    assert_eq!(at_stop["CDCIncomingChanges"], 0);
    // The emulator runs simulated time fast: the 30 s of latency drain in well
    // under a real second, and no change is captured meanwhile.
    tokio::time::sleep(std::time::Duration::from_millis(1200)).await;
    let later = metrics();
    assert_eq!(later["CDCLatencySource"], 0.0, "{later}");
    assert_eq!(later["CDCLatencyTarget"], 0.0, "{later}");
    assert_eq!(
        changes(&later),
        changes(&at_stop),
        "no change after the stop"
    );
}
