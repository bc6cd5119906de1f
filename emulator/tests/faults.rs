//! Every fault the emulator models, as the real SDK sees it.

mod common;

use aws_sdk_databasemigration::types::{
    MigrationTypeValue as M, ReplicationEndpointTypeValue as E, StartReplicationTaskTypeValue as S,
};
use aws_smithy_types::DateTime;
use common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn identifier_rules_name_the_rule_broken() {
    let env = start().await;
    let long = format!("a{}", "b".repeat(63));
    let cases = [
        ("1abc", "begin with a letter"),
        ("a--b", "two consecutive hyphens"),
        ("abc-", "ends with a hyphen"),
        ("a_b", "contains the character '_'"),
        (long.as_str(), "at most 63 characters"),
    ];
    for (id, rule) in cases {
        let err = env
            .dms
            .create_replication_instance()
            .replication_instance_identifier(id)
            .replication_instance_class("dms.t3.micro")
            .send()
            .await
            .unwrap_err();
        assert_eq!(code(&err), "InvalidParameterValueException", "{id}");
        assert!(message(&err).contains(rule), "{id}: {}", message(&err));
    }
    let err = env
        .dms
        .create_endpoint()
        .endpoint_identifier("bad--id")
        .endpoint_type(E::Source)
        .engine_name("postgres")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "InvalidParameterValueException");
    let err = env
        .dms
        .create_endpoint()
        .endpoint_identifier("good")
        .endpoint_type(E::Source)
        .engine_name("not-an-engine")
        .send()
        .await
        .unwrap_err();
    assert!(message(&err).contains("EngineName"));
    assert_eq!(
        env.handle.emulator().resources()["total"],
        0,
        "nothing was created"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn duplicates_are_resource_already_exists() {
    let env = start().await;
    let dms = &env.dms;
    let s = setup(dms, "dup").await;
    let err = dms
        .create_replication_subnet_group()
        .replication_subnet_group_identifier("DUP-subnets")
        .replication_subnet_group_description("again")
        .subnet_ids("subnet-1")
        .subnet_ids("subnet-2")
        .send()
        .await
        .unwrap_err();
    assert!(
        err.as_service_error()
            .unwrap()
            .is_resource_already_exists_fault()
    );
    let err = dms
        .create_replication_instance()
        .replication_instance_identifier("dup-ri")
        .replication_instance_class("dms.t3.medium")
        .send()
        .await
        .unwrap_err();
    assert!(
        err.as_service_error()
            .unwrap()
            .is_resource_already_exists_fault()
    );
    let err = dms
        .create_endpoint()
        .endpoint_identifier("dup-src")
        .endpoint_type(E::Source)
        .engine_name("mysql")
        .send()
        .await
        .unwrap_err();
    assert!(
        err.as_service_error()
            .unwrap()
            .is_resource_already_exists_fault()
    );
    create_task(dms, &s, "dup-task", M::FullLoad, None, vec![]).await;
    let err = dms
        .create_replication_task()
        .replication_task_identifier("dup-task")
        .source_endpoint_arn(&s.source_arn)
        .target_endpoint_arn(&s.target_arn)
        .replication_instance_arn(&s.instance_arn)
        .migration_type(M::FullLoad)
        .table_mappings(mappings("sales", "%"))
        .send()
        .await
        .unwrap_err();
    assert!(
        err.as_service_error()
            .unwrap()
            .is_resource_already_exists_fault()
    );
    for _ in 0..2 {
        let _ = dms
            .create_event_subscription()
            .subscription_name("dup-sub")
            .sns_topic_arn("arn:aws:sns:us-east-1:123456789012:t")
            .send()
            .await;
    }
    let calls = env.handle.emulator().calls();
    let outcomes: Vec<&str> = calls["calls"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["operation"] == "CreateEventSubscription")
        .map(|c| c["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(outcomes, ["ok", "ResourceAlreadyExistsFault"]);
    assert_eq!(
        env.handle.emulator().resources()["replication_tasks"]["count"],
        1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn describes_whose_filters_match_nothing_are_not_found() {
    let env = start().await;
    let dms = &env.dms;
    // No filters, nothing there: an empty list.
    assert!(
        dms.describe_replication_instances()
            .send()
            .await
            .unwrap()
            .replication_instances()
            .is_empty()
    );
    assert!(
        dms.describe_replication_tasks()
            .send()
            .await
            .unwrap()
            .replication_tasks()
            .is_empty()
    );
    let e = dms
        .describe_replication_instances()
        .filters(filter("replication-instance-id", "nope"))
        .send()
        .await
        .unwrap_err();
    assert!(e.as_service_error().unwrap().is_resource_not_found_fault());
    let e = dms
        .describe_endpoints()
        .filters(filter("endpoint-id", "nope"))
        .send()
        .await
        .unwrap_err();
    assert!(e.as_service_error().unwrap().is_resource_not_found_fault());
    let e = dms
        .describe_replication_tasks()
        .filters(filter("replication-task-id", "nope"))
        .send()
        .await
        .unwrap_err();
    assert!(e.as_service_error().unwrap().is_resource_not_found_fault());
    let e = dms
        .describe_replication_subnet_groups()
        .filters(filter("replication-subnet-group-id", "nope"))
        .send()
        .await
        .unwrap_err();
    assert!(e.as_service_error().unwrap().is_resource_not_found_fault());
    let e = dms
        .describe_connections()
        .filters(filter(
            "endpoint-arn",
            "arn:aws:dms:us-east-1:123456789012:endpoint:X",
        ))
        .send()
        .await
        .unwrap_err();
    assert!(e.as_service_error().unwrap().is_resource_not_found_fault());
    let e = dms
        .describe_event_subscriptions()
        .subscription_name("nope")
        .send()
        .await
        .unwrap_err();
    assert!(e.as_service_error().unwrap().is_resource_not_found_fault());
    // Bad filter names and page sizes are parameter errors.
    let e = dms
        .describe_endpoints()
        .filters(filter("colour", "red"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "InvalidParameterValueException");
    assert!(message(&e).contains("endpoint-id"));
    let e = dms
        .describe_endpoints()
        .max_records(10)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "InvalidParameterValueException");
    let e = dms
        .describe_endpoints()
        .marker("garbage")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "InvalidParameterValueException");
    // Deletes and tags of unknown resources.
    let e = dms
        .delete_replication_task()
        .replication_task_arn("arn:aws:dms:us-east-1:123456789012:task:NOPE")
        .send()
        .await
        .unwrap_err();
    assert!(e.as_service_error().unwrap().is_resource_not_found_fault());
    let e = dms
        .delete_endpoint()
        .endpoint_arn("arn:aws:dms:us-east-1:123456789012:endpoint:NOPE")
        .send()
        .await
        .unwrap_err();
    assert!(e.as_service_error().unwrap().is_resource_not_found_fault());
    let e = dms
        .delete_replication_subnet_group()
        .replication_subnet_group_identifier("nope")
        .send()
        .await
        .unwrap_err();
    assert!(e.as_service_error().unwrap().is_resource_not_found_fault());
    let e = dms
        .list_tags_for_resource()
        .resource_arn("arn:aws:dms:us-east-1:123456789012:rep:NOPE")
        .send()
        .await
        .unwrap_err();
    assert!(e.as_service_error().unwrap().is_resource_not_found_fault());
    let e = dms
        .describe_table_statistics()
        .replication_task_arn("arn:aws:dms:us-east-1:123456789012:task:NOPE")
        .send()
        .await
        .unwrap_err();
    assert!(e.as_service_error().unwrap().is_resource_not_found_fault());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unsupported_operation_is_refused_by_name() {
    let env = start().await;
    let e = env.dms.describe_certificates().send().await.unwrap_err();
    assert_eq!(code(&e), "InvalidAction");
    assert!(message(&e).contains("DescribeCertificates"));
    let calls = env.handle.emulator().calls();
    assert_eq!(calls["calls"][0]["operation"], "DescribeCertificates");
    assert_eq!(calls["calls"][0]["outcome"], "InvalidAction");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn account_and_network_prerequisites() {
    let scenario = dms_emulator::Scenario::from_json(r#"{"dms_vpc_role": false, "subnets": {"subnet-x": "us-east-1a", "subnet-y": "us-east-1a"}}"#).unwrap();
    let env = start_with(scenario).await;
    let dms = &env.dms;
    let e = dms
        .create_replication_subnet_group()
        .replication_subnet_group_identifier("g")
        .replication_subnet_group_description("d")
        .subnet_ids("subnet-1")
        .subnet_ids("subnet-2")
        .send()
        .await
        .unwrap_err();
    assert!(e.as_service_error().unwrap().is_access_denied_fault());
    assert!(message(&e).contains("dms-vpc-role"));
    let e = dms
        .create_replication_instance()
        .replication_instance_identifier("ri")
        .replication_instance_class("dms.t3.medium")
        .send()
        .await
        .unwrap_err();
    assert!(e.as_service_error().unwrap().is_access_denied_fault());

    // With the role in place: a group needs two Availability Zones.
    env.handle.emulator().set_scenario(
        dms_emulator::Scenario::from_json(
            r#"{"subnets": {"subnet-x": "us-east-1a", "subnet-y": "us-east-1a"}}"#,
        )
        .unwrap(),
    );
    let e = dms
        .create_replication_subnet_group()
        .replication_subnet_group_identifier("g")
        .replication_subnet_group_description("d")
        .subnet_ids("subnet-x")
        .subnet_ids("subnet-y")
        .send()
        .await
        .unwrap_err();
    assert!(
        e.as_service_error()
            .unwrap()
            .is_replication_subnet_group_does_not_cover_enough_azs()
    );
    let e = dms
        .create_replication_subnet_group()
        .replication_subnet_group_identifier("g")
        .replication_subnet_group_description("d")
        .subnet_ids("sn-1")
        .subnet_ids("subnet-2")
        .send()
        .await
        .unwrap_err();
    assert!(e.as_service_error().unwrap().is_invalid_subnet());
    let e = dms
        .create_replication_instance()
        .replication_instance_identifier("ri")
        .replication_instance_class("dms.t3.medium")
        .replication_subnet_group_identifier("missing-group")
        .send()
        .await
        .unwrap_err();
    assert!(e.as_service_error().unwrap().is_resource_not_found_fault());
    let e = dms
        .create_replication_instance()
        .replication_instance_identifier("ri")
        .replication_instance_class("dms.t3.medium")
        .multi_az(true)
        .availability_zone("us-east-1a")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "InvalidParameterCombinationException");
    let e = dms
        .create_event_subscription()
        .subscription_name("s")
        .sns_topic_arn("not-a-topic")
        .send()
        .await
        .unwrap_err();
    assert!(e.as_service_error().unwrap().is_sns_invalid_topic_fault());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn task_parameters_and_states_are_checked() {
    let env = start().await;
    let dms = &env.dms;
    // An instance still `creating` cannot take tasks or connection tests.
    let slow = create_instance(
        dms,
        "busy-ri",
        None,
        vec![tag("dms-emulator:slow-instance-seconds", "100000")],
    )
    .await;
    let src = create_endpoint(dms, "busy-src", "source", vec![]).await;
    let e = dms
        .test_connection()
        .replication_instance_arn(&slow)
        .endpoint_arn(&src)
        .send()
        .await
        .unwrap_err();
    assert!(
        e.as_service_error()
            .unwrap()
            .is_invalid_resource_state_fault()
    );
    let s = setup(dms, "st").await;
    let e = dms
        .create_replication_task()
        .replication_task_identifier("t1")
        .source_endpoint_arn(&s.source_arn)
        .target_endpoint_arn(&s.target_arn)
        .replication_instance_arn(&slow)
        .migration_type(M::FullLoad)
        .table_mappings(mappings("sales", "%"))
        .send()
        .await
        .unwrap_err();
    assert!(
        e.as_service_error()
            .unwrap()
            .is_invalid_resource_state_fault()
    );

    let base = || {
        dms.create_replication_task()
            .replication_task_identifier("t1")
            .source_endpoint_arn(&s.source_arn)
            .target_endpoint_arn(&s.target_arn)
            .replication_instance_arn(&s.instance_arn)
            .migration_type(M::FullLoadAndCdc)
            .table_mappings(mappings("sales", "%"))
    };
    let e = base()
        .replication_task_settings(r#"{"Logging":{"EnableLogging":true,"CloudWatchLogGroup":"x"}}"#)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "InvalidParameterValueException");
    assert!(message(&e).contains("CloudWatchLogGroup"));
    let e = base()
        .replication_task_settings("{not json")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "InvalidParameterValueException");
    let e = base().table_mappings(r#"{"rules":[{"rule-type":"selection","rule-id":"1","object-locator":{"schema-name":"s"},"rule-action":"include"}]}"#).send().await.unwrap_err();
    assert_eq!(code(&e), "InvalidParameterValueException");
    assert!(message(&e).contains("ruleId = 1"));
    let e = base()
        .cdc_start_time(DateTime::from_secs(1_700_000_000))
        .cdc_start_position("mysql-bin.000001:4")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "InvalidParameterCombinationException");
    let e = base()
        .source_endpoint_arn(&s.target_arn)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "InvalidParameterValueException");
    let e = base()
        .migration_type(M::from("sometimes"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "InvalidParameterValueException");

    let arn = create_task(dms, &s, "t1", M::FullLoadAndCdc, None, vec![]).await;
    // Never run: only start-replication; stop is refused.
    let e = dms
        .start_replication_task()
        .replication_task_arn(&arn)
        .start_replication_task_type(S::ResumeProcessing)
        .send()
        .await
        .unwrap_err();
    assert!(
        e.as_service_error()
            .unwrap()
            .is_invalid_resource_state_fault()
    );
    let e = dms
        .stop_replication_task()
        .replication_task_arn(&arn)
        .send()
        .await
        .unwrap_err();
    assert!(
        e.as_service_error()
            .unwrap()
            .is_invalid_resource_state_fault()
    );
    start_task(dms, &arn, S::StartReplication).await;
    wait_task_status(dms, &arn, "running").await;
    // Running: no second start, no modify, no delete.
    let e = dms
        .start_replication_task()
        .replication_task_arn(&arn)
        .start_replication_task_type(S::ReloadTarget)
        .send()
        .await
        .unwrap_err();
    assert!(
        e.as_service_error()
            .unwrap()
            .is_invalid_resource_state_fault()
    );
    let e = dms
        .modify_replication_task()
        .replication_task_arn(&arn)
        .replication_task_settings(r#"{"ValidationSettings":{"EnableValidation":true}}"#)
        .send()
        .await
        .unwrap_err();
    assert!(
        e.as_service_error()
            .unwrap()
            .is_invalid_resource_state_fault()
    );
    assert!(message(&e).contains("running"));
    let e = dms
        .delete_replication_task()
        .replication_task_arn(&arn)
        .send()
        .await
        .unwrap_err();
    assert!(
        e.as_service_error()
            .unwrap()
            .is_invalid_resource_state_fault()
    );
    // Starting twice is logged as one success and one refusal.
    let starts: Vec<String> = env.handle.emulator().calls()["calls"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["operation"] == "StartReplicationTask" && c["resource_arn"] == arn.as_str())
        .map(|c| c["outcome"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        starts,
        [
            "InvalidResourceStateFault",
            "ok",
            "InvalidResourceStateFault"
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deletes_are_refused_out_of_order_then_succeed_in_order() {
    let env = start().await;
    let dms = &env.dms;
    let s = setup(dms, "ord").await;
    let arn = create_task(dms, &s, "ord-task", M::FullLoadAndCdc, None, vec![]).await;
    start_task(dms, &arn, S::StartReplication).await;
    wait_task_status(dms, &arn, "running").await;

    let refused = |e: &dyn aws_sdk_databasemigration::error::ProvideErrorMetadata| {
        code(&Wrap(e)) == "InvalidResourceStateFault"
    };
    let e = dms
        .delete_replication_task()
        .replication_task_arn(&arn)
        .send()
        .await
        .unwrap_err();
    assert!(refused(&e));
    let e = dms
        .delete_endpoint()
        .endpoint_arn(&s.source_arn)
        .send()
        .await
        .unwrap_err();
    assert!(refused(&e), "endpoint in use by a task");
    assert!(message(&e).contains("ord-task"));
    let e = dms
        .delete_replication_instance()
        .replication_instance_arn(&s.instance_arn)
        .send()
        .await
        .unwrap_err();
    assert!(refused(&e), "instance with tasks");
    let e = dms
        .delete_replication_subnet_group()
        .replication_subnet_group_identifier(&s.subnet_group)
        .send()
        .await
        .unwrap_err();
    assert!(refused(&e), "subnet group used by an instance");

    dms.stop_replication_task()
        .replication_task_arn(&arn)
        .send()
        .await
        .unwrap();
    wait_task_status(dms, &arn, "stopped").await;
    // Freeze the clock so the task stays `deleting` while we probe it.
    let speed = |v: f64| dms_emulator::Scenario {
        speed: Some(v),
        ..Default::default()
    };
    env.handle.emulator().set_scenario(speed(0.0001));
    dms.delete_replication_task()
        .replication_task_arn(&arn)
        .send()
        .await
        .unwrap();
    // While the task is still `deleting` it holds its endpoints and instance.
    let e = dms
        .delete_endpoint()
        .endpoint_arn(&s.target_arn)
        .send()
        .await
        .unwrap_err();
    assert!(refused(&e));
    let e = dms
        .delete_replication_task()
        .replication_task_arn(&arn)
        .send()
        .await
        .unwrap_err();
    assert!(refused(&e), "already deleting");
    env.handle.emulator().set_scenario(speed(SPEED));
    eventually("task gone", || async {
        env.handle.emulator().resources()["replication_tasks"]["count"]
            .eq(&0)
            .then_some(())
    })
    .await;
    dms.delete_endpoint()
        .endpoint_arn(&s.source_arn)
        .send()
        .await
        .unwrap();
    dms.delete_endpoint()
        .endpoint_arn(&s.target_arn)
        .send()
        .await
        .unwrap();
    env.handle.emulator().set_scenario(speed(0.0001));
    dms.delete_replication_instance()
        .replication_instance_arn(&s.instance_arn)
        .send()
        .await
        .unwrap();
    let e = dms
        .delete_replication_subnet_group()
        .replication_subnet_group_identifier(&s.subnet_group)
        .send()
        .await
        .unwrap_err();
    assert!(refused(&e), "the deleting instance still uses the group");
    env.handle.emulator().set_scenario(speed(SPEED));
    eventually("instance gone", || async {
        instance_status(dms, &s.instance_arn)
            .await
            .is_none()
            .then_some(())
    })
    .await;
    dms.delete_replication_subnet_group()
        .replication_subnet_group_identifier(&s.subnet_group)
        .send()
        .await
        .unwrap();
    let e = dms
        .delete_replication_instance()
        .replication_instance_arn(&s.instance_arn)
        .send()
        .await
        .unwrap_err();
    assert!(
        e.as_service_error().unwrap().is_resource_not_found_fault(),
        "not found means already gone"
    );
    eventually("nothing left", || async {
        env.handle.emulator().resources()["total"]
            .eq(&0)
            .then_some(())
    })
    .await;
}

/// Lets `code` take a trait object.
struct Wrap<'a>(&'a dyn aws_sdk_databasemigration::error::ProvideErrorMetadata);
impl aws_sdk_databasemigration::error::ProvideErrorMetadata for Wrap<'_> {
    fn meta(&self) -> &aws_sdk_databasemigration::error::ErrorMetadata {
        self.0.meta()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tag_keys_prefixed_dms_or_aws_are_refused_by_every_call_that_tags() {
    let env = start().await;
    let dms = &env.dms;
    let s = setup(dms, "tagk").await;
    let before = env.handle.emulator().resources()["total"].clone();
    let refused = |e: &dyn aws_sdk_databasemigration::error::ProvideErrorMetadata, what: &str| {
        assert_eq!(code(&Wrap(e)), "InvalidParameterValueException", "{what}");
        assert!(
            message(&Wrap(e)).contains("dms:"),
            "{what}: {}",
            message(&Wrap(e))
        );
    };
    for key in ["dms:owner", "DMS:owner", "aws:owner"] {
        let bad = || vec![tag("team", "data"), tag(key, "x")];
        let e = dms
            .create_replication_subnet_group()
            .replication_subnet_group_identifier("tagk-sg2")
            .replication_subnet_group_description("d")
            .subnet_ids("subnet-aaaa1111")
            .subnet_ids("subnet-bbbb2222")
            .set_tags(Some(bad()))
            .send()
            .await
            .unwrap_err();
        refused(&e, key);
        let e = dms
            .create_replication_instance()
            .replication_instance_identifier("tagk-ri2")
            .replication_instance_class("dms.t3.medium")
            .set_tags(Some(bad()))
            .send()
            .await
            .unwrap_err();
        refused(&e, key);
        let e = dms
            .create_endpoint()
            .endpoint_identifier("tagk-ep2")
            .endpoint_type(E::Source)
            .engine_name("postgres")
            .server_name("h")
            .port(5432)
            .database_name("d")
            .username("u")
            .password("p")
            .set_tags(Some(bad()))
            .send()
            .await
            .unwrap_err();
        refused(&e, key);
        let e = dms
            .create_replication_task()
            .replication_task_identifier("tagk-task2")
            .source_endpoint_arn(&s.source_arn)
            .target_endpoint_arn(&s.target_arn)
            .replication_instance_arn(&s.instance_arn)
            .migration_type(M::FullLoad)
            .table_mappings(mappings("sales", "%"))
            .set_tags(Some(bad()))
            .send()
            .await
            .unwrap_err();
        refused(&e, key);
        let e = dms
            .create_event_subscription()
            .subscription_name("tagk-sub")
            .sns_topic_arn("arn:aws:sns:us-east-1:123456789012:t")
            .set_tags(Some(bad()))
            .send()
            .await
            .unwrap_err();
        refused(&e, key);
        let e = dms
            .add_tags_to_resource()
            .resource_arn(&s.instance_arn)
            .set_tags(Some(bad()))
            .send()
            .await
            .unwrap_err();
        refused(&e, key);
    }
    assert_eq!(
        env.handle.emulator().resources()["total"],
        before,
        "nothing was created"
    );

    // Characters outside the documented set are refused too; the set's own are not.
    for key in ["owner@example", "a#b", "tab\tkey", "(x)"] {
        let e = dms
            .add_tags_to_resource()
            .resource_arn(&s.instance_arn)
            .tags(tag(key, "v"))
            .send()
            .await
            .unwrap_err();
        assert_eq!(code(&e), "InvalidParameterValueException", "{key:?}");
    }
    let good = [
        "dmsflow:run-id",
        "cost center",
        "a_b.c/d=e+f-g",
        "Ünïcödé",
        "部署",
        "v2",
        "dms-emulator:slow-modify-seconds",
    ];
    dms.add_tags_to_resource()
        .resource_arn(&s.instance_arn)
        .set_tags(Some(good.iter().map(|k| tag(k, "a,b")).collect()))
        .send()
        .await
        .expect("keys of letters, digits, spaces and _ . : / = + - are accepted");
    let listed = dms
        .list_tags_for_resource()
        .resource_arn(&s.instance_arn)
        .send()
        .await
        .unwrap();
    let mut keys: Vec<&str> = listed.tag_list().iter().filter_map(|t| t.key()).collect();
    keys.sort_unstable();
    let mut expected = good.to_vec();
    expected.sort_unstable();
    assert_eq!(keys, expected, "the refused calls added nothing");
}
