//! Reference paths of the Amazon States Language: `$`, `$.a.b` (the state's data)
//! and `$$.a.b` (the context object). Only dotted field names: the definition uses
//! no brackets or filters.

use serde_json::{Map, Value};

/// The value at `path`, reading `$` from `data` and `$$` from `context`.
pub fn get<'v>(path: &str, data: &'v Value, context: &'v Value) -> Option<&'v Value> {
    let (root, rest) = if let Some(rest) = path.strip_prefix("$$") {
        (context, rest)
    } else if let Some(rest) = path.strip_prefix('$') {
        (data, rest)
    } else {
        return None;
    };
    fields(rest)
        .iter()
        .try_fold(root, |value, field| value.get(field))
}

/// `data` with `value` placed at `path` (a `ResultPath`): `$` replaces the whole
/// document; missing objects on the way are created.
pub fn set(data: Value, path: &str, value: Value) -> Result<Value, String> {
    let rest = path
        .strip_prefix('$')
        .filter(|rest| !rest.starts_with('$'))
        .ok_or_else(|| format!("ResultPath {path} is not a $ path"))?;
    let fields = fields(rest);
    if fields.is_empty() {
        return Ok(value);
    }
    let mut data = match data {
        Value::Object(_) => data,
        _ => Value::Object(Map::new()),
    };
    let mut cursor = &mut data;
    for field in &fields[..fields.len() - 1] {
        let object = cursor
            .as_object_mut()
            .ok_or_else(|| format!("ResultPath {path} crosses a non-object"))?;
        let next = object
            .entry(field.to_string())
            .or_insert_with(|| Value::Object(Map::new()));
        if !next.is_object() {
            *next = Value::Object(Map::new());
        }
        cursor = next;
    }
    cursor
        .as_object_mut()
        .ok_or_else(|| format!("ResultPath {path} crosses a non-object"))?
        .insert(fields[fields.len() - 1].to_string(), value);
    Ok(data)
}

fn fields(rest: &str) -> Vec<&str> {
    rest.split('.').filter(|field| !field.is_empty()).collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn reads_data_and_context() {
        let data = json!({"a": {"b": 3}});
        let context = json!({"Execution": {"Id": "arn"}});
        assert_eq!(get("$.a.b", &data, &context), Some(&json!(3)));
        assert_eq!(get("$", &data, &context), Some(&data));
        assert_eq!(get("$$.Execution.Id", &data, &context), Some(&json!("arn")));
        assert_eq!(get("$.a.c", &data, &context), None);
    }

    #[test]
    fn sets_nested_fields_and_replaces_the_root() {
        let data = json!({"a": {"keep": 1}});
        let data = set(data, "$.a.b.c", json!(2)).unwrap();
        assert_eq!(data, json!({"a": {"keep": 1, "b": {"c": 2}}}));
        assert_eq!(set(data, "$", json!(5)).unwrap(), json!(5));
    }
}
