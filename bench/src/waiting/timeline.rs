//! The simulated migration, and when the workflow calls its steps in it.
//!
//! DMS is a timeline: the replication instance becomes available
//! `instance_seconds` after the create step asks for it, then the task is created
//! (a minute); once started, the task takes a minute to run, loads `tables` tables
//! one after another in `full_load_seconds`, then replicates changes with a CDC
//! latency held above the spec's threshold, so the ready-for-cutover criterion never
//! holds and the run keeps checking.
//!
//! The setup loops call their step until the DMS operations it waits for are over,
//! waiting what that step suggests. The progress checks wait what the real
//! [`wait_policy::next`] says, fed as check-progress feeds it: whether the summary
//! changed since the previous check (here: the task starts running, the first table
//! completes, the full load ends) and, during the full load, when its end is due
//! (the real [`full_load_due_in`] on the task's statistics).

use dmsflow::aws::dms::{Task, TaskStats};
use dmsflow::plan::{INSTANCE_WAIT_SECONDS, SHORT_WAIT_SECONDS, wait_within};
use dmsflow::progress::full_load_due_in;
use dmsflow::spec::Polling;
use dmsflow::steps::claim_run::{CONFIRM_AFTER_SECONDS, LOOKS};
use dmsflow::wait_policy;

/// Seconds a Task state takes (one Lambda call): the simulated clock moves only by
/// these and by Wait states.
pub const TASK_SECONDS: f64 = 0.2;
/// Seconds DMS takes to create a replication task, and a started task to begin
/// its full load; a connection test takes half.
const SHORT_OPERATION: f64 = 60.0;
/// Seconds a premigration assessment takes from its start to its result. DMS
/// documents no duration (it provisions resources, then runs each check); ten
/// minutes is an assumption of the bench, not a measurement.
const ASSESSMENT_SECONDS: f64 = 600.0;

/// The simulated migration's timing.
#[derive(Debug, Clone, Copy)]
pub struct Timeline {
    pub instance_seconds: f64,
    pub full_load_seconds: f64,
    pub tables: u32,
}

/// One DMS operation a setup step waits for: it starts at the call that sees the
/// previous one over, and a later call sees it over once `seconds` have passed;
/// meanwhile the step suggests waiting `wait_seconds`.
#[derive(Debug, Clone, Copy)]
struct Operation {
    seconds: f64,
    wait_seconds: u32,
}

/// What the setup loop of the Task `task` waits for, by the step behind it; `None`
/// for a loop this timeline does not know.
fn operations(task: &str, timeline: &Timeline, polling: &Polling) -> Option<Vec<Operation>> {
    let op = |seconds, wait_seconds| Operation {
        seconds,
        wait_seconds,
    };
    Some(match task {
        // claim-run: a win is final after LOOKS looks, CONFIRM_AFTER_SECONDS apart.
        "ClaimRun" => vec![op(0.0, CONFIRM_AFTER_SECONDS); LOOKS.saturating_sub(1) as usize],
        // create: the instance, then the task (the rest is ready at once).
        "CreateResources" => vec![
            op(
                timeline.instance_seconds,
                wait_within(polling, INSTANCE_WAIT_SECONDS),
            ),
            op(SHORT_OPERATION, wait_within(polling, SHORT_WAIT_SECONDS)),
        ],
        "TestConnections" => vec![op(SHORT_OPERATION / 2.0, polling.min_wait_seconds)],
        // One premigration assessment: started at the first call, over after
        // ASSESSMENT_SECONDS, looked at every min_wait_seconds.
        "AssessMigration" => vec![op(ASSESSMENT_SECONDS, polling.min_wait_seconds)],
        // Settings applied, and the task started, at the first call.
        "EnableValidation" | "StartReplication" => Vec::new(),
        _ => return None,
    })
}

/// How a setup loop went: its calls, and the seconds from entering its first call
/// to the end of its last.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Setup {
    pub calls: u64,
    pub seconds: f64,
}

/// The setup loop of the Task `task`, entered at simulated second `start`.
pub fn setup_loop(
    task: &str,
    timeline: &Timeline,
    polling: &Polling,
    start: f64,
) -> Result<Setup, String> {
    let operations = operations(task, timeline, polling).ok_or_else(|| {
        format!("the simulated migration does not know what {task}'s loop waits for")
    })?;
    let mut entered = start;
    let mut calls = 0;
    let mut pending = operations.iter();
    let mut current: Option<(f64, &Operation)> = None;
    loop {
        calls += 1;
        let now = entered + TASK_SECONDS;
        if let Some((started, op)) = current
            && now >= started + op.seconds
        {
            current = None;
        }
        if current.is_none() {
            match pending.next() {
                Some(op) => current = Some((now, op)),
                None => {
                    return Ok(Setup {
                        calls,
                        seconds: now - start,
                    });
                }
            }
        }
        let (_, op) = current.expect("an operation is pending");
        entered = now + f64::from(op.wait_seconds);
    }
}

/// The replication task once started, as the progress checks see it.
#[derive(Debug, Clone, Copy)]
pub struct Replication {
    started: f64,
    load_start: f64,
    load_end: f64,
    timeline: Timeline,
}

impl Replication {
    /// The task started at simulated second `started` (the setup's last call).
    pub fn new(timeline: Timeline, started: f64) -> Replication {
        let load_start = started + SHORT_OPERATION;
        Replication {
            started,
            load_start,
            load_end: load_start + timeline.full_load_seconds,
            timeline,
        }
    }

    /// Whether a check at `now` sees the summary changed since a check at
    /// `previous` (`ProgressSummary::changed_since`: status, phase, a table or
    /// validation state appearing): the task starts running (its first table
    /// loading), the first table completes (and is validated), the full load ends.
    pub fn changed(&self, previous: f64, now: f64) -> bool {
        let first_table = self.load_start + self.timeline.full_load_seconds / self.tables();
        [self.load_start, first_table, self.load_end]
            .iter()
            .any(|&at| previous < at && at <= now)
    }

    /// When the full load ends.
    pub fn load_end(&self) -> f64 {
        self.load_end
    }

    fn tables(&self) -> f64 {
        f64::from(self.timeline.tables.max(1))
    }

    /// When check-progress expects the full load to end, as it reads the task at
    /// `now` (only during the full load).
    pub fn due_in(&self, now: f64) -> Option<u64> {
        if !(self.load_start..self.load_end).contains(&now) {
            return None;
        }
        let done = ((now - self.load_start) / self.timeline.full_load_seconds).clamp(0.0, 1.0);
        let task = Task {
            id: String::new(),
            arn: String::new(),
            status: "running".into(),
            migration_type: "full-load-and-cdc".into(),
            stop_reason: None,
            last_failure_message: None,
            settings: None,
            start_date: None,
            stats: Some(TaskStats {
                full_load_progress_percent: (done * 100.0).floor() as i32,
                elapsed_time_millis: ((now - self.started) * 1000.0) as i64,
                ..TaskStats::default()
            }),
            instance_arn: String::new(),
            source_endpoint_arn: String::new(),
            target_endpoint_arn: String::new(),
            provisioning: None,
        };
        full_load_due_in(&task)
    }
}

/// The wait policy between checks: what check-progress carries from one check to
/// the next (`quiet_polls`, and when it last read the task), across executions too.
#[derive(Debug, Clone)]
pub struct Checker {
    polling: Polling,
    replication: Replication,
    quiet_polls: Option<u32>,
    last_read: Option<f64>,
    /// The run's id and its checks so far: the spread of a wait at the maximum.
    run_id: String,
    checks: u64,
}

impl Checker {
    pub fn new(polling: Polling, replication: Replication) -> Checker {
        Checker::for_run(polling, replication, "orders")
    }

    /// The checker of run `run_id` (its waits at the maximum are spread by it).
    pub fn for_run(polling: Polling, replication: Replication, run_id: &str) -> Checker {
        Checker {
            polling,
            replication,
            quiet_polls: None,
            last_read: None,
            run_id: run_id.to_string(),
            checks: 0,
        }
    }

    /// A check that reads the task at `now`: the seconds it says to wait.
    pub fn check(&mut self, now: f64) -> u32 {
        let changed = self
            .last_read
            .is_none_or(|previous| self.replication.changed(previous, now));
        let wait = wait_policy::next(
            &self.polling,
            self.quiet_polls,
            changed,
            self.replication.due_in(now),
        );
        self.quiet_polls = Some(wait.quiet_polls);
        self.last_read = Some(now);
        self.checks += 1;
        wait_policy::spread(&self.polling, wait.seconds, &self.run_id, self.checks)
    }
}
