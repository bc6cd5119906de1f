//! In-memory Step Functions, SNS and S3 for the wave's step tests, and the wave
//! they prepare.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

use super::prepare_wave::{WaveState, prepare};
use crate::alerts::Message;
use crate::aws::executions::{Described, Listed};
use crate::aws::{AwsFault, AwsResult, Executions, Notices, Objects, Starter};
use crate::progress::fixtures::spec_json;
use crate::spec::stack_bounds::StackBounds;
use crate::wave::WaveRun;
use crate::workflow::execution_arn;

pub const BUCKET: &str = "dmsflow-waves";
pub const MACHINE: &str = "arn:aws:states:eu-west-1:123456789012:stateMachine:dmsflow-migration";
pub const WAVE_EXECUTION: &str =
    "arn:aws:states:eu-west-1:123456789012:execution:dmsflow-wave:q3-1";
pub const TOPIC: &str = "arn:aws:sns:eu-west-1:123456789012:dmsflow-alerts";
pub const HOUR_MS: i64 = 3_600_000;

pub fn arn(name: &str) -> String {
    execution_arn(MACHINE, name)
}

/// Executions by name.
#[derive(Default)]
pub struct FakeSfn {
    pub executions: Mutex<BTreeMap<String, Described>>,
    pub started: Mutex<Vec<String>>,
    /// DescribeExecution calls made.
    pub described: Mutex<usize>,
}

impl FakeSfn {
    pub fn put(&self, name: &str, status: &str, started_ms: i64, error: Option<&str>) {
        self.executions.lock().unwrap().insert(
            name.to_string(),
            Described {
                execution_arn: arn(name),
                status: status.into(),
                started_ms,
                stopped_ms: (status != "RUNNING").then_some(started_ms + HOUR_MS),
                error: error.map(str::to_string),
                cause: error
                    .map(|e| format!("{{\"errorType\":\"{e}\",\"errorMessage\":\"it broke\"}}")),
                ..Described::default()
            },
        );
    }
}

impl Executions for FakeSfn {
    async fn running(&self, _: &str) -> AwsResult<Vec<Listed>> {
        Ok(Vec::new())
    }

    async fn describe(&self, execution_arn: &str) -> AwsResult<Described> {
        *self.described.lock().unwrap() += 1;
        let name = execution_arn.rsplit(':').next().unwrap();
        self.executions
            .lock()
            .unwrap()
            .get(name)
            .cloned()
            .ok_or_else(|| AwsFault::NotFound(format!("Execution Does Not Exist: {name}")))
    }
}

impl Starter for FakeSfn {
    async fn start(&self, machine: &str, name: &str, _input: &str) -> AwsResult<String> {
        assert_eq!(machine, MACHINE);
        self.started.lock().unwrap().push(name.to_string());
        if self.executions.lock().unwrap().contains_key(name) {
            return Err(AwsFault::AlreadyExists(format!(
                "Execution Already Exists: {name}"
            )));
        }
        self.put(name, "RUNNING", 0, None);
        Ok(arn(name))
    }
}

#[derive(Default)]
pub struct FakeSns(pub Mutex<Vec<Message>>);

impl Notices for FakeSns {
    async fn publish(&self, topic: &str, message: &Message) -> AwsResult<String> {
        assert_eq!(topic, TOPIC);
        self.0.lock().unwrap().push(message.clone());
        Ok("m-1".into())
    }
}

pub fn spec(run_id: &str) -> Value {
    let mut spec = spec_json(json!({}));
    spec["run_id"] = json!(run_id);
    spec
}

pub fn wave_input() -> Value {
    json!({"action": "wave", "wave_id": "q3", "max_concurrent": 2,
           "runs": [spec("orders"), spec("billing"), spec("ledger")]})
}

/// Objects by bucket and key.
#[derive(Default)]
pub struct FakeS3(pub Mutex<BTreeMap<(String, String), Vec<u8>>>);

impl FakeS3 {
    pub fn put(&self, key: &str, body: &Value) {
        self.0.lock().unwrap().insert(
            (BUCKET.to_string(), key.to_string()),
            body.to_string().into_bytes(),
        );
    }

    /// The runs PrepareWave wrote for `state`.
    pub fn runs(&self, state: &WaveState) -> Vec<WaveRun> {
        assert_eq!(state.items.bucket, BUCKET);
        let objects = self.0.lock().unwrap();
        let body = objects
            .get(&(BUCKET.to_string(), state.items.key.clone()))
            .expect("the runs were written");
        serde_json::from_slice(body).expect("a JSON list of runs")
    }
}

impl Objects for FakeS3 {
    async fn get(&self, bucket: &str, key: &str) -> AwsResult<Vec<u8>> {
        self.0
            .lock()
            .unwrap()
            .get(&(bucket.to_string(), key.to_string()))
            .cloned()
            .ok_or_else(|| AwsFault::NotFound("NoSuchKey".into()))
    }

    async fn put_json(&self, bucket: &str, key: &str, body: String) -> AwsResult<()> {
        self.0
            .lock()
            .unwrap()
            .insert((bucket.to_string(), key.to_string()), body.into_bytes());
        Ok(())
    }
}

/// PrepareWave on `input`.
pub async fn prepare_input(
    sfn: &FakeSfn,
    s3: &FakeS3,
    input: &Value,
) -> crate::error::StepResult<WaveState> {
    prepare(
        sfn,
        s3,
        MACHINE,
        BUCKET,
        &StackBounds::alert_topic_only(Some(TOPIC)),
        WAVE_EXECUTION,
        input,
    )
    .await
}

/// The runs PrepareWave writes for [`wave_input`].
pub async fn prepared(sfn: &FakeSfn) -> Vec<WaveRun> {
    let s3 = FakeS3::default();
    let state = prepare_input(sfn, &s3, &wave_input())
        .await
        .expect("a valid wave");
    s3.runs(&state)
}

pub fn at(ms: i64) -> SystemTime {
    UNIX_EPOCH + Duration::from_millis(u64::try_from(ms).unwrap())
}
