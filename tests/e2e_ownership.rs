//! End to end, dmsflow touches only what is its run's: resources that already
//! exist under a run's names but belong to someone else (another run's tags, or
//! no dmsflow tags at all) make the run fail with `ResourceConflict` before it
//! creates anything, and neither that failure nor a cleanup request stops,
//! modifies or deletes them.

#[path = "support/e2e.rs"]
mod e2e;
#[path = "support/fault_matrix.rs"]
mod fault_matrix;

use std::time::{Duration, Instant};

use dmsflow_local::Stack;
use dmsflow_local::resources::Call;
use serde_json::{Value, json};

/// The run that owns the foreign resources.
const OTHER_RUN: &str = "e2e-someone-else";

/// One DMS call through the stack's endpoint; its answer or DMS's error.
async fn dms(stack: &Stack, operation: &str, body: Value) -> Result<Value, String> {
    let answer = stack
        .http
        .aws_json(
            &stack.endpoint_url(),
            "dms",
            &format!("AmazonDMSv20160101.{operation}"),
            &body,
        )
        .await
        .map_err(|e| e.to_string())?;
    if answer.status != 200 {
        return Err(format!("{operation}: {} {}", answer.status, answer.text()));
    }
    answer.json().map_err(|e| e.to_string())
}

/// Calls until DMS accepts (the instance or task is still being created).
async fn dms_when_ready(stack: &Stack, operation: &str, body: Value) -> Value {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        match dms(stack, operation, body.clone()).await {
            Ok(answer) => return answer,
            Err(e) if Instant::now() > deadline => panic!("{e}"),
            Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    }
}

fn other_runs_tags() -> Value {
    json!([{"Key": "dmsflow:run-id", "Value": OTHER_RUN},
           {"Key": "dmsflow:managed-by", "Value": "dmsflow"}])
}

/// Someone else's running task named `task`, on an instance and endpoints named
/// `prefix-...`. The task is another run's; the endpoints carry no dmsflow tag.
async fn foreign_running_task(stack: &Stack, prefix: &str, task: &str) {
    let instance = dms(
        stack,
        "CreateReplicationInstance",
        json!({"ReplicationInstanceIdentifier": format!("{prefix}-instance"),
               "ReplicationInstanceClass": "dms.t3.medium", "Tags": other_runs_tags()}),
    )
    .await
    .expect("a foreign instance");
    let instance_arn = instance["ReplicationInstance"]["ReplicationInstanceArn"].clone();
    let mut endpoints = Vec::new();
    for (side, kind) in [("source", "source"), ("target", "target")] {
        let answer = dms(
            stack,
            "CreateEndpoint",
            json!({"EndpointIdentifier": format!("{prefix}-{side}"), "EndpointType": kind,
                   "EngineName": "mysql", "ServerName": "db.example.internal", "Port": 3306,
                   "DatabaseName": "orders", "Username": "someone",
                   "Tags": [{"Key": "team", "Value": "someone-else"}]}),
        )
        .await
        .expect("a foreign endpoint");
        endpoints.push(answer["Endpoint"]["EndpointArn"].clone());
    }
    let mappings = json!({"rules": [{"rule-type": "selection", "rule-id": "1", "rule-name": "all",
        "object-locator": {"schema-name": "orders", "table-name": "%"}, "rule-action": "include"}]});
    let created = dms_when_ready(
        stack,
        "CreateReplicationTask",
        json!({"ReplicationTaskIdentifier": task, "SourceEndpointArn": endpoints[0],
               "TargetEndpointArn": endpoints[1], "ReplicationInstanceArn": instance_arn,
               "MigrationType": "full-load-and-cdc", "TableMappings": mappings.to_string(),
               "Tags": other_runs_tags()}),
    )
    .await;
    let task_arn = created["ReplicationTask"]["ReplicationTaskArn"].clone();
    dms_when_ready(
        stack,
        "StartReplicationTask",
        json!({"ReplicationTaskArn": task_arn, "StartReplicationTaskType": "start-replication"}),
    )
    .await;
    let deadline = Instant::now() + Duration::from_secs(30);
    while foreign(stack, task)
        .iter()
        .all(|r| r["status"] != "running")
    {
        assert!(Instant::now() < deadline, "{:?}", foreign(stack, task));
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Every resource the emulator holds whose id starts with `prefix`: kind, id,
/// ARN, status and tags, in a stable order.
fn foreign(stack: &Stack, prefix: &str) -> Vec<Value> {
    let all = stack.emulator().resources();
    let mut out = Vec::new();
    for (kind, group) in all.as_object().into_iter().flatten() {
        for item in group["items"].as_array().into_iter().flatten() {
            if item["id"].as_str().is_some_and(|id| id.starts_with(prefix)) {
                out.push(json!({"kind": kind, "id": item["id"], "arn": item["arn"],
                                "status": item["status"], "tags": item["tags"]}));
            }
        }
    }
    out.sort_by_key(Value::to_string);
    out
}

/// The calls after `after` that changed or removed one of `resources`.
fn touching(calls: &[Call], after: u64, resources: &[Value]) -> Vec<String> {
    let arns: Vec<&str> = resources.iter().filter_map(|r| r["arn"].as_str()).collect();
    calls
        .iter()
        .filter(|c| c.seq > after)
        .filter(|c| !c.operation.starts_with("Describe") && !c.operation.starts_with("List"))
        .filter(|c| !c.operation.starts_with("TestConnection"))
        .filter(|c| {
            let request = c.request.to_string();
            arns.iter().any(|a| request.contains(a))
                || c.resource_arn.as_deref().is_some_and(|a| arns.contains(&a))
        })
        .map(|c| format!("{} {} ({})", c.operation, c.request, c.outcome))
        .collect()
}

fn last_seq(stack: &Stack) -> u64 {
    stack.calls().last().map_or(0, |c| c.seq)
}

/// A cleanup-only execution for `run_id`: it succeeds, deletes nothing, and
/// reports every one of `foreign` as skipped.
async fn assert_cleanup_skips(stack: &mut Stack, run_id: &str, foreign: &[Value]) {
    let mut request = e2e::events("cleanup-only.json");
    request["run_id"] = json!(run_id);
    let teardown = e2e::prepare(stack, request, run_id, &[]);
    let before = last_seq(stack);
    let outcome = e2e::run(stack, &teardown).await;
    let report = e2e::assert_succeeded(&outcome);
    assert!(outcome.deleted.is_empty(), "{:?}", outcome.deleted);
    let touched = touching(&stack.calls(), before, foreign);
    assert!(touched.is_empty(), "cleanup touched {touched:?}");
    let skipped = report["skipped_foreign"].to_string();
    for resource in foreign {
        let id = resource["id"].as_str().unwrap();
        assert!(
            skipped.contains(id),
            "{id} is not reported as skipped: {report}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resources_under_a_runs_names_that_are_not_its_own_are_never_touched() {
    let row = fault_matrix::row("foreign-resources");
    let mut stack = e2e::stack().await;
    let run_id = "e2e-foreign";
    let prefix = format!("dmsflow-{run_id}");
    let spec = e2e::events("mysql-full-load-and-cdc.json");
    dms(
        &stack,
        "CreateReplicationSubnetGroup",
        json!({"ReplicationSubnetGroupIdentifier": format!("{prefix}-subnets"),
               "ReplicationSubnetGroupDescription": "someone else's",
               "SubnetIds": spec["network"]["subnet_ids"], "Tags": other_runs_tags()}),
    )
    .await
    .expect("a foreign subnet group");
    foreign_running_task(&stack, &prefix, &format!("{prefix}-task")).await;
    let theirs = foreign(&stack, &prefix);
    let kinds: Vec<&str> = theirs.iter().filter_map(|r| r["kind"].as_str()).collect();
    assert_eq!(
        kinds.len(),
        5,
        "subnet group, instance, two endpoints, task: {theirs:?}"
    );
    let setup = last_seq(&stack);

    // (a) A run under those names fails before creating anything.
    let prepared = e2e::prepare(&stack, spec, run_id, &[]);
    let outcome = e2e::run(&mut stack, &prepared).await;
    e2e::assert_failed_with_one_alert(&outcome, row.state(), row.error(), &prefix);
    let alert = e2e::failure_alerts(&outcome)[0].1.clone();
    let cause = alert["cause"].as_str().unwrap_or_default();
    assert!(
        theirs
            .iter()
            .any(|r| cause.contains(r["id"].as_str().unwrap())),
        "the alert names a conflicting resource: {cause}"
    );
    assert!(outcome.created.is_empty(), "{:?}", outcome.created);
    let touched = touching(&stack.calls(), setup, &theirs);
    assert!(touched.is_empty(), "the failed run touched {touched:?}");
    assert_eq!(foreign(&stack, &prefix), theirs);

    // (b) A cleanup request for the run leaves them all alone.
    assert_cleanup_skips(&mut stack, run_id, &theirs).await;
    assert_eq!(foreign(&stack, &prefix), theirs);
    e2e::assert_holds(&stack, run_id, row.resources_left());
    let created: Vec<Call> = stack
        .calls()
        .into_iter()
        .filter(|c| c.seq > setup && c.ok() && c.is_create())
        .collect();
    assert!(created.is_empty(), "{created:?}");
    e2e::stop(stack).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cleanup_request_never_stops_someone_elses_running_task_under_the_runs_task_name() {
    let row = fault_matrix::row("foreign-running-task");
    let mut stack = e2e::stack().await;
    let run_id = "e2e-foreign-task";
    let task = format!("dmsflow-{run_id}-task");
    foreign_running_task(&stack, "shared-reporting", &task).await;
    let theirs = foreign(&stack, &task);
    assert_eq!(theirs.len(), 1, "{theirs:?}");
    assert_eq!(theirs[0]["status"], "running");

    assert_cleanup_skips(&mut stack, run_id, &theirs).await;

    assert_eq!(foreign(&stack, &task), theirs);
    let stops: Vec<Call> = stack
        .calls()
        .into_iter()
        .filter(|c| c.operation == "StopReplicationTask")
        .collect();
    assert!(stops.is_empty(), "{stops:?}");
    e2e::assert_holds(&stack, run_id, row.resources_left());
    e2e::stop(stack).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cutover_of_a_task_under_the_runs_name_that_is_not_its_own_touches_nothing() {
    let row = fault_matrix::row("cutover-foreign-run");
    let mut stack = e2e::stack().await;
    let run_id = "e2e-foreign-cutover";
    let prefix = format!("dmsflow-{run_id}");
    foreign_running_task(&stack, &prefix, &format!("{prefix}-task")).await;
    let theirs = foreign(&stack, &prefix);
    let before = last_seq(&stack);

    let mut request = e2e::events("cutover.json");
    request["run_id"] = json!(run_id);
    let cutover = e2e::prepare(&stack, request, run_id, &[]);
    let outcome = e2e::run(&mut stack, &cutover).await;

    e2e::assert_failed_with_one_alert(&outcome, row.state(), row.error(), "does not carry");
    let touched = touching(&stack.calls(), before, &theirs);
    assert!(touched.is_empty(), "the cutover touched {touched:?}");
    assert_eq!(
        foreign(&stack, &prefix),
        theirs,
        "someone else's resources as they were"
    );
    e2e::assert_holds(&stack, run_id, row.resources_left());
    e2e::stop(stack).await;
}
