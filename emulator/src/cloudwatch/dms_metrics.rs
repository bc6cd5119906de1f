//! The `AWS/DMS` metrics of replication tasks, derived from the DMS model: the
//! values `GET /_emulator/tasks/<id>/metrics` gives, while the task runs.
//!
//! DMS publishes task metrics with two dimensions: `ReplicationInstanceIdentifier`
//! (the instance's identifier) and `ReplicationTaskIdentifier` (the resource name
//! at the end of the task's ARN, not the task identifier).

use super::data::{MetricId, Selection, bucket};
use super::wire::epoch_secs;
use crate::emulator::task_metrics;
use crate::model::World;
use crate::model::task::TaskStatus;

pub const NAMESPACE: &str = "AWS/DMS";
pub const INSTANCE_DIMENSION: &str = "ReplicationInstanceIdentifier";
pub const TASK_DIMENSION: &str = "ReplicationTaskIdentifier";
/// The task metrics the model gives: DMS user guide, "Monitoring AWS DMS
/// tasks" > "Replication task metrics", and "Replication task statistics with
/// Amazon CloudWatch" (ValidationFailedOverallCount).
pub const METRICS: &[&str] = &[
    "CDCLatencySource",
    "CDCLatencyTarget",
    "CDCIncomingChanges",
    "CDCThroughputRowsSource",
    "CDCThroughputRowsTarget",
    "FullLoadThroughputRowsSource",
    "FullLoadThroughputRowsTarget",
    "ValidationFailedOverallCount",
];

/// The resource name at the end of a task ARN.
fn resource_id(task_arn: &str) -> Option<&str> {
    task_arn.rsplit_once(":task:").map(|(_, r)| r)
}

/// The current value of a task metric, when the dimensions name a running task
/// on that instance.
fn current(w: &World, metric: &MetricId) -> Option<f64> {
    if !METRICS.contains(&metric.name.as_str()) {
        return None;
    }
    // Dimensions are sorted by name.
    let [(first, instance_id), (second, task_id)] = metric.dimensions.as_slice() else {
        return None;
    };
    if first != INSTANCE_DIMENSION || second != TASK_DIMENSION {
        return None;
    }
    let task = w
        .tasks
        .iter()
        .find(|t| resource_id(&t.arn) == Some(task_id.as_str()))?;
    if task.status != TaskStatus::Running || w.instance(&task.instance_arn)?.id != *instance_id {
        return None;
    }
    task_metrics(w, &task.arn)?[metric.name.as_str()].as_f64()
}

/// One data point, for the period that holds the present, when `[start, end)`
/// reaches the present (give or take a period) and the task is running.
pub fn series(w: &World, s: &Selection) -> Vec<(f64, f64)> {
    let now = epoch_secs(w.wall(w.now));
    if now < s.start || now >= s.end + s.period as f64 {
        return Vec::new();
    }
    let Some(value) = current(w, s.metric) else {
        return Vec::new();
    };
    let at = bucket(now.min(s.end - 0.001), s.period).max(s.start);
    let value = if s.stat == "SampleCount" { 1.0 } else { value };
    vec![(at, value)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn task_resource_id_is_the_end_of_the_arn() {
        assert_eq!(
            resource_id("arn:aws:dms:us-east-1:123456789012:task:ABC123"),
            Some("ABC123")
        );
        assert_eq!(resource_id("my-task"), None);
    }
}
