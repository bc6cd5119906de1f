//! DescribeTableStatistics paging and filters over a 500-table scenario catalog.

mod common;

use std::collections::BTreeSet;

use aws_sdk_databasemigration::types::{
    MigrationTypeValue as M, StartReplicationTaskTypeValue as S,
};
use common::*;
use dms_emulator::Scenario;

const SCENARIO: &str = r#"{"catalog": {
    "tables": [{"schema": "other", "name": "not_selected", "rows": 5}],
    "generate": [{"schema": "bulk", "prefix": "table_", "count": 500, "rows": 10}]
}}"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_hundred_tables_page_by_marker() {
    let env = start_with(Scenario::from_json(SCENARIO).unwrap()).await;
    let dms = &env.dms;
    let s = setup(dms, "big").await;
    let out = dms
        .create_replication_task()
        .replication_task_identifier("big-task")
        .source_endpoint_arn(&s.source_arn)
        .target_endpoint_arn(&s.target_arn)
        .replication_instance_arn(&s.instance_arn)
        .migration_type(M::FullLoad)
        .table_mappings(mappings("bulk", "%"))
        .send()
        .await
        .unwrap();
    let arn = out
        .replication_task()
        .unwrap()
        .replication_task_arn()
        .unwrap()
        .to_string();
    wait_task_status(dms, &arn, "ready").await;
    start_task(dms, &arn, S::StartReplication).await;
    let done = wait_task_status(dms, &arn, "stopped").await;
    assert_eq!(done.replication_task_stats().unwrap().tables_loaded(), 500);

    // Default page size is 100: five pages, a marker on all but the last.
    let mut names = BTreeSet::new();
    let mut marker: Option<String> = None;
    let mut pages = 0;
    loop {
        let out = dms
            .describe_table_statistics()
            .replication_task_arn(&arn)
            .set_marker(marker.clone())
            .send()
            .await
            .unwrap();
        pages += 1;
        assert!(out.table_statistics().len() <= 100);
        for t in out.table_statistics() {
            assert_eq!(t.schema_name(), Some("bulk"), "only the selected schema");
            assert_eq!(t.full_load_rows(), 10);
            names.insert(t.table_name().unwrap().to_string());
        }
        marker = out.marker().map(str::to_string);
        if marker.is_none() {
            break;
        }
    }
    assert_eq!((pages, names.len()), (5, 500));
    assert!(names.contains("table_001") && names.contains("table_500"));

    // The SDK paginator sees the same (500 / 37 -> 14 pages); MaxRecords 500 fits all in one page.
    let pages: Vec<_> = dms
        .describe_table_statistics()
        .replication_task_arn(&arn)
        .max_records(37)
        .into_paginator()
        .send()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(pages.len(), 14);
    assert_eq!(
        pages
            .iter()
            .map(|p| p.table_statistics().len())
            .sum::<usize>(),
        500
    );
    let one = dms
        .describe_table_statistics()
        .replication_task_arn(&arn)
        .max_records(500)
        .send()
        .await
        .unwrap();
    assert_eq!(one.table_statistics().len(), 500);
    assert!(one.marker().is_none());

    // Page size limits are 20..500.
    for bad in [19, 501] {
        let e = dms
            .describe_table_statistics()
            .replication_task_arn(&arn)
            .max_records(bad)
            .send()
            .await
            .unwrap_err();
        assert_eq!(
            code(&e),
            "InvalidParameterValueException",
            "MaxRecords {bad}"
        );
    }

    // Filters combine with AND.
    let one = dms
        .describe_table_statistics()
        .replication_task_arn(&arn)
        .filters(filter("table-name", "table_007"))
        .filters(filter("table-state", "Table completed"))
        .send()
        .await
        .unwrap();
    assert_eq!(one.table_statistics().len(), 1);
    let none = dms
        .describe_table_statistics()
        .replication_task_arn(&arn)
        .filters(filter("table-state", "Table error"))
        .send()
        .await
        .unwrap();
    assert!(none.table_statistics().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn describe_tasks_pages_too() {
    let env = start().await;
    let dms = &env.dms;
    let s = setup(dms, "many").await;
    for i in 0..25 {
        dms.create_replication_task()
            .replication_task_identifier(format!("many-{i:02}"))
            .source_endpoint_arn(&s.source_arn)
            .target_endpoint_arn(&s.target_arn)
            .replication_instance_arn(&s.instance_arn)
            .migration_type(M::FullLoad)
            .table_mappings(mappings("sales", "%"))
            .send()
            .await
            .unwrap();
    }
    let first = dms
        .describe_replication_tasks()
        .max_records(20)
        .without_settings(true)
        .send()
        .await
        .unwrap();
    assert_eq!(first.replication_tasks().len(), 20);
    assert!(
        first.replication_tasks()[0]
            .replication_task_settings()
            .is_none()
    );
    let second = dms
        .describe_replication_tasks()
        .max_records(20)
        .marker(first.marker().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(second.replication_tasks().len(), 5);
    assert!(second.marker().is_none());
    assert!(
        second.replication_tasks()[0]
            .replication_task_settings()
            .is_some()
    );
    let by_type = dms
        .describe_replication_tasks()
        .filters(filter("migration-type", "full-load"))
        .filters(filter("endpoint-arn", &s.target_arn))
        .send()
        .await
        .unwrap();
    assert_eq!(by_type.replication_tasks().len(), 25);
}
