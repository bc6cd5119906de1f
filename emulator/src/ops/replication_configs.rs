//! DMS Serverless configs: CreateReplicationConfig, DescribeReplicationConfigs,
//! ModifyReplicationConfig, DeleteReplicationConfig (botocore's DMS model; the
//! rules each cites are in docs/dms-serverless.md).

use std::time::SystemTime;

use serde_json::{Value, json};

use super::tasks::{MIGRATION_TYPES, parse_settings};
use crate::faults::{Fault, OpResult};
use crate::ids;
use crate::model::World;
use crate::model::catalog::Mappings;
use crate::model::replication::{Provision, ReplicationConfig, ReplicationStatus};
use crate::model::task::{default_settings, merge};
use crate::paging;
use crate::protocol::Req;

/// "The list of valid DCU values includes 1, 2, 4, 8, 16, 32, 64, 128, 192, 256,
/// and 384" (botocore's DMS model, ComputeConfig.MaxCapacityUnits).
pub const CAPACITY_UNITS: &[i64] = &[1, 2, 4, 8, 16, 32, 64, 128, 192, 256, 384];

/// The filter names of DescribeReplicationConfigs and DescribeReplications. The
/// model documents them for DescribeReplications only ("replication-config-arn |
/// replication-config-id"); terraform-provider-aws and the Airflow provider filter
/// configs by `replication-config-arn` too.
pub const FILTERS: &[&str] = &["replication-config-arn", "replication-config-id"];

pub fn create(w: &mut World, req: &Req) -> OpResult {
    let id = ids::check_identifier(
        "ReplicationConfigIdentifier",
        req.str_req("ReplicationConfigIdentifier")?,
        255,
    )?;
    let replication_type = req.str_req("ReplicationType")?.to_string();
    if !MIGRATION_TYPES.contains(&replication_type.as_str()) {
        return Err(Fault::invalid_parameter(format!(
            "The parameter ReplicationType has an invalid value: {replication_type}. Valid values: full-load | cdc | full-load-and-cdc"
        )));
    }
    let table_mappings = req.str_req("TableMappings")?.to_string();
    Mappings::parse(&table_mappings)?;
    let settings = settings(req, default_settings())?;
    let compute = compute_config(
        w,
        req.get("ComputeConfig")
            .ok_or_else(|| Fault::missing("ComputeConfig"))?,
    )?;
    let (source_arn, target_arn) = endpoints(w, req)?;
    if w.replications.iter().any(|r| r.id == id) {
        return Err(Fault::already_exists(format!(
            "Replication config {id} already exists"
        )));
    }
    // The ARN ends in a random resource id, not the identifier (terraform's
    // acceptance tests match `replication-config:[A-Z0-9]{26}`).
    let suffix = match req.str_opt("ResourceIdentifier")? {
        Some(r) => r.to_ascii_uppercase(),
        None => w.rng.arn_suffix(),
    };
    let now = SystemTime::now();
    let config = ReplicationConfig {
        arn: ids::arn("replication-config", &suffix),
        max_capacity_units: compute["MaxCapacityUnits"].as_i64().unwrap_or(1),
        id,
        source_arn,
        target_arn,
        replication_type,
        table_mappings,
        settings,
        supplemental_settings: req.str_opt("SupplementalSettings")?.map(str::to_string),
        compute,
        created: now,
        updated: now,
        tags: req.tags("Tags")?,
        status: ReplicationStatus::Created,
        since: w.now,
        modify_return: None,
        provision: Provision::None,
        deprovision_at: None,
        start_failure: None,
        runs: 0,
        start_type: None,
        run: None,
        stop_reason: None,
        failure_messages: Vec::new(),
        last_stop: None,
    };
    let out = json!({"ReplicationConfig": config.config_json()});
    w.replications.push(config);
    Ok(out)
}

/// `ReplicationSettings` merged over `base`. DMS sets the log group itself: "The
/// parameter Logging.CloudWatchLogGroup is read-only and cannot be set." (the
/// error terraform-provider-aws's replication config tests assert).
fn settings(req: &Req, mut base: Value) -> Result<Value, Fault> {
    if let Some(text) = req.str_opt("ReplicationSettings")? {
        let given = parse_settings(text)?;
        for key in ["CloudWatchLogGroup", "CloudWatchLogStream"] {
            if given.get("Logging").and_then(|l| l.get(key)).is_some() {
                return Err(Fault::invalid_parameter(format!(
                    "The parameter Logging.{key} is read-only and cannot be set."
                )));
            }
        }
        merge(&mut base, &given);
    }
    Ok(base)
}

/// `ComputeConfig`, checked as the model documents its members, with
/// MinCapacityUnits filled in ("If you don't set this value, DMS sets this
/// parameter to the minimum DCU value allowed, 1"). The messages are the
/// emulator's: DMS's own for these refusals are not documented.
fn compute_config(w: &World, given: &Value) -> Result<Value, Fault> {
    let mut compute = given
        .as_object()
        .cloned()
        .ok_or_else(|| Fault::serialization("ComputeConfig must be a structure"))?;
    let units = |key: &str| -> Result<Option<i64>, Fault> {
        match compute.get(key) {
            None => Ok(None),
            Some(v) => match v.as_i64() {
                Some(n) if CAPACITY_UNITS.contains(&n) => Ok(Some(n)),
                _ => Err(Fault::invalid_parameter(format!(
                    "ComputeConfig.{key} must be one of 1, 2, 4, 8, 16, 32, 64, 128, 192, 256, 384 (got {v})"
                ))),
            },
        }
    };
    // "The MaxCapacityUnits parameter is the only DCU parameter you are required
    // to specify" (model, ComputeConfig.MaxCapacityUnits).
    let max = units("MaxCapacityUnits")?
        .ok_or_else(|| Fault::missing("ComputeConfig.MaxCapacityUnits"))?;
    let min = units("MinCapacityUnits")?.unwrap_or(1);
    if min > max {
        return Err(Fault::invalid_parameter(format!(
            "ComputeConfig.MinCapacityUnits ({min}) must not exceed MaxCapacityUnits ({max})"
        )));
    }
    compute.insert("MinCapacityUnits".into(), json!(min));
    // "You can't set this parameter if the MultiAZ parameter is set to true"
    // (model, ComputeConfig.AvailabilityZone).
    if compute.get("MultiAZ").and_then(Value::as_bool) == Some(true)
        && compute.contains_key("AvailabilityZone")
    {
        return Err(Fault::invalid_combination(
            "ComputeConfig.AvailabilityZone cannot be set when MultiAZ is true",
        ));
    }
    if let Some(group) = compute
        .get("ReplicationSubnetGroupId")
        .and_then(Value::as_str)
        && w.subnet_group(group).is_none()
    {
        return Err(Fault::not_found(format!(
            "Replication subnet group {group} not found"
        )));
    }
    Ok(Value::Object(compute))
}

/// The source and target endpoints a request names, checked as a task's are.
fn endpoints(w: &World, req: &Req) -> Result<(String, String), Fault> {
    let mut arns = Vec::new();
    for (param, role) in [
        ("SourceEndpointArn", "source"),
        ("TargetEndpointArn", "target"),
    ] {
        let arn = req.str_req(param)?;
        let endpoint = w
            .endpoint(arn)
            .ok_or_else(|| Fault::not_found(format!("Endpoint {arn} not found")))?;
        if endpoint.endpoint_type != role {
            return Err(Fault::invalid_parameter(format!(
                "Endpoint {} is not a {role} endpoint",
                endpoint.id
            )));
        }
        arns.push(arn.to_string());
    }
    let target = arns.pop().unwrap_or_default();
    Ok((arns.pop().unwrap_or_default(), target))
}

/// The configs matching the request's filters; none is `ResourceNotFoundFault`
/// when filtered (Airflow's `replication_config_deleted` waiter expects that
/// fault from DescribeReplicationConfigs filtered by ARN).
pub fn matching<'a>(
    w: &'a World,
    req: &Req,
    what: &str,
) -> Result<Vec<&'a ReplicationConfig>, Fault> {
    let filters = req.filters()?;
    let items = paging::apply_filters(
        w.replications.iter().collect(),
        &filters,
        FILTERS,
        |r, name| match name {
            "replication-config-arn" => vec![r.arn.clone()],
            _ => vec![r.id.clone()],
        },
    )?;
    if items.is_empty() && !filters.is_empty() {
        return Err(paging::nothing_matched(what, &filters));
    }
    Ok(items)
}

pub fn describe(w: &mut World, req: &Req) -> OpResult {
    let items = matching(w, req, "replication configs")?;
    let rows = items.iter().map(|r| r.config_json()).collect();
    let (page, marker) = paging::page(rows, req, 20, 100)?;
    let mut out = json!({"ReplicationConfigs": page});
    if let Some(m) = marker {
        out["Marker"] = json!(m);
    }
    Ok(out)
}

pub(super) fn find(w: &World, req: &Req) -> Result<usize, Fault> {
    let arn = req.str_req("ReplicationConfigArn")?;
    w.replications
        .iter()
        .position(|r| r.arn == arn)
        .ok_or_else(|| Fault::not_found(format!("Replication config {arn} not found")))
}

/// "You can only modify a replication configuration before any replication that
/// uses it has started. As soon as you have initially started a replication with
/// a given configuiration, you can't modify that configuration, even if you stop
/// it. Other run statuses that allow you to run this command include FAILED and
/// CREATED" (model, ModifyReplicationConfig). The user guide's Limitations also
/// allow STOPPED; the emulator keeps to the stricter model.
pub fn modify(w: &mut World, req: &Req) -> OpResult {
    let idx = find(w, req)?;
    let config = &w.replications[idx];
    if !matches!(
        config.status,
        ReplicationStatus::Created | ReplicationStatus::Failed
    ) {
        return Err(Fault::invalid_state(format!(
            "Replication config {} cannot be modified in its current state: {}",
            config.id,
            config.status.as_str()
        )));
    }
    let settings = settings(req, config.settings.clone())?;
    let compute = match req.get("ComputeConfig") {
        Some(c) => {
            let mut merged = config.compute.clone();
            merge(&mut merged, c);
            Some(compute_config(w, &merged)?)
        }
        None => None,
    };
    let mappings = req.str_opt("TableMappings")?.map(str::to_string);
    if let Some(m) = &mappings {
        Mappings::parse(m)?;
    }
    let replication_type = req.str_opt("ReplicationType")?.map(str::to_string);
    if let Some(t) = &replication_type
        && !MIGRATION_TYPES.contains(&t.as_str())
    {
        return Err(Fault::invalid_parameter(format!(
            "The parameter ReplicationType has an invalid value: {t}"
        )));
    }
    let now = w.now;
    let config = &mut w.replications[idx];
    config.settings = settings;
    if let Some(c) = compute {
        config.max_capacity_units = c["MaxCapacityUnits"].as_i64().unwrap_or(1);
        config.compute = c;
    }
    if let Some(m) = mappings {
        config.table_mappings = m;
    }
    if let Some(t) = replication_type {
        config.replication_type = t;
    }
    config.updated = SystemTime::now();
    config.modify_return = Some(config.status);
    config.status = ReplicationStatus::Modifying;
    config.since = now;
    Ok(json!({"ReplicationConfig": config.config_json()}))
}

/// "You can only delete an AWS DMS replication configuration that is in the
/// STOPPED, or FAILED states" (user guide, DMS Serverless limitations; CREATED
/// too, as nothing runs), and only once its capacity is released: the Airflow
/// provider's delete waits for `deprovisioned` because "a replication must be
/// stopped (or failed) AND deprovisioned" (apache/airflow PR #43988, found in its
/// system tests). Whether real DMS refuses a stopped replication that still
/// holds capacity is not documented; the emulator refuses it.
pub fn delete(w: &mut World, req: &Req) -> OpResult {
    let idx = find(w, req)?;
    let now = w.now;
    let config = &mut w.replications[idx];
    if !config.status.at_rest() || !config.provision.released() {
        return Err(Fault::invalid_state(format!(
            "Replication config {} cannot be deleted: replication status {}, provision state {}",
            config.id,
            config.status.as_str(),
            match config.provision.as_str() {
                "" => "none",
                s => s,
            }
        )));
    }
    config.status = ReplicationStatus::Deleting;
    config.since = now;
    Ok(json!({"ReplicationConfig": config.config_json()}))
}
