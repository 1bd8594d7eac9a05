//! # Metrics: latency histograms and their percentiles
//!
//! Latencies are recorded in whole microseconds into a log-linear histogram in the spirit of HdrHistogram:
//! values below 128 µs are exact; above, each power-of-two range is split into 64 equal buckets, so a
//! bucket is at most 1/64 of its values wide and reporting its midpoint is within 0.8 % of any value in it.
//! Memory is bounded by the largest value recorded (64 counters per doubling of range, allocated lazily),
//! never by the number of values. Percentiles follow the nearest-rank rule: p99 is the smallest recorded
//! value with at least 99 % of the values at or below it. (HdrHistogram's own crate needs `std`; this
//! core is `no_std`.)

use alloc::vec::Vec;

use serde::{Deserialize, Serialize};

/// Values below this are counted exactly.
const LINEAR: u64 = 128;
/// Buckets per power of two above the linear range.
const SUB_BUCKETS: u64 = 64;

/// A latency histogram over microseconds.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Histogram {
    counts: Vec<u64>,
    count: u64,
    sum: u128,
    max: u64,
}

fn bucket_of(value: u64) -> usize {
    if value < LINEAR {
        return value as usize;
    }
    // value in [2^k, 2^(k+1)) with k ≥ 7: 64 buckets of width 2^(k-6).
    let k = 63 - u64::from(value.leading_zeros());
    let shift = k - 6;
    let sub = (value >> shift) - SUB_BUCKETS; // 0..64
    (LINEAR + (k - 7) * SUB_BUCKETS + sub) as usize
}

/// Lowest value and width of bucket `index`.
fn bucket_range(index: usize) -> (u64, u64) {
    let index = index as u64;
    if index < LINEAR {
        return (index, 1);
    }
    let k = (index - LINEAR) / SUB_BUCKETS + 7;
    let sub = (index - LINEAR) % SUB_BUCKETS;
    let shift = k - 6;
    ((SUB_BUCKETS + sub) << shift, 1 << shift)
}

impl Histogram {
    /// An empty histogram.
    #[must_use]
    pub const fn new() -> Self {
        Self {
            counts: Vec::new(),
            count: 0,
            sum: 0,
            max: 0,
        }
    }

    /// Records one value in microseconds.
    pub fn record(&mut self, micros: u64) {
        let bucket = bucket_of(micros);
        if bucket >= self.counts.len() {
            self.counts.resize(bucket + 1, 0);
        }
        self.counts[bucket] += 1;
        self.count += 1;
        self.sum += u128::from(micros);
        self.max = self.max.max(micros);
    }

    /// Values recorded.
    #[must_use]
    pub fn count(&self) -> u64 {
        self.count
    }

    /// Exact mean in microseconds (0 when empty).
    #[must_use]
    pub fn mean(&self) -> f64 {
        if self.count == 0 {
            0.0
        } else {
            self.sum as f64 / self.count as f64
        }
    }

    /// Exact largest value.
    #[must_use]
    pub fn max(&self) -> u64 {
        self.max
    }

    /// The `percentile` (0–100) value in microseconds, to within 0.8 %; 0 when empty.
    #[must_use]
    pub fn percentile(&self, percentile: f64) -> u64 {
        if self.count == 0 {
            return 0;
        }
        let rank = libm::ceil(percentile / 100.0 * self.count as f64).max(1.0) as u64;
        let mut seen = 0;
        for (index, &c) in self.counts.iter().enumerate() {
            seen += c;
            if seen >= rank {
                let (low, width) = bucket_range(index);
                // The midpoint, but never beyond the largest value actually seen.
                return (low + width / 2).min(self.max);
            }
        }
        self.max
    }

    /// The distribution as `points` pairs `[ms, fraction]`: the value at or below which each fraction
    /// `1/points, 2/points, …, 1` of the values fall (empty when nothing was recorded).
    #[must_use]
    pub fn cdf(&self, points: usize) -> Vec<[f64; 2]> {
        if self.count == 0 || points == 0 {
            return Vec::new();
        }
        // One pass over the buckets, emitting each point as its rank is reached (the same values
        // `percentile` gives, without a scan per point).
        let mut cdf = Vec::with_capacity(points);
        let mut seen = 0;
        let mut next = 1;
        for (index, &c) in self.counts.iter().enumerate() {
            seen += c;
            while next <= points {
                let fraction = next as f64 / points as f64;
                let rank = libm::ceil(fraction * self.count as f64).max(1.0) as u64;
                if seen < rank {
                    break;
                }
                let (low, width) = bucket_range(index);
                cdf.push([(low + width / 2).min(self.max) as f64 / 1_000.0, fraction]);
                next += 1;
            }
        }
        cdf
    }

    /// Forgets every value, keeping the allocation.
    pub fn clear(&mut self) {
        self.counts.iter_mut().for_each(|c| *c = 0);
        self.count = 0;
        self.sum = 0;
        self.max = 0;
    }

    /// The report's summary of this histogram, in milliseconds.
    #[must_use]
    pub fn summary(&self) -> Summary {
        let ms = |us: u64| us as f64 / 1_000.0;
        Summary {
            count: self.count,
            mean: self.mean() / 1_000.0,
            p50: ms(self.percentile(50.0)),
            p95: ms(self.percentile(95.0)),
            p99: ms(self.percentile(99.0)),
            max: ms(self.max),
        }
    }
}

/// Count, mean, percentiles and maximum of a latency, in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
pub struct Summary {
    /// Values summarised.
    pub count: u64,
    /// Mean (exact).
    pub mean: f64,
    /// Median.
    pub p50: f64,
    /// 95th percentile.
    pub p95: f64,
    /// 99th percentile.
    pub p99: f64,
    /// Maximum (exact).
    pub max: f64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_cover_every_value_within_their_precision() {
        for value in [
            0,
            1,
            127,
            128,
            129,
            255,
            256,
            1_000,
            65_535,
            1_000_000,
            u64::MAX / 2,
            u64::MAX,
        ] {
            let (low, width) = bucket_range(bucket_of(value));
            assert!(
                low <= value && value - low < width,
                "{value}: [{low}, +{width})"
            );
            assert!(
                width == 1 || width as f64 / low as f64 <= 1.0 / 64.0 + 1e-12,
                "{value}"
            );
        }
        assert!(
            bucket_of(u64::MAX) < 4_000,
            "a full-range histogram stays small"
        );
    }

    #[test]
    fn percentiles_are_within_one_percent() {
        let mut h = Histogram::new();
        for v in 1..=100_000_u64 {
            h.record(v);
        }
        for (p, exact) in [
            (50.0, 50_000.0),
            (95.0, 95_000.0),
            (99.0, 99_000.0),
            (100.0, 100_000.0),
        ] {
            let got = h.percentile(p) as f64;
            assert!((got - exact).abs() / exact < 0.01, "p{p}: {got} vs {exact}");
        }
        assert!((h.mean() - 50_000.5).abs() < 1e-9);
        assert_eq!((h.count(), h.max()), (100_000, 100_000));
    }

    #[test]
    fn the_cdf_rises_to_the_maximum() {
        let mut h = Histogram::new();
        assert!(h.cdf(10).is_empty());
        for v in 1..=1_000_u64 {
            h.record(v * 1_000);
        }
        let cdf = h.cdf(4);
        assert_eq!(cdf.len(), 4);
        assert!((cdf[1][0] - 500.0).abs() / 500.0 < 0.01 && (cdf[1][1] - 0.5).abs() < 1e-12);
        assert_eq!(cdf[3], [1_000.0, 1.0]);
        for (i, point) in h.cdf(50).iter().enumerate() {
            let percentile = (i + 1) as f64 * 2.0;
            assert_eq!(
                point[0],
                h.percentile(percentile) as f64 / 1_000.0,
                "the same values as percentile()"
            );
        }
    }

    #[test]
    fn small_values_are_exact_and_empty_is_zero() {
        let mut h = Histogram::new();
        assert_eq!(h.summary(), Summary::default());
        for v in [5, 5, 7, 9] {
            h.record(v);
        }
        assert_eq!(
            (h.percentile(50.0), h.percentile(75.0), h.percentile(99.0)),
            (5, 7, 9)
        );
        h.clear();
        assert_eq!(h.count(), 0);
        assert_eq!(h.percentile(50.0), 0);
    }
}
