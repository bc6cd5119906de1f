//! The HTTP server: `POST /` for DMS (and CloudWatch over awsJson1_0),
//! `POST /service/...` for CloudWatch over RPC v2 CBOR, `/_emulator/` for control.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::config::Config;
use crate::control;
use crate::emulator::Emulator;

/// A running emulator. Dropping it asks the server to stop.
pub struct EmulatorHandle {
    addr: SocketAddr,
    emulator: Arc<Emulator>,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl EmulatorHandle {
    /// The bound address (127.0.0.1:PORT).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`, for `endpoint_url`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Direct access to the emulator (the same things the control API offers).
    pub fn emulator(&self) -> &Arc<Emulator> {
        &self.emulator
    }

    /// Stop serving and wait (at most a few seconds) for the server to end.
    pub async fn shutdown(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let abort = task.abort_handle();
            if tokio::time::timeout(Duration::from_secs(3), task)
                .await
                .is_err()
            {
                abort.abort();
            }
        }
    }
}

impl Drop for EmulatorHandle {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// Bind and start serving in the current Tokio runtime.
pub async fn serve(config: Config) -> std::io::Result<EmulatorHandle> {
    let listener = TcpListener::bind((config.host, config.port)).await?;
    let addr = listener.local_addr()?;
    let emulator = Arc::new(Emulator::new(config.scenario, config.speed));
    let app = router(emulator.clone());
    let (tx, rx) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = rx.await;
            })
            .await;
    });
    Ok(EmulatorHandle {
        addr,
        emulator,
        shutdown: Some(tx),
        task: Some(task),
    })
}

pub fn router(emulator: Arc<Emulator>) -> Router {
    Router::new()
        .route("/", post(dms))
        .merge(control::routes())
        .merge(crate::cloudwatch::routes())
        .fallback(not_found)
        .with_state(emulator)
}

/// `POST /`: DMS (awsJson1_1, `X-Amz-Target: AmazonDMSv20160101.<Operation>`),
/// or CloudWatch over awsJson1_0 when `X-Amz-Target` names CloudWatch
/// (`GraniteServiceVersion20100801.<Operation>`); CloudWatch's RPC v2 CBOR
/// calls have their own path.
async fn dms(State(e): State<Arc<Emulator>>, headers: HeaderMap, body: Bytes) -> Response {
    if crate::cloudwatch::is_json_call(&headers) {
        return crate::cloudwatch::handle_json(&e, &headers, &body);
    }
    e.handle_dms(&headers, &body)
}

async fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        [("content-type", "application/json")],
        r#"{"ok":false,"error":"not found: DMS calls are POST / ; control calls are under /_emulator/"}"#,
    )
        .into_response()
}
