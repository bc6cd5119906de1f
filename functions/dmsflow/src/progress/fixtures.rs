//! Test fixtures: specs and step inputs, tasks and table statistics as DMS
//! reports them, and the fakes seeded with a run's resources.

use crate::aws::dms::{TableStats, Task, TaskStats};

/// A task of `migration_type` in `status`, without statistics.
pub fn task(migration_type: &str, status: &str) -> Task {
    Task {
        id: "dmsflow-orders-task".into(),
        arn: "arn:aws:dms:eu-west-1:123456789012:task:ABCDEF".into(),
        status: status.into(),
        migration_type: migration_type.into(),
        stop_reason: None,
        last_failure_message: None,
        settings: None,
        start_date: Some(1_700_000_000),
        stats: None,
        instance_arn: "arn:aws:dms:eu-west-1:123456789012:rep:INSTANCE".into(),
        source_endpoint_arn: "arn:aws:dms:eu-west-1:123456789012:endpoint:SOURCE".into(),
        target_endpoint_arn: "arn:aws:dms:eu-west-1:123456789012:endpoint:TARGET".into(),
        provisioning: None,
    }
}

/// The task stopped with `Stop Reason <suffix>`.
pub fn stopped(migration_type: &str, suffix: &str) -> Task {
    Task {
        stop_reason: Some(format!("Stop Reason {suffix}")),
        ..task(migration_type, "stopped")
    }
}

/// `task` with statistics: percent, then tables loaded, loading, queued, errored.
pub fn with_stats(task: Task, percent: i32, counts: [i32; 4]) -> Task {
    let [loaded, loading, queued, errored] = counts;
    Task {
        stats: Some(TaskStats {
            full_load_progress_percent: percent,
            tables_loaded: loaded,
            tables_loading: loading,
            tables_queued: queued,
            tables_errored: errored,
            ..TaskStats::default()
        }),
        ..task
    }
}

/// A row of table statistics for `schema.table`.
pub fn table(name: &str, table_state: &str, validation_state: &str) -> TableStats {
    let (schema, table) = name.split_once('.').unwrap_or(("public", name));
    TableStats {
        schema: schema.into(),
        table: table.into(),
        table_state: table_state.into(),
        validation_state: validation_state.into(),
        full_load_rows: 100,
        ..TableStats::default()
    }
}

/// `table` with `failed` validation failure records.
pub fn failing(name: &str, validation_state: &str, failed: i64) -> TableStats {
    TableStats {
        validation_failed_records: failed,
        ..table(name, super::table_state::COMPLETED, validation_state)
    }
}

/// A valid spec for run `orders` as the state machine passes it, with `changes`
/// merged over the top level (e.g. `{"completion": {"criterion": "validated"}}`).
pub fn spec_json(changes: serde_json::Value) -> serde_json::Value {
    let endpoint = |engine: &str, server: &str, name: &str| {
        serde_json::json!({
            "engine": engine,
            "server": server,
            "port": 5432,
            "database": "orders",
            "secret_arn": format!("arn:aws:secretsmanager:eu-west-1:123456789012:secret:{name}-AbCdEf"),
            "secret_access_role_arn": "arn:aws:iam::123456789012:role/dms-secrets-access"
        })
    };
    let mut spec = serde_json::json!({
        "run_id": "orders",
        "network": {
            "subnet_ids": ["subnet-0a1b2c3d4e5f67890", "subnet-0a1b2c3d4e5f67891"],
            "security_group_ids": ["sg-0a1b2c3d4e5f67890"]
        },
        "source": endpoint("postgres", "source.example.internal", "source"),
        "target": endpoint("aurora-postgresql", "target.example.internal", "target"),
        "table_mappings": {"rules": [{
            "rule-type": "selection", "rule-id": "1", "rule-name": "sales",
            "object-locator": {"schema-name": "sales", "table-name": "%"},
            "rule-action": "include"
        }]}
    });
    if let (Some(base), Some(changes)) = (spec.as_object_mut(), changes.as_object()) {
        for (key, value) in changes {
            base.insert(key.clone(), value.clone());
        }
    }
    spec
}

/// [`spec_json`] on DMS Serverless (16 DCU at most, 2 at least; no
/// assessment, which dmsflow does not run there), then `changes` over it.
pub fn serverless_spec_json(changes: serde_json::Value) -> serde_json::Value {
    let mut spec = spec_json(serde_json::json!({
        "compute": "serverless",
        "serverless": {"max_capacity_units": 16, "min_capacity_units": 2},
        "assessment": {"enabled": false},
    }));
    if let (Some(base), Some(changes)) = (spec.as_object_mut(), changes.as_object()) {
        for (key, value) in changes {
            base.insert(key.clone(), value.clone());
        }
    }
    spec
}

/// [`spec_json`] as typed spec (without the parser's checks).
pub fn spec(changes: serde_json::Value) -> crate::spec::MigrationSpec {
    serde_json::from_value(spec_json(changes)).expect("the fixture spec deserializes")
}

/// A step input for `spec_json(changes)` with the previous report (or `null`) and a
/// loop that started `loop_started_at`.
pub fn input(
    changes: serde_json::Value,
    previous: serde_json::Value,
    loop_started_at: Option<&str>,
) -> crate::steps::StepInput {
    serde_json::from_value(serde_json::json!({
        "spec": spec_json(changes),
        "previous": previous,
        "loop_started_at": loop_started_at,
    }))
    .expect("the fixture input deserializes")
}

/// A fake DMS holding run `orders`'s instance (`instance_status`), both endpoints
/// (`active`) and its task (`task_status`, never started).
pub fn seeded_dms(instance_status: &str, task_status: &str) -> crate::testing::FakeDms {
    use crate::aws::dms::EndpointRole;
    use crate::testing::{self, FakeDms, owned_tags};
    let dms = FakeDms::new();
    let names = crate::naming::Names::for_run("orders");
    let tags = || owned_tags("orders");
    dms.put_instance(testing::instance(&names.instance, instance_status), tags());
    for (id, role) in [
        (&names.source_endpoint, EndpointRole::Source),
        (&names.target_endpoint, EndpointRole::Target),
    ] {
        dms.put_endpoint(testing::endpoint(id, role, "active"), tags());
    }
    dms.put_task(testing::task(&names.task, task_status), tags());
    dms.clear_calls();
    dms
}

/// A step input for `serverless_spec_json(changes)` with the previous report.
pub fn serverless_input(
    changes: serde_json::Value,
    previous: serde_json::Value,
) -> crate::steps::StepInput {
    serde_json::from_value(serde_json::json!({
        "spec": serverless_spec_json(changes),
        "previous": previous,
        "loop_started_at": null,
    }))
    .expect("the fixture input deserializes")
}

/// A fake DMS holding serverless run `orders`'s endpoints (`active`) and its
/// replication config (`status` in task terms, provision state `provision`,
/// never started).
pub fn seeded_serverless_dms(status: &str, provision: &str) -> crate::testing::FakeDms {
    use crate::testing::{self, owned_tags};
    let dms = seeded_dms("available", "ready");
    let names = crate::naming::Names::for_run("orders");
    dms.remove(&names.task);
    dms.remove(&names.instance);
    dms.put_task(
        testing::replication_config(&names.task, status, provision),
        owned_tags("orders"),
    );
    dms.clear_calls();
    dms
}
