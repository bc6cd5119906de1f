//! [`Metrics`] for the AWS SDK CloudWatch client. Every SDK error goes through
//! [`classify`].

#[cfg(test)]
mod tests;

use std::time::{Duration, SystemTime};

use aws_sdk_cloudwatch::Client;
use aws_sdk_cloudwatch::operation::describe_alarms::builders::DescribeAlarmsFluentBuilder;
use aws_sdk_cloudwatch::types::{
    ComparisonOperator, Dimension, Metric, MetricAlarm, MetricDataQuery, MetricDataResult,
    MetricDatum, MetricStat, ScanBy, StandardUnit, Statistic, Tag,
};
use aws_smithy_types::DateTime;

use super::dms::Tags;
use super::fault::{AwsFault, AwsResult, classify};
use super::metrics::{
    AlarmRequest, CdcLatency, DashboardFound, Datum, Metrics, PROGRESS_NAMESPACE, RUN_DIMENSION,
};
use super::sdk_dms::one_of;

/// What an alarm does when its metric has no data. DMS publishes CDC latency
/// only while a task replicates, and the run's progress metrics only while
/// check-progress runs: a gap is not a fault, so it must not raise (or keep
/// raising) an alarm. Failures reach people through the state machine's alerts.
const TREAT_MISSING_DATA: &str = "notBreaching";
/// How far back `cdc_latency` looks, and the period of its data points.
const LATENCY_WINDOW: Duration = Duration::from_secs(10 * 60);
const LATENCY_PERIOD_SECONDS: i32 = 60;
/// Most names `DescribeAlarms` and `DeleteAlarms` take in one call.
const ALARM_NAMES_PER_CALL: usize = 100;
/// Most data points `PutMetricData` takes in one call.
const DATA_PER_CALL: usize = 1000;

fn dimension(name: &str, value: &str) -> Dimension {
    Dimension::builder().name(name).value(value).build()
}

/// Every metric alarm `DescribeAlarms` returns, all pages, for the query
/// `select` sets up (by names or by name prefix).
async fn alarms(
    client: &Client,
    select: impl Fn(DescribeAlarmsFluentBuilder) -> DescribeAlarmsFluentBuilder,
) -> AwsResult<Vec<MetricAlarm>> {
    let mut found = Vec::new();
    let mut token = None;
    loop {
        let page = select(client.describe_alarms())
            .set_next_token(token.take())
            .send()
            .await
            .map_err(classify)?;
        found.extend_from_slice(page.metric_alarms());
        match page.next_token() {
            Some(next) if !next.is_empty() => token = Some(next.to_string()),
            _ => return Ok(found),
        }
    }
}

fn names_of(alarms: &[MetricAlarm]) -> Vec<String> {
    alarms
        .iter()
        .filter_map(|a| a.alarm_name().map(str::to_string))
        .collect()
}

/// The value of the newest data point of one query's result.
fn latest(results: &[MetricDataResult], id: &str) -> Option<f64> {
    let result = results.iter().find(|r| r.id() == Some(id))?;
    result
        .timestamps()
        .iter()
        .zip(result.values())
        .max_by_key(|(time, _)| (time.secs(), time.subsec_nanos()))
        .map(|(_, value)| *value)
}

fn latency_query(id: &str, metric: &str, dimensions: &[Dimension]) -> MetricDataQuery {
    MetricDataQuery::builder()
        .id(id)
        .metric_stat(
            MetricStat::builder()
                .metric(
                    Metric::builder()
                        .namespace("AWS/DMS")
                        .metric_name(metric)
                        .set_dimensions(Some(dimensions.to_vec()))
                        .build(),
                )
                .period(LATENCY_PERIOD_SECONDS)
                .stat("Maximum")
                .build(),
        )
        .return_data(true)
        .build()
}

impl Metrics for Client {
    /// Notifies `alarm_topic_arn` on ALARM only (`AlarmActions`, no `OKActions`):
    /// a new alarm moves from INSUFFICIENT_DATA to OK at its first evaluation,
    /// and an OK action would send a message for every alarm of every run.
    async fn put_alarm(&self, alarm: &AlarmRequest) -> AwsResult<()> {
        let call = self
            .put_metric_alarm()
            .alarm_name(&alarm.name)
            .alarm_description(&alarm.description)
            .namespace(&alarm.namespace)
            .metric_name(&alarm.metric_name)
            .set_dimensions(Some(
                alarm
                    .dimensions
                    .iter()
                    .map(|(name, value)| dimension(name, value))
                    .collect(),
            ))
            .period(alarm.period_seconds)
            .evaluation_periods(alarm.evaluation_periods)
            .threshold(alarm.threshold)
            .comparison_operator(one_of::<ComparisonOperator>(
                "comparison operator",
                &alarm.comparison,
                ComparisonOperator::values(),
            )?)
            .alarm_actions(&alarm.alarm_topic_arn)
            .treat_missing_data(TREAT_MISSING_DATA)
            .set_tags(Some(
                alarm
                    .tags
                    .iter()
                    .map(|(key, value)| Tag::builder().key(key).value(value).build())
                    .collect(),
            ));
        // Percentiles such as p99 are extended statistics.
        let call = if alarm.statistic.starts_with('p') {
            call.extended_statistic(&alarm.statistic)
        } else {
            call.statistic(one_of::<Statistic>(
                "statistic",
                &alarm.statistic,
                Statistic::values(),
            )?)
        };
        call.send().await.map_err(classify)?;
        Ok(())
    }

    async fn alarm_names(&self, prefix: &str) -> AwsResult<Vec<String>> {
        Ok(names_of(
            &alarms(self, |call| call.alarm_name_prefix(prefix)).await?,
        ))
    }

    /// `AwsFault::NotFound` when no alarm has this name.
    async fn alarm_tags(&self, name: &str) -> AwsResult<Tags> {
        let found = alarms(self, |call| call.alarm_names(name)).await?;
        let arn = found
            .iter()
            .find(|a| a.alarm_name() == Some(name))
            .and_then(|a| a.alarm_arn())
            .ok_or_else(|| AwsFault::NotFound(format!("alarm {name} does not exist")))?;
        let tags = self
            .list_tags_for_resource()
            .resource_arn(arn)
            .send()
            .await
            .map_err(classify)?;
        Ok(tags
            .tags()
            .iter()
            .filter_map(|t| Some((t.key()?.to_string(), t.value().unwrap_or("").to_string())))
            .collect())
    }

    /// Deletes only the alarms that exist, so an absent name is no error.
    async fn delete_alarms(&self, names: &[String]) -> AwsResult<()> {
        for chunk in names.chunks(ALARM_NAMES_PER_CALL) {
            let existing =
                names_of(&alarms(self, |call| call.set_alarm_names(Some(chunk.to_vec()))).await?);
            if existing.is_empty() {
                continue;
            }
            match Client::delete_alarms(self)
                .set_alarm_names(Some(existing))
                .send()
                .await
                .map_err(classify)
            {
                // Deleted by someone else since the describe.
                Ok(_) | Err(AwsFault::NotFound(_)) => {}
                Err(fault) => return Err(fault),
            }
        }
        Ok(())
    }

    async fn put_progress(&self, run_id: &str, data: &[Datum]) -> AwsResult<()> {
        let mut metrics = Vec::with_capacity(data.len());
        for datum in data {
            metrics.push(
                MetricDatum::builder()
                    .metric_name(&datum.name)
                    .value(datum.value)
                    .unit(one_of::<StandardUnit>(
                        "unit",
                        &datum.unit,
                        StandardUnit::values(),
                    )?)
                    .dimensions(dimension(RUN_DIMENSION, run_id))
                    .build(),
            );
        }
        for chunk in metrics.chunks(DATA_PER_CALL) {
            self.put_metric_data()
                .namespace(PROGRESS_NAMESPACE)
                .set_metric_data(Some(chunk.to_vec()))
                .send()
                .await
                .map_err(classify)?;
        }
        Ok(())
    }

    /// GetDashboard, then ListTagsForResource on the ARN it gives (CloudWatch
    /// tags dashboards since May 2026: botocore 1.43.2's changelog). CloudWatch
    /// answers a missing dashboard with `DashboardNotFoundError`, query error code
    /// `ResourceNotFound` (HTTP 404, botocore's CloudWatch model), which
    /// [`classify`] reads as `NotFound`; so does terraform-provider-aws
    /// (internal/service/cloudwatch/dashboard.go).
    async fn dashboard(&self, name: &str) -> AwsResult<Option<DashboardFound>> {
        let answer = match self.get_dashboard().dashboard_name(name).send().await {
            Ok(answer) => answer,
            Err(error) => {
                return match classify(error) {
                    AwsFault::NotFound(_) => Ok(None),
                    fault => Err(fault),
                };
            }
        };
        let arn = answer.dashboard_arn().unwrap_or_default();
        let tags = match self.list_tags_for_resource().resource_arn(arn).send().await {
            Ok(tags) => tags
                .tags()
                .iter()
                .filter_map(|t| Some((t.key()?.to_string(), t.value().unwrap_or("").to_string())))
                .collect(),
            // Deleted since the GetDashboard.
            Err(error) => {
                return match classify(error) {
                    AwsFault::NotFound(_) => Ok(None),
                    fault => Err(fault),
                };
            }
        };
        Ok(Some(DashboardFound {
            body: answer.dashboard_body().unwrap_or_default().to_string(),
            tags,
        }))
    }

    /// PutDashboard with the run's tags: CloudWatch creates the dashboard when
    /// its body has only warnings (`DashboardValidationMessages`) and refuses it
    /// with `InvalidParameterInput` when it has errors (CloudWatch API reference).
    async fn put_dashboard(&self, name: &str, body: &str, tags: &Tags) -> AwsResult<Vec<String>> {
        let answer = Client::put_dashboard(self)
            .dashboard_name(name)
            .dashboard_body(body)
            .set_tags(Some(
                tags.iter()
                    .map(|(key, value)| Tag::builder().key(key).value(value).build())
                    .collect(),
            ))
            .send()
            .await
            .map_err(classify)?;
        Ok(answer
            .dashboard_validation_messages()
            .iter()
            .map(|m| {
                format!(
                    "{}: {}",
                    m.data_path().unwrap_or("body"),
                    m.message().unwrap_or("")
                )
            })
            .collect())
    }

    /// DeleteDashboards of one name. Before May 2026 the model said a missing name
    /// fails the call (`DashboardNotFoundError`); since, that it "attempts to
    /// delete as many dashboards as possible". Either way a missing dashboard is
    /// taken as deleted.
    async fn delete_dashboard(&self, name: &str) -> AwsResult<()> {
        match self.delete_dashboards().dashboard_names(name).send().await {
            Ok(_) => Ok(()),
            Err(error) => match classify(error) {
                AwsFault::NotFound(_) => Ok(()),
                fault => Err(fault),
            },
        }
    }

    /// `task_resource_id` is the value of the `ReplicationTaskIdentifier`
    /// dimension: see [`super::metrics::task_resource_id`].
    async fn cdc_latency(
        &self,
        instance_id: &str,
        task_resource_id: &str,
    ) -> AwsResult<CdcLatency> {
        let dimensions = [
            dimension("ReplicationInstanceIdentifier", instance_id),
            dimension("ReplicationTaskIdentifier", task_resource_id),
        ];
        let now = SystemTime::now();
        let answer = self
            .get_metric_data()
            .start_time(DateTime::from(now - LATENCY_WINDOW))
            .end_time(DateTime::from(now))
            .scan_by(ScanBy::TimestampDescending)
            .metric_data_queries(latency_query("source", "CDCLatencySource", &dimensions))
            .metric_data_queries(latency_query("target", "CDCLatencyTarget", &dimensions))
            .metric_data_queries(latency_query(
                "failed",
                "ValidationFailedOverallCount",
                &dimensions,
            ))
            .send()
            .await
            .map_err(classify)?;
        let results = answer.metric_data_results();
        Ok(CdcLatency {
            source_seconds: latest(results, "source"),
            target_seconds: latest(results, "target"),
            validation_failed_records: latest(results, "failed"),
        })
    }
}
