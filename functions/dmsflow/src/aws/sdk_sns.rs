//! [`Notices`] for the SNS SDK client, and for one built on first use (a function
//! that publishes on few of its calls does not build it at cold start). Errors are
//! classified by [`classify`].

use std::future::Future;

use aws_sdk_sns::Client;

use super::fault::{AwsResult, classify};
use super::notices::Notices;
use super::on_first_use::OnFirstUse;
use crate::alerts::Message;

impl Notices for OnFirstUse<Client> {
    fn publish(
        &self,
        topic_arn: &str,
        message: &Message,
    ) -> impl Future<Output = AwsResult<String>> + Send {
        Notices::publish(self.get(), topic_arn, message)
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lazy_client_is_built_by_its_first_publish_only() {
        let config = aws_config::SdkConfig::builder()
            .behavior_version(aws_config::BehaviorVersion::latest())
            .region(aws_config::Region::new("eu-west-1"))
            .build();
        let sns = OnFirstUse::new(move || Client::new(&config));
        assert!(!sns.is_built());
        let message =
            crate::alerts::wave_failure("arn:aws:states:eu-west-1:1:execution:w:e", None, "E", "c");
        // Making the call builds the client; the call itself is never sent.
        drop(sns.publish("arn:aws:sns:eu-west-1:123456789012:t", &message));
        assert!(sns.is_built());
    }
}
