//! The narrow view of AWS DMS that the steps use: domain types in, domain types
//! out. [`Dms`] is implemented for the SDK client in `sdk_dms`; handlers are
//! generic over it.

use std::collections::BTreeMap;
use std::future::Future;

use serde::Serialize;

use super::fault::AwsResult;

/// Tags of a resource.
pub type Tags = BTreeMap<String, String>;

/// A replication subnet group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SubnetGroup {
    pub id: String,
    /// ARN, when DMS reports one (used to read tags).
    pub arn: Option<String>,
    pub status: String,
}

/// A replication instance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Instance {
    pub id: String,
    pub arn: String,
    pub status: String,
}

/// Which side of the migration an endpoint is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EndpointRole {
    Source,
    Target,
}

impl EndpointRole {
    pub fn as_str(self) -> &'static str {
        match self {
            EndpointRole::Source => "source",
            EndpointRole::Target => "target",
        }
    }
}

/// An endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Endpoint {
    pub id: String,
    pub arn: String,
    pub role: EndpointRole,
    pub engine: String,
    pub status: String,
}

/// A connection (the result of TestConnection).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Connection {
    pub endpoint_arn: String,
    pub instance_arn: String,
    /// testing, successful, failed, deleting.
    pub status: String,
    pub last_failure_message: Option<String>,
}

/// `ReplicationTaskStats`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct TaskStats {
    pub full_load_progress_percent: i32,
    pub elapsed_time_millis: i64,
    pub tables_loaded: i32,
    pub tables_loading: i32,
    pub tables_queued: i32,
    pub tables_errored: i32,
    /// Epoch seconds.
    pub start_date: Option<i64>,
    pub stop_date: Option<i64>,
    pub full_load_finish_date: Option<i64>,
}

/// What DMS Serverless says of a replication's capacity (`ProvisionData`, and the
/// replication's own status before it is mapped; docs/dms-serverless.md).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Provisioning {
    /// The replication's status as DMS reports it (`created`, `testing_connection`,
    /// `provisioning_capacity`, ...): [`Task::status`] holds it in the task's
    /// vocabulary.
    pub replication_status: String,
    /// `ProvisionState`: empty before the first start, `deprovisioning`,
    /// `deprovisioned`, ...; lower case.
    pub state: String,
    pub capacity_units: Option<i32>,
    /// `ReplicationDeprovisionTime` (epoch seconds).
    pub deprovision_at: Option<i64>,
}

impl Provisioning {
    /// No capacity held or being released: nothing provisioned yet,
    /// `deprovisioned`, or a failed provisioning.
    pub fn released(&self) -> bool {
        matches!(
            self.state.as_str(),
            "" | "deprovisioned" | "failed_provision"
        )
    }
}

/// A replication: a replication task, or a DMS Serverless replication config
/// with its replication, described in the task's terms so that the steps decide
/// the same way for both.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Task {
    pub id: String,
    pub arn: String,
    /// creating, ready, starting, running, stopping, stopped, failed, modifying,
    /// deleting, moving, failed-move, testing.
    pub status: String,
    /// full-load, cdc, full-load-and-cdc.
    pub migration_type: String,
    /// e.g. "Stop Reason FULL_LOAD_ONLY_FINISHED".
    pub stop_reason: Option<String>,
    pub last_failure_message: Option<String>,
    /// The task settings document DMS holds (JSON text).
    pub settings: Option<String>,
    /// When the task was first started (epoch seconds): `None` for a task never run.
    pub start_date: Option<i64>,
    pub stats: Option<TaskStats>,
    /// The replication instance; empty for a serverless replication.
    pub instance_arn: String,
    pub source_endpoint_arn: String,
    pub target_endpoint_arn: String,
    /// For a serverless replication, its capacity; `None` for a task.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provisioning: Option<Provisioning>,
}

impl Task {
    /// A task as DMS describes it right after `CreateReplicationTask`: never run,
    /// no statistics yet.
    pub fn created(request: &TaskRequest, arn: String, status: &str) -> Task {
        Task {
            id: request.id.clone(),
            arn,
            status: status.into(),
            migration_type: request.migration_type.clone(),
            stop_reason: None,
            last_failure_message: None,
            settings: Some(request.settings.clone()),
            start_date: None,
            stats: None,
            instance_arn: request.instance_arn.clone(),
            source_endpoint_arn: request.source_endpoint_arn.clone(),
            target_endpoint_arn: request.target_endpoint_arn.clone(),
            provisioning: None,
        }
    }

    /// Whether this is a serverless replication (a replication config).
    pub fn is_serverless(&self) -> bool {
        self.provisioning.is_some()
    }

    /// What it is, for messages: `replication task` or `replication config`.
    pub fn kind(&self) -> &'static str {
        if self.is_serverless() {
            "replication config"
        } else {
            "replication task"
        }
    }
}

/// Whether an ARN names a replication config (`...:replication-config:<id>`,
/// the Service Authorization Reference's ReplicationConfig resource type) rather
/// than a task (`...:task:<id>`).
pub fn is_config_arn(arn: &str) -> bool {
    arn.split(':').nth(5) == Some("replication-config")
}

/// One row of `DescribeTableStatistics`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct TableStats {
    pub schema: String,
    pub table: String,
    /// Before load, Full load, Table completed, Table cancelled, Table error, ...
    pub table_state: String,
    pub full_load_rows: i64,
    pub full_load_error_rows: i64,
    pub inserts: i64,
    pub updates: i64,
    pub deletes: i64,
    pub ddls: i64,
    /// Not enabled, Pending records, Mismatched records, Validated, ...
    pub validation_state: String,
    pub validation_pending_records: i64,
    pub validation_failed_records: i64,
    pub validation_suspended_records: i64,
}

/// A DMS event subscription.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EventSubscription {
    pub name: String,
    pub arn: Option<String>,
    pub status: String,
    pub topic_arn: String,
}

/// What `CreateReplicationSubnetGroup` needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubnetGroupRequest {
    pub id: String,
    pub description: String,
    pub subnet_ids: Vec<String>,
    pub tags: Tags,
}

/// What `CreateReplicationInstance` needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstanceRequest {
    pub id: String,
    pub class: String,
    pub allocated_storage_gb: i32,
    pub multi_az: bool,
    pub engine_version: Option<String>,
    pub publicly_accessible: bool,
    pub subnet_group_id: String,
    pub security_group_ids: Vec<String>,
    pub kms_key_id: Option<String>,
    pub tags: Tags,
}

/// What `CreateEndpoint` needs. Credentials are a secret reference only.
#[derive(Debug, Clone, PartialEq)]
pub struct EndpointRequest {
    pub id: String,
    pub role: EndpointRole,
    pub engine: String,
    pub server: String,
    pub port: i32,
    pub database: String,
    /// DMS `SslMode`: none, require, verify-ca, verify-full.
    pub ssl_mode: String,
    pub certificate_arn: Option<String>,
    pub secret_arn: String,
    pub secret_access_role_arn: String,
    pub extra_connection_attributes: Option<String>,
    /// Engine-specific settings object, without secret fields (they are added from
    /// `secret_arn` and `secret_access_role_arn`).
    pub settings: serde_json::Map<String, serde_json::Value>,
    pub tags: Tags,
}

/// What `CreateReplicationTask` needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskRequest {
    pub id: String,
    pub instance_arn: String,
    pub source_endpoint_arn: String,
    pub target_endpoint_arn: String,
    /// full-load, cdc, full-load-and-cdc.
    pub migration_type: String,
    /// JSON text.
    pub table_mappings: String,
    /// JSON text.
    pub settings: String,
    pub tags: Tags,
}

/// What `CreateReplicationConfig` needs (botocore's DMS model; the members of
/// `ComputeConfig` dmsflow sets).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplicationConfigRequest {
    pub id: String,
    pub source_endpoint_arn: String,
    pub target_endpoint_arn: String,
    /// full-load, cdc, full-load-and-cdc.
    pub replication_type: String,
    /// JSON text.
    pub table_mappings: String,
    /// Task settings (JSON text).
    pub settings: String,
    /// 1, 2, 4, 8, 16, 32, 64, 128, 192, 256 or 384.
    pub max_capacity_units: i32,
    pub min_capacity_units: Option<i32>,
    pub multi_az: bool,
    pub preferred_maintenance_window: Option<String>,
    pub subnet_group_id: String,
    pub security_group_ids: Vec<String>,
    pub kms_key_id: Option<String>,
    pub tags: Tags,
}

/// `StartReplicationTaskType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum StartType {
    StartReplication,
    ResumeProcessing,
    ReloadTarget,
}

impl StartType {
    pub fn as_str(self) -> &'static str {
        match self {
            StartType::StartReplication => "start-replication",
            StartType::ResumeProcessing => "resume-processing",
            StartType::ReloadTarget => "reload-target",
        }
    }
}

/// What `CreateEventSubscription` needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventSubscriptionRequest {
    pub name: String,
    pub topic_arn: String,
    pub categories: Vec<String>,
    /// `replication-task` or `replication-instance`.
    pub source_type: String,
    /// Identifiers of the resources to watch.
    pub source_ids: Vec<String>,
    pub tags: Tags,
}

/// A premigration assessment run (`ReplicationTaskAssessmentRun`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AssessmentRun {
    pub arn: String,
    pub name: String,
    /// starting, provisioning, running, passed, warning, failed,
    /// error-provisioning, error-executing, cancelling, deleting, invalid state
    /// (DMS API reference, ReplicationTaskAssessmentRun.Status).
    pub status: String,
    /// When the run was created (epoch seconds).
    pub created: Option<i64>,
    pub last_failure_message: Option<String>,
    pub bucket: String,
    pub folder: Option<String>,
}

/// One individual assessment of a run (`ReplicationTaskIndividualAssessment`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IndividualAssessment {
    pub name: String,
    /// pending, running, passed, warning, failed, error, skipped, cancelled.
    pub status: String,
}

/// What `StartReplicationTaskAssessmentRun` needs. No tags: a run with tags would
/// also need `dms:AddTagsToResource` (Service Authorization Reference).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssessmentRequest {
    pub task_arn: String,
    pub name: String,
    /// The role DMS assumes to write the report.
    pub role_arn: String,
    pub bucket: String,
    pub folder: String,
    pub include_only: Vec<String>,
    pub exclude: Vec<String>,
}

/// A table a `ReloadTables` call names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TableName {
    pub schema: String,
    pub table: String,
}

/// `ReloadOption` of `ReloadTables` (DMS API reference).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReloadOption {
    /// Reload the data (and re-validate it when validation is on).
    DataReload,
    /// Re-validate only (validation must be on).
    ValidateOnly,
}

impl ReloadOption {
    pub fn as_str(self) -> &'static str {
        match self {
            ReloadOption::DataReload => "data-reload",
            ReloadOption::ValidateOnly => "validate-only",
        }
    }
}

/// The DMS operations dmsflow uses. `describe_*` return `Ok(None)` when the
/// resource does not exist (DMS answers `ResourceNotFoundFault` to a filter that
/// matches nothing). `delete_*` return `Ok(())` when the resource is already gone.
pub trait Dms: Sync {
    fn describe_subnet_group(
        &self,
        id: &str,
    ) -> impl Future<Output = AwsResult<Option<SubnetGroup>>> + Send;
    fn create_subnet_group(
        &self,
        request: &SubnetGroupRequest,
    ) -> impl Future<Output = AwsResult<()>> + Send;
    fn delete_subnet_group(&self, id: &str) -> impl Future<Output = AwsResult<()>> + Send;

    fn describe_instance(
        &self,
        id: &str,
    ) -> impl Future<Output = AwsResult<Option<Instance>>> + Send;
    fn create_instance(
        &self,
        request: &InstanceRequest,
    ) -> impl Future<Output = AwsResult<Instance>> + Send;
    fn delete_instance(&self, arn: &str) -> impl Future<Output = AwsResult<()>> + Send;

    fn describe_endpoint(
        &self,
        id: &str,
    ) -> impl Future<Output = AwsResult<Option<Endpoint>>> + Send;
    fn create_endpoint(
        &self,
        request: &EndpointRequest,
    ) -> impl Future<Output = AwsResult<Endpoint>> + Send;
    fn delete_endpoint(&self, arn: &str) -> impl Future<Output = AwsResult<()>> + Send;

    fn test_connection(
        &self,
        instance_arn: &str,
        endpoint_arn: &str,
    ) -> impl Future<Output = AwsResult<()>> + Send;
    fn describe_connection(
        &self,
        instance_arn: &str,
        endpoint_arn: &str,
    ) -> impl Future<Output = AwsResult<Option<Connection>>> + Send;

    fn describe_task(&self, id: &str) -> impl Future<Output = AwsResult<Option<Task>>> + Send;
    fn create_task(&self, request: &TaskRequest) -> impl Future<Output = AwsResult<Task>> + Send;
    /// A serverless replication by its config's identifier (`DescribeReplications`).
    fn describe_serverless_replication(
        &self,
        id: &str,
    ) -> impl Future<Output = AwsResult<Option<Task>>> + Send;
    fn create_serverless_replication(
        &self,
        request: &ReplicationConfigRequest,
    ) -> impl Future<Output = AwsResult<Task>> + Send;
    // The calls below take a task's ARN or a replication config's: DMS's task
    // call or its serverless counterpart (ModifyReplicationConfig,
    // StartReplication, StopReplication, DeleteReplicationConfig,
    // DescribeReplicationTableStatistics) is chosen by the ARN's resource type.
    /// `ModifyReplicationTask` with new settings (JSON text).
    fn modify_task_settings(
        &self,
        arn: &str,
        settings: &str,
    ) -> impl Future<Output = AwsResult<()>> + Send;
    fn start_task(
        &self,
        arn: &str,
        start_type: StartType,
    ) -> impl Future<Output = AwsResult<()>> + Send;
    fn stop_task(&self, arn: &str) -> impl Future<Output = AwsResult<()>> + Send;
    fn delete_task(&self, arn: &str) -> impl Future<Output = AwsResult<()>> + Send;
    /// Every page of `DescribeTableStatistics`.
    fn table_statistics(
        &self,
        task_arn: &str,
    ) -> impl Future<Output = AwsResult<Vec<TableStats>>> + Send;
    /// Every page of `DescribeTableStatistics` filtered on `table-state` (the
    /// API reference's filter names: schema-name | table-name | table-state): the
    /// tables in `table_state` only, so asking costs one call while none is.
    fn table_statistics_in_state(
        &self,
        task_arn: &str,
        table_state: &str,
    ) -> impl Future<Output = AwsResult<Vec<TableStats>>> + Send;

    fn describe_event_subscription(
        &self,
        name: &str,
    ) -> impl Future<Output = AwsResult<Option<EventSubscription>>> + Send;
    fn create_event_subscription(
        &self,
        request: &EventSubscriptionRequest,
    ) -> impl Future<Output = AwsResult<()>> + Send;
    fn delete_event_subscription(&self, name: &str) -> impl Future<Output = AwsResult<()>> + Send;

    /// Tags of a resource, by ARN.
    fn tags(&self, arn: &str) -> impl Future<Output = AwsResult<Tags>> + Send;

    fn start_assessment(
        &self,
        request: &AssessmentRequest,
    ) -> impl Future<Output = AwsResult<AssessmentRun>> + Send;
    /// Every assessment run of a task (none: an empty list).
    fn assessment_runs(
        &self,
        task_arn: &str,
    ) -> impl Future<Output = AwsResult<Vec<AssessmentRun>>> + Send;
    /// `ReloadTables` of a running task (at most 10 tables a call).
    fn reload_tables(
        &self,
        task_arn: &str,
        tables: &[TableName],
        option: ReloadOption,
    ) -> impl Future<Output = AwsResult<()>> + Send;
    /// Every individual assessment of a run.
    fn individual_assessments(
        &self,
        run_arn: &str,
    ) -> impl Future<Output = AwsResult<Vec<IndividualAssessment>>> + Send;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_config_arn_is_told_from_a_task_arn_by_its_resource_type() {
        assert!(is_config_arn(
            "arn:aws:dms:eu-west-1:123456789012:replication-config:ABC"
        ));
        assert!(!is_config_arn(
            "arn:aws:dms:eu-west-1:123456789012:task:ABC"
        ));
        assert!(!is_config_arn("replication-config"));
    }
}
