//! The refused-call drill: the router answers an AWS operation of a service the
//! DMS emulator does not serve (Step Functions, for claim-run) with an error, as
//! the service would, without passing the call on. DMS's own faults come from
//! the emulator's scenario instead.

use serde::{Deserialize, Serialize};

/// The router's control path of the drill: `POST` a [`RefusedCalls`] to arm it,
/// `GET` what it has refused so far.
pub const REFUSED_CALLS_PATH: &str = "/_local/refused-calls";

/// Which calls to refuse, and how.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefusedCalls {
    /// The operation's `X-Amz-Target` (`AWSStepFunctions.ListExecutions`).
    pub target: String,
    /// The error code the caller gets (`AccessDeniedException`).
    pub code: String,
    pub message: String,
    /// How many calls to refuse; every call from now on when absent.
    #[serde(default)]
    pub times: Option<u64>,
}

/// The drill's state in the router: what is armed, and the targets refused so far.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RefusedCallsState {
    pub armed: Vec<RefusedCalls>,
    pub refused: Vec<String>,
}

impl RefusedCallsState {
    /// Arms `drill`, replacing what was armed for its target.
    pub fn arm(&mut self, drill: RefusedCalls) {
        self.armed.retain(|d| d.target != drill.target);
        self.armed.push(drill);
    }

    /// The error (code, message) to answer this call of `target` with, if it is
    /// to be refused (and counts it).
    pub fn take(&mut self, target: &str) -> Option<(String, String)> {
        let drill = self.armed.iter_mut().find(|d| d.target == target)?;
        match &mut drill.times {
            Some(0) => return None,
            Some(n) => *n -= 1,
            None => {}
        }
        self.refused.push(target.to_string());
        Some((drill.code.clone(), drill.message.clone()))
    }
}

/// The body of an AWS JSON-protocol error answer.
pub fn error_body(code: &str, message: &str) -> String {
    serde_json::json!({"__type": code, "message": message}).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drill(times: Option<u64>) -> RefusedCalls {
        RefusedCalls {
            target: "AWSStepFunctions.ListExecutions".into(),
            code: "AccessDeniedException".into(),
            message: "not authorized".into(),
            times,
        }
    }

    #[test]
    fn a_counted_refusal_wears_off_and_others_pass() {
        let mut state = RefusedCallsState::default();
        state.arm(drill(Some(2)));
        assert_eq!(state.take("AWSStepFunctions.DescribeExecution"), None);
        let refused = Some(("AccessDeniedException".into(), "not authorized".into()));
        assert_eq!(state.take("AWSStepFunctions.ListExecutions"), refused);
        assert_eq!(state.take("AWSStepFunctions.ListExecutions"), refused);
        assert_eq!(state.take("AWSStepFunctions.ListExecutions"), None);
        assert_eq!(state.refused.len(), 2);
    }

    #[test]
    fn a_refusal_without_a_count_lasts_and_rearming_replaces_it() {
        let mut state = RefusedCallsState::default();
        state.arm(drill(None));
        for _ in 0..10 {
            assert!(state.take("AWSStepFunctions.ListExecutions").is_some());
        }
        state.arm(drill(Some(0)));
        assert_eq!(state.armed.len(), 1);
        assert_eq!(state.take("AWSStepFunctions.ListExecutions"), None);
    }

    #[test]
    fn the_error_body_is_what_the_sdk_reads_a_code_from() {
        let body: serde_json::Value =
            serde_json::from_str(&error_body("AccessDeniedException", "no")).unwrap();
        assert_eq!(body["__type"], "AccessDeniedException");
        assert_eq!(body["message"], "no");
    }
}
