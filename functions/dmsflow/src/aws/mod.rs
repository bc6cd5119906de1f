//! AWS access through narrow traits, and their implementations for the SDK clients.

pub mod clients;
pub mod dms;
pub mod executions;
pub mod fault;
pub mod lazy_clients;
pub mod lazy_https;
pub mod metrics;
pub mod notices;
pub mod objects;
pub mod on_first_use;
pub mod sdk_cloudwatch;
pub mod sdk_dms;
pub mod sdk_s3;
pub mod sdk_sfn;
pub mod sdk_sns;

pub use dms::Dms;
pub use executions::{Executions, History, Starter};
pub use fault::{AwsFault, AwsResult};
pub use metrics::Metrics;
pub use notices::Notices;
pub use objects::Objects;
