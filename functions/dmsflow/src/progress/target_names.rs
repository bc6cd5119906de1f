//! The target name of a source table: the table mapping's transformation rules
//! applied the way DMS applies them, with no I/O.
//!
//! Modeled: `rename`, `convert-lowercase`, `convert-uppercase`, `add-prefix`,
//! `remove-prefix`, `replace-prefix`, `add-suffix`, `remove-suffix` and
//! `replace-suffix` on rule-target `schema` and `table`. A rule applies to the
//! objects its object-locator matches, with DMS's wildcards (`%` any run of
//! characters, `_` one character), case-sensitively, against the source names.
//! Bracket patterns (`[_]`, `[ab]`, `[a-d]`) make the name unknown: the Wildcards
//! page says they "may not work with all endpoint types". A source endpoint
//! configured as case-insensitive may match more than this predicts (Selections
//! page). A schema rule renames the
//! schema and a table rule the table, each on its own. DMS supports one
//! transformation per schema and one per table.
//!
//! Whatever else may name a target table makes the name unknown, with the reason,
//! never a guess: two rules transforming the same schema or table, an
//! object-mapping rule, an action or rule-target dmsflow does not model, a
//! locator pattern it cannot read (or that uses the endpoints' escape character),
//! a table rule whose locator names the renamed schema, or a schema override (such
//! as the task setting `TargetMetadata.TargetSchema`) together with a schema rule.

use serde_json::Value;

use crate::spec::mappings::{MappingRule, mapping_rules};

/// Actions on a schema or table that leave its name alone.
const NAME_KEEPING_ACTIONS: [&str; 1] = ["define-primary-key"];

/// Rule targets whose rules never change a schema's or a table's name.
const OTHER_OBJECT_TARGETS: [&str; 3] = ["column", "table-tablespace", "index-tablespace"];

/// Rule types that never name a target table.
const NON_NAMING_RULE_TYPES: [&str; 4] = [
    "selection",
    "table-settings",
    "validation",
    "post-processing",
];

/// A table's name in the target.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct TargetName {
    pub schema: String,
    pub table: String,
}

impl TargetName {
    /// `schema.table`.
    pub fn qualified(&self) -> String {
        format!("{}.{}", self.schema, self.table)
    }
}

/// Something other than the transformation rules that puts every table in one
/// schema (or database), and where it comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaOverride {
    pub schema: String,
    /// Such as "the task setting TargetMetadata.TargetSchema".
    pub source: String,
}

/// Works out target names from a table mapping.
#[derive(Debug, Clone, Default)]
pub struct TargetNamer {
    rules: Vec<MappingRule>,
    escape_characters: Vec<char>,
    schema_overrides: Vec<SchemaOverride>,
}

/// One pattern matched against a name: `Err` says why it cannot be decided.
type Match = Result<bool, String>;

impl TargetNamer {
    /// The namer of a table-mapping document (`{"rules": [...]}`).
    pub fn new(mappings: &Value) -> Self {
        Self {
            rules: mapping_rules(mappings),
            ..Self::default()
        }
    }

    /// An escape character set on an endpoint (`escapeCharacter`): patterns that
    /// use it are not matched.
    pub fn with_escape_character(mut self, escape: char) -> Self {
        self.escape_characters.push(escape);
        self
    }

    /// Something that puts every table in one schema.
    pub fn with_schema_override(mut self, schema_override: SchemaOverride) -> Self {
        self.schema_overrides.push(schema_override);
        self
    }

    /// The target name of source table `schema.table`, or why it is unknown.
    pub fn target_of(&self, schema: &str, table: &str) -> Result<TargetName, String> {
        let mut schema_rules = Vec::new();
        let mut table_rules = Vec::new();
        for rule in &self.rules {
            match self.role(rule, schema, table)? {
                Role::Schema => schema_rules.push(rule),
                Role::Table => table_rules.push(rule),
                Role::None => {}
            }
        }
        let target_schema = match (
            only_one(&schema_rules, "schema", schema)?,
            &self.schema_overrides[..],
        ) {
            (None, []) => schema.to_string(),
            (Some(rule), []) => apply(rule, schema)?,
            (None, [one]) => one.schema.clone(),
            (Some(rule), [one, ..]) => {
                return Err(format!(
                    "rule {} transforms schema {schema} and {} puts every table in schema {}; how DMS combines them is not modeled",
                    rule.id, one.source, one.schema
                ));
            }
            (None, [one, two, ..]) => {
                return Err(format!(
                    "{} and {} both name the target schema",
                    one.source, two.source
                ));
            }
        };
        if target_schema != schema {
            self.no_rule_names_renamed_schema(&target_schema, schema, table, &table_rules)?;
        }
        let target_table = match only_one(&table_rules, "table", &format!("{schema}.{table}"))? {
            Some(rule) => apply(rule, table)?,
            None => table.to_string(),
        };
        Ok(TargetName {
            schema: target_schema,
            table: target_table,
        })
    }

    /// What `rule` does to source table `schema.table`; `Err` when it may change
    /// its name in a way that is not modeled.
    fn role(&self, rule: &MappingRule, schema: &str, table: &str) -> Result<Role, String> {
        if NON_NAMING_RULE_TYPES.contains(&rule.rule_type.as_str()) {
            return Ok(Role::None);
        }
        let target = rule.target.as_deref().unwrap_or_default();
        if rule.rule_type == "transformation" && OTHER_OBJECT_TARGETS.contains(&target) {
            return Ok(Role::None);
        }
        let on_schema = rule.rule_type == "transformation" && target == "schema";
        let matched = if on_schema {
            self.locator_matches(rule, schema, None)?
        } else {
            self.locator_matches(rule, schema, Some(table))?
        };
        if !matched {
            return Ok(Role::None);
        }
        let action = rule.action.as_deref().unwrap_or_default();
        if rule.rule_type != "transformation" {
            return Err(format!(
                "{} rule {} applies to it and may name its target table, which dmsflow does not model",
                rule.rule_type, rule.id
            ));
        }
        if target != "schema" && target != "table" {
            return Err(format!(
                "transformation rule {} has rule-target `{target}`, which dmsflow does not model",
                rule.id
            ));
        }
        if NAME_KEEPING_ACTIONS.contains(&action) {
            return Ok(Role::None);
        }
        // Every other action is taken as renaming: [`apply`] refuses those it does
        // not model.
        Ok(if on_schema { Role::Schema } else { Role::Table })
    }

    /// Whether the rule's object-locator matches the schema (and the table, when
    /// given; a locator without a table name matches every table).
    fn locator_matches(
        &self,
        rule: &MappingRule,
        schema: &str,
        table: Option<&str>,
    ) -> Result<bool, String> {
        let Some(schema_pattern) = rule.schema_name.as_deref() else {
            return Err(format!(
                "rule {} has no object-locator schema-name",
                rule.id
            ));
        };
        if !self.matches(rule, schema_pattern, schema)? {
            return Ok(false);
        }
        match (table, rule.table_name.as_deref()) {
            (Some(table), Some(pattern)) => self.matches(rule, pattern, table),
            _ => Ok(true),
        }
    }

    fn matches(&self, rule: &MappingRule, pattern: &str, name: &str) -> Match {
        if let Some(escape) = self
            .escape_characters
            .iter()
            .find(|c| pattern.contains(**c))
        {
            return Err(format!(
                "rule {}'s pattern `{pattern}` uses the endpoint's escape character `{escape}`, which dmsflow does not model",
                rule.id
            ));
        }
        pattern_matches(pattern, name).ok_or_else(|| {
            format!(
                "rule {}'s pattern `{pattern}` is not made of the wildcards `%` and `_` alone (DMS's guide: bracket patterns \"may not work with all endpoint types\")",
                rule.id
            )
        })
    }

    /// A table rule that does not apply by the source schema but would by the
    /// renamed one: its author may have meant the target name.
    fn no_rule_names_renamed_schema(
        &self,
        target_schema: &str,
        schema: &str,
        table: &str,
        applied: &[&MappingRule],
    ) -> Result<(), String> {
        let table_rules = self.rules.iter().filter(|rule| {
            rule.rule_type == "transformation"
                && rule.target.as_deref() == Some("table")
                && !applied.iter().any(|a| std::ptr::eq(*a, *rule))
        });
        for rule in table_rules {
            if self.locator_matches(rule, target_schema, Some(table))? {
                return Err(format!(
                    "table rule {}'s object-locator names schema {target_schema}, the target name of schema {schema}, not the source name DMS matches",
                    rule.id
                ));
            }
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    None,
    Schema,
    Table,
}

/// The one rule transforming an object, if any; `Err` when several do (DMS
/// supports one transformation per schema and per table).
fn only_one<'a>(
    rules: &[&'a MappingRule],
    what: &str,
    name: &str,
) -> Result<Option<&'a MappingRule>, String> {
    match rules {
        [] => Ok(None),
        [one] => Ok(Some(*one)),
        several => {
            let ids: Vec<&str> = several.iter().map(|r| r.id.as_str()).collect();
            Err(format!(
                "rules {} all transform {what} {name}, and DMS supports one transformation per {what}",
                ids.join(", ")
            ))
        }
    }
}

/// `name` after a renaming rule's action.
fn apply(rule: &MappingRule, name: &str) -> Result<String, String> {
    let action = rule.action.as_deref().unwrap_or_default();
    let member = |member: Option<&String>, key: &str| {
        member
            .cloned()
            .ok_or_else(|| format!("rule {} (`{action}`) has no `{key}`", rule.id))
    };
    let value = || member(rule.value.as_ref(), "value");
    let old_value = || member(rule.old_value.as_ref(), "old-value");
    Ok(match action {
        "rename" => value()?,
        "convert-lowercase" => name.to_lowercase(),
        "convert-uppercase" => name.to_uppercase(),
        "add-prefix" => format!("{}{name}", value()?),
        "add-suffix" => format!("{name}{}", value()?),
        "remove-prefix" => name.strip_prefix(&value()?).unwrap_or(name).to_string(),
        "remove-suffix" => name.strip_suffix(&value()?).unwrap_or(name).to_string(),
        "replace-prefix" => match name.strip_prefix(&old_value()?) {
            Some(rest) => format!("{}{rest}", value()?),
            None => name.to_string(),
        },
        "replace-suffix" => match name.strip_suffix(&old_value()?) {
            Some(rest) => format!("{rest}{}", value()?),
            None => name.to_string(),
        },
        other => {
            return Err(format!(
                "transformation rule {} applies `{other}` to its {}, which dmsflow does not model",
                rule.id,
                rule.target.as_deref().unwrap_or_default()
            ));
        }
    })
}

/// One element of a DMS wildcard pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    /// `%`: zero or more characters.
    Any,
    /// `_`: one character.
    One,
    Literal(char),
}

impl Token {
    fn accepts(&self, c: char) -> bool {
        match self {
            Token::Any | Token::One => true,
            Token::Literal(l) => *l == c,
        }
    }
}

/// Whether `name` matches the DMS object-locator pattern (case-sensitive);
/// `None` for a bracket pattern, which DMS may read one way or another depending
/// on the endpoint (Wildcards page).
pub fn pattern_matches(pattern: &str, name: &str) -> Option<bool> {
    let tokens = tokens(pattern)?;
    let name: Vec<char> = name.chars().collect();
    Some(matches_from(&tokens, &name))
}

fn tokens(pattern: &str) -> Option<Vec<Token>> {
    let mut out = Vec::new();
    for c in pattern.chars() {
        let token = match c {
            '%' if out.last() == Some(&Token::Any) => continue,
            '%' => Token::Any,
            '_' => Token::One,
            '[' => return None,
            literal => Token::Literal(literal),
        };
        out.push(token);
    }
    Some(out)
}

fn matches_from(tokens: &[Token], name: &[char]) -> bool {
    match tokens.split_first() {
        None => name.is_empty(),
        Some((Token::Any, rest)) => (0..=name.len()).any(|i| matches_from(rest, &name[i..])),
        Some((token, rest)) => name
            .split_first()
            .is_some_and(|(c, tail)| token.accepts(*c) && matches_from(rest, tail)),
    }
}

#[cfg(test)]
#[path = "target_names_tests.rs"]
mod tests;
