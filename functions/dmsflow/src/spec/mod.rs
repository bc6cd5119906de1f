//! The migration spec: its types, parsing, validation, defaults and JSON Schema.

pub mod assessment;
pub mod check;
pub mod compute;
pub mod mappings;
pub mod parse;
pub mod remediation;
pub mod schema;
pub mod settings;
pub mod stack_bounds;
pub mod types;

pub use compute::{Compute, ServerlessSpec};
pub use types::*;
