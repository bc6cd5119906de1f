//! Replication tasks and their status machine.

use std::time::SystemTime;

use serde_json::{Map, Value, json};

use super::{Tags, World, timing};
use crate::protocol::epoch;
use crate::simulation::{Run, RunEnd, RunKind};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskStatus {
    Creating,
    Ready,
    Modifying,
    Starting,
    Running,
    Stopping,
    Stopped,
    Failed,
    Deleting,
    /// "The database migration specified for this task is being tested in
    /// response to running either the StartReplicationTaskAssessmentRun or the
    /// StartReplicationTaskAssessment operation" (botocore's DMS model,
    /// ReplicationTask.Status; the DMS user guide's task status table, "Monitoring
    /// AWS DMS tasks"). The task leaves it when its assessment run ends
    /// (`model::assessment::release_tasks`).
    Testing,
}

impl TaskStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            TaskStatus::Creating => "creating",
            TaskStatus::Ready => "ready",
            TaskStatus::Modifying => "modifying",
            TaskStatus::Starting => "starting",
            TaskStatus::Running => "running",
            TaskStatus::Stopping => "stopping",
            TaskStatus::Stopped => "stopped",
            TaskStatus::Failed => "failed",
            TaskStatus::Deleting => "deleting",
            TaskStatus::Testing => "testing",
        }
    }
}

pub const STOP_NORMAL: &str = "Stop Reason NORMAL";
pub const STOP_FULL_LOAD_ONLY_FINISHED: &str = "Stop Reason FULL_LOAD_ONLY_FINISHED";
pub const STOP_FATAL_ERROR: &str = "Stop Reason FATAL_ERROR";

#[derive(Debug, Clone)]
pub struct Task {
    pub id: String,
    pub arn: String,
    pub source_arn: String,
    pub target_arn: String,
    pub instance_arn: String,
    pub migration_type: String,
    pub table_mappings: String,
    pub settings: Value,
    pub cdc_start_position: Option<String>,
    pub cdc_stop_position: Option<String>,
    pub task_data: Option<String>,
    pub status: TaskStatus,
    pub since: f64,
    /// The status a modify returns to.
    pub modify_return: Option<TaskStatus>,
    pub stop_reason: Option<String>,
    pub last_failure: Option<String>,
    pub created: SystemTime,
    /// Accepted StartReplicationTask calls: more than 0 and the task "has run"
    /// (start-replication is refused from then on).
    pub runs: u32,
    /// Simulated time of the latest accepted StartReplicationTask call.
    pub start_requested: Option<f64>,
    pub run: Option<Run>,
    pub tags: Tags,
}

impl Task {
    pub fn kind(&self) -> RunKind {
        RunKind::from_migration_type(&self.migration_type)
    }

    /// Apply every transition due by `now`; true when the task is gone.
    pub fn advance(&mut self, now: f64) -> bool {
        loop {
            match self.status {
                TaskStatus::Creating if now >= self.since + timing::TASK_CREATE => {
                    self.status = TaskStatus::Ready;
                    self.since += timing::TASK_CREATE;
                }
                TaskStatus::Modifying if now >= self.since + timing::TASK_MODIFY => {
                    self.status = self.modify_return.take().unwrap_or(TaskStatus::Ready);
                    self.since += timing::TASK_MODIFY;
                }
                TaskStatus::Starting => match &self.run {
                    Some(run) if now >= run.begin => {
                        self.since = run.begin;
                        self.status = TaskStatus::Running;
                    }
                    Some(_) => return false,
                    None => {
                        self.status = TaskStatus::Failed;
                    }
                },
                TaskStatus::Running => {
                    let Some(run) = self.run.as_mut() else {
                        return false;
                    };
                    match run.end_by(now) {
                        Some(RunEnd::Failed(f)) => {
                            self.since = f;
                            self.status = TaskStatus::Failed;
                            self.stop_reason = Some(STOP_FATAL_ERROR.into());
                            self.last_failure = run.failure_message.clone();
                        }
                        Some(RunEnd::Finished(d)) => {
                            self.since = d;
                            self.status = TaskStatus::Stopped;
                            self.stop_reason = Some(STOP_FULL_LOAD_ONLY_FINISHED.into());
                        }
                        None => return false,
                    }
                }
                TaskStatus::Stopping if now >= self.since + timing::TASK_STOP => {
                    self.status = TaskStatus::Stopped;
                    self.since += timing::TASK_STOP;
                    self.stop_reason = Some(STOP_NORMAL.into());
                }
                TaskStatus::Deleting => return now >= self.since + timing::TASK_DELETE,
                _ => return false,
            }
        }
    }

    pub fn validation_enabled(&self) -> bool {
        validation_enabled(&self.settings)
    }

    pub fn to_json(&self, world: &World, with_settings: bool) -> Value {
        let mut v = json!({
            "ReplicationTaskIdentifier": self.id,
            "SourceEndpointArn": self.source_arn,
            "TargetEndpointArn": self.target_arn,
            "ReplicationInstanceArn": self.instance_arn,
            "MigrationType": self.migration_type,
            "TableMappings": self.table_mappings,
            "Status": self.status.as_str(),
            "ReplicationTaskCreationDate": epoch(self.created),
            "ReplicationTaskArn": self.arn,
            "ReplicationTaskStats": stats_json(self.run.as_ref(), world),
        });
        let obj = v.as_object_mut().expect("object");
        if with_settings {
            obj.insert(
                "ReplicationTaskSettings".into(),
                json!(self.settings.to_string()),
            );
        }
        if let Some(r) = &self.stop_reason {
            obj.insert("StopReason".into(), json!(r));
        }
        if let Some(m) = &self.last_failure {
            obj.insert("LastFailureMessage".into(), json!(m));
        }
        // `ReplicationTaskStartDate` ("The date the replication task is scheduled to
        // start", DMS API reference, ReplicationTask) is the time of the latest
        // accepted StartReplicationTask: the StartReplicationTask answer already
        // carries it (status `starting`), and it moves with each start (the aws-cli
        // examples describe-replication-tasks.rst and stop-replication-task.rst
        // show one task, moveit2, with a later ReplicationTaskStartDate after a
        // second start). A task never started has none: that, with
        // `ReplicationTaskStats.StartDate`, is what tells a client that
        // start-replication is no longer allowed.
        if let Some(t) = self.start_requested {
            obj.insert("ReplicationTaskStartDate".into(), epoch(world.wall(t)));
        }
        // `RecoveryCheckpoint` ("the last checkpoint that occurred during a change
        // data capture (CDC) operation", usable as CdcStartPosition; DMS API
        // reference, ReplicationTask) in the checkpoint format of the reference's
        // CdcStartPosition example (`checkpoint:V1#...#0#0#*#0#...`). It appears once
        // a run has begun and stays after it stops or fails. Whether real DMS
        // reports one for a full-load-only task is not documented; the emulator
        // does, for every migration type.
        if let Some(run) = &self.run
            && run.begin <= world.now
        {
            obj.insert(
                "RecoveryCheckpoint".into(),
                json!(format!(
                    "checkpoint:V1#{}#{:016}#0#0#*#0#0",
                    self.runs,
                    (run.effective(world.now) * 1000.0) as u64
                )),
            );
        }
        if let Some(p) = &self.cdc_start_position {
            obj.insert("CdcStartPosition".into(), json!(p));
        }
        if let Some(p) = &self.cdc_stop_position {
            obj.insert("CdcStopPosition".into(), json!(p));
        }
        if let Some(d) = &self.task_data {
            obj.insert("TaskData".into(), json!(d));
        }
        v
    }
}

/// `ReplicationTaskStats`, and a serverless replication's `ReplicationStats` (the
/// same members in botocore's DMS model) (DMS API reference, ReplicationTaskStats; botocore's
/// DMS model, shape ReplicationTaskStats). The dates, as the reference defines
/// them: `FreshStartDate` "started either with a fresh start or a target
/// reload", `StartDate` "started either with a fresh start or a resume",
/// `StopDate`, `FullLoadStartDate`, `FullLoadFinishDate`. They appear once the
/// run has begun (the task left `starting`): the aws-cli example of
/// describe-replication-tasks (aws/aws-cli,
/// awscli/examples/dms/describe-replication-tasks.rst) shows `StartDate` and
/// `FreshStartDate` some seconds after `ReplicationTaskStartDate`, the time of
/// the start call. What real DMS shows while a task is `starting` is not
/// documented; here the dates of the new run are simply absent until it begins.
pub fn stats_json(run: Option<&Run>, world: &World) -> Value {
    let Some(run) = run else {
        return json!({
            "FullLoadProgressPercent": 0,
            "ElapsedTimeMillis": 0,
            "TablesLoaded": 0,
            "TablesLoading": 0,
            "TablesQueued": 0,
            "TablesErrored": 0,
        });
    };
    let now = world.now;
    let s = run.stats(now);
    let mut v = json!({
        "FullLoadProgressPercent": s.progress_percent,
        "ElapsedTimeMillis": s.elapsed_ms,
        "TablesLoaded": s.tables_loaded,
        "TablesLoading": s.tables_loading,
        "TablesQueued": s.tables_queued,
        "TablesErrored": s.tables_errored,
    });
    let obj = v.as_object_mut().expect("object");
    if run.begin <= now {
        obj.insert("FreshStartDate".into(), epoch(world.wall(run.fresh_start)));
        obj.insert("StartDate".into(), epoch(world.wall(run.begin)));
    }
    if let Some(f) = run.frozen_at.filter(|f| *f <= now) {
        obj.insert("StopDate".into(), epoch(world.wall(f)));
    }
    if let Some(t) = s.full_load_start {
        obj.insert("FullLoadStartDate".into(), epoch(world.wall(t)));
    }
    if let Some(t) = s.full_load_finish {
        obj.insert("FullLoadFinishDate".into(), epoch(world.wall(t)));
    }
    v
}

/// Whether task settings turn data validation on.
pub fn validation_enabled(settings: &Value) -> bool {
    match settings.pointer("/ValidationSettings/EnableValidation") {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => s.eq_ignore_ascii_case("true"),
        _ => false,
    }
}

/// The full-load parallelism of task settings (DMS's default 8, at most 49).
pub fn max_full_load_subtasks(settings: &Value) -> usize {
    settings
        .pointer("/FullLoadSettings/MaxFullLoadSubTasks")
        .and_then(Value::as_u64)
        .map(|n| n.clamp(1, 49) as usize)
        .unwrap_or(8)
}

/// The settings DMS fills in when a task is created without them (a subset).
pub fn default_settings() -> Value {
    json!({
        "TargetMetadata": {
            "TargetSchema": "", "SupportLobs": true, "FullLobMode": false, "LobChunkSize": 64,
            "LimitedSizeLobMode": true, "LobMaxSize": 32, "InlineLobMaxSize": 0,
            "LoadMaxFileSize": 0, "ParallelLoadThreads": 0, "ParallelLoadBufferSize": 0,
            "BatchApplyEnabled": false, "TaskRecoveryTableEnabled": false
        },
        "FullLoadSettings": {
            "TargetTablePrepMode": "DROP_AND_CREATE", "CreatePkAfterFullLoad": false,
            "StopTaskCachedChangesApplied": false, "StopTaskCachedChangesNotApplied": false,
            "MaxFullLoadSubTasks": 8, "TransactionConsistencyTimeout": 600, "CommitRate": 10000
        },
        "Logging": {"EnableLogging": false},
        "ControlTablesSettings": {"historyTimeslotInMinutes": 5, "HistoryTimeslotInMinutes": 5,
            "StatusTableEnabled": false, "SuspendedTablesTableEnabled": false,
            "HistoryTableEnabled": false, "ControlSchema": ""},
        "StreamBufferSettings": {"StreamBufferCount": 3, "StreamBufferSizeInMB": 8, "CtrlStreamBufferSizeInMB": 5},
        "ChangeProcessingTuning": {
            "BatchApplyPreserveTransaction": true, "BatchApplyTimeoutMin": 1, "BatchApplyTimeoutMax": 30,
            "BatchApplyMemoryLimit": 500, "BatchSplitSize": 0, "MinTransactionSize": 1000,
            "CommitTimeout": 1, "MemoryLimitTotal": 1024, "MemoryKeepTime": 60, "StatementCacheSize": 50
        },
        "ChangeProcessingDdlHandlingPolicy": {"HandleSourceTableDropped": true, "HandleSourceTableTruncated": true, "HandleSourceTableAltered": true},
        "ErrorBehavior": {
            "DataErrorPolicy": "LOG_ERROR", "DataTruncationErrorPolicy": "LOG_ERROR", "DataErrorEscalationPolicy": "SUSPEND_TABLE",
            "DataErrorEscalationCount": 0, "TableErrorPolicy": "SUSPEND_TABLE", "TableErrorEscalationPolicy": "STOP_TASK",
            "TableErrorEscalationCount": 0, "RecoverableErrorCount": -1, "RecoverableErrorInterval": 5,
            "RecoverableErrorThrottling": true, "RecoverableErrorThrottlingMax": 1800,
            "ApplyErrorDeletePolicy": "IGNORE_RECORD", "ApplyErrorInsertPolicy": "LOG_ERROR",
            "ApplyErrorUpdatePolicy": "LOG_ERROR", "ApplyErrorEscalationPolicy": "LOG_ERROR",
            "ApplyErrorEscalationCount": 0, "FullLoadIgnoreConflicts": true
        },
        "ValidationSettings": {
            "EnableValidation": false, "ValidationMode": "ROW_LEVEL", "ThreadCount": 5,
            "FailureMaxCount": 10000, "TableFailureMaxCount": 1000, "HandleCollationDiff": false,
            "ValidationOnly": false, "RecordFailureDelayLimitInMinutes": 0, "SkipLobColumns": false,
            "ValidationPartialLobSize": 0, "ValidationQueryCdcDelaySeconds": 0, "PartitionSize": 10000
        }
    })
}

/// Deep-merge `patch` into `base` (objects merge, everything else replaces).
pub fn merge(base: &mut Value, patch: &Value) {
    match (base, patch) {
        (Value::Object(b), Value::Object(p)) => merge_maps(b, p),
        (b, p) => *b = p.clone(),
    }
}

fn merge_maps(base: &mut Map<String, Value>, patch: &Map<String, Value>) {
    for (k, v) in patch {
        match base.get_mut(k) {
            Some(existing) if existing.is_object() && v.is_object() => merge(existing, v),
            _ => {
                base.insert(k.clone(), v.clone());
            }
        }
    }
}
