//! In-memory test doubles of [`Dms`] and [`Metrics`] for the step handlers' tests.
//!
//! Deterministic and passive: a fake never moves a resource's status by itself;
//! tests move statuses explicitly.
//!
//! # `FakeDms`
//!
//! Resources live in maps keyed by identifier (subnet groups, instances,
//! endpoints, tasks, event subscriptions), each with its tags. ARNs are made by
//! [`arn`] (`arn:aws:dms:us-east-1:111122223333:<kind>:<ID>`, the identifier in
//! upper case, so an ARN is never equal to its identifier). As with DMS, subnet
//! groups and event subscriptions are described without an ARN; `tags` answers
//! for them under [`named_arn`] (`...:subgrp:<name>`, `...:es:<name>`).
//!
//! [`event`] wraps a payload in a Lambda event whose context names
//! [`FUNCTION_ARN`] (same account and region as the fake's ARNs).
//!
//! Seeding (any status): `put_subnet_group(subnet_group(id), tags)`,
//! `put_instance(instance(id, status), tags)`, `put_endpoint(endpoint(id, role, status), tags)`,
//! `put_task(task(id, status), tags)`, `put_event_subscription(event_subscription(name, topic), tags)`,
//! `put_connection(Connection {..})`, `set_table_stats(task_id, rows)`.
//! [`owned_tags`] gives the tags of a resource the run owns; [`foreign_tags`] those
//! of somebody else's.
//!
//! Moving things: `set_status(id, status)` (any kind of resource, by identifier or
//! name), `update_task(id, |task| ...)`, `remove(id)`, `finish_deleting()` (removes
//! everything whose status is `deleting`).
//!
//! `calls_starting_with(&dms, &metrics, &["create_", "put_alarm"])` and
//! `clear_calls(&dms, &metrics)` work on both fakes at once.
//!
//! Reading: `instance(id)`, `endpoint(id)`, `task(id)`, `subnet_group(id)`,
//! `event_subscription(name)`, `tags_of(id)`, `exists(id)`, and the requests the
//! code sent: `instance_request(id)`, `endpoint_request(id)`, `task_request(id)`,
//! `subnet_group_request(id)`, `event_subscription_request(name)`.
//!
//! Faults: `fail_next("create_instance", AwsFault::Throttled("slow down".into()))`
//! makes the next call of that operation (the trait method's name) fail; calling it
//! again queues another fault. A failed call changes nothing.
//! `hide_next("describe_instance")` makes the next describe of that kind answer
//! `None` although the resource exists (a race between a look and a create).
//!
//! Call log: `calls()` lists every call, failed ones included, as
//! `"<operation> <identifier>"`: the identifier of the resource the call names,
//! resolved from the ARN when the call takes an ARN (`"delete_instance dmsflow-x-instance"`).
//! `start_task` adds the start type (`"start_task dmsflow-x-task start-replication"`),
//! `modify_task_settings` logs only the task, `test_connection`/`describe_connection`
//! log `<instance id> <endpoint id>`. `calls_to("create_instance")` filters by
//! operation. `clear_calls()` empties the log.
//!
//! What the operations do, as DMS does:
//! - `create_*`: `AlreadyExists` when the identifier is taken. Subnet group
//!   `Complete`, instance `creating`, endpoint `active`, task `creating`, event
//!   subscription `creating`. `create_task` needs the instance `available` (else
//!   `Busy`) and the instance and endpoints to exist (else `NotFound`).
//! - `delete_*`: `Ok` when absent. Instances and tasks become `deleting` (remove
//!   them with `remove` or `finish_deleting`); endpoints, subnet groups and event
//!   subscriptions disappear at once. Refused with `Busy`: a task that is
//!   `running`/`starting`/`stopping`, an endpoint or instance a task still uses, a
//!   subnet group an instance still uses (the group its create request named; for
//!   a seeded `<base>-instance`, `<base>-subnets`).
//! - `start_task`: `ready`, `stopped` or `failed` -> `starting` (sets `start_date`
//!   on the first start); else `Busy`. `stop_task`: `running`/`starting` ->
//!   `stopping`; else `Busy`. `modify_task_settings`: `ready`, `stopped` or
//!   `failed` -> `modifying` with the new settings; else `Busy`.
//! - `test_connection`: records a connection in `testing`. `describe_connection`
//!   returns it (or `None`).
//! - `tags(arn)`: `NotFound` for an unknown resource.
//!
//! `reload_tables`: `Busy` unless the task is `running`, `Invalid` for 0 or more
//! than 10 tables; logs `"reload_tables <task id> <option> <schema.table>,..."` and
//! changes nothing (tests move the table statistics).
//!
//! Serverless replications (replication configs): see [`serverless`].
//!
//! Premigration assessment runs: see [`assessments`] (`finish_assessment`,
//! `put_assessment`, `assessments_of`, `assessment_requests`).
//!
//! # `FakeMetrics`
//!
//! Alarms by name with their tags (`put_alarm` upserts), `alarm(name)`,
//! dashboards by name with their tags (`put_foreign_dashboard(name, body, tags)`
//! seeds one, `dashboard_now(name)`; calls `"dashboard <name>"`, `"put_dashboard <name>"`,
//! `"delete_dashboard <name>"`),
//! `alarm_names_now()`, `put_foreign_alarm(request)` to seed one; published progress
//! in `published()`; `set_cdc_latency(..)` sets what `cdc_latency` answers. Same
//! `fail_next` / `calls` machinery (`"put_alarm <name>"`, `"delete_alarms <a>,<b>"`,
//! `"put_progress <run id>"`, `"alarm_names <prefix>"`, `"alarm_tags <name>"`,
//! `"cdc_latency <instance id> <task resource id>"`).

mod assessments;
mod serverless;

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Mutex, MutexGuard};

use crate::aws::AwsFault;
use crate::aws::dms::{
    AssessmentRequest, AssessmentRun, Connection, Dms, Endpoint, EndpointRequest, EndpointRole,
    EventSubscription, EventSubscriptionRequest, IndividualAssessment, Instance, InstanceRequest,
    Provisioning, ReloadOption, ReplicationConfigRequest, StartType, SubnetGroup,
    SubnetGroupRequest, TableName, TableStats, Tags, Task, TaskRequest,
};
use crate::aws::fault::AwsResult;
use crate::aws::metrics::{AlarmRequest, CdcLatency, DashboardFound, Datum, Metrics};
use crate::naming;
use crate::steps::start::FIRST_TIME_ONLY;

/// The ARN the fakes give a resource: `arn:aws:dms:us-east-1:111122223333:<kind>:<ID>`.
/// Kinds: `subgrp`, `rep`, `endpoint`, `task`, `es`.
pub fn arn(kind: &str, id: &str) -> String {
    format!(
        "arn:aws:dms:us-east-1:111122223333:{kind}:{}",
        id.to_uppercase()
    )
}

/// The tags of a resource owned by `run_id`.
pub fn owned_tags(run_id: &str) -> Tags {
    naming::run_tags(run_id, &Tags::new())
}

/// Tags of a resource somebody else made.
pub fn foreign_tags() -> Tags {
    Tags::from([("team".to_string(), "someone-else".to_string())])
}

/// The ARN of a DMS resource DMS describes without an ARN (subnet groups
/// `subgrp`, event subscriptions `es`): named after the resource, in the
/// account and region of [`FUNCTION_ARN`].
pub fn named_arn(kind: &str, name: &str) -> String {
    format!("arn:aws:dms:us-east-1:111122223333:{kind}:{name}")
}

/// The ARN of the function under test, as its Lambda context gives it.
pub const FUNCTION_ARN: &str = "arn:aws:lambda:us-east-1:111122223333:function:dmsflow-test";

/// A Lambda event carrying `payload`, invoked as [`FUNCTION_ARN`].
pub fn event(payload: serde_json::Value) -> lambda_runtime::LambdaEvent<serde_json::Value> {
    let mut context = lambda_runtime::Context::default();
    context.invoked_function_arn = FUNCTION_ARN.to_string();
    lambda_runtime::LambdaEvent::new(payload, context)
}

/// A subnet group in status `Complete`. Like DMS, without an ARN: its tags are
/// read through [`named_arn`]`("subgrp", id)`.
pub fn subnet_group(id: &str) -> SubnetGroup {
    SubnetGroup {
        id: id.into(),
        arn: None,
        status: "Complete".into(),
    }
}

/// A replication instance in `status`.
pub fn instance(id: &str, status: &str) -> Instance {
    Instance {
        id: id.into(),
        arn: arn("rep", id),
        status: status.into(),
    }
}

/// A postgres endpoint in `status`.
pub fn endpoint(id: &str, role: EndpointRole, status: &str) -> Endpoint {
    Endpoint {
        id: id.into(),
        arn: arn("endpoint", id),
        role,
        engine: "postgres".into(),
        status: status.into(),
    }
}

/// A full-load-and-cdc task in `status`, never started, wired to the instance and
/// endpoints of the same run (`<prefix>-task` -> `<prefix>-instance`, `-source`, `-target`).
pub fn task(id: &str, status: &str) -> Task {
    let base = id.strip_suffix("-task").unwrap_or(id);
    Task {
        id: id.into(),
        arn: arn("task", id),
        status: status.into(),
        migration_type: "full-load-and-cdc".into(),
        stop_reason: None,
        last_failure_message: None,
        settings: Some("{}".into()),
        start_date: None,
        stats: None,
        instance_arn: arn("rep", &format!("{base}-instance")),
        source_endpoint_arn: arn("endpoint", &format!("{base}-source")),
        target_endpoint_arn: arn("endpoint", &format!("{base}-target")),
        provisioning: None,
    }
}

/// A serverless replication `id` in `status` (task terms), with DMS's own
/// status and provision state as given.
pub fn replication_config(id: &str, status: &str, provision_state: &str) -> Task {
    Task {
        arn: arn("replication-config", id),
        settings: None,
        instance_arn: String::new(),
        provisioning: Some(Provisioning {
            replication_status: status.into(),
            state: provision_state.into(),
            ..Provisioning::default()
        }),
        ..task(id, status)
    }
}

/// An `active` event subscription. Like DMS, without an ARN: its tags are read
/// through [`named_arn`]`("es", name)`.
pub fn event_subscription(name: &str, topic_arn: &str) -> EventSubscription {
    EventSubscription {
        name: name.into(),
        arn: None,
        status: "active".into(),
        topic_arn: topic_arn.into(),
    }
}

/// Call log and injected faults, shared by both fakes.
#[doc(hidden)]
#[derive(Default)]
pub struct Recorder {
    calls: Vec<String>,
    faults: BTreeMap<String, VecDeque<AwsFault>>,
    /// Describe operations whose next call answers "absent".
    hidden: BTreeMap<String, u32>,
}

impl Recorder {
    /// Logs the call and returns the injected fault, if any.
    fn call(&mut self, operation: &str, subject: &str) -> AwsResult<()> {
        self.calls.push(format!("{operation} {subject}"));
        match self.faults.get_mut(operation).and_then(VecDeque::pop_front) {
            Some(fault) => Err(fault),
            None => Ok(()),
        }
    }

    /// Logs a describe call; `true` when it is to answer "absent" this time.
    fn describe(&mut self, operation: &str, subject: &str) -> AwsResult<bool> {
        self.call(operation, subject)?;
        Ok(match self.hidden.get_mut(operation) {
            Some(count) if *count > 0 => {
                *count -= 1;
                true
            }
            _ => false,
        })
    }

    fn calls_to(&self, operation: &str) -> Vec<String> {
        let prefix = format!("{operation} ");
        self.calls
            .iter()
            .filter(|c| c.starts_with(&prefix))
            .cloned()
            .collect()
    }
}

#[doc(hidden)]
#[derive(Default)]
pub struct DmsState {
    recorder: Recorder,
    subnet_groups: BTreeMap<String, SubnetGroup>,
    instances: BTreeMap<String, Instance>,
    endpoints: BTreeMap<String, Endpoint>,
    tasks: BTreeMap<String, Task>,
    subscriptions: BTreeMap<String, EventSubscription>,
    connections: BTreeMap<(String, String), Connection>,
    table_stats: BTreeMap<String, Vec<TableStats>>,
    /// Tags by identifier.
    tags: BTreeMap<String, Tags>,
    /// Identifier by ARN, for every resource ever known (so logs name deleted ones too).
    ids: BTreeMap<String, String>,
    subnet_group_requests: BTreeMap<String, SubnetGroupRequest>,
    instance_requests: BTreeMap<String, InstanceRequest>,
    endpoint_requests: BTreeMap<String, EndpointRequest>,
    task_requests: BTreeMap<String, TaskRequest>,
    config_requests: BTreeMap<String, ReplicationConfigRequest>,
    subscription_requests: BTreeMap<String, EventSubscriptionRequest>,
    assessments: Vec<assessments::StoredRun>,
    assessment_requests: Vec<AssessmentRequest>,
}

impl DmsState {
    fn id_of(&self, arn: &str) -> String {
        self.ids
            .get(arn)
            .cloned()
            .unwrap_or_else(|| arn.to_string())
    }

    fn exists(&self, id: &str) -> bool {
        self.subnet_groups.contains_key(id)
            || self.instances.contains_key(id)
            || self.endpoints.contains_key(id)
            || self.tasks.contains_key(id)
            || self.subscriptions.contains_key(id)
    }

    fn register(&mut self, id: &str, arn: Option<&str>, tags: Tags) {
        if let Some(arn) = arn {
            self.ids.insert(arn.to_string(), id.to_string());
        }
        self.tags.insert(id.to_string(), tags);
    }

    fn taken(&self, kind: &str, id: &str) -> AwsResult<()> {
        if self.exists(id) {
            return Err(AwsFault::AlreadyExists(format!(
                "{kind} {id} already exists"
            )));
        }
        Ok(())
    }

    /// The subnet group an instance uses: the one its create request named, or for a
    /// seeded instance `<base>-subnets` when its identifier is `<base>-instance`.
    fn group_of(&self, instance_id: &str) -> String {
        match self.instance_requests.get(instance_id) {
            Some(request) => request.subnet_group_id.clone(),
            None => {
                let base = instance_id.strip_suffix("-instance").unwrap_or(instance_id);
                format!("{base}-subnets")
            }
        }
    }

    fn task_uses(&self, arn: &str) -> Option<&Task> {
        self.tasks.values().find(|t| {
            t.instance_arn == arn || t.source_endpoint_arn == arn || t.target_endpoint_arn == arn
        })
    }

    fn task_by_arn(&mut self, arn: &str) -> AwsResult<&mut Task> {
        self.tasks
            .values_mut()
            .find(|t| t.arn == arn)
            .ok_or_else(|| AwsFault::NotFound(format!("no replication task {arn}")))
    }
}

/// State with a call log and injected faults.
#[doc(hidden)]
pub trait Recorded {
    fn recorder(&mut self) -> &mut Recorder;
}

impl Recorded for DmsState {
    fn recorder(&mut self) -> &mut Recorder {
        &mut self.recorder
    }
}

impl Recorded for MetricsState {
    fn recorder(&mut self) -> &mut Recorder {
        &mut self.recorder
    }
}

/// A fake: its state behind a lock. [`FakeDms`] and [`FakeMetrics`] are the two kinds.
#[derive(Default)]
pub struct Fake<S> {
    state: Mutex<S>,
}

/// In-memory [`Dms`]. See the module documentation.
pub type FakeDms = Fake<DmsState>;

/// In-memory [`Metrics`]. See the module documentation.
pub type FakeMetrics = Fake<MetricsState>;

impl<S: Default + Recorded> Fake<S> {
    pub fn new() -> Self {
        Self::default()
    }

    fn state(&self) -> MutexGuard<'_, S> {
        self.state.lock().expect("fake state lock")
    }

    /// The next call of `operation` (the trait method's name) fails with `fault`.
    pub fn fail_next(&self, operation: &str, fault: AwsFault) {
        self.state()
            .recorder()
            .faults
            .entry(operation.to_string())
            .or_default()
            .push_back(fault);
    }

    /// The next call of the describe operation `operation` answers "absent" even
    /// when the resource exists (a resource appearing between a step's look and its
    /// create, as when a retry races an earlier call).
    pub fn hide_next(&self, operation: &str) {
        *self
            .state()
            .recorder()
            .hidden
            .entry(operation.to_string())
            .or_default() += 1;
    }

    /// Every call so far, in order.
    pub fn calls(&self) -> Vec<String> {
        self.state().recorder().calls.clone()
    }

    /// The calls of one operation.
    pub fn calls_to(&self, operation: &str) -> Vec<String> {
        self.state().recorder().calls_to(operation)
    }

    /// Empties the call log.
    pub fn clear_calls(&self) {
        self.state().recorder().calls.clear();
    }
}

fn busy(message: String) -> AwsFault {
    AwsFault::Busy(message)
}

impl FakeDms {
    pub fn put_subnet_group(&self, group: SubnetGroup, tags: Tags) {
        let mut s = self.state();
        s.register(&group.id, Some(&named_arn("subgrp", &group.id)), tags);
        s.subnet_groups.insert(group.id.clone(), group);
    }

    pub fn put_instance(&self, instance: Instance, tags: Tags) {
        let mut s = self.state();
        s.register(&instance.id, Some(&instance.arn), tags);
        s.instances.insert(instance.id.clone(), instance);
    }

    pub fn put_endpoint(&self, endpoint: Endpoint, tags: Tags) {
        let mut s = self.state();
        s.register(&endpoint.id, Some(&endpoint.arn), tags);
        s.endpoints.insert(endpoint.id.clone(), endpoint);
    }

    pub fn put_task(&self, task: Task, tags: Tags) {
        let mut s = self.state();
        s.register(&task.id, Some(&task.arn), tags);
        s.tasks.insert(task.id.clone(), task);
    }

    pub fn put_event_subscription(&self, subscription: EventSubscription, tags: Tags) {
        let mut s = self.state();
        s.register(
            &subscription.name,
            Some(&named_arn("es", &subscription.name)),
            tags,
        );
        s.subscriptions
            .insert(subscription.name.clone(), subscription);
    }

    pub fn put_connection(&self, connection: Connection) {
        self.state().connections.insert(
            (
                connection.instance_arn.clone(),
                connection.endpoint_arn.clone(),
            ),
            connection,
        );
    }

    /// What `table_statistics` answers for the task `task_id`.
    pub fn set_table_stats(&self, task_id: &str, rows: Vec<TableStats>) {
        let arn = self
            .task(task_id)
            .map(|t| t.arn)
            .unwrap_or_else(|| arn("task", task_id));
        self.state().table_stats.insert(arn, rows);
    }

    /// Sets the status of the resource with this identifier (any kind).
    /// Panics when there is none.
    pub fn set_status(&self, id: &str, status: &str) {
        let mut s = self.state();
        let status = status.to_string();
        if let Some(r) = s.subnet_groups.get_mut(id) {
            r.status = status;
        } else if let Some(r) = s.instances.get_mut(id) {
            r.status = status;
        } else if let Some(r) = s.endpoints.get_mut(id) {
            r.status = status;
        } else if let Some(r) = s.tasks.get_mut(id) {
            r.status = status;
        } else if let Some(r) = s.subscriptions.get_mut(id) {
            r.status = status;
        } else {
            panic!("set_status: no resource {id}");
        }
    }

    /// Changes a task in place (stats, stop reason, ...). Panics when there is none.
    pub fn update_task(&self, id: &str, change: impl FnOnce(&mut Task)) {
        let mut s = self.state();
        let task = s
            .tasks
            .get_mut(id)
            .unwrap_or_else(|| panic!("update_task: no task {id}"));
        change(task);
    }

    /// Removes the resource with this identifier (any kind), as if DMS finished deleting it.
    pub fn remove(&self, id: &str) {
        let mut s = self.state();
        s.subnet_groups.remove(id);
        s.instances.remove(id);
        s.endpoints.remove(id);
        s.tasks.remove(id);
        s.subscriptions.remove(id);
    }

    /// Removes every resource whose status is `deleting`.
    pub fn finish_deleting(&self) {
        let mut s = self.state();
        s.instances.retain(|_, r| r.status != "deleting");
        s.tasks.retain(|_, r| r.status != "deleting");
        s.endpoints.retain(|_, r| r.status != "deleting");
    }

    pub fn exists(&self, id: &str) -> bool {
        self.state().exists(id)
    }

    pub fn subnet_group(&self, id: &str) -> Option<SubnetGroup> {
        self.state().subnet_groups.get(id).cloned()
    }

    pub fn instance(&self, id: &str) -> Option<Instance> {
        self.state().instances.get(id).cloned()
    }

    pub fn endpoint(&self, id: &str) -> Option<Endpoint> {
        self.state().endpoints.get(id).cloned()
    }

    pub fn task(&self, id: &str) -> Option<Task> {
        self.state().tasks.get(id).cloned()
    }

    pub fn event_subscription(&self, name: &str) -> Option<EventSubscription> {
        self.state().subscriptions.get(name).cloned()
    }

    /// Tags of a resource by identifier (also after it was deleted).
    pub fn tags_of(&self, id: &str) -> Option<Tags> {
        self.state().tags.get(id).cloned()
    }

    pub fn subnet_group_request(&self, id: &str) -> Option<SubnetGroupRequest> {
        self.state().subnet_group_requests.get(id).cloned()
    }

    pub fn instance_request(&self, id: &str) -> Option<InstanceRequest> {
        self.state().instance_requests.get(id).cloned()
    }

    pub fn endpoint_request(&self, id: &str) -> Option<EndpointRequest> {
        self.state().endpoint_requests.get(id).cloned()
    }

    pub fn task_request(&self, id: &str) -> Option<TaskRequest> {
        self.state().task_requests.get(id).cloned()
    }

    pub fn event_subscription_request(&self, name: &str) -> Option<EventSubscriptionRequest> {
        self.state().subscription_requests.get(name).cloned()
    }
}

impl Dms for FakeDms {
    async fn describe_subnet_group(&self, id: &str) -> AwsResult<Option<SubnetGroup>> {
        let mut s = self.state();
        if s.recorder.describe("describe_subnet_group", id)? {
            return Ok(None);
        }
        Ok(s.subnet_groups.get(id).cloned())
    }

    async fn create_subnet_group(&self, request: &SubnetGroupRequest) -> AwsResult<()> {
        let mut s = self.state();
        s.recorder.call("create_subnet_group", &request.id)?;
        s.taken("replication subnet group", &request.id)?;
        let group = subnet_group(&request.id);
        s.register(
            &group.id,
            Some(&named_arn("subgrp", &group.id)),
            request.tags.clone(),
        );
        s.subnet_groups.insert(group.id.clone(), group);
        s.subnet_group_requests
            .insert(request.id.clone(), request.clone());
        Ok(())
    }

    async fn delete_subnet_group(&self, id: &str) -> AwsResult<()> {
        let mut s = self.state();
        s.recorder.call("delete_subnet_group", id)?;
        if let Some(user) = s.instances.values().find(|i| s.group_of(&i.id) == id) {
            return Err(busy(format!(
                "subnet group {id} is used by replication instance {}",
                user.id
            )));
        }
        s.subnet_groups.remove(id);
        Ok(())
    }

    async fn describe_instance(&self, id: &str) -> AwsResult<Option<Instance>> {
        let mut s = self.state();
        if s.recorder.describe("describe_instance", id)? {
            return Ok(None);
        }
        Ok(s.instances.get(id).cloned())
    }

    async fn create_instance(&self, request: &InstanceRequest) -> AwsResult<Instance> {
        let mut s = self.state();
        s.recorder.call("create_instance", &request.id)?;
        s.taken("replication instance", &request.id)?;
        let created = instance(&request.id, "creating");
        s.register(&created.id, Some(&created.arn), request.tags.clone());
        s.instances.insert(created.id.clone(), created.clone());
        s.instance_requests
            .insert(request.id.clone(), request.clone());
        Ok(created)
    }

    async fn delete_instance(&self, arn: &str) -> AwsResult<()> {
        let mut s = self.state();
        let id = s.id_of(arn);
        s.recorder.call("delete_instance", &id)?;
        if let Some(task) = s.task_uses(arn) {
            return Err(busy(format!(
                "replication instance {id} still has task {}",
                task.id
            )));
        }
        if let Some(instance) = s.instances.values_mut().find(|i| i.arn == arn) {
            instance.status = "deleting".into();
        }
        Ok(())
    }

    async fn describe_endpoint(&self, id: &str) -> AwsResult<Option<Endpoint>> {
        let mut s = self.state();
        if s.recorder.describe("describe_endpoint", id)? {
            return Ok(None);
        }
        Ok(s.endpoints.get(id).cloned())
    }

    async fn create_endpoint(&self, request: &EndpointRequest) -> AwsResult<Endpoint> {
        let mut s = self.state();
        s.recorder.call("create_endpoint", &request.id)?;
        s.taken("endpoint", &request.id)?;
        let mut created = endpoint(&request.id, request.role, "active");
        created.engine = request.engine.clone();
        s.register(&created.id, Some(&created.arn), request.tags.clone());
        s.endpoints.insert(created.id.clone(), created.clone());
        s.endpoint_requests
            .insert(request.id.clone(), request.clone());
        Ok(created)
    }

    async fn delete_endpoint(&self, arn: &str) -> AwsResult<()> {
        let mut s = self.state();
        let id = s.id_of(arn);
        s.recorder.call("delete_endpoint", &id)?;
        if let Some(task) = s.task_uses(arn) {
            return Err(busy(format!("endpoint {id} is used by task {}", task.id)));
        }
        s.endpoints.retain(|_, e| e.arn != arn);
        Ok(())
    }

    async fn test_connection(&self, instance_arn: &str, endpoint_arn: &str) -> AwsResult<()> {
        let mut s = self.state();
        let subject = format!("{} {}", s.id_of(instance_arn), s.id_of(endpoint_arn));
        s.recorder.call("test_connection", &subject)?;
        s.connections.insert(
            (instance_arn.to_string(), endpoint_arn.to_string()),
            Connection {
                endpoint_arn: endpoint_arn.into(),
                instance_arn: instance_arn.into(),
                status: "testing".into(),
                last_failure_message: None,
            },
        );
        Ok(())
    }

    async fn describe_connection(
        &self,
        instance_arn: &str,
        endpoint_arn: &str,
    ) -> AwsResult<Option<Connection>> {
        let mut s = self.state();
        let subject = format!("{} {}", s.id_of(instance_arn), s.id_of(endpoint_arn));
        s.recorder.call("describe_connection", &subject)?;
        Ok(s.connections
            .get(&(instance_arn.to_string(), endpoint_arn.to_string()))
            .cloned())
    }

    async fn describe_task(&self, id: &str) -> AwsResult<Option<Task>> {
        let mut s = self.state();
        if s.recorder.describe("describe_task", id)? {
            return Ok(None);
        }
        // A replication config is not a task: DescribeReplicationTasks does not list it.
        Ok(s.tasks.get(id).filter(|t| !t.is_serverless()).cloned())
    }

    async fn create_task(&self, request: &TaskRequest) -> AwsResult<Task> {
        let mut s = self.state();
        s.recorder.call("create_task", &request.id)?;
        s.taken("replication task", &request.id)?;
        let instance = s
            .instances
            .values()
            .find(|i| i.arn == request.instance_arn)
            .ok_or_else(|| {
                AwsFault::NotFound(format!("no replication instance {}", request.instance_arn))
            })?;
        if instance.status != "available" {
            return Err(busy(format!(
                "replication instance {} is {}",
                instance.id, instance.status
            )));
        }
        for arn in [&request.source_endpoint_arn, &request.target_endpoint_arn] {
            if !s.endpoints.values().any(|e| &e.arn == arn) {
                return Err(AwsFault::NotFound(format!("no endpoint {arn}")));
            }
        }
        let created = Task::created(request, arn("task", &request.id), "creating");
        s.register(&created.id, Some(&created.arn), request.tags.clone());
        s.tasks.insert(created.id.clone(), created.clone());
        s.task_requests.insert(request.id.clone(), request.clone());
        Ok(created)
    }

    async fn describe_serverless_replication(&self, id: &str) -> AwsResult<Option<Task>> {
        serverless::describe(&mut self.state(), id)
    }

    async fn create_serverless_replication(
        &self,
        request: &ReplicationConfigRequest,
    ) -> AwsResult<Task> {
        serverless::create(&mut self.state(), request)
    }

    async fn modify_task_settings(&self, arn: &str, settings: &str) -> AwsResult<()> {
        let mut s = self.state();
        let id = s.id_of(arn);
        s.recorder.call("modify_task_settings", &id)?;
        let task = s.task_by_arn(arn)?;
        if let Some(refusal) = serverless::refuses(task, "modify_task_settings") {
            return Err(refusal);
        }
        if !matches!(task.status.as_str(), "ready" | "stopped" | "failed") {
            return Err(busy(format!("task {id} is {}", task.status)));
        }
        task.settings = Some(settings.to_string());
        task.status = "modifying".into();
        Ok(())
    }

    async fn start_task(&self, arn: &str, start_type: StartType) -> AwsResult<()> {
        let mut s = self.state();
        let id = s.id_of(arn);
        s.recorder
            .call("start_task", &format!("{id} {}", start_type.as_str()))?;
        let task = s.task_by_arn(arn)?;
        if !matches!(task.status.as_str(), "ready" | "stopped" | "failed") {
            return Err(busy(format!("task {id} is {}", task.status)));
        }
        if let Some(refusal) = serverless::refuses(task, "start_task") {
            return Err(refusal);
        }
        if task.is_serverless()
            && start_type == StartType::ResumeProcessing
            && task.migration_type == "full-load"
        {
            // As DMS answers (botocore's model, StartReplication.StartReplicationType).
            return Err(AwsFault::Invalid(
                "resume-processing isn't applicable for a full-load replication".into(),
            ));
        }
        // As DMS (and the emulator) answer a first-time start on a task that has run.
        let has_run = task.start_date.is_some() || task.status != "ready";
        if start_type == StartType::StartReplication && has_run {
            return Err(AwsFault::Invalid(FIRST_TIME_ONLY.into()));
        }
        task.status = "starting".into();
        task.stop_reason = None;
        task.start_date.get_or_insert(1_767_225_600);
        if let Some(provisioning) = task.provisioning.as_mut() {
            provisioning.replication_status = "initializing".into();
        }
        Ok(())
    }

    async fn stop_task(&self, arn: &str) -> AwsResult<()> {
        let mut s = self.state();
        let id = s.id_of(arn);
        s.recorder.call("stop_task", &id)?;
        let task = s.task_by_arn(arn)?;
        if !matches!(task.status.as_str(), "running" | "starting") {
            return Err(busy(format!("task {id} is {}", task.status)));
        }
        task.status = "stopping".into();
        Ok(())
    }

    async fn delete_task(&self, arn: &str) -> AwsResult<()> {
        let mut s = self.state();
        let id = s.id_of(arn);
        s.recorder.call("delete_task", &id)?;
        if let Some(task) = s.tasks.values_mut().find(|t| t.arn == arn) {
            if matches!(task.status.as_str(), "running" | "starting" | "stopping") {
                return Err(busy(format!("task {id} is {}", task.status)));
            }
            if let Some(refusal) = serverless::refuses(task, "delete_task") {
                return Err(refusal);
            }
            task.status = "deleting".into();
        }
        Ok(())
    }

    async fn table_statistics(&self, task_arn: &str) -> AwsResult<Vec<TableStats>> {
        let mut s = self.state();
        let id = s.id_of(task_arn);
        s.recorder.call("table_statistics", &id)?;
        s.task_by_arn(task_arn)?;
        Ok(s.table_stats.get(task_arn).cloned().unwrap_or_default())
    }

    async fn table_statistics_in_state(
        &self,
        task_arn: &str,
        table_state: &str,
    ) -> AwsResult<Vec<TableStats>> {
        let mut s = self.state();
        let id = s.id_of(task_arn);
        s.recorder
            .call("table_statistics_in_state", &format!("{id} {table_state}"))?;
        s.task_by_arn(task_arn)?;
        let rows = s.table_stats.get(task_arn).cloned().unwrap_or_default();
        Ok(rows
            .into_iter()
            .filter(|t| t.table_state == table_state)
            .collect())
    }

    async fn describe_event_subscription(
        &self,
        name: &str,
    ) -> AwsResult<Option<EventSubscription>> {
        let mut s = self.state();
        if s.recorder.describe("describe_event_subscription", name)? {
            return Ok(None);
        }
        Ok(s.subscriptions.get(name).cloned())
    }

    async fn create_event_subscription(&self, request: &EventSubscriptionRequest) -> AwsResult<()> {
        let mut s = self.state();
        s.recorder
            .call("create_event_subscription", &request.name)?;
        s.taken("event subscription", &request.name)?;
        let mut created = event_subscription(&request.name, &request.topic_arn);
        created.status = "creating".into();
        s.register(
            &created.name,
            Some(&named_arn("es", &created.name)),
            request.tags.clone(),
        );
        s.subscriptions.insert(created.name.clone(), created);
        s.subscription_requests
            .insert(request.name.clone(), request.clone());
        Ok(())
    }

    async fn delete_event_subscription(&self, name: &str) -> AwsResult<()> {
        let mut s = self.state();
        s.recorder.call("delete_event_subscription", name)?;
        s.subscriptions.remove(name);
        Ok(())
    }

    async fn tags(&self, arn: &str) -> AwsResult<Tags> {
        let mut s = self.state();
        let id = s.id_of(arn);
        s.recorder.call("tags", &id)?;
        if !s.exists(&id) {
            return Err(AwsFault::NotFound(format!("no resource {arn}")));
        }
        Ok(s.tags.get(&id).cloned().unwrap_or_default())
    }

    async fn start_assessment(&self, request: &AssessmentRequest) -> AwsResult<AssessmentRun> {
        assessments::start(&mut self.state(), request)
    }

    async fn assessment_runs(&self, task_arn: &str) -> AwsResult<Vec<AssessmentRun>> {
        assessments::runs(&mut self.state(), task_arn)
    }

    async fn reload_tables(
        &self,
        task_arn: &str,
        tables: &[TableName],
        option: ReloadOption,
    ) -> AwsResult<()> {
        let mut s = self.state();
        let id = s.id_of(task_arn);
        let names: Vec<String> = tables
            .iter()
            .map(|t| format!("{}.{}", t.schema, t.table))
            .collect();
        s.recorder.call(
            "reload_tables",
            &format!("{id} {} {}", option.as_str(), names.join(",")),
        )?;
        let task = s.task_by_arn(task_arn)?;
        // ReloadTables: "only ... with a task in the RUNNING state" (DMS API reference).
        if task.status != "running" {
            return Err(busy(format!("task {id} is {}", task.status)));
        }
        if tables.is_empty() || tables.len() > 10 {
            return Err(AwsFault::Invalid(format!(
                "{} tables to reload: DMS reloads 1 to 10 at a time",
                tables.len()
            )));
        }
        Ok(())
    }

    async fn individual_assessments(&self, run_arn: &str) -> AwsResult<Vec<IndividualAssessment>> {
        assessments::individual(&mut self.state(), run_arn)
    }
}

#[doc(hidden)]
#[derive(Default)]
pub struct MetricsState {
    recorder: Recorder,
    alarms: BTreeMap<String, AlarmRequest>,
    published: Vec<(String, Vec<Datum>)>,
    latency: Option<CdcLatency>,
    dashboards: BTreeMap<String, DashboardFound>,
}

impl FakeMetrics {
    /// Seeds an alarm (with whatever tags the request carries) without logging a call.
    pub fn put_foreign_alarm(&self, alarm: AlarmRequest) {
        self.state().alarms.insert(alarm.name.clone(), alarm);
    }

    pub fn alarm(&self, name: &str) -> Option<AlarmRequest> {
        self.state().alarms.get(name).cloned()
    }

    /// Names of every alarm, sorted.
    pub fn alarm_names_now(&self) -> Vec<String> {
        self.state().alarms.keys().cloned().collect()
    }

    /// Every `put_progress` so far: (run id, data).
    pub fn published(&self) -> Vec<(String, Vec<Datum>)> {
        self.state().published.clone()
    }

    /// Seeds a dashboard (with whatever tags are given) without logging a call.
    pub fn put_foreign_dashboard(&self, name: &str, body: &str, tags: Tags) {
        let found = DashboardFound {
            body: body.to_string(),
            tags,
        };
        self.state().dashboards.insert(name.to_string(), found);
    }

    /// A dashboard's body and tags, when there is one.
    pub fn dashboard_now(&self, name: &str) -> Option<DashboardFound> {
        self.state().dashboards.get(name).cloned()
    }

    /// What `cdc_latency` answers (both `None` until set).
    pub fn set_cdc_latency(&self, latency: CdcLatency) {
        self.state().latency = Some(latency);
    }
}

impl Metrics for FakeMetrics {
    async fn put_alarm(&self, alarm: &AlarmRequest) -> AwsResult<()> {
        let mut s = self.state();
        s.recorder.call("put_alarm", &alarm.name)?;
        s.alarms.insert(alarm.name.clone(), alarm.clone());
        Ok(())
    }

    async fn alarm_names(&self, prefix: &str) -> AwsResult<Vec<String>> {
        let mut s = self.state();
        s.recorder.call("alarm_names", prefix)?;
        Ok(s.alarms
            .keys()
            .filter(|n| n.starts_with(prefix))
            .cloned()
            .collect())
    }

    async fn alarm_tags(&self, name: &str) -> AwsResult<Tags> {
        let mut s = self.state();
        s.recorder.call("alarm_tags", name)?;
        s.alarms
            .get(name)
            .map(|a| a.tags.clone())
            .ok_or_else(|| AwsFault::NotFound(format!("no alarm {name}")))
    }

    async fn delete_alarms(&self, names: &[String]) -> AwsResult<()> {
        let mut s = self.state();
        s.recorder.call("delete_alarms", &names.join(","))?;
        for name in names {
            s.alarms.remove(name);
        }
        Ok(())
    }

    async fn put_progress(&self, run_id: &str, data: &[Datum]) -> AwsResult<()> {
        let mut s = self.state();
        s.recorder.call("put_progress", run_id)?;
        s.published.push((run_id.to_string(), data.to_vec()));
        Ok(())
    }

    async fn dashboard(&self, name: &str) -> AwsResult<Option<DashboardFound>> {
        let mut s = self.state();
        s.recorder.call("dashboard", name)?;
        Ok(s.dashboards.get(name).cloned())
    }

    /// Tags apply on creation only, as CloudWatch's.
    async fn put_dashboard(&self, name: &str, body: &str, tags: &Tags) -> AwsResult<Vec<String>> {
        let mut s = self.state();
        s.recorder.call("put_dashboard", name)?;
        let tags = s
            .dashboards
            .get(name)
            .map_or_else(|| tags.clone(), |d| d.tags.clone());
        let found = DashboardFound {
            body: body.to_string(),
            tags,
        };
        s.dashboards.insert(name.to_string(), found);
        Ok(Vec::new())
    }

    async fn delete_dashboard(&self, name: &str) -> AwsResult<()> {
        let mut s = self.state();
        s.recorder.call("delete_dashboard", name)?;
        s.dashboards.remove(name);
        Ok(())
    }

    async fn cdc_latency(
        &self,
        instance_id: &str,
        task_resource_id: &str,
    ) -> AwsResult<CdcLatency> {
        let mut s = self.state();
        s.recorder
            .call("cdc_latency", &format!("{instance_id} {task_resource_id}"))?;
        Ok(s.latency.unwrap_or(CdcLatency {
            source_seconds: None,
            target_seconds: None,
            validation_failed_records: None,
        }))
    }
}

/// The calls to either fake whose operation starts with one of `prefixes`
/// (`&["create_", "put_alarm"]`: what a rerun must not repeat).
pub fn calls_starting_with(dms: &FakeDms, metrics: &FakeMetrics, prefixes: &[&str]) -> Vec<String> {
    dms.calls()
        .into_iter()
        .chain(metrics.calls())
        .filter(|call| prefixes.iter().any(|p| call.starts_with(p)))
        .collect()
}

/// Empties both call logs.
pub fn clear_calls(dms: &FakeDms, metrics: &FakeMetrics) {
    dms.clear_calls();
    metrics.clear_calls();
}

/// The state of a cutover of run `orders` just after ClaimRun, with `options`
/// added to the request.
pub fn cutover_state(options: serde_json::Value) -> crate::workflow::RunState {
    let mut input = serde_json::json!({"action": "cutover", "run_id": "orders"});
    for (k, v) in options.as_object().expect("options") {
        input[k] = v.clone();
    }
    let request = crate::cutover::CutoverRequest::parse(input.as_object().expect("object"))
        .expect("a valid request");
    let mut state = crate::workflow::RunState {
        route: crate::workflow::Route::Cutover,
        run_id: Some("orders".into()),
        ..crate::workflow::RunState::default()
    };
    state.keep_cutover_record(&crate::cutover::CutoverRecord::new(request));
    state
}

/// The call of `step` with `state`, as the state machine makes it.
pub fn step_call(state: &crate::workflow::RunState, step: &str) -> crate::workflow::StepCall {
    serde_json::from_value(serde_json::json!({"state": state, "step": step,
        "execution": "arn:aws:states:us-east-1:111122223333:execution:dmsflow-migration:c"}))
    .expect("a step call")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task_request(id: &str) -> TaskRequest {
        TaskRequest {
            id: id.into(),
            instance_arn: arn("rep", "x-instance"),
            source_endpoint_arn: arn("endpoint", "x-source"),
            target_endpoint_arn: arn("endpoint", "x-target"),
            migration_type: "full-load".into(),
            table_mappings: "{}".into(),
            settings: "{\"a\":1}".into(),
            tags: owned_tags("x"),
        }
    }

    #[tokio::test]
    async fn creates_start_in_their_initial_status_and_are_logged() {
        let fake = FakeDms::new();
        fake.put_instance(instance("x-instance", "creating"), owned_tags("x"));
        fake.put_endpoint(
            endpoint("x-source", EndpointRole::Source, "active"),
            owned_tags("x"),
        );
        fake.put_endpoint(
            endpoint("x-target", EndpointRole::Target, "active"),
            owned_tags("x"),
        );
        let err = fake.create_task(&task_request("x-task")).await.unwrap_err();
        assert!(matches!(err, AwsFault::Busy(_)), "{err:?}");
        fake.set_status("x-instance", "available");
        let task = fake.create_task(&task_request("x-task")).await.unwrap();
        assert_eq!(task.status, "creating");
        assert_eq!(task.settings.as_deref(), Some("{\"a\":1}"));
        assert!(matches!(
            fake.create_task(&task_request("x-task")).await,
            Err(AwsFault::AlreadyExists(_))
        ));
        assert_eq!(fake.calls_to("create_task").len(), 3);
        assert_eq!(fake.tags(&task.arn).await.unwrap(), owned_tags("x"));
        assert_eq!(fake.describe_task("nope").await.unwrap(), None);
    }

    #[tokio::test]
    async fn injected_faults_fire_once_and_change_nothing() {
        let fake = FakeDms::new();
        fake.put_task(task("x-task", "ready"), owned_tags("x"));
        fake.fail_next("start_task", AwsFault::Throttled("slow down".into()));
        let arn = fake.task("x-task").unwrap().arn;
        assert_eq!(
            fake.start_task(&arn, StartType::StartReplication).await,
            Err(AwsFault::Throttled("slow down".into()))
        );
        assert_eq!(fake.task("x-task").unwrap().status, "ready");
        fake.start_task(&arn, StartType::StartReplication)
            .await
            .unwrap();
        assert_eq!(fake.task("x-task").unwrap().status, "starting");
        assert_eq!(
            fake.calls(),
            vec![
                "start_task x-task start-replication",
                "start_task x-task start-replication"
            ]
        );
    }

    #[tokio::test]
    async fn deletes_follow_dms_order_rules() {
        let fake = FakeDms::new();
        fake.put_instance(instance("x-instance", "available"), owned_tags("x"));
        fake.put_endpoint(
            endpoint("x-source", EndpointRole::Source, "active"),
            owned_tags("x"),
        );
        fake.put_task(task("x-task", "running"), owned_tags("x"));
        let task_arn = arn("task", "x-task");
        assert!(matches!(
            fake.delete_task(&task_arn).await,
            Err(AwsFault::Busy(_))
        ));
        assert!(matches!(
            fake.delete_endpoint(&arn("endpoint", "x-source")).await,
            Err(AwsFault::Busy(_))
        ));
        fake.stop_task(&task_arn).await.unwrap();
        fake.set_status("x-task", "stopped");
        fake.delete_task(&task_arn).await.unwrap();
        assert_eq!(fake.task("x-task").unwrap().status, "deleting");
        fake.finish_deleting();
        fake.delete_endpoint(&arn("endpoint", "x-source"))
            .await
            .unwrap();
        fake.delete_instance(&arn("rep", "x-instance"))
            .await
            .unwrap();
        assert_eq!(fake.instance("x-instance").unwrap().status, "deleting");
        fake.finish_deleting();
        assert!(!fake.exists("x-instance") && !fake.exists("x-source"));
        // Gone is fine.
        fake.delete_instance(&arn("rep", "x-instance"))
            .await
            .unwrap();
        assert_eq!(
            fake.calls_to("delete_instance"),
            vec!["delete_instance x-instance", "delete_instance x-instance"]
        );
    }

    #[tokio::test]
    async fn subnet_groups_and_subscriptions_have_no_arn_but_tags_by_name() {
        let fake = FakeDms::new();
        fake.create_subnet_group(&SubnetGroupRequest {
            id: "x-subnets".into(),
            description: "d".into(),
            subnet_ids: vec!["subnet-a".into(), "subnet-b".into()],
            tags: owned_tags("x"),
        })
        .await
        .unwrap();
        let group = fake
            .describe_subnet_group("x-subnets")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(group.arn, None);
        let tags = fake.tags(&named_arn("subgrp", "x-subnets")).await.unwrap();
        assert_eq!(tags, owned_tags("x"));
        fake.put_instance(instance("x-instance", "available"), owned_tags("x"));
        assert!(matches!(
            fake.delete_subnet_group("x-subnets").await,
            Err(AwsFault::Busy(_))
        ));
        assert_eq!(
            event(serde_json::json!({})).context.invoked_function_arn,
            FUNCTION_ARN
        );
    }

    #[tokio::test]
    async fn metrics_fake_keeps_alarms_and_progress() {
        let metrics = FakeMetrics::new();
        let alarm = AlarmRequest {
            name: "dmsflow-x-tables-errored".into(),
            description: "d".into(),
            namespace: "dmsflow".into(),
            metric_name: "TablesErrored".into(),
            dimensions: vec![],
            statistic: "Maximum".into(),
            period_seconds: 60,
            evaluation_periods: 1,
            threshold: 0.0,
            comparison: "GreaterThanThreshold".into(),
            alarm_topic_arn: "arn:aws:sns:us-east-1:111122223333:t".into(),
            tags: owned_tags("x"),
        };
        metrics.put_alarm(&alarm).await.unwrap();
        assert_eq!(
            metrics.alarm_names("dmsflow-x-").await.unwrap(),
            vec!["dmsflow-x-tables-errored"]
        );
        assert_eq!(
            metrics.alarm_tags(&alarm.name).await.unwrap(),
            owned_tags("x")
        );
        metrics.fail_next("delete_alarms", AwsFault::Throttled("t".into()));
        assert!(
            metrics
                .delete_alarms(std::slice::from_ref(&alarm.name))
                .await
                .is_err()
        );
        metrics
            .delete_alarms(std::slice::from_ref(&alarm.name))
            .await
            .unwrap();
        assert!(metrics.alarm_names_now().is_empty());
        assert!(matches!(
            metrics.alarm_tags(&alarm.name).await,
            Err(AwsFault::NotFound(_))
        ));
    }
}
