//! TestConnection, DescribeConnections, DeleteConnection.

use serde_json::json;

use crate::drills;
use crate::faults::{Fault, OpResult};
use crate::model::World;
use crate::model::connection::{Connection, ConnectionStatus, failure_message};
use crate::model::endpoint::EndpointStatus;
use crate::model::instance::InstanceStatus;
use crate::paging;
use crate::protocol::Req;

pub fn test(w: &mut World, req: &Req) -> OpResult {
    let instance_arn = req.str_req("ReplicationInstanceArn")?;
    let endpoint_arn = req.str_req("EndpointArn")?;
    let inst = w.instance(instance_arn).ok_or_else(|| {
        Fault::not_found(format!("Replication instance {instance_arn} not found"))
    })?;
    let ep = w
        .endpoint(endpoint_arn)
        .ok_or_else(|| Fault::not_found(format!("Endpoint {endpoint_arn} not found")))?;
    if inst.status != InstanceStatus::Available {
        return Err(Fault::invalid_state(format!(
            "Replication instance {} is not available (status: {})",
            inst.id,
            inst.status.as_str()
        )));
    }
    if ep.status != EndpointStatus::Active {
        return Err(Fault::invalid_state(format!(
            "Endpoint {} is not active (status: {})",
            ep.id,
            ep.status.as_str()
        )));
    }
    let fails = [
        drills::value(&w.scenario, &ep.tags, &ep.id, drills::FAIL_CONNECTION),
        drills::value(&w.scenario, &inst.tags, &inst.id, drills::FAIL_CONNECTION),
    ]
    .iter()
    .flatten()
    .any(|v| drills::connection_fails(v, &ep.endpoint_type));
    let will_fail = fails.then(|| {
        failure_message(
            &ep.engine,
            ep.server.as_deref().unwrap_or("unknown-host"),
            ep.port,
        )
    });
    let now = w.now;
    let conn = match w
        .connections
        .iter_mut()
        .find(|c| c.instance_arn == instance_arn && c.endpoint_arn == endpoint_arn)
    {
        Some(c) => {
            if c.status == ConnectionStatus::Testing {
                return Err(Fault::invalid_state(
                    "A connection test for this endpoint and replication instance is already in progress",
                ));
            }
            c.status = ConnectionStatus::Testing;
            c.since = now;
            c.will_fail = will_fail;
            c.clone()
        }
        None => {
            let c = Connection {
                instance_arn: instance_arn.to_string(),
                endpoint_arn: endpoint_arn.to_string(),
                status: ConnectionStatus::Testing,
                since: now,
                will_fail,
                last_failure: None,
            };
            w.connections.push(c.clone());
            c
        }
    };
    Ok(json!({"Connection": conn.to_json(w)}))
}

pub fn describe(w: &mut World, req: &Req) -> OpResult {
    let filters = req.filters()?;
    let items = paging::apply_filters(
        w.connections.iter().collect(),
        &filters,
        &["endpoint-arn", "replication-instance-arn"],
        |c, name| match name {
            "endpoint-arn" => vec![c.endpoint_arn.clone()],
            _ => vec![c.instance_arn.clone()],
        },
    )?;
    if items.is_empty() && !filters.is_empty() {
        return Err(paging::nothing_matched("connections", &filters));
    }
    let (page, marker) = paging::page(items.iter().map(|c| c.to_json(w)).collect(), req, 20, 100)?;
    let mut out = json!({"Connections": page});
    if let Some(m) = marker {
        out["Marker"] = json!(m);
    }
    Ok(out)
}

pub fn delete(w: &mut World, req: &Req) -> OpResult {
    let endpoint_arn = req.str_req("EndpointArn")?;
    let instance_arn = req.str_req("ReplicationInstanceArn")?;
    let now = w.now;
    let Some(c) = w
        .connections
        .iter_mut()
        .find(|c| c.instance_arn == instance_arn && c.endpoint_arn == endpoint_arn)
    else {
        return Err(Fault::not_found(
            "No connection found for this endpoint and replication instance",
        ));
    };
    if c.status == ConnectionStatus::Deleting {
        return Err(Fault::invalid_state(
            "The connection is already being deleted",
        ));
    }
    c.status = ConnectionStatus::Deleting;
    c.since = now;
    let c = c.clone();
    Ok(json!({"Connection": c.to_json(w)}))
}
