//! The SDK clients a function builds once, at cold start, outside its handler.

use aws_config::environment::EnvironmentVariableCredentialsProvider;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_databasemigration::config::SharedCredentialsProvider;
use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode};
use aws_smithy_runtime_api::client::http::SharedHttpClient;

use super::lazy_clients::{LazyCloudWatch, LazyHistory, LazyS3, LazySns, lazy};
use super::lazy_https::LazyHttpClient;

/// The service-specific endpoint variables of the clients that honour one, first
/// wins: the SDKs' names (`AWS_ENDPOINT_URL_<service id>`, the SDKs and Tools
/// reference guide's "Service-specific endpoints"; DMS's service id is
/// "Database Migration Service"), and for DMS a shorter name for local runs
/// against an emulator.
const DMS_ENDPOINT_VARIABLES: [&str; 2] = [
    "AWS_ENDPOINT_URL_DATABASE_MIGRATION_SERVICE",
    "AWS_ENDPOINT_URL_DMS",
];
const S3_ENDPOINT_VARIABLES: [&str; 1] = ["AWS_ENDPOINT_URL_S3"];

/// The AWS clients the steps use.
#[derive(Debug, Clone)]
pub struct Clients {
    pub dms: aws_sdk_databasemigration::Client,
    /// Built by its first call ([`LazyCloudWatch`]).
    pub cloudwatch: LazyCloudWatch,
}

impl Clients {
    /// Reads the AWS configuration once and makes both clients on it (the
    /// CloudWatch client is built by its first call).
    ///
    /// - One HTTPS client (rustls with ring) is shared by both SDK clients; it is
    ///   built by the first request, so cold start reads and parses no
    ///   certificate ([`LazyHttpClient`]).
    /// - Credentials come from the environment only (`AWS_ACCESS_KEY_ID`,
    ///   `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`), where Lambda puts the
    ///   execution role's: aws-config's default chain (profile files, web
    ///   identity through STS, container and instance metadata) is never built;
    ///   building it was about 1 ms of each cold start.
    /// - Standard retry mode with [`SDK_ATTEMPTS`] attempts and short jittered
    ///   backoff (from [`SDK_INITIAL_BACKOFF`], at most [`SDK_MAX_BACKOFF`]), so a
    ///   throttled or briefly unavailable call is retried inside the function
    ///   (a few seconds at most, well within its timeout) before the state
    ///   machine's own Retry rules, with their long backoff, see it.
    /// - The rest of the configuration (region, endpoint overrides for local
    ///   runs against an emulator, FIPS and dual-stack) comes from the
    ///   environment too ([`environment_config`]), not from aws-config's loader.
    pub async fn from_env() -> Clients {
        let config = sdk_config().await;
        Clients {
            dms: dms_client(&config),
            cloudwatch: lazy(&config, aws_sdk_cloudwatch::Client::new),
        }
    }
}

/// The DMS client alone, configured as [`Clients::from_env`] configures it, for
/// the functions that call nothing else (test-connection, enable-validation,
/// start): they build no CloudWatch client, and their binaries carry none.
pub async fn dms_from_env() -> aws_sdk_databasemigration::Client {
    dms_client(&sdk_config().await)
}

fn dms_client(config: &SdkConfig) -> aws_sdk_databasemigration::Client {
    let mut dms = aws_sdk_databasemigration::config::Builder::from(config);
    if let Some(url) = service_endpoint(&DMS_ENDPOINT_VARIABLES, |name| std::env::var(name).ok()) {
        dms = dms.endpoint_url(url);
    }
    aws_sdk_databasemigration::Client::from_conf(dms.build())
}

/// Attempts per AWS call inside a function. A DMS call throttled half the time
/// still succeeds 97% of the time; a create call makes about 15 of them.
pub const SDK_ATTEMPTS: u32 = 5;
/// First backoff of the SDK's retries (jittered, doubling).
pub const SDK_INITIAL_BACKOFF: std::time::Duration = std::time::Duration::from_millis(500);
/// Longest backoff of the SDK's retries: 4 retries wait at most 7.5 s in all.
pub const SDK_MAX_BACKOFF: std::time::Duration = std::time::Duration::from_secs(4);

/// The shared configuration of every client (see [`Clients::from_env`]).
async fn sdk_config() -> SdkConfig {
    environment_config(|name| std::env::var(name).ok())
}

/// Connect timeout, as aws-config's defaults set it ("a default `CONNECT`
/// timeout of `3.1s`", aws-config's `ConfigLoader::timeout_config`).
const CONNECT_TIMEOUT: std::time::Duration = std::time::Duration::from_millis(3100);

/// The configuration a Lambda function's environment gives, read by `var`:
/// built directly, not by aws-config's loader, whose region chain (profile
/// files, instance metadata) and profile parsing a function never uses but
/// would carry in every binary. What Lambda sets ("Defined runtime environment
/// variables", Lambda developer guide): `AWS_REGION` and the execution role's
/// `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`. What a
/// deployment or the local stack may set, as the SDKs read it ("Environment
/// variables" of the AWS SDKs and Tools reference guide): `AWS_DEFAULT_REGION`,
/// `AWS_ENDPOINT_URL` (every client), `AWS_USE_FIPS_ENDPOINT`,
/// `AWS_USE_DUALSTACK_ENDPOINT`; the DMS client also reads its own endpoint
/// variables, and S3's ([`service_endpoint`]).
fn environment_config(var: impl Fn(&str) -> Option<String>) -> SdkConfig {
    let flag = |name: &str| var(name).map(|v| v.eq_ignore_ascii_case("true"));
    let mut config = SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(
            var("AWS_REGION")
                .or_else(|| var("AWS_DEFAULT_REGION"))
                .map(Region::new),
        )
        .credentials_provider(SharedCredentialsProvider::new(
            EnvironmentVariableCredentialsProvider::new(),
        ))
        .http_client(LazyHttpClient::new(https_client))
        .retry_config(
            RetryConfig::standard()
                .with_max_attempts(SDK_ATTEMPTS)
                .with_initial_backoff(SDK_INITIAL_BACKOFF)
                .with_max_backoff(SDK_MAX_BACKOFF),
        )
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(CONNECT_TIMEOUT)
                .build(),
        );
    if let Some(url) = var("AWS_ENDPOINT_URL") {
        config = config.endpoint_url(url);
    }
    if let Some(fips) = flag("AWS_USE_FIPS_ENDPOINT") {
        config = config.use_fips(fips);
    }
    if let Some(dual_stack) = flag("AWS_USE_DUALSTACK_ENDPOINT") {
        config = config.use_dual_stack(dual_stack);
    }
    config.build()
}

/// The HTTPS client (rustls with ring) trusting the system's CA bundle. Built by
/// the first request, not at cold start ([`LazyHttpClient`]); the `dmsflow`
/// command line uses it too.
pub fn https_client() -> SharedHttpClient {
    let mut https = aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(CryptoMode::Ring));
    let bundle = ca_bundle(
        |name| std::env::var_os(name).is_some(),
        |path| std::fs::read(path).ok(),
    );
    if let Some(pem) = bundle {
        let roots = tls::TrustStore::empty()
            .with_native_roots(false)
            .with_pem_certificate(pem);
        if let Ok(context) = tls::TlsContext::builder().with_trust_store(roots).build() {
            https = https.tls_context(context);
        }
    }
    https.build_https()
}

/// The system's CA bundles, one file each: Amazon Linux (Lambda's runtimes), then
/// Debian and Ubuntu.
const CA_BUNDLES: [&str; 2] = [
    "/etc/pki/tls/certs/ca-bundle.crt",
    "/etc/ssl/certs/ca-certificates.crt",
];

/// The trusted roots, read from the system's one CA bundle file. The native
/// roots loader would read the bundle and then every file of the certificates
/// directory (hundreds), which was most of a function's init time. `None` (the
/// native loader decides) when `SSL_CERT_FILE` or `SSL_CERT_DIR` is set, or no
/// known bundle exists.
fn ca_bundle(
    is_set: impl Fn(&str) -> bool,
    read: impl Fn(&str) -> Option<Vec<u8>>,
) -> Option<Vec<u8>> {
    if is_set("SSL_CERT_FILE") || is_set("SSL_CERT_DIR") {
        return None;
    }
    CA_BUNDLES
        .iter()
        .find_map(|path| read(path).filter(|pem| !pem.is_empty()))
}

/// The Step Functions client of the run election (claim-run only), configured
/// as [`Clients::from_env`] configures the others.
pub async fn sfn_from_env() -> aws_sdk_sfn::Client {
    aws_sdk_sfn::Client::new(&sdk_config().await)
}

/// The SNS client of the notify function and, on the same configuration, its
/// Step Functions client, built by its first call ([`LazyHistory`]).
pub async fn sns_and_history_from_env() -> (aws_sdk_sns::Client, LazyHistory) {
    let config = sdk_config().await;
    (
        aws_sdk_sns::Client::new(&config),
        lazy(&config, aws_sdk_sfn::Client::new),
    )
}

/// The Step Functions client of the wave function and, on the same configuration,
/// its SNS client, built by its first publish (only the wave's report and its
/// failure alert publish).
pub async fn sfn_and_lazy_sns_from_env() -> (aws_sdk_sfn::Client, LazySns) {
    let config = sdk_config().await;
    (
        aws_sdk_sfn::Client::new(&config),
        lazy(&config, aws_sdk_sns::Client::new),
    )
}

/// The Step Functions client of the PrepareWave function and, on the same
/// configuration, its S3 client, built by its first call (a wave refused for
/// its settings reads no manifest).
pub async fn sfn_and_lazy_s3_from_env() -> (aws_sdk_sfn::Client, LazyS3) {
    let config = sdk_config().await;
    (aws_sdk_sfn::Client::new(&config), lazy(&config, s3_client))
}

/// The S3 client; with an endpoint override (a local stack), path-style
/// addresses (`<endpoint>/<bucket>/<key>`), since a virtual-hosted address
/// (`<bucket>.<host>`) needs a DNS name per bucket that an emulator's host has not.
fn s3_client(config: &SdkConfig) -> aws_sdk_s3::Client {
    let own = service_endpoint(&S3_ENDPOINT_VARIABLES, |name| std::env::var(name).ok());
    let overridden = own.is_some() || config.endpoint_url().is_some();
    let mut s3 = aws_sdk_s3::config::Builder::from(config).force_path_style(overridden);
    if let Some(url) = own {
        s3 = s3.endpoint_url(url);
    }
    aws_sdk_s3::Client::from_conf(s3.build())
}

/// The stack's alert topic, from the function's environment
/// (`DMSFLOW_ALERT_TOPIC_ARN`, set by the template).
pub fn alert_topic_from_env() -> Option<String> {
    std::env::var("DMSFLOW_ALERT_TOPIC_ARN")
        .ok()
        .filter(|t| !t.trim().is_empty())
}

/// The endpoint the first of `names` that is set and not empty gives.
fn service_endpoint(names: &[&str], var: impl Fn(&str) -> Option<String>) -> Option<String> {
    names
        .iter()
        .find_map(|name| var(name).filter(|url| !url.is_empty()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_roots_come_from_the_first_bundle_found_unless_the_user_chose() {
        let files = |present: &'static [&'static str]| {
            move |path: &str| present.contains(&path).then(|| path.as_bytes().to_vec())
        };
        let none_set = |_: &str| false;
        assert_eq!(
            ca_bundle(none_set, files(&["/etc/ssl/certs/ca-certificates.crt"])),
            Some(b"/etc/ssl/certs/ca-certificates.crt".to_vec())
        );
        assert_eq!(
            ca_bundle(none_set, files(&CA_BUNDLES)),
            Some(CA_BUNDLES[0].as_bytes().to_vec())
        );
        assert_eq!(ca_bundle(none_set, files(&[])), None);
        assert_eq!(
            ca_bundle(|name| name == "SSL_CERT_FILE", files(&CA_BUNDLES)),
            None
        );
        assert_eq!(
            ca_bundle(|name| name == "SSL_CERT_DIR", files(&CA_BUNDLES)),
            None
        );
    }

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + use<> {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        }
    }

    #[test]
    fn a_service_endpoint_comes_from_the_first_variable_set() {
        let standard = "AWS_ENDPOINT_URL_DATABASE_MIGRATION_SERVICE";
        let alias = env(&[("AWS_ENDPOINT_URL_DMS", "http://127.0.0.1:4566")]);
        assert_eq!(
            service_endpoint(&DMS_ENDPOINT_VARIABLES, alias).as_deref(),
            Some("http://127.0.0.1:4566")
        );
        let both = env(&[
            ("AWS_ENDPOINT_URL_DMS", "http://127.0.0.1:4566"),
            (standard, "http://127.0.0.1:5000"),
        ]);
        assert_eq!(
            service_endpoint(&DMS_ENDPOINT_VARIABLES, both).as_deref(),
            Some("http://127.0.0.1:5000")
        );
        let empty = env(&[("AWS_ENDPOINT_URL_DMS", "")]);
        assert_eq!(service_endpoint(&DMS_ENDPOINT_VARIABLES, empty), None);
        assert_eq!(service_endpoint(&DMS_ENDPOINT_VARIABLES, env(&[])), None);
    }

    #[test]
    fn the_configuration_is_the_environments() {
        let config = environment_config(env(&[
            ("AWS_DEFAULT_REGION", "eu-west-1"),
            ("AWS_ENDPOINT_URL", "http://127.0.0.1:4566"),
            ("AWS_USE_FIPS_ENDPOINT", "true"),
        ]));
        assert_eq!(config.region().map(|r| r.as_ref()), Some("eu-west-1"));
        assert_eq!(config.endpoint_url(), Some("http://127.0.0.1:4566"));
        assert_eq!(config.use_fips(), Some(true));
        assert_eq!(config.use_dual_stack(), None);
        assert!(config.credentials_provider().is_some());
        assert_eq!(
            config.retry_config().map(|r| r.max_attempts()),
            Some(SDK_ATTEMPTS)
        );
        assert_eq!(
            config.timeout_config().and_then(|t| t.connect_timeout()),
            Some(CONNECT_TIMEOUT)
        );
        let lambda = environment_config(env(&[
            ("AWS_REGION", "us-east-1"),
            ("AWS_DEFAULT_REGION", "eu-west-1"),
        ]));
        assert_eq!(lambda.region().map(|r| r.as_ref()), Some("us-east-1"));
        assert_eq!(lambda.endpoint_url(), None);
    }
}
