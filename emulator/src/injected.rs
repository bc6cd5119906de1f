//! Injected faults: a scenario's `faults` make chosen DMS operations answer with
//! a real DMS fault, a given number of times or for good.

use crate::faults::{Fault, dms_fault_code};
use crate::scenario::FaultSpec;

#[derive(Debug, Clone)]
struct Armed {
    operation: String,
    code: &'static str,
    message: String,
    /// Calls still to fail (`None`: every call).
    remaining: Option<u64>,
}

/// The faults in force, with how many calls each still fails.
#[derive(Debug, Clone, Default)]
pub struct InjectedFaults {
    armed: Vec<Armed>,
    /// How many calls were answered with an injected fault so far.
    pub answered: u64,
}

impl InjectedFaults {
    /// Arms the scenario's faults (a spec with an unknown code is left out: the
    /// scenario's own check refuses it).
    pub fn from_specs(specs: &[FaultSpec]) -> Self {
        let armed = specs
            .iter()
            .filter_map(|spec| {
                let code = dms_fault_code(&spec.code)?;
                let message = spec.message.clone().unwrap_or_else(|| {
                    format!("{} could not be completed ({code})", spec.operation)
                });
                Some(Armed {
                    operation: spec.operation.clone(),
                    code,
                    message,
                    remaining: spec.times,
                })
            })
            .collect();
        InjectedFaults { armed, answered: 0 }
    }

    /// The fault this call of `operation` answers with, if any (and counts it).
    pub fn check(&mut self, operation: &str) -> Option<Fault> {
        let armed = self
            .armed
            .iter_mut()
            .find(|a| a.operation == operation && a.remaining != Some(0))?;
        if let Some(n) = armed.remaining.as_mut() {
            *n -= 1;
        }
        self.answered += 1;
        Some(Fault::new(armed.code, armed.message.clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(operation: &str, code: &str, times: Option<u64>) -> FaultSpec {
        FaultSpec {
            operation: operation.into(),
            code: code.into(),
            message: None,
            times,
        }
    }

    #[test]
    fn a_counted_fault_wears_off_and_a_permanent_one_does_not() {
        let mut faults = InjectedFaults::from_specs(&[
            spec("StartReplicationTask", "InvalidResourceStateFault", Some(2)),
            spec("DeleteEndpoint", "AccessDeniedFault", None),
        ]);
        let start = |f: &mut InjectedFaults| f.check("StartReplicationTask").map(|f| f.code);
        assert_eq!(start(&mut faults), Some("InvalidResourceStateFault"));
        assert_eq!(start(&mut faults), Some("InvalidResourceStateFault"));
        assert_eq!(start(&mut faults), None);
        for _ in 0..5 {
            let fault = faults.check("DeleteEndpoint").expect("permanent");
            assert_eq!(fault.code, "AccessDeniedFault");
            assert!(fault.message.contains("DeleteEndpoint"), "{fault}");
        }
        assert_eq!(faults.check("CreateEndpoint"), None);
        assert_eq!(faults.answered, 7);
    }

    #[test]
    fn an_unknown_code_arms_nothing() {
        let mut faults = InjectedFaults::from_specs(&[spec("DeleteEndpoint", "Nope", None)]);
        assert_eq!(faults.check("DeleteEndpoint"), None);
    }
}
