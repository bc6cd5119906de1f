//! Tags of alarms and dashboards: ListTagsForResource, TagResource,
//! UntagResource, by ARN. CloudWatch tags dashboards since botocore 1.43.2 (May
//! 2026: "TagResource, UntagResource, and ListTagsForResource APIs now support
//! dashboard ARNs", its changelog; PutDashboard's `Tags` in the model).

use ciborium::Value as Cbor;

use super::CloudWatch;
use super::alarms::name_in_arn;
use super::dashboards;
use super::input::{In, invalid, missing};
use super::wire::{map, pairs};
use crate::faults::Fault;
use crate::model::Tags;

/// Most tags of one resource.
pub const MAX_TAGS: usize = 50;

/// The tags of the alarm or dashboard `ResourceARN` names.
fn tagged<'c>(cw: &'c mut CloudWatch, req: &In) -> Result<&'c mut Tags, Fault> {
    let arn = req.str_req("ResourceARN")?;
    let found = match dashboards::name_in_arn(arn) {
        Some(name) => cw.dashboards.get_mut(name).map(|d| &mut d.tags),
        None => cw.alarms.get_mut(name_in_arn(arn)?).map(|a| &mut a.tags),
    };
    found.ok_or_else(|| {
        Fault::new(
            "ResourceNotFoundException",
            format!("The specified resource does not exist: {arn}"),
        )
    })
}

/// ListTagsForResource.
pub fn list_tags(cw: &mut CloudWatch, req: &In) -> Result<Cbor, Fault> {
    let tags = tagged(cw, req)?;
    Ok(map(vec![("Tags", pairs(tags, "Key"))]))
}

/// TagResource: add or overwrite tags.
pub fn tag(cw: &mut CloudWatch, req: &In) -> Result<(), Fault> {
    let tags = req.tags()?;
    if tags.is_empty() {
        return Err(missing("Tags"));
    }
    let current = tagged(cw, req)?;
    let mut merged = current.clone();
    for (k, v) in tags {
        match merged.iter_mut().find(|(ek, _)| *ek == k) {
            Some(e) => e.1 = v,
            None => merged.push((k, v)),
        }
    }
    if merged.len() > MAX_TAGS {
        return Err(invalid(format!(
            "A resource can have at most {MAX_TAGS} tags."
        )));
    }
    *current = merged;
    Ok(())
}

/// UntagResource.
pub fn untag(cw: &mut CloudWatch, req: &In) -> Result<(), Fault> {
    let keys = req.strings("TagKeys")?;
    if keys.is_empty() {
        return Err(missing("TagKeys"));
    }
    tagged(cw, req)?.retain(|(k, _)| !keys.contains(k));
    Ok(())
}
