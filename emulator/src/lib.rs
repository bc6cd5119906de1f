//! dms-emulator: a local HTTP server that speaks the AWS DMS JSON protocol well
//! enough for the unmodified `aws-sdk-databasemigration` client, with simulated
//! resource states over a scaled clock, failure drills and a control API.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! let handle = dms_emulator::serve(dms_emulator::Config::default().with_speed(20.0)).await?;
//! println!("DMS at {}", handle.url());
//! handle.shutdown().await;
//! # Ok(()) }
//! ```

mod calls;
mod clock;
mod cloudwatch;
mod config;
mod control;
pub mod drills;
mod emulator;
pub mod faults;
mod ids;
mod injected;
mod model;
mod ops;
mod paging;
mod protocol;
pub mod scenario;
mod server;
mod simulation;
mod throttle;

pub use cloudwatch::OPERATIONS as CLOUDWATCH_OPERATIONS;
pub use config::Config;
pub use emulator::Emulator;
pub use faults::Fault;
pub use ops::OPERATIONS;
pub use scenario::{CatalogSpec, FaultSpec, GenerateSpec, Scenario, TableSpec, ThrottleSpec};
pub use server::{EmulatorHandle, router, serve};
