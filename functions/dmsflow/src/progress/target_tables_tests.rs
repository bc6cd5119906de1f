use serde_json::{Value, json};

use super::super::fixtures::{spec, table, task};
use super::super::summary::table_state::COMPLETED;
use super::*;

fn rows(names: &[&str]) -> Vec<TableStats> {
    names.iter().map(|n| table(n, COMPLETED, "")).collect()
}

fn build(changes: Value, task: &Task, tables: &[TableStats]) -> TargetTables {
    let loaded: Vec<&TableStats> = tables.iter().collect();
    TargetTables::build(&spec(changes), task, &loaded)
}

fn full_load() -> Task {
    task("full-load", "stopped")
}

#[test]
fn each_prep_mode_says_what_it_did_to_the_target_tables() {
    let cases = [
        (
            json!({}),
            "DO_NOTHING",
            "loaded into existing tables; DMS created any that were missing",
        ),
        (
            json!({"target_table_prep": "truncate-before-load"}),
            "TRUNCATE_BEFORE_LOAD",
            "truncated, then loaded",
        ),
        (
            json!({"target_table_prep": "drop-and-create"}),
            "DROP_AND_CREATE",
            "dropped and re-created (existing data replaced)",
        ),
    ];
    for (changes, mode, says) in cases {
        let section = build(changes, &full_load(), &rows(&["sales.orders"]));
        assert_eq!(section.prep_mode, mode);
        assert!(
            section.effect.starts_with(says),
            "{mode}: {}",
            section.effect
        );
    }
    assert!(effect_of("SOMETHING_NEW").contains("does not know"));
}

#[test]
fn the_mode_the_task_holds_wins_and_a_difference_from_the_spec_is_said() {
    let mut held = full_load();
    held.settings =
        Some(json!({"FullLoadSettings": {"TargetTablePrepMode": "DROP_AND_CREATE"}}).to_string());
    let section = build(json!({}), &held, &rows(&["sales.orders"]));
    assert_eq!(section.prep_mode, "DROP_AND_CREATE");
    assert!(
        section.effect.starts_with("dropped and re-created")
            && section.effect.contains(
                "the spec asks for DO_NOTHING, but the replication task holds DROP_AND_CREATE"
            ),
        "{}",
        section.effect
    );
    held.settings =
        Some(json!({"FullLoadSettings": {"TargetTablePrepMode": "DO_NOTHING"}}).to_string());
    let section = build(json!({}), &held, &rows(&["sales.orders"]));
    assert!(!section.effect.contains("spec asks"), "{}", section.effect);
}

#[test]
fn a_cdc_only_task_prepares_nothing() {
    let section = build(
        json!({"target_table_prep": "drop-and-create", "migration_type": "cdc"}),
        &task("cdc", "running"),
        &rows(&["sales.orders"]),
    );
    assert_eq!(section.prep_mode, prep_mode::NOT_APPLIED);
    assert!(
        section.effect.starts_with("not prepared"),
        "{}",
        section.effect
    );
    assert_eq!(section.tables, ["sales.orders"]);
}

#[test]
fn tables_are_listed_by_target_name_and_unknown_names_are_said_with_why() {
    let mappings = json!({"rules": [
        {"rule-type": "selection", "rule-id": "1", "rule-name": "s",
         "object-locator": {"schema-name": "sales", "table-name": "%"}, "rule-action": "include"},
        {"rule-type": "transformation", "rule-id": "2", "rule-name": "p", "rule-target": "table",
         "object-locator": {"schema-name": "sales", "table-name": "%"},
         "rule-action": "add-prefix", "value": "mig_"},
        {"rule-type": "object-mapping", "rule-id": "3", "rule-name": "m",
         "rule-action": "map-record-to-record",
         "object-locator": {"schema-name": "sales", "table-name": "events"}}
    ]});
    let section = build(
        json!({"table_mappings": mappings}),
        &full_load(),
        &rows(&["sales.orders", "sales.events", "sales.customers"]),
    );
    assert_eq!(section.tables, ["sales.mig_customers", "sales.mig_orders"]);
    assert_eq!(section.total, 3);
    assert_eq!(section.names_unknown.len(), 1);
    assert!(
        section.names_unknown[0].starts_with("sales.events: object-mapping rule 3"),
        "{:?}",
        section.names_unknown
    );
}

#[test]
fn the_list_is_capped_but_the_total_is_not() {
    let names: Vec<String> = (0..TARGET_TABLES_LISTED + 5)
        .map(|i| format!("sales.t{i:04}"))
        .collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let section = build(json!({}), &full_load(), &rows(&names));
    assert_eq!(section.tables.len(), TARGET_TABLES_LISTED);
    assert_eq!(section.tables[0], "sales.t0000");
    assert_eq!(section.total as usize, TARGET_TABLES_LISTED + 5);
}

#[test]
fn a_target_schema_setting_or_a_specific_mysql_database_names_the_schema() {
    let mut held = full_load();
    held.settings = Some(json!({"TargetMetadata": {"TargetSchema": "landing"}}).to_string());
    let section = build(json!({}), &held, &rows(&["sales.orders"]));
    assert_eq!(section.tables, ["landing.orders"]);

    let target = json!({
        "engine": "mysql", "server": "t.example.internal", "port": 3306, "database": "shop",
        "extra_connection_attributes": "parallelLoadThreads=4; TargetDbType=SPECIFIC_DATABASE",
        "secret_arn": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:t-AbCdEf",
        "secret_access_role_arn": "arn:aws:iam::123456789012:role/dms-secrets-access"
    });
    let section = build(
        json!({"target": target}),
        &full_load(),
        &rows(&["sales.orders"]),
    );
    assert_eq!(section.tables, ["shop.orders"]);
}

#[test]
fn a_pattern_using_the_endpoints_escape_character_leaves_names_unknown() {
    let mut changes = json!({"table_mappings": {"rules": [
        {"rule-type": "selection", "rule-id": "1", "rule-name": "s",
         "object-locator": {"schema-name": "sales", "table-name": "%"}, "rule-action": "include"},
        {"rule-type": "transformation", "rule-id": "2", "rule-name": "p", "rule-target": "table",
         "object-locator": {"schema-name": "sales", "table-name": "T#_%"},
         "rule-action": "add-prefix", "value": "X"}
    ]}});
    let section = build(changes.clone(), &full_load(), &rows(&["sales.T_1"]));
    assert!(
        section.names_unknown.is_empty(),
        "no escape character: `#` is a literal"
    );
    // Without an escape character `#` is a literal: T_1 does not match T#_%.
    assert_eq!(section.tables, ["sales.T_1"]);
    changes["source"] = serde_json::to_value(spec(json!({})).source).unwrap();
    changes["source"]["extra_connection_attributes"] = json!("escapeCharacter=#");
    let section = build(changes, &full_load(), &rows(&["sales.T_1"]));
    assert!(section.tables.is_empty());
    assert!(
        section.names_unknown[0].contains("escape character `#`"),
        "{:?}",
        section.names_unknown
    );
}

#[test]
fn the_section_serializes_under_stable_names() {
    let section = build(json!({}), &full_load(), &rows(&["sales.orders"]));
    let value = serde_json::to_value(&section).unwrap();
    assert_eq!(value["prep_mode"], "DO_NOTHING");
    assert_eq!(value["tables"], json!(["sales.orders"]));
    assert_eq!(value["total"], 1);
    assert!(value["effect"].is_string());
    assert!(value.get("names_unknown").is_none(), "{value}");
    let back: TargetTables = serde_json::from_value(value).unwrap();
    assert_eq!(back, section);
}
