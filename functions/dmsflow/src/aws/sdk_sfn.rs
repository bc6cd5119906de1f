//! [`Executions`] for the Step Functions SDK client. Errors are classified by
//! [`classify`].

use aws_sdk_sfn::Client;
use aws_sdk_sfn::types::ExecutionStatus;
use aws_smithy_types::DateTime;

use super::executions::{Described, Executions, History, Listed, Starter};
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
            stopped_ms: answer.stop_date().map(millis).transpose()?,
            error: answer.error().map(str::to_string),
            cause: answer.cause().map(str::to_string),
        })
    }
}

impl Starter for Client {
    async fn start(&self, state_machine_arn: &str, name: &str, input: &str) -> AwsResult<String> {
        let answer = self
            .start_execution()
            .state_machine_arn(state_machine_arn)
            .name(name)
            .input(input)
            .send()
            .await
            .map_err(classify)?;
        Ok(answer.execution_arn().to_string())
    }
}

/// History events read to find the last state entered: an execution ends with
/// one `Execution*` event after its last state's exit, so the last `*StateEntered`
/// is among the newest few.
const HISTORY_PAGE: i32 = 20;

impl History for Client {
    async fn last_state_entered(&self, execution_arn: &str) -> AwsResult<Option<String>> {
        let page = self
            .get_execution_history()
            .execution_arn(execution_arn)
            .reverse_order(true)
            .max_results(HISTORY_PAGE)
            .include_execution_data(false)
            .send()
            .await
            .map_err(classify)?;
        // The newest by id, not the first: a service that ignores reverseOrder
        // (moto's does) still answers right.
        Ok(page
            .events()
            .iter()
            .filter_map(|event| Some((event.id(), event.state_entered_event_details()?)))
            .max_by_key(|(id, _)| *id)
            .map(|(_, details)| details.name().to_string()))
    }
}

#[cfg(test)]
mod tests;
