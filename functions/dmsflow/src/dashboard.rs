//! The run's CloudWatch dashboard, `dmsflow-<run_id>`, with no I/O: its body,
//! whose it is, its console link, and the metrics on it.
//!
//! The body follows CloudWatch's "Dashboard body structure and syntax" (CloudWatch
//! API reference): `widgets`, each with `type` (`text`, `metric`, `alarm`), a
//! position and size on a 24-column grid, and `properties`. A metric widget's
//! `metrics` is a list of `[namespace, name, dimension name, value, ...]` arrays,
//! written out in full here (no `"."` shorthand) so that a test can read them.
//!
//! The dashboard carries the run's tags like every resource of the run
//! (PutDashboard takes `Tags` since May 2026). Dashboards are global to the
//! account while runs are regional, so the first widget also says whose the
//! dashboard is and in which region, and [`is_runs`] reads it back: the same run
//! id in two regions' stacks meets a conflict rather than sharing (and deleting)
//! one dashboard.

use serde::Serialize;
use serde_json::{Value, json};

use crate::aws::metrics::{PROGRESS_NAMESPACE, RUN_DIMENSION, metric_names};
use crate::naming::{MANAGED_TAG, MANAGED_VALUE, RUN_TAG};
use crate::plan::arn_scope;

/// Namespace of DMS's own metrics.
pub const DMS_NAMESPACE: &str = "AWS/DMS";
/// Dimensions of DMS's replication task metrics, in this order: the instance's
/// identifier, and the resource name ending the task's ARN (see
/// [`crate::aws::metrics::task_resource_id`]).
pub const DMS_TASK_DIMENSIONS: [&str; 2] =
    ["ReplicationInstanceIdentifier", "ReplicationTaskIdentifier"];

/// DMS's replication task metrics the dashboard shows: DMS user guide,
/// "Monitoring AWS DMS tasks" > "Replication task metrics"
/// (FullLoadThroughputRowsTarget, CDCIncomingChanges, CDCThroughputRows*,
/// CDCLatency*) and "Data validation" > "Replication task statistics with Amazon
/// CloudWatch" (ValidationFailedOverallCount). `FullLoadThroughputRowsSource`
/// left the guide's table in 2021 (awsdocs/aws-dms-user-guide, commit 1d64dd9),
/// though CDK's generated DMS metrics still name it: not shown, as whether DMS
/// still publishes it is not confirmed.
pub const DMS_TASK_METRICS: &[&str] = &[
    "FullLoadThroughputRowsTarget",
    "CDCIncomingChanges",
    "CDCThroughputRowsSource",
    "CDCThroughputRowsTarget",
    "CDCLatencySource",
    "CDCLatencyTarget",
    "ValidationFailedOverallCount",
];

/// What the dashboard of a run shows.
#[derive(Debug, Clone, PartialEq)]
pub struct DashboardFacts<'a> {
    pub run_id: &'a str,
    /// The region of the run (the dashboard's widgets name it).
    pub region: &'a str,
    /// The replication instance's identifier and the task's resource id: the
    /// dimensions of DMS's task metrics. No instance (DMS Serverless): the
    /// dashboard shows dmsflow's own metrics only.
    pub instance_id: Option<&'a str>,
    pub task_resource_id: &'a str,
    /// The replication task's identifier (shown in the header).
    pub task_id: &'a str,
    /// The task replicates changes (CDC widgets).
    pub cdc: bool,
    /// Data validation is on (validation widget).
    pub validation: bool,
    /// ARNs of the run's alarms (alarm widget, when any).
    pub alarm_arns: Vec<String>,
}

/// The line of the header that says whose the dashboard is.
fn owner_line(run_id: &str, region: &str) -> String {
    format!("`{RUN_TAG}={run_id}` `{MANAGED_TAG}={MANAGED_VALUE}` `region={region}`")
}

/// Whether a dashboard body is the one dmsflow wrote for `run_id` in `region`:
/// its first widget is a text widget whose markdown has the run's owner line.
pub fn is_runs(body: &str, run_id: &str, region: &str) -> bool {
    let Ok(body) = serde_json::from_str::<Value>(body) else {
        return false;
    };
    let first = &body["widgets"][0];
    let markdown = first["properties"]["markdown"].as_str().unwrap_or("");
    first["type"] == "text"
        && markdown
            .lines()
            .any(|l| l.trim() == owner_line(run_id, region))
}

/// The dashboard's page in the CloudWatch console (`#dashboards/dashboard/<name>`).
/// AWS documents no console URL form: public code uses this one and the older
/// `#dashboards:name=<name>`; which the console keeps opening is not confirmed.
pub fn console_url(region: &str, name: &str) -> String {
    format!(
        "https://{region}.console.aws.amazon.com/cloudwatch/home?region={region}#dashboards/dashboard/{name}"
    )
}

/// One metric line of a widget: `[namespace, name, dim, value, ..., {options}]`.
fn metric(namespace: &str, name: &str, dimensions: &[(&str, &str)], label: &str) -> Value {
    let mut line = vec![json!(namespace), json!(name)];
    for (dim, value) in dimensions {
        line.push(json!(dim));
        line.push(json!(value));
    }
    line.push(json!({ "label": label }));
    Value::Array(line)
}

/// Where the next widget goes: two 12-wide columns, 6 high.
struct Grid {
    widgets: Vec<Value>,
    next: usize,
}

impl Grid {
    fn place(&mut self, kind: &str, properties: Value) {
        let (x, y) = ((self.next % 2) * 12, 2 + (self.next / 2) * 6);
        self.next += 1;
        self.widgets.push(json!({
            "type": kind, "x": x, "y": y, "width": 12, "height": 6, "properties": properties,
        }));
    }
}

/// The dashboard's body (a JSON document, as PutDashboard takes it).
pub fn body(facts: &DashboardFacts<'_>) -> String {
    let run = [(RUN_DIMENSION, facts.run_id)];
    let task = facts.instance_id.map(|instance| {
        [
            (DMS_TASK_DIMENSIONS[0], instance),
            (DMS_TASK_DIMENSIONS[1], facts.task_resource_id),
        ]
    });
    let ours = |name: &str, label: &str| metric(PROGRESS_NAMESPACE, name, &run, label);
    // DMS's metrics of the task, when it runs on an instance: none otherwise.
    let dms = |names: &[(&str, &str)]| -> Vec<Value> {
        task.iter()
            .flat_map(|task| {
                names
                    .iter()
                    .map(|(name, label)| metric(DMS_NAMESPACE, name, task, label))
            })
            .collect()
    };
    let widget = |title: &str, stat: &str, metrics: Vec<Value>| {
        json!({
            "title": title, "region": facts.region, "view": "timeSeries", "stat": stat,
            "period": 60, "metrics": metrics,
        })
    };
    let header = json!({
        "type": "text", "x": 0, "y": 0, "width": 24, "height": 2,
        "properties": { "markdown": format!(
            "## dmsflow run {run_id}\n{replication}; created with the run's resources and \
             deleted with them.\n{owner}",
            run_id = facts.run_id,
            replication = match facts.instance_id {
                Some(instance) => format!("Replication task `{}` on instance `{instance}`", facts.task_id),
                None => format!("DMS Serverless replication config `{}`", facts.task_id),
            },
            owner = owner_line(facts.run_id, facts.region),
        )},
    });
    let mut grid = Grid {
        widgets: vec![header],
        next: 0,
    };
    grid.place(
        "metric",
        widget(
            "Full load: progress (%) and tables loaded",
            "Maximum",
            vec![
                ours(metric_names::FULL_LOAD_PERCENT, "progress %"),
                ours(metric_names::TABLES_LOADED, "tables loaded"),
            ],
        ),
    );
    grid.place(
        "metric",
        widget(
            "Full load: rows",
            "Maximum",
            [ours(metric_names::ROWS_LOADED, "rows loaded")]
                .into_iter()
                .chain(dms(&[("FullLoadThroughputRowsTarget", "rows/s written")]))
                .collect(),
        ),
    );
    if facts.cdc && task.is_some() {
        grid.place(
            "metric",
            widget(
                "CDC latency (s)",
                "Average",
                dms(&[
                    ("CDCLatencySource", "source"),
                    ("CDCLatencyTarget", "target"),
                ]),
            ),
        );
        grid.place(
            "metric",
            widget(
                "CDC: incoming changes and throughput",
                "Average",
                dms(&[
                    ("CDCIncomingChanges", "changes waiting"),
                    ("CDCThroughputRowsSource", "rows/s read"),
                    ("CDCThroughputRowsTarget", "rows/s applied"),
                ]),
            ),
        );
    }
    let mut problems = vec![ours(metric_names::TABLES_ERRORED, "tables errored")];
    if facts.validation {
        problems.push(ours(
            metric_names::VALIDATION_FAILED_RECORDS,
            "records failed validation",
        ));
        problems.extend(dms(&[(
            "ValidationFailedOverallCount",
            "failed validation (DMS)",
        )]));
    }
    grid.place(
        "metric",
        widget("Tables errored and validation", "Maximum", problems),
    );
    if !facts.alarm_arns.is_empty() {
        grid.place(
            "alarm",
            json!({ "title": "Alarms of the run", "alarms": facts.alarm_arns }),
        );
    }
    json!({ "widgets": grid.widgets }).to_string()
}

/// A metric on a dashboard: namespace, name and dimensions (name, value).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct MetricOnDashboard {
    pub namespace: String,
    pub name: String,
    pub dimensions: Vec<(String, String)>,
}

/// Every metric of a dashboard body's metric widgets (the full form only: a `"."`
/// is read as a literal, which a check then finds unknown).
pub fn metrics(body: &str) -> Vec<MetricOnDashboard> {
    let body: Value = serde_json::from_str(body).unwrap_or(Value::Null);
    let lines = body["widgets"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|w| w["type"] == "metric")
        .filter_map(|w| w["properties"]["metrics"].as_array())
        .flatten();
    lines
        .filter_map(|line| {
            let parts: Vec<&str> = line.as_array()?.iter().filter_map(Value::as_str).collect();
            let (namespace, name) = (parts.first()?, parts.get(1)?);
            let dimensions = parts[2..]
                .chunks(2)
                .map(|pair| (pair[0].to_string(), pair.get(1).unwrap_or(&"").to_string()))
                .collect();
            Some(MetricOnDashboard {
                namespace: namespace.to_string(),
                name: name.to_string(),
                dimensions,
            })
        })
        .collect()
}

/// The alarm ARNs of a dashboard body's alarm widgets.
pub fn alarms(body: &str) -> Vec<String> {
    let body: Value = serde_json::from_str(body).unwrap_or(Value::Null);
    body["widgets"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|w| w["type"] == "alarm")
        .filter_map(|w| w["properties"]["alarms"].as_array())
        .flatten()
        .filter_map(|a| a.as_str().map(str::to_string))
        .collect()
}

/// The ARN of a CloudWatch alarm in the partition, region and account of
/// `sibling_arn` (any ARN of the same account and region):
/// `arn:<partition>:cloudwatch:<region>:<account>:alarm:<name>` (Service
/// Authorization Reference, CloudWatch's `alarm` resource type).
pub fn alarm_arn(sibling_arn: &str, name: &str) -> Option<String> {
    let (partition, region, account) = arn_scope(sibling_arn)?;
    Some(format!(
        "arn:{partition}:cloudwatch:{region}:{account}:alarm:{name}"
    ))
}

#[cfg(test)]
#[path = "dashboard_tests.rs"]
mod tests;
