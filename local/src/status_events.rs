//! The `Step Functions Execution Status Change` event EventBridge delivers when an
//! execution ends. moto's Step Functions does not emit these events, so the local
//! stack puts each execution's final status on moto's EventBridge itself
//! (PutEvents), under the template's rule (its EventPattern, matched by moto's own
//! pattern matcher), with an SQS queue as the rule's target; what reaches the
//! queue is handed to the rule's real target, the notify function, as EventBridge
//! would invoke it. The event's shape follows the Step Functions user guide
//! ("Step Functions events", Execution Status Change examples).

use serde_json::{Value, json};

use crate::Error;
use crate::http::Http;
use crate::sfn::{ACCOUNT, Execution, REGION};

const RULE: &str = "dmsflow-safety-net";
const QUEUE: &str = "dmsflow-safety-net";

/// The template's rule on moto's EventBridge, delivering to a queue.
#[derive(Debug, Clone)]
pub struct SafetyNet {
    queue_url: String,
}

impl SafetyNet {
    /// Puts the rule (`pattern`, the template's EventPattern with the local state
    /// machine's ARN) and its queue on moto.
    pub async fn create(http: &Http, moto: &str, pattern: &Value) -> Result<SafetyNet, Error> {
        let queue_url = http
            .aws_json(
                moto,
                "sqs",
                "AmazonSQS.CreateQueue",
                &json!({"QueueName": QUEUE}),
            )
            .await?
            .ok("CreateQueue")?
            .json()?["QueueUrl"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        http.aws_json(
            moto,
            "events",
            "AWSEvents.PutRule",
            &json!({"Name": RULE, "EventPattern": pattern.to_string(), "State": "ENABLED"}),
        )
        .await?
        .ok("PutRule")?;
        let queue_arn = format!("arn:aws:sqs:{REGION}:{ACCOUNT}:{QUEUE}");
        http.aws_json(
            moto,
            "events",
            "AWSEvents.PutTargets",
            &json!({"Rule": RULE, "Targets": [{"Id": "notify", "Arn": queue_arn}]}),
        )
        .await?
        .ok("PutTargets")?;
        Ok(SafetyNet { queue_url })
    }

    /// Puts the execution's final status on the bus; answers the events the rule
    /// matched (at most one).
    pub async fn matched(
        &self,
        http: &Http,
        moto: &str,
        execution: &Execution,
        state_machine_arn: &str,
    ) -> Result<Vec<Value>, Error> {
        let event = event(execution, state_machine_arn);
        let entry = json!({
            "Source": event["source"],
            "DetailType": event["detail-type"],
            "Detail": event["detail"].to_string(),
            "Resources": event["resources"],
        });
        http.aws_json(
            moto,
            "events",
            "AWSEvents.PutEvents",
            &json!({"Entries": [entry]}),
        )
        .await?
        .ok("PutEvents")?;
        let answer = http
            .aws_json(
                moto,
                "sqs",
                "AmazonSQS.ReceiveMessage",
                &json!({"QueueUrl": self.queue_url, "MaxNumberOfMessages": 10}),
            )
            .await?
            .ok("ReceiveMessage")?
            .json()?;
        let mut out = Vec::new();
        for message in answer["Messages"].as_array().cloned().unwrap_or_default() {
            if let Some(body) = message["Body"].as_str()
                && let Ok(event) = serde_json::from_str(body)
            {
                out.push(event);
            }
            http.aws_json(
                moto,
                "sqs",
                "AmazonSQS.DeleteMessage",
                &json!({"QueueUrl": self.queue_url, "ReceiptHandle": message["ReceiptHandle"]}),
            )
            .await?
            .ok("DeleteMessage")?;
        }
        Ok(out)
    }
}

/// The function the template's rule targets.
pub const TARGET: &str = "dmsflow-notify";

/// The event of an execution's final status.
pub fn event(execution: &Execution, state_machine_arn: &str) -> Value {
    let name = execution
        .execution_arn
        .rsplit(':')
        .next()
        .unwrap_or_default();
    json!({
        "version": "0",
        "id": format!("local-{name}-{}", execution.status.to_lowercase()),
        "detail-type": "Step Functions Execution Status Change",
        "source": "aws.states",
        "account": ACCOUNT,
        "time": "1970-01-01T00:00:00Z",
        "region": REGION,
        "resources": [execution.execution_arn],
        "detail": {
            "executionArn": execution.execution_arn,
            "stateMachineArn": state_machine_arn,
            "name": name,
            "status": execution.status,
            "input": execution.input,
            "output": execution.output,
            "error": execution.error,
            "cause": execution.cause,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_event_carries_what_the_rule_and_its_target_read() {
        let execution = Execution {
            execution_arn: "arn:aws:states:us-east-1:123456789012:execution:m:run-1".into(),
            status: "ABORTED".into(),
            output: None,
            error: None,
            cause: None,
            input: Some("{\"run_id\":\"r\"}".into()),
        };
        let event = event(
            &execution,
            "arn:aws:states:us-east-1:123456789012:stateMachine:m",
        );
        assert_eq!(event["source"], "aws.states");
        assert_eq!(
            event["detail-type"],
            "Step Functions Execution Status Change"
        );
        assert_eq!(event["detail"]["status"], "ABORTED");
        assert_eq!(event["detail"]["name"], "run-1");
        assert_eq!(event["detail"]["input"], "{\"run_id\":\"r\"}");
    }
}
