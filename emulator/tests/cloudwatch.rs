//! CloudWatch over RPC v2 CBOR with the real `aws-sdk-cloudwatch` client, and
//! dmsflow's own `Metrics` implementation on it.

mod common;

use std::collections::BTreeMap;
use std::time::SystemTime;

use aws_sdk_cloudwatch::Client;
use aws_sdk_cloudwatch::types::{
    ComparisonOperator, Dimension, MetricAlarm, MetricDatum, StandardUnit, StateValue, Statistic,
    Tag,
};
use aws_sdk_databasemigration::types::{
    MigrationTypeValue as M, StartReplicationTaskTypeValue as S,
};
use aws_smithy_types::DateTime;
use common::metrics::*;
use common::*;
use dms_emulator::Scenario;
use dmsflow::aws::Metrics;
use dmsflow::aws::metrics::{AlarmRequest, Datum, task_resource_id};

const TOPIC: &str = "arn:aws:sns:us-east-1:123456789012:dmsflow-alerts";

async fn put_alarm(cw: &Client, name: &str, threshold: f64, tags: &[(&str, &str)]) {
    cw.put_metric_alarm()
        .alarm_name(name)
        .alarm_description(format!("alarm {name}"))
        .namespace("dmsflow")
        .metric_name("TablesErrored")
        .dimensions(dim("RunId", "r1"))
        .statistic(Statistic::Maximum)
        .period(60)
        .evaluation_periods(1)
        .threshold(threshold)
        .comparison_operator(ComparisonOperator::GreaterThanThreshold)
        .alarm_actions(TOPIC)
        .treat_missing_data("notBreaching")
        .set_tags(Some(
            tags.iter()
                .map(|(k, v)| Tag::builder().key(*k).value(*v).build())
                .collect(),
        ))
        .send()
        .await
        .expect("put alarm");
}

async fn describe_all(cw: &Client, prefix: &str, page: i32) -> (Vec<MetricAlarm>, usize) {
    let (mut found, mut pages, mut token) = (Vec::new(), 0, None);
    loop {
        let out = cw
            .describe_alarms()
            .alarm_name_prefix(prefix)
            .max_records(page)
            .set_next_token(token.take())
            .send()
            .await
            .expect("describe alarms");
        pages += 1;
        found.extend_from_slice(out.metric_alarms());
        match out.next_token() {
            Some(t) => token = Some(t.to_string()),
            None => return (found, pages),
        }
    }
}

async fn tags_of(cw: &Client, arn: &str) -> BTreeMap<String, String> {
    cw.list_tags_for_resource()
        .resource_arn(arn)
        .send()
        .await
        .expect("list tags")
        .tags()
        .iter()
        .map(|t| (t.key().unwrap().to_string(), t.value().unwrap().to_string()))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alarms_are_stored_paged_tagged_and_deleted() {
    let env = start().await;
    let cw = cloudwatch(&env.handle.url());
    for name in ["run1-e", "run1-a", "run1-c", "run1-b", "run1-d", "run2-a"] {
        put_alarm(
            &cw,
            name,
            0.0,
            &[("dmsflow:run", &name[..4]), ("owner", "ops")],
        )
        .await;
    }

    let (alarms, pages) = describe_all(&cw, "run1-", 2).await;
    let names: Vec<&str> = alarms.iter().filter_map(|a| a.alarm_name()).collect();
    assert_eq!(names, ["run1-a", "run1-b", "run1-c", "run1-d", "run1-e"]);
    assert_eq!(pages, 3, "five alarms two at a time");
    let a = &alarms[0];
    assert_eq!(
        a.alarm_arn(),
        Some("arn:aws:cloudwatch:us-east-1:123456789012:alarm:run1-a")
    );
    assert_eq!(a.alarm_description(), Some("alarm run1-a"));
    assert_eq!(
        (a.namespace(), a.metric_name()),
        (Some("dmsflow"), Some("TablesErrored"))
    );
    assert_eq!(a.dimensions(), [dim("RunId", "r1")]);
    assert_eq!(a.statistic(), Some(&Statistic::Maximum));
    assert_eq!((a.period(), a.evaluation_periods()), (Some(60), Some(1)));
    assert_eq!(a.threshold(), Some(0.0));
    assert_eq!(
        a.comparison_operator(),
        Some(&ComparisonOperator::GreaterThanThreshold)
    );
    assert_eq!(a.alarm_actions(), [TOPIC]);
    assert_eq!(a.treat_missing_data(), Some("notBreaching"));
    assert_eq!(a.actions_enabled(), Some(true));
    assert!(a.state_updated_timestamp().is_some());
    assert_eq!(
        a.state_value(),
        Some(&StateValue::Ok),
        "no data, treated as not breaching"
    );

    let by_name = cw
        .describe_alarms()
        .alarm_names("run2-a")
        .alarm_names("never-created")
        .send()
        .await
        .unwrap();
    assert_eq!(by_name.metric_alarms().len(), 1);
    let arn = by_name.metric_alarms()[0].alarm_arn().unwrap().to_string();
    assert_eq!(
        tags_of(&cw, &arn).await,
        BTreeMap::from([
            ("dmsflow:run".into(), "run2".into()),
            ("owner".into(), "ops".into())
        ])
    );

    // An update overwrites the configuration but keeps the alarm's tags.
    put_alarm(&cw, "run2-a", 9.0, &[("owner", "someone-else")]).await;
    let updated = cw
        .describe_alarms()
        .alarm_names("run2-a")
        .send()
        .await
        .unwrap();
    assert_eq!(updated.metric_alarms()[0].threshold(), Some(9.0));
    assert_eq!(tags_of(&cw, &arn).await["owner"], "ops");

    let e = cw
        .describe_alarms()
        .alarm_names("run1-a")
        .alarm_name_prefix("run1")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "InvalidParameterCombination");
    let e = cw
        .describe_alarms()
        .next_token("garbage")
        .send()
        .await
        .unwrap_err();
    assert!(
        e.as_service_error().unwrap().is_invalid_next_token(),
        "{e:?}"
    );

    let (_, r) = control(env.handle.addr(), "GET", "/_emulator/resources", None).await;
    assert_eq!(r["cloudwatch_alarms"]["count"], 6);
    assert_eq!(r["total"], 6, "leak checks count alarms");
    assert_eq!(r["cloudwatch_alarms"]["items"][0]["tags"]["owner"], "ops");

    cw.delete_alarms()
        .alarm_names("run1-a")
        .alarm_names("run1-b")
        .alarm_names("not-there")
        .send()
        .await
        .expect("absent names are ignored");
    let (left, _) = describe_all(&cw, "run1-", 100).await;
    assert_eq!(left.len(), 3);
    let e = cw
        .list_tags_for_resource()
        .resource_arn("arn:aws:cloudwatch:us-east-1:123456789012:alarm:run1-a")
        .send()
        .await
        .unwrap_err();
    assert!(
        e.as_service_error()
            .unwrap()
            .is_resource_not_found_exception(),
        "{e:?}"
    );
    let e = cw.delete_alarms().send().await.unwrap_err();
    assert_eq!(code(&e), "MissingParameter");

    control(env.handle.addr(), "POST", "/_emulator/reset", None).await;
    let (_, c) = control(env.handle.addr(), "GET", "/_emulator/cloudwatch", None).await;
    assert_eq!(c["alarms"]["count"], 0, "reset forgets alarms");
    assert_eq!(c["calls"]["count"], 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metric_data_is_stored_queried_and_trips_alarms() {
    let env = start().await;
    let cw = cloudwatch(&env.handle.url());
    put_alarm(&cw, "errored", 0.0, &[]).await;
    let run = [dim("RunId", "r1")];
    let datum = |name: &str, value: f64| {
        MetricDatum::builder()
            .metric_name(name)
            .value(value)
            .unit(StandardUnit::Count)
            .set_dimensions(Some(run.to_vec()))
            .build()
    };
    cw.put_metric_data()
        .namespace("dmsflow")
        .metric_data(datum("TablesLoaded", 2.0))
        .metric_data(datum("TablesLoaded", 4.0))
        .metric_data(datum("TablesErrored", 1.0))
        .send()
        .await
        .expect("put metric data");

    let values = metric_values(
        &cw,
        vec![
            query("loaded_max", "dmsflow", "TablesLoaded", &run, "Maximum"),
            query("loaded_sum", "dmsflow", "TablesLoaded", &run, "Sum"),
            query("errored", "dmsflow", "TablesErrored", &run, "Maximum"),
            query(
                "other_run",
                "dmsflow",
                "TablesLoaded",
                &[dim("RunId", "r2")],
                "Maximum",
            ),
            query("no_dims", "dmsflow", "TablesLoaded", &[], "Maximum"),
        ],
    )
    .await;
    // Both data points may straddle a minute boundary: compare over periods.
    assert_eq!(
        values["loaded_max"].iter().copied().fold(0.0, f64::max),
        4.0
    );
    assert_eq!(values["loaded_sum"].iter().sum::<f64>(), 6.0);
    assert_eq!(values["errored"], [1.0]);
    assert!(values["other_run"].is_empty());
    assert!(values["no_dims"].is_empty(), "dimensions match as a whole");

    let alarm = cw
        .describe_alarms()
        .alarm_names("errored")
        .send()
        .await
        .unwrap();
    assert_eq!(
        alarm.metric_alarms()[0].state_value(),
        Some(&StateValue::Alarm)
    );
    let (_, c) = control(env.handle.addr(), "GET", "/_emulator/cloudwatch", None).await;
    let to_alarm: Vec<&serde_json::Value> = c["transitions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["to"] == "ALARM")
        .collect();
    assert_eq!(to_alarm.len(), 1);
    assert_eq!(to_alarm[0]["alarm"], "errored");
    assert_eq!(c["metric_data"]["count"], 3);
    assert_eq!(c["alarms"]["items"][0]["StateValue"], "ALARM");

    let e = cw
        .put_metric_data()
        .namespace("AWS/DMS")
        .metric_data(datum("CDCLatencySource", 1.0))
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "InvalidParameterValue");
    let e = cw
        .get_metric_data()
        .start_time(DateTime::from_secs(2_000))
        .end_time(DateTime::from_secs(1_000))
        .metric_data_queries(query("q", "dmsflow", "TablesLoaded", &run, "Maximum"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "InvalidParameterValue");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cdc_latency_of_a_running_task_comes_from_the_dms_model() {
    let env = start().await;
    let dms = &env.dms;
    let cw = cloudwatch(&env.handle.url());
    let s = setup(dms, "cwl").await;
    let arn = create_task(
        dms,
        &s,
        "cwl-task",
        M::FullLoadAndCdc,
        None,
        vec![tag("dms-emulator:cdc-latency-seconds", "7")],
    )
    .await;
    let latency_alarm = |name: &str, threshold: f64, dims: Vec<Dimension>| {
        cw.put_metric_alarm()
            .alarm_name(name)
            .namespace("AWS/DMS")
            .metric_name("CDCLatencyTarget")
            .set_dimensions(Some(dims))
            .statistic(Statistic::Average)
            .period(60)
            .evaluation_periods(5)
            .threshold(threshold)
            .comparison_operator(ComparisonOperator::GreaterThanThreshold)
            .send()
    };
    let resource = task_resource_id(&arn).unwrap();
    let right = vec![
        dim("ReplicationInstanceIdentifier", "cwl-ri"),
        dim("ReplicationTaskIdentifier", resource),
    ];
    let by_task_id = vec![
        dim("ReplicationInstanceIdentifier", "cwl-ri"),
        dim("ReplicationTaskIdentifier", "cwl-task"),
    ];
    latency_alarm("latency-high", 5.0, right.clone())
        .await
        .unwrap();
    latency_alarm("latency-very-high", 50.0, right.clone())
        .await
        .unwrap();

    let queries = || {
        vec![
            query("source", "AWS/DMS", "CDCLatencySource", &right, "Maximum"),
            query("target", "AWS/DMS", "CDCLatencyTarget", &right, "Maximum"),
            query(
                "by_task_id",
                "AWS/DMS",
                "CDCLatencyTarget",
                &by_task_id,
                "Maximum",
            ),
            query(
                "instance_only",
                "AWS/DMS",
                "CDCLatencyTarget",
                &right[..1],
                "Maximum",
            ),
        ]
    };
    let before = metric_values(&cw, queries()).await;
    assert!(before["target"].is_empty(), "no data before the task runs");

    start_task(dms, &arn, S::StartReplication).await;
    wait_task_status(dms, &arn, "running").await;
    let values = metric_values(&cw, queries()).await;
    let (_, model) = control(
        env.handle.addr(),
        "GET",
        &format!("/_emulator/tasks/{arn}/metrics"),
        None,
    )
    .await;
    assert_eq!(
        values["source"],
        [model["CDCLatencySource"].as_f64().unwrap()]
    );
    assert_eq!(values["target"], [7.0]);
    assert!(
        values["by_task_id"].is_empty(),
        "the task identifier is not the dimension"
    );
    assert!(values["instance_only"].is_empty());

    let states: BTreeMap<String, StateValue> = cw
        .describe_alarms()
        .alarm_name_prefix("latency-")
        .send()
        .await
        .unwrap()
        .metric_alarms()
        .iter()
        .map(|a| {
            (
                a.alarm_name().unwrap().to_string(),
                a.state_value().unwrap().clone(),
            )
        })
        .collect();
    assert_eq!(states["latency-high"], StateValue::Alarm);
    assert_eq!(states["latency-very-high"], StateValue::Ok);
}

fn alarm_request(name: &str, run: &str) -> AlarmRequest {
    AlarmRequest {
        name: name.into(),
        description: format!("dmsflow run {run}: tables errored"),
        namespace: "dmsflow".into(),
        metric_name: "TablesErrored".into(),
        dimensions: vec![("RunId".into(), run.into())],
        statistic: "Maximum".into(),
        period_seconds: 60,
        evaluation_periods: 1,
        threshold: 0.0,
        comparison: "GreaterThanThreshold".into(),
        alarm_topic_arn: TOPIC.into(),
        tags: BTreeMap::from([("dmsflow:run".into(), run.into())]),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dmsflow_metrics_implementation_works_against_the_emulator() {
    let env = start().await;
    let cw = cloudwatch(&env.handle.url());
    for i in 0..3 {
        cw.put_alarm(&alarm_request(&format!("dmsflow-r9-{i}"), "r9"))
            .await
            .unwrap();
    }
    let mut p99 = alarm_request("dmsflow-r9-p99", "r9");
    p99.statistic = "p99".into();
    cw.put_alarm(&p99).await.unwrap();
    cw.put_alarm(&alarm_request("dmsflow-other", "r8"))
        .await
        .unwrap();

    let names = cw.alarm_names("dmsflow-r9-").await.unwrap();
    assert_eq!(
        names,
        [
            "dmsflow-r9-0",
            "dmsflow-r9-1",
            "dmsflow-r9-2",
            "dmsflow-r9-p99"
        ]
    );
    let tags = cw.alarm_tags("dmsflow-r9-1").await.unwrap();
    assert_eq!(tags["dmsflow:run"], "r9");
    assert!(matches!(
        cw.alarm_tags("dmsflow-r9-none").await,
        Err(dmsflow::aws::AwsFault::NotFound(_))
    ));

    cw.put_progress(
        "r9",
        &[
            Datum {
                name: "FullLoadProgressPercent".into(),
                value: 40.0,
                unit: "Percent".into(),
            },
            Datum {
                name: "TablesErrored".into(),
                value: 0.0,
                unit: "Count".into(),
            },
        ],
    )
    .await
    .unwrap();
    let (_, c) = control(env.handle.addr(), "GET", "/_emulator/cloudwatch", None).await;
    let points = c["metric_data"]["items"].as_array().unwrap();
    assert_eq!(points.len(), 2);
    assert_eq!(points[0]["dimensions"]["RunId"], "r9");
    assert_eq!(points[0]["unit"], "Percent");

    let mut names = names;
    names.push("dmsflow-r9-never".into());
    Metrics::delete_alarms(&cw, &names).await.unwrap();
    assert!(cw.alarm_names("dmsflow-r9-").await.unwrap().is_empty());
    assert_eq!(cw.alarm_names("dmsflow-").await.unwrap(), ["dmsflow-other"]);

    let dms = &env.dms;
    let s = setup(dms, "cwm").await;
    let arn = create_task(dms, &s, "cwm-task", M::FullLoadAndCdc, None, vec![]).await;
    let resource = task_resource_id(&arn).unwrap();
    let idle = cw.cdc_latency("cwm-ri", resource).await.unwrap();
    assert_eq!((idle.source_seconds, idle.target_seconds), (None, None));
    start_task(dms, &arn, S::StartReplication).await;
    wait_task_status(dms, &arn, "running").await;
    let latency = eventually("CDC latency after the full load", || async {
        let l = cw.cdc_latency("cwm-ri", resource).await.unwrap();
        (l.source_seconds == Some(1.0)).then_some(l)
    })
    .await;
    assert_eq!(latency.target_seconds, Some(2.0));
    let wrong = cw.cdc_latency("another-instance", resource).await.unwrap();
    assert_eq!(wrong.target_seconds, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_operations_and_throttling_drills() {
    let env = start_with(
        Scenario::from_json(
            r#"{"throttle": {"first_calls": 1, "operations": ["DescribeAlarms"]}}"#,
        )
        .unwrap(),
    )
    .await;
    let cw = cloudwatch(&env.handle.url());
    let e = cw.describe_alarm_history().send().await.unwrap_err();
    assert_eq!(code(&e), "UnknownOperationException");
    assert!(
        message(&e).contains("DescribeAlarmHistory"),
        "{}",
        message(&e)
    );

    cw.put_metric_data()
        .namespace("dmsflow")
        .metric_data(MetricDatum::builder().metric_name("x").value(1.0).build())
        .send()
        .await
        .expect("operations the drill does not name are not throttled");
    let e = cw.describe_alarms().send().await.unwrap_err();
    assert_eq!(code(&e), "Throttling");
    cw.describe_alarms()
        .send()
        .await
        .expect("only the first call");
    env.dms
        .describe_endpoints()
        .send()
        .await
        .expect("DMS is not throttled");

    let (_, c) = control(env.handle.addr(), "GET", "/_emulator/cloudwatch", None).await;
    let outcomes: Vec<(&str, &str)> = c["calls"]["calls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["operation"].as_str().unwrap(),
                c["outcome"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        outcomes,
        [
            ("DescribeAlarmHistory", "UnknownOperationException"),
            ("PutMetricData", "ok"),
            ("DescribeAlarms", "Throttling"),
            ("DescribeAlarms", "ok"),
        ]
    );

    // A drill without `operations` is for DMS only.
    control(
        env.handle.addr(),
        "POST",
        "/_emulator/throttle",
        Some(r#"{"first_calls": 5}"#.into()),
    )
    .await;
    cw.describe_alarms()
        .send()
        .await
        .expect("CloudWatch is not throttled");

    let (status, head) = post_raw(
        env.handle.addr(),
        "/service/GraniteServiceVersion20100801/operation/DescribeAlarms",
        "",
    );
    assert_eq!(status, 400, "a request that is not RPC v2 CBOR is refused");
    assert!(
        head.contains("x-amzn-query-error: serializationexception;sender"),
        "{head}"
    );
    let (status, head) = post_raw(
        env.handle.addr(),
        "/service/GraniteServiceVersion20100801/operation/DescribeAlarms",
        "smithy-protocol: rpc-v2-cbor\r\n",
    );
    assert_eq!(status, 200, "an empty body is an empty input: {head}");
    assert!(head.contains("content-type: application/cbor"), "{head}");
    assert!(head.contains("smithy-protocol: rpc-v2-cbor"), "{head}");
}

/// POST an empty body with extra header lines; the status and response head.
fn post_raw(addr: std::net::SocketAddr, path: &str, headers: &str) -> (u16, String) {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    write!(
        s,
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\n{headers}Content-Length: 0\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let text = String::from_utf8_lossy(&raw).to_ascii_lowercase();
    let head = text.split("\r\n\r\n").next().unwrap_or("").to_string();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap();
    (status, head)
}

fn epoch_now() -> f64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
}

/// The error code a botocore client takes from an awsJson1_0 error: the
/// `x-amzn-query-error` code, else what follows `#` in `__type`.
fn json_error(r: &RawResponse) -> (String, String) {
    let shape = r.json["__type"].as_str().unwrap_or("").to_string();
    let code = r.header("x-amzn-query-error").unwrap_or("").to_string();
    (shape, code)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aws_json_1_0_is_served_by_the_same_handlers_as_cbor() {
    let env = start().await;
    let addr = env.handle.addr();
    let cw = cloudwatch(&env.handle.url());

    // PutMetricAlarm as boto3 sends it.
    let r = cloudwatch_json(
        addr,
        "PutMetricAlarm",
        serde_json::json!({
            "AlarmName": "json-alarm",
            "Namespace": "dmsflow",
            "MetricName": "TablesErrored",
            "Dimensions": [{"Name": "RunId", "Value": "r9"}],
            "Statistic": "Maximum",
            "Period": 60,
            "EvaluationPeriods": 1,
            "Threshold": 0.5,
            "ComparisonOperator": "GreaterThanThreshold",
            "AlarmActions": [TOPIC],
            "TreatMissingData": "notBreaching",
            "Tags": [{"Key": "dmsflow:run", "Value": "r9"}],
        }),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.header("content-type"), Some("application/x-amz-json-1.0"));
    assert_eq!(r.json, serde_json::json!({}));

    // The same alarm, through either wire.
    let r = cloudwatch_json(
        addr,
        "DescribeAlarms",
        serde_json::json!({"AlarmNamePrefix": "json-"}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.json);
    let alarm = &r.json["MetricAlarms"][0];
    assert_eq!(alarm["AlarmName"], "json-alarm");
    assert_eq!(
        alarm["AlarmArn"],
        "arn:aws:cloudwatch:us-east-1:123456789012:alarm:json-alarm"
    );
    assert_eq!(alarm["Threshold"], 0.5);
    assert_eq!(alarm["Period"], 60);
    assert_eq!(alarm["Dimensions"][0]["Name"], "RunId");
    assert_eq!(alarm["StateValue"], "OK");
    let updated = alarm["StateUpdatedTimestamp"]
        .as_f64()
        .expect("timestamps are epoch seconds");
    assert!((updated - epoch_now()).abs() < 60.0, "{updated}");
    assert!(r.json.get("NextToken").is_none());
    let (via_cbor, _) = describe_all(&cw, "json-", 10).await;
    assert_eq!(via_cbor.len(), 1);
    assert_eq!(via_cbor[0].threshold(), Some(0.5));
    let via_cbor_updated = via_cbor[0].state_updated_timestamp().unwrap().as_secs_f64();
    assert!(
        (via_cbor_updated - updated).abs() < 0.002,
        "{via_cbor_updated} vs {updated}: one time, millisecond precision"
    );
    let r = cloudwatch_json(
        addr,
        "ListTagsForResource",
        serde_json::json!({"ResourceARN": "arn:aws:cloudwatch:us-east-1:123456789012:alarm:json-alarm"}),
    )
    .await;
    assert_eq!(
        r.json["Tags"],
        serde_json::json!([{"Key": "dmsflow:run", "Value": "r9"}])
    );

    // PutMetricData with an epoch-seconds Timestamp, read back by GetMetricData.
    let t = epoch_now().floor();
    let r = cloudwatch_json(
        addr,
        "PutMetricData",
        serde_json::json!({
            "Namespace": "dmsflow",
            "MetricData": [
                {"MetricName": "RowsCopied", "Dimensions": [{"Name": "RunId", "Value": "r9"}],
                 "Timestamp": t, "Value": 40.0, "Unit": "Count"},
                {"MetricName": "RowsCopied", "Dimensions": [{"Name": "RunId", "Value": "r9"}],
                 "Timestamp": t, "Value": 2.0, "Unit": "Count"}
            ]
        }),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.json);
    let r = cloudwatch_json(
        addr,
        "GetMetricData",
        serde_json::json!({
            "StartTime": t - 600.0,
            "EndTime": t + 60.0,
            "ScanBy": "TimestampAscending",
            "MetricDataQueries": [{
                "Id": "rows",
                "MetricStat": {
                    "Metric": {"Namespace": "dmsflow", "MetricName": "RowsCopied",
                               "Dimensions": [{"Name": "RunId", "Value": "r9"}]},
                    "Period": 60,
                    "Stat": "Sum"
                }
            }]
        }),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.json);
    let result = &r.json["MetricDataResults"][0];
    assert_eq!(result["Id"], "rows");
    assert_eq!(result["Values"], serde_json::json!([42.0]));
    let stamp = result["Timestamps"][0].as_f64().expect("epoch seconds");
    assert_eq!(stamp, (t / 60.0).floor() * 60.0, "the start of the period");
    let via_cbor = metric_values(
        &cw,
        vec![query(
            "rows",
            "dmsflow",
            "RowsCopied",
            &[dim("RunId", "r9")],
            "Sum",
        )],
    )
    .await;
    assert_eq!(via_cbor["rows"], [42.0]);

    // Errors: `__type`, message, the query error code header, the right status.
    let r = cloudwatch_json(
        addr,
        "PutMetricData",
        serde_json::json!({"Namespace": "AWS/DMS", "MetricData": [{"MetricName": "x", "Value": 1}]}),
    )
    .await;
    assert_eq!(r.status, 400);
    assert_eq!(r.header("content-type"), Some("application/x-amz-json-1.0"));
    let (shape, query_code) = json_error(&r);
    assert_eq!(
        shape,
        "com.amazonaws.cloudwatch#InvalidParameterValueException"
    );
    assert_eq!(query_code, "invalidparametervalue;sender");
    assert!(
        r.json["message"].as_str().unwrap().contains("AWS/"),
        "{}",
        r.json
    );
    let r = cloudwatch_json(
        addr,
        "ListTagsForResource",
        serde_json::json!({"ResourceARN": "arn:aws:cloudwatch:us-east-1:123456789012:alarm:nope"}),
    )
    .await;
    assert_eq!(
        r.status, 404,
        "ResourceNotFoundException is @httpError(404)"
    );
    assert_eq!(json_error(&r).1, "resourcenotfoundexception;sender");
    let r = cloudwatch_json(
        addr,
        "PutMetricAlarm",
        serde_json::json!({"AlarmName": "half"}),
    )
    .await;
    assert_eq!(
        (r.status, json_error(&r).1.as_str()),
        (400, "missingparameter;sender")
    );
    let r = cloudwatch_json(addr, "DescribeAlarmHistory", serde_json::json!({})).await;
    assert_eq!(
        r.status, 400,
        "an unknown operation, as AWS's JSON services answer it"
    );
    assert_eq!(
        json_error(&r).0,
        "com.amazonaws.cloudwatch#UnknownOperationException"
    );
    let r = tokio::task::spawn_blocking(move || {
        raw_http(
            addr,
            "POST",
            "/",
            &[
                (
                    "X-Amz-Target",
                    "GraniteServiceVersion20100801.DescribeAlarms",
                ),
                ("Content-Type", "application/x-amz-json-1.1"),
            ],
            "{}",
        )
    })
    .await
    .unwrap();
    assert_eq!(r.status, 400);
    assert_eq!(json_error(&r).1, "serializationexception;sender");

    // The CBOR wire gives ResourceNotFoundException its 404 too.
    let e = cw
        .list_tags_for_resource()
        .resource_arn("arn:aws:cloudwatch:us-east-1:123456789012:alarm:nope")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "ResourceNotFoundException");
    assert_eq!(e.raw_response().unwrap().status().as_u16(), 404);

    // DMS still answers on `POST /`; the JSON calls are logged like the CBOR ones.
    env.dms.describe_endpoints().send().await.expect("DMS");
    let (_, c) = control(addr, "GET", "/_emulator/cloudwatch", None).await;
    let outcomes: Vec<(&str, &str)> = c["calls"]["calls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["operation"].as_str().unwrap(),
                c["outcome"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        outcomes,
        [
            ("PutMetricAlarm", "ok"),
            ("DescribeAlarms", "ok"),
            ("DescribeAlarms", "ok"),
            ("ListTagsForResource", "ok"),
            ("PutMetricData", "ok"),
            ("GetMetricData", "ok"),
            ("GetMetricData", "ok"),
            ("PutMetricData", "InvalidParameterValue"),
            ("ListTagsForResource", "ResourceNotFoundException"),
            ("PutMetricAlarm", "MissingParameter"),
            ("DescribeAlarmHistory", "UnknownOperationException"),
            ("DescribeAlarms", "SerializationException"),
            ("ListTagsForResource", "ResourceNotFoundException"),
        ]
    );
}
