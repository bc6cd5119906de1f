//! CreateResources: creates (or adopts) every resource of a run.
//!
//! One call takes every next safe action of [`crate::plan::next`] (subnet group,
//! instance, endpoints; once the instance is available the task; then the event
//! subscription, the alarms and the dashboard) and reports `done` once everything exists, the
//! instance is available and the task ready (or later). Bounded by
//! `polling.instance_timeout_minutes`.
//!
//! A resource under one of the run's names is adopted only when its tags say it is
//! the run's; otherwise the step fails with `ResourceConflict` before creating
//! anything. A create that DMS answers with `ResourceAlreadyExistsFault` (a
//! retry racing an earlier call) is resolved by looking at the resource again.

pub(crate) mod observe;

use std::time::SystemTime;

use lambda_runtime::LambdaEvent;
use serde::{Deserialize, Serialize};

use super::validate_spec::topic;
use super::{StepInput, StepReport};
use crate::aws::dms::{Endpoint, EndpointRole, EventSubscription, SubnetGroup};
use crate::aws::{AwsFault, Dms, Metrics};
use crate::deadline;
use crate::error::{ErrorKind, StepError, StepResult};
use crate::naming::Names;
use crate::plan::{self, Next, Observed, Resource, Seen, TaskWiring};
use crate::spec::MigrationSpec;
use crate::workflow::{self, RunState, StepCall};
use observe::Looker;

/// One resource as the create step last saw it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResourceView {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arn: Option<String>,
    pub status: String,
}

/// The run's resources, as the create step last saw them (`null` when absent).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CreateDetail {
    pub subnet_group: Option<ResourceView>,
    pub instance: Option<ResourceView>,
    pub source_endpoint: Option<ResourceView>,
    pub target_endpoint: Option<ResourceView>,
    pub task: Option<ResourceView>,
    pub event_subscription: Option<ResourceView>,
    /// The run's CloudWatch alarms that exist.
    pub alarms: Vec<String>,
    /// The run's CloudWatch dashboard, once it exists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dashboard: Option<String>,
}

/// Most actions one call takes (each resource once, with room for races).
const MAX_ACTIONS: usize = 16;

/// CreateResources as the state machine calls it: one reconcile call of the
/// loop. The Lambda context's function ARN gives the account and region of the
/// ARNs DMS does not report.
pub async fn step<D: Dms, M: Metrics>(
    dms: &D,
    metrics: &M,
    event: LambdaEvent<StepCall>,
    now: SystemTime,
) -> StepResult<RunState> {
    let function_arn = event.context.invoked_function_arn.clone();
    workflow::advance(event.payload, now, |input| async move {
        reconcile(dms, metrics, &input, &function_arn, now).await
    })
    .await
}

/// What one reconcile call works with.
struct Run<'a, D, M> {
    looker: Looker<'a, D, M>,
    spec: &'a MigrationSpec,
    names: &'a Names,
    topic: String,
}

/// One reconcile call; see the module documentation.
pub async fn reconcile<D: Dms, M: Metrics>(
    dms: &D,
    metrics: &M,
    input: &StepInput,
    function_arn: &str,
    now: SystemTime,
) -> StepResult<StepReport<CreateDetail>> {
    let spec = input.spec()?;
    let names = Names::for_run(&spec.run_id);
    let run = Run {
        looker: Looker {
            dms,
            metrics,
            run_id: &spec.run_id,
            names: &names,
            function_arn,
        },
        spec: &spec,
        names: &names,
        topic: topic(&spec)?,
    };
    let wanted_alarms = plan::wanted_alarms(&spec, &names);
    let mut observed = observe::all(&run.looker, &spec, &wanted_alarms).await?;
    let mut actions = Vec::new();
    for _ in 0..MAX_ACTIONS {
        match plan::next(&spec, &names, &observed) {
            Next::Create(resource) => {
                if let Some(action) = run.create(&resource, &mut observed).await? {
                    tracing::info!(action = %action, "create");
                    actions.push(action);
                }
            }
            Next::Wait {
                seconds,
                waiting_for,
            } => {
                deadline::check(
                    input.loop_started_at.as_deref(),
                    now,
                    deadline::minutes(spec.polling.instance_timeout_minutes),
                    &format!("creating the resources of run {}", spec.run_id),
                    "instance_timeout_minutes",
                )?;
                return Ok(report(
                    false,
                    actions,
                    Some(waiting_for),
                    seconds,
                    &observed,
                ));
            }
            Next::Done => return Ok(report(true, actions, None, 0, &observed)),
            Next::Fail(error) => return Err(error),
        }
    }
    Err(StepError::new(
        ErrorKind::ResourceBusy,
        format!(
            "the resources of run {} kept changing while the create step worked on them \
             (after: {}); it will look again",
            spec.run_id,
            actions.join("; ")
        ),
    ))
}

impl<D: Dms, M: Metrics> Run<'_, D, M> {
    /// Creates one resource and records it in `observed`. Answers the action taken,
    /// or `None` when DMS said the resource exists already (it is then looked at again).
    async fn create(
        &self,
        resource: &Resource,
        observed: &mut Observed,
    ) -> StepResult<Option<String>> {
        let (spec, names) = (self.spec, self.names);
        let (dms, metrics) = (self.looker.dms, self.looker.metrics);
        let outcome = match resource {
            Resource::SubnetGroup => match plan::subnet_group_request(spec, names) {
                Some(request) => dms.create_subnet_group(&request).await.map(|()| {
                    observed.subnet_group = Seen::Ours(SubnetGroup {
                        id: request.id.clone(),
                        arn: None,
                        status: "Complete".into(),
                    });
                    format!(
                        "created replication subnet group {} with subnets {}",
                        request.id,
                        request.subnet_ids.join(", ")
                    )
                }),
                None => {
                    return Err(StepError::new(
                        ErrorKind::ResourceMissing,
                        "the spec names an existing subnet group, which dmsflow never creates",
                    ));
                }
            },
            Resource::Instance => {
                let request = plan::instance_request(spec, names);
                dms.create_instance(&request).await.map(|instance| {
                    observed.instance = Seen::Ours(instance);
                    format!(
                        "created replication instance {} ({}, {} GiB)",
                        request.id, request.class, request.allocated_storage_gb
                    )
                })
            }
            Resource::Endpoint(role) => {
                let request = plan::endpoint_request(spec, names, *role);
                dms.create_endpoint(&request).await.map(|endpoint| {
                    *endpoint_slot(observed, *role) = Seen::Ours(endpoint);
                    format!(
                        "created {} endpoint {} ({} at {}:{})",
                        role.as_str(),
                        request.id,
                        request.engine,
                        request.server,
                        request.port
                    )
                })
            }
            Resource::Task => {
                let request = task_request(spec, names, observed)?;
                dms.create_task(&request).await.map(|task| {
                    observed.task = Seen::Ours(task);
                    format!(
                        "created replication task {} ({})",
                        request.id, request.migration_type
                    )
                })
            }
            Resource::ReplicationConfig => {
                let (source, target) = wiring(names, observed, resource)?;
                let request =
                    plan::replication_config_request(spec, names, &source.arn, &target.arn)
                        .ok_or_else(|| {
                            StepError::new(
                                ErrorKind::InvalidSpec,
                                "compute is serverless but the spec has no serverless section; \
                                 add `\"serverless\": {\"max_capacity_units\": 16}`",
                            )
                        })?;
                dms.create_serverless_replication(&request)
                    .await
                    .map(|config| {
                        observed.task = Seen::Ours(config);
                        format!(
                            "created replication config {} ({}, {}-{} DCU)",
                            request.id,
                            request.replication_type,
                            request.min_capacity_units.unwrap_or(1),
                            request.max_capacity_units
                        )
                    })
            }
            Resource::EventSubscription => {
                let request = plan::event_subscription_request(spec, names, &self.topic);
                dms.create_event_subscription(&request).await.map(|()| {
                    observed.subscription = Seen::Ours(EventSubscription {
                        name: request.name.clone(),
                        arn: None,
                        status: "creating".into(),
                        topic_arn: request.topic_arn.clone(),
                    });
                    format!(
                        "subscribed {} to DMS events of task {} as {}",
                        request.topic_arn, names.task, request.name
                    )
                })
            }
            Resource::Alarm(name) => {
                let task_arn = observed
                    .task
                    .get()
                    .map(|t| t.arn.clone())
                    .unwrap_or_default();
                let request = plan::alarm_request(spec, names, name, &task_arn, &self.topic)
                    .ok_or_else(|| {
                        StepError::new(
                            ErrorKind::InvalidSpec,
                            format!("{name} is not an alarm of run {}", spec.run_id),
                        )
                    })?;
                // PutMetricAlarm replaces an alarm of the same name: the alarm was
                // observed absent (or the run's) just before.
                metrics.put_alarm(&request).await.map(|()| {
                    observed.alarms.insert(name.clone(), true);
                    format!("created CloudWatch alarm {name}")
                })
            }
            Resource::Dashboard => {
                let task_arn = observed.task.get().map(|t| t.arn.as_str()).unwrap_or("");
                let alarms: Vec<String> = observed.alarms.keys().cloned().collect();
                let function_arn = self.looker.function_arn;
                let body = plan::dashboard_body(spec, names, task_arn, function_arn, &alarms)
                    .ok_or_else(|| {
                        StepError::new(
                            ErrorKind::InvalidRequest,
                            format!(
                                "the dashboard of run {} needs the region of the function, which \
                                 its ARN {function_arn} does not give",
                                spec.run_id
                            ),
                        )
                    })?;
                // PutDashboard replaces a dashboard of the same name: it was
                // observed absent just before.
                let name = &names.dashboard;
                let tags = plan::tags(spec);
                metrics
                    .put_dashboard(name, &body, &tags)
                    .await
                    .map(|warnings| {
                        observed.dashboard = Seen::Ours(name.clone());
                        for warning in &warnings {
                            tracing::warn!(dashboard = %name, warning = %warning, "CloudWatch");
                        }
                        format!("created CloudWatch dashboard {name}")
                    })
            }
        };
        match outcome {
            Ok(action) => Ok(Some(action)),
            Err(AwsFault::AlreadyExists(_)) => {
                observe::again(&self.looker, resource, observed, &resource.label(names)).await?;
                Ok(None)
            }
            Err(fault) => {
                Err(fault.into_step_error(&format!("creating {}", resource.label(names))))
            }
        }
    }
}

/// The observed endpoint of one role.
fn endpoint_slot(observed: &mut Observed, role: EndpointRole) -> &mut Seen<Endpoint> {
    match role {
        EndpointRole::Source => &mut observed.source,
        EndpointRole::Target => &mut observed.target,
    }
}

fn missing_parts(names: &Names, resource: &Resource) -> StepError {
    StepError::new(
        ErrorKind::ResourceMissing,
        format!(
            "the {} needs the run's endpoints (and instance, for a task), which are not all there",
            resource.label(names)
        ),
    )
}

/// The run's two endpoints, which the replication connects.
fn wiring<'o>(
    names: &Names,
    observed: &'o Observed,
    resource: &Resource,
) -> StepResult<(&'o Endpoint, &'o Endpoint)> {
    let source = observed.source.get();
    let target = observed.target.get();
    source
        .zip(target)
        .ok_or_else(|| missing_parts(names, resource))
}

fn task_request(
    spec: &MigrationSpec,
    names: &Names,
    observed: &Observed,
) -> StepResult<crate::aws::dms::TaskRequest> {
    let (source, target) = wiring(names, observed, &Resource::Task)?;
    let instance = observed
        .instance
        .get()
        .ok_or_else(|| missing_parts(names, &Resource::Task))?;
    Ok(plan::task_request(
        spec,
        names,
        TaskWiring {
            instance_arn: &instance.arn,
            source_endpoint_arn: &source.arn,
            target_endpoint_arn: &target.arn,
        },
    ))
}

fn view<T>(seen: &Seen<T>, parts: impl Fn(&T) -> ResourceView) -> Option<ResourceView> {
    seen.get().map(parts)
}

fn report(
    done: bool,
    actions: Vec<String>,
    waiting_for: Option<String>,
    wait_seconds: u32,
    observed: &Observed,
) -> StepReport<CreateDetail> {
    let endpoint = |e: &Endpoint| ResourceView {
        id: e.id.clone(),
        arn: Some(e.arn.clone()),
        status: e.status.clone(),
    };
    StepReport {
        done,
        actions,
        waiting_for,
        wait_seconds,
        detail: CreateDetail {
            subnet_group: view(&observed.subnet_group, |g| ResourceView {
                id: g.id.clone(),
                arn: g.arn.clone(),
                status: g.status.clone(),
            }),
            instance: view(&observed.instance, |i| ResourceView {
                id: i.id.clone(),
                arn: Some(i.arn.clone()),
                status: i.status.clone(),
            }),
            source_endpoint: view(&observed.source, endpoint),
            target_endpoint: view(&observed.target, endpoint),
            task: view(&observed.task, |t| ResourceView {
                id: t.id.clone(),
                arn: Some(t.arn.clone()),
                status: t.status.clone(),
            }),
            event_subscription: view(&observed.subscription, |s| ResourceView {
                id: s.name.clone(),
                arn: s.arn.clone(),
                status: s.status.clone(),
            }),
            alarms: observed.alarms.keys().cloned().collect(),
            dashboard: observed.dashboard.get().cloned(),
        },
    }
}

#[cfg(test)]
mod tests;
