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

    /// The only state machine of the template.
    pub fn state_machine(&self) -> (String, &Value) {
        let machines = self.resources_of("AWS::Serverless::StateMachine");
        assert_eq!(machines.len(), 1, "{PATH} must declare one state machine");
        machines.into_iter().next().expect("one state machine")
    }

    /// The state machine's `DefinitionSubstitutions`, by name.
    pub fn substitutions(&self) -> BTreeMap<String, &Value> {
        let (id, machine) = self.state_machine();
        machine["Properties"]["DefinitionSubstitutions"]
            .as_mapping()
            .unwrap_or_else(|| panic!("{id} has no DefinitionSubstitutions"))
            .iter()
            .map(|(k, v)| (k.as_str().unwrap_or_default().to_string(), v))
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
