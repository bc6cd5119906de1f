//! CloudWatch dashboards with the real `aws-sdk-cloudwatch` client and dmsflow's
//! own `Metrics` implementation on it, and the metrics dmsflow's dashboard shows,
//! read back from what the emulator serves.

mod common;

use std::collections::BTreeMap;

use aws_sdk_cloudwatch::error::ProvideErrorMetadata;
use aws_sdk_cloudwatch::types::MetricDataQuery;
use aws_sdk_databasemigration::types::{
    MigrationTypeValue as M, StartReplicationTaskTypeValue as S,
};
use common::metrics::*;
use common::*;
use dmsflow::aws::Metrics;
use dmsflow::aws::metrics::task_resource_id;
use dmsflow::dashboard::{self, DashboardFacts};
use dmsflow::progress::ProgressSummary;
use dmsflow::steps::check_progress::progress_data;

const BODY: &str = r#"{"widgets":[{"type":"text","x":0,"y":0,"width":6,"height":2,"properties":{"markdown":"hello"}}]}"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dashboards_are_put_read_listed_and_deleted() {
    let env = start().await;
    let cw = cloudwatch(&env.handle.url());
    assert_eq!(cw.dashboard("dmsflow-d1").await.unwrap(), None);
    let missing = cw
        .get_dashboard()
        .dashboard_name("dmsflow-d1")
        .send()
        .await
        .unwrap_err();
    assert_eq!(missing.code(), Some("ResourceNotFound"));

    let run = BTreeMap::from([("dmsflow:run-id".to_string(), "d1".to_string())]);
    for name in ["dmsflow-d1", "dmsflow-d2", "other"] {
        let warnings = Metrics::put_dashboard(&cw, name, BODY, &run).await.unwrap();
        assert!(warnings.is_empty());
    }
    let found = cw.dashboard("dmsflow-d1").await.unwrap().unwrap();
    assert_eq!((found.body.as_str(), &found.tags), (BODY, &run));
    // Tags apply on creation only: a new body keeps the dashboard's tags.
    let other = BTreeMap::from([("dmsflow:run-id".to_string(), "d9".to_string())]);
    let updated = BODY.replace("hello", "again");
    Metrics::put_dashboard(&cw, "dmsflow-d1", &updated, &other)
        .await
        .unwrap();
    let found = cw.dashboard("dmsflow-d1").await.unwrap().unwrap();
    assert_eq!((found.body, found.tags), (updated, run));
    let got = cw
        .get_dashboard()
        .dashboard_name("dmsflow-d2")
        .send()
        .await
        .unwrap();
    assert_eq!(
        got.dashboard_arn(),
        Some("arn:aws:cloudwatch::123456789012:dashboard/dmsflow-d2")
    );
    let listed = cw
        .list_dashboards()
        .dashboard_name_prefix("dmsflow-")
        .send()
        .await
        .unwrap();
    let names: Vec<&str> = listed
        .dashboard_entries()
        .iter()
        .filter_map(|e| e.dashboard_name())
        .collect();
    assert_eq!(names, ["dmsflow-d1", "dmsflow-d2"]);
    assert_eq!(
        listed.dashboard_entries()[0].size(),
        Some(BODY.len() as i64)
    );

    // A body CloudWatch cannot use, and a name it does not allow.
    for (name, body) in [("dmsflow-d3", "{\"panels\": []}"), ("bad name", BODY)] {
        let refused = cw
            .put_dashboard()
            .dashboard_name(name)
            .dashboard_body(body)
            .send()
            .await
            .unwrap_err();
        assert!(
            matches!(
                refused.code(),
                Some("InvalidParameterInput" | "InvalidParameterValue")
            ),
            "{refused:?}"
        );
    }

    // DeleteDashboards deletes the names that exist (CloudWatch's model since
    // May 2026); dmsflow deletes one at a time and takes "not found" as deleted.
    cw.delete_dashboards()
        .dashboard_names("other")
        .dashboard_names("dmsflow-none")
        .send()
        .await
        .unwrap();
    assert_eq!(cw.dashboard("other").await.unwrap(), None);
    cw.delete_dashboard("dmsflow-d1").await.unwrap();
    cw.delete_dashboard("dmsflow-d1").await.unwrap();
    assert_eq!(cw.dashboard("dmsflow-d1").await.unwrap(), None);

    // The account's resources count dashboards, so a leak shows.
    let (_, resources) = control(env.handle.addr(), "GET", "/_emulator/resources", None).await;
    assert_eq!(resources["cloudwatch_dashboards"]["count"], 1);
    let items = resources["cloudwatch_dashboards"]["items"]
        .as_array()
        .unwrap();
    assert_eq!(items[0]["id"], "dmsflow-d2");
    assert_eq!(items[0]["tags"]["dmsflow:run-id"], "d1");
}

/// Every metric on dmsflow's dashboard of a running full-load-and-CDC task with
/// validation is one the emulator serves data for, under exactly that namespace,
/// name and dimensions: DMS's from its task model, dmsflow's once check-progress
/// has published them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_metric_on_the_dashboard_of_a_running_task_has_data() {
    let env = start().await;
    let dms = &env.dms;
    let cw = cloudwatch(&env.handle.url());
    let s = setup(dms, "cwd").await;
    let settings = r#"{"ValidationSettings":{"EnableValidation":true}}"#;
    let arn = create_task(
        dms,
        &s,
        "cwd-task",
        M::FullLoadAndCdc,
        Some(settings),
        vec![],
    )
    .await;
    let body = dashboard::body(&DashboardFacts {
        run_id: "cwd",
        region: "us-east-1",
        instance_id: Some("cwd-ri"),
        task_resource_id: task_resource_id(&arn).unwrap(),
        task_id: "cwd-task",
        cdc: true,
        validation: true,
        alarm_arns: Vec::new(),
    });
    assert!(
        Metrics::put_dashboard(&cw, "dmsflow-cwd", &body, &BTreeMap::new())
            .await
            .unwrap()
            .is_empty()
    );
    start_task(dms, &arn, S::StartReplication).await;
    wait_cdc_running(dms, &arn).await;
    let summary = ProgressSummary {
        cdc_latency_source_seconds: Some(1.0),
        ..ProgressSummary::default()
    };
    cw.put_progress("cwd", &progress_data(&summary))
        .await
        .unwrap();

    let shown = dashboard::metrics(&cw.dashboard("dmsflow-cwd").await.unwrap().unwrap().body);
    assert_eq!(shown.len(), 12, "{shown:?}");
    let queries: Vec<MetricDataQuery> = shown
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let dims: Vec<_> = m.dimensions.iter().map(|(n, v)| dim(n, v)).collect();
            query(&format!("m{i}"), &m.namespace, &m.name, &dims, "Maximum")
        })
        .collect();
    let values = metric_values(&cw, queries).await;
    for (i, m) in shown.iter().enumerate() {
        assert!(!values[&format!("m{i}")].is_empty(), "no data for {m:?}");
    }
}
