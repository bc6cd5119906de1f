use serde_json::json;

use super::*;
use crate::steps::wave_fakes::{TOPIC, spec};

fn stack() -> StackBounds {
    StackBounds::alert_topic_only(Some(TOPIC))
}

fn no_manifest(key: &str) -> Result<Value, String> {
    panic!("no manifest should be read, asked for {key}")
}

#[test]
fn each_kind_of_input_is_told_apart_and_checked() {
    let checked = check(&spec("orders"), &stack(), no_manifest).unwrap();
    assert!(
        checked
            .describe()
            .starts_with("migration spec of run orders ("),
        "{}",
        checked.describe()
    );
    let wave = json!({"action": "wave", "wave_id": "q3", "runs": [spec("a"), spec("b")]});
    assert_eq!(
        check(&wave, &stack(), no_manifest).unwrap().describe(),
        "wave q3 of 2 run(s), at most 5 at a time"
    );
    let list = json!([spec("a"), spec("b"), spec("c")]);
    assert_eq!(
        check(&list, &stack(), no_manifest).unwrap().describe(),
        "manifest of 3 migration spec(s)"
    );
    for (action, what) in [("cleanup", "cleanup"), ("cutover", "cutover")] {
        let request = json!({"action": action, "run_id": "orders"});
        assert_eq!(
            check(&request, &stack(), no_manifest).unwrap().describe(),
            format!("{what} request for run orders")
        );
    }
}

#[test]
fn a_waves_manifest_is_read_by_its_key_and_its_specs_checked() {
    let wave = json!({"action": "wave", "wave_id": "q4", "manifest": "s3://team-bucket/manifests/q4.json"});
    let mut asked = None;
    let checked = check(&wave, &stack(), |key| {
        asked = Some(key.to_string());
        Ok(json!([spec("a")]))
    })
    .unwrap();
    assert_eq!(asked.as_deref(), Some("manifests/q4.json"));
    assert_eq!(
        checked.describe(),
        "wave q4 of 1 run(s), at most 5 at a time"
    );
    let error = check(&wave, &stack(), |_| Err("manifest: not here".into())).unwrap_err();
    assert_eq!(error, "manifest: not here");
}

#[test]
fn a_bad_input_is_the_message_the_stack_would_answer() {
    let mut broken = spec("orders");
    broken["source"]["port"] = json!(0);
    let error = check(&broken, &stack(), no_manifest).unwrap_err();
    assert!(error.starts_with("The migration spec has"), "{error}");
    assert!(error.contains("source.port"), "{error}");
    let list = json!([spec("a"), broken]);
    let error = check(&list, &stack(), no_manifest).unwrap_err();
    assert!(error.contains("manifest[1] (orders)"), "{error}");
    let unknown = json!({"action": "explode", "run_id": "orders"});
    assert!(check(&unknown, &stack(), no_manifest).is_err());
    let error = check(&json!(7), &stack(), no_manifest).unwrap_err();
    assert!(
        error.contains("neither a JSON object nor a list"),
        "{error}"
    );
}
