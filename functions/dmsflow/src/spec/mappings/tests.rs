//! The checks of `mappings.rs` and its rule modules, one by one.
use serde_json::json;

use super::*;
use crate::spec::parse::tests::{at, expect};

/// An include rule of schema `app`, named after its id.
fn include(id: Value) -> Value {
    let name = format!(
        "include-app-{}",
        id.as_str().map_or(id.to_string(), String::from)
    );
    json!({
        "rule-type": "selection", "rule-id": id, "rule-name": name,
        "object-locator": {"schema-name": "app", "table-name": "%"}, "rule-action": "include"
    })
}

fn problems_of(rules: Value) -> Vec<SpecProblem> {
    check(
        &json!({ "rules": rules }),
        "table_mappings",
        &Endpoints::default(),
    )
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
    let mut second = include(json!(1));
    second["rule-name"] = json!("include-app-again");
    let found = problems_of(json!([include(json!("1")), second, include(json!("2"))]));
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
    let found = check(&json!({}), "table_mappings", &Endpoints::default());
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
        {"rule-type": "transformation", "rule-id": "2", "rule-name": "r2",
         "object-locator": {"schema-name": "app"}, "rule-action": "rename"},
        {"rule-type": "transformation", "rule-id": "3", "rule-name": "r3",
         "rule-target": "table", "object-locator": {"schema-name": "app", "table-name": "t"},
         "rule-action": "replace-prefix", "value": "new_"},
        {"rule-type": "transformation", "rule-id": "4", "rule-name": "r4",
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
        "column targets only",
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

/// The problems of a mapping of an include rule and `rule` (rules[1]), for these
/// endpoints.
fn with(rule: Value, endpoints: Endpoints<'_>) -> Vec<SpecProblem> {
    check(
        &json!({"rules": [include(json!("1")), rule]}),
        "table_mappings",
        &endpoints,
    )
}

fn oracle() -> Endpoints<'static> {
    Endpoints {
        source: Some("oracle"),
        target: Some("oracle"),
        engine_version: None,
    }
}

fn from(source: &'static str, target: &'static str) -> Endpoints<'static> {
    Endpoints {
        source: Some(source),
        target: Some(target),
        engine_version: None,
    }
}

fn settings(extra: Value) -> Value {
    let mut rule = json!({"rule-type": "table-settings", "rule-id": "2", "rule-name": "s",
                          "object-locator": {"schema-name": "app", "table-name": "orders"}});
    rule.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    rule
}

fn transformation(target: &str, action: &str, extra: Value) -> Value {
    let mut rule = json!({"rule-type": "transformation", "rule-id": "2", "rule-name": "t",
                          "rule-target": target, "rule-action": action,
                          "object-locator": {"schema-name": "app", "table-name": "orders", "column-name": "c"}});
    rule.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    rule
}

const R: &str = "table_mappings.rules[1]";

fn path(member: &str) -> String {
    format!("{R}.{member}")
}

#[test]
fn a_table_settings_rule_needs_exact_names_as_dms_says() {
    let mut rule = settings(json!({"parallel-load": {"type": "partitions-auto"}}));
    rule["object-locator"] = json!({"schema-name": "app%", "table-name": "%"});
    let found = with(rule, oracle());
    for member in ["object-locator.schema-name", "object-locator.table-name"] {
        expect(
            &found,
            &path(member),
            "Exact schema and table name required when using table settings rule",
        );
    }
    let mut rule = settings(json!({}));
    rule["object-locator"] = json!({"schema-name": "app"});
    at(&with(rule, oracle()), &path("object-locator.table-name"));
    // `_` is part of exact names: accepted.
    let mut rule = settings(json!({}));
    rule["object-locator"]["table-name"] = json!("order_items");
    assert!(with(rule, oracle()).is_empty());
}

#[test]
fn parallel_load_follows_its_types_and_their_engines() {
    let bad_type = with(
        settings(json!({"parallel-load": {"type": "partition-auto"}})),
        oracle(),
    );
    expect(
        &bad_type,
        &path("parallel-load.type"),
        "did you mean `partitions-auto`?",
    );
    let mysql = from("mysql", "postgres");
    let sub = with(
        settings(json!({"parallel-load": {"type": "subpartitions-auto"}})),
        mysql,
    );
    expect(&sub, &path("parallel-load.type"), "Oracle sources only");
    let postgres = from("postgres", "postgres");
    let auto = with(
        settings(json!({"parallel-load": {"type": "partitions-auto"}})),
        postgres,
    );
    expect(&auto, &path("parallel-load.type"), "only the `ranges`");
    let list = with(
        settings(json!({"parallel-load": {"type": "partitions-list", "partitions": ["p1", 2]}})),
        oracle(),
    );
    at(&list, &path("parallel-load.partitions"));
    let ranges = with(
        settings(
            json!({"parallel-load": {"type": "ranges", "columns": ["id", "region"],
                                          "boundaries": [["10", "eu"], ["20"]]}}),
        ),
        postgres,
    );
    expect(&ranges, &path("parallel-load.boundaries[1]"), "2 values");
    assert_eq!(ranges.len(), 1, "{ranges:#?}");
    let eleven: Vec<String> = (0..11).map(|i| format!("c{i}")).collect();
    let wide = with(
        settings(
            json!({"parallel-load": {"type": "ranges", "columns": eleven, "boundaries": [["1"]]}}),
        ),
        oracle(),
    );
    expect(&wide, &path("parallel-load.columns"), "up to 10");
    let bare = with(
        settings(json!({"parallel-load": {"type": "ranges"}})),
        oracle(),
    );
    at(&bare, &path("parallel-load.columns"));
    at(&bare, &path("parallel-load.boundaries"));
}

#[test]
fn lob_settings_need_a_size_in_limited_mode() {
    let case = |lob: Value| with(settings(json!({"lob-settings": lob})), oracle());
    expect(
        &case(json!({"mode": "limited", "bulk-max-size": "0"})),
        &path("lob-settings.bulk-max-size"),
        "zero is invalid",
    );
    // limited is the default mode.
    at(&case(json!({})), &path("lob-settings.bulk-max-size"));
    at(
        &case(json!({"mode": "limited", "bulk-max-size": "lots"})),
        &path("lob-settings.bulk-max-size"),
    );
    expect(
        &case(json!({"mode": "full"})),
        &path("lob-settings.mode"),
        "not a LOB mode",
    );
    assert!(case(json!({"mode": "unlimited", "bulk-max-size": "0"})).is_empty());
    assert!(case(json!({"mode": "limited", "bulk-max-size": 64})).is_empty());
    assert!(case(json!({"mode": "none"})).is_empty());
}

#[test]
fn selection_rules_follow_the_selections_and_filters_pages() {
    let mut explicit = include(json!("2"));
    explicit["rule-action"] = json!("explicit");
    explicit["object-locator"]["table-name"] = json!("ord%");
    expect(
        &with(explicit, oracle()),
        &path("object-locator.table-name"),
        "exact name",
    );
    let mut typed = include(json!("2"));
    typed["object-locator"]["table-type"] = json!("views");
    expect(
        &with(typed, oracle()),
        &path("object-locator.table-type"),
        "did you mean `view`?",
    );
    for order in [json!(0), json!("first"), json!(2_147_483_648_u64)] {
        let mut ordered = include(json!("2"));
        ordered["load-order"] = order.clone();
        at(&with(ordered, oracle()), &path("load-order"));
    }
    let mut ordered = include(json!("2"));
    ordered["load-order"] = json!("2");
    assert!(with(ordered, oracle()).is_empty());
}

#[test]
fn filters_need_exact_names_a_column_and_conditions_with_their_values() {
    let mut filtered = include(json!("2"));
    filtered["filters"] = json!([
        {"filter-type": "source", "column-name": "id",
         "filter-conditions": [
            {"filter-operator": "gte"},
            {"filter-operator": "between", "start-value": "1"},
            {"filter-operator": "null", "value": "x"},
            {"filter-operator": "like", "value": "x"}
         ]},
        {"filter-type": "target", "filter-conditions": []}
    ]);
    let found = with(filtered, oracle());
    expect(
        &found,
        &path("object-locator.table-name"),
        "exact names only",
    );
    expect(
        &found,
        &path("filters[0].filter-conditions[0].value"),
        "`gte` needs `value`",
    );
    at(&found, &path("filters[0].filter-conditions[1].end-value"));
    expect(
        &found,
        &path("filters[0].filter-conditions[2].value"),
        "takes no value",
    );
    at(
        &found,
        &path("filters[0].filter-conditions[3].filter-operator"),
    );
    at(&found, &path("filters[1].filter-type"));
    at(&found, &path("filters[1].column-name"));
    at(&found, &path("filters[1].filter-conditions"));
    assert_eq!(found.len(), 8, "{found:#?}");
}

#[test]
fn rule_ids_are_numeric_and_rule_names_unique() {
    let mut named = include(json!("x1"));
    named["rule-name"] = json!("include-app-1");
    let found = with(named, oracle());
    expect(&found, &path("rule-id"), "not numeric");
    expect(&found, &path("rule-name"), "also the rule-name of rules[0]");
}

#[test]
fn transformations_follow_the_targets_and_members_the_guide_states() {
    let found = with(
        transformation(
            "table",
            "add-column",
            json!({"value": "c2", "data-type": {"type": "varchar"}}),
        ),
        oracle(),
    );
    expect(
        &found,
        &path("rule-target"),
        "`add-column` applies to column targets only",
    );
    expect(&found, &path("data-type.type"), "not a DMS data type");

    let mut key = transformation(
        "table",
        "define-primary-key",
        json!({"primary-key-def": {"name": "pk", "origin": "index", "columns": []}}),
    );
    key["object-locator"]["table-name"] = json!("ord%");
    let found = with(key, oracle());
    expect(
        &found,
        &path("object-locator.table-name"),
        "names one table exactly",
    );
    at(&found, &path("primary-key-def.columns"));
    at(&found, &path("primary-key-def.origin"));

    let image = transformation(
        "column",
        "add-before-image-columns",
        json!({"before-image-def": {"column-prefix": "", "column-filter": "some"}}),
    );
    let found = with(image, oracle());
    expect(
        &found,
        &path("before-image-def"),
        "both `column-prefix` and `column-suffix` are empty",
    );
    at(&found, &path("before-image-def.column-filter"));

    let mut by_type = transformation(
        "column",
        "change-data-type",
        json!({"data-type": {"type": "int8"}}),
    );
    by_type["object-locator"]["data-type"] = json!("int%");
    expect(
        &with(by_type, oracle()),
        &path("object-locator.data-type"),
        "no wildcards",
    );
}

#[test]
fn masking_needs_one_printable_character_and_dms_3_5_4() {
    for value in [json!(" "), json!("##"), json!(7)] {
        let rule = transformation(
            "column",
            "data-masking-digits-mask",
            json!({"value": value}),
        );
        at(&with(rule, oracle()), &path("value"));
    }
    let rule = transformation("column", "data-masking-hash-mask", json!({}));
    let old = Endpoints {
        engine_version: Some("3.5.3"),
        ..oracle()
    };
    expect(
        &with(rule.clone(), old),
        &path("rule-action"),
        "3.5.4 or later",
    );
    for version in [Some("3.5.4"), Some("3.6.1"), None] {
        let endpoints = Endpoints {
            engine_version: version,
            ..oracle()
        };
        assert!(with(rule.clone(), endpoints).is_empty(), "{version:?}");
    }
}

#[test]
fn tablespaces_are_for_oracle_targets_and_name_one_tablespace() {
    let rule = transformation("table-tablespace", "rename", json!({"value": "new_ts"}));
    let found = with(rule.clone(), from("oracle", "postgres"));
    expect(&found, &path("rule-target"), "Oracle target");
    at(&found, &path("object-locator.table-tablespace-name"));
    let mut both = rule;
    both["object-locator"]["table-tablespace-name"] = json!("ts1");
    both["object-locator"]["index-tablespace-name"] = json!("ts2");
    expect(&with(both, oracle()), &path("object-locator"), "both");
}

#[test]
fn validation_rules_override_a_columns_validation_function() {
    let rule = json!({"rule-type": "validation", "rule-id": "2", "rule-name": "v",
                      "rule-target": "table", "rule-action": "override-validation-functions",
                      "object-locator": {"schema-name": "app", "table-name": "orders"}});
    let found = with(rule, oracle());
    at(&found, &path("rule-target"));
    expect(
        &found,
        &path("rule-action"),
        "did you mean `override-validation-function`?",
    );
    at(&found, &path("object-locator.column-name"));
    at(&found, &path("source-function"));
    assert_eq!(found.len(), 4, "{found:#?}");
}

#[test]
fn object_mapping_and_post_processing_rules_are_for_other_targets() {
    for (kind, action) in [
        ("object-mapping", "map-record-to-record"),
        ("post-processing", "add-tag"),
    ] {
        let rule = json!({"rule-type": kind, "rule-id": "2", "rule-name": "x", "rule-action": action,
                          "object-locator": {"schema-name": "app", "table-name": "orders"}});
        let found = with(rule, from("mysql", "aurora"));
        expect(&found, &path("rule-type"), "target.engine is `aurora`");
    }
}
