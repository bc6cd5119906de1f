use std::time::SystemTime;

use serde_json::{Value, json};

use super::*;
use crate::aws::dms::EndpointRole;
use crate::naming::owned_by;
use crate::progress::fixtures;
use crate::testing::{self, FakeDms, FakeMetrics, foreign_tags, owned_tags};

const TOPIC: &str = "arn:aws:sns:us-east-1:111122223333:dmsflow-alerts";
const LONG_AGO: &str = "2020-01-01T00:00:00Z";

fn names() -> Names {
    Names::for_run("orders")
}

/// The fixture spec with `changes`, and the alert topic ValidateSpec would fill in.
fn spec_json(changes: Value) -> Value {
    let mut spec = fixtures::spec_json(changes);
    if spec.get("notifications").is_none() {
        spec["notifications"] = json!({});
    }
    spec["notifications"]["sns_topic_arn"] = json!(TOPIC);
    spec
}

async fn reconcile_with(
    dms: &FakeDms,
    metrics: &FakeMetrics,
    changes: Value,
    loop_started_at: Option<&str>,
) -> StepResult<StepReport<CreateDetail>> {
    let input = StepInput {
        spec: spec_json(changes),
        loop_started_at: loop_started_at.map(str::to_string),
        previous: None,
    };
    super::reconcile(
        dms,
        metrics,
        &input,
        testing::FUNCTION_ARN,
        SystemTime::now(),
    )
    .await
}

async fn reconcile(dms: &FakeDms, metrics: &FakeMetrics) -> StepResult<StepReport<CreateDetail>> {
    reconcile_with(dms, metrics, json!({}), None).await
}

/// Create-like calls to either fake (the ones a rerun must not repeat).
fn creates(dms: &FakeDms, metrics: &FakeMetrics) -> Vec<String> {
    testing::calls_starting_with(dms, metrics, &["create_", "put_alarm", "put_dashboard"])
}

#[tokio::test]
async fn first_call_creates_network_instance_and_endpoints_then_waits() {
    let (dms, metrics) = (FakeDms::new(), FakeMetrics::new());
    let report = reconcile(&dms, &metrics).await.unwrap();
    assert!(!report.done);
    assert_eq!(report.wait_seconds, 30);
    assert!(
        report
            .waiting_for
            .as_deref()
            .unwrap()
            .contains("dmsflow-orders-instance")
    );
    assert_eq!(
        creates(&dms, &metrics),
        vec![
            "create_subnet_group dmsflow-orders-subnets",
            "create_instance dmsflow-orders-instance",
            "create_endpoint dmsflow-orders-source",
            "create_endpoint dmsflow-orders-target",
        ]
    );
    assert_eq!(report.actions.len(), 4);
    for id in [
        "dmsflow-orders-subnets",
        "dmsflow-orders-instance",
        "dmsflow-orders-source",
        "dmsflow-orders-target",
    ] {
        assert!(owned_by("orders", &dms.tags_of(id).unwrap()), "{id}");
    }
    let instance = report.detail.instance.unwrap();
    assert_eq!(instance.status, "creating");
    assert_eq!(
        dms.instance_request("dmsflow-orders-instance")
            .unwrap()
            .subnet_group_id,
        "dmsflow-orders-subnets"
    );
    let source = dms.endpoint_request("dmsflow-orders-source").unwrap();
    assert!(source.secret_arn.starts_with("arn:aws:secretsmanager:"));
}

#[tokio::test]
async fn the_whole_loop_creates_each_resource_once() {
    let (dms, metrics) = (FakeDms::new(), FakeMetrics::new());
    reconcile(&dms, &metrics).await.unwrap();

    // Still creating: a rerun only looks.
    testing::clear_calls(&dms, &metrics);
    let report = reconcile(&dms, &metrics).await.unwrap();
    assert!(!report.done && report.actions.is_empty());
    assert!(creates(&dms, &metrics).is_empty(), "{:?}", dms.calls());

    // Available: the task, the subscription and the alarms; then wait for the task.
    dms.set_status("dmsflow-orders-instance", "available");
    testing::clear_calls(&dms, &metrics);
    let report = reconcile(&dms, &metrics).await.unwrap();
    assert!(!report.done);
    assert!(
        report
            .waiting_for
            .as_deref()
            .unwrap()
            .contains("dmsflow-orders-task")
    );
    assert_eq!(
        creates(&dms, &metrics),
        vec![
            "create_task dmsflow-orders-task",
            "create_event_subscription dmsflow-orders-events",
            "put_alarm dmsflow-orders-cdc-latency-source",
            "put_alarm dmsflow-orders-cdc-latency-target",
            "put_alarm dmsflow-orders-tables-errored",
            "put_alarm dmsflow-orders-validation-failed",
            "put_dashboard dmsflow-orders",
        ]
    );
    // The dashboard is the run's (its body says so), shows the task's DMS
    // metrics and the four alarms, in the function's region.
    let dashboard = metrics.dashboard_now("dmsflow-orders").unwrap();
    assert!(owned_by("orders", &dashboard.tags));
    let body = dashboard.body;
    assert!(crate::dashboard::is_runs(&body, "orders", "us-east-1"));
    assert!(crate::dashboard::metrics(&body).iter().any(|m| m.dimensions
        == [
            (
                "ReplicationInstanceIdentifier".to_string(),
                "dmsflow-orders-instance".to_string()
            ),
            (
                "ReplicationTaskIdentifier".to_string(),
                "DMSFLOW-ORDERS-TASK".to_string()
            )
        ]));
    let alarms = crate::dashboard::alarms(&body);
    assert_eq!(alarms.len(), 4);
    assert!(
        alarms[0].starts_with("arn:aws:cloudwatch:us-east-1:"),
        "{alarms:?}"
    );
    let task = dms.task_request("dmsflow-orders-task").unwrap();
    let settings: Value = serde_json::from_str(&task.settings).unwrap();
    assert_eq!(settings["ValidationSettings"]["EnableValidation"], true);
    assert_eq!(task.migration_type, "full-load-and-cdc");
    assert_eq!(
        task.instance_arn,
        testing::arn("rep", "dmsflow-orders-instance")
    );
    let subscription = dms
        .event_subscription_request("dmsflow-orders-events")
        .unwrap();
    assert_eq!(subscription.topic_arn, TOPIC);
    assert_eq!(subscription.source_ids, vec!["dmsflow-orders-task"]);
    let latency = metrics.alarm("dmsflow-orders-cdc-latency-source").unwrap();
    assert!(latency.dimensions.contains(&(
        "ReplicationTaskIdentifier".to_string(),
        "DMSFLOW-ORDERS-TASK".to_string()
    )));
    assert!(owned_by("orders", &latency.tags));

    // Ready: done, nothing new. A rerun later (task running) is still done.
    for status in ["ready", "running", "stopped"] {
        dms.set_status("dmsflow-orders-task", status);
        testing::clear_calls(&dms, &metrics);
        let report = reconcile(&dms, &metrics).await.unwrap();
        assert!(report.done, "{status}");
        assert_eq!(report.wait_seconds, 0);
        assert!(
            creates(&dms, &metrics).is_empty(),
            "{status}: {:?}",
            dms.calls()
        );
        assert_eq!(report.detail.alarms.len(), 4);
        assert_eq!(report.detail.dashboard.as_deref(), Some("dmsflow-orders"));
        assert_eq!(report.detail.task.unwrap().status, status);
    }
}

#[tokio::test]
async fn a_foreign_resource_under_our_name_stops_the_run_before_anything_is_created() {
    let (dms, metrics) = (FakeDms::new(), FakeMetrics::new());
    dms.put_instance(
        testing::instance("dmsflow-orders-instance", "available"),
        foreign_tags(),
    );
    let error = reconcile(&dms, &metrics).await.unwrap_err();
    assert_eq!(error.kind, ErrorKind::ResourceConflict);
    assert!(
        error
            .message
            .contains("replication instance dmsflow-orders-instance"),
        "{}",
        error.message
    );
    assert!(creates(&dms, &metrics).is_empty(), "{:?}", dms.calls());

    // Another run's resource is foreign too.
    let (dms, metrics) = (FakeDms::new(), FakeMetrics::new());
    dms.put_endpoint(
        testing::endpoint("dmsflow-orders-target", EndpointRole::Target, "active"),
        owned_tags("orders-old"),
    );
    assert_eq!(
        reconcile(&dms, &metrics).await.unwrap_err().kind,
        ErrorKind::ResourceConflict
    );
    assert!(creates(&dms, &metrics).is_empty());
}

#[tokio::test]
async fn a_subnet_group_whose_tags_cannot_be_read_is_not_adopted() {
    let (dms, metrics) = (FakeDms::new(), FakeMetrics::new());
    dms.put_subnet_group(
        testing::subnet_group("dmsflow-orders-subnets"),
        owned_tags("orders"),
    );
    // Ours when its ARN can be built from the function's.
    reconcile(&dms, &metrics).await.unwrap();
    assert!(dms.calls_to("create_subnet_group").is_empty());
    assert!(
        dms.calls()
            .contains(&"tags dmsflow-orders-subnets".to_string())
    );

    // Without the function's ARN there is no way to read its tags; with one of
    // another account, the ARN built from it names nothing.
    for function_arn in [
        "",
        "arn:aws:lambda:us-east-1:999999999999:function:dmsflow-test",
    ] {
        let (dms, metrics) = (FakeDms::new(), FakeMetrics::new());
        dms.put_subnet_group(
            testing::subnet_group("dmsflow-orders-subnets"),
            owned_tags("orders"),
        );
        let input = StepInput {
            spec: spec_json(json!({})),
            loop_started_at: None,
            previous: None,
        };
        let error = super::reconcile(&dms, &metrics, &input, function_arn, SystemTime::now())
            .await
            .unwrap_err();
        assert_eq!(error.kind, ErrorKind::ResourceConflict, "{function_arn}");
        assert!(creates(&dms, &metrics).is_empty());
    }
}

#[tokio::test]
async fn a_foreign_alarm_under_our_name_is_a_conflict() {
    let (dms, metrics) = (FakeDms::new(), FakeMetrics::new());
    let spec = crate::spec::parse::parse_value(&spec_json(json!({}))).unwrap();
    let mut alarm = plan::alarm_request(
        &spec,
        &names(),
        "dmsflow-orders-tables-errored",
        "arn:t",
        TOPIC,
    )
    .unwrap();
    alarm.tags = foreign_tags();
    metrics.put_foreign_alarm(alarm);
    let error = reconcile(&dms, &metrics).await.unwrap_err();
    assert_eq!(error.kind, ErrorKind::ResourceConflict);
    assert!(
        error
            .message
            .contains("CloudWatch alarm dmsflow-orders-tables-errored")
    );
    assert!(creates(&dms, &metrics).is_empty());
}

#[tokio::test]
async fn a_foreign_dashboard_under_our_name_is_a_conflict_and_kept_as_it_is() {
    let spec = crate::spec::parse::parse_value(&spec_json(json!({}))).unwrap();
    let ours = plan::dashboard_body(&spec, &names(), "arn:t", testing::FUNCTION_ARN, &[]).unwrap();
    let other_region = plan::dashboard_body(
        &spec,
        &names(),
        "arn:t",
        "arn:aws:lambda:eu-west-1:111122223333:function:dmsflow-test",
        &[],
    )
    .unwrap();
    let theirs = r#"{"widgets":[{"type":"text","properties":{"markdown":"team board"}}]}"#;
    // A user's dashboard; the run's body without the run's tags; the same run
    // id's dashboard of another region's stack, tagged as the run's.
    for (body, tags) in [
        (theirs, foreign_tags()),
        (ours.as_str(), foreign_tags()),
        (other_region.as_str(), owned_tags("orders")),
    ] {
        let (dms, metrics) = (FakeDms::new(), FakeMetrics::new());
        metrics.put_foreign_dashboard("dmsflow-orders", body, tags.clone());
        let error = reconcile(&dms, &metrics).await.unwrap_err();
        assert_eq!(error.kind, ErrorKind::ResourceConflict);
        assert!(
            error
                .message
                .contains("CloudWatch dashboard dmsflow-orders"),
            "{}",
            error.message
        );
        assert!(creates(&dms, &metrics).is_empty());
        let kept = metrics.dashboard_now("dmsflow-orders").unwrap();
        assert_eq!((kept.body.as_str(), kept.tags), (body, tags));
    }
}

#[tokio::test]
async fn a_create_racing_an_earlier_call_adopts_what_that_call_made() {
    let (dms, metrics) = (FakeDms::new(), FakeMetrics::new());
    dms.put_subnet_group(
        testing::subnet_group("dmsflow-orders-subnets"),
        owned_tags("orders"),
    );
    dms.put_instance(
        testing::instance("dmsflow-orders-instance", "creating"),
        owned_tags("orders"),
    );
    dms.hide_next("describe_instance");
    let report = reconcile(&dms, &metrics).await.unwrap();
    assert_eq!(dms.calls_to("create_instance").len(), 1);
    assert_eq!(report.detail.instance.unwrap().status, "creating");
    assert!(
        !report.actions.iter().any(|a| a.contains("instance")),
        "{:?}",
        report.actions
    );
    assert!(!report.done);

    // The same race against somebody else's resource is a conflict.
    let (dms, metrics) = (FakeDms::new(), FakeMetrics::new());
    dms.put_instance(
        testing::instance("dmsflow-orders-instance", "creating"),
        foreign_tags(),
    );
    dms.hide_next("describe_instance");
    let error = reconcile(&dms, &metrics).await.unwrap_err();
    assert_eq!(error.kind, ErrorKind::ResourceConflict);
    assert!(dms.calls_to("create_endpoint").is_empty());
}

#[tokio::test]
async fn aws_faults_become_step_errors_naming_the_resource() {
    let (dms, metrics) = (FakeDms::new(), FakeMetrics::new());
    dms.fail_next(
        "create_endpoint",
        AwsFault::Throttled("Rate exceeded".into()),
    );
    let error = reconcile(&dms, &metrics).await.unwrap_err();
    assert_eq!(error.kind, ErrorKind::Throttled);
    assert!(
        error
            .message
            .contains("creating endpoint dmsflow-orders-source"),
        "{}",
        error.message
    );
    // The retry picks up where it stopped.
    testing::clear_calls(&dms, &metrics);
    reconcile(&dms, &metrics).await.unwrap();
    assert_eq!(
        creates(&dms, &metrics),
        vec![
            "create_endpoint dmsflow-orders-source",
            "create_endpoint dmsflow-orders-target"
        ]
    );

    let (dms, metrics) = (FakeDms::new(), FakeMetrics::new());
    dms.fail_next(
        "create_subnet_group",
        AwsFault::AccessDenied("dms-vpc-role is not configured properly".into()),
    );
    let error = reconcile(&dms, &metrics).await.unwrap_err();
    assert_eq!(error.kind, ErrorKind::AccessDenied);
    assert!(error.message.contains("dms-vpc-role"));
    assert!(dms.calls_to("create_instance").is_empty());

    let (dms, metrics) = (FakeDms::new(), FakeMetrics::new());
    dms.fail_next("describe_task", AwsFault::Throttled("slow down".into()));
    assert_eq!(
        reconcile(&dms, &metrics).await.unwrap_err().kind,
        ErrorKind::Throttled
    );
    assert!(creates(&dms, &metrics).is_empty());
}

#[tokio::test]
async fn the_instance_wait_is_bounded_but_a_finished_run_is_not() {
    let (dms, metrics) = (FakeDms::new(), FakeMetrics::new());
    let error = reconcile_with(&dms, &metrics, json!({}), Some(LONG_AGO))
        .await
        .unwrap_err();
    assert_eq!(error.kind, ErrorKind::StepTimedOut);
    assert!(error.message.contains("polling.instance_timeout_minutes"));

    dms.set_status("dmsflow-orders-instance", "available");
    reconcile(&dms, &metrics).await.unwrap();
    dms.set_status("dmsflow-orders-task", "ready");
    let report = reconcile_with(&dms, &metrics, json!({}), Some(LONG_AGO))
        .await
        .unwrap();
    assert!(report.done);
}

#[tokio::test]
async fn broken_or_deleting_instances_end_the_step_without_a_task() {
    for (status, kind) in [
        ("failed", ErrorKind::AwsError),
        ("incompatible-network", ErrorKind::InvalidRequest),
        ("storage-full", ErrorKind::QuotaExceeded),
        ("deleting", ErrorKind::ResourceBusy),
    ] {
        let (dms, metrics) = (FakeDms::new(), FakeMetrics::new());
        dms.put_instance(
            testing::instance("dmsflow-orders-instance", status),
            owned_tags("orders"),
        );
        let error = reconcile(&dms, &metrics).await.unwrap_err();
        assert_eq!(error.kind, kind, "{status}");
        assert!(dms.calls_to("create_task").is_empty());
        assert!(dms.calls_to("create_instance").is_empty());
    }
}

#[tokio::test]
async fn a_given_subnet_group_is_used_and_never_created_or_tag_checked() {
    let (dms, metrics) = (FakeDms::new(), FakeMetrics::new());
    dms.put_subnet_group(testing::subnet_group("shared-dms"), foreign_tags());
    let changes = json!({"network": {"subnet_group": "shared-dms"}});
    reconcile_with(&dms, &metrics, changes.clone(), None)
        .await
        .unwrap();
    assert!(dms.calls_to("create_subnet_group").is_empty());
    assert!(!dms.calls().contains(&"tags shared-dms".to_string()));
    assert_eq!(
        dms.instance_request("dmsflow-orders-instance")
            .unwrap()
            .subnet_group_id,
        "shared-dms"
    );

    let (dms, metrics) = (FakeDms::new(), FakeMetrics::new());
    let error = reconcile_with(&dms, &metrics, changes, None)
        .await
        .unwrap_err();
    assert_eq!(error.kind, ErrorKind::ResourceMissing);
    assert!(creates(&dms, &metrics).is_empty());
}

#[tokio::test]
async fn the_report_lists_resources_with_id_arn_and_status() {
    let (dms, metrics) = (FakeDms::new(), FakeMetrics::new());
    let report = reconcile_with(
        &dms,
        &metrics,
        json!({"notifications": {"alarms": false}}),
        None,
    )
    .await
    .unwrap();
    let value = serde_json::to_value(&report).unwrap();
    assert_eq!(value["done"], false);
    assert_eq!(value["wait_seconds"], 30);
    assert_eq!(value["instance"]["id"], "dmsflow-orders-instance");
    assert_eq!(
        value["instance"]["arn"],
        testing::arn("rep", "dmsflow-orders-instance")
    );
    assert_eq!(value["source_endpoint"]["status"], "active");
    assert_eq!(value["subnet_group"]["id"], "dmsflow-orders-subnets");
    assert_eq!(value["task"], Value::Null);
    assert_eq!(value["alarms"], json!([]));
    assert!(!value.to_string().contains("password"));
}
