//! dmsflow's benchmarks: cold start, size and peak memory of the release Lambda
//! functions, measured against a local stand-in of the Lambda Runtime API and the
//! in-process DMS emulator. `dmsflow-bench` prints them as one table.

pub mod catalog;
pub mod coldstart;
pub mod function;
pub mod invocations;
pub mod machine;
pub mod proc_status;
pub mod report;
pub mod runtime_api;
pub mod sizes;
pub mod stats;
pub mod table;
