//! The shared emulator state and the handling of one DMS request.

use std::sync::{Mutex, MutexGuard};

use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::faults::Fault;
use crate::model::World;
use crate::model::task::TaskStatus;
use crate::ops;
use crate::protocol::{self, Req};
use crate::scenario::{Scenario, ThrottleSpec};
use crate::simulation::Run;
use crate::throttle::Throttle;

pub struct Emulator {
    world: Mutex<World>,
    startup: Scenario,
    default_speed: f64,
}

impl Emulator {
    pub fn new(scenario: Scenario, default_speed: f64) -> Emulator {
        Emulator {
            world: Mutex::new(World::new(scenario.clone(), default_speed)),
            startup: scenario,
            default_speed,
        }
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, World> {
        // A panic while holding the lock leaves a usable world: keep serving.
        let mut w = self.world.lock().unwrap_or_else(|e| e.into_inner());
        w.advance();
        w
    }

    /// Answer one awsJson1_1 request.
    pub fn handle_dms(&self, headers: &HeaderMap, body: &[u8]) -> Response {
        let operation = match protocol::operation(headers) {
            Ok(op) => op,
            Err(fault) => return fault.into_response(),
        };
        let mut w = self.lock();
        let now = w.now;
        let body = match protocol::parse_body(body) {
            Ok(b) => b,
            Err(fault) => {
                w.calls
                    .record(now, &operation, fault.code, Value::Null, None);
                return fault.into_response();
            }
        };
        let logged = protocol::redacted(&body);
        if w.throttle.check(&operation) {
            let arn = ops::resource_arn(&w, &operation, &body, None);
            w.calls
                .record(now, &operation, "ThrottlingException", logged, arn);
            return Fault::throttling().into_response();
        }
        let result = match w.injected.check(&operation) {
            Some(fault) => Err(fault),
            None => ops::dispatch(&mut w, &operation, &Req(&body)),
        };
        let arn = ops::resource_arn(&w, &operation, &body, result.as_ref().ok());
        let outcome = match &result {
            Ok(_) => "ok",
            Err(f) => f.code,
        };
        w.calls.record(now, &operation, outcome, logged, arn);
        match result {
            Ok(v) => protocol::ok(v),
            Err(f) => f.into_response(),
        }
    }

    /// Counts, ids, statuses and tags of every resource.
    pub fn resources(&self) -> Value {
        self.lock().resources_json()
    }

    /// The log of DMS operations received, oldest first.
    pub fn calls(&self) -> Value {
        let w = self.lock();
        json!({"count": w.calls.calls().len(), "calls": w.calls.calls()})
    }

    /// Forget every resource and call; back to the startup scenario.
    pub fn reset(&self) {
        let mut w = self.world.lock().unwrap_or_else(|e| e.into_inner());
        *w = World::new(self.startup.clone(), self.default_speed);
    }

    pub fn scenario(&self) -> Scenario {
        self.lock().scenario.clone()
    }

    /// Replace the scenario in force (resources are kept).
    pub fn set_scenario(&self, scenario: Scenario) {
        self.lock().set_scenario(scenario);
    }

    /// Replace only the throttling drill.
    pub fn set_throttle(&self, spec: ThrottleSpec) {
        let mut w = self.lock();
        w.throttle = Throttle::from_spec(Some(&spec));
        w.scenario.throttle = Some(spec);
    }

    /// CDC latency and counters of a task, by identifier or ARN.
    pub fn task_metrics(&self, id: &str) -> Option<Value> {
        task_metrics(&self.lock(), id)
    }

    /// A running task fails now, as DMS reports a failure during replication:
    /// status `failed`, `StopReason` FATAL_ERROR, the message as
    /// `LastFailureMessage` (DMS API reference, ReplicationTask). False when no
    /// task of that identifier has a run.
    pub fn fail_task(&self, id: &str, message: &str) -> bool {
        self.with_run(id, |run, now| {
            run.fail_at = Some(now);
            run.failure_message = Some(message.to_string());
        })
    }

    /// The CDC latency (source and target, seconds) of a task's run from now on,
    /// as the `cdc-latency-seconds` drill sets it at the start. False when no task
    /// of that identifier has a run.
    pub fn set_cdc_latency(&self, id: &str, seconds: f64) -> bool {
        self.with_run(id, |run, _| run.latency_override = Some(seconds))
    }

    /// The source's writes stop now (the application is switched off for the
    /// cutover): the task's change counters stop growing and its CDC latency
    /// drains to zero (see `Run::latency`). False when no task of that identifier
    /// has a run.
    pub fn stop_source_writes(&self, id: &str) -> bool {
        self.with_run(id, |run, now| run.writes_stopped_at = Some(now))
    }

    /// Changes the run of the task `id` (any case), given the simulated time now;
    /// false when that task has no run.
    fn with_run(&self, id: &str, change: impl FnOnce(&mut Run, f64)) -> bool {
        let mut w = self.lock();
        let now = w.now;
        let run = w
            .tasks
            .iter_mut()
            .find(|t| t.id.eq_ignore_ascii_case(id))
            .and_then(|t| t.run.as_mut());
        match run {
            Some(run) => {
                change(run, now);
                true
            }
            None => false,
        }
    }
}

/// CDC latency and counters of a task, by identifier or ARN.
pub(crate) fn task_metrics(w: &World, id: &str) -> Option<Value> {
    let task = w
        .tasks
        .iter()
        .find(|t| t.id.eq_ignore_ascii_case(id) || t.arn == id)?;
    let running = task.status == TaskStatus::Running;
    let mut out = json!({
        "task_id": task.id,
        "task_arn": task.arn,
        "status": task.status.as_str(),
        "migration_type": task.migration_type,
        "CDCLatencySource": 0.0,
        "CDCLatencyTarget": 0.0,
        "CDCIncomingChanges": 0,
        "FullLoadThroughputRowsSource": 0.0,
        "FullLoadThroughputRowsTarget": 0.0,
        "CDCThroughputRowsSource": 0.0,
        "CDCThroughputRowsTarget": 0.0,
        "FullLoadProgressPercent": 0,
        "counters": {"inserts": 0, "updates": 0, "deletes": 0, "full_load_rows": 0, "tables": 0},
    });
    if let Some(run) = &task.run {
        let (src, tgt) = run.latency(w.now, running);
        let views: Vec<_> = (0..run.tables.len()).map(|i| run.view(i, w.now)).collect();
        let sum = |f: fn(&crate::simulation::TableView) -> u64| views.iter().map(f).sum::<u64>();
        out["CDCLatencySource"] = json!(src);
        out["CDCLatencyTarget"] = json!(tgt);
        let arriving = if run.writes_stopped_at.is_some() {
            0.0
        } else {
            run.change_rate()
        };
        out["CDCIncomingChanges"] = json!((arriving * tgt).round() as u64);
        // The model writes every row it reads, and applies every change as it
        // arrives: the target's throughput is the source's.
        let throughput = if running { run.throughput(w.now) } else { 0.0 };
        out["FullLoadThroughputRowsSource"] = json!(throughput);
        out["FullLoadThroughputRowsTarget"] = json!(throughput);
        let cdc = task.migration_type != "full-load";
        let applying = if running && cdc { arriving } else { 0.0 };
        out["CDCThroughputRowsSource"] = json!(applying);
        out["CDCThroughputRowsTarget"] = json!(applying);
        out["FullLoadProgressPercent"] = json!(run.stats(w.now).progress_percent);
        out["counters"] = json!({
            "inserts": sum(|v| v.inserts),
            "updates": sum(|v| v.updates),
            "deletes": sum(|v| v.deletes),
            "full_load_rows": sum(|v| v.full_load_rows),
            "tables": views.len(),
        });
        // Task-level `ValidationFailedOverallCount` (DMS user guide, "Replication
        // task statistics with Amazon CloudWatch"): published only while the task
        // validates; the sum of its tables' ValidationFailedRecords is the
        // emulator's reading of "overall".
        if views.iter().any(|v| v.validation_state != "Not enabled") {
            out["ValidationFailedOverallCount"] = json!(sum(|v| v.validation_failed));
        }
    }
    Some(out)
}
