//! Starting and stopping the whole local stack.

use std::collections::BTreeMap;
use std::net::{Ipv4Addr, TcpListener as StdListener};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use dms_emulator::{EmulatorHandle, Scenario};
use serde_json::Value;
use tokio::net::TcpListener;

use crate::Error;
use crate::definition::{self, Wiring};
use crate::http::Http;
use crate::moto::{Moto, Published};
use crate::process::Child;
use crate::resources::{Call, RunResources};
use crate::router::{self, RouterHandle, Upstreams};
use crate::sfn::{Event, Execution, Sfn};
use crate::status_events::SafetyNet;

/// How to start the stack.
#[derive(Debug, Clone)]
pub struct StackOptions {
    /// The checkout (holds `.venv`, `template.yaml`, `statemachine/`).
    pub root: PathBuf,
    /// The functions' suggested waits are divided by this.
    pub time_scale: f64,
    /// The DMS emulator's simulated seconds per real second.
    pub speed: f64,
    /// The emulator's scenario.
    pub scenario: Scenario,
    /// Build the function binaries first (`cargo build`, debug profile).
    pub build: bool,
    /// Where logs go (outside the checkout); a new temporary directory if `None`.
    pub log_dir: Option<PathBuf>,
}

impl Default for StackOptions {
    fn default() -> Self {
        StackOptions {
            root: default_root(),
            time_scale: 30.0,
            speed: 5.0,
            scenario: Scenario::default(),
            build: true,
            log_dir: None,
        }
    }
}

/// The checkout this crate was built from.
pub fn default_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

/// Names of the topics the stack creates.
pub const STACK_TOPIC: &str = "dmsflow-stack-alerts";
pub const RUN_TOPIC: &str = "dmsflow-run-alerts";
/// The template's logical ids of its state machines.
const MIGRATION_STATE_MACHINE: &str = "MigrationStateMachine";
const WAVE_STATE_MACHINE: &str = "WaveStateMachine";

/// The running stack. Dropping it stops every server and child process.
pub struct Stack {
    pub options: StackOptions,
    pub log_dir: PathBuf,
    pub http: Http,
    pub sfn: Sfn,
    /// The stack's alert topic (`AlertTopicArn`).
    pub stack_topic_arn: String,
    /// The topic the stack puts into specs (`notifications.sns_topic_arn`).
    pub run_topic_arn: String,
    pub state_machine_arn: String,
    /// Every state machine's ARN, by the template's logical id.
    pub machines: BTreeMap<String, String>,
    /// The template's EventBridge rule on the state machine's status changes.
    safety_net: Option<SafetyNet>,
    // Drop order: the functions before their runtime API, moto before the router.
    functions: Vec<Child>,
    lambda: Child,
    moto: Moto,
    router: RouterHandle,
    emulator: EmulatorHandle,
}

impl Stack {
    /// Builds the binaries (if asked) and starts everything; fails with "run
    /// tools/setup" when the local tools are missing.
    pub async fn start(options: StackOptions) -> Result<Stack, Error> {
        let root = options.root.clone();
        let venv_bin = root.join(".venv/bin");
        for tool in ["moto_server", "cargo-lambda"] {
            if !venv_bin.join(tool).exists() {
                return Err(Error::new(format!(
                    "{} is missing: run tools/setup first",
                    venv_bin.join(tool).display()
                )));
            }
        }
        let wiring = Wiring::load(&root)?;
        // The topic's ARN is known before moto creates it (account, region, name).
        let stack_topic = format!(
            "arn:aws:sns:{}:{}:{STACK_TOPIC}",
            crate::sfn::REGION,
            crate::sfn::ACCOUNT
        );
        let binaries: Vec<(String, Vec<(String, String)>)> = wiring
            .functions
            .values()
            .map(|f| {
                Ok((
                    f.binary.clone(),
                    definition::local_environment(f, &stack_topic, &wiring)?,
                ))
            })
            .collect::<Result<_, Error>>()?;
        for function in wiring.functions.values() {
            if function.name != function.binary {
                return Err(Error::new(format!(
                    "function {} is built from binary {}: the local stack serves functions by binary name",
                    function.name, function.binary
                )));
            }
        }
        if options.build {
            build_functions(&root)?;
        }
        let log_dir = match &options.log_dir {
            Some(dir) => dir.clone(),
            None => new_log_dir()?,
        };
        std::fs::create_dir_all(&log_dir)?;
        let http = Http::default();

        let emulator = dms_emulator::serve(
            dms_emulator::Config::default()
                .with_speed(options.speed)
                .with_scenario(options.scenario.clone()),
        )
        .await?;
        let moto_port = free_port()?;
        let lambda_port = free_port()?;
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?;
        let router_port = listener.local_addr()?.port();
        let router = router::serve(
            listener,
            Upstreams {
                lambda: format!("http://127.0.0.1:{lambda_port}"),
                emulator: emulator.url(),
                moto: format!("http://127.0.0.1:{moto_port}"),
                time_scale: options.time_scale,
            },
            std::fs::File::create(log_dir.join("router.log")).ok(),
        );
        let mut lambda = start_lambda_runtime(&root, &venv_bin, lambda_port, &log_dir)?;
        let moto = Moto::start(
            &http,
            &venv_bin,
            moto_port,
            router_port,
            &log_dir.join("moto.log"),
        )
        .await?;
        wait_for_port(&mut lambda, lambda_port).await?;
        let functions = start_functions(&target_dir(&root), &binaries, &router.url(), &log_dir)?;

        let sfn = Sfn {
            http: http.clone(),
            url: moto.url.clone(),
        };
        let stack_topic_arn = sfn.create_topic(STACK_TOPIC).await?;
        // Every bucket of the template (the wave bucket is read and written).
        for id in wiring.buckets() {
            http.s3_put(&moto.url, &definition::bucket_name(id), bytes::Bytes::new())
                .await?
                .ok(&format!("S3 CreateBucket {id}"))?;
        }
        let run_topic_arn = sfn.create_topic(RUN_TOPIC).await?;
        // Every state machine of the template, its substitutions filled in: the
        // migration state machine, and the wave state machine that starts it.
        let values = wiring.local_values()?;
        let mut machines = BTreeMap::new();
        for (id, machine) in &wiring.machines {
            let path = root.join(&machine.definition);
            let asl = std::fs::read_to_string(&path)
                .map_err(|e| Error::new(format!("cannot read {}: {e}", path.display())))?;
            let asl = definition::substitute(&asl, &values)?;
            let arn = sfn.create_state_machine(&machine.name, &asl).await?;
            machines.insert(id.clone(), arn);
        }
        let state_machine_arn =
            machines
                .get(MIGRATION_STATE_MACHINE)
                .cloned()
                .ok_or_else(|| {
                    Error::new(format!(
                        "{} has no {MIGRATION_STATE_MACHINE}",
                        definition::TEMPLATE
                    ))
                })?;
        let safety_net = match wiring.rules.values().next() {
            Some(pattern) => {
                let mut text = pattern.to_string();
                for (id, arn) in &machines {
                    text = text.replace(
                        &format!("\"!Ref {id}\""),
                        &Value::from(arn.as_str()).to_string(),
                    );
                }
                let pattern = serde_json::from_str(&text)
                    .map_err(|e| Error::new(format!("the rule's pattern: {e}")))?;
                Some(SafetyNet::create(&http, &moto.url, &pattern).await?)
            }
            None => None,
        };
        let mut stack = Stack {
            options,
            log_dir,
            http,
            sfn,
            stack_topic_arn,
            run_topic_arn,
            state_machine_arn,
            machines,
            safety_net,
            functions,
            lambda,
            moto,
            router,
            emulator,
        };
        stack.check_running()?;
        Ok(stack)
    }

    /// Writes `body` as object `key` of the template's bucket `logical_id` (a
    /// wave's manifest, say).
    pub async fn put_object(&self, logical_id: &str, key: &str, body: &Value) -> Result<(), Error> {
        let path = format!("{}/{key}", definition::bucket_name(logical_id));
        self.http
            .s3_put(&self.moto.url, &path, bytes::Bytes::from(body.to_string()))
            .await?
            .ok(&format!("S3 PutObject {path}"))?;
        Ok(())
    }

    /// The router's URL: the one endpoint of the stack.
    pub fn endpoint_url(&self) -> String {
        self.router.url()
    }

    pub fn moto_url(&self) -> &str {
        &self.moto.url
    }

    pub fn emulator(&self) -> &dms_emulator::Emulator {
        self.emulator.emulator()
    }

    /// Process ids of every child process (each leads its own process group).
    pub fn child_pids(&self) -> Vec<u32> {
        let mut pids: Vec<u32> = self.functions.iter().filter_map(Child::pid).collect();
        pids.extend(self.lambda.pid());
        pids.extend(self.moto.child.pid());
        pids
    }

    /// Fails when any child process has exited, quoting its log.
    pub fn check_running(&mut self) -> Result<(), Error> {
        for child in self
            .functions
            .iter_mut()
            .chain([&mut self.lambda, &mut self.moto.child])
        {
            child.check_running()?;
        }
        Ok(())
    }

    /// Starts an execution of the state machine.
    pub async fn start_execution(&self, name: &str, input: &Value) -> Result<String, Error> {
        self.sfn
            .start_execution(&self.state_machine_arn, name, input)
            .await
    }

    /// Starts an execution of the wave state machine.
    pub async fn start_wave(&self, name: &str, input: &Value) -> Result<String, Error> {
        let wave = self.machines.get(WAVE_STATE_MACHINE).ok_or_else(|| {
            Error::new(format!(
                "{} has no {WAVE_STATE_MACHINE}",
                definition::TEMPLATE
            ))
        })?;
        self.sfn.start_execution(wave, name, input).await
    }

    /// Follows an execution until it ends (or `timeout`), handing every new history
    /// event to `on_event`. The outcome comes from DescribeExecution, or from the
    /// history's last event when moto cannot describe it.
    pub async fn follow(
        &mut self,
        execution_arn: &str,
        timeout: Duration,
        mut on_event: impl FnMut(&Event),
    ) -> Result<Execution, Error> {
        let deadline = Instant::now() + timeout;
        let mut seen = 0u64;
        loop {
            let events = self.sfn.history(execution_arn).await?;
            let last_seen = seen;
            for event in events.iter().filter(|e| e.id > last_seen) {
                on_event(event);
                seen = event.id;
            }
            if let Some(end) = events.iter().rev().find(|e| is_final(e)) {
                let execution = match self.sfn.describe_execution(execution_arn).await {
                    Ok(execution) if execution.finished() => execution,
                    _ => outcome_from_history(execution_arn, end),
                };
                self.announce_status(&execution).await?;
                return Ok(execution);
            }
            self.check_running()?;
            if Instant::now() > deadline {
                return Err(Error::new(format!(
                    "the execution did not end within {} s (logs in {})",
                    timeout.as_secs(),
                    self.log_dir.display()
                )));
            }
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
    }

    /// What EventBridge does with the execution's last status change: the
    /// template's rule (on moto's EventBridge) decides whether it matches, and a
    /// matched event is handed to the rule's target, the notify function, through
    /// the router (see [`crate::status_events`]).
    pub async fn announce_status(&self, execution: &Execution) -> Result<(), Error> {
        let Some(net) = &self.safety_net else {
            return Ok(());
        };
        let matched = net
            .matched(
                &self.http,
                &self.moto.url,
                execution,
                &machine_of(&execution.execution_arn),
            )
            .await?;
        for event in matched {
            let url = format!(
                "{}/2015-03-31/functions/{}/invocations",
                self.endpoint_url(),
                crate::status_events::TARGET
            );
            self.http
                .post_json(&url, &event)
                .await?
                .ok("invoking the safety net's target")?;
        }
        Ok(())
    }

    /// Starts an execution and follows it to its end, and a long run's hand-over
    /// to each next execution: the last execution of the chain is the outcome.
    pub async fn run(
        &mut self,
        name: &str,
        input: &Value,
        timeout: Duration,
        on_event: impl FnMut(&Event),
    ) -> Result<Execution, Error> {
        let arn = self.start_execution(name, input).await?;
        self.follow_chain(&arn, timeout, on_event).await
    }

    /// Follows an execution, and each execution a long run hands over to, until
    /// the last one ends; answers the last.
    pub async fn follow_chain(
        &mut self,
        execution_arn: &str,
        timeout: Duration,
        mut on_event: impl FnMut(&Event),
    ) -> Result<Execution, Error> {
        let mut arn = execution_arn.to_string();
        loop {
            let execution = self.follow(&arn, timeout, &mut on_event).await?;
            match successor(&execution) {
                Some(next) if execution.status == "SUCCEEDED" => arn = next,
                _ => return Ok(execution),
            }
        }
    }

    /// The ARN of this stack's execution named `name`.
    pub fn execution_arn(&self, name: &str) -> String {
        format!(
            "{}:{name}",
            self.state_machine_arn
                .replace(":stateMachine:", ":execution:")
        )
    }

    /// What the emulator holds for one run (by its ownership tag).
    pub fn resources_of(&self, run_id: &str) -> RunResources {
        RunResources::of(&self.emulator().resources(), run_id)
    }

    /// Every DMS call the emulator received, oldest first.
    pub fn calls(&self) -> Vec<Call> {
        Call::all(&self.emulator().calls())
    }

    /// Every message published to the stack's topics.
    pub async fn published(&self) -> Result<Vec<Published>, Error> {
        self.moto.published(&self.http).await
    }

    /// What the topics received that `before` (an earlier [`Stack::published`])
    /// did not hold.
    pub async fn published_since(&self, before: &[Published]) -> Result<Vec<Published>, Error> {
        Ok(self
            .published()
            .await?
            .into_iter()
            .filter(|p| !before.iter().any(|b| b.message_id == p.message_id))
            .collect())
    }

    /// Stops everything (what dropping the stack does, in order).
    pub async fn shutdown(self) {
        let Stack {
            functions,
            lambda,
            moto,
            router,
            emulator,
            ..
        } = self;
        drop(functions);
        drop(lambda);
        drop(moto);
        router.shutdown().await;
        emulator.shutdown().await;
    }
}

fn is_final(event: &Event) -> bool {
    matches!(
        event.kind.as_str(),
        "ExecutionSucceeded" | "ExecutionFailed" | "ExecutionAborted" | "ExecutionTimedOut"
    )
}

fn outcome_from_history(execution_arn: &str, end: &Event) -> Execution {
    let text = |key: &str| {
        end.details
            .get(key)
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    Execution {
        execution_arn: execution_arn.to_string(),
        status: end
            .kind
            .trim_start_matches("Execution")
            .to_ascii_uppercase()
            .replace("TIMEDOUT", "TIMED_OUT"),
        output: text("output"),
        error: text("error"),
        cause: text("cause"),
        input: None,
    }
}

/// The execution a long run continued in, from a hand-over's output.
fn successor(execution: &Execution) -> Option<String> {
    let output = execution.output_json()?;
    output
        .pointer("/continued_in/execution_arn")
        .and_then(Value::as_str)
        .map(str::to_string)
}

/// `cargo build` of the template's function binaries (debug profile), quietly;
/// the compiler's messages come back in the error when it fails.
pub fn build_functions(root: &Path) -> Result<(), Error> {
    let wiring = Wiring::load(root)?;
    let binaries: Vec<&String> = wiring.functions.values().map(|f| &f.binary).collect();
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    command.current_dir(root).args(["build", "--quiet"]);
    for binary in binaries {
        command.args(["--bin", binary]);
    }
    let output = command
        .output()
        .map_err(|e| Error::new(format!("cannot run cargo build: {e}")))?;
    if !output.status.success() {
        return Err(Error::new(format!(
            "cargo build of the functions failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        )));
    }
    Ok(())
}

fn target_dir(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .map(|dir| {
            if dir.is_absolute() {
                dir
            } else {
                root.join(dir)
            }
        })
        .unwrap_or_else(|| root.join("target"))
}

fn new_log_dir() -> Result<PathBuf, Error> {
    // Stacks started in one process in the same millisecond (parallel tests) must
    // not share a directory: a passing test removes its own.
    static STACKS: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = STACKS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    let dir =
        std::env::temp_dir().join(format!("dmsflow-local-{}-{stamp}-{n}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

/// A port free right now on 127.0.0.1 (for servers that cannot report theirs).
fn free_port() -> Result<u16, Error> {
    let listener = StdListener::bind((Ipv4Addr::LOCALHOST, 0))?;
    Ok(listener.local_addr()?.port())
}

/// `cargo lambda watch --only-lambda-apis` in the checkout (it needs the cargo
/// project to know the binaries), never reloading, logging outside the tree.
fn start_lambda_runtime(
    root: &Path,
    venv_bin: &Path,
    port: u16,
    log_dir: &Path,
) -> Result<Child, Error> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut paths = vec![venv_bin.to_path_buf()];
    paths.extend(std::env::split_paths(&path));
    let mut command = Command::new(venv_bin.join("cargo-lambda"));
    command
        .current_dir(root)
        .args(["lambda", "watch", "--only-lambda-apis", "--ignore-changes"])
        .args(["-A", "127.0.0.1", "-P", &port.to_string()])
        .env(
            "PATH",
            std::env::join_paths(paths).map_err(|e| Error::new(e.to_string()))?,
        )
        .env_remove("AWS_ENDPOINT_URL");
    Ok(Child::spawn(
        "cargo lambda watch",
        command,
        &log_dir.join("cargo-lambda.log"),
    )?)
}

async fn wait_for_port(child: &mut Child, port: u16) -> Result<(), Error> {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        child.check_running()?;
        if tokio::net::TcpStream::connect((Ipv4Addr::LOCALHOST, port))
            .await
            .is_ok()
        {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(Error::new(format!(
                "{} did not listen on port {port} within 60 s (log {})",
                child.name(),
                child.log().display()
            )));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Each function binary, polling its own queue of cargo-lambda's runtime API
/// through the router, with every AWS client pointed at the router and dummy
/// credentials.
fn start_functions(
    target: &Path,
    binaries: &[(String, Vec<(String, String)>)],
    endpoint_url: &str,
    log_dir: &Path,
) -> Result<Vec<Child>, Error> {
    let mut children = Vec::new();
    for (binary, environment) in binaries {
        let program = target.join("debug").join(binary);
        if !program.exists() {
            return Err(Error::new(format!(
                "{} is not built (cargo build --bin {binary})",
                program.display()
            )));
        }
        let mut command = Command::new(&program);
        command
            .env_clear()
            .env("PATH", "/usr/bin:/bin")
            .env("AWS_LAMBDA_FUNCTION_NAME", binary)
            .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
            .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
            .env(
                "AWS_LAMBDA_RUNTIME_API",
                format!("{endpoint_url}/.rt/{binary}"),
            )
            .env("AWS_ENDPOINT_URL", endpoint_url)
            .env("AWS_ACCESS_KEY_ID", "test")
            .env("AWS_SECRET_ACCESS_KEY", "test")
            .env("AWS_REGION", crate::sfn::REGION)
            .env("AWS_CONFIG_FILE", "/dev/null")
            .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("RUST_LOG", "info")
            .envs(environment.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        children.push(Child::spawn(
            binary,
            command,
            &log_dir.join(format!("{binary}.log")),
        )?);
    }
    Ok(children)
}

/// The state machine of an execution ARN
/// (`arn:aws:states:R:A:execution:MACHINE:NAME` -> `...:stateMachine:MACHINE`).
fn machine_of(execution_arn: &str) -> String {
    let parts: Vec<&str> = execution_arn.split(':').collect();
    match parts.as_slice() {
        [head @ .., "execution", machine, _name] => {
            format!("{}:stateMachine:{machine}", head.join(":"))
        }
        _ => execution_arn.to_string(),
    }
}
