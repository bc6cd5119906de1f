//! ListTagsForResource, AddTagsToResource, RemoveTagsFromResource.

use serde_json::{Value, json};

use crate::faults::{Fault, OpResult};
use crate::model::World;
use crate::protocol::Req;

fn unknown(arn: &str) -> Fault {
    Fault::not_found(format!("Resource {arn} not found"))
}

pub fn list(w: &mut World, req: &Req) -> OpResult {
    let mut arns = Vec::new();
    if let Some(a) = req.str_opt("ResourceArn")? {
        arns.push(a.to_string());
    }
    arns.extend(req.strings("ResourceArnList")?);
    if arns.is_empty() {
        return Err(Fault::invalid_parameter(
            "Either ResourceArn or ResourceArnList must be provided.",
        ));
    }
    let mut out: Vec<Value> = Vec::new();
    for arn in &arns {
        let tags = w.tags_mut(arn).ok_or_else(|| unknown(arn))?;
        out.extend(
            tags.iter()
                .map(|(k, v)| json!({"Key": k, "Value": v, "ResourceArn": arn})),
        );
    }
    Ok(json!({"TagList": out}))
}

pub fn add(w: &mut World, req: &Req) -> OpResult {
    let arn = req.str_req("ResourceArn")?;
    let new = req.tags("Tags")?;
    let tags = w.tags_mut(arn).ok_or_else(|| unknown(arn))?;
    let added = new
        .iter()
        .filter(|(k, _)| !tags.iter().any(|(ek, _)| ek == k))
        .count();
    if tags.len() + added > 50 {
        return Err(Fault::invalid_parameter(
            "A resource can have at most 50 tags.",
        ));
    }
    for (k, v) in new {
        match tags.iter_mut().find(|(ek, _)| *ek == k) {
            Some(e) => e.1 = v,
            None => tags.push((k, v)),
        }
    }
    Ok(json!({}))
}

pub fn remove(w: &mut World, req: &Req) -> OpResult {
    let arn = req.str_req("ResourceArn")?;
    let keys = req.strings("TagKeys")?;
    let tags = w.tags_mut(arn).ok_or_else(|| unknown(arn))?;
    tags.retain(|(k, _)| !keys.contains(k));
    Ok(json!({}))
}
