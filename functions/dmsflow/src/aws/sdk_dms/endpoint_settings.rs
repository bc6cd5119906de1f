//! The engine-specific settings of `CreateEndpoint`, with credentials taken only
//! from Secrets Manager.
//!
//! The DMS API reference for each settings type (`MySQLSettings`,
//! `PostgreSQLSettings`, `OracleSettings`, `MicrosoftSQLServerSettings`, ...)
//! says of `SecretsManagerAccessRoleArn`: "You can specify the values for this
//! setting and SecretsManagerSecretId. Or you can specify clear-text values for
//! UserName, Password, ServerName, and Port. You can't specify both." So with a
//! secret the endpoint carries no user name, password, server name or port: the
//! secret holds `username`, `password`, `host` and `port` (DMS user guide, "Using
//! secrets to access AWS Database Migration Service endpoints").
//! `EndpointRequest::server` and `port` are therefore not sent to DMS.

use aws_sdk_databasemigration::operation::create_endpoint::builders::CreateEndpointFluentBuilder;
use aws_sdk_databasemigration::types::{
    CharLengthSemantics, DatabaseMode, EncryptionModeValue, IbmDb2Settings, LongVarcharMappingType,
    MicrosoftSqlServerSettings, MySqlSettings, OracleSettings, PluginNameValue, PostgreSqlSettings,
    RedshiftSettings, SafeguardPolicy, SybaseSettings, TargetDbType, TlogAccessMode,
};

use serde_json::{Map, Value};

use super::settings_keys::SettingsKeys;
use crate::aws::dms::EndpointRequest;
use crate::aws::fault::{AwsFault, AwsResult};

/// Engines whose endpoints dmsflow can create (those whose DMS settings type
/// takes a Secrets Manager secret).
pub const SECRET_ENGINES: [&str; 10] = [
    "mysql",
    "mariadb",
    "aurora",
    "postgres",
    "aurora-postgresql",
    "oracle",
    "sqlserver",
    "sybase",
    "db2",
    "redshift",
];

/// The settings object of one engine, ready for `CreateEndpoint`.
enum EngineSettings {
    MySql(MySqlSettings),
    PostgreSql(PostgreSqlSettings),
    Oracle(OracleSettings),
    SqlServer(MicrosoftSqlServerSettings),
    Sybase(SybaseSettings),
    Db2(IbmDb2Settings),
    Redshift(RedshiftSettings),
}

/// The engine's settings type with the secret and the spec's settings, or
/// `AwsFault::Invalid` naming the engine or key that cannot be sent.
fn engine_settings(
    engine: &str,
    settings: &Map<String, Value>,
    secret: &str,
    role: &str,
) -> AwsResult<EngineSettings> {
    let mut keys = SettingsKeys::new(engine, settings)?;
    let built = match engine {
        "mysql" | "mariadb" | "aurora" => EngineSettings::MySql(mysql(&mut keys, secret, role)?),
        "postgres" | "aurora-postgresql" => {
            EngineSettings::PostgreSql(postgres(&mut keys, secret, role)?)
        }
        "oracle" => EngineSettings::Oracle(oracle(&mut keys, secret, role)?),
        "sqlserver" => EngineSettings::SqlServer(sqlserver(&mut keys, secret, role)?),
        "sybase" => EngineSettings::Sybase(
            SybaseSettings::builder()
                .secrets_manager_secret_id(secret)
                .secrets_manager_access_role_arn(role)
                .build(),
        ),
        "db2" => EngineSettings::Db2(db2(&mut keys, secret, role)?),
        "redshift" => EngineSettings::Redshift(redshift(&mut keys, secret, role)?),
        other => {
            return Err(AwsFault::Invalid(format!(
                "engine `{other}` cannot take its credentials from a Secrets Manager secret in \
                 dmsflow; supported engines: {}",
                SECRET_ENGINES.join(", ")
            )));
        }
    };
    keys.finish()?;
    Ok(built)
}

/// Checks an endpoint's engine and settings object the way endpoint creation
/// will, without calling AWS, so a spec can be refused before anything is
/// created. The error says which engine or key is refused and why.
pub fn check_endpoint_settings(engine: &str, settings: &Map<String, Value>) -> Result<(), String> {
    match engine_settings(engine, settings, "", "") {
        Ok(_) => Ok(()),
        Err(AwsFault::Invalid(message)) => Err(message),
        Err(other) => Err(format!("{other:?}")),
    }
}

/// Adds the database name and the engine's settings (secret plus the spec's
/// settings) to a `CreateEndpoint` call.
pub(super) fn apply(
    call: CreateEndpointFluentBuilder,
    request: &EndpointRequest,
) -> AwsResult<CreateEndpointFluentBuilder> {
    let settings = engine_settings(
        &request.engine,
        &request.settings,
        &request.secret_arn,
        &request.secret_access_role_arn,
    )?;
    let database = request.database.as_str();
    Ok(match settings {
        EngineSettings::MySql(settings) => {
            // MySQLSettings.DatabaseName: "For a MySQL source or target endpoint, don't
            // explicitly specify the database ... Specifying DatabaseName ... replicates
            // all the task tables to this single database." Only a target that asks for
            // TargetDbType SPECIFIC_DATABASE gets one.
            let call = if settings.target_db_type() == Some(&TargetDbType::SpecificDatabase) {
                call.database_name(database)
            } else {
                call
            };
            call.my_sql_settings(settings)
        }
        EngineSettings::PostgreSql(s) => call.database_name(database).postgre_sql_settings(s),
        EngineSettings::Oracle(s) => call.database_name(database).oracle_settings(s),
        EngineSettings::SqlServer(s) => call
            .database_name(database)
            .microsoft_sql_server_settings(s),
        EngineSettings::Sybase(s) => call.database_name(database).sybase_settings(s),
        EngineSettings::Db2(s) => call.database_name(database).ibm_db2_settings(s),
        EngineSettings::Redshift(s) => call.database_name(database).redshift_settings(s),
    })
}

fn mysql(keys: &mut SettingsKeys, secret: &str, role: &str) -> AwsResult<MySqlSettings> {
    Ok(MySqlSettings::builder()
        .secrets_manager_secret_id(secret)
        .secrets_manager_access_role_arn(role)
        .set_after_connect_script(keys.string("AfterConnectScript")?)
        .set_clean_source_metadata_on_mismatch(keys.boolean("CleanSourceMetadataOnMismatch")?)
        .set_events_poll_interval(keys.int("EventsPollInterval")?)
        .set_target_db_type(keys.choice("TargetDbType", TargetDbType::values())?)
        .set_max_file_size(keys.int("MaxFileSize")?)
        .set_parallel_load_threads(keys.int("ParallelLoadThreads")?)
        .set_server_timezone(keys.string("ServerTimezone")?)
        .set_execute_timeout(keys.int("ExecuteTimeout")?)
        .build())
}

fn postgres(keys: &mut SettingsKeys, secret: &str, role: &str) -> AwsResult<PostgreSqlSettings> {
    Ok(PostgreSqlSettings::builder()
        .secrets_manager_secret_id(secret)
        .secrets_manager_access_role_arn(role)
        .set_after_connect_script(keys.string("AfterConnectScript")?)
        .set_capture_ddls(keys.boolean("CaptureDdls")?)
        .set_max_file_size(keys.int("MaxFileSize")?)
        .set_ddl_artifacts_schema(keys.string("DdlArtifactsSchema")?)
        .set_execute_timeout(keys.int("ExecuteTimeout")?)
        .set_fail_tasks_on_lob_truncation(keys.boolean("FailTasksOnLobTruncation")?)
        .set_heartbeat_enable(keys.boolean("HeartbeatEnable")?)
        .set_heartbeat_schema(keys.string("HeartbeatSchema")?)
        .set_heartbeat_frequency(keys.int("HeartbeatFrequency")?)
        .set_slot_name(keys.string("SlotName")?)
        .set_plugin_name(keys.choice("PluginName", PluginNameValue::values())?)
        .set_trim_space_in_char(keys.boolean("TrimSpaceInChar")?)
        .set_map_boolean_as_boolean(keys.boolean("MapBooleanAsBoolean")?)
        .set_map_jsonb_as_clob(keys.boolean("MapJsonbAsClob")?)
        .set_map_long_varchar_as(keys.choice("MapLongVarcharAs", LongVarcharMappingType::values())?)
        .set_database_mode(keys.choice("DatabaseMode", DatabaseMode::values())?)
        .set_babelfish_database_name(keys.string("BabelfishDatabaseName")?)
        .set_disable_unicode_source_filter(keys.boolean("DisableUnicodeSourceFilter")?)
        .build())
}

fn oracle(keys: &mut SettingsKeys, secret: &str, role: &str) -> AwsResult<OracleSettings> {
    Ok(OracleSettings::builder()
        .secrets_manager_secret_id(secret)
        .secrets_manager_access_role_arn(role)
        .set_add_supplemental_logging(keys.boolean("AddSupplementalLogging")?)
        .set_archived_log_dest_id(keys.int("ArchivedLogDestId")?)
        .set_additional_archived_log_dest_id(keys.int("AdditionalArchivedLogDestId")?)
        .set_allow_select_nested_tables(keys.boolean("AllowSelectNestedTables")?)
        .set_parallel_asm_read_threads(keys.int("ParallelAsmReadThreads")?)
        .set_read_ahead_blocks(keys.int("ReadAheadBlocks")?)
        .set_access_alternate_directly(keys.boolean("AccessAlternateDirectly")?)
        .set_use_alternate_folder_for_online(keys.boolean("UseAlternateFolderForOnline")?)
        .set_oracle_path_prefix(keys.string("OraclePathPrefix")?)
        .set_use_path_prefix(keys.string("UsePathPrefix")?)
        .set_replace_path_prefix(keys.boolean("ReplacePathPrefix")?)
        .set_enable_homogenous_tablespace(keys.boolean("EnableHomogenousTablespace")?)
        .set_direct_path_no_log(keys.boolean("DirectPathNoLog")?)
        .set_archived_logs_only(keys.boolean("ArchivedLogsOnly")?)
        .set_char_length_semantics(
            keys.choice("CharLengthSemantics", CharLengthSemantics::values())?,
        )
        .set_direct_path_parallel_load(keys.boolean("DirectPathParallelLoad")?)
        .set_fail_tasks_on_lob_truncation(keys.boolean("FailTasksOnLobTruncation")?)
        .set_number_datatype_scale(keys.int("NumberDatatypeScale")?)
        .set_read_table_space_name(keys.boolean("ReadTableSpaceName")?)
        .set_retry_interval(keys.int("RetryInterval")?)
        .set_spatial_data_option_to_geo_json_function_name(
            keys.string("SpatialDataOptionToGeoJsonFunctionName")?,
        )
        .set_standby_delay_time(keys.int("StandbyDelayTime")?)
        .set_use_b_file(keys.boolean("UseBFile")?)
        .set_use_direct_path_full_load(keys.boolean("UseDirectPathFullLoad")?)
        .set_use_logminer_reader(keys.boolean("UseLogminerReader")?)
        .set_trim_space_in_char(keys.boolean("TrimSpaceInChar")?)
        .set_convert_timestamp_with_zone_to_utc(keys.boolean("ConvertTimestampWithZoneToUTC")?)
        .set_open_transaction_window(keys.int("OpenTransactionWindow")?)
        .build())
}

fn sqlserver(
    keys: &mut SettingsKeys,
    secret: &str,
    role: &str,
) -> AwsResult<MicrosoftSqlServerSettings> {
    Ok(MicrosoftSqlServerSettings::builder()
        .secrets_manager_secret_id(secret)
        .secrets_manager_access_role_arn(role)
        .set_bcp_packet_size(keys.int("BcpPacketSize")?)
        .set_control_tables_file_group(keys.string("ControlTablesFileGroup")?)
        .set_query_single_always_on_node(keys.boolean("QuerySingleAlwaysOnNode")?)
        .set_read_backup_only(keys.boolean("ReadBackupOnly")?)
        .set_safeguard_policy(keys.choice("SafeguardPolicy", SafeguardPolicy::values())?)
        .set_use_bcp_full_load(keys.boolean("UseBcpFullLoad")?)
        .set_use_third_party_backup_device(keys.boolean("UseThirdPartyBackupDevice")?)
        .set_trim_space_in_char(keys.boolean("TrimSpaceInChar")?)
        .set_tlog_access_mode(keys.choice("TlogAccessMode", TlogAccessMode::values())?)
        .set_force_lob_lookup(keys.boolean("ForceLobLookup")?)
        .build())
}

fn db2(keys: &mut SettingsKeys, secret: &str, role: &str) -> AwsResult<IbmDb2Settings> {
    Ok(IbmDb2Settings::builder()
        .secrets_manager_secret_id(secret)
        .secrets_manager_access_role_arn(role)
        .set_set_data_capture_changes(keys.boolean("SetDataCaptureChanges")?)
        .set_current_lsn(keys.string("CurrentLsn")?)
        .set_max_k_bytes_per_read(keys.int("MaxKBytesPerRead")?)
        .set_load_timeout(keys.int("LoadTimeout")?)
        .set_write_buffer_size(keys.int("WriteBufferSize")?)
        .set_max_file_size(keys.int("MaxFileSize")?)
        .set_keep_csv_files(keys.boolean("KeepCsvFiles")?)
        .build())
}

fn redshift(keys: &mut SettingsKeys, secret: &str, role: &str) -> AwsResult<RedshiftSettings> {
    Ok(RedshiftSettings::builder()
        .secrets_manager_secret_id(secret)
        .secrets_manager_access_role_arn(role)
        .set_accept_any_date(keys.boolean("AcceptAnyDate")?)
        .set_after_connect_script(keys.string("AfterConnectScript")?)
        .set_bucket_folder(keys.string("BucketFolder")?)
        .set_bucket_name(keys.string("BucketName")?)
        .set_case_sensitive_names(keys.boolean("CaseSensitiveNames")?)
        .set_comp_update(keys.boolean("CompUpdate")?)
        .set_connection_timeout(keys.int("ConnectionTimeout")?)
        .set_date_format(keys.string("DateFormat")?)
        .set_empty_as_null(keys.boolean("EmptyAsNull")?)
        .set_encryption_mode(keys.choice("EncryptionMode", EncryptionModeValue::values())?)
        .set_explicit_ids(keys.boolean("ExplicitIds")?)
        .set_file_transfer_upload_streams(keys.int("FileTransferUploadStreams")?)
        .set_load_timeout(keys.int("LoadTimeout")?)
        .set_max_file_size(keys.int("MaxFileSize")?)
        .set_remove_quotes(keys.boolean("RemoveQuotes")?)
        .set_replace_invalid_chars(keys.string("ReplaceInvalidChars")?)
        .set_replace_chars(keys.string("ReplaceChars")?)
        .set_service_access_role_arn(keys.string("ServiceAccessRoleArn")?)
        .set_server_side_encryption_kms_key_id(keys.string("ServerSideEncryptionKmsKeyId")?)
        .set_time_format(keys.string("TimeFormat")?)
        .set_trim_blanks(keys.boolean("TrimBlanks")?)
        .set_truncate_columns(keys.boolean("TruncateColumns")?)
        .set_write_buffer_size(keys.int("WriteBufferSize")?)
        .set_map_boolean_as_boolean(keys.boolean("MapBooleanAsBoolean")?)
        .build())
}
