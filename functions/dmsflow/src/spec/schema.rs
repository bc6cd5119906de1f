//! The JSON Schema of the migration spec.
//!
//! The schema is committed at `schema/migration-spec.schema.json` so editors can
//! validate a spec as it is written. The functions carry that file's text and parse
//! it; a test keeps it equal to the schema schemars generates from the types, so the
//! generator itself stays out of the function binaries.

use serde_json::Value;

/// The committed schema's text.
const SPEC_SCHEMA_TEXT: &str = include_str!("../../../../schema/migration-spec.schema.json");

/// The JSON Schema (draft 2020-12) of [`super::MigrationSpec`].
pub fn spec_schema() -> Value {
    serde_json::from_str(SPEC_SCHEMA_TEXT).expect("the committed schema is JSON")
}

/// The spec's schema, parsed once per process: every parse walks it, and a
/// Lambda parses the spec on every call.
pub fn shared_spec_schema() -> &'static Value {
    static SCHEMA: std::sync::OnceLock<Value> = std::sync::OnceLock::new();
    SCHEMA.get_or_init(spec_schema)
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::spec::MigrationSpec;
    use crate::spec::parse::schema_problems;

    /// The schema generated from the types, pretty-printed, with a final newline.
    fn generated_schema_text() -> String {
        let schema = schemars::schema_for!(MigrationSpec).to_value();
        let mut text = serde_json::to_string_pretty(&schema).expect("a schema serializes");
        text.push('\n');
        text
    }

    fn committed_path() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../schema/migration-spec.schema.json")
    }

    #[test]
    fn committed_schema_matches_the_types() {
        let generated = generated_schema_text();
        let path = committed_path();
        if std::env::var_os("DMSFLOW_WRITE_SCHEMA").is_some() {
            std::fs::write(&path, &generated).expect("write the schema file");
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == generated,
            "{} differs from the schema generated from spec/types.rs; regenerate it with \
             `DMSFLOW_WRITE_SCHEMA=1 cargo test -p dmsflow schema` and commit it",
            path.display()
        );
    }

    #[test]
    fn the_schema_accepts_the_sample_specs() {
        for name in [
            "mysql-full-load-and-cdc.json",
            "postgres-to-aurora-full-load.json",
        ] {
            let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("../../events")
                .join(name);
            let text = std::fs::read_to_string(&path).expect("read the sample");
            let value: Value = serde_json::from_str(&text).expect("the sample is JSON");
            let problems = schema_problems(&value);
            assert!(problems.is_empty(), "{name}: {problems:#?}");
            let mut broken = value.clone();
            broken["source"]["port"] = Value::from(0);
            assert_eq!(schema_problems(&broken)[0].path, "source.port");
        }
    }

    #[test]
    fn schema_names_every_top_level_field() {
        let schema = spec_schema();
        let properties = schema["properties"].as_object().expect("properties");
        for field in [
            "run_id",
            "network",
            "source",
            "target",
            "table_mappings",
            "polling",
        ] {
            assert!(properties.contains_key(field), "schema lacks {field}");
        }
        let required: Vec<&str> = schema["required"]
            .as_array()
            .expect("required")
            .iter()
            .filter_map(Value::as_str)
            .collect();
        assert!(required.contains(&"run_id") && required.contains(&"source"));
        assert!(!required.contains(&"polling"));
    }
}
