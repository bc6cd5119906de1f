//! The DMS User Guide's own table-mapping examples (`guide_examples.json`: our
//! copies, each with its page and the endpoints it is for): every one the guide
//! gives as valid is accepted, and the ones DMS refuses, or that apply to targets
//! dmsflow does not take, are refused with the reason. Examples the guide prints
//! as invalid JSON, and those for MongoDB and DocumentDB sources, are left out.

use serde::Deserialize;
use serde_json::{Value, json};

use super::{Endpoints, check};

#[derive(Deserialize)]
struct Example {
    id: String,
    title: String,
    page: String,
    source: String,
    target: String,
    /// A fragment of the problem the check reports; absent: accepted.
    #[serde(default)]
    refused: Option<String>,
    /// A whole document, or one rule as the page shows it.
    mapping: Value,
}

fn examples() -> Vec<Example> {
    serde_json::from_str(include_str!("guide_examples.json")).expect("the examples parse")
}

/// The example as a document: a rule the page shows alone gets a selection rule
/// for its schema, as a task needs one.
fn document(mapping: &Value) -> Value {
    if mapping.get("rules").is_some() {
        return mapping.clone();
    }
    let schema = mapping["object-locator"]["schema-name"]
        .as_str()
        .filter(|schema| !schema.contains('%'))
        .unwrap_or("app");
    json!({"rules": [
        {"rule-type": "selection", "rule-id": "999", "rule-name": "include-for-the-example",
         "object-locator": {"schema-name": schema, "table-name": "%"}, "rule-action": "include"},
        mapping
    ]})
}

#[test]
fn every_example_is_accepted_or_refused_as_the_guide_says() {
    let examples = examples();
    assert!(examples.len() >= 75, "{} examples", examples.len());
    for example in &examples {
        assert!(
            example
                .page
                .starts_with("https://docs.aws.amazon.com/dms/latest/userguide/"),
            "{}: {}",
            example.id,
            example.page
        );
        let endpoints = Endpoints {
            source: Some(&example.source),
            target: Some(&example.target),
            engine_version: None,
        };
        let found = check(&document(&example.mapping), "table_mappings", &endpoints);
        match &example.refused {
            None => assert!(
                found.is_empty(),
                "{} ({}, {}) is refused: {found:#?}",
                example.id,
                example.title,
                example.page
            ),
            Some(reason) => assert!(
                found.iter().any(|p| p.problem.contains(reason.as_str())),
                "{} ({}) is not refused with {reason:?}: {found:#?}",
                example.id,
                example.title
            ),
        }
    }
}

#[test]
fn the_examples_cover_every_rule_type_and_action_the_check_accepts() {
    let mut seen = std::collections::BTreeSet::new();
    for example in examples().iter().filter(|e| e.refused.is_none()) {
        let document = document(&example.mapping);
        for rule in document["rules"].as_array().unwrap() {
            let kind = rule["rule-type"].as_str().unwrap_or_default();
            seen.insert(kind.to_string());
            if let Some(action) = rule["rule-action"].as_str() {
                seen.insert(format!("{kind}/{action}"));
            }
        }
    }
    let missing: Vec<String> = [
        "selection",
        "transformation",
        "table-settings",
        "validation",
    ]
    .into_iter()
    .map(str::to_string)
    .chain(
        super::SELECTION_ACTIONS
            .iter()
            .map(|a| format!("selection/{a}")),
    )
    .chain(
        super::TRANSFORMATION_ACTIONS
            .iter()
            .map(|a| format!("transformation/{a}")),
    )
    .filter(|name| !seen.contains(name))
    .collect();
    // The guide shows these actions in its tables but in no example.
    let without_example = [
        "transformation/include-column",
        "transformation/add-suffix",
        "transformation/remove-prefix",
        "transformation/replace-suffix",
    ];
    let unexplained: Vec<&String> = missing
        .iter()
        .filter(|name| !without_example.contains(&name.as_str()))
        .collect();
    assert!(unexplained.is_empty(), "no example shows {unexplained:?}");
}
