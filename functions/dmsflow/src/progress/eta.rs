//! When the full load is expected to end, from how far it got in how long.

use crate::aws::dms::Task;

/// Seconds until the full load is expected to end, extrapolating the task's
/// elapsed time over its progress percent; `None` before the first percent, at
/// 100 percent, or without statistics.
pub fn full_load_due_in(task: &Task) -> Option<u64> {
    let stats = task.stats.as_ref()?;
    let percent = u64::try_from(stats.full_load_progress_percent).ok()?;
    let elapsed_ms = u64::try_from(stats.elapsed_time_millis).ok()?;
    if !(1..100).contains(&percent) || elapsed_ms == 0 {
        return None;
    }
    Some(elapsed_ms / 1000 * (100 - percent) / percent)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::dms::TaskStats;

    fn task(percent: i32, elapsed_seconds: i64) -> Task {
        Task {
            id: "t".into(),
            arn: "arn:aws:dms:us-east-1:1:task:T".into(),
            status: "running".into(),
            migration_type: "full-load".into(),
            stop_reason: None,
            last_failure_message: None,
            settings: None,
            start_date: None,
            stats: Some(TaskStats {
                full_load_progress_percent: percent,
                elapsed_time_millis: elapsed_seconds * 1000,
                ..TaskStats::default()
            }),
            instance_arn: String::new(),
            source_endpoint_arn: String::new(),
            target_endpoint_arn: String::new(),
            provisioning: None,
        }
    }

    #[test]
    fn extrapolates_the_elapsed_time_over_the_percent_done() {
        assert_eq!(full_load_due_in(&task(25, 600)), Some(1800));
        assert_eq!(full_load_due_in(&task(1, 108)), Some(10_692));
        assert_eq!(full_load_due_in(&task(99, 9900)), Some(100));
    }

    #[test]
    fn no_estimate_without_a_percent_between_the_ends() {
        assert_eq!(full_load_due_in(&task(0, 600)), None);
        assert_eq!(full_load_due_in(&task(100, 600)), None);
        assert_eq!(full_load_due_in(&task(-1, 600)), None);
        assert_eq!(full_load_due_in(&task(50, 0)), None);
        let mut bare = task(50, 600);
        bare.stats = None;
        assert_eq!(full_load_due_in(&bare), None);
    }
}
