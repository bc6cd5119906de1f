//! `dmsflow validate` and `dmsflow plan`: offline checks of input files
//! ([`dmsflow::inputs::check`], the stack's own validation). A wave's manifest
//! (`manifests/<file>.json`) is read from beside the wave's file, as
//! `tools/rehearse` uploads it.

use std::io::Write;
use std::path::{Path, PathBuf};

use dmsflow::inputs::{self, Checked};
use dmsflow::spec::stack_bounds::StackBounds;
use dmsflow::steps::validate_spec::{self, Validated};
use serde_json::Value;

use crate::{OK, Outcome, REFUSED, STACK_TOPIC, TROUBLE};

/// `dmsflow validate`: one line per file (`ok` or `FAIL` with every problem).
pub fn validate(paths: &[PathBuf], stack: &StackBounds, out: &mut dyn Write) -> Outcome {
    let files = files(paths)?;
    let mut invalid = 0;
    for file in &files {
        let line = match check_file(file, stack) {
            Ok(checked) => format!("ok    {}: {}\n", file.display(), checked.describe()),
            Err(message) => {
                invalid += 1;
                let indented: Vec<String> = message
                    .lines()
                    .map(|line| format!("      {line}"))
                    .collect();
                format!("FAIL  {}:\n{}\n", file.display(), indented.join("\n"))
            }
        };
        write(out, &line)?;
    }
    write(
        out,
        &format!("{} of {} valid\n", files.len() - invalid, files.len()),
    )?;
    Ok(if invalid == 0 { OK } else { REFUSED })
}

/// `dmsflow plan`: the dry run of a spec, or of each spec of a wave.
pub fn plan(path: &Path, stack: &StackBounds, out: &mut dyn Write) -> Outcome {
    let refused = |message: String| (REFUSED, format!("{}: {message}", path.display()));
    let specs: Vec<Validated> = match check_file(path, stack).map_err(refused)? {
        Checked::Spec(validated) => vec![*validated],
        Checked::Wave(request) | Checked::Manifest(request) => request
            .runs
            .iter()
            .map(|spec| {
                // Validated once already: the stack's topic, filled in, has no ARN offline.
                let mut spec = spec.clone();
                if let Some(notifications) = spec["notifications"].as_object_mut()
                    && notifications.get("sns_topic_arn") == Some(&Value::from(STACK_TOPIC))
                {
                    notifications.remove("sns_topic_arn");
                }
                validate_spec::validate(&spec, stack).map_err(|e| refused(e.message))
            })
            .collect::<Result<_, _>>()?,
        Checked::Request { .. } => {
            return Err(refused(
                "a cleanup or cutover request has no plan: plan takes a migration spec or a wave"
                    .into(),
            ));
        }
    };
    let mut text = String::new();
    for validated in &specs {
        text.push_str(&format!("run {}:\n", validated.names.metric_run_dimension));
        for (number, line) in validated.plan.iter().enumerate() {
            text.push_str(&format!("  {}. {line}\n", number + 1));
        }
    }
    write(out, &text)?;
    Ok(OK)
}

/// The input in `path`, checked; the error is every problem, one per line.
pub fn check_file(path: &Path, stack: &StackBounds) -> Result<Checked, String> {
    let value = read_json(path)?;
    let beside = path.parent().unwrap_or(Path::new("."));
    inputs::check(&value, stack, |key| {
        read_json(&beside.join(key)).map_err(|e| format!("manifest: {e}"))
    })
}

fn read_json(path: &Path) -> Result<Value, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{} is not JSON: {e}", path.display()))
}

/// The files `paths` name: a file as given, a directory as the `.json` files
/// directly in it (by name).
fn files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, (u8, String)> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            let entries = std::fs::read_dir(path)
                .map_err(|e| (TROUBLE, format!("cannot read {}: {e}", path.display())))?;
            let mut found: Vec<PathBuf> = entries
                .filter_map(|entry| entry.ok().map(|e| e.path()))
                .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "json"))
                .collect();
            if found.is_empty() {
                return Err((TROUBLE, format!("{} holds no .json file", path.display())));
            }
            found.sort();
            files.extend(found);
        } else if path.is_file() {
            files.push(path.clone());
        } else {
            return Err((
                TROUBLE,
                format!("{}: no such file or directory", path.display()),
            ));
        }
    }
    Ok(files)
}

fn write(out: &mut dyn Write, text: &str) -> Result<(), (u8, String)> {
    out.write_all(text.as_bytes())
        .map_err(|e| (TROUBLE, format!("cannot write the output: {e}")))
}
