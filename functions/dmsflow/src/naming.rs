//! Deterministic names and ownership tags of a run's resources.

use std::collections::BTreeMap;

/// Tag key naming the run that owns a resource.
pub const RUN_TAG: &str = "dmsflow:run-id";
/// Tag key marking a resource as created by dmsflow.
pub const MANAGED_TAG: &str = "dmsflow:managed-by";
/// Value of [`MANAGED_TAG`].
pub const MANAGED_VALUE: &str = "dmsflow";
/// Prefix of every resource name.
pub const PREFIX: &str = "dmsflow";

/// The names of every resource a run creates.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Names {
    pub subnet_group: String,
    pub instance: String,
    pub source_endpoint: String,
    pub target_endpoint: String,
    pub task: String,
    pub event_subscription: String,
    /// CloudWatch alarms, in creation order.
    pub alarms: Vec<String>,
    /// The run's CloudWatch dashboard: `dmsflow-<run_id>` (CloudWatch allows
    /// letters, digits, `-` and `_`, which a run id's rules keep to). Absent from
    /// the state of an execution started before dashboards existed; the steps
    /// name it with [`Names::for_run`], never from the state.
    #[serde(default)]
    pub dashboard: String,
    /// CloudWatch namespace dimension value for the run's own metrics.
    pub metric_run_dimension: String,
}

impl Names {
    pub fn for_run(run_id: &str) -> Self {
        let base = format!("{PREFIX}-{run_id}");
        Self {
            subnet_group: format!("{base}-subnets"),
            instance: format!("{base}-instance"),
            source_endpoint: format!("{base}-source"),
            target_endpoint: format!("{base}-target"),
            task: format!("{base}-task"),
            event_subscription: format!("{base}-events"),
            alarms: ALARM_SUFFIXES
                .iter()
                .map(|suffix| format!("{base}-{suffix}"))
                .collect(),
            dashboard: base.clone(),
            metric_run_dimension: run_id.to_string(),
        }
    }

    /// The run whose task is named `task` (`dmsflow-<run_id>-task`).
    pub fn run_of_task(task: &str) -> Option<&str> {
        task.strip_prefix(PREFIX)?
            .strip_prefix('-')?
            .strip_suffix("-task")
            .filter(|run| !run.is_empty())
    }

    /// Prefix shared by every name of the run (for listing alarms by prefix).
    pub fn prefix(run_id: &str) -> String {
        format!("{PREFIX}-{run_id}-")
    }
}

/// Suffixes of the run's CloudWatch alarms.
pub const ALARM_SUFFIXES: [&str; 4] = [
    "cdc-latency-source",
    "cdc-latency-target",
    "tables-errored",
    "validation-failed",
];

/// The tags every resource of a run carries: the user's tags plus ownership tags.
pub fn run_tags(run_id: &str, user_tags: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    let mut tags = user_tags.clone();
    tags.insert(RUN_TAG.to_string(), run_id.to_string());
    tags.insert(MANAGED_TAG.to_string(), MANAGED_VALUE.to_string());
    tags
}

/// Whether a resource's tags say it belongs to this run.
pub fn owned_by(run_id: &str, tags: &BTreeMap<String, String>) -> bool {
    tags.get(RUN_TAG).map(String::as_str) == Some(run_id)
        && tags.get(MANAGED_TAG).map(String::as_str) == Some(MANAGED_VALUE)
}

/// Step Functions' limit on an execution name (StartExecution, `name`).
pub const EXECUTION_NAME_LIMIT: usize = 80;

/// `stem` then `suffix` as an execution name: whole when it fits
/// [`EXECUTION_NAME_LIMIT`], else the stem's start, an FNV-1a hash of the whole
/// stem (two long stems that share a start stay apart) and the suffix.
pub fn execution_name(stem: &str, suffix: &str) -> String {
    if stem.len() + suffix.len() <= EXECUTION_NAME_LIMIT {
        return format!("{stem}{suffix}");
    }
    let keep = EXECUTION_NAME_LIMIT.saturating_sub(suffix.len() + 9);
    let prefix: String = stem.chars().take(keep).collect();
    format!("{prefix}-{:08x}{suffix}", fnv1a(stem) as u32)
}

/// FNV-1a (64 bits) of a text: a short, stable fingerprint for names (not for
/// security).
pub fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_deterministic_and_prefixed() {
        let names = Names::for_run("orders");
        assert_eq!(names.instance, "dmsflow-orders-instance");
        assert_eq!(names.task, "dmsflow-orders-task");
        assert_eq!(names, Names::for_run("orders"));
        let prefix = Names::prefix("orders");
        for name in [
            &names.subnet_group,
            &names.source_endpoint,
            &names.event_subscription,
        ]
        .into_iter()
        .chain(names.alarms.iter())
        {
            assert!(name.starts_with(&prefix), "{name}");
        }
    }

    #[test]
    fn the_dashboard_is_named_for_the_run_and_the_task_gives_the_run_back() {
        let names = Names::for_run("orders-2024");
        assert_eq!(names.dashboard, "dmsflow-orders-2024");
        assert_eq!(Names::run_of_task(&names.task), Some("orders-2024"));
        for not_a_task in [
            "dmsflow--task",
            "orders-task",
            "dmsflow-orders",
            "dmsflow-task",
        ] {
            assert_eq!(Names::run_of_task(not_a_task), None, "{not_a_task}");
        }
    }

    #[test]
    fn ownership_needs_both_tags_and_the_same_run() {
        let tags = run_tags("orders", &BTreeMap::from([("team".into(), "data".into())]));
        assert!(owned_by("orders", &tags));
        assert!(!owned_by("orders-2", &tags));
        let mut foreign = tags.clone();
        foreign.remove(MANAGED_TAG);
        assert!(!owned_by("orders", &foreign));
        assert_eq!(tags.get("team").map(String::as_str), Some("data"));
    }
}
