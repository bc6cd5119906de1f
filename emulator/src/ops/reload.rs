//! ReloadTables and ReloadReplicationTables: reload or revalidate tables of a
//! running task or serverless replication.
//!
//! Sources as cited in /work/notes/assessment-research.md §7: MODEL = botocore's
//! DMS model (botocore/data/dms/2016-01-01/service-2.json); API-Reload = the DMS
//! API reference, ReloadTables; UG-Reload = the DMS user guide, "Reloading tables
//! during a task"; UG-Val = "AWS DMS data validation". What the tables show
//! afterwards is in `simulation::reload`.

use serde_json::{Value, json};

use super::replication_configs;
use super::tasks::find;
use crate::faults::{Fault, OpResult};
use crate::model::World;
use crate::model::replication::ReplicationStatus;
use crate::model::task::{TaskStatus, validation_enabled};
use crate::protocol::Req;
use crate::simulation::Run;

/// "You can reload up to 10 tables from a task" (UG-Reload; "up to 10 tables at
/// one time" for revalidation, UG-Val). Documented for the console only.
pub const MAX_TABLES: usize = 10;

/// What a reload acts on: a task, or a serverless replication (the same rules:
/// the model says the same of both calls).
struct Reloading<'a> {
    /// `Replication task X`, `Replication config X`.
    what: String,
    running: bool,
    migration_type: &'a str,
    validation: bool,
    run: Option<&'a Run>,
}

pub fn reload_tables(w: &mut World, req: &Req) -> OpResult {
    let idx = find(w, req)?;
    let task = &w.tasks[idx];
    let (option, picked) = check(
        &Reloading {
            what: format!("Replication task {}", task.id),
            running: task.status == TaskStatus::Running,
            migration_type: &task.migration_type,
            validation: task.validation_enabled(),
            run: task.run.as_ref(),
        },
        req,
    )?;
    let (now, arn) = (w.now, task.arn.clone());
    apply(w.tasks[idx].run.as_mut(), option, picked, now);
    Ok(json!({ "ReplicationTaskArn": arn }))
}

/// ReloadReplicationTables: ReloadTables for a DMS Serverless replication, by
/// its config's ARN ("You can only use this operation with a task in the
/// RUNNING state", MODEL, ReloadReplicationTables; the same options and table list).
pub fn reload_replication_tables(w: &mut World, req: &Req) -> OpResult {
    let idx = replication_configs::find(w, req)?;
    let config = &w.replications[idx];
    let (option, picked) = check(
        &Reloading {
            what: format!("Replication config {}", config.id),
            running: config.status == ReplicationStatus::Running,
            migration_type: &config.replication_type,
            validation: validation_enabled(&config.settings),
            run: config.run.as_ref(),
        },
        req,
    )?;
    let (now, arn) = (w.now, config.arn.clone());
    apply(w.replications[idx].run.as_mut(), option, picked, now);
    Ok(json!({ "ReplicationConfigArn": arn }))
}

fn apply(run: Option<&mut Run>, option: &str, picked: Vec<usize>, now: f64) {
    let run = run.expect("a running replication has a run");
    for i in picked {
        if option == "validate-only" {
            run.revalidate_table(i, now);
        } else {
            run.reload_table(i, now);
        }
    }
}

/// The reload option and the indexes of the run's tables to reload, or the
/// fault DMS answers.
fn check<'r>(target: &Reloading<'_>, req: &'r Req) -> Result<(&'r str, Vec<usize>), Fault> {
    let what = &target.what;
    // ReloadOption: `data-reload` (the default) or `validate-only` (MODEL, enum
    // ReloadOptionValue; API-Reload).
    let option = req.str_opt("ReloadOption")?.unwrap_or("data-reload");
    if !matches!(option, "data-reload" | "validate-only") {
        return Err(Fault::invalid_parameter(format!(
            "The parameter ReloadOption has an invalid value: {option}. Valid values: data-reload | validate-only"
        )));
    }
    let tables = tables_to_reload(req)?;
    // "You can only use this operation with a task in the RUNNING state, otherwise
    // the service will throw an InvalidResourceStateFault exception" (MODEL;
    // API-Reload).
    if !target.running {
        return Err(Fault::invalid_state(format!(
            "{what} is not running: tables can be reloaded only while it runs."
        )));
    }
    // "The migration method for the task must be either full load or full load
    // with CDC" (UG-Reload); the fault for a cdc task is not documented:
    // InvalidResourceStateFault, the one MODEL lists for a task that cannot take
    // the call, is inferred.
    if target.migration_type == "cdc" {
        return Err(Fault::invalid_state(format!(
            "{what} migrates cdc only: only full-load and full-load-and-cdc tasks can reload tables."
        )));
    }
    // The limit of 10 is documented on the console pages only, and MODEL sets no
    // maximum on TablesToReload: the fault is the emulator's choice.
    if tables.len() > MAX_TABLES {
        return Err(Fault::invalid_parameter(format!(
            "TablesToReload has {} tables: at most {MAX_TABLES} tables can be reloaded at a time.",
            tables.len()
        )));
    }
    // "Duplicate tables aren't allowed" (UG-Reload); the fault is inferred.
    // Names compare regardless of case, as the emulator matches table names
    // everywhere.
    for (i, (s, t)) in tables.iter().enumerate() {
        if tables[..i]
            .iter()
            .any(|(s2, t2)| s.eq_ignore_ascii_case(s2) && t.eq_ignore_ascii_case(t2))
        {
            return Err(Fault::invalid_parameter(format!(
                "TablesToReload lists {s}.{t} more than once: duplicate tables aren't allowed."
            )));
        }
    }
    // validate-only "applies only when validation is enabled for the task"
    // (API-Reload); the fault for a task without validation is the emulator's choice.
    if option == "validate-only" && !target.validation {
        return Err(Fault::invalid_combination(format!(
            "ReloadOption validate-only applies only when validation is enabled for the task; {what} has ValidationSettings.EnableValidation false."
        )));
    }
    // A table the task does not migrate (not in its table statistics): the
    // emulator's choice is ResourceNotFoundFault, the other fault MODEL lists.
    let run = target.run;
    let mut picked = Vec::new();
    for (s, t) in &tables {
        let found = run.and_then(|r| {
            r.tables
                .iter()
                .position(|tp| tp.schema.eq_ignore_ascii_case(s) && tp.name.eq_ignore_ascii_case(t))
        });
        match found {
            Some(i) => picked.push(i),
            None => {
                return Err(Fault::not_found(format!(
                    "Table {s}.{t} is not in the table statistics of {what}."
                )));
            }
        }
    }
    Ok((option, picked))
}

/// `TablesToReload`: a list of `{SchemaName, TableName}`, both required (MODEL,
/// TableToReload), at least one table.
fn tables_to_reload(req: &Req) -> Result<Vec<(String, String)>, Fault> {
    let items = match req.get("TablesToReload") {
        Some(Value::Array(items)) if !items.is_empty() => items,
        Some(Value::Array(_)) | None => return Err(Fault::missing("TablesToReload")),
        Some(_) => return Err(Fault::serialization("TablesToReload must be a list")),
    };
    items
        .iter()
        .map(|item| {
            let r = Req(item);
            Ok((
                r.str_req("SchemaName")?.to_string(),
                r.str_req("TableName")?.to_string(),
            ))
        })
        .collect()
}
