//! What the create step builds, with no I/O: the request of every resource of a
//! run (from the spec and the run's names), a readable dry run of them, and the
//! next action given what the step observed in the account.

mod dry_run;
mod next;
mod requests;

pub use dry_run::dry_run;
pub use next::{
    INSTANCE_WAIT_SECONDS, Next, Observed, Resource, SHORT_WAIT_SECONDS, Seen, foreign_labels,
    next, wait_within,
};
pub use requests::*;

#[cfg(test)]
mod tests;
