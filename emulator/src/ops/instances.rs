//! CreateReplicationInstance, DescribeReplicationInstances, DeleteReplicationInstance.

use serde_json::json;

use super::require_vpc_role;
use crate::drills;
use crate::faults::{Fault, OpResult};
use crate::ids;
use crate::model::instance::{Instance, InstanceStatus};
use crate::model::{World, timing};
use crate::paging;
use crate::protocol::Req;

pub fn create(w: &mut World, req: &Req) -> OpResult {
    require_vpc_role(w)?;
    let id = ids::check_identifier(
        "ReplicationInstanceIdentifier",
        req.str_req("ReplicationInstanceIdentifier")?,
        63,
    )?;
    let class = req
        .str_req("ReplicationInstanceClass")?
        .to_ascii_lowercase();
    if !class.starts_with("dms.") || class.len() < 6 {
        return Err(Fault::invalid_parameter(format!(
            "Invalid replication instance class: {class}. Classes look like dms.t3.medium."
        )));
    }
    let storage = req.i64_opt("AllocatedStorage")?.unwrap_or(50);
    if !(5..=6144).contains(&storage) {
        return Err(Fault::invalid_parameter(
            "AllocatedStorage must be between 5 and 6144 GiB.",
        ));
    }
    let multi_az = req.bool_opt("MultiAZ")?.unwrap_or(false);
    let az = req.str_opt("AvailabilityZone")?.map(str::to_string);
    if multi_az && az.is_some() {
        return Err(Fault::invalid_combination(
            "Requesting a specific availability zone is not valid for Multi-AZ instances.",
        ));
    }
    let subnet_group = req
        .str_opt("ReplicationSubnetGroupIdentifier")?
        .map(str::to_ascii_lowercase);
    let tags = req.tags("Tags")?;
    if w.instances.iter().any(|i| i.id == id) {
        return Err(Fault::already_exists(format!(
            "ReplicationInstance {id} already exists"
        )));
    }
    let group_az = match &subnet_group {
        Some(g) => Some(
            w.subnet_group(g)
                .ok_or_else(|| Fault::not_found(format!("Replication Subnet Group {g} not found")))?
                .subnets[0]
                .1
                .clone(),
        ),
        None => None,
    };
    let suffix = match req.str_opt("ResourceIdentifier")? {
        Some(r) => r.to_ascii_uppercase(),
        None => w.rng.arn_suffix(),
    };
    let arn = ids::arn("rep", &suffix);
    let slow =
        drills::number(&w.scenario, &tags, &id, drills::SLOW_INSTANCE_SECONDS).unwrap_or(0.0);
    let h = ids::stable_hash(&arn);
    let now = w.now;
    let inst = Instance {
        arn,
        class,
        status: InstanceStatus::Creating,
        since: now,
        ready_at: now + timing::INSTANCE_CREATE + slow,
        created: now,
        allocated_storage: storage,
        engine_version: req.str_opt("EngineVersion")?.unwrap_or("3.5.3").to_string(),
        multi_az,
        auto_minor_version_upgrade: req.bool_opt("AutoMinorVersionUpgrade")?.unwrap_or(true),
        publicly_accessible: req.bool_opt("PubliclyAccessible")?.unwrap_or(true),
        availability_zone: az
            .or(group_az)
            .unwrap_or_else(|| format!("{}a", ids::REGION)),
        subnet_group,
        vpc_security_groups: {
            let ids = req.strings("VpcSecurityGroupIds")?;
            if ids.is_empty() {
                vec!["sg-0a1b2c3d4e5f60718".into()]
            } else {
                ids
            }
        },
        kms_key_id: req
            .str_opt("KmsKeyId")?
            .map(str::to_string)
            .unwrap_or_else(|| {
                format!(
                    "arn:aws:kms:{}:{}:key/0d1e2f3a-4b5c-6d7e-8f90-a1b2c3d4e5f6",
                    ids::REGION,
                    ids::ACCOUNT
                )
            }),
        maintenance_window: req
            .str_opt("PreferredMaintenanceWindow")?
            .unwrap_or("sun:06:00-sun:06:30")
            .to_string(),
        network_type: req.str_opt("NetworkType")?.unwrap_or("IPV4").to_string(),
        dns_name_servers: req.str_opt("DnsNameServers")?.map(str::to_string),
        private_ip: format!("10.0.{}.{}", (h >> 8) & 0xff, (h & 0xfd) + 1),
        public_ip: format!(
            "54.{}.{}.{}",
            (h >> 16) & 0xff,
            (h >> 24) & 0xff,
            ((h >> 32) & 0xfd) + 1
        ),
        tags,
        id,
    };
    let out = json!({"ReplicationInstance": inst.to_json(w)});
    w.instances.push(inst);
    Ok(out)
}

pub fn describe(w: &mut World, req: &Req) -> OpResult {
    let filters = req.filters()?;
    let items = paging::apply_filters(
        w.instances.iter().collect(),
        &filters,
        &[
            "replication-instance-arn",
            "replication-instance-id",
            "replication-instance-class",
            "engine-version",
        ],
        |i, name| match name {
            "replication-instance-arn" => vec![i.arn.clone()],
            "replication-instance-id" => vec![i.id.clone()],
            "replication-instance-class" => vec![i.class.clone()],
            _ => vec![i.engine_version.clone()],
        },
    )?;
    if items.is_empty() && !filters.is_empty() {
        return Err(paging::nothing_matched("replication instances", &filters));
    }
    let (page, marker) = paging::page(items.iter().map(|i| i.to_json(w)).collect(), req, 20, 100)?;
    let mut out = json!({"ReplicationInstances": page});
    if let Some(m) = marker {
        out["Marker"] = json!(m);
    }
    Ok(out)
}

pub fn delete(w: &mut World, req: &Req) -> OpResult {
    let arn = req.str_req("ReplicationInstanceArn")?;
    let Some(pos) = w.instances.iter().position(|i| i.arn == arn) else {
        return Err(Fault::not_found(format!(
            "Replication instance {arn} not found"
        )));
    };
    let inst = &w.instances[pos];
    if inst.status == InstanceStatus::Deleting {
        return Err(Fault::invalid_state(format!(
            "Replication instance {} is already being deleted",
            inst.id
        )));
    }
    let tasks: Vec<&str> = w
        .tasks
        .iter()
        .filter(|t| t.instance_arn == arn)
        .map(|t| t.id.as_str())
        .collect();
    if !tasks.is_empty() {
        return Err(Fault::invalid_state(format!(
            "Replication instance {} cannot be deleted because it has replication tasks: {}. Delete the tasks first.",
            inst.id,
            tasks.join(", ")
        )));
    }
    let now = w.now;
    let inst = &mut w.instances[pos];
    inst.status = InstanceStatus::Deleting;
    inst.since = now;
    let inst = w.instances[pos].clone();
    Ok(json!({"ReplicationInstance": inst.to_json(w)}))
}
