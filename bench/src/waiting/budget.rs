//! The DMS API budget: many runs of one account share one token bucket (DMS user
//! guide, "Quotas for AWS Database Migration Service": at most 100 tokens, 4 added
//! a second, per account and Region, no increase possible; a call without a token
//! fails with `ThrottlingException: Rate exceeded`).
//!
//! A simulation, with the real wait policy ([`Checker`], its spread included) and
//! the real retry settings (the SDK's [`SDK_ATTEMPTS`] with its jittered backoff,
//! then the state machine's Retry on `Throttled`), of `runs` runs started
//! `spacing` seconds apart, each over the same migration as the cost of waiting
//! ([`Timeline`]) with a catalog of `tables` tables. Each run's setup calls are
//! spread over its setup loops ([`setup_loop`]); each check costs what
//! check-progress calls: the task and every page of table statistics (500 a page)
//! during the full load and the first check after it, then two calls in steady CDC.
//! Reported: the busiest second, the throttled calls, the longest delay a check
//! suffered (which delays noticing a failure by as much), and the checks that
//! failed for good (the run would end with a `Throttled` alert).
//!
//! Setup calls per step call are the emulator's call log of one step-by-step run
//! (tests/function_events.rs: create 34 calls over its loop, test-connections 12,
//! enable-validation 1, assess 15, start 2), spread here as the table below says.
//! Validation is not modelled (it would add complete reads until every table is
//! validated), nor other tools' calls on the same bucket (the console's included).

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap};

use dmsflow::aws::clients::{SDK_ATTEMPTS, SDK_INITIAL_BACKOFF, SDK_MAX_BACKOFF};
use dmsflow::spec::Polling;

use super::timeline::{Checker, Replication, TASK_SECONDS, Timeline, setup_loop};
use crate::table::Row;

const GROUP: &str = "DMS API budget";
/// Seconds between two runs' starts (a wave's start spacing, see docs/waves.md).
pub const SPACING: f64 = 30.0;
const DAY: f64 = 86_400.0;

/// DMS's bucket: capacity and refill per second.
pub const BUCKET: f64 = 100.0;
pub const REFILL_PER_SECOND: f64 = 4.0;
/// Rows of table statistics a page (DescribeTableStatistics' maximum).
const PAGE: u32 = 500;
/// Seconds between two calls of one step.
const CALL_GAP: f64 = 0.05;
/// The state machine's Retry on `Throttled` (statemachine/migration.asl.json):
/// first interval, most attempts, longest delay; FULL jitter, doubling.
const SFN_INTERVAL: f64 = 15.0;
const SFN_ATTEMPTS: u32 = 5;
const SFN_MAX_DELAY: f64 = 300.0;
/// DMS calls a setup step makes per call: the first call, then each later one.
const SETUP: [(&str, u64, u64); 5] = [
    ("CreateResources", 15, 1),
    ("TestConnections", 6, 6),
    ("EnableValidation", 1, 1),
    ("AssessMigration", 3, 1),
    ("StartReplication", 2, 2),
];

/// One simulated fleet.
#[derive(Debug, Clone, Copy)]
pub struct Fleet {
    pub runs: u32,
    pub spacing: f64,
    pub tables: u32,
    pub horizon: f64,
}

/// What the fleet did to the bucket.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Outcome {
    pub calls: u64,
    pub throttled: u64,
    pub busiest_second: u64,
    /// The longest a check finished later than it would have with the bucket to itself.
    pub worst_check_delay: f64,
    /// Checks whose every retry was throttled.
    pub failed_checks: u64,
}

/// One step call: `calls` DMS calls in a row, from `start`.
#[derive(Debug, Clone, Copy)]
struct Job {
    start: f64,
    calls: u64,
    check: bool,
}

/// The next attempt of a job's call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Attempt {
    /// Milliseconds (the queue's order).
    at_ms: u64,
    job: usize,
    call: u64,
    sdk_attempt: u32,
    sfn_attempt: u32,
}

/// A small deterministic generator (xorshift64*) for the retries' jitter.
struct Jitter(u64);

impl Jitter {
    fn unit(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// The step calls of one run started at `start`.
fn jobs_of(
    run: u32,
    start: f64,
    fleet: &Fleet,
    timeline: &Timeline,
    polling: &Polling,
) -> Vec<Job> {
    let mut jobs = Vec::new();
    let mut now = start;
    for (task, first, later) in SETUP {
        let setup = setup_loop(task, timeline, polling, now).expect("a known setup loop");
        for i in 0..setup.calls {
            jobs.push(Job {
                start: now + setup.seconds * i as f64 / setup.calls as f64,
                calls: if i == 0 { first } else { later },
                check: false,
            });
        }
        now += setup.seconds;
    }
    let replication = Replication::new(*timeline, now);
    let mut checker = Checker::for_run(*polling, replication, &format!("wave-run-{run:04}"));
    let complete_read = 1 + u64::from(fleet.tables.div_ceil(PAGE));
    let mut read = now + TASK_SECONDS;
    let mut after_load = 0;
    while read < fleet.horizon {
        if read >= replication.load_end() {
            after_load += 1;
        }
        jobs.push(Job {
            start: read,
            calls: if after_load <= 1 { complete_read } else { 2 },
            check: true,
        });
        read += f64::from(checker.check(read)) + TASK_SECONDS;
    }
    jobs
}

fn ms(seconds: f64) -> u64 {
    (seconds * 1000.0).round() as u64
}

/// Runs the fleet against the bucket.
pub fn simulate(fleet: &Fleet, timeline: &Timeline, polling: &Polling) -> Outcome {
    let jobs: Vec<Job> = (0..fleet.runs)
        .flat_map(|run| {
            jobs_of(
                run,
                f64::from(run) * fleet.spacing,
                fleet,
                timeline,
                polling,
            )
        })
        .collect();
    let mut queue: BinaryHeap<Reverse<Attempt>> = jobs
        .iter()
        .enumerate()
        .map(|(job, j)| {
            Reverse(Attempt {
                at_ms: ms(j.start),
                job,
                call: 0,
                sdk_attempt: 1,
                sfn_attempt: 1,
            })
        })
        .collect();
    let mut jitter = Jitter(0x9E37_79B9_7F4A_7C15);
    let (mut tokens, mut clock) = (BUCKET, 0.0);
    let mut per_second: BTreeMap<u64, u64> = BTreeMap::new();
    let mut outcome = Outcome {
        calls: 0,
        throttled: 0,
        busiest_second: 0,
        worst_check_delay: 0.0,
        failed_checks: 0,
    };
    while let Some(Reverse(attempt)) = queue.pop() {
        let now = attempt.at_ms as f64 / 1000.0;
        tokens = (tokens + (now - clock) * REFILL_PER_SECOND).min(BUCKET);
        clock = now;
        outcome.calls += 1;
        *per_second.entry(attempt.at_ms / 1000).or_insert(0) += 1;
        let job = jobs[attempt.job];
        let next = if tokens >= 1.0 {
            tokens -= 1.0;
            if attempt.call + 1 == job.calls {
                if job.check {
                    let alone = job.start + (job.calls - 1) as f64 * CALL_GAP;
                    outcome.worst_check_delay = outcome.worst_check_delay.max(now - alone);
                }
                None
            } else {
                Some((now + CALL_GAP, attempt.call + 1, 1, attempt.sfn_attempt))
            }
        } else {
            outcome.throttled += 1;
            if attempt.sdk_attempt < SDK_ATTEMPTS {
                let ceiling = (SDK_INITIAL_BACKOFF.as_secs_f64()
                    * 2f64.powi(attempt.sdk_attempt as i32 - 1))
                .min(SDK_MAX_BACKOFF.as_secs_f64());
                let wait = jitter.unit() * ceiling;
                Some((
                    now + wait,
                    attempt.call,
                    attempt.sdk_attempt + 1,
                    attempt.sfn_attempt,
                ))
            } else if attempt.sfn_attempt <= SFN_ATTEMPTS {
                // The function fails with Throttled; the state machine calls it again.
                let ceiling =
                    (SFN_INTERVAL * 2f64.powi(attempt.sfn_attempt as i32 - 1)).min(SFN_MAX_DELAY);
                Some((now + jitter.unit() * ceiling, 0, 1, attempt.sfn_attempt + 1))
            } else {
                if job.check {
                    outcome.failed_checks += 1;
                }
                None
            }
        };
        if let Some((at, call, sdk_attempt, sfn_attempt)) = next {
            queue.push(Reverse(Attempt {
                at_ms: ms(at),
                job: attempt.job,
                call,
                sdk_attempt,
                sfn_attempt,
            }));
        }
    }
    outcome.busiest_second = per_second.values().copied().max().unwrap_or(0);
    outcome
}

/// The rows: 10, 100 and 300 runs of 500 tables started [`SPACING`] apart (no
/// throttling at 100 is the target), then what remains: 100 runs started in the
/// same second, and 10 and 100 runs of 20,000 tables (each full-load check reads
/// 41 pages).
pub fn rows(timeline: &Timeline, polling: &Polling) -> Vec<Row> {
    let fleet = |runs, spacing, tables| Fleet {
        runs,
        spacing,
        tables,
        horizon: DAY,
    };
    let cases = [
        (fleet(10, SPACING, 500), false),
        (fleet(100, SPACING, 500), true),
        (fleet(300, SPACING, 500), false),
        (fleet(100, 0.0, 500), false),
        (fleet(10, SPACING, 20_000), false),
        (fleet(100, SPACING, 20_000), false),
    ];
    cases
        .iter()
        .map(|(fleet, judged)| {
            let outcome = simulate(fleet, timeline, polling);
            let spacing = if fleet.spacing > 0.0 {
                format!("{} s apart", fleet.spacing)
            } else {
                "in the same second".to_string()
            };
            let row = Row::new(
                GROUP,
                format!(
                    "{} runs of {} tables started {spacing}, first 24 h",
                    fleet.runs, fleet.tables
                ),
                format!(
                    "busiest second {} calls; {} of {} calls throttled; checks delayed up to {:.0} s; {} checks failed",
                    outcome.busiest_second,
                    outcome.throttled,
                    outcome.calls,
                    outcome.worst_check_delay,
                    outcome.failed_checks
                ),
            );
            if *judged {
                row.target("no call throttled", outcome.throttled == 0)
            } else {
                row
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const TIMELINE: Timeline = Timeline {
        instance_seconds: 600.0,
        full_load_seconds: 3_600.0,
        tables: 100,
    };

    fn fleet(runs: u32, spacing: f64) -> Fleet {
        Fleet {
            runs,
            spacing,
            tables: 500,
            horizon: 4.0 * 3_600.0,
        }
    }

    #[test]
    fn spaced_runs_stay_within_the_bucket_and_a_burst_is_throttled_and_delayed() {
        let polling = Polling::default();
        let spaced = simulate(&fleet(20, SPACING), &TIMELINE, &polling);
        assert_eq!(spaced.throttled, 0, "{spaced:?}");
        assert!(spaced.worst_check_delay < 1e-6, "{spaced:?}");
        assert!(spaced.calls > 20 * 40, "{spaced:?}");
        let burst = simulate(&fleet(40, 0.0), &TIMELINE, &polling);
        // 40 runs' first create calls at once: more than the bucket's 100 tokens.
        assert!(burst.busiest_second > 100, "{burst:?}");
        assert!(burst.throttled > 0, "{burst:?}");
        assert!(
            burst.calls > spaced.calls * 2,
            "retries count as calls: {burst:?}"
        );
    }

    #[test]
    fn the_jitter_is_a_unit_interval_and_repeatable() {
        let mut a = Jitter(7);
        let mut b = Jitter(7);
        for _ in 0..1_000 {
            let x = a.unit();
            assert!((0.0..1.0).contains(&x));
            assert_eq!(x, b.unit());
        }
    }
}
