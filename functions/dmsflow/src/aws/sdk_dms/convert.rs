//! SDK shapes to domain types and back: tags, filters, timestamps, and one
//! conversion per resource.

use aws_sdk_databasemigration::types::{
    Connection as SdkConnection, Endpoint as SdkEndpoint,
    EventSubscription as SdkEventSubscription, Filter, ReplicationInstance, ReplicationSubnetGroup,
    ReplicationTask, ReplicationTaskAssessmentRun, ReplicationTaskIndividualAssessment,
    TableStatistics, Tag,
};
use aws_smithy_types::DateTime;

use crate::aws::dms::{
    AssessmentRun, Connection, Endpoint, EndpointRole, EventSubscription, IndividualAssessment,
    Instance, SubnetGroup, TableStats, Tags, Task,
};
use crate::aws::fault::{AwsFault, AwsResult};

/// A DMS `Filters` entry with one value.
pub(super) fn filter(name: &str, value: &str) -> Filter {
    Filter::builder()
        .name(name)
        .values(value)
        .build()
        .expect("a filter with a name and a value always builds")
}

/// Domain tags to the SDK's tag list.
pub(super) fn sdk_tags(tags: &Tags) -> Vec<Tag> {
    tags.iter()
        .map(|(key, value)| Tag::builder().key(key).value(value).build())
        .collect()
}

/// The SDK's tag list to domain tags (tags without a key are dropped).
pub(super) fn domain_tags(tags: &[Tag]) -> Tags {
    tags.iter()
        .filter_map(|t| Some((t.key()?.to_string(), t.value().unwrap_or("").to_string())))
        .collect()
}

/// A timestamp as epoch seconds.
pub(super) fn epoch(time: Option<&DateTime>) -> Option<i64> {
    time.map(DateTime::secs)
}

/// Whether a resource DMS returned has the identifier asked for (DMS stores
/// identifiers in lower case).
pub(super) fn same_id(found: Option<&str>, wanted: &str) -> bool {
    found.is_some_and(|f| f.eq_ignore_ascii_case(wanted))
}

/// A field DMS always sends; its absence is reported rather than papered over.
pub(super) fn required(value: Option<&str>, what: &str) -> AwsResult<String> {
    value.map(str::to_string).ok_or_else(|| AwsFault::Other {
        code: "IncompleteResponse".into(),
        message: format!("DMS answered without {what}"),
    })
}

pub(super) fn subnet_group(group: &ReplicationSubnetGroup) -> AwsResult<SubnetGroup> {
    Ok(SubnetGroup {
        id: required(
            group.replication_subnet_group_identifier(),
            "ReplicationSubnetGroupIdentifier",
        )?,
        // DescribeReplicationSubnetGroups does not report an ARN.
        arn: None,
        status: required(group.subnet_group_status(), "SubnetGroupStatus")?,
    })
}

pub(super) fn instance(instance: &ReplicationInstance) -> AwsResult<Instance> {
    Ok(Instance {
        id: required(
            instance.replication_instance_identifier(),
            "ReplicationInstanceIdentifier",
        )?,
        arn: required(
            instance.replication_instance_arn(),
            "ReplicationInstanceArn",
        )?,
        status: required(
            instance.replication_instance_status(),
            "ReplicationInstanceStatus",
        )?,
    })
}

pub(super) fn endpoint(endpoint: &SdkEndpoint) -> AwsResult<Endpoint> {
    // DMS answers `SOURCE`/`TARGET` in upper case (the SDK's enum spells them in
    // lower case and keeps upper case as `Unknown`): compare without case.
    let kind = endpoint
        .endpoint_type()
        .map(|t| t.as_str().to_ascii_lowercase());
    let role = match kind.as_deref() {
        Some("source") => EndpointRole::Source,
        Some("target") => EndpointRole::Target,
        other => {
            return Err(AwsFault::Other {
                code: "IncompleteResponse".into(),
                message: format!("DMS answered with endpoint type {other:?}"),
            });
        }
    };
    Ok(Endpoint {
        id: required(endpoint.endpoint_identifier(), "EndpointIdentifier")?,
        arn: required(endpoint.endpoint_arn(), "EndpointArn")?,
        role,
        engine: required(endpoint.engine_name(), "EngineName")?,
        status: required(endpoint.status(), "Status")?,
    })
}

pub(super) fn connection(connection: &SdkConnection) -> AwsResult<Connection> {
    Ok(Connection {
        endpoint_arn: required(connection.endpoint_arn(), "EndpointArn")?,
        instance_arn: required(
            connection.replication_instance_arn(),
            "ReplicationInstanceArn",
        )?,
        status: required(connection.status(), "Status")?,
        last_failure_message: connection.last_failure_message().map(str::to_string),
    })
}

/// `ReplicationTaskStats`, or a serverless replication's `ReplicationStats` (the
/// same members, another SDK type), as [`TaskStats`].
macro_rules! stats {
    ($stats:expr) => {{
        let stats = $stats;
        crate::aws::dms::TaskStats {
            full_load_progress_percent: stats.full_load_progress_percent(),
            elapsed_time_millis: stats.elapsed_time_millis(),
            tables_loaded: stats.tables_loaded(),
            tables_loading: stats.tables_loading(),
            tables_queued: stats.tables_queued(),
            tables_errored: stats.tables_errored(),
            start_date: epoch(stats.start_date()),
            stop_date: epoch(stats.stop_date()),
            full_load_finish_date: epoch(stats.full_load_finish_date()),
        }
    }};
}
pub(super) use stats;

pub(super) fn task(task: &ReplicationTask) -> AwsResult<Task> {
    Ok(Task {
        id: required(
            task.replication_task_identifier(),
            "ReplicationTaskIdentifier",
        )?,
        arn: required(task.replication_task_arn(), "ReplicationTaskArn")?,
        status: required(task.status(), "Status")?,
        migration_type: required(task.migration_type().map(|m| m.as_str()), "MigrationType")?,
        stop_reason: task.stop_reason().map(str::to_string),
        last_failure_message: task.last_failure_message().map(str::to_string),
        settings: task.replication_task_settings().map(str::to_string),
        start_date: epoch(task.replication_task_start_date()),
        stats: task.replication_task_stats().map(|s| stats!(s)),
        instance_arn: required(task.replication_instance_arn(), "ReplicationInstanceArn")?,
        source_endpoint_arn: required(task.source_endpoint_arn(), "SourceEndpointArn")?,
        target_endpoint_arn: required(task.target_endpoint_arn(), "TargetEndpointArn")?,
        provisioning: None,
    })
}

pub(super) fn table(table: &TableStatistics) -> TableStats {
    let text = |s: Option<&str>| s.unwrap_or_default().to_string();
    TableStats {
        schema: text(table.schema_name()),
        table: text(table.table_name()),
        table_state: text(table.table_state()),
        full_load_rows: table.full_load_rows(),
        full_load_error_rows: table.full_load_error_rows(),
        inserts: table.inserts(),
        updates: table.updates(),
        deletes: table.deletes(),
        ddls: table.ddls(),
        validation_state: text(table.validation_state()),
        validation_pending_records: table.validation_pending_records(),
        validation_failed_records: table.validation_failed_records(),
        validation_suspended_records: table.validation_suspended_records(),
    }
}

pub(super) fn subscription(subscription: &SdkEventSubscription) -> AwsResult<EventSubscription> {
    Ok(EventSubscription {
        name: required(subscription.cust_subscription_id(), "CustSubscriptionId")?,
        // DescribeEventSubscriptions does not report an ARN.
        arn: None,
        status: required(subscription.status(), "Status")?,
        topic_arn: required(subscription.sns_topic_arn(), "SnsTopicArn")?,
    })
}

pub(super) fn assessment_run(run: &ReplicationTaskAssessmentRun) -> AwsResult<AssessmentRun> {
    Ok(AssessmentRun {
        arn: required(
            run.replication_task_assessment_run_arn(),
            "assessment run ARN",
        )?,
        name: run.assessment_run_name().unwrap_or_default().to_string(),
        status: required(run.status(), "assessment run status")?,
        created: epoch(run.replication_task_assessment_run_creation_date()),
        last_failure_message: run
            .last_failure_message()
            .filter(|m| !m.is_empty())
            .map(str::to_string),
        bucket: run.result_location_bucket().unwrap_or_default().to_string(),
        folder: run
            .result_location_folder()
            .filter(|f| !f.is_empty())
            .map(str::to_string),
    })
}

pub(super) fn individual_assessment(
    assessment: &ReplicationTaskIndividualAssessment,
) -> IndividualAssessment {
    IndividualAssessment {
        name: assessment
            .individual_assessment_name()
            .unwrap_or_default()
            .to_string(),
        status: assessment.status().unwrap_or_default().to_string(),
    }
}

#[cfg(test)]
mod endpoint_type_tests {
    use super::*;
    use aws_sdk_databasemigration::types::ReplicationEndpointTypeValue;

    #[test]
    fn the_endpoint_type_is_read_in_either_case() {
        for (answered, role) in [
            ("SOURCE", EndpointRole::Source),
            ("target", EndpointRole::Target),
        ] {
            let sdk = SdkEndpoint::builder()
                .endpoint_identifier("e")
                .endpoint_arn("arn:aws:dms:us-east-1:123456789012:endpoint:E")
                .endpoint_type(ReplicationEndpointTypeValue::from(answered))
                .engine_name("mysql")
                .status("active")
                .build();
            assert_eq!(endpoint(&sdk).map(|e| e.role), Ok(role));
        }
    }
}
