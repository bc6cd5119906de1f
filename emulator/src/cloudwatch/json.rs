//! The awsJson1_0 wire format CloudWatch also speaks, as stock boto3 (botocore
//! 1.42.7 and later) and the AWS CLI send it. botocore's CloudWatch model
//! (botocore/data/cloudwatch/2010-08-01/service-2.json, `metadata`) lists
//! `"protocols": ["smithy-rpc-v2-cbor", "json", "query"]`, `"jsonVersion": "1.0"`
//! and `"targetPrefix": "GraniteServiceVersion20100801"`, and botocore picks the
//! first of its own `PRIORITY_ORDERED_SUPPORTED_PROTOCOLS` (botocore/utils.py:
//! `json` first) that the service lists: awsJson1_0. Before 1.42.7 (December
//! 2025) the model listed only `query`, which this emulator does not serve.
//!
//! Requests (botocore/serialize.py, `JSONSerializer`): `POST /` with
//! `X-Amz-Target: GraniteServiceVersion20100801.<Operation>`,
//! `Content-Type: application/x-amz-json-1.0` (and, CloudWatch being query
//! compatible, `x-amzn-query-mode: true`), a JSON object body, timestamps as epoch
//! seconds (numbers). Responses: HTTP 200, the same content type, the output
//! structure as JSON with timestamps as epoch seconds. Errors: `{"__type",
//! "message"}` with the error's HTTP status, and the `x-amzn-query-error`
//! header botocore takes the code from (parsers.py, `BaseJSONParser._do_error_parse`).
//!
//! The operations are the ones the RPC v2 CBOR wire serves, by the same
//! handlers: a request body is the JSON the handlers read (the CBOR wire decodes
//! to that same JSON), and their output, in the CBOR value model, is turned into
//! JSON by [`super::wire::to_json`] (CBOR timestamps become epoch seconds).

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use ciborium::Value as Cbor;
use serde_json::{Map, Value, json};

use super::input::{serialization, unknown_operation};
use super::wire;
use crate::faults::Fault;

/// `X-Amz-Target` is this prefix, a dot and the operation.
pub const TARGET_PREFIX: &str = "GraniteServiceVersion20100801";
pub const CONTENT_TYPE: &str = "application/x-amz-json-1.0";

/// The operation named by a CloudWatch `X-Amz-Target`; `None` when the target
/// is not CloudWatch's (a DMS call, or none).
pub fn operation(headers: &HeaderMap) -> Option<String> {
    let target = headers.get("x-amz-target")?.to_str().ok()?;
    target
        .strip_prefix(TARGET_PREFIX)?
        .strip_prefix('.')
        .map(str::to_string)
}

fn speaks_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case(CONTENT_TYPE))
}

/// The request body of a call to a served operation in awsJson1_0. A request
/// without the awsJson1_0 content type is refused as SerializationException:
/// what CloudWatch itself answers then is not documented.
pub fn accept(
    operation: &str,
    served: &[&str],
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Value, Fault> {
    if !served.contains(&operation) {
        return Err(unknown_operation(operation));
    }
    if !speaks_json(headers) {
        return Err(serialization(format!(
            "Requests with X-Amz-Target {TARGET_PREFIX}.<Operation> must carry Content-Type: {CONTENT_TYPE}"
        )));
    }
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Object(Map::new()));
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(v @ Value::Object(_)) => Ok(v),
        Ok(_) => Err(serialization("The request body must be a JSON object")),
        Err(e) => Err(serialization(format!("Malformed JSON body: {e}"))),
    }
}

fn respond(status: StatusCode, body: &Value) -> Response {
    let mut resp = (status, body.to_string()).into_response();
    let headers = resp.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE));
    headers.insert(
        "x-amzn-RequestId",
        HeaderValue::from_str(&crate::protocol::request_id()).expect("ascii request id"),
    );
    resp
}

/// A successful response: the handler's output as JSON.
pub fn ok(body: Cbor) -> Response {
    match wire::to_json(body) {
        Ok(v) => respond(StatusCode::OK, &v),
        Err(f) => error(&Fault::new(
            "InternalServiceError",
            format!(
                "dms-emulator could not write its answer as JSON: {}",
                f.message
            ),
        )),
    }
}

/// An error response: `__type` is the error shape's id (clients keep what
/// follows `#`), `message`, the status of the error shape, and the
/// `x-amzn-query-error` header. An unknown operation is HTTP 400, as AWS's JSON
/// services answer it: CloudWatch Logs (awsJson1_1) answered
/// `{"__type":"UnknownOperationException"}` with "StatusCode: BadRequest"
/// (aws/aws-sdk-net issue #1536, https://github.com/aws/aws-sdk-net/issues/1536).
pub fn error(fault: &Fault) -> Response {
    let status = wire::error_status(fault, StatusCode::BAD_REQUEST);
    let body = json!({"__type": wire::error_type(fault), "message": fault.message});
    let mut resp = respond(status, &body);
    wire::add_query_error(&mut resp, fault);
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn targets_name_cloudwatch_operations_only() {
        let op = |t| operation(&headers(&[("x-amz-target", t)]));
        assert_eq!(
            op("GraniteServiceVersion20100801.PutMetricAlarm").as_deref(),
            Some("PutMetricAlarm")
        );
        assert_eq!(op("GraniteServiceVersion20100801.").as_deref(), Some(""));
        assert_eq!(op("AmazonDMSv20160101.DescribeEndpoints"), None);
        assert_eq!(op("GraniteServiceVersion20100801PutMetricAlarm"), None);
        assert_eq!(operation(&HeaderMap::new()), None);
    }

    #[test]
    fn bodies_need_the_json_content_type_and_an_object() {
        let served = ["DescribeAlarms"];
        let json = headers(&[("content-type", "application/x-amz-json-1.0; charset=utf-8")]);
        assert_eq!(
            accept("DescribeAlarms", &served, &json, br#"{"MaxRecords": 5}"#).unwrap()["MaxRecords"],
            5
        );
        assert_eq!(
            accept("DescribeAlarms", &served, &json, b"").unwrap(),
            json!({})
        );
        let code = |h: &HeaderMap, body: &[u8]| {
            accept("DescribeAlarms", &served, h, body).unwrap_err().code
        };
        assert_eq!(code(&json, b"[1]"), "SerializationException");
        assert_eq!(code(&json, b"{"), "SerializationException");
        let v11 = headers(&[("content-type", "application/x-amz-json-1.1")]);
        assert_eq!(code(&v11, b"{}"), "SerializationException");
        assert_eq!(
            accept("DescribeAlarmHistory", &served, &json, b"{}")
                .unwrap_err()
                .code,
            "UnknownOperationException"
        );
    }
}
