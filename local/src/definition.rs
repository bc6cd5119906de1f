//! The real state machine definition with local values for the substitutions
//! `template.yaml` declares (`DefinitionSubstitutions`), read from the template so
//! the two cannot drift apart.

use std::collections::BTreeMap;
use std::path::Path;

use serde_norway::Value as Yaml;

use crate::Error;
use crate::sfn::{ACCOUNT, REGION};

pub const TEMPLATE: &str = "template.yaml";
pub const DEFINITION: &str = "statemachine/migration.asl.json";
/// The stack name the local function names are derived with (`${AWS::StackName}-create`).
pub const STACK_NAME: &str = "dmsflow";

/// A Lambda function of the template, as the local stack runs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Function {
    /// The deployed function name (`dmsflow-create`).
    pub name: String,
    /// The cargo binary it is built from (`dmsflow-create`).
    pub binary: String,
    /// `Environment.Variables`: a literal, or the logical id a `!Ref` names.
    pub environment: BTreeMap<String, EnvValue>,
}

/// One environment variable of a function, as the template gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EnvValue {
    Literal(String),
    Ref(String),
}

/// A state machine of the template: its deployed name and its definition file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Machine {
    /// `dmsflow-migration` (the template's `${AWS::StackName}-migration`).
    pub name: String,
    /// `statemachine/migration.asl.json`.
    pub definition: String,
}

/// What the template says about the state machine.
#[derive(Debug, Clone)]
pub struct Wiring {
    /// The state machines by logical id.
    pub machines: BTreeMap<String, Machine>,
    /// Substitution name -> the logical id or pseudo parameter it refers to.
    pub substitutions: BTreeMap<String, String>,
    /// Functions by logical id.
    pub functions: BTreeMap<String, Function>,
    /// The EventPattern of every `AWS::Events::Rule`, by logical id (`!Ref` of the
    /// state machine left as the string `!Ref <id>`).
    pub rules: BTreeMap<String, serde_json::Value>,
    /// Each template parameter's `Default`, as a string: the local stack deploys
    /// with the defaults.
    pub parameters: BTreeMap<String, String>,
    /// Every resource's type, by logical id.
    pub resource_types: BTreeMap<String, String>,
}

impl Wiring {
    pub fn load(root: &Path) -> Result<Wiring, Error> {
        let path = root.join(TEMPLATE);
        let text = std::fs::read_to_string(&path)
            .map_err(|e| Error::new(format!("cannot read {}: {e}", path.display())))?;
        Wiring::parse(&text)
    }

    pub fn parse(text: &str) -> Result<Wiring, Error> {
        let doc: Yaml = serde_norway::from_str(text)
            .map_err(|e| Error::new(format!("{TEMPLATE} is not YAML: {e}")))?;
        let resources = doc["Resources"]
            .as_mapping()
            .ok_or_else(|| Error::new(format!("{TEMPLATE} has no Resources")))?;
        let mut functions = BTreeMap::new();
        let mut substitutions = BTreeMap::new();
        let mut rules = BTreeMap::new();
        let mut machines = BTreeMap::new();
        let parameters = doc["Parameters"]
            .as_mapping()
            .map(|params| {
                params
                    .iter()
                    .filter_map(|(name, p)| {
                        let default = match &p["Default"] {
                            Yaml::String(s) => s.clone(),
                            Yaml::Number(n) => n.to_string(),
                            _ => return None,
                        };
                        Some((name.as_str()?.to_string(), default))
                    })
                    .collect()
            })
            .unwrap_or_default();
        let resource_types = resources
            .iter()
            .filter_map(|(id, r)| Some((id.as_str()?.to_string(), r["Type"].as_str()?.to_string())))
            .collect();
        for (id, resource) in resources {
            let id = id.as_str().unwrap_or_default().to_string();
            match resource["Type"].as_str() {
                Some("AWS::Serverless::Function") => {
                    let binary = resource["Metadata"]["BuildProperties"]["Binary"]
                        .as_str()
                        .ok_or_else(|| Error::new(format!("{id} names no binary")))?
                        .to_string();
                    let name = function_name(&resource["Properties"]["FunctionName"])
                        .unwrap_or_else(|| binary.clone());
                    let environment = environment(&resource["Properties"]["Environment"]);
                    functions.insert(
                        id,
                        Function {
                            name,
                            binary,
                            environment,
                        },
                    );
                }
                Some("AWS::Serverless::StateMachine") => {
                    let properties = &resource["Properties"];
                    let name = function_name(&properties["Name"])
                        .ok_or_else(|| Error::new(format!("{id} has no Name")))?;
                    let definition = properties["DefinitionUri"]
                        .as_str()
                        .ok_or_else(|| Error::new(format!("{id} has no DefinitionUri")))?
                        .to_string();
                    machines.insert(id.clone(), Machine { name, definition });
                    let subs = resource["Properties"]["DefinitionSubstitutions"]
                        .as_mapping()
                        .ok_or_else(|| {
                            Error::new(format!("{id} has no DefinitionSubstitutions"))
                        })?;
                    for (key, value) in subs {
                        let key = key.as_str().unwrap_or_default().to_string();
                        let target = referenced(value).ok_or_else(|| {
                            Error::new(format!("substitution {key} is not a !Ref or !GetAtt"))
                        })?;
                        substitutions.insert(key, target);
                    }
                }
                Some("AWS::Events::Rule") => {
                    rules.insert(id, yaml_to_json(&resource["Properties"]["EventPattern"]));
                }
                _ => {}
            }
        }
        Ok(Wiring {
            machines,
            substitutions,
            functions,
            rules,
            parameters,
            resource_types,
        })
    }

    /// The logical ids of the template's buckets.
    pub fn buckets(&self) -> Vec<&str> {
        self.resource_types
            .iter()
            .filter(|(_, kind)| kind.as_str() == "AWS::S3::Bucket")
            .map(|(id, _)| id.as_str())
            .collect()
    }

    /// The local value of every substitution: function ARNs in us-east-1 of
    /// account 123456789012, the region, the account. A substitution the local
    /// stack cannot give a value is an error, not a silent gap.
    pub fn local_values(&self) -> Result<BTreeMap<String, String>, Error> {
        self.substitutions
            .iter()
            .map(|(key, target)| {
                let value = if let Some(function) = self.functions.get(target) {
                    function_arn(&function.name)
                } else if target == "AWS::Region" {
                    REGION.to_string()
                } else if target == "AWS::AccountId" {
                    ACCOUNT.to_string()
                } else {
                    return Err(Error::new(format!(
                        "{TEMPLATE} substitutes {key} with {target}, which the local stack has no value for"
                    )));
                };
                Ok((key.clone(), value))
            })
            .collect()
    }
}

/// A function's environment with local values: `!Ref AlertTopic` is the stack's
/// alert topic, `!Ref <Parameter>` the parameter's default, a bucket its local
/// name ([`bucket_name`]; the stack creates every bucket of the template in moto)
/// and a role its local ARN; any other reference is an error, not a silent gap.
pub fn local_environment(
    function: &Function,
    alert_topic_arn: &str,
    wiring: &Wiring,
) -> Result<Vec<(String, String)>, Error> {
    let parameters = &wiring.parameters;
    let kind = |target: &str| wiring.resource_types.get(target).map(String::as_str);
    function
        .environment
        .iter()
        .map(|(key, value)| match value {
            EnvValue::Literal(text) => Ok((key.clone(), text.clone())),
            EnvValue::Ref(target) if target == "AlertTopic" => {
                Ok((key.clone(), alert_topic_arn.to_string()))
            }
            EnvValue::Ref(target) if parameters.contains_key(target) => {
                Ok((key.clone(), parameters[target].clone()))
            }
            EnvValue::Ref(target) if kind(target) == Some("AWS::S3::Bucket") => {
                Ok((key.clone(), bucket_name(target)))
            }
            EnvValue::Ref(target) if kind(target) == Some("AWS::IAM::Role") => Ok((
                key.clone(),
                format!("arn:aws:iam::{ACCOUNT}:role/{STACK_NAME}-{target}"),
            )),
            EnvValue::Ref(target) if wiring.machines.contains_key(target) => Ok((
                key.clone(),
                state_machine_arn(&wiring.machines[target].name),
            )),
            EnvValue::Ref(target) => Err(Error::new(format!(
                "{TEMPLATE} sets {key} of {} to !Ref {target}, which the local stack has no value for",
                function.name
            ))),
        })
        .collect()
}

/// The local name of the template's bucket `logical_id`: `dmsflow-<logical id>`.
pub fn bucket_name(logical_id: &str) -> String {
    format!("{STACK_NAME}-{}", logical_id.to_ascii_lowercase())
}

/// The ARN moto gives the state machine `name`.
pub fn state_machine_arn(name: &str) -> String {
    format!("arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:{name}")
}

fn environment(value: &Yaml) -> BTreeMap<String, EnvValue> {
    value["Variables"]
        .as_mapping()
        .map(|variables| {
            variables
                .iter()
                .filter_map(|(key, value)| {
                    let key = key.as_str()?.to_string();
                    let value = match referenced(value) {
                        Some(target) => EnvValue::Ref(target),
                        None => EnvValue::Literal(value.as_str()?.to_string()),
                    };
                    Some((key, value))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// YAML as JSON; a `!Ref X` becomes the string `!Ref X`.
fn yaml_to_json(value: &Yaml) -> serde_json::Value {
    use serde_json::Value as Json;
    match value {
        Yaml::Null => Json::Null,
        Yaml::Bool(b) => Json::Bool(*b),
        Yaml::Number(n) => n
            .as_i64()
            .map(Json::from)
            .or_else(|| n.as_f64().map(Json::from))
            .unwrap_or(Json::Null),
        Yaml::String(s) => Json::String(s.clone()),
        Yaml::Sequence(items) => Json::Array(items.iter().map(yaml_to_json).collect()),
        Yaml::Mapping(map) => Json::Object(
            map.iter()
                .filter_map(|(k, v)| Some((k.as_str()?.to_string(), yaml_to_json(v))))
                .collect(),
        ),
        Yaml::Tagged(tagged) => Json::String(format!(
            "{} {}",
            tagged.tag,
            tagged.value.as_str().unwrap_or_default()
        )),
    }
}

/// `arn:aws:lambda:us-east-1:123456789012:function:<name>`.
pub fn function_arn(name: &str) -> String {
    format!("arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}")
}

/// Replaces every `${Key}` of `definition`; fails if any placeholder is left.
pub fn substitute(definition: &str, values: &BTreeMap<String, String>) -> Result<String, Error> {
    let mut out = definition.to_string();
    for (key, value) in values {
        out = out.replace(&format!("${{{key}}}"), value);
    }
    if let Some(at) = out.find("${") {
        let rest: String = out[at..].chars().take(40).collect();
        return Err(Error::new(format!(
            "{DEFINITION} has a placeholder the template does not substitute: {rest}"
        )));
    }
    Ok(out)
}

fn function_name(value: &Yaml) -> Option<String> {
    let text = match value {
        Yaml::String(s) => s.clone(),
        Yaml::Tagged(tagged) if tagged.tag == "!Sub" => tagged.value.as_str()?.to_string(),
        _ => return None,
    };
    Some(text.replace("${AWS::StackName}", STACK_NAME))
}

/// The logical id a `!GetAtt Id.Attr` or `!Ref Id` value of the template points at.
pub fn referenced(value: &Yaml) -> Option<String> {
    let Yaml::Tagged(tagged) = value else {
        return None;
    };
    let target = tagged.value.as_str()?;
    match tagged.tag.to_string().as_str() {
        "!GetAtt" => target.split('.').next().map(str::to_string),
        "!Ref" => Some(target.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEMPLATE_TEXT: &str = r#"
Resources:
  CreateFunction:
    Type: AWS::Serverless::Function
    Metadata:
      BuildProperties:
        Binary: dmsflow-create
    Properties:
      FunctionName: !Sub ${AWS::StackName}-create
  Topic:
    Type: AWS::SNS::Topic
  Machine:
    Type: AWS::Serverless::StateMachine
    Properties:
      Name: !Sub ${AWS::StackName}-migration
      DefinitionUri: statemachine/migration.asl.json
      DefinitionSubstitutions:
        CreateFunctionArn: !GetAtt CreateFunction.Arn
        Region: !Ref AWS::Region
"#;

    #[test]
    fn substitutions_get_local_values_from_the_template() {
        let wiring = Wiring::parse(TEMPLATE_TEXT).unwrap();
        assert_eq!(
            wiring.functions["CreateFunction"],
            Function {
                name: "dmsflow-create".into(),
                binary: "dmsflow-create".into(),
                environment: BTreeMap::new(),
            }
        );
        let values = wiring.local_values().unwrap();
        assert_eq!(
            values["CreateFunctionArn"],
            "arn:aws:lambda:us-east-1:123456789012:function:dmsflow-create"
        );
        assert_eq!(values["Region"], "us-east-1");
        assert_eq!(
            wiring.machines["Machine"],
            Machine {
                name: "dmsflow-migration".into(),
                definition: "statemachine/migration.asl.json".into(),
            }
        );
        let out = substitute(r#"{"a":"${CreateFunctionArn}","b":"${Region}"}"#, &values).unwrap();
        assert!(out.contains("function:dmsflow-create") && out.contains("us-east-1\""));
        let left = substitute(r#"{"a":"${Unknown}"}"#, &values).unwrap_err();
        assert!(left.to_string().contains("${Unknown}"));
    }

    #[test]
    fn an_unknown_substitution_is_an_error() {
        let text = TEMPLATE_TEXT.replace("Region: !Ref AWS::Region", "Bucket: !Ref Elsewhere");
        let wiring = Wiring::parse(&text).unwrap();
        assert!(wiring.local_values().is_err());
    }
}
