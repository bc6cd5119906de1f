//! The source filters of a selection rule (Filters page).
//!
//! "Filters require a column name and a list of filter conditions. Filter
//! conditions must have a filter operator that is associated with either one
//! value, two values, or no value, depending on the operator."

use serde_json::Value;

use super::rule::Rule;
use crate::spec::parse::{listing, not_allowed};

/// `filter-operator` and the value members each takes (Filters page: "If
/// filter-operator is lte, ste, gte, eq, or noteq, use value ... If between or
/// notbetween, use start-value and end-value ... If null or notnull, specify no
/// value parameters.").
const OPERATORS: [(&str, &[&str]); 9] = [
    ("lte", &["value"]),
    ("ste", &["value"]),
    ("gte", &["value"]),
    ("eq", &["value"]),
    ("noteq", &["value"]),
    ("between", &["start-value", "end-value"]),
    ("notbetween", &["start-value", "end-value"]),
    ("null", &[]),
    ("notnull", &[]),
];

const VALUE_MEMBERS: [&str; 3] = ["value", "start-value", "end-value"];

/// Checks `filters[i]`.
pub fn check(rule: &mut Rule<'_>, i: usize, filter: &Value) {
    let at = |member: &str| match member {
        "" => format!("filters[{i}]"),
        _ => format!("filters[{i}].{member}"),
    };
    let Some(filter) = filter.as_object() else {
        rule.report(
            &at(""),
            "expected a filter object",
            "give `filter-type`, `column-name` and `filter-conditions`",
        );
        return;
    };
    match filter.get("filter-type").and_then(Value::as_str) {
        Some("source") => {}
        Some(other) => rule.report(
            &at("filter-type"),
            format!("`{other}` is not a filter type"),
            "use `source`: DMS filters rows of the source",
        ),
        None => rule.report(
            &at("filter-type"),
            "required field is missing",
            "give `source`",
        ),
    }
    if filter
        .get("column-name")
        .and_then(Value::as_str)
        .is_none_or(str::is_empty)
    {
        rule.report(
            &at("column-name"),
            "required field is missing or empty",
            "name the source column to filter on (case-sensitive; upper case for Oracle and Db2)",
        );
    }
    let conditions = filter.get("filter-conditions").and_then(Value::as_array);
    let Some(conditions) = conditions.filter(|list| !list.is_empty()) else {
        rule.report(
            &at("filter-conditions"),
            "expected a non-empty list of filter conditions",
            r#"give conditions such as [{"filter-operator": "gte", "value": "100"}]"#,
        );
        return;
    };
    for (j, condition) in conditions.iter().enumerate() {
        let at = at(&format!("filter-conditions[{j}]"));
        check_condition(rule, &at, condition);
    }
}

fn check_condition(rule: &mut Rule<'_>, at: &str, condition: &Value) {
    let names: Vec<&str> = OPERATORS.iter().map(|(name, _)| *name).collect();
    let operator = condition.get("filter-operator").and_then(Value::as_str);
    let Some((operator, needs)) =
        operator.and_then(|op| OPERATORS.iter().find(|(name, _)| *name == op))
    else {
        let (problem, fix) = match operator {
            Some(other) => not_allowed(other, &names, "a filter operator"),
            None => (
                "required field is missing".to_string(),
                format!("give one of {}", listing(names.iter().copied())),
            ),
        };
        rule.report(&format!("{at}.filter-operator"), problem, fix);
        return;
    };
    for member in VALUE_MEMBERS {
        // Values are strings in every example; numbers are accepted too (the
        // guide does not say DMS refuses them).
        let given = condition
            .get(member)
            .is_some_and(|v| v.is_string() || v.is_number());
        let needed = needs.contains(&member);
        if needed && !given {
            rule.report(
                &format!("{at}.{member}"),
                format!("`{operator}` needs `{member}`"),
                format!("give `{member}` (dates as YYYY-MM-DD, times as YYYY-MM-DD HH:MM:SS.SSS)"),
            );
        }
        if !needed && condition.get(member).is_some_and(|v| !v.is_null()) {
            let wanted = match needs {
                [] => "no value".to_string(),
                members => listing(members.iter().copied()),
            };
            rule.report(
                &format!("{at}.{member}"),
                format!("`{operator}` takes {wanted}, not `{member}`"),
                format!("remove `{member}`"),
            );
        }
    }
}
