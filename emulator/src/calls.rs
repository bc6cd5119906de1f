//! The log of DMS operations received, with their outcome.

use serde::Serialize;
use serde_json::Value;

const MAX_CALLS: usize = 20_000;

#[derive(Debug, Clone, Serialize)]
pub struct Call {
    pub seq: u64,
    /// Simulated seconds since start when the call arrived.
    pub sim_time: f64,
    pub operation: String,
    /// `ok` or the fault code.
    pub outcome: String,
    /// The request body with passwords blanked.
    pub request: Value,
    /// The ARN of the resource the call created or acted on, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource_arn: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct CallLog {
    next: u64,
    calls: Vec<Call>,
}

impl CallLog {
    pub fn record(
        &mut self,
        sim_time: f64,
        operation: &str,
        outcome: &str,
        request: Value,
        resource_arn: Option<String>,
    ) {
        self.next += 1;
        if self.calls.len() >= MAX_CALLS {
            self.calls.remove(0);
        }
        self.calls.push(Call {
            seq: self.next,
            sim_time,
            operation: operation.to_string(),
            outcome: outcome.to_string(),
            request,
            resource_arn,
        });
    }

    pub fn calls(&self) -> &[Call] {
        &self.calls
    }
}
