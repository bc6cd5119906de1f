//! [`Executions`] for the Step Functions SDK client. Errors are classified by
//! [`classify`].

use aws_sdk_sfn::Client;
use aws_sdk_sfn::types::ExecutionStatus;
use aws_smithy_types::DateTime;

use super::executions::{Described, Executions, Listed};
use super::fault::{AwsFault, AwsResult, classify};

/// The largest page ListExecutions returns.
const PAGE_SIZE: i32 = 1000;

/// A start date in milliseconds since the Unix epoch.
fn millis(date: &DateTime) -> AwsResult<i64> {
    date.to_millis().map_err(|e| AwsFault::Other {
        code: "InvalidStartDate".into(),
        message: format!("Step Functions returned a start date out of range: {e}"),
    })
}

impl Executions for Client {
    async fn running(&self, state_machine_arn: &str) -> AwsResult<Vec<Listed>> {
        let mut out = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let page = self
                .list_executions()
                .state_machine_arn(state_machine_arn)
                .status_filter(ExecutionStatus::Running)
                .max_results(PAGE_SIZE)
                .set_next_token(token.take())
                .send()
                .await
                .map_err(classify)?;
            for execution in page.executions() {
                out.push(Listed {
                    execution_arn: execution.execution_arn().to_string(),
                    started_ms: millis(execution.start_date())?,
                });
            }
            token = page.next_token().map(str::to_string);
            if token.is_none() {
                return Ok(out);
            }
        }
    }

    async fn describe(&self, execution_arn: &str) -> AwsResult<Described> {
        let answer = self
            .describe_execution()
            .execution_arn(execution_arn)
            .send()
            .await
            .map_err(classify)?;
        Ok(Described {
            execution_arn: answer.execution_arn().to_string(),
            status: answer.status().as_str().to_string(),
            started_ms: millis(answer.start_date())?,
            input: answer.input().map(str::to_string),
        })
    }
}

#[cfg(test)]
mod tests;
