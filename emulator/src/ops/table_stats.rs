//! DescribeTableStatistics.

use serde_json::{Value, json};

use super::tasks::find;
use crate::faults::{Fault, OpResult};
use crate::model::World;
use crate::paging;
use crate::protocol::{Req, epoch};
use crate::simulation::{Run, TableView};

pub fn describe(w: &mut World, req: &Req) -> OpResult {
    let idx = find(w, req)?;
    let task = &w.tasks[idx];
    let (page, marker) = rows(w, task.run.as_ref(), req)?;
    let mut out = json!({"ReplicationTaskArn": task.arn, "TableStatistics": page});
    if let Some(m) = marker {
        out["Marker"] = json!(m);
    }
    Ok(out)
}

/// One page of the table statistics of a run (none before the first start),
/// filtered by the API reference's filter names (schema-name | table-name |
/// table-state), and the marker of the next page.
pub fn rows(
    w: &World,
    run: Option<&Run>,
    req: &Req,
) -> Result<(Vec<Value>, Option<String>), Fault> {
    let filters = req.filters()?;
    let views: Vec<TableView> = match run {
        Some(run) => (0..run.tables.len()).map(|i| run.view(i, w.now)).collect(),
        None => Vec::new(),
    };
    let views = paging::apply_filters(
        views,
        &filters,
        &["schema-name", "table-name", "table-state"],
        |v, name| match name {
            "schema-name" => vec![v.schema.clone()],
            "table-name" => vec![v.name.clone()],
            _ => vec![v.state.to_string()],
        },
    )?;
    let rows: Vec<Value> = views.iter().map(|v| view_json(w, v)).collect();
    paging::page(rows, req, 20, 500)
}

fn view_json(w: &World, v: &TableView) -> Value {
    let mut out = json!({
        "SchemaName": v.schema,
        "TableName": v.name,
        "Inserts": v.inserts,
        "Deletes": v.deletes,
        "Updates": v.updates,
        "Ddls": 0,
        "AppliedInserts": v.inserts,
        "AppliedDeletes": v.deletes,
        "AppliedUpdates": v.updates,
        "AppliedDdls": 0,
        "FullLoadRows": v.full_load_rows,
        "FullLoadCondtnlChkFailedRows": 0,
        "FullLoadErrorRows": v.error_rows,
        "FullLoadReloaded": v.reloaded,
        "LastUpdateTime": epoch(w.wall(v.last_update)),
        "TableState": v.state,
        "ValidationPendingRecords": v.validation_pending,
        "ValidationFailedRecords": v.validation_failed,
        "ValidationSuspendedRecords": 0,
        "ValidationState": v.validation_state,
    });
    let obj = out.as_object_mut().expect("object");
    if let Some(t) = v.load_start {
        obj.insert("FullLoadStartTime".into(), epoch(w.wall(t)));
    }
    if let Some(t) = v.load_end {
        obj.insert("FullLoadEndTime".into(), epoch(w.wall(t)));
    }
    if v.validation_failed > 0 {
        obj.insert(
            "ValidationStateDetails".into(),
            json!(format!(
                "Number of records that failed validation: {}",
                v.validation_failed
            )),
        );
    }
    out
}
