//! The simulated source catalog and the selection rules of TableMappings.

use serde_json::Value;

use crate::faults::Fault;
use crate::scenario::CatalogSpec;

/// One source table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogTable {
    pub schema: String,
    pub name: String,
    pub rows: u64,
}

/// The default catalog's tables and their (deterministic) row counts.
pub const DEFAULT_TABLES: [(&str, u64); 6] = [
    ("customers", 5_000),
    ("orders", 12_000),
    ("order_items", 30_000),
    ("products", 800),
    ("payments", 11_000),
    ("inventory", 2_500),
];

pub fn default_catalog(schema: &str) -> Vec<CatalogTable> {
    DEFAULT_TABLES
        .iter()
        .map(|(name, rows)| CatalogTable {
            schema: schema.to_string(),
            name: (*name).to_string(),
            rows: *rows,
        })
        .collect()
}

pub fn scenario_catalog(spec: &CatalogSpec) -> Vec<CatalogTable> {
    let mut out: Vec<CatalogTable> = spec
        .tables
        .iter()
        .map(|t| CatalogTable {
            schema: t.schema.clone(),
            name: t.name.clone(),
            rows: t.rows,
        })
        .collect();
    for g in &spec.generate {
        let width = g.count.max(1).to_string().len();
        for i in 1..=g.count {
            out.push(CatalogTable {
                schema: g.schema.clone(),
                name: format!("{}{:0width$}", g.prefix, i),
                rows: g.rows,
            });
        }
    }
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleAction {
    Include,
    Exclude,
}

#[derive(Debug, Clone)]
pub struct SelectionRule {
    pub schema: String,
    pub table: String,
    pub action: RuleAction,
}

/// The selection rules of a TableMappings document.
#[derive(Debug, Clone)]
pub struct Mappings {
    pub rules: Vec<SelectionRule>,
}

impl Mappings {
    pub fn parse(text: &str) -> Result<Mappings, Fault> {
        let bad = |why: String| {
            Err(Fault::invalid_parameter(format!(
                "Error in mapping rules. {why}"
            )))
        };
        let doc: Value = match serde_json::from_str(text) {
            Ok(v) => v,
            Err(e) => return bad(format!("TableMappings is not valid JSON: {e}")),
        };
        let Some(rules) = doc.get("rules").and_then(Value::as_array) else {
            return bad("The TableMappings document must have a \"rules\" list.".into());
        };
        let mut out = Vec::new();
        for rule in rules {
            let id = rule
                .get("rule-id")
                .map(|v| {
                    v.as_str()
                        .map(str::to_string)
                        .unwrap_or_else(|| v.to_string())
                })
                .unwrap_or_else(|| "?".into());
            let Some(kind) = rule.get("rule-type").and_then(Value::as_str) else {
                return bad(format!(
                    "Rule with ruleId = {id} failed validation: rule-type is missing."
                ));
            };
            if kind != "selection" {
                continue;
            }
            let locator = rule.get("object-locator");
            let field = |name: &str| {
                locator
                    .and_then(|l| l.get(name))
                    .and_then(Value::as_str)
                    .map(str::to_string)
            };
            let (Some(schema), Some(table)) = (field("schema-name"), field("table-name")) else {
                return bad(format!(
                    "Rule with ruleId = {id} failed validation: object-locator needs schema-name and table-name."
                ));
            };
            let action = match rule.get("rule-action").and_then(Value::as_str) {
                Some("include") | Some("explicit") => RuleAction::Include,
                Some("exclude") => RuleAction::Exclude,
                other => {
                    return bad(format!(
                        "Rule with ruleId = {id} failed validation: rule-action {} is not include, exclude or explicit.",
                        other.unwrap_or("(missing)")
                    ));
                }
            };
            out.push(SelectionRule {
                schema,
                table,
                action,
            });
        }
        if !out.iter().any(|r| r.action == RuleAction::Include) {
            return bad("At least one selection rule with rule-action include is required.".into());
        }
        Ok(Mappings { rules: out })
    }

    /// The first schema named without wildcards in an include rule.
    pub fn named_schema(&self) -> Option<&str> {
        self.rules
            .iter()
            .filter(|r| r.action == RuleAction::Include)
            .map(|r| r.schema.as_str())
            .find(|s| !s.contains('%') && !s.is_empty())
    }

    pub fn selects(&self, schema: &str, table: &str) -> bool {
        let matches = |r: &SelectionRule| like(&r.schema, schema) && like(&r.table, table);
        self.rules
            .iter()
            .any(|r| r.action == RuleAction::Include && matches(r))
            && !self
                .rules
                .iter()
                .any(|r| r.action == RuleAction::Exclude && matches(r))
    }

    pub fn select(&self, catalog: &[CatalogTable]) -> Vec<CatalogTable> {
        catalog
            .iter()
            .filter(|t| self.selects(&t.schema, &t.name))
            .cloned()
            .collect()
    }
}

/// SQL-LIKE match with `%` as the only wildcard, case-insensitive.
pub fn like(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.to_lowercase().chars().collect();
    let t: Vec<char> = text.to_lowercase().chars().collect();
    let (mut pi, mut ti) = (0usize, 0usize);
    let (mut star, mut mark) = (None::<usize>, 0usize);
    while ti < t.len() {
        if pi < p.len() && p[pi] != '%' && p[pi] == t[ti] {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '%' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == '%' {
        pi += 1;
    }
    pi == p.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_matches_percent_wildcards() {
        assert!(like("%", "orders"));
        assert!(like("order%", "order_items"));
        assert!(like("%items", "order_items"));
        assert!(like("o%r%s", "orders"));
        assert!(!like("order", "orders"));
        assert!(!like("x%", "orders"));
        assert!(like("ORDERS", "orders"));
    }

    #[test]
    fn exclude_wins_over_include() {
        let m = Mappings::parse(
            r#"{"rules":[
              {"rule-type":"selection","rule-id":"1","rule-name":"1","object-locator":{"schema-name":"sales","table-name":"%"},"rule-action":"include"},
              {"rule-type":"selection","rule-id":"2","rule-name":"2","object-locator":{"schema-name":"sales","table-name":"pay%"},"rule-action":"exclude"}]}"#,
        )
        .unwrap();
        let picked = m.select(&default_catalog("sales"));
        assert_eq!(picked.len(), 5);
        assert!(picked.iter().all(|t| t.name != "payments"));
        assert_eq!(m.named_schema(), Some("sales"));
    }

    #[test]
    fn mappings_without_include_are_refused() {
        let err = Mappings::parse(r#"{"rules":[]}"#).unwrap_err();
        assert_eq!(err.code, "InvalidParameterValueException");
        assert!(Mappings::parse("not json").is_err());
    }
}
