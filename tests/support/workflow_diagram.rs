//! The README's workflow diagram: a Mermaid `flowchart TD` drawn from the state
//! machine definition, one node per state in the order the definition lists them.
//! `tests/workflow_diagram.rs` checks that the README holds this rendering of
//! `statemachine/migration.asl.json`.
//!
//! How it reads: a rectangle is a Task, a rounded box a Pass, a rhombus a Choice, a
//! stadium a Wait, a double circle a Succeed (green) or a Fail (red), a subroutine box
//! a Parallel or Map whose branches are drawn as subgraphs. Solid arrows are `Next`,
//! the choices (labelled with a short form of their condition) and `Default`
//! (`otherwise`); dashed arrows are `Catch` (labelled with the errors, `States.ALL`
//! as `error`).
//!
//! The definition is read from its text, not from a `serde_json::Value`: without
//! serde_json's `preserve_order` feature (which the functions do not build with, and
//! which would change them in test builds only) a `Value` lists the states
//! alphabetically, and the diagram follows the order the author wrote.

#![allow(dead_code)]

use std::fmt::{self, Write};

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::Value;

/// Labels longer than this (in characters) are cut, ending in `…`.
const MAX_LABEL: usize = 48;
/// An `And` or `Or` of more terms than this names the first ones and counts the rest.
const MAX_TERMS: usize = 3;

/// A state machine (the definition, or a Parallel branch or a Map's processor):
/// its states in the order the text lists them.
#[derive(serde::Deserialize)]
pub struct Machine {
    #[serde(rename = "StartAt")]
    start_at: String,
    #[serde(rename = "States")]
    states: InOrder<State>,
}

/// The fields of a state that the diagram draws; the others are ignored.
#[derive(serde::Deserialize)]
#[serde(rename_all = "PascalCase")]
struct State {
    r#type: String,
    next: Option<String>,
    #[serde(default)]
    end: bool,
    default: Option<String>,
    #[serde(default)]
    choices: Vec<Value>,
    #[serde(default)]
    catch: Vec<Catcher>,
    #[serde(default)]
    branches: Vec<Machine>,
    item_processor: Option<Machine>,
    iterator: Option<Machine>,
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Catcher {
    error_equals: Vec<String>,
    next: String,
}

impl Machine {
    /// How many states it has, counting those of its Parallel and Map states.
    fn size(&self) -> usize {
        self.states
            .0
            .iter()
            .map(|(_, s)| 1 + s.nested().map(|(m, _)| m.size()).sum::<usize>())
            .sum()
    }
}

impl State {
    /// The machines a Parallel (its branches) or a Map (its item processor) runs,
    /// each with the label of the edge into it.
    fn nested(&self) -> impl Iterator<Item = (&Machine, String)> {
        let branches = self
            .branches
            .iter()
            .enumerate()
            .map(|(i, b)| (b, format!("branch {}", i + 1)));
        let processor = self
            .item_processor
            .iter()
            .chain(&self.iterator)
            .map(|m| (m, "each item".to_string()));
        branches.chain(processor)
    }
}

/// A JSON object's members in the order of the text.
struct InOrder<T>(Vec<(String, T)>);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for InOrder<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Members<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for Members<T> {
            type Value = InOrder<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut members = Vec::new();
                while let Some(member) = map.next_entry()? {
                    members.push(member);
                }
                Ok(InOrder(members))
            }
        }
        deserializer.deserialize_map(Members(std::marker::PhantomData))
    }
}

/// Parses a definition's text.
pub fn parse(text: &str) -> Result<Machine, String> {
    serde_json::from_str(text).map_err(|e| format!("not a state machine definition: {e}"))
}

/// The Mermaid text of the definition `text`, ending in a newline.
pub fn render(text: &str) -> Result<String, String> {
    let machine = parse(text)?;
    let mut drawing = Drawing::default();
    let start = drawing.add(&machine, 1)?;
    let mut out = String::from("flowchart TD\n");
    out.push_str("    classDef succeed fill:#d3f9d8,stroke:#2b8a3e\n");
    out.push_str("    classDef fail fill:#ffe3e3,stroke:#c92a2a\n");
    out.push_str("    start((\"start\"))\n");
    for line in &drawing.nodes {
        writeln!(out, "{line}").unwrap();
    }
    if drawing.ends {
        out.push_str("    stop((\"end\"))\n");
    }
    writeln!(out, "    start --> {start}").unwrap();
    for line in &drawing.edges {
        writeln!(out, "    {line}").unwrap();
    }
    Ok(out)
}

#[derive(Default)]
struct Drawing {
    /// Node declarations (and subgraphs), indented.
    nodes: Vec<String>,
    edges: Vec<String>,
    /// Some top-level state has `End: true`: draw the `stop` node.
    ends: bool,
    /// Node ids handed out so far.
    count: usize,
}

impl Drawing {
    /// Draws `machine`'s states at `depth` (1 for the definition) and returns the
    /// id of its `StartAt`.
    fn add(&mut self, machine: &Machine, depth: usize) -> Result<String, String> {
        let indent = "    ".repeat(depth);
        // Ids in reading order: a Parallel's or Map's states come right after it.
        let mut next_id = self.count;
        let ids: Vec<(&str, String)> = machine
            .states
            .0
            .iter()
            .map(|(name, state)| {
                let id = format!("s{next_id}");
                next_id += 1 + state.nested().map(|(m, _)| m.size()).sum::<usize>();
                (name.as_str(), id)
            })
            .collect();
        let id_of = |name: &str| -> Result<String, String> {
            ids.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, id)| id.clone())
                .ok_or_else(|| format!("a transition names {name:?}, which is not a state"))
        };
        for ((name, state), (_, id)) in machine.states.0.iter().zip(&ids) {
            let label = quoted(name);
            let node = match state.r#type.as_str() {
                "Task" => format!("{id}[{label}]"),
                "Pass" => format!("{id}({label})"),
                "Choice" => format!("{id}{{{label}}}"),
                "Wait" => format!("{id}([{label}])"),
                "Succeed" => format!("{id}((({label}))):::succeed"),
                "Fail" => format!("{id}((({label}))):::fail"),
                "Parallel" | "Map" => format!("{id}[[{label}]]"),
                other => {
                    return Err(format!(
                        "state {name:?} has type {other:?}, which the diagram does not draw"
                    ));
                }
            };
            self.nodes.push(format!("{indent}{node}"));
            self.count += 1;
            for (i, (inner, what)) in state.nested().enumerate() {
                self.nodes.push(format!(
                    "{indent}subgraph {id}b{i} [{}]",
                    quoted(&format!("{name}: {what}"))
                ));
                let first = self.add(inner, depth + 1)?;
                self.nodes.push(format!("{indent}end"));
                self.edges.push(labelled(id, "-->", &what, &first));
            }
            if let Some(next) = &state.next {
                self.edges.push(format!("{id} --> {}", id_of(next)?));
            }
            for choice in &state.choices {
                let next = choice["Next"]
                    .as_str()
                    .ok_or_else(|| format!("a choice of {name:?} has no Next"))?;
                self.edges
                    .push(labelled(id, "-->", &condition(choice), &id_of(next)?));
            }
            if let Some(default) = &state.default {
                self.edges
                    .push(labelled(id, "-->", "otherwise", &id_of(default)?));
            }
            for catcher in &state.catch {
                let errors: Vec<String> = catcher.error_equals.iter().map(|e| error(e)).collect();
                self.edges.push(labelled(
                    id,
                    "-.->",
                    &errors.join(", "),
                    &id_of(&catcher.next)?,
                ));
            }
            if state.end && depth == 1 {
                self.ends = true;
                self.edges.push(format!("{id} --> stop"));
            }
        }
        id_of(&machine.start_at)
    }
}

/// An edge whose label is cut to `MAX_LABEL` characters (a state's name never is).
fn labelled(from: &str, arrow: &str, label: &str, to: &str) -> String {
    format!("{from} {arrow}|{}| {to}", quoted(&cut(label, MAX_LABEL)))
}

/// A Mermaid label in double quotes, with the characters Mermaid would read as
/// markup written as entity codes.
fn quoted(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '#' => out.push_str("#35;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '|' => out.push_str("#124;"),
            '\n' | '\r' | '\t' => out.push(' '),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn cut(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut short: String = text.chars().take(max - 1).collect();
    short.push('…');
    short
}

/// `States.ALL` -> `error`; otherwise the name without its namespace and without
/// `Exception` (`StepFunctions.ExecutionAlreadyExistsException` ->
/// `ExecutionAlreadyExists`).
fn error(name: &str) -> String {
    if name == "States.ALL" {
        return "error".to_string();
    }
    let last = name.rsplit('.').next().unwrap_or(name);
    last.strip_suffix("Exception")
        .filter(|s| !s.is_empty())
        .unwrap_or(last)
        .to_string()
}

/// The last step of a path: `$.loop.last.report.done` -> `done`.
fn last_step(path: &str) -> String {
    path.rsplit('.').next().unwrap_or(path).to_string()
}

/// A short form of a choice rule, naming each path by its last step: `done` for
/// `BooleanEquals: true` on `$.loop.last.report.done`, `reason = success`,
/// `checks ≥ max_checks` (`NumericGreaterThanEqualsPath`), `names present`, the
/// JSONata `Condition` as written.
fn condition(rule: &Value) -> String {
    if let Some(jsonata) = rule["Condition"].as_str() {
        let inner = jsonata.trim();
        let inner = inner.strip_prefix("{%").unwrap_or(inner);
        let inner = inner.strip_suffix("%}").unwrap_or(inner);
        return inner.trim().to_string();
    }
    if let Some(terms) = rule["And"].as_array() {
        return joined(terms, "and");
    }
    if let Some(terms) = rule["Or"].as_array() {
        return joined(terms, "or");
    }
    if !rule["Not"].is_null() {
        return format!("not ({})", condition(&rule["Not"]));
    }
    let variable = rule["Variable"].as_str().unwrap_or("$");
    let Some((operator, operand)) = rule
        .as_object()
        .into_iter()
        .flatten()
        .find(|(key, _)| !matches!(key.as_str(), "Variable" | "Next" | "Comment"))
    else {
        return last_step(variable);
    };
    let subject = last_step(variable);
    let yes = operand.as_bool() != Some(false);
    let value = match operand {
        Value::String(s) if operator.ends_with("Path") => last_step(s),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    match operator.as_str() {
        "BooleanEquals" if yes => subject,
        "BooleanEquals" if operand.is_boolean() => format!("not {subject}"),
        "IsPresent" => format!("{subject} {}", if yes { "present" } else { "absent" }),
        "IsNull" => format!("{subject} {}", if yes { "null" } else { "not null" }),
        "IsString" | "IsNumeric" | "IsBoolean" | "IsTimestamp" => {
            let kind = match operator.as_str() {
                "IsString" => "a string",
                "IsNumeric" => "a number",
                "IsBoolean" => "a boolean",
                _ => "a timestamp",
            };
            format!("{subject} {} {kind}", if yes { "is" } else { "is not" })
        }
        op => {
            let base = op.strip_suffix("Path").unwrap_or(op);
            let symbol = if base.ends_with("GreaterThanEquals") {
                "≥"
            } else if base.ends_with("LessThanEquals") {
                "≤"
            } else if base.ends_with("GreaterThan") {
                ">"
            } else if base.ends_with("LessThan") {
                "<"
            } else if base.ends_with("Matches") {
                "matches"
            } else {
                "="
            };
            format!("{subject} {symbol} {value}")
        }
    }
}

/// The terms of an `And` or `Or`, leaving out `IsPresent: true` on a variable that
/// another term tests (it only guards that test), at most `MAX_TERMS` of them named.
fn joined(terms: &[Value], word: &str) -> String {
    let tested_otherwise = |term: &Value| {
        term["IsPresent"] == Value::Bool(true)
            && terms
                .iter()
                .any(|other| other["Variable"] == term["Variable"] && other["IsPresent"].is_null())
    };
    let kept: Vec<String> = terms
        .iter()
        .filter(|t| !tested_otherwise(t))
        .map(condition)
        .collect();
    if kept.len() <= MAX_TERMS {
        return kept.join(&format!(" {word} "));
    }
    let named = MAX_TERMS - 1;
    format!(
        "{} {word} {} more",
        kept[..named].join(&format!(" {word} ")),
        kept.len() - named
    )
}
