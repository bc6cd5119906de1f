use std::path::PathBuf;

use super::calculation::{Costs, Run};
use super::definition::{Definition, Shape};
use super::history::{self, Cost, EXECUTION_STARTED, EXECUTION_SUCCEEDED, HISTORY_LIMIT};
use super::timeline::{Checker, Replication, TASK_SECONDS, setup_loop};
use super::*;

fn names(states: &[&str]) -> Vec<String> {
    states.iter().map(|s| s.to_string()).collect()
}

fn fixed_poll() -> Polling {
    Polling {
        min_wait_seconds: 60,
        max_wait_seconds: 60,
        ..Polling::default()
    }
}

/// The lean definition the state machine is being rewritten into: each loop is
/// Task -> Choice -> Wait -> Task, a continuation goes straight to the checks, and
/// the hand-over is a Lambda Task followed by a Succeed state.
const LEAN: &str = r#"{
  "StartAt": "Resume?",
  "States": {
    "Resume?": {"Type": "Choice",
      "Choices": [{"Variable": "$.resume", "IsPresent": true, "Next": "CheckProgress"}],
      "Default": "CreateResources"},
    "CreateResources": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
      "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Alert"}],
      "Next": "ResourcesReady?"},
    "ResourcesReady?": {"Type": "Choice",
      "Choices": [{"Variable": "$.done", "BooleanEquals": true, "Next": "StartReplication"}],
      "Default": "WaitForResources"},
    "WaitForResources": {"Type": "Wait", "SecondsPath": "$.wait_seconds", "Next": "CreateResources"},
    "StartReplication": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
      "Next": "CheckProgress"},
    "CheckProgress": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
      "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Alert"}],
      "Next": "MigrationComplete?"},
    "MigrationComplete?": {"Type": "Choice",
      "Choices": [
        {"Variable": "$.done", "BooleanEquals": true, "Next": "Complete"},
        {"Variable": "$.hand_over", "BooleanEquals": true, "Next": "ContinueInNewExecution"}],
      "Default": "WaitForProgress"},
    "WaitForProgress": {"Type": "Wait", "SecondsPath": "$.wait_seconds", "Next": "CheckProgress"},
    "ContinueInNewExecution": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
      "Next": "HandedOver"},
    "HandedOver": {"Type": "Succeed"},
    "Complete": {"Type": "Succeed"},
    "Alert": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Next": "Failed"},
    "Failed": {"Type": "Fail"}
  }
}"#;

fn lean() -> Definition {
    Definition::parse(LEAN).expect("the lean definition parses")
}

fn real() -> Definition {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../statemachine/migration.asl.json");
    Definition::parse(&std::fs::read_to_string(path).unwrap()).expect("the definition parses")
}

#[test]
fn the_loops_and_paths_of_a_lean_definition_come_from_its_graph() {
    let definition = lean();
    let shape = Shape::derive(&definition, CHECK_TASK, HAND_OVER_TASK).unwrap();
    assert_eq!(
        shape.check_loop,
        names(&["CheckProgress", "MigrationComplete?", "WaitForProgress"])
    );
    assert_eq!(
        shape.first_run,
        names(&[
            "Resume?",
            "CreateResources",
            "ResourcesReady?",
            "StartReplication"
        ])
    );
    assert_eq!(shape.continuation, names(&["Resume?"]));
    assert_eq!(
        shape.hand_over,
        names(&[
            "CheckProgress",
            "MigrationComplete?",
            "ContinueInNewExecution",
            "HandedOver"
        ])
    );
    assert_eq!(shape.to_alert, names(&["CheckProgress", "Alert"]));
    assert_eq!(
        definition.wait_loop("CreateResources"),
        Some(names(&[
            "CreateResources",
            "ResourcesReady?",
            "WaitForResources"
        ]))
    );
    assert_eq!(definition.wait_loop("StartReplication"), None);
    assert_eq!(definition.wait_loop("Resume?"), None, "not a Task");
}

#[test]
fn a_wait_loop_is_the_shortest_cycle_through_a_wait_state() {
    // The cleanup loop's shape (a Pass counts the checks), plus a way back to the
    // Task that skips the Wait: that cycle is not a wait loop.
    let definition = Definition::parse(
        r#"{"StartAt": "Cleanup", "States": {
          "Cleanup": {"Type": "Task", "Resource": "r", "Next": "Count"},
          "Count": {"Type": "Pass", "Next": "Finished?"},
          "Finished?": {"Type": "Choice",
            "Choices": [
              {"Variable": "$.again", "BooleanEquals": true, "Next": "Cleanup"},
              {"Variable": "$.done", "BooleanEquals": true, "Next": "Done"}],
            "Default": "WaitForCleanup"},
          "WaitForCleanup": {"Type": "Wait", "Seconds": 5, "Next": "Cleanup"},
          "Done": {"Type": "Succeed"}}}"#,
    )
    .unwrap();
    assert_eq!(
        definition.wait_loop("Cleanup"),
        Some(names(&["Cleanup", "Count", "Finished?", "WaitForCleanup"]))
    );
    let without_wait = Definition::parse(
        r#"{"StartAt": "T", "States": {
          "T": {"Type": "Task", "Resource": "r", "Next": "Again?"},
          "Again?": {"Type": "Choice",
            "Choices": [{"Variable": "$.again", "BooleanEquals": true, "Next": "T"}],
            "Default": "Done"},
          "Done": {"Type": "Succeed"}}}"#,
    )
    .unwrap();
    assert_eq!(without_wait.wait_loop("T"), None);
}

#[test]
fn a_definition_that_goes_to_a_missing_state_is_refused() {
    let error = Definition::parse(
        r#"{"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "Nowhere"}}}"#,
    )
    .unwrap_err();
    assert!(error.contains("Nowhere"), "{error}");
    assert!(Definition::parse(r#"{"StartAt": "B", "States": {}}"#).is_err());
}

#[test]
fn each_state_type_costs_one_transition_and_its_history_events() {
    let events = |kind| history::of_state(kind).map(|c| (c.transitions, c.history_events));
    assert_eq!(events("Task"), Ok((1, 5)));
    for kind in ["Choice", "Wait", "Pass", "Succeed"] {
        assert_eq!(events(kind), Ok((1, 2)), "{kind}");
    }
    assert_eq!(events("Fail"), Ok((1, 1)));
    assert!(history::of_state("Map").is_err());
    assert!(history::of_state("Parallel").is_err());
    assert_eq!(EXECUTION_STARTED, Cost::new(0, 1));
    assert_eq!(EXECUTION_SUCCEEDED, Cost::new(0, 1));
}

#[test]
fn the_lean_definition_costs_add_up_per_piece() {
    let definition = lean();
    let shape = Shape::derive(&definition, CHECK_TASK, HAND_OVER_TASK).unwrap();
    let costs = Costs::of(&definition, &shape, &TIMELINE, &Polling::default()).unwrap();
    // Task 5 + Choice 2 + Wait 2.
    assert_eq!(costs.per_check, Cost::new(3, 9));
    // CheckProgress, MigrationComplete?, ContinueInNewExecution, HandedOver, and
    // ExecutionSucceeded.
    assert_eq!(costs.hand_over, Cost::new(4, 5 + 2 + 5 + 2 + 1));
    // ExecutionStarted, Resume?.
    assert_eq!(costs.continuation.cost, Cost::new(1, 3));
    // ExecutionStarted, the path (Choice, Task, Choice, Task), and the create
    // loop's repeats (23 calls: the instance takes 10 minutes at a 30 s wait).
    let creates = costs.first.setup[0].1.calls;
    assert_eq!(creates, 23);
    assert_eq!(
        costs.first.cost,
        Cost::new(4, 1 + 2 + 5 + 2 + 5) + costs.per_check * (creates - 1)
    );
    assert_eq!(
        costs.execution(&costs.first, 500),
        costs.first.cost + Cost::new(3, 9) * 499 + costs.hand_over
    );
    // The hand-over Task after the last check; a failed check, then the alert Task.
    assert_eq!(costs.hand_over_seconds, TASK_SECONDS);
    assert_eq!(costs.alert_seconds, TASK_SECONDS);
}

#[test]
fn the_setup_loops_call_until_dms_is_done() {
    let calls = |task, polling: &Polling| setup_loop(task, &TIMELINE, polling, 0.0).unwrap().calls;
    let default = Polling::default();
    // The instance (600 s) then the task (60 s), polled every 30 s (60 s at the
    // fixed poll): the counts the step handlers made on the simulated DMS.
    assert_eq!(calls("CreateResources", &default), 23);
    assert_eq!(calls("CreateResources", &fixed_poll()), 12);
    assert_eq!(calls("TestConnections", &default), 2);
    assert_eq!(calls("ClaimRun", &default), 2);
    assert_eq!(calls("StartReplication", &default), 1);
    let error = setup_loop("Unknown", &TIMELINE, &default, 0.0).unwrap_err();
    assert!(error.contains("Unknown"), "{error}");
}

#[test]
fn the_wait_policy_doubles_while_nothing_changes_and_drops_back_on_a_change() {
    let started = 701.0;
    let mut checker = Checker::new(Polling::default(), Replication::new(TIMELINE, started));
    let mut read = started + TASK_SECONDS;
    let mut waits = Vec::new();
    for _ in 0..11 {
        let wait = checker.check(read);
        waits.push(wait);
        read += f64::from(wait) + TASK_SECONDS;
    }
    // First check; the load starts; the first table completes; then quiet, up to
    // the maximum, spread over its last fortieth by run and check.
    assert_eq!(&waits[..9], [30, 60, 30, 60, 30, 60, 120, 240, 480]);
    assert!(
        waits[9..].iter().all(|w| (527..=540).contains(w)),
        "{waits:?}"
    );
}

#[test]
fn the_wait_is_cut_to_the_expected_end_of_the_full_load() {
    let replication = Replication::new(TIMELINE, 701.0);
    // 99 % after 10,835 s: due in 10,835 / 99 = 109 s.
    assert_eq!(replication.due_in(11_536.6), Some(109));
    assert_eq!(replication.due_in(700.0), None, "before the load");
    assert_eq!(replication.due_in(20_000.0), None, "after the load");
    let mut checker = Checker::new(Polling::default(), replication);
    for read in [9_000.0, 9_500.0, 10_000.0, 10_500.0, 11_000.0] {
        checker.check(read);
    }
    // Quiet long enough for 540 s, but the end is due sooner.
    assert_eq!(checker.check(11_536.6), 109);
    // The full load ends (761 + 10,800 s): a change, back to the minimum.
    assert_eq!(checker.check(11_645.8), 30);
}

#[test]
fn the_real_definition_has_a_task_choice_wait_progress_loop_and_a_hand_over() {
    let definition = real();
    let shape = Shape::derive(&definition, CHECK_TASK, HAND_OVER_TASK).unwrap();
    let kinds = |states: &[String]| -> Vec<String> {
        states
            .iter()
            .map(|s| definition.kind(s).unwrap().to_string())
            .collect()
    };
    assert_eq!(kinds(&shape.check_loop), ["Task", "Choice", "Wait"]);
    assert_eq!(shape.check_loop[0], CHECK_TASK);
    assert_eq!(shape.hand_over[..2], shape.check_loop[..2]);
    assert!(shape.hand_over.iter().any(|s| s == HAND_OVER_TASK));
    // The hand-over Task ends the execution itself.
    assert_eq!(shape.hand_over.last().unwrap(), HAND_OVER_TASK);
    assert_eq!(kinds(&shape.to_alert).last().unwrap(), "Task");
    // A new run goes through the setup; a continuation resumes the checks.
    assert!(shape.first_run.iter().any(|s| s == "CreateResources"));
    assert!(!shape.continuation.iter().any(|s| s == "CreateResources"));
    assert!(shape.continuation.len() < shape.first_run.len());
    assert_eq!(shape.first_run[0], shape.continuation[0]);
}

#[test]
fn the_checks_per_execution_keep_the_history_under_its_limit() {
    let definition = real();
    let shape = Shape::derive(&definition, CHECK_TASK, HAND_OVER_TASK).unwrap();
    for polling in [Polling::default(), fixed_poll()] {
        let costs = Costs::of(&definition, &shape, &TIMELINE, &polling).unwrap();
        let most = costs.most_checks_within_history_limit();
        assert!(most >= checks_per_execution(), "at most {most} checks fit");
        assert!(costs.execution(&costs.first, most).history_events < HISTORY_LIMIT);
        assert!(costs.execution(&costs.first, most + 1).history_events >= HISTORY_LIMIT);
        let first = costs.execution(&costs.first, checks_per_execution());
        assert!(first.history_events < HISTORY_LIMIT, "{first:?}");
    }
}

#[test]
fn a_month_is_the_sum_of_its_executions_each_handing_over_after_its_checks() {
    let definition = real();
    let shape = Shape::derive(&definition, CHECK_TASK, HAND_OVER_TASK).unwrap();
    let polling = Polling::default();
    let costs = Costs::of(&definition, &shape, &TIMELINE, &polling).unwrap();
    let run = Run::calculate(
        costs.clone(),
        TIMELINE,
        polling,
        checks_per_execution(),
        MONTH,
    );
    let (last, handed_over) = run.executions.split_last().unwrap();
    assert!(handed_over.len() >= 2);
    for (i, execution) in handed_over.iter().enumerate() {
        assert!(execution.handed_over);
        assert_eq!(execution.checks.len() as u64, checks_per_execution());
        assert_eq!(execution.first, i == 0);
        // The next execution checks at once: no wait at the hand-over.
        let next = &run.executions[i + 1];
        let gap = next.checks[0] - execution.checks.last().unwrap();
        let expected = TASK_SECONDS + costs.hand_over_seconds + costs.continuation.seconds;
        assert!((gap - expected).abs() < 1e-6, "{gap} s");
    }
    assert!(!last.handed_over);
    let sum: Cost = run.executions.iter().map(|e| run.execution_cost(e)).sum();
    assert_eq!(run.total(), sum);
    assert_eq!(run.cost_between(0.0, MONTH), sum);
    assert_eq!(
        run.execution_cost(&handed_over[1]),
        costs.execution(&costs.continuation, checks_per_execution())
    );
    // A steady day is its checks at the longest wait (spread over its last
    // fortieth: 527 to 540 s), nothing else.
    let checks = run
        .checks()
        .filter(|at| (STEADY_DAY..STEADY_DAY + DAY).contains(at))
        .count() as u64;
    let at_most = (DAY / (527.0 + TASK_SECONDS)).ceil() as u64;
    let at_least = (DAY / (540.0 + TASK_SECONDS)).floor() as u64;
    assert!((at_least..=at_most).contains(&checks), "{checks}");
}

#[test]
fn the_rows_meet_their_targets() {
    let rows = rows(&PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")).unwrap();
    assert_eq!(rows.len(), 22);
    let judged: Vec<&Row> = rows.iter().filter(|r| r.met.is_some()).collect();
    assert_eq!(judged.len(), 6);
    for row in judged {
        assert_eq!(row.met, Some(true), "{row:?}");
    }
}
