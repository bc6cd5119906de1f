//! Metric alarms: PutMetricAlarm, DescribeAlarms, DeleteAlarms (their tags: the
//! `tags` module).

use ciborium::Value as Cbor;

use super::CloudWatch;
use super::data::{MetricId, check_stat};
use super::input::{In, combination, invalid, missing};
use super::query::check_period;
use super::wire::{float, int, list, map, opt, pairs, text, texts, time};
use crate::faults::Fault;
use crate::ids::{ACCOUNT, REGION};
use crate::model::Tags;

const ARN_PREFIX: &str = "arn:aws:cloudwatch:";
const MAX_NAMES: usize = 100;
const DEFAULT_PAGE: i64 = 50;
const TOKEN_PREFIX: &str = "cwemu";

pub const COMPARISONS: &[&str] = &[
    "GreaterThanOrEqualToThreshold",
    "GreaterThanThreshold",
    "LessThanThreshold",
    "LessThanOrEqualToThreshold",
];
const TREAT_MISSING: &[&str] = &["breaching", "notBreaching", "ignore", "missing"];
const STATISTICS: &[&str] = &["SampleCount", "Average", "Sum", "Minimum", "Maximum"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Ok,
    Alarm,
    InsufficientData,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Ok => "OK",
            State::Alarm => "ALARM",
            State::InsufficientData => "INSUFFICIENT_DATA",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Alarm {
    pub name: String,
    pub description: Option<String>,
    pub actions_enabled: bool,
    pub ok_actions: Vec<String>,
    pub alarm_actions: Vec<String>,
    pub insufficient_data_actions: Vec<String>,
    pub metric: MetricId,
    pub statistic: Option<String>,
    pub extended_statistic: Option<String>,
    pub period: i64,
    pub unit: Option<String>,
    pub evaluation_periods: i64,
    pub datapoints_to_alarm: Option<i64>,
    pub threshold: f64,
    pub comparison: String,
    pub treat_missing_data: Option<String>,
    pub evaluate_low_sample_count_percentile: Option<String>,
    pub tags: Tags,
    pub state: State,
    pub state_reason: String,
    /// Epoch seconds.
    pub state_updated: f64,
    pub configuration_updated: f64,
}

impl Alarm {
    pub fn arn(&self) -> String {
        alarm_arn(&self.name)
    }

    /// The statistic the alarm evaluates (a percentile is an extended statistic).
    pub fn stat(&self) -> &str {
        self.statistic
            .as_deref()
            .or(self.extended_statistic.as_deref())
            .unwrap_or("Average")
    }

    /// The `MetricAlarm` structure of DescribeAlarms.
    pub fn to_cbor(&self) -> Cbor {
        map(vec![
            ("AlarmName", text(&self.name)),
            ("AlarmArn", text(self.arn())),
            ("AlarmDescription", opt(self.description.as_ref(), text)),
            (
                "AlarmConfigurationUpdatedTimestamp",
                time(self.configuration_updated),
            ),
            ("ActionsEnabled", Cbor::Bool(self.actions_enabled)),
            ("OKActions", texts(&self.ok_actions)),
            ("AlarmActions", texts(&self.alarm_actions)),
            (
                "InsufficientDataActions",
                texts(&self.insufficient_data_actions),
            ),
            ("StateValue", text(self.state.as_str())),
            ("StateReason", text(&self.state_reason)),
            ("StateUpdatedTimestamp", time(self.state_updated)),
            ("StateTransitionedTimestamp", time(self.state_updated)),
            ("MetricName", text(&self.metric.name)),
            ("Namespace", text(&self.metric.namespace)),
            ("Statistic", opt(self.statistic.as_ref(), text)),
            (
                "ExtendedStatistic",
                opt(self.extended_statistic.as_ref(), text),
            ),
            ("Dimensions", pairs(&self.metric.dimensions, "Name")),
            ("Period", int(self.period)),
            ("Unit", opt(self.unit.as_ref(), text)),
            ("EvaluationPeriods", int(self.evaluation_periods)),
            ("DatapointsToAlarm", opt(self.datapoints_to_alarm, int)),
            ("Threshold", float(self.threshold)),
            ("ComparisonOperator", text(&self.comparison)),
            (
                "TreatMissingData",
                opt(self.treat_missing_data.as_ref(), text),
            ),
            (
                "EvaluateLowSampleCountPercentile",
                opt(self.evaluate_low_sample_count_percentile.as_ref(), text),
            ),
        ])
    }
}

pub fn alarm_arn(name: &str) -> String {
    format!("{ARN_PREFIX}{REGION}:{ACCOUNT}:alarm:{name}")
}

/// The alarm name in an alarm ARN.
pub fn name_in_arn(arn: &str) -> Result<&str, Fault> {
    arn.strip_prefix(ARN_PREFIX)
        .and_then(|rest| rest.split_once(":alarm:"))
        .map(|(_, name)| name)
        .filter(|name| !name.is_empty())
        .ok_or_else(|| invalid(format!("The ARN {arn} is not a CloudWatch alarm ARN.")))
}

fn check_actions(req: &In, key: &str) -> Result<Vec<String>, Fault> {
    let actions = req.strings(key)?;
    if actions.len() > 5 {
        return Err(invalid(format!("{key} must have at most 5 members.")));
    }
    if let Some(a) = actions.iter().find(|a| !a.starts_with("arn:")) {
        return Err(invalid(format!("Invalid arn syntax: {a} (in {key}).")));
    }
    Ok(actions)
}

/// PutMetricAlarm: create, or overwrite the configuration of an existing alarm
/// (whose state and tags are kept, as CloudWatch does).
pub fn put(cw: &mut CloudWatch, now: f64, req: &In) -> Result<(), Fault> {
    let name = req.str_req("AlarmName")?;
    if name.len() > 255 {
        return Err(invalid("AlarmName must be at most 255 characters long."));
    }
    if req.get("Metrics").is_some() || req.get("ThresholdMetricId").is_some() {
        return Err(invalid(
            "Metric math and anomaly detection alarms are not supported by dms-emulator.",
        ));
    }
    let namespace = req.str_req("Namespace")?;
    let metric = MetricId::from_request(req, namespace)?;
    let statistic = req.one_of("Statistic", STATISTICS)?.map(str::to_string);
    let extended_statistic = req.str_opt("ExtendedStatistic")?.map(str::to_string);
    match (&statistic, &extended_statistic) {
        (Some(_), Some(_)) => {
            return Err(combination(
                "Statistic and ExtendedStatistic must not both be given.",
            ));
        }
        (None, None) => return Err(missing("Statistic")),
        (None, Some(p)) => check_stat(p, "ExtendedStatistic")?,
        (Some(_), None) => {}
    }
    let period = req.i64_req("Period")?;
    check_period(period, "Period")?;
    let evaluation_periods = req.i64_req("EvaluationPeriods")?;
    if evaluation_periods < 1 {
        return Err(invalid("EvaluationPeriods must be at least 1."));
    }
    if period * evaluation_periods > 7 * 86_400 {
        return Err(invalid(
            "Period multiplied by EvaluationPeriods must not exceed one week.",
        ));
    }
    let datapoints_to_alarm = req.i64_opt("DatapointsToAlarm")?;
    if datapoints_to_alarm.is_some_and(|d| d < 1 || d > evaluation_periods) {
        return Err(invalid(
            "DatapointsToAlarm must be between 1 and EvaluationPeriods.",
        ));
    }
    let threshold = req
        .f64_opt("Threshold")?
        .ok_or_else(|| missing("Threshold"))?;
    let comparison = req
        .one_of("ComparisonOperator", COMPARISONS)?
        .ok_or_else(|| missing("ComparisonOperator"))?;
    let existing = cw.alarms.get(name);
    let alarm = Alarm {
        name: name.to_string(),
        description: req.str_opt("AlarmDescription")?.map(str::to_string),
        actions_enabled: req.bool_opt("ActionsEnabled")?.unwrap_or(true),
        ok_actions: check_actions(req, "OKActions")?,
        alarm_actions: check_actions(req, "AlarmActions")?,
        insufficient_data_actions: check_actions(req, "InsufficientDataActions")?,
        metric,
        statistic,
        extended_statistic,
        period,
        unit: req.one_of("Unit", super::data::UNITS)?.map(str::to_string),
        evaluation_periods,
        datapoints_to_alarm,
        threshold,
        comparison: comparison.to_string(),
        treat_missing_data: req
            .one_of("TreatMissingData", TREAT_MISSING)?
            .map(str::to_string),
        evaluate_low_sample_count_percentile: req
            .one_of("EvaluateLowSampleCountPercentile", &["evaluate", "ignore"])?
            .map(str::to_string),
        // Tags given when updating an alarm are ignored.
        tags: match existing {
            Some(a) => a.tags.clone(),
            None => req.tags()?,
        },
        state: existing.map(|a| a.state).unwrap_or(State::InsufficientData),
        state_reason: existing
            .map(|a| a.state_reason.clone())
            .unwrap_or_else(|| "Unchecked: Initial alarm creation".into()),
        state_updated: existing.map(|a| a.state_updated).unwrap_or(now),
        configuration_updated: now,
    };
    cw.alarms.insert(alarm.name.clone(), alarm);
    Ok(())
}

fn encode_token(last: &str) -> String {
    let hex: String = last.bytes().map(|b| format!("{b:02x}")).collect();
    format!("{TOKEN_PREFIX}{hex}")
}

/// The alarm name a NextToken resumes after.
fn decode_token(token: &str) -> Result<String, Fault> {
    let bad = || {
        Fault::new(
            "InvalidNextToken",
            "The service couldn't process the NextToken.",
        )
    };
    let hex = token.strip_prefix(TOKEN_PREFIX).ok_or_else(bad)?;
    if hex.len() % 2 != 0 {
        return Err(bad());
    }
    let bytes = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).map_err(|_| bad()))
        .collect::<Result<Vec<u8>, _>>()?;
    String::from_utf8(bytes).map_err(|_| bad())
}

/// DescribeAlarms: metric alarms by names or name prefix, state and action
/// prefix, in name order, a page at a time.
pub fn describe(cw: &CloudWatch, req: &In) -> Result<Cbor, Fault> {
    let names = req.strings("AlarmNames")?;
    let prefix = req.str_opt("AlarmNamePrefix")?;
    if !names.is_empty() && prefix.is_some() {
        return Err(combination(
            "AlarmNames and AlarmNamePrefix must not both be given.",
        ));
    }
    if names.len() > MAX_NAMES {
        return Err(invalid(format!(
            "AlarmNames must have at most {MAX_NAMES} members."
        )));
    }
    let types = req.strings("AlarmTypes")?;
    if let Some(t) = types
        .iter()
        .find(|t| *t != "MetricAlarm" && *t != "CompositeAlarm")
    {
        return Err(invalid(format!(
            "The value {t} for parameter AlarmTypes is invalid."
        )));
    }
    let state = req.one_of("StateValue", &["OK", "ALARM", "INSUFFICIENT_DATA"])?;
    let action = req.str_opt("ActionPrefix")?;
    let size = req.i64_opt("MaxRecords")?.unwrap_or(DEFAULT_PAGE);
    if !(1..=100).contains(&size) {
        return Err(invalid("MaxRecords must be between 1 and 100."));
    }
    let after = req.str_opt("NextToken")?.map(decode_token).transpose()?;
    // Composite alarms are not modelled: children and parents are composite ones.
    let metric_alarms_wanted = (types.is_empty() || types.iter().any(|t| t == "MetricAlarm"))
        && req.get("ChildrenOfAlarmName").is_none()
        && req.get("ParentsOfAlarmName").is_none();
    let mut matched = cw
        .alarms
        .values()
        .filter(|_| metric_alarms_wanted)
        .filter(|a| names.is_empty() || names.contains(&a.name))
        .filter(|a| prefix.is_none_or(|p| a.name.starts_with(p)))
        .filter(|a| state.is_none_or(|s| a.state.as_str() == s))
        .filter(|a| {
            action.is_none_or(|p| {
                [
                    &a.ok_actions,
                    &a.alarm_actions,
                    &a.insufficient_data_actions,
                ]
                .iter()
                .any(|list| list.iter().any(|x| x.starts_with(p)))
            })
        })
        .filter(|a| after.as_ref().is_none_or(|last| a.name > *last))
        .peekable();
    let page: Vec<&Alarm> = matched.by_ref().take(size as usize).collect();
    let next = match (matched.peek(), page.last()) {
        (Some(_), Some(last)) => text(encode_token(&last.name)),
        _ => Cbor::Null,
    };
    Ok(map(vec![
        ("MetricAlarms", list(page.iter().map(|a| a.to_cbor()))),
        ("CompositeAlarms", list([])),
        ("NextToken", next),
    ]))
}

/// DeleteAlarms: names that do not exist are ignored.
pub fn delete(cw: &mut CloudWatch, req: &In) -> Result<(), Fault> {
    let names = req.strings("AlarmNames")?;
    if names.is_empty() {
        return Err(missing("AlarmNames"));
    }
    if names.len() > MAX_NAMES {
        return Err(invalid(format!(
            "AlarmNames must have at most {MAX_NAMES} members."
        )));
    }
    for name in &names {
        cw.alarms.remove(name);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_and_bad_ones_are_refused() {
        assert_eq!(
            decode_token(&encode_token("dmsflow-r1-é")).unwrap(),
            "dmsflow-r1-é"
        );
        assert_eq!(decode_token("nope").unwrap_err().code, "InvalidNextToken");
        assert_eq!(decode_token("cwemu4").unwrap_err().code, "InvalidNextToken");
    }

    #[test]
    fn arns_name_alarms() {
        let arn = alarm_arn("a:b");
        assert_eq!(arn, "arn:aws:cloudwatch:us-east-1:123456789012:alarm:a:b");
        assert_eq!(name_in_arn(&arn).unwrap(), "a:b");
        assert!(name_in_arn("arn:aws:sns:us-east-1:1:topic").is_err());
    }
}
