//! [`Dms`] for the AWS SDK client. Every SDK error goes through
//! [`classify`]; `ResourceNotFoundFault` becomes `Ok(None)` on a describe and
//! `Ok(())` on a delete.

mod convert;
mod endpoint_settings;
mod serverless;
mod settings_keys;
#[cfg(test)]
pub(crate) mod test_support;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_endpoint;

use aws_sdk_databasemigration::Client;
use aws_sdk_databasemigration::types::{
    DmsSslModeValue, MigrationTypeValue, ReloadOptionValue, ReplicationEndpointTypeValue,
    StartReplicationTaskTypeValue, TableToReload,
};

use self::convert::{domain_tags, filter, same_id, sdk_tags};
use super::dms::{
    AssessmentRequest, AssessmentRun, Connection, Dms, Endpoint, EndpointRequest, EndpointRole,
    EventSubscription, EventSubscriptionRequest, IndividualAssessment, Instance, InstanceRequest,
    ReloadOption, ReplicationConfigRequest, StartType, SubnetGroup, SubnetGroupRequest, TableName,
    TableStats, Tags, Task, TaskRequest,
};
use super::fault::{AwsFault, AwsResult, classify};

pub use self::endpoint_settings::{SECRET_ENGINES, check_endpoint_settings};
pub use self::serverless::status_in_task_terms;
use crate::aws::dms::is_config_arn;

/// `DescribeTableStatistics` page size (the API's maximum).
const TABLE_STATISTICS_PAGE: i32 = 500;

/// A describe's result, with `ResourceNotFoundFault` (a filter that matched
/// nothing) as `None`.
fn found<T>(result: AwsResult<T>) -> AwsResult<Option<T>> {
    match result {
        Ok(value) => Ok(Some(value)),
        Err(AwsFault::NotFound(_)) => Ok(None),
        Err(fault) => Err(fault),
    }
}

/// A delete's result, with `ResourceNotFoundFault` (already gone) as success.
fn gone<T>(result: AwsResult<T>) -> AwsResult<()> {
    match result {
        Ok(_) | Err(AwsFault::NotFound(_)) => Ok(()),
        Err(fault) => Err(fault),
    }
}

/// The resource with the identifier asked for from a describe's answer; `None`
/// when DMS found nothing (`ResourceNotFoundFault` or an empty list).
fn pick<O, R, T>(
    answer: AwsResult<O>,
    items: impl Fn(&O) -> &[R],
    wanted: impl Fn(&R) -> bool,
    convert: impl Fn(&R) -> AwsResult<T>,
) -> AwsResult<Option<T>> {
    let Some(answer) = found(answer)? else {
        return Ok(None);
    };
    items(&answer)
        .iter()
        .find(|r| wanted(r))
        .map(convert)
        .transpose()
}

/// A string the caller passes for an SDK enum, checked against its values.
pub(super) fn one_of<T: for<'a> From<&'a str>>(
    what: &str,
    value: &str,
    allowed: &[&str],
) -> AwsResult<T> {
    if allowed.contains(&value) {
        Ok(T::from(value))
    } else {
        Err(AwsFault::Invalid(format!(
            "{what} `{value}` is not one of: {}",
            allowed.join(", ")
        )))
    }
}

/// `None` for an empty list, so an optional list parameter is left out.
fn non_empty(values: &[String]) -> Option<Vec<String>> {
    (!values.is_empty()).then(|| values.to_vec())
}

impl Dms for Client {
    async fn describe_subnet_group(&self, id: &str) -> AwsResult<Option<SubnetGroup>> {
        let answer = self
            .describe_replication_subnet_groups()
            .filters(filter("replication-subnet-group-id", id))
            .send()
            .await
            .map_err(classify);
        pick(
            answer,
            |a| a.replication_subnet_groups(),
            |g| same_id(g.replication_subnet_group_identifier(), id),
            convert::subnet_group,
        )
    }

    async fn create_subnet_group(&self, request: &SubnetGroupRequest) -> AwsResult<()> {
        self.create_replication_subnet_group()
            .replication_subnet_group_identifier(&request.id)
            .replication_subnet_group_description(&request.description)
            .set_subnet_ids(Some(request.subnet_ids.clone()))
            .set_tags(Some(sdk_tags(&request.tags)))
            .send()
            .await
            .map_err(classify)?;
        Ok(())
    }

    async fn delete_subnet_group(&self, id: &str) -> AwsResult<()> {
        gone(
            self.delete_replication_subnet_group()
                .replication_subnet_group_identifier(id)
                .send()
                .await
                .map_err(classify),
        )
    }

    async fn describe_instance(&self, id: &str) -> AwsResult<Option<Instance>> {
        let answer = self
            .describe_replication_instances()
            .filters(filter("replication-instance-id", id))
            .send()
            .await
            .map_err(classify);
        pick(
            answer,
            |a| a.replication_instances(),
            |i| same_id(i.replication_instance_identifier(), id),
            convert::instance,
        )
    }

    async fn create_instance(&self, request: &InstanceRequest) -> AwsResult<Instance> {
        let answer = self
            .create_replication_instance()
            .replication_instance_identifier(&request.id)
            .replication_instance_class(&request.class)
            .allocated_storage(request.allocated_storage_gb)
            .multi_az(request.multi_az)
            .set_engine_version(request.engine_version.clone())
            .publicly_accessible(request.publicly_accessible)
            .replication_subnet_group_identifier(&request.subnet_group_id)
            .set_vpc_security_group_ids(non_empty(&request.security_group_ids))
            .set_kms_key_id(request.kms_key_id.clone())
            .set_tags(Some(sdk_tags(&request.tags)))
            .send()
            .await
            .map_err(classify)?;
        match answer.replication_instance() {
            Some(instance) => convert::instance(instance),
            None => Err(AwsFault::Other {
                code: "IncompleteResponse".into(),
                message: "CreateReplicationInstance answered without the instance".into(),
            }),
        }
    }

    async fn delete_instance(&self, arn: &str) -> AwsResult<()> {
        gone(
            self.delete_replication_instance()
                .replication_instance_arn(arn)
                .send()
                .await
                .map_err(classify),
        )
    }

    async fn describe_endpoint(&self, id: &str) -> AwsResult<Option<Endpoint>> {
        let answer = self
            .describe_endpoints()
            .filters(filter("endpoint-id", id))
            .send()
            .await
            .map_err(classify);
        pick(
            answer,
            |a| a.endpoints(),
            |e| same_id(e.endpoint_identifier(), id),
            convert::endpoint,
        )
    }

    async fn create_endpoint(&self, request: &EndpointRequest) -> AwsResult<Endpoint> {
        let call = Client::create_endpoint(self)
            .endpoint_identifier(&request.id)
            .endpoint_type(match request.role {
                EndpointRole::Source => ReplicationEndpointTypeValue::Source,
                EndpointRole::Target => ReplicationEndpointTypeValue::Target,
            })
            .engine_name(&request.engine)
            .ssl_mode(one_of::<DmsSslModeValue>(
                "SSL mode",
                &request.ssl_mode,
                DmsSslModeValue::values(),
            )?)
            .set_certificate_arn(request.certificate_arn.clone())
            .set_extra_connection_attributes(request.extra_connection_attributes.clone())
            .set_tags(Some(sdk_tags(&request.tags)));
        let answer = endpoint_settings::apply(call, request)?
            .send()
            .await
            .map_err(classify)?;
        match answer.endpoint() {
            Some(endpoint) => convert::endpoint(endpoint),
            None => Err(AwsFault::Other {
                code: "IncompleteResponse".into(),
                message: "CreateEndpoint answered without the endpoint".into(),
            }),
        }
    }

    async fn delete_endpoint(&self, arn: &str) -> AwsResult<()> {
        gone(
            Client::delete_endpoint(self)
                .endpoint_arn(arn)
                .send()
                .await
                .map_err(classify),
        )
    }

    async fn test_connection(&self, instance_arn: &str, endpoint_arn: &str) -> AwsResult<()> {
        Client::test_connection(self)
            .replication_instance_arn(instance_arn)
            .endpoint_arn(endpoint_arn)
            .send()
            .await
            .map_err(classify)?;
        Ok(())
    }

    async fn describe_connection(
        &self,
        instance_arn: &str,
        endpoint_arn: &str,
    ) -> AwsResult<Option<Connection>> {
        let answer = self
            .describe_connections()
            .filters(filter("endpoint-arn", endpoint_arn))
            .filters(filter("replication-instance-arn", instance_arn))
            .send()
            .await
            .map_err(classify);
        pick(
            answer,
            |a| a.connections(),
            |c| {
                c.endpoint_arn() == Some(endpoint_arn)
                    && c.replication_instance_arn() == Some(instance_arn)
            },
            convert::connection,
        )
    }

    async fn describe_task(&self, id: &str) -> AwsResult<Option<Task>> {
        let answer = self
            .describe_replication_tasks()
            .filters(filter("replication-task-id", id))
            .send()
            .await
            .map_err(classify);
        pick(
            answer,
            |a| a.replication_tasks(),
            |t| same_id(t.replication_task_identifier(), id),
            convert::task,
        )
    }

    async fn create_task(&self, request: &TaskRequest) -> AwsResult<Task> {
        let answer = self
            .create_replication_task()
            .replication_task_identifier(&request.id)
            .replication_instance_arn(&request.instance_arn)
            .source_endpoint_arn(&request.source_endpoint_arn)
            .target_endpoint_arn(&request.target_endpoint_arn)
            .migration_type(one_of::<MigrationTypeValue>(
                "migration type",
                &request.migration_type,
                MigrationTypeValue::values(),
            )?)
            .table_mappings(&request.table_mappings)
            .replication_task_settings(&request.settings)
            .set_tags(Some(sdk_tags(&request.tags)))
            .send()
            .await
            .map_err(classify)?;
        match answer.replication_task() {
            Some(task) => convert::task(task),
            None => Err(AwsFault::Other {
                code: "IncompleteResponse".into(),
                message: "CreateReplicationTask answered without the task".into(),
            }),
        }
    }

    async fn describe_serverless_replication(&self, id: &str) -> AwsResult<Option<Task>> {
        serverless::describe(self, id).await
    }

    async fn create_serverless_replication(
        &self,
        request: &ReplicationConfigRequest,
    ) -> AwsResult<Task> {
        serverless::create(self, request).await
    }

    async fn modify_task_settings(&self, arn: &str, settings: &str) -> AwsResult<()> {
        if is_config_arn(arn) {
            return serverless::modify_settings(self, arn, settings).await;
        }
        self.modify_replication_task()
            .replication_task_arn(arn)
            .replication_task_settings(settings)
            .send()
            .await
            .map_err(classify)?;
        Ok(())
    }

    async fn start_task(&self, arn: &str, start_type: StartType) -> AwsResult<()> {
        if is_config_arn(arn) {
            return serverless::start(self, arn, start_type).await;
        }
        self.start_replication_task()
            .replication_task_arn(arn)
            .start_replication_task_type(StartReplicationTaskTypeValue::from(start_type.as_str()))
            .send()
            .await
            .map_err(classify)?;
        Ok(())
    }

    async fn stop_task(&self, arn: &str) -> AwsResult<()> {
        if is_config_arn(arn) {
            return serverless::stop(self, arn).await;
        }
        self.stop_replication_task()
            .replication_task_arn(arn)
            .send()
            .await
            .map_err(classify)?;
        Ok(())
    }

    async fn delete_task(&self, arn: &str) -> AwsResult<()> {
        if is_config_arn(arn) {
            return serverless::delete(self, arn).await;
        }
        gone(
            self.delete_replication_task()
                .replication_task_arn(arn)
                .send()
                .await
                .map_err(classify),
        )
    }

    async fn table_statistics(&self, task_arn: &str) -> AwsResult<Vec<TableStats>> {
        table_statistics_pages(self, task_arn, None).await
    }

    async fn table_statistics_in_state(
        &self,
        task_arn: &str,
        table_state: &str,
    ) -> AwsResult<Vec<TableStats>> {
        table_statistics_pages(self, task_arn, Some(filter("table-state", table_state))).await
    }

    async fn describe_event_subscription(
        &self,
        name: &str,
    ) -> AwsResult<Option<EventSubscription>> {
        let answer = self
            .describe_event_subscriptions()
            .subscription_name(name)
            .send()
            .await
            .map_err(classify);
        pick(
            answer,
            |a| a.event_subscriptions_list(),
            |s| same_id(s.cust_subscription_id(), name),
            convert::subscription,
        )
    }

    async fn create_event_subscription(&self, request: &EventSubscriptionRequest) -> AwsResult<()> {
        Client::create_event_subscription(self)
            .subscription_name(&request.name)
            .sns_topic_arn(&request.topic_arn)
            .source_type(&request.source_type)
            .set_source_ids(non_empty(&request.source_ids))
            .set_event_categories(non_empty(&request.categories))
            .enabled(true)
            .set_tags(Some(sdk_tags(&request.tags)))
            .send()
            .await
            .map_err(classify)?;
        Ok(())
    }

    async fn delete_event_subscription(&self, name: &str) -> AwsResult<()> {
        gone(
            Client::delete_event_subscription(self)
                .subscription_name(name)
                .send()
                .await
                .map_err(classify),
        )
    }

    async fn tags(&self, arn: &str) -> AwsResult<Tags> {
        let answer = self
            .list_tags_for_resource()
            .resource_arn(arn)
            .send()
            .await
            .map_err(classify)?;
        Ok(domain_tags(answer.tag_list()))
    }

    async fn start_assessment(&self, request: &AssessmentRequest) -> AwsResult<AssessmentRun> {
        let answer = self
            .start_replication_task_assessment_run()
            .replication_task_arn(&request.task_arn)
            .assessment_run_name(&request.name)
            .service_access_role_arn(&request.role_arn)
            .result_location_bucket(&request.bucket)
            .result_location_folder(&request.folder)
            .set_include_only(non_empty(&request.include_only))
            .set_exclude(non_empty(&request.exclude))
            .send()
            .await
            .map_err(classify)?;
        match answer.replication_task_assessment_run() {
            Some(run) => convert::assessment_run(run),
            None => Err(AwsFault::Other {
                code: "IncompleteResponse".into(),
                message: "StartReplicationTaskAssessmentRun answered without the run".into(),
            }),
        }
    }

    async fn assessment_runs(&self, task_arn: &str) -> AwsResult<Vec<AssessmentRun>> {
        let mut runs = Vec::new();
        let mut marker: Option<String> = None;
        loop {
            let page = found(
                self.describe_replication_task_assessment_runs()
                    .filters(filter("replication-task-arn", task_arn))
                    .set_marker(marker.take())
                    .send()
                    .await
                    .map_err(classify),
            )?;
            let Some(page) = page else { return Ok(runs) };
            for run in page.replication_task_assessment_runs() {
                runs.push(convert::assessment_run(run)?);
            }
            match page.marker() {
                Some(next) if !next.is_empty() => marker = Some(next.to_string()),
                _ => return Ok(runs),
            }
        }
    }

    async fn reload_tables(
        &self,
        task_arn: &str,
        tables: &[TableName],
        option: ReloadOption,
    ) -> AwsResult<()> {
        let tables = tables
            .iter()
            .map(|t| {
                TableToReload::builder()
                    .schema_name(&t.schema)
                    .table_name(&t.table)
                    .build()
                    .map_err(|e| AwsFault::Invalid(format!("a table to reload: {e}")))
            })
            .collect::<AwsResult<Vec<_>>>()?;
        if is_config_arn(task_arn) {
            return serverless::reload_tables(self, task_arn, tables, option).await;
        }
        self.reload_tables()
            .replication_task_arn(task_arn)
            .set_tables_to_reload(Some(tables))
            .reload_option(ReloadOptionValue::from(option.as_str()))
            .send()
            .await
            .map_err(classify)?;
        Ok(())
    }

    async fn individual_assessments(&self, run_arn: &str) -> AwsResult<Vec<IndividualAssessment>> {
        let mut assessments = Vec::new();
        let mut marker: Option<String> = None;
        loop {
            let page = found(
                self.describe_replication_task_individual_assessments()
                    .filters(filter("replication-task-assessment-run-arn", run_arn))
                    .set_marker(marker.take())
                    .send()
                    .await
                    .map_err(classify),
            )?;
            let Some(page) = page else {
                return Ok(assessments);
            };
            assessments.extend(
                page.replication_task_individual_assessments()
                    .iter()
                    .map(convert::individual_assessment),
            );
            match page.marker() {
                Some(next) if !next.is_empty() => marker = Some(next.to_string()),
                _ => return Ok(assessments),
            }
        }
    }
}

/// Every page of `DescribeTableStatistics` (or, for a replication config,
/// `DescribeReplicationTableStatistics`: the same rows, filters and paging), with
/// `filter` when given.
async fn table_statistics_pages(
    client: &Client,
    arn: &str,
    filter: Option<aws_sdk_databasemigration::types::Filter>,
) -> AwsResult<Vec<TableStats>> {
    let filters = filter.map(|f| vec![f]);
    let mut tables = Vec::new();
    let mut marker: Option<String> = None;
    // One page of either call: the rows under `$rows` and the next marker.
    macro_rules! page {
        ($request:expr, $rows:ident) => {{
            let page = $request
                .max_records(TABLE_STATISTICS_PAGE)
                .set_filters(filters.clone())
                .set_marker(marker.take())
                .send()
                .await
                .map_err(classify)?;
            let rows: Vec<TableStats> = page.$rows().iter().map(convert::table).collect();
            (rows, page.marker().map(str::to_string))
        }};
    }
    loop {
        let (rows, next) = if is_config_arn(arn) {
            page!(
                client
                    .describe_replication_table_statistics()
                    .replication_config_arn(arn),
                replication_table_statistics
            )
        } else {
            page!(
                client.describe_table_statistics().replication_task_arn(arn),
                table_statistics
            )
        };
        tables.extend(rows);
        match next {
            Some(next) if !next.is_empty() => marker = Some(next),
            _ => return Ok(tables),
        }
    }
}
