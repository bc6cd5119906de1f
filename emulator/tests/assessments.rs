//! Premigration assessment runs: StartReplicationTaskAssessmentRun,
//! DescribeReplicationTaskAssessmentRuns, DescribeReplicationTaskIndividualAssessments,
//! their refusals and their drills, through the real SDK client.

mod common;

use aws_sdk_databasemigration::Client;
use aws_sdk_databasemigration::types::{
    MigrationTypeValue as M, ReplicationEndpointTypeValue, ReplicationTaskAssessmentRun,
    ReplicationTaskIndividualAssessment, StartReplicationTaskTypeValue as S, Tag,
};
use common::*;
use dms_emulator::Scenario;

const ROLE: &str = "arn:aws:iam::123456789012:role/DMSPremigrationAssessmentS3Role";
const BUCKET: &str = "dmsflow-assessments";

async fn start_run(
    dms: &Client,
    task: &str,
    name: &str,
) -> Result<
    ReplicationTaskAssessmentRun,
    aws_sdk_databasemigration::error::SdkError<
        aws_sdk_databasemigration::operation::start_replication_task_assessment_run::StartReplicationTaskAssessmentRunError,
    >,
>{
    dms.start_replication_task_assessment_run()
        .replication_task_arn(task)
        .service_access_role_arn(ROLE)
        .result_location_bucket(BUCKET)
        .assessment_run_name(name)
        .send()
        .await
        .map(|out| out.replication_task_assessment_run().unwrap().clone())
}

async fn run(dms: &Client, arn: &str) -> ReplicationTaskAssessmentRun {
    dms.describe_replication_task_assessment_runs()
        .filters(filter("replication-task-assessment-run-arn", arn))
        .send()
        .await
        .expect("describe runs")
        .replication_task_assessment_runs()[0]
        .clone()
}

const TERMINAL: &[&str] = &["passed", "warning", "failed", "error-executing"];

/// Polls the run to its end; gives it and every status seen, in order.
async fn finish(dms: &Client, arn: &str) -> (ReplicationTaskAssessmentRun, Vec<String>) {
    let seen = std::sync::Mutex::new(Vec::<String>::new());
    let done = eventually("assessment run finished", || async {
        let r = run(dms, arn).await;
        let status = r.status().unwrap().to_string();
        let mut seen = seen.lock().unwrap();
        if seen.last() != Some(&status) {
            seen.push(status.clone());
        }
        TERMINAL.contains(&status.as_str()).then_some(r)
    })
    .await;
    (done, seen.into_inner().unwrap())
}

async fn individual(dms: &Client, run_arn: &str) -> Vec<ReplicationTaskIndividualAssessment> {
    dms.describe_replication_task_individual_assessments()
        .filters(filter("replication-task-assessment-run-arn", run_arn))
        .send()
        .await
        .expect("describe individual assessments")
        .replication_task_individual_assessments()
        .to_vec()
}

/// A MySQL -> Aurora MySQL task on the setup's instance.
async fn mysql_task(dms: &Client, s: &Setup, id: &str, tags: Vec<Tag>) -> String {
    let endpoint = |kind: ReplicationEndpointTypeValue, name: &str, engine: &str| {
        dms.create_endpoint()
            .endpoint_identifier(format!("{id}-{name}"))
            .endpoint_type(kind)
            .engine_name(engine)
            .server_name("db.example.internal")
            .port(3306)
            .username("dms")
            .password("not-a-real-password")
            .send()
    };
    let src = endpoint(ReplicationEndpointTypeValue::Source, "src", "mysql")
        .await
        .unwrap();
    let tgt = endpoint(ReplicationEndpointTypeValue::Target, "tgt", "aurora")
        .await
        .unwrap();
    let mysql = Setup {
        subnet_group: s.subnet_group.clone(),
        instance_arn: s.instance_arn.clone(),
        source_arn: src.endpoint().unwrap().endpoint_arn().unwrap().to_string(),
        target_arn: tgt.endpoint().unwrap().endpoint_arn().unwrap().to_string(),
    };
    create_task(dms, &mysql, id, M::FullLoadAndCdc, None, tags).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_starts_passes_and_gives_the_task_back() {
    let env = start().await;
    let dms = &env.dms;
    let s = setup(dms, "ar").await;
    let task_arn = create_task(dms, &s, "ar-task", M::FullLoadAndCdc, None, vec![]).await;
    let started = start_run(dms, &task_arn, "ar-first").await.unwrap();
    assert_eq!(started.status(), Some("starting"));
    let arn = started.replication_task_assessment_run_arn().unwrap();
    assert!(
        arn.starts_with("arn:aws:dms:us-east-1:123456789012:assessment-run:"),
        "{arn}"
    );
    assert_eq!(started.replication_task_arn(), Some(task_arn.as_str()));
    assert_eq!(started.result_encryption_mode(), Some("NONE"));
    assert_eq!(started.service_access_role_arn(), Some(ROLE));
    assert_eq!(started.result_location_bucket(), Some(BUCKET));
    assert_eq!(started.assessment_run_name(), Some("ar-first"));
    assert!(started.is_latest_task_assessment_run());
    assert!(
        started
            .replication_task_assessment_run_creation_date()
            .is_some()
    );
    assert!(started.result_statistic().is_none());
    let progress = started.assessment_progress().unwrap();
    assert_eq!(progress.individual_assessment_completed_count(), 0);
    let count = progress.individual_assessment_count();

    // The task is `testing` while the run is under way; it refuses to start.
    assert_eq!(task(dms, &task_arn).await.status(), Some("testing"));
    let e = dms
        .start_replication_task()
        .replication_task_arn(&task_arn)
        .start_replication_task_type(S::StartReplication)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "InvalidResourceStateFault");

    let (done, seen) = finish(dms, arn).await;
    let order = ["starting", "provisioning", "running", "passed"];
    let mut at = 0;
    for status in &seen {
        at += order[at..]
            .iter()
            .position(|o| o == status)
            .unwrap_or_else(|| panic!("{status} out of order in {seen:?}"));
    }
    assert_eq!(done.status(), Some("passed"));
    assert!(done.last_failure_message().is_none());
    let stat = done.result_statistic().unwrap();
    assert_eq!(
        (stat.passed(), stat.failed(), stat.warning(), stat.error()),
        (count, 0, 0, 0)
    );
    assert_eq!(
        done.assessment_progress()
            .unwrap()
            .individual_assessment_completed_count(),
        count
    );
    assert_eq!(task(dms, &task_arn).await.status(), Some("ready"));

    // The individual assessments: postgres source with CDC.
    let all = individual(dms, arn).await;
    assert_eq!(all.len() as i32, count);
    let names: Vec<&str> = all
        .iter()
        .map(|a| a.individual_assessment_name().unwrap())
        .collect();
    for expected in [
        "unsupported-data-types-in-source",
        "table-with-no-primary-key-or-unique-constraint",
        "target-table-has-unique-key-or-primary-key-for-cdc",
        "postgres-check-wallevel",
    ] {
        assert!(names.contains(&expected), "{expected} in {names:?}");
    }
    assert!(names.iter().all(|n| !n.starts_with("mysql-")));
    for a in &all {
        assert_eq!(a.status(), Some("passed"));
        assert_eq!(a.replication_task_assessment_run_arn(), Some(arn));
        assert!(
            a.replication_task_individual_assessment_start_date()
                .is_some()
        );
        assert!(
            a.replication_task_individual_assessment_arn()
                .unwrap()
                .starts_with("arn:aws:dms:us-east-1:123456789012:individual-assessment:")
        );
    }

    // The task starts afterwards as a task never started.
    start_task(dms, &task_arn, S::StartReplication).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals() {
    let env = start().await;
    let dms = &env.dms;
    let s = setup(dms, "rf").await;
    let task_arn = create_task(dms, &s, "rf-task", M::FullLoad, None, vec![]).await;

    let unknown = start_run(dms, &format!("{task_arn}X"), "rf-x")
        .await
        .unwrap_err();
    assert_eq!(code(&unknown), "ResourceNotFoundFault");

    let both = dms
        .start_replication_task_assessment_run()
        .replication_task_arn(&task_arn)
        .service_access_role_arn(ROLE)
        .result_location_bucket(BUCKET)
        .assessment_run_name("rf-both")
        .include_only("unsupported-data-types-in-source")
        .exclude("full-lob-not-nullable-at-target")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&both), "InvalidParameterCombinationException");

    // A CDC-only check is not applicable to a full-load task.
    let not_applicable = dms
        .start_replication_task_assessment_run()
        .replication_task_arn(&task_arn)
        .service_access_role_arn(ROLE)
        .result_location_bucket(BUCKET)
        .assessment_run_name("rf-na")
        .include_only("postgres-check-wallevel")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&not_applicable), "InvalidParameterValueException");
    assert!(message(&not_applicable).contains("postgres-check-wallevel"));

    let bad_tag = dms
        .start_replication_task_assessment_run()
        .replication_task_arn(&task_arn)
        .service_access_role_arn(ROLE)
        .result_location_bucket(BUCKET)
        .assessment_run_name("rf-tag")
        .tags(tag("aws:owner", "me"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&bad_tag), "InvalidParameterValueException");

    // Nothing refused so far left a run or changed the task.
    assert_eq!(task(dms, &task_arn).await.status(), Some("ready"));
    let none = dms
        .describe_replication_task_assessment_runs()
        .send()
        .await
        .unwrap();
    assert!(none.replication_task_assessment_runs().is_empty());

    let first = start_run(dms, &task_arn, "rf-one").await.unwrap();
    let busy = start_run(dms, &task_arn, "rf-two").await.unwrap_err();
    assert_eq!(code(&busy), "InvalidResourceStateFault");
    finish(dms, first.replication_task_assessment_run_arn().unwrap()).await;
    let reused = start_run(dms, &task_arn, "rf-one").await.unwrap_err();
    assert_eq!(code(&reused), "ResourceAlreadyExistsFault");

    // A running task cannot be assessed.
    start_task(dms, &task_arn, S::StartReplication).await;
    let running = start_run(dms, &task_arn, "rf-running").await.unwrap_err();
    assert_eq!(code(&running), "InvalidResourceStateFault");

    // Filters that match nothing are ResourceNotFoundFault, as other describes.
    let e = dms
        .describe_replication_task_assessment_runs()
        .filters(filter("status", "failed"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "ResourceNotFoundFault");
    let e = dms
        .describe_replication_task_individual_assessments()
        .filters(filter(
            "replication-task-arn",
            "arn:aws:dms:us-east-1:123456789012:task:NONE",
        ))
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "ResourceNotFoundFault");
    let e = dms
        .describe_replication_task_individual_assessments()
        .filters(filter("endpoint-arn", "x"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "InvalidParameterValueException");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drills_fail_warn_or_error_named_assessments() {
    let env = start().await;
    let dms = &env.dms;
    let s = setup(dms, "dr").await;
    let task_arn = mysql_task(
        dms,
        &s,
        "dr-task",
        vec![
            tag("dms-emulator:assessment-fail", "mysql-check-binlog-format"),
            tag("dms-emulator:assessment-warning", "true"),
        ],
    )
    .await;

    // Failed wins over the warning; the message names the failed assessment.
    let first = start_run(dms, &task_arn, "dr-1").await.unwrap();
    let first_arn = first
        .replication_task_assessment_run_arn()
        .unwrap()
        .to_string();
    let (failed, _) = finish(dms, &first_arn).await;
    assert_eq!(failed.status(), Some("failed"));
    let msg = failed.last_failure_message().unwrap();
    assert!(msg.contains("mysql-check-binlog-format"), "{msg}");
    let stat = failed.result_statistic().unwrap();
    assert_eq!((stat.failed(), stat.warning(), stat.error()), (1, 1, 0));
    let bad = dms
        .describe_replication_task_individual_assessments()
        .filters(filter("replication-task-assessment-run-arn", &first_arn))
        .filters(filter("status", "failed"))
        .send()
        .await
        .unwrap();
    let bad = bad.replication_task_individual_assessments();
    assert_eq!(bad.len(), 1);
    assert_eq!(
        bad[0].individual_assessment_name(),
        Some("mysql-check-binlog-format")
    );
    // `true` is the run's first assessment.
    let all = individual(dms, &first_arn).await;
    assert_eq!(all[0].status(), Some("warning"));
    assert!(
        all.iter()
            .any(|a| a.individual_assessment_name() == Some("mysql-check-table-storage-engine"))
    );
    assert_eq!(task(dms, &task_arn).await.status(), Some("ready"));

    // Without the failure: warning. IncludeOnly narrows the run.
    dms.remove_tags_from_resource()
        .resource_arn(&task_arn)
        .tag_keys("dms-emulator:assessment-fail")
        .send()
        .await
        .unwrap();
    let second = start_run(dms, &task_arn, "dr-2").await.unwrap();
    let (warned, _) = finish(dms, second.replication_task_assessment_run_arn().unwrap()).await;
    assert_eq!(warned.status(), Some("warning"));
    assert!(warned.last_failure_message().is_none());
    let only = dms
        .start_replication_task_assessment_run()
        .replication_task_arn(&task_arn)
        .service_access_role_arn(ROLE)
        .result_location_bucket(BUCKET)
        .result_location_folder("reports")
        .result_encryption_mode("SSE_S3")
        .assessment_run_name("dr-3")
        .include_only("mysql-check-binlog-format")
        .send()
        .await
        .unwrap();
    let only = only.replication_task_assessment_run().unwrap();
    assert_eq!(only.result_location_folder(), Some("reports"));
    assert_eq!(only.result_encryption_mode(), Some("SSE_S3"));
    assert_eq!(
        only.assessment_progress()
            .unwrap()
            .individual_assessment_count(),
        1
    );
    // `assessment-warning` = `true` is this run's first (and only) assessment.
    let (narrow, _) = finish(dms, only.replication_task_assessment_run_arn().unwrap()).await;
    assert_eq!(narrow.status(), Some("warning"));
    assert_eq!(narrow.result_statistic().unwrap().warning(), 1);

    // A scenario drill by task identifier: an error makes the run error-executing.
    let (status, _) = control(
        env.handle.addr(),
        "POST",
        "/_emulator/scenario",
        Some(format!(
            r#"{{"speed": {SPEED}, "drills": {{"dr-task": {{"assessment-error": "mysql-check-server-id"}}}}}}"#
        )),
    )
    .await;
    assert_eq!(status, 200);
    let fourth = start_run(dms, &task_arn, "dr-4").await.unwrap();
    let fourth_arn = fourth
        .replication_task_assessment_run_arn()
        .unwrap()
        .to_string();
    let (errored, _) = finish(dms, &fourth_arn).await;
    assert_eq!(errored.status(), Some("error-executing"));
    assert!(
        errored
            .last_failure_message()
            .unwrap()
            .contains("mysql-check-server-id")
    );

    // Every run of the task; only the newest is the latest.
    let runs = dms
        .describe_replication_task_assessment_runs()
        .filters(filter("replication-task-arn", &task_arn))
        .send()
        .await
        .unwrap();
    let runs = runs.replication_task_assessment_runs();
    assert_eq!(runs.len(), 4);
    let latest: Vec<_> = runs
        .iter()
        .filter(|r| r.is_latest_task_assessment_run())
        .map(|r| r.replication_task_assessment_run_arn().unwrap())
        .collect();
    assert_eq!(latest, [fourth_arn.as_str()]);
    let by_instance = dms
        .describe_replication_task_assessment_runs()
        .filters(filter("replication-instance-arn", &s.instance_arn))
        .filters(filter("status", "failed"))
        .send()
        .await
        .unwrap();
    assert_eq!(by_instance.replication_task_assessment_runs().len(), 1);

    // Individual assessments of the task's runs page by 20.
    let pages: Vec<_> = {
        let mut pages = Vec::new();
        let mut marker: Option<String> = None;
        loop {
            let out = dms
                .describe_replication_task_individual_assessments()
                .filters(filter("replication-task-arn", &task_arn))
                .max_records(20)
                .set_marker(marker.take())
                .send()
                .await
                .unwrap();
            pages.push(out.replication_task_individual_assessments().len());
            match out.marker() {
                Some(m) => marker = Some(m.to_string()),
                None => break,
            }
        }
        pages
    };
    let total: usize = pages.iter().sum();
    assert_eq!(total, 3 * all.len() + 1);
    assert!(
        pages.len() >= 2 && pages.iter().all(|n| *n <= 20),
        "{pages:?}"
    );
    let e = dms
        .describe_replication_task_assessment_runs()
        .max_records(19)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "InvalidParameterValueException");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_call_log_names_the_task_and_runs_go_with_their_task() {
    let env = start_with(Scenario::default()).await;
    let dms = &env.dms;
    let s = setup(dms, "cl").await;
    let task_arn = create_task(dms, &s, "cl-task", M::FullLoad, None, vec![]).await;
    let started = dms
        .start_replication_task_assessment_run()
        .replication_task_arn(&task_arn)
        .service_access_role_arn(ROLE)
        .result_location_bucket(BUCKET)
        .assessment_run_name("cl-run")
        .tags(tag("team", "data"))
        .send()
        .await
        .unwrap();
    let run_arn = started
        .replication_task_assessment_run()
        .unwrap()
        .replication_task_assessment_run_arn()
        .unwrap()
        .to_string();
    let tags = dms
        .list_tags_for_resource()
        .resource_arn(&run_arn)
        .send()
        .await
        .unwrap();
    assert_eq!(tags.tag_list()[0].key(), Some("team"));
    finish(dms, &run_arn).await;
    individual(dms, &run_arn).await;
    let calls = env.handle.emulator().calls();
    for op in [
        "StartReplicationTaskAssessmentRun",
        "DescribeReplicationTaskAssessmentRuns",
        "DescribeReplicationTaskIndividualAssessments",
    ] {
        let logged: Vec<_> = calls["calls"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["operation"] == op)
            .collect();
        assert!(!logged.is_empty(), "{op} logged");
        for c in logged {
            assert_eq!(c["resource_arn"], task_arn.as_str(), "{op}: {c}");
        }
    }
    let resources = env.handle.emulator().resources();
    assert_eq!(resources["replication_task_assessment_runs"]["count"], 1);

    dms.delete_replication_task()
        .replication_task_arn(&task_arn)
        .send()
        .await
        .unwrap();
    eventually("task and its runs gone", || async {
        let r = env.handle.emulator().resources();
        (r["replication_task_assessment_runs"]["count"] == 0
            && r["replication_tasks"]["count"] == 0)
            .then_some(())
    })
    .await;
    let left = dms
        .describe_replication_task_assessment_runs()
        .send()
        .await
        .unwrap();
    assert!(left.replication_task_assessment_runs().is_empty());
}
