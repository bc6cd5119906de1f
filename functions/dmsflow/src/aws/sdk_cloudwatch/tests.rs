//! The SDK mapping of every `Metrics` method, against the real SDK client with
//! mocked responses.

use aws_sdk_cloudwatch::Client;
use aws_sdk_cloudwatch::error::ErrorMetadata;
use aws_sdk_cloudwatch::operation::{
    delete_alarms::DeleteAlarmsOutput,
    describe_alarms::{DescribeAlarmsError, DescribeAlarmsOutput},
    get_metric_data::{GetMetricDataError, GetMetricDataOutput},
    list_tags_for_resource::ListTagsForResourceOutput,
    put_metric_alarm::PutMetricAlarmOutput,
    put_metric_data::PutMetricDataOutput,
};
use aws_sdk_cloudwatch::types::{
    ComparisonOperator, Dimension, MetricAlarm, MetricDataQuery, MetricDataResult, ScanBy,
    StandardUnit, Statistic, Tag,
};
use aws_smithy_mocks::mock;
use aws_smithy_types::DateTime;

use crate::aws::dms::Tags;
use crate::aws::fault::AwsFault;
use crate::aws::metrics::{AlarmRequest, Datum, Metrics, task_resource_id};
use crate::aws::sdk_dms::test_support::cloudwatch;

const TOPIC: &str = "arn:aws:sns:eu-west-1:123456789012:alerts";
const ALARM_ARN: &str = "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:dmsflow-r1-latency";

fn dimension(name: &str, value: &str) -> Dimension {
    Dimension::builder().name(name).value(value).build()
}

fn alarm(statistic: &str, comparison: &str) -> AlarmRequest {
    AlarmRequest {
        name: "dmsflow-r1-latency".into(),
        description: "CDC latency of run r1".into(),
        namespace: "AWS/DMS".into(),
        metric_name: "CDCLatencyTarget".into(),
        dimensions: vec![
            ("ReplicationInstanceIdentifier".into(), "r1-instance".into()),
            ("ReplicationTaskIdentifier".into(), "RANDOMTASK".into()),
        ],
        statistic: statistic.into(),
        period_seconds: 60,
        evaluation_periods: 5,
        threshold: 300.0,
        comparison: comparison.into(),
        alarm_topic_arn: TOPIC.into(),
        tags: Tags::from([("dmsflow:run".to_string(), "r1".to_string())]),
    }
}

fn named(names: &[&str]) -> DescribeAlarmsOutput {
    DescribeAlarmsOutput::builder()
        .set_metric_alarms(Some(
            names
                .iter()
                .map(|n| MetricAlarm::builder().alarm_name(*n).build())
                .collect(),
        ))
        .build()
}

#[tokio::test]
async fn put_alarm_notifies_on_alarm_only_and_ignores_missing_data() {
    let rule = mock!(Client::put_metric_alarm)
        .match_requests(|r| {
            r.alarm_name() == Some("dmsflow-r1-latency")
                && r.alarm_description() == Some("CDC latency of run r1")
                && r.namespace() == Some("AWS/DMS")
                && r.metric_name() == Some("CDCLatencyTarget")
                && r.dimensions()
                    == [
                        dimension("ReplicationInstanceIdentifier", "r1-instance"),
                        dimension("ReplicationTaskIdentifier", "RANDOMTASK"),
                    ]
                && r.statistic() == Some(&Statistic::Maximum)
                && r.extended_statistic().is_none()
                && r.period() == Some(60)
                && r.evaluation_periods() == Some(5)
                && r.threshold() == Some(300.0)
                && r.comparison_operator() == Some(&ComparisonOperator::GreaterThanThreshold)
                && r.alarm_actions() == [TOPIC]
                && r.ok_actions().is_empty()
                && r.treat_missing_data() == Some("notBreaching")
                && r.tags() == [Tag::builder().key("dmsflow:run").value("r1").build()]
        })
        .then_output(|| PutMetricAlarmOutput::builder().build());
    let client = cloudwatch(&[&rule]);
    client
        .put_alarm(&alarm("Maximum", "GreaterThanThreshold"))
        .await
        .unwrap();
    assert_eq!(rule.num_calls(), 1);
}

#[tokio::test]
async fn put_alarm_sends_percentiles_as_extended_statistics() {
    let rule = mock!(Client::put_metric_alarm)
        .match_requests(|r| r.extended_statistic() == Some("p99") && r.statistic().is_none())
        .then_output(|| PutMetricAlarmOutput::builder().build());
    let client = cloudwatch(&[&rule]);
    client
        .put_alarm(&alarm("p99", "GreaterThanThreshold"))
        .await
        .unwrap();
    assert_eq!(rule.num_calls(), 1);
}

#[tokio::test]
async fn put_alarm_refuses_unknown_operators_and_statistics_before_calling() {
    let rule =
        mock!(Client::put_metric_alarm).then_output(|| PutMetricAlarmOutput::builder().build());
    let client = cloudwatch(&[&rule]);
    let fault = client
        .put_alarm(&alarm("Maximum", "Above"))
        .await
        .unwrap_err();
    assert!(matches!(fault, AwsFault::Invalid(m) if m.contains("Above")));
    let fault = client
        .put_alarm(&alarm("Biggest", "GreaterThanThreshold"))
        .await
        .unwrap_err();
    assert!(matches!(fault, AwsFault::Invalid(m) if m.contains("Biggest")));
    assert_eq!(rule.num_calls(), 0);
}

#[tokio::test]
async fn alarm_names_reads_every_page_of_the_prefix() {
    let first = mock!(Client::describe_alarms)
        .match_requests(|r| {
            r.alarm_name_prefix() == Some("dmsflow-r1-") && r.next_token().is_none()
        })
        .then_output(|| {
            DescribeAlarmsOutput::builder()
                .metric_alarms(MetricAlarm::builder().alarm_name("dmsflow-r1-a").build())
                .next_token("t1")
                .build()
        });
    let second = mock!(Client::describe_alarms)
        .match_requests(|r| {
            r.alarm_name_prefix() == Some("dmsflow-r1-") && r.next_token() == Some("t1")
        })
        .then_output(|| named(&["dmsflow-r1-b", "dmsflow-r1-c"]));
    let client = cloudwatch(&[&first, &second]);
    let names = client.alarm_names("dmsflow-r1-").await.unwrap();
    assert_eq!(names, ["dmsflow-r1-a", "dmsflow-r1-b", "dmsflow-r1-c"]);
}

#[tokio::test]
async fn alarm_tags_are_read_by_the_alarm_arn() {
    let describe = mock!(Client::describe_alarms)
        .match_requests(|r| r.alarm_names() == ["dmsflow-r1-latency"])
        .then_output(|| {
            DescribeAlarmsOutput::builder()
                .metric_alarms(
                    MetricAlarm::builder()
                        .alarm_name("dmsflow-r1-latency")
                        .alarm_arn(ALARM_ARN)
                        .build(),
                )
                .build()
        });
    let tags = mock!(Client::list_tags_for_resource)
        .match_requests(|r| r.resource_arn() == Some(ALARM_ARN))
        .then_output(|| {
            ListTagsForResourceOutput::builder()
                .tags(Tag::builder().key("dmsflow:run").value("r1").build())
                .build()
        });
    let missing = mock!(Client::describe_alarms).then_output(|| named(&[]));
    let client = cloudwatch(&[&describe, &tags, &missing]);
    let found = client.alarm_tags("dmsflow-r1-latency").await.unwrap();
    assert_eq!(
        found,
        Tags::from([("dmsflow:run".to_string(), "r1".to_string())])
    );
    let fault = client.alarm_tags("dmsflow-r1-latency").await.unwrap_err();
    assert!(matches!(fault, AwsFault::NotFound(m) if m.contains("dmsflow-r1-latency")));
}

#[tokio::test]
async fn delete_alarms_deletes_only_those_that_exist() {
    let describe = mock!(Client::describe_alarms)
        .match_requests(|r| r.alarm_names() == ["dmsflow-r1-a", "dmsflow-r1-gone"])
        .then_output(|| named(&["dmsflow-r1-a"]));
    let delete = mock!(Client::delete_alarms)
        .match_requests(|r| r.alarm_names() == ["dmsflow-r1-a"])
        .then_output(|| DeleteAlarmsOutput::builder().build());
    let none_left = mock!(Client::describe_alarms).then_output(|| named(&[]));
    let client = cloudwatch(&[&describe, &delete, &none_left]);
    let names = ["dmsflow-r1-a".to_string(), "dmsflow-r1-gone".to_string()];
    Metrics::delete_alarms(&client, &names).await.unwrap();
    assert_eq!(delete.num_calls(), 1);
    // Nothing exists any more: no DeleteAlarms call at all.
    Metrics::delete_alarms(&client, &names).await.unwrap();
    assert_eq!((delete.num_calls(), none_left.num_calls()), (1, 1));
    // No names: no call.
    Metrics::delete_alarms(&client, &[]).await.unwrap();
}

#[tokio::test]
async fn put_progress_publishes_under_the_run_dimension() {
    let rule = mock!(Client::put_metric_data)
        .match_requests(|r| {
            let data = r.metric_data();
            r.namespace() == Some("dmsflow")
                && data.len() == 2
                && data[0].metric_name() == Some("FullLoadProgressPercent")
                && data[0].value() == Some(42.0)
                && data[0].unit() == Some(&StandardUnit::Percent)
                && data[1].unit() == Some(&StandardUnit::Count)
                && data
                    .iter()
                    .all(|d| d.dimensions() == [dimension("RunId", "r1")])
        })
        .then_output(|| PutMetricDataOutput::builder().build());
    let client = cloudwatch(&[&rule]);
    let data = [
        Datum {
            name: "FullLoadProgressPercent".into(),
            value: 42.0,
            unit: "Percent".into(),
        },
        Datum {
            name: "TablesErrored".into(),
            value: 0.0,
            unit: "Count".into(),
        },
    ];
    client.put_progress("r1", &data).await.unwrap();
    assert_eq!(rule.num_calls(), 1);

    let bad = [Datum {
        name: "X".into(),
        value: 1.0,
        unit: "Percentage".into(),
    }];
    let fault = client.put_progress("r1", &bad).await.unwrap_err();
    assert!(matches!(fault, AwsFault::Invalid(m) if m.contains("Percentage")));
}

fn latency_query_is(query: &MetricDataQuery, id: &str, metric: &str) -> bool {
    let stat = query.metric_stat().expect("metric stat");
    let m = stat.metric().expect("metric");
    query.id() == Some(id)
        && m.namespace() == Some("AWS/DMS")
        && m.metric_name() == Some(metric)
        && m.dimensions()
            == [
                dimension("ReplicationInstanceIdentifier", "r1-instance"),
                dimension("ReplicationTaskIdentifier", "RANDOMTASK"),
            ]
        && stat.period() == Some(60)
        && stat.stat() == Some("Maximum")
}

#[tokio::test]
async fn cdc_latency_reads_the_newest_point_of_each_dms_metric() {
    let rule = mock!(Client::get_metric_data)
        .match_requests(|r| {
            let (Some(start), Some(end)) = (r.start_time(), r.end_time()) else {
                return false;
            };
            let queries = r.metric_data_queries();
            end.secs() - start.secs() == 600
                && r.scan_by() == Some(&ScanBy::TimestampDescending)
                && queries.len() == 3
                && latency_query_is(&queries[0], "source", "CDCLatencySource")
                && latency_query_is(&queries[1], "target", "CDCLatencyTarget")
                && latency_query_is(&queries[2], "failed", "ValidationFailedOverallCount")
        })
        .then_output(|| {
            GetMetricDataOutput::builder()
                .metric_data_results(
                    MetricDataResult::builder()
                        .id("source")
                        // Out of order on purpose: the newest point wins.
                        .timestamps(DateTime::from_secs(1_000))
                        .values(3.0)
                        .timestamps(DateTime::from_secs(1_120))
                        .values(7.0)
                        .timestamps(DateTime::from_secs(1_060))
                        .values(5.0)
                        .build(),
                )
                .metric_data_results(MetricDataResult::builder().id("target").build())
                .metric_data_results(
                    MetricDataResult::builder()
                        .id("failed")
                        .timestamps(DateTime::from_secs(1_100))
                        .values(4.0)
                        .build(),
                )
                .build()
        });
    let client = cloudwatch(&[&rule]);
    let latency = client
        .cdc_latency("r1-instance", "RANDOMTASK")
        .await
        .unwrap();
    assert_eq!(latency.source_seconds, Some(7.0));
    assert_eq!(latency.target_seconds, None);
    assert_eq!(latency.validation_failed_records, Some(4.0));
}

#[tokio::test]
async fn cloudwatch_throttling_is_throttled() {
    let latency = mock!(Client::get_metric_data).then_error(|| {
        GetMetricDataError::generic(
            ErrorMetadata::builder()
                .code("Throttling")
                .message("Rate exceeded")
                .build(),
        )
    });
    let names = mock!(Client::describe_alarms).then_error(|| {
        DescribeAlarmsError::generic(
            ErrorMetadata::builder()
                .code("Throttling")
                .message("Rate exceeded")
                .build(),
        )
    });
    let client = cloudwatch(&[&latency, &names]);
    let fault = client.cdc_latency("i", "t").await.unwrap_err();
    assert_eq!(fault, AwsFault::Throttled("Rate exceeded".into()));
    let fault = client.alarm_names("dmsflow-").await.unwrap_err();
    assert_eq!(fault, AwsFault::Throttled("Rate exceeded".into()));
}

#[test]
fn the_task_dimension_is_the_resource_name_of_the_task_arn() {
    assert_eq!(
        task_resource_id("arn:aws:dms:eu-west-1:123456789012:task:ABCDEFGHIJKLMNOP"),
        Some("ABCDEFGHIJKLMNOP")
    );
    assert_eq!(
        task_resource_id("arn:aws-cn:dms:cn-north-1:123456789012:task:XYZ"),
        Some("XYZ")
    );
    assert_eq!(
        task_resource_id("arn:aws:dms:eu-west-1:123456789012:rep:XYZ"),
        None
    );
    assert_eq!(
        task_resource_id("arn:aws:dms:eu-west-1:123456789012:task:"),
        None
    );
    assert_eq!(task_resource_id("run1-task"), None);
}
