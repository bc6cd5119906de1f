//! [`Notices`] for the SNS SDK client. Errors are classified by [`classify`].

use aws_sdk_sns::Client;

use super::fault::{AwsResult, classify};
use super::notices::Notices;
use crate::alerts::Message;

impl Notices for Client {
    async fn publish(&self, topic_arn: &str, message: &Message) -> AwsResult<String> {
        let answer = self
            .publish()
            .topic_arn(topic_arn)
            .subject(&message.subject)
            .message_structure("json")
            .message(message.structured())
            .send()
            .await
            .map_err(classify)?;
        Ok(answer.message_id().unwrap_or_default().to_string())
    }
}
