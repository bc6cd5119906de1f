//! The control API over plain HTTP, and the `dms-emulator` binary.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use aws_sdk_databasemigration::config::retry::RetryConfig;
use aws_sdk_databasemigration::types::{
    MigrationTypeValue as M, StartReplicationTaskTypeValue as S,
};
use common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resources_calls_metrics_scenario_and_reset() {
    let env = start().await;
    let addr = env.handle.addr();
    let dms = &env.dms;
    let s = setup(dms, "ctl").await;
    let arn = create_task(
        dms,
        &s,
        "ctl-task",
        M::FullLoadAndCdc,
        None,
        vec![tag("owner", "ops")],
    )
    .await;
    start_task(dms, &arn, S::StartReplication).await;

    let (status, r) = control(addr, "GET", "/_emulator/resources", None).await;
    assert_eq!(status, 200);
    assert_eq!(r["total"], 5);
    assert_eq!(
        r["replication_subnet_groups"]["items"][0]["id"],
        "ctl-subnets"
    );
    assert_eq!(
        r["replication_instances"]["items"][0]["status"],
        "available"
    );
    assert_eq!(r["endpoints"]["count"], 2);
    let t = &r["replication_tasks"]["items"][0];
    assert_eq!(
        (t["id"].as_str(), t["arn"].as_str()),
        (Some("ctl-task"), Some(arn.as_str()))
    );
    assert_eq!(t["tags"]["owner"], "ops");

    let (status, m) = control(
        addr,
        "GET",
        &format!("/_emulator/tasks/{arn}/metrics"),
        None,
    )
    .await;
    assert_eq!(status, 200, "metrics by ARN too");
    assert_eq!(m["task_id"], "ctl-task");
    let (status, _) = control(addr, "GET", "/_emulator/tasks/nope/metrics", None).await;
    assert_eq!(status, 404);

    let (_, calls) = control(addr, "GET", "/_emulator/calls", None).await;
    let log = calls["calls"].as_array().unwrap();
    let creates = log
        .iter()
        .filter(|c| c["operation"] == "CreateReplicationTask")
        .count();
    let starts = log
        .iter()
        .filter(|c| c["operation"] == "StartReplicationTask" && c["outcome"] == "ok")
        .count();
    assert_eq!((creates, starts), (1, 1));
    let endpoint_call = log
        .iter()
        .find(|c| c["operation"] == "CreateEndpoint")
        .unwrap();
    assert_eq!(
        endpoint_call["request"]["Password"], "***",
        "passwords never reach the log"
    );
    assert!(
        endpoint_call["resource_arn"]
            .as_str()
            .unwrap()
            .contains(":endpoint:")
    );

    let (status, err) = control(
        addr,
        "POST",
        "/_emulator/scenario",
        Some(r#"{"sped": 3}"#.into()),
    )
    .await;
    assert_eq!(status, 400);
    assert!(err["error"].as_str().unwrap().contains("sped"));
    let (status, _) = control(addr, "GET", "/_emulator/nothing-here", None).await;
    assert_eq!(status, 404);

    let (status, _) = control(addr, "POST", "/_emulator/reset", None).await;
    assert_eq!(status, 200);
    let (_, r) = control(addr, "GET", "/_emulator/resources", None).await;
    assert_eq!(r["total"], 0);
    let (_, calls) = control(addr, "GET", "/_emulator/calls", None).await;
    assert_eq!(calls["count"], 0);
    assert!(
        dms.describe_replication_tasks()
            .send()
            .await
            .unwrap()
            .replication_tasks()
            .is_empty()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn binary_prints_its_address_serves_and_exits_when_stdin_closes() {
    let dir = std::env::temp_dir().join(format!("dms-emulator-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let scenario = dir.join("scenario.json");
    std::fs::write(
        &scenario,
        r#"{"drills": {"*": {"fail-connection": "source"}}}"#,
    )
    .unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_dms-emulator"))
        .args([
            "--port",
            "0",
            "--speed",
            "50",
            "--throttle-first-calls",
            "1",
            "--scenario",
        ])
        .arg(&scenario)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("binary runs");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .trim()
        .strip_prefix("listening on ")
        .expect("one line naming the address")
        .to_string();
    assert!(
        url.starts_with("http://127.0.0.1:") && !url.ends_with(":0"),
        "{url}"
    );

    let dms = client(&url, RetryConfig::disabled());
    let e = dms.describe_endpoints().send().await.unwrap_err();
    assert_eq!(
        code(&e),
        "ThrottlingException",
        "--throttle-first-calls applies"
    );
    dms.describe_endpoints().send().await.unwrap();
    let addr = url.trim_start_matches("http://").parse().unwrap();
    let (_, sc) = control(addr, "GET", "/_emulator/scenario", None).await;
    assert_eq!(
        sc["drills"]["*"]["fail-connection"], "source",
        "--scenario is loaded"
    );

    drop(child.stdin.take());
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(
            Instant::now() < deadline,
            "binary did not exit after stdin closed"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert!(status.success());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn binary_rejects_bad_arguments() {
    let out = Command::new(env!("CARGO_BIN_EXE_dms-emulator"))
        .args(["--speed", "-1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--speed"));
}
