//! AssessMigration: DMS's premigration assessment of the run's task, before its
//! first start.
//!
//! Each call looks at the task and its assessment runs
//! (DescribeReplicationTaskAssessmentRuns) and does one thing:
//! - the spec turns the assessment off, or the task has started before (it has a
//!   `ReplicationTaskStartDate`, or runs): done, nothing assessed;
//! - the latest run for the task as it is now (its name carries a fingerprint of
//!   the task's settings, mappings, migration type and the checks asked for) is
//!   - `passed`: done;
//!   - `warning`: done, and the warnings go into the success notice; with
//!     `assessment.on_warning: fail`, `AssessmentFailed`;
//!   - `failed`, `error-provisioning`, `error-executing` (or `cancelling`,
//!     `deleting`, `invalid state`, which terraform-provider-aws also treats as
//!     failures): `AssessmentFailed` naming each failed check, DMS's message and
//!     the report's location, when this loop has watched that run (its previous
//!     report names it); a run that failed in an earlier attempt is started again;
//!   - `starting`, `provisioning`, `running`: wait, bounded by
//!     `polling.assessment_timeout_minutes` (`StepTimedOut`);
//! - no such run: start one (StartReplicationTaskAssessmentRun) once the task is
//!   `ready`, `stopped` or `failed` (DMS does not document the states it accepts;
//!   terraform-provider-aws's acceptance test starts one on a `ready` task), and
//!   wait. While DMS assesses, the task shows `testing` (botocore's DMS model,
//!   ReplicationTask.Status).
//!
//! Statuses: DMS API reference, ReplicationTaskAssessmentRun.Status; precedence
//! (failed over error over warning over passed): DMS user guide, "Specifying,
//! starting, and viewing premigration assessment runs". Reports go to
//! `s3://<bucket>/dmsflow/<run_id>/`.

use std::time::SystemTime;

use serde::{Deserialize, Serialize};

use super::{StepInput, StepReport, read};
use crate::aws::Dms;
use crate::aws::dms::{AssessmentRequest, AssessmentRun, IndividualAssessment, Task};
use crate::deadline::{self, minutes};
use crate::error::{ErrorKind, StepError, StepResult};
use crate::naming::{Names, fnv1a};
use crate::spec::MigrationSpec;
use crate::spec::assessment::OnWarning;
use crate::workflow::{self, RunState, StepCall};

/// Where the reports go when the spec names no bucket: the stack's bucket and the
/// role DMS assumes to write there (the template's `DMSFLOW_ASSESSMENT_BUCKET`,
/// `DMSFLOW_ASSESSMENT_ROLE_ARN`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportStore {
    pub bucket: Option<String>,
    pub role_arn: Option<String>,
}

impl ReportStore {
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Self {
        let read = |name: &str| var(name).filter(|v| !v.trim().is_empty());
        Self {
            bucket: read("DMSFLOW_ASSESSMENT_BUCKET"),
            role_arn: read("DMSFLOW_ASSESSMENT_ROLE_ARN"),
        }
    }
}

/// What AssessMigration reports besides the common fields.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AssessDetail {
    pub task: String,
    /// The assessment run this call looked at or started.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assessment: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// Why nothing was assessed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skipped: Option<String>,
    /// The individual assessments that ended `warning`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// Where DMS wrote the report.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub report: Option<String>,
}

const RUNNING: [&str; 3] = ["starting", "provisioning", "running"];
const FAILED: [&str; 6] = [
    "failed",
    "error-provisioning",
    "error-executing",
    "cancelling",
    "deleting",
    "invalid state",
];

/// AssessMigration as the state machine calls it: one call of the loop, and a
/// warning note for the success notice once the assessment is done.
pub async fn step<D: Dms>(
    dms: &D,
    call: StepCall,
    store: &ReportStore,
    now: SystemTime,
) -> StepResult<RunState> {
    let mut state = workflow::advance(call, now, |input| handle(dms, input, store, now)).await?;
    let detail: Option<AssessDetail> = serde_json::from_value(state.step.report.clone()).ok();
    if state.step.done
        && let (Some(run), Some(detail)) = (state.run.as_mut(), detail)
        && !detail.warnings.is_empty()
    {
        let note = format!(
            "The premigration assessment {} ended with warnings: {}. Report: {}",
            detail.assessment.unwrap_or_default(),
            detail.warnings.join(", "),
            detail.report.unwrap_or_default()
        );
        if !run.notes.contains(&note) {
            run.notes.push(note);
        }
    }
    Ok(state)
}

/// One call of the loop; see the module documentation.
pub async fn handle<D: Dms>(
    dms: &D,
    input: StepInput,
    store: &ReportStore,
    now: SystemTime,
) -> StepResult<StepReport<AssessDetail>> {
    let spec = input.spec()?;
    let names = Names::for_run(&spec.run_id);
    let task = read::task(dms, spec.compute, &names).await?;
    let mut detail = AssessDetail {
        task: task.id.clone(),
        ..AssessDetail::default()
    };
    let done = |detail, actions| Ok(StepReport::new(true, actions, None, 0, detail));
    if !spec.assessment.enabled {
        detail.skipped = Some("assessment.enabled is false".into());
        return done(detail, Vec::new());
    }
    if task.start_date.is_some() || matches!(task.status.as_str(), "starting" | "running") {
        detail.skipped = Some(format!(
            "task {} has started before: the assessment runs before the first start only",
            task.id
        ));
        return done(detail, Vec::new());
    }
    let prefix = run_name_prefix(&spec, &task);
    let runs = dms.assessment_runs(&task.arn).await.map_err(|f| {
        f.into_step_error(&format!("reading the assessment runs of task {}", task.id))
    })?;
    let ours: Vec<AssessmentRun> = runs
        .into_iter()
        .filter(|r| r.name.starts_with(&prefix))
        .collect();
    let number = ours.len() + 1;
    let latest = ours.into_iter().max_by_key(|r| (r.created, r.name.clone()));
    // The run this loop looked at before (its previous report names it).
    let seen = input
        .previous
        .as_ref()
        .and_then(|p| p.get("assessment"))
        .and_then(|a| a.as_str())
        .map(str::to_string);
    let waiting_for = format!("the premigration assessment of task {}", task.id);
    let wait =
        |detail: AssessDetail, actions: Vec<String>| -> StepResult<StepReport<AssessDetail>> {
            deadline::check(
                input.loop_started_at.as_deref(),
                now,
                minutes(spec.polling.assessment_timeout_minutes),
                &waiting_for,
                "assessment_timeout_minutes",
            )?;
            Ok(StepReport::new(
                false,
                actions,
                Some(waiting_for.clone()),
                spec.polling.min_wait_seconds,
                detail,
            ))
        };
    match latest {
        Some(run) if RUNNING.contains(&run.status.as_str()) => {
            describe(&mut detail, &run);
            wait(detail, Vec::new())
        }
        Some(run) if run.status == "passed" => {
            describe(&mut detail, &run);
            done(detail, Vec::new())
        }
        Some(run) if run.status == "warning" => {
            describe(&mut detail, &run);
            let checks = individual(dms, &run).await?;
            detail.warnings = named(&checks, &["warning"]);
            if spec.assessment.on_warning == OnWarning::Fail {
                return Err(failed(
                    &run,
                    &checks,
                    &task,
                    "assessment.on_warning is fail",
                ));
            }
            done(detail, Vec::new())
        }
        Some(run)
            if FAILED.contains(&run.status.as_str()) && seen.as_deref() == Some(&run.name) =>
        {
            let checks = individual(dms, &run).await?;
            Err(failed(&run, &checks, &task, ""))
        }
        _ if !matches!(task.status.as_str(), "ready" | "stopped" | "failed") => {
            // Waiting for the task to change state (taking new settings, say) is
            // bounded like every task change.
            deadline::check(
                input.loop_started_at.as_deref(),
                now,
                minutes(spec.polling.task_change_timeout_minutes),
                &format!(
                    "the wait for task {} to leave status {}",
                    task.id, task.status
                ),
                "task_change_timeout_minutes",
            )?;
            detail.status = Some(format!("task {}", task.status));
            wait(detail, Vec::new())
        }
        _ => {
            let name = format!("{prefix}{number}-{}", epoch_seconds(now));
            let request = request(&spec, &task, store, name)?;
            let run = dms.start_assessment(&request).await.map_err(|f| {
                f.into_step_error(&format!(
                    "starting the premigration assessment of task {}",
                    task.id
                ))
            })?;
            describe(&mut detail, &run);
            let action = format!(
                "started the premigration assessment {} of task {}",
                run.name, task.id
            );
            wait(detail, vec![action])
        }
    }
}

/// `<task id>-<fingerprint>-`: the names of the runs that assessed the task as it
/// is now, with the checks the spec asks for. A run is named
/// `<prefix><n>-<epoch seconds>` (DMS wants a unique name; it documents no length
/// or pattern for it: botocore's model, AssessmentRunName).
fn run_name_prefix(spec: &MigrationSpec, task: &Task) -> String {
    let assessment = &spec.assessment;
    let fingerprint = fnv1a(&format!(
        "{}\n{}\n{}\n{}\n{}",
        task.migration_type,
        task.settings.as_deref().unwrap_or_default(),
        spec.table_mappings,
        assessment.include.join(","),
        assessment.exclude.join(",")
    ));
    format!("{}-{:08x}-", task.id, fingerprint as u32)
}

fn request(
    spec: &MigrationSpec,
    task: &Task,
    store: &ReportStore,
    name: String,
) -> StepResult<AssessmentRequest> {
    let (bucket, role_arn) = match (&spec.assessment.bucket, &spec.assessment.role_arn) {
        (Some(bucket), Some(role)) => (bucket.clone(), role.clone()),
        _ => match (&store.bucket, &store.role_arn) {
            (Some(bucket), Some(role)) => (bucket.clone(), role.clone()),
            _ => {
                return Err(StepError::new(
                    ErrorKind::InvalidSpec,
                    "no S3 bucket for the assessment report: the spec names none \
                     (assessment.bucket, assessment.role_arn) and the function has no \
                     DMSFLOW_ASSESSMENT_BUCKET and DMSFLOW_ASSESSMENT_ROLE_ARN (the template \
                     sets them to the stack's bucket and role)",
                ));
            }
        },
    };
    Ok(AssessmentRequest {
        task_arn: task.arn.clone(),
        name,
        role_arn,
        bucket,
        folder: format!("dmsflow/{}/", spec.run_id),
        include_only: spec.assessment.include.clone(),
        exclude: spec.assessment.exclude.clone(),
    })
}

fn epoch_seconds(now: SystemTime) -> u64 {
    now.duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn describe(detail: &mut AssessDetail, run: &AssessmentRun) {
    detail.assessment = Some(run.name.clone());
    detail.status = Some(run.status.clone());
    detail.report = Some(report_location(run));
}

fn report_location(run: &AssessmentRun) -> String {
    format!(
        "s3://{}/{}",
        run.bucket,
        run.folder.as_deref().unwrap_or_default()
    )
}

async fn individual<D: Dms>(dms: &D, run: &AssessmentRun) -> StepResult<Vec<IndividualAssessment>> {
    dms.individual_assessments(&run.arn).await.map_err(|f| {
        f.into_step_error(&format!(
            "reading the individual assessments of {}",
            run.name
        ))
    })
}

fn named(checks: &[IndividualAssessment], statuses: &[&str]) -> Vec<String> {
    checks
        .iter()
        .filter(|c| statuses.contains(&c.status.as_str()))
        .map(|c| c.name.clone())
        .collect()
}

/// `AssessmentFailed`: what failed, what DMS says, where the report is.
fn failed(
    run: &AssessmentRun,
    checks: &[IndividualAssessment],
    task: &Task,
    why: &str,
) -> StepError {
    let listed = |statuses: &[&str], label: &str| {
        let names = named(checks, statuses);
        (!names.is_empty()).then(|| format!("{label}: {}", names.join(", ")))
    };
    let mut parts: Vec<String> = [
        listed(&["failed"], "failed checks"),
        listed(&["error"], "checks that could not run"),
        listed(&["warning"], "warnings"),
    ]
    .into_iter()
    .flatten()
    .collect();
    if let Some(message) = &run.last_failure_message {
        parts.push(format!("DMS says: {message}"));
    }
    if !why.is_empty() {
        parts.push(why.to_string());
    }
    StepError::new(
        ErrorKind::AssessmentFailed,
        format!(
            "The premigration assessment {} of task {} ended {}; {}. Report: {}. The task was not started.",
            run.name,
            task.id,
            run.status,
            parts.join("; "),
            report_location(run)
        ),
    )
}

#[cfg(test)]
#[path = "assess_tests.rs"]
mod tests;
