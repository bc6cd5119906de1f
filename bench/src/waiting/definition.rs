//! The state machine's graph, read from its definition: the states of each wait
//! loop, and the paths an execution takes to and from the progress checks.
//!
//! Only the happy path is followed (`Next`, every `Choices[].Next`, `Default`); a
//! `Catch` only when looking for the way a failed check takes to its alert. Nothing
//! but the progress loop's Task and the hand-over Task is named here: the rest is
//! found, so the figures follow the definition when it is rewritten.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

use serde_json::Value;

use super::history::{self, Cost};

/// A parsed definition: each state's type and where it goes.
#[derive(Debug)]
pub struct Definition {
    start_at: String,
    states: BTreeMap<String, State>,
}

#[derive(Debug)]
struct State {
    kind: String,
    /// `Next`, every `Choices[].Next`, `Default`: where the state goes when nothing fails.
    next: Vec<String>,
    /// `Catch[].Next`: where a failed Task goes.
    catch: Vec<String>,
}

impl Definition {
    /// Reads an Amazon States Language definition (its `${...}` placeholders are
    /// inside strings, so the template parses as it is).
    pub fn parse(text: &str) -> Result<Definition, String> {
        let document: Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
        let start_at = document["StartAt"]
            .as_str()
            .ok_or("the definition has no StartAt")?
            .to_string();
        let mut states = BTreeMap::new();
        for (name, state) in document["States"]
            .as_object()
            .ok_or("the definition has no States")?
        {
            let text = |value: &Value| value.as_str().map(str::to_string);
            let choices = state["Choices"].as_array().into_iter().flatten();
            let next = text(&state["Next"])
                .into_iter()
                .chain(choices.filter_map(|rule| text(&rule["Next"])))
                .chain(text(&state["Default"]))
                .collect();
            let catch = state["Catch"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|catcher| text(&catcher["Next"]))
                .collect();
            let kind = text(&state["Type"]).ok_or_else(|| format!("state {name} has no Type"))?;
            states.insert(name.clone(), State { kind, next, catch });
        }
        let definition = Definition { start_at, states };
        definition.state(&definition.start_at)?;
        for (name, state) in &definition.states {
            for target in state.next.iter().chain(&state.catch) {
                definition
                    .state(target)
                    .map_err(|e| format!("{name} goes to a missing state: {e}"))?;
            }
        }
        Ok(definition)
    }

    fn state(&self, name: &str) -> Result<&State, String> {
        self.states
            .get(name)
            .ok_or_else(|| format!("no state {name}"))
    }

    /// The state's `Type`.
    pub fn kind(&self, name: &str) -> Result<&str, String> {
        Ok(&self.state(name)?.kind)
    }

    /// What entering each of `names` once costs.
    pub fn cost(&self, names: &[String]) -> Result<Cost, String> {
        names
            .iter()
            .map(|name| history::of_state(self.kind(name)?))
            .sum()
    }

    /// The wait loop of the Task `task`: the shortest cycle that leaves it and comes
    /// back to it through a Wait state (e.g. CheckProgress, MigrationComplete?,
    /// WaitForProgress), `task` first. `None` when there is no such cycle.
    pub fn wait_loop(&self, task: &str) -> Option<Vec<String>> {
        if self.kind(task).ok()? != "Task" {
            return None;
        }
        // Breadth first over (state, whether a Wait was passed).
        let mut parent: HashMap<(&str, bool), (&str, bool)> = HashMap::new();
        let start = (task, false);
        let mut queue = VecDeque::from([start]);
        while let Some(node @ (name, waited)) = queue.pop_front() {
            for next in &self.states[name].next {
                let waited = waited || self.states[next.as_str()].kind == "Wait";
                let child = (next.as_str(), waited);
                if child == (task, true) {
                    let mut cycle = vec![name.to_string()];
                    let mut at = node;
                    while at != start {
                        at = parent[&at];
                        cycle.push(at.0.to_string());
                    }
                    cycle.reverse();
                    return Some(cycle);
                }
                if child.0 != task && child != start && !parent.contains_key(&child) {
                    parent.insert(child, node);
                    queue.push_back(child);
                }
            }
        }
        None
    }

    /// Every path from StartAt to `target` that enters no state twice, `target`
    /// left out (a setup loop's repeats are counted apart).
    fn paths_to(&self, target: &str) -> Vec<Vec<String>> {
        // Only states from which `target` can be reached are worth walking.
        let mut reaches = BTreeSet::from([target]);
        loop {
            let before = reaches.len();
            for (name, state) in &self.states {
                if state.next.iter().any(|n| reaches.contains(n.as_str())) {
                    reaches.insert(name.as_str());
                }
            }
            if reaches.len() == before {
                break;
            }
        }
        let mut paths = Vec::new();
        let mut path = Vec::new();
        self.walk(&self.start_at, target, &reaches, &mut path, &mut paths);
        paths
    }

    fn walk<'a>(
        &'a self,
        at: &'a str,
        target: &str,
        reaches: &BTreeSet<&str>,
        path: &mut Vec<&'a str>,
        paths: &mut Vec<Vec<String>>,
    ) {
        if at == target {
            paths.push(path.iter().map(|s| s.to_string()).collect());
            return;
        }
        if !reaches.contains(at) || path.contains(&at) {
            return;
        }
        path.push(at);
        for next in &self.states[at].next {
            self.walk(next, target, reaches, path, paths);
        }
        path.pop();
    }

    /// The shortest way from `from` (its successors through `first`) to the nearest
    /// state `goal` accepts, both ends included.
    fn shortest(
        &self,
        from: &str,
        first: &[String],
        goal: impl Fn(&str) -> bool,
    ) -> Option<Vec<String>> {
        let mut parent: HashMap<&str, &str> = HashMap::new();
        let mut queue = VecDeque::new();
        for next in first {
            if next != from && !parent.contains_key(next.as_str()) {
                parent.insert(next, from);
                queue.push_back(next.as_str());
            }
        }
        while let Some(at) = queue.pop_front() {
            if goal(at) {
                let mut path = vec![at.to_string()];
                let mut step = at;
                while step != from {
                    step = parent[step];
                    path.push(step.to_string());
                }
                path.reverse();
                return Some(path);
            }
            for next in &self.states[at].next {
                if next != from && !parent.contains_key(next.as_str()) {
                    parent.insert(next, at);
                    queue.push_back(next);
                }
            }
        }
        None
    }
}

/// What an execution enters around the progress checks, by state names.
#[derive(Debug, Clone, PartialEq)]
pub struct Shape {
    /// The progress loop, its Task first: each check enters all of it.
    pub check_loop: Vec<String>,
    /// A new run, from StartAt to its first check (that left out): the longest way
    /// there, through every setup step. A setup loop on it is entered once here;
    /// its repeats are its own loop's states.
    pub first_run: Vec<String>,
    /// A continuation, from StartAt to its first check: the shortest way there.
    pub continuation: Vec<String>,
    /// An execution's last check and its hand-over: from the loop's Task through
    /// the hand-over Task to the Succeed state that ends the execution (or the
    /// hand-over Task itself, when it is the end).
    pub hand_over: Vec<String>,
    /// A failed check's way to its alert: the loop's Task, its Catch, then the
    /// nearest Task (the one that sends the alert).
    pub to_alert: Vec<String>,
}

impl Shape {
    /// The shape around the loop of the Task `check`, where the Task `hand_over`
    /// starts the next execution.
    pub fn derive(definition: &Definition, check: &str, hand_over: &str) -> Result<Shape, String> {
        let check_loop = definition
            .wait_loop(check)
            .ok_or_else(|| format!("{check} is not a Task with a wait loop"))?;
        let paths = definition.paths_to(check);
        let first_run = paths
            .iter()
            .max_by_key(|p| p.len())
            .ok_or_else(|| format!("no path from StartAt to {check}"))?
            .clone();
        let continuation = paths
            .iter()
            .min_by_key(|p| p.len())
            .cloned()
            .unwrap_or_else(|| first_run.clone());
        let to_task = definition
            .shortest(check, &definition.state(check)?.next, |s| s == hand_over)
            .ok_or_else(|| format!("no path from {check} to {hand_over}"))?;
        let after = &definition.state(hand_over)?.next;
        // The hand-over Task may end the execution itself (`End: true`).
        let to_end = match after.is_empty() {
            true => vec![hand_over.to_string()],
            false => definition
                .shortest(hand_over, after, |s| definition.states[s].kind == "Succeed")
                .ok_or_else(|| format!("no path from {hand_over} to a Succeed state"))?,
        };
        let hand_over_path = to_task
            .into_iter()
            .chain(to_end.into_iter().skip(1))
            .collect();
        let to_alert = definition
            .shortest(check, &definition.state(check)?.catch, |s| {
                definition.states[s].kind == "Task"
            })
            .ok_or_else(|| format!("no Task after {check}'s Catch to send an alert"))?;
        Ok(Shape {
            check_loop,
            first_run,
            continuation,
            hand_over: hand_over_path,
            to_alert,
        })
    }
}
