//! `dmsflow start`: validates a spec as the stack will, refuses a run already in
//! progress (the run election ClaimRun holds, [`dmsflow::election`]), starts the
//! run on the stack's migration state machine and prints its console link.

use std::io::Write;
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use dmsflow::aws::{AwsFault, Starter};
use dmsflow::election::{self, Contender, Verdict};
use dmsflow::inputs::Checked;
use dmsflow::naming;
use dmsflow::spec::stack_bounds::StackBounds;
use dmsflow::steps::claim_run;
use serde_json::Value;

use crate::stack::Stack;
use crate::validate::check_file;
use crate::{OK, Outcome, REFUSED, StackArgs, TROUBLE};

/// `dmsflow start`; see the module documentation.
pub async fn start(
    path: &Path,
    stack_args: &StackArgs,
    bounds: &StackBounds,
    out: &mut dyn Write,
) -> Outcome {
    let refused = |message: String| (REFUSED, format!("{}: {message}", path.display()));
    let Checked::Spec(validated) = check_file(path, bounds).map_err(refused)? else {
        return Err(refused(
            "dmsflow start takes a migration spec (a wave starts on the wave state machine, a cleanup or cutover request with its own command)"
                .into(),
        ));
    };
    let run_id = validated.spec["run_id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    // The spec as written: ValidateSpec fills its defaults itself.
    let text = std::fs::read_to_string(path)
        .map_err(|e| (TROUBLE, format!("cannot read {}: {e}", path.display())))?;
    let input: Value = serde_json::from_str(&text)
        .map_err(|e| (TROUBLE, format!("{} is not JSON: {e}", path.display())))?;
    let Stack { sfn, machine, .. } = Stack::connect(stack_args).await?;
    let machine = machine.as_str();

    let now_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
    let running = claim_run::running_contenders(&sfn, machine, None)
        .await
        .map_err(|e| (TROUBLE, e.message))?;
    let me = Contender {
        execution_arn: String::new(),
        started_ms: now_ms,
        input: input.clone(),
    };
    if let Verdict::Yield {
        run_id,
        driver_arn,
        driver_since_ms,
    } = election::elect(&me, &running)
    {
        let refusal = claim_run::run_in_progress(&run_id, &driver_arn, driver_since_ms);
        return Err((
            REFUSED,
            refusal.message.replace(
                " This execution stopped before touching anything of the run.",
                " Nothing was started.",
            ),
        ));
    }

    launch(&sfn, machine, &run_id, "", &text, out).await
}

/// `dmsflow teardown` and `dmsflow cutover`: the request for `run_id` (with the
/// cutover's options `sets`, `KEY=VALUE`, a value read as JSON when it is JSON),
/// checked as ClaimRun checks it, then started. Whether the run may be torn down
/// or cut over now is the state machine's to judge (ClaimRun, then the alert).
pub async fn request(
    action: &str,
    run_id: &str,
    sets: &[String],
    stack_args: &StackArgs,
    out: &mut dyn Write,
) -> Outcome {
    let mut input = serde_json::json!({"action": action, "run_id": run_id});
    for set in sets {
        let (key, value) = set.split_once('=').ok_or_else(|| {
            (
                TROUBLE,
                format!("--set {set}: give KEY=VALUE, such as --set then=delete"),
            )
        })?;
        input[key] = serde_json::from_str(value).unwrap_or_else(|_| Value::from(value));
    }
    let bounds = StackBounds::default();
    dmsflow::inputs::check(&input, &bounds, |_| Err("no manifest".into()))
        .map_err(|message| (REFUSED, message))?;
    let Stack { sfn, machine, .. } = Stack::connect(stack_args).await?;
    let suffix = if action == "cleanup" {
        "-teardown"
    } else {
        "-cutover"
    };
    launch(&sfn, &machine, run_id, suffix, &input.to_string(), out).await
}

/// Starts `input` as execution `<run_id><suffix>-<UTC time>` and prints it.
async fn launch(
    sfn: &aws_sdk_sfn::Client,
    machine: &str,
    run_id: &str,
    suffix: &str,
    input: &str,
    out: &mut dyn Write,
) -> Outcome {
    let stamp = humantime::format_rfc3339_seconds(SystemTime::now())
        .to_string()
        .replace([':', '-'], "");
    let name = naming::execution_name(run_id, &format!("{suffix}-{stamp}"));
    let arn = match sfn.start(machine, &name, input).await {
        Ok(arn) => arn,
        Err(AwsFault::AlreadyExists(_)) => {
            return Err((
                REFUSED,
                format!("an execution named {name} exists already: start again in a second"),
            ));
        }
        Err(fault) => {
            return Err((
                TROUBLE,
                fault
                    .into_step_error(&format!("starting an execution of {machine}"))
                    .message,
            ));
        }
    };
    let what = match suffix {
        "-teardown" => "the teardown of run",
        "-cutover" => "the cutover of run",
        _ => "run",
    };
    let console = election::console_link(&arn).unwrap_or_default();
    let text = format!(
        "started {what} {run_id} as execution {name}\n  execution  {arn}\n  console    {console}\n"
    );
    out.write_all(text.as_bytes())
        .map_err(|e| (TROUBLE, format!("cannot write the output: {e}")))?;
    Ok(OK)
}
