//! A readable dry run of what a run creates and does.

use super::{wanted_alarms, wire_name};
use crate::naming::Names;
use crate::spec::{Compute, EndpointSpec, Keep, MigrationSpec, MigrationType, TargetTablePrep};

fn describe_endpoint(endpoint: &EndpointSpec) -> String {
    format!(
        "{} at {}:{}/{}, SSL {}, credentials from secret {}",
        endpoint.engine,
        endpoint.server,
        endpoint.port,
        endpoint.database,
        wire_name(endpoint.ssl_mode),
        endpoint.secret_arn
    )
}

fn keep_word(keep: Keep) -> &'static str {
    match keep {
        Keep::Keep => "kept",
        Keep::Delete => "deleted",
    }
}

/// What the run will create and do, one line each, for a person to read before
/// anything happens. `topic_arn` is the topic alerts go to.
pub fn dry_run(spec: &MigrationSpec, names: &Names, topic_arn: &str) -> Vec<String> {
    let mut plan = Vec::new();
    match &spec.network.subnet_group {
        Some(group) => plan.push(format!(
            "use the existing replication subnet group {group} (dmsflow never changes or deletes it)"
        )),
        None => plan.push(format!(
            "create replication subnet group {} with subnets {}",
            names.subnet_group,
            spec.network.subnet_ids.join(", ")
        )),
    }
    let serverless = spec
        .serverless
        .as_ref()
        .filter(|_| spec.compute == Compute::Serverless);
    let instance = &spec.instance;
    if serverless.is_none() {
        plan.push(format!(
            "create replication instance {} ({}, {} GiB, {}, {}{})",
            names.instance,
            instance.class,
            instance.allocated_storage_gb,
            if instance.multi_az {
                "Multi-AZ"
            } else {
                "single-AZ"
            },
            if instance.publicly_accessible {
                "public IP"
            } else {
                "no public IP"
            },
            instance
                .engine_version
                .as_ref()
                .map(|v| format!(", engine {v}"))
                .unwrap_or_default()
        ));
    }
    plan.push(format!(
        "create source endpoint {} ({})",
        names.source_endpoint,
        describe_endpoint(&spec.source)
    ));
    plan.push(format!(
        "create target endpoint {} ({})",
        names.target_endpoint,
        describe_endpoint(&spec.target)
    ));
    let (what, capacity, note) = match serverless {
        None => ("replication task", String::new(), ""),
        Some(s) => (
            "DMS Serverless replication config",
            format!(
                ", {}-{} DCU, {}",
                s.min_capacity_units.unwrap_or(1),
                s.max_capacity_units,
                if s.multi_az { "Multi-AZ" } else { "single-AZ" },
            ),
            "; no replication instance: DMS tests the connections when it starts",
        ),
    };
    plan.push(format!(
        "create {what} {} ({}{capacity}, validation {}, existing target tables: {}{note})",
        names.task,
        wire_name(spec.migration_type),
        if spec.validation.enabled { "on" } else { "off" },
        wire_name(spec.target_table_prep)
    ));
    match spec.target_table_prep {
        TargetTablePrep::DoNothing => {}
        TargetTablePrep::TruncateBeforeLoad => plan.push(
            "WARNING: existing target tables selected by the table mappings are emptied before the load"
                .into(),
        ),
        TargetTablePrep::DropAndCreate => plan.push(
            "WARNING: existing target tables selected by the table mappings are dropped and recreated"
                .into(),
        ),
    }
    if serverless.is_none() {
        plan.push(format!(
            "subscribe {topic_arn} to DMS events of the task ({}) as {}",
            spec.notifications.event_categories.join(", "),
            names.event_subscription
        ));
    }
    let alarms = wanted_alarms(spec, names);
    if !alarms.is_empty() {
        plan.push(format!(
            "create CloudWatch alarms {} notifying {topic_arn}",
            alarms.join(", ")
        ));
    }
    plan.push(format!(
        "create CloudWatch dashboard {} (full-load progress and rows{}, tables errored{}{})",
        names.dashboard,
        if spec.migration_type == MigrationType::FullLoad || serverless.is_some() {
            ""
        } else {
            ", CDC latency, incoming changes and throughput"
        },
        if spec.validation.enabled {
            ", validation failures"
        } else {
            ""
        },
        if alarms.is_empty() {
            ""
        } else {
            ", the alarms"
        },
    ));
    plan.push(format!(
        "at the end: resources are {} after success with completion.then stop-and-clean-up, {} after a failure",
        keep_word(spec.cleanup.on_success),
        keep_word(spec.cleanup.on_failure)
    ));
    plan
}
