//! Generators: arbitrary JSON biased towards the spec's own field names and
//! values, arbitrary and truncated text, mutations of the sample specs, and valid
//! variations of them.

use std::sync::LazyLock;

use dmsflow::spec::parse::is_password_key;
use dmsflow::spec::schema::spec_schema;
use proptest::prelude::*;
use proptest::sample::{Index, select};
use serde_json::{Map, Number, Value, json};

/// The sample specs in `events/` (every sample that is not an `action` request).
pub static SAMPLES: LazyLock<Vec<(String, Value)>> = LazyLock::new(|| {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../events");
    let mut samples: Vec<(String, Value)> = std::fs::read_dir(dir)
        .expect("read events/")
        .filter_map(|entry| {
            let path = entry.ok()?.path();
            (path.extension()? == "json").then_some(path)
        })
        .map(|path| {
            let text = std::fs::read_to_string(&path).expect("read a sample");
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
            (name, value)
        })
        .filter(|(_, value): &(String, Value)| value.get("action").is_none())
        .collect();
    samples.sort_by(|a, b| a.0.cmp(&b.0));
    assert!(samples.len() >= 2, "expected sample specs in {dir}");
    samples
});

/// Field names and string values the parser knows, so that generated documents
/// reach past the first unknown key.
static WORDS: LazyLock<(Vec<String>, Vec<String>)> = LazyLock::new(|| {
    let mut keys = Vec::new();
    let mut strings = Vec::new();
    collect_words(&spec_schema(), &mut keys, &mut strings);
    keys.extend(
        [
            "rules",
            "rule-type",
            "rule-id",
            "rule-name",
            "rule-action",
            "rule-target",
            "object-locator",
            "schema-name",
            "table-name",
            "value",
            "old-value",
            "data-type",
            "password",
            "Password",
            "ParallelLoadThreads",
            "TargetDbType",
            "TargetTablePrepMode",
            "ValidationSettings",
            "EnableValidation",
            "CloudWatchLogGroup",
            "SecretsManagerSecretId",
            "DatabaseName",
            "",
        ]
        .map(String::from),
    );
    strings.extend(
        [
            "selection",
            "transformation",
            "include",
            "exclude",
            "add-prefix",
            "column",
            "table",
            "%",
            "mysql",
            "postgres",
            "dynamodb",
            "dms.t3.medium",
            "failure",
            "subnet-0123456789abcdef0",
            "sg-0123456789abcdef0",
            "arn:aws:secretsmanager:us-east-1:123456789012:secret:x-AbCdEf",
            "arn:aws:iam::123456789012:role/x",
            "arn:aws:sns:us-east-1:123456789012:t",
            "",
        ]
        .map(String::from),
    );
    keys.sort();
    keys.dedup();
    strings.sort();
    strings.dedup();
    (keys, strings)
});

fn collect_words(schema: &Value, keys: &mut Vec<String>, strings: &mut Vec<String>) {
    match schema {
        Value::Object(map) => {
            if let Some(Value::Object(properties)) = map.get("properties") {
                keys.extend(properties.keys().cloned());
            }
            for name in ["enum", "const"] {
                match map.get(name) {
                    Some(Value::Array(values)) => {
                        strings.extend(values.iter().filter_map(Value::as_str).map(String::from))
                    }
                    Some(Value::String(value)) => strings.push(value.clone()),
                    _ => {}
                }
            }
            map.values().for_each(|v| collect_words(v, keys, strings));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_words(v, keys, strings)),
        _ => {}
    }
}

/// An object key: mostly a known field name, else anything (empty, unicode, odd).
pub fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        5 => select(WORDS.0.clone()),
        2 => ".{0,12}",
        1 => "[A-Za-z][A-Za-z_-]{0,10}",
    ]
}

/// Numbers at and beyond the edges of every range the spec uses.
fn edge_number() -> impl Strategy<Value = Value> {
    select(vec![
        json!(0),
        json!(-1),
        json!(1),
        json!(4),
        json!(5),
        json!(3600),
        json!(3601),
        json!(6144),
        json!(6145),
        json!(65535),
        json!(65536),
        json!(u32::MAX),
        json!(u64::from(u32::MAX) + 1),
        json!(i64::MAX),
        json!(i64::MIN),
        json!(u64::MAX),
        json!(0.5),
        json!(-0.0),
        json!(3306.0),
        json!(1e300),
        json!(-1e300),
        json!(f64::MIN_POSITIVE),
    ])
}

/// A JSON scalar: null, booleans, numbers of every kind, strings (unicode, empty,
/// the spec's own words).
pub fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_filter_map("a finite number", |f| Number::from_f64(f)
            .map(Value::Number)),
        edge_number(),
        ".{0,24}".prop_map(Value::from),
        select(WORDS.1.clone()).prop_map(Value::from),
    ]
}

/// Any JSON value, nested a few levels.
pub fn json_value() -> impl Strategy<Value = Value> {
    scalar().prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::vec((key(), inner), 0..7)
                .prop_map(|pairs| Value::Object(pairs.into_iter().collect())),
        ]
    })
}

/// Any JSON document, mostly an object with the spec's top-level field names.
pub fn json_document() -> impl Strategy<Value = Value> {
    prop_oneof![
        1 => json_value(),
        3 => prop::collection::vec((key(), json_value()), 0..10)
            .prop_map(|pairs| Value::Object(pairs.into_iter().collect())),
    ]
}

/// Text to parse: arbitrary bytes (read leniently as UTF-8), arbitrary strings,
/// and sample specs or generated JSON cut short or with one byte changed.
pub fn text() -> impl Strategy<Value = String> {
    let sample_text = (any::<Index>(), any::<bool>()).prop_map(|(index, pretty)| {
        let value = &index.get(&SAMPLES).1;
        if pretty {
            serde_json::to_string_pretty(value).unwrap()
        } else {
            value.to_string()
        }
    });
    let any_text = prop_oneof![sample_text, json_document().prop_map(|v| v.to_string())];
    prop_oneof![
        any::<Vec<u8>>().prop_map(|bytes| String::from_utf8_lossy(&bytes).into_owned()),
        ".{0,64}",
        (any_text.clone(), any::<Index>()).prop_map(|(text, cut)| {
            let mut end = cut.index(text.len() + 1);
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            text[..end].to_string()
        }),
        (any_text, any::<Index>(), any::<u8>()).prop_map(|(text, at, byte)| {
            let mut bytes = text.into_bytes();
            if !bytes.is_empty() {
                let at = at.index(bytes.len());
                bytes[at] = byte;
            }
            String::from_utf8_lossy(&bytes).into_owned()
        }),
    ]
}

/// A password value: a distinctive string (never a word the parser itself
/// writes), alone or inside an object or list.
pub fn secret() -> impl Strategy<Value = (String, Value)> {
    ("[A-Za-z0-9]{6}[!#%&*+=?@^~][A-Za-z0-9]{6,18}", 0..3u8).prop_map(|(secret, shape)| {
        let value = match shape {
            0 => json!(secret),
            1 => json!({ "value": secret }),
            _ => json!([secret]),
        };
        (secret, value)
    })
}

/// One change to a spec document.
#[derive(Debug, Clone)]
pub enum Mutation {
    /// Remove the field or list item at a location.
    Delete(Index),
    /// Put a value of another JSON type at a location.
    Retype(Index, Value),
    /// Put an out-of-range or odd number into one of the spec's numeric fields.
    OutOfRange(Index, Value),
    /// Rename a key to a near miss.
    Rename(Index, NearMiss),
    /// Add a password key to an object: the key, the secret, and the value
    /// holding it.
    InsertPassword(Index, &'static str, String, Value),
    /// Remove a table-mapping rule.
    DropRule(Index),
    /// Repeat a table-mapping rule.
    DuplicateRule(Index),
    /// Give an endpoint arbitrary engine settings.
    Settings(bool, Value),
}

/// A spelling slip.
#[derive(Debug, Clone, Copy)]
pub enum NearMiss {
    Capitalize,
    SwapSeparator,
    DropChar(Index),
    DoubleChar(Index),
    SwapAdjacent(Index),
    Plural,
}

fn near_miss() -> impl Strategy<Value = NearMiss> {
    prop_oneof![
        Just(NearMiss::Capitalize),
        Just(NearMiss::SwapSeparator),
        any::<Index>().prop_map(NearMiss::DropChar),
        any::<Index>().prop_map(NearMiss::DoubleChar),
        any::<Index>().prop_map(NearMiss::SwapAdjacent),
        Just(NearMiss::Plural),
    ]
}

impl NearMiss {
    pub fn apply(self, key: &str) -> String {
        let mut chars: Vec<char> = key.chars().collect();
        if chars.is_empty() {
            return "x".into();
        }
        match self {
            NearMiss::Capitalize => {
                return chars[0]
                    .to_uppercase()
                    .chain(chars[1..].iter().copied())
                    .collect();
            }
            NearMiss::SwapSeparator => {
                return key
                    .chars()
                    .map(|c| match c {
                        '_' => '-',
                        '-' => '_',
                        c => c,
                    })
                    .collect();
            }
            NearMiss::DropChar(at) => {
                chars.remove(at.index(chars.len()));
            }
            NearMiss::DoubleChar(at) => {
                let at = at.index(chars.len());
                chars.insert(at, chars[at]);
            }
            NearMiss::SwapAdjacent(at) if chars.len() > 1 => {
                let at = at.index(chars.len() - 1);
                chars.swap(at, at + 1);
            }
            NearMiss::SwapAdjacent(_) | NearMiss::Plural => chars.push('s'),
        }
        chars.into_iter().collect()
    }
}

/// Keys that name a password, as a user might write them.
const PASSWORD_KEYS: [&str; 4] = ["password", "Password", "PASSWORD", "db_password"];

/// The spec's numeric fields, as JSON pointers.
const NUMERIC_FIELDS: [&str; 10] = [
    "/source/port",
    "/target/port",
    "/instance/allocated_storage_gb",
    "/validation/max_failed_records",
    "/notifications/cdc_latency_threshold_seconds",
    "/polling/min_wait_seconds",
    "/polling/max_wait_seconds",
    "/polling/instance_timeout_minutes",
    "/polling/connection_timeout_minutes",
    "/polling/full_load_timeout_hours",
];

/// DMS endpoint setting names, some valid for some engines, some refused.
const SETTING_KEYS: [&str; 12] = [
    "ParallelLoadThreads",
    "EventsPollInterval",
    "TargetDbType",
    "ServerTimezone",
    "AfterConnectScript",
    "CleanSourceMetadataOnMismatch",
    "HeartbeatEnable",
    "PluginName",
    "DatabaseName",
    "Port",
    "Username",
    "password",
];

fn settings_value() -> impl Strategy<Value = Value> {
    let entry = (
        prop_oneof![3 => select(SETTING_KEYS.to_vec()).prop_map(String::from), 1 => key()],
        prop_oneof![3 => scalar(), 1 => json_value()],
    );
    prop::collection::vec(entry, 0..4).prop_map(|pairs| Value::Object(pairs.into_iter().collect()))
}

pub fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        3 => any::<Index>().prop_map(Mutation::Delete),
        3 => (any::<Index>(), json_value()).prop_map(|(at, v)| Mutation::Retype(at, v)),
        2 => (any::<Index>(), prop_oneof![edge_number(), any::<i64>().prop_map(Value::from)])
            .prop_map(|(at, v)| Mutation::OutOfRange(at, v)),
        3 => (any::<Index>(), near_miss()).prop_map(|(at, n)| Mutation::Rename(at, n)),
        2 => (any::<Index>(), select(PASSWORD_KEYS.to_vec()), secret())
            .prop_map(|(at, key, (secret, value))| Mutation::InsertPassword(at, key, secret, value)),
        1 => any::<Index>().prop_map(Mutation::DropRule),
        1 => any::<Index>().prop_map(Mutation::DuplicateRule),
        1 => (any::<bool>(), settings_value()).prop_map(|(source, v)| Mutation::Settings(source, v)),
    ]
}

/// Every location in `value` as a JSON pointer's steps (the root excluded).
fn locations(value: &Value) -> Vec<Vec<String>> {
    fn walk(value: &Value, at: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
        let children: Vec<(String, &Value)> = match value {
            Value::Object(map) => map.iter().map(|(k, v)| (k.clone(), v)).collect(),
            Value::Array(items) => items
                .iter()
                .enumerate()
                .map(|(i, v)| (i.to_string(), v))
                .collect(),
            _ => return,
        };
        for (step, child) in children {
            at.push(step);
            out.push(at.clone());
            walk(child, at, out);
            at.pop();
        }
    }
    let mut out = Vec::new();
    walk(value, &mut Vec::new(), &mut out);
    out
}

fn pointer(steps: &[String]) -> String {
    steps
        .iter()
        .map(|s| format!("/{}", s.replace('~', "~0").replace('/', "~1")))
        .collect()
}

/// The parent container of `steps` and the last step.
fn parent_of<'a>(document: &'a mut Value, steps: &'a [String]) -> Option<(&'a mut Value, &'a str)> {
    let (last, parent) = steps.split_last()?;
    Some((document.pointer_mut(&pointer(parent))?, last.as_str()))
}

fn remove(document: &mut Value, steps: &[String]) {
    match parent_of(document, steps) {
        Some((Value::Object(map), key)) => {
            map.remove(key);
        }
        Some((Value::Array(items), i)) => {
            let i: usize = i.parse().unwrap();
            items.remove(i);
        }
        _ => {}
    }
}

/// A value whose JSON type differs from `old`'s.
fn other_type(old: &Value, new: Value) -> Value {
    let same = std::mem::discriminant(old) == std::mem::discriminant(&new);
    match (same, old) {
        (false, _) => new,
        (true, Value::String(_)) => json!(7),
        (true, Value::Object(_) | Value::Array(_)) => json!("text"),
        (true, _) => json!({ "field": new }),
    }
}

impl Mutation {
    /// Applies the change to `document`; a change with nowhere to apply does nothing.
    pub fn apply(&self, document: &mut Value) {
        let all = locations(document);
        let pick = |at: &Index, among: &[Vec<String>]| -> Option<Vec<String>> {
            (!among.is_empty()).then(|| at.get(among).clone())
        };
        match self {
            Mutation::Delete(at) => {
                if let Some(steps) = pick(at, &all) {
                    remove(document, &steps);
                }
            }
            Mutation::Retype(at, value) => {
                if let Some(steps) = pick(at, &all) {
                    let slot = document.pointer_mut(&pointer(&steps)).unwrap();
                    *slot = other_type(slot, value.clone());
                }
            }
            Mutation::OutOfRange(at, number) => {
                let field = *at.get(&NUMERIC_FIELDS);
                let (parent, key) = field.rsplit_once('/').unwrap();
                if let Some(Value::Object(map)) = document.pointer_mut(parent) {
                    map.insert(key[..].to_string(), number.clone());
                } else if let Some(map) = document.as_object_mut() {
                    map.insert(parent[1..].to_string(), json!({ key: number }));
                }
            }
            Mutation::Rename(at, slip) => {
                let keys: Vec<Vec<String>> = all
                    .into_iter()
                    .filter(|steps| {
                        document
                            .pointer(&pointer(&steps[..steps.len() - 1]))
                            .is_some_and(Value::is_object)
                    })
                    .collect();
                if let Some(steps) = pick(at, &keys)
                    && let Some((Value::Object(map), key)) = parent_of(document, &steps)
                {
                    let value = map.remove(key).unwrap();
                    map.insert(slip.apply(key), value);
                }
            }
            Mutation::InsertPassword(at, key, _, value) => {
                let mut objects: Vec<Vec<String>> = vec![vec![]];
                objects.extend(all.into_iter().filter(|steps| {
                    document
                        .pointer(&pointer(steps))
                        .is_some_and(Value::is_object)
                }));
                let steps = at.get(&objects);
                if let Some(Value::Object(map)) = document.pointer_mut(&pointer(steps)) {
                    map.insert(key.to_string(), value.clone());
                }
            }
            Mutation::DropRule(at) | Mutation::DuplicateRule(at) => {
                if let Some(Value::Array(rules)) = document.pointer_mut("/table_mappings/rules")
                    && !rules.is_empty()
                {
                    let i = at.index(rules.len());
                    if matches!(self, Mutation::DropRule(_)) {
                        rules.remove(i);
                    } else {
                        let rule = rules[i].clone();
                        rules.insert(i, rule);
                    }
                }
            }
            Mutation::Settings(source, settings) => {
                let side = if *source { "source" } else { "target" };
                if let Some(Value::Object(endpoint)) = document.get_mut(side) {
                    endpoint.insert("settings".into(), settings.clone());
                }
            }
        }
    }
}

/// A sample spec with up to four mutations.
pub fn mutated_spec() -> impl Strategy<Value = (String, Value, Vec<Mutation>)> {
    (any::<Index>(), prop::collection::vec(mutation(), 1..5)).prop_map(|(sample, mutations)| {
        let (name, mut document) = sample.get(&SAMPLES).clone();
        for mutation in &mutations {
            mutation.apply(&mut document);
        }
        (name, document, mutations)
    })
}

/// Migration type, validation switch and completion criterion that fit together.
const CONSISTENT_COMPLETIONS: [(&str, bool, &str); 8] = [
    ("full-load", true, "full-load-complete"),
    ("full-load", false, "full-load-complete"),
    ("full-load", true, "validated"),
    ("cdc", true, "ready-for-cutover"),
    ("cdc", false, "ready-for-cutover"),
    ("full-load-and-cdc", true, "validated"),
    ("full-load-and-cdc", false, "full-load-complete"),
    ("full-load-and-cdc", true, "ready-for-cutover"),
];

/// DMS settings keys with arbitrary values, none of which the spec refuses.
fn free_settings() -> impl Strategy<Value = Map<String, Value>> {
    prop::collection::vec(("[A-Z][A-Za-z]{0,14}", scalar()), 0..4).prop_map(|pairs| {
        pairs
            .into_iter()
            .filter(|(key, _)| {
                ![
                    "TargetTablePrepMode",
                    "ValidationSettings",
                    "EnableValidation",
                ]
                .contains(&key.as_str())
                    && !key.starts_with("CloudWatchLog")
                    && !is_password_key(key)
            })
            .collect()
    })
}

/// A sample spec with every field the generator knows set to another valid value.
pub fn valid_spec() -> impl Strategy<Value = Value> {
    let run_id = "[a-z][a-z0-9]{0,9}(-[a-z0-9]{1,9}){0,3}";
    // DMS's tag characters (letters, digits, spaces, `_ . : / = + -`); no key
    // starting with `aws:`, `dms:` or `dmsflow:`, no value with `aws:` or `dms:`.
    let tags = prop::collection::btree_map(
        "[A-Za-z][A-Za-z0-9 _.:/=+-]{0,20}",
        r"[\p{L}\p{N} _.:/=+-]{0,30}",
        0..4,
    )
    .prop_map(|tags| {
        let reserved = |text: &str, prefixes: &[&str]| {
            let text = text.to_lowercase();
            prefixes.iter().any(|p| text.starts_with(p))
        };
        tags.into_iter()
            .filter(|(k, v)| {
                !reserved(k, &["aws:", "dms:", "dmsflow:"]) && !reserved(v, &["aws:", "dms:"])
            })
            .map(|(k, v)| (k, Value::from(v)))
            .collect::<Map<String, Value>>()
    });
    let ports = (1..=65535u32, 1..=65535u32);
    let instance = (5..=6144u32, any::<bool>(), any::<bool>());
    let polling = (
        5..=3600u32,
        any::<Index>(),
        1..=u32::MAX,
        1..=u32::MAX,
        1..=u32::MAX,
    );
    let notifications = (1..=u32::MAX, any::<u64>(), any::<bool>());
    let choices = (
        select(CONSISTENT_COMPLETIONS.to_vec()),
        select(vec![
            "do-nothing",
            "truncate-before-load",
            "drop-and-create",
        ]),
        select(vec!["leave-running", "stop-and-clean-up"]),
    );
    let settings = (free_settings(), free_settings());
    (
        any::<Index>(),
        run_id,
        tags,
        ports,
        instance,
        polling,
        notifications,
        choices,
        settings,
    )
        .prop_map(|(sample, run_id, tags, ports, instance, polling, notifications, choices, settings)| {
            let mut spec = sample.get(&SAMPLES).1.clone();
            let (min_wait, max_at, instance_minutes, connection_minutes, full_load_hours) = polling;
            let max_wait = min_wait + max_at.index((3600 - min_wait + 1) as usize) as u32;
            let ((migration_type, validation, criterion), prep, then) = choices;
            let patch = json!({
                "run_id": run_id,
                "tags": tags,
                "instance": {"allocated_storage_gb": instance.0, "multi_az": instance.1, "publicly_accessible": instance.2},
                "polling": {
                    "min_wait_seconds": min_wait, "max_wait_seconds": max_wait,
                    "instance_timeout_minutes": instance_minutes,
                    "connection_timeout_minutes": connection_minutes,
                    "full_load_timeout_hours": full_load_hours,
                },
                "notifications": {"cdc_latency_threshold_seconds": notifications.0, "alarms": notifications.2},
                "validation": {"enabled": validation, "max_failed_records": notifications.1, "settings": settings.1},
                "migration_type": migration_type,
                "target_table_prep": prep,
                "completion": {"criterion": criterion, "then": then},
                "task_settings": settings.0,
            });
            merge(&mut spec, patch);
            if spec["compute"] == "serverless" {
                // DMS Serverless has no instance, and dmsflow cannot read its CDC
                // latency (the spec checks refuse both).
                spec.as_object_mut().unwrap().remove("instance");
                if spec["completion"]["criterion"] == "ready-for-cutover" {
                    spec["migration_type"] = json!("full-load-and-cdc");
                    spec["completion"]["criterion"] = json!("full-load-complete");
                }
            }
            spec["source"]["port"] = json!(ports.0);
            spec["target"]["port"] = json!(ports.1);
            spec
        })
}

/// Merges `patch` into `into`, object by object.
fn merge(into: &mut Value, patch: Value) {
    match (into, patch) {
        (Value::Object(into), Value::Object(patch)) => {
            for (key, value) in patch {
                merge(into.entry(key).or_insert(Value::Null), value);
            }
        }
        (into, patch) => *into = patch,
    }
}
