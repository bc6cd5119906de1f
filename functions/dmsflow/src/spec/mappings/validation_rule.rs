//! Validation rules: `override-validation-function` replaces the functions data
//! validation compares a column with (Validating page, "Using JSON editor to
//! modify validation rules"; PostgreSQL target page, Babelfish). The guide has no
//! table of their members, only the two examples; the members checked are the
//! ones both examples have. "override-validation-function does not take effect
//! if the column is a part of the primary key" is not a refusal.

use serde_json::Value;

use super::rule::Rule;

/// The one `rule-target` of the examples.
const TARGETS: [&str; 1] = ["column"];

pub fn check(rule: &mut Rule<'_>) {
    rule.one_of("rule-target", &TARGETS, "a validation rule target", true);
    rule.require_locator("table-name");
    rule.require_locator("column-name");
    // Both examples give both functions; the guide does not say whether one may
    // be left out, so one is enough. With neither, the rule overrides nothing.
    let function = |member: &str| {
        rule.get(member)
            .and_then(Value::as_str)
            .is_some_and(|text| !text.trim().is_empty())
    };
    if !function("source-function") && !function("target-function") {
        rule.report(
            "source-function",
            "an override-validation-function rule needs `source-function` or `target-function`",
            "give the SQL expression to validate the column with on the source and on the target, with ${column-name} for the column",
        );
    }
}
