//! Placeholder: being written. Parses a spec from JSON, reporting every problem at once.

use serde_json::Value;

use super::MigrationSpec;
use crate::error::{ErrorKind, StepError, StepResult};

/// Parses and validates a spec given as a JSON value.
pub fn parse_value(value: &Value) -> StepResult<MigrationSpec> {
    serde_json::from_value(value.clone())
        .map_err(|e| StepError::new(ErrorKind::InvalidSpec, e.to_string()))
}
