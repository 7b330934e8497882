//! Latency summaries: percentiles over recorded samples.

use serde::Serialize;
use std::time::Duration;

/// Percentiles of a set of latency samples, in microseconds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Latency {
    pub samples: usize,
    pub p50_us: f64,
    pub p99_us: f64,
    pub mean_us: f64,
}

/// Summarises samples given in nanoseconds (sorts them in place).
/// `None` when there are no samples.
pub fn summarise(samples_ns: &mut [u64]) -> Option<Latency> {
    if samples_ns.is_empty() {
        return None;
    }
    samples_ns.sort_unstable();
    let total: u128 = samples_ns.iter().map(|&s| u128::from(s)).sum();
    Some(Latency {
        samples: samples_ns.len(),
        p50_us: percentile_sorted(samples_ns, 50.0) as f64 / 1e3,
        p99_us: percentile_sorted(samples_ns, 99.0) as f64 / 1e3,
        mean_us: total as f64 / samples_ns.len() as f64 / 1e3,
    })
}

/// The nearest-rank percentile of sorted samples: the smallest sample with
/// at least `p`% of the samples at or below it.
pub fn percentile_sorted(sorted: &[u64], p: f64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// The median of a few durations (start-up runs, fixture cycles).
pub fn median(durations: &[Duration]) -> Option<Duration> {
    let mut sorted = durations.to_vec();
    sorted.sort_unstable();
    match sorted.len() {
        0 => None,
        n if n % 2 == 1 => Some(sorted[n / 2]),
        n => Some((sorted[n / 2 - 1] + sorted[n / 2]) / 2),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let sorted: Vec<u64> = (1..=100).collect();
        assert_eq!(percentile_sorted(&sorted, 50.0), 50);
        assert_eq!(percentile_sorted(&sorted, 99.0), 99);
        assert_eq!(percentile_sorted(&sorted, 100.0), 100);
        assert_eq!(percentile_sorted(&sorted, 0.0), 1);
        assert_eq!(percentile_sorted(&[7], 99.0), 7);
        assert_eq!(percentile_sorted(&[], 50.0), 0);
    }

    #[test]
    fn summary_sorts_and_converts_to_microseconds() {
        let mut samples = vec![3_000, 1_000, 2_000, 4_000];
        let summary = summarise(&mut samples).expect("samples");
        assert_eq!(summary.samples, 4);
        assert_eq!(summary.p50_us, 2.0);
        assert_eq!(summary.p99_us, 4.0);
        assert_eq!(summary.mean_us, 2.5);
        assert!(summarise(&mut []).is_none());
    }

    #[test]
    fn median_of_odd_and_even_counts() {
        let ms = Duration::from_millis;
        assert_eq!(median(&[ms(5), ms(1), ms(3)]), Some(ms(3)));
        assert_eq!(median(&[ms(4), ms(1), ms(3), ms(2)]), Some(Duration::from_micros(2500)));
        assert_eq!(median(&[]), None);
    }
}
