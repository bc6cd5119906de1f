//! The SAM template, the state machine definition, the workspace and the sample
//! inputs agree with each other.

mod support;

use std::collections::BTreeSet;
use std::process::Command;

use support::asl::Asl;
use support::template::Template;

#[test]
fn every_placeholder_has_a_substitution_and_every_substitution_is_used() {
    let template = Template::load();
    for (id, path) in support::asl::DEFINITIONS {
        let used = Asl::load_path(path).placeholders();
        let given: BTreeSet<String> = template.substitutions(id).into_keys().collect();
        let missing: Vec<_> = used.difference(&given).collect();
        let unused: Vec<_> = given.difference(&used).collect();
        assert!(
            missing.is_empty(),
            "{path}: placeholders without a DefinitionSubstitution of {id}: {missing:?}"
        );
        assert!(
            unused.is_empty(),
            "{id}: DefinitionSubstitutions {path} never uses: {unused:?}"
        );
    }
}

#[test]
fn each_state_machine_is_defined_by_its_checked_definition() {
    let template = Template::load();
    assert_eq!(
        template.state_machines().into_keys().collect::<Vec<_>>(),
        support::asl::DEFINITIONS
            .map(|(id, _)| id.to_string())
            .to_vec(),
        "the template's state machines are the ones these checks read"
    );
    for (id, path) in support::asl::DEFINITIONS {
        let machine = template.state_machine(id);
        assert_eq!(
            machine["Properties"]["DefinitionUri"].as_str(),
            Some(path),
            "{id} must be defined by the definition these checks read"
        );
        assert_eq!(machine["Properties"]["Type"].as_str(), Some("STANDARD"));
        let logging = &machine["Properties"]["Logging"];
        assert_eq!(
            logging["IncludeExecutionData"].as_bool(),
            Some(false),
            "execution data holds the specs: keep it out of the logs"
        );
    }
}

#[test]
fn every_function_substitution_points_at_the_function_built_from_its_binary() {
    let template = Template::load();
    let binaries = template.function_binaries();
    let substitutions = support::asl::DEFINITIONS
        .iter()
        .flat_map(|(id, _)| template.substitutions(id));
    for (name, value) in substitutions {
        let Some(expected) = support::binary_for_substitution(&name) else {
            continue;
        };
        let id = dmsflow_local::definition::referenced(value)
            .unwrap_or_else(|| panic!("{name} must be !GetAtt <Function>.Arn"));
        assert_eq!(
            binaries.get(&id),
            Some(&expected),
            "{name} points at {id}, which is not built from {expected}"
        );
    }
}

/// Binaries of the workspace's function crates (packages under `functions/`).
fn workspace_function_binaries() -> BTreeSet<String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let root = support::root();
    let output = Command::new(cargo)
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .current_dir(&root)
        .output()
        .expect("cargo metadata runs");
    assert!(
        output.status.success(),
        "cargo metadata failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let metadata: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("cargo metadata prints JSON");
    let functions_dir = root.join("functions");
    metadata["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .filter(|p| {
            p["manifest_path"]
                .as_str()
                .is_some_and(|m| std::path::Path::new(m).starts_with(&functions_dir))
        })
        .flat_map(|p| p["targets"].as_array().into_iter().flatten())
        .filter(|t| {
            t["kind"]
                .as_array()
                .is_some_and(|k| k.iter().any(|k| k == "bin"))
        })
        .filter_map(|t| t["name"].as_str().map(str::to_string))
        .collect()
}

#[test]
fn the_template_deploys_exactly_the_workspace_function_binaries() {
    let in_workspace = workspace_function_binaries();
    assert_eq!(
        in_workspace.len(),
        14,
        "fourteen function binaries: {in_workspace:?}"
    );
    let in_template: BTreeSet<String> =
        Template::load().function_binaries().into_values().collect();
    let not_built: Vec<_> = in_template.difference(&in_workspace).collect();
    let not_deployed: Vec<_> = in_workspace.difference(&in_template).collect();
    assert!(
        not_built.is_empty(),
        "the template names binaries no crate builds: {not_built:?}"
    );
    assert!(
        not_deployed.is_empty(),
        "function binaries the template does not deploy: {not_deployed:?}"
    );
}

#[test]
fn substitution_names_map_to_binaries() {
    assert_eq!(
        support::binary_for_substitution("TestConnectionFunctionArn").as_deref(),
        Some("dmsflow-test-connection")
    );
    assert_eq!(support::binary_for_substitution("AlertTopicArn"), None);
}

#[test]
fn every_sample_input_is_a_spec_a_cleanup_a_cutover_request_or_a_wave() {
    let dir = support::root().join("events");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).expect("events/ exists") {
        let path = entry.expect("readable entry").path();
        if path.extension().and_then(|e| e.to_str()) != Some("json") {
            continue;
        }
        seen += 1;
        let text = std::fs::read_to_string(&path).expect("readable");
        let value: serde_json::Value = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()));
        // Checked as the stack checks it (a wave's manifest is beside it: events/<key>).
        let stack = dmsflow::spec::stack_bounds::StackBounds::alert_topic_only(Some(
            "arn:aws:sns:us-east-1:123456789012:dmsflow-alerts",
        ));
        let checked = dmsflow::inputs::check(&value, &stack, |key| {
            let text = std::fs::read_to_string(dir.join(key)).map_err(|e| e.to_string())?;
            serde_json::from_str(&text).map_err(|e| e.to_string())
        })
        .unwrap_or_else(|e| panic!("{} is refused: {e}", path.display()));
        assert!(
            !matches!(checked, dmsflow::inputs::Checked::Manifest(_)),
            "{}: a manifest belongs under events/manifests/",
            path.display()
        );
    }
    assert!(seen >= 2, "events/ holds the sample inputs");
}
