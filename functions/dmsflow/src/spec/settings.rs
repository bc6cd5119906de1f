//! DMS task settings: dmsflow's production defaults, the user's `task_settings`
//! merged over them, and the fields that own a setting (`target_table_prep`,
//! `validation`) applied last.
//!
//! Key names follow DMS's task-settings JSON (the user guide's "Task settings
//! example").

use serde_json::{Map, Value, json};

use super::{MigrationSpec, TargetTablePrep};
use crate::error::{ErrorKind, StepError, StepResult};

/// DMS's `TargetTablePrepMode` value for the spec's `target_table_prep`.
pub fn target_table_prep_mode(prep: TargetTablePrep) -> &'static str {
    match prep {
        TargetTablePrep::DoNothing => "DO_NOTHING",
        TargetTablePrep::TruncateBeforeLoad => "TRUNCATE_BEFORE_LOAD",
        TargetTablePrep::DropAndCreate => "DROP_AND_CREATE",
    }
}

/// Log components logged at the default severity.
const LOG_COMPONENTS: [&str; 7] = [
    "SOURCE_UNLOAD",
    "SOURCE_CAPTURE",
    "TARGET_LOAD",
    "TARGET_APPLY",
    "TASK_MANAGER",
    "TRANSFORMATION",
    "VALIDATOR_EXT",
];

/// dmsflow's default task settings, before the user's `task_settings`.
fn default_task_settings() -> Value {
    let components: Vec<Value> = LOG_COMPONENTS
        .iter()
        .map(|id| json!({"Id": id, "Severity": "LOGGER_SEVERITY_DEFAULT"}))
        .collect();
    json!({
        "TargetMetadata": {
            "TargetSchema": "",
            "SupportLobs": true,
            "FullLobMode": false,
            "LobChunkSize": 64,
            "LimitedSizeLobMode": true,
            "LobMaxSize": 32,
            "BatchApplyEnabled": false
        },
        "FullLoadSettings": {
            "CreatePkAfterFullLoad": false,
            "StopTaskCachedChangesApplied": false,
            "StopTaskCachedChangesNotApplied": false,
            "MaxFullLoadSubTasks": 8,
            "TransactionConsistencyTimeout": 600,
            "CommitRate": 10000
        },
        "Logging": {
            "EnableLogging": true,
            "LogComponents": components
        },
        "ChangeProcessingDdlHandlingPolicy": {
            "HandleSourceTableDropped": true,
            "HandleSourceTableTruncated": true,
            "HandleSourceTableAltered": true
        },
        "ChangeProcessingTuning": {
            "BatchApplyPreserveTransaction": true,
            "BatchApplyTimeoutMin": 1,
            "BatchApplyTimeoutMax": 30,
            "BatchApplyMemoryLimit": 500,
            "BatchSplitSize": 0,
            "MinTransactionSize": 1000,
            "CommitTimeout": 1,
            "MemoryLimitTotal": 1024,
            "MemoryKeepTime": 60,
            "StatementCacheSize": 50
        },
        "ErrorBehavior": {
            "FailOnNoTablesCaptured": true,
            "FailOnTransactionConsistencyBreached": false,
            "TableErrorPolicy": "SUSPEND_TABLE",
            "TableErrorEscalationPolicy": "STOP_TASK",
            "DataErrorPolicy": "LOG_ERROR",
            "RecoverableErrorCount": -1,
            "RecoverableErrorInterval": 5,
            "RecoverableErrorThrottling": true,
            "RecoverableErrorThrottlingMax": 1800
        }
    })
}

/// dmsflow's default `ValidationSettings`, before the user's `validation.settings`.
fn default_validation_settings() -> Value {
    json!({
        "ValidationMode": "ROW_LEVEL",
        "ThreadCount": 5,
        "PartitionSize": 10000,
        "FailureMaxCount": 10000,
        "TableFailureMaxCount": 1000,
        "RecordFailureDelayInMinutes": 5,
        "RecordSuspendDelayInMinutes": 30,
        "ValidationOnly": false,
        "HandleCollationDiff": false,
        "SkipLobColumns": false,
        "ValidationPartialLobSize": 0
    })
}

/// Merges `overlay` into `base`: objects merge key by key, recursively; any other
/// value (arrays included) replaces what was there.
pub fn deep_merge(base: &mut Value, overlay: &Value) {
    match (base, overlay) {
        (Value::Object(base), Value::Object(overlay)) => {
            for (key, value) in overlay {
                match base.get_mut(key) {
                    Some(existing) => deep_merge(existing, value),
                    None => {
                        base.insert(key.clone(), value.clone());
                    }
                }
            }
        }
        (base, overlay) => *base = overlay.clone(),
    }
}

/// The task's `ValidationSettings`: dmsflow's defaults, the user's
/// `validation.settings` over them, and `EnableValidation` from `validation.enabled`.
pub fn validation_settings(spec: &MigrationSpec) -> Value {
    let mut settings = default_validation_settings();
    deep_merge(
        &mut settings,
        &Value::Object(spec.validation.settings.clone()),
    );
    settings["EnableValidation"] = Value::Bool(spec.validation.enabled);
    settings
}

/// The task settings document for CreateReplicationTask.
pub fn task_settings(spec: &MigrationSpec) -> Value {
    let mut settings = default_task_settings();
    deep_merge(&mut settings, &Value::Object(spec.task_settings.clone()));
    let full_load = &mut settings["FullLoadSettings"];
    if !full_load.is_object() {
        *full_load = Value::Object(Map::new());
    }
    full_load["TargetTablePrepMode"] = Value::from(target_table_prep_mode(spec.target_table_prep));
    settings["ValidationSettings"] = validation_settings(spec);
    settings
}

/// The task's current settings (as DescribeReplicationTasks returns them) with
/// `ValidationSettings` set per the spec, for ModifyReplicationTask. The log group
/// and stream DMS names itself are left out: DMS sets them, and refuses them from
/// a caller.
pub fn with_validation(current_settings_json: &str, spec: &MigrationSpec) -> StepResult<String> {
    let mut settings: Map<String, Value> =
        serde_json::from_str(current_settings_json).map_err(|error| {
            StepError::new(
                ErrorKind::AwsError,
                format!(
                    "the replication task's settings from DMS are not a JSON object ({error}); \
                     look at the task in the DMS console"
                ),
            )
        })?;
    if let Some(Value::Object(logging)) = settings.get_mut("Logging") {
        logging.remove("CloudWatchLogGroup");
        logging.remove("CloudWatchLogStream");
    }
    let validation = settings
        .entry("ValidationSettings")
        .or_insert_with(|| Value::Object(Map::new()));
    if !validation.is_object() {
        *validation = Value::Object(Map::new());
    }
    deep_merge(validation, &validation_settings(spec));
    Ok(Value::Object(settings).to_string())
}

/// Whether a task settings document has data validation turned on.
pub fn validation_enabled(settings_json: &str) -> bool {
    serde_json::from_str::<Value>(settings_json)
        .ok()
        .and_then(|settings| settings["ValidationSettings"]["EnableValidation"].as_bool())
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::spec::parse::parse_value;
    use crate::spec::parse::tests::{minimal, set};

    fn spec_with(changes: &[(&str, Value)]) -> MigrationSpec {
        let mut value = minimal();
        for (pointer, change) in changes {
            set(&mut value, pointer, change.clone());
        }
        parse_value(&value).expect("a valid spec")
    }

    #[test]
    fn defaults_are_production_settings() {
        let settings = task_settings(&spec_with(&[]));
        assert_eq!(
            settings["TargetMetadata"]["LimitedSizeLobMode"],
            json!(true)
        );
        assert_eq!(settings["TargetMetadata"]["FullLobMode"], json!(false));
        assert_eq!(
            settings["FullLoadSettings"]["TargetTablePrepMode"],
            json!("DO_NOTHING")
        );
        assert_eq!(settings["FullLoadSettings"]["CommitRate"], json!(10000));
        assert_eq!(settings["Logging"]["EnableLogging"], json!(true));
        assert_eq!(
            settings["ErrorBehavior"]["FailOnNoTablesCaptured"],
            json!(true)
        );
        assert_eq!(
            settings["ValidationSettings"]["EnableValidation"],
            json!(true)
        );
        assert_eq!(
            settings["ValidationSettings"]["ValidationMode"],
            json!("ROW_LEVEL")
        );
        assert!(settings["Logging"].get("CloudWatchLogGroup").is_none());
    }

    #[test]
    fn user_settings_win_and_defaults_are_kept() {
        let spec = spec_with(&[(
            "/task_settings",
            json!({
                "FullLoadSettings": {"CommitRate": 50000},
                "Logging": {"LogComponents": [{"Id": "SOURCE_CAPTURE", "Severity": "LOGGER_SEVERITY_DEBUG"}]},
                "StreamBufferSettings": {"StreamBufferCount": 4}
            }),
        )]);
        let settings = task_settings(&spec);
        assert_eq!(settings["FullLoadSettings"]["CommitRate"], json!(50000));
        assert_eq!(
            settings["FullLoadSettings"]["MaxFullLoadSubTasks"],
            json!(8)
        );
        assert_eq!(settings["Logging"]["EnableLogging"], json!(true));
        assert_eq!(
            settings["Logging"]["LogComponents"]
                .as_array()
                .unwrap()
                .len(),
            1
        );
        assert_eq!(
            settings["StreamBufferSettings"]["StreamBufferCount"],
            json!(4)
        );
    }

    #[test]
    fn prep_mode_and_validation_come_from_their_own_fields() {
        let spec = spec_with(&[
            ("/target_table_prep", json!("truncate-before-load")),
            (
                "/validation",
                json!({"enabled": false, "settings": {"ThreadCount": 8}}),
            ),
        ]);
        let settings = task_settings(&spec);
        assert_eq!(
            settings["FullLoadSettings"]["TargetTablePrepMode"],
            json!("TRUNCATE_BEFORE_LOAD")
        );
        assert_eq!(
            settings["ValidationSettings"]["EnableValidation"],
            json!(false)
        );
        assert_eq!(settings["ValidationSettings"]["ThreadCount"], json!(8));
        assert_eq!(
            settings["ValidationSettings"]["TableFailureMaxCount"],
            json!(1000)
        );
        let drop = spec_with(&[("/target_table_prep", json!("drop-and-create"))]);
        assert_eq!(
            task_settings(&drop)["FullLoadSettings"]["TargetTablePrepMode"],
            json!("DROP_AND_CREATE")
        );
    }

    #[test]
    fn a_non_object_section_does_not_break_the_prep_mode() {
        let spec = spec_with(&[("/task_settings", json!({"FullLoadSettings": 3}))]);
        let settings = task_settings(&spec);
        assert_eq!(
            settings["FullLoadSettings"]["TargetTablePrepMode"],
            json!("DO_NOTHING")
        );
    }

    #[test]
    fn with_validation_sets_validation_and_keeps_the_rest() {
        let current = json!({
            "FullLoadSettings": {"CommitRate": 7},
            "Logging": {"EnableLogging": true, "CloudWatchLogGroup": "dms-tasks-x", "CloudWatchLogStream": "s"},
            "ValidationSettings": {"EnableValidation": false, "ValidationMode": "GROUP_LEVEL", "MaxKeyColumnSize": 8096}
        })
        .to_string();
        assert!(!validation_enabled(&current));
        let spec = spec_with(&[("/validation/settings", json!({"ThreadCount": 3}))]);
        let updated = with_validation(&current, &spec).expect("settings");
        assert!(validation_enabled(&updated));
        let updated: Value = serde_json::from_str(&updated).unwrap();
        assert_eq!(updated["FullLoadSettings"]["CommitRate"], json!(7));
        assert_eq!(updated["ValidationSettings"]["ThreadCount"], json!(3));
        assert_eq!(
            updated["ValidationSettings"]["ValidationMode"],
            json!("ROW_LEVEL")
        );
        assert_eq!(
            updated["ValidationSettings"]["MaxKeyColumnSize"],
            json!(8096)
        );
        assert!(updated["Logging"].get("CloudWatchLogGroup").is_none());
        assert_eq!(updated["Logging"]["EnableLogging"], json!(true));
    }

    #[test]
    fn with_validation_handles_missing_or_null_validation_settings_and_bad_json() {
        let spec = spec_with(&[]);
        for current in ["{}", r#"{"ValidationSettings": null}"#] {
            assert!(validation_enabled(
                &with_validation(current, &spec).unwrap()
            ));
        }
        let error = with_validation("not json", &spec).unwrap_err();
        assert_eq!(error.kind, ErrorKind::AwsError);
        assert!(!validation_enabled("not json"));
        assert!(!validation_enabled(
            r#"{"ValidationSettings": {"EnableValidation": "true"}}"#
        ));
    }

    #[test]
    fn deep_merge_merges_objects_and_replaces_the_rest() {
        let mut base = json!({"a": {"b": 1, "c": [1, 2]}, "d": 1});
        deep_merge(
            &mut base,
            &json!({"a": {"c": [3], "e": null}, "d": {"x": 1}}),
        );
        assert_eq!(
            base,
            json!({"a": {"b": 1, "c": [3], "e": null}, "d": {"x": 1}})
        );
    }
}
