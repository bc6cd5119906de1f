//! Looking at a run's resources under their names, and at whose they are. Used by
//! create (before it creates anything) and by cleanup (before it deletes anything).

use std::collections::BTreeMap;

use crate::aws::dms::{Endpoint, EndpointRole, EventSubscription, Instance, SubnetGroup, Task};
use crate::aws::{AwsFault, Dms, Metrics};
use crate::error::{ErrorKind, StepError, StepResult};
use crate::naming::{Names, owned_by};
use crate::plan::{self, Observed, Resource, Seen};
use crate::spec::{Compute, MigrationSpec};

/// Where a resource's tags are read: at the ARN DMS reported, or at one built
/// from the function's (subnet groups and event subscriptions have none).
enum TagsAt {
    Reported(String),
    Built(Option<String>),
}

/// Looks at the resources of one run.
pub(crate) struct Looker<'a, D, M> {
    pub dms: &'a D,
    pub metrics: &'a M,
    pub run_id: &'a str,
    pub names: &'a Names,
    /// Any ARN of this account and region (the function's own), to build the ARNs
    /// of subnet groups and event subscriptions, which DMS does not report.
    pub function_arn: &'a str,
}

fn reading(what: &str, id: &str) -> impl FnOnce(AwsFault) -> StepError {
    let context = format!("reading {what} {id}");
    move |fault| fault.into_step_error(&context)
}

impl<D: Dms, M: Metrics> Looker<'_, D, M> {
    /// Whose `found` is: the run's when the tags at `arn` say so; foreign when
    /// they do not, or cannot be read.
    async fn whose<T>(
        &self,
        found: Option<T>,
        tags_at: impl FnOnce(&T) -> TagsAt,
        what: &str,
        id: &str,
    ) -> StepResult<Seen<T>> {
        let Some(item) = found else {
            return Ok(Seen::Absent);
        };
        let (arn, built) = match tags_at(&item) {
            TagsAt::Reported(arn) => (arn, false),
            TagsAt::Built(Some(arn)) => (arn, true),
            TagsAt::Built(None) => return Ok(Seen::Foreign(item)),
        };
        match self.dms.tags(&arn).await {
            Ok(tags) if owned_by(self.run_id, &tags) => Ok(Seen::Ours(item)),
            Ok(_) => Ok(Seen::Foreign(item)),
            // An ARN DMS reported: the resource went away since the describe.
            Err(AwsFault::NotFound(_)) if !built => Ok(Seen::Absent),
            // An ARN built from the function's: its account or region is not the
            // resource's, so ownership cannot be shown.
            Err(AwsFault::NotFound(_)) => Ok(Seen::Foreign(item)),
            Err(fault) => Err(fault.into_step_error(&format!("reading the tags of {what} {id}"))),
        }
    }

    /// Where the tags of a resource DMS describes without an ARN are read.
    fn built_arn(&self, reported: Option<&String>, kind: &str, name: &str) -> TagsAt {
        match reported {
            Some(arn) => TagsAt::Reported(arn.clone()),
            None => TagsAt::Built(plan::named_arn(self.function_arn, kind, name)),
        }
    }

    /// The run's subnet group, or the user's (`given`: used as is, tags not read).
    pub async fn subnet_group(&self, given: Option<&str>) -> StepResult<Seen<SubnetGroup>> {
        const WHAT: &str = "replication subnet group";
        let id = given.unwrap_or(&self.names.subnet_group);
        let found = self
            .dms
            .describe_subnet_group(id)
            .await
            .map_err(reading(WHAT, id))?;
        if given.is_some() {
            return Ok(found.map_or(Seen::Absent, Seen::Given));
        }
        let tags_at = |g: &SubnetGroup| self.built_arn(g.arn.as_ref(), "subgrp", &g.id);
        self.whose(found, tags_at, WHAT, id).await
    }

    pub async fn instance(&self) -> StepResult<Seen<Instance>> {
        const WHAT: &str = "replication instance";
        let id = &self.names.instance;
        let found = self
            .dms
            .describe_instance(id)
            .await
            .map_err(reading(WHAT, id))?;
        self.whose(
            found,
            |i: &Instance| TagsAt::Reported(i.arn.clone()),
            WHAT,
            id,
        )
        .await
    }

    pub async fn endpoint(&self, role: EndpointRole) -> StepResult<Seen<Endpoint>> {
        let id = match role {
            EndpointRole::Source => &self.names.source_endpoint,
            EndpointRole::Target => &self.names.target_endpoint,
        };
        let found = self
            .dms
            .describe_endpoint(id)
            .await
            .map_err(reading("endpoint", id))?;
        self.whose(
            found,
            |e: &Endpoint| TagsAt::Reported(e.arn.clone()),
            "endpoint",
            id,
        )
        .await
    }

    /// The run's replication: its task, or its replication config (DMS
    /// Serverless), as `compute` says; with no spec to say (a teardown without
    /// one), whichever exists, the task looked for first.
    pub async fn task(&self, compute: Option<Compute>) -> StepResult<Seen<Task>> {
        let id = &self.names.task;
        let mut found = None;
        if compute != Some(Compute::Serverless) {
            found = self
                .dms
                .describe_task(id)
                .await
                .map_err(reading("replication task", id))?;
        }
        if found.is_none() && compute != Some(Compute::Instance) {
            found = self
                .dms
                .describe_serverless_replication(id)
                .await
                .map_err(reading("replication config", id))?;
        }
        let what = found.as_ref().map_or("replication", Task::kind);
        self.whose(found, |t: &Task| TagsAt::Reported(t.arn.clone()), what, id)
            .await
    }

    pub async fn subscription(&self) -> StepResult<Seen<EventSubscription>> {
        const WHAT: &str = "event subscription";
        let name = &self.names.event_subscription;
        let found = self
            .dms
            .describe_event_subscription(name)
            .await
            .map_err(reading(WHAT, name))?;
        let tags_at = |s: &EventSubscription| self.built_arn(s.arn.as_ref(), "es", &s.name);
        self.whose(found, tags_at, WHAT, name).await
    }

    /// The run's dashboard: the run's when tagged as the run's and its body says
    /// it is the run's in the function's region ([`crate::dashboard::is_runs`]:
    /// dashboards are global to the account, runs regional).
    pub async fn dashboard(&self) -> StepResult<Seen<String>> {
        let name = &self.names.dashboard;
        let region = plan::arn_scope(self.function_arn).map_or("", |(_, region, _)| region);
        let found = self
            .metrics
            .dashboard(name)
            .await
            .map_err(reading("CloudWatch dashboard", name))?;
        Ok(match found {
            None => Seen::Absent,
            Some(d)
                if owned_by(self.run_id, &d.tags)
                    && crate::dashboard::is_runs(&d.body, self.run_id, region) =>
            {
                Seen::Ours(name.clone())
            }
            Some(_) => Seen::Foreign(name.clone()),
        })
    }

    /// The run's alarms that exist (all under the run's prefix, or only those in
    /// `only`), each `true` when tagged as the run's.
    pub async fn alarms(&self, only: Option<&[String]>) -> StepResult<BTreeMap<String, bool>> {
        if only.is_some_and(<[String]>::is_empty) {
            return Ok(BTreeMap::new());
        }
        let prefix = Names::prefix(self.run_id);
        let existing = self
            .metrics
            .alarm_names(&prefix)
            .await
            .map_err(reading("CloudWatch alarms named", &format!("{prefix}*")))?;
        let mut alarms = BTreeMap::new();
        for name in existing {
            if only.is_some_and(|only| !only.contains(&name)) {
                continue;
            }
            match self.metrics.alarm_tags(&name).await {
                Ok(tags) => {
                    alarms.insert(name, owned_by(self.run_id, &tags));
                }
                Err(AwsFault::NotFound(_)) => {}
                Err(fault) => {
                    return Err(fault.into_step_error(&format!("reading the tags of alarm {name}")));
                }
            }
        }
        Ok(alarms)
    }
}

/// Everything the create step looks at: no instance and no event subscription
/// for a serverless run, which has neither.
pub(super) async fn all<D: Dms, M: Metrics>(
    looker: &Looker<'_, D, M>,
    spec: &MigrationSpec,
    wanted_alarms: &[String],
) -> StepResult<Observed> {
    let on_instance = spec.compute == Compute::Instance;
    Ok(Observed {
        subnet_group: looker
            .subnet_group(spec.network.subnet_group.as_deref())
            .await?,
        instance: match on_instance {
            true => looker.instance().await?,
            false => Seen::Absent,
        },
        source: looker.endpoint(EndpointRole::Source).await?,
        target: looker.endpoint(EndpointRole::Target).await?,
        task: looker.task(Some(spec.compute)).await?,
        subscription: match on_instance {
            true => looker.subscription().await?,
            false => Seen::Absent,
        },
        alarms: looker.alarms(Some(wanted_alarms)).await?,
        dashboard: looker.dashboard().await?,
    })
}

/// Looks again at a resource DMS said exists when the step tried to create it.
pub(super) async fn again<D: Dms, M: Metrics>(
    looker: &Looker<'_, D, M>,
    resource: &Resource,
    observed: &mut Observed,
    what: &str,
) -> StepResult<()> {
    let present = match resource {
        Resource::SubnetGroup => {
            observed.subnet_group = looker.subnet_group(None).await?;
            observed.subnet_group.get().is_some()
        }
        Resource::Instance => {
            observed.instance = looker.instance().await?;
            observed.instance.get().is_some()
        }
        Resource::Endpoint(EndpointRole::Source) => {
            observed.source = looker.endpoint(EndpointRole::Source).await?;
            observed.source.get().is_some()
        }
        Resource::Endpoint(EndpointRole::Target) => {
            observed.target = looker.endpoint(EndpointRole::Target).await?;
            observed.target.get().is_some()
        }
        Resource::Task => {
            observed.task = looker.task(Some(Compute::Instance)).await?;
            observed.task.get().is_some()
        }
        Resource::ReplicationConfig => {
            observed.task = looker.task(Some(Compute::Serverless)).await?;
            observed.task.get().is_some()
        }
        Resource::EventSubscription => {
            observed.subscription = looker.subscription().await?;
            observed.subscription.get().is_some()
        }
        Resource::Alarm(name) => {
            let found = looker.alarms(Some(std::slice::from_ref(name))).await?;
            observed.alarms.extend(found);
            observed.alarms.contains_key(name)
        }
        Resource::Dashboard => {
            observed.dashboard = looker.dashboard().await?;
            observed.dashboard.get().is_some()
        }
    };
    if present {
        Ok(())
    } else {
        Err(StepError::new(
            ErrorKind::ResourceBusy,
            format!(
                "DMS answered that {what} already exists, but it cannot be found: it is being \
                 created or deleted by another call; the step will look again"
            ),
        ))
    }
}
