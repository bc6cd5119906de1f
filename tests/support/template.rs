//! Reading `template.yaml` (its `!Ref`, `!Sub`, `!GetAtt` tags are kept as tagged values).

use std::collections::BTreeMap;

use serde_norway::Value;

pub const PATH: &str = "template.yaml";

/// The SAM template.
pub struct Template {
    pub doc: Value,
}

impl Template {
    pub fn load() -> Self {
        let text = super::read(PATH);
        let doc =
            serde_norway::from_str(&text).unwrap_or_else(|e| panic!("{PATH} is not YAML: {e}"));
        Self { doc }
    }

    /// Resources of one type, by logical id.
    pub fn resources_of(&self, kind: &str) -> BTreeMap<String, &Value> {
        self.doc["Resources"]
            .as_mapping()
            .unwrap_or_else(|| panic!("{PATH} has no Resources"))
            .iter()
            .filter(|(_, r)| r["Type"].as_str() == Some(kind))
            .map(|(id, r)| (id.as_str().unwrap_or_default().to_string(), r))
            .collect()
    }

    /// The template's state machines, by logical id.
    pub fn state_machines(&self) -> BTreeMap<String, &Value> {
        self.resources_of("AWS::Serverless::StateMachine")
    }

    /// The state machine `id`.
    pub fn state_machine(&self, id: &str) -> &Value {
        self.state_machines()
            .remove(id)
            .unwrap_or_else(|| panic!("{PATH} declares no state machine {id}"))
    }

    /// A state machine's `DefinitionSubstitutions`, by name.
    pub fn substitutions(&self, id: &str) -> BTreeMap<String, &Value> {
        let machine = self.state_machine(id);
        machine["Properties"]["DefinitionSubstitutions"]
            .as_mapping()
            .unwrap_or_else(|| panic!("{id} has no DefinitionSubstitutions"))
            .iter()
            .map(|(k, v)| (k.as_str().unwrap_or_default().to_string(), v))
            .collect()
    }

    /// The role a function runs with: its `Role: !GetAtt <id>.Arn`.
    pub fn function_role(&self, function: &str) -> (String, &Value) {
        let role = &self.doc["Resources"][function]["Properties"]["Role"];
        let target = match role {
            Value::Tagged(tagged) if tagged.tag == "GetAtt" => tagged.value.as_str(),
            _ => None,
        }
        .and_then(|v| v.strip_suffix(".Arn"))
        .unwrap_or_else(|| {
            panic!("{function} must run with Role: !GetAtt <a role of this template>.Arn")
        });
        let resource = &self.doc["Resources"][target];
        assert_eq!(
            resource["Type"].as_str(),
            Some("AWS::IAM::Role"),
            "{function}'s Role names {target}, which is not an AWS::IAM::Role of {PATH}"
        );
        (target.to_string(), resource)
    }

    /// Every statement of the inline policies of a function's role.
    pub fn function_statements(&self, function: &str) -> Vec<&Value> {
        let (role_id, role) = self.function_role(function);
        let policies = role["Properties"]["Policies"]
            .as_sequence()
            .unwrap_or_else(|| panic!("{role_id} has no inline Policies"));
        policies
            .iter()
            .flat_map(|p| {
                p["PolicyDocument"]["Statement"]
                    .as_sequence()
                    .unwrap_or_else(|| panic!("{role_id}: a policy without statements: {p:?}"))
            })
            .collect()
    }

    /// Each function's logical id and the binary it is built from.
    pub fn function_binaries(&self) -> BTreeMap<String, String> {
        self.resources_of("AWS::Serverless::Function")
            .into_iter()
            .map(|(id, f)| {
                assert_eq!(
                    f["Metadata"]["BuildMethod"].as_str(),
                    Some("rust-cargolambda"),
                    "{id} must be built with BuildMethod rust-cargolambda"
                );
                let binary = f["Metadata"]["BuildProperties"]["Binary"]
                    .as_str()
                    .unwrap_or_else(|| panic!("{id} names no Metadata.BuildProperties.Binary"))
                    .to_string();
                (id, binary)
            })
            .collect()
    }
}

/// The actions of a policy statement (`Action` as one string or a list).
pub fn actions(statement: &Value) -> Vec<String> {
    match &statement["Action"] {
        Value::String(action) => vec![action.clone()],
        Value::Sequence(actions) => actions
            .iter()
            .map(|a| {
                a.as_str()
                    .unwrap_or_else(|| panic!("an action that is not a string: {a:?}"))
                    .to_string()
            })
            .collect(),
        other => panic!("a statement without actions: {other:?}"),
    }
}
