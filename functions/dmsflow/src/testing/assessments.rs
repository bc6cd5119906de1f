//! The in-memory DMS's premigration assessment runs.
//!
//! `start_assessment` refuses, as the emulator does, a task that is not `ready`,
//! `stopped` or `failed` (`Busy`), a task with an unfinished run (`Busy`) and a
//! name already used (`AlreadyExists`); the new run is `starting`, with no
//! individual assessments yet. Passive like the rest of the fake: tests finish a
//! run with `finish_assessment(task_id, status, &[(name, status)], message)`, or
//! seed one with `put_assessment(task_id, run, individual)`. `assessment_requests()`
//! lists what the code sent. Call log: `"start_assessment <task id>"`,
//! `"assessment_runs <task id>"`, `"individual_assessments <run name>"`.

use super::{DmsState, FakeDms};
use crate::aws::AwsFault;
use crate::aws::dms::{AssessmentRequest, AssessmentRun, IndividualAssessment};
use crate::aws::fault::AwsResult;

/// A run of a task, with its individual assessments.
#[derive(Debug, Clone)]
pub struct StoredRun {
    pub task_arn: String,
    pub run: AssessmentRun,
    pub individual: Vec<IndividualAssessment>,
}

const UNFINISHED: [&str; 3] = ["starting", "provisioning", "running"];

pub(super) fn start(s: &mut DmsState, request: &AssessmentRequest) -> AwsResult<AssessmentRun> {
    let id = s.id_of(&request.task_arn);
    s.recorder.call("start_assessment", &id)?;
    let status = s.task_by_arn(&request.task_arn)?.status.clone();
    if !matches!(status.as_str(), "ready" | "stopped" | "failed") {
        return Err(AwsFault::Busy(format!("task {id} is {status}")));
    }
    if s.assessments
        .iter()
        .any(|r| r.task_arn == request.task_arn && UNFINISHED.contains(&r.run.status.as_str()))
    {
        return Err(AwsFault::Busy(format!("task {id} is testing")));
    }
    if s.assessments.iter().any(|r| r.run.name == request.name) {
        return Err(AwsFault::AlreadyExists(format!(
            "assessment run {} already exists",
            request.name
        )));
    }
    let run = AssessmentRun {
        arn: super::arn("assessment-run", &format!("{id}-{}", s.assessments.len())),
        name: request.name.clone(),
        status: "starting".into(),
        created: Some(1_767_225_600 + s.assessments.len() as i64),
        last_failure_message: None,
        bucket: request.bucket.clone(),
        folder: Some(request.folder.clone()),
    };
    s.assessment_requests.push(request.clone());
    s.assessments.push(StoredRun {
        task_arn: request.task_arn.clone(),
        run: run.clone(),
        individual: Vec::new(),
    });
    Ok(run)
}

pub(super) fn runs(s: &mut DmsState, task_arn: &str) -> AwsResult<Vec<AssessmentRun>> {
    let id = s.id_of(task_arn);
    s.recorder.call("assessment_runs", &id)?;
    Ok(s.assessments
        .iter()
        .filter(|r| r.task_arn == task_arn)
        .map(|r| r.run.clone())
        .collect())
}

pub(super) fn individual(s: &mut DmsState, run_arn: &str) -> AwsResult<Vec<IndividualAssessment>> {
    let name = s
        .assessments
        .iter()
        .find(|r| r.run.arn == run_arn)
        .map_or_else(|| run_arn.to_string(), |r| r.run.name.clone());
    s.recorder.call("individual_assessments", &name)?;
    Ok(s.assessments
        .iter()
        .find(|r| r.run.arn == run_arn)
        .map(|r| r.individual.clone())
        .unwrap_or_default())
}

impl FakeDms {
    /// Ends the latest run of `task_id` with `status` and these individual results.
    pub fn finish_assessment(
        &self,
        task_id: &str,
        status: &str,
        individual: &[(&str, &str)],
        message: Option<&str>,
    ) {
        let mut s = self.state();
        let arn = s.tasks[task_id].arn.clone();
        let stored = s
            .assessments
            .iter_mut()
            .rev()
            .find(|r| r.task_arn == arn)
            .unwrap_or_else(|| panic!("task {task_id} has no assessment run"));
        stored.run.status = status.into();
        stored.run.last_failure_message = message.map(str::to_string);
        stored.individual = individual
            .iter()
            .map(|(name, status)| IndividualAssessment {
                name: name.to_string(),
                status: status.to_string(),
            })
            .collect();
    }

    /// Seeds a run of `task_id` (an earlier attempt's, say).
    pub fn put_assessment(&self, task_id: &str, run: AssessmentRun, individual: &[(&str, &str)]) {
        let mut s = self.state();
        let task_arn = s.tasks[task_id].arn.clone();
        let individual = individual
            .iter()
            .map(|(name, status)| IndividualAssessment {
                name: name.to_string(),
                status: status.to_string(),
            })
            .collect();
        s.assessments.push(StoredRun {
            task_arn,
            run,
            individual,
        });
    }

    /// The runs of a task, oldest first.
    pub fn assessments_of(&self, task_id: &str) -> Vec<AssessmentRun> {
        let s = self.state();
        let arn = s.tasks[task_id].arn.clone();
        s.assessments
            .iter()
            .filter(|r| r.task_arn == arn)
            .map(|r| r.run.clone())
            .collect()
    }

    /// What `start_assessment` was asked, in order.
    pub fn assessment_requests(&self) -> Vec<AssessmentRequest> {
        self.state().assessment_requests.clone()
    }
}
