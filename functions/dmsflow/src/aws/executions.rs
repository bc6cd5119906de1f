//! The narrow view of Step Functions the run election uses: which executions of
//! the state machine are running, and what one execution was started with.
//! Implemented for the SDK client in `sdk_sfn`.

use std::future::Future;

use super::fault::AwsResult;

/// An execution as ListExecutions shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    pub execution_arn: String,
    /// Milliseconds since the Unix epoch.
    pub started_ms: i64,
}

/// An execution as DescribeExecution shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Described {
    pub execution_arn: String,
    /// RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED, PENDING_REDRIVE.
    pub status: String,
    /// Milliseconds since the Unix epoch.
    pub started_ms: i64,
    /// The execution's input (JSON text), if Step Functions returned it.
    pub input: Option<String>,
}

/// The Step Functions operations the election uses.
pub trait Executions: Sync {
    /// Every RUNNING execution of the state machine (all pages).
    fn running(
        &self,
        state_machine_arn: &str,
    ) -> impl Future<Output = AwsResult<Vec<Listed>>> + Send;
    /// One execution, with its input.
    fn describe(&self, execution_arn: &str) -> impl Future<Output = AwsResult<Described>> + Send;
}
