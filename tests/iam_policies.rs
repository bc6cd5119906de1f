//! Each Lambda function's role in `template.yaml` allows exactly the AWS actions
//! its code can call: no fewer (the call would fail with AccessDenied in a real
//! account, which no local test sees) and no more (least privilege).
//!
//! What the code can call is derived from the source: each binary's `main.rs`
//! names one step handler; the handler and the step functions it reaches call
//! methods of the `Dms`, `Metrics`, `Executions`, `Notices` and `Objects` traits; the
//! tables below say which SDK operations each trait method's SDK implementation
//! calls (checked against `sdk_dms.rs`, `sdk_cloudwatch.rs`, `sdk_sfn.rs`,
//! `sdk_sns.rs` and `sdk_s3.rs` here) and which IAM actions those need.

mod support;

#[path = "iam_policies/rust_source.rs"]
mod rust_source;

#[path = "iam_policies/boundary.rs"]
mod boundary;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use support::template::Template;

use rust_source::{calls, code_only, functions, imported_modules, method_calls, without_tests};

const DMS_SDK: &str = "functions/dmsflow/src/aws/sdk_dms.rs";
const CLOUDWATCH_SDK: &str = "functions/dmsflow/src/aws/sdk_cloudwatch.rs";
const SFN_SDK: &str = "functions/dmsflow/src/aws/sdk_sfn.rs";
const SNS_SDK: &str = "functions/dmsflow/src/aws/sdk_sns.rs";
const S3_SDK: &str = "functions/dmsflow/src/aws/sdk_s3.rs";
const STEPS: &str = "functions/dmsflow/src/steps";

/// What one trait method needs: the SDK operations its implementation calls,
/// each with the IAM action that authorizes it, and the actions the call needs
/// besides, each with the reason.
struct Need {
    method: &'static str,
    calls: &'static [(&'static str, &'static str)],
    also: &'static [(&'static str, &'static str)],
}

/// Creating a DMS resource with `Tags` is authorized by `dms:AddTagsToResource`
/// as well as the create action (the DMS service authorization reference).
const TAGS_ON_CREATE: (&str, &str) = ("dms:AddTagsToResource", "the create call carries Tags");

const fn need(
    method: &'static str,
    calls: &'static [(&'static str, &'static str)],
    also: &'static [(&'static str, &'static str)],
) -> Need {
    Need {
        method,
        calls,
        also,
    }
}

/// Every method of the `Dms` trait (implemented in `sdk_dms.rs`).
const DMS_NEEDS: &[Need] = &[
    need(
        "describe_subnet_group",
        &[(
            "describe_replication_subnet_groups",
            "dms:DescribeReplicationSubnetGroups",
        )],
        &[],
    ),
    need(
        "create_subnet_group",
        &[(
            "create_replication_subnet_group",
            "dms:CreateReplicationSubnetGroup",
        )],
        &[TAGS_ON_CREATE],
    ),
    need(
        "delete_subnet_group",
        &[(
            "delete_replication_subnet_group",
            "dms:DeleteReplicationSubnetGroup",
        )],
        &[],
    ),
    need(
        "describe_instance",
        &[(
            "describe_replication_instances",
            "dms:DescribeReplicationInstances",
        )],
        &[],
    ),
    need(
        "create_instance",
        &[(
            "create_replication_instance",
            "dms:CreateReplicationInstance",
        )],
        &[
            TAGS_ON_CREATE,
            // DMS uses the instance's storage key (the spec's kms_key_id, or the
            // AWS-managed aws/dms key) with the caller's permissions (kms:ViaService).
            (
                "kms:DescribeKey",
                "DMS reads the storage key on the caller's behalf",
            ),
            (
                "kms:CreateGrant",
                "DMS grants itself use of the storage key on the caller's behalf",
            ),
            // The DMS user guide's policy for using DMS lists it beside
            // kms:DescribeKey (a kms_key_id may be an alias). No dmsflow call
            // names it: drop it if a real-account run with an alias shows it unused.
            (
                "kms:ListAliases",
                "resolving a storage key given as an alias",
            ),
        ],
    ),
    need(
        "delete_instance",
        &[(
            "delete_replication_instance",
            "dms:DeleteReplicationInstance",
        )],
        &[],
    ),
    need(
        "describe_endpoint",
        &[("describe_endpoints", "dms:DescribeEndpoints")],
        &[],
    ),
    need(
        "create_endpoint",
        &[("create_endpoint", "dms:CreateEndpoint")],
        &[
            TAGS_ON_CREATE,
            (
                "iam:PassRole",
                "CreateEndpoint passes the spec's secret_access_role_arn to DMS",
            ),
        ],
    ),
    need(
        "delete_endpoint",
        &[("delete_endpoint", "dms:DeleteEndpoint")],
        &[],
    ),
    need(
        "test_connection",
        &[("test_connection", "dms:TestConnection")],
        &[],
    ),
    need(
        "describe_connection",
        &[("describe_connections", "dms:DescribeConnections")],
        &[],
    ),
    need(
        "describe_task",
        &[("describe_replication_tasks", "dms:DescribeReplicationTasks")],
        &[],
    ),
    need(
        "create_task",
        &[("create_replication_task", "dms:CreateReplicationTask")],
        &[TAGS_ON_CREATE],
    ),
    need(
        "describe_serverless_replication",
        &[("describe_replications", "dms:DescribeReplications")],
        &[],
    ),
    need(
        "create_serverless_replication",
        &[("create_replication_config", "dms:CreateReplicationConfig")],
        &[
            TAGS_ON_CREATE,
            // "When you create a replication, AWS DMS serverless programmatically
            // creates a AWS DMS serverless service linked role" (DMS user guide,
            // service-linked roles), with the caller's permissions: without it DMS
            // answers "Caught exception while trying to create the service-linked
            // IAM role for DMS Serverless" (terraform-provider-aws issue #37434).
            (
                "iam:CreateServiceLinkedRole",
                "DMS creates AWSServiceRoleForDMSServerless on an account's first config",
            ),
        ],
    ),
    need(
        "modify_task_settings",
        &[
            ("modify_replication_task", "dms:ModifyReplicationTask"),
            ("modify_replication_config", "dms:ModifyReplicationConfig"),
        ],
        &[],
    ),
    need(
        "start_task",
        &[
            ("start_replication_task", "dms:StartReplicationTask"),
            ("start_replication", "dms:StartReplication"),
        ],
        &[],
    ),
    need(
        "stop_task",
        &[
            ("stop_replication_task", "dms:StopReplicationTask"),
            ("stop_replication", "dms:StopReplication"),
        ],
        &[],
    ),
    need(
        "delete_task",
        &[
            ("delete_replication_task", "dms:DeleteReplicationTask"),
            ("delete_replication_config", "dms:DeleteReplicationConfig"),
        ],
        &[],
    ),
    need(
        "table_statistics",
        &[
            ("describe_table_statistics", "dms:DescribeTableStatistics"),
            (
                "describe_replication_table_statistics",
                "dms:DescribeReplicationTableStatistics",
            ),
        ],
        &[],
    ),
    need(
        "table_statistics_in_state",
        &[
            ("describe_table_statistics", "dms:DescribeTableStatistics"),
            (
                "describe_replication_table_statistics",
                "dms:DescribeReplicationTableStatistics",
            ),
        ],
        &[],
    ),
    need(
        "describe_event_subscription",
        &[(
            "describe_event_subscriptions",
            "dms:DescribeEventSubscriptions",
        )],
        &[],
    ),
    need(
        "create_event_subscription",
        &[("create_event_subscription", "dms:CreateEventSubscription")],
        &[TAGS_ON_CREATE],
    ),
    need(
        "delete_event_subscription",
        &[("delete_event_subscription", "dms:DeleteEventSubscription")],
        &[],
    ),
    need(
        "tags",
        &[("list_tags_for_resource", "dms:ListTagsForResource")],
        &[],
    ),
    need(
        "reload_tables",
        &[
            ("reload_tables", "dms:ReloadTables"),
            ("reload_replication_tables", "dms:ReloadReplicationTables"),
        ],
        &[],
    ),
    need(
        "start_assessment",
        &[(
            "start_replication_task_assessment_run",
            "dms:StartReplicationTaskAssessmentRun",
        )],
        &[(
            "iam:PassRole",
            "StartReplicationTaskAssessmentRun passes the role DMS writes the report with",
        )],
    ),
    need(
        "assessment_runs",
        &[(
            "describe_replication_task_assessment_runs",
            "dms:DescribeReplicationTaskAssessmentRuns",
        )],
        &[],
    ),
    need(
        "individual_assessments",
        &[(
            "describe_replication_task_individual_assessments",
            "dms:DescribeReplicationTaskIndividualAssessments",
        )],
        &[],
    ),
];

/// Every method of the `Metrics` trait (implemented in `sdk_cloudwatch.rs`).
const METRICS_NEEDS: &[Need] = &[
    need(
        "put_alarm",
        &[("put_metric_alarm", "cloudwatch:PutMetricAlarm")],
        &[(
            "cloudwatch:TagResource",
            "PutMetricAlarm with Tags needs it to tag the new alarm",
        )],
    ),
    need(
        "alarm_names",
        &[("describe_alarms", "cloudwatch:DescribeAlarms")],
        &[],
    ),
    need(
        "alarm_tags",
        &[
            ("describe_alarms", "cloudwatch:DescribeAlarms"),
            ("list_tags_for_resource", "cloudwatch:ListTagsForResource"),
        ],
        &[],
    ),
    need(
        "delete_alarms",
        &[
            ("describe_alarms", "cloudwatch:DescribeAlarms"),
            ("delete_alarms", "cloudwatch:DeleteAlarms"),
        ],
        &[],
    ),
    need(
        "put_progress",
        &[("put_metric_data", "cloudwatch:PutMetricData")],
        &[],
    ),
    need(
        "cdc_latency",
        &[("get_metric_data", "cloudwatch:GetMetricData")],
        &[],
    ),
    need(
        "dashboard",
        &[
            ("get_dashboard", "cloudwatch:GetDashboard"),
            ("list_tags_for_resource", "cloudwatch:ListTagsForResource"),
        ],
        &[],
    ),
    need(
        "put_dashboard",
        &[("put_dashboard", "cloudwatch:PutDashboard")],
        &[(
            "cloudwatch:TagResource",
            "PutDashboard with Tags needs it to tag the new dashboard",
        )],
    ),
    need(
        "delete_dashboard",
        &[("delete_dashboards", "cloudwatch:DeleteDashboards")],
        &[],
    ),
];

/// Every method of the `Executions` trait (implemented in `sdk_sfn.rs`).
const EXECUTIONS_NEEDS: &[Need] = &[
    need(
        "running",
        &[("list_executions", "states:ListExecutions")],
        &[],
    ),
    need(
        "describe",
        &[("describe_execution", "states:DescribeExecution")],
        &[],
    ),
];

/// Every method of the `Starter` trait (implemented in `sdk_sfn.rs`).
const STARTER_NEEDS: &[Need] = &[need(
    "start",
    &[("start_execution", "states:StartExecution")],
    &[],
)];

/// Every method of the `History` trait (implemented in `sdk_sfn.rs`).
const HISTORY_NEEDS: &[Need] = &[need(
    "last_state_entered",
    &[("get_execution_history", "states:GetExecutionHistory")],
    &[],
)];

/// Every method of the `Notices` trait (implemented in `sdk_sns.rs`).
const NOTICES_NEEDS: &[Need] = &[need(
    "publish",
    &[("publish", "sns:Publish")],
    &[
        (
            "kms:GenerateDataKey*",
            "the stack's alert topic is encrypted with the stack's KMS key (SNS developer guide, encryption at rest: publishers need kms:GenerateDataKey* and kms:Decrypt)",
        ),
        (
            "kms:Decrypt",
            "the stack's alert topic is encrypted with the stack's KMS key",
        ),
    ],
)];

/// The receivers the step handlers call the traits through, each with its table.
/// Every method of the `Objects` trait (implemented in `sdk_s3.rs`).
const OBJECTS_NEEDS: &[Need] = &[
    need(
        "get",
        &[("get_object", "s3:GetObject")],
        &[(
            "s3:ListBucket",
            "GetObject answers a missing key with 404 NoSuchKey only to a caller that may list the bucket, 403 otherwise (S3 API reference, GetObject, Permissions)",
        )],
    ),
    need("put_json", &[("put_object", "s3:PutObject")], &[]),
];

const RECEIVERS: [(&str, &[Need]); 7] = [
    ("dms", DMS_NEEDS),
    ("metrics", METRICS_NEEDS),
    ("executions", EXECUTIONS_NEEDS),
    ("starter", STARTER_NEEDS),
    ("history", HISTORY_NEEDS),
    ("notices", NOTICES_NEEDS),
    ("objects", OBJECTS_NEEDS),
];

/// Actions a function's role may hold that no code of its own calls: the
/// runtime's, not the handler's. Allowed, never required.
const RUNTIME_ACTIONS: &[(&str, &str)] = &[
    // Lambda writes the function's logs with the role (each role may write only
    // its function's log group: `each_function_writes_only_its_own_log_group`).
    ("logs:", "the Lambda runtime writes the function's logs"),
    // The runtime writes an asynchronous event the function could not handle to
    // its DeadLetterQueue with the role (the notify function's safety net).
    (
        "sqs:SendMessage",
        "the Lambda runtime keeps an unhandled event",
    ),
    // With Tracing: Active the runtime sends segments with the role.
    ("xray:", "the Lambda runtime sends trace segments"),
];

/// `describe_replication_tasks` -> `DescribeReplicationTasks`.
fn pascal(snake: &str) -> String {
    snake
        .split('_')
        .map(|word| {
            let mut chars = word.chars();
            chars
                .next()
                .map(|first| first.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// The trait's method names, as `trait_file` declares them.
fn trait_methods(trait_file: &str, trait_name: &str) -> BTreeSet<String> {
    let code = without_tests(&code_only(&support::read(trait_file)));
    let start = code
        .find(&format!("pub trait {trait_name}"))
        .unwrap_or_else(|| panic!("{trait_file} declares no trait {trait_name}"));
    let open = start + code[start..].find('{').unwrap();
    let body = &code[open..rust_source::block_end(&code, open)];
    body.match_indices("fn ")
        .map(|(at, _)| {
            body[at + 3..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect()
        })
        .collect()
}

/// The SDK operations each trait method's implementation calls in `sdk_file`:
/// `self.op(`, `Client::op(self`, and the operations of the file's helper
/// functions it passes `self` to (`client.op(` in the helper).
fn sdk_operations(sdk_file: &str, trait_name: &str) -> BTreeMap<String, BTreeSet<String>> {
    let code = without_tests(&code_only(&support::read(sdk_file)));
    let marker = format!("impl {trait_name} for Client");
    let start = code
        .find(&marker)
        .unwrap_or_else(|| panic!("{sdk_file} has no `{marker}`"));
    let open = start + code[start..].find('{').unwrap();
    let end = rust_source::block_end(&code, open);
    let helpers = helper_operations(&(code[..start].to_string() + &code[end..]));
    // Helpers in the SDK file's submodules (`serverless::start(self, ..)` reads
    // `sdk_dms/serverless.rs`).
    let submodule = |module: &str| {
        let path = format!("{}/{module}.rs", sdk_file.trim_end_matches(".rs"));
        if support::root().join(&path).exists() {
            helper_operations(&without_tests(&code_only(&support::read(&path))))
        } else {
            Default::default()
        }
    };
    functions(&code[open + 1..end - 1])
        .into_iter()
        .map(|(method, bodies)| {
            let mut ops = BTreeSet::new();
            for body in &bodies {
                ops.extend(method_calls(body, &["self"]).into_iter().map(|(_, op)| op));
                for (path, name) in calls(body) {
                    match path.as_deref() {
                        Some("Client") => {
                            ops.insert(name);
                        }
                        None => ops.extend(helpers.get(&name).into_iter().flatten().cloned()),
                        Some(module) => {
                            ops.extend(submodule(module).get(&name).into_iter().flatten().cloned())
                        }
                    }
                }
            }
            (method, ops)
        })
        .collect()
}

/// The SDK operations each function of `code` calls on `client`.
fn helper_operations(code: &str) -> BTreeMap<String, BTreeSet<String>> {
    functions(code)
        .into_iter()
        .map(|(name, bodies)| {
            let ops = bodies
                .iter()
                .flat_map(|body| method_calls(body, &["client"]))
                .map(|(_, op)| op)
                .collect();
            (name, ops)
        })
        .collect()
}

#[test]
fn the_table_covers_every_trait_method_and_matches_the_sdk_implementations() {
    for (needs, trait_file, trait_name, sdk_file, prefix) in [
        (
            DMS_NEEDS,
            "functions/dmsflow/src/aws/dms.rs",
            "Dms",
            DMS_SDK,
            "dms:",
        ),
        (
            METRICS_NEEDS,
            "functions/dmsflow/src/aws/metrics.rs",
            "Metrics",
            CLOUDWATCH_SDK,
            "cloudwatch:",
        ),
        (
            EXECUTIONS_NEEDS,
            "functions/dmsflow/src/aws/executions.rs",
            "Executions",
            SFN_SDK,
            "states:",
        ),
        (
            STARTER_NEEDS,
            "functions/dmsflow/src/aws/executions.rs",
            "Starter",
            SFN_SDK,
            "states:",
        ),
        (
            HISTORY_NEEDS,
            "functions/dmsflow/src/aws/executions.rs",
            "History",
            SFN_SDK,
            "states:",
        ),
        (
            NOTICES_NEEDS,
            "functions/dmsflow/src/aws/notices.rs",
            "Notices",
            SNS_SDK,
            "sns:",
        ),
        (
            OBJECTS_NEEDS,
            "functions/dmsflow/src/aws/objects.rs",
            "Objects",
            S3_SDK,
            "s3:",
        ),
    ] {
        let declared = trait_methods(trait_file, trait_name);
        let tabled: BTreeSet<String> = needs.iter().map(|n| n.method.to_string()).collect();
        assert_eq!(
            tabled, declared,
            "the table of {trait_name} methods in tests/iam_policies.rs must list exactly the methods {trait_file} declares"
        );
        let implemented = sdk_operations(sdk_file, trait_name);
        for need in needs {
            let found = implemented.get(need.method).unwrap_or_else(|| {
                panic!("{sdk_file} implements no {trait_name}::{}", need.method)
            });
            let tabled: BTreeSet<String> =
                need.calls.iter().map(|(op, _)| op.to_string()).collect();
            assert_eq!(
                found, &tabled,
                "{sdk_file}: {trait_name}::{} calls the SDK operations on the left; the table in tests/iam_policies.rs says those on the right",
                need.method
            );
            for (op, action) in need.calls {
                assert_eq!(
                    *action,
                    format!("{prefix}{}", pascal(op)),
                    "the IAM action of SDK operation {op} is named after the API operation"
                );
            }
        }
    }
}

/// The step modules under `functions/dmsflow/src/steps`, by module path
/// (`["steps", "create", "observe"]`), each with its non-test code.
fn step_modules() -> BTreeMap<Vec<String>, String> {
    fn walk(dir: &Path, module: &[String], out: &mut BTreeMap<Vec<String>, String>) {
        for entry in std::fs::read_dir(dir).expect("read the steps directory") {
            let path = entry.expect("a directory entry").path();
            let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
            if path.is_dir() {
                let mut child = module.to_vec();
                child.push(stem);
                walk(&path, &child, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let mut child = module.to_vec();
                if stem != "mod" {
                    child.push(stem);
                }
                let text = std::fs::read_to_string(&path).expect("read a step module");
                out.insert(child, without_tests(&code_only(&text)));
            }
        }
    }
    let mut modules = BTreeMap::new();
    walk(
        &support::root().join(STEPS),
        &["steps".to_string()],
        &mut modules,
    );
    modules
}

/// The trait methods (`dms.x`, `metrics.x`, `executions.x`) reachable from `handle` of the step
/// module `start`: through the functions it calls, in its own module and the step
/// modules it imports.
fn reachable_trait_calls(
    modules: &BTreeMap<Vec<String>, String>,
    entries: &[(Vec<String>, String)],
) -> BTreeSet<(String, String)> {
    let exists = |path: &[String]| modules.contains_key(path);
    let scope = |module: &Vec<String>| -> BTreeSet<Vec<String>> {
        let mut scope = imported_modules(&modules[module], module, exists);
        scope.insert(module.clone());
        scope
    };
    let bodies: BTreeMap<&Vec<String>, BTreeMap<String, Vec<String>>> = modules
        .iter()
        .map(|(m, code)| (m, functions(code)))
        .collect();
    let mut seen = BTreeSet::new();
    let mut queue = entries.to_vec();
    let mut found = BTreeSet::new();
    while let Some((module, name)) = queue.pop() {
        if !seen.insert((module.clone(), name.clone())) {
            continue;
        }
        let in_scope = scope(&module);
        for body in bodies[&module].get(&name).into_iter().flatten() {
            let receivers = RECEIVERS.map(|(receiver, _)| receiver);
            found.extend(method_calls(body, &receivers));
            for (path, callee) in calls(body) {
                let by_path: Vec<&Vec<String>> = in_scope
                    .iter()
                    .filter(|m| {
                        path.as_deref()
                            .is_some_and(|p| m.last().map(String::as_str) == Some(p))
                    })
                    .collect();
                let candidates = if by_path.is_empty() {
                    in_scope.iter().collect()
                } else {
                    by_path
                };
                for target in candidates {
                    if bodies[target].contains_key(&callee) {
                        queue.push((target.clone(), callee.clone()));
                    }
                }
            }
        }
    }
    found
}

/// The step functions a function's `main.rs` serves: its calls of a step
/// module's `handle` or `step` (`["steps", "create"]`, `"step"`).
fn entry_points(
    binary: &str,
    modules: &BTreeMap<Vec<String>, String>,
) -> Vec<(Vec<String>, String)> {
    let crate_dir = binary
        .strip_prefix("dmsflow-")
        .unwrap_or_else(|| panic!("binary {binary} is not named dmsflow-<step>"));
    let main = support::read(&format!("functions/{crate_dir}/src/main.rs"));
    let entries: BTreeSet<(Vec<String>, String)> = calls(&without_tests(&code_only(&main)))
        .into_iter()
        .filter(|(_, name)| name == "handle" || name == "step")
        .filter_map(|(path, name)| Some((vec!["steps".to_string(), path?], name)))
        .filter(|(module, _)| modules.contains_key(module))
        .collect();
    assert!(
        !entries.is_empty(),
        "functions/{crate_dir}/src/main.rs must call a step module's handle or step"
    );
    entries.into_iter().collect()
}

/// The IAM actions a function's code needs, each with why.
fn needed_actions(
    binary: &str,
    modules: &BTreeMap<Vec<String>, String>,
) -> BTreeMap<String, String> {
    let entries = entry_points(binary, modules);
    let mut needed = BTreeMap::new();
    for (receiver, method) in reachable_trait_calls(modules, &entries) {
        let needs = RECEIVERS
            .iter()
            .find(|(r, _)| *r == receiver)
            .map(|(_, needs)| *needs)
            .unwrap_or_else(|| panic!("{binary}: no table for receiver {receiver}"));
        let need = needs
            .iter()
            .find(|n| n.method == method)
            .unwrap_or_else(|| {
                panic!("{binary}: `{receiver}.{method}(` is no method of the {receiver} trait")
            });
        for (op, action) in need.calls {
            needed.insert(
                action.to_string(),
                format!("{receiver}.{method} calls {op}"),
            );
        }
        for (action, why) in need.also {
            needed.insert(action.to_string(), format!("{receiver}.{method}: {why}"));
        }
    }
    needed
}

/// The `Allow` actions of the inline policies of the role a function runs with
/// (its `Role: !GetAtt <Role>.Arn`). Managed policies are checked by the
/// ownership-boundary tests, not here.
fn granted_actions(template: &Template, id: &str) -> BTreeSet<String> {
    let mut granted = BTreeSet::new();
    for statement in template.function_statements(id) {
        if statement["Effect"].as_str() != Some("Allow") {
            continue;
        }
        granted.extend(support::template::actions(statement));
    }
    granted
}

#[test]
fn each_function_role_allows_exactly_the_actions_its_code_calls() {
    let template = Template::load();
    let modules = step_modules();
    let mut failures = Vec::new();
    for (id, binary) in template.function_binaries() {
        let needed = needed_actions(&binary, &modules);
        let granted = granted_actions(&template, &id);
        for (action, why) in &needed {
            if !granted.contains(action) {
                failures.push(format!("{id} ({binary}) lacks {action}: {why}"));
            }
        }
        for action in &granted {
            let runtime = RUNTIME_ACTIONS
                .iter()
                .any(|(prefix, _)| action.starts_with(prefix));
            if !needed.contains_key(action) && !runtime {
                failures.push(format!(
                    "{id} ({binary}) allows {action}, which none of its code calls"
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "template.yaml function roles:\n{}",
        failures.join("\n")
    );
}

#[test]
fn every_trait_method_is_reached_by_some_function() {
    // A call the scan misses (a receiver not in `RECEIVERS`, say) shows
    // up here as a method no function reaches.
    let template = Template::load();
    let modules = step_modules();
    let mut reached = BTreeSet::new();
    for binary in template.function_binaries().into_values() {
        reached.extend(
            reachable_trait_calls(&modules, &entry_points(&binary, &modules))
                .into_iter()
                .map(|(_, m)| m),
        );
    }
    let all: BTreeSet<String> = RECEIVERS
        .iter()
        .flat_map(|(_, needs)| needs.iter())
        .map(|n| n.method.to_string())
        .collect();
    let unreached: Vec<_> = all.difference(&reached).collect();
    assert!(
        unreached.is_empty(),
        "trait methods no function's code reaches: {unreached:?}"
    );
}

#[test]
fn each_function_writes_only_its_own_log_group() {
    // The roles are the template's own (not SAM's, which would attach
    // AWSLambdaBasicExecutionRole: logs on every log group of the account).
    let template = Template::load();
    let functions = template.resources_of("AWS::Serverless::Function");
    for id in template.function_binaries().into_keys() {
        let log_group = match &functions[&id]["Properties"]["LoggingConfig"]["LogGroup"] {
            serde_norway::Value::Tagged(t) if t.tag == "Ref" => {
                t.value.as_str().map(str::to_string)
            }
            _ => None,
        }
        .unwrap_or_else(|| panic!("{id} names no LoggingConfig.LogGroup: !Ref <its log group>"));
        let (role_id, role) = template.function_role(&id);
        assert!(
            role["Properties"]["ManagedPolicyArns"]
                .as_sequence()
                .into_iter()
                .flatten()
                .all(|p| !format!("{p:?}").contains("AWSLambdaBasicExecutionRole")),
            "{role_id} attaches AWSLambdaBasicExecutionRole"
        );
        for statement in template.function_statements(&id) {
            if !support::template::actions(statement)
                .iter()
                .any(|a| a.starts_with("logs:"))
            {
                continue;
            }
            let resource = match &statement["Resource"] {
                serde_norway::Value::Tagged(t) if t.tag == "GetAtt" => t.value.as_str(),
                _ => None,
            };
            assert_eq!(
                resource,
                Some(format!("{log_group}.Arn").as_str()),
                "{role_id}: logs permissions only on {log_group}"
            );
        }
    }
}
