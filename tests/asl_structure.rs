//! The state machine definition is well formed: every transition lands on a state,
//! every state is reachable, every Task retries what is transient and catches the rest
//! into the failure path, and every failure ends in the Fail state.

mod support;

use serde_json::Value;
use support::asl::{self, Asl, LAMBDA_INVOKE};

const LAMBDA_FAULTS: [&str; 5] = [
    "Lambda.ServiceException",
    "Lambda.AWSLambdaException",
    "Lambda.SdkClientException",
    "Lambda.ClientExecutionTimeoutException",
    "Lambda.TooManyRequestsException",
];

#[test]
fn every_transition_names_an_existing_state() {
    let asl = Asl::load();
    let states = asl.states();
    assert!(
        states.contains_key(asl.start_at()),
        "StartAt names no state"
    );
    for (name, state) in &states {
        for target in asl::transitions(state) {
            assert!(
                states.contains_key(&target),
                "state {name} goes to {target}, which does not exist"
            );
        }
    }
}

#[test]
fn every_state_is_reachable() {
    let asl = Asl::load();
    let reachable = asl.reachable_from(asl.start_at());
    let unreachable: Vec<_> = asl
        .states()
        .into_keys()
        .filter(|name| !reachable.contains(name))
        .collect();
    assert!(
        unreachable.is_empty(),
        "unreachable states: {unreachable:?}"
    );
}

#[test]
fn non_terminal_states_go_somewhere() {
    for (name, state) in Asl::load().states() {
        let kind = state["Type"].as_str().unwrap_or_default();
        let terminal = matches!(kind, "Succeed" | "Fail") || state["End"] == true;
        assert!(
            terminal || !asl::transitions(state).is_empty(),
            "{kind} state {name} neither ends nor goes anywhere"
        );
    }
}

#[test]
fn every_lambda_task_retries_lambda_faults_with_jittered_bounded_backoff() {
    let asl = Asl::load();
    let tasks = asl.lambda_tasks();
    assert!(
        tasks.len() >= 7,
        "expected the six functions' tasks, found {}",
        tasks.len()
    );
    for (name, task) in tasks {
        let retried = asl::retried_names(task);
        for fault in LAMBDA_FAULTS {
            assert!(retried.contains(fault), "{name} does not retry {fault}");
        }
        for rule in task["Retry"].as_array().expect("Retry is a list") {
            assert_backoff(&name, rule);
        }
    }
}

fn assert_backoff(name: &str, rule: &Value) {
    let attempts = rule["MaxAttempts"].as_u64().unwrap_or(3);
    assert!(
        (1..=10).contains(&attempts),
        "{name}: MaxAttempts {attempts} is not bounded in 1..=10"
    );
    let backoff = rule["BackoffRate"].as_f64().unwrap_or(2.0);
    assert!(
        backoff > 1.0,
        "{name}: a retry without backoff hammers the API"
    );
    assert_eq!(
        rule["JitterStrategy"], "FULL",
        "{name}: retries need jitter"
    );
    assert!(
        rule["MaxDelaySeconds"].as_u64().is_some(),
        "{name}: bound the retry delay"
    );
}

#[test]
fn every_lambda_task_invokes_a_whole_placeholder_and_selects_the_payload() {
    for (name, task) in Asl::load().lambda_tasks() {
        let function = task["Parameters"]["FunctionName"]
            .as_str()
            .unwrap_or_default();
        assert!(
            function.starts_with("${") && function.ends_with("FunctionArn}"),
            "{name}: FunctionName must be a whole ${{...FunctionArn}} placeholder, is {function:?}"
        );
        let selector = task["ResultSelector"].to_string();
        assert!(
            selector.contains("$.Payload"),
            "{name}: ResultSelector must take the function's Payload"
        );
    }
}

#[test]
fn every_task_catches_everything_into_a_path_that_fails_the_execution() {
    let asl = Asl::load();
    let states = asl.states();
    let fail_states: Vec<_> = states
        .iter()
        .filter(|(_, s)| s["Type"] == "Fail")
        .map(|(n, _)| n.clone())
        .collect();
    assert_eq!(
        fail_states.len(),
        1,
        "one Fail state carries every failure: {fail_states:?}"
    );
    let fail = &fail_states[0];
    assert!(states[fail]["ErrorPath"].is_string() && states[fail]["CausePath"].is_string());
    for (name, task) in states.iter().filter(|(_, s)| s["Type"] == "Task") {
        let catchers = task["Catch"]
            .as_array()
            .unwrap_or_else(|| panic!("{name} has no Catch"));
        let all = catchers
            .iter()
            .find(|c| c["ErrorEquals"] == serde_json::json!(["States.ALL"]))
            .unwrap_or_else(|| panic!("{name} does not catch States.ALL"));
        assert!(
            !asl::retried_names(task).is_empty(),
            "{name} retries nothing"
        );
        if task["Resource"] == LAMBDA_INVOKE {
            let target = all["Next"].as_str().expect("Catch has Next");
            assert!(
                asl.reachable_from(target).contains(fail),
                "a failure of {name} never reaches {fail}"
            );
        }
    }
}

const SNS_PUBLISH: &str = "arn:aws:states:::sns:publish";

fn publishes(state: &serde_json::Value) -> bool {
    state["Resource"] == SNS_PUBLISH
}

#[test]
fn the_failure_path_publishes_one_alert_before_cleaning_up() {
    let asl = Asl::load();
    let states = asl.states();
    let failure_entry = asl.lambda_tasks()[0].1["Catch"][0]["Next"]
        .as_str()
        .expect("Catch has Next")
        .to_string();
    let first: Vec<String> = asl
        .reachable_until(&failure_entry, publishes)
        .into_iter()
        .filter(|n| publishes(states[n]))
        .collect();
    assert_eq!(
        first.len(),
        1,
        "the failure path must come to exactly one alert first: {first:?}"
    );
    let alert = &states[&first[0]];
    assert!(
        alert["Parameters"]["TopicArn.$"].is_string(),
        "the alert topic is chosen at run time"
    );
    assert!(
        asl.reachable_from(&first[0]).contains("Cleanup"),
        "after the alert, the failure path cleans up per the spec's policy"
    );

    // An alert the run's topic refuses is sent once more, to the stack's topic,
    // before anything else runs.
    let refused = alert["Catch"][0]["Next"].as_str().expect("Catch has Next");
    let fallback: Vec<String> = asl
        .reachable_until(refused, |s| s["Type"] == "Task")
        .into_iter()
        .filter(|n| publishes(states[n]))
        .collect();
    assert_eq!(fallback.len(), 1, "one fallback alert: {fallback:?}");
    assert_eq!(
        states[&fallback[0]]["Parameters"]["TopicArn.$"],
        "$.deployment.alert_topic_arn"
    );
    assert!(
        asl.reachable_from(refused).contains("Cleanup"),
        "an alert nobody could take does not stop the cleanup"
    );
}

#[test]
fn every_loop_waits_as_long_as_its_function_says_and_starts_its_clock_once() {
    let asl = Asl::load();
    let states = asl.states();
    let waits: Vec<_> = states.iter().filter(|(_, s)| s["Type"] == "Wait").collect();
    assert!(waits.len() >= 6, "one Wait per loop");
    for (name, wait) in waits {
        assert_eq!(
            wait["SecondsPath"], "$.loop.last.report.wait_seconds",
            "{name} must wait as the function suggests"
        );
        let task = wait["Next"].as_str().expect("Wait has Next");
        assert_eq!(
            states[task]["Resource"], LAMBDA_INVOKE,
            "{name} must loop back to its function"
        );
    }
    let clocks = states
        .values()
        .filter(|s| s["Parameters"]["started_at.$"] == "$$.State.EnteredTime")
        .count();
    assert!(
        clocks >= 6,
        "every loop's Pass state sets started_at from $$.State.EnteredTime"
    );
}

#[test]
fn long_runs_continue_in_a_new_execution_with_a_deterministic_name() {
    let asl = Asl::load();
    let states = asl.states();
    let (name, start) = states
        .iter()
        .find(|(_, s)| s["Resource"] == "arn:aws:states:::states:startExecution")
        .expect("a state continues the run in a new execution");
    let params = &start["Parameters"];
    assert_eq!(
        params["StateMachineArn.$"], "$$.StateMachine.Id",
        "{name} starts this state machine"
    );
    assert!(params["Name.$"].is_string(), "{name} names the successor");
    let resume = &params["Input"]["resume"];
    for key in [
        "generation.$",
        "parent_execution_arn.$",
        "previous.$",
        "loop_started_at.$",
    ] {
        assert!(resume[key].is_string(), "{name}: resume lacks {key}");
    }
    assert!(
        params["Input"]["spec.$"].is_string(),
        "{name}: the successor gets the spec"
    );
    let successor_name = states
        .values()
        .find_map(|s| s["Parameters"]["successor_name.$"].as_str())
        .expect("the successor's name is computed");
    assert!(
        successor_name.contains("run_id") && successor_name.contains("generation"),
        "the successor's name derives from run id and generation: {successor_name}"
    );
}
