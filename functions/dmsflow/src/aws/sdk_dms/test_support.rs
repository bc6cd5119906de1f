//! Test helpers shared by the SDK implementations' tests: mocked clients with
//! retries off, a recorder of the request bodies the SDK serializes, and DMS
//! error responses as DMS sends them on the wire.

use std::sync::{Arc, Mutex};

use aws_sdk_databasemigration::config::http::HttpResponse;
use aws_sdk_databasemigration::config::interceptors::BeforeTransmitInterceptorContextRef;
use aws_sdk_databasemigration::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_databasemigration::error::BoxError;
use aws_smithy_mocks::{Rule, RuleMode, mock_client};
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::retry::RetryConfig;

/// Records the body of every request the SDK sends, and fails the test at
/// once if one mentions a password: no request dmsflow builds may carry one.
#[derive(Debug, Clone, Default)]
pub(crate) struct Wire(Arc<Mutex<Vec<String>>>);

impl Wire {
    /// The bodies sent so far, in order.
    pub(crate) fn bodies(&self) -> Vec<String> {
        self.0.lock().expect("wire lock").clone()
    }
}

impl Intercept for Wire {
    fn name(&self) -> &'static str {
        "Wire"
    }

    fn read_before_transmit(
        &self,
        context: &BeforeTransmitInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let body = context
            .request()
            .body()
            .bytes()
            .map(|b| String::from_utf8_lossy(b).into_owned())
            .unwrap_or_default();
        assert!(
            !body.to_ascii_lowercase().contains("password"),
            "a request carries a password field: {body}"
        );
        self.0.lock().expect("wire lock").push(body);
        Ok(())
    }
}

/// A DMS client answering from `rules` in order, retries off, recording bodies.
pub(crate) fn dms(rules: &[&Rule]) -> (aws_sdk_databasemigration::Client, Wire) {
    let wire = Wire::default();
    let recorder = wire.clone();
    let client = mock_client!(
        aws_sdk_databasemigration,
        RuleMode::Sequential,
        rules,
        move |c| c
            .retry_config(RetryConfig::disabled())
            .interceptor(recorder.clone())
    );
    (client, wire)
}

/// A CloudWatch client answering from `rules` in order, retries off, with
/// the same password check on every request.
pub(crate) fn cloudwatch(rules: &[&Rule]) -> aws_sdk_cloudwatch::Client {
    mock_client!(aws_sdk_cloudwatch, RuleMode::Sequential, rules, |c| c
        .retry_config(RetryConfig::disabled())
        .interceptor(Wire::default()))
}

/// An error response as DMS (AWS JSON 1.1) sends it.
pub(crate) fn dms_fault(code: &str, message: &str) -> HttpResponse {
    let body = serde_json::json!({ "__type": code, "message": message }).to_string();
    HttpResponse::new(
        400.try_into().expect("400 is a status code"),
        SdkBody::from(body),
    )
}
