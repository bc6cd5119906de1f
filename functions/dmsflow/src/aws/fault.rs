//! What went wrong in one AWS call, classified the way the steps need it.

use crate::error::{ErrorKind, StepError};

/// A failed AWS call, classified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AwsFault {
    /// The resource does not exist (`ResourceNotFoundFault`).
    NotFound(String),
    /// The resource exists already (`ResourceAlreadyExistsFault`).
    AlreadyExists(String),
    /// The resource's state does not allow the call (`InvalidResourceStateFault`).
    Busy(String),
    /// `ThrottlingException` and other rate limits.
    Throttled(String),
    /// `AccessDeniedFault`, `AccessDeniedException`, KMS and SNS authorization faults.
    AccessDenied(String),
    /// Quota, capacity and storage limits.
    Quota(String),
    /// The request was rejected: `InvalidParameterValueException`,
    /// `InvalidParameterCombinationException`, `InvalidSubnet`, ...
    Invalid(String),
    /// The endpoint could not be reached, or the call timed out.
    Unavailable(String),
    /// Anything else, with AWS's error code.
    Other { code: String, message: String },
}

impl AwsFault {
    /// Classifies an error by its AWS error code (as `ProvideErrorMetadata::code`
    /// gives it) and message.
    pub fn from_code(code: Option<&str>, message: Option<&str>) -> Self {
        let message = message.unwrap_or("no message").to_string();
        let Some(code) = code else {
            return AwsFault::Unavailable(message);
        };
        match code {
            // ExecutionDoesNotExist: Step Functions' DescribeExecution (API reference).
            "ResourceNotFoundFault"
            | "ResourceNotFound"
            | "ResourceNotFoundException"
            | "ExecutionDoesNotExist"
            // S3's GetObject (API reference, "Error responses").
            | "NoSuchKey"
            | "NoSuchBucket" => AwsFault::NotFound(message),
            "ResourceAlreadyExistsFault" | "ResourceAlreadyExists" | "ExecutionAlreadyExists" => {
                AwsFault::AlreadyExists(message)
            }
            "InvalidResourceStateFault" | "InvalidResourceState" => AwsFault::Busy(message),
            "ThrottlingException"
            | "Throttling"
            | "TooManyRequestsException"
            | "RequestLimitExceeded"
            | "ThrottledException"
            // S3 (API reference, "Error responses").
            | "SlowDown" => AwsFault::Throttled(message),
            "AccessDeniedFault"
            | "AccessDeniedException"
            | "AccessDenied"
            | "KMSKeyNotAccessibleFault"
            | "SNSNoAuthorizationFault"
            | "UnrecognizedClientException"
            | "InvalidClientTokenId" => AwsFault::AccessDenied(message),
            "ResourceQuotaExceededFault"
            | "InsufficientResourceCapacityFault"
            | "StorageQuotaExceededFault"
            | "LimitExceeded"
            | "LimitExceededFault" => AwsFault::Quota(message),
            "InvalidParameterValueException"
            | "InvalidParameterCombinationException"
            | "InvalidSubnet"
            | "SNSInvalidTopicFault"
            | "InvalidParameterValue"
            | "InvalidParameterCombination"
            | "ValidationError"
            | "InvalidCertificateFault"
            | "UpgradeDependencyFailureFault" => AwsFault::Invalid(message),
            _ => AwsFault::Other {
                code: code.to_string(),
                message,
            },
        }
    }

    /// Turns the fault into the step error the state machine sees, naming what
    /// the step was doing (`context`, e.g. "creating replication instance dmsflow-x-instance").
    pub fn into_step_error(self, context: &str) -> StepError {
        let (kind, detail, fix) = match self {
            AwsFault::NotFound(m) => (ErrorKind::ResourceMissing, m, ""),
            AwsFault::AlreadyExists(m) => (
                ErrorKind::ResourceConflict,
                m,
                " A resource with this name exists outside this run: choose another run_id or remove it.",
            ),
            AwsFault::Busy(m) => (ErrorKind::ResourceBusy, m, ""),
            AwsFault::Throttled(m) => (ErrorKind::Throttled, m, ""),
            AwsFault::AccessDenied(m) => (
                ErrorKind::AccessDenied,
                m,
                " Check the function's IAM role; for DMS calls, also that the account has the dms-vpc-role.",
            ),
            AwsFault::Quota(m) => (
                ErrorKind::QuotaExceeded,
                m,
                " Raise the quota, pick another instance class or Availability Zone, or free capacity.",
            ),
            AwsFault::Invalid(m) => (ErrorKind::InvalidRequest, m, ""),
            AwsFault::Unavailable(m) => (ErrorKind::AwsUnavailable, m, ""),
            AwsFault::Other { code, message } => {
                (ErrorKind::AwsError, format!("{code}: {message}"), "")
            }
        };
        StepError::new(
            kind,
            format!("{context}: {detail}.{fix}").replace("..", "."),
        )
    }
}

/// Result of an AWS call.
pub type AwsResult<T> = Result<T, AwsFault>;

/// Maps an SDK error to a fault. Works for every operation of every client.
pub fn classify<E>(error: aws_sdk_databasemigration::error::SdkError<E>) -> AwsFault
where
    E: aws_sdk_databasemigration::error::ProvideErrorMetadata
        + std::error::Error
        + Send
        + Sync
        + 'static,
{
    use aws_sdk_databasemigration::error::{DisplayErrorContext, SdkError};
    match &error {
        SdkError::ServiceError(service) => {
            let err = service.err();
            AwsFault::from_code(err.code(), err.message())
        }
        SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) | SdkError::ResponseError(_) => {
            AwsFault::Unavailable(DisplayErrorContext(&error).to_string())
        }
        _ => AwsFault::Other {
            code: "SdkError".into(),
            message: DisplayErrorContext(&error).to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_map_to_the_kinds_the_state_machine_retries() {
        let kind = |code| {
            AwsFault::from_code(Some(code), Some("m"))
                .into_step_error("doing x")
                .kind
        };
        assert_eq!(kind("ThrottlingException"), ErrorKind::Throttled);
        assert_eq!(kind("InvalidResourceStateFault"), ErrorKind::ResourceBusy);
        assert_eq!(kind("AccessDeniedFault"), ErrorKind::AccessDenied);
        assert_eq!(
            kind("InsufficientResourceCapacityFault"),
            ErrorKind::QuotaExceeded
        );
        assert_eq!(
            kind("InvalidParameterValueException"),
            ErrorKind::InvalidRequest
        );
        assert_eq!(kind("ResourceNotFoundFault"), ErrorKind::ResourceMissing);
        assert_eq!(kind("SomethingNew"), ErrorKind::AwsError);
        assert!(kind("ThrottlingException").is_transient());
        assert!(!kind("AccessDeniedFault").is_transient());
    }

    #[test]
    fn step_error_names_the_context_and_aws_message() {
        let e = AwsFault::from_code(
            Some("AccessDeniedFault"),
            Some("dms-vpc-role is not configured properly"),
        )
        .into_step_error("creating replication instance dmsflow-x-instance");
        assert!(
            e.message
                .starts_with("creating replication instance dmsflow-x-instance: dms-vpc-role")
        );
        assert!(e.message.contains("dms-vpc-role"));
    }
}
