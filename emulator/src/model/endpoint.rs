//! Endpoints: active at once; deleting -> gone.

use serde_json::{Map, Value, json};

use super::{Tags, timing};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndpointStatus {
    Active,
    Deleting,
}

impl EndpointStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            EndpointStatus::Active => "active",
            EndpointStatus::Deleting => "deleting",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Endpoint {
    pub id: String,
    pub arn: String,
    /// `source` or `target`.
    pub endpoint_type: String,
    pub engine: String,
    pub username: Option<String>,
    pub server: Option<String>,
    pub port: Option<i64>,
    pub database: Option<String>,
    pub extra_connection_attributes: Option<String>,
    pub status: EndpointStatus,
    pub since: f64,
    pub kms_key_id: String,
    pub certificate_arn: Option<String>,
    pub ssl_mode: String,
    pub service_access_role_arn: Option<String>,
    /// Engine settings objects (e.g. `PostgreSQLSettings`), passwords removed.
    pub settings: Map<String, Value>,
    pub tags: Tags,
}

/// Engines DMS accepts, with their display names and default ports.
pub const ENGINES: &[(&str, &str, Option<i64>)] = &[
    ("mysql", "MySQL", Some(3306)),
    ("mariadb", "MariaDB", Some(3306)),
    ("aurora", "Amazon Aurora MySQL", Some(3306)),
    ("aurora-postgresql", "Amazon Aurora PostgreSQL", Some(5432)),
    ("aurora-serverless", "Amazon Aurora Serverless", Some(3306)),
    ("postgres", "PostgreSQL", Some(5432)),
    ("oracle", "Oracle", Some(1521)),
    ("sqlserver", "Microsoft SQL Server", Some(1433)),
    ("azuredb", "Microsoft Azure SQL Database", Some(1433)),
    (
        "azure-sql-managed-instance",
        "Azure SQL Managed Instance",
        Some(1433),
    ),
    ("sybase", "SAP Sybase ASE", Some(5000)),
    ("db2", "IBM Db2 LUW", Some(50000)),
    ("db2-zos", "IBM Db2 for z/OS", Some(446)),
    ("redshift", "Amazon Redshift", Some(5439)),
    (
        "redshift-serverless",
        "Amazon Redshift Serverless",
        Some(5439),
    ),
    ("babelfish", "Babelfish", Some(1433)),
    ("s3", "Amazon S3", None),
    ("dynamodb", "Amazon DynamoDB", None),
    ("mongodb", "MongoDB", Some(27017)),
    ("docdb", "Amazon DocumentDB", Some(27017)),
    ("kinesis", "Amazon Kinesis", None),
    ("kafka", "Kafka", None),
    ("elasticsearch", "Elasticsearch", None),
    ("opensearch", "Amazon OpenSearch Service", None),
    ("neptune", "Amazon Neptune", None),
    ("redis", "Redis", Some(6379)),
    ("timestream", "Amazon Timestream", None),
];

pub fn engine_info(name: &str) -> Option<(&'static str, Option<i64>)> {
    ENGINES
        .iter()
        .find(|(n, _, _)| *n == name)
        .map(|(_, display, port)| (*display, *port))
}

impl Endpoint {
    pub fn gone(&self, now: f64) -> bool {
        self.status == EndpointStatus::Deleting && now >= self.since + timing::ENDPOINT_DELETE
    }

    pub fn to_json(&self) -> Value {
        let mut v = json!({
            "EndpointIdentifier": self.id,
            // Real DMS answers upper case here (the request takes lower case).
            "EndpointType": self.endpoint_type.to_ascii_uppercase(),
            "EngineName": self.engine,
            "EngineDisplayName": engine_info(&self.engine).map(|e| e.0).unwrap_or(""),
            "Status": self.status.as_str(),
            "KmsKeyId": self.kms_key_id,
            "EndpointArn": self.arn,
            "SslMode": self.ssl_mode,
        });
        let obj = v.as_object_mut().expect("object");
        let mut put = |k: &str, val: Option<Value>| {
            if let Some(val) = val {
                obj.insert(k.to_string(), val);
            }
        };
        put("Username", self.username.clone().map(Value::String));
        put("ServerName", self.server.clone().map(Value::String));
        put("Port", self.port.map(Value::from));
        put("DatabaseName", self.database.clone().map(Value::String));
        put(
            "ExtraConnectionAttributes",
            self.extra_connection_attributes.clone().map(Value::String),
        );
        put(
            "CertificateArn",
            self.certificate_arn.clone().map(Value::String),
        );
        put(
            "ServiceAccessRoleArn",
            self.service_access_role_arn.clone().map(Value::String),
        );
        for (k, s) in &self.settings {
            obj.insert(k.clone(), s.clone());
        }
        v
    }
}
