//! The in-memory DMS's serverless replications: a replication config is kept as
//! a [`Task`] with `provisioning`, among the tasks, so the task calls act on it
//! by ARN as the SDK implementation's do.
//!
//! `create_serverless_replication` refuses a taken identifier (`AlreadyExists`) and
//! unknown endpoints (`NotFound`); the replication is `ready` (DMS's `created`),
//! nothing provisioned. Then, as the emulator does (docs/dms-serverless.md):
//! `start_task` also refuses a replication whose capacity is `deprovisioning`
//! (`Busy`) and sets its stage to `initializing`; `delete_task` also refuses one
//! that holds capacity (`Busy`); `modify_task_settings` refuses one that has run.
//! Tests move statuses and provision states with `update_task`. Call log:
//! `"describe_serverless_replication <id>"`, `"create_serverless_replication <id>"`.

use super::{DmsState, FakeDms, arn};
use crate::aws::AwsFault;
use crate::aws::dms::{Provisioning, ReplicationConfigRequest, Task};
use crate::aws::fault::AwsResult;

pub(super) fn create(s: &mut DmsState, request: &ReplicationConfigRequest) -> AwsResult<Task> {
    s.recorder
        .call("create_serverless_replication", &request.id)?;
    s.taken("replication config", &request.id)?;
    for endpoint in [&request.source_endpoint_arn, &request.target_endpoint_arn] {
        if !s.endpoints.values().any(|e| &e.arn == endpoint) {
            return Err(AwsFault::NotFound(format!("no endpoint {endpoint}")));
        }
    }
    let created = Task {
        id: request.id.clone(),
        arn: arn("replication-config", &request.id),
        status: "ready".into(),
        migration_type: request.replication_type.clone(),
        stop_reason: None,
        last_failure_message: None,
        settings: Some(request.settings.clone()),
        start_date: None,
        stats: None,
        instance_arn: String::new(),
        source_endpoint_arn: request.source_endpoint_arn.clone(),
        target_endpoint_arn: request.target_endpoint_arn.clone(),
        provisioning: Some(Provisioning {
            replication_status: "created".into(),
            ..Provisioning::default()
        }),
    };
    s.register(&created.id, Some(&created.arn), request.tags.clone());
    s.tasks.insert(created.id.clone(), created.clone());
    s.config_requests
        .insert(request.id.clone(), request.clone());
    Ok(created)
}

pub(super) fn describe(s: &mut DmsState, id: &str) -> AwsResult<Option<Task>> {
    if s.recorder.describe("describe_serverless_replication", id)? {
        return Ok(None);
    }
    Ok(s.tasks.get(id).filter(|t| t.is_serverless()).cloned())
}

/// What a serverless replication refuses beyond a task's, for `operation`.
pub(super) fn refuses(task: &Task, operation: &str) -> Option<AwsFault> {
    let provisioning = task.provisioning.as_ref()?;
    let refusal = match operation {
        "start_task" if provisioning.state == "deprovisioning" => "is deprovisioning",
        "delete_task" if !provisioning.released() => "still holds capacity",
        "modify_task_settings" if task.start_date.is_some() => "has been started",
        _ => return None,
    };
    Some(AwsFault::Busy(format!(
        "replication config {} {refusal}",
        task.id
    )))
}

impl FakeDms {
    pub fn replication_config_request(&self, id: &str) -> Option<ReplicationConfigRequest> {
        self.state().config_requests.get(id).cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::dms::{Dms, EndpointRole, StartType};
    use crate::testing::{endpoint, owned_tags};

    fn fake_with_endpoints() -> FakeDms {
        let dms = FakeDms::new();
        dms.put_endpoint(
            endpoint("x-source", EndpointRole::Source, "active"),
            owned_tags("x"),
        );
        dms.put_endpoint(
            endpoint("x-target", EndpointRole::Target, "active"),
            owned_tags("x"),
        );
        dms
    }

    fn request() -> ReplicationConfigRequest {
        ReplicationConfigRequest {
            id: "x-replication".into(),
            source_endpoint_arn: arn("endpoint", "x-source"),
            target_endpoint_arn: arn("endpoint", "x-target"),
            replication_type: "full-load".into(),
            table_mappings: "{}".into(),
            settings: "{}".into(),
            max_capacity_units: 8,
            min_capacity_units: None,
            multi_az: false,
            preferred_maintenance_window: None,
            subnet_group_id: "x-subnets".into(),
            security_group_ids: vec![],
            kms_key_id: None,
            tags: owned_tags("x"),
        }
    }

    #[tokio::test]
    async fn a_config_is_a_ready_replication_that_the_task_calls_act_on_by_arn() {
        let dms = fake_with_endpoints();
        let created = dms.create_serverless_replication(&request()).await.unwrap();
        assert_eq!(created.status, "ready");
        let again = dms
            .create_serverless_replication(&request())
            .await
            .unwrap_err();
        assert!(matches!(again, AwsFault::AlreadyExists(_)));
        assert_eq!(
            dms.replication_config_request("x-replication"),
            Some(request())
        );

        dms.start_task(&created.arn, StartType::StartReplication)
            .await
            .unwrap();
        let started = dms
            .describe_serverless_replication("x-replication")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(started.status, "starting");
        assert_eq!(
            started.provisioning.as_ref().unwrap().replication_status,
            "initializing"
        );
        let modify = dms.modify_task_settings(&created.arn, "{}").await;
        assert!(matches!(modify, Err(AwsFault::Busy(_))), "{modify:?}");

        dms.update_task("x-replication", |t| {
            t.status = "stopped".into();
            t.provisioning.as_mut().unwrap().state = "deprovisioning".into();
        });
        for refused in [
            dms.start_task(&created.arn, StartType::ResumeProcessing)
                .await,
            dms.delete_task(&created.arn).await,
        ] {
            assert!(matches!(refused, Err(AwsFault::Busy(_))), "{refused:?}");
        }
        dms.update_task("x-replication", |t| {
            t.provisioning.as_mut().unwrap().state = "deprovisioned".into();
        });
        dms.delete_task(&created.arn).await.unwrap();
        assert!(
            dms.describe_serverless_replication("x-task")
                .await
                .unwrap()
                .is_none()
        );
    }
}
