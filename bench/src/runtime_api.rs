//! A local stand-in of the Lambda Runtime API (`2018-06-01`), enough for
//! `lambda_runtime`: `GET .../invocation/next` (held until an event is queued),
//! `POST .../invocation/<id>/response`, `.../invocation/<id>/error` and
//! `.../init/error`. It notes when each request for work arrives and when each
//! answer is complete, which is what the cold-start figures are made of.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::sync::{Mutex, mpsc};
use tokio::task::{JoinHandle, JoinSet};

const PREFIX: &str = "/2018-06-01/runtime/";
/// How long an invocation may run, as its deadline header tells the function.
const INVOCATION_TIMEOUT: Duration = Duration::from_secs(900);

/// A request the stand-in understands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    Next,
    Response(String),
    Error(String),
    InitError,
    Unknown,
}

/// The route of a method and path.
pub fn route(method: &Method, path: &str) -> Route {
    let Some(rest) = path.strip_prefix(PREFIX) else {
        return Route::Unknown;
    };
    match (method, rest.split('/').collect::<Vec<_>>().as_slice()) {
        (&Method::GET, ["invocation", "next"]) => Route::Next,
        (&Method::POST, ["invocation", id, "response"]) if !id.is_empty() => {
            Route::Response(id.to_string())
        }
        (&Method::POST, ["invocation", id, "error"]) if !id.is_empty() => {
            Route::Error(id.to_string())
        }
        (&Method::POST, ["init", "error"]) => Route::InitError,
        _ => Route::Unknown,
    }
}

/// How the function answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutcomeKind {
    Response,
    Error,
    InitError,
}

/// An answer the function posted, and when it was fully received.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub kind: OutcomeKind,
    /// The invocation it answers (none for an init error).
    pub request_id: Option<String>,
    pub body: Bytes,
    pub at: Instant,
}

impl Outcome {
    pub fn json(&self) -> Result<Value, String> {
        serde_json::from_slice(&self.body)
            .map_err(|e| format!("answer is not JSON ({e}): {}", self.text()))
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

struct Event {
    request_id: String,
    payload: Bytes,
}

struct Shared {
    events: Mutex<mpsc::UnboundedReceiver<Event>>,
    nexts: mpsc::UnboundedSender<Instant>,
    outcomes: mpsc::UnboundedSender<Outcome>,
    function_arn: String,
}

/// The running stand-in, for one function process. Dropping it stops it.
pub struct RuntimeApi {
    addr: SocketAddr,
    events: mpsc::UnboundedSender<Event>,
    nexts: mpsc::UnboundedReceiver<Instant>,
    outcomes: mpsc::UnboundedReceiver<Outcome>,
    ids: AtomicU64,
    task: JoinHandle<()>,
}

impl RuntimeApi {
    /// Serves on a free port of 127.0.0.1; every invocation names `function_arn`.
    pub async fn start(function_arn: &str) -> std::io::Result<RuntimeApi> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let (events, events_rx) = mpsc::unbounded_channel();
        let (nexts_tx, nexts) = mpsc::unbounded_channel();
        let (outcomes_tx, outcomes) = mpsc::unbounded_channel();
        let shared = Arc::new(Shared {
            events: Mutex::new(events_rx),
            nexts: nexts_tx,
            outcomes: outcomes_tx,
            function_arn: function_arn.to_string(),
        });
        let task = tokio::spawn(async move {
            // Connections end with the accept loop (the set aborts them when dropped).
            let mut connections = JoinSet::new();
            while let Ok((stream, _)) = listener.accept().await {
                let _ = stream.set_nodelay(true);
                let shared = shared.clone();
                connections.spawn(async move {
                    let service = service_fn(move |req| handle(shared.clone(), req));
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Ok(RuntimeApi {
            addr,
            events,
            nexts,
            outcomes,
            ids: AtomicU64::new(0),
            task,
        })
    }

    /// `host:port`, the value of `AWS_LAMBDA_RUNTIME_API`.
    pub fn address(&self) -> String {
        self.addr.to_string()
    }

    /// When the function next asked for work (each call waits for one more request).
    pub async fn next_request(&mut self) -> Result<Instant, String> {
        self.nexts
            .recv()
            .await
            .ok_or_else(|| "the Runtime API stand-in stopped".to_string())
    }

    /// Queues one invocation; answers its request id.
    pub fn queue(&self, payload: &Value) -> String {
        let n = self.ids.fetch_add(1, Ordering::Relaxed) + 1;
        let request_id = format!("00000000-0000-4000-8000-{n:012x}");
        let payload = Bytes::from(serde_json::to_vec(payload).expect("JSON serializes"));
        let _ = self.events.send(Event {
            request_id: request_id.clone(),
            payload,
        });
        request_id
    }

    /// The next answer the function posts.
    pub async fn outcome(&mut self) -> Result<Outcome, String> {
        self.outcomes
            .recv()
            .await
            .ok_or_else(|| "the Runtime API stand-in stopped".to_string())
    }
}

impl Drop for RuntimeApi {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn handle(
    shared: Arc<Shared>,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let arrived = Instant::now();
    let kind = match route(req.method(), req.uri().path()) {
        Route::Next => {
            let _ = shared.nexts.send(arrived);
            let event = shared.events.lock().await.recv().await;
            return Ok(match event {
                Some(event) => next_response(&event, &shared.function_arn),
                None => reply(StatusCode::GONE, "the bench is over"),
            });
        }
        Route::Unknown => return Ok(reply(StatusCode::NOT_FOUND, "unknown Runtime API path")),
        Route::Response(id) => (OutcomeKind::Response, Some(id)),
        Route::Error(id) => (OutcomeKind::Error, Some(id)),
        Route::InitError => (OutcomeKind::InitError, None),
    };
    let body = match req.into_body().collect().await {
        Ok(body) => body.to_bytes(),
        Err(e) => return Ok(reply(StatusCode::BAD_REQUEST, &e.to_string())),
    };
    let _ = shared.outcomes.send(Outcome {
        kind: kind.0,
        request_id: kind.1,
        body,
        at: Instant::now(),
    });
    Ok(reply(StatusCode::ACCEPTED, r#"{"status":"OK"}"#))
}

/// The answer to `next`: the event, with the headers `lambda_runtime` reads.
fn next_response(event: &Event, function_arn: &str) -> Response<Full<Bytes>> {
    let deadline = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        + INVOCATION_TIMEOUT;
    Response::builder()
        .status(StatusCode::OK)
        .header("content-type", "application/json")
        .header("lambda-runtime-aws-request-id", &event.request_id)
        .header(
            "lambda-runtime-deadline-ms",
            deadline.as_millis().to_string(),
        )
        .header("lambda-runtime-invoked-function-arn", function_arn)
        .header(
            "lambda-runtime-trace-id",
            format!(
                "Root=1-00000000-{};Parent=0000000000000001;Sampled=0",
                &event.request_id[event.request_id.len() - 12..].repeat(2)
            ),
        )
        .body(Full::new(event.payload.clone()))
        .expect("valid response")
}

fn reply(status: StatusCode, body: &str) -> Response<Full<Bytes>> {
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(body.to_string())))
        .expect("valid response")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_are_the_four_calls_of_the_runtime_api() {
        let r = |m: &Method, p: &str| route(m, p);
        assert_eq!(
            r(&Method::GET, "/2018-06-01/runtime/invocation/next"),
            Route::Next
        );
        assert_eq!(
            r(&Method::POST, "/2018-06-01/runtime/invocation/abc/response"),
            Route::Response("abc".into())
        );
        assert_eq!(
            r(&Method::POST, "/2018-06-01/runtime/invocation/abc/error"),
            Route::Error("abc".into())
        );
        assert_eq!(
            r(&Method::POST, "/2018-06-01/runtime/init/error"),
            Route::InitError
        );
        assert_eq!(
            r(&Method::POST, "/2018-06-01/runtime/invocation/next"),
            Route::Unknown
        );
        assert_eq!(
            r(&Method::POST, "/2018-06-01/runtime/invocation//response"),
            Route::Unknown
        );
        assert_eq!(r(&Method::GET, "/2015-03-31/functions"), Route::Unknown);
    }

    #[test]
    fn the_next_answer_carries_the_headers_lambda_runtime_reads() {
        let event = Event {
            request_id: "00000000-0000-4000-8000-000000000007".into(),
            payload: Bytes::from_static(b"{\"a\":1}"),
        };
        let arn = "arn:aws:lambda:us-east-1:123456789012:function:f";
        let response = next_response(&event, arn);
        let headers = response.headers();
        assert_eq!(
            headers["lambda-runtime-aws-request-id"],
            "00000000-0000-4000-8000-000000000007"
        );
        assert_eq!(headers["lambda-runtime-invoked-function-arn"], arn);
        let deadline: u128 = headers["lambda-runtime-deadline-ms"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_millis();
        assert!(deadline > now, "the deadline is in the future");
        let trace = headers["lambda-runtime-trace-id"].to_str().unwrap();
        assert!(trace.starts_with("Root=1-"), "{trace}");
    }

    /// One HTTP/1.1 exchange on a fresh connection: status line and body.
    async fn exchange(addr: &str, request: String) -> (String, String) {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
        stream.write_all(request.as_bytes()).await.unwrap();
        let mut text = String::new();
        stream.read_to_string(&mut text).await.unwrap();
        let (head, body) = text.split_once("\r\n\r\n").unwrap();
        (head.lines().next().unwrap().to_string(), body.to_string())
    }

    fn request(method: &str, path: &str, body: &str) -> String {
        format!(
            "{method} {path} HTTP/1.1\r\nhost: x\r\nconnection: close\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        )
    }

    #[tokio::test]
    async fn an_error_answer_is_reported_with_its_request_id() {
        let mut api = RuntimeApi::start("arn:aws:lambda:us-east-1:123456789012:function:f")
            .await
            .unwrap();
        let addr = api.address();
        let id = api.queue(&serde_json::json!({"n": 1}));
        let (status, body) = exchange(
            &addr,
            request("GET", "/2018-06-01/runtime/invocation/next", ""),
        )
        .await;
        assert!(status.contains("200"), "{status}");
        assert_eq!(body, r#"{"n":1}"#);
        api.next_request().await.unwrap();

        let error = r#"{"errorType":"TaskFailed","errorMessage":"the task failed"}"#;
        let path = format!("/2018-06-01/runtime/invocation/{id}/error");
        let (status, _) = exchange(&addr, request("POST", &path, error)).await;
        assert!(status.contains("202"), "{status}");
        let outcome = api.outcome().await.unwrap();
        assert_eq!(outcome.kind, OutcomeKind::Error);
        assert_eq!(outcome.request_id.as_deref(), Some(id.as_str()));
        assert_eq!(outcome.text(), error);

        let (status, _) = exchange(&addr, request("GET", "/2015-03-31/functions", "")).await;
        assert!(status.contains("404"), "{status}");
    }
}
