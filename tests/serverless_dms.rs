//! dmsflow's DMS access for serverless replications, through the real SDK client,
//! against the DMS emulator: a replication config is described in the task's
//! terms, and the task calls act on it by its ARN.

use std::time::{Duration, Instant};

use dms_emulator::{Config, Scenario, serve};
use dmsflow::aws::AwsFault;
use dmsflow::aws::dms::{
    Dms, ReloadOption, ReplicationConfigRequest, StartType, TableName, Tags, Task,
};
use steps::clients;

#[path = "support/steps.rs"]
mod steps;

async fn endpoints(dms: &aws_sdk_databasemigration::Client) -> (String, String) {
    use aws_sdk_databasemigration::types::ReplicationEndpointTypeValue as T;
    dms.create_replication_subnet_group()
        .replication_subnet_group_identifier("sl-subnets")
        .replication_subnet_group_description("two AZs")
        .subnet_ids("subnet-0001")
        .subnet_ids("subnet-0002")
        .send()
        .await
        .expect("subnet group");
    let mut arns = Vec::new();
    for (id, kind, engine) in [
        ("sl-source", T::Source, "postgres"),
        ("sl-target", T::Target, "aurora-postgresql"),
    ] {
        let out = dms
            .create_endpoint()
            .endpoint_identifier(id)
            .endpoint_type(kind)
            .engine_name(engine)
            .server_name(format!("{id}.example.internal"))
            .port(5432)
            .username("dms")
            .password("not-a-real-password")
            .database_name("sales")
            .send()
            .await
            .expect("endpoint");
        arns.push(out.endpoint().unwrap().endpoint_arn().unwrap().to_string());
    }
    (arns[0].clone(), arns[1].clone())
}

fn request(
    id: &str,
    source: &str,
    target: &str,
    replication_type: &str,
) -> ReplicationConfigRequest {
    ReplicationConfigRequest {
        id: id.into(),
        source_endpoint_arn: source.into(),
        target_endpoint_arn: target.into(),
        replication_type: replication_type.into(),
        table_mappings: r#"{"rules":[{"rule-type":"selection","rule-id":"1","rule-name":"1","object-locator":{"schema-name":"sales","table-name":"%"},"rule-action":"include"}]}"#.into(),
        settings: r#"{"ValidationSettings":{"EnableValidation":true}}"#.into(),
        max_capacity_units: 4,
        min_capacity_units: Some(2),
        multi_az: false,
        preferred_maintenance_window: None,
        subnet_group_id: "sl-subnets".into(),
        security_group_ids: vec![],
        kms_key_id: None,
        tags: Tags::from([("dmsflow:run-id".to_string(), "sl".to_string())]),
    }
}

/// Look until `done` holds of the replication; every status seen on the way.
async fn until(
    dms: &aws_sdk_databasemigration::Client,
    id: &str,
    done: impl Fn(&Task) -> bool,
) -> (Task, Vec<String>) {
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut seen: Vec<String> = Vec::new();
    loop {
        let task = dms
            .describe_serverless_replication(id)
            .await
            .expect("describe")
            .expect("the replication exists");
        let stage = task
            .provisioning
            .as_ref()
            .unwrap()
            .replication_status
            .clone();
        if seen.last() != Some(&stage) {
            seen.push(stage);
        }
        if done(&task) {
            return (task, seen);
        }
        assert!(Instant::now() < deadline, "gave up; seen {seen:?}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_serverless_full_load_is_created_started_read_and_deleted_through_the_task_calls() {
    let emulator = serve(Config::default().with_speed(50.0))
        .await
        .expect("emulator");
    let (dms, _) = clients(&emulator.url());
    let dms = &dms;
    let (source, target) = endpoints(dms).await;

    let created = dms
        .create_serverless_replication(&request("sl-full", &source, &target, "full-load"))
        .await
        .expect("create");
    assert!(created.is_serverless());
    assert!(created.arn.contains(":replication-config:"));
    let ready = dms
        .describe_serverless_replication("sl-full")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(ready.status, "ready", "DMS's created, in the task's terms");
    assert_eq!(ready.start_date, None, "never started");
    assert!(
        dms.describe_serverless_replication("sl-other")
            .await
            .unwrap()
            .is_none()
    );

    dms.start_task(&created.arn, StartType::StartReplication)
        .await
        .expect("StartReplication");
    let (done, seen) = until(dms, "sl-full", |t| t.status == "stopped").await;
    assert!(
        seen.iter()
            .any(|s| s == "initializing" || s == "testing_connection"),
        "the stages are kept beside the mapped status: {seen:?}"
    );
    assert_eq!(
        done.stop_reason.as_deref(),
        Some("Stop Reason FULL_LOAD_ONLY_FINISHED")
    );
    assert!(
        done.start_date.is_some(),
        "a replication that has run says so"
    );
    let stats = done.stats.as_ref().unwrap();
    assert_eq!(
        (stats.full_load_progress_percent, stats.tables_loaded),
        (100, 6)
    );
    let tables = dms
        .table_statistics(&created.arn)
        .await
        .expect("table statistics");
    assert_eq!(tables.len(), 6);
    assert!(
        tables
            .iter()
            .all(|t| t.table_state == "Table completed" && t.validation_state == "Validated")
    );
    let errored = dms
        .table_statistics_in_state(&created.arn, "Table error")
        .await
        .unwrap();
    assert!(errored.is_empty());

    let held = done.provisioning.as_ref().unwrap();
    assert_eq!(held.state, "deprovisioning");
    assert!(!held.released() && held.deprovision_at.is_some());
    let refused = dms.delete_task(&created.arn).await.unwrap_err();
    assert!(matches!(refused, AwsFault::Busy(_)), "{refused:?}");
    let again = dms
        .start_task(&created.arn, StartType::StartReplication)
        .await
        .unwrap_err();
    assert!(matches!(again, AwsFault::Busy(_)), "{again:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_serverless_cdc_replication_stops_releases_its_capacity_and_is_deleted() {
    let scenario =
        Scenario::from_json(r#"{"drills": {"sl-cdc": {"deprovision-seconds": 5}}}"#).unwrap();
    let emulator = serve(Config::default().with_speed(50.0).with_scenario(scenario))
        .await
        .expect("emulator");
    let (dms, _) = clients(&emulator.url());
    let dms = &dms;
    let (source, target) = endpoints(dms).await;
    let arn = dms
        .create_serverless_replication(&request("sl-cdc", &source, &target, "full-load-and-cdc"))
        .await
        .unwrap()
        .arn;
    dms.modify_task_settings(&arn, r#"{"ValidationSettings":{"EnableValidation":false}}"#)
        .await
        .expect("ModifyReplicationConfig before the first start");
    until(dms, "sl-cdc", |t| t.status == "ready").await;
    dms.start_task(&arn, StartType::StartReplication)
        .await
        .unwrap();
    let (running, _) = until(dms, "sl-cdc", |t| t.status == "running").await;
    assert_eq!(
        running.provisioning.as_ref().unwrap().capacity_units,
        Some(4)
    );
    let refused = dms.modify_task_settings(&arn, "{}").await.unwrap_err();
    assert!(
        matches!(refused, AwsFault::Busy(_)),
        "never after a start: {refused:?}"
    );
    // ReloadReplicationTables while it runs: the table loads again.
    let orders = TableName {
        schema: "sales".into(),
        table: "orders".into(),
    };
    Dms::reload_tables(
        dms,
        &arn,
        std::slice::from_ref(&orders),
        ReloadOption::DataReload,
    )
    .await
    .expect("ReloadReplicationTables");
    let reloading = dms.table_statistics(&arn).await.unwrap();
    let row = reloading.iter().find(|t| t.table == "orders").unwrap();
    assert_ne!(row.table_state, "Table completed", "{row:?}");
    let unknown = TableName {
        schema: "sales".into(),
        table: "nope".into(),
    };
    let refused = Dms::reload_tables(dms, &arn, &[unknown], ReloadOption::DataReload)
        .await
        .unwrap_err();
    assert!(matches!(refused, AwsFault::NotFound(_)), "{refused:?}");

    dms.stop_task(&arn).await.expect("StopReplication");
    let (stopped, _) = until(dms, "sl-cdc", |t| t.status == "stopped").await;
    assert_eq!(stopped.stop_reason.as_deref(), Some("Stop Reason NORMAL"));
    until(dms, "sl-cdc", |t| {
        t.provisioning.as_ref().unwrap().released()
    })
    .await;
    dms.delete_task(&arn)
        .await
        .expect("DeleteReplicationConfig once released");
    let deadline = Instant::now() + Duration::from_secs(60);
    while dms
        .describe_serverless_replication("sl-cdc")
        .await
        .unwrap()
        .is_some()
    {
        assert!(Instant::now() < deadline, "the config is never gone");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    dms.delete_task(&arn)
        .await
        .expect("deleting what is gone succeeds");
}
