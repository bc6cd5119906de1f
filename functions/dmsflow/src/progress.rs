//! Progress evaluation, with no I/O: what the task, its table statistics and its
//! CDC latency say (a [`ProgressSummary`] with its [`Phase`]), and whether that
//! meets the spec's completion criterion or is an error ([`judge`]).

mod errors;
mod judge;
mod stop_reason;
mod summary;

#[cfg(test)]
pub(crate) mod fixtures;

pub use errors::first_few;
pub use judge::{Verdict, criterion_name, judge};
pub use stop_reason::StopReason;
pub use summary::{
    Phase, ProgressSummary, TARGET_TABLES_LISTED, qualified_name, table_state, task_migration_type,
    validation_state,
};
