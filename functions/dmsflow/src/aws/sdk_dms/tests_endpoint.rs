//! Endpoint creation and lookup: secrets per engine, engine settings, refusals,
//! and what goes on the wire.

use aws_sdk_databasemigration::Client;
use aws_sdk_databasemigration::operation::create_endpoint::{
    CreateEndpointInput, CreateEndpointOutput,
};
use aws_sdk_databasemigration::operation::describe_endpoints::DescribeEndpointsOutput;
use aws_sdk_databasemigration::types::{
    DmsSslModeValue, Endpoint as SdkEndpoint, PluginNameValue, ReplicationEndpointTypeValue,
    TargetDbType,
};
use aws_smithy_mocks::{Rule, mock};
use serde_json::json;

use super::convert::filter;
use super::test_support::{Wire, dms};
use crate::aws::dms::{Dms, EndpointRequest, EndpointRole, Tags};
use crate::aws::fault::AwsFault;

const SECRET: &str = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf";
const ROLE: &str = "arn:aws:iam::123456789012:role/dms-secrets";
const ENDPOINT_ARN: &str = "arn:aws:dms:eu-west-1:123456789012:endpoint:SRC";

fn request(engine: &str, settings: serde_json::Value) -> EndpointRequest {
    EndpointRequest {
        id: "run1-source".into(),
        role: EndpointRole::Source,
        engine: engine.into(),
        server: "db.internal".into(),
        port: 5432,
        database: "shop".into(),
        ssl_mode: "verify-full".into(),
        certificate_arn: Some("arn:aws:dms:eu-west-1:123456789012:cert:CA".into()),
        secret_arn: SECRET.into(),
        secret_access_role_arn: ROLE.into(),
        extra_connection_attributes: None,
        settings: settings
            .as_object()
            .cloned()
            .expect("settings are an object"),
        tags: Tags::from([("dmsflow:run".to_string(), "r1".to_string())]),
    }
}

fn created(engine: &'static str) -> impl Fn() -> CreateEndpointOutput + Send + Sync {
    move || {
        CreateEndpointOutput::builder()
            .endpoint(
                SdkEndpoint::builder()
                    .endpoint_identifier("run1-source")
                    .endpoint_arn(ENDPOINT_ARN)
                    .endpoint_type(ReplicationEndpointTypeValue::Source)
                    .engine_name(engine)
                    .status("active")
                    .build(),
            )
            .build()
    }
}

/// What every endpoint request must carry, whatever the engine.
fn common_fields(r: &CreateEndpointInput, engine: &str) -> bool {
    r.endpoint_identifier() == Some("run1-source")
        && r.endpoint_type() == Some(&ReplicationEndpointTypeValue::Source)
        && r.engine_name() == Some(engine)
        && r.ssl_mode() == Some(&DmsSslModeValue::VerifyFull)
        && r.certificate_arn() == Some("arn:aws:dms:eu-west-1:123456789012:cert:CA")
        && r.tags().len() == 1
        && r.username().is_none()
        && r.password().is_none()
        && r.server_name().is_none()
        && r.port().is_none()
}

/// No body sent carries a credential or the server address: the secret holds them.
fn assert_no_credentials_on_the_wire(wire: &Wire) {
    let bodies = wire.bodies();
    assert!(!bodies.is_empty());
    for body in bodies {
        let lower = body.to_ascii_lowercase();
        for field in ["password", "\"username\"", "\"servername\"", "\"port\""] {
            assert!(!lower.contains(field), "{field} sent in {body}");
        }
        assert!(body.contains(SECRET), "secret id missing from {body}");
    }
}

async fn refused(engine: &str, settings: serde_json::Value) -> String {
    let rule: Rule = mock!(Client::create_endpoint).then_output(created("mysql"));
    let (client, wire) = dms(&[&rule]);
    let fault = Dms::create_endpoint(&client, &request(engine, settings))
        .await
        .unwrap_err();
    assert!(wire.bodies().is_empty(), "a refused endpoint is not sent");
    match fault {
        AwsFault::Invalid(message) => message,
        other => panic!("expected Invalid, got {other:?}"),
    }
}

#[tokio::test]
async fn mysql_endpoint_takes_the_secret_and_its_settings_but_no_database_name() {
    let rule = mock!(Client::create_endpoint)
        .match_requests(|r| {
            let s = r.my_sql_settings().expect("MySQL settings");
            common_fields(r, "mysql")
                && r.database_name().is_none()
                && s.secrets_manager_secret_id() == Some(SECRET)
                && s.secrets_manager_access_role_arn() == Some(ROLE)
                && s.parallel_load_threads() == Some(4)
                && s.server_timezone() == Some("UTC")
                && s.database_name().is_none()
                && s.password().is_none()
                && r.postgre_sql_settings().is_none()
        })
        .then_output(created("mysql"));
    let (client, wire) = dms(&[&rule]);
    let settings = json!({"ParallelLoadThreads": 4, "ServerTimezone": "UTC"});
    let endpoint = Dms::create_endpoint(&client, &request("mysql", settings))
        .await
        .unwrap();
    assert_eq!(endpoint.arn, ENDPOINT_ARN);
    assert_eq!(endpoint.role, EndpointRole::Source);
    assert_eq!(endpoint.engine, "mysql");
    assert_eq!(endpoint.status, "active");
    assert_no_credentials_on_the_wire(&wire);
}

#[tokio::test]
async fn mysql_target_for_one_database_gets_the_database_name() {
    let rule = mock!(Client::create_endpoint)
        .match_requests(|r| {
            r.database_name() == Some("shop")
                && r.my_sql_settings().and_then(|s| s.target_db_type())
                    == Some(&TargetDbType::SpecificDatabase)
        })
        .then_output(created("aurora"));
    let (client, _) = dms(&[&rule]);
    let settings = json!({"TargetDbType": "specific-database"});
    Dms::create_endpoint(&client, &request("aurora", settings))
        .await
        .unwrap();
    assert_eq!(rule.num_calls(), 1);
}

#[tokio::test]
async fn postgres_endpoint_takes_the_secret_database_and_settings() {
    let rule = mock!(Client::create_endpoint)
        .match_requests(|r| {
            let s = r.postgre_sql_settings().expect("PostgreSQL settings");
            common_fields(r, "postgres")
                && r.database_name() == Some("shop")
                && s.secrets_manager_secret_id() == Some(SECRET)
                && s.secrets_manager_access_role_arn() == Some(ROLE)
                && s.heartbeat_enable() == Some(true)
                && s.heartbeat_frequency() == Some(5)
                && s.plugin_name() == Some(&PluginNameValue::Pglogical)
                && s.slot_name() == Some("dmsflow_run1")
                && r.my_sql_settings().is_none()
        })
        .then_output(created("postgres"));
    let (client, wire) = dms(&[&rule]);
    let settings = json!({
        "HeartbeatEnable": true,
        "HeartbeatFrequency": 5,
        "PluginName": "pglogical",
        "SlotName": "dmsflow_run1"
    });
    Dms::create_endpoint(&client, &request("postgres", settings))
        .await
        .unwrap();
    assert_eq!(rule.num_calls(), 1);
    assert_no_credentials_on_the_wire(&wire);
}

#[tokio::test]
async fn oracle_and_sqlserver_endpoints_take_their_own_settings_types() {
    let oracle = mock!(Client::create_endpoint)
        .match_requests(|r| {
            let s = r.oracle_settings().expect("Oracle settings");
            common_fields(r, "oracle")
                && s.secrets_manager_secret_id() == Some(SECRET)
                && s.use_logminer_reader() == Some(false)
                && s.asm_password().is_none()
        })
        .then_output(created("oracle"));
    let sqlserver = mock!(Client::create_endpoint)
        .match_requests(|r| {
            let s = r
                .microsoft_sql_server_settings()
                .expect("SQL Server settings");
            common_fields(r, "sqlserver")
                && s.secrets_manager_access_role_arn() == Some(ROLE)
                && s.read_backup_only() == Some(true)
        })
        .then_output(created("sqlserver"));
    let (client, wire) = dms(&[&oracle, &sqlserver]);
    let oracle_settings = json!({"UseLogminerReader": false});
    Dms::create_endpoint(&client, &request("oracle", oracle_settings))
        .await
        .unwrap();
    let sqlserver_settings = json!({"ReadBackupOnly": true});
    Dms::create_endpoint(&client, &request("sqlserver", sqlserver_settings))
        .await
        .unwrap();
    assert_eq!((oracle.num_calls(), sqlserver.num_calls()), (1, 1));
    assert_no_credentials_on_the_wire(&wire);
}

#[tokio::test]
async fn unknown_settings_keys_are_refused_by_name() {
    let message = refused("mysql", json!({"ParallelLoadThreads": 2, "ParalelLoad": 1})).await;
    assert!(message.contains("`ParalelLoad`"), "{message}");
    assert!(message.contains("mysql"), "{message}");
    // A key of another engine's settings type is unknown here too.
    let message = refused("postgres", json!({"ServerTimezone": "UTC"})).await;
    assert!(message.contains("`ServerTimezone`"), "{message}");
}

#[tokio::test]
async fn credential_keys_in_settings_are_refused() {
    for key in [
        "Password",
        "Username",
        "ServerName",
        "Port",
        "SecretsManagerSecretId",
    ] {
        let message = refused("postgres", json!({ key: "x" })).await;
        assert!(message.contains(key), "{message}");
        assert!(message.contains("Secrets Manager"), "{message}");
    }
}

#[tokio::test]
async fn badly_typed_settings_and_unsupported_values_are_refused() {
    let message = refused("mysql", json!({"ParallelLoadThreads": "four"})).await;
    assert!(message.contains("ParallelLoadThreads") && message.contains("whole number"));
    let message = refused("postgres", json!({"PluginName": "wal2json"})).await;
    assert!(
        message.contains("wal2json") && message.contains("pglogical"),
        "{message}"
    );
    let mut bad_ssl = request("postgres", json!({}));
    bad_ssl.ssl_mode = "maybe".into();
    let rule: Rule = mock!(Client::create_endpoint).then_output(created("postgres"));
    let (client, _) = dms(&[&rule]);
    let fault = Dms::create_endpoint(&client, &bad_ssl).await.unwrap_err();
    assert!(matches!(fault, AwsFault::Invalid(m) if m.contains("maybe")));
}

#[tokio::test]
async fn engines_without_secret_support_are_refused() {
    let message = refused("mongodb", json!({})).await;
    assert!(message.contains("mongodb"), "{message}");
    assert!(
        message.contains("postgres"),
        "lists the supported engines: {message}"
    );
}

#[tokio::test]
async fn describe_endpoint_filters_by_id_and_maps_the_role() {
    let rule = mock!(Client::describe_endpoints)
        .match_requests(|r| r.filters() == [filter("endpoint-id", "run1-target")])
        .then_output(|| {
            DescribeEndpointsOutput::builder()
                .endpoints(
                    SdkEndpoint::builder()
                        .endpoint_identifier("run1-target")
                        .endpoint_arn(ENDPOINT_ARN)
                        .endpoint_type(ReplicationEndpointTypeValue::Target)
                        .engine_name("aurora-postgresql")
                        .status("active")
                        .build(),
                )
                .build()
        });
    let (client, _) = dms(&[&rule]);
    let endpoint = client
        .describe_endpoint("run1-target")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(endpoint.role, EndpointRole::Target);
    assert_eq!(endpoint.engine, "aurora-postgresql");
    assert_eq!(endpoint.id, "run1-target");
}

/// The password check every mocked client makes does fire: the tests above
/// would catch an endpoint request that carried one.
#[tokio::test]
#[should_panic(expected = "carries a password field")]
async fn the_wire_check_catches_a_password() {
    let rule = mock!(Client::create_endpoint).then_output(created("mysql"));
    let (client, _) = dms(&[&rule]);
    let _ = client
        .create_endpoint()
        .endpoint_identifier("run1-source")
        .endpoint_type(ReplicationEndpointTypeValue::Source)
        .engine_name("mysql")
        .password("not-a-real-one")
        .send()
        .await;
}

#[test]
fn endpoint_settings_can_be_checked_before_anything_is_created() {
    use crate::aws::sdk_dms::check_endpoint_settings;
    let object = |v: serde_json::Value| v.as_object().cloned().expect("an object");
    assert_eq!(
        check_endpoint_settings("postgres", &object(json!({"HeartbeatEnable": true}))),
        Ok(())
    );
    let unknown = check_endpoint_settings("mysql", &object(json!({"HeartbeatEnable": true})));
    assert!(unknown.unwrap_err().contains("`HeartbeatEnable`"));
    let password = check_endpoint_settings("oracle", &object(json!({"AsmPassword": "x"})));
    assert!(password.unwrap_err().contains("Secrets Manager"));
    let engine = check_endpoint_settings("dynamodb", &object(json!({})));
    assert!(engine.unwrap_err().contains("dynamodb"));
}
