//! How long the state machine waits before the next progress check.
//!
//! Every wait costs state transitions and history events (an execution fails at
//! 25,000 events), and a long wait delays noticing a failure or the moment the
//! completion criterion holds. So the wait adapts: it starts at
//! `polling.min_wait_seconds`, doubles with every poll that saw no change, drops
//! back to the minimum as soon as something changes, and never exceeds
//! `polling.max_wait_seconds`. During steady CDC nothing that counts as a change
//! moves (see `ProgressSummary::changed_since`), so the wait reaches the maximum.

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
/// poll; `changed` says whether this poll saw progress since the previous one.
pub fn next(polling: &Polling, previous_quiet_polls: Option<u32>, changed: bool) -> Wait {
    let quiet_polls = match previous_quiet_polls {
        Some(quiet) if !changed => quiet.saturating_add(1),
        _ => 0,
    };
    Wait {
        seconds: after_quiet_polls(polling, quiet_polls),
        quiet_polls,
    }
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

    fn polling(min: u32, max: u32) -> Polling {
        Polling {
            min_wait_seconds: min,
            max_wait_seconds: max,
            ..Polling::default()
        }
    }

    #[test]
    fn the_first_poll_waits_the_minimum_even_without_change() {
        let wait = next(&polling(30, 540), None, false);
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
            let wait = next(&p, quiet, false);
            seen.push(wait.seconds);
            quiet = Some(wait.quiet_polls);
        }
        assert_eq!(seen, vec![60, 120, 240, 480, 540, 540]);
    }

    #[test]
    fn a_change_drops_back_to_the_minimum() {
        let p = polling(30, 540);
        let wait = next(&p, Some(4), true);
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
        assert_eq!(next(&p, Some(31), false).seconds, 3600);
        assert_eq!(next(&p, Some(200), false).seconds, 3600);
        assert_eq!(next(&p, Some(u32::MAX), false).quiet_polls, u32::MAX);
    }

    #[test]
    fn a_maximum_below_the_minimum_never_shortens_the_minimum() {
        let p = polling(60, 30);
        assert_eq!(next(&p, None, false).seconds, 60);
        assert_eq!(next(&p, Some(3), false).seconds, 60);
    }
}
