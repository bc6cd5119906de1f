//! Throttling drills: answer some calls with `ThrottlingException`.

use serde::Serialize;

use crate::scenario::ThrottleSpec;

#[derive(Debug, Clone, Default, Serialize)]
pub struct Throttle {
    first_remaining: u64,
    every_nth: u64,
    nth_remaining: Option<u64>,
    counted: u64,
    operations: Option<Vec<String>>,
    /// How many calls were throttled so far.
    pub throttled: u64,
}

impl Throttle {
    pub fn from_spec(spec: Option<&ThrottleSpec>) -> Self {
        let Some(spec) = spec else {
            return Throttle::default();
        };
        Throttle {
            first_remaining: spec.first_calls.unwrap_or(0),
            every_nth: spec.every_nth.unwrap_or(0),
            nth_remaining: spec.for_calls,
            counted: 0,
            operations: spec.operations.clone(),
            throttled: 0,
        }
    }

    /// Decide whether this call is throttled (and count it).
    pub fn check(&mut self, operation: &str) -> bool {
        if let Some(ops) = &self.operations
            && !ops.iter().any(|o| o == operation)
        {
            return false;
        }
        let hit = if self.first_remaining > 0 {
            self.first_remaining -= 1;
            true
        } else if self.every_nth > 0 && self.nth_remaining != Some(0) {
            if let Some(n) = self.nth_remaining.as_mut() {
                *n -= 1;
            }
            self.counted += 1;
            self.counted.is_multiple_of(self.every_nth)
        } else {
            false
        };
        if hit {
            self.throttled += 1;
        }
        hit
    }
}
