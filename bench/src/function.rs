//! One function process as Lambda runs it: the release `bootstrap`, started with
//! the environment a Lambda function gets, polling its own Runtime API stand-in.

use std::future::Future;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::process::{Child, Command};

use crate::proc_status;
use crate::runtime_api::{OutcomeKind, RuntimeApi};

/// How long a start or an invocation may take before the bench gives up.
const PATIENCE: Duration = Duration::from_secs(60);
/// The account and region every function ARN names.
const ACCOUNT: &str = "123456789012";
pub const REGION: &str = "us-east-1";
/// The memory size the functions are meant to run with.
pub const MEMORY_SIZE_MB: u32 = 128;

/// The ARN a function is invoked under (the functions read account and region from it).
pub fn function_arn(name: &str) -> String {
    format!("arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}")
}

/// The environment Lambda gives a function on `provided.al2023`, with dummy
/// credentials and the AWS endpoint pointed at `endpoint`. Nothing is inherited
/// from the bench's own environment.
pub fn lambda_env(name: &str, runtime_api: &str, endpoint: &str) -> Vec<(String, String)> {
    let pairs = [
        ("PATH", "/usr/local/bin:/usr/bin:/bin"),
        ("LANG", "en_US.UTF-8"),
        ("TZ", ":UTC"),
        ("_HANDLER", "bootstrap"),
        ("AWS_EXECUTION_ENV", "AWS_Lambda_provided.al2023"),
        ("AWS_LAMBDA_RUNTIME_API", runtime_api),
        ("AWS_LAMBDA_FUNCTION_NAME", name),
        ("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST"),
        ("AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand"),
        ("AWS_LAMBDA_LOG_STREAM_NAME", "2025/01/01/[$LATEST]bench"),
        ("AWS_REGION", REGION),
        ("AWS_DEFAULT_REGION", REGION),
        ("AWS_ACCESS_KEY_ID", "AKIDBENCH"),
        ("AWS_SECRET_ACCESS_KEY", "bench"),
        ("AWS_SESSION_TOKEN", "bench"),
        ("AWS_ENDPOINT_URL", endpoint),
    ];
    let mut env: Vec<(String, String)> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    env.push((
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE".into(),
        MEMORY_SIZE_MB.to_string(),
    ));
    env.push((
        "AWS_LAMBDA_LOG_GROUP_NAME".into(),
        format!("/aws/lambda/{name}"),
    ));
    if name == "dmsflow-assess" {
        // The report bucket and DMS role template.yaml hands the function.
        env.push((
            "DMSFLOW_ASSESSMENT_BUCKET".into(),
            "dmsflow-assessments-123456789012".into(),
        ));
        env.push((
            "DMSFLOW_ASSESSMENT_ROLE_ARN".into(),
            "arn:aws:iam::123456789012:role/dmsflow-dms/dmsflow-assessment".into(),
        ));
    }
    env
}

/// A started function process.
pub struct Function {
    name: String,
    child: Child,
    api: RuntimeApi,
    spawned: Instant,
}

/// What one invocation answered, and how long it took.
#[derive(Debug, Clone)]
pub struct Invocation {
    pub result: Result<Value, String>,
    /// From queuing the event (the function waiting for it) to its complete answer.
    pub latency: Duration,
}

impl Function {
    /// Starts `bootstrap` as function `name`. Its output goes to `log` (or nowhere).
    pub async fn spawn(
        bootstrap: &Path,
        name: &str,
        endpoint: &str,
        log: Option<&Path>,
    ) -> Result<Function, String> {
        let api = RuntimeApi::start(&function_arn(name))
            .await
            .map_err(|e| format!("Runtime API stand-in: {e}"))?;
        let (stdout, stderr) = match log {
            Some(path) => {
                let file = std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(path)
                    .map_err(|e| format!("{}: {e}", path.display()))?;
                let copy = file.try_clone().map_err(|e| e.to_string())?;
                (Stdio::from(file), Stdio::from(copy))
            }
            None => (Stdio::null(), Stdio::null()),
        };
        // Absolute: the process starts in the bootstrap's directory, as on Lambda.
        let bootstrap =
            std::path::absolute(bootstrap).map_err(|e| format!("{}: {e}", bootstrap.display()))?;
        let mut command = Command::new(&bootstrap);
        command
            .env_clear()
            .envs(lambda_env(name, &api.address(), endpoint))
            .current_dir(bootstrap.parent().unwrap_or(Path::new("/")))
            .stdin(Stdio::null())
            .stdout(stdout)
            .stderr(stderr)
            .kill_on_drop(true);
        let spawned = Instant::now();
        let child = command
            .spawn()
            .map_err(|e| format!("{}: {e}", bootstrap.display()))?;
        Ok(Function {
            name: name.to_string(),
            child,
            api,
            spawned,
        })
    }

    /// Waits for the first request for work: the time from exec to it is the init time.
    pub async fn init(&mut self) -> Result<Duration, String> {
        let at = self.watch("its first request for work").await?;
        Ok(at - self.spawned)
    }

    /// Invokes the function (which must be waiting for work) with `payload`.
    pub async fn invoke(&mut self, payload: &Value) -> Result<Invocation, String> {
        let queued = Instant::now();
        let request_id = self.api.queue(payload);
        let outcome = loop {
            let outcome = self.watch_outcome().await?;
            if outcome.request_id.as_deref() == Some(request_id.as_str()) {
                break outcome;
            }
            if outcome.kind == OutcomeKind::InitError {
                return Err(format!("{} failed to start: {}", self.name, outcome.text()));
            }
        };
        let result = match outcome.kind {
            OutcomeKind::Response => outcome.json(),
            _ => Err(outcome.text()),
        };
        // The function is idle again once it asks for the next event.
        self.watch("its next request for work").await?;
        Ok(Invocation {
            result,
            latency: outcome.at - queued,
        })
    }

    /// The process's peak resident set so far, in bytes.
    pub fn peak_memory(&self) -> Result<u64, String> {
        let pid = self
            .child
            .id()
            .ok_or_else(|| format!("{} has exited", self.name))?;
        proc_status::peak_rss_bytes(pid)
    }

    /// Ends the process.
    pub async fn stop(mut self) {
        let _ = self.child.kill().await;
    }

    async fn watch(&mut self, what: &str) -> Result<Instant, String> {
        let what = format!("{} waiting for {what}", self.name);
        let next = self.api.next_request();
        guard(&mut self.child, &what, next).await
    }

    async fn watch_outcome(&mut self) -> Result<crate::runtime_api::Outcome, String> {
        let what = format!("{} waiting for an answer", self.name);
        let outcome = self.api.outcome();
        guard(&mut self.child, &what, outcome).await
    }
}

/// `future`, unless the process exits first or it takes longer than [`PATIENCE`].
async fn guard<T>(
    child: &mut Child,
    what: &str,
    future: impl Future<Output = Result<T, String>>,
) -> Result<T, String> {
    tokio::select! {
        result = future => result,
        status = child.wait() => Err(format!("{what}: the process exited ({})",
            status.map_or_else(|e| e.to_string(), |s| s.to_string()))),
        () = tokio::time::sleep(PATIENCE) => Err(format!("{what}: no answer in {PATIENCE:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_environment_is_a_lambdas_and_nothing_of_the_host() {
        let env = lambda_env("dmsflow-start", "127.0.0.1:9001", "http://127.0.0.1:4566");
        let get = |k: &str| {
            env.iter()
                .find(|(name, _)| name == k)
                .map(|(_, v)| v.as_str())
        };
        assert_eq!(get("AWS_LAMBDA_RUNTIME_API"), Some("127.0.0.1:9001"));
        assert_eq!(get("AWS_LAMBDA_FUNCTION_NAME"), Some("dmsflow-start"));
        assert_eq!(get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE"), Some("128"));
        assert_eq!(get("AWS_LAMBDA_FUNCTION_VERSION"), Some("$LATEST"));
        assert_eq!(get("AWS_REGION"), Some("us-east-1"));
        assert_eq!(get("AWS_ENDPOINT_URL"), Some("http://127.0.0.1:4566"));
        assert_eq!(get("AWS_ACCESS_KEY_ID"), Some("AKIDBENCH"));
        assert_eq!(get("HOME"), None, "no host variable leaks in");
        assert_eq!(
            function_arn("dmsflow-start"),
            "arn:aws:lambda:us-east-1:123456789012:function:dmsflow-start"
        );
    }
}
