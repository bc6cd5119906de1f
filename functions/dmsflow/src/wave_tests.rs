use serde_json::json;

use super::*;
use crate::steps::wave_fakes::{TOPIC, spec};

fn stack() -> StackBounds {
    StackBounds::alert_topic_only(Some(TOPIC))
}

fn wave(runs: Vec<Value>) -> Value {
    json!({"action": "wave", "wave_id": "q3", "runs": runs})
}

#[test]
fn a_wave_gets_its_defaults_and_normalized_specs() {
    let request = WaveRequest::parse(&wave(vec![spec("orders"), spec("billing")]), None, &stack())
        .expect("a valid wave");
    assert_eq!(request.wave_id, "q3");
    assert_eq!(request.runs.len(), 2);
    assert_eq!(
        (
            request.max_concurrent,
            request.tolerated_failures,
            request.start_spacing_seconds,
            request.poll_minutes,
            request.run_timeout_hours
        ),
        (5, 0, 30, 10, 72)
    );
    // Validation filled in the spec's defaults.
    assert_eq!(request.runs[0]["notifications"]["sns_topic_arn"], TOPIC);
}

#[test]
fn every_problem_of_every_spec_is_reported_at_once() {
    let mut broken = spec("billing");
    broken["source"]["port"] = json!(70_000);
    broken["table_mappings"] = json!({"rules": []});
    let mut input = wave(vec![spec("orders"), broken, spec("orders")]);
    input["max_concurrent"] = json!(0);
    input["tolerated_failures"] = json!(5);
    input["colour"] = json!("blue");
    let problems = WaveRequest::parse(&input, None, &stack()).unwrap_err();
    let all = problems.join("\n");
    for expected in [
        "colour: not a field of a wave",
        "max_concurrent: 0 is not a whole number from 1 to 500",
        "tolerated_failures: 5 is not a whole number from 0 to 3",
        "runs[1] (billing): ",
        "source.port",
        "table_mappings",
        "runs[2].run_id: orders is already the run_id of an earlier run",
    ] {
        assert!(all.contains(expected), "missing {expected:?} in:\n{all}");
    }
}

#[test]
fn a_run_cannot_be_watched_longer_than_its_watch_history_holds() {
    let mut input = wave(vec![spec("orders")]);
    input["run_timeout_hours"] = json!(2_000);
    let problems = WaveRequest::parse(&input, None, &stack()).unwrap_err();
    assert!(
        problems[0].contains("12000 looks at a run, more than the 2500")
            && problems[0].contains("raise poll_minutes to at least 48"),
        "{problems:?}"
    );
    input["poll_minutes"] = json!(48);
    assert!(WaveRequest::parse(&input, None, &stack()).is_ok());
}

#[test]
fn a_wave_without_runs_or_id_is_refused_naming_the_fix() {
    let problems = WaveRequest::parse(
        &json!({"action": "migrate", "wave_id": "-bad id", "runs": []}),
        None,
        &stack(),
    )
    .unwrap_err();
    let all = problems.join("\n");
    assert!(all.contains("action: must be \"wave\""), "{all}");
    assert!(all.contains("wave_id: \"-bad id\" must be"), "{all}");
    assert!(all.contains("runs: give a list of one or more"), "{all}");
    let too_many = wave((0..=MAX_RUNS).map(|i| spec(&format!("r{i}"))).collect());
    let problems = WaveRequest::parse(&too_many, None, &stack()).unwrap_err();
    assert!(problems[0].contains("split it into waves"), "{problems:?}");
}

#[test]
fn execution_names_are_per_wave_run_and_attempt_and_fit_step_functions() {
    assert_eq!(execution_name("q3", "orders", 1), "q3--orders");
    assert_eq!(execution_name("q3", "orders", 2), "q3--orders-r2");
    let long = execution_name(&"w".repeat(32), &"r".repeat(40), 12);
    assert!(long.len() <= 80, "{long}");
    assert_ne!(long, execution_name(&"w".repeat(32), &"r".repeat(40), 13));
}

#[test]
fn run_ids_that_would_clash_in_execution_names_are_refused() {
    let wave_of = |ids: &[&str]| wave(ids.iter().map(|id| spec(id)).collect());
    let problems = WaveRequest::parse(
        &wave_of(&["orders-r2", "orders-gen-2", "a--b"]),
        None,
        &stack(),
    )
    .unwrap_err()
    .join("\n");
    for expected in [
        "runs[0].run_id: orders-r2 ends in `-r<number>`",
        "runs[1].run_id: orders-gen-2 holds `-gen-<number>`",
        "runs[2].run_id: a--b holds `--`",
    ] {
        assert!(
            problems.contains(expected),
            "{expected:?} not in {problems}"
        );
    }
    assert!(WaveRequest::parse(&wave_of(&["orders-rx", "regen-2", "r2"]), None, &stack()).is_ok());
    let mut input = wave_of(&["orders"]);
    input["wave_id"] = json!("q3--b");
    assert!(WaveRequest::parse(&input, None, &stack()).unwrap_err()[0].starts_with("wave_id:"));
}

#[test]
fn only_the_first_runs_are_spaced() {
    let mut request =
        WaveRequest::parse(&wave(vec![spec("a"), spec("b"), spec("c")]), None, &stack()).unwrap();
    request.max_concurrent = 2;
    let delays: Vec<u32> = (0..3).map(|i| start_delay(i, &request)).collect();
    assert_eq!(delays, vec![0, 30, 0]);
}

#[test]
fn a_planned_outcome_is_skipped_or_not_followed_until_a_catch_or_followrun_says_more() {
    let skipped = RunOutcome::planned("a", Some("succeeded in execution w--a"), true);
    assert_eq!(skipped.outcome, "skipped");
    assert_eq!(
        skipped.cause.as_deref(),
        Some("succeeded in execution w--a")
    );
    let mut caught = RunOutcome::planned("b", Some("failed in execution w--b"), false);
    assert_eq!(
        (caught.outcome.as_str(), caught.cause.as_deref()),
        ("not-followed", None)
    );
    // What the Map state's Catch puts under the planned outcome.
    caught.caught = Some(json!({
        "Error": "Throttled",
        "Cause": format!(r#"{{"errorType":"Throttled","errorMessage":"{}"}}"#, "x".repeat(400))
    }));
    let settled = caught.settled();
    assert_eq!(settled.error.as_deref(), Some("Throttled"));
    assert_eq!(
        settled.cause.as_deref().map(str::len),
        Some(CAUSE_QUOTED + 3)
    );
    assert!(settled.caught.is_none());
}

#[test]
fn skipped_and_succeeded_runs_do_not_count_as_failures() {
    let outcome = |o: &str| RunOutcome {
        outcome: o.into(),
        ..RunOutcome::planned("a", None, false)
    };
    assert!(!outcome("succeeded").failed());
    assert!(!outcome("skipped").failed());
    for o in ["failed", "timed-out", "not-followed"] {
        assert!(outcome(o).failed(), "{o}");
    }
    assert_eq!(cut(&"x".repeat(400), CAUSE_QUOTED).len(), CAUSE_QUOTED + 3);
    assert_eq!(cut("short", CAUSE_QUOTED), "short");
}

#[test]
fn the_outcomes_of_the_largest_wave_fit_in_its_state() {
    // The Map state's result (every run's settled outcome, at its longest) must
    // stay under Step Functions' 256 KiB with the wave's settings beside it. The
    // cause and error come from anywhere: multibyte characters and escapes.
    let wide = "€\"\u{1}é".repeat(2_000);
    let longest = RunOutcome {
        run_id: "r".repeat(crate::spec::check::MAX_RUN_ID_LEN),
        outcome: "not-followed".into(),
        execution: Some("e".repeat(80)),
        error: Some(cut(&wide, ERROR_QUOTED)),
        cause: Some(cut(&wide, CAUSE_QUOTED)),
        duration_seconds: Some(u64::from(u32::MAX)),
        caught: None,
    };
    let outcomes = vec![longest; MAX_RUNS];
    let size = serde_json::to_string(&outcomes).unwrap().len();
    assert!(size < 240 * 1024, "{MAX_RUNS} outcomes take {size} bytes");
}

#[test]
fn a_cut_counts_the_bytes_a_json_string_takes() {
    for text in [
        "x".repeat(400),
        "€".repeat(400),
        "\"".repeat(400),
        "\u{1}".repeat(400),
    ] {
        let kept = cut(&text, CAUSE_QUOTED);
        let written = serde_json::to_string(&kept).unwrap().len();
        // Two quotes and the three dots of the cut beside the limit.
        assert!(written <= CAUSE_QUOTED + 5, "{written} bytes: {kept}");
        assert!(kept.ends_with("..."));
    }
    assert_eq!(cut("short", CAUSE_QUOTED), "short");
}

#[test]
fn tolerated_failures_is_judged_against_the_most_a_wave_holds_when_its_runs_are_unknown() {
    let input = json!({"action": "wave", "wave_id": "q3", "manifest": "manifests/x.json",
                       "tolerated_failures": 3});
    let problems =
        WaveRequest::parse(&input, Some(Err("manifest: gone".into())), &stack()).unwrap_err();
    assert_eq!(problems, ["manifest: gone"]);
}
