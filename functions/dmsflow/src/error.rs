//! The errors a step function returns, each with a stable `error_type` that the
//! state machine's Retry and Catch rules name. The list is documented in the README
//! ("Error types"); a test keeps the two in step.

use std::fmt;

use lambda_runtime::Diagnostic;

/// The stable name of an error, as the state machine sees it (`errorType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The migration spec (or a step's input) is invalid. Nothing was created.
    InvalidSpec,
    /// A resource with this run's name exists but does not carry this run's tags.
    ResourceConflict,
    /// A resource the step needs does not exist (yet or any more).
    ResourceMissing,
    /// DMS could not connect to an endpoint.
    ConnectionTestFailed,
    /// The premigration assessment failed (or warned, with `on_warning: fail`); the
    /// task was never started.
    AssessmentFailed,
    /// The replication task failed.
    TaskFailed,
    /// One or more tables ended in `Table error`.
    TablesErrored,
    /// Data validation found more failed records than the spec tolerates.
    ValidationFailed,
    /// A wait loop ran past the bound set in the spec's `polling`.
    StepTimedOut,
    /// AWS refused the call for lack of permission (or a missing service role).
    AccessDenied,
    /// An account quota or capacity limit was hit.
    QuotaExceeded,
    /// AWS rejected a parameter the step sent.
    InvalidRequest,
    /// AWS throttled the call. Transient: retry with backoff.
    Throttled,
    /// The resource is in a state that does not allow the call right now. Transient.
    ResourceBusy,
    /// The AWS endpoint could not be reached or timed out. Transient.
    AwsUnavailable,
    /// Any other error AWS returned.
    AwsError,
    /// Another execution is driving the same run id; this one touched nothing.
    RunInProgress,
    /// A cutover request names a run whose task is not this run's, not running in
    /// CDC, or still loading; nothing was touched.
    CutoverRefused,
    /// The replication did not drain within the cutover's bound; the task was left
    /// running.
    CutoverNotReady,
    /// After the cutover's stop, a table is not complete or not validated; the task
    /// was left stopped.
    CutoverCheckFailed,
    /// A person rejected the cutover when asked to approve it
    /// (`send-task-failure --error CutoverRejected`); replication keeps running.
    CutoverRejected,
}

impl ErrorKind {
    /// Every error kind, for documentation and tests.
    pub const ALL: [ErrorKind; 21] = [
        ErrorKind::InvalidSpec,
        ErrorKind::ResourceConflict,
        ErrorKind::ResourceMissing,
        ErrorKind::ConnectionTestFailed,
        ErrorKind::AssessmentFailed,
        ErrorKind::TaskFailed,
        ErrorKind::TablesErrored,
        ErrorKind::ValidationFailed,
        ErrorKind::StepTimedOut,
        ErrorKind::AccessDenied,
        ErrorKind::QuotaExceeded,
        ErrorKind::InvalidRequest,
        ErrorKind::Throttled,
        ErrorKind::ResourceBusy,
        ErrorKind::AwsUnavailable,
        ErrorKind::AwsError,
        ErrorKind::RunInProgress,
        ErrorKind::CutoverRefused,
        ErrorKind::CutoverNotReady,
        ErrorKind::CutoverCheckFailed,
        ErrorKind::CutoverRejected,
    ];

    /// The `errorType` string the state machine matches.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::InvalidSpec => "InvalidSpec",
            ErrorKind::ResourceConflict => "ResourceConflict",
            ErrorKind::ResourceMissing => "ResourceMissing",
            ErrorKind::ConnectionTestFailed => "ConnectionTestFailed",
            ErrorKind::AssessmentFailed => "AssessmentFailed",
            ErrorKind::TaskFailed => "TaskFailed",
            ErrorKind::TablesErrored => "TablesErrored",
            ErrorKind::ValidationFailed => "ValidationFailed",
            ErrorKind::StepTimedOut => "StepTimedOut",
            ErrorKind::AccessDenied => "AccessDenied",
            ErrorKind::QuotaExceeded => "QuotaExceeded",
            ErrorKind::InvalidRequest => "InvalidRequest",
            ErrorKind::Throttled => "Throttled",
            ErrorKind::ResourceBusy => "ResourceBusy",
            ErrorKind::AwsUnavailable => "AwsUnavailable",
            ErrorKind::AwsError => "AwsError",
            ErrorKind::RunInProgress => "RunInProgress",
            ErrorKind::CutoverRefused => "CutoverRefused",
            ErrorKind::CutoverNotReady => "CutoverNotReady",
            ErrorKind::CutoverCheckFailed => "CutoverCheckFailed",
            ErrorKind::CutoverRejected => "CutoverRejected",
        }
    }

    /// Whether the state machine retries this error with backoff.
    pub fn is_transient(self) -> bool {
        matches!(
            self,
            ErrorKind::Throttled | ErrorKind::ResourceBusy | ErrorKind::AwsUnavailable
        )
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An error a step returns: a kind and a message a person can act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepError {
    pub kind: ErrorKind,
    pub message: String,
}

impl StepError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }
}

impl fmt::Display for StepError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind, self.message)
    }
}

impl std::error::Error for StepError {}

impl From<StepError> for Diagnostic {
    fn from(error: StepError) -> Self {
        Diagnostic {
            error_type: error.kind.as_str().to_string(),
            error_message: error.message,
        }
    }
}

/// The result of a step.
pub type StepResult<T> = Result<T, StepError>;
