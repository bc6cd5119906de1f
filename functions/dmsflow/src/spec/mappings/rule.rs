//! One rule being checked: its members, where it is, and the problems found.

use serde_json::{Map, Value};

use super::Endpoints;
use crate::spec::parse::{SpecProblem, join, listing, not_allowed};

pub struct Rule<'a> {
    members: &'a Map<String, Value>,
    path: &'a str,
    pub endpoints: &'a Endpoints<'a>,
    out: &'a mut Vec<SpecProblem>,
}

impl<'a> Rule<'a> {
    pub fn new(
        members: &'a Map<String, Value>,
        path: &'a str,
        endpoints: &'a Endpoints<'a>,
        out: &'a mut Vec<SpecProblem>,
    ) -> Self {
        Self {
            members,
            path,
            endpoints,
            out,
        }
    }

    /// The path of a member of the rule: `a.b` for nested members, `a[2].b` for
    /// an item of a list.
    pub fn at(&self, member: &str) -> String {
        member
            .split('.')
            .fold(self.path.to_string(), |path, segment| {
                match segment.split_once('[') {
                    Some((key, items)) => format!("{}[{items}", join(&path, key)),
                    None => join(&path, segment),
                }
            })
    }

    pub fn report(&mut self, member: &str, problem: impl Into<String>, fix: impl Into<String>) {
        let at = self.at(member);
        self.out
            .push(SpecProblem::new(at, problem.into(), fix.into()));
    }

    pub fn get(&self, member: &str) -> Option<&'a Value> {
        self.members.get(member)
    }

    pub fn text(&self, member: &str) -> Option<&'a str> {
        self.get(member).and_then(Value::as_str)
    }

    /// A member of the object-locator, as text.
    pub fn locator(&self, member: &str) -> Option<&'a str> {
        self.get("object-locator")
            .and_then(|locator| locator.get(member))
            .and_then(Value::as_str)
    }

    /// Reports the locator member when it is missing or empty (the locator itself
    /// is an object: its absence is reported once, by the common checks).
    pub fn require_locator(&mut self, member: &str) {
        let is_object = self.get("object-locator").is_some_and(Value::is_object);
        if is_object && self.locator(member).is_none_or(str::is_empty) {
            self.report(
                &format!("object-locator.{member}"),
                "required field is missing or empty",
                format!("give `{member}` (`%` matches any name)"),
            );
        }
    }

    /// Reports each of the locator's `members` that holds DMS's `%` wildcard, with
    /// the guide's `reason` and the fix.
    pub fn refuse_wildcards(&mut self, members: &[&str], reason: &str, fix: &str) {
        for member in members {
            if let Some(name) = self.locator(member).filter(|name| name.contains('%')) {
                let problem = format!("`{name}` holds the wildcard `%`: {reason}");
                self.report(&format!("object-locator.{member}"), problem, fix);
            }
        }
    }

    /// Reports `member` when present and not one of `allowed` (`what` names the
    /// kind of value), or when `required` and absent.
    pub fn one_of(&mut self, member: &str, allowed: &[&str], what: &str, required: bool) {
        match lookup(self.members, member) {
            None if required => self.report(
                member,
                "required field is missing",
                format!("give one of {}", listing(allowed.iter().copied())),
            ),
            None => {}
            Some(Value::String(value)) if allowed.contains(&value.as_str()) => {}
            Some(Value::String(value)) => {
                let (problem, fix) = not_allowed(value, allowed, what);
                self.report(member, problem, fix);
            }
            Some(_) => self.report(
                member,
                "expected a string",
                format!("give one of {}", listing(allowed.iter().copied())),
            ),
        }
    }
}

fn lookup<'v>(members: &'v Map<String, Value>, path: &str) -> Option<&'v Value> {
    let mut keys = path.split('.');
    let first = members.get(keys.next()?)?;
    keys.try_fold(first, |value, key| value.get(key))
}

/// A whole number written as a JSON number or as a string of digits (the guide's
/// examples write `load-order` and `bulk-max-size` as strings).
pub fn whole_number(value: &Value) -> Option<u64> {
    match value {
        Value::Number(number) => number.as_u64(),
        Value::String(text) if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) => {
            text.parse().ok()
        }
        _ => None,
    }
}

/// A non-empty list of non-empty strings.
pub fn names(value: &Value) -> Option<Vec<&str>> {
    let items = value.as_array().filter(|items| !items.is_empty())?;
    items
        .iter()
        .map(|item| item.as_str().filter(|name| !name.is_empty()))
        .collect()
}
