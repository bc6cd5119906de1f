//! DMS faults and how they go over the wire (awsJson1_1 error shape).

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// One DMS error: its code (`__type`) and message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    pub code: &'static str,
    pub message: String,
}

pub type OpResult = Result<serde_json::Value, Fault>;

/// The fault codes DMS answers with (its API model's faults, plus the
/// exceptions it returns without modeling them), for injected faults.
pub const DMS_FAULT_CODES: &[&str] = &[
    "AccessDeniedFault",
    "InvalidResourceStateFault",
    "ResourceAlreadyExistsFault",
    "ResourceNotFoundFault",
    "ResourceQuotaExceededFault",
    "InsufficientResourceCapacityFault",
    "StorageQuotaExceededFault",
    "InvalidSubnet",
    "KMSKeyNotAccessibleFault",
    "SNSInvalidTopicFault",
    "SNSNoAuthorizationFault",
    "UpgradeDependencyFailureFault",
    "InvalidParameterValueException",
    "InvalidParameterCombinationException",
];

/// `code` as one of [`DMS_FAULT_CODES`], if it is one.
pub fn dms_fault_code(code: &str) -> Option<&'static str> {
    DMS_FAULT_CODES.iter().copied().find(|c| *c == code)
}

impl Fault {
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        Fault {
            code,
            message: message.into(),
        }
    }
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new("ResourceNotFoundFault", message)
    }
    pub fn already_exists(message: impl Into<String>) -> Self {
        Self::new("ResourceAlreadyExistsFault", message)
    }
    pub fn invalid_state(message: impl Into<String>) -> Self {
        Self::new("InvalidResourceStateFault", message)
    }
    pub fn access_denied(message: impl Into<String>) -> Self {
        Self::new("AccessDeniedFault", message)
    }
    pub fn invalid_parameter(message: impl Into<String>) -> Self {
        Self::new("InvalidParameterValueException", message)
    }
    pub fn invalid_combination(message: impl Into<String>) -> Self {
        Self::new("InvalidParameterCombinationException", message)
    }
    pub fn throttling() -> Self {
        Self::new("ThrottlingException", "Rate exceeded")
    }
    pub fn invalid_action(operation: &str) -> Self {
        Self::new(
            "InvalidAction",
            format!(
                "The action {operation} is not valid for this web service (not supported by dms-emulator)."
            ),
        )
    }
    pub fn serialization(message: impl Into<String>) -> Self {
        Self::new("SerializationException", message)
    }
    pub fn missing(param: &str) -> Self {
        Self::invalid_parameter(format!(
            "The parameter {param} must be provided and must not be blank."
        ))
    }
}

impl std::fmt::Display for Fault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl IntoResponse for Fault {
    fn into_response(self) -> Response {
        let body = json!({ "__type": self.code, "message": self.message }).to_string();
        let mut resp = (StatusCode::BAD_REQUEST, body).into_response();
        let headers = resp.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(crate::protocol::CONTENT_TYPE),
        );
        headers.insert("x-amzn-ErrorType", HeaderValue::from_static(self.code));
        headers.insert(
            "x-amzn-RequestId",
            HeaderValue::from_str(&crate::protocol::request_id()).expect("ascii request id"),
        );
        resp
    }
}
