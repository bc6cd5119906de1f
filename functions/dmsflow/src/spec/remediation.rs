//! The remediation section of the spec: what the progress checks may do about a
//! table in `Table error` or failed validation records while the task runs.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// What the progress checks do before they fail a run for a table in error or for
/// validation failures. DMS reloads (or re-validates) tables of a running task
/// with ReloadTables, at most 10 per call (DMS user guide, "Reloading tables
/// during a task").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct RemediationSpec {
    /// Reloads (`data-reload`) of a table in `Table error` before the run fails
    /// with `TablesErrored`; 0 turns them off.
    #[schemars(range(max = 5))]
    pub reload_errored_tables: u32,
    /// Re-validate (`validate-only`) the tables with failed validation records once
    /// before the run fails with `ValidationFailed`.
    pub revalidate: bool,
}

impl Default for RemediationSpec {
    fn default() -> Self {
        Self {
            reload_errored_tables: 1,
            revalidate: true,
        }
    }
}
