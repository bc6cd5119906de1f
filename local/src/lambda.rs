//! The Lambda Invoke API as AWS answers it, on top of cargo-lambda's emulator.
//!
//! cargo-lambda serves functions by binary name only and answers a handler error
//! with HTTP 500 and `{"errorType", "errorMessage"}`; AWS answers 200 with the
//! header `X-Amz-Function-Error: Unhandled`, and Step Functions (moto's
//! interpreter too) matches Retry and Catch rules on that `errorType` only in
//! AWS's shape. These pure functions do the translation the router applies.

use percent_encoding::percent_decode_str;
use serde_json::Value;

/// Path prefix and suffix of `POST /2015-03-31/functions/{FunctionName}/invocations`.
const INVOKE_PREFIX: &str = "/2015-03-31/functions/";
const INVOKE_SUFFIX: &str = "/invocations";

/// The function an Invoke path names, as cargo-lambda knows it (the binary name):
/// URL-decoded, the name taken out of a function ARN
/// (`arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]`), the
/// qualifier dropped. `None` when the path is not an Invoke call.
pub fn invoked_function(path: &str) -> Option<String> {
    let encoded = path
        .strip_prefix(INVOKE_PREFIX)?
        .strip_suffix(INVOKE_SUFFIX)?;
    let name = percent_decode_str(encoded).decode_utf8().ok()?;
    let name = match name.strip_prefix("arn:") {
        Some(rest) => {
            let parts: Vec<&str> = rest.split(':').collect();
            // aws, lambda, region, account, function, name[, qualifier]
            if parts.len() < 6 || parts[1] != "lambda" || parts[4] != "function" {
                return None;
            }
            parts[5].to_string()
        }
        None => name.split(':').next().unwrap_or_default().to_string(),
    };
    (!name.is_empty() && !name.contains('/')).then_some(name)
}

/// What the router answers for one cargo-lambda response.
#[derive(Debug, Clone, PartialEq)]
pub struct Invoked {
    pub status: u16,
    /// `X-Amz-Function-Error` (Unhandled for a handler error).
    pub function_error: Option<&'static str>,
    /// `x-amzn-ErrorType` for a failed invocation (not a handler error).
    pub error_type: Option<&'static str>,
    pub body: Vec<u8>,
}

/// Translates cargo-lambda's answer into AWS's. A successful result with a numeric
/// `step.wait_seconds` (the state every looping step answers) has it divided by
/// `time_scale`, rounded up (never to 0 unless it was 0): the rehearsal compresses
/// real-world waits; the functions themselves are unchanged.
pub fn translate(status: u16, body: &[u8], time_scale: f64) -> Invoked {
    match status {
        200..=299 => Invoked {
            status: 200,
            function_error: None,
            error_type: None,
            body: scale_wait(body, time_scale),
        },
        500 if is_handler_error(body) => Invoked {
            status: 200,
            function_error: Some("Unhandled"),
            error_type: None,
            body: body.to_vec(),
        },
        404 => Invoked {
            status: 404,
            function_error: None,
            error_type: Some("ResourceNotFoundException"),
            body: service_error("User", body),
        },
        _ => Invoked {
            status: 500,
            function_error: None,
            error_type: Some("ServiceException"),
            body: service_error("Service", body),
        },
    }
}

fn is_handler_error(body: &[u8]) -> bool {
    serde_json::from_slice::<Value>(body)
        .ok()
        .is_some_and(|v| v.get("errorType").is_some_and(Value::is_string))
}

fn service_error(kind: &str, body: &[u8]) -> Vec<u8> {
    let message = String::from_utf8_lossy(body).into_owned();
    serde_json::json!({"Type": kind, "Message": message})
        .to_string()
        .into_bytes()
}

/// `wait_seconds` divided by the time scale, rounded up.
pub fn scaled_seconds(seconds: u64, time_scale: f64) -> u64 {
    if seconds == 0 || time_scale <= 1.0 {
        return seconds;
    }
    ((seconds as f64) / time_scale).ceil().max(1.0) as u64
}

fn scale_wait(body: &[u8], time_scale: f64) -> Vec<u8> {
    let Ok(mut state) = serde_json::from_slice::<Value>(body) else {
        return body.to_vec();
    };
    let mut scaled = false;
    if let Some(wait) = state.pointer_mut("/step/wait_seconds")
        && let Some(seconds) = wait.as_u64()
    {
        *wait = Value::from(scaled_seconds(seconds, time_scale));
        scaled = true;
    }
    if !scaled {
        return body.to_vec();
    }
    state.to_string().into_bytes()
}

/// The waits of a wave's runs the rehearsal compresses too.
const WAVE_WAITS: [&str; 2] = ["poll_seconds", "start_delay_seconds"];

/// The runs PrepareWave wrote (a JSON list), as the wave's Distributed Map reads
/// them, with each run's waits scaled: each run carries them through its later
/// steps, so they are scaled once, there. `None` when `body` is not a list.
pub fn scale_prepared_runs(body: &[u8], time_scale: f64) -> Option<Vec<u8>> {
    let Ok(Value::Array(mut runs)) = serde_json::from_slice::<Value>(body) else {
        return None;
    };
    for run in &mut runs {
        for key in WAVE_WAITS {
            if let Some(wait) = run.get_mut(key)
                && let Some(seconds) = wait.as_u64()
            {
                *wait = Value::from(scaled_seconds(seconds, time_scale));
            }
        }
    }
    Some(Value::Array(runs).to_string().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn function_names_come_from_names_and_encoded_arns() {
        assert_eq!(
            invoked_function("/2015-03-31/functions/dmsflow-create/invocations").as_deref(),
            Some("dmsflow-create")
        );
        assert_eq!(
            invoked_function(
                "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012%3Afunction%3Admsflow-start/invocations"
            )
            .as_deref(),
            Some("dmsflow-start")
        );
        assert_eq!(
            invoked_function(
                "/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:dmsflow-start:$LATEST/invocations"
            )
            .as_deref(),
            Some("dmsflow-start")
        );
        assert_eq!(
            invoked_function("/2015-03-31/functions/dmsflow-start:prod/invocations").as_deref(),
            Some("dmsflow-start")
        );
        assert_eq!(invoked_function("/2015-03-31/functions/x"), None);
        assert_eq!(invoked_function("/"), None);
        assert_eq!(
            invoked_function("/2015-03-31/functions/arn%3Aaws%3Asns%3Ax%3Ay%3Az/invocations"),
            None
        );
    }

    #[test]
    fn a_handler_error_becomes_an_unhandled_function_error_with_status_200() {
        let body = br#"{"errorType":"ConnectionTestFailed","errorMessage":"no route"}"#;
        let out = translate(500, body, 30.0);
        assert_eq!(out.status, 200);
        assert_eq!(out.function_error, Some("Unhandled"));
        assert_eq!(out.body, body.to_vec());
    }

    #[test]
    fn other_failures_become_lambda_service_errors() {
        let missing = translate(404, br#"{"title":"Missing function"}"#, 1.0);
        assert_eq!(
            (missing.status, missing.error_type),
            (404, Some("ResourceNotFoundException"))
        );
        let broken = translate(502, b"bad gateway", 1.0);
        assert_eq!(
            (broken.status, broken.error_type),
            (500, Some("ServiceException"))
        );
        let plain_500 = translate(500, b"oops", 1.0);
        assert_eq!(plain_500.function_error, None);
        assert_eq!(plain_500.status, 500);
    }

    #[test]
    fn successful_reports_have_their_wait_compressed_and_nothing_else_changed() {
        let body = br#"{"step":{"done":false,"wait_seconds":45,"report":{"wait_seconds":45}},"route":"migrate"}"#;
        let out = translate(200, body, 30.0);
        let v: Value = serde_json::from_slice(&out.body).unwrap();
        assert_eq!(v["step"]["wait_seconds"], 2);
        assert_eq!(v["step"]["report"]["wait_seconds"], 45);
        assert_eq!(v["route"], "migrate");
        assert_eq!(translate(200, b"[1,2]", 30.0).body, b"[1,2]".to_vec());
        assert_eq!(scaled_seconds(0, 30.0), 0);
        assert_eq!(scaled_seconds(1, 30.0), 1);
        assert_eq!(scaled_seconds(540, 30.0), 18);
        assert_eq!(scaled_seconds(540, 1.0), 540);
        // A wave's waits, in the runs the Distributed Map reads.
        let prepared = br#"[{"poll_seconds":600,"start_delay_seconds":30},{"poll_seconds":600,"start_delay_seconds":0}]"#;
        let v: Value =
            serde_json::from_slice(&scale_prepared_runs(prepared, 30.0).unwrap()).unwrap();
        assert_eq!(v[0]["poll_seconds"], 20);
        assert_eq!(v[0]["start_delay_seconds"], 1);
        assert_eq!(v[1]["start_delay_seconds"], 0);
        assert_eq!(scale_prepared_runs(b"{}", 30.0), None);
        // A run's later answers carry the scaled wait on, unchanged.
        let run = br#"{"run_id":"a","poll_seconds":20,"ended":false}"#;
        let v: Value = serde_json::from_slice(&translate(200, run, 30.0).body).unwrap();
        assert_eq!(v["poll_seconds"], 20);
    }
}
