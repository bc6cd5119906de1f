//! CreateReplicationSubnetGroup, DescribeReplicationSubnetGroups, DeleteReplicationSubnetGroup.

use serde_json::json;

use super::require_vpc_role;
use crate::faults::{Fault, OpResult};
use crate::ids;
use crate::model::{SubnetGroup, World};
use crate::paging;
use crate::protocol::Req;

pub fn create(w: &mut World, req: &Req) -> OpResult {
    require_vpc_role(w)?;
    let id = ids::check_subnet_group_name(req.str_req("ReplicationSubnetGroupIdentifier")?)?;
    let description = req
        .str_req("ReplicationSubnetGroupDescription")?
        .to_string();
    let subnet_ids = req.strings("SubnetIds")?;
    let tags = req.tags("Tags")?;
    if subnet_ids.is_empty() {
        return Err(Fault::missing("SubnetIds"));
    }
    if let Some(bad) = subnet_ids.iter().find(|s| !s.starts_with("subnet-")) {
        return Err(Fault::new(
            "InvalidSubnet",
            format!("The subnet ID '{bad}' is not valid."),
        ));
    }
    if w.subnet_group(&id).is_some() {
        return Err(Fault::already_exists(format!(
            "Replication Subnet Group {id} already exists"
        )));
    }
    let mut next_zone = 0usize;
    let subnets: Vec<(String, String)> = subnet_ids
        .iter()
        .map(|s| {
            let az = w.scenario.subnets.get(s).cloned().unwrap_or_else(|| {
                let letter = (b'a' + (next_zone % 6) as u8) as char;
                next_zone += 1;
                format!("{}{letter}", ids::REGION)
            });
            (s.clone(), az)
        })
        .collect();
    let mut zones: Vec<&str> = subnets.iter().map(|(_, az)| az.as_str()).collect();
    zones.sort_unstable();
    zones.dedup();
    if zones.len() < 2 {
        return Err(Fault::new(
            "ReplicationSubnetGroupDoesNotCoverEnoughAZs",
            "The Replication Subnet Group does not cover enough Availability Zones. It must cover at least 2 AZs. Please add subnets in other Availability Zones.",
        ));
    }
    let group = SubnetGroup {
        vpc_id: format!("vpc-0{:016x}", ids::stable_hash(&subnet_ids[0])),
        id,
        description,
        subnets,
        tags,
    };
    let out = json!({"ReplicationSubnetGroup": group.to_json()});
    w.subnet_groups.push(group);
    Ok(out)
}

pub fn describe(w: &mut World, req: &Req) -> OpResult {
    let filters = req.filters()?;
    let items = paging::apply_filters(
        w.subnet_groups.iter().collect(),
        &filters,
        &["replication-subnet-group-id"],
        |g, _| vec![g.id.clone()],
    )?;
    if items.is_empty() && !filters.is_empty() {
        return Err(paging::nothing_matched(
            "replication subnet groups",
            &filters,
        ));
    }
    let (page, marker) = paging::page(items.iter().map(|g| g.to_json()).collect(), req, 20, 100)?;
    let mut out = json!({"ReplicationSubnetGroups": page});
    if let Some(m) = marker {
        out["Marker"] = json!(m);
    }
    Ok(out)
}

pub fn delete(w: &mut World, req: &Req) -> OpResult {
    let id = req.str_req("ReplicationSubnetGroupIdentifier")?;
    let Some(pos) = w
        .subnet_groups
        .iter()
        .position(|g| g.id.eq_ignore_ascii_case(id))
    else {
        return Err(Fault::not_found(format!(
            "Replication Subnet Group {id} not found"
        )));
    };
    let group_id = w.subnet_groups[pos].id.clone();
    if let Some(inst) = w
        .instances
        .iter()
        .find(|i| i.subnet_group.as_deref() == Some(group_id.as_str()))
    {
        return Err(Fault::invalid_state(format!(
            "Cannot delete replication subnet group {group_id}: it is in use by replication instance {} ({}).",
            inst.id,
            inst.status.as_str()
        )));
    }
    w.subnet_groups.remove(pos);
    Ok(json!({}))
}
