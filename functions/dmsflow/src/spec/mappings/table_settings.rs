//! Table-settings rules (Tablesettings page): parallel load and LOB settings of
//! one table or view.
//!
//! Not checked, because the guide does not say DMS refuses it when the task is
//! created: whether a selection rule includes the table, two rules for one
//! table, the source and target engines that support parallel load and LOB
//! settings (their lists), overlapping Oracle partitions and subpartitions, and
//! the members for MongoDB and DocumentDB sources (which dmsflow does not take).

use serde_json::Value;

use super::rule::{Rule, names, whole_number};

/// `parallel-load.type` (Tablesettings).
const PARALLEL_LOAD_TYPES: [&str; 5] = [
    "partitions-auto",
    "subpartitions-auto",
    "partitions-list",
    "ranges",
    "none",
];

/// `lob-settings.mode` (Tablesettings): `limited` is the default.
const LOB_MODES: [&str; 3] = ["limited", "unlimited", "none"];

/// "You can specify up to 10 columns." (Tablesettings, `columns`.)
const MOST_RANGE_COLUMNS: usize = 10;

/// The PostgreSQL engines: "PostgreSQL endpoints support only this type of a
/// parallel load" (`ranges`). The page does not say source or target; a parallel
/// load reads the source, so it is applied to the source.
const POSTGRES: [&str; 2] = ["postgres", "aurora-postgresql"];

pub fn check(rule: &mut Rule<'_>) {
    // "The name of a specific schema and table or view ... (no wildcards)", and
    // the error DMS returns: "Error in mapping rules. Rule with ruleId = x failed
    // validation. Exact schema and table name required when using table settings
    // rule." Only `%` is quoted as refused; `_` is part of ordinary exact names.
    rule.require_locator("table-name");
    rule.refuse_wildcards(
        &["schema-name", "table-name"],
        "DMS requires the exact schema and table name in a table-settings rule (\"Exact schema and table name required when using table settings rule\")",
        "write the exact name, with one table-settings rule per table",
    );
    if let Some(parallel) = rule.get("parallel-load") {
        check_parallel_load(rule, parallel);
    }
    if let Some(lob) = rule.get("lob-settings") {
        check_lob_settings(rule, lob);
    }
}

fn check_parallel_load(rule: &mut Rule<'_>, parallel: &Value) {
    if !parallel.is_object() {
        rule.report(
            "parallel-load",
            "expected an object",
            r#"give an object such as {"type": "partitions-auto"}"#,
        );
        return;
    }
    rule.one_of(
        "parallel-load.type",
        &PARALLEL_LOAD_TYPES,
        "a parallel-load type",
        true,
    );
    let kind = parallel
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let source = rule.endpoints.source;
    let oracle_source = source.is_none_or(|engine| engine == "oracle");
    // "(Oracle endpoints only) All subpartitions of the table or view are loaded
    // in parallel." and `subpartitions`: "(Oracle endpoints only)".
    if kind == "subpartitions-auto" && !oracle_source {
        report_engine(
            rule,
            "parallel-load.type",
            "`subpartitions-auto` is for Oracle sources only",
            source,
        );
    }
    if parallel.get("subpartitions").is_some() && !oracle_source {
        report_engine(
            rule,
            "parallel-load.subpartitions",
            "subpartitions are for Oracle sources only",
            source,
        );
    }
    if let Some(engine) = source.filter(|engine| POSTGRES.contains(engine))
        && !matches!(kind, "ranges" | "none" | "")
    {
        rule.report(
            "parallel-load.type",
            format!("`{kind}`: PostgreSQL endpoints support only the `ranges` parallel load, and source.engine is `{engine}`"),
            "use `ranges` with `columns` and `boundaries`",
        );
    }
    for member in ["partitions", "subpartitions"] {
        if parallel
            .get(member)
            .is_some_and(|list| names(list).is_none())
        {
            rule.report(
                &format!("parallel-load.{member}"),
                "expected a non-empty list of names",
                format!("list the {member} to load in parallel, such as [\"p1\", \"p2\"]"),
            );
        }
    }
    if kind == "ranges" {
        check_ranges(rule, parallel);
    }
}

/// `columns`: "an array of strings set to the names of columns", "up to 10";
/// `boundaries`: "an array of column-value arrays. Each column-value array
/// contains column values in the quantity and order specified by columns."
fn check_ranges(rule: &mut Rule<'_>, parallel: &Value) {
    let columns = parallel.get("columns").and_then(names);
    let count = match columns {
        Some(columns) if columns.len() <= MOST_RANGE_COLUMNS => Some(columns.len()),
        Some(columns) => {
            rule.report(
                "parallel-load.columns",
                format!("{} columns; a range load takes up to 10", columns.len()),
                "segment on at most 10 columns",
            );
            None
        }
        None => {
            rule.report(
                "parallel-load.columns",
                "`ranges` needs a non-empty list of column names",
                "name the columns whose values bound the segments, such as [\"id\"]",
            );
            None
        }
    };
    let boundaries = parallel.get("boundaries").and_then(Value::as_array);
    let Some(boundaries) = boundaries.filter(|list| !list.is_empty()) else {
        rule.report(
            "parallel-load.boundaries",
            "`ranges` needs a non-empty list of boundaries",
            "give one list of column values per segment, such as [[\"1000\"], [\"2000\"]]",
        );
        return;
    };
    for (i, boundary) in boundaries.iter().enumerate() {
        let length = boundary.as_array().map(Vec::len);
        if length.is_none() || count.is_some_and(|count| length != Some(count)) {
            let wanted = count.map_or("one value per column".to_string(), |n| {
                format!("{n} values, one per column")
            });
            rule.report(
                &format!("parallel-load.boundaries[{i}]"),
                format!("expected a list of {wanted}"),
                "give the segment's upper boundary: the values of `columns`, in their order",
            );
        }
    }
}

/// `mode`: limited (the default), unlimited or none; `bulk-max-size`: "The
/// maximum size of LOBs in kilobyte increments", and "In limited mode, you must
/// set a nonzero value for this parameter." (Tablesettings.)
fn check_lob_settings(rule: &mut Rule<'_>, lob: &Value) {
    if !lob.is_object() {
        rule.report(
            "lob-settings",
            "expected an object",
            r#"give an object such as {"mode": "limited", "bulk-max-size": "16"}"#,
        );
        return;
    }
    rule.one_of("lob-settings.mode", &LOB_MODES, "a LOB mode", false);
    let mode = lob.get("mode").and_then(Value::as_str).unwrap_or("limited");
    let size = lob.get("bulk-max-size");
    let kilobytes = size.and_then(whole_number);
    if size.is_some() && kilobytes.is_none() {
        rule.report(
            "lob-settings.bulk-max-size",
            "expected a whole number of kilobytes",
            "give the largest LOB size in KB, such as \"64\"",
        );
    } else if mode == "limited" && kilobytes.is_none_or(|kb| kb == 0) {
        rule.report(
            "lob-settings.bulk-max-size",
            "limited LOB mode needs a nonzero `bulk-max-size` (zero is invalid)",
            "give the largest LOB size in KB, such as \"64\", or choose `unlimited`",
        );
    }
}

fn report_engine(rule: &mut Rule<'_>, member: &str, what: &str, source: Option<&str>) {
    let engine = source.unwrap_or_default();
    rule.report(
        member,
        format!("{what}, and source.engine is `{engine}`"),
        "use `partitions-auto` or `partitions-list` with `partitions`",
    );
}
