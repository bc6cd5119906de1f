//! dmsflow's domain and AWS access.
//!
//! The domain (the migration spec and its validation, naming, progress evaluation,
//! cleanup planning) is plain Rust with no I/O. AWS calls go through the narrow
//! traits in [`aws`]; the step handlers in [`steps`] are generic over them.

pub mod alerts;
pub mod aws;
pub mod cleanup_plan;
pub mod cutover;
pub mod dashboard;
pub mod deadline;
pub mod election;
pub mod error;
pub mod execution_view;
pub mod inputs;
pub mod logging;
pub mod naming;
pub mod plan;
pub mod progress;
pub mod spec;
pub mod steps;
#[cfg(test)]
pub mod testing;
pub mod wait_policy;
pub mod wave;
pub mod workflow;

pub use error::{ErrorKind, StepError, StepResult};
