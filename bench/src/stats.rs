//! Summaries of repeated timings, and the units the table shows.

use std::time::Duration;

/// Median, 90th percentile (nearest rank) and maximum of some timings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    pub median: Duration,
    pub p90: Duration,
    pub max: Duration,
    pub runs: usize,
}

impl Summary {
    /// `None` for no timings.
    pub fn of(timings: &[Duration]) -> Option<Summary> {
        let mut sorted = timings.to_vec();
        sorted.sort();
        let n = sorted.len();
        let max = *sorted.last()?;
        let median = if n % 2 == 1 {
            sorted[n / 2]
        } else {
            (sorted[n / 2 - 1] + sorted[n / 2]) / 2
        };
        // Nearest rank: the smallest value with at least 90% of the timings at or below it.
        let p90 = sorted[(n * 9).div_ceil(10) - 1];
        Some(Summary {
            median,
            p90,
            max,
            runs: n,
        })
    }

    /// `median / p90 / max` in ms.
    pub fn show(&self) -> String {
        format!(
            "{} / {} / {} ms",
            ms(self.median),
            ms(self.p90),
            ms(self.max)
        )
    }
}

/// Milliseconds with one decimal.
pub fn ms(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1000.0)
}

/// Decimal megabytes (10^6 bytes) with two decimals.
pub fn mb(bytes: u64) -> String {
    format!("{:.2} MB", bytes as f64 / 1e6)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms_list(values: &[u64]) -> Vec<Duration> {
        values.iter().map(|&v| Duration::from_millis(v)).collect()
    }

    #[test]
    fn median_p90_and_max() {
        let s = Summary::of(&ms_list(&[10, 1, 9, 2, 8, 3, 7, 4, 6, 5])).unwrap();
        assert_eq!(s.median, Duration::from_micros(5500));
        assert_eq!(s.p90, Duration::from_millis(9));
        assert_eq!(s.max, Duration::from_millis(10));
        assert_eq!(s.runs, 10);
        let odd = Summary::of(&ms_list(&[3, 1, 2])).unwrap();
        assert_eq!(odd.median, Duration::from_millis(2));
        assert_eq!(odd.p90, Duration::from_millis(3));
        assert_eq!(odd.show(), "2.0 / 3.0 / 3.0 ms");
        assert_eq!(Summary::of(&[]), None);
    }

    #[test]
    fn units() {
        assert_eq!(ms(Duration::from_micros(14_260)), "14.3");
        assert_eq!(mb(5_999_999), "6.00 MB");
        assert_eq!(mb(1_250_000), "1.25 MB");
    }
}
