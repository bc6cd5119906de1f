//! Reading a problem's path (`source.port`, `table_mappings.rules[2].object-locator`,
//! `tags["cost center"]`) back into a location, and asking whether that location
//! is real: present in the document, a missing child of a present object or
//! list, or a field the spec's JSON Schema declares (a defaulted section the user
//! can add).

use serde_json::Value;

/// One step of a path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Key(String),
    Index(usize),
}

/// The steps of a problem path, or `None` when the text is not a path in the
/// parser's grammar: a plain key, then `.plain-key`, `[index]` or `["quoted key"]`
/// (quoted with Rust's string escapes).
pub fn steps(path: &str) -> Option<Vec<Step>> {
    let mut chars = path.chars().peekable();
    let mut steps = Vec::new();
    let plain = |c: &char| c.is_ascii_alphanumeric() || *c == '_' || *c == '-';
    while let Some(&c) = chars.peek() {
        match c {
            '[' => {
                chars.next();
                if chars.peek() == Some(&'"') {
                    chars.next();
                    steps.push(Step::Key(quoted(&mut chars)?));
                } else {
                    let digits: String =
                        std::iter::from_fn(|| chars.next_if(char::is_ascii_digit)).collect();
                    steps.push(Step::Index(digits.parse().ok()?));
                }
                if chars.next() != Some(']') {
                    return None;
                }
            }
            '.' if !steps.is_empty() => {
                chars.next();
                let key: String = std::iter::from_fn(|| chars.next_if(plain)).collect();
                if key.is_empty() {
                    return None;
                }
                steps.push(Step::Key(key));
            }
            c if steps.is_empty() && plain(&c) => {
                let key: String = std::iter::from_fn(|| chars.next_if(plain)).collect();
                steps.push(Step::Key(key));
            }
            _ => return None,
        }
    }
    Some(steps)
}

/// The rest of a Rust-debug-quoted string, after its opening quote.
fn quoted(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> Option<String> {
    let mut key = String::new();
    loop {
        match chars.next()? {
            '"' => return Some(key),
            '\\' => key.push(match chars.next()? {
                'n' => '\n',
                'r' => '\r',
                't' => '\t',
                '0' => '\0',
                'u' => {
                    if chars.next()? != '{' {
                        return None;
                    }
                    let hex: String = std::iter::from_fn(|| chars.next_if(|c| *c != '}')).collect();
                    chars.next()?;
                    char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?
                }
                other => other,
            }),
            other => key.push(other),
        }
    }
}

/// The value at `steps` in `document`.
pub fn resolve<'a>(document: &'a Value, steps: &[Step]) -> Option<&'a Value> {
    steps.iter().try_fold(document, |value, step| match step {
        Step::Key(key) => value.as_object()?.get(key),
        Step::Index(i) => value.as_array()?.get(*i),
    })
}

/// Whether the spec's JSON Schema declares the location `steps`.
pub fn declared(schema: &Value, steps: &[Step]) -> bool {
    let mut node = schema;
    for step in steps {
        node = deref(schema, node);
        let next = match step {
            Step::Key(key) => node
                .get("properties")
                .and_then(|properties| properties.get(key))
                .or_else(|| node.get("additionalProperties").filter(|a| a.is_object())),
            Step::Index(_) => node.get("items"),
        };
        match next {
            Some(next) => node = next,
            None => return false,
        }
    }
    true
}

fn deref<'a>(root: &'a Value, mut node: &'a Value) -> &'a Value {
    while let Some(target) = node
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|reference| reference.strip_prefix('#'))
        .and_then(|pointer| root.pointer(pointer))
    {
        node = target;
    }
    node
}

/// Why `path` is not a real location of `document`, or `None` when it is.
pub fn unreal(document: &Value, schema: &Value, path: &str) -> Option<String> {
    let Some(steps) = steps(path) else {
        return Some(format!("`{path}` is not a path"));
    };
    if steps.is_empty() {
        // The empty path is the whole spec: right only when it is not an object.
        return document
            .is_object()
            .then(|| "an empty path (the whole spec), though the spec is an object".to_string());
    }
    let parent = resolve(document, &steps[..steps.len() - 1]);
    let present = resolve(document, &steps).is_some();
    let child_of_container = parent.is_some_and(|p| p.is_object() || p.is_array());
    if present || child_of_container || declared(schema, &steps) {
        None
    } else {
        Some(format!(
            "`{path}`: neither it nor its parent is in the document, and the schema does not declare it"
        ))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn paths_parse_into_steps() {
        assert_eq!(
            steps("table_mappings.rules[2].object-locator"),
            Some(vec![
                Step::Key("table_mappings".into()),
                Step::Key("rules".into()),
                Step::Index(2),
                Step::Key("object-locator".into()),
            ])
        );
        assert_eq!(
            steps(r#"tags["a \"b\"\n\u{301}"].x"#),
            Some(vec![
                Step::Key("tags".into()),
                Step::Key("a \"b\"\n\u{301}".into()),
                Step::Key("x".into()),
            ])
        );
        assert_eq!(steps(r#"["""#), None);
        assert_eq!(steps("line 3, column 7"), None);
        assert_eq!(steps(".a"), None);
        assert_eq!(steps(""), Some(vec![]));
    }

    #[test]
    fn a_location_is_real_when_present_missing_under_a_parent_or_declared() {
        let document = json!({"a": {"b": [1]}});
        let schema = json!({"properties": {"c": {"$ref": "#/$defs/C"}}, "$defs": {"C": {"properties": {"d": {}}}}});
        assert_eq!(unreal(&document, &schema, "a.b[0]"), None);
        assert_eq!(unreal(&document, &schema, "a.x"), None);
        assert_eq!(unreal(&document, &schema, "c.d"), None);
        assert!(unreal(&document, &schema, "a.x.y").is_some());
        assert!(unreal(&document, &schema, "c.e").is_some());
        assert!(unreal(&document, &schema, "").is_some());
        assert_eq!(unreal(&json!([]), &schema, ""), None);
    }
}
