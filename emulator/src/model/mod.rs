//! The emulated account: every resource, the scaled clock, and the lazy
//! state transitions applied at each request.

pub mod assessment;
pub mod assessment_names;
pub mod catalog;
pub mod connection;
pub mod endpoint;
pub mod event_subscription;
pub mod instance;
pub mod replication;
pub mod subnet_group;
pub mod task;

use std::time::SystemTime;

use serde_json::{Value, json};

use crate::calls::CallLog;
use crate::clock::SimClock;
use crate::cloudwatch::{self, CloudWatch};
use crate::drills;
use crate::ids::Rng;
use crate::injected::InjectedFaults;
use crate::scenario::Scenario;
use crate::throttle::Throttle;

pub use assessment::AssessmentRun;
pub use connection::Connection;
pub use endpoint::Endpoint;
pub use event_subscription::EventSubscription;
pub use instance::Instance;
pub use replication::ReplicationConfig;
pub use subnet_group::SubnetGroup;
pub use task::Task;

/// How long (in simulated seconds) each transition takes.
pub mod timing {
    pub const INSTANCE_CREATE: f64 = 2.0;
    pub const INSTANCE_DELETE: f64 = 1.0;
    pub const ENDPOINT_DELETE: f64 = 0.5;
    pub const CONNECTION_TEST: f64 = 0.5;
    pub const CONNECTION_DELETE: f64 = 0.3;
    pub const TASK_CREATE: f64 = 0.5;
    pub const TASK_MODIFY: f64 = 0.3;
    pub const TASK_START: f64 = 0.5;
    pub const TASK_STOP: f64 = 0.5;
    pub const TASK_DELETE: f64 = 0.5;
    pub const SUBSCRIPTION_CREATE: f64 = 0.3;
    pub const SUBSCRIPTION_DELETE: f64 = 0.3;
    /// A premigration assessment run's `starting`, `provisioning`, and each
    /// individual assessment's `running` (they run one after another). How long
    /// real DMS takes is not documented; these are the emulator's choice, short
    /// like its other transitions (a run of 15 assessments ends within 35 s).
    pub const ASSESSMENT_STARTING: f64 = 3.0;
    pub const ASSESSMENT_PROVISIONING: f64 = 6.0;
    pub const INDIVIDUAL_ASSESSMENT: f64 = 1.5;
    /// Each stage of a serverless start before `running` (seven of them). Real
    /// DMS takes minutes to tens of minutes in all (not documented per stage);
    /// short here like every other transition.
    pub const SERVERLESS_STAGE: f64 = 0.5;
    /// How long a stopped or failed serverless replication keeps its capacity
    /// (`deprovisioning`). Not documented: the Airflow provider waits at most 30
    /// minutes for `deprovisioned`, a third-party article reports 48 hours after
    /// a stop. The emulator's choice, long enough for a last progress check to
    /// read the table statistics before they are lost.
    pub const SERVERLESS_DEPROVISION: f64 = 60.0;
}

pub type Tags = Vec<(String, String)>;

pub fn tags_json(tags: &Tags) -> Value {
    Value::Object(
        tags.iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect(),
    )
}

/// Everything the emulated DMS account holds.
pub struct World {
    pub clock: SimClock,
    pub scenario: Scenario,
    pub throttle: Throttle,
    /// The scenario's injected faults, with what is left of each.
    pub injected: InjectedFaults,
    pub calls: CallLog,
    pub rng: Rng,
    /// Simulated now, set by `advance` at the start of each request.
    pub now: f64,
    pub subnet_groups: Vec<SubnetGroup>,
    pub instances: Vec<Instance>,
    pub endpoints: Vec<Endpoint>,
    pub connections: Vec<Connection>,
    pub tasks: Vec<Task>,
    /// DMS Serverless replication configs, with their replications.
    pub replications: Vec<ReplicationConfig>,
    pub subscriptions: Vec<EventSubscription>,
    /// Premigration assessment runs, oldest first.
    pub assessment_runs: Vec<AssessmentRun>,
    pub cloudwatch: CloudWatch,
}

impl World {
    pub fn new(scenario: Scenario, default_speed: f64) -> World {
        let clock = SimClock::new(scenario.speed.unwrap_or(default_speed));
        World {
            throttle: Throttle::from_spec(scenario.throttle.as_ref()),
            injected: InjectedFaults::from_specs(&scenario.faults),
            clock,
            scenario,
            calls: CallLog::default(),
            rng: Rng::seeded(),
            now: 0.0,
            subnet_groups: Vec::new(),
            instances: Vec::new(),
            endpoints: Vec::new(),
            connections: Vec::new(),
            tasks: Vec::new(),
            replications: Vec::new(),
            subscriptions: Vec::new(),
            assessment_runs: Vec::new(),
            cloudwatch: CloudWatch::default(),
        }
    }

    /// Replace the scenario (keeps resources; re-arms throttling and injected
    /// faults; applies speed).
    pub fn set_scenario(&mut self, scenario: Scenario) {
        if let Some(speed) = scenario.speed {
            self.clock.set_speed(speed);
        }
        self.throttle = Throttle::from_spec(scenario.throttle.as_ref());
        self.injected = InjectedFaults::from_specs(&scenario.faults);
        self.scenario = scenario;
    }

    /// The real time of a simulated instant.
    pub fn wall(&self, sim: f64) -> SystemTime {
        self.clock.wall(sim)
    }

    /// Bring every resource up to the current simulated time.
    pub fn advance(&mut self) {
        let now = self.clock.now();
        self.now = now;
        for i in &mut self.instances {
            i.advance(now);
        }
        for s in &mut self.subscriptions {
            s.advance(now);
        }
        self.subscriptions.retain(|s| !s.gone(now));
        for c in &mut self.connections {
            c.advance(now);
        }
        self.connections.retain(|c| !c.gone(now));
        assessment::release_tasks(&mut self.assessment_runs, &mut self.tasks, now);
        let mut gone_tasks = Vec::new();
        for t in &mut self.tasks {
            if t.advance(now) {
                gone_tasks.push(t.arn.clone());
            }
        }
        self.tasks.retain(|t| !gone_tasks.contains(&t.arn));
        let scenario = &self.scenario;
        self.replications.retain_mut(|r| {
            let deprovision = drills::number(scenario, &r.tags, &r.id, drills::DEPROVISION_SECONDS)
                .unwrap_or(timing::SERVERLESS_DEPROVISION);
            !r.advance(now, deprovision)
        });
        // A task's assessment runs go with it. Whether DMS keeps them after
        // DeleteReplicationTask is not documented (DeleteReplicationTaskAssessmentRun
        // exists to remove one): the emulator's choice, so that a deleted task
        // leaves nothing behind.
        self.assessment_runs
            .retain(|r| !gone_tasks.contains(&r.task_arn));
        let gone_endpoints: Vec<String> = self
            .endpoints
            .iter()
            .filter(|e| e.gone(now))
            .map(|e| e.arn.clone())
            .collect();
        let gone_instances: Vec<String> = self
            .instances
            .iter()
            .filter(|i| i.gone(now))
            .map(|i| i.arn.clone())
            .collect();
        self.endpoints.retain(|e| !gone_endpoints.contains(&e.arn));
        self.instances.retain(|i| !gone_instances.contains(&i.arn));
        self.connections.retain(|c| {
            !gone_endpoints.contains(&c.endpoint_arn) && !gone_instances.contains(&c.instance_arn)
        });
    }

    pub fn instance(&self, arn: &str) -> Option<&Instance> {
        self.instances.iter().find(|i| i.arn == arn)
    }

    pub fn endpoint(&self, arn: &str) -> Option<&Endpoint> {
        self.endpoints.iter().find(|e| e.arn == arn)
    }

    pub fn task_index(&self, arn: &str) -> Option<usize> {
        self.tasks.iter().position(|t| t.arn == arn)
    }

    pub fn subnet_group(&self, id: &str) -> Option<&SubnetGroup> {
        self.subnet_groups
            .iter()
            .find(|g| g.id.eq_ignore_ascii_case(id))
    }

    /// The tags of the resource with this ARN.
    pub fn tags_mut(&mut self, arn: &str) -> Option<&mut Tags> {
        if let Some(g) = self.subnet_groups.iter_mut().find(|g| g.arn() == arn) {
            return Some(&mut g.tags);
        }
        if let Some(i) = self.instances.iter_mut().find(|i| i.arn == arn) {
            return Some(&mut i.tags);
        }
        if let Some(e) = self.endpoints.iter_mut().find(|e| e.arn == arn) {
            return Some(&mut e.tags);
        }
        if let Some(t) = self.tasks.iter_mut().find(|t| t.arn == arn) {
            return Some(&mut t.tags);
        }
        if let Some(r) = self.replications.iter_mut().find(|r| r.arn == arn) {
            return Some(&mut r.tags);
        }
        if let Some(s) = self.subscriptions.iter_mut().find(|s| s.arn() == arn) {
            return Some(&mut s.tags);
        }
        if let Some(r) = self.assessment_runs.iter_mut().find(|r| r.arn == arn) {
            return Some(&mut r.tags);
        }
        None
    }

    /// Counts and ids of every resource kind (for the control API).
    pub fn resources_json(&self) -> Value {
        let item = |id: &str, arn: &str, status: &str, tags: &Tags| json!({"id": id, "arn": arn, "status": status, "tags": tags_json(tags)});
        let groups: Vec<Value> = self
            .subnet_groups
            .iter()
            .map(|g| item(&g.id, &g.arn(), "Complete", &g.tags))
            .collect();
        let instances: Vec<Value> = self
            .instances
            .iter()
            .map(|i| item(&i.id, &i.arn, i.status.as_str(), &i.tags))
            .collect();
        let endpoints: Vec<Value> = self
            .endpoints
            .iter()
            .map(|e| item(&e.id, &e.arn, e.status.as_str(), &e.tags))
            .collect();
        let tasks: Vec<Value> = self
            .tasks
            .iter()
            .map(|t| item(&t.id, &t.arn, t.status.as_str(), &t.tags))
            .collect();
        let configs: Vec<Value> = self
            .replications
            .iter()
            .map(|r| {
                let mut v = item(&r.id, &r.arn, r.status.as_str(), &r.tags);
                v["provision_state"] = json!(r.provision.as_str());
                v
            })
            .collect();
        let subs: Vec<Value> = self
            .subscriptions
            .iter()
            .map(|s| item(&s.name, &s.arn(), s.status.as_str(), &s.tags))
            .collect();
        let runs: Vec<Value> = self
            .assessment_runs
            .iter()
            .map(|r| item(&r.name, &r.arn, r.status(self.now), &r.tags))
            .collect();
        let connections: Vec<Value> = self
            .connections
            .iter()
            .map(|c| {
                json!({
                    "id": format!("{}|{}", c.instance_arn, c.endpoint_arn),
                    "replication_instance_arn": c.instance_arn,
                    "endpoint_arn": c.endpoint_arn,
                    "status": c.status.as_str(),
                })
            })
            .collect();
        let total = groups.len()
            + instances.len()
            + endpoints.len()
            + tasks.len()
            + configs.len()
            + subs.len()
            + runs.len()
            + connections.len();
        let kind = |items: Vec<Value>| json!({"count": items.len(), "items": items});
        let mut out = json!({
            "total": total,
            "sim_time": self.now,
            "speed": self.clock.speed(),
            "replication_subnet_groups": kind(groups),
            "replication_instances": kind(instances),
            "endpoints": kind(endpoints),
            "connections": kind(connections),
            "replication_tasks": kind(tasks),
            "replication_configs": kind(configs),
            "event_subscriptions": kind(subs),
            "replication_task_assessment_runs": kind(runs),
        });
        cloudwatch::add_resources(&self.cloudwatch, &mut out);
        out
    }
}
