//! GetMetricData: `MetricStat` queries over published data and, for the
//! `AWS/DMS` namespace, over the task metrics the DMS model derives.

use ciborium::Value as Cbor;

use super::data::{MetricId, Selection, check_stat};
use super::dms_metrics;
use super::input::{In, combination, invalid, missing};
use super::wire::{float, list, map, text, time};
use crate::faults::Fault;
use crate::model::World;

const MAX_QUERIES: usize = 500;
const DEFAULT_MAX_DATAPOINTS: i64 = 100_800;

/// The statistic of each period with data, oldest first.
pub fn series(w: &World, s: &Selection) -> Vec<(f64, f64)> {
    if s.metric.namespace == dms_metrics::NAMESPACE {
        dms_metrics::series(w, s)
    } else {
        w.cloudwatch.data.series(s)
    }
}

/// Periods CloudWatch accepts: 1, 5, 10, 20, 30 or a multiple of 60 seconds.
pub fn check_period(period: i64, param: &str) -> Result<(), Fault> {
    if matches!(period, 1 | 5 | 10 | 20 | 30) || (period > 0 && period % 60 == 0) {
        Ok(())
    } else {
        Err(invalid(format!(
            "The parameter {param} must be 1, 5, 10, 20, 30 or a multiple of 60."
        )))
    }
}

fn valid_id(id: &str) -> bool {
    id.starts_with(|c: char| c.is_ascii_lowercase())
        && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && id.len() <= 255
}

struct Query<'a> {
    id: &'a str,
    label: String,
    metric: MetricId,
    period: i64,
    stat: &'a str,
    unit: Option<&'a str>,
    return_data: bool,
}

fn query<'a>(q: &In<'a>) -> Result<Query<'a>, Fault> {
    let path = q.path();
    let id = q.str_req("Id")?;
    if !valid_id(id) {
        return Err(invalid(format!(
            "The value {id} for parameter {path}.Id is invalid: it must start with a lowercase letter and hold only letters, digits and underscores."
        )));
    }
    if q.get("Expression").is_some() {
        return Err(invalid(format!(
            "{path}: metric math expressions are not supported by dms-emulator; use MetricStat."
        )));
    }
    let ms = q
        .structure("MetricStat")?
        .ok_or_else(|| missing(&format!("{path}.MetricStat")))?;
    let m = ms
        .structure("Metric")?
        .ok_or_else(|| missing(&format!("{}.Metric", ms.path())))?;
    let metric = MetricId::from_request(&m, m.str_req("Namespace")?)?;
    let period = ms.i64_req("Period")?;
    check_period(period, &format!("{}.Period", ms.path()))?;
    let stat = ms.str_req("Stat")?;
    check_stat(stat, &format!("{}.Stat", ms.path()))?;
    Ok(Query {
        id,
        label: q.str_opt("Label")?.unwrap_or(&metric.name).to_string(),
        metric,
        period,
        stat,
        unit: ms.str_opt("Unit")?,
        return_data: q.bool_opt("ReturnData")?.unwrap_or(true),
    })
}

/// GetMetricData.
pub fn get_metric_data(w: &World, req: &In) -> Result<Cbor, Fault> {
    let start = req.time_req("StartTime")?;
    let end = req.time_req("EndTime")?;
    if end <= start {
        return Err(invalid(
            "The parameter StartTime must be less than the parameter EndTime.",
        ));
    }
    let ascending = matches!(
        req.one_of("ScanBy", &["TimestampDescending", "TimestampAscending"])?,
        Some("TimestampAscending")
    );
    let mut budget = req
        .i64_opt("MaxDatapoints")?
        .unwrap_or(DEFAULT_MAX_DATAPOINTS);
    if budget < 1 {
        return Err(invalid("The parameter MaxDatapoints must be at least 1."));
    }
    let items = req.structures("MetricDataQueries")?;
    if items.is_empty() {
        return Err(missing("MetricDataQueries"));
    }
    if items.len() > MAX_QUERIES {
        return Err(invalid(format!(
            "The collection MetricDataQueries must not have more than {MAX_QUERIES} members."
        )));
    }
    let queries = items.iter().map(query).collect::<Result<Vec<_>, _>>()?;
    for (i, q) in queries.iter().enumerate() {
        if queries[..i].iter().any(|o| o.id == q.id) {
            return Err(combination(format!(
                "The Id {} is used by more than one query.",
                q.id
            )));
        }
    }
    let mut results = Vec::new();
    for q in queries.iter().filter(|q| q.return_data) {
        let mut points = series(
            w,
            &Selection {
                metric: &q.metric,
                unit: q.unit,
                stat: q.stat,
                period: q.period,
                start,
                end,
            },
        );
        if !ascending {
            points.reverse();
        }
        points.truncate(budget.max(0) as usize);
        budget -= points.len() as i64;
        results.push(map(vec![
            ("Id", text(q.id)),
            ("Label", text(&q.label)),
            ("Timestamps", list(points.iter().map(|(t, _)| time(*t)))),
            ("Values", list(points.iter().map(|(_, v)| float(*v)))),
            ("StatusCode", text("Complete")),
            ("Messages", list([])),
        ]));
    }
    Ok(map(vec![
        ("MetricDataResults", list(results)),
        ("Messages", list([])),
    ]))
}
