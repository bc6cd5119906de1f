//! Just enough reading of Rust source to follow calls: the non-test part of a
//! file, its functions and their bodies, the step modules it imports, and the
//! calls a body makes. Comments and string literals are blanked first, so that
//! neither can be mistaken for code.

use std::collections::{BTreeMap, BTreeSet};

/// `text` with comments and the contents of string and char literals replaced
/// by spaces (lengths and line breaks kept).
pub fn code_only(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                out.push(' ');
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            while i < chars.len() && !(chars[i] == '*' && chars.get(i + 1) == Some(&'/')) {
                out.push(if chars[i] == '\n' { '\n' } else { ' ' });
                i += 1;
            }
            out.push_str("  ");
            i += 2;
        } else if c == '"'
            || (c == 'r' && matches!(next, Some('"' | '#')) && !ident(prev(&chars, i)))
        {
            i = skip_string(&chars, i, &mut out);
        } else if c == '\'' && chars.get(i + 2) == Some(&'\'') {
            out.push_str("' '");
            i += 3;
        } else if c == '\'' && next == Some('\\') {
            let end = (i + 2..chars.len())
                .find(|&j| chars[j] == '\'')
                .unwrap_or(chars.len() - 1);
            out.push_str(&" ".repeat(end - i + 1));
            i = end + 1;
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

fn prev(chars: &[char], i: usize) -> char {
    if i == 0 { ' ' } else { chars[i - 1] }
}

fn ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Blanks the string literal starting at `i` (plain or raw); returns the index after it.
fn skip_string(chars: &[char], mut i: usize, out: &mut String) -> usize {
    let raw = chars[i] == 'r';
    let mut hashes = 0;
    if raw {
        out.push(' ');
        i += 1;
        while chars[i] == '#' {
            hashes += 1;
            out.push(' ');
            i += 1;
        }
    }
    out.push('"');
    i += 1;
    while i < chars.len() {
        let c = chars[i];
        if !raw && c == '\\' {
            out.push_str("  ");
            i += 2;
            continue;
        }
        if c == '"' && (0..hashes).all(|h| chars.get(i + 1 + h) == Some(&'#')) {
            out.push('"');
            out.push_str(&" ".repeat(hashes));
            return i + 1 + hashes;
        }
        out.push(if c == '\n' { '\n' } else { ' ' });
        i += 1;
    }
    i
}

/// The index just after the brace that closes the one at `open`.
pub fn block_end(code: &str, open: usize) -> usize {
    let mut depth = 0usize;
    for (i, c) in code[open..].char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return open + i + 1;
                }
            }
            _ => {}
        }
    }
    code.len()
}

/// `code` without its `#[cfg(test)]` items (`mod tests;` or a whole block).
pub fn without_tests(code: &str) -> String {
    let mut out = code.to_string();
    while let Some(at) = out.find("#[cfg(test)]") {
        let rest = &out[at..];
        let semicolon = rest.find(';');
        let brace = rest.find('{');
        let end = match (semicolon, brace) {
            (Some(s), Some(b)) if s < b => at + s + 1,
            (_, Some(b)) => block_end(&out, at + b),
            (Some(s), None) => at + s + 1,
            (None, None) => out.len(),
        };
        out.replace_range(at..end, "");
    }
    out
}

/// `code` with whitespace removed except one space between two words, so
/// `self\n    .dms\n    .tags(` reads `self.dms.tags(` and `match Client::x(` keeps
/// its space.
pub fn compact(code: &str) -> String {
    let mut out = String::with_capacity(code.len());
    let mut pending_space = false;
    for c in code.chars() {
        if c.is_whitespace() {
            pending_space = true;
            continue;
        }
        if pending_space && ident(c) && out.chars().last().is_some_and(ident) {
            out.push(' ');
        }
        pending_space = false;
        out.push(c);
    }
    out
}

/// Every function of `code` (free or in an impl) with its body, by name; a
/// name defined twice keeps both bodies.
pub fn functions(code: &str) -> BTreeMap<String, Vec<String>> {
    let mut found: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut from = 0;
    while let Some(offset) = code[from..].find("fn ") {
        let at = from + offset;
        from = at + 3;
        if at > 0 && ident(code[..at].chars().last().unwrap()) {
            continue;
        }
        let name: String = code[at + 3..].chars().take_while(|c| ident(*c)).collect();
        if name.is_empty() {
            continue;
        }
        let rest = &code[at..];
        let (Some(open), semicolon) = (rest.find('{'), rest.find(';')) else {
            continue;
        };
        if semicolon.is_some_and(|s| s < open) {
            continue;
        }
        let end = block_end(code, at + open);
        found
            .entry(name)
            .or_default()
            .push(code[at + open..end].to_string());
    }
    found
}

/// Names called in `body` as `name(`, `.name(` or `path::name(`, with the path's
/// last module segment (`read::task(` gives `(Some("read"), "task")`).
pub fn calls(body: &str) -> BTreeSet<(Option<String>, String)> {
    let text = compact(body);
    let bytes: Vec<char> = text.chars().collect();
    let mut found = BTreeSet::new();
    for (i, c) in bytes.iter().enumerate() {
        if *c != '(' {
            continue;
        }
        let mut start = i;
        while start > 0 && ident(bytes[start - 1]) {
            start -= 1;
        }
        let name: String = bytes[start..i].iter().collect();
        if name.is_empty() || name.chars().next().unwrap().is_ascii_digit() {
            continue;
        }
        let path = (start >= 2 && bytes[start - 1] == ':' && bytes[start - 2] == ':').then(|| {
            let mut p = start - 2;
            while p > 0 && ident(bytes[p - 1]) {
                p -= 1;
            }
            bytes[p..start - 2].iter().collect::<String>()
        });
        found.insert((path, name));
    }
    found
}

/// The receivers-and-methods `receiver.method(` in `body`, for the receivers given
/// (`dms` matches `dms.x(` and `self.dms.x(`, not `xdms.x(`).
pub fn method_calls(body: &str, receivers: &[&str]) -> BTreeSet<(String, String)> {
    let text = compact(body);
    let mut found = BTreeSet::new();
    for receiver in receivers {
        let needle = format!("{receiver}.");
        let mut from = 0;
        while let Some(offset) = text[from..].find(&needle) {
            let at = from + offset;
            from = at + needle.len();
            if at > 0 && ident(text[..at].chars().last().unwrap()) {
                continue;
            }
            let method: String = text[from..].chars().take_while(|c| ident(*c)).collect();
            if text[from + method.len()..].starts_with('(') && !method.is_empty() {
                found.insert((receiver.to_string(), method));
            }
        }
    }
    found
}

/// The module paths (`a::b`, relative to the crate root) that the `use` and `mod`
/// items of the module at `module` name, each cut at its deepest segment for
/// which `exists` holds.
pub fn imported_modules(
    code: &str,
    module: &[String],
    exists: impl Fn(&[String]) -> bool,
) -> BTreeSet<Vec<String>> {
    let mut found = BTreeSet::new();
    let mut paths = Vec::new();
    for keyword in ["use", "mod"] {
        for (at, _) in code.match_indices(keyword) {
            let before = code[..at].chars().last().unwrap_or(' ');
            let after = code[at + keyword.len()..].chars().next().unwrap_or(' ');
            if ident(before) || !after.is_whitespace() {
                continue;
            }
            let rest = &code[at + keyword.len()..];
            let Some(end) = rest.find(';') else { continue };
            if rest.find('{').is_some_and(|brace| brace < end) && keyword == "mod" {
                continue;
            }
            let item = compact(&rest[..end]);
            if keyword == "use" {
                paths.extend(expand(&item));
            } else {
                paths.push(format!("self::{item}"));
            }
        }
    }
    for path in paths {
        let mut segments: Vec<String> = Vec::new();
        let mut parts = path.split("::").peekable();
        match parts.peek().copied() {
            Some("crate") => {
                parts.next();
            }
            Some("self") => {
                parts.next();
                segments = module.to_vec();
            }
            Some("super") => {
                segments = module.to_vec();
                while parts.peek() == Some(&"super") {
                    parts.next();
                    segments.pop();
                }
            }
            _ => segments = module.to_vec(),
        }
        let mut deepest = exists(&segments).then(|| segments.clone());
        for part in parts {
            segments.push(part.to_string());
            if exists(&segments) {
                deepest = Some(segments.clone());
            }
        }
        found.extend(deepest);
    }
    found
}

/// `a::{b, c::d}` as `a::b`, `a::c::d` (one level of braces).
fn expand(path: &str) -> Vec<String> {
    match (path.find('{'), path.rfind('}')) {
        (Some(open), Some(close)) => path[open + 1..close]
            .split(',')
            .filter(|item| !item.is_empty())
            .map(|item| format!("{}{item}", &path[..open]))
            .collect(),
        _ => vec![path.to_string()],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_and_strings_are_blanked() {
        let code = code_only("a(\"dms.x(\") // dms.y(\n/* dms.z( */ b('{', r#\"}\"#)");
        assert!(!code.contains("dms."), "{code}");
        assert_eq!(code.matches('{').count(), 0, "{code}");
        assert!(code.contains("a(") && code.contains("b("), "{code}");
    }

    #[test]
    fn functions_calls_and_receivers_are_found() {
        let code = "fn outer() { read::task(x); inner(); self\n  .dms\n  .tags(&a) }\n\
                    #[cfg(test)]\nmod tests { fn hidden() { dms.stop_task(); } }";
        let code = without_tests(code);
        let functions = functions(&code);
        assert_eq!(functions.keys().collect::<Vec<_>>(), ["outer"]);
        let body = &functions["outer"][0];
        let calls = calls(body);
        assert!(
            calls.contains(&(Some("read".into()), "task".into())),
            "{calls:?}"
        );
        assert!(calls.contains(&(None, "inner".into())), "{calls:?}");
        let methods = method_calls(body, &["dms", "metrics"]);
        assert_eq!(
            methods.into_iter().collect::<Vec<_>>(),
            [("dms".into(), "tags".into())]
        );
        assert!(method_calls("xdms.tags(", &["dms"]).is_empty());
    }

    #[test]
    fn imports_resolve_to_the_deepest_module() {
        let modules = [
            vec!["steps".to_string()],
            vec!["steps".into(), "read".into()],
            vec!["steps".into(), "create".into()],
            vec!["steps".into(), "create".into(), "observe".into()],
        ];
        let exists = |path: &[String]| modules.iter().any(|m| m == path);
        let here = vec!["steps".to_string(), "cleanup".to_string()];
        let code = "use super::create::observe::Looker;\nuse super::{StepReport, read};\nuse crate::aws::Dms;";
        let found = imported_modules(code, &here, exists);
        assert_eq!(
            found.into_iter().collect::<Vec<_>>(),
            [modules[0].clone(), modules[3].clone(), modules[1].clone(),]
        );
    }
}
