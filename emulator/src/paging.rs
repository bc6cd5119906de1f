//! `Filters`, `Marker` and `MaxRecords` for Describe* operations.

use serde_json::Value;

use crate::faults::Fault;
use crate::protocol::{Filter, Req};

/// Keep the items that match every filter. `values_of(item, name)` gives the item's
/// values for a filter name; names outside `allowed` are refused.
pub fn apply_filters<T>(
    items: Vec<T>,
    filters: &[Filter],
    allowed: &[&str],
    values_of: impl Fn(&T, &str) -> Vec<String>,
) -> Result<Vec<T>, Fault> {
    for f in filters {
        if !allowed.contains(&f.name.as_str()) {
            return Err(Fault::invalid_parameter(format!(
                "Invalid filter name: {}. Valid filter names: {}",
                f.name,
                allowed.join(" | ")
            )));
        }
    }
    Ok(items
        .into_iter()
        .filter(|item| {
            filters.iter().all(|f| {
                let have = values_of(item, &f.name);
                f.values
                    .iter()
                    .any(|want| have.iter().any(|h| h.eq_ignore_ascii_case(want)))
            })
        })
        .collect())
}

/// The page of `items` that `Marker`/`MaxRecords` ask for, and the next marker.
pub fn page(
    items: Vec<Value>,
    req: &Req,
    min: i64,
    max: i64,
) -> Result<(Vec<Value>, Option<String>), Fault> {
    let size = match req.i64_opt("MaxRecords")? {
        None => 100,
        Some(n) if (min..=max).contains(&n) => n,
        Some(_) => {
            return Err(Fault::invalid_parameter(format!(
                "The parameter MaxRecords must be between {min} and {max}."
            )));
        }
    } as usize;
    let start = match req.str_opt("Marker")? {
        None | Some("") => 0,
        Some(m) => decode_marker(m)?,
    };
    let total = items.len();
    let page: Vec<Value> = items.into_iter().skip(start).take(size).collect();
    let next = (start + size < total).then(|| encode_marker(start + size));
    Ok((page, next))
}

fn encode_marker(offset: usize) -> String {
    format!("dmsemu{:08x}", offset ^ 0x5a5a_5a5a)
}

fn decode_marker(marker: &str) -> Result<usize, Fault> {
    marker
        .strip_prefix("dmsemu")
        .and_then(|hex| usize::from_str_radix(hex, 16).ok())
        .map(|n| n ^ 0x5a5a_5a5a)
        .ok_or_else(|| Fault::invalid_parameter(format!("Invalid Marker: {marker}")))
}

/// The fault a Describe* answers when its filters match nothing, as DMS does.
pub fn nothing_matched(what: &str, filters: &[Filter]) -> Fault {
    let shown: Vec<String> = filters
        .iter()
        .map(|f| format!("{}={}", f.name, f.values.join(",")))
        .collect();
    Fault::not_found(format!(
        "No {what} found matching filters: {}",
        shown.join("; ")
    ))
}
