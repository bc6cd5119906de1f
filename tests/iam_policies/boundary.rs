//! The ownership boundary: dmsflow acts only on DMS resources that carry its tags,
//! so no role of the stack may move those tags.
//!
//! - every function role carries an explicit Deny of `dms:RemoveTagsFromResource`
//!   for `dmsflow:*` keys, and every role but one that creates tagged resources an
//!   explicit Deny of `dms:AddTagsToResource` for them;
//! - `dms:AddTagsToResource` is allowed only beside `dms:Create*` actions, and only
//!   when the request carries dmsflow's tags: each Create* call with Tags also
//!   authorizes it (Service Authorization Reference, DMS API operations table), and
//!   no DMS condition key tells tagging on create from tagging an existing resource;
//! - each such statement exists twice, once on `aws:RequestTag/...` and once on
//!   `dms:req-tag/...` (which one DMS fills is not certain from the documents);
//! - `iam:PassRole` reaches only roles under `SecretAccessRolePath`, only for DMS,
//!   and the stack's own roles live at `/`, which that path cannot be.

use serde_norway::Value;

use super::support::template::{Template, actions};

const TAG_KEY_PATTERN: &str = "dmsflow:*";
const REQUEST_TAG_KEYS: [&str; 2] = ["aws:RequestTag", "dms:req-tag"];

/// A string of the condition block `Condition.<operator>.<key>`.
fn condition<'a>(statement: &'a Value, operator: &str, key: &str) -> Option<&'a str> {
    statement["Condition"][operator][key].as_str()
}

/// The logical id a `!Ref` names.
fn ref_target(value: &Value) -> Option<&str> {
    match value {
        Value::Tagged(tagged) if tagged.tag == "Ref" => tagged.value.as_str(),
        _ => None,
    }
}

/// The managed policy of the template that denies `action` for `dmsflow:*` keys.
fn denying_policy(template: &Template, action: &str) -> Option<String> {
    template
        .resources_of("AWS::IAM::ManagedPolicy")
        .into_iter()
        .find(|(_, policy)| {
            policy["Properties"]["PolicyDocument"]["Statement"]
                .as_sequence()
                .into_iter()
                .flatten()
                .any(|s| {
                    s["Effect"].as_str() == Some("Deny")
                        && actions(s).iter().any(|a| a == action)
                        && s["Resource"].as_str() == Some("*")
                        && condition(s, "ForAnyValue:StringLike", "aws:TagKeys")
                            == Some(TAG_KEY_PATTERN)
                })
        })
        .map(|(id, _)| id)
}

/// Every way the template's roles leave the boundary.
pub fn problems(template: &Template) -> Vec<String> {
    let mut problems = Vec::new();
    let keep = denying_policy(template, "dms:RemoveTagsFromResource");
    let no_tagging = denying_policy(template, "dms:AddTagsToResource");
    if keep.is_none() || no_tagging.is_none() {
        problems.push(format!(
            "the template needs managed policies that Deny dms:RemoveTagsFromResource and dms:AddTagsToResource on \"*\" for aws:TagKeys {TAG_KEY_PATTERN} (found {keep:?}, {no_tagging:?})"
        ));
    }
    for function in template.function_binaries().into_keys() {
        let (role_id, role) = template.function_role(&function);
        let attached: Vec<&str> = role["Properties"]["ManagedPolicyArns"]
            .as_sequence()
            .into_iter()
            .flatten()
            .filter_map(ref_target)
            .collect();
        let statements = template.function_statements(&function);
        let tags = statements.iter().any(|s| {
            s["Effect"].as_str() == Some("Allow")
                && actions(s).iter().any(|a| a == "dms:AddTagsToResource")
        });
        if let Some(keep) = &keep
            && !attached.contains(&keep.as_str())
        {
            problems.push(format!("{role_id} does not attach {keep}"));
        }
        if let Some(no_tagging) = &no_tagging
            && !tags
            && !attached.contains(&no_tagging.as_str())
        {
            problems.push(format!(
                "{role_id} creates no tagged DMS resource but does not attach {no_tagging}"
            ));
        }
        let mut tag_statements: Vec<(Vec<String>, &str)> = Vec::new();
        for statement in statements {
            if statement["Effect"].as_str() != Some("Allow") {
                continue;
            }
            let granted = actions(statement);
            problems.extend(dms_resource_problems(&role_id, statement));
            for action in &granted {
                if action.contains('*') && action.starts_with("dms:") {
                    problems.push(format!("{role_id} allows the wildcard action {action}"));
                }
                if action == "iam:PassRole" {
                    problems.extend(pass_role_problems(template, &role_id, statement));
                }
            }
            if !granted.iter().any(|a| a == "dms:AddTagsToResource") {
                continue;
            }
            let mut others: Vec<String> = granted
                .iter()
                .filter(|a| *a != "dms:AddTagsToResource")
                .cloned()
                .collect();
            others.sort();
            if others.is_empty() || !others.iter().all(|a| a.starts_with("dms:Create")) {
                problems.push(format!(
                    "{role_id} allows dms:AddTagsToResource beside {others:?}: only beside dms:Create* actions, whose tags it authorizes"
                ));
            }
            let key = REQUEST_TAG_KEYS.into_iter().find(|key| {
                condition(
                    statement,
                    "StringEquals",
                    &format!("{key}/dmsflow:managed-by"),
                ) == Some("dmsflow")
                    && condition(statement, "Null", &format!("{key}/dmsflow:run-id"))
                        == Some("false")
            });
            match key {
                Some(key) => tag_statements.push((others, key)),
                None => problems.push(format!(
                    "{role_id} allows dms:AddTagsToResource without demanding the request's dmsflow:managed-by = dmsflow and dmsflow:run-id tags"
                )),
            }
        }
        for (others, key) in &tag_statements {
            for wanted in REQUEST_TAG_KEYS {
                if !tag_statements
                    .iter()
                    .any(|(o, k)| o == others && *k == wanted)
                {
                    problems.push(format!(
                        "{role_id} allows {others:?} on {key} tags but has no statement for the same actions on {wanted} tags"
                    ));
                }
            }
        }
    }
    for (id, role) in template.resources_of("AWS::IAM::Role") {
        if !role["Properties"]["Path"].is_null() {
            problems.push(format!(
                "{id} sets a Path: the stack's roles stay at \"/\", out of SecretAccessRolePath's reach"
            ));
        }
    }
    problems
}

fn pass_role_problems(template: &Template, role_id: &str, statement: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    let resources: Vec<&Value> = match &statement["Resource"] {
        Value::Sequence(items) => items.iter().collect(),
        other => vec![other],
    };
    for resource in resources {
        let allowed = match resource {
            Value::Tagged(tagged) if tagged.tag == "Sub" => {
                tagged.value.as_str()
                    == Some(
                        "arn:${AWS::Partition}:iam::${AWS::AccountId}:role${SecretAccessRolePath}*",
                    )
            }
            // A role of the stack's own that only DMS may assume.
            Value::Tagged(tagged) if tagged.tag == "GetAtt" => tagged
                .value
                .as_str()
                .and_then(|v| v.strip_suffix(".Arn"))
                .is_some_and(|id| {
                    let role = &template.doc["Resources"][id];
                    role["Type"].as_str() == Some("AWS::IAM::Role")
                        && role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
                            .as_sequence()
                            .is_some_and(|s| {
                                s.iter().all(|s| {
                                    s["Principal"]["Service"].as_str() == Some("dms.amazonaws.com")
                                })
                            })
                }),
            _ => false,
        };
        if !allowed {
            problems.push(format!(
                "{role_id} may pass roles {resource:?}: only roles under SecretAccessRolePath or the stack's own roles for DMS"
            ));
        }
    }
    let services: Vec<String> = match &statement["Condition"]["StringEquals"]["iam:PassedToService"]
    {
        Value::String(s) => vec![s.clone()],
        Value::Sequence(items) => items.iter().map(|v| format!("{v:?}")).collect(),
        _ => Vec::new(),
    };
    if services.is_empty() || !services.iter().all(|s| s.contains("dms.")) {
        problems.push(format!(
            "{role_id} may pass roles to services other than DMS: {services:?}"
        ));
    }
    problems
}

/// A DMS statement that acts on resources names them by type in the stack's
/// account and region, never `*` (Describe* and ListTagsForResource, which take
/// no resource or cannot move anything, aside).
fn dms_resource_problems(role_id: &str, statement: &Value) -> Vec<String> {
    let acts = actions(statement).into_iter().any(|a| {
        a.starts_with("dms:") && !a.starts_with("dms:Describe") && a != "dms:ListTagsForResource"
    });
    if !acts {
        return Vec::new();
    }
    let resources: Vec<&Value> = match &statement["Resource"] {
        Value::Sequence(items) => items.iter().collect(),
        other => vec![other],
    };
    resources
        .into_iter()
        .filter(|r| {
            let arn = match r {
                Value::Tagged(tagged) if tagged.tag == "Sub" => tagged.value.as_str(),
                _ => None,
            };
            !arn.is_some_and(|arn| {
                arn.strip_prefix("arn:${AWS::Partition}:dms:${AWS::Region}:${AWS::AccountId}:")
                    .and_then(|rest| rest.strip_suffix(":*"))
                    .is_some_and(|kind| kind.chars().all(|c| c.is_ascii_lowercase() || c == '-'))
            })
        })
        .map(|r| {
            format!(
                "{role_id}: {:?} acts on {r:?}, not on DMS resources of one type in the stack's account and region",
                statement["Sid"]
            )
        })
        .collect()
}

#[test]
fn no_role_of_the_stack_can_move_the_ownership_boundary() {
    let problems = problems(&Template::load());
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The template with `edit` applied to the inline statements of `role`.
fn edited(role: &str, edit: impl FnOnce(&mut Vec<Value>)) -> Template {
    let mut template = Template::load();
    let statements = template.doc["Resources"][role]["Properties"]["Policies"][0]["PolicyDocument"]
        ["Statement"]
        .as_sequence_mut()
        .unwrap_or_else(|| panic!("{role} has inline statements"));
    edit(statements);
    template
}

fn statement(yaml: &str) -> Value {
    serde_norway::from_str(yaml).expect("a statement")
}

#[test]
fn the_check_fails_on_a_role_that_may_tag_any_resource() {
    let template = edited("CreateRole", |statements| {
        statements.push(statement(
            "{Effect: Allow, Action: dms:AddTagsToResource, Resource: '*'}",
        ))
    });
    let problems = problems(&template);
    assert!(
        problems
            .iter()
            .any(|p| p.contains("CreateRole allows dms:AddTagsToResource beside []")),
        "{problems:#?}"
    );
}

#[test]
fn the_check_fails_on_a_tag_statement_for_one_condition_key_only() {
    let template = edited("CreateRole", |statements| {
        statements.retain(|s| s["Sid"].as_str() != Some("CreateOnlyTaggedDmsResourcesDmsKeys"))
    });
    let problems = problems(&template);
    assert!(
        problems
            .iter()
            .any(|p| p.contains("but has no statement for the same actions on dms:req-tag tags")),
        "{problems:#?}"
    );
}

#[test]
fn the_check_fails_on_a_role_without_the_denies() {
    let mut template = Template::load();
    template.doc["Resources"]["StartRole"]["Properties"]["ManagedPolicyArns"] =
        Value::Sequence(Vec::new());
    let problems = problems(&template);
    assert!(
        problems
            .iter()
            .any(|p| p.starts_with("StartRole does not attach")),
        "{problems:#?}"
    );
    assert!(
        problems
            .iter()
            .any(|p| p.starts_with("StartRole creates no tagged DMS resource")),
        "{problems:#?}"
    );
}

#[test]
fn the_check_fails_on_pass_role_beyond_the_path() {
    let template = edited("CreateRole", |statements| {
        statements.push(statement(
            "{Effect: Allow, Action: iam:PassRole, Resource: '*'}",
        ))
    });
    let problems = problems(&template);
    assert!(
        problems
            .iter()
            .any(|p| p.contains("may pass roles String(\"*\")")),
        "{problems:#?}"
    );
}

#[test]
fn the_check_fails_on_a_dms_statement_on_every_resource() {
    let template = edited("StartRole", |statements| {
        statements.push(statement(
            "{Sid: Wide, Effect: Allow, Action: dms:StartReplicationTask, Resource: '*'}",
        ))
    });
    let problems = problems(&template);
    assert!(
        problems
            .iter()
            .any(|p| p.starts_with("StartRole: String(\"Wide\") acts on")),
        "{problems:#?}"
    );
}
