//! CreateEndpoint, DescribeEndpoints, DeleteEndpoint.

use serde_json::{Map, Value, json};

use crate::faults::{Fault, OpResult};
use crate::ids;
use crate::model::World;
use crate::model::endpoint::{Endpoint, EndpointStatus, engine_info};
use crate::paging;
use crate::protocol::Req;

pub fn create(w: &mut World, req: &Req) -> OpResult {
    let id = ids::check_identifier(
        "EndpointIdentifier",
        req.str_req("EndpointIdentifier")?,
        255,
    )?;
    let endpoint_type = req.str_req("EndpointType")?.to_ascii_lowercase();
    if endpoint_type != "source" && endpoint_type != "target" {
        return Err(Fault::invalid_parameter(format!(
            "The parameter EndpointType has an invalid value: {endpoint_type}. Valid values: source | target"
        )));
    }
    let engine = req.str_req("EngineName")?.to_ascii_lowercase();
    let Some((_, default_port)) = engine_info(&engine) else {
        return Err(Fault::invalid_parameter(format!(
            "The parameter EngineName has an invalid value: {engine}."
        )));
    };
    let tags = req.tags("Tags")?;
    if w.endpoints.iter().any(|e| e.id == id) {
        return Err(Fault::already_exists(format!(
            "Endpoint {id} already exists"
        )));
    }
    let port = match req.i64_opt("Port")? {
        Some(p) if !(1..=65535).contains(&p) => {
            return Err(Fault::invalid_parameter(format!(
                "Invalid port number: {p}"
            )));
        }
        Some(p) => Some(p),
        None => default_port,
    };
    let mut settings = Map::new();
    if let Value::Object(body) = req.0 {
        for (k, v) in body {
            if k.ends_with("Settings") && v.is_object() {
                settings.insert(k.clone(), without_passwords(v));
            }
        }
    }
    let suffix = match req.str_opt("ResourceIdentifier")? {
        Some(r) => r.to_ascii_uppercase(),
        None => w.rng.arn_suffix(),
    };
    let ep = Endpoint {
        arn: ids::arn("endpoint", &suffix),
        endpoint_type,
        engine,
        username: req.str_opt("Username")?.map(str::to_string),
        server: req.str_opt("ServerName")?.map(str::to_string),
        port,
        database: req.str_opt("DatabaseName")?.map(str::to_string),
        extra_connection_attributes: req
            .str_opt("ExtraConnectionAttributes")?
            .map(str::to_string),
        status: EndpointStatus::Active,
        since: w.now,
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
        certificate_arn: req.str_opt("CertificateArn")?.map(str::to_string),
        ssl_mode: req.str_opt("SslMode")?.unwrap_or("none").to_string(),
        service_access_role_arn: req.str_opt("ServiceAccessRoleArn")?.map(str::to_string),
        settings,
        tags,
        id,
    };
    let out = json!({"Endpoint": ep.to_json()});
    w.endpoints.push(ep);
    Ok(out)
}

fn without_passwords(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(k, _)| !k.to_ascii_lowercase().contains("password"))
                .map(|(k, v)| (k.clone(), without_passwords(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

pub fn describe(w: &mut World, req: &Req) -> OpResult {
    let filters = req.filters()?;
    let items = paging::apply_filters(
        w.endpoints.iter().collect(),
        &filters,
        &[
            "endpoint-arn",
            "endpoint-type",
            "endpoint-id",
            "engine-name",
        ],
        |e, name| match name {
            "endpoint-arn" => vec![e.arn.clone()],
            "endpoint-type" => vec![e.endpoint_type.clone()],
            "endpoint-id" => vec![e.id.clone()],
            _ => vec![e.engine.clone()],
        },
    )?;
    if items.is_empty() && !filters.is_empty() {
        return Err(paging::nothing_matched("endpoints", &filters));
    }
    let (page, marker) = paging::page(items.iter().map(|e| e.to_json()).collect(), req, 20, 100)?;
    let mut out = json!({"Endpoints": page});
    if let Some(m) = marker {
        out["Marker"] = json!(m);
    }
    Ok(out)
}

pub fn delete(w: &mut World, req: &Req) -> OpResult {
    let arn = req.str_req("EndpointArn")?;
    let Some(pos) = w.endpoints.iter().position(|e| e.arn == arn) else {
        return Err(Fault::not_found(format!("Endpoint {arn} not found")));
    };
    let ep = &w.endpoints[pos];
    if ep.status == EndpointStatus::Deleting {
        return Err(Fault::invalid_state(format!(
            "Endpoint {} is already being deleted",
            ep.id
        )));
    }
    let users: Vec<&str> = w
        .tasks
        .iter()
        .filter(|t| t.source_arn == arn || t.target_arn == arn)
        .map(|t| t.id.as_str())
        .collect();
    if !users.is_empty() {
        return Err(Fault::invalid_state(format!(
            "Endpoint {} cannot be deleted because it is used by replication tasks: {}",
            ep.id,
            users.join(", ")
        )));
    }
    let now = w.now;
    let ep = &mut w.endpoints[pos];
    ep.status = EndpointStatus::Deleting;
    ep.since = now;
    Ok(json!({"Endpoint": ep.to_json()}))
}
