//! What a run did to its target tables, for the report and the success notice:
//! the task's `TargetTablePrepMode`, what that mode does in words a DBA can check,
//! and the loaded tables under their target names ([`super::target_names`]).
//!
//! The prep mode is read from the settings DMS holds for the task (the spec's
//! settings when DMS gave none); a CDC-only task has no full load, so no prep mode
//! applies to it.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::summary::{TARGET_TABLES_LISTED, task_migration_type};
use super::target_names::{SchemaOverride, TargetNamer};
use crate::aws::dms::{TableStats, Task};
use crate::spec::settings::{target_table_prep_mode, task_settings};
use crate::spec::{EndpointSpec, MigrationSpec, MigrationType};

/// `TargetTablePrepMode` values.
pub mod prep_mode {
    pub const DO_NOTHING: &str = "DO_NOTHING";
    pub const TRUNCATE_BEFORE_LOAD: &str = "TRUNCATE_BEFORE_LOAD";
    pub const DROP_AND_CREATE: &str = "DROP_AND_CREATE";
    /// A CDC-only task: no full load, no preparation.
    pub const NOT_APPLIED: &str = "NOT_APPLIED (cdc-only task)";
}

/// The report's `target_tables` section.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TargetTables {
    /// The task's `TargetTablePrepMode` (DO_NOTHING, TRUNCATE_BEFORE_LOAD,
    /// DROP_AND_CREATE), or NOT_APPLIED for a CDC-only task.
    pub prep_mode: String,
    /// What the prep mode did to the target tables.
    pub effect: String,
    /// The loaded tables' target names, `schema.table`, sorted; at most
    /// [`TARGET_TABLES_LISTED`].
    pub tables: Vec<String>,
    /// How many tables the run loaded (those not listed and those whose target
    /// name is unknown included).
    pub total: u32,
    /// Loaded tables whose target name could not be worked out:
    /// `source_schema.table: why`; at most [`TARGET_TABLES_LISTED`].
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub names_unknown: Vec<String>,
}

impl TargetTables {
    /// The section for the `loaded` tables of `task`, run from `spec`.
    pub fn build(spec: &MigrationSpec, task: &Task, loaded: &[&TableStats]) -> Self {
        let expected = task_settings(spec);
        let held = task
            .settings
            .as_deref()
            .and_then(|text| serde_json::from_str::<Value>(text).ok())
            .unwrap_or_else(|| expected.clone());
        let (prep_mode, effect) = if task_migration_type(task) == MigrationType::Cdc {
            (
                prep_mode::NOT_APPLIED.to_string(),
                cdc_only_effect().to_string(),
            )
        } else {
            let mode = prep_mode_of(&held)
                .unwrap_or_else(|| target_table_prep_mode(spec.target_table_prep).to_string());
            let mut effect = effect_of(&mode);
            if let Some(asked) = prep_mode_of(&expected).filter(|asked| *asked != mode) {
                effect.push_str(&format!(
                    " (the spec asks for {asked}, but the replication task holds {mode})"
                ));
            }
            (mode, effect)
        };
        let namer = namer(spec, &held);
        let mut tables = Vec::new();
        let mut names_unknown = Vec::new();
        for table in loaded {
            match namer.target_of(&table.schema, &table.table) {
                Ok(name) => tables.push(name.qualified()),
                Err(why) => names_unknown.push(format!("{}.{}: {why}", table.schema, table.table)),
            }
        }
        tables.sort();
        tables.truncate(TARGET_TABLES_LISTED);
        names_unknown.sort();
        names_unknown.truncate(TARGET_TABLES_LISTED);
        Self {
            prep_mode,
            effect,
            tables,
            total: u32::try_from(loaded.len()).unwrap_or(u32::MAX),
            names_unknown,
        }
    }
}

/// What `mode` does to the target tables.
pub fn effect_of(mode: &str) -> String {
    match mode {
        prep_mode::DROP_AND_CREATE => "dropped and re-created (existing data replaced): before loading each table, DMS dropped the target table if it existed and created it anew".to_string(),
        prep_mode::TRUNCATE_BEFORE_LOAD => "truncated, then loaded: DMS emptied each target table that existed (its rows are gone, its definition is kept) before loading it".to_string(),
        prep_mode::DO_NOTHING => "loaded into existing tables; DMS created any that were missing: tables that existed kept their definitions and the rows they already held".to_string(),
        other => format!("TargetTablePrepMode {other}, a value dmsflow does not know: see the replication task's settings"),
    }
}

fn cdc_only_effect() -> &'static str {
    "not prepared: a CDC-only task has no full load, so DMS applied changes to the target tables as they were"
}

fn prep_mode_of(settings: &Value) -> Option<String> {
    settings
        .pointer("/FullLoadSettings/TargetTablePrepMode")
        .and_then(Value::as_str)
        .map(str::to_string)
}

/// The namer of the spec's table mapping, with what else decides target names:
/// `TargetMetadata.TargetSchema`, a MySQL target's `targetDbType=SPECIFIC_DATABASE`,
/// the endpoints' `escapeCharacter`.
fn namer(spec: &MigrationSpec, settings: &Value) -> TargetNamer {
    let mut namer = TargetNamer::new(&spec.table_mappings);
    let target_schema = settings
        .pointer("/TargetMetadata/TargetSchema")
        .and_then(Value::as_str)
        .filter(|schema| !schema.is_empty());
    if let Some(schema) = target_schema {
        namer = namer.with_schema_override(SchemaOverride {
            schema: schema.to_string(),
            source: "the task setting TargetMetadata.TargetSchema".to_string(),
        });
    }
    let specific_database = endpoint_setting(&spec.target, "targetDbType", "TargetDbType")
        .is_some_and(|value| value.eq_ignore_ascii_case("SPECIFIC_DATABASE"));
    if specific_database {
        namer = namer.with_schema_override(SchemaOverride {
            schema: spec.target.database.clone(),
            source: "the target endpoint's targetDbType=SPECIFIC_DATABASE".to_string(),
        });
    }
    for endpoint in [&spec.source, &spec.target] {
        let escape = endpoint_setting(endpoint, "escapeCharacter", "EscapeCharacter");
        if let Some(c) = escape.and_then(|value| value.chars().next()) {
            namer = namer.with_escape_character(c);
        }
    }
    namer
}

/// An endpoint setting, from its extra connection attributes (`key=value;...`,
/// key compared without case) or its engine settings.
fn endpoint_setting(endpoint: &EndpointSpec, attribute: &str, setting: &str) -> Option<String> {
    let from_attributes = endpoint
        .extra_connection_attributes
        .as_deref()
        .unwrap_or_default()
        .split(';')
        .filter_map(|pair| pair.split_once('='))
        .find(|(key, _)| key.trim().eq_ignore_ascii_case(attribute))
        .map(|(_, value)| value.trim().to_string());
    from_attributes.or_else(|| {
        endpoint
            .settings
            .get(setting)
            .and_then(Value::as_str)
            .map(str::to_string)
    })
}

#[cfg(test)]
#[path = "target_tables_tests.rs"]
mod tests;
