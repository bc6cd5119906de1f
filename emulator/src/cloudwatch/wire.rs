//! The Smithy RPC v2 CBOR wire format CloudWatch speaks: request bodies in (as
//! JSON, timestamps as epoch seconds), response bodies and errors out.
//!
//! Requests are `POST /service/GraniteServiceVersion20100801/operation/<Operation>`
//! with `smithy-protocol: rpc-v2-cbor` and a CBOR map body. Responses carry the
//! same header and `Content-Type: application/cbor`. Errors are HTTP 400 (404 for
//! an unknown operation) with a CBOR map of `__type` (the error shape id) and
//! `message`, and, because CloudWatch is query-compatible, the header
//! `x-amzn-query-error: <query code>;Sender` that the SDK takes its code from.

use std::time::{SystemTime, UNIX_EPOCH};

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use ciborium::Value as Cbor;
use serde_json::{Map, Number, Value};

use super::input::serialization;
use crate::faults::Fault;

/// The service name in the request path.
pub const SERVICE: &str = "GraniteServiceVersion20100801";
pub const PROTOCOL_HEADER: &str = "smithy-protocol";
pub const PROTOCOL: &str = "rpc-v2-cbor";
const CONTENT_TYPE: &str = "application/cbor";
const SHAPE_NAMESPACE: &str = "com.amazonaws.cloudwatch";
/// CBOR tag of an epoch-seconds timestamp.
const EPOCH_TAG: u64 = 1;

/// Whether the request says it speaks RPC v2 CBOR.
pub fn speaks_cbor(headers: &HeaderMap) -> bool {
    headers
        .get(PROTOCOL_HEADER)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case(PROTOCOL))
}

/// A request body as JSON; an empty body is `{}`.
pub fn decode(body: &[u8]) -> Result<Value, Fault> {
    if body.is_empty() {
        return Ok(Value::Object(Map::new()));
    }
    let value: Cbor = ciborium::from_reader(body)
        .map_err(|e| serialization(format!("Malformed CBOR body: {e}")))?;
    match to_json(value)? {
        v @ Value::Object(_) => Ok(v),
        _ => Err(serialization("The request body must be a CBOR map")),
    }
}

/// CBOR to JSON: timestamps (tag 1) become epoch seconds; byte strings and
/// other tags are refused (no operation the emulator serves takes them).
pub fn to_json(value: Cbor) -> Result<Value, Fault> {
    Ok(match value {
        Cbor::Null => Value::Null,
        Cbor::Bool(b) => Value::Bool(b),
        Cbor::Text(s) => Value::String(s),
        Cbor::Integer(i) => {
            let n = i128::from(i);
            i64::try_from(n)
                .map(Value::from)
                .map_err(|_| serialization(format!("Integer {n} is out of range")))?
        }
        Cbor::Float(f) => Number::from_f64(f)
            .map(Value::Number)
            .ok_or_else(|| serialization(format!("{f} is not a finite number")))?,
        Cbor::Array(items) => {
            Value::Array(items.into_iter().map(to_json).collect::<Result<_, _>>()?)
        }
        Cbor::Map(entries) => {
            let mut map = Map::new();
            for (k, v) in entries {
                let Cbor::Text(key) = k else {
                    return Err(serialization("Map keys must be text strings"));
                };
                map.insert(key, to_json(v)?);
            }
            Value::Object(map)
        }
        Cbor::Tag(EPOCH_TAG, inner) => match *inner {
            Cbor::Integer(_) | Cbor::Float(_) => to_json(*inner)?,
            _ => return Err(serialization("A timestamp must be a number of seconds")),
        },
        _ => {
            return Err(serialization(
                "Byte strings and tags other than timestamps are not supported",
            ));
        }
    })
}

pub fn text(s: impl Into<String>) -> Cbor {
    Cbor::Text(s.into())
}

pub fn float(f: f64) -> Cbor {
    Cbor::Float(f)
}

pub fn int(i: i64) -> Cbor {
    Cbor::Integer(i.into())
}

/// An epoch-seconds timestamp, millisecond precision.
pub fn time(epoch_secs: f64) -> Cbor {
    Cbor::Tag(
        EPOCH_TAG,
        Box::new(Cbor::Float((epoch_secs * 1000.0).round() / 1000.0)),
    )
}

pub fn list(items: impl IntoIterator<Item = Cbor>) -> Cbor {
    Cbor::Array(items.into_iter().collect())
}

pub fn texts<S: AsRef<str>>(items: &[S]) -> Cbor {
    list(items.iter().map(|s| text(s.as_ref())))
}

/// A structure; `Null` members are left out, as the protocol wants.
pub fn map(entries: Vec<(&str, Cbor)>) -> Cbor {
    Cbor::Map(
        entries
            .into_iter()
            .filter(|(_, v)| !v.is_null())
            .map(|(k, v)| (text(k), v))
            .collect(),
    )
}

pub fn opt<T>(value: Option<T>, f: impl FnOnce(T) -> Cbor) -> Cbor {
    value.map(f).unwrap_or(Cbor::Null)
}

/// `[{Key, Value}]` or `[{Name, Value}]` lists.
pub fn pairs(pairs: &[(String, String)], key: &str) -> Cbor {
    list(
        pairs
            .iter()
            .map(|(k, v)| map(vec![(key, text(k)), ("Value", text(v))])),
    )
}

/// Seconds since the epoch of a wall-clock time.
pub fn epoch_secs(t: SystemTime) -> f64 {
    t.duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

fn encode(value: &Cbor) -> Vec<u8> {
    let mut out = Vec::new();
    ciborium::into_writer(value, &mut out).expect("CBOR into a Vec cannot fail");
    out
}

fn respond(status: StatusCode, body: &Cbor) -> Response {
    let mut resp = (status, encode(body)).into_response();
    let headers = resp.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE));
    headers.insert(PROTOCOL_HEADER, HeaderValue::from_static(PROTOCOL));
    headers.insert(
        "x-amzn-RequestId",
        HeaderValue::from_str(&crate::protocol::request_id()).expect("ascii request id"),
    );
    resp
}

/// A successful response.
pub fn ok(body: &Cbor) -> Response {
    respond(StatusCode::OK, body)
}

/// The error shape behind a query error code (botocore's CloudWatch model,
/// botocore/data/cloudwatch/2010-08-01/service-2.json: each error shape's
/// `error.code`).
fn shape(code: &str) -> &str {
    match code {
        "InvalidParameterValue" => "InvalidParameterValueException",
        "InvalidParameterCombination" => "InvalidParameterCombinationException",
        "MissingParameter" => "MissingRequiredParameterException",
        "LimitExceeded" => "LimitExceededFault",
        "InternalServiceError" => "InternalServiceFault",
        "Throttling" => "ThrottlingException",
        "ResourceNotFound" => "DashboardNotFoundError",
        "InvalidParameterInput" => "DashboardInvalidInputError",
        other => other,
    }
}

/// The `__type` of an error body: the error shape's id.
pub fn error_type(fault: &Fault) -> String {
    format!("{SHAPE_NAMESPACE}#{}", shape(fault.code))
}

/// The HTTP status of an error: its shape's `@httpError` in CloudWatch's Smithy
/// model (aws/api-models-aws, cloudwatch/service/2010-08-01/
/// cloudwatch-2010-08-01.json; botocore's model gives the same as
/// `error.httpStatusCode`): ResourceNotFoundException and ResourceNotFound 404,
/// InternalServiceFault 500, ConcurrentModificationException 429, the other
/// errors this emulator answers 400 (Throttling, unmodeled, too). An unknown
/// operation is the caller's choice (`unknown`): it depends on the protocol.
pub fn error_status(fault: &Fault, unknown: StatusCode) -> StatusCode {
    match fault.code {
        super::input::UNKNOWN_OPERATION => unknown,
        "ResourceNotFoundException" | "ResourceNotFound" => StatusCode::NOT_FOUND,
        "InternalServiceError" => StatusCode::INTERNAL_SERVER_ERROR,
        "ConcurrentModificationException" => StatusCode::TOO_MANY_REQUESTS,
        _ => StatusCode::BAD_REQUEST,
    }
}

/// The `x-amzn-query-error: <query code>;Sender|Receiver` header CloudWatch,
/// a query-compatible service (`awsQueryCompatible` in botocore's model), adds
/// to errors in its newer protocols; botocore (parsers.py,
/// `_do_query_compatible_error_parse`) and the Rust SDK take the error code from
/// it.
pub fn add_query_error(resp: &mut Response, fault: &Fault) {
    let party = if fault.code == "InternalServiceError" {
        "Receiver"
    } else {
        "Sender"
    };
    if let Ok(v) = HeaderValue::from_str(&format!("{};{party}", fault.code)) {
        resp.headers_mut().insert("x-amzn-query-error", v);
    }
}

/// An error response. An unknown operation is HTTP 404 here, as this emulator
/// has always answered it over RPC v2 CBOR (what CloudWatch itself answers was
/// not confirmed).
pub fn error(fault: &Fault) -> Response {
    let status = error_status(fault, StatusCode::NOT_FOUND);
    let body = map(vec![
        ("__type", text(error_type(fault))),
        ("message", text(&fault.message)),
    ]);
    let mut resp = respond(status, &body);
    add_query_error(&mut resp, fault);
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_decode_to_epoch_seconds_and_round_trip() {
        let body = encode(&map(vec![
            ("StartTime", time(1_700_000_000.25)),
            ("Names", texts(&["a", "b"])),
            ("Period", int(60)),
        ]));
        let v = decode(&body).unwrap();
        assert_eq!(v["StartTime"], 1_700_000_000.25);
        assert_eq!(v["Names"][1], "b");
        assert_eq!(v["Period"], 60);
    }

    #[test]
    fn refuses_what_is_not_a_map() {
        assert_eq!(
            decode(&encode(&int(3))).unwrap_err().code,
            "SerializationException"
        );
        assert_eq!(
            decode(&[0xff, 0x00]).unwrap_err().code,
            "SerializationException"
        );
        assert_eq!(decode(&[]).unwrap(), serde_json::json!({}));
    }
}
