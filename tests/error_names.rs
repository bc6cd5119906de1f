//! The error names in Retry and Catch rules are names the functions really return
//! (`ErrorKind::as_str`) or names of Step Functions and the integrated services, and
//! the retry policy follows `ErrorKind::is_transient`.

mod support;

use std::collections::BTreeSet;

use dmsflow::ErrorKind;
use support::asl::{self, Asl, LAMBDA_INVOKE};

/// The service prefix a Task's own integration may raise, besides `States.`.
fn service_prefix(resource: &str) -> Option<&'static str> {
    match resource {
        LAMBDA_INVOKE | "arn:aws:states:::lambda:invoke.waitForTaskToken" => Some("Lambda."),
        "arn:aws:states:::states:startExecution" => Some("StepFunctions."),
        "arn:aws:states:::sns:publish" => Some("SNS."),
        _ => None,
    }
}

fn kind_names() -> BTreeSet<&'static str> {
    ErrorKind::ALL.iter().map(|k| k.as_str()).collect()
}

#[test]
fn every_error_name_is_known() {
    let kinds = kind_names();
    for (name, state) in Asl::load().states() {
        let resource = state["Resource"].as_str().unwrap_or_default();
        for error in asl::error_names(&state["Retry"])
            .into_iter()
            .chain(asl::error_names(&state["Catch"]))
        {
            let service = service_prefix(resource).is_some_and(|p| error.starts_with(p));
            let function_kind = resource == LAMBDA_INVOKE && kinds.contains(error.as_str());
            assert!(
                error.starts_with("States.") || service || function_kind,
                "state {name} names error {error:?}, which neither Step Functions, its integration nor the functions (ErrorKind) produce"
            );
        }
    }
}

#[test]
fn every_transient_kind_is_retried_and_no_permanent_kind_is() {
    let asl = Asl::load();
    for (name, task) in asl.lambda_tasks() {
        let retried = asl::retried_names(task);
        for kind in ErrorKind::ALL {
            assert_eq!(
                retried.contains(kind.as_str()),
                kind.is_transient(),
                "{name}: {kind} is {} but is{} retried",
                if kind.is_transient() {
                    "transient"
                } else {
                    "permanent"
                },
                if retried.contains(kind.as_str()) {
                    ""
                } else {
                    " not"
                },
            );
        }
        for wildcard in ["States.ALL", "States.TaskFailed"] {
            assert!(
                !retried.contains(wildcard),
                "{name} retries {wildcard}, which would retry permanent errors too"
            );
        }
    }
}

#[test]
fn every_kind_has_a_distinct_stable_name() {
    let names = kind_names();
    assert_eq!(names.len(), ErrorKind::ALL.len(), "two kinds share a name");
    assert!(
        names
            .iter()
            .all(|n| n.chars().all(|c| c.is_ascii_alphanumeric()))
    );
}
