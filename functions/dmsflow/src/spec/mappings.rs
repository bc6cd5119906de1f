//! The DMS table-mapping document (`{"rules": [...]}`): its checks, and the
//! selection patterns other code needs.
//!
//! The checks follow the DMS User Guide's table-mapping pages rule type by rule
//! type ([`guide`] lists them): what a page documents is accepted, for the engines
//! it names; what a page states is not allowed is refused, with the page's reason
//! in the message. Where the guide does not say whether DMS refuses something when
//! the task is created, the check accepts it and the code says so. Each rule
//! type's checks live in a module of its own; this file holds the document and
//! the members every rule has.

mod filters;
pub mod guide;
#[cfg(test)]
mod guide_examples;
mod rule;
mod selection;
mod table_settings;
#[cfg(test)]
mod tests;
mod transformation;
mod validation_rule;

use std::collections::HashMap;

use serde_json::Value;

use super::parse::{SpecProblem, index, join, listing, not_allowed};
use rule::Rule;

/// The endpoints a mapping is for: some rules apply to some engines only.
/// `None` when that part of the spec is itself invalid (its problem is reported
/// there).
#[derive(Debug, Clone, Copy, Default)]
pub struct Endpoints<'a> {
    pub source: Option<&'a str>,
    pub target: Option<&'a str>,
    /// `instance.engine_version`, when the spec sets it.
    pub engine_version: Option<&'a str>,
}

/// Rule types of a table mapping (SelectionTransformation page; `validation`:
/// the Validating page's JSON editor section and the PostgreSQL target page).
pub const RULE_TYPES: [&str; 6] = [
    "selection",
    "transformation",
    "table-settings",
    "validation",
    "object-mapping",
    "post-processing",
];

/// Actions of a selection rule (Selections page).
pub const SELECTION_ACTIONS: [&str; 3] = ["include", "exclude", "explicit"];

/// Actions of a transformation rule (Transformations page, `rule-action`; the
/// masking actions: Masking page).
pub const TRANSFORMATION_ACTIONS: [&str; 18] = [
    "add-column",
    "include-column",
    "remove-column",
    "rename",
    "convert-lowercase",
    "convert-uppercase",
    "add-prefix",
    "remove-prefix",
    "replace-prefix",
    "add-suffix",
    "remove-suffix",
    "replace-suffix",
    "define-primary-key",
    "change-data-type",
    "add-before-image-columns",
    "data-masking-digits-mask",
    "data-masking-digits-randomize",
    "data-masking-hash-mask",
];

/// Targets of a transformation rule (Transformations page, `rule-target`).
pub const TRANSFORMATION_TARGETS: [&str; 5] = [
    "schema",
    "table",
    "column",
    "table-tablespace",
    "index-tablespace",
];

/// "AWS DMS currently supports `map-record-to-record` and `map-record-to-document`
/// as the only valid values for the `rule-action` parameter" (DynamoDB, Kinesis
/// and Kafka target pages).
const OBJECT_MAPPING_ACTIONS: [&str; 2] = ["map-record-to-record", "map-record-to-document"];
/// S3 target page, object tagging: "the `post-processing` rule type and the
/// `add-tag` rule action".
const POST_PROCESSING_ACTIONS: [&str; 1] = ["add-tag"];
/// The one action of a validation rule in the guide's examples.
const VALIDATION_ACTIONS: [&str; 1] = ["override-validation-function"];

/// The actions a rule type accepts; `None` when the rule type takes no
/// `rule-action` (table-settings: its page has no `rule-action` row and no
/// example has one).
fn actions_of(rule_type: &str) -> Option<&'static [&'static str]> {
    match rule_type {
        "selection" => Some(&SELECTION_ACTIONS),
        "transformation" => Some(&TRANSFORMATION_ACTIONS),
        "validation" => Some(&VALIDATION_ACTIONS),
        "object-mapping" => Some(&OBJECT_MAPPING_ACTIONS),
        "post-processing" => Some(&POST_PROCESSING_ACTIONS),
        _ => None,
    }
}

/// One selection rule's pattern: `%` is DMS's wildcard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SelectionPattern {
    /// include, exclude or explicit.
    pub action: String,
    pub schema_name: String,
    pub table_name: String,
}

/// The selection rules' patterns, in rule order (rules that are not well formed
/// are left out; [`check`] reports them).
pub fn selection_patterns(mappings: &Value) -> Vec<SelectionPattern> {
    let rules = mappings.get("rules").and_then(Value::as_array);
    rules
        .into_iter()
        .flatten()
        .filter(|rule| text(rule, "rule-type") == Some("selection"))
        .filter_map(|rule| {
            let locator = rule.get("object-locator")?;
            Some(SelectionPattern {
                action: text(rule, "rule-action")?.to_string(),
                schema_name: text(locator, "schema-name")?.to_string(),
                table_name: text(locator, "table-name")?.to_string(),
            })
        })
        .collect()
}

/// Whether an `include` or `explicit` selection rule takes views
/// (`"table-type": "view"` or `"all"`; the default is `table`, Selections page).
pub fn selects_views(mappings: &Value) -> bool {
    let rules = mappings.get("rules").and_then(Value::as_array);
    rules.into_iter().flatten().any(|rule| {
        text(rule, "rule-type") == Some("selection")
            && text(rule, "rule-action") != Some("exclude")
            && rule
                .get("object-locator")
                .and_then(|l| text(l, "table-type"))
                .is_some_and(|t| t == "view" || t == "all")
    })
}

/// One rule of a table mapping, with the members that name objects (members a
/// rule does not have, or that are not strings, are `None`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MappingRule {
    /// rule-id as written (a number is given as its digits).
    pub id: String,
    pub rule_type: String,
    pub action: Option<String>,
    /// rule-target of a transformation rule.
    pub target: Option<String>,
    /// The object-locator's schema-name and table-name patterns.
    pub schema_name: Option<String>,
    pub table_name: Option<String>,
    pub value: Option<String>,
    pub old_value: Option<String>,
}

/// Every rule object of the mapping, in rule order.
pub fn mapping_rules(mappings: &Value) -> Vec<MappingRule> {
    let rules = mappings.get("rules").and_then(Value::as_array);
    let owned = |value: &Value, key: &str| text(value, key).map(str::to_string);
    rules
        .into_iter()
        .flatten()
        .filter(|rule| rule.is_object())
        .map(|rule| {
            let locator = rule.get("object-locator").unwrap_or(&Value::Null);
            MappingRule {
                id: rule.get("rule-id").and_then(rule_id).unwrap_or_default(),
                rule_type: owned(rule, "rule-type").unwrap_or_default(),
                action: owned(rule, "rule-action"),
                target: owned(rule, "rule-target"),
                schema_name: owned(locator, "schema-name"),
                table_name: owned(locator, "table-name"),
                value: owned(rule, "value"),
                old_value: owned(rule, "old-value"),
            }
        })
        .collect()
}

fn text<'a>(value: &'a Value, key: &str) -> Option<&'a str> {
    value.get(key).and_then(Value::as_str)
}

/// Every problem of a table-mapping document found at `path`.
pub fn check(mappings: &Value, path: &str, endpoints: &Endpoints<'_>) -> Vec<SpecProblem> {
    let mut out = Vec::new();
    let rules_path = join(path, "rules");
    let Some(rules) = mappings.get("rules") else {
        out.push(SpecProblem::new(
            rules_path,
            "required field is missing",
            "add a `rules` list with at least one selection rule that includes tables",
        ));
        return out;
    };
    let Some(rules) = rules.as_array() else {
        out.push(SpecProblem::new(
            rules_path,
            "expected a list of rules",
            "give `rules` as a JSON list of rule objects",
        ));
        return out;
    };
    let mut seen = Seen::default();
    for (i, rule) in rules.iter().enumerate() {
        let rule_path = index(&rules_path, i);
        match rule.as_object() {
            Some(rule) => {
                let mut rule = Rule::new(rule, &rule_path, endpoints, &mut out);
                check_rule(&mut rule, i, &mut seen);
            }
            None => out.push(SpecProblem::new(
                rule_path,
                "expected a rule object",
                "give each rule as an object with rule-type, rule-id, rule-name, object-locator and rule-action",
            )),
        }
    }
    // The guide asks for "at least one selection rule" (Selections page);
    // dmsflow asks for one that includes tables: a mapping that only excludes
    // migrates nothing, and the task would fail on no tables captured later.
    let selects = selection_patterns(mappings)
        .iter()
        .any(|pattern| pattern.action == "include" || pattern.action == "explicit");
    if !selects {
        out.push(SpecProblem::new(
            rules_path,
            "no selection rule includes any table, so the task would migrate nothing",
            r#"add a rule such as {"rule-type": "selection", "rule-id": "1", "rule-name": "include-app", "object-locator": {"schema-name": "app", "table-name": "%"}, "rule-action": "include"}"#,
        ));
    }
    out
}

/// The rule ids and names met so far, with the rule that had each first.
#[derive(Default)]
struct Seen {
    ids: HashMap<String, usize>,
    names: HashMap<String, usize>,
}

fn check_rule(rule: &mut Rule<'_>, position: usize, seen: &mut Seen) {
    let rule_type = rule.text("rule-type");
    if let Some((what, fix)) = check_name(rule_type, &RULE_TYPES, "a DMS rule type") {
        rule.report("rule-type", what, fix);
    }
    check_id(rule, position, &mut seen.ids);
    check_rule_name(rule, position, &mut seen.names);

    let action = rule.text("rule-action");
    if let Some(allowed) = rule_type.and_then(actions_of) {
        let what = format!("an action of a {} rule", rule_type.unwrap_or_default());
        if let Some((what, fix)) = check_name(action, allowed, &what) {
            rule.report("rule-action", what, fix);
        }
    }

    match rule.get("object-locator") {
        None => rule.report(
            "object-locator",
            "required field is missing",
            r#"add the objects the rule applies to, such as {"schema-name": "app", "table-name": "%"}"#,
        ),
        Some(Value::Object(_)) => rule.require_locator("schema-name"),
        Some(_) => rule.report(
            "object-locator",
            "expected an object",
            r#"give an object such as {"schema-name": "app", "table-name": "%"}"#,
        ),
    }

    match rule_type {
        Some("selection") => selection::check(rule),
        Some("transformation") => transformation::check(rule),
        Some("table-settings") => table_settings::check(rule),
        Some("validation") => validation_rule::check(rule),
        Some(kind @ ("object-mapping" | "post-processing")) => not_for_these_targets(rule, kind),
        _ => {}
    }
}

/// "A unique numeric value to identify the rule" (Selections page, `rule-id`;
/// every rule type has one). A JSON number or a string of digits; `"1"` and `1`
/// are the same id.
fn check_id(rule: &mut Rule<'_>, position: usize, ids: &mut HashMap<String, usize>) {
    let fix = "give each rule a unique numeric id, such as \"1\"";
    match rule.get("rule-id").map(rule_id) {
        None => rule.report("rule-id", "required field is missing", fix),
        Some(None) => rule.report("rule-id", "expected a number or a string of digits", fix),
        Some(Some(id)) if !id.chars().all(|c| c.is_ascii_digit()) => rule.report(
            "rule-id",
            format!(
                "`{id}` is not numeric: DMS's rule-id is \"a unique numeric value to identify the rule\""
            ),
            fix,
        ),
        Some(Some(id)) => match ids.get(&id) {
            Some(first) => rule.report(
                "rule-id",
                format!("`{id}` is also the rule-id of rules[{first}]"),
                "give every rule its own rule-id",
            ),
            None => {
                ids.insert(id, position);
            }
        },
    }
}

/// "A unique name to identify the rule" (Selections page, `rule-name`).
fn check_rule_name(rule: &mut Rule<'_>, position: usize, names: &mut HashMap<String, usize>) {
    match rule.get("rule-name").map(rule_id) {
        None => rule.report(
            "rule-name",
            "required field is missing",
            "give the rule a name, such as \"include-app-tables\"",
        ),
        Some(None) => rule.report(
            "rule-name",
            "expected a non-empty string",
            "give the rule a name, such as \"include-app-tables\"",
        ),
        Some(Some(name)) => match names.get(&name) {
            Some(first) => rule.report(
                "rule-name",
                format!(
                    "`{name}` is also the rule-name of rules[{first}]: DMS asks for a unique name"
                ),
                "give every rule its own rule-name",
            ),
            None => {
                names.insert(name, position);
            }
        },
    }
}

/// object-mapping rules are for DynamoDB, Kinesis and Kafka targets and
/// post-processing rules for S3 targets (SelectionTransformation page; the
/// target pages): dmsflow's endpoints are relational databases, where neither
/// can apply.
fn not_for_these_targets(rule: &mut Rule<'_>, kind: &str) {
    let targets = match kind {
        "object-mapping" => "Amazon DynamoDB, Amazon Kinesis and Apache Kafka targets",
        _ => "Amazon S3 targets (object tagging)",
    };
    let target = rule
        .endpoints
        .target
        .map(|engine| format!(", and target.engine is `{engine}`"))
        .unwrap_or_default();
    rule.report(
        "rule-type",
        format!("`{kind}` rules apply to {targets} only{target}"),
        "remove the rule: dmsflow migrates between relational databases, where selection, transformation, table-settings and validation rules apply",
    );
}

/// The problem and fix when a name is missing or not among `allowed`.
fn check_name(name: Option<&str>, allowed: &[&str], what: &str) -> Option<(String, String)> {
    match name {
        None => Some((
            "required field is missing".to_string(),
            format!("give one of {}", listing(allowed.iter().copied())),
        )),
        Some(name) if !allowed.contains(&name) => Some(not_allowed(name, allowed, what)),
        Some(_) => None,
    }
}

/// A rule id or name as written: a non-empty string (trimmed), or a number.
fn rule_id(value: &Value) -> Option<String> {
    match value {
        Value::String(text) if !text.trim().is_empty() => Some(text.trim().to_string()),
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
}
