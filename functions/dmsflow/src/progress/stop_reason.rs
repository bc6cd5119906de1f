//! DMS's `StopReason`: a sentence such as `"Stop Reason FULL_LOAD_ONLY_FINISHED"`,
//! of which only the suffix is meaningful.

use std::fmt;

/// Why DMS says a task stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StopReason {
    /// Stopped by a `StopReplicationTask` call.
    Normal,
    RecoverableError,
    FatalError,
    /// A full-load task finished.
    FullLoadOnlyFinished,
    /// The task settings asked to stop after the full load (cached changes not applied).
    StoppedAfterFullLoad,
    /// The task settings asked to stop after the full load (cached changes applied).
    StoppedAfterCachedEvents,
    /// The task settings asked to stop after a DDL was applied.
    StoppedAfterDdlApply,
    StoppedDueToLowMemory,
    StoppedDueToLowDisk,
    /// A CDC stop position (server time) was reached.
    StoppedAtServerTime,
    /// A CDC stop position (commit time) was reached.
    StoppedAtCommitTime,
    ReconfigurationRestart,
    RecycleTask,
    ExpressLicenseLimitsReached,
    /// A suffix this version does not know, kept as DMS wrote it.
    Other(String),
}

/// Known suffixes, longest first so that no suffix shadows a longer one ending
/// the same way.
const SUFFIXES: [(&str, StopReason); 14] = [
    (
        "EXPRESS_LICENSE_LIMITS_REACHED",
        StopReason::ExpressLicenseLimitsReached,
    ),
    (
        "STOPPED_AFTER_CACHED_EVENTS",
        StopReason::StoppedAfterCachedEvents,
    ),
    (
        "STOPPED_DUE_TO_LOW_MEMORY",
        StopReason::StoppedDueToLowMemory,
    ),
    ("STOPPED_AFTER_FULL_LOAD", StopReason::StoppedAfterFullLoad),
    (
        "RECONFIGURATION_RESTART",
        StopReason::ReconfigurationRestart,
    ),
    ("STOPPED_AFTER_DDL_APPLY", StopReason::StoppedAfterDdlApply),
    ("FULL_LOAD_ONLY_FINISHED", StopReason::FullLoadOnlyFinished),
    ("STOPPED_DUE_TO_LOW_DISK", StopReason::StoppedDueToLowDisk),
    ("STOPPED_AT_SERVER_TIME", StopReason::StoppedAtServerTime),
    ("STOPPED_AT_COMMIT_TIME", StopReason::StoppedAtCommitTime),
    ("RECOVERABLE_ERROR", StopReason::RecoverableError),
    ("RECYCLE_TASK", StopReason::RecycleTask),
    ("FATAL_ERROR", StopReason::FatalError),
    ("NORMAL", StopReason::Normal),
];

impl StopReason {
    /// Parses DMS's sentence by its suffix; `None` for an absent or blank reason.
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        if text.is_empty() {
            return None;
        }
        let known = SUFFIXES.iter().find(|(suffix, _)| {
            text.strip_suffix(suffix)
                .is_some_and(|rest| rest.is_empty() || rest.ends_with([' ', ':']))
        });
        Some(match known {
            Some((_, reason)) => reason.clone(),
            None => StopReason::Other(text.rsplit(' ').next().unwrap_or(text).to_string()),
        })
    }

    /// The suffix, as DMS writes it.
    pub fn as_str(&self) -> &str {
        match self {
            StopReason::Other(suffix) => suffix,
            known => SUFFIXES
                .iter()
                .find(|(_, reason)| reason == known)
                .map_or("UNKNOWN", |(suffix, _)| suffix),
        }
    }

    /// The task stopped because something went wrong: the run failed.
    pub fn is_failure(&self) -> bool {
        matches!(
            self,
            StopReason::RecoverableError
                | StopReason::FatalError
                | StopReason::StoppedDueToLowMemory
                | StopReason::StoppedDueToLowDisk
                | StopReason::ExpressLicenseLimitsReached
        )
    }

    /// The task stopped because its own settings asked it to (a stop after the full
    /// load, after a DDL, or at a CDC stop position).
    pub fn is_requested_by_settings(&self) -> bool {
        matches!(
            self,
            StopReason::StoppedAfterFullLoad
                | StopReason::StoppedAfterCachedEvents
                | StopReason::StoppedAfterDdlApply
                | StopReason::StoppedAtServerTime
                | StopReason::StoppedAtCommitTime
        )
    }

    /// The full load finished before the task stopped.
    pub fn means_full_load_finished(&self) -> bool {
        matches!(
            self,
            StopReason::FullLoadOnlyFinished
                | StopReason::StoppedAfterFullLoad
                | StopReason::StoppedAfterCachedEvents
        )
    }
}

impl fmt::Display for StopReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_documented_suffix_parses_from_the_dms_sentence_and_back() {
        for (suffix, reason) in SUFFIXES.iter() {
            let parsed = StopReason::parse(&format!("Stop Reason {suffix}")).unwrap();
            assert_eq!(&parsed, reason, "{suffix}");
            assert_eq!(parsed.as_str(), *suffix);
        }
    }

    #[test]
    fn the_suffix_is_matched_not_the_whole_sentence() {
        assert_eq!(
            StopReason::parse("FULL_LOAD_ONLY_FINISHED"),
            Some(StopReason::FullLoadOnlyFinished)
        );
        assert_eq!(
            StopReason::parse("  Stop Reason FATAL_ERROR \n"),
            Some(StopReason::FatalError)
        );
        // A longer suffix ending like a shorter one is not taken for it.
        assert_eq!(
            StopReason::parse("Stop Reason ABNORMAL"),
            Some(StopReason::Other("ABNORMAL".into()))
        );
        assert_eq!(
            StopReason::parse("Stop Reason NOT_FATAL_ERROR"),
            Some(StopReason::Other("NOT_FATAL_ERROR".into()))
        );
    }

    #[test]
    fn blank_or_absent_reasons_are_none_and_unknown_ones_are_kept() {
        assert_eq!(StopReason::parse(""), None);
        assert_eq!(StopReason::parse("   "), None);
        let other = StopReason::parse("Stop Reason SOMETHING_NEW").unwrap();
        assert_eq!(other.as_str(), "SOMETHING_NEW");
        assert!(!other.is_failure());
        assert!(!other.is_requested_by_settings());
    }

    #[test]
    fn failures_settings_stops_and_finished_loads_are_told_apart() {
        assert!(StopReason::FatalError.is_failure());
        assert!(StopReason::StoppedDueToLowDisk.is_failure());
        assert!(!StopReason::Normal.is_failure());
        assert!(!StopReason::Normal.is_requested_by_settings());
        assert!(StopReason::StoppedAtCommitTime.is_requested_by_settings());
        assert!(StopReason::StoppedAfterCachedEvents.means_full_load_finished());
        assert!(StopReason::FullLoadOnlyFinished.means_full_load_finished());
        assert!(!StopReason::StoppedAfterDdlApply.means_full_load_finished());
        assert!(!StopReason::RecycleTask.is_failure());
    }
}
