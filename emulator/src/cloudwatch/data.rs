//! Metric data published with PutMetricData, and the statistics CloudWatch
//! computes over it per period.

use serde_json::{Value, json};

use super::input::{In, combination, invalid, missing};
use crate::faults::Fault;
use crate::model::{Tags, tags_json};

/// Oldest points are dropped beyond this many.
const MAX_POINTS: usize = 100_000;
const MAX_DATA_PER_CALL: usize = 1000;
const MAX_VALUES_PER_DATUM: usize = 150;
const TWO_WEEKS: f64 = 14.0 * 86_400.0;
const TWO_HOURS: f64 = 2.0 * 3_600.0;

pub const UNITS: &[&str] = &[
    "Seconds",
    "Microseconds",
    "Milliseconds",
    "Bytes",
    "Kilobytes",
    "Megabytes",
    "Gigabytes",
    "Terabytes",
    "Bits",
    "Kilobits",
    "Megabits",
    "Gigabits",
    "Terabits",
    "Percent",
    "Count",
    "Bytes/Second",
    "Kilobytes/Second",
    "Megabytes/Second",
    "Gigabytes/Second",
    "Terabytes/Second",
    "Bits/Second",
    "Kilobits/Second",
    "Megabits/Second",
    "Gigabits/Second",
    "Terabits/Second",
    "Count/Second",
    "None",
];

/// A metric: namespace, name and dimensions (sorted by name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetricId {
    pub namespace: String,
    pub name: String,
    pub dimensions: Tags,
}

impl MetricId {
    /// The `Namespace`, `MetricName` and `Dimensions` members of `req`.
    pub fn from_request(req: &In, namespace: &str) -> Result<MetricId, Fault> {
        let name = req.str_req("MetricName")?;
        if name.len() > 255 {
            return Err(invalid("MetricName must be at most 255 characters long."));
        }
        Ok(MetricId {
            namespace: namespace.to_string(),
            name: name.to_string(),
            dimensions: req.dimensions()?,
        })
    }
}

/// What one datum says: a statistic set, and the individual values when given.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    pub count: f64,
    pub sum: f64,
    pub min: f64,
    pub max: f64,
    /// (value, count) pairs; empty for a statistic set.
    pub values: Vec<(f64, f64)>,
}

impl Sample {
    fn of_values(values: Vec<(f64, f64)>) -> Sample {
        let fold = |init: f64, f: fn(f64, f64) -> f64| values.iter().map(|(v, _)| *v).fold(init, f);
        Sample {
            count: values.iter().map(|(_, c)| c).sum(),
            sum: values.iter().map(|(v, c)| v * c).sum(),
            min: fold(f64::INFINITY, f64::min),
            max: fold(f64::NEG_INFINITY, f64::max),
            values,
        }
    }
}

/// A statistic of a metric, per period of `period` seconds (aligned to
/// multiples of it), over `[start, end)` (epoch seconds).
#[derive(Debug, Clone, Copy)]
pub struct Selection<'a> {
    pub metric: &'a MetricId,
    /// Only data published with this unit.
    pub unit: Option<&'a str>,
    pub stat: &'a str,
    pub period: i64,
    pub start: f64,
    pub end: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    pub metric: MetricId,
    /// Epoch seconds.
    pub time: f64,
    pub unit: Option<String>,
    pub sample: Sample,
}

impl Point {
    pub fn to_json(&self) -> Value {
        json!({
            "namespace": self.metric.namespace,
            "metric": self.metric.name,
            "dimensions": tags_json(&self.metric.dimensions),
            "timestamp": self.time,
            "unit": self.unit,
            "sample_count": self.sample.count,
            "sum": self.sample.sum,
            "minimum": self.sample.min,
            "maximum": self.sample.max,
        })
    }
}

#[derive(Debug, Clone, Default)]
pub struct Store {
    points: Vec<Point>,
}

impl Store {
    pub fn points(&self) -> &[Point] {
        &self.points
    }

    /// The statistic of each period that has data, oldest first:
    /// (period start, value).
    pub fn series(&self, s: &Selection) -> Vec<(f64, f64)> {
        let mut buckets: Vec<(f64, Vec<&Sample>)> = Vec::new();
        for p in self.points.iter().filter(|p| {
            p.metric == *s.metric
                && (s.start..s.end).contains(&p.time)
                && s.unit.is_none_or(|u| p.unit.as_deref() == Some(u))
        }) {
            let b = bucket(p.time, s.period);
            match buckets.iter_mut().find(|(t, _)| *t == b) {
                Some((_, samples)) => samples.push(&p.sample),
                None => buckets.push((b, vec![&p.sample])),
            }
        }
        buckets.sort_by(|a, b| a.0.total_cmp(&b.0));
        buckets
            .into_iter()
            .filter_map(|(t, samples)| Some((t, statistic(&samples, s.stat)?)))
            .collect()
    }
}

/// The start of the period `t` falls in.
pub fn bucket(t: f64, period: i64) -> f64 {
    let p = period.max(1) as f64;
    (t / p).floor() * p
}

/// PutMetricData.
pub fn put(store: &mut Store, now: f64, req: &In) -> Result<(), Fault> {
    let namespace = req.str_req("Namespace")?;
    if namespace.len() > 255 {
        return Err(invalid("Namespace must be at most 255 characters long."));
    }
    if namespace.starts_with("AWS/") {
        return Err(invalid(format!(
            "The value {namespace} for parameter Namespace is invalid: namespaces beginning with AWS/ are reserved for AWS services."
        )));
    }
    let data = req.structures("MetricData")?;
    if data.is_empty() {
        return Err(missing("MetricData"));
    }
    if data.len() > MAX_DATA_PER_CALL {
        return Err(invalid(format!(
            "The collection MetricData must not have more than {MAX_DATA_PER_CALL} members."
        )));
    }
    let points = data
        .iter()
        .map(|datum| datum_point(datum, namespace, now))
        .collect::<Result<Vec<_>, _>>()?;
    store.points.extend(points);
    if store.points.len() > MAX_POINTS {
        let excess = store.points.len() - MAX_POINTS;
        store.points.drain(..excess);
    }
    Ok(())
}

fn datum_point(datum: &In, namespace: &str, now: f64) -> Result<Point, Fault> {
    let path = datum.path();
    let metric = MetricId::from_request(datum, namespace)?;
    let time = datum.time_opt("Timestamp")?.unwrap_or(now);
    if time < now - TWO_WEEKS || time > now + TWO_HOURS {
        return Err(invalid(format!(
            "The parameter {path}.Timestamp must specify a time no more than two weeks in the past and no more than two hours in the future."
        )));
    }
    let unit = datum.one_of("Unit", UNITS)?.map(str::to_string);
    if let Some(r) = datum.i64_opt("StorageResolution")?
        && r != 1
        && r != 60
    {
        return Err(invalid(format!(
            "{path}.StorageResolution must be 1 or 60."
        )));
    }
    let value = datum.f64_opt("Value")?;
    let values = datum.numbers("Values")?;
    let set = datum.structure("StatisticValues")?;
    let given = [value.is_some(), !values.is_empty(), set.is_some()];
    if given.iter().filter(|g| **g).count() > 1 {
        return Err(combination(format!(
            "{path}: give only one of Value, Values and StatisticValues."
        )));
    }
    let sample = if let Some(v) = value {
        Sample::of_values(vec![(v, 1.0)])
    } else if !values.is_empty() {
        let counts = datum.numbers("Counts")?;
        if values.len() > MAX_VALUES_PER_DATUM {
            return Err(invalid(format!(
                "{path}.Values must have at most {MAX_VALUES_PER_DATUM} members."
            )));
        }
        if !counts.is_empty() && counts.len() != values.len() {
            return Err(combination(format!(
                "{path}: Values and Counts must have the same number of members."
            )));
        }
        let count = |i: usize| counts.get(i).copied().unwrap_or(1.0);
        Sample::of_values(
            values
                .iter()
                .enumerate()
                .map(|(i, v)| (*v, count(i)))
                .collect(),
        )
    } else if let Some(set) = set {
        let member = |key: &str| {
            set.f64_opt(key)?
                .ok_or_else(|| missing(&format!("{path}.StatisticValues.{key}")))
        };
        Sample {
            count: member("SampleCount")?,
            sum: member("Sum")?,
            min: member("Minimum")?,
            max: member("Maximum")?,
            values: Vec::new(),
        }
    } else {
        return Err(missing(&format!("{path}.Value")));
    };
    Ok(Point {
        metric,
        time,
        unit,
        sample,
    })
}

/// The percentile of a `pNN` or `pNN.N` statistic.
fn percentile(stat: &str) -> Option<f64> {
    stat.strip_prefix('p')
        .and_then(|n| n.parse::<f64>().ok())
        .filter(|p| (0.0..=100.0).contains(p))
}

/// Refuse statistics the emulator cannot compute.
pub fn check_stat(stat: &str, param: &str) -> Result<(), Fault> {
    match stat {
        "SampleCount" | "Average" | "Sum" | "Minimum" | "Maximum" => Ok(()),
        s if percentile(s).is_some() => Ok(()),
        s => Err(invalid(format!(
            "The value {s} for parameter {param} is invalid: use SampleCount, Average, Sum, Minimum, Maximum or a percentile such as p99."
        ))),
    }
}

fn statistic(samples: &[&Sample], stat: &str) -> Option<f64> {
    let count: f64 = samples.iter().map(|s| s.count).sum();
    let sum: f64 = samples.iter().map(|s| s.sum).sum();
    match stat {
        "SampleCount" => Some(count),
        "Sum" => Some(sum),
        "Average" => (count > 0.0).then(|| sum / count),
        "Minimum" => samples.iter().map(|s| s.min).reduce(f64::min),
        "Maximum" => samples.iter().map(|s| s.max).reduce(f64::max),
        s => {
            let p = percentile(s)?;
            let mut values: Vec<(f64, f64)> = samples
                .iter()
                .flat_map(|s| s.values.iter().copied())
                .collect();
            values.sort_by(|a, b| a.0.total_cmp(&b.0));
            let total: f64 = values.iter().map(|(_, c)| c).sum();
            let wanted = total * p / 100.0;
            let mut seen = 0.0;
            values
                .iter()
                .find(|(_, c)| {
                    seen += c;
                    seen >= wanted
                })
                .or(values.last())
                .map(|(v, _)| *v)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn metric() -> MetricId {
        MetricId {
            namespace: "dmsflow".into(),
            name: "TablesLoaded".into(),
            dimensions: vec![("RunId".into(), "r1".into())],
        }
    }

    fn put_json(store: &mut Store, body: Value) -> Result<(), Fault> {
        put(store, 10_000.0, &In::new(&body))
    }

    #[test]
    fn statistics_per_period() {
        let mut store = Store::default();
        let datum = |t: f64, v: f64| json!({"MetricName": "TablesLoaded", "Timestamp": t, "Value": v, "Dimensions": [{"Name": "RunId", "Value": "r1"}]});
        put_json(
            &mut store,
            json!({"Namespace": "dmsflow", "MetricData": [datum(9_600.0, 1.0), datum(9_610.0, 5.0), datum(9_700.0, 2.0)]}),
        )
        .unwrap();
        let m = metric();
        let select = |metric, stat, start, end| Selection {
            metric,
            unit: None,
            stat,
            period: 60,
            start,
            end,
        };
        let series = |stat| store.series(&select(&m, stat, 9_000.0, 10_000.0));
        assert_eq!(series("Maximum"), vec![(9_600.0, 5.0), (9_660.0, 2.0)]);
        assert_eq!(series("Sum"), vec![(9_600.0, 6.0), (9_660.0, 2.0)]);
        assert_eq!(series("Average")[0].1, 3.0);
        assert_eq!(series("p50")[0].1, 1.0);
        assert!(
            store
                .series(&select(&m, "Maximum", 9_650.0, 9_700.0))
                .is_empty()
        );
        let other = MetricId {
            dimensions: vec![],
            ..metric()
        };
        assert!(
            store
                .series(&select(&other, "Maximum", 0.0, 20_000.0))
                .is_empty()
        );
    }

    #[test]
    fn refuses_what_cloudwatch_refuses() {
        let mut store = Store::default();
        let code = |store: &mut Store, body| put_json(store, body).unwrap_err().code;
        assert_eq!(
            code(
                &mut store,
                json!({"Namespace": "AWS/DMS", "MetricData": [{"MetricName": "a", "Value": 1}]})
            ),
            "InvalidParameterValue"
        );
        assert_eq!(
            code(&mut store, json!({"Namespace": "x"})),
            "MissingParameter"
        );
        assert_eq!(
            code(
                &mut store,
                json!({"Namespace": "x", "MetricData": [{"MetricName": "a", "Value": 1, "Values": [1]}]})
            ),
            "InvalidParameterCombination"
        );
        assert_eq!(
            code(
                &mut store,
                json!({"Namespace": "x", "MetricData": [{"MetricName": "a", "Value": 1, "Timestamp": 30_000.0}]})
            ),
            "InvalidParameterValue"
        );
        assert_eq!(
            code(
                &mut store,
                json!({"Namespace": "x", "MetricData": [{"MetricName": "a", "Value": 1, "Unit": "Furlongs"}]})
            ),
            "InvalidParameterValue"
        );
        assert!(
            store.points().is_empty(),
            "nothing is stored from a refused call"
        );
        assert_eq!(check_stat("p99.9", "Stat"), Ok(()));
        assert!(check_stat("tm99", "Stat").is_err());
    }
}
