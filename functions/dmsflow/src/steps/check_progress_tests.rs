use serde_json::{Value, json};

use super::*;
use crate::aws::metrics::CdcLatency;
use crate::error::ErrorKind;
use crate::progress::fixtures::{input, seeded_dms, table};
use crate::progress::table_state::{COMPLETED, ERROR, FULL_LOAD, RELOADING};
use crate::progress::validation_state::{PENDING_RECORDS, VALIDATED};
use crate::testing::{FakeDms, FakeMetrics};

const TASK: &str = "dmsflow-orders-task";
const LONG_AGO: &str = "2020-01-01T00:00:00Z";

struct Run {
    dms: FakeDms,
    metrics: FakeMetrics,
    changes: Value,
}

impl Run {
    fn new(task_status: &str, changes: Value) -> Self {
        let dms = seeded_dms("available", task_status);
        dms.update_task(TASK, |t| {
            if task_status != "ready" {
                t.start_date = Some(1_767_225_600);
            }
        });
        Self {
            dms,
            metrics: FakeMetrics::new(),
            changes,
        }
    }

    fn criterion(task_status: &str, criterion: &str) -> Self {
        Self::new(task_status, json!({"completion": {"criterion": criterion}}))
    }

    /// The task's statistics: percent, then tables loaded, loading, queued, errored.
    fn stats(&self, status: &str, percent: i32, counts: [i32; 4], stop_reason: Option<&str>) {
        let with = crate::progress::fixtures::with_stats(
            crate::progress::fixtures::task("full-load-and-cdc", status),
            percent,
            counts,
        );
        self.dms.update_task(TASK, |t| {
            t.status = status.into();
            t.stats = with.stats;
            t.stop_reason = stop_reason.map(|r| format!("Stop Reason {r}"));
        });
    }

    fn tables(&self, rows: Vec<TableStats>) {
        self.dms.set_table_stats(TASK, rows);
    }

    async fn check(
        &self,
        previous: &Value,
        started: Option<&str>,
    ) -> StepResult<StepReport<ProgressDetail>> {
        handle(
            &self.dms,
            &self.metrics,
            input(self.changes.clone(), previous.clone(), started),
            SystemTime::now(),
        )
        .await
    }

    async fn ok(&self, previous: &Value) -> StepReport<ProgressDetail> {
        self.check(previous, None).await.unwrap()
    }
}

fn as_previous(report: &StepReport<ProgressDetail>) -> Value {
    serde_json::to_value(report).unwrap()
}

fn published_names(metrics: &FakeMetrics) -> Vec<String> {
    let published = metrics.published();
    let (run, data) = published.last().expect("published");
    assert_eq!(run, "orders");
    data.iter().map(|d| d.name.clone()).collect()
}

#[tokio::test]
async fn a_starting_task_without_statistics_is_waited_for() {
    let run = Run::criterion("starting", "full-load-complete");
    run.dms.fail_next(
        "table_statistics",
        AwsFault::Busy("task is starting".into()),
    );
    let report = run.ok(&Value::Null).await;
    assert!(!report.done);
    assert_eq!(report.detail.poll_count, 1);
    assert_eq!(report.detail.summary.phase, Phase::Starting);
    assert_eq!(report.wait_seconds, 30);
    assert!(report.waiting_for.unwrap().contains("to start"));
    assert!(run.metrics.calls_to("cdc_latency").is_empty());
}

#[tokio::test]
async fn during_the_full_load_metrics_are_published_and_latency_is_not_read() {
    let run = Run::criterion("running", "full-load-complete");
    run.stats("running", 40, [1, 1, 0, 0], None);
    run.tables(vec![
        table("sales.orders", COMPLETED, ""),
        table("sales.items", FULL_LOAD, ""),
    ]);
    let report = run.ok(&Value::Null).await;
    assert!(!report.done);
    assert!(report.waiting_for.unwrap().contains("40%"));
    assert_eq!(
        published_names(&run.metrics),
        vec![
            metric_names::FULL_LOAD_PERCENT,
            metric_names::TABLES_LOADED,
            metric_names::ROWS_LOADED,
            metric_names::TABLES_ERRORED,
            metric_names::VALIDATION_FAILED_RECORDS,
        ]
    );
    assert!(run.metrics.calls_to("cdc_latency").is_empty());
}

#[tokio::test]
async fn a_fast_full_load_that_skipped_running_between_polls_is_done() {
    // full-load task: starting at one poll, stopped with FULL_LOAD_ONLY_FINISHED at the next.
    let run = Run::criterion("starting", "full-load-complete");
    run.dms
        .update_task(TASK, |t| t.migration_type = "full-load".into());
    let first = run.ok(&Value::Null).await;
    run.stats(
        "stopped",
        100,
        [2, 0, 0, 0],
        Some("FULL_LOAD_ONLY_FINISHED"),
    );
    run.tables(vec![
        table("sales.orders", COMPLETED, ""),
        table("sales.items", COMPLETED, ""),
    ]);
    let report = run.ok(&as_previous(&first)).await;
    assert!(report.done, "{report:?}");
    assert_eq!(report.wait_seconds, 0);
    assert_eq!(report.detail.poll_count, 2);
    let target = &report.detail.target_tables;
    assert_eq!(target.tables, ["sales.items", "sales.orders"]);
    assert_eq!(target.total, 2);
    assert_eq!(target.prep_mode, "DO_NOTHING");
    assert!(
        target.effect.starts_with("loaded into existing tables"),
        "{target:?}"
    );
    // The success notice reads `target_tables` at the top of the report.
    let sent = serde_json::to_value(&report).unwrap();
    assert_eq!(sent["target_tables"]["total"], 2, "{sent}");
    assert_eq!(sent["target_tables"]["prep_mode"], "DO_NOTHING", "{sent}");
}

#[tokio::test]
async fn ready_for_cutover_reads_the_latency_of_the_task_resource() {
    let run = Run::criterion("running", "ready-for-cutover");
    run.stats("running", 100, [1, 0, 0, 0], None);
    run.tables(vec![table("sales.orders", COMPLETED, VALIDATED)]);
    run.metrics.set_cdc_latency(CdcLatency {
        source_seconds: Some(2.0),
        target_seconds: Some(90.0),
        validation_failed_records: None,
    });
    let report = run.ok(&Value::Null).await;
    assert!(!report.done);
    assert!(
        report
            .waiting_for
            .as_deref()
            .unwrap()
            .contains("target 90 s")
    );
    assert_eq!(
        run.metrics.calls_to("cdc_latency"),
        vec!["cdc_latency dmsflow-orders-instance DMSFLOW-ORDERS-TASK"]
    );
    let data = &run.metrics.published()[0].1;
    let latency = data
        .iter()
        .find(|d| d.name == metric_names::CDC_LATENCY_SECONDS)
        .unwrap();
    assert_eq!((latency.value, latency.unit.as_str()), (90.0, "Seconds"));

    run.metrics.set_cdc_latency(CdcLatency {
        source_seconds: Some(2.0),
        target_seconds: Some(4.0),
        validation_failed_records: None,
    });
    assert!(run.ok(&as_previous(&report)).await.done);
}

#[tokio::test]
async fn the_wait_grows_while_the_load_moves_and_resets_when_the_state_changes() {
    let run = Run::criterion("running", "full-load-complete");
    run.tables(vec![table("sales.orders", FULL_LOAD, "")]);
    let mut previous = Value::Null;
    let mut waits = Vec::new();
    for percent in [1, 2, 3, 4] {
        // Rows keep moving: progress, not a change of state.
        run.stats("running", percent, [0, 1, 0, 0], None);
        let report = run.ok(&previous).await;
        waits.push(report.wait_seconds);
        previous = as_previous(&report);
    }
    assert_eq!(waits, vec![30, 60, 120, 240]);
    assert_eq!(previous["quiet_polls"], 3);
    assert_eq!(previous["poll_count"], 4);
    // A table is being reloaded: a state no table was in before.
    run.tables(vec![table("sales.orders", RELOADING, "")]);
    let report = run.ok(&previous).await;
    assert_eq!((report.wait_seconds, report.detail.quiet_polls), (30, 0));
    assert_eq!(report.detail.poll_count, 5);
}

#[tokio::test]
async fn the_wait_is_cut_to_when_the_full_load_should_end() {
    let run = Run::criterion("running", "full-load-complete");
    run.tables(vec![table("sales.orders", FULL_LOAD, "")]);
    let mut previous = Value::Null;
    for _ in 0..6 {
        run.stats("running", 50, [0, 1, 0, 0], None);
        previous = as_previous(&run.ok(&previous).await);
    }
    // At the maximum, spread over its last fortieth (wait_policy::spread).
    let at_max = previous["wait_seconds"].as_u64().unwrap();
    assert!((527..=540).contains(&at_max), "{at_max}");
    // 95 percent after 1,900 s: the end is due in about 100 s.
    run.stats("running", 95, [0, 1, 0, 0], None);
    run.dms.update_task(TASK, |t| {
        if let Some(stats) = t.stats.as_mut() {
            stats.elapsed_time_millis = 1_900_000;
        }
    });
    assert_eq!(run.ok(&previous).await.wait_seconds, 100);
    // Further off than the grown wait: the wait stays as it is.
    run.stats("running", 5, [0, 1, 0, 0], None);
    run.dms.update_task(TASK, |t| {
        if let Some(stats) = t.stats.as_mut() {
            stats.elapsed_time_millis = 1_900_000;
        }
    });
    let grown = run.ok(&previous).await.wait_seconds;
    assert!((527..=540).contains(&grown), "{grown}");
}

#[tokio::test]
async fn steady_cdc_reaches_the_longest_wait() {
    let run = Run::criterion("running", "ready-for-cutover");
    run.stats("running", 100, [1, 0, 0, 0], None);
    run.metrics.set_cdc_latency(CdcLatency {
        source_seconds: Some(300.0),
        target_seconds: Some(320.0),
        validation_failed_records: None,
    });
    let mut previous = Value::Null;
    let mut last = 0;
    for i in 0..8 {
        let mut row = table("sales.orders", COMPLETED, VALIDATED);
        row.inserts = 1000 * i;
        row.updates = 10 * i;
        run.tables(vec![row]);
        let report = run.ok(&previous).await;
        assert!(!report.done);
        last = report.wait_seconds;
        previous = as_previous(&report);
    }
    // The maximum, spread over its last fortieth (wait_policy::spread).
    assert!((527..=540).contains(&last), "{last}");
}

#[tokio::test]
async fn the_same_input_twice_gives_the_same_report_and_changes_nothing() {
    let run = Run::criterion("running", "validated");
    run.stats("running", 100, [1, 0, 0, 0], None);
    run.tables(vec![table("sales.orders", COMPLETED, PENDING_RECORDS)]);
    let first = run.ok(&Value::Null).await;
    let again = run.ok(&Value::Null).await;
    assert_eq!(first, again);
    let writes: Vec<String> = run
        .dms
        .calls()
        .into_iter()
        .filter(|c| !c.starts_with("describe_") && !c.starts_with("table_statistics"))
        .collect();
    assert!(writes.is_empty(), "{writes:?}");
}

#[tokio::test]
async fn a_failed_task_ends_the_run_after_publishing_its_metrics() {
    let run = Run::criterion("running", "validated");
    run.stats("failed", 30, [0, 0, 0, 0], None);
    run.dms.update_task(TASK, |t| {
        t.last_failure_message = Some("Error executing source loop; Stream component failed".into())
    });
    let err = run.check(&Value::Null, None).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::TaskFailed);
    assert!(
        err.message.contains("Stream component failed"),
        "{}",
        err.message
    );
    assert_eq!(run.metrics.published().len(), 1);
}

#[tokio::test]
async fn errored_tables_and_outside_stops_are_distinct_errors() {
    let run = Run::criterion("running", "full-load-complete");
    run.stats("running", 50, [1, 0, 0, 1], None);
    run.tables(vec![
        table("sales.orders", COMPLETED, ""),
        table("sales.items", ERROR, ""),
    ]);
    // The errored table is reloaded first (remediation.reload_errored_tables: 1),
    // the next check gives DMS time to show it, and only then does the run fail.
    let reloaded = run.check(&Value::Null, None).await.unwrap();
    assert!(!reloaded.done);
    assert_eq!(
        run.dms.calls_to("reload_tables"),
        [format!("reload_tables {TASK} data-reload sales.items")]
    );
    let settling = run
        .check(&serde_json::to_value(&reloaded).unwrap(), None)
        .await
        .unwrap();
    assert!(!settling.done && settling.actions.is_empty());
    let err = run
        .check(&serde_json::to_value(&settling).unwrap(), None)
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::TablesErrored);
    assert!(err.message.contains("sales.items"));
    assert!(
        err.message.contains("already tried") && err.message.contains("sales.items (1 reload)"),
        "{}",
        err.message
    );
    assert_eq!(run.dms.calls_to("reload_tables").len(), 1);
    let errored = run.metrics.published()[0]
        .1
        .iter()
        .find(|d| d.name == metric_names::TABLES_ERRORED)
        .map(|d| d.value);
    assert_eq!(errored, Some(1.0));

    let run = Run::criterion("running", "full-load-complete");
    run.stats("stopped", 50, [1, 0, 1, 0], Some("NORMAL"));
    let err = run.check(&Value::Null, None).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::TaskFailed);
    assert!(err.message.contains("not by dmsflow"), "{}", err.message);
}

#[tokio::test]
async fn the_full_load_and_the_wait_for_latency_have_their_own_bounds() {
    let run = Run::criterion("running", "ready-for-cutover");
    run.stats("running", 60, [0, 1, 0, 0], None);
    run.tables(vec![table("sales.orders", FULL_LOAD, PENDING_RECORDS)]);
    let err = run.check(&Value::Null, Some(LONG_AGO)).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::StepTimedOut);
    assert!(err.message.contains("full_load_timeout_hours"));

    run.stats("running", 100, [1, 0, 0, 0], None);
    run.tables(vec![table("sales.orders", COMPLETED, VALIDATED)]);
    run.metrics.set_cdc_latency(CdcLatency {
        source_seconds: Some(500.0),
        target_seconds: Some(500.0),
        validation_failed_records: None,
    });
    // Past the full load's bound (72 h) but within the CDC bound (1440 h): waits on.
    let hundred_hours_ago = humantime::format_rfc3339(
        std::time::SystemTime::now() - std::time::Duration::from_secs(100 * 3600),
    )
    .to_string();
    let report = run
        .check(&Value::Null, Some(&hundred_hours_ago))
        .await
        .unwrap();
    assert!(!report.done);
    // Past the CDC bound: StepTimedOut, naming the setting.
    let err = run.check(&Value::Null, Some(LONG_AGO)).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::StepTimedOut);
    assert!(err.message.contains("cdc_timeout_hours"), "{}", err.message);
}

#[tokio::test]
async fn aws_faults_keep_their_kinds_and_metrics_are_best_effort() {
    let run = Run::criterion("running", "validated");
    run.stats("running", 100, [1, 0, 0, 0], None);
    run.tables(vec![table("sales.orders", COMPLETED, VALIDATED)]);
    run.dms
        .fail_next("describe_task", AwsFault::Throttled("Rate exceeded".into()));
    assert_eq!(
        run.check(&Value::Null, None).await.unwrap_err().kind,
        ErrorKind::Throttled
    );
    run.dms
        .fail_next("table_statistics", AwsFault::Busy("busy".into()));
    assert_eq!(
        run.check(&Value::Null, None).await.unwrap_err().kind,
        ErrorKind::ResourceBusy,
        "a running task must give its statistics"
    );

    run.metrics
        .fail_next("put_progress", AwsFault::Throttled("Rate exceeded".into()));
    run.metrics
        .fail_next("cdc_latency", AwsFault::Unavailable("timeout".into()));
    let report = run.ok(&Value::Null).await;
    assert!(report.done, "validated does not need the latency");
    let error = report.detail.metrics_error.unwrap();
    assert!(
        error.contains("AwsUnavailable: reading the CDC latency")
            && error.contains("Throttled: publishing the progress metrics"),
        "{error}"
    );

    let cutover = Run::criterion("running", "ready-for-cutover");
    cutover.stats("running", 100, [1, 0, 0, 0], None);
    cutover
        .metrics
        .fail_next("cdc_latency", AwsFault::Throttled("Rate exceeded".into()));
    assert_eq!(
        cutover.check(&Value::Null, None).await.unwrap_err().kind,
        ErrorKind::Throttled
    );

    run.dms.remove(TASK);
    assert_eq!(
        run.check(&Value::Null, None).await.unwrap_err().kind,
        ErrorKind::ResourceMissing
    );
}

#[test]
fn progress_data_takes_the_larger_latency_and_omits_an_absent_one() {
    let summary = ProgressSummary {
        full_load_percent: 55,
        tables_loaded: 3,
        rows_loaded: 4_500,
        validation_failed_records: 2,
        cdc_latency_source_seconds: Some(12.0),
        cdc_latency_target_seconds: Some(7.0),
        ..ProgressSummary::default()
    };
    let data = progress_data(&summary);
    let get = |name: &str| {
        data.iter()
            .find(|d| d.name == name)
            .map(|d| (d.value, d.unit.clone()))
    };
    assert_eq!(
        get(metric_names::FULL_LOAD_PERCENT),
        Some((55.0, "Percent".into()))
    );
    assert_eq!(
        get(metric_names::TABLES_LOADED),
        Some((3.0, "Count".into()))
    );
    assert_eq!(
        get(metric_names::ROWS_LOADED),
        Some((4_500.0, "Count".into()))
    );
    assert_eq!(
        get(metric_names::VALIDATION_FAILED_RECORDS),
        Some((2.0, "Count".into()))
    );
    // With a latency, every progress metric there is, once each.
    let mut names: Vec<&str> = data.iter().map(|d| d.name.as_str()).collect();
    names.sort_unstable();
    let mut all = metric_names::ALL.to_vec();
    all.sort_unstable();
    assert_eq!(names, all);
    assert_eq!(
        get(metric_names::CDC_LATENCY_SECONDS),
        Some((12.0, "Seconds".into()))
    );
    let none = progress_data(&ProgressSummary::default());
    assert!(
        none.iter()
            .all(|d| d.name != metric_names::CDC_LATENCY_SECONDS)
    );
}

/// `count` loaded, validated tables of schema `sales`.
fn catalog(count: usize) -> Vec<TableStats> {
    (0..count)
        .map(|i| table(&format!("sales.t{i:05}"), COMPLETED, VALIDATED))
        .collect()
}

#[tokio::test]
async fn steady_cdc_checks_cost_two_dms_calls_whatever_the_table_count() {
    let run = Run::new(
        "running",
        json!({
            "completion": {"criterion": "ready-for-cutover"},
            "validation": {"enabled": true}
        }),
    );
    run.stats("running", 100, [2_000, 0, 0, 0], None);
    run.tables(catalog(2_000));
    let slow = |failed: f64| CdcLatency {
        source_seconds: Some(300.0),
        target_seconds: Some(300.0),
        validation_failed_records: Some(failed),
    };
    run.metrics.set_cdc_latency(slow(0.0));
    // The first check reads every table.
    let first = run.ok(&Value::Null).await;
    assert_eq!(run.dms.calls_to("table_statistics").len(), 1);
    assert_eq!(first.detail.summary.tables, 2_000);
    // Then, while only the latency is missing: the task and the errored tables.
    let mut previous = as_previous(&first);
    for _ in 0..3 {
        run.dms.clear_calls();
        let report = run.ok(&previous).await;
        assert!(!report.done);
        assert!(
            report
                .waiting_for
                .as_deref()
                .unwrap()
                .starts_with("CDC latency under")
        );
        assert_eq!(
            run.dms.calls(),
            vec![
                "describe_task dmsflow-orders-task",
                "table_statistics_in_state dmsflow-orders-task Table error",
            ]
        );
        assert_eq!(report.detail.summary.tables, 2_000);
        assert_eq!(report.detail.target_tables.total, 2_000);
        previous = as_previous(&report);
    }
    // A throttled filtered call is the check's error, for the state machine to
    // retry later: not a reason to read every page.
    run.dms.clear_calls();
    run.dms.fail_next(
        "table_statistics_in_state",
        AwsFault::Throttled("Rate exceeded".into()),
    );
    let error = run.check(&previous, None).await.unwrap_err();
    assert_eq!(error.kind, ErrorKind::Throttled);
    assert!(run.dms.calls_to("table_statistics").is_empty());
    // New validation failures: every page again, to name the tables.
    run.metrics.set_cdc_latency(slow(2.0));
    run.dms.clear_calls();
    run.ok(&previous).await;
    assert_eq!(run.dms.calls_to("table_statistics").len(), 1);
    // The latency is under the threshold: the final report reads every page.
    run.metrics.set_cdc_latency(CdcLatency {
        source_seconds: Some(1.0),
        target_seconds: Some(1.0),
        validation_failed_records: Some(0.0),
    });
    run.dms.clear_calls();
    let done = run.ok(&previous).await;
    assert!(done.done);
    assert_eq!(run.dms.calls_to("table_statistics").len(), 1);
}

#[tokio::test]
async fn a_table_in_error_during_steady_cdc_is_found_by_the_filtered_call() {
    let run = Run::new(
        "running",
        json!({
            "completion": {"criterion": "ready-for-cutover"},
            "validation": {"enabled": false},
            "remediation": {"reload_errored_tables": 0}
        }),
    );
    run.stats("running", 100, [3, 0, 0, 0], None);
    run.tables(catalog(3));
    run.metrics.set_cdc_latency(CdcLatency {
        source_seconds: Some(300.0),
        target_seconds: Some(300.0),
        validation_failed_records: None,
    });
    let first = run.ok(&Value::Null).await;
    // The task's statistics lag behind: only the table statistics know.
    let mut tables = catalog(3);
    tables[1].table_state = ERROR.into();
    run.tables(tables);
    let error = run.check(&as_previous(&first), None).await.unwrap_err();
    assert_eq!(error.kind, ErrorKind::TablesErrored);
    assert!(error.message.contains("sales.t00001"), "{error}");
}

mod serverless {
    use super::*;
    use crate::progress::fixtures::{seeded_serverless_dms, serverless_input};

    async fn check(dms: &FakeDms) -> StepResult<StepReport<ProgressDetail>> {
        check_with(dms, json!({})).await
    }

    async fn check_with(dms: &FakeDms, changes: Value) -> StepResult<StepReport<ProgressDetail>> {
        let metrics = FakeMetrics::new();
        handle(
            dms,
            &metrics,
            serverless_input(changes, Value::Null),
            SystemTime::now(),
        )
        .await
    }

    fn failed(dms: &FakeDms, provision: &str, messages: &str) {
        dms.update_task(TASK, |t| {
            t.status = "failed".into();
            t.start_date = Some(1_767_225_600);
            t.last_failure_message = Some(messages.into());
            if let Some(p) = t.provisioning.as_mut() {
                p.state = provision.into();
                p.replication_status = "failed".into();
            }
        });
    }

    #[tokio::test]
    async fn a_replication_in_a_stage_before_running_is_waited_for_by_its_stage() {
        let dms = seeded_serverless_dms("starting", "provisioning");
        dms.update_task(TASK, |t| {
            t.start_date = Some(1_767_225_600);
            t.provisioning.as_mut().unwrap().replication_status = "provisioning_capacity".into();
        });
        let report = check(&dms).await.unwrap();
        assert!(!report.done);
        assert_eq!(
            report.waiting_for.as_deref(),
            Some("the replication to start (DMS Serverless stage provisioning_capacity)")
        );
    }

    #[tokio::test]
    async fn a_failed_connection_test_is_a_connection_test_failure_naming_the_endpoint() {
        let dms = seeded_serverless_dms("ready", "");
        failed(
            &dms,
            "deprovisioning",
            "Test connection failed for endpoint dmsflow-orders-target. Login timeout expired",
        );
        let error = check(&dms).await.unwrap_err();
        assert_eq!(error.kind, ErrorKind::ConnectionTestFailed);
        assert!(
            error.message.starts_with("The target endpoint dmsflow-orders-target (aurora-postgresql at target.example.internal:5432")
                && error.message.contains("DMS Serverless replication config dmsflow-orders-task: Test connection failed")
                && error.message.contains("the replication's security groups"),
            "{}",
            error.message
        );
    }

    #[tokio::test]
    async fn a_failed_provisioning_says_so_with_the_capacity_and_the_fix() {
        let dms = seeded_serverless_dms("ready", "");
        failed(&dms, "failed_provision", "Insufficient capacity units.");
        let error = check(&dms).await.unwrap_err();
        assert_eq!(error.kind, ErrorKind::TaskFailed);
        assert!(
            error
                .message
                .contains("failed while DMS provisioned its capacity (up to 16 DCU")
                && error.message.contains("Insufficient capacity units.")
                && error.message.contains("quotas"),
            "{}",
            error.message
        );
        // Any other failure: the task's message, naming a replication config.
        let dms = seeded_serverless_dms("ready", "");
        failed(&dms, "deprovisioning", "Last Error Table error.");
        let error = check(&dms).await.unwrap_err();
        assert_eq!(error.kind, ErrorKind::TaskFailed);
        assert!(
            error
                .message
                .starts_with("replication config dmsflow-orders-task failed"),
            "{}",
            error.message
        );
    }

    #[tokio::test]
    async fn statistics_lost_with_the_capacity_leave_the_replications_own() {
        let dms = seeded_serverless_dms("stopped", "deprovisioned");
        dms.update_task(TASK, |t| {
            t.start_date = Some(1_767_225_600);
            t.migration_type = "full-load".into();
            t.stop_reason = Some("Stop Reason FULL_LOAD_ONLY_FINISHED".into());
            t.stats = Some(crate::aws::dms::TaskStats {
                full_load_progress_percent: 100,
                tables_loaded: 4,
                ..Default::default()
            });
        });
        dms.fail_next("table_statistics", AwsFault::Busy("deprovisioned".into()));
        let full_load = json!({"migration_type": "full-load",
                               "completion": {"criterion": "full-load-complete"}});
        let report = check_with(&dms, full_load).await.unwrap();
        assert!(report.done, "{:?}", report.waiting_for);
        assert_eq!(report.detail.summary.tables_loaded, 4);
    }
}
