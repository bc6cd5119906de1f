//! Transformation rules (Transformations page; `add-column` with an expression:
//! Expressions page; the masking actions: Masking page).
//!
//! Not checked, because the guide does not say DMS refuses it when the task is
//! created: more than one transformation of one object ("You cannot apply more
//! than one transformation rule action against the same object", while the
//! `rule-id` row says DMS "applies the transformation rule with the lower
//! rule-id"); expressions (SQLite syntax, evaluated by DMS at run time); names
//! with special or right-to-left characters.

use serde_json::Value;

use super::rule::{Rule, names};
use crate::spec::parse::listing;

/// The target an action is limited to, where the guide says so.
fn only_target(action: &str) -> Option<&'static str> {
    match action {
        // "The change-data-type value for rule-action is only available for
        // column rule targets." (Transformations.)
        "change-data-type" => Some("column"),
        // "These transformations are only available for column rule targets."
        // (Masking.)
        "data-masking-digits-mask" | "data-masking-digits-randomize" | "data-masking-hash-mask" => {
            Some("column")
        }
        // "use an add-column rule action and a column rule target" (Expressions).
        "add-column" => Some("column"),
        // primary-key-def: "when the rule-action is set to define-primary-key and
        // the rule-target is set to table" (Transformations).
        "define-primary-key" => Some("table"),
        // before-image-def: "when the rule-action is set to
        // add-before-image-columns and the rule-target is set to column".
        "add-before-image-columns" => Some("column"),
        _ => None,
    }
}

/// The members an action needs: "The new value for actions that require input,
/// such as rename", "The old value for actions that require replacement, such as
/// replace-prefix" (Transformations, `value` and `old-value`); the data type of
/// the column `add-column` adds and of `change-data-type`; the definitions of
/// `define-primary-key` and `add-before-image-columns` ("must provide a
/// before-image-def section", Kinesis and Kafka target pages); the mask
/// character of `data-masking-digits-mask` (Masking).
fn required_members(action: &str) -> &'static [&'static str] {
    match action {
        "rename" | "add-prefix" | "remove-prefix" | "add-suffix" | "remove-suffix" => &["value"],
        "replace-prefix" | "replace-suffix" => &["value", "old-value"],
        "add-column" => &["value", "data-type"],
        "change-data-type" => &["data-type"],
        "define-primary-key" => &["primary-key-def"],
        "add-before-image-columns" => &["before-image-def"],
        "data-masking-digits-mask" => &["value"],
        _ => &[],
    }
}

/// `data-type.type`: "Supported data types" (Transformations, `data-type`).
pub const DATA_TYPES: [&str; 25] = [
    "bytes", "date", "time", "datetime", "int1", "int2", "int4", "int8", "numeric", "real4",
    "real8", "string", "uint1", "uint2", "uint4", "uint8", "wstring", "blob", "nclob", "clob",
    "boolean", "set", "list", "map", "tuple",
];

/// `primary-key-def.origin`: `primary-key` (the default) or `unique-index`.
const KEY_ORIGINS: [&str; 2] = ["primary-key", "unique-index"];

/// `before-image-def.column-filter`: `pk-only` (the default), `non-lob`, `all`.
const COLUMN_FILTERS: [&str; 3] = ["pk-only", "non-lob", "all"];

/// The DMS version that brought the masking actions: "Starting from version
/// 3.5.4, AWS DMS allows the use of data masking transformation rule actions"
/// (Masking).
const MASKING_SINCE: [u32; 3] = [3, 5, 4];

pub fn check(rule: &mut Rule<'_>) {
    rule.one_of(
        "rule-target",
        &super::TRANSFORMATION_TARGETS,
        "a transformation target",
        true,
    );
    let target = rule.text("rule-target");
    let Some(action) = rule.text("rule-action") else {
        return;
    };
    if let (Some(only), Some(target)) = (only_target(action), target)
        && only != target
    {
        rule.report(
            "rule-target",
            format!("`{action}` applies to {only} targets only"),
            format!("set `rule-target` to `{only}`"),
        );
    }
    if matches!(target, Some("table" | "column")) {
        rule.require_locator("table-name");
    }
    if let Some(target @ ("table-tablespace" | "index-tablespace")) = target {
        check_tablespace(rule, target);
    }
    // "You can use the % percent sign as a wildcard for all or part of the value
    // of each object-locator parameter, except data-type."
    rule.refuse_wildcards(
        &["data-type"],
        "the locator's `data-type` takes no wildcards",
        "name one existing column data type",
    );
    for member in required_members(action) {
        if rule.get(member).is_none_or(Value::is_null) {
            rule.report(
                member,
                format!("`{action}` needs `{member}`"),
                format!("add `{member}` to the rule"),
            );
        }
    }
    match action {
        "add-column" | "change-data-type" => check_data_type(rule),
        "define-primary-key" => check_primary_key(rule),
        "add-before-image-columns" => check_before_image(rule),
        "data-masking-digits-mask" => check_mask_character(rule),
        _ => {}
    }
    if action.starts_with("data-masking-") {
        check_masking_version(rule, action);
    }
}

/// "The table-tablespace and index-tablespace values are only available for an
/// Oracle target endpoint. Make sure to specify a value for the parameter that
/// you specify as part of the object-locator: table-tablespace-name or
/// index-tablespace-name" and "You can specify either table-tablespace-name or
/// index-tablespace-name in a single rule, but not both." (Transformations.)
fn check_tablespace(rule: &mut Rule<'_>, target: &str) {
    if let Some(engine) = rule.endpoints.target.filter(|engine| *engine != "oracle") {
        rule.report(
            "rule-target",
            format!(
                "`{target}` is only available for an Oracle target, and target.engine is `{engine}`"
            ),
            "remove the rule: tablespaces exist on Oracle targets only",
        );
    }
    let member = format!("{target}-name");
    rule.require_locator(&member);
    if rule.locator("table-tablespace-name").is_some()
        && rule.locator("index-tablespace-name").is_some()
    {
        rule.report(
            "object-locator",
            "the locator names both a table tablespace and an index tablespace",
            format!("keep `{member}` only: one rule names one tablespace"),
        );
    }
}

fn check_data_type(rule: &mut Rule<'_>) {
    let Some(data_type) = rule.get("data-type").filter(|v| !v.is_null()) else {
        return;
    };
    if !data_type.is_object() {
        rule.report(
            "data-type",
            "expected an object",
            r#"give an object such as {"type": "string", "length": 50}"#,
        );
        return;
    }
    rule.one_of("data-type.type", &DATA_TYPES, "a DMS data type", true);
}

/// "You can't use a define-primary-key rule when the rule has a wildcard (%) in a
/// schema or table name"; `primary-key-def`: `name`, `origin`, and `columns`, "an
/// array of strings listing the names of columns in the order they appear in
/// the primary key or unique index" (Transformations).
fn check_primary_key(rule: &mut Rule<'_>) {
    rule.refuse_wildcards(
        &["schema-name", "table-name"],
        "a `define-primary-key` rule names one table exactly",
        "write the exact schema and table name",
    );
    let Some(definition) = rule.get("primary-key-def").filter(|v| !v.is_null()) else {
        return;
    };
    if !definition.is_object() {
        rule.report(
            "primary-key-def",
            "expected an object",
            r#"give {"name": "orders_pk", "columns": ["id"]}"#,
        );
        return;
    }
    if definition
        .get("name")
        .and_then(Value::as_str)
        .is_none_or(str::is_empty)
    {
        rule.report(
            "primary-key-def.name",
            "required field is missing or empty",
            "name the primary key or unique index",
        );
    }
    if definition.get("columns").and_then(names).is_none() {
        rule.report(
            "primary-key-def.columns",
            "expected a non-empty list of column names",
            "list the key's columns in their order, such as [\"id\"]",
        );
    }
    rule.one_of(
        "primary-key-def.origin",
        &KEY_ORIGINS,
        "a key origin",
        false,
    );
}

/// `before-image-def`: `column-prefix` (default `BI_`), `column-suffix` (default
/// empty), `column-filter`; "Don't set both column-prefix and column-suffix to
/// empty strings." (Transformations.)
fn check_before_image(rule: &mut Rule<'_>) {
    let Some(definition) = rule.get("before-image-def").filter(|v| !v.is_null()) else {
        return;
    };
    if !definition.is_object() {
        rule.report(
            "before-image-def",
            "expected an object",
            r#"give {"column-prefix": "BI_", "column-filter": "pk-only"}"#,
        );
        return;
    }
    rule.one_of(
        "before-image-def.column-filter",
        &COLUMN_FILTERS,
        "a column filter",
        false,
    );
    let text = |member: &str, default: &'static str| {
        definition
            .get(member)
            .and_then(Value::as_str)
            .unwrap_or(default)
            .to_string()
    };
    if text("column-prefix", "BI_").is_empty() && text("column-suffix", "").is_empty() {
        rule.report(
            "before-image-def",
            "both `column-prefix` and `column-suffix` are empty, so the before-image columns would take the columns' own names",
            "give a prefix (the default is `BI_`) or a suffix",
        );
    }
}

/// Digits mask: "replacing digits with a single ASCII printable character that
/// you specify (excluding empty or whitespace characters)" (Masking).
fn check_mask_character(rule: &mut Rule<'_>) {
    let Some(value) = rule.get("value").filter(|v| !v.is_null()) else {
        return;
    };
    let one = value
        .as_str()
        .filter(|text| text.len() == 1 && text.bytes().all(|b| b.is_ascii_graphic()));
    if one.is_none() {
        rule.report(
            "value",
            format!("{value} is not one printable ASCII character"),
            "give the mask character, such as \"*\" (no space, one character)",
        );
    }
}

/// The masking actions need DMS 3.5.4 or later. Without `instance.engine_version`
/// the instance gets DMS's default version, which the check cannot know: it is
/// accepted.
fn check_masking_version(rule: &mut Rule<'_>, action: &str) {
    let Some(version) = rule.endpoints.engine_version else {
        return;
    };
    let parts: Option<Vec<u32>> = version.split('.').map(|p| p.parse().ok()).collect();
    let Some(parts) = parts else {
        return;
    };
    if parts.as_slice() < MASKING_SINCE.as_slice() {
        rule.report(
            "rule-action",
            format!("`{action}` needs DMS 3.5.4 or later, and instance.engine_version is `{version}`"),
            format!(
                "set instance.engine_version to 3.5.4 or later, or remove the masking rule (masking actions: {})",
                listing(["data-masking-digits-mask", "data-masking-digits-randomize", "data-masking-hash-mask"])
            ),
        );
    }
}
