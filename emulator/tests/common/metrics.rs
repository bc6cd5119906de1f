//! CloudWatch metric queries for the tests: dimensions, one `GetMetricData`
//! query, and the values of a set of queries over the last ten minutes.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

use aws_sdk_cloudwatch::Client;
use aws_sdk_cloudwatch::types::{Dimension, Metric, MetricDataQuery, MetricStat, ScanBy};
use aws_smithy_types::DateTime;

pub fn dim(name: &str, value: &str) -> Dimension {
    Dimension::builder().name(name).value(value).build()
}

pub fn query(
    id: &str,
    namespace: &str,
    metric: &str,
    dims: &[Dimension],
    stat: &str,
) -> MetricDataQuery {
    MetricDataQuery::builder()
        .id(id)
        .metric_stat(
            MetricStat::builder()
                .metric(
                    Metric::builder()
                        .namespace(namespace)
                        .metric_name(metric)
                        .set_dimensions(Some(dims.to_vec()))
                        .build(),
                )
                .period(60)
                .stat(stat)
                .build(),
        )
        .build()
}

/// Values of each query id over the last ten minutes.
pub async fn metric_values(
    cw: &Client,
    queries: Vec<MetricDataQuery>,
) -> BTreeMap<String, Vec<f64>> {
    let now = SystemTime::now();
    let out = cw
        .get_metric_data()
        .start_time(DateTime::from(now - Duration::from_secs(600)))
        .end_time(DateTime::from(now + Duration::from_secs(60)))
        .scan_by(ScanBy::TimestampAscending)
        .set_metric_data_queries(Some(queries))
        .send()
        .await
        .expect("get metric data");
    out.metric_data_results()
        .iter()
        .map(|r| {
            assert_eq!(r.timestamps().len(), r.values().len());
            (r.id().unwrap().to_string(), r.values().to_vec())
        })
        .collect()
}
