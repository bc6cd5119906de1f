//! Throttling drills: answer some calls with `ThrottlingException`.

use serde::Serialize;

use crate::scenario::ThrottleSpec;

#[derive(Debug, Clone, Default, Serialize)]
pub struct Throttle {
    first_remaining: u64,
    every_nth: u64,
    /// Percentage of calls throttled in the window, by `sequence`.
    percent: u64,
    sequence: u64,
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
            percent: spec.percent.unwrap_or(0).min(100),
            sequence: spec.seed.unwrap_or(1),
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
        } else if (self.every_nth > 0 || self.percent > 0) && self.nth_remaining != Some(0) {
            if let Some(n) = self.nth_remaining.as_mut() {
                *n -= 1;
            }
            self.counted += 1;
            let nth = self.every_nth > 0 && self.counted.is_multiple_of(self.every_nth);
            let share = self.percent > 0 && self.next_percentile() < self.percent;
            nth || share
        } else {
            false
        };
        if hit {
            self.throttled += 1;
        }
        hit
    }
}

impl Throttle {
    /// The next number of a fixed pseudo-random sequence (splitmix64), 0 to 99.
    fn next_percentile(&mut self) -> u64 {
        self.sequence = self.sequence.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.sequence;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        (z ^ (z >> 31)) % 100
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn storm(percent: u64, for_calls: u64, seed: u64) -> Throttle {
        Throttle::from_spec(Some(&ThrottleSpec {
            percent: Some(percent),
            for_calls: Some(for_calls),
            seed: Some(seed),
            ..ThrottleSpec::default()
        }))
    }

    fn pattern(throttle: &mut Throttle, calls: usize) -> Vec<bool> {
        (0..calls)
            .map(|_| throttle.check("DescribeEndpoints"))
            .collect()
    }

    #[test]
    fn a_storm_throttles_about_its_share_of_its_window_then_ends() {
        let mut throttle = storm(60, 1000, 7);
        let hits = pattern(&mut throttle, 1000).iter().filter(|h| **h).count();
        assert!((520..=680).contains(&hits), "{hits} of 1000");
        assert_eq!(throttle.throttled, hits as u64);
        assert!(
            !pattern(&mut throttle, 50).contains(&true),
            "the window is over"
        );
    }

    #[test]
    fn the_same_seed_throttles_the_same_calls() {
        let first = pattern(&mut storm(50, 200, 3), 200);
        assert_eq!(first, pattern(&mut storm(50, 200, 3), 200));
        assert_ne!(first, pattern(&mut storm(50, 200, 4), 200));
        assert!(!pattern(&mut storm(0, 200, 3), 200).contains(&true));
        assert!(!pattern(&mut storm(100, 200, 3), 200).contains(&false));
    }
}
