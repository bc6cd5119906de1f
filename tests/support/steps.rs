//! Driving the real step handlers in-process, through the real SDK clients,
//! against the DMS emulator (no state machine): the clients, the Lambda event a
//! function receives, and a step's loop as the state machine runs it.

#![allow(dead_code)]

use std::future::Future;

use aws_sdk_cloudwatch::config::{BehaviorVersion, Credentials, Region};
use aws_smithy_http_client::tls::{Provider, rustls_provider::CryptoMode};
use dmsflow::workflow::{RunState, StepCall};
use lambda_runtime::{Context, LambdaEvent};

pub const FUNCTION_ARN: &str = "arn:aws:lambda:us-east-1:123456789012:function:dmsflow-test";

/// DMS and CloudWatch clients of the emulator at `url`.
pub fn clients(
    url: &str,
) -> (
    aws_sdk_databasemigration::Client,
    aws_sdk_cloudwatch::Client,
) {
    let http = aws_smithy_http_client::Builder::new()
        .tls_provider(Provider::Rustls(CryptoMode::Ring))
        .build_https();
    let config = aws_config::SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(
            aws_credential_types::provider::SharedCredentialsProvider::new(Credentials::new(
                "AKIDLOCAL",
                "local",
                None,
                None,
                "test",
            )),
        )
        .endpoint_url(url)
        .http_client(http)
        .build();
    (
        aws_sdk_databasemigration::Client::new(&config),
        aws_sdk_cloudwatch::Client::new(&config),
    )
}

/// The stack's report bucket and DMS role, as template.yaml hands them on.
pub fn report_store() -> dmsflow::steps::assess::ReportStore {
    dmsflow::steps::assess::ReportStore {
        bucket: Some("dmsflow-assessments-123456789012".into()),
        role_arn: Some("arn:aws:iam::123456789012:role/dmsflow-dms/dmsflow-assessment".into()),
    }
}

/// The event Lambda hands a function for `call`.
pub fn lambda_event(call: StepCall) -> LambdaEvent<StepCall> {
    let mut context = Context::default();
    context.invoked_function_arn = FUNCTION_ARN.to_string();
    LambdaEvent::new(call, context)
}

/// Calls a step with `call`, then with its own answer, until it is done, as the
/// state machine's loop does (at most `max_calls` times); `seen` gets every answer.
/// Answers the last state.
pub async fn until_done<F, Fut>(
    what: &str,
    mut call: StepCall,
    max_calls: usize,
    mut seen: impl FnMut(&RunState),
    mut step: F,
) -> RunState
where
    F: FnMut(StepCall) -> Fut,
    Fut: Future<Output = dmsflow::StepResult<RunState>>,
{
    for _ in 0..max_calls {
        let state = step(call.clone())
            .await
            .unwrap_or_else(|e| panic!("{what} failed: {e}"));
        assert_eq!(state.step.name, call.step, "the state names the step");
        seen(&state);
        if state.step.done {
            return state;
        }
        call.state = serde_json::to_value(&state).unwrap();
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("{what} was not done after {max_calls} calls");
}
