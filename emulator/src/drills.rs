//! Failure drills: tags `dms-emulator:<key>` on a resource, or scenario drills by
//! identifier (or `*`). A tag wins over the scenario.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::scenario::Scenario;

pub const TAG_PREFIX: &str = "dms-emulator:";

pub const FAIL_CONNECTION: &str = "fail-connection";
pub const FAIL_TASK_AT_PERCENT: &str = "fail-task-at-percent";
pub const TABLE_ERROR: &str = "table-error";
/// As [`TABLE_ERROR`] (same value syntax), on the task's first load of the
/// table only: its first run's load ends `Table error`, and a reload (ReloadTables,
/// or a `reload-target` start) loads it. A `table-error` table errors on every
/// load, reloads included.
pub const TABLE_ERROR_ONCE: &str = "table-error-once";
pub const VALIDATION_MISMATCHES: &str = "validation-mismatches";
/// As [`VALIDATION_MISMATCHES`] (same value syntax), on the task's first
/// validation of the table only: a revalidation (ReloadTables, either option)
/// finds none and ends `Validated`. `validation-mismatches` finds the same count
/// on every validation.
pub const VALIDATION_MISMATCH_ONCE: &str = "validation-mismatch-once";
/// Premigration assessment outcomes, on the task (planned when
/// StartReplicationTaskAssessmentRun is accepted): a comma list of individual
/// assessment names that end `failed`, `warning` or `error`, or `true` for the
/// run's first assessment (see [`assessment_names`]). A name the run does not
/// hold is ignored; a name in more than one list ends failed, else error.
pub const ASSESSMENT_FAIL: &str = "assessment-fail";
pub const ASSESSMENT_WARNING: &str = "assessment-warning";
pub const ASSESSMENT_ERROR: &str = "assessment-error";
/// A serverless replication's start fails in `provisioning_capacity`: `true`, or
/// the failure message. The config ends `failed` with that message in
/// `FailureMessages` and provision state `failed_provision` (see
/// `model::replication::Provision`).
pub const FAIL_PROVISIONING: &str = "fail-provisioning";
/// Simulated seconds a stopped or failed serverless replication keeps its
/// capacity (`deprovisioning`) before `deprovisioned`; the emulator's default is
/// `timing::SERVERLESS_DEPROVISION`. Real DMS gives the moment in
/// `ReplicationDeprovisionTime`; how far off it is, is not documented.
pub const DEPROVISION_SECONDS: &str = "deprovision-seconds";
pub const SLOW_INSTANCE_SECONDS: &str = "slow-instance-seconds";
pub const CDC_LATENCY_SECONDS: &str = "cdc-latency-seconds";
/// Simulated seconds a ModifyReplicationTask keeps the task in `modifying` beyond
/// the usual: a task stuck in `modifying`, as DMS shows it while it applies new
/// settings (DMS API reference, ReplicationTask.Status: `modifying`). How long
/// real DMS can stay there is not documented; the drill only makes it long.
pub const SLOW_MODIFY_SECONDS: &str = "slow-modify-seconds";
/// DescribeReplicationTasks shows the task without any sign that it has run
/// (`ReplicationTaskStartDate`, `RecoveryCheckpoint`, the stats' dates), while
/// StartReplicationTask still answers `start-replication` as DMS does for a task
/// that has run. Whether real DMS ever describes a run task so is not known; the
/// drill exercises a client's handling of DMS's "valid only for tasks running for
/// the first time" answer, which terraform-provider-aws met on real DMS (PR #24047).
pub const HIDE_RUN_SIGNS: &str = "hide-run-signs";

/// The fields of a described task that tell it has run (see [`HIDE_RUN_SIGNS`]).
pub fn hide_run_signs(task: &mut Value) {
    if let Some(obj) = task.as_object_mut() {
        obj.remove("ReplicationTaskStartDate");
        obj.remove("RecoveryCheckpoint");
    }
    if let Some(stats) = task
        .get_mut("ReplicationTaskStats")
        .and_then(Value::as_object_mut)
    {
        for date in [
            "FreshStartDate",
            "StartDate",
            "StopDate",
            "FullLoadStartDate",
            "FullLoadFinishDate",
        ] {
            stats.remove(date);
        }
    }
}

/// The drill value for `key` on a resource with these tags and identifier.
pub fn value(
    scenario: &Scenario,
    tags: &[(String, String)],
    identifier: &str,
    key: &str,
) -> Option<String> {
    let tag_key = format!("{TAG_PREFIX}{key}");
    if let Some((_, v)) = tags.iter().find(|(k, _)| *k == tag_key) {
        return Some(v.trim().to_string());
    }
    let from = |id: &str| {
        scenario
            .drills
            .get(id)
            .and_then(|m: &BTreeMap<String, Value>| m.get(key))
            .map(|v| match v {
                Value::String(s) => s.trim().to_string(),
                other => other.to_string(),
            })
    };
    from(identifier).or_else(|| from("*"))
}

pub fn number(
    scenario: &Scenario,
    tags: &[(String, String)],
    identifier: &str,
    key: &str,
) -> Option<f64> {
    value(scenario, tags, identifier, key)
        .and_then(|v| v.parse::<f64>().ok())
        .filter(|n| n.is_finite() && *n >= 0.0)
}

/// `orders,payments` -> names (lowercased).
pub fn name_list(v: &str) -> Vec<String> {
    v.split(',')
        .map(|s| s.trim().to_ascii_lowercase())
        .filter(|s| !s.is_empty())
        .collect()
}

/// An assessment drill's value -> the names it makes end so, among the run's
/// `assessments` (in run order): `true` is the first of them; `false`, `no`,
/// `none` and `0` are none.
pub fn assessment_names(v: &str, assessments: &[String]) -> Vec<String> {
    match v.trim().to_ascii_lowercase().as_str() {
        "true" | "yes" | "1" => assessments.iter().take(1).cloned().collect(),
        "" | "false" | "no" | "none" | "0" => Vec::new(),
        _ => name_list(v)
            .into_iter()
            .filter(|n| assessments.contains(n))
            .collect(),
    }
}

/// `orders=3,payments=1` -> (name, count); a bare name counts 1.
pub fn name_counts(v: &str) -> Vec<(String, u64)> {
    v.split(',')
        .filter_map(|part| {
            let part = part.trim();
            if part.is_empty() {
                return None;
            }
            match part.split_once('=') {
                Some((n, c)) => {
                    Some((n.trim().to_ascii_lowercase(), c.trim().parse().unwrap_or(1)))
                }
                None => Some((part.to_ascii_lowercase(), 1)),
            }
        })
        .collect()
}

/// Does a drill table name (`orders` or `sales.orders`) name this table?
pub fn names_table(drill_name: &str, schema: &str, table: &str) -> bool {
    match drill_name.split_once('.') {
        Some((s, t)) => s.eq_ignore_ascii_case(schema) && t.eq_ignore_ascii_case(table),
        None => drill_name.eq_ignore_ascii_case(table),
    }
}

/// Does a `fail-connection` value apply to an endpoint of this type?
pub fn connection_fails(value: &str, endpoint_type: &str) -> bool {
    match value.to_ascii_lowercase().as_str() {
        "" | "false" | "no" | "none" | "0" => false,
        "true" | "yes" | "both" | "any" | "1" => true,
        v => v == endpoint_type.to_ascii_lowercase(),
    }
}
