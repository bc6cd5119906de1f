//! Waves end to end on the local stack: the wave state machine starts each run as
//! its own execution of the migration state machine, at most `max_concurrent` at a
//! time, and reports every outcome; a rerun of the wave skips the runs that
//! succeeded.

#[path = "support/e2e.rs"]
mod e2e;

use std::time::Duration;

use dmsflow_local::Stack;
use dmsflow_local::drills::Drill;
use dmsflow_local::moto::Published;
use dmsflow_local::rehearsal;
use serde_json::{Value, json};

const WAVE_TIMEOUT: Duration = Duration::from_secs(900);

/// Start and stop (epoch seconds) of an execution, as Step Functions describes it.
async fn span(stack: &Stack, execution_arn: &str) -> (f64, f64) {
    let answer = stack
        .http
        .aws_json(
            stack.moto_url(),
            "states",
            "AWSStepFunctions.DescribeExecution",
            &json!({"executionArn": execution_arn}),
        )
        .await
        .and_then(|a| a.ok("DescribeExecution"))
        .unwrap_or_else(|e| panic!("{e}"));
    let body: Value = answer.json().unwrap_or_else(|e| panic!("{e}"));
    let time = |field: &str| {
        body[field]
            .as_f64()
            .unwrap_or_else(|| panic!("{field}: {body}"))
    };
    (time("startDate"), time("stopDate"))
}

/// The wave report among what was published.
fn report(published: &[Published], wave_id: &str) -> Value {
    let reports: Vec<Value> = published
        .iter()
        .filter(|p| {
            p.subject
                .as_deref()
                .is_some_and(|s| s.starts_with(&format!("dmsflow wave {wave_id}")))
        })
        .map(|p| p.json().expect("the report is a JSON message"))
        .collect();
    assert_eq!(reports.len(), 1, "one report: {published:?}");
    reports[0].clone()
}

fn outcome_of<'a>(report: &'a Value, run_id: &str) -> &'a Value {
    report["runs"]
        .as_array()
        .and_then(|runs| runs.iter().find(|r| r["run_id"] == run_id))
        .unwrap_or_else(|| panic!("{run_id} is not in the report: {report}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wave_runs_two_at_a_time_names_its_failed_run_and_a_rerun_skips_the_succeeded() {
    let mut stack = e2e::stack().await;
    let runs: Vec<Value> = [
        ("wave-a", vec![]),
        ("wave-b", vec![Drill::FailConnection]),
        ("wave-c", vec![]),
    ]
    .into_iter()
    .map(|(run_id, drills)| {
        e2e::sample(&stack, "postgres-to-aurora-full-load.json", run_id, &drills).input
    })
    .collect();
    let input = json!({
        "action": "wave",
        "wave_id": "e2e",
        "runs": runs,
        "max_concurrent": 2,
        "poll_minutes": 1,
        "run_timeout_hours": 24,
    });

    // The first wave as tools/rehearse runs one.
    let before = stack.published().await.unwrap();
    let prepared = rehearsal::prepare(
        input.clone(),
        &stack.run_topic_arn,
        &[],
        stack.options.speed,
    )
    .unwrap();
    assert!(prepared.is_wave());
    let outcome = rehearsal::rehearse_wave(&mut stack, &prepared, WAVE_TIMEOUT, |line| {
        println!("{line}")
    })
    .await
    .unwrap();
    let wave = &outcome.execution;
    assert_eq!(wave.status, "FAILED", "{wave:?}");
    assert_eq!(wave.error.as_deref(), Some("WaveFailed"));
    let summary = rehearsal::wave_summary(&prepared, &outcome).join("\n");
    assert!(
        summary.contains("wave-b                   failed (ConnectionTestFailed)"),
        "{summary}"
    );
    let published = e2e::published_since(&stack, &before).await;
    let first = report(&published, "e2e");
    assert_eq!(outcome.report.as_ref(), Some(&first));
    assert_eq!(first["met"], false, "{first}");
    assert_eq!(
        (first["succeeded"].as_u64(), first["failed"].as_u64()),
        (Some(2), Some(1))
    );
    assert_eq!(outcome_of(&first, "wave-a")["outcome"], "succeeded");
    assert_eq!(outcome_of(&first, "wave-c")["outcome"], "succeeded");
    let failed = outcome_of(&first, "wave-b");
    assert_eq!(failed["outcome"], "failed");
    let expected = Drill::FailConnection.expected(false);
    assert_eq!(failed["error"].as_str(), expected.error, "{failed}");
    // Each run kept its own alerts: the failed run alerted itself too.
    let own = format!(
        "dmsflow run wave-b failed at {}",
        expected.failed_state.unwrap()
    );
    assert!(
        published
            .iter()
            .any(|p| p.subject.as_deref() == Some(own.as_str())),
        "{published:?}"
    );
    // Never more than two runs at a time.
    let machine = stack
        .state_machine_arn
        .replace(":stateMachine:", ":execution:");
    let mut spans = Vec::new();
    for name in ["e2e--wave-a", "e2e--wave-b", "e2e--wave-c"] {
        spans.push(span(&stack, &format!("{machine}:{name}")).await);
    }
    for (i, (start, _)) in spans.iter().enumerate() {
        let running = spans
            .iter()
            .filter(|(s, e)| s <= start && *start < *e)
            .count();
        assert!(
            running <= 2,
            "run {i} started with {running} running: {spans:?}"
        );
    }

    // The same wave again: the two that succeeded are skipped, the failed one is
    // tried again (and fails again: its drill is in its spec).
    let before = stack.published().await.unwrap();
    let arn = stack.start_wave("e2e-second", &input).await.unwrap();
    let wave = stack.follow(&arn, WAVE_TIMEOUT, |_| {}).await.unwrap();
    assert_eq!(wave.status, "FAILED", "{wave:?}");
    let published = e2e::published_since(&stack, &before).await;
    let second = report(&published, "e2e");
    assert_eq!(outcome_of(&second, "wave-a")["outcome"], "skipped");
    assert_eq!(outcome_of(&second, "wave-c")["outcome"], "skipped");
    let retried = outcome_of(&second, "wave-b");
    assert_eq!(retried["outcome"], "failed");
    // Its second attempt, named so, is in the report's text.
    let text = published
        .iter()
        .find(|p| {
            p.subject
                .as_deref()
                .is_some_and(|s| s.starts_with("dmsflow wave e2e"))
        })
        .map(Published::email_text)
        .unwrap();
    assert!(
        text.contains("- wave-b: failed") && text.contains(", execution e2e--wave-b-r2"),
        "{text}"
    );
    // Nothing of the succeeded runs was created again.
    assert_eq!(
        e2e::creates_of(&stack, "wave-a").len(),
        e2e::creates_of(&stack, "wave-c").len()
    );
    e2e::stop(stack).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wave_with_a_bad_spec_starts_nothing_and_names_every_problem() {
    let mut stack = e2e::stack().await;
    let good = e2e::sample(&stack, "postgres-to-aurora-full-load.json", "wave-ok", &[]).input;
    let mut bad = good.clone();
    bad["run_id"] = json!("wave-bad");
    bad["source"]["port"] = json!(0);
    let input =
        json!({"action": "wave", "wave_id": "refused", "runs": [good, bad, {"run_id": "wave-ok"}]});
    let before = stack.published().await.unwrap();
    let arn = stack.start_wave("refused", &input).await.unwrap();
    let wave = stack.follow(&arn, WAVE_TIMEOUT, |_| {}).await.unwrap();
    assert_eq!(wave.status, "FAILED", "{wave:?}");
    let published = e2e::published_since(&stack, &before).await;
    assert_eq!(published.len(), 1, "one alert: {published:?}");
    let alert = published[0].json().unwrap();
    assert_eq!(alert["error"], "InvalidSpec");
    let cause = alert["cause"].as_str().unwrap();
    for expected in [
        "runs[1] (wave-bad)",
        "source.port",
        "runs[2].run_id: wave-ok is already",
    ] {
        assert!(cause.contains(expected), "{expected:?} not in {cause}");
    }
    assert!(
        e2e::creates_of(&stack, "wave-ok").is_empty(),
        "nothing was created"
    );
    e2e::stop(stack).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wave_from_a_manifest_in_the_wave_bucket_keeps_the_specs_out_of_its_state() {
    let mut stack = e2e::stack().await;
    let runs: Vec<Value> = ["manifest-a", "manifest-b"]
        .into_iter()
        .map(|run_id| e2e::sample(&stack, "postgres-to-aurora-full-load.json", run_id, &[]).input)
        .collect();
    stack
        .put_object("WaveBucket", "manifests/e2e.json", &json!(runs))
        .await
        .unwrap();
    let input = json!({
        "action": "wave",
        "wave_id": "from-manifest",
        "manifest": "s3://dmsflow-wavebucket/manifests/e2e.json",
        "max_concurrent": 2,
        "poll_minutes": 1,
        "run_timeout_hours": 24,
    });
    let before = stack.published().await.unwrap();
    let arn = stack.start_wave("from-manifest", &input).await.unwrap();
    let wave = stack.follow(&arn, WAVE_TIMEOUT, |_| {}).await.unwrap();
    let published = e2e::published_since(&stack, &before).await;
    assert_eq!(wave.status, "SUCCEEDED", "{wave:?} {published:?}");
    let report = report(&published, "from-manifest");
    assert_eq!(report["succeeded"], 2, "{report}");
    assert_eq!(outcome_of(&report, "manifest-b")["outcome"], "succeeded");
    // No state of the wave's own execution held a spec: the Distributed Map read
    // them from the object PrepareWave wrote.
    let history = stack.sfn.history(&arn).await.unwrap();
    let largest = history
        .iter()
        .map(|event| event.details.to_string().len())
        .max()
        .unwrap();
    let spec_size = runs[0].to_string().len();
    assert!(
        largest < spec_size,
        "an event of {largest} bytes, a spec is {spec_size}"
    );
    e2e::stop(stack).await;
}
