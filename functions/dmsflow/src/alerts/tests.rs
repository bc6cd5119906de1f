//! The exact text of every kind of message.

use serde_json::json;

use super::*;

const EXECUTION: &str = "arn:aws:states:eu-west-1:123456789012:execution:dmsflow-migration:orders";

fn run_failure<'a>() -> FailureFacts<'a> {
    FailureFacts {
        execution_arn: EXECUTION,
        run_id: Some("orders"),
        run_validated: true,
        cutover: false,
        failed_state: "TestConnections",
        error: "ConnectionTestFailed",
        cause: "the connection test from replication instance dmsflow-orders-instance to the source endpoint dmsflow-orders-source failed: Can't connect to MySQL server",
        cleanup_on_failure: Some("keep"),
        task: Some("dmsflow-orders-task"),
        instance: Some("dmsflow-orders-instance"),
        serverless: false,
        generation: 1,
        first_execution_arn: Some(EXECUTION),
        earlier: None,
    }
}

#[test]
fn a_run_failure_names_the_run_the_step_the_cause_what_to_do_and_where_to_look() {
    let message = failure_alert(&run_failure());
    assert_eq!(
        message.subject,
        "dmsflow run orders failed at TestConnections"
    );
    assert_eq!(
        message.text,
        "The migration run failed.

What failed: ConnectionTestFailed at TestConnections.
the connection test from replication instance dmsflow-orders-instance to the source endpoint dmsflow-orders-source failed: Can't connect to MySQL server

What to do: Check the endpoint's server name, port, network path (security groups, routes, firewalls) and the secret it reads; then start the run again with the same input.

Run: orders
Cleanup after this failure (keep): the run's resources are kept for inspection; the task is stopped.
Execution: https://eu-west-1.console.aws.amazon.com/states/home?region=eu-west-1#/v2/executions/details/arn:aws:states:eu-west-1:123456789012:execution:dmsflow-migration:orders
DMS task: dmsflow-orders-task https://eu-west-1.console.aws.amazon.com/dms/v2/home?region=eu-west-1#taskDetails/dmsflow-orders-task
Dashboard: dmsflow-orders https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#dashboards/dashboard/dmsflow-orders (while the run's resources exist)
Task log: CloudWatch log group dms-tasks-dmsflow-orders-instance https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#logsV2:log-groups/log-group/dms-tasks-dmsflow-orders-instance"
    );
    assert_eq!(message.document["dashboard"], "dmsflow-orders");
    let document = &message.document;
    assert_eq!(document["failed_state"], "TestConnections");
    assert_eq!(document["error"], "ConnectionTestFailed");
    assert_eq!(document["run_id"], "orders");
    assert_eq!(document["cleanup_on_failure"], "keep");
    assert_eq!(
        document["task_log_group"],
        "dms-tasks-dmsflow-orders-instance"
    );
    assert!(
        document.get("generation").is_none(),
        "generation 1 is not worth a field"
    );
}

#[test]
fn a_failure_in_a_later_generation_names_it_and_the_first_execution() {
    let first = "arn:aws:states:eu-west-1:123456789012:execution:dmsflow-migration:orders-first";
    let facts = FailureFacts {
        generation: 3,
        first_execution_arn: Some(first),
        failed_state: "CheckProgress",
        error: "TaskFailed",
        cause: "replication task dmsflow-orders-task failed",
        ..run_failure()
    };
    let message = failure_alert(&facts);
    assert_eq!(message.document["generation"], 3);
    assert_eq!(message.document["first_execution"], first);
    assert!(
        message.text.contains(&format!(
            "Run: orders (generation 3 of a long run; its first execution: {first})"
        )),
        "{}",
        message.text
    );
}

#[test]
fn a_failure_before_the_spec_is_validated_names_the_execution() {
    let facts = FailureFacts {
        run_id: None,
        run_validated: false,
        cutover: false,
        failed_state: "ClaimRun",
        error: "InvalidSpec",
        cause: "The execution input is not understood.",
        cleanup_on_failure: None,
        task: None,
        instance: None,
        first_execution_arn: None,
        ..run_failure()
    };
    let message = failure_alert(&facts);
    assert_eq!(
        message.subject,
        "dmsflow execution orders failed at ClaimRun"
    );
    assert_eq!(
        message.text,
        "The dmsflow execution failed before a migration spec was validated, or while tearing a run down.

What failed: InvalidSpec at ClaimRun.
The execution input is not understood.

What to do: Fix the fields named above and start the run again; nothing was created for it.
Execution: https://eu-west-1.console.aws.amazon.com/states/home?region=eu-west-1#/v2/executions/details/arn:aws:states:eu-west-1:123456789012:execution:dmsflow-migration:orders"
    );
    assert!(message.document.get("replication_task").is_none());
}

#[test]
fn the_success_notice_says_what_was_migrated_how_far_and_what_comes_next() {
    let spec = json!({
        "run_id": "orders", "migration_type": "full-load-and-cdc",
        "source": {"engine": "mysql", "database": "orders", "server": "db.example", "port": 3306},
        "target": {"engine": "aurora-postgresql", "database": "orders", "server": "aurora.example", "port": 5432},
        "completion": {"criterion": "ready-for-cutover", "then": "leave-running"}
    });
    let progress = json!({"summary": {"full_load_percent": 100, "tables_loaded": 6, "tables_errored": 0,
        "validation_failed_records": 0, "cdc_latency_target_seconds": 2.0},
        "target_tables": {"prep_mode": "DROP_AND_CREATE"}});
    let message = success_notice(&SuccessFacts {
        execution_arn: EXECUTION,
        spec: &spec,
        task: "dmsflow-orders-task",
        instance: Some("dmsflow-orders-instance"),
        serverless: false,
        progress: &progress,
        notes: &[],
    });
    assert_eq!(
        message.subject,
        "dmsflow run orders complete (ready-for-cutover)"
    );
    assert_eq!(
        message.text,
        "The migration of run orders reached its completion criterion (ready-for-cutover).

From: mysql database orders on db.example:3306
To: aurora-postgresql database orders on aurora.example:5432
Progress: full load 100%, 6 tables loaded, 0 in error, 0 validation failures, CDC latency 2 s

Next: Replication keeps running (leave-running) until you cut over and tear the run down.
Execution: https://eu-west-1.console.aws.amazon.com/states/home?region=eu-west-1#/v2/executions/details/arn:aws:states:eu-west-1:123456789012:execution:dmsflow-migration:orders
DMS task: dmsflow-orders-task https://eu-west-1.console.aws.amazon.com/dms/v2/home?region=eu-west-1#taskDetails/dmsflow-orders-task
Dashboard: dmsflow-orders https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#dashboards/dashboard/dmsflow-orders (while the run's resources exist)
Task log: CloudWatch log group dms-tasks-dmsflow-orders-instance https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#logsV2:log-groups/log-group/dms-tasks-dmsflow-orders-instance"
    );
    assert_eq!(message.document["then"], "leave-running");
    assert_eq!(
        message.document["target_tables"]["prep_mode"],
        "DROP_AND_CREATE"
    );
}

#[test]
fn a_serverless_runs_notice_names_its_config_and_links_no_task_page_or_instance_log() {
    let spec = json!({"run_id": "orders", "completion": {"criterion": "validated"}});
    let message = success_notice(&SuccessFacts {
        execution_arn: EXECUTION,
        spec: &spec,
        task: "dmsflow-orders-task",
        instance: None,
        serverless: true,
        progress: &json!({}),
        notes: &[],
    });
    assert!(
        message.text.contains(
            "\nDMS Serverless replication config: dmsflow-orders-task (DMS console, Serverless replications)\nDashboard: dmsflow-orders "
        ),
        "{}",
        message.text
    );
    assert!(!message.text.contains("taskDetails") && !message.text.contains("Task log"));
    assert_eq!(
        message.document["replication_config"],
        "dmsflow-orders-task"
    );
    assert!(message.document.get("replication_task").is_none());
    assert_eq!(message.document["dashboard"], "dmsflow-orders");
}

#[test]
fn the_success_notice_says_what_earlier_steps_noted() {
    let spec = json!({"run_id": "orders", "completion": {"criterion": "full-load-complete"}});
    let notes =
        ["The premigration assessment a ended with warnings: b. Report: s3://r/".to_string()];
    let message = success_notice(&SuccessFacts {
        execution_arn: EXECUTION,
        spec: &spec,
        task: "dmsflow-orders-task",
        instance: Some("dmsflow-orders-instance"),
        serverless: false,
        progress: &json!({}),
        notes: &notes,
    });
    assert!(
        message.text.contains(
            "\n\nAlso:\n- The premigration assessment a ended with warnings: b. Report: s3://r/\n\nNext:"
        ),
        "{}",
        message.text
    );
    assert_eq!(message.document["notes"][0], notes[0]);
}

#[test]
fn the_undelivered_notice_and_the_safety_net_alert_read_as_the_others() {
    let message = undelivered_notice(
        EXECUTION,
        "orders",
        "stop-and-clean-up",
        "dmsflow-orders-task",
        "the topic is gone",
    );
    assert_eq!(
        message.subject,
        "dmsflow run orders complete, but its notice was not delivered"
    );
    assert_eq!(message.document["error"], "NotificationFailed");
    assert!(
        message
            .text
            .contains("What to do: Check the run's SNS topic")
    );

    let message = ended_without_alert(&EndedFacts {
        execution_arn: EXECUTION,
        status: "ABORTED",
        error: None,
        cause: None,
        run_id: Some("orders"),
        last_state: Some("WaitForProgress"),
    });
    assert_eq!(message.subject, "dmsflow execution orders aborted");
    assert_eq!(
        message.text,
        "The dmsflow execution orders (run orders) was stopped (aborted) from outside in state WaitForProgress, without its own alert.

What to do: Nothing alerted or cleaned up after this. The run's resources may still exist and its task may still be running: look at the execution's events, then start the run again with the same input (it picks up what exists), or tear it down with {\"action\": \"cleanup\", \"run_id\": \"orders\"}.
Execution: https://eu-west-1.console.aws.amazon.com/states/home?region=eu-west-1#/v2/executions/details/arn:aws:states:eu-west-1:123456789012:execution:dmsflow-migration:orders"
    );
}

#[test]
fn subjects_fit_sns_and_the_structured_body_serves_every_protocol() {
    let long = format!("dmsflow run {} failed at CheckProgress", "x".repeat(120));
    let subject = subject_line(&long);
    assert_eq!(subject.chars().count(), SUBJECT_LIMIT);
    assert!(subject.ends_with("..."));
    assert_eq!(subject_line("run é\nfailed"), "run ??failed");

    let message = failure_alert(&run_failure());
    let body: serde_json::Value = serde_json::from_str(&message.structured()).unwrap();
    assert_eq!(body["default"], message.text);
    assert_eq!(body["email"], message.text);
    for protocol in ["sqs", "lambda", "https", "email-json"] {
        let document: serde_json::Value =
            serde_json::from_str(body[protocol].as_str().unwrap()).unwrap();
        assert_eq!(document, message.document, "{protocol}");
    }
}

#[test]
fn the_cutover_report_gives_the_drain_the_stop_every_table_and_what_comes_next() {
    use crate::aws::dms::TableStats;
    use crate::cutover::{CutoverRecord, CutoverRequest, Drain, DrainLook, table_report};
    let request = CutoverRequest::parse(
        json!({"action": "cutover", "run_id": "orders", "then": "keep"})
            .as_object()
            .unwrap(),
    )
    .unwrap();
    let tables: Vec<TableStats> = (0..22)
        .map(|i| TableStats {
            schema: "sales".into(),
            table: format!("t{i:02}"),
            table_state: "Table completed".into(),
            full_load_rows: 10,
            inserts: 1,
            validation_state: "Validated".into(),
            ..TableStats::default()
        })
        .collect();
    let mut record = CutoverRecord::new(request);
    record.drain_seconds = Some(240);
    record.drained = Some(Drain {
        latest: DrainLook {
            at: 1,
            latency_source_seconds: Some(0.0),
            latency_target_seconds: Some(1.0),
            applied_changes: 22,
        },
        quiet_since: Some(1),
        not_quiet: None,
    });
    record.stopped_at = Some("2026-12-05T23:00:00.000Z".into());
    record.stop_reason = Some("Stop Reason NORMAL".into());
    record.tables = Some(table_report(&tables));
    let message = cutover_report(
        "arn:aws:states:eu-west-1:123456789012:execution:dmsflow-migration:orders-cutover",
        "dmsflow-orders-task",
        &record,
    );
    assert_eq!(message.subject, "dmsflow run orders cut over and verified");
    for expected in [
        "Drained in 240 s: CDCLatencySource 0 s, CDCLatencyTarget 1 s, 22 changes applied.",
        "Stopped: 2026-12-05T23:00:00.000Z (Stop Reason NORMAL).",
        "Tables: 22 complete; 220 rows loaded, 22 inserts",
        "- sales.t00: 10 rows loaded, 1 inserts, 0 updates, 0 deletes applied; validation Validated",
        "- and 2 more (the totals count them)",
        "then: keep",
    ] {
        assert!(
            message.text.contains(expected),
            "{expected:?} in:\n{}",
            message.text
        );
    }
    assert_eq!(message.document["cutover"]["request"]["then"], "keep");
    assert_eq!(message.document["cutover"]["tables"]["listed"], 20);
    assert!(
        message.document["dms_task_console"]
            .as_str()
            .unwrap()
            .contains("eu-west-1")
    );
}
