use serde_json::{Value, json};

use super::*;

fn include_all() -> Value {
    json!({"rule-type": "selection", "rule-id": "1", "rule-name": "all",
           "object-locator": {"schema-name": "%", "table-name": "%"}, "rule-action": "include"})
}

/// A transformation rule on `target` with `action`, matching `schema`/`table`,
/// with the extra members of `more`.
fn rule(
    id: &str,
    target: &str,
    action: &str,
    schema: &str,
    table: Option<&str>,
    more: Value,
) -> Value {
    let mut locator = json!({"schema-name": schema});
    if let Some(table) = table {
        locator["table-name"] = json!(table);
    }
    let mut rule = json!({"rule-type": "transformation", "rule-id": id, "rule-name": id,
        "rule-target": target, "object-locator": locator, "rule-action": action});
    for (key, value) in more.as_object().into_iter().flatten() {
        rule[key] = value.clone();
    }
    rule
}

fn namer(rules: Vec<Value>) -> TargetNamer {
    let mut all = vec![include_all()];
    all.extend(rules);
    TargetNamer::new(&json!({ "rules": all }))
}

fn target(namer: &TargetNamer, schema: &str, table: &str) -> String {
    namer
        .target_of(schema, table)
        .unwrap_or_else(|why| panic!("{schema}.{table} unknown: {why}"))
        .qualified()
}

fn unknown(namer: &TargetNamer, schema: &str, table: &str) -> String {
    match namer.target_of(schema, table) {
        Ok(name) => panic!(
            "{schema}.{table} should be unknown, got {}",
            name.qualified()
        ),
        Err(why) => why,
    }
}

#[test]
fn without_transformations_the_target_name_is_the_source_name() {
    let namer = namer(vec![]);
    assert_eq!(target(&namer, "Sales", "Orders"), "Sales.Orders");
}

#[test]
fn each_table_action_gives_the_name_dms_gives() {
    let cases = [
        (
            "rename",
            json!({"value": "purchases"}),
            "orders",
            "purchases",
        ),
        ("convert-lowercase", json!({}), "ORDERS", "orders"),
        ("convert-uppercase", json!({}), "orders", "ORDERS"),
        (
            "add-prefix",
            json!({"value": "mig_"}),
            "orders",
            "mig_orders",
        ),
        (
            "remove-prefix",
            json!({"value": "tbl_"}),
            "tbl_orders",
            "orders",
        ),
        (
            "remove-prefix",
            json!({"value": "tbl_"}),
            "orders",
            "orders",
        ),
        (
            "replace-prefix",
            json!({"value": "new_", "old-value": "old_"}),
            "old_orders",
            "new_orders",
        ),
        (
            "replace-prefix",
            json!({"value": "new_", "old-value": "old_"}),
            "orders",
            "orders",
        ),
        ("add-suffix", json!({"value": "_v2"}), "orders", "orders_v2"),
        (
            "remove-suffix",
            json!({"value": "_DMS"}),
            "orders_DMS",
            "orders",
        ),
        (
            "remove-suffix",
            json!({"value": "_DMS"}),
            "orders_dms",
            "orders_dms",
        ),
        (
            "replace-suffix",
            json!({"value": "_new", "old-value": "_old"}),
            "orders_old",
            "orders_new",
        ),
    ];
    for (action, more, source, expected) in cases {
        let namer = namer(vec![rule("2", "table", action, "app", Some("%"), more)]);
        assert_eq!(
            target(&namer, "app", source),
            format!("app.{expected}"),
            "{action} on {source}"
        );
    }
}

#[test]
fn a_schema_rule_renames_the_schema_and_a_table_rule_the_table() {
    let namer = namer(vec![
        rule(
            "2",
            "schema",
            "rename",
            "HR",
            None,
            json!({"value": "people"}),
        ),
        rule(
            "3",
            "table",
            "convert-lowercase",
            "HR",
            Some("%"),
            json!({}),
        ),
        rule(
            "4",
            "schema",
            "add-prefix",
            "ops",
            None,
            json!({"value": "x_"}),
        ),
    ]);
    assert_eq!(target(&namer, "HR", "EMPLOYEES"), "people.employees");
    assert_eq!(target(&namer, "ops", "Jobs"), "x_ops.Jobs");
    assert_eq!(target(&namer, "other", "T"), "other.T");
}

#[test]
fn rule_order_does_not_matter_between_a_schema_and_a_table_rule() {
    let schema = rule("2", "schema", "convert-uppercase", "app", None, json!({}));
    let table = rule(
        "3",
        "table",
        "add-suffix",
        "app",
        Some("%"),
        json!({"value": "_x"}),
    );
    let forwards = namer(vec![schema.clone(), table.clone()]);
    let backwards = namer(vec![table, schema]);
    assert_eq!(target(&forwards, "app", "t"), "APP.t_x");
    assert_eq!(target(&backwards, "app", "t"), "APP.t_x");
}

#[test]
fn wildcards_match_as_dms_documents_them_and_brackets_are_not_predicted() {
    let yes = [
        ("%", ""),
        ("%", "orders"),
        ("ord%", "orders"),
        ("%ers", "orders"),
        ("o%r%s", "orders"),
        ("order_", "orders"),
        ("_rders", "orders"),
        ("Orders", "Orders"),
    ];
    for (pattern, name) in yes {
        assert_eq!(
            pattern_matches(pattern, name),
            Some(true),
            "{pattern} ~ {name}"
        );
    }
    let no = [
        ("ord%", "bord"),
        ("order_", "order"),
        ("order_", "orders1"),
        ("Orders", "orders"),
        ("orders", "orders_archive"),
    ];
    for (pattern, name) in no {
        assert_eq!(
            pattern_matches(pattern, name),
            Some(false),
            "{pattern} !~ {name}"
        );
    }
    // Bracket patterns "may not work with all endpoint types" (Wildcards page):
    // no prediction.
    for pattern in ["t[_]1", "[ab]x", "[a-d]x", "t[ab", "t[]"] {
        assert_eq!(pattern_matches(pattern, "t_1"), None, "{pattern}");
    }
}

#[test]
fn a_rule_applies_only_to_the_tables_its_locator_matches() {
    let namer = namer(vec![rule(
        "2",
        "table",
        "add-prefix",
        "app",
        Some("audit_%"),
        json!({"value": "old_"}),
    )]);
    assert_eq!(target(&namer, "app", "audit_log"), "app.old_audit_log");
    assert_eq!(target(&namer, "app", "orders"), "app.orders");
    assert_eq!(target(&namer, "other", "audit_log"), "other.audit_log");
}

#[test]
fn two_rules_on_the_same_table_or_schema_leave_the_name_unknown() {
    let namer = namer(vec![
        rule(
            "2",
            "table",
            "convert-lowercase",
            "app",
            Some("%"),
            json!({}),
        ),
        rule(
            "3",
            "table",
            "add-prefix",
            "app",
            Some("ORD%"),
            json!({"value": "x_"}),
        ),
        rule("4", "schema", "rename", "s%", None, json!({"value": "a"})),
        rule("5", "schema", "rename", "%1", None, json!({"value": "b"})),
    ]);
    let why = unknown(&namer, "app", "ORDERS");
    assert!(
        why.contains("rules 2, 3") && why.contains("one transformation per table"),
        "{why}"
    );
    assert_eq!(target(&namer, "app", "ITEMS"), "app.items");
    let why = unknown(&namer, "s1", "t");
    assert!(
        why.contains("rules 4, 5") && why.contains("schema s1"),
        "{why}"
    );
    assert_eq!(target(&namer, "s2", "t"), "a.t");
}

#[test]
fn rules_that_are_not_modeled_leave_matching_names_unknown_and_others_alone() {
    let object_mapping = json!({"rule-type": "object-mapping", "rule-id": "6", "rule-name": "m",
        "rule-action": "map-record-to-record",
        "object-locator": {"schema-name": "app", "table-name": "events"},
        "target-table-name": "Events"});
    let namer = namer(vec![
        rule(
            "2",
            "table",
            "add-column",
            "app",
            Some("orders"),
            json!({"value": "c"}),
        ),
        rule(
            "3",
            "view",
            "rename",
            "app",
            Some("v%"),
            json!({"value": "w"}),
        ),
        rule(
            "4",
            "column",
            "rename",
            "app",
            Some("%"),
            json!({"value": "c2"}),
        ),
        rule(
            "5",
            "table",
            "define-primary-key",
            "app",
            Some("%"),
            json!({"primary-key-def": {}}),
        ),
        object_mapping,
    ]);
    let why = unknown(&namer, "app", "orders");
    assert!(
        why.contains("rule 2") && why.contains("add-column"),
        "{why}"
    );
    let why = unknown(&namer, "app", "v1");
    assert!(
        why.contains("rule 3") && why.contains("rule-target `view`"),
        "{why}"
    );
    let why = unknown(&namer, "app", "events");
    assert!(why.contains("object-mapping rule 6"), "{why}");
    // Column rules and define-primary-key keep the table's name.
    assert_eq!(target(&namer, "app", "items"), "app.items");
}

#[test]
fn an_unreadable_pattern_or_the_escape_character_leaves_the_name_unknown() {
    let namer = namer(vec![rule(
        "2",
        "table",
        "add-prefix",
        "app",
        Some("t[ab"),
        json!({"value": "x"}),
    )]);
    assert!(unknown(&namer, "app", "ta").contains("`t[ab`"));
    let escaped = namer_with_escape();
    let why = unknown(&escaped, "ROOT", "TEST_T1");
    assert!(why.contains("escape character `#`"), "{why}");
}

fn namer_with_escape() -> TargetNamer {
    namer(vec![rule(
        "2",
        "table",
        "add-prefix",
        "ROOT",
        Some("TEST#_T%"),
        json!({"value": "X_"}),
    )])
    .with_escape_character('#')
}

#[test]
fn a_table_rule_naming_the_renamed_schema_leaves_the_name_unknown() {
    let namer = namer(vec![
        rule("2", "schema", "rename", "HR", None, json!({"value": "hr"})),
        rule(
            "3",
            "table",
            "convert-lowercase",
            "hr",
            Some("%"),
            json!({}),
        ),
    ]);
    let why = unknown(&namer, "HR", "EMPLOYEES");
    assert!(
        why.contains("table rule 3") && why.contains("schema hr"),
        "{why}"
    );
}

#[test]
fn a_schema_override_names_the_schema_unless_a_schema_rule_also_does() {
    let override_ = SchemaOverride {
        schema: "landing".into(),
        source: "the task setting TargetMetadata.TargetSchema".into(),
    };
    let namer = namer(vec![
        rule(
            "2",
            "schema",
            "rename",
            "hr",
            None,
            json!({"value": "people"}),
        ),
        rule(
            "3",
            "table",
            "add-suffix",
            "app",
            Some("%"),
            json!({"value": "_v1"}),
        ),
    ])
    .with_schema_override(override_);
    assert_eq!(target(&namer, "app", "orders"), "landing.orders_v1");
    let why = unknown(&namer, "hr", "staff");
    assert!(
        why.contains("rule 2") && why.contains("TargetMetadata.TargetSchema"),
        "{why}"
    );
}

#[test]
fn a_renaming_rule_without_its_value_leaves_the_name_unknown() {
    let namer = namer(vec![rule(
        "2",
        "table",
        "replace-suffix",
        "app",
        Some("%"),
        json!({"value": "_n"}),
    )]);
    let why = unknown(&namer, "app", "t_o");
    assert!(why.contains("rule 2") && why.contains("old-value"), "{why}");
}

#[test]
fn rules_that_name_no_table_leave_the_name_alone_and_brackets_make_it_unknown() {
    let validation = json!({"rule-type": "validation", "rule-id": "2", "rule-name": "v",
        "rule-target": "column", "rule-action": "override-validation-function",
        "object-locator": {"schema-name": "app", "table-name": "orders", "column-name": "c"},
        "source-function": "${column-name}", "target-function": "${column-name}"});
    let tablespace = rule(
        "3",
        "table-tablespace",
        "rename",
        "app",
        Some("%"),
        json!({"value": "ts"}),
    );
    let key = rule(
        "4",
        "table",
        "define-primary-key",
        "app",
        Some("orders"),
        json!({"primary-key-def": {"name": "pk", "columns": ["id"]}}),
    );
    let masked = rule(
        "5",
        "column",
        "data-masking-hash-mask",
        "app",
        Some("orders"),
        json!({}),
    );
    let quiet = namer(vec![validation, tablespace, key, masked]);
    assert_eq!(target(&quiet, "app", "orders"), "app.orders");

    let bracketed = namer(vec![rule(
        "2",
        "table",
        "add-prefix",
        "app",
        Some("[ab]%"),
        json!({"value": "x_"}),
    )]);
    let why = unknown(&bracketed, "app", "a1");
    assert!(
        why.contains("may not work with all endpoint types"),
        "{why}"
    );
}
