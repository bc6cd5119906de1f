//! Reading `statemachine/migration.asl.json` (and the wave's definition).

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use serde_json::Value;

pub const PATH: &str = "statemachine/migration.asl.json";
/// The wave state machine's definition.
pub const WAVE_PATH: &str = "statemachine/wave.asl.json";
/// Every definition of the project, by the template's state machine that uses it.
pub const DEFINITIONS: [(&str, &str); 2] = [
    ("MigrationStateMachine", PATH),
    ("WaveStateMachine", WAVE_PATH),
];
pub const LAMBDA_INVOKE: &str = "arn:aws:states:::lambda:invoke";

/// The state machine definition.
pub struct Asl {
    pub definition: Value,
}

impl Asl {
    pub fn load() -> Self {
        Self::load_path(PATH)
    }

    /// The definition at `path` (relative to the workspace root).
    pub fn load_path(path: &str) -> Self {
        let text = super::read(path);
        let definition =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path} is not valid JSON: {e}"));
        Self { definition }
    }

    pub fn start_at(&self) -> &str {
        self.definition["StartAt"]
            .as_str()
            .unwrap_or_else(|| panic!("{PATH} has no StartAt"))
    }

    /// Every state by name, including states nested in Map and Parallel states.
    pub fn states(&self) -> BTreeMap<String, &Value> {
        let mut all = BTreeMap::new();
        collect_states(&self.definition, &mut all);
        all
    }

    /// The Task states that invoke a Lambda function.
    pub fn lambda_tasks(&self) -> Vec<(String, &Value)> {
        self.states()
            .into_iter()
            .filter(|(_, s)| s["Resource"] == LAMBDA_INVOKE)
            .collect()
    }

    /// States reachable from `from` (inclusive) through Next, Default, Choices and Catch.
    pub fn reachable_from(&self, from: &str) -> BTreeSet<String> {
        self.reachable_until(from, |_| false)
    }

    /// States reachable from `from` (inclusive) without going on from a state that
    /// `stop` matches (such a state is included, what follows it is not, unless
    /// reached another way).
    pub fn reachable_until(&self, from: &str, stop: impl Fn(&Value) -> bool) -> BTreeSet<String> {
        let states = self.states();
        let mut seen = BTreeSet::new();
        let mut queue = VecDeque::from([from.to_string()]);
        while let Some(name) = queue.pop_front() {
            if !seen.insert(name.clone()) {
                continue;
            }
            if let Some(state) = states.get(&name)
                && (name == from || !stop(state))
            {
                queue.extend(transitions(state));
            }
        }
        seen
    }

    /// Every `${Name}` placeholder in the definition.
    pub fn placeholders(&self) -> BTreeSet<String> {
        let mut found = BTreeSet::new();
        collect_placeholders(&self.definition, &mut found);
        found
    }
}

fn collect_states<'a>(machine: &'a Value, all: &mut BTreeMap<String, &'a Value>) {
    let Some(states) = machine["States"].as_object() else {
        return;
    };
    for (name, state) in states {
        all.insert(name.clone(), state);
        for nested in ["Iterator", "ItemProcessor"] {
            collect_states(&state[nested], all);
        }
        for branch in state["Branches"].as_array().into_iter().flatten() {
            collect_states(branch, all);
        }
    }
}

/// The names of the states a state can go to next.
pub fn transitions(state: &Value) -> Vec<String> {
    let mut next: Vec<String> = ["Next", "Default"]
        .iter()
        .filter_map(|key| state[key].as_str().map(str::to_string))
        .collect();
    for list in ["Choices", "Catch"] {
        for item in state[list].as_array().into_iter().flatten() {
            if let Some(target) = item["Next"].as_str() {
                next.push(target.to_string());
            }
        }
    }
    next
}

fn collect_placeholders(value: &Value, found: &mut BTreeSet<String>) {
    match value {
        Value::String(s) => {
            let mut rest = s.as_str();
            while let Some(start) = rest.find("${") {
                let after = &rest[start + 2..];
                let Some(end) = after.find('}') else { break };
                found.insert(after[..end].to_string());
                rest = &after[end + 1..];
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect_placeholders(v, found)),
        Value::Object(map) => map.values().for_each(|v| collect_placeholders(v, found)),
        _ => {}
    }
}

/// The error names of one `Retry` or `Catch` list.
pub fn error_names(rules: &Value) -> Vec<String> {
    rules
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|rule| rule["ErrorEquals"].as_array().into_iter().flatten())
        .filter_map(|name| name.as_str().map(str::to_string))
        .collect()
}

/// The error names a state retries at least once.
pub fn retried_names(state: &Value) -> BTreeSet<String> {
    state["Retry"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|rule| rule["MaxAttempts"].as_u64().unwrap_or(3) > 0)
        .flat_map(|rule| rule["ErrorEquals"].as_array().into_iter().flatten())
        .filter_map(|name| name.as_str().map(str::to_string))
        .collect()
}
