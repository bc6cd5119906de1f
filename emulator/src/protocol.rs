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

    /// `Tags`: a list of `{Key, Value}`, as every DMS call that takes tags reads
    /// it (the Create* calls and AddTagsToResource). Keys are checked with
    /// [`check_tag_key`]; values are at most 256 characters.
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
            check_tag_key(k)?;
            // The reference's Tag.Value text repeats the Key's rules (no "aws:" or
            // "dms:" prefix, the same character set). Only the length is checked:
            // the Value text reads as copied from the Key's, whether DMS enforces
            // the rest on values is not known, and the emulator's own drill values
            // (`table-error` = `orders,payments`) use a comma.
            let v = item.get("Value").and_then(Value::as_str).unwrap_or("");
            if v.chars().count() > 256 {
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

/// Tag key prefixes DMS keeps for itself and AWS.
pub const RESERVED_TAG_PREFIXES: &[&str] = &["aws:", "dms:"];

/// A DMS tag key as the DMS API reference's Tag shape documents it
/// (https://docs.aws.amazon.com/dms/latest/APIReference/API_Tag.html; the same
/// text in botocore's DMS model, botocore/data/dms/2016-01-01/service-2.json,
/// shape Tag, member Key): "1-128 Unicode characters in
/// length and can't be prefixed with "aws:" or "dms:". The string can only
/// contain only the set of Unicode letters, digits, white-space, '_', '.', '/',
/// '=', '+', '-' (Java regular expressions: `"^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-]*)$"`)."
/// The regex also allows ':' (the prose omits it; `dmsflow:run-id` has one).
///
/// The fault is InvalidParameterValueException, which DMS answers (unmodeled: its
/// botocore model has no such shape, and lists no fault of the kind for
/// AddTagsToResource or the Create* calls) for request values it refuses, e.g.
/// "InvalidParameterValueException: Task Settings CloudWatchLogGroup or
/// CloudWatchLogStream cannot be set on create." (terraform-provider-aws issue #21512,
/// https://github.com/hashicorp/terraform-provider-aws/issues/21512). That DMS answers this fault, and these messages, for a bad tag key
/// is an inference, not observed: no public record of DMS refusing a tag was
/// found. Also uncertain: whether the prefixes are matched regardless of case
/// (here they are, as AWS treats `aws:` elsewhere), and the character classes
/// (Rust's alphabetic/numeric/white-space stand in for Java's `\p{L}`, `\p{N}`, `\p{Z}`;
/// they differ at the edges, e.g. combining marks count as alphabetic here).
pub fn check_tag_key(k: &str) -> Result<(), Fault> {
    let chars = k.chars().count();
    if chars == 0 || chars > 128 {
        return Err(Fault::invalid_parameter(format!(
            "Tag key '{k}' must be 1 to 128 characters long"
        )));
    }
    let lower = k.to_lowercase();
    if let Some(prefix) = RESERVED_TAG_PREFIXES
        .iter()
        .find(|p| lower.starts_with(**p))
    {
        return Err(Fault::invalid_parameter(format!(
            "Tag key '{k}' can't be prefixed with '{prefix}': the prefixes 'aws:' and 'dms:' are reserved"
        )));
    }
    let allowed = |c: char| {
        c.is_alphabetic()
            || c.is_numeric()
            || (c.is_whitespace() && !c.is_control())
            || "_.:/=+-".contains(c)
    };
    if let Some(bad) = k.chars().find(|c| !allowed(*c)) {
        return Err(Fault::invalid_parameter(format!(
            "Tag key '{k}' contains '{bad}': a tag key may contain only Unicode letters, digits, white space and _ . : / = + -"
        )));
    }
    Ok(())
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
