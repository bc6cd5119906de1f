//! The migration spec: the JSON document a user hands the state machine.
//!
//! Every field is documented here; the README and the committed JSON Schema
//! (`schema/migration-spec.schema.json`) are generated from these types.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// One DMS migration, end to end.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MigrationSpec {
    /// Names every resource of this run (`dmsflow-<run_id>-instance`, ...) and tags it.
    /// Lowercase letters, digits and single hyphens; starts with a letter; at most 40 characters.
    pub run_id: String,
    /// Tags applied to every resource the run creates, besides the ownership tags
    /// `dmsflow:run-id` and `dmsflow:managed-by`.
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    /// Where the replication instance runs.
    pub network: Network,
    /// Where the replication runs: `instance` (the default, the `instance` section)
    /// or `serverless` (DMS Serverless, the `serverless` section).
    #[serde(default)]
    pub compute: super::Compute,
    /// The replication instance (with `compute: instance`).
    #[serde(default)]
    pub instance: InstanceSpec,
    /// DMS Serverless capacity (with `compute: serverless`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serverless: Option<super::ServerlessSpec>,
    /// The database to migrate from.
    pub source: EndpointSpec,
    /// The database to migrate to.
    pub target: EndpointSpec,
    /// The DMS table-mapping document: `{"rules": [...]}` with selection and
    /// transformation rules.
    #[schemars(with = "Map<String, Value>")]
    pub table_mappings: Value,
    /// full-load, cdc, or full-load-and-cdc.
    #[serde(default)]
    pub migration_type: MigrationType,
    /// What DMS does to target tables that already exist before the full load.
    #[serde(default)]
    pub target_table_prep: TargetTablePrep,
    /// DMS task settings merged over dmsflow's defaults (a JSON object in DMS's
    /// task-settings format). `TargetTablePrepMode` and `ValidationSettings` have
    /// their own fields and are refused here.
    #[serde(default)]
    pub task_settings: Map<String, Value>,
    /// Data validation.
    #[serde(default)]
    pub validation: ValidationSpec,
    /// The premigration assessment before the task's first start.
    #[serde(default)]
    pub assessment: super::assessment::AssessmentSpec,
    /// What the progress checks do about errored tables and validation failures.
    #[serde(default)]
    pub remediation: super::remediation::RemediationSpec,
    /// Alerts, DMS event subscription and alarms.
    #[serde(default)]
    pub notifications: Notifications,
    /// What counts as done, and what happens then.
    #[serde(default)]
    pub completion: Completion,
    /// Whether resources are kept or deleted at the end.
    #[serde(default)]
    pub cleanup: CleanupPolicy,
    /// How often and how long the workflow waits.
    #[serde(default)]
    pub polling: Polling,
}

/// Network placement of the replication instance. Give `subnet_ids` (dmsflow
/// creates a subnet group) or `subnet_group` (an existing one), not both.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Network {
    /// Subnets in at least two Availability Zones, for a subnet group dmsflow creates.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub subnet_ids: Vec<String>,
    /// An existing replication subnet group to use (dmsflow never deletes it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subnet_group: Option<String>,
    /// VPC security groups of the replication instance.
    #[serde(default)]
    pub security_group_ids: Vec<String>,
}

/// The replication instance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct InstanceSpec {
    /// Instance class, such as dms.t3.medium or dms.r5.large.
    pub class: String,
    /// Storage in GiB (5 to 6144).
    #[schemars(range(min = 5, max = 6144))]
    pub allocated_storage_gb: u32,
    /// A standby in a second Availability Zone.
    pub multi_az: bool,
    /// DMS engine version; the DMS default when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub engine_version: Option<String>,
    /// Whether the instance gets a public IP address. Off unless you need it.
    pub publicly_accessible: bool,
    /// KMS key for the instance's storage; the AWS-managed key when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kms_key_id: Option<String>,
}

impl Default for InstanceSpec {
    fn default() -> Self {
        Self {
            class: "dms.t3.medium".into(),
            allocated_storage_gb: 50,
            multi_az: false,
            engine_version: None,
            publicly_accessible: false,
            kms_key_id: None,
        }
    }
}

/// A source or target database. Credentials come only from Secrets Manager.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EndpointSpec {
    /// DMS engine name: mysql, mariadb, aurora, postgres, aurora-postgresql, oracle,
    /// sqlserver, ...
    pub engine: String,
    /// Host name of the database server.
    pub server: String,
    /// TCP port (1 to 65535).
    #[schemars(range(min = 1))]
    pub port: u16,
    /// Database name.
    pub database: String,
    /// SSL mode: none, require, verify-ca or verify-full.
    #[serde(default)]
    pub ssl_mode: SslMode,
    /// ARN of a certificate imported into DMS, for verify-ca and verify-full.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate_arn: Option<String>,
    /// ARN of the Secrets Manager secret holding the database credentials.
    pub secret_arn: String,
    /// ARN of the IAM role DMS assumes to read that secret.
    pub secret_access_role_arn: String,
    /// DMS extra connection attributes (`key=value;key=value`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extra_connection_attributes: Option<String>,
    /// Engine-specific DMS settings (the members of `MySQLSettings`,
    /// `PostgreSQLSettings`, ...), merged with the secret settings. Never a password.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub settings: Map<String, Value>,
}

/// SSL mode of an endpoint.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum SslMode {
    None,
    #[default]
    Require,
    VerifyCa,
    VerifyFull,
}

/// DMS migration type.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum MigrationType {
    /// Copy the data once.
    FullLoad,
    /// Replicate ongoing changes only.
    Cdc,
    /// Copy the data, then replicate ongoing changes.
    #[default]
    FullLoadAndCdc,
}

/// What DMS does to target tables that exist before the full load.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum TargetTablePrep {
    /// Leave existing tables and their data alone; create missing tables.
    #[default]
    DoNothing,
    /// Empty existing tables before loading (their data is lost).
    TruncateBeforeLoad,
    /// Drop and recreate existing tables (their data and definitions are lost).
    DropAndCreate,
}

/// Data validation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct ValidationSpec {
    /// Compare source and target rows.
    pub enabled: bool,
    /// DMS `ValidationSettings` merged over dmsflow's defaults.
    pub settings: Map<String, Value>,
    /// Validation failures (records) tolerated before the run fails.
    pub max_failed_records: u64,
}

impl Default for ValidationSpec {
    fn default() -> Self {
        Self {
            enabled: true,
            settings: Map::new(),
            max_failed_records: 0,
        }
    }
}

/// Alerts, DMS event subscription and alarms.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Notifications {
    /// SNS topic for DMS events and alarms; the stack's alert topic when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sns_topic_arn: Option<String>,
    /// DMS event categories to subscribe to (failure, state change, creation, deletion, ...).
    pub event_categories: Vec<String>,
    /// CDC latency (seconds) above which the latency alarms fire and cutover is not ready.
    #[schemars(range(min = 1))]
    pub cdc_latency_threshold_seconds: u32,
    /// Create the CloudWatch alarms.
    pub alarms: bool,
}

impl Default for Notifications {
    fn default() -> Self {
        Self {
            sns_topic_arn: None,
            event_categories: vec!["failure".into(), "state change".into()],
            cdc_latency_threshold_seconds: 60,
            alarms: true,
        }
    }
}

/// What counts as done, and what happens then.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Completion {
    /// The condition that ends the progress loop successfully.
    pub criterion: CompletionCriterion,
    /// What happens once the criterion holds.
    pub then: AfterCompletion,
}

/// The condition that ends the progress loop successfully.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum CompletionCriterion {
    /// Every selected table is loaded.
    FullLoadComplete,
    /// Full load complete and every table validated without failures.
    Validated,
    /// Full load complete, validation clean (when enabled) and CDC latency under the
    /// threshold: the moment to cut over.
    #[default]
    ReadyForCutover,
}

/// What happens when the completion criterion holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum AfterCompletion {
    /// Leave replication running (for a later cutover); the run ends successfully.
    #[default]
    LeaveRunning,
    /// Stop the task, then apply the cleanup policy for success.
    StopAndCleanUp,
}

/// What to keep at the end of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct CleanupPolicy {
    /// After success with `then: stop-and-clean-up`.
    pub on_success: Keep,
    /// After a failure: keep the resources for inspection, or delete them. The
    /// task is stopped either way.
    pub on_failure: Keep,
}

impl Default for CleanupPolicy {
    fn default() -> Self {
        Self {
            on_success: Keep::Delete,
            on_failure: Keep::Keep,
        }
    }
}

/// Keep or delete the run's resources.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Keep {
    Keep,
    Delete,
}

/// How often and how long the workflow waits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Polling {
    /// Shortest wait between two checks (seconds, at least 5).
    #[schemars(range(min = 5, max = 3600))]
    pub min_wait_seconds: u32,
    /// Longest wait between two checks (seconds, at most 3600); also the worst-case
    /// delay before the workflow notices a failed task.
    #[schemars(range(min = 5, max = 3600))]
    pub max_wait_seconds: u32,
    /// How long the replication instance may take to become available.
    #[schemars(range(min = 1))]
    pub instance_timeout_minutes: u32,
    /// How long the connection tests may take.
    #[schemars(range(min = 1))]
    pub connection_timeout_minutes: u32,
    /// How long the full load (and validation) may take.
    #[schemars(range(min = 1))]
    pub full_load_timeout_hours: u32,
    /// How long the task may take to change state (start, stop, take new settings)
    /// when the enable-validation and start steps wait for it.
    #[schemars(range(min = 1))]
    pub task_change_timeout_minutes: u32,
    /// How long the progress checks may go on in all (from the first) while the
    /// full load is done and they wait for the rest of the completion criterion
    /// (CDC latency under the threshold).
    #[schemars(range(min = 1, max = 8760))]
    pub cdc_timeout_hours: u32,
    /// How long the premigration assessment may take, from its start to its result.
    #[schemars(range(min = 1))]
    pub assessment_timeout_minutes: u32,
    /// How long cleanup may take to stop and delete the run's resources.
    #[schemars(range(min = 1))]
    pub cleanup_timeout_minutes: u32,
    /// Progress checks one execution makes before it hands the run over to a new
    /// execution (Step Functions ends an execution at 25,000 history events).
    #[schemars(range(min = 1, max = 1000))]
    pub checks_per_execution: u32,
}

impl Default for Polling {
    fn default() -> Self {
        Self {
            min_wait_seconds: 30,
            max_wait_seconds: 540,
            instance_timeout_minutes: 60,
            connection_timeout_minutes: 15,
            full_load_timeout_hours: 72,
            task_change_timeout_minutes: 30,
            assessment_timeout_minutes: 60,
            cdc_timeout_hours: 1440,
            cleanup_timeout_minutes: 120,
            checks_per_execution: 500,
        }
    }
}
