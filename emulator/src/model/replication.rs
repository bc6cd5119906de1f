//! DMS Serverless: replication configs and the replication each one runs.
//!
//! DMS keeps the config (`DescribeReplicationConfigs`) apart from the state of its
//! replication (`DescribeReplications`: `Status`, `ProvisionData`, stats, stop
//! reason, failure messages). The model gives no list of `Status` or
//! `ProvisionState` values (botocore's DMS model, shapes Replication and
//! ProvisionData: plain strings); the values here are those terraform-provider-aws
//! names (internal/service/dms, the replication status constants), the Airflow
//! Amazon provider's waiters test (providers/amazon/.../waiters/dms.json) and the
//! DMS user guide's stages ("AWS DMS Serverless components": Initializing,
//! Preparing Metadata Resources, Testing Connection, Fetching Metadata,
//! Calculating Capacity, Provisioning Capacity, Replication Starting, Running).
//! docs/dms-serverless.md lists what is not known about them.

use std::time::SystemTime;

use serde_json::{Value, json};

use super::task::{STOP_FATAL_ERROR, STOP_FULL_LOAD_ONLY_FINISHED, STOP_NORMAL, stats_json};
use super::{Tags, World, timing};
use crate::protocol::epoch;
use crate::simulation::{Run, RunEnd, RunKind};

/// `Replication.Status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplicationStatus {
    /// After CreateReplicationConfig, before the first start (terraform's
    /// `replicationStatusCreated`; Airflow starts a replication in created,
    /// stopped or failed).
    Created,
    /// The stages from StartReplication to `running`, in order.
    Provisioning(Stage),
    Running,
    Stopping,
    Stopped,
    Failed,
    /// After ModifyReplicationConfig: a start is refused until it ends
    /// ("Replication for Replication Config: ... is in MODIFYING state and cannot
    /// start", terraform-provider-aws issue #35650).
    Modifying,
    Deleting,
}

/// The stages a start goes through before `running` (DMS user guide, "AWS DMS
/// Serverless components"; the strings are terraform's constants).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Initializing,
    PreparingMetadataResources,
    TestingConnection,
    FetchingMetadata,
    CalculatingCapacity,
    ProvisioningCapacity,
    ReplicationStarting,
}

impl Stage {
    pub const ALL: [Stage; 7] = [
        Stage::Initializing,
        Stage::PreparingMetadataResources,
        Stage::TestingConnection,
        Stage::FetchingMetadata,
        Stage::CalculatingCapacity,
        Stage::ProvisioningCapacity,
        Stage::ReplicationStarting,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Initializing => "initializing",
            Stage::PreparingMetadataResources => "preparing_metadata_resources",
            Stage::TestingConnection => "testing_connection",
            Stage::FetchingMetadata => "fetching_metadata",
            Stage::CalculatingCapacity => "calculating_capacity",
            Stage::ProvisioningCapacity => "provisioning_capacity",
            Stage::ReplicationStarting => "replication_starting",
        }
    }

    fn index(self) -> usize {
        Stage::ALL.iter().position(|s| *s == self).unwrap_or(0)
    }
}

impl ReplicationStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ReplicationStatus::Created => "created",
            ReplicationStatus::Provisioning(stage) => stage.as_str(),
            ReplicationStatus::Running => "running",
            ReplicationStatus::Stopping => "stopping",
            ReplicationStatus::Stopped => "stopped",
            ReplicationStatus::Failed => "failed",
            ReplicationStatus::Modifying => "modifying",
            ReplicationStatus::Deleting => "deleting",
        }
    }

    /// At rest: a start, a modify or a delete may be asked for.
    pub fn at_rest(self) -> bool {
        matches!(
            self,
            ReplicationStatus::Created | ReplicationStatus::Stopped | ReplicationStatus::Failed
        )
    }
}

/// `ProvisionData.ProvisionState`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provision {
    /// Never provisioned: no ProvisionState (Airflow's terminal provision states
    /// are `deprovisioned` and the empty string).
    None,
    /// Capacity held. The string DMS reports for it is not documented;
    /// `provisioned` is the emulator's choice.
    Provisioned,
    /// After a stop or a failure, until the capacity is released (Airflow's
    /// `replication_deprovisioned` and `replication_terminal_status` waiters).
    Deprovisioning,
    Deprovisioned,
    /// Provisioning failed. The model's ModifyReplicationConfig documentation
    /// writes it `FAILED_PROVISION`, in the capitals it also uses for `CREATED`
    /// and `FAILED`, which DMS reports in lower case: the emulator reports
    /// `failed_provision`, a guess.
    Failed,
}

impl Provision {
    pub fn as_str(self) -> &'static str {
        match self {
            Provision::None => "",
            Provision::Provisioned => "provisioned",
            Provision::Deprovisioning => "deprovisioning",
            Provision::Deprovisioned => "deprovisioned",
            Provision::Failed => "failed_provision",
        }
    }

    /// No capacity held or being released.
    pub fn released(self) -> bool {
        matches!(
            self,
            Provision::None | Provision::Deprovisioned | Provision::Failed
        )
    }
}

/// Why a start ends before `running` (decided when it is accepted, from drills).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StartFailure {
    /// DMS tests both endpoints in `testing_connection` ("AWS DMS Serverless
    /// verifies that the connection to your source and target databases are set
    /// up successfully", user guide, components): the replication fails there.
    Connection(String),
    /// Capacity could not be provisioned.
    Provisioning(String),
}

#[derive(Debug, Clone)]
pub struct ReplicationConfig {
    pub id: String,
    pub arn: String,
    pub source_arn: String,
    pub target_arn: String,
    /// full-load, cdc, full-load-and-cdc.
    pub replication_type: String,
    pub table_mappings: String,
    /// `ReplicationSettings`, merged over the task defaults.
    pub settings: Value,
    pub supplemental_settings: Option<String>,
    /// `ComputeConfig` as DMS answers it (MinCapacityUnits filled in).
    pub compute: Value,
    pub max_capacity_units: i64,
    pub created: SystemTime,
    pub updated: SystemTime,
    pub tags: Tags,
    pub status: ReplicationStatus,
    /// Simulated time the status (or stage) began.
    pub since: f64,
    pub modify_return: Option<ReplicationStatus>,
    pub provision: Provision,
    /// When the capacity is released (`Deprovisioning` ends).
    pub deprovision_at: Option<f64>,
    pub start_failure: Option<StartFailure>,
    /// Accepted StartReplication calls.
    pub runs: u32,
    pub start_type: Option<String>,
    pub run: Option<Run>,
    pub stop_reason: Option<String>,
    pub failure_messages: Vec<String>,
    pub last_stop: Option<f64>,
}

impl ReplicationConfig {
    pub fn kind(&self) -> RunKind {
        RunKind::from_migration_type(&self.replication_type)
    }

    /// Apply every transition due by `now`; true when the config is gone.
    pub fn advance(&mut self, now: f64, deprovision_secs: f64) -> bool {
        loop {
            match self.status {
                ReplicationStatus::Provisioning(stage)
                    if now >= self.since + timing::SERVERLESS_STAGE =>
                {
                    let end = self.since + timing::SERVERLESS_STAGE;
                    match (stage, &self.start_failure) {
                        (Stage::TestingConnection, Some(StartFailure::Connection(m))) => {
                            let (m, held) = (m.clone(), self.provision);
                            self.fail(end, m, held, deprovision_secs);
                        }
                        (Stage::ProvisioningCapacity, Some(StartFailure::Provisioning(m))) => {
                            let m = m.clone();
                            self.fail(end, m, Provision::Failed, deprovision_secs);
                        }
                        (Stage::ProvisioningCapacity, _) => {
                            self.provision = Provision::Provisioned;
                            self.next_stage(stage, end);
                        }
                        (Stage::ReplicationStarting, _) => {
                            self.status = ReplicationStatus::Running;
                            self.since = end;
                        }
                        _ => self.next_stage(stage, end),
                    }
                }
                ReplicationStatus::Running => {
                    let Some(run) = self.run.as_mut() else {
                        return false;
                    };
                    match run.end_by(now) {
                        Some(RunEnd::Failed(f)) => {
                            let message = run.failure_message.clone().unwrap_or_default();
                            self.fail(f, message, Provision::Provisioned, deprovision_secs);
                            self.stop_reason = Some(STOP_FATAL_ERROR.into());
                        }
                        Some(RunEnd::Finished(d)) => {
                            self.rest(d, ReplicationStatus::Stopped, deprovision_secs);
                            self.stop_reason = Some(STOP_FULL_LOAD_ONLY_FINISHED.into());
                        }
                        None => return false,
                    }
                }
                ReplicationStatus::Stopping if now >= self.since + timing::TASK_STOP => {
                    let end = self.since + timing::TASK_STOP;
                    self.rest(end, ReplicationStatus::Stopped, deprovision_secs);
                    self.stop_reason = Some(STOP_NORMAL.into());
                }
                ReplicationStatus::Modifying if now >= self.since + timing::TASK_MODIFY => {
                    self.status = self
                        .modify_return
                        .take()
                        .unwrap_or(ReplicationStatus::Created);
                    self.since += timing::TASK_MODIFY;
                }
                ReplicationStatus::Deleting => {
                    return now >= self.since + timing::TASK_DELETE;
                }
                _ => {
                    if self.provision == Provision::Deprovisioning
                        && self.deprovision_at.is_some_and(|t| now >= t)
                    {
                        self.provision = Provision::Deprovisioned;
                    }
                    return false;
                }
            }
        }
    }

    fn next_stage(&mut self, stage: Stage, at: f64) {
        let next = Stage::ALL[(stage.index() + 1).min(Stage::ALL.len() - 1)];
        self.status = ReplicationStatus::Provisioning(next);
        self.since = at;
    }

    fn fail(&mut self, at: f64, message: String, provision: Provision, deprovision_secs: f64) {
        self.failure_messages = vec![message];
        self.provision = provision;
        self.rest(at, ReplicationStatus::Failed, deprovision_secs);
    }

    /// Stopped or failed at `at`: capacity held is released after
    /// `deprovision_secs` ("This command doesn't deprovision the stopped
    /// replications", botocore's StopReplication documentation; Airflow waits for
    /// `deprovisioning` to end before a delete, PR #43988). How long real DMS
    /// keeps it is uncertain: the replication's `ReplicationDeprovisionTime` says.
    fn rest(&mut self, at: f64, status: ReplicationStatus, deprovision_secs: f64) {
        // The run ends here, whatever stage it reached: one that failed before
        // replicating (a connection test, the provisioning) loaded nothing, and
        // a resume carries nothing of it.
        if let Some(run) = self.run.as_mut() {
            run.frozen_at.get_or_insert(at);
        }
        self.status = status;
        self.since = at;
        self.last_stop = Some(at);
        if self.provision == Provision::Provisioned {
            self.provision = Provision::Deprovisioning;
            self.deprovision_at = Some(at + deprovision_secs);
        }
    }

    /// The config, as CreateReplicationConfig and DescribeReplicationConfigs
    /// answer it (botocore's DMS model, shape ReplicationConfig).
    pub fn config_json(&self) -> Value {
        let mut v = json!({
            "ReplicationConfigIdentifier": self.id,
            "ReplicationConfigArn": self.arn,
            "SourceEndpointArn": self.source_arn,
            "TargetEndpointArn": self.target_arn,
            "ReplicationType": self.replication_type,
            "ComputeConfig": self.compute,
            "ReplicationSettings": self.settings.to_string(),
            "TableMappings": self.table_mappings,
            "ReplicationConfigCreateTime": epoch(self.created),
            "ReplicationConfigUpdateTime": epoch(self.updated),
            "IsReadOnly": false,
        });
        if let Some(s) = &self.supplemental_settings {
            v["SupplementalSettings"] = json!(s);
        }
        v
    }

    /// The replication, as DescribeReplications, StartReplication and
    /// StopReplication answer it (botocore's DMS model, shape Replication).
    pub fn replication_json(&self, world: &World) -> Value {
        let mut v = json!({
            "ReplicationConfigIdentifier": self.id,
            "ReplicationConfigArn": self.arn,
            "SourceEndpointArn": self.source_arn,
            "TargetEndpointArn": self.target_arn,
            "ReplicationType": self.replication_type,
            "Status": self.status.as_str(),
            "ReplicationStats": stats_json(self.run.as_ref(), world),
            "ReplicationCreateTime": epoch(self.created),
            "ReplicationUpdateTime": epoch(world.wall(self.since)),
            "FailureMessages": self.failure_messages,
            "IsReadOnly": false,
        });
        let obj = v.as_object_mut().expect("object");
        if self.provision != Provision::None {
            let mut data = json!({"ProvisionState": self.provision.as_str()});
            if self.provision == Provision::Provisioned {
                data["ProvisionedCapacityUnits"] = json!(self.max_capacity_units);
            }
            obj.insert("ProvisionData".into(), data);
        }
        if let Some(t) = &self.start_type {
            obj.insert("StartReplicationType".into(), json!(t));
        }
        if let Some(r) = &self.stop_reason {
            obj.insert("StopReason".into(), json!(r));
        }
        if let Some(t) = self.last_stop {
            obj.insert("ReplicationLastStopTime".into(), epoch(world.wall(t)));
        }
        if let Some(t) = self.deprovision_at {
            obj.insert("ReplicationDeprovisionTime".into(), epoch(world.wall(t)));
        }
        v
    }
}
