//! Progress evaluation, with no I/O: what the task, its table statistics and its
//! CDC latency say (a [`ProgressSummary`] with its [`Phase`]), and whether that
//! meets the spec's completion criterion or is an error ([`judge`]); and what the
//! run did to its target tables, under their target names ([`TargetTables`]);
//! and what a check may do about errored tables and validation failures first
//! ([`Remediation`]); and when a check may skip the table statistics (steady
//! CDC, [`may_skip_tables`]).

mod errors;
mod eta;
mod judge;
mod remediation;
mod steady;
mod stop_reason;
mod summary;
mod target_names;
mod target_tables;

#[cfg(test)]
pub(crate) mod fixtures;

pub use errors::first_few;
pub use eta::full_load_due_in;
pub use judge::{Verdict, criterion_name, judge};
pub use remediation::{Action, MAX_TABLES_REMEDIATED, Remediation, TABLES_PER_RELOAD};
pub use steady::{may_skip_tables, steady_summary, steady_waiting_for};
pub use stop_reason::StopReason;
pub use summary::{
    Phase, ProgressSummary, TARGET_TABLES_LISTED, loaded_tables, qualified_name, table_state,
    task_migration_type, validation_state,
};
pub use target_names::{SchemaOverride, TargetName, TargetNamer, pattern_matches};
pub use target_tables::{TargetTables, effect_of, prep_mode};
