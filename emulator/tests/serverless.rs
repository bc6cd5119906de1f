//! DMS Serverless through the real SDK: a replication config from creation to
//! deletion, its stages, its refusals, and its drills.

mod common;

use aws_sdk_databasemigration::types::{ComputeConfig, MigrationTypeValue as M, Replication};
use common::*;
use dms_emulator::Scenario;

async fn create_config(
    dms: &aws_sdk_databasemigration::Client,
    s: &Setup,
    id: &str,
    migration: M,
    tags: Vec<aws_sdk_databasemigration::types::Tag>,
) -> String {
    let out = dms
        .create_replication_config()
        .replication_config_identifier(id)
        .source_endpoint_arn(&s.source_arn)
        .target_endpoint_arn(&s.target_arn)
        .replication_type(migration)
        .table_mappings(mappings("sales", "%"))
        .compute_config(
            ComputeConfig::builder()
                .max_capacity_units(4)
                .replication_subnet_group_id(&s.subnet_group)
                .build(),
        )
        .set_tags(Some(tags))
        .send()
        .await
        .expect("create replication config");
    out.replication_config()
        .unwrap()
        .replication_config_arn()
        .unwrap()
        .to_string()
}

async fn replication(dms: &aws_sdk_databasemigration::Client, arn: &str) -> Option<Replication> {
    match dms
        .describe_replications()
        .filters(filter("replication-config-arn", arn))
        .send()
        .await
    {
        Ok(out) => Some(out.replications()[0].clone()),
        Err(e) if code(&e) == "ResourceNotFoundFault" => None,
        Err(e) => panic!("describe replications: {e:?}"),
    }
}

fn provision_state(r: &Replication) -> String {
    r.provision_data()
        .and_then(|p| p.provision_state())
        .unwrap_or("")
        .to_string()
}

/// Wait until the replication's status is `status`; every status seen on the way.
async fn wait_status(
    dms: &aws_sdk_databasemigration::Client,
    arn: &str,
    status: &str,
) -> Vec<String> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let mut seen: Vec<String> = Vec::new();
    loop {
        let now = replication(dms, arn)
            .await
            .and_then(|r| r.status().map(str::to_string))
            .unwrap_or_default();
        if seen.last() != Some(&now) {
            seen.push(now.clone());
        }
        if now == status {
            return seen;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "gave up waiting for {status}: {seen:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_load_replication_goes_from_created_to_deleted_through_every_stage() {
    let env = start().await;
    let dms = &env.dms;
    let s = setup(dms, "sl").await;
    let arn = create_config(dms, &s, "sl-full", M::FullLoad, vec![]).await;
    let suffix = arn
        .strip_prefix("arn:aws:dms:us-east-1:123456789012:replication-config:")
        .expect("config ARN shape");
    assert_eq!(suffix.len(), 26, "a random resource id, not the identifier");

    let config = dms.describe_replication_configs().send().await.unwrap();
    let compute = config.replication_configs()[0].compute_config().unwrap();
    assert_eq!(
        compute.min_capacity_units(),
        Some(1),
        "DMS fills in the minimum"
    );
    let created = replication(dms, &arn)
        .await
        .expect("a replication from the start");
    assert_eq!(created.status(), Some("created"));
    assert!(
        created.provision_data().is_none(),
        "nothing provisioned yet"
    );

    let started = dms
        .start_replication()
        .replication_config_arn(&arn)
        .start_replication_type("start-replication")
        .send()
        .await
        .unwrap();
    assert_eq!(
        started.replication().unwrap().status(),
        Some("initializing")
    );
    let seen = wait_status(dms, &arn, "stopped").await;
    assert!(
        seen.iter()
            .any(|s| s == "testing_connection" || s == "provisioning_capacity" || s == "running"),
        "the stages show on the way: {seen:?}"
    );
    let done = replication(dms, &arn).await.unwrap();
    assert_eq!(
        done.stop_reason(),
        Some("Stop Reason FULL_LOAD_ONLY_FINISHED")
    );
    assert_eq!(
        done.replication_stats()
            .unwrap()
            .full_load_progress_percent(),
        100
    );
    assert_eq!(done.replication_stats().unwrap().tables_loaded(), 6);
    assert_eq!(
        provision_state(&done),
        "deprovisioning",
        "stopping keeps the capacity"
    );
    assert!(done.replication_deprovision_time().is_some());

    let tables = dms
        .describe_replication_table_statistics()
        .replication_config_arn(&arn)
        .send()
        .await
        .unwrap();
    let rows = tables.replication_table_statistics();
    assert_eq!(rows.len(), 6);
    assert!(
        rows.iter()
            .all(|t| t.table_state() == Some("Table completed"))
    );

    let refused = dms
        .delete_replication_config()
        .replication_config_arn(&arn)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        code(&refused),
        "InvalidResourceStateFault",
        "not while deprovisioning"
    );
    let rerun = dms
        .start_replication()
        .replication_config_arn(&arn)
        .start_replication_type("start-replication")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        code(&rerun),
        "InvalidResourceStateFault",
        "not while deprovisioning"
    );

    eventually("deprovisioned", || async {
        let r = replication(dms, &arn).await?;
        (provision_state(&r) == "deprovisioned").then_some(())
    })
    .await;
    let lost = dms
        .describe_replication_table_statistics()
        .replication_config_arn(&arn)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        code(&lost),
        "InvalidResourceStateFault",
        "statistics are lost"
    );
    let deleted = dms
        .delete_replication_config()
        .replication_config_arn(&arn)
        .send()
        .await
        .unwrap();
    assert_eq!(
        deleted
            .replication_config()
            .unwrap()
            .replication_config_arn(),
        Some(arn.as_str())
    );
    eventually("config gone", || async {
        let gone = dms
            .describe_replication_configs()
            .filters(filter("replication-config-arn", &arn))
            .send()
            .await
            .err()
            .is_some_and(|e| code(&e) == "ResourceNotFoundFault");
        gone.then_some(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn compute_config_start_types_and_modify_are_refused_as_dms_documents() {
    let env = start().await;
    let dms = &env.dms;
    let s = setup(dms, "rf").await;
    let attempt = |max: Option<i32>, min: Option<i32>, multi_az: bool, az: Option<&str>| {
        dms.create_replication_config()
            .replication_config_identifier("rf-bad")
            .source_endpoint_arn(&s.source_arn)
            .target_endpoint_arn(&s.target_arn)
            .replication_type(M::FullLoad)
            .table_mappings(mappings("sales", "%"))
            .compute_config(
                ComputeConfig::builder()
                    .set_max_capacity_units(max)
                    .set_min_capacity_units(min)
                    .multi_az(multi_az)
                    .set_availability_zone(az.map(str::to_string))
                    .build(),
            )
            .send()
    };
    let e = attempt(Some(3), None, false, None).await.unwrap_err();
    assert_eq!(code(&e), "InvalidParameterValueException");
    assert!(message(&e).contains("MaxCapacityUnits"), "{}", message(&e));
    let e = attempt(Some(4), Some(8), false, None).await.unwrap_err();
    assert!(message(&e).contains("must not exceed"), "{}", message(&e));
    let e = attempt(None, Some(2), false, None).await.unwrap_err();
    assert!(message(&e).contains("MaxCapacityUnits"), "{}", message(&e));
    let e = attempt(Some(4), None, true, Some("us-east-1a"))
        .await
        .unwrap_err();
    assert_eq!(code(&e), "InvalidParameterCombinationException");

    let arn = create_config(dms, &s, "rf-full", M::FullLoad, vec![]).await;
    let start = |kind: &'static str| {
        dms.start_replication()
            .replication_config_arn(&arn)
            .start_replication_type(kind)
            .send()
    };
    let e = start("resume-processing").await.unwrap_err();
    assert!(message(&e).contains("isn't applicable"), "{}", message(&e));
    let e = start("reload-target").await.unwrap_err();
    assert_eq!(
        code(&e),
        "InvalidResourceStateFault",
        "a first start is start-replication"
    );

    // A modify in `created` leaves the replication `modifying` for a moment, and a
    // start then is refused as terraform-provider-aws #35650 shows.
    dms.modify_replication_config()
        .replication_config_arn(&arn)
        .replication_settings(r#"{"ValidationSettings": {"EnableValidation": true}}"#)
        .send()
        .await
        .unwrap();
    let e = start("start-replication").await.unwrap_err();
    assert!(message(&e).contains("MODIFYING"), "{}", message(&e));
    eventually("modify done", || async {
        let r = replication(dms, &arn).await?;
        (r.status() == Some("created")).then_some(())
    })
    .await;
    start("start-replication").await.unwrap();
    wait_status(dms, &arn, "stopped").await;
    let settings = dms.describe_replication_configs().send().await.unwrap();
    assert!(
        settings.replication_configs()[0]
            .replication_settings()
            .unwrap()
            .contains(r#""EnableValidation":true"#)
    );
    let e = dms
        .modify_replication_config()
        .replication_config_arn(&arn)
        .table_mappings(mappings("sales", "orders"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        code(&e),
        "InvalidResourceStateFault",
        "never after a start, stopped or not"
    );
    let e = start("start-replication").await.unwrap_err();
    assert_eq!(code(&e), "InvalidResourceStateFault");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drills_fail_the_connection_test_and_the_provisioning() {
    let scenario = Scenario::from_json(
        r#"{"drills": {"dr-prov": {"fail-provisioning": "no capacity in us-east-1a"}}}"#,
    )
    .unwrap();
    let env = start_with(scenario).await;
    let dms = &env.dms;
    let s = setup(dms, "dr").await;

    let prov = create_config(dms, &s, "dr-prov", M::FullLoad, vec![]).await;
    let conn = create_config(
        dms,
        &s,
        "dr-conn",
        M::FullLoadAndCdc,
        vec![tag("dms-emulator:fail-connection", "target")],
    )
    .await;
    for arn in [&prov, &conn] {
        dms.start_replication()
            .replication_config_arn(arn)
            .start_replication_type("start-replication")
            .send()
            .await
            .unwrap();
    }
    let seen = wait_status(dms, &conn, "failed").await;
    assert!(!seen.contains(&"running".to_string()), "{seen:?}");
    let failed = replication(dms, &conn).await.unwrap();
    assert!(
        failed.failure_messages()[0].starts_with("Test connection failed for endpoint dr-tgt."),
        "{:?}",
        failed.failure_messages()
    );
    assert_eq!(provision_state(&failed), "", "nothing was provisioned");
    // Fixed, then resumed: the failed start loaded nothing, so nothing is
    // carried over (the whole load runs, its counts from zero).
    dms.remove_tags_from_resource()
        .resource_arn(&conn)
        .tag_keys("dms-emulator:fail-connection")
        .send()
        .await
        .unwrap();
    dms.start_replication()
        .replication_config_arn(&conn)
        .start_replication_type("resume-processing")
        .send()
        .await
        .expect("a resume after a failed start");
    wait_status(dms, &conn, "running").await;
    let tables = dms
        .describe_replication_table_statistics()
        .replication_config_arn(&conn)
        .send()
        .await
        .unwrap();
    assert!(!tables.replication_table_statistics().is_empty());
    for t in tables.replication_table_statistics() {
        assert!(t.inserts() < 1_000_000, "{t:?}");
    }

    wait_status(dms, &prov, "failed").await;
    let failed = replication(dms, &prov).await.unwrap();
    assert_eq!(failed.failure_messages(), ["no capacity in us-east-1a"]);
    assert_eq!(provision_state(&failed), "failed_provision");
    dms.delete_replication_config()
        .replication_config_arn(&prov)
        .send()
        .await
        .expect("nothing held: deleted at once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cdc_replication_stops_releases_its_capacity_and_resumes() {
    let env = start().await;
    let dms = &env.dms;
    let s = setup(dms, "cd").await;
    let arn = create_config(dms, &s, "cd-cdc", M::FullLoadAndCdc, vec![]).await;
    dms.start_replication()
        .replication_config_arn(&arn)
        .start_replication_type("start-replication")
        .send()
        .await
        .unwrap();
    wait_status(dms, &arn, "running").await;
    let running = replication(dms, &arn).await.unwrap();
    assert_eq!(provision_state(&running), "provisioned");
    assert_eq!(
        running
            .provision_data()
            .unwrap()
            .provisioned_capacity_units(),
        4
    );
    let stopping = dms
        .stop_replication()
        .replication_config_arn(&arn)
        .send()
        .await
        .unwrap();
    assert_eq!(stopping.replication().unwrap().status(), Some("stopping"));
    wait_status(dms, &arn, "stopped").await;
    let stopped = replication(dms, &arn).await.unwrap();
    assert_eq!(stopped.stop_reason(), Some("Stop Reason NORMAL"));
    let again = dms
        .stop_replication()
        .replication_config_arn(&arn)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&again), "InvalidResourceStateFault");
    eventually("deprovisioned", || async {
        let r = replication(dms, &arn).await?;
        (provision_state(&r) == "deprovisioned").then_some(())
    })
    .await;
    dms.start_replication()
        .replication_config_arn(&arn)
        .start_replication_type("resume-processing")
        .send()
        .await
        .unwrap();
    wait_status(dms, &arn, "running").await;
    let resources = env.handle.emulator().resources();
    assert_eq!(resources["replication_configs"]["count"], 1);
    assert_eq!(
        resources["replication_configs"]["items"][0]["provision_state"],
        "provisioned"
    );
}
