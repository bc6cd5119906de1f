//! The narrow view of SNS the notify step uses: publish one message. Implemented
//! for the SDK client in `sdk_sns`.

use std::future::Future;

use super::fault::AwsResult;
use crate::alerts::Message;

/// Publishing dmsflow's messages.
pub trait Notices: Sync {
    /// Publishes `message` to `topic_arn` with `MessageStructure: json` (text for
    /// e-mail, the JSON document for programs); the message id.
    fn publish(
        &self,
        topic_arn: &str,
        message: &Message,
    ) -> impl Future<Output = AwsResult<String>> + Send;
}
