//! The DMS table-mapping document (`{"rules": [...]}`): its checks, and the
//! selection patterns other code needs.

use std::collections::HashMap;

use serde_json::{Map, Value};

use super::parse::{SpecProblem, index, join, listing, not_allowed};

/// Rule types DMS accepts in a table mapping.
pub const RULE_TYPES: [&str; 5] = [
    "selection",
    "transformation",
    "table-settings",
    "object-mapping",
    "post-processing",
];

/// Actions of a selection rule.
pub const SELECTION_ACTIONS: [&str; 3] = ["include", "exclude", "explicit"];

/// Actions of a transformation rule.
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

/// Targets of a transformation rule.
pub const TRANSFORMATION_TARGETS: [&str; 5] = [
    "schema",
    "table",
    "column",
    "table-tablespace",
    "index-tablespace",
];

const OBJECT_MAPPING_ACTIONS: [&str; 2] = ["map-record-to-record", "map-record-to-document"];
const POST_PROCESSING_ACTIONS: [&str; 1] = ["add-tag"];

/// Transformation actions that act on columns only.
const COLUMN_ONLY_ACTIONS: [&str; 4] = [
    "change-data-type",
    "data-masking-digits-mask",
    "data-masking-digits-randomize",
    "data-masking-hash-mask",
];

/// The members a transformation action needs besides the common ones.
fn required_members(action: &str) -> &'static [&'static str] {
    match action {
        "rename" | "add-prefix" | "remove-prefix" | "add-suffix" | "remove-suffix" => &["value"],
        "replace-prefix" | "replace-suffix" => &["value", "old-value"],
        "add-column" => &["value", "data-type"],
        "change-data-type" => &["data-type"],
        "define-primary-key" => &["primary-key-def"],
        "add-before-image-columns" => &["before-image-def"],
        _ => &[],
    }
}

/// The actions a rule type accepts; `None` when the rule type takes no `rule-action`.
fn actions_of(rule_type: &str) -> Option<&'static [&'static str]> {
    match rule_type {
        "selection" => Some(&SELECTION_ACTIONS),
        "transformation" => Some(&TRANSFORMATION_ACTIONS),
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
pub fn check(mappings: &Value, path: &str) -> Vec<SpecProblem> {
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
    let mut ids: HashMap<String, usize> = HashMap::new();
    for (i, rule) in rules.iter().enumerate() {
        let rule_path = index(&rules_path, i);
        match rule.as_object() {
            Some(rule) => check_rule(rule, &rule_path, i, &mut ids, &mut out),
            None => out.push(SpecProblem::new(
                rule_path,
                "expected a rule object",
                "give each rule as an object with rule-type, rule-id, rule-name, object-locator and rule-action",
            )),
        }
    }
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

fn check_rule(
    rule: &Map<String, Value>,
    path: &str,
    position: usize,
    ids: &mut HashMap<String, usize>,
    out: &mut Vec<SpecProblem>,
) {
    let at = |field: &str| join(path, field);
    let mut report = |at: String, what: String, fix: String| {
        out.push(SpecProblem::new(at, what, fix));
    };
    let missing = || "required field is missing".to_string();

    let rule_type = rule.get("rule-type").and_then(Value::as_str);
    if let Some((what, fix)) = check_name(rule_type, &RULE_TYPES, "a DMS rule type") {
        report(at("rule-type"), what, fix);
    }

    match rule.get("rule-id").and_then(rule_id) {
        None => report(
            at("rule-id"),
            if rule.contains_key("rule-id") {
                "expected a number or a non-empty string".to_string()
            } else {
                missing()
            },
            "give each rule a unique numeric id, such as \"1\"".to_string(),
        ),
        Some(id) => {
            if let Some(first) = ids.get(&id) {
                report(
                    at("rule-id"),
                    format!("`{id}` is also the rule-id of rules[{first}]"),
                    "give every rule its own rule-id".to_string(),
                );
            } else {
                ids.insert(id, position);
            }
        }
    }

    if rule.get("rule-name").and_then(rule_id).is_none() {
        report(
            at("rule-name"),
            if rule.contains_key("rule-name") {
                "expected a non-empty string".to_string()
            } else {
                missing()
            },
            "give the rule a name, such as \"include-app-tables\"".to_string(),
        );
    }

    let action = rule.get("rule-action").and_then(Value::as_str);
    if let Some(allowed) = rule_type.and_then(actions_of) {
        let what = format!("an action of a {} rule", rule_type.unwrap_or_default());
        if let Some((what, fix)) = check_name(action, allowed, &what) {
            report(at("rule-action"), what, fix);
        }
    }

    let target = rule.get("rule-target").and_then(Value::as_str);
    if rule_type == Some("transformation") {
        if let Some((what, fix)) =
            check_name(target, &TRANSFORMATION_TARGETS, "a transformation target")
        {
            report(at("rule-target"), what, fix);
        }
        let column_only = action.filter(|action| COLUMN_ONLY_ACTIONS.contains(action));
        if let (Some(action), Some(target)) = (column_only, target)
            && target != "column"
        {
            report(
                at("rule-target"),
                format!("`{action}` applies to columns only"),
                "set `rule-target` to `column`".to_string(),
            );
        }
        for member in action.map(required_members).unwrap_or_default() {
            if !rule.contains_key(*member) {
                report(
                    at(member),
                    format!("`{}` needs `{member}`", action.unwrap_or_default()),
                    format!("add `{member}` to the rule"),
                );
            }
        }
    }

    let needs_table = rule_type == Some("selection")
        || (rule_type == Some("transformation") && matches!(target, Some("table" | "column")));
    match rule.get("object-locator") {
        None => report(
            at("object-locator"),
            missing(),
            r#"add the objects the rule applies to, such as {"schema-name": "app", "table-name": "%"}"#
                .to_string(),
        ),
        Some(Value::Object(locator)) => {
            let locator_path = at("object-locator");
            let mut names = vec!["schema-name"];
            if needs_table {
                names.push("table-name");
            }
            for name in names {
                if locator.get(name).and_then(Value::as_str).is_none_or(str::is_empty) {
                    report(
                        join(&locator_path, name),
                        "required field is missing or empty".to_string(),
                        format!("give `{name}` (`%` matches any name)"),
                    );
                }
            }
        }
        Some(_) => report(
            at("object-locator"),
            "expected an object".to_string(),
            r#"give an object such as {"schema-name": "app", "table-name": "%"}"#.to_string(),
        ),
    }
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

/// A rule id or name: a non-empty string, or a number (DMS accepts both).
fn rule_id(value: &Value) -> Option<String> {
    match value {
        Value::String(text) if !text.trim().is_empty() => Some(text.trim().to_string()),
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::spec::parse::tests::{at, expect};

    fn include(id: Value) -> Value {
        json!({
            "rule-type": "selection", "rule-id": id, "rule-name": "include-app",
            "object-locator": {"schema-name": "app", "table-name": "%"}, "rule-action": "include"
        })
    }

    fn problems_of(rules: Value) -> Vec<SpecProblem> {
        check(&json!({ "rules": rules }), "table_mappings")
    }

    #[test]
    fn a_selection_and_a_transformation_are_accepted() {
        let found = problems_of(json!([
            include(json!("1")),
            {
                "rule-type": "transformation", "rule-id": 2, "rule-name": "prefix",
                "rule-target": "table", "object-locator": {"schema-name": "app", "table-name": "%"},
                "rule-action": "add-prefix", "value": "mig_"
            },
            {
                "rule-type": "table-settings", "rule-id": "3", "rule-name": "parallel",
                "object-locator": {"schema-name": "app", "table-name": "orders"},
                "parallel-load": {"type": "partitions-auto"}
            }
        ]));
        assert!(found.is_empty(), "{found:#?}");
    }

    #[test]
    fn rule_ids_are_unique_whether_strings_or_numbers() {
        let found = problems_of(json!([
            include(json!("1")),
            include(json!(1)),
            include(json!("2"))
        ]));
        expect(&found, "table_mappings.rules[1].rule-id", "rules[0]");
        assert_eq!(found.len(), 1);
    }

    #[test]
    fn an_unknown_rule_action_is_reported_with_the_actions_of_its_type() {
        let mut rule = include(json!("1"));
        rule["rule-action"] = json!("exlude");
        let found = problems_of(json!([include(json!("2")), rule]));
        let problem = at(&found, "table_mappings.rules[1].rule-action");
        assert!(
            problem.problem.contains("did you mean `exclude`?"),
            "{problem:?}"
        );
        assert!(problem.fix.contains("`include`, `exclude`, `explicit`"));
    }

    #[test]
    fn no_include_rule_means_nothing_to_migrate() {
        let mut rule = include(json!("1"));
        rule["rule-action"] = json!("exclude");
        let found = problems_of(json!([rule]));
        expect(&found, "table_mappings.rules", "migrate nothing");
        let found = problems_of(json!([]));
        assert_eq!(found.len(), 1);
        let found = check(&json!({}), "table_mappings");
        assert_eq!(
            at(&found, "table_mappings.rules").problem,
            "required field is missing"
        );
    }

    #[test]
    fn a_missing_or_incomplete_object_locator_is_reported() {
        let mut without = include(json!("2"));
        without.as_object_mut().unwrap().remove("object-locator");
        let mut no_table = include(json!("3"));
        no_table["object-locator"] = json!({"schema-name": "app"});
        let found = problems_of(json!([include(json!("1")), without, no_table]));
        assert_eq!(
            at(&found, "table_mappings.rules[1].object-locator").problem,
            "required field is missing"
        );
        at(&found, "table_mappings.rules[2].object-locator.table-name");
        assert_eq!(found.len(), 2, "{found:#?}");
    }

    #[test]
    fn rules_need_a_type_an_id_and_a_name() {
        let found = problems_of(json!([include(json!("1")), {"rule-type": "selektion"}, 7]));
        expect(
            &found,
            "table_mappings.rules[1].rule-type",
            "did you mean `selection`?",
        );
        at(&found, "table_mappings.rules[1].rule-id");
        at(&found, "table_mappings.rules[1].rule-name");
        at(&found, "table_mappings.rules[1].object-locator");
        at(&found, "table_mappings.rules[2]");
    }

    #[test]
    fn transformations_need_a_target_and_the_members_of_their_action() {
        let found = problems_of(json!([
            include(json!("1")),
            {"rule-type": "transformation", "rule-id": "2", "rule-name": "r",
             "object-locator": {"schema-name": "app"}, "rule-action": "rename"},
            {"rule-type": "transformation", "rule-id": "3", "rule-name": "r",
             "rule-target": "table", "object-locator": {"schema-name": "app", "table-name": "t"},
             "rule-action": "replace-prefix", "value": "new_"},
            {"rule-type": "transformation", "rule-id": "4", "rule-name": "r",
             "rule-target": "table", "object-locator": {"schema-name": "app", "table-name": "t"},
             "rule-action": "change-data-type", "data-type": {"type": "int8"}}
        ]));
        at(&found, "table_mappings.rules[1].rule-target");
        expect(
            &found,
            "table_mappings.rules[1].value",
            "`rename` needs `value`",
        );
        at(&found, "table_mappings.rules[2].old-value");
        expect(
            &found,
            "table_mappings.rules[3].rule-target",
            "columns only",
        );
        assert_eq!(found.len(), 4, "{found:#?}");
    }

    #[test]
    fn mapping_rules_give_every_rule_object_with_its_naming_members() {
        let mappings = json!({"rules": [
            include(json!(1)),
            {"rule-type": "transformation", "rule-id": "2", "rule-name": "r", "rule-target": "table",
             "object-locator": {"schema-name": "app", "table-name": "t%"},
             "rule-action": "replace-prefix", "value": "new_", "old-value": "t"},
            "not a rule"
        ]});
        let rules = mapping_rules(&mappings);
        assert_eq!(rules.len(), 2);
        assert_eq!(rules[0].id, "1");
        assert_eq!(rules[0].rule_type, "selection");
        assert_eq!(rules[0].target, None);
        assert_eq!(
            rules[1],
            MappingRule {
                id: "2".into(),
                rule_type: "transformation".into(),
                action: Some("replace-prefix".into()),
                target: Some("table".into()),
                schema_name: Some("app".into()),
                table_name: Some("t%".into()),
                value: Some("new_".into()),
                old_value: Some("t".into()),
            }
        );
    }

    #[test]
    fn selection_patterns_list_every_selection_rule() {
        let mut exclude = include(json!("2"));
        exclude["rule-action"] = json!("exclude");
        exclude["object-locator"]["table-name"] = json!("audit_%");
        let mappings =
            json!({"rules": [include(json!("1")), exclude, {"rule-type": "transformation"}]});
        let patterns = selection_patterns(&mappings);
        assert_eq!(
            patterns,
            vec![
                SelectionPattern {
                    action: "include".into(),
                    schema_name: "app".into(),
                    table_name: "%".into()
                },
                SelectionPattern {
                    action: "exclude".into(),
                    schema_name: "app".into(),
                    table_name: "audit_%".into()
                },
            ]
        );
    }
}
