//! The request of every resource of a run, from the spec and the run's names.

use serde::Serialize;

use crate::aws::dms::{
    EndpointRequest, EndpointRole, EventSubscriptionRequest, InstanceRequest,
    ReplicationConfigRequest, SubnetGroupRequest, Tags, TaskRequest,
};
use crate::aws::metrics::{
    AlarmRequest, PROGRESS_NAMESPACE, RUN_DIMENSION, metric_names, task_resource_id,
};
use crate::dashboard;
use crate::naming::{self, Names};
use crate::spec::{Compute, EndpointSpec, MigrationSpec, MigrationType, settings};

/// The serde name of a spec enum (`full-load-and-cdc`, `require`, ...).
pub fn wire_name<T: Serialize>(value: T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(name)) => name,
        _ => String::new(),
    }
}

pub fn tags(spec: &MigrationSpec) -> Tags {
    naming::run_tags(&spec.run_id, &spec.tags)
}

/// The subnet group the instance uses: the user's, or the one dmsflow creates.
pub fn subnet_group_id(spec: &MigrationSpec, names: &Names) -> String {
    spec.network
        .subnet_group
        .clone()
        .unwrap_or_else(|| names.subnet_group.clone())
}

/// The subnet group to create, or `None` when the spec names an existing one.
pub fn subnet_group_request(spec: &MigrationSpec, names: &Names) -> Option<SubnetGroupRequest> {
    if spec.network.subnet_group.is_some() {
        return None;
    }
    Some(SubnetGroupRequest {
        id: names.subnet_group.clone(),
        description: format!("dmsflow run {}", spec.run_id),
        subnet_ids: spec.network.subnet_ids.clone(),
        tags: tags(spec),
    })
}

pub fn instance_request(spec: &MigrationSpec, names: &Names) -> InstanceRequest {
    let instance = &spec.instance;
    InstanceRequest {
        id: names.instance.clone(),
        class: instance.class.clone(),
        allocated_storage_gb: i32::try_from(instance.allocated_storage_gb).unwrap_or(i32::MAX),
        multi_az: instance.multi_az,
        engine_version: instance.engine_version.clone(),
        publicly_accessible: instance.publicly_accessible,
        subnet_group_id: subnet_group_id(spec, names),
        security_group_ids: spec.network.security_group_ids.clone(),
        kms_key_id: instance.kms_key_id.clone(),
        tags: tags(spec),
    }
}

fn endpoint_spec(spec: &MigrationSpec, role: EndpointRole) -> &EndpointSpec {
    match role {
        EndpointRole::Source => &spec.source,
        EndpointRole::Target => &spec.target,
    }
}

fn endpoint_id(names: &Names, role: EndpointRole) -> &str {
    match role {
        EndpointRole::Source => &names.source_endpoint,
        EndpointRole::Target => &names.target_endpoint,
    }
}

/// The endpoint request: credentials only as the secret's ARN and the role DMS
/// assumes to read it.
pub fn endpoint_request(
    spec: &MigrationSpec,
    names: &Names,
    role: EndpointRole,
) -> EndpointRequest {
    let endpoint = endpoint_spec(spec, role);
    EndpointRequest {
        id: endpoint_id(names, role).to_string(),
        role,
        engine: endpoint.engine.clone(),
        server: endpoint.server.clone(),
        port: i32::from(endpoint.port),
        database: endpoint.database.clone(),
        ssl_mode: wire_name(endpoint.ssl_mode),
        certificate_arn: endpoint.certificate_arn.clone(),
        secret_arn: endpoint.secret_arn.clone(),
        secret_access_role_arn: endpoint.secret_access_role_arn.clone(),
        extra_connection_attributes: endpoint.extra_connection_attributes.clone(),
        settings: endpoint.settings.clone(),
        tags: tags(spec),
    }
}

/// The ARNs a task is wired to.
#[derive(Debug, Clone, Copy)]
pub struct TaskWiring<'a> {
    pub instance_arn: &'a str,
    pub source_endpoint_arn: &'a str,
    pub target_endpoint_arn: &'a str,
}

/// The task request: table mappings and task settings as JSON text, validation
/// set in the settings from the start (a task can only be modified while not running).
pub fn task_request(spec: &MigrationSpec, names: &Names, wiring: TaskWiring<'_>) -> TaskRequest {
    TaskRequest {
        id: names.task.clone(),
        instance_arn: wiring.instance_arn.to_string(),
        source_endpoint_arn: wiring.source_endpoint_arn.to_string(),
        target_endpoint_arn: wiring.target_endpoint_arn.to_string(),
        migration_type: wire_name(spec.migration_type),
        table_mappings: spec.table_mappings.to_string(),
        settings: settings::task_settings(spec).to_string(),
        tags: tags(spec),
    }
}

/// The replication config of a serverless run (CreateReplicationConfig): the
/// task's table mappings and settings, validation included from the start (a
/// config cannot be modified once started), the capacity of the `serverless`
/// section, and the network of the instance path. `None` without that section
/// (the spec checks refuse such a spec first).
pub fn replication_config_request(
    spec: &MigrationSpec,
    names: &Names,
    source_endpoint_arn: &str,
    target_endpoint_arn: &str,
) -> Option<ReplicationConfigRequest> {
    let serverless = spec.serverless.as_ref()?;
    let units = |n: u32| i32::try_from(n).unwrap_or(i32::MAX);
    Some(ReplicationConfigRequest {
        id: names.task.clone(),
        source_endpoint_arn: source_endpoint_arn.to_string(),
        target_endpoint_arn: target_endpoint_arn.to_string(),
        replication_type: wire_name(spec.migration_type),
        table_mappings: spec.table_mappings.to_string(),
        settings: settings::task_settings(spec).to_string(),
        max_capacity_units: units(serverless.max_capacity_units),
        min_capacity_units: serverless.min_capacity_units.map(units),
        multi_az: serverless.multi_az,
        preferred_maintenance_window: serverless.preferred_maintenance_window.clone(),
        subnet_group_id: subnet_group_id(spec, names),
        security_group_ids: spec.network.security_group_ids.clone(),
        kms_key_id: serverless.kms_key_id.clone(),
        tags: tags(spec),
    })
}

/// The DMS event subscription of the run's task.
pub fn event_subscription_request(
    spec: &MigrationSpec,
    names: &Names,
    topic_arn: &str,
) -> EventSubscriptionRequest {
    EventSubscriptionRequest {
        name: names.event_subscription.clone(),
        topic_arn: topic_arn.to_string(),
        categories: spec.notifications.event_categories.clone(),
        source_type: "replication-task".into(),
        source_ids: vec![names.task.clone()],
        tags: tags(spec),
    }
}

fn has_cdc(spec: &MigrationSpec) -> bool {
    spec.migration_type != MigrationType::FullLoad
}

/// Names of the alarms the run wants: none when `notifications.alarms` is off;
/// CDC latency only with CDC on a replication instance (the dimensions of DMS
/// Serverless's metrics are not documented: docs/dms-serverless.md); validation
/// failures only with validation.
pub fn wanted_alarms(spec: &MigrationSpec, names: &Names) -> Vec<String> {
    if !spec.notifications.alarms {
        return Vec::new();
    }
    naming::ALARM_SUFFIXES
        .iter()
        .zip(&names.alarms)
        .filter(|(suffix, _)| match **suffix {
            "cdc-latency-source" | "cdc-latency-target" => {
                has_cdc(spec) && spec.compute == Compute::Instance
            }
            "validation-failed" => spec.validation.enabled,
            _ => true,
        })
        .map(|(_, name)| name.clone())
        .collect()
}

/// The alarm named `name` (one of [`wanted_alarms`]) for the task `task_arn`,
/// notifying `topic_arn`. The CDC latency alarms watch DMS's task metrics, whose
/// `ReplicationTaskIdentifier` dimension is the resource name ending the task's
/// ARN; the others watch the progress metrics check-progress publishes.
pub fn alarm_request(
    spec: &MigrationSpec,
    names: &Names,
    name: &str,
    task_arn: &str,
    topic_arn: &str,
) -> Option<AlarmRequest> {
    let suffix = name.strip_prefix(&Names::prefix(&spec.run_id))?;
    let run = &spec.run_id;
    let task = &names.task;
    let base = AlarmRequest {
        name: name.to_string(),
        description: String::new(),
        namespace: PROGRESS_NAMESPACE.to_string(),
        metric_name: String::new(),
        dimensions: vec![(
            RUN_DIMENSION.to_string(),
            names.metric_run_dimension.clone(),
        )],
        statistic: "Maximum".into(),
        period_seconds: 60,
        evaluation_periods: 1,
        threshold: 0.0,
        comparison: "GreaterThanThreshold".into(),
        alarm_topic_arn: topic_arn.to_string(),
        tags: tags(spec),
    };
    let latency = |metric: &str, side: &str| {
        let threshold = spec.notifications.cdc_latency_threshold_seconds;
        AlarmRequest {
            description: format!(
                "dmsflow run {run}: DMS {side} CDC latency of task {task} above {threshold} s for 5 minutes"
            ),
            namespace: "AWS/DMS".into(),
            metric_name: metric.to_string(),
            dimensions: vec![
                (
                    "ReplicationInstanceIdentifier".to_string(),
                    names.instance.clone(),
                ),
                (
                    "ReplicationTaskIdentifier".to_string(),
                    task_resource_id(task_arn).unwrap_or(task_arn).to_string(),
                ),
            ],
            statistic: "Average".into(),
            evaluation_periods: 5,
            threshold: f64::from(threshold),
            ..base.clone()
        }
    };
    let max_failed = spec.validation.max_failed_records;
    Some(match suffix {
        "cdc-latency-source" => latency("CDCLatencySource", "source"),
        "cdc-latency-target" => latency("CDCLatencyTarget", "target"),
        "tables-errored" => AlarmRequest {
            description: format!("dmsflow run {run}: a table of task {task} is in Table error"),
            metric_name: metric_names::TABLES_ERRORED.into(),
            ..base
        },
        "validation-failed" => AlarmRequest {
            description: format!(
                "dmsflow run {run}: more than {max_failed} records of task {task} failed validation"
            ),
            metric_name: metric_names::VALIDATION_FAILED_RECORDS.into(),
            threshold: max_failed as f64,
            ..base
        },
        _ => return None,
    })
}

/// The body of the run's dashboard ([`crate::dashboard`]) for the task
/// `task_arn`, showing the alarms named in `alarms`, in the region and account of
/// `function_arn`; `None` when that is not an ARN.
pub fn dashboard_body(
    spec: &MigrationSpec,
    names: &Names,
    task_arn: &str,
    function_arn: &str,
    alarms: &[String],
) -> Option<String> {
    let (_, region, _) = arn_scope(function_arn)?;
    let alarm_arns = alarms
        .iter()
        .map(|name| dashboard::alarm_arn(function_arn, name))
        .collect::<Option<Vec<String>>>()?;
    Some(dashboard::body(&dashboard::DashboardFacts {
        run_id: &spec.run_id,
        region,
        // DMS's task metrics are dimensioned by instance and task; a serverless
        // replication's are not known (docs/dms-serverless.md): only dmsflow's.
        instance_id: (spec.compute == Compute::Instance).then_some(names.instance.as_str()),
        task_resource_id: task_resource_id(task_arn).unwrap_or(task_arn),
        task_id: &names.task,
        cdc: has_cdc(spec),
        validation: spec.validation.enabled,
        alarm_arns,
    }))
}

/// The partition, region and account of an ARN (`arn:<partition>:<service>:<region>:<account>:...`),
/// when it names all three.
pub fn arn_scope(arn: &str) -> Option<(&str, &str, &str)> {
    let mut parts = arn.splitn(6, ':');
    let (prefix, partition, _service, region, account) = (
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
    );
    (prefix == "arn" && !partition.is_empty() && !region.is_empty() && !account.is_empty())
        .then_some((partition, region, account))
}

/// The ARN of a DMS resource that DMS describes without one (subnet groups:
/// `subgrp`, event subscriptions: `es`), in the partition, region and account of
/// `sibling_arn` (any ARN of the same account and region, such as the function's own).
pub fn named_arn(sibling_arn: &str, kind: &str, name: &str) -> Option<String> {
    let (partition, region, account) = arn_scope(sibling_arn)?;
    Some(format!(
        "arn:{partition}:dms:{region}:{account}:{kind}:{name}"
    ))
}
