//! The control API under `/_emulator/`: resources, reset, scenario, throttle,
//! task metrics, and the call log.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};

use crate::emulator::Emulator;
use crate::scenario::{Scenario, ThrottleSpec};

type Shared = State<Arc<Emulator>>;

pub fn routes() -> Router<Arc<Emulator>> {
    Router::new()
        .route("/_emulator/health", get(health))
        .route("/_emulator/resources", get(resources))
        .route("/_emulator/reset", post(reset))
        .route("/_emulator/scenario", get(get_scenario).post(set_scenario))
        .route("/_emulator/throttle", post(set_throttle))
        .route("/_emulator/tasks/{id}/metrics", get(task_metrics))
        .route("/_emulator/calls", get(calls))
}

fn json_response(status: StatusCode, v: Value) -> Response {
    (
        status,
        [("content-type", "application/json")],
        v.to_string(),
    )
        .into_response()
}

async fn health() -> Response {
    json_response(StatusCode::OK, json!({"ok": true}))
}

async fn resources(State(e): Shared) -> Response {
    json_response(StatusCode::OK, e.resources())
}

async fn reset(State(e): Shared) -> Response {
    e.reset();
    json_response(StatusCode::OK, json!({"ok": true}))
}

async fn get_scenario(State(e): Shared) -> Response {
    json_response(StatusCode::OK, json!(e.scenario()))
}

async fn set_scenario(State(e): Shared, body: Bytes) -> Response {
    match Scenario::from_json(&String::from_utf8_lossy(&body)) {
        Ok(s) => {
            e.set_scenario(s);
            json_response(StatusCode::OK, json!({"ok": true}))
        }
        Err(msg) => json_response(StatusCode::BAD_REQUEST, json!({"ok": false, "error": msg})),
    }
}

async fn set_throttle(State(e): Shared, body: Bytes) -> Response {
    match serde_json::from_slice::<ThrottleSpec>(&body) {
        Ok(spec) => {
            e.set_throttle(spec);
            json_response(StatusCode::OK, json!({"ok": true}))
        }
        Err(err) => json_response(
            StatusCode::BAD_REQUEST,
            json!({"ok": false, "error": format!("invalid throttle: {err}")}),
        ),
    }
}

async fn task_metrics(State(e): Shared, Path(id): Path<String>) -> Response {
    match e.task_metrics(&id) {
        Some(v) => json_response(StatusCode::OK, v),
        None => json_response(
            StatusCode::NOT_FOUND,
            json!({"ok": false, "error": format!("no replication task {id}")}),
        ),
    }
}

async fn calls(State(e): Shared) -> Response {
    json_response(StatusCode::OK, e.calls())
}
