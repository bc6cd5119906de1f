//! The create step's next action, given what it observed in the account.

use std::collections::BTreeMap;

use super::wanted_alarms;
use crate::aws::dms::{Endpoint, EndpointRole, EventSubscription, Instance, SubnetGroup, Task};
use crate::error::{ErrorKind, StepError};
use crate::naming::{self, Names};
use crate::spec::{Compute, MigrationSpec, Polling};

/// Seconds to wait while the replication instance is being created.
pub const INSTANCE_WAIT_SECONDS: u32 = 30;
/// Seconds to wait while an endpoint or the task is being created.
pub const SHORT_WAIT_SECONDS: u32 = 10;

/// What the create step found under one of the run's names.
#[derive(Debug, Clone, PartialEq)]
pub enum Seen<T> {
    Absent,
    /// Tagged as this run's.
    Ours(T),
    /// Present without this run's tags (or tags that could not be read).
    Foreign(T),
    /// The user's own resource named in the spec: used as is, never changed.
    Given(T),
}

impl<T> Seen<T> {
    pub fn get(&self) -> Option<&T> {
        match self {
            Seen::Absent => None,
            Seen::Ours(t) | Seen::Foreign(t) | Seen::Given(t) => Some(t),
        }
    }

    pub fn is_foreign(&self) -> bool {
        matches!(self, Seen::Foreign(_))
    }
}

/// Everything the create step observed.
#[derive(Debug, Clone, PartialEq)]
pub struct Observed {
    pub subnet_group: Seen<SubnetGroup>,
    pub instance: Seen<Instance>,
    pub source: Seen<Endpoint>,
    pub target: Seen<Endpoint>,
    pub task: Seen<Task>,
    pub subscription: Seen<EventSubscription>,
    /// The run's alarms that exist, by name: `true` when tagged as the run's.
    pub alarms: BTreeMap<String, bool>,
    /// The run's dashboard, by name (whose it is: [`crate::dashboard::is_runs`]).
    pub dashboard: Seen<String>,
}

impl Observed {
    pub fn nothing() -> Self {
        Self {
            subnet_group: Seen::Absent,
            instance: Seen::Absent,
            source: Seen::Absent,
            target: Seen::Absent,
            task: Seen::Absent,
            subscription: Seen::Absent,
            alarms: BTreeMap::new(),
            dashboard: Seen::Absent,
        }
    }
}

/// A resource the create step makes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resource {
    SubnetGroup,
    Instance,
    Endpoint(EndpointRole),
    Task,
    /// A DMS Serverless replication config (under the task's name: one name
    /// for the run's replication, whichever kind).
    ReplicationConfig,
    EventSubscription,
    Alarm(String),
    Dashboard,
}

impl Resource {
    /// The run's replication of the spec's compute: a task, or a replication config.
    pub fn replication(spec: &MigrationSpec) -> Resource {
        match spec.compute {
            Compute::Instance => Resource::Task,
            Compute::Serverless => Resource::ReplicationConfig,
        }
    }

    /// The replication a task or config ARN names.
    pub fn replication_of(arn: &str) -> Resource {
        if crate::aws::dms::is_config_arn(arn) {
            Resource::ReplicationConfig
        } else {
            Resource::Task
        }
    }

    /// What and which, for messages: `replication instance dmsflow-x-instance`.
    pub fn label(&self, names: &Names) -> String {
        match self {
            Resource::SubnetGroup => format!("replication subnet group {}", names.subnet_group),
            Resource::Instance => format!("replication instance {}", names.instance),
            Resource::Endpoint(EndpointRole::Source) => {
                format!("endpoint {}", names.source_endpoint)
            }
            Resource::Endpoint(EndpointRole::Target) => {
                format!("endpoint {}", names.target_endpoint)
            }
            Resource::Task => format!("replication task {}", names.task),
            Resource::ReplicationConfig => format!("replication config {}", names.task),
            Resource::EventSubscription => {
                format!("event subscription {}", names.event_subscription)
            }
            Resource::Alarm(name) => format!("CloudWatch alarm {name}"),
            Resource::Dashboard => format!("CloudWatch dashboard {}", names.dashboard),
        }
    }
}

/// What the create step does next.
#[derive(Debug, Clone, PartialEq)]
pub enum Next {
    Create(Resource),
    /// Nothing to do now: call again in `seconds`.
    Wait {
        seconds: u32,
        waiting_for: String,
    },
    /// Every resource exists and is usable.
    Done,
    Fail(StepError),
}

/// A suggested wait kept within the spec's `polling` bounds.
pub fn wait_within(polling: &Polling, seconds: u32) -> u32 {
    let max = polling.max_wait_seconds.max(polling.min_wait_seconds);
    seconds.clamp(polling.min_wait_seconds, max)
}

fn wait(spec: &MigrationSpec, seconds: u32, waiting_for: String) -> Next {
    Next::Wait {
        seconds: wait_within(&spec.polling, seconds),
        waiting_for,
    }
}

fn conflict(spec: &MigrationSpec, foreign: &[String]) -> StepError {
    StepError::new(
        ErrorKind::ResourceConflict,
        format!(
            "{} already exist{} without this run's tags ({}={}, {}={}); dmsflow only adopts \
             resources it created for this run, so nothing was created or changed. Fix: choose \
             another run_id, or, if {} left over from an earlier run with this run_id, delete {} \
             or tag {} as this run's",
            foreign.join(", "),
            if foreign.len() == 1 { "s" } else { "" },
            naming::RUN_TAG,
            spec.run_id,
            naming::MANAGED_TAG,
            naming::MANAGED_VALUE,
            if foreign.len() == 1 {
                "it is"
            } else {
                "they are"
            },
            if foreign.len() == 1 { "it" } else { "them" },
            if foreign.len() == 1 { "it" } else { "them" },
        ),
    )
}

/// The labels of everything under the run's names that is not the run's.
pub fn foreign_labels(names: &Names, observed: &Observed) -> Vec<String> {
    [
        (Resource::SubnetGroup, observed.subnet_group.is_foreign()),
        (Resource::Instance, observed.instance.is_foreign()),
        (
            Resource::Endpoint(EndpointRole::Source),
            observed.source.is_foreign(),
        ),
        (
            Resource::Endpoint(EndpointRole::Target),
            observed.target.is_foreign(),
        ),
        (
            observed
                .task
                .get()
                .map_or(Resource::Task, |t| Resource::replication_of(&t.arn)),
            observed.task.is_foreign(),
        ),
        (
            Resource::EventSubscription,
            observed.subscription.is_foreign(),
        ),
        (Resource::Dashboard, observed.dashboard.is_foreign()),
    ]
    .into_iter()
    .chain(
        observed
            .alarms
            .iter()
            .map(|(name, ours)| (Resource::Alarm(name.clone()), !ours)),
    )
    .filter(|(_, foreign)| *foreign)
    .map(|(resource, _)| resource.label(names))
    .collect()
}

/// Splits a resource's state into "stop here" (`Err`) and "usable, or usable
/// after a wait" (`Ok`).
fn hold(state: Option<Next>) -> Result<Option<Next>, Next> {
    match state {
        None | Some(Next::Wait { .. }) => Ok(state),
        Some(stop) => Err(stop),
    }
}

/// The run's own resource is being deleted (by a cleanup of the run): not usable
/// now, and not to be recreated until it is gone.
fn deleting(what: &str, id: &str) -> StepError {
    StepError::new(
        ErrorKind::ResourceBusy,
        format!(
            "{what} {id} is deleting (a cleanup of this run is deleting it); run the workflow \
             again once it is gone"
        ),
    )
}

/// How the create step reads a replication instance's status.
fn instance_state(spec: &MigrationSpec, instance: &Instance) -> Option<Next> {
    let id = &instance.id;
    let status = instance.status.as_str();
    let fail = |kind, what: &str, fix: &str| {
        Some(Next::Fail(StepError::new(
            kind,
            format!("replication instance {id} is {status}: {what}. Fix: {fix}"),
        )))
    };
    match status {
        "available" => None,
        "deleting" | "deleted" => Some(Next::Fail(deleting("replication instance", id))),
        "failed" => fail(
            ErrorKind::AwsError,
            "DMS could not create it",
            "read the DMS events of the instance, run the cleanup, then run again",
        ),
        "incompatible-network" => fail(
            ErrorKind::InvalidRequest,
            "DMS cannot place it in the network given",
            "check network.subnet_ids (two Availability Zones, the same VPC as the security \
             groups) and that the account has the dms-vpc-role, run the cleanup, then run again",
        ),
        "storage-full" => fail(
            ErrorKind::QuotaExceeded,
            "its storage is full",
            "raise instance.allocated_storage_gb, run the cleanup, then run again",
        ),
        "inaccessible-encryption-credentials" => fail(
            ErrorKind::AccessDenied,
            "DMS cannot use its KMS key",
            "enable instance.kms_key_id and let DMS use it, or leave it out for the AWS-managed key",
        ),
        "incompatible-credentials" => fail(
            ErrorKind::AccessDenied,
            "DMS cannot use the credentials it needs",
            "check the dms-vpc-role and the KMS key, run the cleanup, then run again",
        ),
        _ => Some(wait(
            spec,
            INSTANCE_WAIT_SECONDS,
            format!("replication instance {id} to become available (it is {status})"),
        )),
    }
}

fn endpoint_state(spec: &MigrationSpec, endpoint: &Endpoint) -> Option<Next> {
    match endpoint.status.as_str() {
        "active" => None,
        "deleting" => Some(Next::Fail(deleting("endpoint", &endpoint.id))),
        other => Some(wait(
            spec,
            SHORT_WAIT_SECONDS,
            format!("endpoint {} to become active (it is {other})", endpoint.id),
        )),
    }
}

/// `None` when the task exists and is usable: ready, or any state of a task that
/// has been started (the later steps judge those).
fn task_state(spec: &MigrationSpec, task: &Task) -> Option<Next> {
    let id = &task.id;
    match task.status.as_str() {
        "ready" | "starting" | "running" | "stopping" | "stopped" | "failed" => None,
        "deleting" => Some(Next::Fail(deleting(task.kind(), id))),
        "failed-move" => Some(Next::Fail(StepError::new(
            ErrorKind::AwsError,
            format!(
                "replication task {id} is failed-move: a move to another instance failed. Fix: \
                 move it back in the DMS console, or run the cleanup and run again"
            ),
        ))),
        other => Some(wait(
            spec,
            SHORT_WAIT_SECONDS,
            format!("{} {id} to become ready (it is {other})", task.kind()),
        )),
    }
}

fn subscription_state(subscription: &EventSubscription) -> Option<Next> {
    let name = &subscription.name;
    let topic = &subscription.topic_arn;
    let error = match subscription.status.as_str() {
        "no-permission" => StepError::new(
            ErrorKind::AccessDenied,
            format!(
                "event subscription {name} is no-permission: DMS may not publish to {topic}. Fix: \
                 allow the service principal dms.amazonaws.com to sns:Publish in the topic's \
                 access policy (and to use its KMS key, if encrypted)"
            ),
        ),
        "topic-not-exist" => StepError::new(
            ErrorKind::InvalidRequest,
            format!(
                "event subscription {name} is topic-not-exist: {topic} does not exist. Fix: set \
                 notifications.sns_topic_arn to an existing topic in this region"
            ),
        ),
        "deleting" => deleting("event subscription", name),
        _ => return None,
    };
    Some(Next::Fail(error))
}

/// The next action of the create step, given what it observed. Order: refuse if
/// any name is taken by something not the run's; subnet group; instance; both
/// endpoints (while the instance is still being created); the task once the
/// instance is available and the endpoints active; the event subscription; the
/// alarms; the dashboard (which shows them); then wait for the task to be ready.
pub fn next(spec: &MigrationSpec, names: &Names, observed: &Observed) -> Next {
    match plan_next(spec, names, observed) {
        Ok(next) | Err(next) => next,
    }
}

/// [`next`], with `Err` for any answer that ends the walk early.
fn plan_next(spec: &MigrationSpec, names: &Names, observed: &Observed) -> Result<Next, Next> {
    let foreign = foreign_labels(names, observed);
    if !foreign.is_empty() {
        return Err(Next::Fail(conflict(spec, &foreign)));
    }
    match (&observed.subnet_group, &spec.network.subnet_group) {
        (Seen::Absent, None) => return Err(Next::Create(Resource::SubnetGroup)),
        (Seen::Absent, Some(given)) => {
            return Err(Next::Fail(StepError::new(
                ErrorKind::ResourceMissing,
                format!(
                    "replication subnet group {given} (network.subnet_group) does not exist in this \
                     account and region. Fix: create it, or give network.subnet_ids instead"
                ),
            )));
        }
        _ => {}
    }
    let serverless = spec.compute == Compute::Serverless;
    let instance_wait = if serverless {
        None
    } else {
        let instance = observed
            .instance
            .get()
            .ok_or(Next::Create(Resource::Instance))?;
        hold(instance_state(spec, instance))?
    };
    let mut endpoint_wait = None;
    for (role, seen) in [
        (EndpointRole::Source, &observed.source),
        (EndpointRole::Target, &observed.target),
    ] {
        let endpoint = seen.get().ok_or(Next::Create(Resource::Endpoint(role)))?;
        endpoint_wait = endpoint_wait.or(hold(endpoint_state(spec, endpoint))?);
    }
    if let Some(waiting) = instance_wait.or(endpoint_wait) {
        return Ok(waiting);
    }
    let task = observed
        .task
        .get()
        .ok_or(Next::Create(Resource::replication(spec)))?;
    let task_wait = hold(task_state(spec, task))?;
    // DMS's event subscriptions take replication instances and tasks only
    // (CreateEventSubscription.SourceType, botocore's DMS model): a serverless
    // run has none, and its failures reach the topic through the workflow.
    if !serverless {
        let subscription = observed
            .subscription
            .get()
            .ok_or(Next::Create(Resource::EventSubscription))?;
        if let Some(stop) = subscription_state(subscription) {
            return Err(stop);
        }
    }
    if let Some(missing) = wanted_alarms(spec, names)
        .into_iter()
        .find(|name| !observed.alarms.contains_key(name))
    {
        return Ok(Next::Create(Resource::Alarm(missing)));
    }
    if observed.dashboard.get().is_none() {
        return Ok(Next::Create(Resource::Dashboard));
    }
    Ok(task_wait.unwrap_or(Next::Done))
}
