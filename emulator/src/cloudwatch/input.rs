//! Typed access to a CloudWatch request (decoded to JSON), and CloudWatch's
//! errors, by their query error codes.

use serde_json::Value;

use crate::faults::Fault;
use crate::model::Tags;

pub const UNKNOWN_OPERATION: &str = "UnknownOperationException";

pub fn missing(param: &str) -> Fault {
    Fault::new(
        "MissingParameter",
        format!("The parameter {param} is required."),
    )
}

pub fn invalid(message: impl Into<String>) -> Fault {
    Fault::new("InvalidParameterValue", message)
}

pub fn combination(message: impl Into<String>) -> Fault {
    Fault::new("InvalidParameterCombination", message)
}

pub fn serialization(message: impl Into<String>) -> Fault {
    Fault::new("SerializationException", message)
}

pub fn unknown_operation(operation: &str) -> Fault {
    Fault::new(
        UNKNOWN_OPERATION,
        format!("The operation {operation} is not supported by dms-emulator's CloudWatch."),
    )
}

pub fn throttling() -> Fault {
    Fault::new("Throttling", "Rate exceeded")
}

/// One structure of a request: its members by name.
#[derive(Clone)]
pub struct In<'a> {
    value: &'a Value,
    /// Where this structure sits, for messages (`MetricData.member.2`).
    path: String,
}

impl<'a> In<'a> {
    pub fn new(value: &'a Value) -> Self {
        In {
            value,
            path: String::new(),
        }
    }

    /// Where this structure sits in the request (empty at the top).
    pub fn path(&self) -> &str {
        &self.path
    }

    fn name(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_string()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    pub fn get(&self, key: &str) -> Option<&'a Value> {
        self.value.get(key).filter(|v| !v.is_null())
    }

    fn wrong(&self, key: &str, what: &str) -> Fault {
        serialization(format!("{} must be {what}", self.name(key)))
    }

    pub fn str_opt(&self, key: &str) -> Result<Option<&'a str>, Fault> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(self.wrong(key, "a string")),
        }
    }

    pub fn str_req(&self, key: &str) -> Result<&'a str, Fault> {
        match self.str_opt(key)? {
            Some(s) if !s.is_empty() => Ok(s),
            _ => Err(missing(&self.name(key))),
        }
    }

    pub fn f64_opt(&self, key: &str) -> Result<Option<f64>, Fault> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => v
                .as_f64()
                .map(Some)
                .ok_or_else(|| self.wrong(key, "a number")),
        }
    }

    pub fn i64_opt(&self, key: &str) -> Result<Option<i64>, Fault> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => v
                .as_i64()
                .map(Some)
                .ok_or_else(|| self.wrong(key, "an integer")),
        }
    }

    pub fn i64_req(&self, key: &str) -> Result<i64, Fault> {
        self.i64_opt(key)?.ok_or_else(|| missing(&self.name(key)))
    }

    pub fn bool_opt(&self, key: &str) -> Result<Option<bool>, Fault> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(_) => Err(self.wrong(key, "a boolean")),
        }
    }

    /// Epoch seconds.
    pub fn time_opt(&self, key: &str) -> Result<Option<f64>, Fault> {
        self.f64_opt(key)
    }

    pub fn time_req(&self, key: &str) -> Result<f64, Fault> {
        self.time_opt(key)?.ok_or_else(|| missing(&self.name(key)))
    }

    pub fn strings(&self, key: &str) -> Result<Vec<String>, Fault> {
        self.items(key)?
            .iter()
            .map(|v| {
                v.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| self.wrong(key, "a list of strings"))
            })
            .collect()
    }

    pub fn numbers(&self, key: &str) -> Result<Vec<f64>, Fault> {
        self.items(key)?
            .iter()
            .map(|v| {
                v.as_f64()
                    .ok_or_else(|| self.wrong(key, "a list of numbers"))
            })
            .collect()
    }

    fn items(&self, key: &str) -> Result<&'a [Value], Fault> {
        match self.get(key) {
            None => Ok(&[]),
            Some(Value::Array(items)) => Ok(items),
            Some(_) => Err(self.wrong(key, "a list")),
        }
    }

    /// A member structure.
    pub fn structure(&self, key: &str) -> Result<Option<In<'a>>, Fault> {
        match self.get(key) {
            None => Ok(None),
            Some(value @ Value::Object(_)) => Ok(Some(In {
                value,
                path: self.name(key),
            })),
            Some(_) => Err(self.wrong(key, "a structure")),
        }
    }

    /// A list of structures, named `key.member.1`, `key.member.2`, ... in messages.
    pub fn structures(&self, key: &str) -> Result<Vec<In<'a>>, Fault> {
        self.items(key)?
            .iter()
            .enumerate()
            .map(|(i, value)| match value {
                Value::Object(_) => Ok(In {
                    value,
                    path: format!("{}.member.{}", self.name(key), i + 1),
                }),
                _ => Err(self.wrong(key, "a list of structures")),
            })
            .collect()
    }

    /// How many members the list `key` has.
    pub fn count(&self, key: &str) -> Result<usize, Fault> {
        Ok(self.items(key)?.len())
    }

    /// `[{first, Value}]` pairs such as dimensions (`Name`) and tags (`Key`).
    pub fn pairs(&self, key: &str, first: &str, max: usize) -> Result<Tags, Fault> {
        if self.count(key)? > max {
            return Err(invalid(format!(
                "The collection {} must not have more than {max} members.",
                self.name(key)
            )));
        }
        let mut out: Tags = Vec::new();
        for item in self.structures(key)? {
            let k = item.str_req(first)?;
            let v = item.str_opt("Value")?.unwrap_or("");
            if k.len() > 255 || v.len() > 1024 {
                return Err(invalid(format!("{} is too long.", item.path)));
            }
            match out.iter_mut().find(|(ek, _)| ek == k) {
                Some(e) => e.1 = v.to_string(),
                None => out.push((k.to_string(), v.to_string())),
            }
        }
        Ok(out)
    }

    /// `Dimensions`, sorted by name (CloudWatch matches them as a set).
    pub fn dimensions(&self) -> Result<Tags, Fault> {
        let mut dims = self.pairs("Dimensions", "Name", 30)?;
        if let Some((name, _)) = dims.iter().find(|(_, v)| v.is_empty()) {
            return Err(missing(&format!(
                "{} value of dimension {name}",
                self.name("Dimensions")
            )));
        }
        dims.sort();
        Ok(dims)
    }

    pub fn tags(&self) -> Result<Tags, Fault> {
        let tags = self.pairs("Tags", "Key", 50)?;
        if let Some((k, _)) = tags
            .iter()
            .find(|(k, _)| k.to_ascii_lowercase().starts_with("aws:"))
        {
            return Err(invalid(format!(
                "Tag keys must not begin with 'aws:' ({k})."
            )));
        }
        Ok(tags)
    }

    /// An enumerated string member: one of `allowed`.
    pub fn one_of(&self, key: &str, allowed: &[&str]) -> Result<Option<&'a str>, Fault> {
        match self.str_opt(key)? {
            Some(v) if !allowed.contains(&v) => Err(invalid(format!(
                "The value {v} for parameter {} is invalid. Valid values: {}.",
                self.name(key),
                allowed.join(", ")
            ))),
            other => Ok(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn names_nested_members_in_messages() {
        let body = json!({"MetricData": [{"MetricName": "a"}, {"Value": 1}]});
        let req = In::new(&body);
        let items = req.structures("MetricData").unwrap();
        assert_eq!(items[0].str_req("MetricName").unwrap(), "a");
        let e = items[1].str_req("MetricName").unwrap_err();
        assert_eq!(e.code, "MissingParameter");
        assert!(
            e.message.contains("MetricData.member.2.MetricName"),
            "{}",
            e.message
        );
    }

    #[test]
    fn dimensions_are_sorted_and_need_values() {
        let body =
            json!({"Dimensions": [{"Name": "b", "Value": "2"}, {"Name": "a", "Value": "1"}]});
        assert_eq!(
            In::new(&body).dimensions().unwrap(),
            vec![("a".into(), "1".into()), ("b".into(), "2".into())]
        );
        let body = json!({"Dimensions": [{"Name": "b"}]});
        assert_eq!(
            In::new(&body).dimensions().unwrap_err().code,
            "MissingParameter"
        );
        let body = json!({"Tags": [{"Key": "aws:x", "Value": "1"}]});
        assert_eq!(
            In::new(&body).tags().unwrap_err().code,
            "InvalidParameterValue"
        );
    }
}
