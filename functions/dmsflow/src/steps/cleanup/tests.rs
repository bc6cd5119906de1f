use std::time::SystemTime;

use serde_json::{Value, json};

use super::*;
use crate::aws::metrics::AlarmRequest;
use crate::plan;
use crate::progress::fixtures;
use crate::testing::{self, FakeDms, FakeMetrics, foreign_tags, owned_tags};

const TOPIC: &str = "arn:aws:sns:us-east-1:111122223333:dmsflow-alerts";

fn names() -> Names {
    Names::for_run("orders")
}

fn alarm(name: &str, tags: crate::aws::dms::Tags) -> AlarmRequest {
    let spec = fixtures::spec(json!({}));
    let mut alarm = plan::alarm_request(&spec, &names(), &names().alarms[2], "arn:t", TOPIC)
        .expect("an alarm of the run");
    alarm.name = name.to_string();
    alarm.tags = tags;
    alarm
}

/// Every resource of run `orders`, the run's own: the task and instance in the
/// given statuses, the subnet group, the subscription, the four alarms and the
/// dashboard.
fn seeded(task_status: &str, instance_status: &str) -> (FakeDms, FakeMetrics) {
    let names = names();
    let dms = fixtures::seeded_dms(instance_status, task_status);
    dms.put_subnet_group(
        testing::subnet_group(&names.subnet_group),
        owned_tags("orders"),
    );
    dms.put_event_subscription(
        testing::event_subscription(&names.event_subscription, TOPIC),
        owned_tags("orders"),
    );
    dms.clear_calls();
    let metrics = FakeMetrics::new();
    for name in &names.alarms {
        metrics.put_foreign_alarm(alarm(name, owned_tags("orders")));
    }
    let spec = fixtures::spec(json!({}));
    let body = plan::dashboard_body(&spec, &names, "arn:t", testing::FUNCTION_ARN, &[]).unwrap();
    metrics.put_foreign_dashboard(&names.dashboard, &body, owned_tags("orders"));
    (dms, metrics)
}

fn request(reason: &str, spec_changes: Option<Value>) -> Value {
    let mut request = json!({"run_id": "orders", "reason": reason});
    if let Some(changes) = spec_changes {
        request["spec"] = fixtures::spec_json(changes);
    }
    request
}

async fn cleanup(
    dms: &FakeDms,
    metrics: &FakeMetrics,
    request: Value,
) -> StepResult<StepReport<CleanupDetail>> {
    handle(dms, metrics, testing::event(request), SystemTime::now()).await
}

/// Stop and delete calls to either fake.
fn changes(dms: &FakeDms, metrics: &FakeMetrics) -> Vec<String> {
    testing::calls_starting_with(dms, metrics, &["stop_", "delete_"])
}

/// One teardown call on fresh call logs: its report, and the stops and deletes it made.
async fn teardown_round(
    dms: &FakeDms,
    metrics: &FakeMetrics,
) -> (StepReport<CleanupDetail>, Vec<String>) {
    testing::clear_calls(dms, metrics);
    let report = cleanup(dms, metrics, request("teardown", None))
        .await
        .unwrap();
    (report, changes(dms, metrics))
}

#[tokio::test]
async fn teardown_deletes_in_dms_order_across_calls_and_is_idempotent() {
    let (dms, metrics) = seeded("running", "available");

    let (report, changed) = teardown_round(&dms, &metrics).await;
    assert!(!report.done);
    assert_eq!(changed, vec!["stop_task dmsflow-orders-task"]);
    assert_eq!(report.detail.remaining.len(), 11);
    assert!(report.waiting_for.unwrap().contains("to stop"));
    assert!(report.wait_seconds >= 10);

    // Still stopping: nothing new.
    let (_, changed) = teardown_round(&dms, &metrics).await;
    assert!(changed.is_empty());

    dms.set_status("dmsflow-orders-task", "stopped");
    let (report, changed) = teardown_round(&dms, &metrics).await;
    assert_eq!(changed, vec!["delete_task dmsflow-orders-task"]);
    assert_eq!(
        report.detail.deleted,
        vec!["replication task dmsflow-orders-task"]
    );
    assert!(!report.done);

    dms.finish_deleting();
    let (report, changed) = teardown_round(&dms, &metrics).await;
    let expected = [
        "delete_endpoint dmsflow-orders-source",
        "delete_endpoint dmsflow-orders-target",
        "delete_instance dmsflow-orders-instance",
    ];
    assert_eq!(changed, expected);
    assert!(!report.done);
    assert_eq!(report.wait_seconds, 30);

    // The instance takes a while.
    let (report, changed) = teardown_round(&dms, &metrics).await;
    assert!(changed.is_empty());
    assert!(
        report
            .waiting_for
            .unwrap()
            .contains("dmsflow-orders-instance")
    );

    dms.finish_deleting();
    let (report, changed) = teardown_round(&dms, &metrics).await;
    let expected = [
        "delete_subnet_group dmsflow-orders-subnets",
        "delete_event_subscription dmsflow-orders-events",
        "delete_alarms dmsflow-orders-cdc-latency-source,dmsflow-orders-cdc-latency-target,\
         dmsflow-orders-tables-errored,dmsflow-orders-validation-failed",
        "delete_dashboard dmsflow-orders",
    ];
    assert_eq!(changed, expected);
    assert!(report.done);
    assert_eq!(report.wait_seconds, 0);
    assert!(
        report.detail.remaining.is_empty(),
        "{:?}",
        report.detail.remaining
    );
    assert_eq!(report.detail.deleted.len(), 7);
    assert!(metrics.alarm_names_now().is_empty());
    assert_eq!(metrics.dashboard_now("dmsflow-orders"), None);
    for id in [
        "dmsflow-orders-subnets",
        "dmsflow-orders-instance",
        "dmsflow-orders-events",
    ] {
        assert!(!dms.exists(id), "{id}");
    }

    // Rerun after completion: done, nothing to do.
    let (report, changed) = teardown_round(&dms, &metrics).await;
    assert!(report.done && report.actions.is_empty());
    assert!(changed.is_empty());
}

#[tokio::test]
async fn failure_with_the_default_policy_stops_the_task_and_keeps_everything() {
    let (dms, metrics) = seeded("running", "available");
    let first = cleanup(&dms, &metrics, request("failure", Some(json!({}))))
        .await
        .unwrap();
    assert!(!first.done, "waits for the task to stop");
    assert_eq!(first.detail.policy, "stop-and-keep");
    assert_eq!(changes(&dms, &metrics), ["stop_task dmsflow-orders-task"]);

    dms.set_status("dmsflow-orders-task", "stopped");
    testing::clear_calls(&dms, &metrics);
    let report = cleanup(&dms, &metrics, request("failure", Some(json!({}))))
        .await
        .unwrap();
    assert!(report.done);
    assert!(changes(&dms, &metrics).is_empty(), "{:?}", dms.calls());
    assert_eq!(report.detail.kept.len(), 11, "{:?}", report.detail.kept);
    assert!(report.detail.deleted.is_empty() && report.detail.remaining.is_empty());
}

#[tokio::test]
async fn the_first_call_follows_the_policy() {
    let keep_but_stop = json!({
        "cleanup": {"on_success": "keep"},
        "completion": {"then": "stop-and-clean-up"}
    });
    let cases = [
        (
            "failure",
            json!({"cleanup": {"on_failure": "delete"}}),
            "failed",
            "delete",
            "delete_task",
        ),
        ("success", json!({}), "running", "delete", "stop_task"),
        (
            "success",
            keep_but_stop.clone(),
            "running",
            "stop-and-keep",
            "stop_task",
        ),
    ];
    for (reason, spec, task_status, policy, first) in cases {
        let (dms, metrics) = seeded(task_status, "available");
        let report = cleanup(&dms, &metrics, request(reason, Some(spec)))
            .await
            .unwrap();
        assert_eq!(report.detail.policy, policy, "{reason}");
        assert!(!report.done);
        assert_eq!(
            changes(&dms, &metrics),
            vec![format!("{first} dmsflow-orders-task")],
            "{reason} {policy}"
        );
    }

    // Stop-and-keep is done once the task has stopped, and deletes nothing.
    let (dms, metrics) = seeded("stopped", "available");
    let report = cleanup(&dms, &metrics, request("success", Some(keep_but_stop)))
        .await
        .unwrap();
    assert!(report.done);
    assert!(changes(&dms, &metrics).is_empty());
    assert_eq!(report.detail.kept.len(), 11);
}

#[tokio::test]
async fn foreign_resources_under_the_runs_names_are_never_touched() {
    let names = names();
    let (dms, metrics) = seeded("stopped", "available");
    // A task of someone else's under the run's task name, on other endpoints.
    let mut task = testing::task(&names.task, "running");
    task.source_endpoint_arn = testing::arn("endpoint", "theirs-source");
    task.target_endpoint_arn = testing::arn("endpoint", "theirs-target");
    task.instance_arn = testing::arn("rep", "theirs-instance");
    dms.remove(&names.task);
    dms.put_task(task, foreign_tags());
    // An instance of an earlier run with another id.
    dms.remove(&names.instance);
    dms.put_instance(
        testing::instance(&names.instance, "available"),
        owned_tags("orders-old"),
    );
    metrics.put_foreign_alarm(alarm(&names.alarms[0], foreign_tags()));
    // A dashboard of the user's under the run's dashboard name.
    let theirs = r#"{"widgets":[{"type":"text","properties":{"markdown":"orders team"}}]}"#;
    metrics.put_foreign_dashboard(&names.dashboard, theirs, foreign_tags());

    let report = cleanup(&dms, &metrics, request("teardown", None))
        .await
        .unwrap();
    assert_eq!(
        report.detail.skipped_foreign,
        vec![
            "replication instance dmsflow-orders-instance",
            "replication task dmsflow-orders-task",
            "CloudWatch dashboard dmsflow-orders",
            "CloudWatch alarm dmsflow-orders-cdc-latency-source",
        ]
    );
    assert_eq!(
        changes(&dms, &metrics),
        vec![
            "delete_endpoint dmsflow-orders-source",
            "delete_endpoint dmsflow-orders-target",
        ]
    );
    assert_eq!(dms.task(&names.task).unwrap().status, "running");

    // The subnet group is still in use by the foreign instance: DMS refuses, the
    // step waits, and the foreign resources stay untouched.
    testing::clear_calls(&dms, &metrics);
    let report = cleanup(&dms, &metrics, request("teardown", None))
        .await
        .unwrap();
    assert!(!report.done);
    assert!(report.waiting_for.unwrap().contains("DMS refused for now"));
    let changed = changes(&dms, &metrics);
    assert!(
        !changed
            .iter()
            .any(|c| c.contains("-task") || c.contains("-instance")),
        "{changed:?}"
    );
    assert_eq!(dms.instance(&names.instance).unwrap().status, "available");
    assert!(metrics.calls_to("delete_dashboard").is_empty());
    assert_eq!(
        metrics
            .dashboard_now(&names.dashboard)
            .map(|d| d.body)
            .as_deref(),
        Some(theirs)
    );
}

#[tokio::test]
async fn only_the_runs_own_alarms_are_deleted() {
    let names = names();
    let (dms, metrics) = (FakeDms::new(), FakeMetrics::new());
    metrics.put_foreign_alarm(alarm(&names.alarms[0], foreign_tags()));
    metrics.put_foreign_alarm(alarm(&names.alarms[1], owned_tags("orders")));
    // Another run whose id starts like this one's: neither deleted nor reported.
    metrics.put_foreign_alarm(alarm(
        "dmsflow-orders-2-tables-errored",
        owned_tags("orders-2"),
    ));
    let report = cleanup(&dms, &metrics, request("teardown", None))
        .await
        .unwrap();
    assert!(report.done);
    assert_eq!(
        metrics.calls_to("delete_alarms"),
        vec!["delete_alarms dmsflow-orders-cdc-latency-target"]
    );
    assert_eq!(
        report.detail.skipped_foreign,
        vec!["CloudWatch alarm dmsflow-orders-cdc-latency-source"]
    );
    assert!(metrics.alarm(&names.alarms[0]).is_some());
    assert!(metrics.alarm("dmsflow-orders-2-tables-errored").is_some());
}

#[tokio::test]
async fn a_users_subnet_group_is_never_deleted() {
    // Even one the user named like the run's and tagged as the run's.
    let (dms, metrics) = seeded("stopped", "available");
    dms.remove("dmsflow-orders-task");
    dms.remove("dmsflow-orders-instance");
    dms.remove("dmsflow-orders-source");
    dms.remove("dmsflow-orders-target");
    let spec = Some(json!({
        "network": {"subnet_group": "dmsflow-orders-subnets"},
        "cleanup": {"on_failure": "delete"}
    }));
    let report = cleanup(&dms, &metrics, request("failure", spec))
        .await
        .unwrap();
    assert!(report.done);
    assert!(dms.calls_to("delete_subnet_group").is_empty());
    assert!(dms.exists("dmsflow-orders-subnets"));

    // A differently named one is not even looked at.
    let (dms, metrics) = seeded("stopped", "available");
    let spec = Some(json!({
        "network": {"subnet_group": "shared-dms"},
        "cleanup": {"on_failure": "delete"}
    }));
    cleanup(&dms, &metrics, request("failure", spec))
        .await
        .unwrap();
    assert!(!dms.calls().iter().any(|c| c.contains("shared-dms")));
}

#[tokio::test]
async fn gone_is_done_and_refused_is_waited_for() {
    let (dms, metrics) = seeded("stopped", "available");
    dms.fail_next("delete_task", AwsFault::NotFound("no such task".into()));
    let report = cleanup(&dms, &metrics, request("teardown", None))
        .await
        .unwrap();
    assert!(
        report.actions[0].contains("already gone"),
        "{:?}",
        report.actions
    );
    assert!(
        !report
            .detail
            .remaining
            .contains(&"replication task dmsflow-orders-task".into())
    );

    let (dms, metrics) = seeded("stopped", "available");
    dms.remove("dmsflow-orders-task");
    dms.fail_next(
        "delete_endpoint",
        AwsFault::Busy("endpoint is in use".into()),
    );
    let report = cleanup(&dms, &metrics, request("teardown", None))
        .await
        .unwrap();
    assert!(!report.done);
    assert!(
        report
            .waiting_for
            .unwrap()
            .contains("DMS refused for now: endpoint is in use")
    );
    // Nothing after the refused call in this round.
    assert!(dms.calls_to("delete_instance").is_empty());
    assert!(
        report
            .detail
            .remaining
            .contains(&"endpoint dmsflow-orders-source".into())
    );
}

#[tokio::test]
async fn a_refused_delete_does_not_hold_back_the_others_of_the_same_call() {
    let (dms, metrics) = seeded("stopped", "available");
    cleanup(&dms, &metrics, request("teardown", None))
        .await
        .unwrap();
    dms.finish_deleting();
    testing::clear_calls(&dms, &metrics);
    dms.fail_next(
        "delete_endpoint",
        AwsFault::AccessDenied("not authorized to perform dms:DeleteEndpoint".into()),
    );
    let error = cleanup(&dms, &metrics, request("teardown", None))
        .await
        .unwrap_err();
    assert_eq!(error.kind, ErrorKind::AccessDenied);
    assert!(
        error
            .message
            .contains("deleting endpoint dmsflow-orders-source"),
        "{}",
        error.message
    );
    assert!(
        error.message.contains("not authorized"),
        "{}",
        error.message
    );
    // The target endpoint and the instance were still deleted, and the error says so.
    assert!(
        error.message.contains("this call still did"),
        "{}",
        error.message
    );
    assert!(
        error.message.contains("dmsflow-orders-instance"),
        "{}",
        error.message
    );
    assert_eq!(
        changes(&dms, &metrics),
        [
            "delete_endpoint dmsflow-orders-source",
            "delete_endpoint dmsflow-orders-target",
            "delete_instance dmsflow-orders-instance",
        ]
    );
    assert!(dms.exists("dmsflow-orders-source"));
}

#[tokio::test]
async fn other_faults_are_errors_naming_the_resource() {
    let (dms, metrics) = seeded("running", "available");
    dms.fail_next("stop_task", AwsFault::Throttled("Rate exceeded".into()));
    let error = cleanup(&dms, &metrics, request("teardown", None))
        .await
        .unwrap_err();
    assert_eq!(error.kind, ErrorKind::Throttled);
    assert!(
        error
            .message
            .contains("stopping replication task dmsflow-orders-task")
    );

    let (dms, metrics) = (FakeDms::new(), FakeMetrics::new());
    metrics.fail_next("alarm_names", AwsFault::AccessDenied("not allowed".into()));
    let error = cleanup(&dms, &metrics, request("teardown", None))
        .await
        .unwrap_err();
    assert_eq!(error.kind, ErrorKind::AccessDenied);
}

#[tokio::test]
async fn bad_inputs_are_refused_before_any_call() {
    let (dms, metrics) = (FakeDms::new(), FakeMetrics::new());
    let cases = [
        json!({"run_id": "Orders!", "reason": "teardown"}),
        json!({"run_id": "orders", "reason": "success"}),
        json!({"run_id": "orders", "reason": "later"}),
        json!({"run_id": "other", "reason": "failure", "spec": fixtures::spec_json(json!({}))}),
        json!({"reason": "teardown"}),
    ];
    for case in cases {
        let error = cleanup(&dms, &metrics, case.clone()).await.unwrap_err();
        assert_eq!(error.kind, ErrorKind::InvalidSpec, "{case}");
    }
    assert!(dms.calls().is_empty() && metrics.calls().is_empty());
}

#[tokio::test]
async fn the_report_has_the_common_fields_and_the_lists() {
    let (dms, metrics) = seeded("running", "available");
    let report = cleanup(&dms, &metrics, request("teardown", None))
        .await
        .unwrap();
    let value = serde_json::to_value(&report).unwrap();
    for key in [
        "done",
        "actions",
        "waiting_for",
        "wait_seconds",
        "run_id",
        "reason",
        "policy",
        "deleted",
        "kept",
        "remaining",
        "skipped_foreign",
    ] {
        assert!(value.get(key).is_some(), "{key} missing from {value}");
    }
    assert_eq!(value["reason"], "teardown");
}

#[tokio::test]
async fn resources_whose_tags_cannot_be_read_are_left_alone() {
    let (dms, metrics) = seeded("stopped", "available");
    for id in [
        "dmsflow-orders-task",
        "dmsflow-orders-instance",
        "dmsflow-orders-source",
        "dmsflow-orders-target",
    ] {
        dms.remove(id);
    }
    // A function ARN of another account: the ARNs built for the subnet group and
    // the subscription name nothing, so their ownership cannot be shown.
    let mut event = testing::event(request("teardown", None));
    event.context.invoked_function_arn =
        "arn:aws:lambda:us-east-1:999999999999:function:dmsflow-test".into();
    let report = handle(&dms, &metrics, event, SystemTime::now())
        .await
        .unwrap();
    assert_eq!(
        report.detail.skipped_foreign,
        vec![
            "replication subnet group dmsflow-orders-subnets",
            "event subscription dmsflow-orders-events",
        ]
    );
    assert!(dms.exists("dmsflow-orders-subnets") && dms.exists("dmsflow-orders-events"));
    assert_eq!(
        changes(&dms, &metrics),
        vec![
            "delete_alarms dmsflow-orders-cdc-latency-source,dmsflow-orders-cdc-latency-target,\
             dmsflow-orders-tables-errored,dmsflow-orders-validation-failed",
            "delete_dashboard dmsflow-orders",
        ]
    );
}

#[tokio::test]
async fn a_serverless_cleanup_looks_for_no_instance_or_subscription_and_a_teardown_finds_the_config()
 {
    let dms = fixtures::seeded_serverless_dms("stopped", "deprovisioned");
    let metrics = FakeMetrics::new();
    let mut serverless = request("success", None);
    serverless["spec"] = fixtures::serverless_spec_json(json!({}));
    let report = cleanup(&dms, &metrics, serverless).await.unwrap();
    let calls = dms.calls();
    assert!(
        !calls
            .iter()
            .any(|c| c.starts_with("describe_instance") || c.starts_with("describe_event")),
        "{calls:?}"
    );
    assert_eq!(
        report.detail.deleted,
        ["replication config dmsflow-orders-task"]
    );
    // Without a spec, the config is found after the task is not.
    let dms = fixtures::seeded_serverless_dms("stopped", "deprovisioned");
    let report = cleanup(&dms, &metrics, request("teardown", None))
        .await
        .unwrap();
    assert_eq!(
        report.detail.deleted,
        ["replication config dmsflow-orders-task"]
    );
    assert!(
        dms.calls()
            .iter()
            .any(|c| c.starts_with("describe_instance"))
    );
}
