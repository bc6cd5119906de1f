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
    assert_eq!(
        tasks.len(),
        15,
        "the recipe's steps and the cutover's, each a Lambda Task"
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
fn every_lambda_task_sends_the_whole_state_and_takes_the_functions_answer_as_the_state() {
    for (name, task) in Asl::load().lambda_tasks() {
        let function = task["Parameters"]["FunctionName"]
            .as_str()
            .unwrap_or_default();
        assert!(
            function.starts_with("${") && function.ends_with("FunctionArn}"),
            "{name}: FunctionName must be a whole ${{...FunctionArn}} placeholder, is {function:?}"
        );
        let payload = &task["Parameters"]["Payload"];
        assert_eq!(payload["state.$"], "$", "{name} sends the whole state");
        assert_eq!(payload["step.$"], "$$.State.Name", "{name} names itself");
        assert_eq!(payload["execution.$"], "$$.Execution.Id", "{name}");
        let output = task["OutputPath"].as_str().unwrap_or_default();
        assert!(
            output.starts_with("$.Payload"),
            "{name}: the function's answer is the new state (OutputPath $.Payload), not {output:?}"
        );
    }
}

#[test]
fn the_definition_reads_as_the_recipe_with_no_state_that_only_moves_data() {
    let asl = Asl::load();
    let states = asl.states();
    // 30 for the recipe as the lean workflow left it, 3 for AssessMigration's loop
    // (its Task, Choice and Wait), and 9 for the cutover (DrainReplication's and
    // StopReplication's loops, the approval's Choice and Task, VerifyTarget).
    assert!(
        states.len() <= 42,
        "the recipe fits in 42 states, the definition has {}",
        states.len()
    );
    let pass: Vec<_> = states
        .iter()
        .filter(|(_, s)| s["Type"] == "Pass")
        .map(|(n, _)| n.clone())
        .collect();
    assert!(pass.is_empty(), "Pass states only move data: {pass:?}");
    fn intrinsics(value: &Value, out: &mut Vec<String>) {
        match value {
            Value::Object(map) => {
                for (key, value) in map {
                    if key.ends_with(".$")
                        && value.as_str().is_some_and(|v| v.starts_with("States."))
                    {
                        out.push(key.clone());
                    }
                    intrinsics(value, out);
                }
            }
            Value::Array(items) => items.iter().for_each(|v| intrinsics(v, out)),
            _ => {}
        }
    }
    for (name, state) in &states {
        let mut found = Vec::new();
        intrinsics(state, &mut found);
        assert!(
            found.is_empty(),
            "{name} computes in the definition (intrinsic functions in {found:?}): the functions do that"
        );
    }
    for step in [
        "ClaimRun",
        "ValidateSpec",
        "CreateResources",
        "TestConnections",
        "EnableValidation",
        "StartReplication",
        "CheckProgress",
        "ContinueInNewExecution",
        "NotifySuccess",
        "Cleanup",
        "NotifyFailure",
    ] {
        assert_eq!(
            states.get(step).map(|s| s["Resource"].clone()),
            Some(Value::from(LAMBDA_INVOKE)),
            "the recipe's step {step} is a Lambda Task"
        );
    }
}

#[test]
fn every_catch_leads_straight_to_the_failure_notice_which_ends_in_the_fail_state() {
    let asl = Asl::load();
    let states = asl.states();
    let fail_states: Vec<_> = states
        .iter()
        .filter(|(_, s)| s["Type"] == "Fail")
        .map(|(n, _)| n.clone())
        .collect();
    assert_eq!(
        fail_states,
        ["FailRun"],
        "one Fail state carries every failure"
    );
    assert_eq!(states["FailRun"]["ErrorPath"], "$.failure.error");
    assert_eq!(states["FailRun"]["CausePath"], "$.failure.cause");
    for (name, task) in states.iter().filter(|(_, s)| s["Type"] == "Task") {
        assert!(
            !asl::retried_names(task).is_empty(),
            "{name} retries nothing"
        );
        if *name == "NotifyFailure" {
            assert!(
                task["Catch"].is_null(),
                "the failure notice has no Catch: if it fails, the safety net announces the execution"
            );
            continue;
        }
        let catchers = task["Catch"]
            .as_array()
            .unwrap_or_else(|| panic!("{name} has no Catch"));
        assert_eq!(catchers.len(), 1, "{name}: one Catch");
        let all = &catchers[0];
        assert_eq!(
            all["ErrorEquals"],
            serde_json::json!(["States.ALL"]),
            "{name}"
        );
        assert_eq!(
            all["Next"], "NotifyFailure",
            "{name}: straight to the failure notice"
        );
        assert_eq!(
            all["ResultPath"],
            format!("$.failed_at.{name}"),
            "{name}: the error is kept under the failed state's name, with the state"
        );
    }
    assert!(
        asl.reachable_from("NotifyFailure").contains("Cleanup")
            && asl.reachable_from("NotifyFailure").contains("FailRun"),
        "after the alert, the failure path cleans up per the spec's policy and fails"
    );
}

#[test]
fn every_loop_waits_as_long_as_its_function_says() {
    let asl = Asl::load();
    let states = asl.states();
    let waits: Vec<_> = states.iter().filter(|(_, s)| s["Type"] == "Wait").collect();
    assert_eq!(waits.len(), 10, "one Wait per loop");
    for (name, wait) in waits {
        assert_eq!(
            wait["SecondsPath"], "$.step.wait_seconds",
            "{name} must wait as the function suggests"
        );
        let task = wait["Next"].as_str().expect("Wait has Next");
        assert_eq!(
            states[task]["Resource"], LAMBDA_INVOKE,
            "{name} must loop back to its function"
        );
    }
}

#[test]
fn long_runs_continue_in_a_new_execution_started_by_a_function() {
    let asl = Asl::load();
    let states = asl.states();
    assert!(
        !states
            .values()
            .any(|s| s["Resource"] == "arn:aws:states:::states:startExecution"),
        "the hand-over is a function (aws-sdk-sfn), which the local stack runs as deployed"
    );
    let hand_over = &states["ContinueInNewExecution"];
    assert_eq!(hand_over["End"], true, "the hand-over ends the execution");
    assert_eq!(hand_over["OutputPath"], "$.Payload.result");
    assert!(
        states["MigrationComplete?"]
            .to_string()
            .contains("$.step.hand_over"),
        "the progress loop hands over when the function says"
    );
}

#[test]
fn the_approval_waits_for_a_person_bounded_and_keeps_the_state() {
    let asl = Asl::load();
    let states = asl.states();
    let approval = &states["AwaitApproval"];
    assert_eq!(
        approval["Resource"],
        "arn:aws:states:::lambda:invoke.waitForTaskToken"
    );
    assert_eq!(
        approval["Parameters"]["Payload"]["token.$"],
        "$$.Task.Token"
    );
    assert_eq!(approval["Parameters"]["Payload"]["state.$"], "$");
    assert_eq!(
        approval["TimeoutSecondsPath"], "$.cutover.approval_timeout_seconds",
        "bounded, by the request"
    );
    assert_eq!(
        approval["ResultPath"], "$.cutover.approval",
        "the answer joins the cutover's record; the state is kept"
    );
    assert!(approval["OutputPath"].is_null());
    assert_eq!(approval["Next"], "StopReplication");
    assert_eq!(states["ApprovalRequired?"]["Default"], "StopReplication");
}
