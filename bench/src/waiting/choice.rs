//! Choice rules: `And`, `Or`, `Not` and the comparison operators the definition uses.

use serde_json::Value;

use super::paths;

/// Whether `rule` holds for `data`. Comparing a variable that is not present is an
/// error, as it is in Step Functions (`States.Runtime`).
pub fn holds(rule: &Value, data: &Value, context: &Value) -> Result<bool, String> {
    if let Some(all) = rule.get("And").and_then(Value::as_array) {
        for part in all {
            if !holds(part, data, context)? {
                return Ok(false);
            }
        }
        return Ok(true);
    }
    if let Some(any) = rule.get("Or").and_then(Value::as_array) {
        for part in any {
            if holds(part, data, context)? {
                return Ok(true);
            }
        }
        return Ok(false);
    }
    if let Some(inner) = rule.get("Not") {
        return Ok(!holds(inner, data, context)?);
    }
    let variable = rule
        .get("Variable")
        .and_then(Value::as_str)
        .ok_or("a choice rule without Variable")?;
    let value = paths::get(variable, data, context);
    let object = rule.as_object().ok_or("a choice rule is an object")?;
    let (operator, operand) = object
        .iter()
        .find(|(key, _)| !matches!(key.as_str(), "Variable" | "Next" | "Comment"))
        .ok_or("a choice rule without an operator")?;
    if operator == "IsPresent" {
        return Ok(value.is_some() == operand.as_bool().unwrap_or(false));
    }
    let value = value.ok_or_else(|| format!("choice variable {variable} is not present"))?;
    let operand = match operator.strip_suffix("Path") {
        Some(_) => {
            let path = operand.as_str().ok_or("a *Path operand is a path")?;
            paths::get(path, data, context)
                .ok_or_else(|| format!("choice operand {path} is not present"))?
        }
        None => operand,
    };
    let operator = operator.strip_suffix("Path").unwrap_or(operator);
    let number = |v: &Value| v.as_f64();
    Ok(match operator {
        "IsNumeric" => value.is_number() == operand.as_bool().unwrap_or(false),
        "IsString" => value.is_string() == operand.as_bool().unwrap_or(false),
        "IsBoolean" => value.is_boolean() == operand.as_bool().unwrap_or(false),
        "IsNull" => value.is_null() == operand.as_bool().unwrap_or(false),
        "BooleanEquals" => value.as_bool().is_some() && value == operand,
        "StringEquals" => value.is_string() && value == operand,
        "StringMatches" => match (value.as_str(), operand.as_str()) {
            (Some(text), Some(pattern)) => matches(text.as_bytes(), pattern.as_bytes()),
            _ => false,
        },
        "NumericEquals" => number(value)
            .zip(number(operand))
            .is_some_and(|(a, b)| a == b),
        "NumericGreaterThan" => number(value)
            .zip(number(operand))
            .is_some_and(|(a, b)| a > b),
        "NumericGreaterThanEquals" => number(value)
            .zip(number(operand))
            .is_some_and(|(a, b)| a >= b),
        "NumericLessThan" => number(value)
            .zip(number(operand))
            .is_some_and(|(a, b)| a < b),
        "NumericLessThanEquals" => number(value)
            .zip(number(operand))
            .is_some_and(|(a, b)| a <= b),
        other => return Err(format!("choice operator {other} is not supported")),
    })
}

/// `StringMatches`: `*` matches any run of characters, `\*` a literal star.
fn matches(text: &[u8], pattern: &[u8]) -> bool {
    match pattern.split_first() {
        None => text.is_empty(),
        Some((b'*', rest)) => (0..=text.len()).any(|skip| matches(&text[skip..], rest)),
        Some((b'\\', rest)) if !rest.is_empty() => {
            text.first() == rest.first() && matches(&text[1..], &rest[1..])
        }
        Some((c, rest)) => text.first() == Some(c) && matches(&text[1..], rest),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn operators_and_combinators() {
        let data =
            json!({"n": 5, "max": 5, "done": true, "s": "{\"errorType\":1,\"errorMessage\":2}"});
        let ctx = json!({});
        let rule = json!({"And": [
            {"Variable": "$.n", "IsPresent": true},
            {"Variable": "$.n", "NumericGreaterThanEqualsPath": "$.max"},
            {"Not": {"Variable": "$.done", "BooleanEquals": false}},
            {"Variable": "$.s", "StringMatches": "{\"errorType\"*\"errorMessage\"*}"}
        ]});
        assert!(holds(&rule, &data, &ctx).unwrap());
        assert!(
            !holds(
                &json!({"Variable": "$.gone", "IsPresent": true}),
                &data,
                &ctx
            )
            .unwrap()
        );
        assert!(
            holds(
                &json!({"Variable": "$.gone", "StringEquals": "x"}),
                &data,
                &ctx
            )
            .is_err()
        );
        assert!(
            !holds(
                &json!({"Variable": "$.s", "StringMatches": "x*"}),
                &data,
                &ctx
            )
            .unwrap()
        );
    }
}
