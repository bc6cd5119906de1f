//! The functions' HTTPS client, built on its first request instead of at cold start.
//!
//! The SDK's hyper client builds a TLS connector (which reads and parses every
//! trusted root certificate, about 140 PEM certificates with a constant-time
//! decoder) each time an SDK client is constructed, to fail early, and then once
//! more on the first request, because that early connector is not kept. A
//! function with two SDK clients parsed the roots three times before its first
//! answer; most of its init time went there. Wrapped in [`LazyHttpClient`], the
//! connector is built once, by the first request that needs it, and shared by
//! every SDK client of the process.

use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnectorSettings, SharedHttpClient, SharedHttpConnector,
};
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;

use super::on_first_use::OnFirstUse;

/// An [`HttpClient`] that builds the client it delegates to on first use.
#[derive(Debug, Clone)]
pub struct LazyHttpClient(OnFirstUse<SharedHttpClient>);

impl LazyHttpClient {
    /// A client that calls `build` once, when the first connector is asked for.
    pub fn new(build: impl Fn() -> SharedHttpClient + Send + Sync + 'static) -> Self {
        Self(OnFirstUse::new(build))
    }

    /// Whether the delegate has been built yet.
    pub fn is_built(&self) -> bool {
        self.0.is_built()
    }
}

impl HttpClient for LazyHttpClient {
    fn http_connector(
        &self,
        settings: &HttpConnectorSettings,
        components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        self.0.get().http_connector(settings, components)
    }
    // `validate_base_client_config` keeps its default (nothing to check): the
    // delegate's own check would build a connector at client construction.
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use aws_sdk_databasemigration::config::{BehaviorVersion, Credentials, Region};
    use aws_smithy_http_client::test_util::infallible_client_fn;

    use super::*;

    /// A DMS client on `http`, as `Clients::from_env` configures one.
    fn dms_client(http: &LazyHttpClient) -> aws_sdk_databasemigration::Client {
        let config = aws_sdk_databasemigration::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .credentials_provider(Credentials::for_tests())
            .http_client(http.clone())
            .build();
        aws_sdk_databasemigration::Client::from_conf(config)
    }

    #[tokio::test]
    async fn the_delegate_is_built_by_the_first_request_once_for_every_client() {
        let builds = Arc::new(AtomicUsize::new(0));
        let counter = builds.clone();
        let http = LazyHttpClient::new(move || {
            counter.fetch_add(1, Ordering::SeqCst);
            infallible_client_fn(|_request| {
                http_1x::Response::builder()
                    .status(200)
                    .body(r#"{"ReplicationTasks": []}"#)
                    .unwrap()
            })
        });
        let first = dms_client(&http);
        let second = dms_client(&http);
        assert!(!http.is_built(), "constructing SDK clients builds nothing");

        first.describe_replication_tasks().send().await.unwrap();
        second.describe_replication_tasks().send().await.unwrap();

        assert!(http.is_built());
        assert_eq!(builds.load(Ordering::SeqCst), 1, "one delegate for both");
    }
}
