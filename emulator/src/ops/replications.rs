//! DMS Serverless replications: DescribeReplications, StartReplication,
//! StopReplication, DescribeReplicationTableStatistics (botocore's DMS model).

use serde_json::json;

use super::replication_configs::{find, matching};
use super::table_stats;
use super::task_run::{Replicating, START_REPLICATION_RERUN, START_TYPES, plan_run};
use super::tasks::check_cdc_params;
use crate::drills;
use crate::faults::{Fault, OpResult};
use crate::model::connection::failure_message;
use crate::model::replication::{Provision, ReplicationStatus, Stage, StartFailure};
use crate::model::{World, timing};
use crate::paging;
use crate::protocol::Req;
use crate::simulation::RunKind;

pub fn describe(w: &mut World, req: &Req) -> OpResult {
    let items = matching(w, req, "replications")?;
    let rows = items.iter().map(|r| r.replication_json(w)).collect();
    let (page, marker) = paging::page(rows, req, 20, 100)?;
    let mut out = json!({"Replications": page});
    if let Some(m) = marker {
        out["Marker"] = json!(m);
    }
    Ok(out)
}

pub fn start(w: &mut World, req: &Req) -> OpResult {
    let idx = find(w, req)?;
    let start_type = req.str_req("StartReplicationType")?;
    if !START_TYPES.contains(&start_type) {
        return Err(Fault::invalid_parameter(format!(
            "The parameter StartReplicationType has an invalid value: {start_type}. Valid values: start-replication | resume-processing | reload-target"
        )));
    }
    check_cdc_params(req)?;
    if req.get("PremigrationAssessmentSettings").is_some() {
        return Err(Fault::invalid_parameter(
            "PremigrationAssessmentSettings: the emulator does not model serverless premigration assessments",
        ));
    }
    let config = &w.replications[idx];
    if !config.status.at_rest() {
        return Err(Fault::invalid_state(format!(
            "Replication for Replication Config: {} is in {} state and cannot start",
            config.id,
            config.status.as_str().to_ascii_uppercase()
        )));
    }
    // Airflow's start operator waits while the provision state is
    // `deprovisioning` before it starts a replication (DmsStartReplicationOperator).
    if config.provision == Provision::Deprovisioning {
        return Err(Fault::invalid_state(format!(
            "Replication for Replication Config: {} is deprovisioning and cannot start",
            config.id
        )));
    }
    // "When the replication type is full-load or full-load-and-cdc, the only
    // valid value for the first run of the replication is start-replication ...
    // The resume-processing option isn't applicable for a full-load replication"
    // (model, StartReplication.StartReplicationType). A first run of a cdc
    // replication with resume-processing is accepted: terraform-provider-aws
    // starts every replication not `ready` so, its cdc acceptance test included.
    // start-replication after a first run is refused as for a task (the same
    // answer is assumed; not documented for serverless).
    match (start_type, config.runs, config.kind()) {
        ("start-replication", n, _) if n > 0 => {
            return Err(Fault::invalid_combination(START_REPLICATION_RERUN));
        }
        ("resume-processing", _, RunKind::FullLoad) => {
            return Err(Fault::invalid_parameter(
                "resume-processing isn't applicable for a full-load replication",
            ));
        }
        ("resume-processing", 0, RunKind::FullLoadAndCdc) | ("reload-target", 0, _) => {
            return Err(Fault::invalid_state(format!(
                "Replication config {} has never run: its first start must use start-replication.",
                config.id
            )));
        }
        _ => {}
    }
    let start_failure = start_failure(w, idx);
    let stages = Stage::ALL.len() as f64 * timing::SERVERLESS_STAGE;
    let run = plan_run(
        w,
        &Replicating {
            id: &config.id,
            tags: &config.tags,
            kind: config.kind(),
            settings: &config.settings,
            table_mappings: &config.table_mappings,
            source_arn: &config.source_arn,
            runs: config.runs,
            previous: config.run.as_ref(),
        },
        start_type,
        w.now + stages,
    )?;
    let now = w.now;
    let config = &mut w.replications[idx];
    config.run = Some(run);
    config.runs += 1;
    config.start_type = Some(start_type.to_string());
    config.status = ReplicationStatus::Provisioning(Stage::Initializing);
    config.since = now;
    config.start_failure = start_failure;
    config.stop_reason = None;
    config.failure_messages.clear();
    config.deprovision_at = None;
    let config = &w.replications[idx];
    Ok(json!({"Replication": config.replication_json(w)}))
}

/// How the start at `idx` will fail before `running`, from the drills: the
/// endpoints' (or the config's) `fail-connection`, the config's
/// `fail-provisioning`.
fn start_failure(w: &World, idx: usize) -> Option<StartFailure> {
    let config = &w.replications[idx];
    for arn in [&config.source_arn, &config.target_arn] {
        let Some(ep) = w.endpoint(arn) else {
            continue;
        };
        let fails = [
            drills::value(&w.scenario, &ep.tags, &ep.id, drills::FAIL_CONNECTION),
            drills::value(
                &w.scenario,
                &config.tags,
                &config.id,
                drills::FAIL_CONNECTION,
            ),
        ]
        .iter()
        .flatten()
        .any(|v| drills::connection_fails(v, &ep.endpoint_type));
        if fails {
            // The guide's log example of a failed test: "Test connection failed
            // for endpoint X." (user guide, DMS Serverless components).
            let detail = failure_message(
                &ep.engine,
                ep.server.as_deref().unwrap_or("unknown-host"),
                ep.port,
            );
            return Some(StartFailure::Connection(format!(
                "Test connection failed for endpoint {}. {detail}",
                ep.id
            )));
        }
    }
    drills::value(
        &w.scenario,
        &config.tags,
        &config.id,
        drills::FAIL_PROVISIONING,
    )
    .map(|v| {
        StartFailure::Provisioning(if v.eq_ignore_ascii_case("true") {
            "Failed to provision capacity for the replication.".to_string()
        } else {
            v
        })
    })
}

/// StopReplication on a replication starting or running. Whether DMS refuses it
/// on one already at rest is not documented (terraform skips the call for
/// stopped, created and failed ones); the emulator refuses it, as for a task.
pub fn stop(w: &mut World, req: &Req) -> OpResult {
    let idx = find(w, req)?;
    let now = w.now;
    let config = &mut w.replications[idx];
    if !matches!(
        config.status,
        ReplicationStatus::Running | ReplicationStatus::Provisioning(_)
    ) {
        return Err(Fault::invalid_state(format!(
            "Replication for Replication Config: {} is not running (status: {})",
            config.id,
            config.status.as_str()
        )));
    }
    if let Some(run) = config.run.as_mut()
        && run.frozen_at.is_none()
    {
        run.frozen_at = Some(now);
    }
    config.start_failure = None;
    config.status = ReplicationStatus::Stopping;
    config.since = now;
    let config = &w.replications[idx];
    Ok(json!({"Replication": config.replication_json(w)}))
}

/// The same `TableStatistics` rows as a task's. "If the replication task is in a
/// deprovisioned state, metadata and replication statistics related to the table
/// are lost" (user guide, DMS Serverless limitations): once deprovisioned the
/// call answers InvalidResourceStateFault, a fault the model lists for it (which
/// states DMS refuses is not documented).
pub fn table_statistics(w: &mut World, req: &Req) -> OpResult {
    let idx = find(w, req)?;
    let config = &w.replications[idx];
    if config.provision == Provision::Deprovisioned {
        return Err(Fault::invalid_state(format!(
            "Replication for Replication Config: {} is deprovisioned: its table statistics are no longer available",
            config.id
        )));
    }
    let (page, marker) = table_stats::rows(w, config.run.as_ref(), req)?;
    let mut out = json!({"ReplicationConfigArn": config.arn, "ReplicationTableStatistics": page});
    if let Some(m) = marker {
        out["Marker"] = json!(m);
    }
    Ok(out)
}
