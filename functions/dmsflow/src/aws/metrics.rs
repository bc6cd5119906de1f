//! The narrow view of CloudWatch that the steps use: alarms, the run's progress
//! metrics, and DMS's CDC latency metrics. Implemented for the SDK client in
//! `sdk_cloudwatch`.

use std::future::Future;

use serde::Serialize;

use super::dms::Tags;
use super::fault::AwsResult;

/// Namespace of the metrics check-progress publishes.
pub const PROGRESS_NAMESPACE: &str = "dmsflow";
/// Dimension of those metrics.
pub const RUN_DIMENSION: &str = "RunId";

/// Names of the progress metrics check-progress publishes (and the alarms watch).
pub mod metric_names {
    pub const FULL_LOAD_PERCENT: &str = "FullLoadProgressPercent";
    pub const TABLES_LOADED: &str = "TablesLoaded";
    pub const ROWS_LOADED: &str = "RowsLoaded";
    pub const TABLES_ERRORED: &str = "TablesErrored";
    pub const VALIDATION_FAILED_RECORDS: &str = "ValidationFailedRecords";
    pub const CDC_LATENCY_SECONDS: &str = "CDCLatencySeconds";
    /// Every one of them.
    pub const ALL: [&str; 6] = [
        FULL_LOAD_PERCENT,
        TABLES_LOADED,
        ROWS_LOADED,
        TABLES_ERRORED,
        VALIDATION_FAILED_RECORDS,
        CDC_LATENCY_SECONDS,
    ];
}

/// A CloudWatch alarm dmsflow creates.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AlarmRequest {
    pub name: String,
    pub description: String,
    pub namespace: String,
    pub metric_name: String,
    /// (dimension name, value) pairs.
    pub dimensions: Vec<(String, String)>,
    /// Statistic: Maximum, Average, Sum, ...
    pub statistic: String,
    pub period_seconds: i32,
    pub evaluation_periods: i32,
    pub threshold: f64,
    /// GreaterThanThreshold, GreaterThanOrEqualToThreshold, ...
    pub comparison: String,
    /// SNS topic notified on ALARM.
    pub alarm_topic_arn: String,
    pub tags: Tags,
}

/// A dashboard as CloudWatch has it: its body and its tags.
#[derive(Debug, Clone, PartialEq)]
pub struct DashboardFound {
    pub body: String,
    pub tags: Tags,
}

/// One data point of the run's progress metrics.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Datum {
    pub name: String,
    pub value: f64,
    /// CloudWatch unit: Percent, Count, Seconds.
    pub unit: String,
}

/// The CDC latency DMS reports for a task, in seconds, and the task's count of
/// records that failed validation, read in the same `GetMetricData` call.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct CdcLatency {
    pub source_seconds: Option<f64>,
    pub target_seconds: Option<f64>,
    /// `ValidationFailedOverallCount` (task level, same dimensions as the latency;
    /// DMS user guide, "Replication task statistics with Amazon CloudWatch"):
    /// `None` while DMS has published no data point (validation off, or not yet).
    pub validation_failed_records: Option<f64>,
}

/// The value of the `ReplicationTaskIdentifier` dimension of DMS task metrics:
/// the resource name at the end of the task's ARN
/// (`arn:aws:dms:REGION:ACCOUNT:task:RESOURCE`), not the task identifier the
/// run chose. (The `ReplicationInstanceIdentifier` dimension, by contrast, is the
/// instance's own identifier.) This is how yet-another-cloudwatch-exporter maps
/// DMS ARNs to metric dimensions (`task:(?P<ReplicationTaskIdentifier>[^/]+)` in
/// its `pkg/config/services.go`; issue #485 on the instance dimension).
/// `None` when `task_arn` is not a DMS task ARN.
pub fn task_resource_id(task_arn: &str) -> Option<&str> {
    let mut parts = task_arn.splitn(7, ':');
    let (arn, _partition, service) = (parts.next()?, parts.next()?, parts.next()?);
    let (_region, _account, kind, resource) =
        (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    (arn == "arn" && service == "dms" && kind == "task" && !resource.is_empty()).then_some(resource)
}

/// The CloudWatch operations dmsflow uses.
pub trait Metrics: Sync {
    /// Creates or updates an alarm (PutMetricAlarm is idempotent).
    fn put_alarm(&self, alarm: &AlarmRequest) -> impl Future<Output = AwsResult<()>> + Send;
    /// Names of the alarms whose names start with `prefix`.
    fn alarm_names(&self, prefix: &str) -> impl Future<Output = AwsResult<Vec<String>>> + Send;
    /// Tags of an alarm, by name.
    fn alarm_tags(&self, name: &str) -> impl Future<Output = AwsResult<Tags>> + Send;
    /// Deletes alarms; names that do not exist are ignored.
    fn delete_alarms(&self, names: &[String]) -> impl Future<Output = AwsResult<()>> + Send;
    /// Publishes the run's progress metrics under [`PROGRESS_NAMESPACE`] with the
    /// [`RUN_DIMENSION`] dimension.
    fn put_progress(
        &self,
        run_id: &str,
        data: &[Datum],
    ) -> impl Future<Output = AwsResult<()>> + Send;
    /// The dashboard `name` with its tags; `None` when there is none.
    fn dashboard(
        &self,
        name: &str,
    ) -> impl Future<Output = AwsResult<Option<DashboardFound>>> + Send;
    /// Creates the dashboard `name` with `tags` (PutDashboard; on an existing
    /// dashboard it replaces the body and ignores the tags); answers the warnings
    /// CloudWatch gave about the body (it refuses a body with errors).
    fn put_dashboard(
        &self,
        name: &str,
        body: &str,
        tags: &Tags,
    ) -> impl Future<Output = AwsResult<Vec<String>>> + Send;
    /// Deletes the dashboard `name`; one that does not exist is no error.
    fn delete_dashboard(&self, name: &str) -> impl Future<Output = AwsResult<()>> + Send;
    /// The latest `CDCLatencySource`, `CDCLatencyTarget` and
    /// `ValidationFailedOverallCount` of a task (namespace `AWS/DMS`), over the last
    /// few minutes, in one call.
    fn cdc_latency(
        &self,
        instance_id: &str,
        task_resource_id: &str,
    ) -> impl Future<Output = AwsResult<CdcLatency>> + Send;
}
