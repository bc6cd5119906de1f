use serde_json::{Value, json};

use super::*;
use crate::aws::dms::EndpointRole;
use crate::error::{ErrorKind, StepError};
use crate::naming::{self, Names};
use crate::progress::fixtures;
use crate::spec::MigrationSpec;
use crate::testing;

const TOPIC: &str = "arn:aws:sns:eu-west-1:123456789012:dmsflow-alerts";

fn spec(changes: Value) -> MigrationSpec {
    fixtures::spec(changes)
}

fn names() -> Names {
    Names::for_run("orders")
}

#[test]
fn every_request_carries_the_run_tags_and_the_users() {
    let spec = spec(json!({"tags": {"team": "data"}}));
    let names = names();
    let wiring = TaskWiring {
        instance_arn: "i",
        source_endpoint_arn: "s",
        target_endpoint_arn: "t",
    };
    let all_tags = [
        subnet_group_request(&spec, &names).unwrap().tags,
        instance_request(&spec, &names).tags,
        endpoint_request(&spec, &names, EndpointRole::Source).tags,
        endpoint_request(&spec, &names, EndpointRole::Target).tags,
        task_request(&spec, &names, wiring).tags,
        event_subscription_request(&spec, &names, TOPIC).tags,
        alarm_request(&spec, &names, &names.alarms[2], "arn:x", TOPIC)
            .unwrap()
            .tags,
    ];
    for tags in all_tags {
        assert!(naming::owned_by("orders", &tags), "{tags:?}");
        assert_eq!(tags.get("team").map(String::as_str), Some("data"));
    }
}

#[test]
fn subnet_group_is_created_unless_the_spec_names_one() {
    let names = names();
    let created = spec(json!({}));
    let request = subnet_group_request(&created, &names).unwrap();
    assert_eq!(request.id, "dmsflow-orders-subnets");
    assert_eq!(request.subnet_ids.len(), 2);
    assert_eq!(
        instance_request(&created, &names).subnet_group_id,
        "dmsflow-orders-subnets"
    );

    let given =
        spec(json!({"network": {"subnet_group": "shared-dms", "security_group_ids": ["sg-1"]}}));
    assert_eq!(subnet_group_request(&given, &names), None);
    let instance = instance_request(&given, &names);
    assert_eq!(instance.subnet_group_id, "shared-dms");
    assert_eq!(instance.security_group_ids, vec!["sg-1"]);
}

#[test]
fn instance_request_follows_the_spec() {
    let spec = spec(json!({"instance": {
        "class": "dms.r5.large", "allocated_storage_gb": 200, "multi_az": true,
        "engine_version": "3.5.3", "kms_key_id": "alias/dms"
    }}));
    let request = instance_request(&spec, &names());
    assert_eq!(request.id, "dmsflow-orders-instance");
    assert_eq!(request.class, "dms.r5.large");
    assert_eq!(request.allocated_storage_gb, 200);
    assert!(request.multi_az);
    assert!(!request.publicly_accessible);
    assert_eq!(request.engine_version.as_deref(), Some("3.5.3"));
    assert_eq!(request.kms_key_id.as_deref(), Some("alias/dms"));
}

#[test]
fn endpoint_request_carries_the_secret_reference_only() {
    let spec = spec(json!({}));
    let source = endpoint_request(&spec, &names(), EndpointRole::Source);
    assert_eq!(source.id, "dmsflow-orders-source");
    assert_eq!(source.engine, "postgres");
    assert_eq!(source.server, "source.example.internal");
    assert_eq!(source.port, 5432);
    assert_eq!(source.ssl_mode, "require");
    assert!(source.secret_arn.contains(":secret:source-"));
    assert_eq!(
        source.secret_access_role_arn,
        "arn:aws:iam::123456789012:role/dms-secrets-access"
    );
    let target = endpoint_request(&spec, &names(), EndpointRole::Target);
    assert_eq!(target.id, "dmsflow-orders-target");
    assert_eq!(target.role, EndpointRole::Target);
    assert_eq!(target.engine, "aurora-postgresql");
}

#[test]
fn task_request_sets_validation_and_table_prep_at_creation() {
    let spec =
        spec(json!({"migration_type": "full-load", "target_table_prep": "truncate-before-load"}));
    let request = task_request(
        &spec,
        &names(),
        TaskWiring {
            instance_arn: "arn:i",
            source_endpoint_arn: "arn:s",
            target_endpoint_arn: "arn:t",
        },
    );
    assert_eq!(request.id, "dmsflow-orders-task");
    assert_eq!(request.migration_type, "full-load");
    assert_eq!(
        (
            request.instance_arn.as_str(),
            request.source_endpoint_arn.as_str(),
            request.target_endpoint_arn.as_str()
        ),
        ("arn:i", "arn:s", "arn:t")
    );
    let settings: Value = serde_json::from_str(&request.settings).unwrap();
    assert_eq!(settings["ValidationSettings"]["EnableValidation"], true);
    assert_eq!(
        settings["FullLoadSettings"]["TargetTablePrepMode"],
        "TRUNCATE_BEFORE_LOAD"
    );
    let mappings: Value = serde_json::from_str(&request.table_mappings).unwrap();
    assert_eq!(mappings, spec.table_mappings);
}

#[test]
fn event_subscription_watches_the_task() {
    let spec = spec(json!({"notifications": {"event_categories": ["failure"]}}));
    let request = event_subscription_request(&spec, &names(), TOPIC);
    assert_eq!(request.name, "dmsflow-orders-events");
    assert_eq!(request.source_type, "replication-task");
    assert_eq!(request.source_ids, vec!["dmsflow-orders-task"]);
    assert_eq!(request.categories, vec!["failure"]);
    assert_eq!(request.topic_arn, TOPIC);
}

#[test]
fn wanted_alarms_depend_on_cdc_validation_and_the_switch() {
    let names = names();
    assert_eq!(wanted_alarms(&spec(json!({})), &names), names.alarms);
    let full_load = wanted_alarms(&spec(json!({"migration_type": "full-load"})), &names);
    assert_eq!(
        full_load,
        vec![
            "dmsflow-orders-tables-errored",
            "dmsflow-orders-validation-failed"
        ]
    );
    let no_validation = wanted_alarms(&spec(json!({"validation": {"enabled": false}})), &names);
    assert!(
        !no_validation
            .iter()
            .any(|n| n.ends_with("validation-failed"))
    );
    assert_eq!(no_validation.len(), 3);
    assert!(wanted_alarms(&spec(json!({"notifications": {"alarms": false}})), &names).is_empty());
}

#[test]
fn latency_alarms_watch_dms_metrics_with_the_task_resource_dimension() {
    let spec = spec(json!({"notifications": {"cdc_latency_threshold_seconds": 90}}));
    let names = names();
    let task_arn = "arn:aws:dms:eu-west-1:123456789012:task:ABCDEFGHIJ";
    let alarm = alarm_request(&spec, &names, &names.alarms[0], task_arn, TOPIC).unwrap();
    assert_eq!(alarm.namespace, "AWS/DMS");
    assert_eq!(alarm.metric_name, "CDCLatencySource");
    assert_eq!(alarm.threshold, 90.0);
    assert_eq!(alarm.comparison, "GreaterThanThreshold");
    assert_eq!(alarm.alarm_topic_arn, TOPIC);
    assert_eq!(
        alarm.dimensions,
        vec![
            (
                "ReplicationInstanceIdentifier".to_string(),
                "dmsflow-orders-instance".to_string()
            ),
            (
                "ReplicationTaskIdentifier".to_string(),
                "ABCDEFGHIJ".to_string()
            ),
        ]
    );
    let target = alarm_request(&spec, &names, &names.alarms[1], task_arn, TOPIC).unwrap();
    assert_eq!(target.metric_name, "CDCLatencyTarget");
}

#[test]
fn own_metric_alarms_watch_the_run_dimension() {
    let spec = spec(json!({"validation": {"max_failed_records": 25}}));
    let names = names();
    let errored = alarm_request(&spec, &names, &names.alarms[2], "arn:t", TOPIC).unwrap();
    assert_eq!(errored.namespace, "dmsflow");
    assert_eq!(errored.metric_name, "TablesErrored");
    assert_eq!(errored.threshold, 0.0);
    assert_eq!(
        errored.dimensions,
        vec![("RunId".to_string(), "orders".to_string())]
    );
    let failed = alarm_request(&spec, &names, &names.alarms[3], "arn:t", TOPIC).unwrap();
    assert_eq!(failed.metric_name, "ValidationFailedRecords");
    assert_eq!(failed.threshold, 25.0);
    assert_eq!(
        alarm_request(
            &spec,
            &names,
            "dmsflow-other-tables-errored",
            "arn:t",
            TOPIC
        ),
        None
    );
}

#[test]
fn dry_run_names_everything_and_warns_about_target_data() {
    let names = names();
    let plan = dry_run(
        &spec(json!({"target_table_prep": "drop-and-create"})),
        &names,
        TOPIC,
    );
    let text = plan.join("\n");
    for name in [
        &names.subnet_group,
        &names.instance,
        &names.source_endpoint,
        &names.target_endpoint,
        &names.task,
        &names.event_subscription,
        &names.alarms[0],
    ] {
        assert!(text.contains(name.as_str()), "{name} missing from {text}");
    }
    assert!(plan[0].starts_with("create replication subnet group dmsflow-orders-subnets"));
    assert!(
        text.contains("WARNING") && text.contains("dropped"),
        "{text}"
    );
    assert!(!text.contains("password"));

    let given = dry_run(
        &spec(
            json!({"network": {"subnet_group": "shared-dms"}, "notifications": {"alarms": false}}),
        ),
        &names,
        TOPIC,
    );
    assert!(given[0].contains("existing replication subnet group shared-dms"));
    assert!(!given.join("\n").contains("WARNING"));
    assert!(!given.iter().any(|line| line.contains("CloudWatch alarms")));
}

#[test]
fn named_arn_reuses_partition_region_and_account() {
    assert_eq!(
        named_arn(
            "arn:aws:lambda:eu-west-1:123456789012:function:dmsflow-create",
            "subgrp",
            "dmsflow-orders-subnets"
        )
        .as_deref(),
        Some("arn:aws:dms:eu-west-1:123456789012:subgrp:dmsflow-orders-subnets")
    );
    assert_eq!(
        named_arn("arn:aws-cn:lambda:cn-north-1:1:function:f", "es", "x").as_deref(),
        Some("arn:aws-cn:dms:cn-north-1:1:es:x")
    );
    assert_eq!(named_arn("", "es", "x"), None);
    assert_eq!(named_arn("not-an-arn", "es", "x"), None);
}

/// What the account holds, in the shape `next` sees it.
struct World {
    observed: Observed,
}

impl World {
    fn empty() -> Self {
        Self {
            observed: Observed::nothing(),
        }
    }

    /// Subnet group, instance (in `instance_status`) and both active endpoints, all the run's.
    fn with_instance(instance_status: &str) -> Self {
        let names = names();
        let mut world = Self::empty();
        world.observed.subnet_group = Seen::Ours(testing::subnet_group(&names.subnet_group));
        world.observed.instance = Seen::Ours(testing::instance(&names.instance, instance_status));
        world.observed.source = Seen::Ours(testing::endpoint(
            &names.source_endpoint,
            EndpointRole::Source,
            "active",
        ));
        world.observed.target = Seen::Ours(testing::endpoint(
            &names.target_endpoint,
            EndpointRole::Target,
            "active",
        ));
        world
    }

    /// Everything of a default spec, with the task in `task_status`.
    fn complete(task_status: &str) -> Self {
        let names = names();
        let mut world = Self::with_instance("available");
        world.observed.task = Seen::Ours(testing::task(&names.task, task_status));
        world.observed.subscription = Seen::Ours(testing::event_subscription(
            &names.event_subscription,
            TOPIC,
        ));
        for alarm in &names.alarms {
            world.observed.alarms.insert(alarm.clone(), true);
        }
        world.observed.dashboard = Seen::Ours(names.dashboard.clone());
        world
    }

    fn next(&self, spec: &MigrationSpec) -> Next {
        next(spec, &names(), &self.observed)
    }
}

fn failure(next: Next) -> StepError {
    match next {
        Next::Fail(error) => error,
        other => panic!("expected a failure, got {other:?}"),
    }
}

fn wait_seconds(next: &Next) -> u32 {
    match next {
        Next::Wait { seconds, .. } => *seconds,
        other => panic!("expected a wait, got {other:?}"),
    }
}

#[test]
fn creation_goes_subnet_group_instance_endpoints() {
    let spec = spec(json!({}));
    let mut world = World::empty();
    assert_eq!(world.next(&spec), Next::Create(Resource::SubnetGroup));
    world.observed.subnet_group = Seen::Ours(testing::subnet_group("dmsflow-orders-subnets"));
    assert_eq!(world.next(&spec), Next::Create(Resource::Instance));
    world.observed.instance = Seen::Ours(testing::instance("dmsflow-orders-instance", "creating"));
    for (role, id) in [
        (EndpointRole::Source, "dmsflow-orders-source"),
        (EndpointRole::Target, "dmsflow-orders-target"),
    ] {
        assert_eq!(world.next(&spec), Next::Create(Resource::Endpoint(role)));
        let endpoint = Seen::Ours(testing::endpoint(id, role, "active"));
        match role {
            EndpointRole::Source => world.observed.source = endpoint,
            EndpointRole::Target => world.observed.target = endpoint,
        }
    }
    let waiting = world.next(&spec);
    assert_eq!(wait_seconds(&waiting), INSTANCE_WAIT_SECONDS);
    assert!(
        matches!(&waiting, Next::Wait { waiting_for, .. } if waiting_for.contains("dmsflow-orders-instance"))
    );
}

#[test]
fn a_given_subnet_group_must_exist_and_is_never_created() {
    let spec = spec(json!({"network": {"subnet_group": "shared-dms"}}));
    let mut world = World::empty();
    let error = failure(world.next(&spec));
    assert_eq!(error.kind, ErrorKind::ResourceMissing);
    assert!(error.message.contains("shared-dms"), "{}", error.message);
    world.observed.subnet_group = Seen::Given(testing::subnet_group("shared-dms"));
    assert_eq!(world.next(&spec), Next::Create(Resource::Instance));
}

#[test]
fn the_task_waits_for_an_available_instance_and_active_endpoints() {
    let spec = spec(json!({}));
    for status in [
        "creating",
        "modifying",
        "rebooting",
        "upgrading",
        "maintenance",
    ] {
        let next = World::with_instance(status).next(&spec);
        assert_eq!(wait_seconds(&next), 30, "{status}");
    }
    let mut world = World::with_instance("available");
    world.observed.target = Seen::Ours(testing::endpoint(
        "dmsflow-orders-target",
        EndpointRole::Target,
        "creating",
    ));
    assert!(
        matches!(world.next(&spec), Next::Wait { waiting_for, .. } if waiting_for.contains("dmsflow-orders-target"))
    );
    assert_eq!(
        World::with_instance("available").next(&spec),
        Next::Create(Resource::Task)
    );
}

#[test]
fn broken_instances_fail_with_a_fix_and_deleting_ones_are_busy() {
    let spec = spec(json!({}));
    let cases = [
        ("failed", ErrorKind::AwsError),
        ("incompatible-network", ErrorKind::InvalidRequest),
        ("storage-full", ErrorKind::QuotaExceeded),
        (
            "inaccessible-encryption-credentials",
            ErrorKind::AccessDenied,
        ),
        ("incompatible-credentials", ErrorKind::AccessDenied),
        ("deleting", ErrorKind::ResourceBusy),
    ];
    for (status, kind) in cases {
        let error = failure(World::with_instance(status).next(&spec));
        assert_eq!(error.kind, kind, "{status}");
        assert!(
            error.message.contains("dmsflow-orders-instance") && error.message.contains(status),
            "{}",
            error.message
        );
    }
    let error = failure(World::with_instance("incompatible-network").next(&spec));
    assert!(error.message.contains("Fix:"), "{}", error.message);
}

#[test]
fn while_the_task_is_created_subscription_and_alarms_follow_then_it_waits() {
    let spec = spec(json!({"polling": {"min_wait_seconds": 5}}));
    let names = names();
    let mut world = World::complete("creating");
    world.observed.subscription = Seen::Absent;
    world.observed.alarms.clear();
    world.observed.dashboard = Seen::Absent;
    assert_eq!(world.next(&spec), Next::Create(Resource::EventSubscription));
    world.observed.subscription = Seen::Ours(testing::event_subscription(
        &names.event_subscription,
        TOPIC,
    ));
    for alarm in &names.alarms {
        assert_eq!(
            world.next(&spec),
            Next::Create(Resource::Alarm(alarm.clone()))
        );
        world.observed.alarms.insert(alarm.clone(), true);
    }
    // The dashboard last: it shows the alarms.
    assert_eq!(world.next(&spec), Next::Create(Resource::Dashboard));
    world.observed.dashboard = Seen::Ours(names.dashboard.clone());
    let waiting = world.next(&spec);
    assert_eq!(wait_seconds(&waiting), SHORT_WAIT_SECONDS);
}

#[test]
fn waits_stay_within_the_polling_bounds() {
    let spec = spec(json!({"polling": {"min_wait_seconds": 20, "max_wait_seconds": 25}}));
    assert_eq!(wait_seconds(&World::complete("creating").next(&spec)), 20);
    assert_eq!(
        wait_seconds(&World::with_instance("creating").next(&spec)),
        25
    );
}

#[test]
fn done_once_the_task_is_ready_or_later() {
    let spec = spec(json!({}));
    for status in [
        "ready", "starting", "running", "stopping", "stopped", "failed",
    ] {
        assert_eq!(World::complete(status).next(&spec), Next::Done, "{status}");
    }
    assert_eq!(
        failure(World::complete("deleting").next(&spec)).kind,
        ErrorKind::ResourceBusy
    );
    assert_eq!(
        failure(World::complete("failed-move").next(&spec)).kind,
        ErrorKind::AwsError
    );
}

#[test]
fn alarms_off_means_done_without_them() {
    let spec = spec(json!({"notifications": {"alarms": false}}));
    let mut world = World::complete("ready");
    world.observed.alarms.clear();
    assert_eq!(world.next(&spec), Next::Done);
}

#[test]
fn any_foreign_resource_stops_everything_and_names_all_of_them() {
    let spec = spec(json!({}));
    let names = names();
    let mut world = World::empty();
    world.observed.instance = Seen::Foreign(testing::instance(&names.instance, "available"));
    let error = failure(world.next(&spec));
    assert_eq!(error.kind, ErrorKind::ResourceConflict);
    assert!(
        error
            .message
            .contains("replication instance dmsflow-orders-instance")
    );
    assert!(error.message.contains("run_id"), "{}", error.message);

    let mut world = World::complete("ready");
    world.observed.source = Seen::Foreign(testing::endpoint(
        &names.source_endpoint,
        EndpointRole::Source,
        "active",
    ));
    world.observed.alarms.insert(names.alarms[2].clone(), false);
    world.observed.dashboard = Seen::Foreign(names.dashboard.clone());
    let error = failure(world.next(&spec));
    assert!(error.message.contains("endpoint dmsflow-orders-source"));
    assert!(
        error
            .message
            .contains("CloudWatch dashboard dmsflow-orders,"),
        "{}",
        error.message
    );
    assert!(
        error
            .message
            .contains("CloudWatch alarm dmsflow-orders-tables-errored")
    );
}

#[test]
fn a_subscription_dms_cannot_use_fails_with_the_fix() {
    let spec = spec(json!({}));
    let mut world = World::complete("ready");
    let mut subscription = testing::event_subscription("dmsflow-orders-events", TOPIC);
    subscription.status = "no-permission".into();
    world.observed.subscription = Seen::Ours(subscription.clone());
    let error = failure(world.next(&spec));
    assert_eq!(error.kind, ErrorKind::AccessDenied);
    assert!(error.message.contains("dms.amazonaws.com"));
    subscription.status = "topic-not-exist".into();
    world.observed.subscription = Seen::Ours(subscription);
    assert_eq!(failure(world.next(&spec)).kind, ErrorKind::InvalidRequest);
}

fn serverless_spec(changes: Value) -> MigrationSpec {
    serde_json::from_value(fixtures::serverless_spec_json(changes)).unwrap()
}

#[test]
fn a_serverless_run_creates_no_instance_and_no_subscription() {
    let spec = serverless_spec(json!({}));
    let names = names();
    let mut world = World::empty();
    assert_eq!(world.next(&spec), Next::Create(Resource::SubnetGroup));
    world.observed.subnet_group = Seen::Ours(testing::subnet_group(&names.subnet_group));
    assert_eq!(
        world.next(&spec),
        Next::Create(Resource::Endpoint(EndpointRole::Source)),
        "no instance first"
    );
    world.observed.source = Seen::Ours(testing::endpoint(
        &names.source_endpoint,
        EndpointRole::Source,
        "creating",
    ));
    world.observed.target = Seen::Ours(testing::endpoint(
        &names.target_endpoint,
        EndpointRole::Target,
        "active",
    ));
    assert!(matches!(world.next(&spec), Next::Wait { .. }));
    world.observed.source = Seen::Ours(testing::endpoint(
        &names.source_endpoint,
        EndpointRole::Source,
        "active",
    ));
    assert_eq!(world.next(&spec), Next::Create(Resource::ReplicationConfig));
    world.observed.task = Seen::Ours(testing::replication_config(&names.task, "ready", ""));
    // No event subscription (DMS's take instances and tasks only), and of the
    // alarms only those on dmsflow's own metrics.
    let wanted = wanted_alarms(&spec, &names);
    assert_eq!(
        wanted,
        vec![names.alarms[2].clone(), names.alarms[3].clone()],
        "tables-errored and validation-failed"
    );
    for alarm in &wanted {
        assert_eq!(
            world.next(&spec),
            Next::Create(Resource::Alarm(alarm.clone()))
        );
        world.observed.alarms.insert(alarm.clone(), true);
    }
    assert_eq!(world.next(&spec), Next::Create(Resource::Dashboard));
    world.observed.dashboard = Seen::Ours(names.dashboard.clone());
    assert_eq!(world.next(&spec), Next::Done);
    assert_eq!(
        Resource::ReplicationConfig.label(&names),
        "replication config dmsflow-orders-task"
    );
}

#[test]
fn the_replication_config_request_carries_capacity_network_settings_and_tags() {
    let spec = serverless_spec(json!({
        "serverless": {"max_capacity_units": 16, "min_capacity_units": 2, "multi_az": true,
                       "preferred_maintenance_window": "sun:23:00-mon:01:30",
                       "kms_key_id": "alias/dms"},
        "network": {"security_group_ids": ["sg-1"]},
        "tags": {"team": "data"},
    }));
    let names = names();
    let request = replication_config_request(&spec, &names, "s", "t").unwrap();
    assert_eq!(request.id, "dmsflow-orders-task");
    assert_eq!(
        (request.max_capacity_units, request.min_capacity_units),
        (16, Some(2))
    );
    assert!(request.multi_az);
    assert_eq!(request.subnet_group_id, "dmsflow-orders-subnets");
    assert_eq!(request.security_group_ids, ["sg-1"]);
    assert_eq!(request.kms_key_id.as_deref(), Some("alias/dms"));
    assert_eq!(request.replication_type, "full-load-and-cdc");
    let settings: Value = serde_json::from_str(&request.settings).unwrap();
    assert_eq!(
        settings["ValidationSettings"]["EnableValidation"],
        json!(spec.validation.enabled)
    );
    assert!(naming::owned_by("orders", &request.tags));
    assert_eq!(request.tags["team"], "data");
    assert_eq!(
        replication_config_request(&fixtures::spec(json!({})), &names, "s", "t"),
        None,
        "no serverless section"
    );
}

#[test]
fn the_serverless_dashboard_shows_dmsflow_metrics_only() {
    let spec = serverless_spec(json!({}));
    let names = names();
    let body = dashboard_body(
        &spec,
        &names,
        "arn:aws:dms:eu-west-1:123456789012:replication-config:ABC",
        "arn:aws:lambda:eu-west-1:123456789012:function:dmsflow-create",
        &[],
    )
    .unwrap();
    let metrics = crate::dashboard::metrics(&body);
    assert!(!metrics.is_empty());
    assert!(
        metrics.iter().all(|m| m.namespace == "dmsflow"),
        "{metrics:?}"
    );
    assert!(body.contains("DMS Serverless replication config"), "{body}");
    let dry = dry_run(&spec, &names, TOPIC).join("\n");
    assert!(
        dry.contains(
            "create DMS Serverless replication config dmsflow-orders-task (full-load-and-cdc, 2-16 DCU, single-AZ,"
        ),
        "{dry}"
    );
    assert!(!dry.contains("replication instance dmsflow"), "{dry}");
    assert!(!dry.contains("subscribe"), "{dry}");
}
