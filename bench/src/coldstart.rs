//! Init times: from exec of a release `bootstrap` to its first request for work,
//! repeated on fresh processes, the functions taking turns so that a busy moment of
//! the machine touches them all alike.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use crate::function::Function;
use crate::invocations::{FunctionRun, Paths, hello_event};

/// `runs` init times of each function in `names`.
pub async fn init_times(
    paths: &Paths,
    names: &[&str],
    endpoint: &str,
    runs: usize,
) -> Result<BTreeMap<String, Vec<Duration>>, String> {
    let mut times: BTreeMap<String, Vec<Duration>> = BTreeMap::new();
    for _ in 0..runs {
        for name in names {
            times
                .entry(name.to_string())
                .or_default()
                .push(init_once(&paths.bootstrap(name), name, endpoint).await?);
        }
    }
    Ok(times)
}

async fn init_once(bootstrap: &Path, name: &str, endpoint: &str) -> Result<Duration, String> {
    let mut function = Function::spawn(bootstrap, name, endpoint, None).await?;
    let init = function.init().await;
    function.stop().await;
    init
}

/// One invocation of the hello-world function on a fresh process.
pub async fn hello_run(paths: &Paths, name: &str, endpoint: &str) -> Result<FunctionRun, String> {
    let mut function = Function::spawn(&paths.bootstrap(name), name, endpoint, None).await?;
    let outcome = async {
        function.init().await?;
        let invocation = function.invoke(&hello_event()).await?;
        invocation.result?;
        Ok::<_, String>(FunctionRun {
            name: name.to_string(),
            first_latency: invocation.latency,
            calls: 1,
            done: true,
            peak_memory: function.peak_memory()?,
            table_statistics_pages: 0,
        })
    }
    .await;
    function.stop().await;
    outcome
}
