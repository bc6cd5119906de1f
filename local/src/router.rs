//! The one endpoint every client of the local stack uses (the functions'
//! `AWS_ENDPOINT_URL`, and moto's interpreter through `MOTO_PORT`):
//!
//! - `POST /2015-03-31/functions/<name or ARN>/invocations` -> cargo-lambda, by
//!   binary name, answered in AWS's shape ([`crate::lambda::translate`]);
//! - DMS (`X-Amz-Target: AmazonDMSv20160101.*`), CloudWatch
//!   (`/service/GraniteServiceVersion20100801/...`) and the emulator's control API
//!   (`/_emulator/...`) -> the DMS emulator;
//! - the Runtime API the function binaries poll (`/.rt/<name>/...`) ->
//!   cargo-lambda, with the invoked function's real ARN in
//!   `Lambda-Runtime-Invoked-Function-Arn` (cargo-lambda sends the literal
//!   `function-arn`; the functions derive account and region from it);
//! - everything else (SNS, S3, Step Functions, `/moto-api/...`) -> moto_server;
//!   the runs a wave's Distributed Map reads (S3 `GET .../prepared/...`) come
//!   back with their waits scaled ([`lambda::scale_prepared_runs`]);
//! - the control paths of the lost-response drill ([`drills::LOST_RESPONSES_PATH`])
//!   and the refused-call drill ([`REFUSED_CALLS_PATH`]) are answered by the
//!   router itself, and so is a call the refused-call drill refuses.
//!
//! Every answer carries an `x-amzn-RequestId` (moto's interpreter fails without it).

use std::convert::Infallible;
use std::fs::File;
use std::io::Write;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::header::{HeaderName, HeaderValue};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::definition::function_arn;
use crate::drills::{self, LostResponsesState};
use crate::lambda;
use crate::refused_calls::{self, REFUSED_CALLS_PATH, RefusedCallsState};

/// The DMS JSON protocol's target prefix.
const DMS_TARGET_PREFIX: &str = "AmazonDMSv20160101.";
/// CloudWatch's Smithy RPC v2 CBOR path prefix.
const CLOUDWATCH_PATH_PREFIX: &str = "/service/GraniteServiceVersion20100801/";
/// The DMS emulator's control API.
const EMULATOR_CONTROL_PREFIX: &str = "/_emulator/";
/// cargo-lambda's Runtime API, one queue per function: `/.rt/<name>/2018-06-01/...`.
const RUNTIME_API_PREFIX: &str = "/.rt/";
/// The Runtime API header that becomes the handler's `invoked_function_arn`.
const INVOKED_FUNCTION_ARN: &str = "lambda-runtime-invoked-function-arn";

/// Where the router sends each kind of call.
#[derive(Debug, Clone)]
pub struct Upstreams {
    /// cargo-lambda's invoke server, `http://127.0.0.1:P`.
    pub lambda: String,
    /// The DMS (and CloudWatch) emulator.
    pub emulator: String,
    /// moto_server.
    pub moto: String,
    /// Real-world waits suggested by the functions are divided by this.
    pub time_scale: f64,
}

struct Shared {
    upstreams: Upstreams,
    client: Client<HttpConnector, Full<Bytes>>,
    requests: AtomicU64,
    log: Option<Mutex<File>>,
    lost_responses: Mutex<LostResponsesState>,
    refused_calls: Mutex<RefusedCallsState>,
}

/// The running router. Dropping it stops it.
pub struct RouterHandle {
    addr: SocketAddr,
    stop: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

impl RouterHandle {
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for RouterHandle {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

/// Serves the router on an already bound listener (bound first, so moto can be
/// told its port). `log`, if given, gets one line per request.
pub fn serve(listener: TcpListener, upstreams: Upstreams, log: Option<File>) -> RouterHandle {
    let addr = listener
        .local_addr()
        .expect("a bound listener has an address");
    let shared = Arc::new(Shared {
        upstreams,
        client: Client::builder(TokioExecutor::new()).build_http(),
        requests: AtomicU64::new(0),
        log: log.map(Mutex::new),
        lost_responses: Mutex::default(),
        refused_calls: Mutex::default(),
    });
    let (stop, mut stopped) = watch::channel(false);
    let task = tokio::spawn(async move {
        loop {
            tokio::select! {
                _ = stopped.changed() => break,
                accepted = listener.accept() => {
                    let Ok((stream, _)) = accepted else { continue };
                    let shared = shared.clone();
                    let mut stopped = stopped.clone();
                    tokio::spawn(async move {
                        let service = service_fn(move |req| handle(shared.clone(), req));
                        let conn = http1::Builder::new().serve_connection(TokioIo::new(stream), service);
                        tokio::select! {
                            _ = conn => {}
                            _ = stopped.changed() => {}
                        }
                    });
                }
            }
        }
    });
    RouterHandle {
        addr,
        stop,
        task: Some(task),
    }
}

async fn handle(
    shared: Arc<Shared>,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let (parts, body) = req.into_parts();
    let body = body
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let path = parts.uri.path().to_string();
    let target = parts
        .headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let up = &shared.upstreams;
    let (label, mut response) = match lambda::invoked_function(&path) {
        Some(function) if parts.method == hyper::Method::POST => {
            let response = invoke(&shared, &function, &parts.headers, body).await;
            (format!("lambda {function}"), response)
        }
        _ if path == drills::LOST_RESPONSES_PATH => (
            "drill lost-responses".to_string(),
            control(&shared.lost_responses, &parts.method, &body, |s, d| {
                s.arm(&d)
            }),
        ),
        _ if path == REFUSED_CALLS_PATH => (
            "drill refused-calls".to_string(),
            control(&shared.refused_calls, &parts.method, &body, |s, d| s.arm(d)),
        ),
        _ if let Some((code, message)) = refuse(&shared, &target) => {
            (format!("refused {target}"), aws_error(&code, &message))
        }
        _ if path.starts_with(RUNTIME_API_PREFIX) => {
            let mut response = forward(&shared, &up.lambda, &parts, body).await;
            let function = path[RUNTIME_API_PREFIX.len()..]
                .split('/')
                .next()
                .unwrap_or_default();
            if response.headers().contains_key(INVOKED_FUNCTION_ARN)
                && let Ok(arn) = HeaderValue::from_str(&function_arn(function))
            {
                response.headers_mut().insert(INVOKED_FUNCTION_ARN, arn);
            }
            (format!("runtime {function}"), response)
        }
        _ if target.starts_with(DMS_TARGET_PREFIX)
            || path.starts_with(CLOUDWATCH_PATH_PREFIX)
            || path.starts_with(EMULATOR_CONTROL_PREFIX) =>
        {
            let label = target
                .strip_prefix(DMS_TARGET_PREFIX)
                .map_or_else(|| path.clone(), |op| format!("dms {op}"));
            (label, forward(&shared, &up.emulator, &parts, body).await)
        }
        _ if parts.method == hyper::Method::GET && is_prepared_runs(&path) => {
            let response = forward(&shared, &up.moto, &parts, body).await;
            (
                format!("moto {path} (waits scaled)"),
                scale_runs(response, up.time_scale).await,
            )
        }
        _ => (
            format!("moto {path}"),
            forward(&shared, &up.moto, &parts, body).await,
        ),
    };
    let n = shared.requests.fetch_add(1, Ordering::Relaxed) + 1;
    let headers = response.headers_mut();
    if !headers.contains_key("x-amzn-requestid") {
        let id = format!("{:08x}-0000-4000-8000-{n:012x}", std::process::id());
        if let Ok(value) = HeaderValue::from_str(&id) {
            headers.insert(HeaderName::from_static("x-amzn-requestid"), value);
        }
    }
    if let Some(log) = &shared.log
        && let Ok(mut file) = log.lock()
    {
        let _ = writeln!(file, "{n} {label} -> {}", response.status().as_u16());
    }
    Ok(response)
}

/// Whether `path` is a path-style GetObject of a wave's prepared runs:
/// `/<bucket>/prepared/...`.
fn is_prepared_runs(path: &str) -> bool {
    let mut segments = path.split('/').skip(1);
    segments.next().is_some_and(|bucket| !bucket.is_empty()) && segments.next() == Some("prepared")
}

/// A successful GetObject of a wave's runs with their waits scaled. Its checksum
/// headers go (the body is no longer what was stored), and its length is the new
/// body's.
async fn scale_runs(response: Response<Full<Bytes>>, time_scale: f64) -> Response<Full<Bytes>> {
    if !response.status().is_success() {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let body = body
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let Some(scaled) = lambda::scale_prepared_runs(&body, time_scale) else {
        return Response::from_parts(parts, Full::new(body));
    };
    let checksums: Vec<HeaderName> = parts
        .headers
        .keys()
        .filter(|name| name.as_str().starts_with("x-amz-checksum-"))
        .cloned()
        .collect();
    for name in checksums {
        parts.headers.remove(name);
    }
    parts.headers.insert(
        hyper::header::CONTENT_LENGTH,
        HeaderValue::from(scaled.len()),
    );
    Response::from_parts(parts, Full::new(Bytes::from(scaled)))
}

/// One Lambda invocation through cargo-lambda, answered as AWS would.
async fn invoke(
    shared: &Shared,
    function: &str,
    headers: &hyper::HeaderMap,
    body: Bytes,
) -> Response<Full<Bytes>> {
    let uri = format!(
        "{}/2015-03-31/functions/{function}/invocations",
        shared.upstreams.lambda
    );
    let mut request = Request::post(uri).header("content-type", "application/json");
    for name in [
        "x-amz-invocation-type",
        "x-amz-client-context",
        "x-amz-log-type",
    ] {
        if let Some(value) = headers.get(name) {
            request = request.header(name, value);
        }
    }
    let (status, answer) = match request.body(Full::new(body)) {
        Ok(request) => match send(shared, request).await {
            Ok(pair) => pair,
            Err(e) => (502, e.into_bytes()),
        },
        Err(e) => (500, e.to_string().into_bytes()),
    };
    let lost = (200..300).contains(&status) && lose_response(shared, function);
    let out = if lost {
        let note =
            format!("the response of {function} was lost after it ran (lost-response drill)");
        lambda::translate(502, note.as_bytes(), shared.upstreams.time_scale)
    } else {
        lambda::translate(status, &answer, shared.upstreams.time_scale)
    };
    let mut response = Response::builder()
        .status(out.status)
        .header("content-type", "application/json")
        .header("x-amz-executed-version", "$LATEST");
    if let Some(kind) = out.function_error {
        response = response.header("x-amz-function-error", kind);
    }
    if let Some(kind) = out.error_type {
        response = response.header("x-amzn-errortype", kind);
    }
    response
        .body(Full::new(Bytes::from(out.body)))
        .unwrap_or_else(|_| plain(StatusCode::INTERNAL_SERVER_ERROR, "bad response"))
}

fn lose_response(shared: &Shared, function: &str) -> bool {
    shared
        .lost_responses
        .lock()
        .is_ok_and(|mut state| state.take(function))
}

/// A drill's control path: `POST` arms it with the drill in the body, `GET`
/// reports its state.
fn control<S, D>(
    state: &Mutex<S>,
    method: &hyper::Method,
    body: &[u8],
    arm: impl FnOnce(&mut S, D),
) -> Response<Full<Bytes>>
where
    S: serde::Serialize,
    D: serde::de::DeserializeOwned,
{
    let Ok(mut state) = state.lock() else {
        return plain(StatusCode::INTERNAL_SERVER_ERROR, "drill state unavailable");
    };
    if method == hyper::Method::POST {
        match serde_json::from_slice::<D>(body) {
            Ok(drill) => arm(&mut state, drill),
            Err(e) => return plain(StatusCode::BAD_REQUEST, &format!("invalid drill: {e}")),
        }
    }
    let text = serde_json::to_string(&*state).unwrap_or_default();
    let mut response = plain(StatusCode::OK, &text);
    response.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// The error the refused-call drill answers this call of `target` with, if any.
fn refuse(shared: &Shared, target: &str) -> Option<(String, String)> {
    if target.is_empty() {
        return None;
    }
    shared.refused_calls.lock().ok()?.take(target)
}

/// An AWS JSON-protocol error answer.
fn aws_error(code: &str, message: &str) -> Response<Full<Bytes>> {
    let mut response = plain(
        StatusCode::BAD_REQUEST,
        &refused_calls::error_body(code, message),
    );
    let headers = response.headers_mut();
    headers.insert(
        hyper::header::CONTENT_TYPE,
        HeaderValue::from_static("application/x-amz-json-1.0"),
    );
    if let Ok(value) = HeaderValue::from_str(code) {
        headers.insert(HeaderName::from_static("x-amzn-errortype"), value);
    }
    response
}

/// Forwards a call unchanged (method, path, query, headers, body) to `base`.
async fn forward(
    shared: &Shared,
    base: &str,
    parts: &hyper::http::request::Parts,
    body: Bytes,
) -> Response<Full<Bytes>> {
    let path = parts
        .uri
        .path_and_query()
        .map_or("/", |p| p.as_str())
        .to_string();
    let mut request = Request::builder()
        .method(parts.method.clone())
        .uri(format!("{base}{path}"));
    for (name, value) in &parts.headers {
        if name != "connection" && name != "transfer-encoding" {
            request = request.header(name, value);
        }
    }
    let request = match request.body(Full::new(body)) {
        Ok(request) => request,
        Err(e) => return plain(StatusCode::BAD_REQUEST, &e.to_string()),
    };
    match shared.client.request(request).await {
        Ok(response) => {
            let (parts, body) = response.into_parts();
            let body = body
                .collect()
                .await
                .map(|b| b.to_bytes())
                .unwrap_or_default();
            let mut out = Response::from_parts(parts, Full::new(body));
            out.headers_mut().remove("transfer-encoding");
            out
        }
        Err(e) => plain(
            StatusCode::BAD_GATEWAY,
            &format!("the local stack could not reach {base}: {e}"),
        ),
    }
}

async fn send(shared: &Shared, request: Request<Full<Bytes>>) -> Result<(u16, Vec<u8>), String> {
    let response = shared
        .client
        .request(request)
        .await
        .map_err(|e| format!("cargo-lambda did not answer: {e}"))?;
    let status = response.status().as_u16();
    let body = response
        .into_body()
        .collect()
        .await
        .map_err(|e| e.to_string())?
        .to_bytes();
    Ok((status, body.to_vec()))
}

fn plain(status: StatusCode, text: &str) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(text.to_string())));
    *response.status_mut() = status;
    response
}

#[cfg(test)]
mod tests {
    use super::is_prepared_runs;

    #[test]
    fn only_a_buckets_prepared_runs_have_their_waits_scaled() {
        assert!(is_prepared_runs(
            "/dmsflow-wavebucket/prepared/q3/q3-1.json"
        ));
        assert!(!is_prepared_runs(
            "/dmsflow-wavebucket/manifests/prepared/q3.json"
        ));
        assert!(!is_prepared_runs("/prepared"));
        assert!(!is_prepared_runs("//prepared/x.json"));
        assert!(!is_prepared_runs("/2015-03-31/functions/x/invocations"));
    }
}
