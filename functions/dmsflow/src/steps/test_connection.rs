//! test-connection: tests the connection from the run's replication instance to
//! each endpoint, and reports `done` when both are `successful`.
//!
//! For each endpoint: no connection yet -> start a test (`TestConnection`);
//! `testing` -> wait; `successful` -> fine (a success from before the loop is kept,
//! no second test); `failed` -> the run ends with `ConnectionTestFailed`, naming the
//! endpoint and carrying DMS's `LastFailureMessage`, but only when the failed test
//! is one this loop started. DMS keeps the result of the last test of an
//! (instance, endpoint) pair, so a `failed` seen before this loop started a test is
//! stale (an earlier run, before a security group was fixed): it is tested again
//! once. The count of tests this loop started travels in the report
//! (`tests_started`), which the next call receives as `previous`.
//! Bounded by `polling.connection_timeout_minutes`.
//!
//! DMS Serverless has no instance to test from: it tests both endpoints itself
//! when the replication starts, in its `testing_connection` stage ("AWS DMS
//! Serverless ... tests the source and target connections", user guide, DMS
//! Serverless components; docs/dms-serverless.md), and a failed test fails the
//! replication with "Test connection failed for endpoint ..." in its failure
//! messages. For a serverless run the step says so and is done; check-progress
//! reports such a failure as `ConnectionTestFailed`, with the same advice.

use std::time::SystemTime;

use serde::{Deserialize, Serialize};

use super::{StepInput, StepReport, read};
use crate::aws::Dms;
use crate::aws::dms::{Connection, Endpoint, Instance};
use crate::deadline;
use crate::error::{ErrorKind, StepError, StepResult};
use crate::naming::Names;
use crate::spec::{Compute, EndpointSpec, MigrationSpec, SslMode};

/// What test-connection reports besides the common fields.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ConnectionsDetail {
    /// The source endpoint's connection, then the target's.
    pub connections: Vec<ConnectionState>,
}

/// One endpoint's connection from the replication instance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConnectionState {
    /// source or target.
    pub role: String,
    /// The endpoint's identifier.
    pub endpoint: String,
    /// testing, successful, failed, deleting; `not tested` before the first test,
    /// `waiting for the endpoint` while the endpoint is not active.
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_failure_message: Option<String>,
    /// Connection tests this loop started for this endpoint.
    #[serde(default)]
    pub tests_started: u32,
}

/// Tests both connections; see the module documentation.
pub async fn handle<D: Dms>(
    dms: &D,
    input: StepInput,
    now: SystemTime,
) -> StepResult<StepReport<ConnectionsDetail>> {
    let spec = input.spec()?;
    let names = Names::for_run(&spec.run_id);
    if spec.compute == Compute::Serverless {
        return Ok(tested_by_dms(&names));
    }
    let previous: ConnectionsDetail = read::previous(&input).unwrap_or_default();
    let instance = read::instance(dms, &names).await?;
    let mut actions = Vec::new();
    let mut connections = Vec::new();
    if instance.status == "available" {
        for id in [&names.source_endpoint, &names.target_endpoint] {
            let started = previous
                .connections
                .iter()
                .find(|c| &c.endpoint == id)
                .map_or(0, |c| c.tests_started);
            let endpoint = read::endpoint(dms, id).await?;
            let state = reconcile(dms, &instance, &endpoint, started, &mut actions).await?;
            connections.push(state);
        }
    }

    let failures: Vec<String> = connections
        .iter()
        .filter(|c| c.status == "failed")
        .map(|c| failure_text(&spec, &names, c))
        .collect();
    if !failures.is_empty() {
        return Err(StepError::new(
            ErrorKind::ConnectionTestFailed,
            failures.join(" "),
        ));
    }
    let done = connections.len() == 2 && connections.iter().all(|c| c.status == "successful");
    let waiting_for = (!done).then(|| waiting_text(&instance, &connections));
    if !done {
        deadline::check(
            input.loop_started_at.as_deref(),
            now,
            deadline::minutes(spec.polling.connection_timeout_minutes),
            "the connection tests",
            "connection_timeout_minutes",
        )?;
    }
    Ok(StepReport::new(
        done,
        actions,
        waiting_for,
        spec.polling.min_wait_seconds,
        ConnectionsDetail { connections },
    ))
}

/// A serverless run's report: DMS tests the connections when the replication starts.
fn tested_by_dms(names: &Names) -> StepReport<ConnectionsDetail> {
    let connections = [
        ("source", &names.source_endpoint),
        ("target", &names.target_endpoint),
    ]
    .map(|(role, endpoint)| ConnectionState {
        role: role.into(),
        endpoint: endpoint.clone(),
        status: TESTED_AT_START.into(),
        last_failure_message: None,
        tests_started: 0,
    })
    .to_vec();
    StepReport::new(
        true,
        vec![format!(
            "DMS Serverless tests the connections to {} and {} itself when replication config {} \
             starts (stage testing_connection); a failed test is reported by the progress check",
            names.source_endpoint, names.target_endpoint, names.task
        )],
        None,
        0,
        ConnectionsDetail { connections },
    )
}

/// A serverless endpoint's connection status in the report.
pub const TESTED_AT_START: &str = "tested by DMS when the replication starts";

/// Looks at one endpoint's connection and starts a test when one is due.
async fn reconcile<D: Dms>(
    dms: &D,
    instance: &Instance,
    endpoint: &Endpoint,
    tests_started: u32,
    actions: &mut Vec<String>,
) -> StepResult<ConnectionState> {
    let mut state = ConnectionState {
        role: endpoint.role.as_str().to_string(),
        endpoint: endpoint.id.clone(),
        status: "waiting for the endpoint".into(),
        last_failure_message: None,
        tests_started,
    };
    if endpoint.status != "active" {
        return Ok(state);
    }
    let context = format!(
        "reading the connection from replication instance {} to endpoint {}",
        instance.id, endpoint.id
    );
    let connection = dms
        .describe_connection(&instance.arn, &endpoint.arn)
        .await
        .map_err(|f| f.into_step_error(&context))?;
    let due = match &connection {
        None => true,
        // A failure this loop did not cause is stale: test once more.
        Some(c) => c.status == "failed" && tests_started == 0,
    };
    if due {
        dms.test_connection(&instance.arn, &endpoint.arn)
            .await
            .map_err(|f| {
                f.into_step_error(&format!(
                    "starting the connection test from replication instance {} to endpoint {}",
                    instance.id, endpoint.id
                ))
            })?;
        actions.push(format!(
            "started a connection test from replication instance {} to the {} endpoint {}",
            instance.id, state.role, endpoint.id
        ));
        state.status = "testing".into();
        state.tests_started += 1;
        return Ok(state);
    }
    if let Some(Connection {
        status,
        last_failure_message,
        ..
    }) = connection
    {
        state.status = status;
        state.last_failure_message = last_failure_message;
    }
    Ok(state)
}

fn waiting_text(instance: &Instance, connections: &[ConnectionState]) -> String {
    if connections.is_empty() {
        return format!(
            "replication instance {} to be available (status {})",
            instance.id, instance.status
        );
    }
    let pending: Vec<String> = connections
        .iter()
        .filter(|c| c.status != "successful")
        .map(|c| format!("{} endpoint {}: {}", c.role, c.endpoint, c.status))
        .collect();
    format!("the connection tests ({})", pending.join("; "))
}

fn ssl_mode_name(mode: SslMode) -> &'static str {
    match mode {
        SslMode::None => "none",
        SslMode::Require => "require",
        SslMode::VerifyCa => "verify-ca",
        SslMode::VerifyFull => "verify-full",
    }
}

/// What failed and what to check, for one endpoint. No secret value: only the
/// secret's ARN, which the spec holds.
pub fn failure_text(spec: &MigrationSpec, names: &Names, connection: &ConnectionState) -> String {
    let side: &EndpointSpec = if connection.endpoint == names.source_endpoint {
        &spec.source
    } else {
        &spec.target
    };
    let dms_says = connection
        .last_failure_message
        .as_deref()
        .filter(|m| !m.trim().is_empty())
        .unwrap_or("DMS gave no failure message");
    format!(
        "The {role} endpoint {id} ({engine} at {server}:{port}, database {database}) failed its connection test from {from}: {dms_says}. Check that the {who}'s security groups allow outbound traffic to {server}:{port} and the database's security group admits the {who}, that network ACLs and route tables let the subnets reach the server, that the secret {secret} holds the right username and password (and the role {role_arn} may read it), and that the server accepts SSL mode {ssl}.",
        role = connection.role,
        id = connection.endpoint,
        engine = side.engine,
        server = side.server,
        port = side.port,
        database = side.database,
        from = match spec.compute {
            Compute::Instance => format!("replication instance {}", names.instance),
            Compute::Serverless => format!("DMS Serverless replication config {}", names.task),
        },
        who = match spec.compute {
            Compute::Instance => "instance",
            Compute::Serverless => "replication",
        },
        secret = side.secret_arn,
        role_arn = side.secret_access_role_arn,
        ssl = ssl_mode_name(side.ssl_mode),
    )
}

#[cfg(test)]
#[path = "test_connection_tests.rs"]
mod tests;
