//! Bounds on the total time of a wait loop.

use std::time::{Duration, SystemTime};

use crate::error::{ErrorKind, StepError, StepResult};

/// `1 minute`, `90 minutes`.
fn in_minutes(duration: Duration) -> String {
    match duration.as_secs() / 60 {
        1 => "1 minute".to_string(),
        n => format!("{n} minutes"),
    }
}

/// A spec's timeout in minutes as a duration.
pub fn minutes(minutes: u32) -> Duration {
    Duration::from_secs(u64::from(minutes) * 60)
}

/// How long a loop that started at `started_at` (RFC 3339) has run at `now`;
/// `None` without a readable start.
pub fn elapsed(started_at: Option<&str>, now: SystemTime) -> Option<Duration> {
    let started = humantime::parse_rfc3339_weak(started_at?).ok()?;
    Some(now.duration_since(started).unwrap_or_default())
}

/// Fails with `StepTimedOut` when a loop that started at `started_at` (RFC 3339)
/// has run longer than `limit` at `now`. `what` names the loop for the message,
/// `setting` the spec field that sets the limit.
pub fn check(
    started_at: Option<&str>,
    now: SystemTime,
    limit: Duration,
    what: &str,
    setting: &str,
) -> StepResult<()> {
    let Some(started_at) = started_at else {
        return Ok(());
    };
    let started = humantime::parse_rfc3339_weak(started_at).map_err(|e| {
        StepError::new(
            ErrorKind::InvalidSpec,
            format!("loop_started_at `{started_at}` is not an RFC 3339 time ({e}); the state machine passes $$.State.EnteredTime"),
        )
    })?;
    let elapsed = now.duration_since(started).unwrap_or_default();
    if elapsed > limit {
        return Err(StepError::new(
            ErrorKind::StepTimedOut,
            format!(
                "{what} did not finish within {} (it has been {}); raise polling.{setting} in the spec if this is expected",
                in_minutes(limit),
                in_minutes(elapsed)
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> SystemTime {
        humantime::parse_rfc3339_weak(s).unwrap()
    }

    #[test]
    fn within_the_limit_is_fine_and_past_it_times_out() {
        let limit = Duration::from_secs(60 * 60);
        let start = "2026-01-01T00:00:00.000Z";
        assert!(
            check(
                Some(start),
                at("2026-01-01T00:59:00Z"),
                limit,
                "x",
                "instance_timeout_minutes"
            )
            .is_ok()
        );
        let err = check(
            Some(start),
            at("2026-01-01T01:01:00Z"),
            limit,
            "the replication instance",
            "instance_timeout_minutes",
        )
        .unwrap_err();
        assert_eq!(err.kind, ErrorKind::StepTimedOut);
        assert!(
            err.message.contains("polling.instance_timeout_minutes"),
            "{}",
            err.message
        );
    }

    #[test]
    fn no_start_time_means_no_bound_and_garbage_is_named() {
        assert!(check(None, SystemTime::now(), Duration::ZERO, "x", "y").is_ok());
        let err = check(
            Some("yesterday"),
            SystemTime::now(),
            Duration::ZERO,
            "x",
            "y",
        )
        .unwrap_err();
        assert!(err.message.contains("loop_started_at"));
    }
}
