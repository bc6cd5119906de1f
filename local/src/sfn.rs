//! The Step Functions and SNS calls the stack makes to moto (awsJson1_0 and
//! awsQuery), and the execution history as typed events.

use serde::Deserialize;
use serde_json::{Value, json};

use crate::Error;
use crate::http::Http;

/// Account and region of every local ARN.
pub const ACCOUNT: &str = "123456789012";
pub const REGION: &str = "us-east-1";

/// Step Functions and SNS on one moto_server.
#[derive(Clone)]
pub struct Sfn {
    pub http: Http,
    pub url: String,
}

/// DescribeExecution's answer.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Execution {
    pub execution_arn: String,
    pub status: String,
    #[serde(default)]
    pub output: Option<String>,
    #[serde(default)]
    pub error: Option<String>,
    #[serde(default)]
    pub cause: Option<String>,
    #[serde(default)]
    pub input: Option<String>,
}

impl Execution {
    pub fn finished(&self) -> bool {
        self.status != "RUNNING"
    }

    pub fn output_json(&self) -> Option<Value> {
        self.output
            .as_deref()
            .and_then(|o| serde_json::from_str(o).ok())
    }
}

pub use dmsflow::execution_view::Event;

impl Sfn {
    async fn call(&self, action: &str, body: Value) -> Result<Value, Error> {
        self.http
            .aws_json(
                &self.url,
                "states",
                &format!("AWSStepFunctions.{action}"),
                &body,
            )
            .await?
            .ok(&format!("Step Functions {action}"))?
            .json()
    }

    /// Creates an SNS topic (idempotent) and answers its ARN.
    pub async fn create_topic(&self, name: &str) -> Result<String, Error> {
        self.http
            .aws_query(
                &self.url,
                "sns",
                &[
                    ("Action", "CreateTopic"),
                    ("Version", "2010-03-31"),
                    ("Name", name),
                ],
            )
            .await?
            .ok("SNS CreateTopic")?;
        Ok(format!("arn:aws:sns:{REGION}:{ACCOUNT}:{name}"))
    }

    /// Creates a Standard state machine and answers its ARN.
    pub async fn create_state_machine(
        &self,
        name: &str,
        definition: &str,
    ) -> Result<String, Error> {
        let answer = self
            .call(
                "CreateStateMachine",
                json!({
                    "name": name,
                    "definition": definition,
                    "roleArn": format!("arn:aws:iam::{ACCOUNT}:role/{name}"),
                    "type": "STANDARD",
                }),
            )
            .await?;
        string_field(&answer, "stateMachineArn")
    }

    /// Starts (or, same name and input while running, finds) an execution.
    pub async fn start_execution(
        &self,
        state_machine_arn: &str,
        name: &str,
        input: &Value,
    ) -> Result<String, Error> {
        let answer = self
            .call(
                "StartExecution",
                json!({"stateMachineArn": state_machine_arn, "name": name, "input": input.to_string()}),
            )
            .await?;
        string_field(&answer, "executionArn")
    }

    /// A person's approval of a waiting task (SendTaskSuccess).
    pub async fn send_task_success(&self, token: &str, output: &Value) -> Result<(), Error> {
        self.call(
            "SendTaskSuccess",
            json!({"taskToken": token, "output": output.to_string()}),
        )
        .await
        .map(|_| ())
    }

    /// A person's rejection of a waiting task (SendTaskFailure).
    pub async fn send_task_failure(
        &self,
        token: &str,
        error: &str,
        cause: &str,
    ) -> Result<(), Error> {
        self.call(
            "SendTaskFailure",
            json!({"taskToken": token, "error": error, "cause": cause}),
        )
        .await
        .map(|_| ())
    }

    /// Every message published to any topic of this moto_server.
    pub async fn published(&self) -> Result<Vec<crate::moto::Published>, Error> {
        let data = self
            .http
            .get(&format!("{}/moto-api/data.json", self.url))
            .await?
            .ok("reading moto's data")?
            .json()?;
        Ok(crate::moto::published_in(&data))
    }

    pub async fn describe_execution(&self, execution_arn: &str) -> Result<Execution, Error> {
        let answer = self
            .call("DescribeExecution", json!({"executionArn": execution_arn}))
            .await?;
        serde_json::from_value(answer)
            .map_err(|e| Error::new(format!("DescribeExecution answer not understood: {e}")))
    }

    /// The whole history, oldest first.
    pub async fn history(&self, execution_arn: &str) -> Result<Vec<Event>, Error> {
        let mut events = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let mut request = json!({"executionArn": execution_arn, "maxResults": 1000});
            if let Some(t) = &token {
                request["nextToken"] = Value::from(t.clone());
            }
            let answer = self.call("GetExecutionHistory", request).await?;
            let page = answer
                .get("events")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            events.extend(page.iter().filter_map(Event::from_json));
            token = answer
                .get("nextToken")
                .and_then(Value::as_str)
                .map(str::to_string);
            if token.is_none() {
                break;
            }
        }
        events.sort_by_key(|e| e.id);
        Ok(events)
    }
}

fn string_field(answer: &Value, field: &str) -> Result<String, Error> {
    answer
        .get(field)
        .and_then(Value::as_str)
        .map(str::to_string)
        .ok_or_else(|| Error::new(format!("no {field} in {answer}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn history_events_expose_their_state_and_task_output() {
        let entered = Event::from_json(&json!({
            "id": 3, "type": "TaskStateEntered", "timestamp": 1.5,
            "stateEnteredEventDetails": {"name": "CreateResources", "input": "{}"}
        }))
        .unwrap();
        assert_eq!(entered.entered_state(), Some("CreateResources"));
        let done = Event::from_json(&json!({
            "id": 7, "type": "TaskSucceeded",
            "taskSucceededEventDetails": {"output": "{\"Payload\": {\"done\": true}}"}
        }))
        .unwrap();
        assert_eq!(done.entered_state(), None);
        assert_eq!(done.task_output(), Some(json!({"Payload": {"done": true}})));
    }
}
