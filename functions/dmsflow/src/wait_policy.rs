//! How long the state machine waits before the next progress check.
//!
//! Every wait costs state transitions and history events (an execution fails at
//! 25,000 events), and a long wait delays noticing a failure or the moment the
//! completion criterion holds. So the wait adapts: it starts at
//! `polling.min_wait_seconds`, doubles with every poll that saw no change of state,
//! drops back to the minimum as soon as the state changes (see
//! `ProgressSummary::changed_since`: counters moving is not a change), and never
//! exceeds `polling.max_wait_seconds`, which bounds how late a failure is noticed.
//! When the full load's end can be estimated, the wait is cut to that moment (but
//! not below the minimum), so completion is noticed without polling the whole load
//! at the minimum. During a long full load and steady CDC the wait reaches the
//! maximum.
//!
//! Many runs of one account share DMS's API budget (a token bucket per account and
//! Region: 100 tokens, refilled at 4 a second; DMS user guide, "Quotas for AWS
//! Database Migration Service"). Runs started together would check together
//! forever, so a wait at the maximum is spread over the maximum's last fortieth by
//! run and check ([`spread`]): never longer than the maximum, on average 1.25%
//! shorter.

use serde::{Deserialize, Serialize};

use crate::spec::Polling;

/// The suggested wait, and the count of consecutive quiet polls that produced it
/// (carried in the step's report so the next call sees it as `previous`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Wait {
    pub seconds: u32,
    pub quiet_polls: u32,
}

/// The wait after a poll. `previous_quiet_polls` is `None` on the loop's first
/// poll; `changed` says whether this poll saw the state change since the previous
/// one; `due_in_seconds` is when the awaited moment (the full load's end) is
/// expected, if it can be estimated.
pub fn next(
    polling: &Polling,
    previous_quiet_polls: Option<u32>,
    changed: bool,
    due_in_seconds: Option<u64>,
) -> Wait {
    let quiet_polls = match previous_quiet_polls {
        Some(quiet) if !changed => quiet.saturating_add(1),
        _ => 0,
    };
    let grown = after_quiet_polls(polling, quiet_polls);
    let seconds = match due_in_seconds {
        Some(due) => {
            let due = u32::try_from(due).unwrap_or(u32::MAX);
            grown.min(due.max(polling.min_wait_seconds))
        }
        None => grown,
    };
    Wait {
        seconds,
        quiet_polls,
    }
}

/// `seconds`, spread when it is the maximum: between 97.5% and 100% of it (never
/// below the minimum), the same for the same run and check (FNV-1a of both), so
/// that runs started together drift apart instead of calling DMS in step.
pub fn spread(polling: &Polling, seconds: u32, run_id: &str, check: u64) -> u32 {
    let min = polling.min_wait_seconds;
    let max = polling.max_wait_seconds.max(min);
    if seconds < max {
        return seconds;
    }
    let room = (max / 40).min(max - min);
    if room == 0 {
        return seconds;
    }
    let hash = crate::naming::fnv1a(&format!("{run_id}/{check}"));
    seconds - u32::try_from(hash % (u64::from(room) + 1)).unwrap_or(0)
}

/// The minimum wait doubled once per quiet poll, capped at the maximum.
fn after_quiet_polls(polling: &Polling, quiet_polls: u32) -> u32 {
    let min = polling.min_wait_seconds;
    let max = polling.max_wait_seconds.max(min);
    let grown = 1u64
        .checked_shl(quiet_polls)
        .map_or(u64::MAX, |factor| factor.saturating_mul(u64::from(min)));
    u32::try_from(grown.min(u64::from(max))).unwrap_or(max)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_maximum_is_spread_and_never_past_it() {
        let polling = polling(30, 540);
        assert_eq!(spread(&polling, 240, "orders", 7), 240);
        let spread_waits: Vec<u32> = (0..200)
            .map(|check| spread(&polling, 540, "orders", check))
            .collect();
        assert!(
            spread_waits.iter().all(|w| (527..=540).contains(w)),
            "{spread_waits:?}"
        );
        assert!(
            spread_waits.iter().any(|w| *w < 535),
            "the waits are spread"
        );
        assert_eq!(
            spread(&polling, 540, "orders", 7),
            spread(&polling, 540, "orders", 7)
        );
        assert_ne!(
            (0..20)
                .map(|c| spread(&polling, 540, "orders", c))
                .collect::<Vec<_>>(),
            (0..20)
                .map(|c| spread(&polling, 540, "payments", c))
                .collect::<Vec<_>>(),
            "two runs do not wait in step"
        );
        // No room between minimum and maximum: nothing to spread.
        assert_eq!(spread(&self::polling(60, 60), 60, "orders", 3), 60);
    }

    fn polling(min: u32, max: u32) -> Polling {
        Polling {
            min_wait_seconds: min,
            max_wait_seconds: max,
            ..Polling::default()
        }
    }

    #[test]
    fn the_first_poll_waits_the_minimum_even_without_change() {
        let wait = next(&polling(30, 540), None, false, None);
        assert_eq!(
            wait,
            Wait {
                seconds: 30,
                quiet_polls: 0
            }
        );
    }

    #[test]
    fn quiet_polls_double_the_wait_up_to_the_maximum() {
        let p = polling(30, 540);
        let mut quiet = Some(0);
        let mut seen = Vec::new();
        for _ in 0..6 {
            let wait = next(&p, quiet, false, None);
            seen.push(wait.seconds);
            quiet = Some(wait.quiet_polls);
        }
        assert_eq!(seen, vec![60, 120, 240, 480, 540, 540]);
    }

    #[test]
    fn a_change_drops_back_to_the_minimum() {
        let p = polling(30, 540);
        let wait = next(&p, Some(4), true, None);
        assert_eq!(
            wait,
            Wait {
                seconds: 30,
                quiet_polls: 0
            }
        );
    }

    #[test]
    fn very_long_quiet_stretches_stay_at_the_maximum_without_overflow() {
        let p = polling(5, 3600);
        assert_eq!(next(&p, Some(31), false, None).seconds, 3600);
        assert_eq!(next(&p, Some(200), false, None).seconds, 3600);
        assert_eq!(next(&p, Some(u32::MAX), false, None).quiet_polls, u32::MAX);
    }

    #[test]
    fn a_maximum_below_the_minimum_never_shortens_the_minimum() {
        let p = polling(60, 30);
        assert_eq!(next(&p, None, false, None).seconds, 60);
        assert_eq!(next(&p, Some(3), false, None).seconds, 60);
    }

    #[test]
    fn an_expected_end_cuts_the_wait_but_never_below_the_minimum() {
        let p = polling(30, 540);
        // Quiet for long: 540 s, unless the end is due sooner.
        assert_eq!(next(&p, Some(10), false, None).seconds, 540);
        assert_eq!(next(&p, Some(10), false, Some(200)).seconds, 200);
        assert_eq!(next(&p, Some(10), false, Some(3)).seconds, 30);
        assert_eq!(next(&p, Some(10), false, Some(0)).seconds, 30);
        // A due time further off than the grown wait changes nothing.
        assert_eq!(next(&p, Some(1), false, Some(10_000)).seconds, 120);
        assert_eq!(next(&p, Some(1), false, Some(u64::MAX)).seconds, 120);
    }
}
