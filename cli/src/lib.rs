//! The `dmsflow` command line.
//!
//! - `dmsflow validate PATH...`: checks specs, waves, manifests and requests
//!   offline, as the stack checks them (every problem with its path and fix);
//! - `dmsflow plan SPEC`: the dry run of a spec, what its run will create and do;
//! - `dmsflow start SPEC`: validates, refuses a run already in progress, starts
//!   the run on the stack's migration state machine and prints its console link;
//! - `dmsflow teardown RUN_ID` and `dmsflow cutover RUN_ID [--set KEY=VALUE]...`:
//!   start those requests;
//! - `dmsflow status`: the runs in progress, one line each;
//! - `dmsflow watch RUN_ID`: follows a run live to its end (hand-overs too), with
//!   the view `tools/rehearse` prints; exit 0 when it succeeded, 1 otherwise.
//!
//! Exit codes: 0 done, 1 the input is invalid or the start was refused, 2 the
//! command could not do its work (bad arguments, no credentials, AWS unreachable).
//! Every failure is one clear message on standard error, never a panic.

mod stack;
mod start;
mod status;
mod validate;
mod watch;

use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use dmsflow::spec::stack_bounds::StackBounds;

/// Done.
pub const OK: u8 = 0;
/// The input is invalid, or the stack refused it.
pub const REFUSED: u8 = 1;
/// The command could not do its work.
pub const TROUBLE: u8 = 2;

#[derive(Debug, Parser)]
#[command(
    name = "dmsflow",
    version,
    about = "Validate, plan and start AWS DMS migrations run by dmsflow's Step Functions workflow."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check migration specs, waves, manifests (lists of specs) and cleanup or
    /// cutover requests offline, as the stack checks them. A directory stands
    /// for the .json files directly in it. Exit 1 if any is invalid.
    Validate {
        /// Files or directories.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        #[command(flatten)]
        bounds: Bounds,
    },
    /// Print the dry run of a spec (or of each spec of a wave): the resources its
    /// run creates and what it does, in order.
    Plan {
        spec: PathBuf,
        #[command(flatten)]
        bounds: Bounds,
    },
    /// Validate a spec, then start its run on the stack's migration state machine
    /// (refused while a run of the same run_id is in progress).
    Start {
        spec: PathBuf,
        #[command(flatten)]
        stack: StackArgs,
        #[command(flatten)]
        bounds: Bounds,
    },
    /// Start the teardown of a run: its resources deleted as its spec's policy says.
    Teardown {
        run_id: String,
        #[command(flatten)]
        stack: StackArgs,
    },
    /// Start the guided cutover of a run in CDC (README, "Cutting over"): drain, stop, verify.
    Cutover {
        run_id: String,
        /// A cutover option, KEY=VALUE (e.g. --set then=delete --set approval=none).
        #[arg(long = "set", value_name = "KEY=VALUE")]
        sets: Vec<String>,
        #[command(flatten)]
        stack: StackArgs,
    },
    /// Follow a run live to its end, its hand-overs included: each state, what
    /// each step did, full-load progress, CDC latency, validation. Exit 0 when the
    /// run succeeded, 1 when it failed.
    Watch {
        run_id: String,
        /// Seconds between two looks at the run's history.
        #[arg(long, default_value_t = 10)]
        interval: u64,
        #[command(flatten)]
        stack: StackArgs,
    },
    /// List the stack's runs in progress: run, what it does, its state, since when.
    Status {
        #[command(flatten)]
        stack: StackArgs,
    },
}

/// The topic of a spec that names none: the stack's, which offline has no ARN.
const STACK_TOPIC: &str = "(the stack's alert topic)";

/// The stack's bounds a spec is checked against; a bound not given is not
/// checked (the deployed stack checks them again).
#[derive(Debug, Clone, Args)]
struct Bounds {
    /// The stack's RunTopicPrefix: a spec's own SNS topic must be named so.
    #[arg(long, env = "DMSFLOW_RUN_TOPIC_PREFIX")]
    run_topic_prefix: Option<String>,
    /// The stack's SecretAccessRolePath: the roles a spec passes to DMS must be under it.
    #[arg(long, env = "DMSFLOW_SECRET_ACCESS_ROLE_PATH")]
    secret_access_role_path: Option<String>,
}

impl Bounds {
    fn stack(&self) -> StackBounds {
        StackBounds {
            alert_topic: Some(STACK_TOPIC.into()),
            run_topic_prefix: self.run_topic_prefix.clone(),
            secret_access_role_path: self.secret_access_role_path.clone(),
        }
    }
}

/// Where the stack is: its name (its outputs name the state machine) or its
/// migration state machine.
#[derive(Debug, Clone, Args)]
struct StackArgs {
    /// The dmsflow stack's name: its StateMachineArn output names the migration
    /// state machine (the Region is AWS_REGION's or the profile's).
    #[arg(
        long,
        env = "DMSFLOW_STACK",
        required_unless_present = "state_machine_arn"
    )]
    stack: Option<String>,
    /// The stack's migration state machine (its StateMachineArn output), instead of --stack.
    #[arg(long, env = "DMSFLOW_STATE_MACHINE_ARN", conflicts_with = "stack")]
    state_machine_arn: Option<String>,
    /// Another endpoint for every AWS call (a local stack: tools/rehearse --keep-stack).
    #[arg(long, env = "AWS_ENDPOINT_URL")]
    endpoint_url: Option<String>,
}

/// Runs the command line `args` (the program's name first), writing to `out`
/// and `err`; the exit code.
pub async fn run<I, T>(args: I, out: &mut dyn Write, err: &mut dyn Write) -> u8
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(error) => {
            let code = if error.use_stderr() { TROUBLE } else { OK };
            let target: &mut dyn Write = if error.use_stderr() { err } else { out };
            let _ = write!(target, "{}", error.render());
            return code;
        }
    };
    let result = match cli.command {
        Command::Validate { paths, bounds } => validate::validate(&paths, &bounds.stack(), out),
        Command::Plan { spec, bounds } => validate::plan(&spec, &bounds.stack(), out),
        Command::Start {
            spec,
            stack,
            bounds,
        } => start::start(&spec, &stack, &bounds.stack(), out).await,
        Command::Teardown { run_id, stack } => {
            start::request("cleanup", &run_id, &[], &stack, out).await
        }
        Command::Cutover {
            run_id,
            sets,
            stack,
        } => start::request("cutover", &run_id, &sets, &stack, out).await,
        Command::Status { stack } => status::status(&stack, out).await,
        Command::Watch {
            run_id,
            interval,
            stack,
        } => watch::watch(&run_id, Duration::from_secs(interval.max(1)), &stack, out).await,
    };
    match result {
        Ok(code) => code,
        Err((code, message)) => {
            let _ = writeln!(err, "dmsflow: {}", readable(&message));
            code
        }
    }
}

/// `message` without the debug dump the SDK appends to a dispatch failure
/// (`... (DispatchFailure(...))`): what failed and why, for a person.
fn readable(message: &str) -> &str {
    message
        .find(" (DispatchFailure(")
        .map_or(message, |at| &message[..at])
}

/// A command's outcome: its exit code, or the code and the one message that
/// says what went wrong.
type Outcome = Result<u8, (u8, String)>;
