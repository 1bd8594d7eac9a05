//! # Time: whole microseconds, passed in by the caller
//!
//! kplay-core never reads a clock. Every operation that depends on time takes `now: Instant`, so a
//! simulation is replayable and a test can jump hours ahead in one call. Time is counted in whole
//! microseconds (`u64`), never floats, so every platform computes the same instants; Kafka's configs are in
//! milliseconds and convert exactly.

use core::fmt;
use core::ops::{Add, AddAssign, Sub};

/// `a × b`, saturating at `u64::MAX`. `u64::saturating_mul` is one instruction on a 64-bit target but a
/// call to the software 128-bit `__multi3` on wasm32 (it was 3 % of a preset's time in the browser); both
/// factors under 2³² cannot overflow, and that is every product of a run's counts and times in practice.
#[must_use]
pub(crate) const fn saturating_mul(a: u64, b: u64) -> u64 {
    if (a | b) >> 32 == 0 {
        a * b
    } else {
        a.saturating_mul(b)
    }
}

/// A point in simulated time: microseconds since the simulation started.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Instant(u64);

/// A span of simulated time in microseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Duration(u64);

impl Instant {
    /// The start of the simulation.
    pub const ZERO: Self = Self(0);

    /// `micros` microseconds after the start.
    #[must_use]
    pub const fn from_micros(micros: u64) -> Self {
        Self(micros)
    }

    /// `millis` milliseconds after the start (saturating at the end of time).
    #[must_use]
    pub const fn from_millis(millis: u64) -> Self {
        Self(saturating_mul(millis, 1_000))
    }

    /// Microseconds since the start.
    #[must_use]
    pub const fn as_micros(self) -> u64 {
        self.0
    }

    /// Whole milliseconds since the start, rounded down (Kafka's record timestamps are in ms).
    #[must_use]
    pub const fn as_millis(self) -> u64 {
        self.0 / 1_000
    }

    /// Time from `earlier` to `self`, or zero if `earlier` is later.
    #[must_use]
    pub const fn saturating_since(self, earlier: Self) -> Duration {
        Duration(self.0.saturating_sub(earlier.0))
    }
}

impl Duration {
    /// No time.
    pub const ZERO: Self = Self(0);
    /// Longer than any simulation.
    pub const MAX: Self = Self(u64::MAX);

    /// `self` less `other`, or zero if `other` is longer.
    #[must_use]
    pub const fn saturating_sub(self, other: Self) -> Self {
        Self(self.0.saturating_sub(other.0))
    }

    /// `micros` microseconds.
    #[must_use]
    pub const fn from_micros(micros: u64) -> Self {
        Self(micros)
    }

    /// `self` times `n`, saturating at [`Self::MAX`].
    #[must_use]
    pub const fn saturating_mul(self, n: u64) -> Self {
        Self(saturating_mul(self.0, n))
    }

    /// `millis` milliseconds (saturating).
    #[must_use]
    pub const fn from_millis(millis: u64) -> Self {
        Self(saturating_mul(millis, 1_000))
    }

    /// `secs` seconds (saturating).
    #[must_use]
    pub const fn from_secs(secs: u64) -> Self {
        Self(saturating_mul(secs, 1_000_000))
    }

    /// Microseconds.
    #[must_use]
    pub const fn as_micros(self) -> u64 {
        self.0
    }

    /// Whole milliseconds, rounded down.
    #[must_use]
    pub const fn as_millis(self) -> u64 {
        self.0 / 1_000
    }

    /// Milliseconds with the microseconds as a fraction (for reports).
    #[must_use]
    pub fn as_millis_f64(self) -> f64 {
        self.0 as f64 / 1_000.0
    }

    /// Seconds with the microseconds as a fraction (for rates).
    #[must_use]
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / 1e6
    }

    /// `millis` milliseconds rounded to the nearest microsecond; negative or NaN is zero, and a span too
    /// long saturates.
    #[must_use]
    pub fn from_millis_f64(millis: f64) -> Self {
        Self(libm::round(millis * 1_000.0) as u64)
    }
}

impl Add<Duration> for Instant {
    type Output = Self;
    fn add(self, rhs: Duration) -> Self {
        Self(self.0.saturating_add(rhs.0))
    }
}

impl AddAssign<Duration> for Instant {
    fn add_assign(&mut self, rhs: Duration) {
        *self = *self + rhs;
    }
}

impl Sub<Duration> for Instant {
    type Output = Self;
    /// The instant `rhs` earlier, or the start.
    fn sub(self, rhs: Duration) -> Self {
        Self(self.0.saturating_sub(rhs.0))
    }
}

impl Sub<Instant> for Instant {
    type Output = Duration;
    /// The time between two instants; zero if `rhs` is later.
    fn sub(self, rhs: Instant) -> Duration {
        self.saturating_since(rhs)
    }
}

impl core::ops::Mul<u64> for Duration {
    type Output = Self;
    /// `n` times the span (saturating).
    fn mul(self, n: u64) -> Self {
        Self(saturating_mul(self.0, n))
    }
}

impl Add for Duration {
    type Output = Self;
    fn add(self, rhs: Self) -> Self {
        Self(self.0.saturating_add(rhs.0))
    }
}

impl fmt::Display for Instant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:03} ms", self.0 / 1_000, self.0 % 1_000)
    }
}

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:03} ms", self.0 / 1_000, self.0 % 1_000)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saturating_mul_is_u64_s() {
        let edges = [
            0,
            1,
            999,
            0xffff_ffff,
            1 << 32,
            1 << 40,
            u64::MAX / 1_000,
            u64::MAX,
        ];
        for a in edges {
            for b in edges {
                assert_eq!(saturating_mul(a, b), a.saturating_mul(b), "{a} × {b}");
            }
        }
    }

    #[test]
    fn milliseconds_convert_exactly_and_saturate() {
        assert_eq!(Instant::from_millis(1_500).as_micros(), 1_500_000);
        assert_eq!(Instant::from_micros(2_999).as_millis(), 2);
        assert_eq!(
            Instant::from_millis(u64::MAX),
            Instant::from_micros(u64::MAX)
        );
        assert_eq!(
            Instant::from_millis(5) - Instant::from_millis(7),
            Duration::ZERO
        );
        assert_eq!(
            Instant::from_millis(7) - Instant::from_millis(5),
            Duration::from_millis(2)
        );
        assert_eq!(
            Instant::from_micros(u64::MAX) + Duration::from_secs(1),
            Instant::from_micros(u64::MAX)
        );
        assert_eq!(Duration::from_micros(1_234_567).to_string(), "1234.567 ms");
    }
}
