use serde_json::json;

use super::*;
use crate::progress::fixtures;
use crate::testing;

const DELETE: Policy = Policy {
    delete: true,
    stop_task: true,
};
const KEEP: Policy = Policy {
    delete: false,
    stop_task: false,
};
const KEEP_BUT_STOP: Policy = Policy {
    delete: false,
    stop_task: true,
};

fn names() -> Names {
    Names::for_run("orders")
}

/// Every resource of run `orders`, all the run's, with the task and the instance
/// in the given statuses (`None`: absent).
fn world(task: Option<&str>, instance: Option<&str>) -> Observed {
    let names = names();
    let mut observed = Observed::nothing();
    observed.subnet_group = Seen::Ours(testing::subnet_group(&names.subnet_group));
    if let Some(status) = instance {
        observed.instance = Seen::Ours(testing::instance(&names.instance, status));
    }
    observed.source = Seen::Ours(testing::endpoint(
        &names.source_endpoint,
        EndpointRole::Source,
        "active",
    ));
    observed.target = Seen::Ours(testing::endpoint(
        &names.target_endpoint,
        EndpointRole::Target,
        "active",
    ));
    if let Some(status) = task {
        observed.task = Seen::Ours(testing::task(&names.task, status));
    }
    observed.subscription = Seen::Ours(testing::event_subscription(
        &names.event_subscription,
        "arn:aws:sns:us-east-1:111122223333:t",
    ));
    for alarm in &names.alarms {
        observed.alarms.insert(alarm.clone(), true);
    }
    observed.dashboard = Seen::Ours(names.dashboard.clone());
    observed
}

fn arn(kind: &str, suffix: &str) -> String {
    testing::arn(kind, &format!("dmsflow-orders-{suffix}"))
}

#[test]
fn policy_follows_the_reason_and_the_spec() {
    let spec = |changes| fixtures::spec(changes);
    assert_eq!(policy(Reason::Teardown, None).unwrap(), DELETE);
    assert_eq!(
        policy(Reason::Success, Some(&spec(json!({})))).unwrap(),
        DELETE
    );
    assert_eq!(
        policy(Reason::Failure, Some(&spec(json!({})))).unwrap(),
        KEEP_BUT_STOP,
        "a failed run keeps its resources but never leaves replication running unattended"
    );
    let keep_on_success = spec(json!({"cleanup": {"on_success": "keep"}}));
    assert_eq!(
        policy(Reason::Success, Some(&keep_on_success)).unwrap(),
        KEEP
    );
    let keep_but_stop = spec(json!({
        "cleanup": {"on_success": "keep"},
        "completion": {"then": "stop-and-clean-up"}
    }));
    assert_eq!(
        policy(Reason::Success, Some(&keep_but_stop)).unwrap(),
        KEEP_BUT_STOP
    );
    // A failure always stops the task, whatever the success policy says.
    assert_eq!(
        policy(Reason::Failure, Some(&keep_but_stop)).unwrap(),
        KEEP_BUT_STOP
    );
    let delete_on_failure = spec(json!({"cleanup": {"on_failure": "delete"}}));
    assert_eq!(
        policy(Reason::Failure, Some(&delete_on_failure)).unwrap(),
        DELETE
    );
    for reason in [Reason::Success, Reason::Failure] {
        let error = policy(reason, None).unwrap_err();
        assert_eq!(error.kind, ErrorKind::InvalidSpec);
        assert!(error.message.contains("teardown"), "{}", error.message);
    }
}

#[test]
fn a_running_task_is_stopped_first_and_nothing_else_is_touched() {
    for status in ["running", "starting"] {
        let plan = plan(&names(), DELETE, &world(Some(status), Some("available")));
        assert_eq!(
            plan.actions,
            vec![Action::StopTask {
                arn: arn("task", "task")
            }]
        );
        assert!(plan.waiting_for.unwrap().contains("to stop"));
        assert_eq!(plan.wait_seconds, SHORT_WAIT_SECONDS);
        assert_eq!(plan.remaining.len(), 11, "{:?}", plan.remaining);
    }
    let stopping = plan(
        &names(),
        DELETE,
        &world(Some("stopping"), Some("available")),
    );
    assert!(stopping.actions.is_empty());
    assert!(stopping.waiting_for.is_some());
}

#[test]
fn a_stopped_task_is_deleted_and_waited_for() {
    for status in ["stopped", "ready", "failed"] {
        let plan = plan(&names(), DELETE, &world(Some(status), Some("available")));
        assert_eq!(
            plan.actions,
            vec![Action::DeleteTask {
                arn: arn("task", "task")
            }],
            "{status}"
        );
        assert!(plan.waiting_for.unwrap().contains("dmsflow-orders-task"));
        assert!(
            plan.remaining
                .contains(&"replication task dmsflow-orders-task".into())
        );
    }
    for status in ["deleting", "creating", "modifying"] {
        let plan = plan(&names(), DELETE, &world(Some(status), Some("available")));
        assert!(plan.actions.is_empty(), "{status}: {:?}", plan.actions);
        assert!(plan.waiting_for.is_some(), "{status}");
    }
}

#[test]
fn once_the_task_is_gone_endpoints_and_instance_go_together() {
    let plan = plan(&names(), DELETE, &world(None, Some("available")));
    assert_eq!(
        plan.actions,
        vec![
            Action::DeleteEndpoint {
                role: EndpointRole::Source,
                arn: arn("endpoint", "source")
            },
            Action::DeleteEndpoint {
                role: EndpointRole::Target,
                arn: arn("endpoint", "target")
            },
            Action::DeleteInstance {
                arn: arn("rep", "instance")
            },
        ]
    );
    assert_eq!(plan.wait_seconds, INSTANCE_WAIT_SECONDS);
    assert!(
        plan.remaining
            .contains(&"replication subnet group dmsflow-orders-subnets".into())
    );
}

#[test]
fn broken_instances_are_deleted_but_busy_ones_are_waited_for() {
    for status in ["failed", "storage-full", "incompatible-network"] {
        let plan = plan(&names(), DELETE, &world(None, Some(status)));
        assert!(
            plan.actions.contains(&Action::DeleteInstance {
                arn: arn("rep", "instance")
            }),
            "{status}"
        );
    }
    for status in ["creating", "modifying", "deleting"] {
        let plan = plan(&names(), DELETE, &world(None, Some(status)));
        assert!(
            !plan
                .actions
                .iter()
                .any(|a| matches!(a, Action::DeleteInstance { .. })),
            "{status}"
        );
        assert!(
            plan.waiting_for
                .unwrap()
                .contains("dmsflow-orders-instance")
        );
    }
}

#[test]
fn the_subnet_group_subscription_alarms_and_dashboard_go_last_and_end_the_cleanup() {
    let mut observed = world(None, None);
    observed.source = Seen::Absent;
    observed.target = Seen::Absent;
    let plan = plan(&names(), DELETE, &observed);
    assert_eq!(
        plan.actions,
        vec![
            Action::DeleteSubnetGroup {
                id: "dmsflow-orders-subnets".into()
            },
            Action::DeleteEventSubscription {
                name: "dmsflow-orders-events".into()
            },
            Action::DeleteAlarms {
                names: names().alarms
            },
            Action::DeleteDashboard {
                name: "dmsflow-orders".into()
            },
        ]
    );
    assert_eq!(plan.waiting_for, None);
    assert!(plan.remaining.is_empty(), "{:?}", plan.remaining);
}

#[test]
fn endpoints_being_deleted_hold_the_subnet_group_back() {
    let mut observed = world(None, None);
    if let Seen::Ours(endpoint) = &mut observed.source {
        endpoint.status = "deleting".into();
    }
    observed.target = Seen::Absent;
    let plan = plan(&names(), DELETE, &observed);
    assert!(plan.actions.is_empty(), "{:?}", plan.actions);
    assert!(plan.waiting_for.unwrap().contains("dmsflow-orders-source"));
}

#[test]
fn nothing_left_is_done_at_once() {
    let plan = plan(&names(), DELETE, &Observed::nothing());
    assert!(plan.actions.is_empty());
    assert_eq!(plan.waiting_for, None);
    assert!(plan.remaining.is_empty() && plan.kept.is_empty() && plan.skipped_foreign.is_empty());
}

#[test]
fn keep_stops_nothing_deletes_nothing_and_lists_what_is_kept() {
    let plan = plan(&names(), KEEP, &world(Some("running"), Some("available")));
    assert!(plan.actions.is_empty());
    assert_eq!(plan.waiting_for, None);
    assert_eq!(plan.kept.len(), 11, "{:?}", plan.kept);
    assert!(
        plan.kept
            .contains(&"replication task dmsflow-orders-task".into())
    );
    assert!(plan.remaining.is_empty());
}

#[test]
fn keep_after_stop_and_clean_up_stops_the_task_only() {
    let running = plan(
        &names(),
        KEEP_BUT_STOP,
        &world(Some("running"), Some("available")),
    );
    assert_eq!(
        running.actions,
        vec![Action::StopTask {
            arn: arn("task", "task")
        }]
    );
    assert!(running.waiting_for.is_some());
    let stopping = plan(
        &names(),
        KEEP_BUT_STOP,
        &world(Some("stopping"), Some("available")),
    );
    assert!(stopping.actions.is_empty() && stopping.waiting_for.is_some());
    let stopped = plan(
        &names(),
        KEEP_BUT_STOP,
        &world(Some("stopped"), Some("available")),
    );
    assert!(stopped.actions.is_empty());
    assert_eq!(stopped.waiting_for, None);
    assert_eq!(stopped.kept.len(), 11);
}

#[test]
fn foreign_resources_are_reported_and_never_acted_on() {
    let names = names();
    let mut observed = world(None, None);
    observed.task = Seen::Foreign(testing::task(&names.task, "running"));
    observed.subnet_group = Seen::Foreign(testing::subnet_group(&names.subnet_group));
    observed.alarms.insert(names.alarms[0].clone(), false);
    observed.dashboard = Seen::Foreign(names.dashboard.clone());
    let plan = plan(&names, DELETE, &observed);
    assert_eq!(
        plan.skipped_foreign,
        vec![
            "replication subnet group dmsflow-orders-subnets",
            "replication task dmsflow-orders-task",
            "CloudWatch dashboard dmsflow-orders",
            "CloudWatch alarm dmsflow-orders-cdc-latency-source",
        ]
    );
    assert!(!plan.actions.iter().any(|a| matches!(
        a,
        Action::StopTask { .. } | Action::DeleteTask { .. } | Action::DeleteSubnetGroup { .. }
    )));
    // The run's own endpoints still go.
    assert!(matches!(plan.actions[0], Action::DeleteEndpoint { .. }));

    // The last call deletes only the run's alarms.
    let mut last = Observed::nothing();
    last.alarms.insert(names.alarms[0].clone(), false);
    last.alarms.insert(names.alarms[1].clone(), true);
    last.dashboard = Seen::Foreign(names.dashboard.clone());
    let plan = super::plan(&names, DELETE, &last);
    assert_eq!(
        plan.actions,
        vec![Action::DeleteAlarms {
            names: vec![names.alarms[1].clone()]
        }]
    );
    assert_eq!(plan.skipped_foreign.len(), 2);
}

#[test]
fn every_action_names_its_resources() {
    assert_eq!(
        Action::DeleteAlarms {
            names: vec!["a".into(), "b".into()]
        }
        .resources(),
        vec![Resource::Alarm("a".into()), Resource::Alarm("b".into())]
    );
    assert_eq!(
        Action::StopTask { arn: "x".into() }.resources(),
        vec![Resource::Task]
    );
}

/// A serverless run's resources: no instance, no subscription; the config in
/// `status` with provision state `provision`.
fn serverless_world(status: &str, provision: &str) -> Observed {
    let names = names();
    let mut observed = world(None, None);
    observed.subscription = Seen::Absent;
    observed.task = Seen::Ours(testing::replication_config(&names.task, status, provision));
    observed
}

#[test]
fn a_serverless_replication_is_stopped_then_deleted_once_its_capacity_is_released() {
    let names = names();
    let config_arn = arn("replication-config", "task");
    let running = plan(&names, DELETE, &serverless_world("running", "provisioned"));
    assert_eq!(
        running.actions,
        [Action::StopTask {
            arn: config_arn.clone()
        }]
    );
    assert_eq!(
        running.actions[0].resources(),
        [Resource::ReplicationConfig]
    );
    assert!(
        running
            .remaining
            .contains(&"replication config dmsflow-orders-task".to_string()),
        "{:?}",
        running.remaining
    );

    // Stopped, DMS still holding the capacity: nothing is deleted, not even the
    // endpoints the config uses.
    let holding = plan(
        &names,
        DELETE,
        &serverless_world("stopped", "deprovisioning"),
    );
    assert!(holding.actions.is_empty(), "{:?}", holding.actions);
    let waiting = holding.waiting_for.unwrap();
    assert!(
        waiting.contains("replication config dmsflow-orders-task to release its capacity (provision state deprovisioning)"),
        "{waiting}"
    );
    assert_eq!(holding.wait_seconds, INSTANCE_WAIT_SECONDS);

    // Released (or never provisioned, or failed to): deleted, then the rest.
    for (status, provision) in [
        ("stopped", "deprovisioned"),
        ("ready", ""),
        ("failed", "failed_provision"),
    ] {
        let released = plan(&names, DELETE, &serverless_world(status, provision));
        assert_eq!(
            released.actions,
            [Action::DeleteTask {
                arn: config_arn.clone()
            }],
            "{status} {provision}"
        );
    }

    // Kept for inspection after a failure: stopped, never deleted.
    let kept = plan(
        &names,
        KEEP_BUT_STOP,
        &serverless_world("stopped", "deprovisioning"),
    );
    assert!(kept.actions.is_empty() && kept.waiting_for.is_none());
    assert!(
        kept.kept
            .contains(&"replication config dmsflow-orders-task".to_string())
    );
}
