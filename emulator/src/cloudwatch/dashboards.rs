//! Dashboards: PutDashboard, GetDashboard, DeleteDashboards, ListDashboards, as
//! the CloudWatch API reference and CloudWatch's model (botocore's
//! botocore/data/cloudwatch/2010-08-01/service-2.json) describe them:
//!
//! - A name is 1 to 255 letters, digits, `-` and `_` (PutDashboard,
//!   `DashboardName`); a body is a JSON object with a `widgets` array
//!   ("Dashboard body structure and syntax"). A body CloudWatch cannot use is
//!   refused with `InvalidParameterInput` (shape `DashboardInvalidInputError`);
//!   a valid one is created or replaces the dashboard of that name, with an
//!   empty `DashboardValidationMessages`. `Tags` (botocore 1.43.2, May 2026)
//!   apply "only when creating a new dashboard": an update keeps the tags the
//!   dashboard has.
//! - GetDashboard answers a name that does not exist with `ResourceNotFound`
//!   (shape `DashboardNotFoundError`, HTTP 404).
//! - DeleteDashboards: the model before 1.43.2 said "If there is an error during
//!   this call, no dashboards are deleted" and listed `DashboardNotFoundError`;
//!   the model since says "the operation attempts to delete as many dashboards
//!   as possible" and no longer lists it. The emulator follows the newer model:
//!   it deletes the names that exist and ignores the others (whether AWS still
//!   answers 404 for a missing name is not confirmed; dmsflow takes either
//!   answer as deleted).
//! - ListDashboards lists by name prefix, in name order, 1,000 a page.
//! - A dashboard's ARN has no region: `arn:aws:cloudwatch::<account>:dashboard/<name>`
//!   (Service Authorization Reference, CloudWatch's `dashboard` resource type).

use std::collections::BTreeMap;

use ciborium::Value as Cbor;
use serde_json::Value;

use super::input::{In, invalid};
use super::tags::MAX_TAGS;
use super::wire::{int, list, map, text, time};
use crate::faults::Fault;
use crate::ids::ACCOUNT;
use crate::model::Tags;

const MAX_NAME: usize = 255;
const PAGE: usize = 1000;
/// Widget types of the dashboard body reference.
const WIDGET_TYPES: &[&str] = &[
    "metric", "text", "log", "alarm", "explorer", "custom", "nrql",
];

#[derive(Debug, Clone, PartialEq)]
pub struct Dashboard {
    pub body: String,
    pub tags: Tags,
    /// Epoch seconds.
    pub modified: f64,
}

const ARN_PREFIX: &str = "arn:aws:cloudwatch::";

pub fn arn(name: &str) -> String {
    format!("{ARN_PREFIX}{ACCOUNT}:dashboard/{name}")
}

/// The dashboard name in a dashboard ARN; `None` for any other ARN.
pub fn name_in_arn(arn: &str) -> Option<&str> {
    arn.strip_prefix(ARN_PREFIX)?
        .split_once(":dashboard/")
        .map(|(_, name)| name)
}

fn not_found(name: &str) -> Fault {
    Fault::new(
        "ResourceNotFound",
        format!("Dashboard {name} does not exist"),
    )
}

fn invalid_input(message: impl Into<String>) -> Fault {
    Fault::new("InvalidParameterInput", message)
}

fn check_name(name: &str) -> Result<(), Fault> {
    let ok = (1..=MAX_NAME).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok {
        Ok(())
    } else {
        Err(invalid(format!(
            "The value {name} for parameter DashboardName is invalid: it must be 1 to \
             {MAX_NAME} letters, digits, '-' or '_'."
        )))
    }
}

/// What CloudWatch refuses in a body: not a JSON object with a `widgets`
/// array, or a widget without a known `type` or a `properties` object.
fn check_body(body: &str) -> Result<(), Fault> {
    let parsed: Value = serde_json::from_str(body)
        .map_err(|e| invalid_input(format!("The dashboard body is not valid JSON: {e}")))?;
    let widgets = parsed
        .get("widgets")
        .and_then(Value::as_array)
        .ok_or_else(|| invalid_input("The dashboard body must have a widgets array."))?;
    for (i, widget) in widgets.iter().enumerate() {
        let kind = widget.get("type").and_then(Value::as_str).unwrap_or("");
        if !WIDGET_TYPES.contains(&kind) {
            return Err(invalid_input(format!(
                "/widgets/{i}/type: {kind:?} is not a widget type"
            )));
        }
        if !widget.get("properties").is_some_and(Value::is_object) {
            return Err(invalid_input(format!(
                "/widgets/{i}/properties: should be an object"
            )));
        }
    }
    Ok(())
}

pub fn put(all: &mut BTreeMap<String, Dashboard>, now: f64, req: &In) -> Result<Cbor, Fault> {
    let name = req.str_req("DashboardName")?;
    let body = req.str_req("DashboardBody")?;
    check_name(name)?;
    check_body(body)?;
    let tags = req.tags()?;
    if tags.len() > MAX_TAGS {
        return Err(invalid(format!(
            "A resource can have at most {MAX_TAGS} tags."
        )));
    }
    let kept = all.get(name).map(|d| d.tags.clone());
    let dashboard = Dashboard {
        body: body.to_string(),
        tags: kept.unwrap_or(tags),
        modified: now,
    };
    all.insert(name.to_string(), dashboard);
    Ok(map(vec![("DashboardValidationMessages", list([]))]))
}

pub fn get(all: &BTreeMap<String, Dashboard>, req: &In) -> Result<Cbor, Fault> {
    let name = req.str_req("DashboardName")?;
    let dashboard = all.get(name).ok_or_else(|| not_found(name))?;
    Ok(map(vec![
        ("DashboardArn", text(arn(name))),
        ("DashboardBody", text(&dashboard.body)),
        ("DashboardName", text(name)),
    ]))
}

pub fn delete(all: &mut BTreeMap<String, Dashboard>, req: &In) -> Result<Cbor, Fault> {
    let names = req.strings("DashboardNames")?;
    if names.is_empty() {
        return Err(super::input::missing("DashboardNames"));
    }
    if names.len() > 100 {
        return Err(invalid("DashboardNames must have at most 100 members."));
    }
    for name in &names {
        all.remove(name);
    }
    Ok(map(vec![]))
}

pub fn list_page(all: &BTreeMap<String, Dashboard>, req: &In) -> Result<Cbor, Fault> {
    let prefix = req.str_opt("DashboardNamePrefix")?.unwrap_or("");
    let after = req.str_opt("NextToken")?;
    let matching = all
        .iter()
        .filter(|(name, _)| name.starts_with(prefix))
        .filter(|(name, _)| after.is_none_or(|a| name.as_str() > a));
    let page: Vec<(&String, &Dashboard)> = matching.take(PAGE + 1).collect();
    let more = page.len() > PAGE;
    let entries = page.iter().take(PAGE).map(|(name, d)| {
        map(vec![
            ("DashboardName", text(*name)),
            ("DashboardArn", text(arn(name))),
            ("LastModified", time(d.modified)),
            ("Size", int(d.body.len() as i64)),
        ])
    });
    let mut out = vec![("DashboardEntries", list(entries))];
    if more {
        out.push(("NextToken", text(page[PAGE - 1].0)));
    }
    Ok(map(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_bodies_are_checked_like_cloudwatch() {
        assert!(check_name("dmsflow-orders_1").is_ok());
        assert_eq!(check_name("a b").unwrap_err().code, "InvalidParameterValue");
        assert!(check_name(&"x".repeat(256)).is_err());
        assert!(
            check_body(r#"{"widgets":[{"type":"text","properties":{"markdown":"x"}}]}"#).is_ok()
        );
        for bad in [
            "not json",
            r#"{"panels":[]}"#,
            r#"{"widgets":[{"type":"chart","properties":{}}]}"#,
            r#"{"widgets":[{"type":"metric"}]}"#,
        ] {
            assert_eq!(
                check_body(bad).unwrap_err().code,
                "InvalidParameterInput",
                "{bad}"
            );
        }
    }

    #[test]
    fn arns_have_no_region() {
        assert_eq!(
            arn("dmsflow-orders"),
            format!("arn:aws:cloudwatch::{ACCOUNT}:dashboard/dmsflow-orders")
        );
    }
}
