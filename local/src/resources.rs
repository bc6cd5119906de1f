//! What the DMS emulator holds for a run, and the DMS calls it received, read
//! from its control API (`resources()` and `calls()`).

use std::collections::BTreeMap;

use serde_json::Value;

/// The ownership tag naming a resource's run.
pub const RUN_TAG: &str = "dmsflow:run-id";

/// One resource of a run: its kind (`replication_instances`, ...), id and status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resource {
    pub kind: String,
    pub id: String,
    pub arn: String,
    pub status: String,
}

/// The resources carrying a run's tag (and the connections of its instance).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunResources {
    pub items: Vec<Resource>,
}

impl RunResources {
    /// From the emulator's `resources()` JSON: every list of items with tags,
    /// whatever its kind, so resource kinds the emulator gains are counted too.
    pub fn of(all: &Value, run_id: &str) -> RunResources {
        let mut items = Vec::new();
        let Some(kinds) = all.as_object() else {
            return RunResources { items };
        };
        for (kind, group) in kinds {
            for item in group
                .get("items")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let tagged = item.pointer(&format!("/tags/{}", RUN_TAG.replace('/', "~1")));
                if tagged.and_then(Value::as_str) == Some(run_id) {
                    items.push(resource(kind, item));
                }
            }
        }
        let instance_arns: Vec<String> = items
            .iter()
            .filter(|r| r.kind == "replication_instances")
            .map(|r| r.arn.clone())
            .collect();
        for connection in all
            .pointer("/connections/items")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let instance = connection["replication_instance_arn"]
                .as_str()
                .unwrap_or_default();
            if instance_arns.iter().any(|a| a == instance) {
                items.push(resource("connections", connection));
            }
        }
        RunResources { items }
    }

    pub fn count(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Count by kind.
    pub fn by_kind(&self) -> BTreeMap<String, usize> {
        let mut counts = BTreeMap::new();
        for item in &self.items {
            *counts.entry(item.kind.clone()).or_default() += 1;
        }
        counts
    }

    pub fn of_kind(&self, kind: &str) -> Vec<&Resource> {
        self.items.iter().filter(|r| r.kind == kind).collect()
    }

    /// `replication_instances 1, endpoints 2, ...` or `nothing`.
    pub fn describe(&self) -> String {
        if self.items.is_empty() {
            return "nothing".into();
        }
        self.by_kind()
            .iter()
            .map(|(kind, n)| format!("{kind} {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn resource(kind: &str, item: &Value) -> Resource {
    let text = |key: &str| item[key].as_str().unwrap_or_default().to_string();
    Resource {
        kind: kind.to_string(),
        id: text("id"),
        arn: item["arn"]
            .as_str()
            .map_or_else(|| text("id"), str::to_string),
        status: text("status"),
    }
}

/// One DMS call the emulator received.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    /// Position in the emulator's log (1 for the first call).
    pub seq: u64,
    pub operation: String,
    /// `ok` or the fault code.
    pub outcome: String,
    pub request: Value,
    pub resource_arn: Option<String>,
}

impl Call {
    /// From the emulator's `calls()` JSON.
    pub fn all(log: &Value) -> Vec<Call> {
        log.get("calls")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|c| Call {
                seq: c["seq"].as_u64().unwrap_or(0),
                operation: c["operation"].as_str().unwrap_or_default().to_string(),
                outcome: c["outcome"].as_str().unwrap_or_default().to_string(),
                request: c["request"].clone(),
                resource_arn: c["resource_arn"].as_str().map(str::to_string),
            })
            .collect()
    }

    pub fn ok(&self) -> bool {
        self.outcome == "ok"
    }

    pub fn is_create(&self) -> bool {
        self.operation.starts_with("Create")
    }

    pub fn is_delete(&self) -> bool {
        self.operation.starts_with("Delete")
    }

    /// Whether the call concerns a run: its request names one of the run's
    /// resources (`dmsflow-<run id>-...`) or one of `arns`.
    pub fn concerns(&self, run_id: &str, arns: &[String]) -> bool {
        let text = self.request.to_string();
        text.contains(&format!("dmsflow-{run_id}-"))
            || arns.iter().any(|a| text.contains(a.as_str()))
            || self
                .resource_arn
                .as_ref()
                .is_some_and(|a| arns.iter().any(|x| x == a))
    }
}

/// The calls that concern a run: those naming its resources, and those acting on
/// an ARN one of them created.
pub fn calls_of(calls: &[Call], run_id: &str) -> Vec<Call> {
    let arns: Vec<String> = calls
        .iter()
        .filter(|c| c.concerns(run_id, &[]))
        .filter_map(|c| c.resource_arn.clone())
        .collect();
    calls
        .iter()
        .filter(|c| c.concerns(run_id, &arns))
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_runs_resources_are_found_by_tag_with_its_connections() {
        let all = json!({
            "total": 4,
            "replication_instances": {"count": 2, "items": [
                {"id": "dmsflow-a-instance", "arn": "arn:i:a", "status": "available", "tags": {"dmsflow:run-id": "a"}},
                {"id": "dmsflow-b-instance", "arn": "arn:i:b", "status": "available", "tags": {"dmsflow:run-id": "b"}}
            ]},
            "connections": {"count": 2, "items": [
                {"id": "x", "replication_instance_arn": "arn:i:a", "endpoint_arn": "arn:e", "status": "successful"},
                {"id": "y", "replication_instance_arn": "arn:i:b", "endpoint_arn": "arn:e", "status": "successful"}
            ]}
        });
        let run = RunResources::of(&all, "a");
        assert_eq!(run.count(), 2);
        assert_eq!(run.describe(), "connections 1, replication_instances 1");
        assert!(RunResources::of(&all, "c").is_empty());
    }

    #[test]
    fn calls_of_a_run_follow_the_arns_it_created() {
        let log = json!({"calls": [
            {"operation": "CreateReplicationInstance", "outcome": "ok",
             "request": {"ReplicationInstanceIdentifier": "dmsflow-a-instance"}, "resource_arn": "arn:i:a"},
            {"operation": "DeleteReplicationInstance", "outcome": "ok",
             "request": {"ReplicationInstanceArn": "arn:i:a"}, "resource_arn": "arn:i:a"},
            {"operation": "CreateReplicationInstance", "outcome": "ok",
             "request": {"ReplicationInstanceIdentifier": "dmsflow-b-instance"}, "resource_arn": "arn:i:b"}
        ]});
        let calls = Call::all(&log);
        let mine = calls_of(&calls, "a");
        assert_eq!(mine.len(), 2);
        assert!(mine[0].is_create() && mine[1].is_delete());
    }
}
