//! The SDK mapping of every `Executions` method, against the real SDK client with
//! mocked responses.

use aws_sdk_sfn::error::ErrorMetadata;
use aws_sdk_sfn::operation::describe_execution::{DescribeExecutionError, DescribeExecutionOutput};
use aws_sdk_sfn::operation::list_executions::{ListExecutionsError, ListExecutionsOutput};
use aws_sdk_sfn::types::{ExecutionListItem, ExecutionStatus};
use aws_smithy_mocks::{RuleMode, mock, mock_client};
use aws_smithy_types::DateTime;
use aws_smithy_types::retry::RetryConfig;

use crate::aws::executions::{Described, Executions, Listed};
use crate::aws::fault::AwsFault;

const MACHINE: &str = "arn:aws:states:eu-west-1:123456789012:stateMachine:dmsflow-migration";

fn execution_arn(name: &str) -> String {
    format!("arn:aws:states:eu-west-1:123456789012:execution:dmsflow-migration:{name}")
}

fn item(name: &str, millis: i64) -> ExecutionListItem {
    ExecutionListItem::builder()
        .execution_arn(execution_arn(name))
        .state_machine_arn(MACHINE)
        .name(name)
        .status(ExecutionStatus::Running)
        .start_date(DateTime::from_millis(millis))
        .build()
        .expect("a complete list item")
}

fn page(items: Vec<ExecutionListItem>, next: Option<&str>) -> ListExecutionsOutput {
    ListExecutionsOutput::builder()
        .set_executions(Some(items))
        .set_next_token(next.map(str::to_string))
        .build()
        .expect("a complete page")
}

#[tokio::test]
async fn running_asks_for_running_executions_and_follows_every_page() {
    let first = mock!(aws_sdk_sfn::Client::list_executions)
        .match_requests(|r| {
            r.state_machine_arn() == Some(MACHINE)
                && r.status_filter() == Some(&ExecutionStatus::Running)
                && r.next_token().is_none()
        })
        .then_output(|| page(vec![item("a", 1_000), item("b", 2_500)], Some("t1")));
    let second = mock!(aws_sdk_sfn::Client::list_executions)
        .match_requests(|r| r.next_token() == Some("t1"))
        .then_output(|| page(vec![item("c", 3_000)], None));
    let client = mock_client!(aws_sdk_sfn, RuleMode::Sequential, &[&first, &second], |c| c
        .retry_config(RetryConfig::disabled()));
    let listed = client.running(MACHINE).await.unwrap();
    assert_eq!(
        listed,
        vec![
            Listed {
                execution_arn: execution_arn("a"),
                started_ms: 1_000
            },
            Listed {
                execution_arn: execution_arn("b"),
                started_ms: 2_500
            },
            Listed {
                execution_arn: execution_arn("c"),
                started_ms: 3_000
            },
        ]
    );
    assert_eq!(first.num_calls() + second.num_calls(), 2);
}

#[tokio::test]
async fn describe_gives_status_start_and_input() {
    let rule = mock!(aws_sdk_sfn::Client::describe_execution)
        .match_requests(|r| r.execution_arn() == Some(execution_arn("a").as_str()))
        .then_output(|| {
            DescribeExecutionOutput::builder()
                .execution_arn(execution_arn("a"))
                .state_machine_arn(MACHINE)
                .status(ExecutionStatus::Failed)
                .start_date(DateTime::from_millis(7_250))
                .input(r#"{"run_id":"orders"}"#)
                .build()
                .expect("a complete answer")
        });
    let client = mock_client!(aws_sdk_sfn, [&rule]);
    assert_eq!(
        client.describe(&execution_arn("a")).await.unwrap(),
        Described {
            execution_arn: execution_arn("a"),
            status: "FAILED".into(),
            started_ms: 7_250,
            input: Some(r#"{"run_id":"orders"}"#.into()),
            ..Described::default()
        }
    );
}

#[tokio::test]
async fn refusals_are_classified() {
    let denied = mock!(aws_sdk_sfn::Client::list_executions).then_error(|| {
        ListExecutionsError::generic(
            ErrorMetadata::builder()
                .code("AccessDeniedException")
                .message("not authorized to perform states:ListExecutions")
                .build(),
        )
    });
    let throttled = mock!(aws_sdk_sfn::Client::describe_execution).then_error(|| {
        DescribeExecutionError::generic(
            ErrorMetadata::builder()
                .code("ThrottlingException")
                .message("Rate exceeded")
                .build(),
        )
    });
    let client = mock_client!(
        aws_sdk_sfn,
        RuleMode::Sequential,
        &[&denied, &throttled],
        |c| c.retry_config(RetryConfig::disabled())
    );
    assert!(matches!(
        client.running(MACHINE).await,
        Err(AwsFault::AccessDenied(m)) if m.contains("states:ListExecutions")
    ));
    assert!(matches!(
        client.describe(&execution_arn("a")).await,
        Err(AwsFault::Throttled(_))
    ));
}
