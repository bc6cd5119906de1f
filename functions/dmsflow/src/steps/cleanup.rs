//! cleanup: stops and deletes a run's resources as the reason and the spec's
//! cleanup policy say (see [`crate::cleanup_plan`]).
//!
//! [`step`] reads the reason from the state document (a failure whose policy
//! applies, a teardown request, else a success) and hands [`handle`] a
//! [`CleanupInput`]: `{"run_id", "reason": "success" | "failure" | "teardown",
//! "spec"}`; the spec (as ValidateSpec filled it in) is needed for success and
//! failure, optional for teardown (a cleanup-only execution), which deletes
//! everything the run owns. One call takes the next actions in DMS's order and
//! reports `done` once nothing of the run is left to stop or delete; until then
//! `wait_seconds` says when to call again. Only resources tagged as the run's are
//! ever stopped or deleted; others under the run's names are listed in
//! `skipped_foreign`. A resource already gone counts as deleted, and a call DMS
//! refuses for now (`InvalidResourceStateFault`) is waited for, not an error.
//! The loop is bounded by `polling.cleanup_timeout_minutes` (the default for a
//! cleanup request without a spec): past it the step fails with `StepTimedOut`,
//! naming what is left.

use std::time::SystemTime;

use lambda_runtime::LambdaEvent;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::StepReport;
use super::create::observe::Looker;
use crate::aws::dms::EndpointRole;
use crate::aws::{AwsFault, Dms, Metrics};
use crate::cleanup_plan::{self, Action, Policy, Reason};
use crate::deadline;
use crate::error::{ErrorKind, StepError, StepResult};
use crate::naming::Names;
use crate::plan::{Observed, SHORT_WAIT_SECONDS, Seen, wait_within};
use crate::spec::check::{SpecParts, check_parts};
use crate::spec::parse::invalid_spec;
use crate::spec::{Compute, MigrationSpec};
use crate::steps::read_spec;
use crate::workflow::{Route, RunState, StepCall};

/// The cleanup step's input.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CleanupInput {
    pub run_id: String,
    pub reason: Reason,
    /// The run's spec, as validate returned it.
    #[serde(default)]
    pub spec: Option<Value>,
    /// When the cleanup loop started (RFC 3339): bounds it by
    /// `polling.cleanup_timeout_minutes`.
    #[serde(default)]
    pub loop_started_at: Option<String>,
}

/// What cleanup reports besides the common fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CleanupDetail {
    pub run_id: String,
    pub reason: Reason,
    /// `delete`, `keep`, or `stop-and-keep` (stop the task, keep everything).
    pub policy: String,
    /// What this call deleted.
    pub deleted: Vec<String>,
    /// The run's resources the policy keeps.
    pub kept: Vec<String>,
    /// The run's resources still to be deleted (or being deleted).
    pub remaining: Vec<String>,
    /// Resources under the run's names that are not the run's: never touched.
    pub skipped_foreign: Vec<String>,
}

fn policy_name(policy: Policy) -> &'static str {
    match (policy.delete, policy.stop_task) {
        (true, _) => "delete",
        (false, true) => "stop-and-keep",
        (false, false) => "keep",
    }
}

/// Checks the input: a well-formed run id, and a spec of that run when given.
fn read_input(payload: Value) -> StepResult<(CleanupInput, Option<MigrationSpec>)> {
    let input: CleanupInput = serde_json::from_value(payload).map_err(|error| {
        StepError::new(
            ErrorKind::InvalidSpec,
            format!(
                "the cleanup step's input is not {{\"run_id\": ..., \"reason\": \"success\" | \
                 \"failure\" | \"teardown\", \"spec\": ...}} ({error})"
            ),
        )
    })?;
    let problems = check_parts(&SpecParts {
        run_id: Some(input.run_id.clone()),
        ..SpecParts::default()
    });
    if !problems.is_empty() {
        return Err(invalid_spec(&problems));
    }
    let spec = input.spec.as_ref().map(read_spec).transpose()?;
    if let Some(spec) = &spec
        && spec.run_id != input.run_id
    {
        return Err(StepError::new(
            ErrorKind::InvalidSpec,
            format!(
                "the cleanup is for run {} but the spec given is run {}'s; pass the run's own spec",
                input.run_id, spec.run_id
            ),
        ));
    }
    Ok((input, spec))
}

/// The cleanup function; see the module documentation.
pub async fn handle<D: Dms, M: Metrics>(
    dms: &D,
    metrics: &M,
    event: LambdaEvent<Value>,
    now: SystemTime,
) -> StepResult<StepReport<CleanupDetail>> {
    let (input, spec) = read_input(event.payload)?;
    let policy = cleanup_plan::policy(input.reason, spec.as_ref())?;
    let names = Names::for_run(&input.run_id);
    let looker = Looker {
        dms,
        metrics,
        run_id: &input.run_id,
        names: &names,
        function_arn: &event.context.invoked_function_arn,
    };
    let users_group = spec
        .as_ref()
        .and_then(|s| s.network.subnet_group.as_deref());
    let observed = observe(&looker, users_group, spec.as_ref().map(|s| s.compute)).await?;
    let plan = cleanup_plan::plan(&names, policy, &observed);

    let mut done = Done::default();
    for action in &plan.actions {
        let labels: Vec<String> = action.resources().iter().map(|r| r.label(&names)).collect();
        let label = labels.join(", ");
        match execute(dms, metrics, action).await {
            Ok(()) => {
                let verb = match action {
                    Action::StopTask { .. } => "stopped",
                    _ => "deleted",
                };
                done.actions.push(format!("{verb} {label}"));
                if verb == "deleted" {
                    done.deleted.extend(labels);
                }
            }
            Err(AwsFault::NotFound(_)) => {
                done.actions.push(format!("{label}: already gone"));
                done.gone.extend(labels);
            }
            Err(AwsFault::Busy(message)) => {
                done.refused = Some(format!("{label} (DMS refused for now: {message})"));
                done.not_taken.extend(labels);
                break;
            }
            Err(fault) => {
                // The plan's actions of one call do not depend on each other: the
                // others still go ahead, so a refused delete leaves only what it must.
                let verb = match action {
                    Action::StopTask { .. } => "stopping",
                    _ => "deleting",
                };
                done.not_taken.extend(labels);
                done.failed
                    .get_or_insert(fault.into_step_error(&format!("{verb} {label}")));
            }
        }
    }
    for action in &done.actions {
        tracing::info!(action = %action, run_id = %input.run_id, "cleanup");
    }
    if let Some(mut error) = done.failed {
        if !done.actions.is_empty() {
            error.message = format!(
                "{} (this call still did: {})",
                error.message,
                done.actions.join("; ")
            );
        }
        return Err(error);
    }
    let mut remaining: Vec<String> = plan
        .remaining
        .into_iter()
        .filter(|label| !done.gone.contains(label))
        .collect();
    for label in done.not_taken {
        if !remaining.contains(&label) {
            remaining.push(label);
        }
    }
    let waiting_for = done.refused.or(plan.waiting_for);
    let polling = spec.as_ref().map(|s| s.polling).unwrap_or_default();
    if waiting_for.is_some() {
        deadline::check(
            input.loop_started_at.as_deref(),
            now,
            deadline::minutes(polling.cleanup_timeout_minutes),
            &format!(
                "cleanup of run {} (still remaining: {}; look at them in the DMS console, then start a cleanup request again)",
                input.run_id,
                remaining.join(", ")
            ),
            "cleanup_timeout_minutes",
        )?;
    }
    let wait_seconds = match &waiting_for {
        Some(_) => wait_within(&polling, plan.wait_seconds.max(SHORT_WAIT_SECONDS)),
        None => 0,
    };
    Ok(StepReport {
        done: waiting_for.is_none(),
        actions: done.actions,
        waiting_for,
        wait_seconds,
        detail: CleanupDetail {
            run_id: input.run_id,
            reason: input.reason,
            policy: policy_name(policy).into(),
            deleted: done.deleted,
            kept: plan.kept,
            remaining,
            skipped_foreign: plan.skipped_foreign,
        },
    })
}

/// Cleanup as the state machine calls it. The reason comes from the state: a
/// failure whose cleanup policy applies, a teardown request, or a success with
/// `then: stop-and-clean-up`. A finished teardown answers its report.
pub async fn step<D: Dms, M: Metrics>(
    dms: &D,
    metrics: &M,
    event: LambdaEvent<StepCall>,
    now: SystemTime,
) -> StepResult<RunState> {
    let (call, context) = event.into_parts();
    let mut state = RunState::read(call.state)?;
    let reason = match (&state.failure, state.route) {
        (Some(failure), _) if failure.clean_up => Reason::Failure,
        // A verified cutover with `then: delete` removes the whole run, as a teardown.
        (_, Route::Teardown | Route::Cutover) => Reason::Teardown,
        _ => Reason::Success,
    };
    let run_id = state
        .run_id
        .clone()
        .or_else(|| {
            state
                .run
                .as_ref()
                .map(|r| r.names.metric_run_dimension.clone())
        })
        .unwrap_or_default();
    let (started_at, _) = state.loop_of(&call.step, now);
    let payload = serde_json::json!({
        "run_id": run_id,
        "reason": reason,
        "spec": state.run.as_ref().map(|r| r.spec.clone()),
        "loop_started_at": started_at,
    });
    let report = handle(dms, metrics, LambdaEvent::new(payload, context), now).await?;
    state.record(&call.step, started_at, &report);
    if report.done && state.route == Route::Teardown {
        state.result = state.step.report.clone();
    }
    if report.done && state.route == Route::Cutover && state.result.is_object() {
        state.result["cleanup"] = state.step.report.clone();
    }
    Ok(state)
}

/// What the actions of one call came to.
#[derive(Default)]
struct Done {
    actions: Vec<String>,
    deleted: Vec<String>,
    /// Resources found already gone.
    gone: Vec<String>,
    /// Resources of the action DMS refused.
    not_taken: Vec<String>,
    refused: Option<String>,
    /// The first permanent failure of this call.
    failed: Option<StepError>,
}

/// What cleanup may consider: the run's names, never the user's subnet group, and
/// of the alarms under the run's prefix the run's own plus foreign ones with
/// exactly the run's alarm names (others belong to runs whose id extends this one).
async fn observe<D: Dms, M: Metrics>(
    looker: &Looker<'_, D, M>,
    users_group: Option<&str>,
    compute: Option<Compute>,
) -> StepResult<Observed> {
    let names = looker.names;
    let subnet_group = if users_group == Some(names.subnet_group.as_str()) {
        Seen::Absent
    } else {
        looker.subnet_group(None).await?
    };
    let mut alarms = looker.alarms(None).await?;
    alarms.retain(|name, ours| *ours || names.alarms.contains(name));
    // A serverless run has no instance and no event subscription: not looked for
    // on each of its (many) cleanup polls. Without a spec, everything is.
    let serverless = compute == Some(Compute::Serverless);
    Ok(Observed {
        subnet_group,
        instance: match serverless {
            true => Seen::Absent,
            false => looker.instance().await?,
        },
        source: looker.endpoint(EndpointRole::Source).await?,
        target: looker.endpoint(EndpointRole::Target).await?,
        task: looker.task(compute).await?,
        subscription: match serverless {
            true => Seen::Absent,
            false => looker.subscription().await?,
        },
        alarms,
        dashboard: looker.dashboard().await?,
    })
}

async fn execute<D: Dms, M: Metrics>(
    dms: &D,
    metrics: &M,
    action: &Action,
) -> Result<(), AwsFault> {
    match action {
        // A task's ARN or a replication config's: the Dms calls choose DMS's.
        Action::StopTask { arn } => dms.stop_task(arn).await,
        Action::DeleteTask { arn } => dms.delete_task(arn).await,
        Action::DeleteEndpoint { arn, .. } => dms.delete_endpoint(arn).await,
        Action::DeleteInstance { arn } => dms.delete_instance(arn).await,
        Action::DeleteSubnetGroup { id } => dms.delete_subnet_group(id).await,
        Action::DeleteEventSubscription { name } => dms.delete_event_subscription(name).await,
        Action::DeleteAlarms { names } => metrics.delete_alarms(names).await,
        Action::DeleteDashboard { name } => metrics.delete_dashboard(name).await,
    }
}

#[cfg(test)]
mod tests;
