//! The SDK mapping of every `Dms` method but endpoint creation, against the
//! real SDK client with mocked responses.

use aws_sdk_databasemigration::Client;
use aws_sdk_databasemigration::operation::{
    create_event_subscription::CreateEventSubscriptionOutput,
    create_replication_instance::CreateReplicationInstanceOutput,
    create_replication_subnet_group::CreateReplicationSubnetGroupOutput,
    create_replication_task::CreateReplicationTaskOutput,
    delete_replication_instance::DeleteReplicationInstanceOutput,
    describe_connections::DescribeConnectionsOutput,
    describe_event_subscriptions::DescribeEventSubscriptionsOutput,
    describe_replication_instances::DescribeReplicationInstancesOutput,
    describe_replication_subnet_groups::DescribeReplicationSubnetGroupsOutput,
    describe_replication_tasks::DescribeReplicationTasksOutput,
    describe_table_statistics::DescribeTableStatisticsOutput,
    list_tags_for_resource::ListTagsForResourceOutput,
    modify_replication_task::ModifyReplicationTaskOutput,
    start_replication_task::StartReplicationTaskOutput,
    stop_replication_task::StopReplicationTaskOutput, test_connection::TestConnectionOutput,
};
use aws_sdk_databasemigration::types::{
    Connection as SdkConnection, EventSubscription as SdkEventSubscription, MigrationTypeValue,
    ReplicationInstance, ReplicationSubnetGroup, ReplicationTask, ReplicationTaskStats,
    StartReplicationTaskTypeValue, TableStatistics, Tag,
};
use aws_smithy_mocks::mock;
use aws_smithy_types::DateTime;

use super::convert::filter;
use super::test_support::{dms, dms_fault};
use crate::aws::dms::{
    Dms, EventSubscriptionRequest, InstanceRequest, StartType, SubnetGroupRequest, Tags,
    TaskRequest,
};
use crate::aws::fault::AwsFault;

const INSTANCE_ARN: &str = "arn:aws:dms:eu-west-1:123456789012:rep:RANDOMINSTANCE";
const TASK_ARN: &str = "arn:aws:dms:eu-west-1:123456789012:task:RANDOMTASK";
const SOURCE_ARN: &str = "arn:aws:dms:eu-west-1:123456789012:endpoint:SRC";
const TARGET_ARN: &str = "arn:aws:dms:eu-west-1:123456789012:endpoint:TGT";

fn run_tags() -> Tags {
    Tags::from([
        ("dmsflow:run".to_string(), "r1".to_string()),
        ("team".to_string(), "data".to_string()),
    ])
}

fn sdk_run_tags() -> Vec<Tag> {
    vec![
        Tag::builder().key("dmsflow:run").value("r1").build(),
        Tag::builder().key("team").value("data").build(),
    ]
}

fn sdk_instance() -> ReplicationInstance {
    ReplicationInstance::builder()
        .replication_instance_identifier("run1-instance")
        .replication_instance_arn(INSTANCE_ARN)
        .replication_instance_status("available")
        .build()
}

fn sdk_task() -> ReplicationTask {
    ReplicationTask::builder()
        .replication_task_identifier("run1-task")
        .replication_task_arn(TASK_ARN)
        .status("stopped")
        .migration_type(MigrationTypeValue::FullLoad)
        .stop_reason("Stop Reason FULL_LOAD_ONLY_FINISHED")
        .replication_task_settings("{\"Logging\":{}}")
        .replication_task_start_date(DateTime::from_secs(1_700_000_000))
        .replication_task_stats(
            ReplicationTaskStats::builder()
                .full_load_progress_percent(100)
                .elapsed_time_millis(61_000)
                .tables_loaded(4)
                .tables_errored(1)
                .start_date(DateTime::from_secs(1_700_000_001))
                .stop_date(DateTime::from_secs(1_700_000_099))
                .full_load_finish_date(DateTime::from_secs(1_700_000_090))
                .build(),
        )
        .replication_instance_arn(INSTANCE_ARN)
        .source_endpoint_arn(SOURCE_ARN)
        .target_endpoint_arn(TARGET_ARN)
        .build()
}

#[tokio::test]
async fn describe_subnet_group_filters_by_id_and_maps_the_group() {
    let rule = mock!(Client::describe_replication_subnet_groups)
        .match_requests(|r| r.filters() == [filter("replication-subnet-group-id", "run1-subnets")])
        .then_output(|| {
            DescribeReplicationSubnetGroupsOutput::builder()
                .replication_subnet_groups(
                    ReplicationSubnetGroup::builder()
                        .replication_subnet_group_identifier("run1-subnets")
                        .subnet_group_status("Complete")
                        .build(),
                )
                .build()
        });
    let (client, _) = dms(&[&rule]);
    let group = client
        .describe_subnet_group("run1-subnets")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(group.id, "run1-subnets");
    assert_eq!(group.status, "Complete");
    assert_eq!(rule.num_calls(), 1);
}

#[tokio::test]
async fn describe_instance_filters_by_id_and_picks_the_instance_with_that_id() {
    let rule = mock!(Client::describe_replication_instances)
        .match_requests(|r| r.filters() == [filter("replication-instance-id", "run1-instance")])
        .then_output(|| {
            DescribeReplicationInstancesOutput::builder()
                .replication_instances(
                    ReplicationInstance::builder()
                        .replication_instance_identifier("other-instance")
                        .replication_instance_arn("arn:aws:dms:eu-west-1:123456789012:rep:OTHER")
                        .replication_instance_status("available")
                        .build(),
                )
                .replication_instances(sdk_instance())
                .build()
        });
    let (client, _) = dms(&[&rule]);
    let instance = client
        .describe_instance("run1-instance")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(instance.arn, INSTANCE_ARN);
    assert_eq!(instance.status, "available");
}

#[tokio::test]
async fn a_describe_that_matches_nothing_is_none() {
    let not_found = mock!(Client::describe_replication_instances)
        .then_http_response(|| dms_fault("ResourceNotFoundFault", "No instance found"));
    let empty = mock!(Client::describe_replication_tasks)
        .then_output(|| DescribeReplicationTasksOutput::builder().build());
    let (client, _) = dms(&[&not_found, &empty]);
    assert_eq!(client.describe_instance("run1-instance").await, Ok(None));
    assert_eq!(client.describe_task("run1-task").await, Ok(None));
}

#[tokio::test]
async fn deleting_what_is_gone_succeeds() {
    let subnets = mock!(Client::delete_replication_subnet_group)
        .match_requests(|r| r.replication_subnet_group_identifier() == Some("run1-subnets"))
        .then_http_response(|| dms_fault("ResourceNotFoundFault", "not found"));
    let endpoint = mock!(Client::delete_endpoint)
        .match_requests(|r| r.endpoint_arn() == Some(SOURCE_ARN))
        .then_http_response(|| dms_fault("ResourceNotFoundFault", "not found"));
    let task = mock!(Client::delete_replication_task)
        .then_http_response(|| dms_fault("ResourceNotFoundFault", "not found"));
    let subscription = mock!(Client::delete_event_subscription)
        .match_requests(|r| r.subscription_name() == Some("run1-events"))
        .then_http_response(|| dms_fault("ResourceNotFoundFault", "not found"));
    let (client, _) = dms(&[&subnets, &endpoint, &task, &subscription]);
    assert_eq!(client.delete_subnet_group("run1-subnets").await, Ok(()));
    assert_eq!(Dms::delete_endpoint(&client, SOURCE_ARN).await, Ok(()));
    assert_eq!(client.delete_task(TASK_ARN).await, Ok(()));
    assert_eq!(
        Dms::delete_event_subscription(&client, "run1-events").await,
        Ok(())
    );
}

#[tokio::test]
async fn a_delete_refused_for_its_state_is_busy() {
    let rule = mock!(Client::delete_replication_instance)
        .then_http_response(|| dms_fault("InvalidResourceStateFault", "instance has tasks"));
    let (client, _) = dms(&[&rule]);
    let fault = client.delete_instance(INSTANCE_ARN).await.unwrap_err();
    assert_eq!(fault, AwsFault::Busy("instance has tasks".into()));
}

#[tokio::test]
async fn throttling_is_classified_as_throttled() {
    let rule = mock!(Client::describe_replication_tasks)
        .then_http_response(|| dms_fault("ThrottlingException", "Rate exceeded"));
    let (client, _) = dms(&[&rule]);
    let fault = client.describe_task("run1-task").await.unwrap_err();
    assert_eq!(fault, AwsFault::Throttled("Rate exceeded".into()));
}

#[tokio::test]
async fn create_subnet_group_sends_id_description_subnets_and_tags() {
    let rule = mock!(Client::create_replication_subnet_group)
        .match_requests(|r| {
            r.replication_subnet_group_identifier() == Some("run1-subnets")
                && r.replication_subnet_group_description() == Some("dmsflow run1")
                && r.subnet_ids() == ["subnet-a", "subnet-b"]
                && r.tags() == sdk_run_tags()
        })
        .then_output(|| CreateReplicationSubnetGroupOutput::builder().build());
    let (client, _) = dms(&[&rule]);
    let request = SubnetGroupRequest {
        id: "run1-subnets".into(),
        description: "dmsflow run1".into(),
        subnet_ids: vec!["subnet-a".into(), "subnet-b".into()],
        tags: run_tags(),
    };
    client.create_subnet_group(&request).await.unwrap();
    assert_eq!(rule.num_calls(), 1);
}

#[tokio::test]
async fn create_instance_sends_the_request_and_maps_the_answer() {
    let rule = mock!(Client::create_replication_instance)
        .match_requests(|r| {
            r.replication_instance_identifier() == Some("run1-instance")
                && r.replication_instance_class() == Some("dms.t3.medium")
                && r.allocated_storage() == Some(50)
                && r.multi_az() == Some(true)
                && r.engine_version() == Some("3.5.3")
                && r.publicly_accessible() == Some(false)
                && r.replication_subnet_group_identifier() == Some("run1-subnets")
                && r.vpc_security_group_ids() == ["sg-1"]
                && r.kms_key_id().is_none()
                && r.tags() == sdk_run_tags()
        })
        .then_output(|| {
            CreateReplicationInstanceOutput::builder()
                .replication_instance(sdk_instance())
                .build()
        });
    let (client, _) = dms(&[&rule]);
    let request = InstanceRequest {
        id: "run1-instance".into(),
        class: "dms.t3.medium".into(),
        allocated_storage_gb: 50,
        multi_az: true,
        engine_version: Some("3.5.3".into()),
        publicly_accessible: false,
        subnet_group_id: "run1-subnets".into(),
        security_group_ids: vec!["sg-1".into()],
        kms_key_id: None,
        tags: run_tags(),
    };
    let instance = client.create_instance(&request).await.unwrap();
    assert_eq!(instance.id, "run1-instance");
    assert_eq!(instance.arn, INSTANCE_ARN);
    assert_eq!(instance.status, "available");
}

#[tokio::test]
async fn delete_instance_names_the_arn() {
    let rule = mock!(Client::delete_replication_instance)
        .match_requests(|r| r.replication_instance_arn() == Some(INSTANCE_ARN))
        .then_output(|| DeleteReplicationInstanceOutput::builder().build());
    let (client, _) = dms(&[&rule]);
    client.delete_instance(INSTANCE_ARN).await.unwrap();
    assert_eq!(rule.num_calls(), 1);
}

#[tokio::test]
async fn connections_are_tested_and_described_by_both_arns() {
    let test = mock!(Client::test_connection)
        .match_requests(|r| {
            r.replication_instance_arn() == Some(INSTANCE_ARN)
                && r.endpoint_arn() == Some(SOURCE_ARN)
        })
        .then_output(|| TestConnectionOutput::builder().build());
    let describe = mock!(Client::describe_connections)
        .match_requests(|r| {
            r.filters()
                == [
                    filter("endpoint-arn", SOURCE_ARN),
                    filter("replication-instance-arn", INSTANCE_ARN),
                ]
        })
        .then_output(|| {
            DescribeConnectionsOutput::builder()
                .connections(
                    SdkConnection::builder()
                        .endpoint_arn(SOURCE_ARN)
                        .replication_instance_arn(INSTANCE_ARN)
                        .status("failed")
                        .last_failure_message("Can't connect to MySQL server")
                        .build(),
                )
                .build()
        });
    let gone = mock!(Client::describe_connections)
        .then_http_response(|| dms_fault("ResourceNotFoundFault", "no connection"));
    let (client, _) = dms(&[&test, &describe, &gone]);
    Dms::test_connection(&client, INSTANCE_ARN, SOURCE_ARN)
        .await
        .unwrap();
    let connection = client
        .describe_connection(INSTANCE_ARN, SOURCE_ARN)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(connection.status, "failed");
    assert_eq!(connection.endpoint_arn, SOURCE_ARN);
    assert_eq!(connection.instance_arn, INSTANCE_ARN);
    assert_eq!(
        connection.last_failure_message.as_deref(),
        Some("Can't connect to MySQL server")
    );
    assert_eq!(
        client.describe_connection(INSTANCE_ARN, SOURCE_ARN).await,
        Ok(None)
    );
}

#[tokio::test]
async fn describe_task_maps_status_stats_and_epoch_seconds() {
    let rule = mock!(Client::describe_replication_tasks)
        .match_requests(|r| r.filters() == [filter("replication-task-id", "run1-task")])
        .then_output(|| {
            DescribeReplicationTasksOutput::builder()
                .replication_tasks(sdk_task())
                .build()
        });
    let (client, _) = dms(&[&rule]);
    let task = client.describe_task("run1-task").await.unwrap().unwrap();
    assert_eq!(task.arn, TASK_ARN);
    assert_eq!(task.status, "stopped");
    assert_eq!(task.migration_type, "full-load");
    assert_eq!(
        task.stop_reason.as_deref(),
        Some("Stop Reason FULL_LOAD_ONLY_FINISHED")
    );
    assert_eq!(task.settings.as_deref(), Some("{\"Logging\":{}}"));
    assert_eq!(task.start_date, Some(1_700_000_000));
    assert_eq!(task.instance_arn, INSTANCE_ARN);
    assert_eq!(task.source_endpoint_arn, SOURCE_ARN);
    assert_eq!(task.target_endpoint_arn, TARGET_ARN);
    let stats = task.stats.unwrap();
    assert_eq!(stats.full_load_progress_percent, 100);
    assert_eq!(stats.elapsed_time_millis, 61_000);
    assert_eq!((stats.tables_loaded, stats.tables_errored), (4, 1));
    assert_eq!(stats.start_date, Some(1_700_000_001));
    assert_eq!(stats.stop_date, Some(1_700_000_099));
    assert_eq!(stats.full_load_finish_date, Some(1_700_000_090));
}

#[tokio::test]
async fn create_task_sends_type_mappings_settings_and_tags() {
    let rule = mock!(Client::create_replication_task)
        .match_requests(|r| {
            r.replication_task_identifier() == Some("run1-task")
                && r.replication_instance_arn() == Some(INSTANCE_ARN)
                && r.source_endpoint_arn() == Some(SOURCE_ARN)
                && r.target_endpoint_arn() == Some(TARGET_ARN)
                && r.migration_type() == Some(&MigrationTypeValue::FullLoadAndCdc)
                && r.table_mappings() == Some("{\"rules\":[]}")
                && r.replication_task_settings() == Some("{\"Logging\":{}}")
                && r.tags() == sdk_run_tags()
        })
        .then_output(|| {
            CreateReplicationTaskOutput::builder()
                .replication_task(sdk_task())
                .build()
        });
    let (client, _) = dms(&[&rule]);
    let mut request = TaskRequest {
        id: "run1-task".into(),
        instance_arn: INSTANCE_ARN.into(),
        source_endpoint_arn: SOURCE_ARN.into(),
        target_endpoint_arn: TARGET_ARN.into(),
        migration_type: "full-load-and-cdc".into(),
        table_mappings: "{\"rules\":[]}".into(),
        settings: "{\"Logging\":{}}".into(),
        tags: run_tags(),
    };
    let task = client.create_task(&request).await.unwrap();
    assert_eq!(task.arn, TASK_ARN);

    request.migration_type = "full-load-and-cdc-and-more".into();
    let refused = client.create_task(&request).await.unwrap_err();
    assert!(matches!(refused, AwsFault::Invalid(m) if m.contains("full-load-and-cdc-and-more")));
    assert_eq!(rule.num_calls(), 1, "an invalid migration type is not sent");
}

#[tokio::test]
async fn task_lifecycle_calls_send_only_what_they_change() {
    let modify = mock!(Client::modify_replication_task)
        .match_requests(|r| {
            r.replication_task_arn() == Some(TASK_ARN)
                && r.replication_task_settings() == Some("{\"ValidationSettings\":{}}")
                && r.table_mappings().is_none()
                && r.migration_type().is_none()
                && r.replication_task_identifier().is_none()
        })
        .then_output(|| ModifyReplicationTaskOutput::builder().build());
    let start = mock!(Client::start_replication_task)
        .match_requests(|r| {
            r.replication_task_arn() == Some(TASK_ARN)
                && r.start_replication_task_type()
                    == Some(&StartReplicationTaskTypeValue::ResumeProcessing)
        })
        .then_output(|| StartReplicationTaskOutput::builder().build());
    let stop = mock!(Client::stop_replication_task)
        .match_requests(|r| r.replication_task_arn() == Some(TASK_ARN))
        .then_output(|| StopReplicationTaskOutput::builder().build());
    let (client, _) = dms(&[&modify, &start, &stop]);
    client
        .modify_task_settings(TASK_ARN, "{\"ValidationSettings\":{}}")
        .await
        .unwrap();
    client
        .start_task(TASK_ARN, StartType::ResumeProcessing)
        .await
        .unwrap();
    client.stop_task(TASK_ARN).await.unwrap();
    assert_eq!(
        (modify.num_calls(), start.num_calls(), stop.num_calls()),
        (1, 1, 1)
    );
}

#[tokio::test]
async fn modifying_a_running_task_is_busy() {
    let rule = mock!(Client::modify_replication_task)
        .then_http_response(|| dms_fault("InvalidResourceStateFault", "Task is running"));
    let (client, _) = dms(&[&rule]);
    let fault = client
        .modify_task_settings(TASK_ARN, "{}")
        .await
        .unwrap_err();
    assert_eq!(fault, AwsFault::Busy("Task is running".into()));
}

fn stats_page(tables: &[&str], marker: Option<&str>) -> DescribeTableStatisticsOutput {
    let rows = tables.iter().map(|t| {
        TableStatistics::builder()
            .schema_name("app")
            .table_name(*t)
            .table_state("Table completed")
            .full_load_rows(10)
            .inserts(2)
            .validation_state("Validated")
            .validation_failed_records(0)
            .build()
    });
    DescribeTableStatisticsOutput::builder()
        .replication_task_arn(TASK_ARN)
        .set_table_statistics(Some(rows.collect()))
        .set_marker(marker.map(str::to_string))
        .build()
}

#[tokio::test]
async fn table_statistics_in_state_sends_the_table_state_filter_on_every_page() {
    let filtered = |r: &aws_sdk_databasemigration::operation::describe_table_statistics::DescribeTableStatisticsInput| {
        r.filters().len() == 1
            && r.filters()[0].name() == "table-state"
            && r.filters()[0].values() == ["Table error"]
    };
    let first = mock!(Client::describe_table_statistics)
        .match_requests(move |r| filtered(r) && r.marker().is_none())
        .then_output(|| stats_page(&["a"], Some("m1")));
    let second = mock!(Client::describe_table_statistics)
        .match_requests(move |r| filtered(r) && r.marker() == Some("m1"))
        .then_output(|| stats_page(&["b"], None));
    let (client, _) = dms(&[&first, &second]);
    let tables = client
        .table_statistics_in_state(TASK_ARN, "Table error")
        .await
        .unwrap();
    assert_eq!(tables.len(), 2);
    assert_eq!((first.num_calls(), second.num_calls()), (1, 1));
}

#[tokio::test]
async fn table_statistics_reads_every_page() {
    let first = mock!(Client::describe_table_statistics)
        .match_requests(|r| {
            r.replication_task_arn() == Some(TASK_ARN)
                && r.max_records() == Some(500)
                && r.marker().is_none()
        })
        .then_output(|| stats_page(&["a", "b"], Some("m1")));
    let second = mock!(Client::describe_table_statistics)
        .match_requests(|r| r.marker() == Some("m1") && r.max_records() == Some(500))
        .then_output(|| stats_page(&["c"], Some("m2")));
    let third = mock!(Client::describe_table_statistics)
        .match_requests(|r| r.marker() == Some("m2"))
        .then_output(|| stats_page(&["d", "e"], None));
    let (client, _) = dms(&[&first, &second, &third]);
    let tables = client.table_statistics(TASK_ARN).await.unwrap();
    let names: Vec<_> = tables.iter().map(|t| t.table.as_str()).collect();
    assert_eq!(names, ["a", "b", "c", "d", "e"]);
    assert_eq!(tables[0].schema, "app");
    assert_eq!(tables[0].table_state, "Table completed");
    assert_eq!(tables[0].full_load_rows, 10);
    assert_eq!(tables[0].inserts, 2);
    assert_eq!(tables[0].validation_state, "Validated");
    assert_eq!(
        (first.num_calls(), second.num_calls(), third.num_calls()),
        (1, 1, 1)
    );
}

#[tokio::test]
async fn event_subscriptions_are_created_and_found_by_name() {
    let create = mock!(Client::create_event_subscription)
        .match_requests(|r| {
            r.subscription_name() == Some("run1-events")
                && r.sns_topic_arn() == Some("arn:aws:sns:eu-west-1:123456789012:alerts")
                && r.source_type() == Some("replication-task")
                && r.source_ids() == ["run1-task"]
                && r.event_categories() == ["failure", "state change"]
                && r.enabled() == Some(true)
                && r.tags() == sdk_run_tags()
        })
        .then_output(|| CreateEventSubscriptionOutput::builder().build());
    let describe = mock!(Client::describe_event_subscriptions)
        .match_requests(|r| r.subscription_name() == Some("run1-events"))
        .then_output(|| {
            DescribeEventSubscriptionsOutput::builder()
                .event_subscriptions_list(
                    SdkEventSubscription::builder()
                        .cust_subscription_id("run1-events")
                        .status("active")
                        .sns_topic_arn("arn:aws:sns:eu-west-1:123456789012:alerts")
                        .build(),
                )
                .build()
        });
    let missing = mock!(Client::describe_event_subscriptions)
        .then_http_response(|| dms_fault("ResourceNotFoundFault", "Event Subscription not found"));
    let (client, _) = dms(&[&create, &describe, &missing]);
    let request = EventSubscriptionRequest {
        name: "run1-events".into(),
        topic_arn: "arn:aws:sns:eu-west-1:123456789012:alerts".into(),
        categories: vec!["failure".into(), "state change".into()],
        source_type: "replication-task".into(),
        source_ids: vec!["run1-task".into()],
        tags: run_tags(),
    };
    Dms::create_event_subscription(&client, &request)
        .await
        .unwrap();
    let found = client
        .describe_event_subscription("run1-events")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.name, "run1-events");
    assert_eq!(found.status, "active");
    assert_eq!(found.topic_arn, "arn:aws:sns:eu-west-1:123456789012:alerts");
    assert_eq!(
        client.describe_event_subscription("run1-events").await,
        Ok(None)
    );
}

#[tokio::test]
async fn tags_are_listed_by_arn() {
    let rule = mock!(Client::list_tags_for_resource)
        .match_requests(|r| r.resource_arn() == Some(TASK_ARN))
        .then_output(|| {
            ListTagsForResourceOutput::builder()
                .set_tag_list(Some(sdk_run_tags()))
                .build()
        });
    let (client, _) = dms(&[&rule]);
    assert_eq!(client.tags(TASK_ARN).await, Ok(run_tags()));
}
