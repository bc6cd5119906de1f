//! CreateEventSubscription, DescribeEventSubscriptions, DeleteEventSubscription.

use std::time::SystemTime;

use serde_json::json;

use crate::faults::{Fault, OpResult};
use crate::model::World;
use crate::model::event_subscription::{EventSubscription, SubscriptionStatus};
use crate::paging;
use crate::protocol::Req;

const SOURCE_TYPES: &[&str] = &[
    "replication-instance",
    "replication-task",
    "replication-server",
];

pub fn create(w: &mut World, req: &Req) -> OpResult {
    let name = req.str_req("SubscriptionName")?.to_string();
    if name.len() > 255
        || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        || !name.starts_with(|c: char| c.is_ascii_alphabetic())
    {
        return Err(Fault::invalid_parameter(format!(
            "The parameter SubscriptionName is not valid: {name}. It must begin with a letter, contain only ASCII letters, digits and hyphens, and be at most 255 characters long."
        )));
    }
    let topic = req.str_req("SnsTopicArn")?.to_string();
    if !topic.starts_with("arn:aws:sns:") || topic.split(':').count() != 6 {
        return Err(Fault::new(
            "SNSInvalidTopicFault",
            format!("The SNS topic {topic} is invalid."),
        ));
    }
    let source_type = req.str_opt("SourceType")?.map(str::to_string);
    if let Some(t) = &source_type
        && !SOURCE_TYPES.contains(&t.as_str())
    {
        return Err(Fault::invalid_parameter(format!(
            "The parameter SourceType has an invalid value: {t}"
        )));
    }
    let source_ids = req.strings("SourceIds")?;
    if !source_ids.is_empty() && source_type.is_none() {
        return Err(Fault::invalid_combination(
            "SourceType must be specified when SourceIds are given.",
        ));
    }
    let tags = req.tags("Tags")?;
    if w.subscriptions.iter().any(|s| s.name == name) {
        return Err(Fault::already_exists(format!(
            "Event subscription {name} already exists"
        )));
    }
    let sub = EventSubscription {
        name,
        topic_arn: topic,
        source_type,
        source_ids,
        categories: req.strings("EventCategories")?,
        enabled: req.bool_opt("Enabled")?.unwrap_or(true),
        status: SubscriptionStatus::Creating,
        since: w.now,
        created: SystemTime::now(),
        tags,
    };
    let out = json!({"EventSubscription": sub.to_json()});
    w.subscriptions.push(sub);
    Ok(out)
}

pub fn describe(w: &mut World, req: &Req) -> OpResult {
    let filters = req.filters()?;
    let mut items: Vec<&EventSubscription> = w.subscriptions.iter().collect();
    if let Some(name) = req.str_opt("SubscriptionName")? {
        items.retain(|s| s.name == name);
        if items.is_empty() {
            return Err(Fault::not_found(format!(
                "Event subscription {name} not found"
            )));
        }
    }
    let items = paging::apply_filters(
        items,
        &filters,
        &["event-subscription-arn", "event-subscription-id"],
        |s, name| match name {
            "event-subscription-arn" => vec![s.arn()],
            _ => vec![s.name.clone()],
        },
    )?;
    if items.is_empty() && !filters.is_empty() {
        return Err(paging::nothing_matched("event subscriptions", &filters));
    }
    let (page, marker) = paging::page(items.iter().map(|s| s.to_json()).collect(), req, 20, 100)?;
    let mut out = json!({"EventSubscriptionsList": page});
    if let Some(m) = marker {
        out["Marker"] = json!(m);
    }
    Ok(out)
}

pub fn delete(w: &mut World, req: &Req) -> OpResult {
    let name = req.str_req("SubscriptionName")?;
    let now = w.now;
    let Some(sub) = w.subscriptions.iter_mut().find(|s| s.name == name) else {
        return Err(Fault::not_found(format!(
            "Event subscription {name} not found"
        )));
    };
    if sub.status == SubscriptionStatus::Deleting {
        return Err(Fault::invalid_state(format!(
            "Event subscription {name} is already being deleted"
        )));
    }
    sub.status = SubscriptionStatus::Deleting;
    sub.since = now;
    Ok(json!({"EventSubscription": sub.to_json()}))
}
