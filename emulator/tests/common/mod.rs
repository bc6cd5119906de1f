//! Shared helpers: start an emulator, build a real SDK client for it, poll, and
//! talk to the control API.
#![allow(dead_code)]

pub mod metrics;

use std::future::Future;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use aws_sdk_databasemigration::Client;
use aws_sdk_databasemigration::config::retry::RetryConfig;
use aws_sdk_databasemigration::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_databasemigration::error::ProvideErrorMetadata;
use aws_sdk_databasemigration::types::{
    Filter, MigrationTypeValue, ReplicationEndpointTypeValue, ReplicationTask,
    StartReplicationTaskTypeValue, Tag,
};
use aws_smithy_http_client::tls::{Provider, rustls_provider::CryptoMode};
use dms_emulator::{Config, EmulatorHandle, Scenario};
use serde_json::Value;

/// Fast enough that a whole migration takes a fraction of a second.
pub const SPEED: f64 = 50.0;

pub struct Env {
    pub handle: EmulatorHandle,
    pub dms: Client,
}

pub async fn start() -> Env {
    start_with(Scenario::default()).await
}

pub async fn start_with(scenario: Scenario) -> Env {
    let handle = dms_emulator::serve(Config::default().with_speed(SPEED).with_scenario(scenario))
        .await
        .expect("emulator starts");
    let dms = client(&handle.url(), RetryConfig::disabled());
    Env { handle, dms }
}

/// A real SDK client of crate `$sdk` for the emulator at `$url`.
macro_rules! emulator_client {
    ($sdk:ident, $url:expr, $retry:expr) => {{
        let http = aws_smithy_http_client::Builder::new()
            .tls_provider(Provider::Rustls(CryptoMode::Ring))
            .build_https();
        let conf = $sdk::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .credentials_provider(Credentials::new(
                "AKIDEMULATOR",
                "emulator-secret",
                None,
                None,
                "test",
            ))
            .endpoint_url($url)
            .http_client(http)
            .retry_config($retry)
            .build();
        $sdk::Client::from_conf(conf)
    }};
}

/// A real SDK client for the emulator, with the given retry policy.
pub fn client(url: &str, retry: RetryConfig) -> Client {
    emulator_client!(aws_sdk_databasemigration, url, retry)
}

/// The real CloudWatch client, on the emulator at `url`, retries off.
pub fn cloudwatch(url: &str) -> aws_sdk_cloudwatch::Client {
    emulator_client!(aws_sdk_cloudwatch, url, RetryConfig::disabled())
}

/// The error code of an SDK error (`ResourceNotFoundFault`, ...).
pub fn code<E: ProvideErrorMetadata>(e: &E) -> String {
    e.code().unwrap_or("<no code>").to_string()
}

pub fn message<E: ProvideErrorMetadata>(e: &E) -> String {
    e.message().unwrap_or("").to_string()
}

/// Poll `f` until it gives `Some`; panics (naming `what`) after a generous bound.
pub async fn eventually<T, F, Fut>(what: &str, mut f: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Some(v) = f().await {
            return v;
        }
        assert!(Instant::now() < deadline, "gave up waiting for {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

pub fn filter(name: &str, value: &str) -> Filter {
    Filter::builder().name(name).values(value).build().unwrap()
}

pub fn tag(k: &str, v: &str) -> Tag {
    Tag::builder().key(k).value(v).build()
}

pub fn mappings(schema: &str, table: &str) -> String {
    format!(
        r#"{{"rules":[{{"rule-type":"selection","rule-id":"1","rule-name":"1","object-locator":{{"schema-name":"{schema}","table-name":"{table}"}},"rule-action":"include"}}]}}"#
    )
}

/// ARNs of a ready-to-use setup: subnet group, available instance, two endpoints.
pub struct Setup {
    pub subnet_group: String,
    pub instance_arn: String,
    pub source_arn: String,
    pub target_arn: String,
}

pub async fn create_instance(
    dms: &Client,
    id: &str,
    group: Option<&str>,
    tags: Vec<Tag>,
) -> String {
    let out = dms
        .create_replication_instance()
        .replication_instance_identifier(id)
        .replication_instance_class("dms.t3.medium")
        .allocated_storage(50)
        .set_replication_subnet_group_identifier(group.map(str::to_string))
        .set_tags(Some(tags))
        .send()
        .await
        .expect("create instance");
    out.replication_instance()
        .unwrap()
        .replication_instance_arn()
        .unwrap()
        .to_string()
}

pub async fn instance_status(dms: &Client, arn: &str) -> Option<String> {
    match dms
        .describe_replication_instances()
        .filters(filter("replication-instance-arn", arn))
        .send()
        .await
    {
        Ok(out) => out.replication_instances()[0]
            .replication_instance_status()
            .map(str::to_string),
        Err(e) if code(&e) == "ResourceNotFoundFault" => None,
        Err(e) => panic!("describe instances: {e:?}"),
    }
}

pub async fn wait_instance_available(dms: &Client, arn: &str) {
    eventually("instance available", || async {
        (instance_status(dms, arn).await.as_deref() == Some("available")).then_some(())
    })
    .await;
}

pub async fn create_endpoint(dms: &Client, id: &str, kind: &str, tags: Vec<Tag>) -> String {
    let (t, engine, db) = if kind == "source" {
        (ReplicationEndpointTypeValue::Source, "postgres", "sales")
    } else {
        (
            ReplicationEndpointTypeValue::Target,
            "aurora-postgresql",
            "warehouse",
        )
    };
    let out = dms
        .create_endpoint()
        .endpoint_identifier(id)
        .endpoint_type(t)
        .engine_name(engine)
        .server_name(format!("{id}.example.internal"))
        .port(5432)
        .username("dms")
        .password("not-a-real-password")
        .database_name(db)
        .set_tags(Some(tags))
        .send()
        .await
        .expect("create endpoint");
    out.endpoint().unwrap().endpoint_arn().unwrap().to_string()
}

pub async fn setup(dms: &Client, prefix: &str) -> Setup {
    let subnet_group = format!("{prefix}-subnets");
    dms.create_replication_subnet_group()
        .replication_subnet_group_identifier(&subnet_group)
        .replication_subnet_group_description("test subnets")
        .subnet_ids("subnet-aaaa1111")
        .subnet_ids("subnet-bbbb2222")
        .send()
        .await
        .expect("create subnet group");
    let instance_arn =
        create_instance(dms, &format!("{prefix}-ri"), Some(&subnet_group), vec![]).await;
    let source_arn = create_endpoint(dms, &format!("{prefix}-src"), "source", vec![]).await;
    let target_arn = create_endpoint(dms, &format!("{prefix}-tgt"), "target", vec![]).await;
    wait_instance_available(dms, &instance_arn).await;
    Setup {
        subnet_group,
        instance_arn,
        source_arn,
        target_arn,
    }
}

pub async fn create_task(
    dms: &Client,
    s: &Setup,
    id: &str,
    migration: MigrationTypeValue,
    settings: Option<&str>,
    tags: Vec<Tag>,
) -> String {
    let out = dms
        .create_replication_task()
        .replication_task_identifier(id)
        .source_endpoint_arn(&s.source_arn)
        .target_endpoint_arn(&s.target_arn)
        .replication_instance_arn(&s.instance_arn)
        .migration_type(migration)
        .table_mappings(mappings("sales", "%"))
        .set_replication_task_settings(settings.map(str::to_string))
        .set_tags(Some(tags))
        .send()
        .await
        .expect("create task");
    let arn = out
        .replication_task()
        .unwrap()
        .replication_task_arn()
        .unwrap()
        .to_string();
    eventually("task ready", || async {
        (task(dms, &arn).await.status() == Some("ready")).then_some(())
    })
    .await;
    arn
}

pub async fn task(dms: &Client, arn: &str) -> ReplicationTask {
    dms.describe_replication_tasks()
        .filters(filter("replication-task-arn", arn))
        .send()
        .await
        .expect("describe task")
        .replication_tasks()[0]
        .clone()
}

pub async fn start_task(
    dms: &Client,
    arn: &str,
    kind: StartReplicationTaskTypeValue,
) -> ReplicationTask {
    dms.start_replication_task()
        .replication_task_arn(arn)
        .start_replication_task_type(kind)
        .send()
        .await
        .expect("start task")
        .replication_task()
        .unwrap()
        .clone()
}

pub async fn wait_task_status(dms: &Client, arn: &str, status: &str) -> ReplicationTask {
    eventually(&format!("task {status}"), || async {
        let t = task(dms, arn).await;
        (t.status() == Some(status)).then_some(t)
    })
    .await
}

/// Waits until a full-load-and-cdc task has loaded everything and replicates.
pub async fn wait_cdc_running(dms: &Client, arn: &str) {
    eventually("full load done, CDC running", || async {
        let t = task(dms, arn).await;
        let loaded = t
            .replication_task_stats()
            .unwrap()
            .full_load_progress_percent()
            == 100;
        (loaded && t.status() == Some("running")).then_some(())
    })
    .await;
}

/// Plain HTTP/1.1 to the control API. Returns (status, JSON body).
pub fn http(addr: SocketAddr, method: &str, path: &str, body: Option<&str>) -> (u16, Value) {
    let r = raw_http(
        addr,
        method,
        path,
        &[("Content-Type", "application/json")],
        body.unwrap_or(""),
    );
    (r.status, r.json)
}

/// An answer to [`raw_http`].
pub struct RawResponse {
    pub status: u16,
    /// The response head (status line and headers), lowercased.
    pub head: String,
    /// The body as JSON (`Null` when it is not JSON).
    pub json: Value,
}

impl RawResponse {
    /// The value of a response header (lowercased), if present.
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.head.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            (k.trim() == name).then(|| v.trim())
        })
    }
}

/// Plain HTTP/1.1 with the given headers (a Content-Length is added).
pub fn raw_http(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> RawResponse {
    let mut s = TcpStream::connect(addr).expect("connect");
    let extra: String = headers
        .iter()
        .map(|(k, v)| format!("{k}: {v}\r\n"))
        .collect();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\n{extra}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut raw = String::new();
    s.read_to_string(&mut raw).expect("read");
    let (head, payload) = raw.split_once("\r\n\r\n").unwrap_or((raw.as_str(), ""));
    let status: u16 = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .expect("status");
    RawResponse {
        status,
        head: head.to_ascii_lowercase(),
        json: serde_json::from_str(payload).unwrap_or(Value::Null),
    }
}

/// A CloudWatch call over awsJson1_0, as botocore (boto3, the AWS CLI) sends it.
pub async fn cloudwatch_json(addr: SocketAddr, operation: &str, body: Value) -> RawResponse {
    let target = format!("GraniteServiceVersion20100801.{operation}");
    tokio::task::spawn_blocking(move || {
        raw_http(
            addr,
            "POST",
            "/",
            &[
                ("X-Amz-Target", target.as_str()),
                ("Content-Type", "application/x-amz-json-1.0"),
                ("x-amzn-query-mode", "true"),
            ],
            &body.to_string(),
        )
    })
    .await
    .unwrap()
}

pub async fn control(
    addr: SocketAddr,
    method: &'static str,
    path: &str,
    body: Option<String>,
) -> (u16, Value) {
    let path = path.to_string();
    tokio::task::spawn_blocking(move || http(addr, method, &path, body.as_deref()))
        .await
        .unwrap()
}
