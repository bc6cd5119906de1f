//! ValidateSpec on its own: no AWS call, every problem at once, defaults filled.

use serde_json::json;

use super::*;
use crate::progress::fixtures;
use crate::steps::read_spec;
use crate::workflow::Route;

const TOPIC: &str = "arn:aws:sns:us-east-1:111122223333:dmsflow-alerts";
const EXECUTION: &str = "arn:aws:states:us-east-1:111122223333:execution:dmsflow-migration:orders";

fn call(input: Value) -> StepCall {
    let state = RunState::begin(EXECUTION, input).unwrap();
    StepCall {
        state: serde_json::to_value(state).unwrap(),
        step: "ValidateSpec".into(),
        execution: EXECUTION.into(),
        input: None,
        token: None,
    }
}

#[test]
fn validate_fills_defaults_and_the_topic() {
    let validated = validate(
        &fixtures::spec_json(json!({})),
        &StackBounds::alert_topic_only(Some(TOPIC)),
    )
    .unwrap();
    assert_eq!(validated.spec["notifications"]["sns_topic_arn"], TOPIC);
    assert_eq!(validated.spec["instance"]["class"], "dms.t3.medium");
    assert_eq!(validated.spec["cleanup"]["on_failure"], "keep");
    assert_eq!(validated.names, Names::for_run("orders"));
    assert!(
        validated.plan[0].starts_with("create replication subnet group dmsflow-orders-subnets"),
        "{:?}",
        validated.plan
    );
    // Later steps read the normalized spec with plain serde.
    let spec = read_spec(&validated.spec).unwrap();
    assert_eq!(spec.run_id, "orders");
}

#[test]
fn validate_keeps_the_specs_own_topic() {
    let mut spec = fixtures::spec_json(json!({}));
    spec["notifications"] = json!({"sns_topic_arn": TOPIC});
    let validated = validate(
        &spec,
        &StackBounds::alert_topic_only(Some("arn:aws:sns:us-east-1:111122223333:stack")),
    )
    .unwrap();
    assert_eq!(validated.spec["notifications"]["sns_topic_arn"], TOPIC);
}

#[test]
fn validate_lists_every_problem_including_a_missing_topic() {
    let spec = fixtures::spec_json(json!({"instance": {"allocated_storage_gb": 1}}));
    let error = validate(&spec, &StackBounds::alert_topic_only(None)).unwrap_err();
    assert_eq!(error.kind, ErrorKind::InvalidSpec);
    assert!(
        error.message.contains("instance.allocated_storage_gb"),
        "{}",
        error.message
    );
    assert!(
        error.message.contains("notifications.sns_topic_arn"),
        "{}",
        error.message
    );
    let error = validate(
        &fixtures::spec_json(json!({})),
        &StackBounds::alert_topic_only(None),
    )
    .unwrap_err();
    assert!(
        error
            .message
            .starts_with("The migration spec has 1 problem"),
        "{}",
        error.message
    );
}

#[test]
fn the_step_puts_the_run_into_the_state_and_drops_the_raw_input() {
    let state = step(
        call(fixtures::spec_json(json!({}))),
        &StackBounds::alert_topic_only(Some(TOPIC)),
    )
    .unwrap();
    assert_eq!(state.route, Route::Migrate);
    assert!(state.input.is_null());
    let run = state.run.as_ref().unwrap();
    assert_eq!(
        (run.generation, run.first_execution_arn.as_str()),
        (1, EXECUTION)
    );
    assert_eq!(run.spec["notifications"]["sns_topic_arn"], TOPIC);
    assert!(state.step.done);
    assert_eq!(state.step.name, "ValidateSpec");
}

#[test]
fn an_invalid_spec_fails_the_step_and_leaves_no_run() {
    let bad = fixtures::spec_json(json!({"source": {"port": 0}}));
    let error = step(call(bad), &StackBounds::alert_topic_only(Some(TOPIC))).unwrap_err();
    assert_eq!(error.kind, ErrorKind::InvalidSpec);
    assert!(error.message.contains("source.port"), "{}", error.message);
}

fn bounded_stack() -> StackBounds {
    StackBounds {
        alert_topic: Some("arn:aws:sns:us-east-1:123456789012:stack-AlertTopic-1".into()),
        run_topic_prefix: Some("dmsflow-".into()),
        secret_access_role_path: Some("/dmsflow-dms/".into()),
    }
}

#[test]
fn a_spec_within_the_stacks_bounds_is_valid() {
    let mut spec = fixtures::spec_json(json!({
        "notifications": {"sns_topic_arn": "arn:aws:sns:us-east-1:123456789012:dmsflow-orders"},
    }));
    spec["source"]["secret_access_role_arn"] =
        json!("arn:aws:iam::123456789012:role/dmsflow-dms/orders");
    spec["target"]["secret_access_role_arn"] =
        json!("arn:aws:iam::123456789012:role/dmsflow-dms/team/orders");
    validate(&spec, &bounded_stack()).unwrap();
}

#[test]
fn roles_and_topics_the_stack_cannot_reach_are_refused_before_anything_is_created() {
    // The fixture's roles are at "/" and its topic is no dmsflow- topic.
    let mut spec = fixtures::spec_json(json!({}));
    spec["notifications"] =
        json!({"sns_topic_arn": "arn:aws:sns:us-east-1:123456789012:orders-alerts"});
    let error = validate(&spec, &bounded_stack()).unwrap_err();
    assert_eq!(error.kind, ErrorKind::InvalidSpec);
    for field in [
        "source.secret_access_role_arn",
        "target.secret_access_role_arn",
        "notifications.sns_topic_arn",
    ] {
        assert!(error.message.contains(field), "{field}: {}", error.message);
    }
    assert!(
        error.message.contains("--path /dmsflow-dms/"),
        "{}",
        error.message
    );
    assert!(
        error
            .message
            .starts_with("The migration spec has 3 problems"),
        "{}",
        error.message
    );
}
