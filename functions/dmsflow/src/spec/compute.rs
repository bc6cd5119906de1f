//! Where the replication runs: a replication instance dmsflow sizes (`instance`,
//! the default) or DMS Serverless (`serverless`), and the checks of that choice.
//! docs/dms-serverless.md gives the sources of every DMS rule cited here.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::parse::SpecProblem;

/// Where the replication runs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Compute {
    /// A replication instance of the `instance` section, with a task on it.
    #[default]
    Instance,
    /// DMS Serverless: a replication config whose capacity DMS provisions between
    /// `serverless.min_capacity_units` and `serverless.max_capacity_units`.
    Serverless,
}

/// DMS Serverless capacity (`ComputeConfig` of CreateReplicationConfig).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ServerlessSpec {
    /// Most DMS capacity units (DCU, 2 GB of memory each) DMS may provision: 1, 2, 4,
    /// 8, 16, 32, 64, 128, 192, 256 or 384.
    pub max_capacity_units: u32,
    /// Fewest DCU DMS scales down to when the source is idle; 1 when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_capacity_units: Option<u32>,
    /// A standby in a second Availability Zone.
    #[serde(default)]
    pub multi_az: bool,
    /// Weekly maintenance window, `ddd:hh24:mi-ddd:hh24:mi` in UTC (at least 30
    /// minutes); DMS picks one when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preferred_maintenance_window: Option<String>,
    /// KMS key for the replication's storage; the AWS-managed key when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms_key_id: Option<String>,
}

/// "The list of valid DCU values includes 1, 2, 4, 8, 16, 32, 64, 128, 192, 256,
/// and 384" (botocore's DMS model, ComputeConfig.MaxCapacityUnits).
pub const CAPACITY_UNITS: [u32; 11] = [1, 2, 4, 8, 16, 32, 64, 128, 192, 256, 384];

/// Source engines DMS Serverless takes (user guide, "AWS DMS Serverless
/// components", supported engines at launch: SQL Server, PostgreSQL-compatible,
/// MySQL-compatible, Oracle). The guide's current list could not be read; an
/// engine it has added since is refused here until this list follows.
pub const SERVERLESS_SOURCES: [&str; 7] = [
    "mysql",
    "mariadb",
    "aurora",
    "postgres",
    "aurora-postgresql",
    "oracle",
    "sqlserver",
];

/// Target engines DMS Serverless takes (the same page, targets at launch).
pub const SERVERLESS_TARGETS: [&str; 17] = [
    "mysql",
    "mariadb",
    "aurora",
    "postgres",
    "aurora-postgresql",
    "oracle",
    "sqlserver",
    "s3",
    "redshift",
    "redshift-serverless",
    "dynamodb",
    "kinesis",
    "kafka",
    "opensearch",
    "elasticsearch",
    "docdb",
    "neptune",
];

/// What the compute checks read of the spec.
pub struct ComputeFacts<'a> {
    pub compute: Compute,
    pub serverless: Option<&'a ServerlessSpec>,
    /// The spec names an `instance` section.
    pub instance_given: bool,
    pub source_engine: Option<&'a str>,
    pub target_engine: Option<&'a str>,
    /// A selection rule takes views (`"table-type": "view"` or `"all"`).
    pub selects_views: bool,
    /// The premigration assessment is on (`assessment.enabled`).
    pub assessment_enabled: bool,
    /// The completion criterion needs the CDC latency (`ready-for-cutover`).
    pub criterion_needs_latency: bool,
}

/// Every problem of the compute choice, all at once.
pub fn check(facts: &ComputeFacts, out: &mut Vec<SpecProblem>) {
    match (facts.compute, facts.serverless) {
        (Compute::Instance, Some(_)) => out.push(SpecProblem::new(
            "serverless",
            "is given while compute is instance (the default)",
            "set `\"compute\": \"serverless\"` to run on DMS Serverless, or remove the serverless section",
        )),
        (Compute::Serverless, None) => out.push(SpecProblem::new(
            "serverless",
            "is missing: compute is serverless",
            "add `\"serverless\": {\"max_capacity_units\": 16}` (1, 2, 4, 8, 16, 32, 64, 128, 192, 256 or 384)",
        )),
        _ => {}
    }
    if facts.compute != Compute::Serverless {
        return;
    }
    if facts.instance_given {
        out.push(SpecProblem::new(
            "instance",
            "is given while compute is serverless: DMS Serverless has no replication instance",
            "remove the instance section (serverless.max_capacity_units sizes the replication)",
        ));
    }
    for (side, engine, supported) in [
        ("source", facts.source_engine, &SERVERLESS_SOURCES[..]),
        ("target", facts.target_engine, &SERVERLESS_TARGETS[..]),
    ] {
        if let Some(engine) = engine
            && !supported.contains(&engine)
        {
            out.push(SpecProblem::new(
                format!("{side}.engine"),
                format!("`{engine}` is not a {side} DMS Serverless supports (DMS user guide, DMS Serverless components)"),
                format!("use compute: instance for this {side}, or one of: {}", supported.join(", ")),
            ));
        }
    }
    if facts.selects_views {
        out.push(SpecProblem::new(
            "table_mappings",
            "selects views: \"AWS DMS serverless does not support views\" (DMS user guide, DMS Serverless limitations)",
            "select tables only (`\"table-type\": \"table\"`), or use compute: instance",
        ));
    }
    if facts.assessment_enabled {
        // DMS Serverless runs its assessment through StartReplication's
        // PremigrationAssessmentSettings, with results in a bucket DMS manages
        // (docs/dms-serverless.md); the task assessment calls do not take a
        // replication config. dmsflow does not drive that yet: refused, not skipped.
        out.push(SpecProblem::new(
            "assessment.enabled",
            "is true (the default), but dmsflow does not yet run premigration assessments on DMS Serverless",
            "set `\"assessment\": {\"enabled\": false}` for this run (run an assessment from the DMS console if you need one), or use compute: instance",
        ));
    }
    if facts.criterion_needs_latency {
        out.push(SpecProblem::new(
            "completion.criterion",
            "is ready-for-cutover, which waits for DMS's CDC latency metrics; the CloudWatch dimensions of a DMS Serverless replication's metrics are not documented, so dmsflow cannot read them",
            "use `validated` or `full-load-complete` (the replication goes on as `completion.then` says), or use compute: instance",
        ));
    }
    if let Some(serverless) = facts.serverless {
        check_capacity(serverless, out);
    }
}

fn check_capacity(serverless: &ServerlessSpec, out: &mut Vec<SpecProblem>) {
    let valid = |n: u32| CAPACITY_UNITS.contains(&n);
    let listed = "1, 2, 4, 8, 16, 32, 64, 128, 192, 256 or 384";
    if !valid(serverless.max_capacity_units) {
        out.push(SpecProblem::new(
            "serverless.max_capacity_units",
            format!(
                "{} is not a DCU value DMS accepts",
                serverless.max_capacity_units
            ),
            format!("give one of {listed}"),
        ));
    }
    if let Some(min) = serverless.min_capacity_units {
        if !valid(min) {
            out.push(SpecProblem::new(
                "serverless.min_capacity_units",
                format!("{min} is not a DCU value DMS accepts"),
                format!("give one of {listed}, or leave it out for 1"),
            ));
        } else if min > serverless.max_capacity_units {
            out.push(SpecProblem::new(
                "serverless.min_capacity_units",
                format!(
                    "{min} is above max_capacity_units ({})",
                    serverless.max_capacity_units
                ),
                "give a minimum at most the maximum",
            ));
        }
    }
    if let Some(window) = &serverless.preferred_maintenance_window
        && window_minutes(window).is_none_or(|m| m < 30)
    {
        out.push(SpecProblem::new(
            "serverless.preferred_maintenance_window",
            format!("`{window}` is not a weekly window of at least 30 minutes"),
            "give `ddd:hh24:mi-ddd:hh24:mi` in UTC, such as `sun:23:00-mon:01:30` (botocore's DMS model, ComputeConfig.PreferredMaintenanceWindow)",
        ));
    }
}

/// The length in minutes of a `ddd:hh24:mi-ddd:hh24:mi` window (across the week's
/// end too); `None` when it is not one.
fn window_minutes(window: &str) -> Option<u32> {
    const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    let minute_of_week = |part: &str| -> Option<u32> {
        let mut fields = part.split(':');
        let day = fields.next()?;
        let day = DAYS.iter().position(|d| d.eq_ignore_ascii_case(day))? as u32;
        let (hour, minute) = (fields.next()?, fields.next()?);
        if fields.next().is_some() || hour.len() != 2 || minute.len() != 2 {
            return None;
        }
        let (hour, minute): (u32, u32) = (hour.parse().ok()?, minute.parse().ok()?);
        (hour < 24 && minute < 60).then_some(day * 1440 + hour * 60 + minute)
    };
    let (start, end) = window.split_once('-')?;
    let (start, end) = (minute_of_week(start)?, minute_of_week(end)?);
    Some((end + 7 * 1440 - start) % (7 * 1440))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn serverless(max: u32) -> ServerlessSpec {
        ServerlessSpec {
            max_capacity_units: max,
            min_capacity_units: None,
            multi_az: false,
            preferred_maintenance_window: None,
            kms_key_id: None,
        }
    }

    fn facts(compute: Compute, spec: Option<&ServerlessSpec>) -> ComputeFacts<'_> {
        ComputeFacts {
            compute,
            serverless: spec,
            instance_given: false,
            source_engine: Some("postgres"),
            target_engine: Some("aurora-postgresql"),
            selects_views: false,
            assessment_enabled: false,
            criterion_needs_latency: false,
        }
    }

    fn paths(facts: &ComputeFacts) -> Vec<String> {
        let mut out = Vec::new();
        check(facts, &mut out);
        out.into_iter().map(|p| p.path).collect()
    }

    #[test]
    fn the_section_goes_with_the_choice() {
        let spec = serverless(16);
        assert!(paths(&facts(Compute::Instance, None)).is_empty());
        assert!(paths(&facts(Compute::Serverless, Some(&spec))).is_empty());
        assert_eq!(
            paths(&facts(Compute::Instance, Some(&spec))),
            ["serverless"]
        );
        assert_eq!(paths(&facts(Compute::Serverless, None)), ["serverless"]);
    }

    #[test]
    fn every_serverless_problem_is_reported_at_once() {
        let mut spec = serverless(12);
        spec.min_capacity_units = Some(3);
        spec.preferred_maintenance_window = Some("sun:23:00-sun:23:15".into());
        let mut all = facts(Compute::Serverless, Some(&spec));
        all.instance_given = true;
        all.source_engine = Some("db2");
        all.target_engine = Some("redis");
        all.selects_views = true;
        all.assessment_enabled = true;
        all.criterion_needs_latency = true;
        assert_eq!(
            paths(&all),
            [
                "instance",
                "source.engine",
                "target.engine",
                "table_mappings",
                "assessment.enabled",
                "completion.criterion",
                "serverless.max_capacity_units",
                "serverless.min_capacity_units",
                "serverless.preferred_maintenance_window",
            ]
        );
        let mut above = serverless(4);
        above.min_capacity_units = Some(8);
        let mut out = Vec::new();
        check(&facts(Compute::Serverless, Some(&above)), &mut out);
        assert_eq!(out.len(), 1);
        assert!(
            out[0].problem.contains("above max_capacity_units (4)"),
            "{out:?}"
        );
    }

    #[test]
    fn maintenance_windows_are_weekly_and_at_least_half_an_hour() {
        assert_eq!(window_minutes("sun:23:00-mon:01:30"), Some(150));
        assert_eq!(window_minutes("Tue:04:00-tue:04:30"), Some(30));
        assert_eq!(window_minutes("sat:23:45-sun:00:15"), Some(30));
        for bad in [
            "sun:23:00",
            "sun:25:00-mon:01:00",
            "xyz:01:00-mon:02:00",
            "sun:1:00-sun:02:00",
        ] {
            assert_eq!(window_minutes(bad), None, "{bad}");
        }
    }
}
