//! The notify function's Step Functions client, built by its first call instead of
//! at cold start.
//!
//! Only the safety net reads an execution's history (to name the state it ended
//! in); NotifyFailure and NotifySuccess never do, so their cold start does not pay
//! for constructing a second SDK client beside SNS's.

use std::future::Future;

use aws_sdk_sfn::Client;

use super::executions::History;
use super::fault::AwsResult;
use super::on_first_use::OnFirstUse;

/// [`History`] through a Step Functions client made from `config` on first use.
#[derive(Debug, Clone)]
pub struct LazyHistory(OnFirstUse<Client>);

impl LazyHistory {
    pub fn new(config: &aws_config::SdkConfig) -> Self {
        let config = config.clone();
        Self(OnFirstUse::new(move || Client::new(&config)))
    }

    /// Whether the client has been built yet.
    pub fn is_built(&self) -> bool {
        self.0.is_built()
    }
}

impl History for LazyHistory {
    fn last_state_entered(
        &self,
        execution_arn: &str,
    ) -> impl Future<Output = AwsResult<Option<String>>> + Send {
        History::last_state_entered(self.0.get(), execution_arn)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_client_is_built_on_first_use_only() {
        let config = aws_config::SdkConfig::builder()
            .behavior_version(aws_config::BehaviorVersion::latest())
            .region(aws_config::Region::new("eu-west-1"))
            .build();
        let history = LazyHistory::new(&config);
        assert!(!history.is_built());
        // Making the call builds the client; the call itself is never sent.
        drop(history.last_state_entered("arn:aws:states:eu-west-1:123456789012:execution:m:e"));
        assert!(history.is_built(), "asking builds it");
    }
}
