//! StartReplicationTaskAssessmentRun, DescribeReplicationTaskAssessmentRuns and
//! DescribeReplicationTaskIndividualAssessments: premigration assessment runs.
//!
//! Sources as cited in /work/notes/assessment-research.md: MODEL = botocore's DMS
//! model (botocore/data/dms/2016-01-01/service-2.json); API-Start, API-DRuns,
//! API-DInd = the DMS API reference pages of these operations; UG-Runs = the DMS
//! user guide, "Specifying, starting, and viewing premigration assessment runs".
//! Not modelled: the reports DMS writes to S3 (nothing is written, and the
//! bucket, role and KMS key are not checked: no S3*/KMS*/AccessDenied faults),
//! CancelReplicationTaskAssessmentRun, DeleteReplicationTaskAssessmentRun,
//! DescribeApplicableIndividualAssessments, and the legacy
//! StartReplicationTaskAssessment.

use serde_json::{Value, json};

use super::tasks::find;
use crate::drills;
use crate::faults::{Fault, OpResult};
use crate::ids;
use crate::model::World;
use crate::model::assessment::{self, AssessmentRun, IndividualAssessment, Outcome};
use crate::model::assessment_names::applicable;
use crate::model::task::TaskStatus;
use crate::model::timing;
use crate::paging;
use crate::protocol::Req;

pub fn start(w: &mut World, req: &Req) -> OpResult {
    // Required: ReplicationTaskArn, ServiceAccessRoleArn, ResultLocationBucket,
    // AssessmentRunName (MODEL; API-Start).
    req.str_req("ReplicationTaskArn")?;
    let role = req.str_req("ServiceAccessRoleArn")?.to_string();
    let bucket = req.str_req("ResultLocationBucket")?.to_string();
    let name = req.str_req("AssessmentRunName")?.to_string();
    let include = req.strings("IncludeOnly")?;
    let exclude = req.strings("Exclude")?;
    // "You can't set a value for IncludeOnly if you also set a value for Exclude"
    // (API-Start, and the reverse under Exclude). The fault DMS answers is not
    // documented (the operation's modelled faults have no InvalidParameter*): the
    // emulator's choice, the fault it answers for other parameters that go not
    // together (CdcStartTime with CdcStartPosition; DMS answers this unmodelled
    // fault for a rerun's start-replication, see `task_run::START_REPLICATION_RERUN`).
    if !include.is_empty() && !exclude.is_empty() {
        return Err(Fault::invalid_combination(
            "You can't set a value for IncludeOnly if you also set a value for Exclude.",
        ));
    }
    let tags = req.tags("Tags")?;
    let idx = find(w, req)?;
    let now = w.now;
    let task = &w.tasks[idx];
    // A run already under way on this task: the task is `testing` (MODEL,
    // ReplicationTask.Status). Whether DMS allows a second run at once is not
    // documented; refusing it with InvalidResourceStateFault ("The resource is in a
    // state that prevents it from being used", a fault MODEL lists here) is inferred.
    if let Some(busy) = w
        .assessment_runs
        .iter()
        .find(|r| r.task_arn == task.arn && !r.terminal(now))
    {
        return Err(Fault::invalid_state(format!(
            "Replication task {} is being assessed (status: testing): assessment run {} has not finished.",
            task.id, busy.name
        )));
    }
    // The task states the operation accepts are not documented. `ready` is (the
    // terraform-provider-aws acceptance test starts a run on a never-started task,
    // and UG-Runs offers a run "for a new or existing task"); `stopped` and
    // `failed` are inferred, as the states a task rests in; the rest are refused
    // with InvalidResourceStateFault (inferred).
    if !matches!(
        task.status,
        TaskStatus::Ready | TaskStatus::Stopped | TaskStatus::Failed
    ) {
        return Err(Fault::invalid_state(format!(
            "Replication task {} cannot be assessed in its current state: {}. Only a ready, stopped or failed task can be assessed.",
            task.id,
            task.status.as_str()
        )));
    }
    // "Unique name to identify the assessment run" (MODEL). Unique within what is
    // not documented: here, every run in the region; the fault is MODEL's
    // ResourceAlreadyExistsFault ("The resource you are attempting to create
    // already exists"), inferred.
    if w.assessment_runs.iter().any(|r| r.name == name) {
        return Err(Fault::already_exists(format!(
            "An assessment run named {name} already exists."
        )));
    }
    // How the emulator knows the source engine: the task's SourceEndpointArn
    // (and TargetEndpointArn) name endpoints with their EngineName.
    let engine = |arn: &str| {
        w.endpoint(arn)
            .map(|e| e.engine.to_ascii_lowercase())
            .unwrap_or_default()
    };
    let mut names = applicable(
        &engine(&task.source_arn),
        &engine(&task.target_arn),
        &task.migration_type,
    );
    // IncludeOnly/Exclude take names "from DescribeApplicableIndividualAssessments"
    // (API-Start). The answer to a name that is not applicable is not documented:
    // the emulator's choice is InvalidParameterValueException.
    if let Some(bad) = include.iter().chain(&exclude).find(|n| !names.contains(n)) {
        return Err(Fault::invalid_parameter(format!(
            "{bad} is not an individual assessment applicable to replication task {}. Applicable: {}",
            task.id,
            names.join(", ")
        )));
    }
    if !include.is_empty() {
        names.retain(|n| include.contains(n));
    }
    names.retain(|n| !exclude.contains(n));
    let drill = |key: &str| {
        drills::value(&w.scenario, &task.tags, &task.id, key)
            .map(|v| drills::assessment_names(&v, &names))
            .unwrap_or_default()
    };
    let (failed, errored, warned) = (
        drill(drills::ASSESSMENT_FAIL),
        drill(drills::ASSESSMENT_ERROR),
        drill(drills::ASSESSMENT_WARNING),
    );
    let (task_arn, instance_arn, before) =
        (task.arn.clone(), task.instance_arn.clone(), task.status);
    let from = assessment::running_from(now);
    let mut assessments = Vec::new();
    for (i, n) in names.into_iter().enumerate() {
        let outcome = if failed.contains(&n) {
            Outcome::Failed
        } else if errored.contains(&n) {
            Outcome::Error
        } else if warned.contains(&n) {
            Outcome::Warning
        } else {
            Outcome::Passed
        };
        assessments.push(IndividualAssessment {
            arn: ids::arn("individual-assessment", &w.rng.arn_suffix()),
            name: n,
            start: from + i as f64 * timing::INDIVIDUAL_ASSESSMENT,
            outcome,
        });
    }
    let run = AssessmentRun {
        arn: ids::arn("assessment-run", &w.rng.arn_suffix()),
        task_arn,
        instance_arn,
        name,
        role_arn: role,
        bucket,
        folder: req.str_opt("ResultLocationFolder")?.map(str::to_string),
        // Not sent: the API reference's examples answer "ResultEncryptionMode":
        // "NONE". The values ("SSE_S3" or "SSE_KMS") are not checked: MODEL has no
        // enum, and DMS's answer to another value is not documented.
        encryption_mode: req
            .str_opt("ResultEncryptionMode")?
            .filter(|m| !m.is_empty())
            .unwrap_or("NONE")
            .to_string(),
        kms_key_arn: req.str_opt("ResultKmsKeyArn")?.map(str::to_string),
        created: w.wall(now),
        begin: now,
        assessments,
        tags,
        task_status_before: before,
        released: false,
    };
    let task = &mut w.tasks[idx];
    task.status = TaskStatus::Testing;
    task.since = now;
    let out = json!({"ReplicationTaskAssessmentRun": run.to_json(w, true)});
    w.assessment_runs.push(run);
    Ok(out)
}

/// DescribeReplicationTaskAssessmentRuns: filters `replication-task-assessment-run-arn`,
/// `replication-task-arn`, `replication-instance-arn`, `status` (MODEL; API-DRuns).
/// "This operation doesn't return information about individual assessments."
pub fn describe_runs(w: &mut World, req: &Req) -> OpResult {
    let filters = req.filters()?;
    let now = w.now;
    let runs = paging::apply_filters(
        w.assessment_runs.iter().collect(),
        &filters,
        &[
            "replication-task-assessment-run-arn",
            "replication-task-arn",
            "replication-instance-arn",
            "status",
        ],
        |r, name| match name {
            "replication-task-assessment-run-arn" => vec![r.arn.clone()],
            "replication-task-arn" => vec![r.task_arn.clone()],
            "replication-instance-arn" => vec![r.instance_arn.clone()],
            _ => vec![r.status(now).to_string()],
        },
    )?;
    // The only fault MODEL lists is ResourceNotFoundFault; answering it for filters
    // that match nothing, as other DMS Describe* calls do, is inferred.
    if runs.is_empty() && !filters.is_empty() {
        return Err(paging::nothing_matched("assessment runs", &filters));
    }
    let rows: Vec<Value> = runs
        .iter()
        .map(|r| r.to_json(w, assessment::is_latest(&w.assessment_runs, r)))
        .collect();
    paged(req, "ReplicationTaskAssessmentRuns", rows)
}

/// DescribeReplicationTaskIndividualAssessments: filters
/// `replication-task-assessment-run-arn`, `replication-task-arn`, `status`
/// (MODEL; API-DInd).
pub fn describe_individual(w: &mut World, req: &Req) -> OpResult {
    let filters = req.filters()?;
    let now = w.now;
    let all: Vec<(&AssessmentRun, &IndividualAssessment)> = w
        .assessment_runs
        .iter()
        .flat_map(|r| r.assessments.iter().map(move |a| (r, a)))
        .collect();
    let items = paging::apply_filters(
        all,
        &filters,
        &[
            "replication-task-assessment-run-arn",
            "replication-task-arn",
            "status",
        ],
        |(r, a), name| match name {
            "replication-task-assessment-run-arn" => vec![r.arn.clone()],
            "replication-task-arn" => vec![r.task_arn.clone()],
            _ => vec![a.status(now).to_string()],
        },
    )?;
    if items.is_empty() && !filters.is_empty() {
        return Err(paging::nothing_matched("individual assessments", &filters));
    }
    let rows: Vec<Value> = items.iter().map(|(r, a)| a.to_json(w, &r.arn)).collect();
    paged(req, "ReplicationTaskIndividualAssessments", rows)
}

/// `Marker`/`MaxRecords` as the emulator pages DescribeReplicationTasks (default
/// 100, 20 to 100): neither operation documents its bounds (MODEL), so they are
/// the emulator's choice. Runs and assessments are listed oldest first (the
/// console lists runs "in reverse chronological order", UG-Runs; the API's order
/// is not documented).
fn paged(req: &Req, key: &str, rows: Vec<Value>) -> OpResult {
    let (page, marker) = paging::page(rows, req, 20, 100)?;
    let mut out = json!({ key: page });
    if let Some(m) = marker {
        out["Marker"] = json!(m);
    }
    Ok(out)
}

/// The task ARN a Describe* call of assessments was about, for the call log: the
/// one task every run or assessment answered belongs to, else the one the
/// filters name (a run ARN stands for its task). None when it is not one task.
pub fn task_arn_of_call(
    w: &World,
    operation: &str,
    request: &Value,
    response: Option<&Value>,
) -> Option<String> {
    let list = match operation {
        "DescribeReplicationTaskAssessmentRuns" => "ReplicationTaskAssessmentRuns",
        "DescribeReplicationTaskIndividualAssessments" => "ReplicationTaskIndividualAssessments",
        _ => return None,
    };
    let task_of_run = |arn: &str| {
        w.assessment_runs
            .iter()
            .find(|r| r.arn == arn)
            .map(|r| r.task_arn.clone())
    };
    let mut arns: Vec<String> = Vec::new();
    for item in response
        .and_then(|r| r.get(list))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let task = match item.get("ReplicationTaskArn").and_then(Value::as_str) {
            Some(t) => Some(t.to_string()),
            None => item
                .get("ReplicationTaskAssessmentRunArn")
                .and_then(Value::as_str)
                .and_then(task_of_run),
        };
        arns.extend(task);
    }
    if arns.is_empty() {
        for f in request
            .get("Filters")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let values = f
                .get("Values")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str);
            match f.get("Name").and_then(Value::as_str) {
                Some("replication-task-arn") => arns.extend(values.map(str::to_string)),
                Some("replication-task-assessment-run-arn") => {
                    arns.extend(values.filter_map(task_of_run))
                }
                _ => {}
            }
        }
    }
    arns.sort();
    arns.dedup();
    (arns.len() == 1).then(|| arns.remove(0))
}
