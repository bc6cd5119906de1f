//! Parses a migration spec from JSON and reports every problem at once.
//!
//! Three passes, all of whose problems are collected into one `InvalidSpec` error:
//! a structural pass walks the JSON against the spec's JSON Schema (unknown fields,
//! wrong types, missing fields, out-of-range values); serde then builds the typed
//! spec; the semantic checks of [`super::check`] run on every part of the spec that
//! passed the structural pass. No message ever repeats a password's value.

use std::fmt;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::MigrationSpec;
use super::check::{self, PASSWORD_FIX, SpecParts};
use super::schema::shared_spec_schema;
use crate::error::{ErrorKind, StepError, StepResult};

/// One problem of a spec: where, what is wrong, and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SpecProblem {
    /// Field path such as `source.port` or `table_mappings.rules[2].object-locator`
    /// (`line 3, column 7` for malformed JSON; empty for the spec as a whole).
    pub path: String,
    /// What is wrong.
    pub problem: String,
    /// How to fix it.
    pub fix: String,
}

impl SpecProblem {
    pub fn new(
        path: impl Into<String>,
        problem: impl Into<String>,
        fix: impl Into<String>,
    ) -> Self {
        Self {
            path: path.into(),
            problem: problem.into(),
            fix: fix.into(),
        }
    }
}

impl fmt::Display for SpecProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = if self.path.is_empty() {
            "(the whole spec)"
        } else {
            &self.path
        };
        let problem = self.problem.trim_end_matches('.');
        let fix = self.fix.trim_end_matches('.');
        write!(f, "{path}: {problem}. Fix: {fix}.")
    }
}

/// The `InvalidSpec` error listing every problem, numbered, one per line.
pub fn invalid_spec(problems: &[SpecProblem]) -> StepError {
    let count = problems.len();
    let noun = if count == 1 { "problem" } else { "problems" };
    let mut message = format!("The migration spec has {count} {noun}:");
    for (number, problem) in problems.iter().enumerate() {
        message.push_str(&format!("\n{}. {problem}", number + 1));
    }
    StepError::new(ErrorKind::InvalidSpec, message)
}

/// Parses and validates a spec given as JSON text. Malformed JSON is reported
/// with its line and column.
pub fn parse_str(text: &str) -> StepResult<MigrationSpec> {
    let value: Value =
        serde_json::from_str(text).map_err(|error| invalid_spec(&[json_problem(&error)]))?;
    parse_value(&value)
}

/// Parses and validates a spec given as a JSON value.
pub fn parse_value(value: &Value) -> StepResult<MigrationSpec> {
    validate_value(value).map_err(|problems| invalid_spec(&problems))
}

/// The typed spec, or every problem the value has.
pub fn validate_value(value: &Value) -> Result<MigrationSpec, Vec<SpecProblem>> {
    let schema = shared_spec_schema();
    let mut walker = Walker {
        root: schema,
        problems: Vec::new(),
        blocked: Vec::new(),
    };
    let repaired = walker.walk(value, schema, "");
    let Walker {
        mut problems,
        blocked,
        ..
    } = walker;
    if blocked.is_empty() {
        match serde_json::from_value::<MigrationSpec>(repaired) {
            Ok(spec) => {
                problems.extend(check::check_spec(&spec));
                return if problems.is_empty() {
                    Ok(spec)
                } else {
                    Err(problems)
                };
            }
            // Not expected once the structural pass is clean; serde's own message
            // may quote values, so it is not repeated.
            Err(_) => problems.push(SpecProblem::new(
                "",
                "the spec does not match dmsflow's spec types",
                "compare it with schema/migration-spec.schema.json and docs/spec.md",
            )),
        }
    } else {
        problems.extend(check::check_parts(&parts_of(&repaired, &blocked)));
    }
    Err(problems)
}

/// The problems the structural pass alone finds: `value` checked against the
/// spec's JSON Schema, as an editor using `schema/migration-spec.schema.json` would.
pub fn schema_problems(value: &Value) -> Vec<SpecProblem> {
    let schema = shared_spec_schema();
    let mut walker = Walker {
        root: schema,
        problems: Vec::new(),
        blocked: Vec::new(),
    };
    walker.walk(value, schema, "");
    walker.problems
}

fn json_problem(error: &serde_json::Error) -> SpecProblem {
    let text = error.to_string();
    let what = text.split(" at line ").next().unwrap_or(&text);
    SpecProblem::new(
        format!("line {}, column {}", error.line(), error.column()),
        format!("the spec is not valid JSON ({what})"),
        "correct the JSON at that position (usually a missing or extra comma, quote or bracket)",
    )
}

/// The parts of a structurally checked spec that can be read, for the semantic
/// checks: a part with a blocking problem under its path is left out.
fn parts_of(value: &Value, blocked: &[String]) -> SpecParts {
    let Some(object) = value.as_object() else {
        return SpecParts::default();
    };
    let read = |field: &str| -> Option<Value> {
        if blocked.iter().any(|path| is_within(path, field)) {
            None
        } else {
            object.get(field).cloned()
        }
    };
    fn typed<T: DeserializeOwned>(value: Option<Value>) -> Option<T> {
        value.and_then(|value| serde_json::from_value(value).ok())
    }
    fn defaulted<T: DeserializeOwned + Default>(value: Option<Value>, present: bool) -> Option<T> {
        if present {
            typed(value)
        } else {
            Some(T::default())
        }
    }
    let has = |field: &str| object.contains_key(field);
    SpecParts {
        run_id: typed(read("run_id")),
        tags: defaulted(read("tags"), has("tags")),
        network: typed(read("network")),
        instance: defaulted(read("instance"), has("instance")),
        instance_given: has("instance"),
        compute: defaulted(read("compute"), has("compute")),
        serverless: if has("serverless") {
            typed(read("serverless")).map(Some)
        } else {
            Some(None)
        },
        source: typed(read("source")),
        target: typed(read("target")),
        table_mappings: read("table_mappings"),
        migration_type: defaulted(read("migration_type"), has("migration_type")),
        task_settings: defaulted(read("task_settings"), has("task_settings")),
        validation: defaulted(read("validation"), has("validation")),
        assessment: defaulted(read("assessment"), has("assessment")),
        notifications: defaulted(read("notifications"), has("notifications")),
        completion: defaulted(read("completion"), has("completion")),
        polling: defaulted(read("polling"), has("polling")),
    }
}

/// Whether `path` is `field` or lies under it.
fn is_within(path: &str, field: &str) -> bool {
    path.is_empty()
        || path
            .strip_prefix(field)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('.') || rest.starts_with('['))
}

/// The path of `key` under `path`: `a.b`, or `a["odd key"]` for keys that are not
/// plain words.
pub fn join(path: &str, key: &str) -> String {
    let plain = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    match (path.is_empty(), plain) {
        (true, true) => key.to_string(),
        (false, true) => format!("{path}.{key}"),
        (_, false) => format!("{path}[{key:?}]"),
    }
}

/// The path of item `index` of the list at `path`.
pub fn index(path: &str, index: usize) -> String {
    format!("{path}[{index}]")
}

/// The candidate closest in spelling to `word`, when it is close enough to be a
/// likely typo (case, `-` versus `_`, or a couple of letters).
pub fn nearest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let normalize = |s: &str| s.to_ascii_lowercase().replace(['-', ' '], "_");
    let word = normalize(word);
    let limit = (word.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .map(|candidate| (edit_distance(&word, &normalize(candidate)), candidate))
        .filter(|(distance, _)| *distance <= limit)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current.push(substitution.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[b.len()]
}

/// A list of names as `` `a`, `b`, `c` ``.
pub fn listing<'a>(names: impl IntoIterator<Item = &'a str>) -> String {
    names
        .into_iter()
        .map(|name| format!("`{name}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `, or did you mean `x`?` when a candidate is close, else nothing.
pub fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    nearest(word, candidates)
        .map(|candidate| format!(" (did you mean `{candidate}`?)"))
        .unwrap_or_default()
}

/// The problem and fix for `value`, which is not among `allowed`: `what` names
/// the kind of value ("a DMS engine name").
pub fn not_allowed(value: &str, allowed: &[&str], what: &str) -> (String, String) {
    (
        format!(
            "`{}` is not {what}{}",
            shorten(value),
            did_you_mean(value, allowed.iter().copied())
        ),
        format!("use one of {}", listing(allowed.iter().copied())),
    )
}

/// Whether a field name names a password.
pub fn is_password_key(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    key.contains("password") || matches!(key.as_str(), "pwd" | "passwd" | "pass")
}

/// The structural pass: walks a value against the subset of JSON Schema that
/// schemars emits, collecting problems. `blocked` holds the paths whose problems
/// keep serde from reading the value; unknown fields and out-of-range numbers do
/// not block (unknown fields are dropped from the repaired copy `walk` returns).
struct Walker<'s> {
    root: &'s Value,
    problems: Vec<SpecProblem>,
    blocked: Vec<String>,
}

impl<'s> Walker<'s> {
    fn resolve(&self, mut schema: &'s Value) -> &'s Value {
        while let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
            let Some(target) = reference
                .strip_prefix("#/")
                .and_then(|pointer| self.root.pointer(&format!("/{pointer}")))
            else {
                break;
            };
            schema = target;
        }
        schema
    }

    fn block(&mut self, problem: SpecProblem) {
        self.blocked.push(problem.path.clone());
        self.problems.push(problem);
    }

    fn walk(&mut self, value: &Value, schema: &'s Value, path: &str) -> Value {
        let schema = self.resolve(schema);
        if let Some(allowed) = self.choices(schema) {
            self.check_choice(value, &allowed, path);
            return value.clone();
        }
        if let Some(branches) = schema
            .get("anyOf")
            .or_else(|| schema.get("oneOf"))
            .and_then(Value::as_array)
        {
            return self.walk_branches(value, branches, path);
        }
        if !self.check_type(value, schema, path) {
            return value.clone();
        }
        match value {
            Value::Object(map) => Value::Object(self.walk_object(map, schema, path)),
            Value::Array(items) => Value::Array(self.walk_array(items, schema, path)),
            Value::Number(number) => {
                self.check_range(number, schema, path);
                value.clone()
            }
            _ => value.clone(),
        }
    }

    /// The allowed values of an `enum`, a `const`, or a `oneOf`/`anyOf` of those.
    fn choices(&self, schema: &'s Value) -> Option<Vec<Value>> {
        if let Some(values) = schema.get("enum").and_then(Value::as_array) {
            return Some(values.clone());
        }
        if let Some(value) = schema.get("const") {
            return Some(vec![value.clone()]);
        }
        let branches = schema
            .get("oneOf")
            .or_else(|| schema.get("anyOf"))
            .and_then(Value::as_array)?;
        let mut all = Vec::new();
        for branch in branches {
            all.extend(self.choices(self.resolve(branch))?);
        }
        Some(all)
    }

    fn check_choice(&mut self, value: &Value, allowed: &[Value], path: &str) {
        if allowed.contains(value) {
            return;
        }
        let names: Vec<&str> = allowed.iter().filter_map(Value::as_str).collect();
        let (problem, fix) = match value.as_str() {
            Some(text) => not_allowed(text, &names, "an allowed value"),
            None => (
                format!("expected one of the allowed strings, found {}", kind(value)),
                format!("use one of {}", listing(names)),
            ),
        };
        self.block(SpecProblem::new(path, problem, fix));
    }

    fn walk_branches(&mut self, value: &Value, branches: &'s [Value], path: &str) -> Value {
        let mut best: Option<Walker<'s>> = None;
        let mut best_value = value.clone();
        for branch in branches {
            let mut trial = Walker {
                root: self.root,
                problems: Vec::new(),
                blocked: Vec::new(),
            };
            let repaired = trial.walk(value, branch, path);
            if trial.problems.is_empty() {
                return repaired;
            }
            if best
                .as_ref()
                .is_none_or(|b| trial.problems.len() < b.problems.len())
            {
                best = Some(trial);
                best_value = repaired;
            }
        }
        if let Some(best) = best {
            self.problems.extend(best.problems);
            self.blocked.extend(best.blocked);
        }
        best_value
    }

    fn check_type(&mut self, value: &Value, schema: &Value, path: &str) -> bool {
        let expected: Vec<&str> = match schema.get("type") {
            Some(Value::String(name)) => vec![name.as_str()],
            Some(Value::Array(names)) => names.iter().filter_map(Value::as_str).collect(),
            _ => return true,
        };
        if expected.iter().any(|name| has_type(value, name)) {
            return true;
        }
        let wanted: Vec<&str> = expected
            .iter()
            .filter(|name| **name != "null")
            .map(|name| describe_type(name))
            .collect();
        let wanted = wanted.join(" or ");
        let default = schema
            .get("default")
            .filter(|default| !default.is_object() && !default.is_array())
            .map(|default| format!(", or leave the field out to get the default {default}"))
            .unwrap_or_default();
        self.block(SpecProblem::new(
            path,
            format!("expected {wanted}, found {}", kind(value)),
            format!("give {wanted}{default}"),
        ));
        false
    }

    fn walk_object(
        &mut self,
        map: &Map<String, Value>,
        schema: &'s Value,
        path: &str,
    ) -> Map<String, Value> {
        let properties = schema.get("properties").and_then(Value::as_object);
        let additional = schema.get("additionalProperties");
        let mut repaired = Map::new();
        for (key, value) in map {
            let child = join(path, key);
            if let Some(property) = properties.and_then(|properties| properties.get(key)) {
                repaired.insert(key.clone(), self.walk(value, property, &child));
                continue;
            }
            match additional {
                Some(Value::Bool(false)) => self.unknown_field(key, &child, properties),
                Some(extra @ Value::Object(_)) => {
                    repaired.insert(key.clone(), self.walk(value, extra, &child));
                }
                _ => {
                    repaired.insert(key.clone(), value.clone());
                }
            }
        }
        let required = schema.get("required").and_then(Value::as_array);
        for name in required.into_iter().flatten().filter_map(Value::as_str) {
            if !map.contains_key(name) {
                let hint = properties
                    .and_then(|properties| properties.get(name))
                    .map(|property| self.resolve(property))
                    .and_then(|property| property.get("description"))
                    .and_then(Value::as_str)
                    .map(|text| format!(": {}", first_sentence(text)))
                    .unwrap_or_default();
                self.block(SpecProblem::new(
                    join(path, name),
                    "required field is missing",
                    format!("add `{name}`{hint}"),
                ));
            }
        }
        repaired
    }

    fn unknown_field(&mut self, key: &str, path: &str, properties: Option<&Map<String, Value>>) {
        if is_password_key(key) {
            self.problems.push(SpecProblem::new(
                path,
                "a plaintext password is not accepted in the spec",
                PASSWORD_FIX,
            ));
            return;
        }
        let names: Vec<&str> = properties
            .map(|properties| properties.keys().map(String::as_str).collect())
            .unwrap_or_default();
        let suggestion = nearest(key, names.iter().copied())
            .map(|name| format!("rename it to `{name}`, or remove it"))
            .unwrap_or_else(|| "remove it".to_string());
        self.problems.push(SpecProblem::new(
            path,
            "unknown field",
            format!(
                "{suggestion}; the fields allowed here are {}",
                listing(names)
            ),
        ));
    }

    fn walk_array(&mut self, items: &[Value], schema: &'s Value, path: &str) -> Vec<Value> {
        let count = items.len() as u64;
        if let Some(min) = schema.get("minItems").and_then(Value::as_u64)
            && count < min
        {
            self.problems.push(SpecProblem::new(
                path,
                format!("has {count} items, fewer than {min}"),
                format!("give at least {min} items"),
            ));
        }
        if let Some(max) = schema.get("maxItems").and_then(Value::as_u64)
            && count > max
        {
            self.problems.push(SpecProblem::new(
                path,
                format!("has {count} items, more than {max}"),
                format!("give at most {max} items"),
            ));
        }
        match schema.get("items") {
            Some(item_schema) => items
                .iter()
                .enumerate()
                .map(|(i, item)| self.walk(item, item_schema, &index(path, i)))
                .collect(),
            None => items.to_vec(),
        }
    }

    fn check_range(&mut self, number: &serde_json::Number, schema: &Value, path: &str) {
        let Some(value) = number
            .as_i64()
            .map(i128::from)
            .or_else(|| number.as_u64().map(i128::from))
        else {
            return;
        };
        let bound = |key: &str| schema.get(key).and_then(Value::as_f64).map(|b| b as i128);
        let (type_min, type_max) = format_bounds(schema.get("format").and_then(Value::as_str));
        let min = bound("minimum").map_or(type_min, |b| b.max(type_min));
        let max = bound("maximum").map_or(type_max, |b| b.min(type_max));
        if (min..=max).contains(&value) {
            return;
        }
        let fix = if max >= i128::from(u32::MAX) {
            format!("use a whole number of at least {min}")
        } else {
            format!("use a whole number from {min} to {max}")
        };
        let problem = SpecProblem::new(path, format!("{value} is out of range"), fix);
        if (type_min..=type_max).contains(&value) {
            self.problems.push(problem);
        } else {
            self.block(problem);
        }
    }
}

fn format_bounds(format: Option<&str>) -> (i128, i128) {
    match format {
        Some("uint8") => (0, u8::MAX.into()),
        Some("uint16") => (0, u16::MAX.into()),
        Some("uint32") | Some("uint") => (0, u32::MAX.into()),
        Some("uint64") => (0, u64::MAX.into()),
        Some("int8") => (i8::MIN.into(), i8::MAX.into()),
        Some("int16") => (i16::MIN.into(), i16::MAX.into()),
        Some("int32") | Some("int") => (i32::MIN.into(), i32::MAX.into()),
        _ => (i64::MIN.into(), u64::MAX.into()),
    }
}

fn has_type(value: &Value, name: &str) -> bool {
    match name {
        "object" => value.is_object(),
        "array" => value.is_array(),
        "string" => value.is_string(),
        "boolean" => value.is_boolean(),
        "null" => value.is_null(),
        "integer" => value.is_i64() || value.is_u64(),
        "number" => value.is_number(),
        _ => true,
    }
}

fn describe_type(name: &str) -> &'static str {
    match name {
        "object" => "an object",
        "array" => "a list",
        "string" => "a string",
        "boolean" => "true or false",
        "integer" => "a whole number",
        "number" => "a number",
        _ => "a value of another type",
    }
}

/// The JSON kind of a value, never the value itself (it may be a secret).
fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "true/false",
        Value::Number(number) if number.is_f64() => "a decimal number",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

fn first_sentence(text: &str) -> String {
    let flat = text.replace('\n', " ");
    match flat.find(". ") {
        Some(end) => flat[..end].to_string(),
        None => flat.trim_end_matches('.').to_string(),
    }
}

/// A user's string, shortened for a message.
pub fn shorten(text: &str) -> String {
    const LIMIT: usize = 60;
    if text.chars().count() <= LIMIT {
        text.to_string()
    } else {
        let head: String = text.chars().take(LIMIT).collect();
        format!("{head}…")
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use serde_json::json;

    use super::*;
    use crate::spec::{CompletionCriterion, MigrationType, SslMode, TargetTablePrep};

    /// A spec with only the required fields.
    pub(crate) fn minimal() -> Value {
        json!({
            "run_id": "orders-1",
            "network": {"subnet_ids": ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]},
            "source": endpoint("mysql", 3306),
            "target": endpoint("aurora", 3306),
            "table_mappings": {"rules": [{
                "rule-type": "selection", "rule-id": "1", "rule-name": "all",
                "object-locator": {"schema-name": "app", "table-name": "%"},
                "rule-action": "include"
            }]}
        })
    }

    pub(crate) fn endpoint(engine: &str, port: u16) -> Value {
        json!({
            "engine": engine,
            "server": "db.example.internal",
            "port": port,
            "database": "app",
            "secret_arn": "arn:aws:secretsmanager:us-east-1:123456789012:secret:app-AbCdEf",
            "secret_access_role_arn": "arn:aws:iam::123456789012:role/dms-secrets"
        })
    }

    /// Every problem of `value` (it must be invalid).
    pub(crate) fn problems(value: &Value) -> Vec<SpecProblem> {
        match validate_value(value) {
            Ok(_) => panic!("expected problems, the spec was accepted"),
            Err(problems) => problems,
        }
    }

    /// The problem at `path`, or a panic listing the problems found.
    pub(crate) fn at<'a>(problems: &'a [SpecProblem], path: &str) -> &'a SpecProblem {
        problems
            .iter()
            .find(|problem| problem.path == path)
            .unwrap_or_else(|| panic!("no problem at {path}; found {problems:#?}"))
    }

    /// Asserts that the problem at `path` says `needle` in its problem or its fix.
    pub(crate) fn expect(problems: &[SpecProblem], path: &str, needle: &str) {
        let problem = at(problems, path);
        assert!(
            problem.problem.contains(needle) || problem.fix.contains(needle),
            "{needle:?} not in {problem:#?}"
        );
    }

    /// `minimal()` with `pointer` set to `value` (parents created as needed).
    pub(crate) fn with(pointer: &str, value: Value) -> Value {
        let mut spec = minimal();
        set(&mut spec, pointer, value);
        spec
    }

    pub(crate) fn set(spec: &mut Value, pointer: &str, value: Value) {
        let (parent, key) = pointer.rsplit_once('/').expect("a JSON pointer");
        if spec.pointer(parent).is_none() {
            set(spec, parent, json!({}));
        }
        spec.pointer_mut(parent).expect("parent")[key] = value;
    }

    fn event(name: &str) -> String {
        let path = format!("{}/../../events/{name}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {path}: {e}"))
    }

    #[test]
    fn the_sample_specs_parse() {
        let mysql = parse_str(&event("mysql-full-load-and-cdc.json")).expect("mysql sample");
        assert_eq!(mysql.migration_type, MigrationType::FullLoadAndCdc);
        assert_eq!(mysql.target.engine, "aurora");
        assert!(mysql.validation.enabled);
        let postgres =
            parse_str(&event("postgres-to-aurora-full-load.json")).expect("postgres sample");
        assert_eq!(postgres.migration_type, MigrationType::FullLoad);
        assert_eq!(
            postgres.completion.criterion,
            CompletionCriterion::Validated
        );
        assert_eq!(postgres.source.ssl_mode, SslMode::VerifyFull);
    }

    #[test]
    fn a_minimal_spec_gets_every_default() {
        let spec = parse_value(&minimal()).expect("minimal spec");
        assert_eq!(spec.instance, crate::spec::InstanceSpec::default());
        assert_eq!(spec.migration_type, MigrationType::FullLoadAndCdc);
        assert_eq!(spec.target_table_prep, TargetTablePrep::DoNothing);
        assert_eq!(spec.validation, crate::spec::ValidationSpec::default());
        assert_eq!(spec.notifications, crate::spec::Notifications::default());
        assert_eq!(spec.completion, crate::spec::Completion::default());
        assert_eq!(spec.cleanup, crate::spec::CleanupPolicy::default());
        assert_eq!(spec.polling, crate::spec::Polling::default());
        assert_eq!(spec.source.ssl_mode, SslMode::Require);
        assert!(spec.tags.is_empty() && spec.task_settings.is_empty());
    }

    #[test]
    fn malformed_json_names_line_and_column() {
        let text = "{\n  \"run_id\": \"a\",\n  \"network\": {,}\n}";
        let error = parse_str(text).unwrap_err();
        assert_eq!(error.kind, ErrorKind::InvalidSpec);
        assert!(
            error.message.contains("line 3, column 15"),
            "{}",
            error.message
        );
        assert!(
            error.message.contains("not valid JSON"),
            "{}",
            error.message
        );
    }

    #[test]
    fn unknown_fields_at_every_depth_are_all_reported_with_a_suggestion() {
        let mut spec = minimal();
        set(&mut spec, "/sorce", json!({}));
        set(&mut spec, "/network/subnet_group_name", json!("x"));
        set(&mut spec, "/target/sever", json!("db"));
        set(&mut spec, "/polling/max_wait_secs", json!(60));
        let found = problems(&spec);
        expect(&found, "sorce", "rename it to `source`");
        expect(&found, "network.subnet_group_name", "`subnet_group`");
        expect(&found, "target.sever", "rename it to `server`");
        expect(&found, "polling.max_wait_secs", "`max_wait_seconds`");
        expect(&found, "sorce", "`run_id`, `tags`");
        assert_eq!(found.len(), 4, "{found:#?}");
    }

    #[test]
    fn wrong_types_name_the_expected_type_without_the_value() {
        let mut spec = minimal();
        set(&mut spec, "/source/port", json!("3306"));
        set(&mut spec, "/instance/multi_az", json!("yes"));
        set(
            &mut spec,
            "/network/subnet_ids",
            json!("subnet-0123456789abcdef0"),
        );
        set(&mut spec, "/tags", json!({"team": 7}));
        let found = problems(&spec);
        assert_eq!(
            at(&found, "source.port").problem,
            "expected a whole number, found a string"
        );
        let multi_az = at(&found, "instance.multi_az");
        assert_eq!(multi_az.problem, "expected true or false, found a string");
        assert!(multi_az.fix.contains("default false"), "{multi_az:?}");
        expect(&found, "network.subnet_ids", "expected a list");
        expect(&found, "tags.team", "expected a string");
        assert!(found.iter().all(|p| !p.problem.contains("3306")));
    }

    #[test]
    fn enum_values_list_the_allowed_ones() {
        let found = problems(&with("/migration_type", json!("ful-load-and-cdc")));
        let problem = at(&found, "migration_type");
        assert!(
            problem
                .problem
                .contains("did you mean `full-load-and-cdc`?"),
            "{problem:?}"
        );
        assert!(
            problem
                .fix
                .contains("`full-load`, `cdc`, `full-load-and-cdc`")
        );
        let found = problems(&with("/cleanup/on_failure", json!("remove")));
        expect(&found, "cleanup.on_failure", "`keep`, `delete`");
    }

    #[test]
    fn out_of_range_values_are_reported_with_the_range() {
        let mut spec = minimal();
        set(&mut spec, "/source/port", json!(0));
        set(&mut spec, "/target/port", json!(70000));
        set(&mut spec, "/instance/allocated_storage_gb", json!(4));
        set(&mut spec, "/polling/min_wait_seconds", json!(1));
        set(&mut spec, "/polling/max_wait_seconds", json!(7200));
        set(&mut spec, "/polling/instance_timeout_minutes", json!(0));
        set(&mut spec, "/polling/task_change_timeout_minutes", json!(0));
        set(&mut spec, "/polling/cdc_timeout_hours", json!(8761));
        set(&mut spec, "/polling/cleanup_timeout_minutes", json!(0));
        set(&mut spec, "/polling/checks_per_execution", json!(1001));
        set(
            &mut spec,
            "/notifications/cdc_latency_threshold_seconds",
            json!(-1),
        );
        let found = problems(&spec);
        assert_eq!(
            at(&found, "source.port").fix,
            "use a whole number from 1 to 65535"
        );
        assert_eq!(at(&found, "target.port").problem, "70000 is out of range");
        assert_eq!(
            at(&found, "instance.allocated_storage_gb").fix,
            "use a whole number from 5 to 6144"
        );
        expect(&found, "polling.min_wait_seconds", "from 5 to 3600");
        expect(&found, "polling.max_wait_seconds", "from 5 to 3600");
        expect(&found, "polling.instance_timeout_minutes", "at least 1");
        expect(&found, "polling.task_change_timeout_minutes", "at least 1");
        expect(&found, "polling.cdc_timeout_hours", "from 1 to 8760");
        expect(&found, "polling.cleanup_timeout_minutes", "at least 1");
        expect(&found, "polling.checks_per_execution", "from 1 to 1000");
        expect(&found, "notifications.cdc_latency_threshold_seconds", "-1");
    }

    #[test]
    fn missing_required_fields_are_all_reported() {
        let mut spec = minimal();
        spec.as_object_mut().unwrap().remove("run_id");
        spec.as_object_mut().unwrap().remove("table_mappings");
        spec["source"].as_object_mut().unwrap().remove("secret_arn");
        let found = problems(&spec);
        assert_eq!(at(&found, "run_id").problem, "required field is missing");
        expect(&found, "table_mappings", "table-mapping");
        expect(&found, "source.secret_arn", "Secrets Manager secret");
        assert_eq!(found.len(), 3, "{found:#?}");
    }

    #[test]
    fn a_spec_that_is_not_an_object_is_one_problem() {
        let found = problems(&json!(["run_id"]));
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].path, "");
        assert!(
            found[0]
                .to_string()
                .starts_with("(the whole spec): expected an object")
        );
    }

    #[test]
    fn a_plaintext_password_is_refused_everywhere_and_never_repeated() {
        let secret = "Sup3r-Secret-Value";
        let mut spec = minimal();
        set(&mut spec, "/source/password", json!(secret));
        set(&mut spec, "/target/Password", json!(secret));
        set(&mut spec, "/password", json!(secret));
        set(
            &mut spec,
            "/source/settings",
            json!({"Password": secret, "nested": {"password": secret}}),
        );
        set(
            &mut spec,
            "/target/extra_connection_attributes",
            json!(format!("initstmt=SET x=1;PWD={secret}")),
        );
        let error = parse_value(&spec).unwrap_err();
        let found = problems(&spec);
        for path in [
            "source.password",
            "target.Password",
            "password",
            "source.settings.Password",
            "source.settings.nested.password",
            "target.extra_connection_attributes",
        ] {
            let problem = at(&found, path);
            assert!(problem.problem.contains("password"), "{problem:?}");
            assert!(problem.fix.contains("Secrets Manager"), "{problem:?}");
            assert!(problem.fix.contains("`secret_arn`"), "{problem:?}");
            assert!(
                problem.fix.contains("`secret_access_role_arn`"),
                "{problem:?}"
            );
        }
        assert_eq!(found.len(), 6, "{found:#?}");
        assert!(!error.message.contains(secret), "{}", error.message);
        assert!(!error.message.contains("Sup3r"), "{}", error.message);
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let mut spec = minimal();
        set(&mut spec, "/run_id", json!("Orders_1"));
        set(&mut spec, "/sorce", json!({}));
        set(&mut spec, "/source/port", json!(0));
        set(&mut spec, "/target/engine", json!("postgress"));
        set(&mut spec, "/instance/class", json!("r5.large"));
        set(&mut spec, "/network/security_group_ids", json!(["default"]));
        set(&mut spec, "/migration_type", json!("full-load"));
        set(
            &mut spec,
            "/task_settings",
            json!({"FullLoadSettings": {"TargetTablePrepMode": "DROP_AND_CREATE"}}),
        );
        set(
            &mut spec,
            "/table_mappings/rules/0/rule-action",
            json!("includ"),
        );
        set(&mut spec, "/polling/max_wait_seconds", json!("long"));
        let error = parse_value(&spec).unwrap_err();
        let found = problems(&spec);
        for path in [
            "run_id",
            "sorce",
            "source.port",
            "target.engine",
            "instance.class",
            "network.security_group_ids[0]",
            "completion.criterion",
            "task_settings.FullLoadSettings.TargetTablePrepMode",
            "table_mappings.rules[0].rule-action",
            "polling.max_wait_seconds",
        ] {
            at(&found, path);
        }
        assert!(
            error
                .message
                .starts_with(&format!("The migration spec has {} problems:", found.len()))
        );
        assert!(error.message.contains("\n1. "));
        assert!(error.message.contains(&format!("\n{}. ", found.len())));
        assert_eq!(error.message.lines().count(), found.len() + 1);
    }

    #[test]
    fn the_documented_example_message_is_what_the_code_says() {
        let docs =
            std::fs::read_to_string(format!("{}/../../docs/spec.md", env!("CARGO_MANIFEST_DIR")))
                .expect("docs/spec.md");
        let start = docs
            .find("The migration spec has 4 problems:")
            .expect("the example in docs/spec.md");
        let documented = &docs[start..start + docs[start..].find("\n```").unwrap()];
        let mut spec = minimal();
        set(&mut spec, "/source/port", json!(0));
        set(&mut spec, "/target/password", json!("hunter2"));
        set(&mut spec, "/sorce", json!({}));
        set(&mut spec, "/migration_type", json!("full-load"));
        assert_eq!(parse_value(&spec).unwrap_err().message, documented);
    }

    #[test]
    fn a_section_with_a_type_error_skips_only_its_own_semantic_checks() {
        let mut spec = minimal();
        set(&mut spec, "/source/port", json!("x"));
        set(&mut spec, "/source/engine", json!("nosuchengine"));
        set(&mut spec, "/target/engine", json!("nosuchengine"));
        let found = problems(&spec);
        at(&found, "source.port");
        at(&found, "target.engine");
        assert!(found.iter().all(|p| p.path != "source.engine"));
    }

    #[test]
    fn the_message_format_is_numbered_with_path_problem_and_fix() {
        let problems = [
            SpecProblem::new(
                "source.port",
                "0 is out of range",
                "use a whole number from 1 to 65535",
            ),
            SpecProblem::new("run_id", "is empty.", "give one."),
        ];
        let error = invalid_spec(&problems);
        assert_eq!(
            error.message,
            "The migration spec has 2 problems:\n\
             1. source.port: 0 is out of range. Fix: use a whole number from 1 to 65535.\n\
             2. run_id: is empty. Fix: give one."
        );
        assert!(
            invalid_spec(&problems[..1])
                .message
                .starts_with("The migration spec has 1 problem:")
        );
    }

    #[test]
    fn paths_quote_keys_that_are_not_plain_words() {
        assert_eq!(join("", "run_id"), "run_id");
        assert_eq!(join("tags", "cost center"), "tags[\"cost center\"]");
        assert_eq!(index("rules", 2), "rules[2]");
        assert_eq!(nearest("runId", ["run_id", "tags"]), Some("run_id"));
        assert_eq!(nearest("zzzz", ["run_id", "tags"]), None);
    }
}
