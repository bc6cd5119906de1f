//! What the cleanup step does, with no I/O: the policy a reason and a spec give,
//! and the actions of one call given what the step observed.
//!
//! Deletion follows DMS's order across calls: stop the task if it runs (wait until
//! it has stopped; a serverless replication also until DMS has released its
//! capacity), delete it (wait until it is gone), delete both endpoints and
//! the instance (wait until they are gone), then the subnet group, the event
//! subscription, the alarms and the dashboard. Only the run's own resources (by tags) are
//! touched; anything else under the run's names is reported, never stopped or
//! deleted. Nothing is ever done to a subnet group the spec names (the user's).

use serde::{Deserialize, Serialize};

use crate::aws::dms::{EndpointRole, Task};
use crate::error::{ErrorKind, StepError, StepResult};
use crate::naming::Names;
use crate::plan::{
    INSTANCE_WAIT_SECONDS, Observed, Resource, SHORT_WAIT_SECONDS, Seen, foreign_labels,
};
use crate::spec::{AfterCompletion, Keep, MigrationSpec};

/// Why the cleanup runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Reason {
    /// The run met its completion criterion.
    Success,
    /// The run failed.
    Failure,
    /// A cleanup-only execution: tear the run down.
    Teardown,
}

/// What the cleanup does to the run's resources.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Policy {
    /// Delete everything the run owns.
    pub delete: bool,
    /// Stop the task (when deleting, it is always stopped first).
    pub stop_task: bool,
}

/// The policy for `reason`: success follows `cleanup.on_success` (and stops the
/// task when `completion.then` is stop-and-clean-up), failure `cleanup.on_failure`
/// and always stops the task, teardown deletes everything. Success and failure
/// need the spec.
pub fn policy(reason: Reason, spec: Option<&MigrationSpec>) -> StepResult<Policy> {
    let needs_spec = || {
        StepError::new(
            ErrorKind::InvalidSpec,
            format!(
                "a cleanup for {} needs the run's spec (its cleanup policy); pass `spec`, or \
                 use reason `teardown` to delete everything the run owns",
                match reason {
                    Reason::Success => "success",
                    _ => "failure",
                }
            ),
        )
    };
    let deleting = |keep: Keep| keep == Keep::Delete;
    Ok(match reason {
        Reason::Teardown => Policy {
            delete: true,
            stop_task: true,
        },
        Reason::Success => {
            let spec = spec.ok_or_else(needs_spec)?;
            let delete = deleting(spec.cleanup.on_success);
            Policy {
                delete,
                stop_task: delete || spec.completion.then == AfterCompletion::StopAndCleanUp,
            }
        }
        // A failed run is no longer watched, so its task is stopped even when the
        // resources are kept for inspection: replication must not go on unattended.
        Reason::Failure => Policy {
            delete: deleting(spec.ok_or_else(needs_spec)?.cleanup.on_failure),
            stop_task: true,
        },
    })
}

/// One cleanup action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    StopTask { arn: String },
    DeleteTask { arn: String },
    DeleteEndpoint { role: EndpointRole, arn: String },
    DeleteInstance { arn: String },
    DeleteSubnetGroup { id: String },
    DeleteEventSubscription { name: String },
    DeleteAlarms { names: Vec<String> },
    DeleteDashboard { name: String },
}

impl Action {
    /// The resources the action is about.
    pub fn resources(&self) -> Vec<Resource> {
        match self {
            Action::StopTask { arn } | Action::DeleteTask { arn } => {
                vec![Resource::replication_of(arn)]
            }
            Action::DeleteEndpoint { role, .. } => vec![Resource::Endpoint(*role)],
            Action::DeleteInstance { .. } => vec![Resource::Instance],
            Action::DeleteSubnetGroup { .. } => vec![Resource::SubnetGroup],
            Action::DeleteEventSubscription { .. } => vec![Resource::EventSubscription],
            Action::DeleteAlarms { names } => names.iter().cloned().map(Resource::Alarm).collect(),
            Action::DeleteDashboard { .. } => vec![Resource::Dashboard],
        }
    }
}

/// The cleanup of one call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CleanupPlan {
    /// In order; each only once the ones before it are accepted.
    pub actions: Vec<Action>,
    /// What the next call waits for; `None` when the cleanup is complete once
    /// `actions` are done.
    pub waiting_for: Option<String>,
    /// Seconds to the next call, when waiting.
    pub wait_seconds: u32,
    /// The run's resources the policy keeps.
    pub kept: Vec<String>,
    /// The run's resources that still exist and are not deleted by this call.
    pub remaining: Vec<String>,
    /// Resources under the run's names without its tags: left alone.
    pub skipped_foreign: Vec<String>,
}

/// Task states in which DMS stops a task.
const RUNNING: [&str; 2] = ["running", "starting"];
/// Task states from which DMS deletes a task.
const DELETABLE_TASK: [&str; 4] = ["ready", "stopped", "failed", "failed-move"];
/// Instance states that end by themselves (DMS refuses a delete meanwhile).
const INSTANCE_BUSY: [&str; 6] = [
    "creating",
    "modifying",
    "upgrading",
    "rebooting",
    "maintenance",
    "resetting-master-credentials",
];

/// The run's own resources that exist, in deletion order.
fn owned(observed: &Observed) -> Vec<Resource> {
    let ours = |seen_ours: bool, resource: Resource| seen_ours.then_some(resource);
    [
        match &observed.task {
            Seen::Ours(task) => Some(Resource::replication_of(&task.arn)),
            _ => None,
        },
        ours(
            is_ours(&observed.source),
            Resource::Endpoint(EndpointRole::Source),
        ),
        ours(
            is_ours(&observed.target),
            Resource::Endpoint(EndpointRole::Target),
        ),
        ours(is_ours(&observed.instance), Resource::Instance),
        ours(is_ours(&observed.subnet_group), Resource::SubnetGroup),
        ours(is_ours(&observed.subscription), Resource::EventSubscription),
    ]
    .into_iter()
    .flatten()
    .chain(
        observed
            .alarms
            .iter()
            .filter(|(_, ours)| **ours)
            .map(|(name, _)| Resource::Alarm(name.clone())),
    )
    .chain(is_ours(&observed.dashboard).then_some(Resource::Dashboard))
    .collect()
}

fn is_ours<T>(seen: &Seen<T>) -> bool {
    matches!(seen, Seen::Ours(_))
}

struct Planner<'a> {
    names: &'a Names,
    actions: Vec<Action>,
    waits: Vec<String>,
    wait_seconds: u32,
}

impl Planner<'_> {
    fn wait(&mut self, seconds: u32, resource: Resource, what: String) {
        self.waits
            .push(format!("{} {what}", resource.label(self.names)));
        self.wait_seconds = self.wait_seconds.max(seconds);
    }

    /// The task (or replication config): stopped when it runs and the policy
    /// stops it; deleted when the policy deletes. A serverless replication is
    /// deleted only once DMS has released its capacity (provision state
    /// `deprovisioned`): DMS keeps it for a while after a stop or a failure, and
    /// DeleteReplicationConfig is refused meanwhile (docs/dms-serverless.md).
    fn task(&mut self, seen: &Seen<Task>, policy: Policy) {
        let Seen::Ours(task) = seen else { return };
        let status = task.status.as_str();
        let arn = task.arn.clone();
        let resource = Resource::replication_of(&arn);
        let holding = task.provisioning.as_ref().filter(|p| !p.released());
        if policy.stop_task && RUNNING.contains(&status) {
            self.actions.push(Action::StopTask { arn });
            self.wait(SHORT_WAIT_SECONDS, resource, "to stop".into());
        } else if policy.stop_task && status == "stopping" {
            self.wait(SHORT_WAIT_SECONDS, resource, "to stop".into());
        } else if let (true, Some(provisioning)) = (policy.delete, holding) {
            let what = format!(
                "to release its capacity (provision state {})",
                provisioning.state
            );
            self.wait(INSTANCE_WAIT_SECONDS, resource, what);
        } else if policy.delete && DELETABLE_TASK.contains(&status) {
            self.actions.push(Action::DeleteTask { arn });
            self.wait(SHORT_WAIT_SECONDS, resource, "to be deleted".into());
        } else if policy.delete {
            let what = format!("to be deletable (it is {status})");
            self.wait(SHORT_WAIT_SECONDS, resource, what);
        }
    }

    /// Endpoints and instance, once the task is gone.
    fn endpoints_and_instance(&mut self, observed: &Observed) {
        for (role, seen) in [
            (EndpointRole::Source, &observed.source),
            (EndpointRole::Target, &observed.target),
        ] {
            let Seen::Ours(endpoint) = seen else { continue };
            if endpoint.status != "deleting" {
                let arn = endpoint.arn.clone();
                self.actions.push(Action::DeleteEndpoint { role, arn });
            }
            let what = "to be deleted".to_string();
            self.wait(SHORT_WAIT_SECONDS, Resource::Endpoint(role), what);
        }
        if let Seen::Ours(instance) = &observed.instance {
            let status = instance.status.as_str();
            let what = if INSTANCE_BUSY.contains(&status) {
                format!("to be deletable (it is {status})")
            } else {
                if status != "deleting" {
                    let arn = instance.arn.clone();
                    self.actions.push(Action::DeleteInstance { arn });
                }
                "to be deleted".to_string()
            };
            self.wait(INSTANCE_WAIT_SECONDS, Resource::Instance, what);
        }
    }

    /// Subnet group, event subscription, alarms and dashboard, which DMS and
    /// CloudWatch delete at once.
    fn the_rest(&mut self, observed: &Observed) {
        if let Seen::Ours(group) = &observed.subnet_group {
            let id = group.id.clone();
            self.actions.push(Action::DeleteSubnetGroup { id });
        }
        if let Seen::Ours(subscription) = &observed.subscription {
            let name = subscription.name.clone();
            self.actions.push(Action::DeleteEventSubscription { name });
        }
        let names: Vec<String> = observed
            .alarms
            .iter()
            .filter(|(_, ours)| **ours)
            .map(|(name, _)| name.clone())
            .collect();
        if !names.is_empty() {
            self.actions.push(Action::DeleteAlarms { names });
        }
        if let Seen::Ours(name) = &observed.dashboard {
            let name = name.clone();
            self.actions.push(Action::DeleteDashboard { name });
        }
    }
}

/// The actions of one cleanup call. `observed` holds only what the step may
/// consider (never a subnet group the spec names).
pub fn plan(names: &Names, policy: Policy, observed: &Observed) -> CleanupPlan {
    let owned = owned(observed);
    let mut planner = Planner {
        names,
        actions: Vec::new(),
        waits: Vec::new(),
        wait_seconds: 0,
    };
    planner.task(&observed.task, policy);
    if policy.delete && planner.waits.is_empty() {
        planner.endpoints_and_instance(observed);
    }
    if policy.delete && planner.waits.is_empty() {
        planner.the_rest(observed);
    }
    let labels = |resources: Vec<Resource>| -> Vec<String> {
        resources.iter().map(|r| r.label(names)).collect()
    };
    let (kept, remaining) = if policy.delete {
        // Deleted at once by this call: gone. Everything else of the run remains.
        let gone: Vec<Resource> = planner
            .actions
            .iter()
            .filter(|a| {
                matches!(
                    a,
                    Action::DeleteSubnetGroup { .. }
                        | Action::DeleteEventSubscription { .. }
                        | Action::DeleteAlarms { .. }
                        | Action::DeleteDashboard { .. }
                )
            })
            .flat_map(Action::resources)
            .collect();
        let remaining = owned.into_iter().filter(|r| !gone.contains(r)).collect();
        (Vec::new(), labels(remaining))
    } else {
        (labels(owned), Vec::new())
    };
    CleanupPlan {
        actions: planner.actions,
        waiting_for: (!planner.waits.is_empty()).then(|| planner.waits.join("; ")),
        wait_seconds: planner.wait_seconds,
        kept,
        remaining,
        skipped_foreign: foreign_labels(names, observed),
    }
}

#[cfg(test)]
mod tests;
