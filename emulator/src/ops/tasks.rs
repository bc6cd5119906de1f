//! CreateReplicationTask, DescribeReplicationTasks, ModifyReplicationTask, DeleteReplicationTask.

use std::time::SystemTime;

use serde_json::{Value, json};

use crate::drills;
use crate::faults::{Fault, OpResult};
use crate::ids;
use crate::model::World;
use crate::model::catalog::Mappings;
use crate::model::instance::InstanceStatus;
use crate::model::task::{Task, TaskStatus, default_settings, merge};
use crate::paging;
use crate::protocol::Req;

pub const MIGRATION_TYPES: &[&str] = &["full-load", "cdc", "full-load-and-cdc"];

fn check_migration_type(t: &str) -> Result<(), Fault> {
    if MIGRATION_TYPES.contains(&t) {
        Ok(())
    } else {
        Err(Fault::invalid_parameter(format!(
            "The parameter MigrationType has an invalid value: {t}. Valid values: full-load | cdc | full-load-and-cdc"
        )))
    }
}

pub(super) fn parse_settings(text: &str) -> Result<Value, Fault> {
    match serde_json::from_str::<Value>(text) {
        Ok(v @ Value::Object(_)) => Ok(v),
        Ok(_) => Err(Fault::invalid_parameter(
            "ReplicationTaskSettings must be a JSON object",
        )),
        Err(e) => Err(Fault::invalid_parameter(format!(
            "Invalid ReplicationTaskSettings JSON: {e}"
        ))),
    }
}

pub(super) fn check_cdc_params(req: &Req) -> Result<(), Fault> {
    if req.get("CdcStartTime").is_some() && req.get("CdcStartPosition").is_some() {
        return Err(Fault::invalid_combination(
            "CdcStartTime and CdcStartPosition are mutually exclusive: specify only one.",
        ));
    }
    Ok(())
}

pub fn create(w: &mut World, req: &Req) -> OpResult {
    let id = ids::check_identifier(
        "ReplicationTaskIdentifier",
        req.str_req("ReplicationTaskIdentifier")?,
        255,
    )?;
    let source_arn = req.str_req("SourceEndpointArn")?.to_string();
    let target_arn = req.str_req("TargetEndpointArn")?.to_string();
    let instance_arn = req.str_req("ReplicationInstanceArn")?.to_string();
    let migration_type = req.str_req("MigrationType")?.to_string();
    check_migration_type(&migration_type)?;
    let table_mappings = req.str_req("TableMappings")?.to_string();
    Mappings::parse(&table_mappings)?;
    let mut settings = default_settings();
    if let Some(text) = req.str_opt("ReplicationTaskSettings")? {
        let given = parse_settings(text)?;
        for key in ["CloudWatchLogGroup", "CloudWatchLogStream"] {
            if given.get("Logging").and_then(|l| l.get(key)).is_some() {
                return Err(Fault::invalid_parameter(format!(
                    "Task Settings {key} not allowed on create: DMS sets it when logging is enabled."
                )));
            }
        }
        merge(&mut settings, &given);
    }
    check_cdc_params(req)?;
    let tags = req.tags("Tags")?;
    let source = w
        .endpoint(&source_arn)
        .ok_or_else(|| Fault::not_found(format!("Source endpoint {source_arn} not found")))?;
    if source.endpoint_type != "source" {
        return Err(Fault::invalid_parameter(format!(
            "Endpoint {} is not a source endpoint",
            source.id
        )));
    }
    let target = w
        .endpoint(&target_arn)
        .ok_or_else(|| Fault::not_found(format!("Target endpoint {target_arn} not found")))?;
    if target.endpoint_type != "target" {
        return Err(Fault::invalid_parameter(format!(
            "Endpoint {} is not a target endpoint",
            target.id
        )));
    }
    let inst = w.instance(&instance_arn).ok_or_else(|| {
        Fault::not_found(format!("Replication instance {instance_arn} not found"))
    })?;
    if inst.status != InstanceStatus::Available {
        return Err(Fault::invalid_state(format!(
            "Replication instance {} is not available (status: {})",
            inst.id,
            inst.status.as_str()
        )));
    }
    if w.tasks.iter().any(|t| t.id == id) {
        return Err(Fault::already_exists(format!(
            "Replication task {id} already exists"
        )));
    }
    let suffix = match req.str_opt("ResourceIdentifier")? {
        Some(r) => r.to_ascii_uppercase(),
        None => w.rng.arn_suffix(),
    };
    let task = Task {
        arn: ids::arn("task", &suffix),
        source_arn,
        target_arn,
        instance_arn,
        migration_type,
        table_mappings,
        settings,
        cdc_start_position: req.str_opt("CdcStartPosition")?.map(str::to_string),
        cdc_stop_position: req.str_opt("CdcStopPosition")?.map(str::to_string),
        task_data: req.str_opt("TaskData")?.map(str::to_string),
        status: TaskStatus::Creating,
        since: w.now,
        modify_return: None,
        stop_reason: None,
        last_failure: None,
        created: SystemTime::now(),
        runs: 0,
        start_requested: None,
        run: None,
        tags,
        id,
    };
    let out = json!({"ReplicationTask": task.to_json(w, true)});
    w.tasks.push(task);
    Ok(out)
}

pub fn describe(w: &mut World, req: &Req) -> OpResult {
    let filters = req.filters()?;
    let with_settings = !req.bool_opt("WithoutSettings")?.unwrap_or(false);
    let items = paging::apply_filters(
        w.tasks.iter().collect(),
        &filters,
        &[
            "replication-task-arn",
            "replication-task-id",
            "migration-type",
            "endpoint-arn",
            "replication-instance-arn",
        ],
        |t, name| match name {
            "replication-task-arn" => vec![t.arn.clone()],
            "replication-task-id" => vec![t.id.clone()],
            "migration-type" => vec![t.migration_type.clone()],
            "endpoint-arn" => vec![t.source_arn.clone(), t.target_arn.clone()],
            _ => vec![t.instance_arn.clone()],
        },
    )?;
    if items.is_empty() && !filters.is_empty() {
        return Err(paging::nothing_matched("replication tasks", &filters));
    }
    let (page, marker) = paging::page(
        items
            .iter()
            .map(|t| {
                let mut v = t.to_json(w, with_settings);
                let hide = drills::value(&w.scenario, &t.tags, &t.id, drills::HIDE_RUN_SIGNS);
                if hide.is_some_and(|h| h.eq_ignore_ascii_case("true")) {
                    drills::hide_run_signs(&mut v);
                }
                v
            })
            .collect(),
        req,
        20,
        100,
    )?;
    let mut out = json!({"ReplicationTasks": page});
    if let Some(m) = marker {
        out["Marker"] = json!(m);
    }
    Ok(out)
}

pub(super) fn find(w: &World, req: &Req) -> Result<usize, Fault> {
    let arn = req.str_req("ReplicationTaskArn")?;
    w.task_index(arn)
        .ok_or_else(|| Fault::not_found(format!("Replication task {arn} not found")))
}

pub fn modify(w: &mut World, req: &Req) -> OpResult {
    let idx = find(w, req)?;
    let task = &w.tasks[idx];
    if !matches!(
        task.status,
        TaskStatus::Ready | TaskStatus::Stopped | TaskStatus::Failed
    ) {
        return Err(Fault::invalid_state(format!(
            "Replication task {} cannot be modified in its current state: {}. Only a ready, stopped or failed task can be modified.",
            task.id,
            task.status.as_str()
        )));
    }
    let new_id = match req.str_opt("ReplicationTaskIdentifier")? {
        Some(id) => {
            let id = ids::check_identifier("ReplicationTaskIdentifier", id, 255)?;
            if w.tasks.iter().any(|t| t.id == id && t.arn != task.arn) {
                return Err(Fault::already_exists(format!(
                    "Replication task {id} already exists"
                )));
            }
            Some(id)
        }
        None => None,
    };
    let migration_type = req.str_opt("MigrationType")?;
    if let Some(t) = migration_type {
        check_migration_type(t)?;
    }
    let mappings = req.str_opt("TableMappings")?;
    if let Some(m) = mappings {
        Mappings::parse(m)?;
    }
    let settings = req
        .str_opt("ReplicationTaskSettings")?
        .map(parse_settings)
        .transpose()?;
    check_cdc_params(req)?;
    let now = w.now;
    let slow = drills::number(
        &w.scenario,
        &w.tasks[idx].tags,
        &w.tasks[idx].id,
        drills::SLOW_MODIFY_SECONDS,
    )
    .unwrap_or(0.0);
    let task = &mut w.tasks[idx];
    if let Some(id) = new_id {
        task.id = id;
    }
    if let Some(t) = migration_type {
        task.migration_type = t.to_string();
    }
    if let Some(m) = mappings {
        task.table_mappings = m.to_string();
    }
    if let Some(s) = settings {
        merge(&mut task.settings, &s);
    }
    if let Some(p) = req.str_opt("CdcStartPosition")? {
        task.cdc_start_position = Some(p.to_string());
    }
    if let Some(p) = req.str_opt("CdcStopPosition")? {
        task.cdc_stop_position = Some(p.to_string());
    }
    if let Some(d) = req.str_opt("TaskData")? {
        task.task_data = Some(d.to_string());
    }
    task.modify_return = Some(task.status);
    task.status = TaskStatus::Modifying;
    // The modify ends TASK_MODIFY after `since`: the drill moves `since` later.
    task.since = now + slow;
    let task = w.tasks[idx].clone();
    Ok(json!({"ReplicationTask": task.to_json(w, true)}))
}

pub fn delete(w: &mut World, req: &Req) -> OpResult {
    let idx = find(w, req)?;
    let task = &w.tasks[idx];
    if !matches!(
        task.status,
        TaskStatus::Ready | TaskStatus::Stopped | TaskStatus::Failed
    ) {
        let hint = if matches!(task.status, TaskStatus::Running | TaskStatus::Starting) {
            " Stop the task first."
        } else {
            ""
        };
        return Err(Fault::invalid_state(format!(
            "Replication task {} cannot be deleted in its current state: {}.{hint}",
            task.id,
            task.status.as_str()
        )));
    }
    let now = w.now;
    let task = &mut w.tasks[idx];
    task.status = TaskStatus::Deleting;
    task.since = now;
    let task = w.tasks[idx].clone();
    Ok(json!({"ReplicationTask": task.to_json(w, true)}))
}
