//! Payload limits at 20,000 tables. Step Functions caps a state's data at 256 KiB,
//! SNS a message at 256 KiB, Lambda a synchronous response at 6 MB (Step Functions
//! and SNS quotas pages; Lambda quotas). No state, report or notice may grow with
//! the table count past them: a migration of a 20,000-table catalog runs step by
//! step (the real handlers, the real SDK clients, the DMS emulator) and every
//! answer and the success notice are measured against the limits.

use std::path::PathBuf;
use std::sync::Mutex;
use std::time::SystemTime;

use dms_emulator::{Config, Scenario, serve};
use dmsflow::alerts::Message;
use dmsflow::aws::{AwsResult, Notices};
use dmsflow::steps::assess;
use dmsflow::steps::{
    check_progress, cleanup, create, enable_validation, notify, start, test_connection,
};
use dmsflow::workflow::{self, RunState, StepCall};
use steps::{clients, lambda_event};

#[path = "support/steps.rs"]
mod steps;

/// Step Functions' and SNS's limit, in bytes (256 KiB).
const LIMIT: usize = 256 * 1024;
const TABLES: u32 = 20_000;
const MAX_CALLS: usize = 400;
const ALERT_TOPIC: &str = "arn:aws:sns:us-east-1:123456789012:dmsflow-alerts";

fn sample_call(name: &str) -> StepCall {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../events/functions")
        .join(format!("{name}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The largest answer of each step, in bytes.
#[derive(Default)]
struct Sizes(Mutex<Vec<(String, usize)>>);

impl Sizes {
    fn see(&self, step: &str, state: &RunState) {
        let size = serde_json::to_string(state).unwrap().len();
        assert!(
            size <= LIMIT,
            "{step} answered {size} bytes at {TABLES} tables (limit {LIMIT})"
        );
        let mut sizes = self.0.lock().unwrap();
        match sizes.iter_mut().find(|(name, _)| name == step) {
            Some((_, largest)) => *largest = (*largest).max(size),
            None => sizes.push((step.to_string(), size)),
        }
    }
}

/// The notices a step publishes, kept.
#[derive(Default)]
struct Published(Mutex<Vec<Message>>);

impl Notices for Published {
    async fn publish(&self, _topic_arn: &str, message: &Message) -> AwsResult<String> {
        self.0.lock().unwrap().push(message.clone());
        Ok("message-1".into())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_state_and_notice_stays_bounded_at_20000_tables() {
    let emulator = serve(
        Config::default()
            .with_speed(2000.0)
            .with_scenario(Scenario::generated("orders", "t_", TABLES, 100)),
    )
    .await
    .expect("emulator starts");
    let (dms, cloudwatch) = clients(&emulator.url());
    let (dms, cloudwatch) = (&dms, &cloudwatch);
    let now = SystemTime::now;
    let sizes = Sizes::default();
    let run = |step: &'static str| {
        let sizes = &sizes;
        move |state: &RunState| sizes.see(step, state)
    };

    steps::until_done(
        "create",
        sample_call("create-resources"),
        MAX_CALLS,
        run("CreateResources"),
        |call| async move { create::step(dms, cloudwatch, lambda_event(call), now()).await },
    )
    .await;
    steps::until_done(
        "test-connections",
        sample_call("test-connections"),
        MAX_CALLS,
        run("TestConnections"),
        |call| {
            workflow::advance(call, now(), |input| {
                test_connection::handle(dms, input, now())
            })
        },
    )
    .await;
    steps::until_done(
        "enable-validation",
        sample_call("enable-validation"),
        MAX_CALLS,
        run("EnableValidation"),
        |call| {
            workflow::advance(call, now(), |input| {
                enable_validation::handle(dms, input, now())
            })
        },
    )
    .await;
    let store = &steps::report_store();
    steps::until_done(
        "assess",
        sample_call("assess-migration"),
        MAX_CALLS,
        run("AssessMigration"),
        |call| assess::step(dms, call, store, now()),
    )
    .await;
    steps::until_done(
        "start",
        sample_call("start-replication"),
        MAX_CALLS,
        run("StartReplication"),
        |call| workflow::advance(call, now(), |input| start::handle(dms, input, now())),
    )
    .await;
    let progress = steps::until_done(
        "check-progress",
        sample_call("check-progress"),
        MAX_CALLS,
        run("CheckProgress"),
        |call| check_progress::step(dms, cloudwatch, call, now()),
    )
    .await;
    let report = &progress.step.report;
    assert_eq!(report["summary"]["tables"], TABLES, "{}", report["summary"]);
    assert_eq!(report["target_tables"]["total"], TABLES);
    let listed = report["target_tables"]["tables"]
        .as_array()
        .map_or(0, Vec::len);
    assert!(listed <= 200, "the report lists {listed} tables by name");

    // The success notice, composed from that state.
    let published = Published::default();
    let mut call = sample_call("notify-success");
    call.state = serde_json::to_value(&progress).unwrap();
    let notified = notify::success(&published, ALERT_TOPIC, call)
        .await
        .expect("the success notice");
    sizes.see("NotifySuccess", &notified);
    let notices = published.0.lock().unwrap().clone();
    assert_eq!(notices.len(), 1);
    let notice = notices[0].structured();
    assert!(
        notice.len() <= LIMIT,
        "the success notice is {} bytes at {TABLES} tables",
        notice.len()
    );

    let cleaned = steps::until_done(
        "cleanup",
        sample_call("cleanup"),
        MAX_CALLS,
        run("Cleanup"),
        |call| async move { cleanup::step(dms, cloudwatch, lambda_event(call), now()).await },
    )
    .await;
    assert_eq!(cleaned.step.report["reason"], "success");

    let sizes = sizes.0.into_inner().unwrap();
    eprintln!("largest answer per step at {TABLES} tables (limit {LIMIT} bytes):");
    for (step, size) in &sizes {
        eprintln!("  {step:<18} {size:>7}");
    }
    eprintln!("  {:<18} {:>7}", "success notice", notice.len());
    assert_eq!(sizes.len(), 8, "every step answered: {sizes:?}");
}
