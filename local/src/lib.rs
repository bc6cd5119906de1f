//! dmsflow's local stack: rehearse a migration offline with the real state machine
//! definition and the real function binaries.
//!
//! - Step Functions and SNS: moto_server from `.venv` (installed by
//!   `tools/setup`), with its ASL interpreter switched on.
//! - Lambda: the project's binaries under cargo-lambda's runtime emulator
//!   (`cargo lambda watch --only-lambda-apis`).
//! - DMS and CloudWatch: the `dms-emulator` crate, in process.
//! - One [`router`] in front of all of them: the endpoint URL every client uses.
//!
//! Everything binds 127.0.0.1 on free ports and stops when the [`Stack`] is
//! dropped. [`rehearsal`] runs one events file through the stack with progress;
//! the end-to-end tests use the same [`Stack`].
//!
//! Local time compression: the functions suggest real-world waits between checks
//! (`wait_seconds`, 30 s and more). The router divides the `wait_seconds` of each
//! successful invocation result by the stack's `time_scale` before moto's
//! interpreter sees it, and the emulator runs its simulated clock faster, so a
//! whole run takes seconds. This is a device of the local stack only: the function
//! code and the state machine are unchanged. Retry intervals written in the
//! definition are not compressed.

pub mod definition;
pub mod drills;
pub mod http;
pub mod lambda;
pub mod moto;
pub mod process;
pub mod refused_calls;
pub mod rehearsal;
pub mod resources;
pub mod router;
pub mod sfn;
pub mod stack;
pub mod status_events;

pub use stack::{Stack, StackOptions};

/// An error of the local stack, as a sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error(String);

impl Error {
    pub fn new(message: impl Into<String>) -> Error {
        Error(message.into())
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Error {
        Error(e.to_string())
    }
}
