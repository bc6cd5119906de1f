//! The DMS operations, one module per resource kind.

mod assessments;
mod connections;
mod endpoints;
mod event_subscriptions;
mod instances;
mod reload;
mod replication_configs;
mod replications;
mod subnet_groups;
mod table_stats;
mod tags;
mod task_run;
mod tasks;

use serde_json::Value;

use crate::faults::{Fault, OpResult};
use crate::model::World;
use crate::protocol::Req;

/// Every operation the emulator answers.
pub const OPERATIONS: &[&str] = &[
    "CreateReplicationSubnetGroup",
    "DescribeReplicationSubnetGroups",
    "DeleteReplicationSubnetGroup",
    "CreateReplicationInstance",
    "DescribeReplicationInstances",
    "DeleteReplicationInstance",
    "CreateEndpoint",
    "DescribeEndpoints",
    "DeleteEndpoint",
    "TestConnection",
    "DescribeConnections",
    "DeleteConnection",
    "CreateReplicationTask",
    "DescribeReplicationTasks",
    "ModifyReplicationTask",
    "StartReplicationTask",
    "StopReplicationTask",
    "DeleteReplicationTask",
    "DescribeTableStatistics",
    "CreateReplicationConfig",
    "DescribeReplicationConfigs",
    "ModifyReplicationConfig",
    "DeleteReplicationConfig",
    "DescribeReplications",
    "StartReplication",
    "StopReplication",
    "DescribeReplicationTableStatistics",
    "ReloadTables",
    "ReloadReplicationTables",
    "StartReplicationTaskAssessmentRun",
    "DescribeReplicationTaskAssessmentRuns",
    "DescribeReplicationTaskIndividualAssessments",
    "CreateEventSubscription",
    "DescribeEventSubscriptions",
    "DeleteEventSubscription",
    "ListTagsForResource",
    "AddTagsToResource",
    "RemoveTagsFromResource",
];

pub fn dispatch(world: &mut World, operation: &str, req: &Req) -> OpResult {
    match operation {
        "CreateReplicationSubnetGroup" => subnet_groups::create(world, req),
        "DescribeReplicationSubnetGroups" => subnet_groups::describe(world, req),
        "DeleteReplicationSubnetGroup" => subnet_groups::delete(world, req),
        "CreateReplicationInstance" => instances::create(world, req),
        "DescribeReplicationInstances" => instances::describe(world, req),
        "DeleteReplicationInstance" => instances::delete(world, req),
        "CreateEndpoint" => endpoints::create(world, req),
        "DescribeEndpoints" => endpoints::describe(world, req),
        "DeleteEndpoint" => endpoints::delete(world, req),
        "TestConnection" => connections::test(world, req),
        "DescribeConnections" => connections::describe(world, req),
        "DeleteConnection" => connections::delete(world, req),
        "CreateReplicationTask" => tasks::create(world, req),
        "DescribeReplicationTasks" => tasks::describe(world, req),
        "ModifyReplicationTask" => tasks::modify(world, req),
        "StartReplicationTask" => task_run::start(world, req),
        "StopReplicationTask" => task_run::stop(world, req),
        "DeleteReplicationTask" => tasks::delete(world, req),
        "DescribeTableStatistics" => table_stats::describe(world, req),
        "ReloadTables" => reload::reload_tables(world, req),
        "ReloadReplicationTables" => reload::reload_replication_tables(world, req),
        "CreateReplicationConfig" => replication_configs::create(world, req),
        "DescribeReplicationConfigs" => replication_configs::describe(world, req),
        "ModifyReplicationConfig" => replication_configs::modify(world, req),
        "DeleteReplicationConfig" => replication_configs::delete(world, req),
        "DescribeReplications" => replications::describe(world, req),
        "StartReplication" => replications::start(world, req),
        "StopReplication" => replications::stop(world, req),
        "DescribeReplicationTableStatistics" => replications::table_statistics(world, req),
        "StartReplicationTaskAssessmentRun" => assessments::start(world, req),
        "DescribeReplicationTaskAssessmentRuns" => assessments::describe_runs(world, req),
        "DescribeReplicationTaskIndividualAssessments" => {
            assessments::describe_individual(world, req)
        }
        "CreateEventSubscription" => event_subscriptions::create(world, req),
        "DescribeEventSubscriptions" => event_subscriptions::describe(world, req),
        "DeleteEventSubscription" => event_subscriptions::delete(world, req),
        "ListTagsForResource" => tags::list(world, req),
        "AddTagsToResource" => tags::add(world, req),
        "RemoveTagsFromResource" => tags::remove(world, req),
        other => Err(Fault::invalid_action(other)),
    }
}

/// The ARN a call created or acted on, for the call log. The assessment and
/// reload calls log their task's ARN, as the other task calls do
/// (StartReplicationTaskAssessmentRun and ReloadTables carry ReplicationTaskArn;
/// the Describe* of assessments give it by their runs or filters).
pub fn resource_arn(
    world: &World,
    operation: &str,
    request: &Value,
    response: Option<&Value>,
) -> Option<String> {
    if let Some(task) = assessments::task_arn_of_call(world, operation, request, response) {
        return Some(task);
    }
    const KEYS: &[&str] = &[
        "ReplicationTaskArn",
        "ReplicationConfigArn",
        "ReplicationInstanceArn",
        "EndpointArn",
        "ResourceArn",
    ];
    if let Some(Value::Object(map)) = response {
        for v in map.values() {
            for k in KEYS {
                if let Some(s) = v.get(*k).and_then(Value::as_str) {
                    return Some(s.to_string());
                }
            }
        }
    }
    KEYS.iter()
        .find_map(|k| request.get(*k).and_then(Value::as_str))
        .map(str::to_string)
}

/// The account prerequisite for subnet groups and instances.
fn require_vpc_role(world: &World) -> Result<(), Fault> {
    if world.scenario.dms_vpc_role == Some(false) {
        return Err(Fault::access_denied(format!(
            "The IAM Role arn:aws:iam::{}:role/dms-vpc-role is not configured properly.",
            crate::ids::ACCOUNT
        )));
    }
    Ok(())
}
