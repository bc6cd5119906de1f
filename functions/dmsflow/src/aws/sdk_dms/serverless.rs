//! The DMS Serverless calls behind [`crate::aws::Dms`]: a replication config and
//! its replication, described in the task's terms (docs/dms-serverless.md has the
//! sources of every state named here).

use aws_sdk_databasemigration::Client;
use aws_sdk_databasemigration::types::{
    ComputeConfig, MigrationTypeValue, ReloadOptionValue, Replication, ReplicationConfig,
    TableToReload,
};

use super::convert::{epoch, filter, required, same_id, sdk_tags, stats};
use super::{gone, one_of, pick};
use crate::aws::dms::{Provisioning, ReloadOption, ReplicationConfigRequest, StartType, Task};
use crate::aws::fault::{AwsFault, AwsResult, classify};

/// A serverless replication's status in the task's vocabulary. The model gives
/// `Status` as a plain string; the values are terraform-provider-aws's and the
/// guide's stages (docs/dms-serverless.md), compared ignoring case as the guide
/// and DMS's messages write them in capitals. Every stage between a start and
/// `running` is the task's `starting`; `created` (never started) its `ready`. A
/// value not known here is passed on as DMS wrote it (lower case), and the
/// steps treat it as they treat any task status they do not know.
pub fn status_in_task_terms(status: &str) -> String {
    let status = status.to_ascii_lowercase();
    match status.as_str() {
        "created" => "ready".into(),
        "initializing"
        | "preparing_metadata_resources"
        | "testing_connection"
        | "fetching_metadata"
        | "calculating_capacity"
        | "provisioning_capacity"
        | "replication_starting" => "starting".into(),
        _ => status,
    }
}

/// A `Replication` (DescribeReplications, StartReplication, StopReplication) as
/// a [`Task`]. `FailureMessages` become the last failure message, one per line.
pub(super) fn replication(r: &Replication) -> AwsResult<Task> {
    let status = required(r.status(), "Status")?;
    let failures = r.failure_messages();
    let provision = r.provision_data();
    Ok(Task {
        id: required(
            r.replication_config_identifier(),
            "ReplicationConfigIdentifier",
        )?,
        arn: required(r.replication_config_arn(), "ReplicationConfigArn")?,
        status: status_in_task_terms(&status),
        migration_type: required(r.replication_type().map(|m| m.as_str()), "ReplicationType")?,
        stop_reason: r.stop_reason().map(str::to_string),
        last_failure_message: (!failures.is_empty()).then(|| failures.join("\n")),
        // DescribeReplications carries no settings (DescribeReplicationConfigs
        // does): one call per look, as for a task.
        settings: None,
        start_date: r
            .replication_stats()
            .and_then(|s| epoch(s.start_date()))
            .or_else(|| {
                // Started, not yet running: the start's time is not reported,
                // the replication's last update is.
                r.start_replication_type()
                    .and(epoch(r.replication_update_time()).or(epoch(r.replication_create_time())))
            }),
        stats: r.replication_stats().map(|s| stats!(s)),
        instance_arn: String::new(),
        source_endpoint_arn: required(r.source_endpoint_arn(), "SourceEndpointArn")?,
        target_endpoint_arn: required(r.target_endpoint_arn(), "TargetEndpointArn")?,
        provisioning: Some(Provisioning {
            replication_status: status.to_ascii_lowercase(),
            state: provision
                .and_then(|p| p.provision_state())
                .unwrap_or("")
                .to_ascii_lowercase(),
            capacity_units: provision
                .map(|p| p.provisioned_capacity_units())
                .filter(|n| *n > 0),
            deprovision_at: epoch(r.replication_deprovision_time()),
        }),
    })
}

/// A config DMS has just created, as a replication never started.
fn created(config: &ReplicationConfig) -> AwsResult<Task> {
    Ok(Task {
        id: required(
            config.replication_config_identifier(),
            "ReplicationConfigIdentifier",
        )?,
        arn: required(config.replication_config_arn(), "ReplicationConfigArn")?,
        status: status_in_task_terms("created"),
        migration_type: required(
            config.replication_type().map(|m| m.as_str()),
            "ReplicationType",
        )?,
        stop_reason: None,
        last_failure_message: None,
        settings: config.replication_settings().map(str::to_string),
        start_date: None,
        stats: None,
        instance_arn: String::new(),
        source_endpoint_arn: required(config.source_endpoint_arn(), "SourceEndpointArn")?,
        target_endpoint_arn: required(config.target_endpoint_arn(), "TargetEndpointArn")?,
        provisioning: Some(Provisioning {
            replication_status: "created".into(),
            ..Provisioning::default()
        }),
    })
}

pub(super) async fn describe(client: &Client, id: &str) -> AwsResult<Option<Task>> {
    let answer = client
        .describe_replications()
        .filters(filter("replication-config-id", id))
        .send()
        .await
        .map_err(classify);
    pick(
        answer,
        |a| a.replications(),
        |r| same_id(r.replication_config_identifier(), id),
        replication,
    )
}

pub(super) async fn create(client: &Client, request: &ReplicationConfigRequest) -> AwsResult<Task> {
    let compute = ComputeConfig::builder()
        .max_capacity_units(request.max_capacity_units)
        .set_min_capacity_units(request.min_capacity_units)
        .multi_az(request.multi_az)
        .set_preferred_maintenance_window(request.preferred_maintenance_window.clone())
        .replication_subnet_group_id(&request.subnet_group_id)
        .set_vpc_security_group_ids(super::non_empty(&request.security_group_ids))
        .set_kms_key_id(request.kms_key_id.clone())
        .build();
    let answer = client
        .create_replication_config()
        .replication_config_identifier(&request.id)
        .source_endpoint_arn(&request.source_endpoint_arn)
        .target_endpoint_arn(&request.target_endpoint_arn)
        .replication_type(one_of::<MigrationTypeValue>(
            "replication type",
            &request.replication_type,
            MigrationTypeValue::values(),
        )?)
        .table_mappings(&request.table_mappings)
        .replication_settings(&request.settings)
        .compute_config(compute)
        .set_tags(Some(sdk_tags(&request.tags)))
        .send()
        .await
        .map_err(classify)?;
    match answer.replication_config() {
        Some(config) => created(config),
        None => Err(AwsFault::Other {
            code: "IncompleteResponse".into(),
            message: "CreateReplicationConfig answered without the config".into(),
        }),
    }
}

pub(super) async fn modify_settings(client: &Client, arn: &str, settings: &str) -> AwsResult<()> {
    client
        .modify_replication_config()
        .replication_config_arn(arn)
        .replication_settings(settings)
        .send()
        .await
        .map_err(classify)?;
    Ok(())
}

pub(super) async fn start(client: &Client, arn: &str, start_type: StartType) -> AwsResult<()> {
    client
        .start_replication()
        .replication_config_arn(arn)
        .start_replication_type(start_type.as_str())
        .send()
        .await
        .map_err(classify)?;
    Ok(())
}

/// ReloadReplicationTables: the serverless ReloadTables (same tables, same options).
pub(super) async fn reload_tables(
    client: &Client,
    arn: &str,
    tables: Vec<TableToReload>,
    option: ReloadOption,
) -> AwsResult<()> {
    client
        .reload_replication_tables()
        .replication_config_arn(arn)
        .set_tables_to_reload(Some(tables))
        .reload_option(ReloadOptionValue::from(option.as_str()))
        .send()
        .await
        .map_err(classify)?;
    Ok(())
}

pub(super) async fn stop(client: &Client, arn: &str) -> AwsResult<()> {
    client
        .stop_replication()
        .replication_config_arn(arn)
        .send()
        .await
        .map_err(classify)?;
    Ok(())
}

pub(super) async fn delete(client: &Client, arn: &str) -> AwsResult<()> {
    gone(
        client
            .delete_replication_config()
            .replication_config_arn(arn)
            .send()
            .await
            .map_err(classify),
    )
}

#[cfg(test)]
mod tests {
    use aws_sdk_databasemigration::types::{ProvisionData, ReplicationStats};
    use aws_smithy_types::DateTime;

    use super::*;

    #[test]
    fn every_stage_before_running_is_starting_and_created_is_ready() {
        for (dms, task) in [
            ("created", "ready"),
            ("CREATED", "ready"),
            ("initializing", "starting"),
            ("preparing_metadata_resources", "starting"),
            ("testing_connection", "starting"),
            ("fetching_metadata", "starting"),
            ("calculating_capacity", "starting"),
            ("provisioning_capacity", "starting"),
            ("replication_starting", "starting"),
            ("running", "running"),
            ("stopping", "stopping"),
            ("STOPPED", "stopped"),
            ("failed", "failed"),
            ("MODIFYING", "modifying"),
            ("deleting", "deleting"),
            ("some_new_stage", "some_new_stage"),
        ] {
            assert_eq!(status_in_task_terms(dms), task, "{dms}");
        }
    }

    #[test]
    fn a_failed_replication_reads_as_a_failed_task_with_every_failure_message() {
        let sdk = Replication::builder()
            .replication_config_identifier("run1-replication")
            .replication_config_arn("arn:aws:dms:eu-west-1:123456789012:replication-config:XYZ")
            .source_endpoint_arn("arn:aws:dms:eu-west-1:123456789012:endpoint:SRC")
            .target_endpoint_arn("arn:aws:dms:eu-west-1:123456789012:endpoint:TGT")
            .replication_type(MigrationTypeValue::FullLoadAndCdc)
            .status("FAILED")
            .failure_messages("Test connection failed for endpoint run1-target.")
            .failure_messages("Login timeout expired")
            .start_replication_type("start-replication")
            .replication_update_time(DateTime::from_secs(1_700_000_500))
            .replication_deprovision_time(DateTime::from_secs(1_700_172_800))
            .provision_data(
                ProvisionData::builder()
                    .provision_state("Deprovisioning")
                    .build(),
            )
            .replication_stats(ReplicationStats::builder().tables_errored(2).build())
            .build();
        let task = replication(&sdk).unwrap();
        assert_eq!(task.status, "failed");
        assert_eq!(
            task.last_failure_message.as_deref(),
            Some("Test connection failed for endpoint run1-target.\nLogin timeout expired")
        );
        assert_eq!(task.migration_type, "full-load-and-cdc");
        assert_eq!(
            task.start_date,
            Some(1_700_000_500),
            "started, though it never ran"
        );
        assert_eq!(task.stats.unwrap().tables_errored, 2);
        assert_eq!(task.instance_arn, "");
        let provisioning = task.provisioning.unwrap();
        assert_eq!(provisioning.replication_status, "failed");
        assert_eq!(provisioning.state, "deprovisioning");
        assert!(!provisioning.released());
        assert_eq!(provisioning.deprovision_at, Some(1_700_172_800));
        assert_eq!(provisioning.capacity_units, None);
    }
}
