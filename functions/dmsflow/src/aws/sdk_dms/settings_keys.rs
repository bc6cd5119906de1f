//! Reads an endpoint's engine settings object (`EndpointRequest::settings`, keyed
//! by the DMS API member names such as `ParallelLoadThreads`) one typed key at a
//! time, and refuses what is left over, so that a typo or an unsupported key is an
//! error naming the key instead of a setting silently dropped.

use serde_json::{Map, Value};

use crate::aws::fault::{AwsFault, AwsResult};

/// Keys that carry credentials or the server address. They come only from the
/// Secrets Manager secret (`SecretsManagerSecretId`), never from the spec.
const SECRET_KEYS: [&str; 10] = [
    "Username",
    "Password",
    "ServerName",
    "Port",
    "AsmUser",
    "AsmPassword",
    "AsmServer",
    "SecurityDbEncryption",
    "SecretsManagerSecretId",
    "SecretsManagerAccessRoleArn",
];

/// The settings object of one endpoint, consumed key by key.
pub(super) struct SettingsKeys {
    engine: String,
    map: Map<String, Value>,
}

impl SettingsKeys {
    /// Refuses credential and address keys before anything is read.
    pub(super) fn new(engine: &str, map: &Map<String, Value>) -> AwsResult<Self> {
        if let Some(key) = map
            .keys()
            .find(|key| SECRET_KEYS.contains(&key.as_str()) || key.starts_with("SecretsManager"))
        {
            return Err(AwsFault::Invalid(format!(
                "endpoint setting `{key}` is not accepted: credentials, server name and port \
                 come only from the Secrets Manager secret named by secret_arn"
            )));
        }
        if map.contains_key("DatabaseName") {
            return Err(AwsFault::Invalid(
                "endpoint setting `DatabaseName` is not accepted: set the endpoint's `database` \
                 field instead"
                    .into(),
            ));
        }
        Ok(Self {
            engine: engine.to_string(),
            map: map.clone(),
        })
    }

    fn wrong_type(&self, key: &str, expected: &str) -> AwsFault {
        AwsFault::Invalid(format!(
            "endpoint setting `{key}` for engine {} must be {expected}",
            self.engine
        ))
    }

    pub(super) fn string(&mut self, key: &str) -> AwsResult<Option<String>> {
        match self.map.remove(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(self.wrong_type(key, "a string")),
        }
    }

    pub(super) fn boolean(&mut self, key: &str) -> AwsResult<Option<bool>> {
        match self.map.remove(key) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(b)),
            Some(_) => Err(self.wrong_type(key, "true or false")),
        }
    }

    pub(super) fn int(&mut self, key: &str) -> AwsResult<Option<i32>> {
        match self.map.remove(key) {
            None => Ok(None),
            Some(Value::Number(n)) => n
                .as_i64()
                .and_then(|n| i32::try_from(n).ok())
                .map(Some)
                .ok_or_else(|| self.wrong_type(key, "a whole number")),
            Some(_) => Err(self.wrong_type(key, "a whole number")),
        }
    }

    /// A string that must be one of `allowed` (an SDK enum's `values()`).
    pub(super) fn choice<T: for<'a> From<&'a str>>(
        &mut self,
        key: &str,
        allowed: &[&str],
    ) -> AwsResult<Option<T>> {
        match self.string(key)? {
            None => Ok(None),
            Some(s) if allowed.contains(&s.as_str()) => Ok(Some(T::from(s.as_str()))),
            Some(s) => Err(AwsFault::Invalid(format!(
                "endpoint setting `{key}` for engine {} is `{s}`; expected one of: {}",
                self.engine,
                allowed.join(", ")
            ))),
        }
    }

    /// Fails on the first key nothing read: dmsflow does not pass it to DMS.
    pub(super) fn finish(self) -> AwsResult<()> {
        match self.map.keys().next() {
            None => Ok(()),
            Some(key) => Err(AwsFault::Invalid(format!(
                "endpoint setting `{key}` is not supported for engine {} (keys are DMS API \
                 member names, e.g. `ParallelLoadThreads`; check the spelling)",
                self.engine
            ))),
        }
    }
}
