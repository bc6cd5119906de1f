//! The awsJson1_1 protocol: target header, request body access, response shapes.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};

use crate::faults::Fault;

pub const CONTENT_TYPE: &str = "application/x-amz-json-1.1";
pub const TARGET_PREFIX: &str = "AmazonDMSv20160101.";

/// The operation named by `X-Amz-Target`.
pub fn operation(headers: &HeaderMap) -> Result<String, Fault> {
    let target = headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| Fault::new("MissingAction", "Missing X-Amz-Target header"))?;
    match target.strip_prefix(TARGET_PREFIX) {
        Some(op) if !op.is_empty() => Ok(op.to_string()),
        _ => Err(Fault::invalid_action(target)),
    }
}

/// Parse a request body; an empty body is `{}`.
pub fn parse_body(body: &[u8]) -> Result<Value, Fault> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Object(Map::new()));
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(v @ Value::Object(_)) => Ok(v),
        Ok(_) => Err(Fault::serialization("Request body must be a JSON object")),
        Err(e) => Err(Fault::serialization(format!("Malformed JSON body: {e}"))),
    }
}

/// A successful awsJson1_1 response.
pub fn ok(value: Value) -> Response {
    let mut resp = (StatusCode::OK, value.to_string()).into_response();
    let headers = resp.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE));
    headers.insert(
        "x-amzn-RequestId",
        HeaderValue::from_str(&request_id()).expect("ascii request id"),
    );
    resp
}

/// A fresh request id shaped like a UUID.
pub fn request_id() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(1);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let t = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0);
    format!(
        "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
        (t >> 32) as u32,
        (t >> 16) as u16,
        (n >> 12) & 0xfff,
        n & 0xfff,
        t & 0xffff_ffff_ffff
    )
}

/// An epoch-seconds timestamp as a JSON number (millisecond precision).
pub fn epoch(t: SystemTime) -> Value {
    let secs = t
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as f64 / 1000.0)
        .unwrap_or(0.0);
    serde_json::Number::from_f64(secs)
        .map(Value::Number)
        .unwrap_or(Value::Null)
}

/// A `Filters` entry of a Describe* request.
#[derive(Debug, Clone)]
pub struct Filter {
    pub name: String,
    pub values: Vec<String>,
}

/// Typed access to a request body.
pub struct Req<'a>(pub &'a Value);

impl<'a> Req<'a> {
    pub fn get(&self, key: &str) -> Option<&'a Value> {
        self.0.get(key).filter(|v| !v.is_null())
    }

    pub fn str_opt(&self, key: &str) -> Result<Option<&'a str>, Fault> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.as_str())),
            Some(_) => Err(Fault::serialization(format!("{key} must be a string"))),
        }
    }

    pub fn str_req(&self, key: &str) -> Result<&'a str, Fault> {
        match self.str_opt(key)? {
            Some(s) if !s.trim().is_empty() => Ok(s),
            _ => Err(Fault::missing(key)),
        }
    }

    pub fn bool_opt(&self, key: &str) -> Result<Option<bool>, Fault> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(_) => Err(Fault::serialization(format!("{key} must be a boolean"))),
        }
    }

    pub fn i64_opt(&self, key: &str) -> Result<Option<i64>, Fault> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => v
                .as_i64()
                .map(Some)
                .ok_or_else(|| Fault::serialization(format!("{key} must be an integer"))),
        }
    }

    pub fn strings(&self, key: &str) -> Result<Vec<String>, Fault> {
        match self.get(key) {
            None => Ok(Vec::new()),
            Some(Value::Array(items)) => items
                .iter()
                .map(|v| {
                    v.as_str().map(str::to_string).ok_or_else(|| {
                        Fault::serialization(format!("{key} must be a list of strings"))
                    })
                })
                .collect(),
            Some(_) => Err(Fault::serialization(format!("{key} must be a list"))),
        }
    }

    /// `Tags`: a list of `{Key, Value}`.
    pub fn tags(&self, key: &str) -> Result<Vec<(String, String)>, Fault> {
        let mut out: Vec<(String, String)> = Vec::new();
        let Some(items) = self.get(key) else {
            return Ok(out);
        };
        let items = items
            .as_array()
            .ok_or_else(|| Fault::serialization(format!("{key} must be a list")))?;
        for item in items {
            let k = item
                .get("Key")
                .and_then(Value::as_str)
                .ok_or_else(|| Fault::invalid_parameter("Every tag must have a Key"))?;
            if k.is_empty() || k.len() > 128 {
                return Err(Fault::invalid_parameter(format!(
                    "Tag key '{k}' must be 1 to 128 characters long"
                )));
            }
            if k.to_ascii_lowercase().starts_with("aws:") {
                return Err(Fault::invalid_parameter(format!(
                    "Tag key '{k}' must not begin with 'aws:'"
                )));
            }
            let v = item.get("Value").and_then(Value::as_str).unwrap_or("");
            if v.len() > 256 {
                return Err(Fault::invalid_parameter(format!(
                    "The value of tag '{k}' must be at most 256 characters long"
                )));
            }
            match out.iter_mut().find(|(ek, _)| ek == k) {
                Some(e) => e.1 = v.to_string(),
                None => out.push((k.to_string(), v.to_string())),
            }
        }
        Ok(out)
    }

    /// `Filters`: a list of `{Name, Values}`.
    pub fn filters(&self) -> Result<Vec<Filter>, Fault> {
        let Some(items) = self.get("Filters") else {
            return Ok(Vec::new());
        };
        let items = items
            .as_array()
            .ok_or_else(|| Fault::serialization("Filters must be a list"))?;
        items
            .iter()
            .map(|item| {
                let name = item
                    .get("Name")
                    .and_then(Value::as_str)
                    .ok_or_else(|| Fault::invalid_parameter("Every filter must have a Name"))?;
                let values = Req(item).strings("Values")?;
                if values.is_empty() {
                    return Err(Fault::invalid_parameter(format!(
                        "Filter {name} must have at least one value"
                    )));
                }
                Ok(Filter {
                    name: name.to_string(),
                    values,
                })
            })
            .collect()
    }
}

/// A request body with secrets blanked, for the call log.
pub fn redacted(body: &Value) -> Value {
    match body {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    if k.to_ascii_lowercase().contains("password") {
                        (k.clone(), Value::String("***".into()))
                    } else {
                        (k.clone(), redacted(v))
                    }
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(redacted).collect()),
        other => other.clone(),
    }
}
