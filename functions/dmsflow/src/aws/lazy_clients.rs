//! SDK clients built by their first call instead of at cold start, for the traits
//! a function uses on few of its calls: constructing a client parses its crate's
//! endpoint partition table, among other set-up.
//!
//! - CloudWatch ([`LazyCloudWatch`]): create needs it only once the run's DMS
//!   resources exist (its alarms), never when it refuses a spec; check-progress and
//!   cleanup pay for it on their first call instead.
//! - Step Functions for the notify function ([`LazyHistory`]): only the safety net
//!   reads an execution's history.
//! - SNS for the wave function ([`LazySns`]): only the report and the wave's
//!   failure alert publish;
//! - S3 for the PrepareWave function ([`LazyS3`]): a wave refused for its
//!   settings reads no manifest and writes nothing.
//!
//! Each is [`OnFirstUse`] of the SDK client, and the trait's methods hand the call
//! to the client's own implementation.

use std::future::Future;

use super::dms::Tags;
use super::executions::History;
use super::fault::AwsResult;
use super::metrics::{AlarmRequest, CdcLatency, DashboardFound, Datum, Metrics};
use super::notices::Notices;
use super::objects::Objects;
use super::on_first_use::OnFirstUse;
use crate::alerts::Message;

pub type LazyCloudWatch = OnFirstUse<aws_sdk_cloudwatch::Client>;
pub type LazyHistory = OnFirstUse<aws_sdk_sfn::Client>;
pub type LazySns = OnFirstUse<aws_sdk_sns::Client>;
pub type LazyS3 = OnFirstUse<aws_sdk_s3::Client>;

/// A client of `config`, built by `build` on its first use.
pub fn lazy<C: Send + Sync + 'static>(
    config: &aws_config::SdkConfig,
    build: fn(&aws_config::SdkConfig) -> C,
) -> OnFirstUse<C> {
    let config = config.clone();
    OnFirstUse::new(move || build(&config))
}

impl Metrics for LazyCloudWatch {
    fn put_alarm(&self, alarm: &AlarmRequest) -> impl Future<Output = AwsResult<()>> + Send {
        Metrics::put_alarm(self.get(), alarm)
    }

    fn alarm_names(&self, prefix: &str) -> impl Future<Output = AwsResult<Vec<String>>> + Send {
        Metrics::alarm_names(self.get(), prefix)
    }

    fn alarm_tags(&self, name: &str) -> impl Future<Output = AwsResult<Tags>> + Send {
        Metrics::alarm_tags(self.get(), name)
    }

    fn delete_alarms(&self, names: &[String]) -> impl Future<Output = AwsResult<()>> + Send {
        Metrics::delete_alarms(self.get(), names)
    }

    fn put_progress(
        &self,
        run_id: &str,
        data: &[Datum],
    ) -> impl Future<Output = AwsResult<()>> + Send {
        Metrics::put_progress(self.get(), run_id, data)
    }

    fn dashboard(
        &self,
        name: &str,
    ) -> impl Future<Output = AwsResult<Option<DashboardFound>>> + Send {
        Metrics::dashboard(self.get(), name)
    }

    fn put_dashboard(
        &self,
        name: &str,
        body: &str,
        tags: &Tags,
    ) -> impl Future<Output = AwsResult<Vec<String>>> + Send {
        Metrics::put_dashboard(self.get(), name, body, tags)
    }

    fn delete_dashboard(&self, name: &str) -> impl Future<Output = AwsResult<()>> + Send {
        Metrics::delete_dashboard(self.get(), name)
    }

    fn cdc_latency(
        &self,
        instance_id: &str,
        task_resource_id: &str,
    ) -> impl Future<Output = AwsResult<CdcLatency>> + Send {
        Metrics::cdc_latency(self.get(), instance_id, task_resource_id)
    }
}

impl History for LazyHistory {
    fn last_state_entered(
        &self,
        execution_arn: &str,
    ) -> impl Future<Output = AwsResult<Option<String>>> + Send {
        History::last_state_entered(self.get(), execution_arn)
    }
}

impl Notices for LazySns {
    fn publish(
        &self,
        topic_arn: &str,
        message: &Message,
    ) -> impl Future<Output = AwsResult<String>> + Send {
        Notices::publish(self.get(), topic_arn, message)
    }
}

impl Objects for LazyS3 {
    fn get(&self, bucket: &str, key: &str) -> impl Future<Output = AwsResult<Vec<u8>>> + Send {
        Objects::get(self.get(), bucket, key)
    }

    fn put_json(
        &self,
        bucket: &str,
        key: &str,
        body: String,
    ) -> impl Future<Output = AwsResult<()>> + Send {
        Objects::put_json(self.get(), bucket, key, body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> aws_config::SdkConfig {
        aws_config::SdkConfig::builder()
            .behavior_version(aws_config::BehaviorVersion::latest())
            .region(aws_config::Region::new("eu-west-1"))
            .build()
    }

    #[test]
    fn a_client_is_built_on_first_use_once_from_the_shared_configuration() {
        let metrics: LazyCloudWatch = lazy(&config(), aws_sdk_cloudwatch::Client::new);
        assert!(!metrics.is_built());
        let first: *const aws_sdk_cloudwatch::Client = metrics.get();
        assert!(metrics.is_built());
        assert!(std::ptr::eq(first, metrics.get()), "built once");
        assert_eq!(
            metrics.get().config().region().map(|r| r.as_ref()),
            Some("eu-west-1"),
            "from the shared configuration"
        );
    }

    #[test]
    fn calling_a_trait_method_builds_the_client() {
        // Making the calls builds the clients; the calls themselves are never sent.
        let history: LazyHistory = lazy(&config(), aws_sdk_sfn::Client::new);
        assert!(!history.is_built());
        drop(history.last_state_entered("arn:aws:states:eu-west-1:123456789012:execution:m:e"));
        assert!(history.is_built());
        let sns: LazySns = lazy(&config(), aws_sdk_sns::Client::new);
        assert!(!sns.is_built());
        let message =
            crate::alerts::wave_failure("arn:aws:states:eu-west-1:1:execution:w:e", None, "E", "c");
        drop(sns.publish("arn:aws:sns:eu-west-1:123456789012:t", &message));
        assert!(sns.is_built());
        let metrics: LazyCloudWatch = lazy(&config(), aws_sdk_cloudwatch::Client::new);
        drop(metrics.delete_alarms(&[]));
        assert!(metrics.is_built());
        let s3: LazyS3 = lazy(&config(), aws_sdk_s3::Client::new);
        assert!(!s3.is_built());
        drop(Objects::get(&s3, "b", "k"));
        assert!(s3.is_built());
    }
}
