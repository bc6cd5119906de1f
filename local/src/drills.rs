//! Failure drills: what a user can rehearse going wrong, through the DMS
//! emulator's drill tags (added to the spec's `tags`, which every resource of the
//! run carries) or its throttling.

use dms_emulator::ThrottleSpec;
use serde_json::{Value, json};

use crate::Error;

/// A drill, and what a user should see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Drill {
    FailConnection,
    AssessmentFail,
    AssessmentWarning,
    FailTask,
    TableError,
    TableErrorOnce,
    ValidationMismatch,
    ValidationMismatchOnce,
    Throttle,
    SlowInstance,
}

/// How a drill's run should end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Expected {
    /// The execution's error (an `ErrorKind` name), `None` for success.
    pub error: Option<&'static str>,
    /// The state whose failure is alerted.
    pub failed_state: Option<&'static str>,
}

/// The table the table drills hit (one of the emulator's default tables).
pub const DRILL_TABLE: &str = "orders";
/// Mismatched records the validation drill makes DMS report.
pub const DRILL_MISMATCHES: u64 = 3;
/// Throttled DMS calls at the start of the throttle drill: more than the SDK's
/// attempts per call inside a function (`dmsflow::aws::clients::SDK_ATTEMPTS`, 5),
/// so one invocation fails `Throttled` and the state machine's Retry takes over.
pub const THROTTLED_CALLS: u64 = 8;
/// Real seconds the slow-instance drill adds to the instance's creation.
pub const SLOW_INSTANCE_REAL_SECONDS: f64 = 8.0;

impl Drill {
    pub const ALL: [Drill; 10] = [
        Drill::FailConnection,
        Drill::AssessmentFail,
        Drill::AssessmentWarning,
        Drill::FailTask,
        Drill::TableError,
        Drill::TableErrorOnce,
        Drill::ValidationMismatch,
        Drill::ValidationMismatchOnce,
        Drill::Throttle,
        Drill::SlowInstance,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Drill::FailConnection => "fail-connection",
            Drill::AssessmentFail => "assessment-fail",
            Drill::AssessmentWarning => "assessment-warning",
            Drill::FailTask => "fail-task",
            Drill::TableError => "table-error",
            Drill::TableErrorOnce => "table-error-once",
            Drill::ValidationMismatch => "validation-mismatch",
            Drill::ValidationMismatchOnce => "validation-mismatch-once",
            Drill::Throttle => "throttle",
            Drill::SlowInstance => "slow-instance",
        }
    }

    pub fn parse(name: &str) -> Result<Drill, Error> {
        Drill::ALL
            .into_iter()
            .find(|d| d.name() == name)
            .ok_or_else(|| {
                let names: Vec<&str> = Drill::ALL.iter().map(|d| d.name()).collect();
                Error::new(format!(
                    "unknown drill {name}; drills: {}",
                    names.join(", ")
                ))
            })
    }

    /// One line: what the drill does.
    pub fn describe(self) -> String {
        match self {
            Drill::FailConnection => {
                "the source endpoint's connection test fails (DMS's LastFailureMessage)".into()
            }
            Drill::AssessmentFail => {
                "the premigration assessment's first individual assessment fails (turns the assessment on)".into()
            }
            Drill::AssessmentWarning => {
                "the premigration assessment's first individual assessment ends with a warning (turns the assessment on)".into()
            }
            Drill::FailTask => "the replication task fails at 40% of its full load".into(),
            Drill::TableError => format!(
                "table {DRILL_TABLE} ends in Table error, and again after each reload"
            ),
            Drill::TableErrorOnce => format!(
                "table {DRILL_TABLE} ends in Table error on its first load only; a reload loads it"
            ),
            Drill::ValidationMismatch => format!(
                "validation finds {DRILL_MISMATCHES} mismatched records in {DRILL_TABLE} (turns validation on)"
            ),
            Drill::ValidationMismatchOnce => format!(
                "the first validation finds {DRILL_MISMATCHES} mismatched records in {DRILL_TABLE}; a re-validation finds none (turns validation on)"
            ),
            Drill::Throttle => {
                format!("DMS throttles the first {THROTTLED_CALLS} calls (a transient fault)")
            }
            Drill::SlowInstance => format!(
                "the replication instance takes about {SLOW_INSTANCE_REAL_SECONDS} s longer to create"
            ),
        }
    }

    /// Why the drill does not apply to a DMS Serverless run, if it does not:
    /// dmsflow runs no assessment there (the spec checks refuse it), and there is
    /// no instance to create.
    pub fn not_on_serverless(self) -> Option<&'static str> {
        match self {
            Drill::AssessmentFail | Drill::AssessmentWarning => Some(
                "dmsflow runs no premigration assessment on DMS Serverless (docs/dms-serverless.md)",
            ),
            Drill::SlowInstance => Some("DMS Serverless has no replication instance"),
            _ => None,
        }
    }

    /// How the run ends; on DMS Serverless (`serverless`) a failed connection
    /// test is DMS's own, at the start, which CheckProgress reports.
    pub fn expected(self, serverless: bool) -> Expected {
        let fails = |error, state| Expected {
            error: Some(error),
            failed_state: Some(state),
        };
        match self {
            Drill::FailConnection if serverless => fails("ConnectionTestFailed", "CheckProgress"),
            Drill::FailConnection => fails("ConnectionTestFailed", "TestConnections"),
            Drill::AssessmentFail => fails("AssessmentFailed", "AssessMigration"),
            Drill::FailTask => fails("TaskFailed", "CheckProgress"),
            Drill::TableError => fails("TablesErrored", "CheckProgress"),
            Drill::ValidationMismatch => fails("ValidationFailed", "CheckProgress"),
            Drill::AssessmentWarning
            | Drill::TableErrorOnce
            | Drill::ValidationMismatchOnce
            | Drill::Throttle
            | Drill::SlowInstance => Expected {
                error: None,
                failed_state: None,
            },
        }
    }

    /// One line: what a user should see at the end.
    pub fn expectation(self, serverless: bool) -> String {
        match self.expected(serverless) {
            Expected {
                error: Some(error),
                failed_state: Some(state),
            } => {
                let never_started = if self == Drill::AssessmentFail {
                    ", the replication task never started"
                } else {
                    ""
                };
                format!(
                    "one alert naming {state} and DMS's message, cleanup per cleanup.on_failure{never_started}, execution FAILED with {error}"
                )
            }
            _ => match self {
                Drill::Throttle => "the throttled step is retried; execution SUCCEEDED".into(),
                Drill::TableErrorOnce => format!(
                    "table {DRILL_TABLE} is reloaded (ReloadTables) and completes; execution SUCCEEDED, its notice says so"
                ),
                Drill::ValidationMismatchOnce => format!(
                    "table {DRILL_TABLE} is re-validated (ReloadTables validate-only); execution SUCCEEDED, its notice says so"
                ),
                Drill::AssessmentWarning => {
                    "the assessment ends `warning`; execution SUCCEEDED, its notice lists the warnings".into()
                }
                _ => "more create checks; execution SUCCEEDED".into(),
            },
        }
    }

    /// The emulator drill tags (`dms-emulator:<key>`) this drill adds to the spec.
    pub fn tags(self, speed: f64) -> Vec<(String, String)> {
        let tag = |key: &str, value: String| vec![(format!("dms-emulator:{key}"), value)];
        match self {
            Drill::FailConnection => tag("fail-connection", "source".into()),
            // `true`: the run's first individual assessment, whatever the engines.
            Drill::AssessmentFail => tag("assessment-fail", "true".into()),
            Drill::AssessmentWarning => tag("assessment-warning", "true".into()),
            Drill::FailTask => tag("fail-task-at-percent", "40".into()),
            Drill::TableError => tag("table-error", DRILL_TABLE.into()),
            Drill::TableErrorOnce => tag("table-error-once", DRILL_TABLE.into()),
            Drill::ValidationMismatch => tag(
                "validation-mismatches",
                format!("{DRILL_TABLE}={DRILL_MISMATCHES}"),
            ),
            Drill::ValidationMismatchOnce => tag(
                "validation-mismatch-once",
                format!("{DRILL_TABLE}={DRILL_MISMATCHES}"),
            ),
            Drill::SlowInstance => tag(
                "slow-instance-seconds",
                format!("{}", (SLOW_INSTANCE_REAL_SECONDS * speed).round()),
            ),
            Drill::Throttle => Vec::new(),
        }
    }

    /// The emulator throttling this drill sets before the run starts.
    pub fn throttle(self) -> Option<ThrottleSpec> {
        (self == Drill::Throttle).then(|| ThrottleSpec {
            first_calls: Some(THROTTLED_CALLS),
            ..ThrottleSpec::default()
        })
    }

    /// Changes the spec: the drill's tags, validation on for the validation
    /// drills, and the premigration assessment on for the assessment drills.
    pub fn apply(self, spec: &mut Value, speed: f64) {
        let Some(object) = spec.as_object_mut() else {
            return;
        };
        let tags = object.entry("tags").or_insert_with(|| json!({}));
        if let Some(tags) = tags.as_object_mut() {
            for (key, value) in self.tags(speed) {
                tags.insert(key, Value::String(value));
            }
        }
        let section = match self {
            Drill::ValidationMismatch | Drill::ValidationMismatchOnce => "validation",
            Drill::AssessmentFail | Drill::AssessmentWarning => "assessment",
            _ => return,
        };
        let section = object.entry(section).or_insert_with(|| json!({}));
        if let Some(section) = section.as_object_mut() {
            section.insert("enabled".into(), Value::Bool(true));
        }
    }
}

/// The router's control path of the lost-response drill: `POST` a
/// [`LostResponses`] to arm it, `GET` what it has lost so far.
pub const LOST_RESPONSES_PATH: &str = "/_local/lost-responses";

/// The lost-response drill: the router lets `function` run to its end, then
/// answers Step Functions for its next `count` successful invocations as if the
/// Invoke call itself had failed (`Lambda.ServiceException`, HTTP 500), so the
/// state machine retries a step whose work was already done.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LostResponses {
    /// The function's name (`dmsflow-start`).
    pub function: String,
    /// How many successful responses to lose.
    pub count: u64,
}

/// The drill's state in the router: responses still to lose, by function, and
/// those lost so far.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct LostResponsesState {
    pub armed: std::collections::BTreeMap<String, u64>,
    pub lost: Vec<String>,
}

impl LostResponsesState {
    pub fn arm(&mut self, drill: &LostResponses) {
        self.armed.insert(drill.function.clone(), drill.count);
    }

    /// Whether this successful response of `function` is to be lost (and counts it).
    pub fn take(&mut self, function: &str) -> bool {
        match self.armed.get_mut(function) {
            Some(n) if *n > 0 => {
                *n -= 1;
                self.lost.push(function.to_string());
                true
            }
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lost_responses_are_counted_per_function_and_wear_off() {
        let mut state = LostResponsesState::default();
        state.arm(&LostResponses {
            function: "dmsflow-start".into(),
            count: 2,
        });
        assert!(!state.take("dmsflow-create"));
        assert!(state.take("dmsflow-start"));
        assert!(state.take("dmsflow-start"));
        assert!(!state.take("dmsflow-start"));
        assert_eq!(state.lost, ["dmsflow-start", "dmsflow-start"]);
    }

    #[test]
    fn drills_parse_by_name_and_add_their_tags() {
        assert_eq!(Drill::parse("table-error"), Ok(Drill::TableError));
        assert!(
            Drill::parse("nope")
                .unwrap_err()
                .to_string()
                .contains("fail-connection")
        );
        let mut spec = json!({"run_id": "r", "tags": {"team": "x"}});
        Drill::FailConnection.apply(&mut spec, 5.0);
        Drill::ValidationMismatch.apply(&mut spec, 5.0);
        assert_eq!(spec["tags"]["team"], "x");
        assert_eq!(spec["tags"]["dms-emulator:fail-connection"], "source");
        assert_eq!(
            spec["tags"]["dms-emulator:validation-mismatches"],
            "orders=3"
        );
        assert_eq!(spec["validation"]["enabled"], true);
        let mut bare = json!({"run_id": "r"});
        Drill::SlowInstance.apply(&mut bare, 5.0);
        assert_eq!(bare["tags"]["dms-emulator:slow-instance-seconds"], "40");
        assert_eq!(
            Drill::Throttle.throttle().unwrap().first_calls,
            Some(THROTTLED_CALLS)
        );
        assert!(Drill::Throttle.expected(false).error.is_none());
    }

    #[test]
    fn on_serverless_a_failed_connection_test_is_checkprogresss_and_some_drills_do_not_apply() {
        let on_serverless = Drill::FailConnection.expected(true);
        assert_eq!(on_serverless.failed_state, Some("CheckProgress"));
        assert_eq!(on_serverless.error, Some("ConnectionTestFailed"));
        assert!(
            Drill::FailConnection
                .expectation(true)
                .contains("CheckProgress")
        );
        let refused: Vec<&str> = Drill::ALL
            .iter()
            .filter(|d| d.not_on_serverless().is_some())
            .map(|d| d.name())
            .collect();
        assert_eq!(
            refused,
            ["assessment-fail", "assessment-warning", "slow-instance"]
        );
    }

    #[test]
    fn the_assessment_drills_tag_the_spec_and_say_what_to_expect() {
        for drill in Drill::ALL {
            assert_eq!(Drill::parse(drill.name()), Ok(drill));
        }
        let mut spec = json!({"run_id": "r", "assessment": {"enabled": false}});
        Drill::AssessmentFail.apply(&mut spec, 5.0);
        assert_eq!(spec["tags"]["dms-emulator:assessment-fail"], "true");
        assert_eq!(spec["assessment"]["enabled"], true);
        let mut warned = json!({"run_id": "r"});
        Drill::AssessmentWarning.apply(&mut warned, 5.0);
        assert_eq!(warned["tags"]["dms-emulator:assessment-warning"], "true");
        assert_eq!(warned["assessment"]["enabled"], true);

        let fail = Drill::AssessmentFail.expected(false);
        assert_eq!(
            (fail.error, fail.failed_state),
            (Some("AssessmentFailed"), Some("AssessMigration"))
        );
        assert!(
            Drill::AssessmentFail
                .expectation(false)
                .contains("never started")
        );
        assert!(Drill::AssessmentWarning.expected(false).error.is_none());
        assert!(
            Drill::AssessmentWarning
                .expectation(false)
                .contains("SUCCEEDED")
        );
        assert!(
            Drill::AssessmentWarning
                .expectation(false)
                .contains("lists the warnings")
        );
    }
}
