//! Which execution drives a run when several executions of the state machine
//! name the same run id at once (two console starts, a schedule firing while a
//! run still goes on, a cleanup request during a run).
//!
//! Every execution holds an election before it touches DMS: among the RUNNING
//! executions whose input names its run id, the one with the oldest claim drives
//! (ties: the smaller execution ARN); every other one stops with `RunInProgress`.
//! An execution's claim dates from its start, except for a continuation
//! (`<run_id>-gen-<n>`, started by its predecessor after many progress checks):
//! it carries its chain's claim (`resume.claimed_since_ms`), so an execution
//! started while the chain hands over cannot outrank it, and it ignores its own
//! predecessor, which is still RUNNING for a moment after starting it.
//!
//! Whichever execution starts later sees the earlier one, so at most one drives,
//! provided the listing shows every execution started before the look. Step
//! Functions' ListExecutions is eventually consistent, so the winner looks a
//! second time after a short wait (see `steps::claim_run`).

use serde_json::Value;

/// One execution of the state machine as the election sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct Contender {
    pub execution_arn: String,
    /// When it started, in milliseconds since the Unix epoch.
    pub started_ms: i64,
    /// Its input (`Value::Null` when it could not be read as JSON).
    pub input: Value,
}

/// What an execution's input claims.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim<'a> {
    pub run_id: &'a str,
    /// The claim's date (milliseconds since the Unix epoch): the execution's start,
    /// or its chain's claim for a continuation.
    pub since_ms: i64,
    /// The execution that started this one (a continuation's predecessor).
    pub parent: Option<&'a str>,
}

/// The outcome of an election, from one execution's point of view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The input names no run id (it is refused later): nothing to claim.
    NoRun,
    /// This execution drives its run; `rivals` RUNNING executions of the same run
    /// yield to it.
    Drive {
        run_id: String,
        since_ms: i64,
        rivals: usize,
    },
    /// Another execution drives the run.
    Yield {
        run_id: String,
        driver_arn: String,
        driver_since_ms: i64,
    },
}

/// The run id an execution input names: a cleanup request's `run_id`, a
/// continuation's `spec.run_id`, or a migration spec's `run_id`.
pub fn run_id_of(input: &Value) -> Option<&str> {
    fn text(v: Option<&Value>) -> Option<&str> {
        v.and_then(Value::as_str).filter(|s| !s.is_empty())
    }
    if input.get("resume").is_some() {
        return text(input.pointer("/spec/run_id"));
    }
    text(input.get("run_id"))
}

/// What `contender` claims, if its input names a run.
pub fn claim_of(contender: &Contender) -> Option<Claim<'_>> {
    let input = &contender.input;
    let run_id = run_id_of(input)?;
    let resume = input.get("resume");
    let carried = resume
        .and_then(|r| r.get("claimed_since_ms"))
        .and_then(Value::as_i64);
    let parent = resume
        .and_then(|r| r.get("parent_execution_arn"))
        .and_then(Value::as_str);
    Some(Claim {
        run_id,
        since_ms: carried.unwrap_or(contender.started_ms),
        parent,
    })
}

/// The election as `me` sees it, given the other RUNNING executions of the state
/// machine (`me` among them or not; executions of other runs are ignored).
pub fn elect(me: &Contender, running: &[Contender]) -> Verdict {
    let Some(mine) = claim_of(me) else {
        return Verdict::NoRun;
    };
    let rivals: Vec<(Claim<'_>, &str)> = running
        .iter()
        .filter(|c| c.execution_arn != me.execution_arn)
        .filter(|c| Some(c.execution_arn.as_str()) != mine.parent)
        .filter_map(|c| claim_of(c).map(|claim| (claim, c.execution_arn.as_str())))
        .filter(|(claim, _)| claim.run_id == mine.run_id)
        .collect();
    let oldest = rivals
        .iter()
        .map(|(claim, arn)| (claim.since_ms, *arn))
        .min();
    match oldest {
        Some((since_ms, arn)) if (since_ms, arn) < (mine.since_ms, me.execution_arn.as_str()) => {
            Verdict::Yield {
                run_id: mine.run_id.to_string(),
                driver_arn: arn.to_string(),
                driver_since_ms: since_ms,
            }
        }
        _ => Verdict::Drive {
            run_id: mine.run_id.to_string(),
            since_ms: mine.since_ms,
            rivals: rivals.len(),
        },
    }
}

/// The Step Functions console page of an execution (the region is the ARN's).
pub fn console_link(execution_arn: &str) -> Option<String> {
    let region = execution_arn.split(':').nth(3).filter(|r| !r.is_empty())?;
    Some(format!(
        "https://{region}.console.aws.amazon.com/states/home?region={region}#/v2/executions/details/{execution_arn}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const MACHINE: &str = "arn:aws:states:eu-west-1:123456789012:execution:dmsflow-migration";

    fn arn(name: &str) -> String {
        format!("{MACHINE}:{name}")
    }

    fn spec(name: &str, started_ms: i64, run_id: &str) -> Contender {
        Contender {
            execution_arn: arn(name),
            started_ms,
            input: json!({"run_id": run_id, "source": {}}),
        }
    }

    fn teardown(name: &str, started_ms: i64, run_id: &str) -> Contender {
        Contender {
            execution_arn: arn(name),
            started_ms,
            input: json!({"action": "cleanup", "run_id": run_id}),
        }
    }

    fn continuation(
        name: &str,
        started_ms: i64,
        run_id: &str,
        parent: &str,
        claimed: Option<i64>,
    ) -> Contender {
        let mut resume = json!({"generation": 2, "parent_execution_arn": arn(parent)});
        if let Some(since) = claimed {
            resume["claimed_since_ms"] = json!(since);
        }
        Contender {
            execution_arn: arn(name),
            started_ms,
            input: json!({"spec": {"run_id": run_id}, "resume": resume}),
        }
    }

    fn yields_to(verdict: &Verdict, driver: &str) -> bool {
        matches!(verdict, Verdict::Yield { driver_arn, .. } if *driver_arn == arn(driver))
    }

    fn drives(verdict: &Verdict) -> bool {
        matches!(verdict, Verdict::Drive { .. })
    }

    #[test]
    fn the_earliest_start_drives_and_every_later_one_yields_to_it() {
        let a = spec("a", 1_000, "orders");
        let b = spec("b", 2_000, "orders");
        let c = spec("c", 3_000, "orders");
        let all = [a.clone(), b.clone(), c.clone()];
        assert_eq!(
            elect(&a, &all),
            Verdict::Drive {
                run_id: "orders".into(),
                since_ms: 1_000,
                rivals: 2
            }
        );
        assert!(yields_to(&elect(&b, &all), "a"));
        assert!(yields_to(&elect(&c, &all), "a"));
        // The earlier one need not see the later one to win; the later one
        // loses as soon as it sees the earlier one, wherever it is listed.
        assert!(drives(&elect(&a, &[])));
        assert!(yields_to(&elect(&c, std::slice::from_ref(&a)), "a"));
    }

    #[test]
    fn equal_starts_are_decided_by_the_smaller_execution_arn() {
        let a = spec("a", 5_000, "orders");
        let b = spec("b", 5_000, "orders");
        assert!(drives(&elect(&a, &[a.clone(), b.clone()])));
        assert!(yields_to(&elect(&b, &[b.clone(), a.clone()]), "a"));
    }

    #[test]
    fn executions_of_other_runs_and_inputs_without_a_run_id_do_not_compete() {
        let me = spec("me", 9_000, "orders");
        let others = [
            spec("older", 1_000, "invoices"),
            teardown("old-teardown", 2_000, "customers"),
            Contender {
                execution_arn: arn("garbage"),
                started_ms: 3_000,
                input: Value::Null,
            },
            Contender {
                execution_arn: arn("no-id"),
                started_ms: 4_000,
                input: json!({"run_id": ""}),
            },
        ];
        assert_eq!(
            elect(&me, &others),
            Verdict::Drive {
                run_id: "orders".into(),
                since_ms: 9_000,
                rivals: 0
            }
        );
        let no_run = Contender {
            input: json!({"source": {}}),
            ..me.clone()
        };
        assert_eq!(elect(&no_run, &others), Verdict::NoRun);
    }

    #[test]
    fn a_cleanup_request_during_a_run_yields_and_a_run_started_during_a_teardown_yields() {
        let run = spec("run", 1_000, "orders");
        let down = teardown("down", 2_000, "orders");
        assert!(yields_to(
            &elect(&down, &[run.clone(), down.clone()]),
            "run"
        ));
        assert!(drives(&elect(&run, &[run.clone(), down.clone()])));

        let down = teardown("down", 1_000, "orders");
        let run = spec("run", 2_000, "orders");
        assert!(yields_to(
            &elect(&run, &[down.clone(), run.clone()]),
            "down"
        ));
    }

    #[test]
    fn a_continuation_ignores_its_predecessor_and_keeps_its_chains_claim() {
        let gen1 = spec("orders", 1_000, "orders");
        let gen2 = continuation("orders-gen-2", 9_000, "orders", "orders", Some(1_000));
        // Its predecessor is still running while it starts: it drives anyway.
        assert_eq!(
            elect(&gen2, &[gen1.clone(), gen2.clone()]),
            Verdict::Drive {
                run_id: "orders".into(),
                since_ms: 1_000,
                rivals: 0
            }
        );
        // An execution started during the hand-over, before the continuation,
        // yields to the chain, and the continuation drives.
        let intruder = spec("console-start", 8_000, "orders");
        let all = [gen1.clone(), intruder.clone(), gen2.clone()];
        assert!(drives(&elect(&gen2, &all)));
        assert!(yields_to(&elect(&intruder, &all), "orders"));
        // Once the predecessor has ended, the intruder yields to the continuation.
        let after = [intruder.clone(), gen2.clone()];
        assert!(yields_to(&elect(&intruder, &after), "orders-gen-2"));
        assert!(drives(&elect(&gen2, &after)));
    }

    #[test]
    fn a_continuation_without_a_carried_claim_dates_from_its_own_start() {
        let older = spec("older", 2_000, "orders");
        let gen2 = continuation("orders-gen-2", 5_000, "orders", "orders", None);
        assert_eq!(claim_of(&gen2).map(|c| c.since_ms), Some(5_000));
        assert!(yields_to(&elect(&gen2, &[older, gen2.clone()]), "older"));
        // Only its own predecessor is ignored, not every execution of the run.
        let parent = spec("orders", 1_000, "orders");
        assert!(drives(&elect(&gen2, &[parent, gen2.clone()])));
    }

    #[test]
    fn run_ids_are_read_from_each_kind_of_input() {
        assert_eq!(run_id_of(&json!({"run_id": "a"})), Some("a"));
        assert_eq!(
            run_id_of(&json!({"action": "cleanup", "run_id": "b"})),
            Some("b")
        );
        assert_eq!(
            run_id_of(&json!({"spec": {"run_id": "c"}, "resume": {}, "run_id": "x"})),
            Some("c")
        );
        assert_eq!(run_id_of(&json!({"run_id": 7})), None);
        assert_eq!(run_id_of(&json!([1])), None);
    }

    #[test]
    fn console_links_use_the_region_of_the_arn() {
        let link = console_link(&arn("a")).unwrap();
        assert!(link.starts_with("https://eu-west-1.console.aws.amazon.com/states/home?region=eu-west-1#/v2/executions/details/arn:aws:states:eu-west-1:"));
        assert_eq!(console_link("nonsense"), None);
    }
}
