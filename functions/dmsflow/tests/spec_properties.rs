//! Property-based tests of the spec parser: whatever it is given (any JSON, any
//! text, the sample specs broken in random ways) it never panics; it refuses with
//! an `InvalidSpec` error whose every problem names a real location, says what is
//! wrong and how to fix it, and never repeats a password; and a spec it accepts
//! reads back the same after being written out.
//!
//! The normal run keeps to a few thousand cases; `PROPTEST_CASES` sets the
//! number of cases of every property for a long run (docs/testing.md).

#[path = "spec_properties/locations.rs"]
mod locations;
#[path = "spec_properties/strategies.rs"]
mod strategies;

use std::sync::LazyLock;

use dmsflow::ErrorKind;
use dmsflow::spec::MigrationSpec;
use dmsflow::spec::parse::{invalid_spec, is_password_key, parse_str, parse_value, validate_value};
use dmsflow::spec::schema::spec_schema;
use proptest::prelude::*;
use serde_json::Value;

use strategies::{Mutation, SAMPLES};

static SCHEMA: LazyLock<Value> = LazyLock::new(spec_schema);

/// `cases` cases, unless `PROPTEST_CASES` asks for another number. A failure
/// prints its shrunk input: turn it into a named regression test beside the fix.
fn config(cases: u32) -> ProptestConfig {
    let mut config = if std::env::var_os("PROPTEST_CASES").is_some() {
        ProptestConfig::default()
    } else {
        ProptestConfig::with_cases(cases)
    };
    config.failure_persistence = None;
    config
}

/// Writing an accepted spec out and parsing it again gives the same spec.
fn round_trips(spec: &MigrationSpec) -> Result<(), TestCaseError> {
    let text = serde_json::to_string(spec).expect("a spec serializes");
    match parse_str(&text) {
        Ok(again) => prop_assert_eq!(&again, spec, "{}", text),
        Err(error) => prop_assert!(
            false,
            "the written spec is refused: {}\n{}",
            error.message,
            text
        ),
    }
    Ok(())
}

/// Checks what the parser makes of `document`: an accepted spec round-trips; a
/// refusal is one `InvalidSpec` listing every problem, each at a real location,
/// with a problem and a fix, and none of `secrets` appears in it.
fn check_outcome(document: &Value, secrets: &[String]) -> Result<(), TestCaseError> {
    let problems = match validate_value(document) {
        Ok(spec) => {
            prop_assert_eq!(parse_value(document).ok(), Some(spec.clone()));
            return round_trips(&spec);
        }
        Err(problems) => problems,
    };
    let error = parse_value(document).expect_err("validate_value refused the document");
    prop_assert_eq!(error.kind, ErrorKind::InvalidSpec);
    prop_assert!(!problems.is_empty(), "refused without a problem");
    prop_assert_eq!(&error.message, &invalid_spec(&problems).message);
    for problem in &problems {
        prop_assert!(
            !problem.problem.trim().is_empty(),
            "no problem text: {:?}",
            problem
        );
        prop_assert!(!problem.fix.trim().is_empty(), "no fix: {:?}", problem);
        if let Some(why) = locations::unreal(document, &SCHEMA, &problem.path) {
            prop_assert!(false, "{}: {:?}\nin {}", why, problem, document);
        }
    }
    for secret in secrets {
        prop_assert!(
            !error.message.contains(secret.as_str()),
            "the password value {:?} is in the message:\n{}",
            secret,
            error.message
        );
    }
    Ok(())
}

/// The pointer of a password-named key anywhere but among the tags (a tag is a
/// label DMS shows, not a setting it uses).
fn password_key(document: &Value) -> Option<String> {
    fn find(value: &Value, at: &str) -> Option<String> {
        match value {
            Value::Object(map) => map.iter().find_map(|(key, value)| {
                let here = format!("{at}/{key}");
                if is_password_key(key) && at != "/tags" {
                    Some(here)
                } else {
                    find(value, &here)
                }
            }),
            Value::Array(items) => items
                .iter()
                .enumerate()
                .find_map(|(i, item)| find(item, &format!("{at}/{i}"))),
            _ => None,
        }
    }
    find(document, "")
}

#[test]
fn the_sample_specs_are_found_and_accepted() {
    let names: Vec<&str> = SAMPLES.iter().map(|(name, _)| name.as_str()).collect();
    assert!(names.contains(&"mysql-full-load-and-cdc.json"), "{names:?}");
    assert!(!names.contains(&"cleanup-only.json"), "{names:?}");
    for (name, sample) in SAMPLES.iter() {
        let spec =
            validate_value(sample).unwrap_or_else(|problems| panic!("{name}: {problems:#?}"));
        round_trips(&spec).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}

#[test]
fn a_refusal_of_a_non_object_is_about_the_whole_spec() {
    for document in [
        Value::Null,
        Value::from(3),
        Value::from("{}"),
        Value::Array(vec![]),
    ] {
        let problems = validate_value(&document).unwrap_err();
        assert_eq!(problems.len(), 1, "{problems:#?}");
        assert!(
            problems[0].to_string().starts_with("(the whole spec): "),
            "{problems:#?}"
        );
    }
}

proptest! {
    #![proptest_config(config(1500))]

    #[test]
    fn any_json_is_parsed_or_refused_with_located_problems(document in strategies::json_document()) {
        check_outcome(&document, &[])?;
    }

    #[test]
    fn mutated_samples_are_refused_at_real_locations_without_secrets(
        (_sample, document, mutations) in strategies::mutated_spec()
    ) {
        let secrets: Vec<String> = mutations
            .iter()
            .filter_map(|mutation| match mutation {
                Mutation::InsertPassword(_, _, secret, _) => Some(secret.clone()),
                _ => None,
            })
            .collect();
        check_outcome(&document, &secrets)?;
        if let Some(path) = password_key(&document) {
            prop_assert!(validate_value(&document).is_err(), "a password at {} was accepted", path);
        }
    }
}

proptest! {
    #![proptest_config(config(2000))]

    #[test]
    fn any_text_is_parsed_or_refused_with_located_problems(text in strategies::text()) {
        let outcome = parse_str(&text);
        match serde_json::from_str::<Value>(&text) {
            Ok(document) => {
                let direct = parse_value(&document);
                prop_assert_eq!(
                    outcome.as_ref().map_err(|e| &e.message),
                    direct.as_ref().map_err(|e| &e.message)
                );
                check_outcome(&document, &[])?;
            }
            Err(_) => {
                let error = outcome.expect_err("text serde_json refuses was accepted");
                prop_assert_eq!(error.kind, ErrorKind::InvalidSpec);
                let mut lines = error.message.lines();
                prop_assert_eq!(lines.next(), Some("The migration spec has 1 problem:"));
                let problem = lines.next().unwrap_or_default();
                prop_assert!(problem.starts_with("1. line ") && problem.contains(", column "), "{}", problem);
                prop_assert!(problem.contains("not valid JSON") && problem.contains("Fix: "), "{}", problem);
                prop_assert_eq!(lines.next(), None);
            }
        }
    }
}

proptest! {
    #![proptest_config(config(500))]

    #[test]
    fn valid_specs_are_accepted_and_round_trip(document in strategies::valid_spec()) {
        match validate_value(&document) {
            Ok(spec) => round_trips(&spec)?,
            Err(problems) => prop_assert!(false, "a valid spec was refused: {:#?}\n{}", problems, document),
        }
    }
}
