//! A simulated DMS (and CloudWatch) on the simulated clock, behind the same
//! `Dms` and `Metrics` traits the functions use: the replication instance takes
//! `instance_seconds` to become available, the full load `full_load_seconds`
//! (tables finish one after another), then CDC runs steadily with its latency held
//! at `cdc_latency_seconds`. A task failure can be scheduled.

use std::collections::BTreeMap;
use std::sync::Mutex;

use dmsflow::aws::AwsResult;
use dmsflow::aws::dms::{
    Connection, Dms, Endpoint, EndpointRequest, EventSubscription, EventSubscriptionRequest,
    Instance, InstanceRequest, StartType, SubnetGroup, SubnetGroupRequest, TableStats, Tags, Task,
    TaskRequest, TaskStats,
};
use dmsflow::aws::metrics::{AlarmRequest, CdcLatency, Datum, Metrics};
use dmsflow::progress::{table_state, validation_state};

use super::interpreter::EPOCH_OFFSET;

/// The simulated migration's timing.
#[derive(Debug, Clone, Copy)]
pub struct Timeline {
    pub instance_seconds: f64,
    pub full_load_seconds: f64,
    pub tables: usize,
    pub cdc_latency_seconds: f64,
    /// When the task fails (simulated seconds), if it does.
    pub task_fails_at: Option<f64>,
}

/// Seconds DMS takes to create a task, start one, or test a connection.
const SHORT_OPERATION: f64 = 60.0;
const ARN_PREFIX: &str = "arn:aws:dms:us-east-1:123456789012";

#[derive(Default)]
struct World {
    now: f64,
    subnet_groups: BTreeMap<String, SubnetGroup>,
    instances: BTreeMap<String, f64>,
    endpoints: BTreeMap<String, Endpoint>,
    connections: BTreeMap<(String, String), f64>,
    tasks: BTreeMap<String, (TaskRequest, f64, Option<f64>)>,
    subscriptions: BTreeMap<String, EventSubscription>,
    tags: BTreeMap<String, Tags>,
}

pub struct SimDms {
    timeline: Timeline,
    world: Mutex<World>,
}

impl SimDms {
    pub fn new(timeline: Timeline) -> SimDms {
        SimDms {
            timeline,
            world: Mutex::new(World::default()),
        }
    }

    /// Moves the simulated clock (the interpreter owns it; calls read it).
    pub fn set_now(&self, now: f64) {
        self.world().now = now;
    }

    fn world(&self) -> std::sync::MutexGuard<'_, World> {
        self.world
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn task_view(
        &self,
        request: &TaskRequest,
        created: f64,
        started: Option<f64>,
        now: f64,
    ) -> Task {
        let t = &self.timeline;
        let status = if now < created + SHORT_OPERATION {
            "creating"
        } else {
            "ready"
        };
        let mut task = Task::created(request, arn_of("task", &request.id), status);
        let Some(started) = started else { return task };
        let load_start = started + SHORT_OPERATION;
        task.start_date = Some(epoch(started));
        task.status = if now < load_start {
            "starting"
        } else {
            "running"
        }
        .into();
        let loaded = self.tables_loaded(now, load_start);
        let load_end = load_start + t.full_load_seconds;
        task.stats = Some(TaskStats {
            full_load_progress_percent: percent(now, load_start, t.full_load_seconds),
            elapsed_time_millis: ((now - started).max(0.0) * 1000.0) as i64,
            tables_loaded: loaded as i32,
            tables_loading: i32::from(loaded < t.tables && now >= load_start),
            tables_queued: t.tables.saturating_sub(loaded + 1) as i32,
            tables_errored: 0,
            start_date: Some(epoch(started)),
            stop_date: None,
            full_load_finish_date: (now >= load_end).then(|| epoch(load_end)),
        });
        if t.task_fails_at.is_some_and(|at| now >= at) {
            task.status = "failed".into();
            task.stop_reason = Some("Stop Reason FATAL_ERROR".into());
            task.last_failure_message = Some("Last Error Simulated fatal error. Task error notification received. Stop Reason FATAL_ERROR".into());
        }
        task
    }

    fn tables_loaded(&self, now: f64, load_start: f64) -> usize {
        let t = &self.timeline;
        if now < load_start {
            return 0;
        }
        let per_table = t.full_load_seconds / t.tables as f64;
        (((now - load_start) / per_table).floor() as usize).min(t.tables)
    }
}

fn epoch(seconds: f64) -> i64 {
    EPOCH_OFFSET as i64 + seconds as i64
}

fn percent(now: f64, start: f64, length: f64) -> i32 {
    (((now - start) / length).clamp(0.0, 1.0) * 100.0).floor() as i32
}

fn arn_of(kind: &str, id: &str) -> String {
    format!("{ARN_PREFIX}:{kind}:{id}")
}

impl Dms for SimDms {
    async fn describe_subnet_group(&self, id: &str) -> AwsResult<Option<SubnetGroup>> {
        Ok(self.world().subnet_groups.get(id).cloned())
    }
    async fn create_subnet_group(&self, request: &SubnetGroupRequest) -> AwsResult<()> {
        let mut world = self.world();
        let arn = arn_of("subgrp", &request.id);
        world.tags.insert(arn.clone(), request.tags.clone());
        let group = SubnetGroup {
            id: request.id.clone(),
            arn: Some(arn),
            status: "Complete".into(),
        };
        world.subnet_groups.insert(request.id.clone(), group);
        Ok(())
    }
    async fn delete_subnet_group(&self, id: &str) -> AwsResult<()> {
        self.world().subnet_groups.remove(id);
        Ok(())
    }
    async fn describe_instance(&self, id: &str) -> AwsResult<Option<Instance>> {
        let world = self.world();
        Ok(world.instances.get(id).map(|created| Instance {
            id: id.to_string(),
            arn: arn_of("rep", id),
            status: if world.now < created + self.timeline.instance_seconds {
                "creating"
            } else {
                "available"
            }
            .into(),
        }))
    }
    async fn create_instance(&self, request: &InstanceRequest) -> AwsResult<Instance> {
        let mut world = self.world();
        let now = world.now;
        world.instances.insert(request.id.clone(), now);
        world
            .tags
            .insert(arn_of("rep", &request.id), request.tags.clone());
        Ok(Instance {
            id: request.id.clone(),
            arn: arn_of("rep", &request.id),
            status: "creating".into(),
        })
    }
    async fn delete_instance(&self, arn: &str) -> AwsResult<()> {
        self.world()
            .instances
            .retain(|id, _| arn_of("rep", id) != arn);
        Ok(())
    }
    async fn describe_endpoint(&self, id: &str) -> AwsResult<Option<Endpoint>> {
        Ok(self.world().endpoints.get(id).cloned())
    }
    async fn create_endpoint(&self, request: &EndpointRequest) -> AwsResult<Endpoint> {
        let endpoint = Endpoint {
            id: request.id.clone(),
            arn: arn_of("endpoint", &request.id),
            role: request.role,
            engine: request.engine.clone(),
            status: "active".into(),
        };
        let mut world = self.world();
        world
            .tags
            .insert(endpoint.arn.clone(), request.tags.clone());
        world.endpoints.insert(request.id.clone(), endpoint.clone());
        Ok(endpoint)
    }
    async fn delete_endpoint(&self, arn: &str) -> AwsResult<()> {
        self.world().endpoints.retain(|_, e| e.arn != arn);
        Ok(())
    }
    async fn test_connection(&self, instance_arn: &str, endpoint_arn: &str) -> AwsResult<()> {
        let mut world = self.world();
        let now = world.now;
        world
            .connections
            .insert((instance_arn.into(), endpoint_arn.into()), now);
        Ok(())
    }
    async fn describe_connection(
        &self,
        instance_arn: &str,
        endpoint_arn: &str,
    ) -> AwsResult<Option<Connection>> {
        let world = self.world();
        let key = (instance_arn.to_string(), endpoint_arn.to_string());
        Ok(world.connections.get(&key).map(|tested| Connection {
            endpoint_arn: endpoint_arn.into(),
            instance_arn: instance_arn.into(),
            status: if world.now < tested + SHORT_OPERATION / 2.0 {
                "testing"
            } else {
                "successful"
            }
            .into(),
            last_failure_message: None,
        }))
    }
    async fn describe_task(&self, id: &str) -> AwsResult<Option<Task>> {
        let world = self.world();
        Ok(world.tasks.get(id).map(|(request, created, started)| {
            self.task_view(request, *created, *started, world.now)
        }))
    }
    async fn create_task(&self, request: &TaskRequest) -> AwsResult<Task> {
        let mut world = self.world();
        let now = world.now;
        world
            .tags
            .insert(arn_of("task", &request.id), request.tags.clone());
        world
            .tasks
            .insert(request.id.clone(), (request.clone(), now, None));
        Ok(self.task_view(request, now, None, now))
    }
    async fn modify_task_settings(&self, arn: &str, settings: &str) -> AwsResult<()> {
        let mut world = self.world();
        for (request, _, _) in world.tasks.values_mut() {
            if arn_of("task", &request.id) == arn {
                request.settings = settings.to_string();
            }
        }
        Ok(())
    }
    async fn start_task(&self, arn: &str, _start_type: StartType) -> AwsResult<()> {
        let mut world = self.world();
        let now = world.now;
        for (request, _, started) in world.tasks.values_mut() {
            if arn_of("task", &request.id) == arn && started.is_none() {
                *started = Some(now);
            }
        }
        Ok(())
    }
    async fn stop_task(&self, _arn: &str) -> AwsResult<()> {
        Ok(())
    }
    async fn delete_task(&self, arn: &str) -> AwsResult<()> {
        self.world().tasks.retain(|id, _| arn_of("task", id) != arn);
        Ok(())
    }
    async fn table_statistics(&self, task_arn: &str) -> AwsResult<Vec<TableStats>> {
        let world = self.world();
        let Some((_, _, Some(started))) = world
            .tasks
            .values()
            .find(|(r, _, _)| arn_of("task", &r.id) == task_arn)
        else {
            return Ok(Vec::new());
        };
        let load_start = started + SHORT_OPERATION;
        let loaded = self.tables_loaded(world.now, load_start);
        let load_end = load_start + self.timeline.full_load_seconds;
        let changes = ((world.now - load_end).max(0.0) * 10.0) as i64;
        Ok((0..self.timeline.tables)
            .map(|i| {
                let done = i < loaded;
                let loading = i == loaded && world.now >= load_start;
                TableStats {
                    schema: "orders".into(),
                    table: format!("table_{i:03}"),
                    table_state: if done {
                        table_state::COMPLETED
                    } else if loading {
                        table_state::FULL_LOAD
                    } else {
                        table_state::BEFORE_LOAD
                    }
                    .into(),
                    full_load_rows: if done { 1_000_000 } else { 0 },
                    inserts: changes,
                    updates: changes / 2,
                    validation_state: if done {
                        validation_state::VALIDATED
                    } else {
                        validation_state::PENDING_RECORDS
                    }
                    .into(),
                    ..TableStats::default()
                }
            })
            .collect())
    }
    async fn describe_event_subscription(
        &self,
        name: &str,
    ) -> AwsResult<Option<EventSubscription>> {
        Ok(self.world().subscriptions.get(name).cloned())
    }
    async fn create_event_subscription(&self, request: &EventSubscriptionRequest) -> AwsResult<()> {
        let arn = arn_of("es", &request.name);
        let subscription = EventSubscription {
            name: request.name.clone(),
            arn: Some(arn.clone()),
            status: "active".into(),
            topic_arn: request.topic_arn.clone(),
        };
        let mut world = self.world();
        world.tags.insert(arn, request.tags.clone());
        world
            .subscriptions
            .insert(request.name.clone(), subscription);
        Ok(())
    }
    async fn delete_event_subscription(&self, name: &str) -> AwsResult<()> {
        self.world().subscriptions.remove(name);
        Ok(())
    }
    async fn tags(&self, arn: &str) -> AwsResult<Tags> {
        Ok(self.world().tags.get(arn).cloned().unwrap_or_default())
    }
}

impl Metrics for SimDms {
    async fn put_alarm(&self, _alarm: &AlarmRequest) -> AwsResult<()> {
        Ok(())
    }
    async fn alarm_names(&self, _prefix: &str) -> AwsResult<Vec<String>> {
        Ok(Vec::new())
    }
    async fn alarm_tags(&self, _name: &str) -> AwsResult<Tags> {
        Ok(Tags::new())
    }
    async fn delete_alarms(&self, _names: &[String]) -> AwsResult<()> {
        Ok(())
    }
    async fn put_progress(&self, _run_id: &str, _data: &[Datum]) -> AwsResult<()> {
        Ok(())
    }
    async fn cdc_latency(&self, _instance_id: &str, _task: &str) -> AwsResult<CdcLatency> {
        let latency = Some(self.timeline.cdc_latency_seconds);
        Ok(CdcLatency {
            source_seconds: latency,
            target_seconds: latency,
        })
    }
}
