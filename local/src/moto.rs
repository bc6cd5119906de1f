//! moto_server: Step Functions (with the real ASL interpreter switched on) and SNS.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::Error;
use crate::http::Http;
use crate::process::Child;

/// A running moto_server.
pub struct Moto {
    pub url: String,
    pub child: Child,
}

/// One message moto recorded as published to a topic.
#[derive(Debug, Clone, PartialEq)]
pub struct Published {
    pub topic_arn: String,
    pub message_id: String,
    pub subject: Option<String>,
    pub message: String,
}

impl Published {
    /// The JSON document of a message published with `MessageStructure: json`
    /// (what SQS, Lambda and HTTPS subscribers receive), or the message itself
    /// when it is plain JSON.
    pub fn json(&self) -> Option<Value> {
        let message: Value = serde_json::from_str(&self.message).ok()?;
        match message.get("sqs").and_then(Value::as_str) {
            Some(document) => serde_json::from_str(document).ok(),
            None => Some(message),
        }
    }

    /// What e-mail subscribers receive: the `email` text of a structured message,
    /// or the message itself.
    pub fn email_text(&self) -> String {
        serde_json::from_str::<Value>(&self.message)
            .ok()
            .and_then(|m| m.get("email").and_then(Value::as_str).map(str::to_string))
            .unwrap_or_else(|| self.message.clone())
    }
}

impl Moto {
    /// Starts `.venv/bin/moto_server` on `port`; the interpreter sends every
    /// service call (Lambda, SNS) to `MOTO_PORT` = `router_port`. Waits until it
    /// answers, then switches on real state machine execution.
    pub async fn start(
        http: &Http,
        venv_bin: &Path,
        port: u16,
        router_port: u16,
        log: &Path,
    ) -> Result<Moto, Error> {
        let program = venv_bin.join("moto_server");
        let mut command = Command::new(&program);
        command
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", std::env::temp_dir())
            .env("LANG", "C.UTF-8")
            .env("MOTO_PORT", router_port.to_string())
            .env("AWS_ACCESS_KEY_ID", "test")
            .env("AWS_SECRET_ACCESS_KEY", "test")
            .env("AWS_DEFAULT_REGION", "us-east-1")
            .env("AWS_CONFIG_FILE", "/dev/null")
            .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null");
        let mut child = Child::spawn("moto_server", command, log)?;
        let url = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            child.check_running()?;
            if let Ok(answer) = http.get(&format!("{url}/moto-api/data.json")).await
                && answer.status == 200
            {
                break;
            }
            if Instant::now() > deadline {
                return Err(Error::new(format!(
                    "moto_server did not answer on {url} within 60 s (log {})",
                    log.display()
                )));
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        let moto = Moto { url, child };
        moto.execute_state_machines(http).await?;
        Ok(moto)
    }

    /// `{"stepfunctions": {"execute_state_machine": true}}`: must come before any
    /// state machine is created (it switches to another backend).
    async fn execute_state_machines(&self, http: &Http) -> Result<(), Error> {
        http.post_json(
            &format!("{}/moto-api/config", self.url),
            &json!({"stepfunctions": {"execute_state_machine": true}}),
        )
        .await?
        .ok("switching on moto's state machine interpreter")?;
        Ok(())
    }

    /// Every message published to any topic, merged by topic ARN (moto may list a
    /// topic twice), oldest first per topic.
    pub async fn published(&self, http: &Http) -> Result<Vec<Published>, Error> {
        crate::sfn::Sfn {
            http: http.clone(),
            url: self.url.clone(),
        }
        .published()
        .await
    }
}

/// The published messages in moto's `/moto-api/data.json`.
pub fn published_in(data: &Value) -> Vec<Published> {
    let mut by_topic: BTreeMap<String, Vec<Published>> = BTreeMap::new();
    let topics = data
        .pointer("/sns/Topic")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    for topic in topics {
        let Some(arn) = topic.get("arn").and_then(Value::as_str) else {
            continue;
        };
        let sent = topic
            .get("sent_notifications")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let list = by_topic.entry(arn.to_string()).or_default();
        for note in sent {
            // [message_id, message, subject, message_attributes, group_id]
            let message_id = note[0].as_str().unwrap_or_default().to_string();
            if list.iter().any(|p| p.message_id == message_id) {
                continue;
            }
            list.push(Published {
                topic_arn: arn.to_string(),
                message_id,
                message: note[1].as_str().unwrap_or_default().to_string(),
                subject: note[2].as_str().map(str::to_string),
            });
        }
    }
    by_topic.into_values().flatten().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notifications_are_merged_by_topic_arn_without_duplicates() {
        let data = json!({"sns": {"Topic": [
            {"arn": "arn:t", "sent_notifications": [["m1", "{\"a\":1}", "s1", {}, null]]},
            {"arn": "arn:t", "sent_notifications": [["m1", "{\"a\":1}", "s1", {}, null], ["m2", "x", null, {}, null]]},
            {"arn": "arn:u", "sent_notifications": []}
        ]}});
        let found = published_in(&data);
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].json(), Some(json!({"a": 1})));
        assert_eq!(found[0].subject.as_deref(), Some("s1"));
        assert_eq!(found[1].subject, None);
        assert!(published_in(&json!({})).is_empty());
    }
}
