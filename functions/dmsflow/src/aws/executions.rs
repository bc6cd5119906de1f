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
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Described {
    pub execution_arn: String,
    /// RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED, PENDING_REDRIVE.
    pub status: String,
    /// Milliseconds since the Unix epoch.
    pub started_ms: i64,
    /// The execution's input (JSON text), if Step Functions returned it.
    pub input: Option<String>,
    /// When it ended (milliseconds since the Unix epoch), once it has.
    pub stopped_ms: Option<i64>,
    /// The error and cause a failed execution ended with.
    pub error: Option<String>,
    pub cause: Option<String>,
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

/// Starting an execution: the hand-over of a long run to its next execution.
pub trait Starter: Sync {
    /// Starts an execution of `state_machine_arn` named `name` with `input`; its
    /// ARN. Step Functions answers the same ARN again for a running execution of
    /// the same name and input, and `AlreadyExists` when the name is taken
    /// otherwise (StartExecution, Step Functions API reference).
    fn start(
        &self,
        state_machine_arn: &str,
        name: &str,
        input: &str,
    ) -> impl Future<Output = AwsResult<String>> + Send;
}

/// Reading how an execution ended.
pub trait History: Sync {
    /// The name of the last state the execution entered (GetExecutionHistory,
    /// newest first), if it entered any.
    fn last_state_entered(
        &self,
        execution_arn: &str,
    ) -> impl Future<Output = AwsResult<Option<String>>> + Send;
}
