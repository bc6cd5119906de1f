//! Reading a run's resources by their deterministic names, and a step's own
//! previous report.

use serde::de::DeserializeOwned;

use super::StepInput;
use crate::aws::Dms;
use crate::aws::dms::{Endpoint, Instance, Task};
use crate::error::{ErrorKind, StepError, StepResult};
use crate::naming::Names;
use crate::spec::Compute;

/// The `ResourceMissing` error for a resource the step needs.
pub fn missing(what: &str, id: &str) -> StepError {
    StepError::new(
        ErrorKind::ResourceMissing,
        format!(
            "{what} {id} does not exist: it was deleted outside dmsflow, or the create step has not made it. Run the workflow again with the same run_id to create it."
        ),
    )
}

/// The `ResourceMissing` error for a task someone else is deleting; `consequence`
/// says what this step therefore cannot do.
pub fn being_deleted(task_id: &str, consequence: &str) -> StepError {
    StepError::new(
        ErrorKind::ResourceMissing,
        format!(
            "replication task {task_id} is being deleted, not by dmsflow's cleanup; {consequence}. CloudTrail (DeleteReplicationTask) says who deleted it."
        ),
    )
}

/// The run's replication: its task, or its replication config on DMS Serverless.
pub async fn task<D: Dms>(dms: &D, compute: Compute, names: &Names) -> StepResult<Task> {
    let id = &names.task;
    let (what, found) = match compute {
        Compute::Instance => ("replication task", dms.describe_task(id).await),
        Compute::Serverless => (
            "replication config",
            dms.describe_serverless_replication(id).await,
        ),
    };
    found
        .map_err(|f| f.into_step_error(&format!("reading {what} {id}")))?
        .ok_or_else(|| missing(what, id))
}

/// The run's replication instance.
pub async fn instance<D: Dms>(dms: &D, names: &Names) -> StepResult<Instance> {
    dms.describe_instance(&names.instance)
        .await
        .map_err(|f| {
            f.into_step_error(&format!("reading replication instance {}", names.instance))
        })?
        .ok_or_else(|| missing("replication instance", &names.instance))
}

/// One of the run's endpoints, by identifier.
pub async fn endpoint<D: Dms>(dms: &D, id: &str) -> StepResult<Endpoint> {
    dms.describe_endpoint(id)
        .await
        .map_err(|f| f.into_step_error(&format!("reading endpoint {id}")))?
        .ok_or_else(|| missing("endpoint", id))
}

/// The step-specific part of the previous report of this loop, if there is one
/// this version can read. An unreadable one counts as absent (and is logged): the
/// step then acts as on the loop's first call, which is always safe.
pub fn previous<T: DeserializeOwned>(input: &StepInput) -> Option<T> {
    let value = input.previous.as_ref().filter(|v| !v.is_null())?;
    match serde_json::from_value(value.clone()) {
        Ok(detail) => Some(detail),
        Err(error) => {
            tracing::warn!(%error, "ignoring a previous report this version cannot read");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;
    use serde_json::json;

    use super::*;

    #[derive(Debug, Deserialize, PartialEq)]
    struct Detail {
        count: u32,
    }

    fn input(previous: serde_json::Value) -> StepInput {
        serde_json::from_value(json!({"spec": {}, "previous": previous})).unwrap()
    }

    #[test]
    fn previous_reads_the_detail_and_treats_null_or_garbage_as_absent() {
        let read = previous::<Detail>(&input(json!({"done": false, "count": 3})));
        assert_eq!(read, Some(Detail { count: 3 }));
        assert_eq!(previous::<Detail>(&input(json!(null))), None);
        assert_eq!(previous::<Detail>(&input(json!({"count": "x"}))), None);
    }

    #[test]
    fn missing_names_the_resource_and_the_fix() {
        let e = missing("replication task", "dmsflow-x-task");
        assert_eq!(e.kind, ErrorKind::ResourceMissing);
        assert!(e.message.contains("dmsflow-x-task") && e.message.contains("run_id"));
    }
}
