//! Selection rules (Selections page; `filters`: Filters page).

use serde_json::Value;

use super::filters;
use super::rule::{Rule, whole_number};

/// `table-type`: "to indicate if `table-name` refers only to tables, views, or
/// both tables and views. The default is `table`." (Selections page).
const TABLE_TYPES: [&str; 3] = ["table", "view", "all"];

/// "A positive integer. The maximum value is 2,147,483,647." (Selections page,
/// `load-order`).
const LOAD_ORDER_MAX: u64 = 2_147_483_647;

pub fn check(rule: &mut Rule<'_>) {
    rule.require_locator("table-name");
    // "If the rule-action is explicit, you can only specify the exact name of a
    // single table or view and its schema (with no wildcards)." Only `%` is
    // refused: `_` is a wildcard too, but it is part of ordinary exact names
    // (`order_items`), which the guide's own examples select.
    if rule.text("rule-action") == Some("explicit") {
        rule.refuse_wildcards(
            &["schema-name", "table-name"],
            "an `explicit` rule selects one table or view by its exact name and schema, with no wildcards",
            "write the exact name, or use `include` to select by pattern",
        );
    }
    rule.one_of(
        "object-locator.table-type",
        &TABLE_TYPES,
        "a table-type",
        false,
    );
    if let Some(order) = rule.get("load-order")
        && whole_number(order).is_none_or(|n| n == 0 || n > LOAD_ORDER_MAX)
    {
        rule.report(
            "load-order",
            format!("{order} is not a positive whole number up to 2,147,483,647"),
            "give the load priority as a whole number from 1 (tables with higher values load first)",
        );
    }
    match rule.get("filters") {
        None | Some(Value::Null) => {}
        Some(Value::Array(list)) => {
            for (i, filter) in list.iter().enumerate() {
                filters::check(rule, i, filter);
            }
            // "Filters only support tables with exact names. Filters do not
            // support wildcards." (Filters page.) A filter on an `exclude` or
            // `explicit` rule: "Filters are only applied when rule-action =
            // 'include'": the guide does not say DMS refuses it, so it is
            // accepted.
            if !list.is_empty() {
                rule.refuse_wildcards(
                    &["schema-name", "table-name"],
                    "filters apply to tables with exact names only",
                    "name the table exactly in a rule of its own for the filter",
                );
            }
        }
        Some(_) => rule.report(
            "filters",
            "expected a list of filters",
            r#"give a list such as [{"filter-type": "source", "column-name": "id", "filter-conditions": [{"filter-operator": "gte", "value": "100"}]}]"#,
        ),
    }
}
