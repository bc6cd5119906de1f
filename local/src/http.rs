//! A small HTTP client for the stack's own calls (moto's APIs, the emulator's
//! control API). Requests carry a dummy SigV4 `Authorization` header: moto picks
//! the service from its credential scope and checks no signature.

use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::Request;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde_json::Value;

use crate::Error;

/// How long one local call may take.
const TIMEOUT: Duration = Duration::from_secs(60);

#[derive(Clone)]
pub struct Http {
    client: Client<HttpConnector, Full<Bytes>>,
}

impl Default for Http {
    fn default() -> Self {
        Http {
            client: Client::builder(TokioExecutor::new()).build_http(),
        }
    }
}

/// An answer: status and body.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub body: Bytes,
}

impl Answer {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn json(&self) -> Result<Value, Error> {
        serde_json::from_slice(&self.body)
            .map_err(|e| Error::new(format!("not JSON ({e}): {}", self.text())))
    }

    pub fn ok(self, what: &str) -> Result<Answer, Error> {
        if (200..300).contains(&self.status) {
            Ok(self)
        } else {
            Err(Error::new(format!(
                "{what}: HTTP {}: {}",
                self.status,
                self.text()
            )))
        }
    }
}

impl Http {
    pub async fn get(&self, url: &str) -> Result<Answer, Error> {
        self.send("GET", url, &[], Bytes::new()).await
    }

    pub async fn post_json(&self, url: &str, body: &Value) -> Result<Answer, Error> {
        self.send(
            "POST",
            url,
            &[("content-type", "application/json")],
            Bytes::from(body.to_string()),
        )
        .await
    }

    /// An awsJson1_0 call (`X-Amz-Target: <target>`) signed for `service`.
    pub async fn aws_json(
        &self,
        url: &str,
        service: &str,
        target: &str,
        body: &Value,
    ) -> Result<Answer, Error> {
        let auth = authorization(service);
        self.send(
            "POST",
            url,
            &[
                ("content-type", "application/x-amz-json-1.0"),
                ("x-amz-target", target),
                ("authorization", &auth),
            ],
            Bytes::from(body.to_string()),
        )
        .await
    }

    /// An awsQuery call (`Action=...&Version=...`) signed for `service`.
    pub async fn aws_query(
        &self,
        url: &str,
        service: &str,
        params: &[(&str, &str)],
    ) -> Result<Answer, Error> {
        let auth = authorization(service);
        let form: Vec<String> = params
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect();
        self.send(
            "POST",
            url,
            &[
                ("content-type", "application/x-www-form-urlencoded"),
                ("authorization", &auth),
            ],
            Bytes::from(form.join("&")),
        )
        .await
    }

    /// An S3 REST `PUT` (path-style, `<url>/<bucket>[/<key>]`): creates a bucket
    /// without a key, writes an object with one.
    pub async fn s3_put(&self, url: &str, path: &str, body: Bytes) -> Result<Answer, Error> {
        let auth = authorization("s3");
        self.send(
            "PUT",
            &format!("{url}/{path}"),
            &[
                ("authorization", &auth),
                ("x-amz-content-sha256", "UNSIGNED-PAYLOAD"),
            ],
            body,
        )
        .await
    }

    async fn send(
        &self,
        method: &str,
        url: &str,
        headers: &[(&str, &str)],
        body: Bytes,
    ) -> Result<Answer, Error> {
        let mut request = Request::builder().method(method).uri(url);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let request = request
            .body(Full::new(body))
            .map_err(|e| Error::new(format!("{method} {url}: {e}")))?;
        let call = async {
            let response = self
                .client
                .request(request)
                .await
                .map_err(|e| Error::new(format!("{method} {url}: {e}")))?;
            let status = response.status().as_u16();
            let body = response
                .into_body()
                .collect()
                .await
                .map_err(|e| Error::new(format!("{method} {url}: {e}")))?
                .to_bytes();
            Ok(Answer { status, body })
        };
        tokio::time::timeout(TIMEOUT, call)
            .await
            .map_err(|_| Error::new(format!("{method} {url}: no answer in {TIMEOUT:?}")))?
    }
}

fn authorization(service: &str) -> String {
    format!(
        "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/{service}/aws4_request, SignedHeaders=host, Signature=0"
    )
}

fn encode(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, percent_encoding::NON_ALPHANUMERIC).to_string()
}
