//! Scenarios: a JSON document that sets speed, throttling, the source catalog,
//! drills by resource identifier, and account prerequisites.
//!
//! ```json
//! {
//!   "speed": 20,
//!   "throttle": {"first_calls": 10},
//!   "catalog": {
//!     "tables": [{"schema": "sales", "name": "orders", "rows": 5000}],
//!     "generate": [{"schema": "bulk", "prefix": "t_", "count": 500, "rows": 100}]
//!   },
//!   "drills": {"my-task": {"fail-task-at-percent": 40}, "*": {"cdc-latency-seconds": 9}},
//!   "dms_vpc_role": false,
//!   "subnets": {"subnet-1": "us-east-1a"},
//!   "faults": [{"operation": "StartReplicationTask", "code": "AccessDeniedFault",
//!               "message": "not allowed"},
//!              {"operation": "ModifyReplicationTask", "code": "InvalidResourceStateFault",
//!               "times": 2}]
//! }
//! ```

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Simulated seconds per real second.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speed: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub throttle: Option<ThrottleSpec>,
    /// The simulated source catalog; absent means the default six tables.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub catalog: Option<CatalogSpec>,
    /// Drills by resource identifier (or `*` for every resource): the same keys as
    /// the `dms-emulator:` tags, without the prefix.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub drills: BTreeMap<String, BTreeMap<String, Value>>,
    /// `false`: the account has no usable `dms-vpc-role`, so subnet groups and
    /// instances cannot be created (AccessDeniedFault).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dms_vpc_role: Option<bool>,
    /// Availability Zone of a subnet id; others get zones a, b, c... in order.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub subnets: BTreeMap<String, String>,
    /// DMS operations that answer with a DMS fault instead of doing their work.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub faults: Vec<FaultSpec>,
}

/// One operation answering with a real DMS fault: for `times` calls (a transient
/// fault, such as `InvalidResourceStateFault` while a resource is busy), or for
/// every call when `times` is absent (a permanent fault).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct FaultSpec {
    /// The DMS operation, e.g. `StartReplicationTask`.
    pub operation: String,
    /// The fault's code, one of [`crate::faults::DMS_FAULT_CODES`].
    pub code: String,
    /// What DMS says; absent: a sentence naming the operation and the code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// How many calls fail (absent: all of them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub times: Option<u64>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ThrottleSpec {
    /// Throttle the next N calls.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_calls: Option<u64>,
    /// Then throttle every Nth call...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub every_nth: Option<u64>,
    /// ...and/or this percentage of calls, picked by a fixed pseudo-random
    /// sequence (the same calls every time for the same `seed`)...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub percent: Option<u64>,
    /// The sequence's seed (absent: 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// ...among the next M calls (absent: forever).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub for_calls: Option<u64>,
    /// Only these operations (absent: all DMS operations).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operations: Option<Vec<String>>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct CatalogSpec {
    #[serde(default)]
    pub tables: Vec<TableSpec>,
    #[serde(default)]
    pub generate: Vec<GenerateSpec>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct TableSpec {
    pub schema: String,
    pub name: String,
    #[serde(default = "default_rows")]
    pub rows: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct GenerateSpec {
    pub schema: String,
    #[serde(default = "default_prefix")]
    pub prefix: String,
    pub count: u32,
    #[serde(default = "default_rows")]
    pub rows: u64,
}

fn default_rows() -> u64 {
    1000
}

fn default_prefix() -> String {
    "table_".into()
}

impl Scenario {
    /// A source catalog of `count` tables `<prefix><n>` of `rows` rows in `schema`
    /// (large catalogs for the bench and the payload checks).
    pub fn generated(schema: &str, prefix: &str, count: u32, rows: u64) -> Scenario {
        Scenario {
            catalog: Some(CatalogSpec {
                tables: Vec::new(),
                generate: vec![GenerateSpec {
                    schema: schema.into(),
                    prefix: prefix.into(),
                    count,
                    rows,
                }],
            }),
            ..Scenario::default()
        }
    }

    pub fn from_json(text: &str) -> Result<Scenario, String> {
        let s: Scenario =
            serde_json::from_str(text).map_err(|e| format!("invalid scenario: {e}"))?;
        if let Some(speed) = s.speed
            && !(speed.is_finite() && speed > 0.0)
        {
            return Err("invalid scenario: speed must be a positive number".into());
        }
        if let Some(percent) = s.throttle.as_ref().and_then(|t| t.percent)
            && percent > 100
        {
            return Err("invalid scenario: throttle.percent must be 0 to 100".into());
        }
        for fault in &s.faults {
            fault.check()?;
        }
        Ok(s)
    }
}

impl FaultSpec {
    /// Refuses an operation the emulator does not serve and a code DMS does not use.
    pub fn check(&self) -> Result<(), String> {
        if !crate::ops::OPERATIONS.contains(&self.operation.as_str()) {
            return Err(format!(
                "invalid scenario: faults: unknown operation {}",
                self.operation
            ));
        }
        if crate::faults::dms_fault_code(&self.code).is_none() {
            return Err(format!(
                "invalid scenario: faults: {} is not a DMS fault; use one of {}",
                self.code,
                crate::faults::DMS_FAULT_CODES.join(", ")
            ));
        }
        Ok(())
    }
}
