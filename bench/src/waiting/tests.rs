use std::path::PathBuf;

use super::interpreter::End;
use super::*;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A small migration, so the real handlers run quickly in a debug build.
const SMALL: Timeline = Timeline {
    tables: 5,
    ..TIMELINE
};

fn run(spec: Value, timeline: Timeline, horizon: f64) -> Record {
    let definition = definition(&root()).expect("the definition loads");
    simulate(&definition, spec, timeline, horizon).expect("the simulation runs")
}

fn spec() -> Value {
    sample_spec(&root()).expect("the sample spec loads")
}

fn visits(record: &Record, state: &str) -> usize {
    record.entries.iter().filter(|e| e.state == state).count()
}

#[test]
fn a_run_goes_through_every_step_to_the_progress_loop() {
    let record = run(spec(), SMALL, 6.0 * HOUR);
    for state in [
        "ClaimRun",
        "ValidateSpec",
        "CreateResources",
        "TestConnections",
        "EnableValidation",
        "StartReplication",
    ] {
        assert!(visits(&record, state) >= 1, "{state} was never entered");
    }
    // The replication instance takes 10 minutes: the create loop waits for it.
    let created = record
        .entries
        .iter()
        .find(|e| e.state == "BeginTestConnections")
        .unwrap();
    assert!(created.at >= TIMELINE.instance_seconds, "{}", created.at);
    assert!(visits(&record, "CheckProgress") > 5);
    assert_eq!(record.ends, vec![End::CutOff]);
    assert!(record.alerts.is_empty(), "{:?}", record.alerts);
}

#[test]
fn every_check_costs_three_transitions_at_a_fixed_poll() {
    let mut fixed = spec();
    fixed["polling"] = json!({"min_wait_seconds": 60, "max_wait_seconds": 60});
    let record = run(fixed, SMALL, 6.0 * HOUR);
    let window = record.cost_between(4.0 * HOUR, 5.0 * HOUR);
    let checks = record
        .checks()
        .iter()
        .filter(|&&at| (4.0 * HOUR..5.0 * HOUR).contains(&at))
        .count();
    assert!((59..=61).contains(&checks), "{checks} checks in an hour");
    // CheckProgress, MigrationComplete?, WaitForProgress.
    assert_eq!(window.transitions, 3 * checks as u64);
    // 5 events for a Lambda task, 2 each for the Choice and the Wait.
    assert_eq!(window.history_events, 9 * checks as u64);
}

#[test]
fn the_wait_grows_to_the_maximum_and_a_long_run_continues_in_new_executions() {
    let record = run(spec(), SMALL, 4.0 * DAY);
    let checks = record.checks();
    let gaps: Vec<f64> = checks.windows(2).map(|w| w[1] - w[0]).collect();
    let longest = gaps.iter().copied().fold(0.0, f64::max);
    assert!((540.0..541.0).contains(&longest), "{longest}");
    // 500 checks per execution, then a successor resumes the progress loop.
    assert!(
        record.executions.len() >= 2,
        "{} executions",
        record.executions.len()
    );
    assert!(
        record.ends[..record.ends.len() - 1]
            .iter()
            .all(|e| matches!(e, End::Succeeded(_)))
    );
    let later: Vec<&str> = record
        .entries
        .iter()
        .filter(|e| e.execution == 1)
        .map(|e| e.state.as_str())
        .take_while(|s| *s != "CheckProgress")
        .collect();
    assert!(later.contains(&"ResumeCheckProgress"), "{later:?}");
    assert!(!later.contains(&"CreateResources"), "{later:?}");
    let first_execution_checks = record
        .entries
        .iter()
        .filter(|e| e.execution == 0 && e.state == "CheckProgress")
        .count();
    assert_eq!(first_execution_checks, 500);
}

#[test]
fn a_task_failure_is_alerted_after_at_most_the_longest_wait() {
    let steady = run(spec(), SMALL, 2.0 * DAY);
    let check = steady.checks().into_iter().find(|&at| at > DAY).unwrap();
    let fails_at = check + 1.0;
    let failing = Timeline {
        task_fails_at: Some(fails_at),
        ..SMALL
    };
    let record = run(spec(), failing, 3.0 * DAY);
    let (alerted, subject) = record.alerts.first().expect("one alert");
    assert!(alerted - fails_at <= 540.0 + 5.0, "{}", alerted - fails_at);
    assert!(subject.contains("CheckProgress"), "{subject}");
    assert!(
        matches!(&record.ends[..], [End::Failed { error, .. }] if error == "TaskFailed"),
        "{:?}",
        record.ends
    );
}
