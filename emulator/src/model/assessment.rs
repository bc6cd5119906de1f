//! Premigration assessment runs (StartReplicationTaskAssessmentRun) and their
//! individual assessments, moving with the simulated clock.
//!
//! Sources are cited as in /work/notes/assessment-research.md: MODEL = botocore's
//! DMS model (botocore/data/dms/2016-01-01/service-2.json), UG-Runs = the DMS
//! user guide's "Specifying, starting, and viewing premigration assessment runs"
//! (CHAP_Tasks.PremigrationAssessmentRuns).
//!
//! A run is planned once, when StartReplicationTaskAssessmentRun is accepted
//! (its individual assessments, their order and their outcomes, from the
//! drills); everything after is a function of simulated time: `starting` for
//! [`timing::ASSESSMENT_STARTING`], `provisioning` for
//! [`timing::ASSESSMENT_PROVISIONING`], then `running` while the individual
//! assessments run one after another, [`timing::INDIVIDUAL_ASSESSMENT`] each
//! (the run statuses and their order are MODEL's ReplicationTaskAssessmentRun.Status;
//! the durations, and that the assessments run one at a time, are the
//! emulator's choice).

use std::time::SystemTime;

use serde_json::{Value, json};

use super::task::{Task, TaskStatus};
use super::{Tags, World, timing};
use crate::protocol::epoch;

/// How an individual assessment ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Passed,
    Warning,
    Failed,
    Error,
}

impl Outcome {
    /// ReplicationTaskIndividualAssessment.Status values (MODEL lists `passed`,
    /// `failed`, `error`; UG-Runs adds `warning`, "completed with a warning status").
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Passed => "passed",
            Outcome::Warning => "warning",
            Outcome::Failed => "failed",
            Outcome::Error => "error",
        }
    }
}

/// One individual assessment of a run (MODEL `ReplicationTaskIndividualAssessment`).
#[derive(Debug, Clone)]
pub struct IndividualAssessment {
    pub arn: String,
    pub name: String,
    /// Simulated time it starts running.
    pub start: f64,
    pub outcome: Outcome,
}

impl IndividualAssessment {
    pub fn end(&self) -> f64 {
        self.start + timing::INDIVIDUAL_ASSESSMENT
    }

    /// `pending` (waiting to run), `running`, then its outcome (MODEL and UG-Runs
    /// statuses).
    pub fn status(&self, now: f64) -> &'static str {
        if now < self.start {
            "pending"
        } else if now < self.end() {
            "running"
        } else {
            self.outcome.as_str()
        }
    }

    pub fn to_json(&self, world: &World, run_arn: &str) -> Value {
        let mut v = json!({
            "ReplicationTaskIndividualAssessmentArn": self.arn,
            "ReplicationTaskAssessmentRunArn": run_arn,
            "IndividualAssessmentName": self.name,
            "Status": self.status(world.now),
        });
        // "Date when this individual assessment was started as part of running the
        // StartReplicationTaskAssessmentRun operation" (MODEL, the SDKs' shared
        // text): absent until then.
        if world.now >= self.start {
            v["ReplicationTaskIndividualAssessmentStartDate"] = epoch(world.wall(self.start));
        }
        v
    }
}

/// A premigration assessment run (MODEL `ReplicationTaskAssessmentRun`).
#[derive(Debug, Clone)]
pub struct AssessmentRun {
    pub arn: String,
    pub task_arn: String,
    /// The task's replication instance when the run started (the
    /// `replication-instance-arn` filter of DescribeReplicationTaskAssessmentRuns).
    pub instance_arn: String,
    pub name: String,
    pub role_arn: String,
    pub bucket: String,
    pub folder: Option<String>,
    pub encryption_mode: String,
    pub kms_key_arn: Option<String>,
    pub created: SystemTime,
    /// Simulated time of the start call.
    pub begin: f64,
    pub assessments: Vec<IndividualAssessment>,
    pub tags: Tags,
    /// The task's status before the run; it returns to it when the run ends.
    pub task_status_before: TaskStatus,
    /// The run has ended and given its task back.
    pub released: bool,
}

/// When a run that began at `begin` starts running its individual assessments.
pub fn running_from(begin: f64) -> f64 {
    begin + timing::ASSESSMENT_STARTING + timing::ASSESSMENT_PROVISIONING
}

impl AssessmentRun {
    /// When the run ends (its last individual assessment ends).
    pub fn end(&self) -> f64 {
        self.assessments
            .iter()
            .map(IndividualAssessment::end)
            .fold(running_from(self.begin), f64::max)
    }

    pub fn status(&self, now: f64) -> &'static str {
        if now < self.begin + timing::ASSESSMENT_STARTING {
            "starting"
        } else if now < running_from(self.begin) {
            "provisioning"
        } else if now < self.end() {
            "running"
        } else {
            self.result()
        }
    }

    pub fn terminal(&self, now: f64) -> bool {
        now >= self.end()
    }

    /// The terminal status, by UG-Runs' precedence: `failed` "takes priority over
    /// all other statuses, including error conditions"; `error-executing` ("An
    /// internal error occurred while individual assessments ran") only when none
    /// failed; `warning` when one has a warning "and no assessments have failed or
    /// error statuses", or when "all individual assessments were skipped" (MODEL;
    /// a run with no assessment at all, left by `Exclude`, counts as that here,
    /// the emulator's choice); else `passed`. That an individual assessment's
    /// `error` makes the run `error-executing` is the emulator's reading of those
    /// two texts.
    pub fn result(&self) -> &'static str {
        let any = |o: Outcome| self.assessments.iter().any(|a| a.outcome == o);
        if any(Outcome::Failed) {
            "failed"
        } else if any(Outcome::Error) {
            "error-executing"
        } else if any(Outcome::Warning) || self.assessments.is_empty() {
            "warning"
        } else {
            "passed"
        }
    }

    fn named(&self, outcome: Outcome) -> Vec<&str> {
        self.assessments
            .iter()
            .filter(|a| a.outcome == outcome)
            .map(|a| a.name.as_str())
            .collect()
    }

    /// `LastFailureMessage`, "Last message generated by an individual assessment
    /// failure" (MODEL), on a `failed` or `error-executing` run. Its text is not
    /// documented; this one, naming the assessments, is the emulator's choice.
    pub fn failure_message(&self) -> Option<String> {
        let location = match &self.folder {
            Some(f) if !f.is_empty() => format!("s3://{}/{}", self.bucket, f),
            _ => format!("s3://{}", self.bucket),
        };
        match self.result() {
            "failed" => Some(format!(
                "Individual assessment(s) failed: {}. See the assessment results in {location}.",
                self.named(Outcome::Failed).join(", ")
            )),
            "error-executing" => Some(format!(
                "Individual assessment(s) did not complete: {}. See the assessment results in {location}.",
                self.named(Outcome::Error).join(", ")
            )),
            _ => None,
        }
    }

    pub fn to_json(&self, world: &World, latest: bool) -> Value {
        let now = world.now;
        let done = self.assessments.iter().filter(|a| now >= a.end()).count();
        let mut v = json!({
            "ReplicationTaskAssessmentRunArn": self.arn,
            "ReplicationTaskArn": self.task_arn,
            "Status": self.status(now),
            "ReplicationTaskAssessmentRunCreationDate": epoch(self.created),
            "AssessmentProgress": {
                "IndividualAssessmentCount": self.assessments.len(),
                "IndividualAssessmentCompletedCount": done,
            },
            "ServiceAccessRoleArn": self.role_arn,
            "ResultLocationBucket": self.bucket,
            "ResultEncryptionMode": self.encryption_mode,
            "AssessmentRunName": self.name,
            "IsLatestTaskAssessmentRun": latest,
        });
        let obj = v.as_object_mut().expect("object");
        if let Some(f) = &self.folder {
            obj.insert("ResultLocationFolder".into(), json!(f));
        }
        if let Some(k) = &self.kms_key_arn {
            obj.insert("ResultKmsKeyArn".into(), json!(k));
        }
        if self.terminal(now) {
            // "The result statistics for a completed assessment run" (MODEL).
            let count = |o: Outcome| self.assessments.iter().filter(|a| a.outcome == o).count();
            obj.insert(
                "ResultStatistic".into(),
                json!({
                    "Passed": count(Outcome::Passed),
                    "Failed": count(Outcome::Failed),
                    "Error": count(Outcome::Error),
                    "Warning": count(Outcome::Warning),
                    "Cancelled": 0,
                    "Skipped": 0,
                }),
            );
            if let Some(m) = self.failure_message() {
                obj.insert("LastFailureMessage".into(), json!(m));
            }
        }
        v
    }
}

/// `IsLatestTaskAssessmentRun`: the newest run of its task ("Indicates that the
/// following PreflightAssessmentRun is the latest for the ReplicationTask", the
/// aws-cli/SDK text of MODEL's member; a task keeps many runs).
pub fn is_latest(runs: &[AssessmentRun], run: &AssessmentRun) -> bool {
    runs.iter()
        .rev()
        .find(|r| r.task_arn == run.task_arn)
        .is_some_and(|r| r.arn == run.arn)
}

/// Gives each task whose run has ended by `now` its status back: the task is
/// `testing` only while the run is under way (MODEL, ReplicationTask.Status).
pub fn release_tasks(runs: &mut [AssessmentRun], tasks: &mut [Task], now: f64) {
    for run in runs.iter_mut().filter(|r| !r.released) {
        let end = run.end();
        if now < end {
            continue;
        }
        run.released = true;
        if let Some(task) = tasks.iter_mut().find(|t| t.arn == run.task_arn)
            && task.status == TaskStatus::Testing
        {
            task.status = run.task_status_before;
            task.since = end;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(outcomes: &[Outcome]) -> AssessmentRun {
        let from = running_from(0.0);
        AssessmentRun {
            arn: "arn:run".into(),
            task_arn: "arn:task".into(),
            instance_arn: "arn:ri".into(),
            name: "r".into(),
            role_arn: "arn:role".into(),
            bucket: "b".into(),
            folder: None,
            encryption_mode: "NONE".into(),
            kms_key_arn: None,
            created: SystemTime::now(),
            begin: 0.0,
            assessments: outcomes
                .iter()
                .enumerate()
                .map(|(i, o)| IndividualAssessment {
                    arn: format!("arn:ia{i}"),
                    name: format!("check-{i}"),
                    start: from + i as f64 * timing::INDIVIDUAL_ASSESSMENT,
                    outcome: *o,
                })
                .collect(),
            tags: Vec::new(),
            task_status_before: TaskStatus::Ready,
            released: false,
        }
    }

    #[test]
    fn statuses_follow_the_clock() {
        use Outcome::*;
        let r = run(&[Passed, Passed]);
        assert_eq!(r.status(0.0), "starting");
        assert_eq!(r.status(timing::ASSESSMENT_STARTING), "provisioning");
        let from = running_from(0.0);
        assert_eq!(r.status(from), "running");
        assert_eq!(r.assessments[0].status(from), "running");
        assert_eq!(r.assessments[1].status(from), "pending");
        assert_eq!(r.status(r.end()), "passed");
        assert_eq!(r.assessments[1].status(r.end()), "passed");
        assert!(r.end() < 300.0);
    }

    #[test]
    fn failed_wins_then_error_then_warning() {
        use Outcome::*;
        assert_eq!(run(&[Warning, Error, Failed]).result(), "failed");
        assert_eq!(run(&[Warning, Error]).result(), "error-executing");
        assert_eq!(run(&[Passed, Warning]).result(), "warning");
        assert_eq!(run(&[]).result(), "warning");
        let failed = run(&[Passed, Failed, Failed]);
        let msg = failed.failure_message().unwrap();
        assert!(msg.contains("check-1, check-2"), "{msg}");
        assert!(run(&[Warning]).failure_message().is_none());
    }
}
