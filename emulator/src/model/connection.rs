//! Connections made by TestConnection: testing -> successful | failed.

use serde_json::{Value, json};

use super::{World, timing};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnectionStatus {
    Testing,
    Successful,
    Failed,
    Deleting,
}

impl ConnectionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ConnectionStatus::Testing => "testing",
            ConnectionStatus::Successful => "successful",
            ConnectionStatus::Failed => "failed",
            ConnectionStatus::Deleting => "deleting",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Connection {
    pub instance_arn: String,
    pub endpoint_arn: String,
    pub status: ConnectionStatus,
    pub since: f64,
    /// Decided when the test starts: the failure message, if it will fail.
    pub will_fail: Option<String>,
    pub last_failure: Option<String>,
}

impl Connection {
    pub fn advance(&mut self, now: f64) {
        if self.status == ConnectionStatus::Testing && now >= self.since + timing::CONNECTION_TEST {
            self.since += timing::CONNECTION_TEST;
            match self.will_fail.take() {
                Some(msg) => {
                    self.status = ConnectionStatus::Failed;
                    self.last_failure = Some(msg);
                }
                None => {
                    self.status = ConnectionStatus::Successful;
                    self.last_failure = None;
                }
            }
        }
    }

    pub fn gone(&self, now: f64) -> bool {
        self.status == ConnectionStatus::Deleting && now >= self.since + timing::CONNECTION_DELETE
    }

    pub fn to_json(&self, world: &World) -> Value {
        let mut v = json!({
            "ReplicationInstanceArn": self.instance_arn,
            "EndpointArn": self.endpoint_arn,
            "Status": self.status.as_str(),
        });
        let obj = v.as_object_mut().expect("object");
        if let Some(m) = &self.last_failure {
            obj.insert("LastFailureMessage".into(), json!(m));
        }
        if let Some(e) = world.endpoint(&self.endpoint_arn) {
            obj.insert("EndpointIdentifier".into(), json!(e.id));
        }
        if let Some(i) = world.instance(&self.instance_arn) {
            obj.insert("ReplicationInstanceIdentifier".into(), json!(i.id));
        }
        v
    }
}

/// A realistic failure message for a connection test against this endpoint.
pub fn failure_message(engine: &str, server: &str, port: Option<i64>) -> String {
    let port = port.map(|p| p.to_string()).unwrap_or_default();
    match engine {
        "mysql" | "mariadb" | "aurora" | "aurora-serverless" => format!(
            "Test Endpoint failed: Application-Status: 1020912, Application-Message: Cannot connect to ODBC provider ODBC general error., Application-Detailed-Message: RetCode: SQL_ERROR SqlState: HY000 NativeError: 2003 Message: [unixODBC][MySQL][ODBC 8.0(w) Driver]Can't connect to MySQL server on '{server}' (110)"
        ),
        "postgres" | "aurora-postgresql" => format!(
            "Test Endpoint failed: Application-Status: 1020912, Application-Message: Cannot connect to ODBC provider Network error has occurred, Application-Detailed-Message: RetCode: SQL_ERROR SqlState: 08001 NativeError: 101 Message: could not connect to server: Connection timed out Is the server running on host \"{server}\" and accepting TCP/IP connections on port {port}?"
        ),
        "sqlserver" | "azuredb" | "babelfish" => format!(
            "Test Endpoint failed: Application-Status: 1020912, Application-Message: Failed to connect Network error has occurred, Application-Detailed-Message: RetCode: SQL_ERROR SqlState: HYT00 NativeError: 0 Message: [unixODBC][Microsoft][ODBC Driver 17 for SQL Server]Login timeout expired (server {server},{port})"
        ),
        "oracle" => format!(
            "Test Endpoint failed: Application-Status: 1020912, Application-Message: Cannot connect to ODBC provider ORA-12170: TNS:Connect timeout occurred, Application-Detailed-Message: OCI error 'ORA-12170: TNS:Connect timeout occurred' (host {server}, port {port})"
        ),
        "s3" => "Test Endpoint failed: Application-Status: 1020414, Application-Message: Failed to connect to database., Application-Detailed-Message: Access Denied: the service access role cannot access the bucket".to_string(),
        _ => format!(
            "Test Endpoint failed: Application-Status: 1020912, Application-Message: Cannot connect to ODBC provider Network error has occurred, Application-Detailed-Message: connection to {server}:{port} timed out"
        ),
    }
}
