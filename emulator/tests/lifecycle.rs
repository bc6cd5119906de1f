//! Whole lifecycles through the real SDK: subnet group, instance, endpoints,
//! connection tests, tasks of each migration type, stop/resume, clean-up.

mod common;

use std::time::{Duration, SystemTime};

use aws_sdk_databasemigration::types::{
    MigrationTypeValue as M, ReplicationTask, StartReplicationTaskTypeValue as S,
};
use aws_smithy_types::DateTime;
use common::*;
use serde_json::Value;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn full_load_lifecycle_from_nothing_back_to_nothing() {
    let env = start().await;
    let dms = &env.dms;

    // Subnet group and an instance that starts `creating` and becomes `available`.
    dms.create_replication_subnet_group()
        .replication_subnet_group_identifier("life-subnets")
        .replication_subnet_group_description("two AZs")
        .subnet_ids("subnet-0001")
        .subnet_ids("subnet-0002")
        .send()
        .await
        .unwrap();
    let created = dms
        .create_replication_instance()
        .replication_instance_identifier("Life-RI")
        .replication_instance_class("dms.t3.medium")
        .replication_subnet_group_identifier("life-subnets")
        .tags(tag("team", "data"))
        .send()
        .await
        .unwrap();
    let ri = created.replication_instance().unwrap();
    assert_eq!(ri.replication_instance_status(), Some("creating"));
    assert_eq!(
        ri.replication_instance_identifier(),
        Some("life-ri"),
        "DMS lowercases identifiers"
    );
    let ri_arn = ri.replication_instance_arn().unwrap().to_string();
    let suffix = ri_arn
        .strip_prefix("arn:aws:dms:us-east-1:123456789012:rep:")
        .expect("instance ARN shape");
    assert!(
        suffix.len() >= 20
            && suffix
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
    );
    assert!(
        ri.instance_create_time().is_some(),
        "timestamps parse as epoch numbers"
    );
    wait_instance_available(dms, &ri_arn).await;
    let described = dms.describe_replication_instances().send().await.unwrap();
    let group = described.replication_instances()[0]
        .replication_subnet_group()
        .unwrap();
    assert_eq!(
        group.replication_subnet_group_identifier(),
        Some("life-subnets")
    );
    assert_eq!(group.subnets().len(), 2);

    // Endpoints are active at once; DMS answers the type in upper case.
    let src = create_endpoint(dms, "life-src", "source", vec![]).await;
    let tgt = create_endpoint(dms, "life-tgt", "target", vec![]).await;
    let eps = dms
        .describe_endpoints()
        .filters(filter("endpoint-type", "source"))
        .send()
        .await
        .unwrap();
    assert_eq!(eps.endpoints().len(), 1);
    let ep = &eps.endpoints()[0];
    assert_eq!(ep.status(), Some("active"));
    assert_eq!(ep.endpoint_type().unwrap().as_str(), "SOURCE");
    assert_eq!(ep.engine_display_name(), Some("PostgreSQL"));
    assert_eq!(ep.database_name(), Some("sales"));

    // Connection tests: testing -> successful.
    for arn in [&src, &tgt] {
        let c = dms
            .test_connection()
            .replication_instance_arn(&ri_arn)
            .endpoint_arn(arn)
            .send()
            .await
            .unwrap();
        assert_eq!(c.connection().unwrap().status(), Some("testing"));
    }
    eventually("both connections successful", || async {
        let out = dms.describe_connections().send().await.unwrap();
        let ok = out.connections().len() == 2
            && out
                .connections()
                .iter()
                .all(|c| c.status() == Some("successful"));
        ok.then_some(())
    })
    .await;
    let conns = dms
        .describe_connections()
        .filters(filter("endpoint-arn", &src))
        .send()
        .await
        .unwrap();
    assert_eq!(
        conns.connections()[0].endpoint_identifier(),
        Some("life-src")
    );
    assert_eq!(
        conns.connections()[0].replication_instance_identifier(),
        Some("life-ri")
    );

    // A full-load task: creating -> ready -> starting -> ... -> stopped (FULL_LOAD_ONLY_FINISHED).
    let setup = Setup {
        subnet_group: "life-subnets".into(),
        instance_arn: ri_arn.clone(),
        source_arn: src.clone(),
        target_arn: tgt.clone(),
    };
    let task_arn = create_task(
        dms,
        &setup,
        "life-task",
        M::FullLoad,
        None,
        vec![tag("owner", "me")],
    )
    .await;
    assert!(task_arn.starts_with("arn:aws:dms:us-east-1:123456789012:task:"));
    let before = task(dms, &task_arn).await;
    assert_eq!(
        before
            .replication_task_stats()
            .unwrap()
            .full_load_progress_percent(),
        0
    );
    let started = start_task(dms, &task_arn, S::StartReplication).await;
    assert_eq!(started.status(), Some("starting"));
    let done = wait_task_status(dms, &task_arn, "stopped").await;
    assert!(
        done.stop_reason()
            .unwrap()
            .ends_with("FULL_LOAD_ONLY_FINISHED"),
        "{:?}",
        done.stop_reason()
    );
    let stats = done.replication_task_stats().unwrap();
    assert_eq!(stats.full_load_progress_percent(), 100);
    assert_eq!(stats.tables_loaded(), 6);
    assert_eq!(
        (
            stats.tables_loading(),
            stats.tables_queued(),
            stats.tables_errored()
        ),
        (0, 0, 0)
    );
    assert!(stats.elapsed_time_millis() > 0);
    assert!(
        stats.full_load_finish_date().is_some()
            && stats.stop_date().is_some()
            && stats.fresh_start_date().is_some()
    );
    let settings: Value = serde_json::from_str(done.replication_task_settings().unwrap()).unwrap();
    assert_eq!(settings["FullLoadSettings"]["MaxFullLoadSubTasks"], 8);

    // Table statistics: the default catalog, in the schema the mappings name.
    let ts = dms
        .describe_table_statistics()
        .replication_task_arn(&task_arn)
        .send()
        .await
        .unwrap();
    let tables = ts.table_statistics();
    assert_eq!(tables.len(), 6);
    assert!(tables.iter().all(|t| t.schema_name() == Some("sales") && t.table_state() == Some("Table completed")));
    assert!(
        tables
            .iter()
            .all(|t| t.validation_state() == Some("Not enabled"))
    );
    let orders = tables
        .iter()
        .find(|t| t.table_name() == Some("orders"))
        .unwrap();
    assert_eq!(orders.full_load_rows(), 12_000);
    assert_eq!(orders.inserts(), 0, "no CDC on a full-load task");

    // Tags by ResourceArn and by ResourceArnList.
    let one = dms
        .list_tags_for_resource()
        .resource_arn(&ri_arn)
        .send()
        .await
        .unwrap();
    assert_eq!(one.tag_list().len(), 1);
    assert_eq!(one.tag_list()[0].value(), Some("data"));
    let both = dms
        .list_tags_for_resource()
        .resource_arn_list(&ri_arn)
        .resource_arn_list(&task_arn)
        .send()
        .await
        .unwrap();
    let owners: Vec<_> = both
        .tag_list()
        .iter()
        .map(|t| (t.key().unwrap(), t.resource_arn().unwrap()))
        .collect();
    assert!(
        owners.contains(&("team", ri_arn.as_str()))
            && owners.contains(&("owner", task_arn.as_str()))
    );

    // Clean up in DMS's order; deletes pass through `deleting`.
    let del = dms
        .delete_replication_task()
        .replication_task_arn(&task_arn)
        .send()
        .await
        .unwrap();
    assert_eq!(del.replication_task().unwrap().status(), Some("deleting"));
    eventually("task gone", || async {
        let r = dms
            .describe_replication_tasks()
            .filters(filter("replication-task-arn", &task_arn))
            .send()
            .await;
        r.err()
            .filter(|e| code(e) == "ResourceNotFoundFault")
            .map(|_| ())
    })
    .await;
    for arn in [&src, &tgt] {
        let d = dms
            .delete_endpoint()
            .endpoint_arn(arn)
            .send()
            .await
            .unwrap();
        assert_eq!(d.endpoint().unwrap().status(), Some("deleting"));
    }
    let d = dms
        .delete_replication_instance()
        .replication_instance_arn(&ri_arn)
        .send()
        .await
        .unwrap();
    assert_eq!(
        d.replication_instance()
            .unwrap()
            .replication_instance_status(),
        Some("deleting")
    );
    eventually("instance gone", || async {
        instance_status(dms, &ri_arn).await.is_none().then_some(())
    })
    .await;
    dms.delete_replication_subnet_group()
        .replication_subnet_group_identifier("life-subnets")
        .send()
        .await
        .unwrap();
    let res = eventually("nothing left", || async {
        let r = env.handle.emulator().resources();
        (r["total"] == 0).then_some(r)
    })
    .await;
    assert_eq!(
        res["connections"]["count"], 0,
        "connections go with their endpoints"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn full_load_and_cdc_keeps_running_then_stops_and_resumes() {
    let env = start().await;
    let dms = &env.dms;
    let s = setup(dms, "cdc").await;
    let arn = create_task(dms, &s, "cdc-task", M::FullLoadAndCdc, None, vec![]).await;
    start_task(dms, &arn, S::StartReplication).await;

    // Full load done while the task stays running.
    let t = eventually("full load finished, still running", || async {
        let t = task(dms, &arn).await;
        let st = t.replication_task_stats().unwrap();
        (t.status() == Some("running")
            && st.full_load_progress_percent() == 100
            && st.tables_loaded() == 6)
            .then_some(t)
    })
    .await;
    assert!(t.stop_reason().is_none());

    // CDC counters grow.
    let inserts = || async {
        let ts = dms
            .describe_table_statistics()
            .replication_task_arn(&arn)
            .send()
            .await
            .unwrap();
        ts.table_statistics()
            .iter()
            .map(|t| t.inserts())
            .sum::<i64>()
    };
    let first = inserts().await;
    let later = eventually("CDC inserts grow", || async {
        let n = inserts().await;
        (n > first && n > 0).then_some(n)
    })
    .await;
    assert_eq!(task(dms, &arn).await.status(), Some("running"));

    // Latency is low once the full load is over.
    let (status, m) = control(
        env.handle.addr(),
        "GET",
        "/_emulator/tasks/cdc-task/metrics",
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(m["status"], "running");
    assert!(
        m["CDCLatencySource"].as_f64().unwrap() <= 2.0
            && m["CDCLatencyTarget"].as_f64().unwrap() <= 2.0,
        "{m}"
    );
    assert!(m["counters"]["inserts"].as_u64().unwrap() >= later as u64);

    // Stop: stopping -> stopped (NORMAL).
    let stopping = dms
        .stop_replication_task()
        .replication_task_arn(&arn)
        .send()
        .await
        .unwrap();
    assert_eq!(
        stopping.replication_task().unwrap().status(),
        Some("stopping")
    );
    let stopped = wait_task_status(dms, &arn, "stopped").await;
    assert!(stopped.stop_reason().unwrap().ends_with("NORMAL"));
    let frozen = inserts().await;

    // A second start-replication is refused; resume-processing continues CDC without reloading.
    let again = dms
        .start_replication_task()
        .replication_task_arn(&arn)
        .start_replication_task_type(S::StartReplication)
        .send()
        .await;
    assert_eq!(
        code(&again.unwrap_err()),
        "InvalidParameterCombinationException"
    );
    start_task(dms, &arn, S::ResumeProcessing).await;
    wait_task_status(dms, &arn, "running").await;
    let resumed = eventually("CDC continues after resume", || async {
        let n = inserts().await;
        (n > frozen).then_some(n)
    })
    .await;
    assert!(resumed > frozen);
    let ts = dms
        .describe_table_statistics()
        .replication_task_arn(&arn)
        .send()
        .await
        .unwrap();
    assert!(
        ts.table_statistics()
            .iter()
            .all(|t| t.table_state() == Some("Table completed") && t.full_load_rows() > 0)
    );
    dms.stop_replication_task()
        .replication_task_arn(&arn)
        .send()
        .await
        .unwrap();
    wait_task_status(dms, &arn, "stopped").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cdc_only_goes_straight_to_cdc() {
    let env = start().await;
    let dms = &env.dms;
    let s = setup(dms, "co").await;
    let arn = create_task(dms, &s, "co-task", M::Cdc, None, vec![]).await;
    start_task(dms, &arn, S::StartReplication).await;
    wait_task_status(dms, &arn, "running").await;
    let stats = eventually("changes applied", || async {
        let ts = dms
            .describe_table_statistics()
            .replication_task_arn(&arn)
            .send()
            .await
            .unwrap();
        let rows = ts.table_statistics().to_vec();
        (rows.iter().map(|t| t.inserts()).sum::<i64>() > 0).then_some(rows)
    })
    .await;
    assert!(
        stats.iter().all(|t| t.full_load_rows() == 0),
        "a CDC-only task loads nothing"
    );
    assert_eq!(task(dms, &arn).await.status(), Some("running"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stop_during_full_load_cancels_tables_and_resume_reloads_only_unfinished() {
    let scenario = dms_emulator::Scenario::from_json(
        r#"{"catalog":{"tables":[
            {"schema":"sales","name":"small","rows":1000},
            {"schema":"sales","name":"huge","rows":500000000}]}}"#,
    )
    .unwrap();
    let env = start_with(scenario).await;
    let dms = &env.dms;
    let s = setup(dms, "mid").await;
    let arn = create_task(dms, &s, "mid-task", M::FullLoad, None, vec![]).await;
    start_task(dms, &arn, S::StartReplication).await;
    eventually("small loaded, huge loading", || async {
        let ts = dms
            .describe_table_statistics()
            .replication_task_arn(&arn)
            .send()
            .await
            .unwrap();
        let state = |n: &str| {
            ts.table_statistics()
                .iter()
                .find(|t| t.table_name() == Some(n))
                .and_then(|t| t.table_state())
                .map(str::to_string)
        };
        (state("small").as_deref() == Some("Table completed")
            && state("huge").as_deref() == Some("Full load"))
        .then_some(())
    })
    .await;
    dms.stop_replication_task()
        .replication_task_arn(&arn)
        .send()
        .await
        .unwrap();
    let stopped = wait_task_status(dms, &arn, "stopped").await;
    assert!(stopped.stop_reason().unwrap().ends_with("NORMAL"));
    let st = stopped.replication_task_stats().unwrap();
    assert_eq!((st.tables_loaded(), st.tables_queued()), (1, 1));
    assert!(st.full_load_progress_percent() < 100);
    let ts = dms
        .describe_table_statistics()
        .replication_task_arn(&arn)
        .send()
        .await
        .unwrap();
    let huge = ts
        .table_statistics()
        .iter()
        .find(|t| t.table_name() == Some("huge"))
        .unwrap();
    assert_eq!(huge.table_state(), Some("Table cancelled"));
    let huge_rows_at_stop = huge.full_load_rows();
    assert!(huge_rows_at_stop > 0);

    // Modify is allowed while stopped (modifying -> stopped), then resume.
    let m = dms
        .modify_replication_task()
        .replication_task_arn(&arn)
        .replication_task_settings(r#"{"ValidationSettings":{"EnableValidation":true}}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(m.replication_task().unwrap().status(), Some("modifying"));
    wait_task_status(dms, &arn, "stopped").await;
    start_task(dms, &arn, S::ResumeProcessing).await;
    wait_task_status(dms, &arn, "running").await;
    let ts = dms
        .describe_table_statistics()
        .replication_task_arn(&arn)
        .send()
        .await
        .unwrap();
    let small = ts
        .table_statistics()
        .iter()
        .find(|t| t.table_name() == Some("small"))
        .unwrap();
    assert_eq!(
        small.table_state(),
        Some("Table completed"),
        "finished tables are not reloaded"
    );
    assert_eq!(small.full_load_rows(), 1000);
    let huge = ts
        .table_statistics()
        .iter()
        .find(|t| t.table_name() == Some("huge"))
        .unwrap();
    assert_eq!(
        huge.table_state(),
        Some("Full load"),
        "the cancelled table loads again"
    );
    dms.stop_replication_task()
        .replication_task_arn(&arn)
        .send()
        .await
        .unwrap();
    wait_task_status(dms, &arn, "stopped").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn validation_enabled_by_modify_on_a_ready_task() {
    let env = start().await;
    let dms = &env.dms;
    let s = setup(dms, "val").await;
    let arn = create_task(dms, &s, "val-task", M::FullLoad, None, vec![]).await;
    dms.modify_replication_task()
        .replication_task_arn(&arn)
        .replication_task_settings(
            r#"{"ValidationSettings":{"EnableValidation":true,"ThreadCount":8}}"#,
        )
        .send()
        .await
        .unwrap();
    let ready = wait_task_status(dms, &arn, "ready").await;
    let settings: Value = serde_json::from_str(ready.replication_task_settings().unwrap()).unwrap();
    assert_eq!(settings["ValidationSettings"]["EnableValidation"], true);
    assert_eq!(settings["ValidationSettings"]["ThreadCount"], 8);
    assert_eq!(
        settings["FullLoadSettings"]["MaxFullLoadSubTasks"], 8,
        "modify merges into existing settings"
    );
    start_task(dms, &arn, S::StartReplication).await;
    wait_task_status(dms, &arn, "stopped").await;
    let ts = dms
        .describe_table_statistics()
        .replication_task_arn(&arn)
        .send()
        .await
        .unwrap();
    assert_eq!(ts.table_statistics().len(), 6);
    for t in ts.table_statistics() {
        assert_eq!(
            t.validation_state(),
            Some("Validated"),
            "{:?}",
            t.table_name()
        );
        assert_eq!(
            (
                t.validation_pending_records(),
                t.validation_failed_records()
            ),
            (0, 0)
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mappings_that_select_nothing_fail_the_task() {
    let env = start().await;
    let dms = &env.dms;
    let s = setup(dms, "none").await;
    let out = dms
        .create_replication_task()
        .replication_task_identifier("none-task")
        .source_endpoint_arn(&s.source_arn)
        .target_endpoint_arn(&s.target_arn)
        .replication_instance_arn(&s.instance_arn)
        .migration_type(M::FullLoad)
        .table_mappings(mappings("sales", "no_such_table"))
        .send()
        .await
        .unwrap();
    let arn = out
        .replication_task()
        .unwrap()
        .replication_task_arn()
        .unwrap()
        .to_string();
    wait_task_status(dms, &arn, "ready").await;
    start_task(dms, &arn, S::StartReplication).await;
    let failed = wait_task_status(dms, &arn, "failed").await;
    assert!(
        failed
            .last_failure_message()
            .unwrap()
            .contains("No tables were found")
    );
    assert!(failed.stop_reason().unwrap().ends_with("FATAL_ERROR"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn event_subscription_lifecycle() {
    let env = start().await;
    let dms = &env.dms;
    let out = dms
        .create_event_subscription()
        .subscription_name("dmsflow-events")
        .sns_topic_arn("arn:aws:sns:us-east-1:123456789012:dmsflow")
        .source_type("replication-task")
        .event_categories("failure")
        .event_categories("state change")
        .tags(tag("app", "dmsflow"))
        .send()
        .await
        .unwrap();
    let sub = out.event_subscription().unwrap();
    assert_eq!(sub.status(), Some("creating"));
    assert_eq!(sub.cust_subscription_id(), Some("dmsflow-events"));
    assert_eq!(sub.event_categories_list().len(), 2);
    eventually("subscription active", || async {
        let d = dms
            .describe_event_subscriptions()
            .subscription_name("dmsflow-events")
            .send()
            .await
            .unwrap();
        (d.event_subscriptions_list()[0].status() == Some("active")).then_some(())
    })
    .await;
    let tags = dms
        .list_tags_for_resource()
        .resource_arn("arn:aws:dms:us-east-1:123456789012:es:dmsflow-events")
        .send()
        .await
        .unwrap();
    assert_eq!(tags.tag_list()[0].key(), Some("app"));
    let d = dms
        .delete_event_subscription()
        .subscription_name("dmsflow-events")
        .send()
        .await
        .unwrap();
    assert_eq!(d.event_subscription().unwrap().status(), Some("deleting"));
    eventually("subscription gone", || async {
        let r = dms
            .describe_event_subscriptions()
            .subscription_name("dmsflow-events")
            .send()
            .await;
        r.err()
            .filter(|e| code(e) == "ResourceNotFoundFault")
            .map(|_| ())
    })
    .await;
}

/// A start type on a task, as the SDK returns it.
async fn try_start(
    dms: &aws_sdk_databasemigration::Client,
    arn: &str,
    kind: S,
) -> Result<
    ReplicationTask,
    aws_sdk_databasemigration::error::SdkError<
        aws_sdk_databasemigration::operation::start_replication_task::StartReplicationTaskError,
    >,
> {
    dms.start_replication_task()
        .replication_task_arn(arn)
        .start_replication_task_type(kind)
        .send()
        .await
        .map(|out| out.replication_task().unwrap().clone())
}

fn secs(t: Option<&DateTime>) -> f64 {
    t.map(|t| t.as_secs_f64()).expect("a date")
}

/// Within a minute of the wall clock now (the emulator's dates are wall-clock).
fn recent(t: Option<&DateTime>) -> bool {
    let now = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64();
    (secs(t) - now).abs() < Duration::from_secs(60).as_secs_f64()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_task_that_has_run_says_so_and_refuses_start_replication_as_dms_does() {
    let env = start().await;
    let dms = &env.dms;
    let s = setup(dms, "rerun").await;
    let arn = create_task(dms, &s, "rerun-task", M::FullLoad, None, vec![]).await;

    // Never started: nothing says it has run, and only start-replication starts it.
    let fresh = task(dms, &arn).await;
    assert!(fresh.replication_task_start_date().is_none());
    assert!(fresh.recovery_checkpoint().is_none());
    let st = fresh.replication_task_stats().unwrap();
    assert!(st.start_date().is_none() && st.fresh_start_date().is_none());
    assert!(st.full_load_start_date().is_none() && st.stop_date().is_none());
    for kind in [S::ResumeProcessing, S::ReloadTarget] {
        let e = try_start(dms, &arn, kind.clone()).await.unwrap_err();
        assert_eq!(code(&e), "InvalidResourceStateFault", "{kind:?}");
    }

    // The start's own answer already carries ReplicationTaskStartDate.
    let started = try_start(dms, &arn, S::StartReplication).await.unwrap();
    assert_eq!(started.status(), Some("starting"));
    assert!(recent(started.replication_task_start_date()));
    let first_start = secs(started.replication_task_start_date());

    // After the run: the run's dates and a recovery checkpoint.
    let done = wait_task_status(dms, &arn, "stopped").await;
    assert_eq!(secs(done.replication_task_start_date()), first_start);
    let st = done.replication_task_stats().unwrap();
    for (name, date) in [
        ("StartDate", st.start_date()),
        ("FreshStartDate", st.fresh_start_date()),
        ("FullLoadStartDate", st.full_load_start_date()),
        ("FullLoadFinishDate", st.full_load_finish_date()),
        ("StopDate", st.stop_date()),
    ] {
        assert!(date.is_some(), "{name}");
        assert!(
            secs(date) >= first_start,
            "{name} is not before the start call"
        );
    }
    assert!(secs(st.full_load_finish_date()) <= secs(st.stop_date()));
    let checkpoint = done.recovery_checkpoint().expect("RecoveryCheckpoint");
    assert!(checkpoint.starts_with("checkpoint:V1#"), "{checkpoint}");

    // start-replication again: DMS's own fault, message and status.
    let e = try_start(dms, &arn, S::StartReplication).await.unwrap_err();
    assert_eq!(code(&e), "InvalidParameterCombinationException");
    assert_eq!(
        message(&e),
        "Start Type : START_REPLICATION, valid only for tasks running for the first time"
    );
    assert_eq!(e.raw_response().unwrap().status().as_u16(), 400);
    assert_eq!(
        task(dms, &arn).await.status(),
        Some("stopped"),
        "the refusal changed nothing"
    );

    // resume-processing and reload-target start it again; each start moves
    // ReplicationTaskStartDate, a resume too.
    tokio::time::sleep(Duration::from_millis(20)).await;
    let resumed = try_start(dms, &arn, S::ResumeProcessing).await.unwrap();
    let second_start = secs(resumed.replication_task_start_date());
    assert!(second_start > first_start);
    wait_task_status(dms, &arn, "stopped").await;
    tokio::time::sleep(Duration::from_millis(20)).await;
    let reloaded = try_start(dms, &arn, S::ReloadTarget).await.unwrap();
    assert!(secs(reloaded.replication_task_start_date()) > second_start);
    wait_task_status(dms, &arn, "stopped").await;
    let e = try_start(dms, &arn, S::StartReplication).await.unwrap_err();
    assert_eq!(code(&e), "InvalidParameterCombinationException");

    let outcomes: Vec<String> = env.handle.emulator().calls()["calls"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["operation"] == "StartReplicationTask")
        .map(|c| c["outcome"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        outcomes,
        [
            "InvalidResourceStateFault",
            "InvalidResourceStateFault",
            "ok",
            "InvalidParameterCombinationException",
            "ok",
            "ok",
            "InvalidParameterCombinationException",
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_that_failed_at_once_still_counts_as_a_run() {
    // The selection matches no table of this catalog: the run fails as it begins.
    let scenario = dms_emulator::Scenario::from_json(
        r#"{"catalog":{"tables":[{"schema":"elsewhere","name":"t","rows":10}]}}"#,
    )
    .unwrap();
    let env = start_with(scenario).await;
    let dms = &env.dms;
    let s = setup(dms, "fail0").await;
    let arn = create_task(dms, &s, "fail0-task", M::FullLoadAndCdc, None, vec![]).await;
    try_start(dms, &arn, S::StartReplication).await.unwrap();
    let failed = wait_task_status(dms, &arn, "failed").await;
    assert!(
        failed
            .last_failure_message()
            .unwrap()
            .contains("No tables were found")
    );
    assert!(recent(failed.replication_task_start_date()));
    assert!(
        failed
            .replication_task_stats()
            .unwrap()
            .start_date()
            .is_some()
    );

    let e = try_start(dms, &arn, S::StartReplication).await.unwrap_err();
    assert_eq!(code(&e), "InvalidParameterCombinationException");
    try_start(dms, &arn, S::ResumeProcessing)
        .await
        .expect("resume-processing is the start for a task that has run");
}
