//! The CloudWatch client, built by its first call instead of at cold start.
//!
//! Constructing an SDK client parses its crate's endpoint partition table, among
//! other set-up. create needs CloudWatch only once the run's DMS resources exist
//! (its alarms), and never when it validates a spec, so its cold start no longer
//! pays for a client it may not use; check-progress and cleanup pay for it on
//! their first call instead.

use std::future::Future;

use aws_sdk_cloudwatch::Client;

use super::dms::Tags;
use super::fault::AwsResult;
use super::metrics::{AlarmRequest, CdcLatency, Datum, Metrics};
use super::on_first_use::OnFirstUse;

/// [`Metrics`] through a CloudWatch client made from `config` on first use.
#[derive(Debug, Clone)]
pub struct LazyCloudWatch(OnFirstUse<Client>);

impl LazyCloudWatch {
    pub fn new(config: &aws_config::SdkConfig) -> Self {
        let config = config.clone();
        Self(OnFirstUse::new(move || Client::new(&config)))
    }

    /// Whether the client has been built yet.
    pub fn is_built(&self) -> bool {
        self.0.is_built()
    }

    fn client(&self) -> &Client {
        self.0.get()
    }
}

impl Metrics for LazyCloudWatch {
    fn put_alarm(&self, alarm: &AlarmRequest) -> impl Future<Output = AwsResult<()>> + Send {
        Metrics::put_alarm(self.client(), alarm)
    }

    fn alarm_names(&self, prefix: &str) -> impl Future<Output = AwsResult<Vec<String>>> + Send {
        Metrics::alarm_names(self.client(), prefix)
    }

    fn alarm_tags(&self, name: &str) -> impl Future<Output = AwsResult<Tags>> + Send {
        Metrics::alarm_tags(self.client(), name)
    }

    fn delete_alarms(&self, names: &[String]) -> impl Future<Output = AwsResult<()>> + Send {
        Metrics::delete_alarms(self.client(), names)
    }

    fn put_progress(
        &self,
        run_id: &str,
        data: &[Datum],
    ) -> impl Future<Output = AwsResult<()>> + Send {
        Metrics::put_progress(self.client(), run_id, data)
    }

    fn cdc_latency(
        &self,
        instance_id: &str,
        task_resource_id: &str,
    ) -> impl Future<Output = AwsResult<CdcLatency>> + Send {
        Metrics::cdc_latency(self.client(), instance_id, task_resource_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_client_is_built_on_first_use_and_kept() {
        let config = aws_config::SdkConfig::builder()
            .behavior_version(aws_config::BehaviorVersion::latest())
            .region(aws_config::Region::new("eu-west-1"))
            .build();
        let metrics = LazyCloudWatch::new(&config);
        assert!(!metrics.is_built());
        let first: *const Client = metrics.client();
        assert!(metrics.is_built());
        assert!(std::ptr::eq(first, metrics.client()), "built once");
        assert_eq!(
            metrics.client().config().region().map(|r| r.as_ref()),
            Some("eu-west-1"),
            "from the shared configuration"
        );
    }
}
