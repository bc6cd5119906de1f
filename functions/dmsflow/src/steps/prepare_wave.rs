//! PrepareWave, the wave state machine's first step (its own function,
//! `dmsflow-prepare-wave`, the only one with S3's client): reads the wave's
//! manifest if it names one, checks the wave and every spec in it
//! ([`WaveRequest::parse`]: every problem of every spec at once, before anything
//! starts), finds each run's earlier attempts of this wave by name (succeeded runs
//! are skipped, a running one is followed, a failed one gets a new attempt), and
//! writes the runs to the stack's wave bucket, where the Distributed Map's
//! ItemReader reads them: the specs never ride in the wave's state.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::wave::{WaveCall, chain, unset};
use crate::aws::{AwsFault, Executions, Objects};
use crate::error::{ErrorKind, StepError, StepResult};
use crate::spec::stack_bounds::StackBounds;
use crate::wave::{
    ChainStatus, RunOutcome, WaveRequest, WaveRun, cut, execution_name, manifest_key, prepared_key,
    start_delay,
};
use crate::workflow::execution_arn;

/// Attempts of one run a wave's reruns look through.
const MAX_ATTEMPTS: u32 = 20;

/// The wave's state after PrepareWave: its settings and where its runs are
/// (ReportWave reads the Map state's outcomes beside them).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WaveState {
    pub wave_id: String,
    pub max_concurrent: u32,
    pub tolerated_failures: u32,
    pub run_count: usize,
    /// The object holding the runs ([`WaveRun`]s, a JSON list), which the
    /// Distributed Map's ItemReader reads.
    pub items: ObjectAt,
}

/// An S3 object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ObjectAt {
    pub bucket: String,
    pub key: String,
}

/// What the PrepareWave function is told by its environment (the template sets it).
#[derive(Debug, Clone, Copy)]
pub struct PrepareEnv<'a> {
    pub stack: &'a StackBounds,
    /// The migration state machine (`DMSFLOW_MIGRATION_STATE_MACHINE_ARN`).
    pub machine: Option<&'a str>,
    /// The stack's wave bucket (`DMSFLOW_WAVE_BUCKET`).
    pub bucket: Option<&'a str>,
}

/// PrepareWave; see the module documentation. `execution` is the wave's
/// execution, whose name keys the runs it writes.
pub async fn prepare<E: Executions, O: Objects>(
    executions: &E,
    objects: &O,
    machine: &str,
    bucket: &str,
    stack: &StackBounds,
    execution: &str,
    input: &Value,
) -> StepResult<WaveState> {
    let manifest = match manifest_key(input, Some(bucket)) {
        Ok(None) => None,
        Ok(Some(key)) => Some(read_manifest(objects, bucket, &key).await?),
        Err(problem) => Some(Err(problem)),
    };
    let request =
        WaveRequest::parse(input, manifest, stack).map_err(|problems| refusal(&problems))?;
    let mut runs = Vec::new();
    for (index, spec) in request.runs.iter().enumerate() {
        let run_id = spec["run_id"].as_str().unwrap_or_default().to_string();
        let (name, skip, earlier) = attempt_of(executions, machine, &request, &run_id).await?;
        let outcome = RunOutcome::planned(&run_id, earlier.as_deref(), skip);
        runs.push(WaveRun {
            run_id,
            wave_id: request.wave_id.clone(),
            execution_name: name,
            input: spec.clone(),
            skip,
            earlier,
            start_delay_seconds: if skip {
                0
            } else {
                start_delay(index, &request)
            },
            poll_seconds: request.poll_minutes * 60,
            run_timeout_hours: request.run_timeout_hours,
            outcome,
        });
    }
    let wave_execution = execution.rsplit(':').next().unwrap_or(execution);
    let items = ObjectAt {
        bucket: bucket.to_string(),
        key: prepared_key(&request.wave_id, wave_execution),
    };
    let body = serde_json::to_string(&runs).unwrap_or_default();
    objects
        .put_json(&items.bucket, &items.key, body)
        .await
        .map_err(|f| {
            f.into_step_error(&format!(
                "writing the wave's runs to s3://{}/{}",
                items.bucket, items.key
            ))
        })?;
    Ok(WaveState {
        wave_id: request.wave_id,
        max_concurrent: request.max_concurrent,
        tolerated_failures: request.tolerated_failures,
        run_count: runs.len(),
        items,
    })
}

/// The manifest's JSON, or the problem that keeps the wave from reading it (a
/// missing object, or one that is not JSON); an AWS error otherwise.
async fn read_manifest<O: Objects>(
    objects: &O,
    bucket: &str,
    key: &str,
) -> StepResult<Result<Value, String>> {
    let address = format!("s3://{bucket}/{key}");
    let bytes = match objects.get(bucket, key).await {
        Ok(bytes) => bytes,
        Err(AwsFault::NotFound(_)) => {
            return Ok(Err(format!(
                "manifest: {address} does not exist; upload the manifest there first (aws s3 cp <file>.json {address})"
            )));
        }
        Err(fault) => return Err(fault.into_step_error(&format!("reading the manifest {address}"))),
    };
    Ok(serde_json::from_slice(&bytes).map_err(|e| {
        format!("manifest: {address} is not JSON ({e}); it holds a JSON list of migration specs")
    }))
}

/// The execution this wave gives run `run_id`, whether to skip it, and what its
/// earlier attempts did. Only the last attempt's chain is followed through its
/// hand-overs: the earlier ones need one DescribeExecution each, to be found.
async fn attempt_of<E: Executions>(
    executions: &E,
    machine: &str,
    request: &WaveRequest,
    run_id: &str,
) -> StepResult<(String, bool, Option<String>)> {
    let mut attempts = 0;
    while attempts < MAX_ATTEMPTS {
        let name = execution_name(&request.wave_id, run_id, attempts + 1);
        match executions.describe(&execution_arn(machine, &name)).await {
            Ok(_) => attempts += 1,
            Err(AwsFault::NotFound(_)) => break,
            Err(fault) => {
                return Err(fault.into_step_error(&format!("describing execution {name}")));
            }
        }
    }
    if attempts == MAX_ATTEMPTS {
        return Err(StepError::new(
            ErrorKind::ResourceConflict,
            format!(
                "run {run_id} has {MAX_ATTEMPTS} attempts in wave {} already; start it under a new wave_id",
                request.wave_id
            ),
        ));
    }
    let next = execution_name(&request.wave_id, run_id, attempts + 1);
    if attempts == 0 {
        return Ok((next, false, None));
    }
    let earlier = execution_name(&request.wave_id, run_id, attempts);
    let Some(found) = chain(executions, machine, &earlier).await? else {
        // Step Functions keeps a started execution for 90 days after it ends;
        // one that vanished between the two calls counts as none.
        return Ok((next, false, None));
    };
    Ok(match found.status {
        ChainStatus::Succeeded => (
            earlier.clone(),
            true,
            Some(format!("succeeded in execution {earlier}")),
        ),
        ChainStatus::Running => (
            earlier.clone(),
            false,
            Some(format!("still running in execution {earlier}: followed")),
        ),
        ChainStatus::Failed => (
            next,
            false,
            Some(format!(
                "failed in execution {earlier} ({})",
                found.last.error.as_deref().unwrap_or(&found.last.status)
            )),
        ),
    })
}

/// Most problems one refusal lists: a cause Step Functions keeps (32,768
/// characters) and an alert SNS takes, even for 500 broken specs.
pub const PROBLEMS_LISTED: usize = 50;

/// The error refusing a wave: its first [`PROBLEMS_LISTED`] problems (each cut
/// to 600 bytes), and how many more there are.
fn refusal(problems: &[String]) -> StepError {
    let mut listed = problems
        .iter()
        .take(PROBLEMS_LISTED)
        .map(|p| cut(p, 600))
        .collect::<Vec<_>>()
        .join("; ");
    if problems.len() > PROBLEMS_LISTED {
        listed.push_str(&format!(
            "; and {} more problem(s): fix these and start the wave again to see them",
            problems.len() - PROBLEMS_LISTED
        ));
    }
    StepError::new(
        ErrorKind::InvalidSpec,
        format!(
            "the wave is refused, nothing was started ({} problem(s)): {listed}",
            problems.len()
        ),
    )
}

/// The function's input: PrepareWave's call; answers `{"wave": WaveState}`.
pub async fn handle<E: Executions, O: Objects>(
    executions: &E,
    objects: &O,
    env: PrepareEnv<'_>,
    call: WaveCall,
) -> StepResult<Value> {
    if call.step != "PrepareWave" {
        return Err(StepError::new(
            ErrorKind::InvalidSpec,
            format!("the prepare-wave function has no step {}", call.step),
        ));
    }
    let machine = env.machine.ok_or_else(|| {
        unset(
            "DMSFLOW_MIGRATION_STATE_MACHINE_ARN",
            "the stack's migration state machine",
        )
    })?;
    let bucket = env
        .bucket
        .ok_or_else(|| unset("DMSFLOW_WAVE_BUCKET", "the stack's wave bucket"))?;
    let state = prepare(
        executions,
        objects,
        machine,
        bucket,
        env.stack,
        &call.execution,
        &call.input,
    )
    .await?;
    Ok(json!({ "wave": state }))
}

#[cfg(test)]
#[path = "prepare_wave_tests.rs"]
mod tests;
