//! Semantic checks of a spec: what its types alone cannot say (names, ARNs,
//! plaintext passwords, consistent choices). Every check runs and every problem is
//! collected; none stops at the first.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::mappings;
use super::parse::{SpecProblem, index, is_password_key, join, not_allowed, shorten};
use super::{
    Completion, CompletionCriterion, EndpointSpec, InstanceSpec, MigrationSpec, MigrationType,
    Network, Notifications, Polling, SslMode, ValidationSpec,
};
use crate::aws::sdk_dms::SECRET_ENGINES;

/// How to fix a plaintext password, wherever it appears.
pub const PASSWORD_FIX: &str = "remove it: store the database credentials in a Secrets Manager secret and \
give its ARN as `secret_arn` and the ARN of a role DMS can assume to read it as \
`secret_access_role_arn` (the spec is kept in the Step Functions execution history, readable for 90 days)";

/// Longest `run_id`: `dmsflow-<run_id>-subnets` must fit DMS's 63-character identifiers.
pub const MAX_RUN_ID_LEN: usize = 40;

/// DMS engine names (`EngineName` of CreateEndpoint).
pub const ENGINES: [&str; 29] = [
    "mysql",
    "oracle",
    "postgres",
    "mariadb",
    "aurora",
    "aurora-postgresql",
    "opensearch",
    "redshift",
    "redshift-serverless",
    "s3",
    "db2",
    "db2-zos",
    "azuredb",
    "sybase",
    "dynamodb",
    "mongodb",
    "kinesis",
    "kafka",
    "elasticsearch",
    "docdb",
    "sqlserver",
    "neptune",
    "babelfish",
    "aurora-serverless",
    "aurora-postgresql-serverless",
    "gcp-mysql",
    "azure-sql-managed-instance",
    "redis",
    "dms-transfer",
];

/// DMS event categories of replication instances and tasks.
pub const EVENT_CATEGORIES: [&str; 8] = [
    "configuration change",
    "creation",
    "deletion",
    "failover",
    "failure",
    "low storage",
    "maintenance",
    "state change",
];

/// The parts of a spec the semantic checks read. A part is `None` when the
/// structural pass found a problem that keeps it from being read; checks that need
/// it are then skipped (its problems are already reported).
#[derive(Debug, Clone, Default)]
pub struct SpecParts {
    pub run_id: Option<String>,
    pub tags: Option<BTreeMap<String, String>>,
    pub network: Option<Network>,
    pub instance: Option<InstanceSpec>,
    /// Whether the spec names an `instance` section (not only its defaults).
    pub instance_given: bool,
    pub compute: Option<super::Compute>,
    /// The `serverless` section, when readable (`Some(None)`: absent).
    pub serverless: Option<Option<super::ServerlessSpec>>,
    pub source: Option<EndpointSpec>,
    pub target: Option<EndpointSpec>,
    pub table_mappings: Option<Value>,
    pub migration_type: Option<MigrationType>,
    pub task_settings: Option<Map<String, Value>>,
    pub validation: Option<ValidationSpec>,
    pub assessment: Option<super::assessment::AssessmentSpec>,
    pub notifications: Option<Notifications>,
    pub completion: Option<Completion>,
    pub polling: Option<Polling>,
}

impl From<&MigrationSpec> for SpecParts {
    fn from(spec: &MigrationSpec) -> Self {
        Self {
            run_id: Some(spec.run_id.clone()),
            tags: Some(spec.tags.clone()),
            network: Some(spec.network.clone()),
            instance: Some(spec.instance.clone()),
            instance_given: spec.instance != InstanceSpec::default(),
            compute: Some(spec.compute),
            serverless: Some(spec.serverless.clone()),
            source: Some(spec.source.clone()),
            target: Some(spec.target.clone()),
            table_mappings: Some(spec.table_mappings.clone()),
            migration_type: Some(spec.migration_type),
            task_settings: Some(spec.task_settings.clone()),
            validation: Some(spec.validation.clone()),
            assessment: Some(spec.assessment.clone()),
            notifications: Some(spec.notifications.clone()),
            completion: Some(spec.completion.clone()),
            polling: Some(spec.polling),
        }
    }
}

/// Every semantic problem of a typed spec.
pub fn check_spec(spec: &MigrationSpec) -> Vec<SpecProblem> {
    check_parts(&SpecParts::from(spec))
}

/// Every semantic problem of the readable parts of a spec.
pub fn check_parts(parts: &SpecParts) -> Vec<SpecProblem> {
    let mut problems = Vec::new();
    let out = &mut problems;
    if let Some(run_id) = &parts.run_id {
        check_run_id(run_id, out);
    }
    if let Some(tags) = &parts.tags {
        check_tags(tags, out);
    }
    if let Some(network) = &parts.network {
        check_network(network, out);
    }
    if let Some(instance) = &parts.instance {
        check_instance(instance, out);
    }
    if let (Some(compute), Some(serverless)) = (parts.compute, &parts.serverless) {
        super::compute::check(
            &super::compute::ComputeFacts {
                compute,
                serverless: serverless.as_ref(),
                instance_given: parts.instance_given,
                source_engine: parts.source.as_ref().map(|s| s.engine.as_str()),
                target_engine: parts.target.as_ref().map(|t| t.engine.as_str()),
                selects_views: parts
                    .table_mappings
                    .as_ref()
                    .is_some_and(mappings::selects_views),
                assessment_enabled: parts.assessment.as_ref().is_some_and(|a| a.enabled),
                criterion_needs_latency: parts
                    .completion
                    .as_ref()
                    .is_some_and(|c| c.criterion == super::CompletionCriterion::ReadyForCutover),
            },
            out,
        );
    }
    if let Some(source) = &parts.source {
        check_endpoint("source", source, out);
    }
    if let Some(target) = &parts.target {
        check_endpoint("target", target, out);
    }
    if let Some(table_mappings) = &parts.table_mappings {
        let endpoints = mappings::Endpoints {
            source: parts.source.as_ref().map(|s| s.engine.as_str()),
            target: parts.target.as_ref().map(|t| t.engine.as_str()),
            engine_version: parts
                .instance
                .as_ref()
                .and_then(|i| i.engine_version.as_deref()),
        };
        out.extend(mappings::check(
            table_mappings,
            "table_mappings",
            &endpoints,
        ));
        find_passwords("table_mappings", table_mappings, out);
    }
    if let Some(task_settings) = &parts.task_settings {
        check_task_settings(task_settings, out);
    }
    if let Some(validation) = &parts.validation {
        check_validation(validation, out);
    }
    if let Some(assessment) = &parts.assessment {
        super::assessment::check(assessment, out);
    }
    if let Some(notifications) = &parts.notifications {
        check_notifications(notifications, out);
    }
    if let (Some(completion), Some(migration_type), Some(validation)) =
        (&parts.completion, parts.migration_type, &parts.validation)
    {
        check_completion(completion, migration_type, validation.enabled, out);
    }
    if let Some(polling) = &parts.polling {
        check_polling(polling, out);
    }
    problems
}

fn problem(
    out: &mut Vec<SpecProblem>,
    path: &str,
    what: impl Into<String>,
    fix: impl Into<String>,
) {
    out.push(SpecProblem::new(path, what, fix));
}

fn check_run_id(run_id: &str, out: &mut Vec<SpecProblem>) {
    let fix = format!(
        "use lowercase letters, digits and single hyphens, starting with a letter, \
         at most {MAX_RUN_ID_LEN} characters (e.g. `orders-2024-06`)"
    );
    let what = if run_id.is_empty() {
        "is empty".to_string()
    } else if run_id.chars().count() > MAX_RUN_ID_LEN {
        format!(
            "is {} characters long; DMS identifiers such as `dmsflow-<run_id>-subnets` \
             must fit 63 characters",
            run_id.chars().count()
        )
    } else if !run_id.starts_with(|c: char| c.is_ascii_lowercase()) {
        "must start with a lowercase letter".to_string()
    } else if !run_id
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        "may contain only lowercase letters, digits and hyphens".to_string()
    } else if run_id.contains("--") || run_id.ends_with('-') {
        "may not contain two hyphens in a row or end with a hyphen".to_string()
    } else {
        return;
    };
    problem(out, "run_id", what, fix);
}

/// DMS's rules for a tag (DMS API reference, `Tag`; the same text in botocore's
/// DMS service model): a key has 1 to 128 characters, a value at most 256;
/// neither "can be prefixed with aws: or dms:"; both "can only contain only the
/// set of Unicode letters, digits, white-space, '_', '.', '/', '=', '+', '-'"
/// (its regular expression `^([\p{L}\p{Z}\p{N}_.:/=+\-]*)$` allows `:` too).
/// `dmsflow:` keys are dmsflow's own ownership tags.
fn check_tags(tags: &BTreeMap<String, String>, out: &mut Vec<SpecProblem>) {
    for (key, value) in tags {
        let path = join("tags", key);
        let lower = key.to_ascii_lowercase();
        if lower.starts_with("dmsflow:") {
            problem(
                out,
                &path,
                "tag keys starting with `dmsflow:` are dmsflow's own ownership tags",
                "choose another key",
            );
        }
        for (what, text) in [("key", key), ("value", value)] {
            if let Some(prefix) = reserved_prefix(text) {
                problem(
                    out,
                    &path,
                    format!(
                        "DMS refuses a tag {what} that starts with `{prefix}` (reserved for AWS)"
                    ),
                    format!("remove the `{prefix}` prefix from the {what}"),
                );
            }
            if let Some(bad) = text.chars().find(|c| !tag_character(*c)) {
                problem(
                    out,
                    &path,
                    format!("DMS refuses the character {bad:?} in a tag {what}"),
                    "use letters, digits, spaces and `_ . : / = + -` only",
                );
            }
        }
        if key.is_empty() || key.chars().count() > 128 {
            problem(
                out,
                &path,
                "a tag key must have 1 to 128 characters",
                "shorten the key",
            );
        }
        if value.chars().count() > 256 {
            problem(
                out,
                &path,
                "a tag value may have at most 256 characters",
                "shorten the value",
            );
        }
    }
}

/// `aws:` or `dms:` (any case) when `text` starts with it.
fn reserved_prefix(text: &str) -> Option<&'static str> {
    let lower = text.to_lowercase();
    ["aws:", "dms:"].into_iter().find(|p| lower.starts_with(p))
}

/// `\p{L}`, `\p{Z}`, `\p{N}` or one of `_.:/=+-`. Rust's `is_alphabetic` and
/// `is_numeric` are wider than `\p{L}` and `\p{N}` by a few marks; the space
/// separators are `\p{Z}`'s.
fn tag_character(c: char) -> bool {
    c.is_alphabetic()
        || c.is_numeric()
        || matches!(
            c,
            ' ' | '\u{a0}' | '\u{1680}' | '\u{2000}'
                ..='\u{200a}' | '\u{2028}' | '\u{2029}' | '\u{202f}' | '\u{205f}' | '\u{3000}'
        )
        || "_.:/=+-".contains(c)
}

fn looks_like_id(text: &str, prefix: &str) -> bool {
    text.strip_prefix(prefix).is_some_and(|hex| {
        (8..=17).contains(&hex.len()) && hex.chars().all(|c| c.is_ascii_hexdigit())
    })
}

fn check_network(network: &Network, out: &mut Vec<SpecProblem>) {
    let has_group = network.subnet_group.is_some();
    match (network.subnet_ids.is_empty(), has_group) {
        (true, false) => problem(
            out,
            "network",
            "neither `subnet_ids` nor `subnet_group` is given",
            "give `subnet_ids` (subnets in at least two Availability Zones; dmsflow creates a subnet group) \
             or `subnet_group` (an existing replication subnet group)",
        ),
        (false, true) => problem(
            out,
            "network",
            "both `subnet_ids` and `subnet_group` are given",
            "keep one: `subnet_ids` for a subnet group dmsflow creates, or `subnet_group` for an existing one",
        ),
        _ => {}
    }
    if network.subnet_ids.len() == 1 {
        problem(
            out,
            "network.subnet_ids",
            "a replication subnet group needs subnets in at least two Availability Zones; one is given",
            "add a subnet in a second Availability Zone",
        );
    }
    for (i, subnet) in network.subnet_ids.iter().enumerate() {
        let path = index("network.subnet_ids", i);
        if !looks_like_id(subnet, "subnet-") {
            problem(
                out,
                &path,
                format!("`{}` is not a subnet ID", shorten(subnet)),
                "give an ID such as `subnet-0a1b2c3d4e5f67890`",
            );
        } else if network.subnet_ids[..i].contains(subnet) {
            problem(
                out,
                &path,
                "the subnet is listed twice",
                "remove the duplicate",
            );
        }
    }
    if network.subnet_group.as_deref().is_some_and(str::is_empty) {
        problem(
            out,
            "network.subnet_group",
            "is empty",
            "give the name of an existing replication subnet group, or leave the field out",
        );
    }
    for (i, group) in network.security_group_ids.iter().enumerate() {
        if !looks_like_id(group, "sg-") {
            problem(
                out,
                &index("network.security_group_ids", i),
                format!("`{}` is not a security group ID", shorten(group)),
                "give an ID such as `sg-0a1b2c3d4e5f67890`",
            );
        }
    }
}

fn check_instance(instance: &InstanceSpec, out: &mut Vec<SpecProblem>) {
    let class = &instance.class;
    if !class.starts_with("dms.") || class.len() <= 4 {
        problem(
            out,
            "instance.class",
            format!("`{}` is not a DMS instance class", shorten(class)),
            "use a class such as `dms.t3.medium`, `dms.c5.large` or `dms.r5.xlarge`",
        );
    }
    if instance
        .engine_version
        .as_deref()
        .is_some_and(str::is_empty)
    {
        problem(
            out,
            "instance.engine_version",
            "is empty",
            "give a DMS engine version such as `3.5.3`, or leave the field out for DMS's default",
        );
    }
    if instance.kms_key_id.as_deref().is_some_and(str::is_empty) {
        problem(
            out,
            "instance.kms_key_id",
            "is empty",
            "give a KMS key ARN, or leave the field out for the AWS-managed key",
        );
    }
}

/// Whether `arn` is `arn:<partition>:<service>:<region>:<account>:<resource>` with a
/// partition `aws` or `aws-*`, a 12-digit account, and a resource starting with
/// `resource_prefix`; `regional` says whether the ARN names a region (IAM's do not).
fn is_arn(arn: &str, service: &str, regional: bool, resource_prefix: &str) -> bool {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let [scheme, partition, arn_service, region, account, resource] = parts[..] else {
        return false;
    };
    let partition_ok = partition == "aws"
        || partition.strip_prefix("aws-").is_some_and(|rest| {
            !rest.is_empty() && rest.chars().all(|c| c.is_ascii_lowercase() || c == '-')
        });
    let region_ok = if regional {
        !region.is_empty()
            && region
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    } else {
        region.is_empty()
    };
    scheme == "arn"
        && partition_ok
        && arn_service == service
        && region_ok
        && account.len() == 12
        && account.chars().all(|c| c.is_ascii_digit())
        && resource
            .strip_prefix(resource_prefix)
            .is_some_and(|name| !name.is_empty())
}

fn check_endpoint(side: &str, endpoint: &EndpointSpec, out: &mut Vec<SpecProblem>) {
    let path = |field: &str| join(side, field);
    let engine = endpoint.engine.as_str();
    let supported = SECRET_ENGINES.contains(&engine);
    if !ENGINES.contains(&engine) {
        let (what, fix) = not_allowed(&endpoint.engine, &ENGINES, "a DMS engine name");
        problem(out, &path("engine"), what, fix);
    } else if !supported {
        problem(
            out,
            &path("engine"),
            format!(
                "`{engine}` is a DMS engine dmsflow does not support: dmsflow passes credentials only through Secrets Manager, which it supports for these engines"
            ),
            format!("use one of {}", SECRET_ENGINES.join(", ")),
        );
    }
    if endpoint.server.trim().is_empty() || endpoint.server.contains(char::is_whitespace) {
        problem(
            out,
            &path("server"),
            "is empty or contains spaces",
            "give the database's host name, such as `orders.cluster-abc123.eu-west-1.rds.amazonaws.com`",
        );
    }
    if !is_arn(&endpoint.secret_arn, "secretsmanager", true, "secret:") {
        problem(
            out,
            &path("secret_arn"),
            "is not a Secrets Manager secret ARN",
            "give an ARN such as `arn:aws:secretsmanager:eu-west-1:123456789012:secret:orders-db-AbCdEf`",
        );
    }
    if !is_arn(&endpoint.secret_access_role_arn, "iam", false, "role/") {
        problem(
            out,
            &path("secret_access_role_arn"),
            "is not an IAM role ARN",
            "give an ARN such as `arn:aws:iam::123456789012:role/dms-secrets-access`",
        );
    }
    let needs_certificate = matches!(endpoint.ssl_mode, SslMode::VerifyCa | SslMode::VerifyFull);
    match &endpoint.certificate_arn {
        None if needs_certificate => problem(
            out,
            &path("certificate_arn"),
            "ssl_mode verify-ca and verify-full need the certificate DMS verifies the server with",
            "import the CA certificate into DMS and give its ARN, or use ssl_mode `require`",
        ),
        Some(arn) if !is_arn(arn, "dms", true, "cert:") => problem(
            out,
            &path("certificate_arn"),
            "is not a DMS certificate ARN",
            "give an ARN such as `arn:aws:dms:eu-west-1:123456789012:cert:ABCDEFGHIJKLMNOP`",
        ),
        _ => {}
    }
    if let Some(attributes) = &endpoint.extra_connection_attributes {
        let has_password = attributes.split(';').any(|pair| {
            pair.split_once('=')
                .is_some_and(|(key, _)| is_password_key(key.trim()))
        });
        if has_password {
            problem(
                out,
                &path("extra_connection_attributes"),
                "contains a plaintext password attribute",
                PASSWORD_FIX,
            );
        }
    }
    let before = out.len();
    check_endpoint_settings(&path("settings"), &endpoint.settings, out);
    // The settings DMS would refuse (unknown keys, wrong types) are found here, before
    // anything is created, by the same code that later builds the CreateEndpoint call.
    if supported
        && out.len() == before
        && let Err(message) =
            crate::aws::sdk_dms::check_endpoint_settings(engine, &endpoint.settings)
    {
        problem(
            out,
            &path("settings"),
            message,
            "use the member names and value types of the engine's DMS settings (for example `MySQLSettings`, `PostgreSQLSettings`) from the DMS API reference",
        );
    }
}

/// Settings dmsflow fills in from the endpoint's own fields.
const MANAGED_ENDPOINT_SETTINGS: [(&str, &str); 2] = [
    ("SecretsManagerSecretId", "secret_arn"),
    ("SecretsManagerAccessRoleArn", "secret_access_role_arn"),
];

fn check_endpoint_settings(path: &str, settings: &Map<String, Value>, out: &mut Vec<SpecProblem>) {
    for (key, value) in settings {
        let child = join(path, key);
        if is_password_key(key) {
            refuse_password(out, &child);
        } else if let Some((_, field)) = MANAGED_ENDPOINT_SETTINGS
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(key))
        {
            problem(
                out,
                &child,
                format!("is set by dmsflow from the endpoint's `{field}`"),
                format!("remove it and give `{field}`"),
            );
        } else if let Value::Object(nested) = value {
            check_endpoint_settings(&child, nested, out);
        }
    }
}

fn check_task_settings(settings: &Map<String, Value>, out: &mut Vec<SpecProblem>) {
    if settings.contains_key("ValidationSettings") {
        problem(
            out,
            "task_settings.ValidationSettings",
            "validation has its own field",
            "move these settings to `validation.settings` (and turn validation on or off with `validation.enabled`)",
        );
    }
    find_forbidden_settings("task_settings", settings, out);
    find_passwords_in("task_settings", settings, out);
}

/// Reports every password-named key in a free-form part of the spec (the table
/// mappings and the task and validation settings are passed to DMS as they are).
fn find_passwords(path: &str, value: &Value, out: &mut Vec<SpecProblem>) {
    match value {
        Value::Object(map) => find_passwords_in(path, map, out),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                find_passwords(&index(path, i), item, out);
            }
        }
        _ => {}
    }
}

fn refuse_password(out: &mut Vec<SpecProblem>, path: &str) {
    problem(
        out,
        path,
        "a plaintext password is not accepted in the spec",
        PASSWORD_FIX,
    );
}

fn find_passwords_in(path: &str, map: &Map<String, Value>, out: &mut Vec<SpecProblem>) {
    for (key, value) in map {
        let child = join(path, key);
        if is_password_key(key) {
            refuse_password(out, &child);
        } else {
            find_passwords(&child, value, out);
        }
    }
}

fn find_forbidden_settings(path: &str, settings: &Map<String, Value>, out: &mut Vec<SpecProblem>) {
    for (key, value) in settings {
        let child = join(path, key);
        match key.as_str() {
            "TargetTablePrepMode" => problem(
                out,
                &child,
                "the target table preparation has its own field",
                "remove it and set `target_table_prep` (do-nothing, truncate-before-load or drop-and-create)",
            ),
            "CloudWatchLogGroup" | "CloudWatchLogStream" => problem(
                out,
                &child,
                "DMS rejects this setting when a task is created (it names the log group itself)",
                "remove it",
            ),
            "ValidationSettings" => {}
            _ => {
                if let Value::Object(nested) = value {
                    find_forbidden_settings(&child, nested, out);
                }
            }
        }
    }
}

fn check_validation(validation: &ValidationSpec, out: &mut Vec<SpecProblem>) {
    find_passwords_in("validation.settings", &validation.settings, out);
    if validation.settings.contains_key("EnableValidation") {
        problem(
            out,
            "validation.settings.EnableValidation",
            "validation is turned on or off by its own field",
            "remove it and set `validation.enabled`",
        );
    }
}

fn check_notifications(notifications: &Notifications, out: &mut Vec<SpecProblem>) {
    if let Some(arn) = &notifications.sns_topic_arn
        && !is_arn(arn, "sns", true, "")
    {
        problem(
            out,
            "notifications.sns_topic_arn",
            "is not an SNS topic ARN",
            "give an ARN such as `arn:aws:sns:eu-west-1:123456789012:dms-alerts`, or leave the field out for the stack's alert topic",
        );
    }
    for (i, category) in notifications.event_categories.iter().enumerate() {
        if !EVENT_CATEGORIES.contains(&category.as_str()) {
            let (what, fix) = not_allowed(category, &EVENT_CATEGORIES, "a DMS event category");
            problem(out, &index("notifications.event_categories", i), what, fix);
        }
    }
}

fn check_completion(
    completion: &Completion,
    migration_type: MigrationType,
    validation_enabled: bool,
    out: &mut Vec<SpecProblem>,
) {
    let path = "completion.criterion";
    match (completion.criterion, migration_type) {
        (CompletionCriterion::Validated, _) if !validation_enabled => problem(
            out,
            path,
            "`validated` waits for data validation, but `validation.enabled` is false",
            "set `validation.enabled` to true, or use the criterion `full-load-complete`",
        ),
        (CompletionCriterion::ReadyForCutover, MigrationType::FullLoad) => problem(
            out,
            path,
            "`ready-for-cutover` needs ongoing replication, but the migration type is `full-load`",
            "use `full-load-complete` or `validated`, or set `migration_type` to `full-load-and-cdc`",
        ),
        (
            CompletionCriterion::FullLoadComplete | CompletionCriterion::Validated,
            MigrationType::Cdc,
        ) => problem(
            out,
            path,
            "a `cdc` migration has no full load to complete",
            "use `ready-for-cutover`, or set `migration_type` to `full-load-and-cdc`",
        ),
        _ => {}
    }
}

fn check_polling(polling: &Polling, out: &mut Vec<SpecProblem>) {
    if polling.max_wait_seconds < polling.min_wait_seconds {
        problem(
            out,
            "polling.max_wait_seconds",
            format!(
                "{} is less than `min_wait_seconds` ({})",
                polling.max_wait_seconds, polling.min_wait_seconds
            ),
            "make `max_wait_seconds` at least `min_wait_seconds`",
        );
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::spec::parse::tests::{at, expect, minimal, problems, set, with};
    use crate::spec::parse::validate_value;

    fn accepted(spec: &Value) {
        if let Err(found) = validate_value(spec) {
            panic!("expected the spec to be accepted, found {found:#?}");
        }
    }

    #[test]
    fn run_id_must_fit_dms_identifiers() {
        for bad in [
            "",
            "Orders",
            "1orders",
            "orders_1",
            "orders--1",
            "orders-",
            "a".repeat(41).as_str(),
        ] {
            let found = problems(&with("/run_id", json!(bad)));
            assert!(
                at(&found, "run_id").fix.contains("lowercase letters"),
                "{bad}"
            );
        }
        accepted(&with("/run_id", json!("a".repeat(40))));
        accepted(&with("/run_id", json!("orders-2024-06")));
        let longest = format!("dmsflow-{}-subnets", "a".repeat(MAX_RUN_ID_LEN));
        assert!(longest.len() <= 63);
    }

    #[test]
    fn network_needs_exactly_one_of_subnets_or_a_subnet_group() {
        let found = problems(&with("/network", json!({})));
        expect(&found, "network", "neither");
        let mut both = minimal();
        set(&mut both, "/network/subnet_group", json!("existing"));
        assert!(at(&problems(&both), "network").problem.contains("both"));
        accepted(&with("/network", json!({"subnet_group": "existing"})));
        let found = problems(&with(
            "/network/subnet_ids",
            json!(["subnet-0123456789abcdef0"]),
        ));
        expect(&found, "network.subnet_ids", "two Availability Zones");
        let found = problems(&with(
            "/network/subnet_ids",
            json!([
                "subnet-0123456789abcdef0",
                "subnet-0123456789abcdef0",
                "sub-1"
            ]),
        ));
        expect(&found, "network.subnet_ids[1]", "twice");
        expect(&found, "network.subnet_ids[2]", "not a subnet ID");
        let found = problems(&with(
            "/network/security_group_ids",
            json!(["sg-12345678", "default"]),
        ));
        expect(&found, "network.security_group_ids[1]", "sg-");
        assert_eq!(found.len(), 1);
    }

    #[test]
    fn instance_class_starts_with_dms() {
        let found = problems(&with("/instance/class", json!("r5.large")));
        expect(&found, "instance.class", "dms.t3.medium");
        accepted(&with("/instance/class", json!("dms.r5.large")));
    }

    #[test]
    fn endpoints_need_a_known_engine_a_server_and_arns() {
        let mut spec = minimal();
        set(&mut spec, "/source/engine", json!("postgresql"));
        set(&mut spec, "/source/server", json!(" "));
        set(
            &mut spec,
            "/source/secret_arn",
            json!("arn:aws:ssm:us-east-1:123456789012:parameter/x"),
        );
        set(
            &mut spec,
            "/target/secret_access_role_arn",
            json!("arn:aws:iam::1234:role/x"),
        );
        set(
            &mut spec,
            "/target/secret_arn",
            json!("arn:aws-cn:secretsmanager:cn-north-1:123456789012:secret:x"),
        );
        let found = problems(&spec);
        expect(&found, "source.engine", "did you mean `postgres`?");
        at(&found, "source.server");
        at(&found, "source.secret_arn");
        at(&found, "target.secret_access_role_arn");
        assert_eq!(found.len(), 4, "{found:#?}");
    }

    #[test]
    fn engines_without_secret_support_and_bad_settings_are_refused_before_any_call() {
        let found = problems(&with("/target/engine", json!("dynamodb")));
        expect(&found, "target.engine", "does not support");
        assert_eq!(found.len(), 1, "{found:#?}");
        let found = problems(&with("/source/settings", json!({"NoSuchSetting": 1})));
        expect(&found, "source.settings", "NoSuchSetting");
        accepted(&with("/source/settings", json!({"ParallelLoadThreads": 4})));
    }

    #[test]
    fn verified_ssl_needs_a_certificate() {
        let found = problems(&with("/source/ssl_mode", json!("verify-full")));
        expect(
            &found,
            "source.certificate_arn",
            "import the CA certificate",
        );
        let mut spec = with("/source/ssl_mode", json!("verify-ca"));
        set(
            &mut spec,
            "/source/certificate_arn",
            json!("arn:aws:dms:us-east-1:123456789012:cert:ABC"),
        );
        accepted(&spec);
        let found = problems(&with("/target/certificate_arn", json!("not-an-arn")));
        expect(&found, "target.certificate_arn", "DMS certificate ARN");
    }

    #[test]
    fn endpoint_settings_may_not_set_the_secret() {
        let found = problems(&with(
            "/source/settings",
            json!({"SecretsManagerSecretId": "x", "EventsPollInterval": 5}),
        ));
        expect(
            &found,
            "source.settings.SecretsManagerSecretId",
            "`secret_arn`",
        );
        assert_eq!(found.len(), 1);
    }

    #[test]
    fn extra_connection_attributes_without_a_password_are_fine() {
        accepted(&with(
            "/source/extra_connection_attributes",
            json!("initstmt=SET time_zone='+00:00';parallelLoadThreads=4"),
        ));
        let found = problems(&with(
            "/source/extra_connection_attributes",
            json!("password = x"),
        ));
        at(&found, "source.extra_connection_attributes");
    }

    #[test]
    fn tags_may_not_use_reserved_prefixes_or_exceed_lengths() {
        let found = problems(&with(
            "/tags",
            json!({"dmsflow:run-id": "x", "AWS:owner": "y", "k".repeat(129): "z", "team": "v".repeat(257)}),
        ));
        expect(&found, "tags[\"dmsflow:run-id\"]", "ownership tags");
        expect(&found, "tags[\"AWS:owner\"]", "starts with `aws:`");
        expect(&found, &format!("tags.{}", "k".repeat(129)), "128");
        expect(&found, "tags.team", "256");
        assert_eq!(found.len(), 4);
    }

    #[test]
    fn tags_follow_dmss_rules_for_prefixes_and_characters() {
        let found = problems(&with(
            "/tags",
            json!({"dms:owner": "y", "team": "dms:ops", "cost*center": "a", "note": "a;b",
                   "Équipe données": "café 2024 _.:/=+-"}),
        ));
        expect(&found, "tags[\"dms:owner\"]", "starts with `dms:`");
        expect(&found, "tags.team", "tag value that starts with `dms:`");
        expect(&found, "tags[\"cost*center\"]", "'*'");
        expect(&found, "tags.note", "';'");
        assert_eq!(found.len(), 4, "{found:#?}");
    }

    #[test]
    fn notifications_need_an_sns_arn_and_known_categories() {
        let mut spec = with(
            "/notifications/sns_topic_arn",
            json!("arn:aws:sqs:us-east-1:123456789012:q"),
        );
        set(
            &mut spec,
            "/notifications/event_categories",
            json!(["failure", "state-change", "bogus"]),
        );
        let found = problems(&spec);
        at(&found, "notifications.sns_topic_arn");
        expect(
            &found,
            "notifications.event_categories[1]",
            "did you mean `state change`?",
        );
        at(&found, "notifications.event_categories[2]");
        assert_eq!(found.len(), 3);
        accepted(&with(
            "/notifications/sns_topic_arn",
            json!("arn:aws:sns:us-east-1:123456789012:alerts"),
        ));
    }

    #[test]
    fn the_completion_criterion_must_fit_the_migration() {
        let cases = [
            (
                "full-load",
                "ready-for-cutover",
                true,
                "needs ongoing replication",
            ),
            ("cdc", "full-load-complete", true, "no full load"),
            ("cdc", "validated", true, "no full load"),
            (
                "full-load-and-cdc",
                "validated",
                false,
                "validation.enabled",
            ),
        ];
        for (migration_type, criterion, validation, needle) in cases {
            let mut spec = with("/migration_type", json!(migration_type));
            set(&mut spec, "/completion/criterion", json!(criterion));
            set(&mut spec, "/validation/enabled", json!(validation));
            let found = problems(&spec);
            let problem = at(&found, "completion.criterion");
            assert!(problem.problem.contains(needle), "{problem:?}");
        }
        let mut spec = with("/migration_type", json!("full-load"));
        set(&mut spec, "/completion/criterion", json!("validated"));
        accepted(&spec);
        let mut spec = with("/migration_type", json!("cdc"));
        set(&mut spec, "/validation/enabled", json!(false));
        accepted(&spec);
    }

    #[test]
    fn task_settings_may_not_hold_what_has_its_own_field_or_what_dms_refuses() {
        let found = problems(&with(
            "/task_settings",
            json!({
                "FullLoadSettings": {"TargetTablePrepMode": "DROP_AND_CREATE", "CommitRate": 5000},
                "ValidationSettings": {"ThreadCount": 8},
                "Logging": {"EnableLogging": true, "CloudWatchLogGroup": "g", "CloudWatchLogStream": "s"}
            }),
        ));
        expect(
            &found,
            "task_settings.FullLoadSettings.TargetTablePrepMode",
            "`target_table_prep`",
        );
        expect(
            &found,
            "task_settings.ValidationSettings",
            "`validation.settings`",
        );
        at(&found, "task_settings.Logging.CloudWatchLogGroup");
        at(&found, "task_settings.Logging.CloudWatchLogStream");
        assert_eq!(found.len(), 4, "{found:#?}");
        let found = problems(&with(
            "/validation/settings",
            json!({"EnableValidation": false}),
        ));
        expect(
            &found,
            "validation.settings.EnableValidation",
            "`validation.enabled`",
        );
    }

    #[test]
    fn a_password_in_the_mappings_or_the_task_settings_is_refused_without_its_value() {
        let secret = "Zq8-not-for-dms";
        let mut spec = minimal();
        set(&mut spec, "/table_mappings/rules/0/password", json!(secret));
        set(
            &mut spec,
            "/table_mappings/rules/0/object-locator/Password",
            json!({"value": secret}),
        );
        set(
            &mut spec,
            "/task_settings/Logging",
            json!({"EnableLogging": true, "steps": [{"db_password": secret}]}),
        );
        set(&mut spec, "/validation/settings/PASSWORD", json!([secret]));
        let found = problems(&spec);
        for path in [
            "table_mappings.rules[0].password",
            "table_mappings.rules[0].object-locator.Password",
            "task_settings.Logging.steps[0].db_password",
            "validation.settings.PASSWORD",
        ] {
            expect(&found, path, "`secret_arn`");
        }
        assert_eq!(found.len(), 4, "{found:#?}");
        let message = crate::spec::parse::parse_value(&spec).unwrap_err().message;
        assert!(!message.contains(secret), "{message}");
    }

    #[test]
    fn the_longest_wait_is_at_least_the_shortest() {
        let mut spec = with("/polling/min_wait_seconds", json!(600));
        set(&mut spec, "/polling/max_wait_seconds", json!(300));
        let found = problems(&spec);
        expect(&found, "polling.max_wait_seconds", "(600)");
        assert_eq!(found.len(), 1);
    }
}
