//! The CloudWatch calls dmsflow makes: metric alarms and their tags, dashboards,
//! published metric data, and GetMetricData over that data and over the `AWS/DMS` task
//! metrics the DMS model derives. Served next to DMS on two wires, by the same
//! handlers: Smithy RPC v2 CBOR (the protocol of `aws-sdk-cloudwatch`) at
//! `POST /service/GraniteServiceVersion20100801/operation/<Operation>`, and
//! awsJson1_0 (boto3, the AWS CLI) at `POST /` with
//! `X-Amz-Target: GraniteServiceVersion20100801.<Operation>`. Shown by
//! `GET /_emulator/cloudwatch`.

mod alarms;
mod dashboards;
mod data;
mod dms_metrics;
mod evaluate;
mod input;
mod json;
mod query;
mod tags;
mod wire;

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use ciborium::Value as Cbor;
use serde_json::{Value, json};

use crate::calls::CallLog;
use crate::emulator::Emulator;
use crate::faults::Fault;
use crate::model::{World, tags_json};
use alarms::Alarm;
use evaluate::Transition;
use input::In;

/// The CloudWatch operations the emulator serves.
pub const OPERATIONS: &[&str] = &[
    "PutMetricAlarm",
    "DescribeAlarms",
    "DeleteAlarms",
    "ListTagsForResource",
    "TagResource",
    "UntagResource",
    "PutMetricData",
    "GetMetricData",
    "PutDashboard",
    "GetDashboard",
    "DeleteDashboards",
    "ListDashboards",
];

/// CloudWatch's part of the emulated account.
#[derive(Debug, Clone, Default)]
pub struct CloudWatch {
    alarms: BTreeMap<String, Alarm>,
    dashboards: BTreeMap<String, dashboards::Dashboard>,
    data: data::Store,
    transitions: Vec<Transition>,
    calls: CallLog,
}

pub fn routes() -> Router<Arc<Emulator>> {
    Router::new()
        .route("/service/{service}/operation/{operation}", post(rpc))
        .route("/_emulator/cloudwatch", get(show))
}

async fn rpc(
    State(e): State<Arc<Emulator>>,
    Path((service, operation)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let request = accept(&service, &operation, &headers, &body);
    let mut w = e.lock();
    answer(&mut w, Wire::Cbor, &operation, request)
}

/// Whether a `POST /` request is for CloudWatch over awsJson1_0 (its
/// `X-Amz-Target` names CloudWatch's service); other ones are DMS calls.
pub fn is_json_call(headers: &HeaderMap) -> bool {
    json::operation(headers).is_some()
}

/// Answers a CloudWatch call over awsJson1_0 (see [`is_json_call`]).
pub fn handle_json(e: &Emulator, headers: &HeaderMap, body: &[u8]) -> Response {
    let operation = json::operation(headers).unwrap_or_default();
    let request = json::accept(&operation, OPERATIONS, headers, body);
    let mut w = e.lock();
    answer(&mut w, Wire::Json, &operation, request)
}

async fn show(State(e): State<Arc<Emulator>>) -> Response {
    let mut w = e.lock();
    evaluate::evaluate(&mut w);
    let body = control_json(&w.cloudwatch);
    (
        StatusCode::OK,
        [("content-type", "application/json")],
        body.to_string(),
    )
        .into_response()
}

/// The wire a call came in on, which its answer goes out on.
#[derive(Debug, Clone, Copy)]
enum Wire {
    Cbor,
    Json,
}

/// Answers one CloudWatch call, whatever its wire: `request` is its body as JSON
/// (or why it could not be read).
fn answer(w: &mut World, on: Wire, operation: &str, request: Result<Value, Fault>) -> Response {
    let now = w.now;
    let (request, result) = match request {
        Err(fault) => (Value::Null, Err(fault)),
        Ok(request) if throttled(w, operation) => (request, Err(input::throttling())),
        Ok(request) => {
            evaluate::evaluate(w);
            let result = dispatch(w, operation, &In::new(&request));
            if operation == "PutMetricData" {
                evaluate::evaluate(w);
            }
            (request, result)
        }
    };
    let outcome = match &result {
        Ok(_) => "ok",
        Err(f) => f.code,
    };
    let arn = resource_arn(&request);
    w.cloudwatch
        .calls
        .record(now, operation, outcome, request, arn);
    match (on, result) {
        (Wire::Cbor, Ok(body)) => wire::ok(&body),
        (Wire::Cbor, Err(fault)) => wire::error(&fault),
        (Wire::Json, Ok(body)) => json::ok(body),
        (Wire::Json, Err(fault)) => json::error(&fault),
    }
}

/// The request body of a call to a served operation in RPC v2 CBOR.
fn accept(
    service: &str,
    operation: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Value, Fault> {
    if service != wire::SERVICE || !OPERATIONS.contains(&operation) {
        return Err(input::unknown_operation(operation));
    }
    if !wire::speaks_cbor(headers) {
        return Err(input::serialization(format!(
            "Requests must carry the header {}: {}",
            wire::PROTOCOL_HEADER,
            wire::PROTOCOL
        )));
    }
    wire::decode(body)
}

/// Throttling drills apply to a CloudWatch operation only when the scenario's
/// throttle names it in `operations`.
fn throttled(w: &mut World, operation: &str) -> bool {
    let named = w
        .scenario
        .throttle
        .as_ref()
        .and_then(|t| t.operations.as_ref())
        .is_some_and(|ops| ops.iter().any(|o| o == operation));
    named && w.throttle.check(operation)
}

fn dispatch(w: &mut World, operation: &str, req: &In) -> Result<Cbor, Fault> {
    let now = wire::epoch_secs(w.wall(w.now));
    let cw = &mut w.cloudwatch;
    let empty = || wire::map(vec![]);
    match operation {
        "PutMetricAlarm" => alarms::put(cw, now, req).map(|_| empty()),
        "DescribeAlarms" => alarms::describe(cw, req),
        "DeleteAlarms" => alarms::delete(cw, req).map(|_| empty()),
        "ListTagsForResource" => tags::list_tags(cw, req),
        "TagResource" => tags::tag(cw, req).map(|_| empty()),
        "UntagResource" => tags::untag(cw, req).map(|_| empty()),
        "PutMetricData" => data::put(&mut cw.data, now, req).map(|_| empty()),
        "GetMetricData" => query::get_metric_data(w, req),
        "PutDashboard" => dashboards::put(&mut cw.dashboards, now, req),
        "GetDashboard" => dashboards::get(&cw.dashboards, req),
        "DeleteDashboards" => dashboards::delete(&mut cw.dashboards, req),
        "ListDashboards" => dashboards::list_page(&cw.dashboards, req),
        other => Err(input::unknown_operation(other)),
    }
}

/// The alarm or dashboard a call acted on, for the call log.
fn resource_arn(request: &Value) -> Option<String> {
    if let Some(arn) = request.get("ResourceARN").and_then(Value::as_str) {
        return Some(arn.to_string());
    }
    if let Some(name) = request.get("DashboardName").and_then(Value::as_str) {
        return Some(dashboards::arn(name));
    }
    request
        .get("AlarmName")
        .and_then(Value::as_str)
        .map(alarms::alarm_arn)
}

fn alarm_json(a: &Alarm) -> Value {
    let mut v = wire::to_json(a.to_cbor()).unwrap_or(Value::Null);
    v["Tags"] = tags_json(&a.tags);
    v
}

fn dashboard_items(cw: &CloudWatch) -> Vec<Value> {
    cw.dashboards
        .iter()
        .map(|(name, d)| {
            json!({"id": name, "arn": dashboards::arn(name), "tags": tags_json(&d.tags), "body": d.body})
        })
        .collect()
}

/// `GET /_emulator/cloudwatch`: alarms with state and tags, dashboards with
/// their bodies, metric data, alarm state transitions, and the CloudWatch calls
/// received.
fn control_json(cw: &CloudWatch) -> Value {
    let alarms: Vec<Value> = cw.alarms.values().map(alarm_json).collect();
    let dashboards = dashboard_items(cw);
    let points: Vec<Value> = cw.data.points().iter().map(data::Point::to_json).collect();
    json!({
        "alarms": {"count": alarms.len(), "items": alarms},
        "dashboards": {"count": dashboards.len(), "items": dashboards},
        "metric_data": {"count": points.len(), "items": points},
        "transitions": cw.transitions,
        "calls": {"count": cw.calls.calls().len(), "calls": cw.calls.calls()},
    })
}

/// Adds the alarms and the dashboards to `GET /_emulator/resources` (and to
/// its `total`).
pub fn add_resources(cw: &CloudWatch, resources: &mut Value) {
    let items: Vec<Value> = cw
        .alarms
        .values()
        .map(|a| json!({"id": a.name, "arn": a.arn(), "status": a.state.as_str(), "tags": tags_json(&a.tags)}))
        .collect();
    let dashboards = dashboard_items(cw);
    let total = resources["total"].as_u64().unwrap_or(0) + (items.len() + dashboards.len()) as u64;
    resources["total"] = json!(total);
    resources["cloudwatch_alarms"] = json!({"count": items.len(), "items": items});
    resources["cloudwatch_dashboards"] = json!({"count": dashboards.len(), "items": dashboards});
}
