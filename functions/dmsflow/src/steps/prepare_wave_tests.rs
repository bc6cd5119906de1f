//! PrepareWave against in-memory Step Functions and S3.

use serde_json::json;

use super::*;
use crate::steps::wave::notify_failure;
use crate::steps::wave_fakes::*;

/// PrepareWave's refusal of `input`: an `InvalidSpec`, nothing started or written.
async fn refused(sfn: &FakeSfn, s3: &FakeS3, input: &Value) -> StepError {
    let before = s3.0.lock().unwrap().len();
    let error = prepare_input(sfn, s3, input).await.unwrap_err();
    assert_eq!(error.kind, ErrorKind::InvalidSpec);
    assert_eq!(s3.0.lock().unwrap().len(), before, "nothing written");
    assert!(sfn.started.lock().unwrap().is_empty(), "nothing started");
    error
}

#[tokio::test]
async fn a_first_wave_writes_every_run_under_its_first_name_and_keeps_the_specs_out_of_the_state() {
    let sfn = FakeSfn::default();
    let s3 = FakeS3::default();
    let state = prepare_input(&sfn, &s3, &wave_input()).await.unwrap();
    assert_eq!(state.items.key, "prepared/q3/q3-1.json");
    assert_eq!(state.run_count, 3);
    let answer = serde_json::to_string(&state).unwrap();
    assert!(answer.len() < 300, "the state holds no spec: {answer}");
    let runs = s3.runs(&state);
    let names: Vec<&str> = runs.iter().map(|r| r.execution_name.as_str()).collect();
    assert_eq!(names, ["q3--orders", "q3--billing", "q3--ledger"]);
    assert!(runs.iter().all(|r| !r.skip && r.earlier.is_none()));
    let delays: Vec<u32> = runs.iter().map(|r| r.start_delay_seconds).collect();
    assert_eq!(delays, [0, 30, 0]);
    assert_eq!(runs[0].poll_seconds, 600);
    assert_eq!(runs[0].input["run_id"], "orders");
}

#[tokio::test]
async fn a_rerun_skips_succeeded_runs_follows_running_ones_and_retries_failed_ones() {
    let sfn = FakeSfn::default();
    // orders succeeded after two hand-overs; billing failed; ledger still runs.
    sfn.put("q3--orders", "SUCCEEDED", 0, None);
    sfn.put("q3--orders-gen-2", "SUCCEEDED", HOUR_MS, None);
    sfn.put("q3--billing", "FAILED", 0, Some("TablesErrored"));
    sfn.put("q3--ledger", "RUNNING", 0, None);
    let runs = prepared(&sfn).await;
    let plan: Vec<(&str, bool)> = runs
        .iter()
        .map(|r| (r.execution_name.as_str(), r.skip))
        .collect();
    assert_eq!(
        plan,
        [
            ("q3--orders", true),
            ("q3--billing-r2", false),
            ("q3--ledger", false)
        ]
    );
    assert_eq!(
        runs[1].earlier.as_deref(),
        Some("failed in execution q3--billing (TablesErrored)")
    );
    // A second failure: the third attempt.
    sfn.put("q3--billing-r2", "FAILED", 0, Some("TablesErrored"));
    let runs = prepared(&sfn).await;
    assert_eq!(runs[1].execution_name, "q3--billing-r3");
}

#[tokio::test]
async fn a_refused_wave_is_one_alert_naming_every_problem() {
    let sfn = FakeSfn::default();
    let sns = FakeSns::default();
    let mut input = wave_input();
    input["runs"][1]["source"]["port"] = json!(0);
    let error = refused(&sfn, &FakeS3::default(), &input).await;
    assert!(
        error.message.contains("runs[1] (billing)"),
        "{}",
        error.message
    );
    let mut caught = input.clone();
    caught["caught"] = json!({"Error": "InvalidSpec", "Cause": error.message});
    notify_failure(&sns, TOPIC, WAVE_EXECUTION, &caught)
        .await
        .unwrap();
    let sent = sns.0.lock().unwrap().clone();
    assert_eq!(sent[0].subject, "dmsflow wave q3 FAILED: InvalidSpec");
    assert!(
        sent[0].text.contains("runs[1] (billing)"),
        "{}",
        sent[0].text
    );
}
#[tokio::test]
async fn a_manifest_in_the_wave_bucket_gives_the_specs() {
    let sfn = FakeSfn::default();
    let s3 = FakeS3::default();
    let specs: Vec<Value> = (0..crate::wave::MAX_RUNS)
        .map(|i| spec(&format!("db{i:03}")))
        .collect();
    s3.put("manifests/q3.json", &json!(specs));
    for manifest in [
        "manifests/q3.json".to_string(),
        format!("s3://{BUCKET}/manifests/q3.json"),
    ] {
        let input = json!({"action": "wave", "wave_id": "q3", "manifest": manifest});
        let state = prepare_input(&sfn, &s3, &input).await.unwrap();
        assert_eq!(state.run_count, crate::wave::MAX_RUNS);
        let runs = s3.runs(&state);
        assert_eq!(runs[499].execution_name, "q3--db499");
        // Validation filled in the defaults.
        assert_eq!(runs[0].input["notifications"]["sns_topic_arn"], TOPIC);
    }
}

#[tokio::test]
async fn a_manifest_wave_reports_every_problem_at_once_naming_the_fix() {
    let sfn = FakeSfn::default();
    let s3 = FakeS3::default();
    let mut broken = spec("billing");
    broken["source"]["port"] = json!(0);
    s3.put("manifests/q3.json", &json!([spec("orders"), broken]));
    s3.put("manifests/text.json", &json!("not a list"));
    s3.0.lock().unwrap().insert(
        (BUCKET.into(), "manifests/bad.json".into()),
        b"[{\"run_id\": ".to_vec(),
    );
    let wave = |manifest: Value| json!({"action": "wave", "wave_id": "q3", "manifest": manifest, "max_concurrent": 0});
    let cases = [
        (json!("manifests/q3.json"), "manifest[1] (billing): "),
        (
            json!("manifests/missing.json"),
            "manifest: s3://dmsflow-waves/manifests/missing.json does not exist; upload the manifest there first",
        ),
        (
            json!("manifests/bad.json"),
            "manifest: s3://dmsflow-waves/manifests/bad.json is not JSON",
        ),
        (
            json!("manifests/text.json"),
            "manifest: give a list of one or more migration specs",
        ),
        (
            json!("s3://someone-elses/manifests/q3.json"),
            "is not in the stack's wave bucket dmsflow-waves, the only one the wave may read; upload it with `aws s3 cp <file>.json s3://dmsflow-waves/manifests/<file>.json`",
        ),
        (
            json!("specs/q3.json"),
            "manifest: specs/q3.json is not under manifests/",
        ),
        (json!(7), "manifest: 7 is not an S3 address"),
    ];
    for (manifest, expected) in cases {
        let error = refused(&sfn, &s3, &wave(manifest.clone())).await;
        assert!(
            error.message.contains(expected),
            "{manifest}: {}",
            error.message
        );
        assert!(
            error.message.contains("max_concurrent: 0"),
            "every problem at once: {}",
            error.message
        );
    }
    let mut both = wave(json!("manifests/q3.json"));
    both["runs"] = json!([spec("orders")]);
    let error = refused(&sfn, &s3, &both).await;
    assert!(
        error
            .message
            .contains("runs, manifest: give the specs in one of them, not both"),
        "{}",
        error.message
    );
}

#[tokio::test]
async fn a_manifest_that_cannot_be_read_for_another_reason_is_the_error_of_aws() {
    struct Denied;
    impl Objects for Denied {
        async fn get(&self, _: &str, _: &str) -> crate::aws::AwsResult<Vec<u8>> {
            Err(crate::aws::AwsFault::AccessDenied("not allowed".into()))
        }
        async fn put_json(&self, _: &str, _: &str, _: String) -> crate::aws::AwsResult<()> {
            unreachable!("nothing is written")
        }
    }
    let input = json!({"action": "wave", "wave_id": "q3", "manifest": "manifests/q3.json"});
    let error = prepare(
        &FakeSfn::default(),
        &Denied,
        MACHINE,
        BUCKET,
        &StackBounds::alert_topic_only(Some(TOPIC)),
        WAVE_EXECUTION,
        &input,
    )
    .await
    .unwrap_err();
    assert_eq!(error.kind, ErrorKind::AccessDenied, "{}", error.message);
    assert!(
        error
            .message
            .contains("reading the manifest s3://dmsflow-waves/manifests/q3.json"),
        "{}",
        error.message
    );
}

#[tokio::test]
async fn a_rerun_follows_only_the_last_attempts_hand_overs() {
    let sfn = FakeSfn::default();
    // The first attempt handed over nine times and then failed; the second failed.
    sfn.put("q3--orders", "SUCCEEDED", 0, None);
    for generation in 2..=10 {
        let status = if generation == 10 {
            "FAILED"
        } else {
            "SUCCEEDED"
        };
        sfn.put(
            &format!("q3--orders-gen-{generation}"),
            status,
            0,
            Some("TaskFailed"),
        );
    }
    sfn.put("q3--orders-r2", "FAILED", 0, Some("TablesErrored"));
    let input = json!({"action": "wave", "wave_id": "q3", "runs": [spec("orders")]});
    let state = prepare_input(&sfn, &FakeS3::default(), &input)
        .await
        .unwrap();
    assert_eq!(state.run_count, 1);
    // r1 and r2 found, r3 not; then r2's chain (one execution).
    assert_eq!(*sfn.described.lock().unwrap(), 4);
}

#[tokio::test]
async fn a_refusal_lists_fifty_problems_and_counts_the_rest() {
    let runs: Vec<Value> = (0..60)
        .map(|i| {
            let mut broken = spec(&format!("db{i:02}"));
            broken["source"]["port"] = json!(0);
            broken
        })
        .collect();
    let input = json!({"action": "wave", "wave_id": "q3", "runs": runs});
    let error = refused(&FakeSfn::default(), &FakeS3::default(), &input).await;
    assert!(
        error.message.contains("(60 problem(s))"),
        "{}",
        error.message
    );
    assert!(
        error.message.contains("runs[49] (db49)"),
        "{}",
        error.message
    );
    assert!(
        !error.message.contains("runs[50] (db50)"),
        "{}",
        error.message
    );
    assert!(
        error
            .message
            .contains("and 10 more problem(s): fix these and start the wave again"),
        "{}",
        error.message
    );
}
