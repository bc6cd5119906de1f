use serde_json::Value;

use super::*;

const FUNCTION_ARN: &str = "arn:aws:lambda:eu-west-1:123456789012:function:dmsflow-create";

fn facts(cdc: bool, validation: bool, alarms: &[&str]) -> DashboardFacts<'static> {
    DashboardFacts {
        run_id: "orders",
        region: "eu-west-1",
        instance_id: Some("dmsflow-orders-instance"),
        task_resource_id: "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
        task_id: "dmsflow-orders-task",
        cdc,
        validation,
        alarm_arns: alarms
            .iter()
            .map(|name| alarm_arn(FUNCTION_ARN, name).unwrap())
            .collect(),
    }
}

fn names(body: &str, namespace: &str) -> Vec<String> {
    metrics(body)
        .into_iter()
        .filter(|m| m.namespace == namespace)
        .map(|m| m.name)
        .collect()
}

#[test]
fn every_metric_is_one_dmsflow_or_dms_publishes_with_its_exact_dimensions() {
    let body = body(&facts(true, true, &["dmsflow-orders-tables-errored"]));
    let on_dashboard = metrics(&body);
    assert!(on_dashboard.len() >= 10, "{on_dashboard:?}");
    let run = vec![("RunId".to_string(), "orders".to_string())];
    let task = vec![
        (
            "ReplicationInstanceIdentifier".to_string(),
            "dmsflow-orders-instance".to_string(),
        ),
        (
            "ReplicationTaskIdentifier".to_string(),
            "ABCDEFGHIJKLMNOPQRSTUVWXYZ".to_string(),
        ),
    ];
    for m in &on_dashboard {
        match m.namespace.as_str() {
            "dmsflow" => {
                assert!(metric_names::ALL.contains(&m.name.as_str()), "{m:?}");
                assert_eq!(m.dimensions, run, "{m:?}");
            }
            "AWS/DMS" => {
                assert!(DMS_TASK_METRICS.contains(&m.name.as_str()), "{m:?}");
                assert_eq!(m.dimensions, task, "{m:?}");
            }
            other => panic!("metric of namespace {other}: {m:?}"),
        }
    }
    // The whole cited list is shown, and every progress metric but the
    // latency (shown as DMS's own two).
    let mut dms = names(&body, "AWS/DMS");
    dms.sort();
    let mut cited = DMS_TASK_METRICS.to_vec();
    cited.sort();
    assert_eq!(dms, cited);
    let ours = names(&body, "dmsflow");
    for name in metric_names::ALL {
        assert_eq!(
            ours.contains(&name.to_string()),
            name != metric_names::CDC_LATENCY_SECONDS,
            "{name}"
        );
    }
}

#[test]
fn a_full_load_without_validation_or_alarms_shows_neither_cdc_nor_validation() {
    let body = body(&facts(false, false, &[]));
    let shown = metrics(&body);
    assert!(
        shown.iter().all(|m| !m.name.starts_with("CDC")),
        "{shown:?}"
    );
    assert!(
        shown.iter().all(|m| !m.name.contains("Validation")),
        "{shown:?}"
    );
    assert!(names(&body, "dmsflow").contains(&"TablesErrored".to_string()));
    assert!(alarms(&body).is_empty());
    assert!(!body.contains("\"alarm\""));
}

#[test]
fn the_alarm_widget_names_the_alarms_by_arn_in_the_run_account_and_region() {
    let body = body(&facts(
        true,
        false,
        &[
            "dmsflow-orders-cdc-latency-source",
            "dmsflow-orders-tables-errored",
        ],
    ));
    assert_eq!(
        alarms(&body),
        vec![
            "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:dmsflow-orders-cdc-latency-source",
            "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:dmsflow-orders-tables-errored",
        ]
    );
    assert_eq!(alarm_arn("not an arn", "x"), None);
}

#[test]
fn widgets_fit_the_grid_without_overlapping_and_name_the_region() {
    let body: Value = serde_json::from_str(&body(&facts(true, true, &["a"]))).unwrap();
    let widgets = body["widgets"].as_array().unwrap();
    let cells: Vec<(u64, u64, u64, u64)> = widgets
        .iter()
        .map(|w| {
            let n = |k: &str| w[k].as_u64().unwrap();
            (n("x"), n("y"), n("width"), n("height"))
        })
        .collect();
    for (i, a) in cells.iter().enumerate() {
        assert!(a.0 + a.2 <= 24, "{a:?}");
        for b in &cells[i + 1..] {
            let apart =
                a.0 + a.2 <= b.0 || b.0 + b.2 <= a.0 || a.1 + a.3 <= b.1 || b.1 + b.3 <= a.1;
            assert!(apart, "{a:?} overlaps {b:?}");
        }
    }
    for w in widgets.iter().filter(|w| w["type"] == "metric") {
        assert_eq!(w["properties"]["region"], "eu-west-1");
    }
}

#[test]
fn only_the_run_own_body_is_recognised_as_the_run_s() {
    let ours = body(&facts(true, true, &[]));
    assert!(is_runs(&ours, "orders", "eu-west-1"));
    // The same run id's dashboard of another region's stack.
    assert!(!is_runs(&ours, "orders", "us-east-1"));
    // Another run whose id extends this one, a user's dashboard, a body that
    // only quotes the owner line in a later widget, and no JSON at all.
    let other = ours.replace("dmsflow:run-id=orders", "dmsflow:run-id=orders-2");
    assert!(!is_runs(&other, "orders", "eu-west-1"));
    assert!(!is_runs(r#"{"widgets":[]}"#, "orders", "eu-west-1"));
    let quoted = serde_json::json!({"widgets": [
        {"type": "metric", "properties": {}},
        {"type": "text", "properties": {"markdown": "`dmsflow:run-id=orders` `dmsflow:managed-by=dmsflow` `region=eu-west-1`"}},
    ]});
    assert!(!is_runs(&quoted.to_string(), "orders", "eu-west-1"));
    assert!(!is_runs("not json", "orders", "eu-west-1"));
}

#[test]
fn the_console_link_opens_the_dashboard_in_its_region() {
    assert_eq!(
        console_url("eu-west-1", "dmsflow-orders"),
        "https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#dashboards/dashboard/dmsflow-orders"
    );
}
