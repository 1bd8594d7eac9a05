//! Time series for charts: per fixed window, response-time percentiles of both flows, throughput,
//! failures and each service's consumer lag. Windows close as simulated time passes them, so memory holds
//! one window's histograms plus the finished points, never per-order data.

use alloc::vec::Vec;

use serde::{Deserialize, Serialize};

use crate::metrics::Histogram;
use crate::time::{Duration, Instant};

/// Points kept at most; a longer run stops adding points and says so.
pub const MAX_POINTS: usize = 10_000;

/// One window's figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Point {
    /// Window start, in ms from the beginning.
    pub t_ms: f64,
    /// Synchronous response time percentiles of orders answered in the window (ms; 0 when none).
    pub sync_p50_ms: f64,
    /// 99th percentile of the same.
    pub sync_p99_ms: f64,
    /// Event-driven response time percentiles (ms; 0 when none).
    pub event_p50_ms: f64,
    /// 99th percentile of the same.
    pub event_p99_ms: f64,
    /// Synchronous orders that succeeded in the window.
    pub sync_succeeded: u64,
    /// Synchronous orders that failed in the window.
    pub sync_failed: u64,
    /// Event-driven orders accepted in the window.
    pub event_accepted: u64,
    /// Per service (in scenario order), the largest consumer lag seen in the window.
    pub lag: Vec<u64>,
    /// Per service, records finished (processed or dead-lettered) in the window.
    pub processed: Vec<u64>,
}

/// The series as reported.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct SeriesReport {
    /// Window length in ms.
    pub window_ms: f64,
    /// Service names, the order of every `lag` and `processed` list.
    pub services: Vec<alloc::string::String>,
    /// Windows, oldest first.
    pub points: Vec<Point>,
    /// Whether the run outlasted [`MAX_POINTS`] windows and later windows were dropped.
    pub truncated: bool,
}

impl SeriesReport {
    /// The series as CSV (RFC 4180, `\n` line ends): one row per window with the fields of [`Point`], and a
    /// `lag:<service>` and `processed:<service>` column per service.
    #[must_use]
    pub fn to_csv(&self) -> alloc::string::String {
        use core::fmt::Write as _;
        let mut out = alloc::string::String::from(
            "t_ms,sync_p50_ms,sync_p99_ms,event_p50_ms,event_p99_ms,sync_succeeded,sync_failed,event_accepted",
        );
        let quoted = |text: &str| alloc::format!("\"{}\"", text.replace('"', "\"\""));
        for kind in ["lag", "processed"] {
            for service in &self.services {
                out.push(',');
                out.push_str(&quoted(&alloc::format!("{kind}:{service}")));
            }
        }
        out.push('\n');
        for p in &self.points {
            // Writing to a String cannot fail.
            let _ = write!(
                out,
                "{},{},{},{},{},{},{},{}",
                p.t_ms,
                p.sync_p50_ms,
                p.sync_p99_ms,
                p.event_p50_ms,
                p.event_p99_ms,
                p.sync_succeeded,
                p.sync_failed,
                p.event_accepted
            );
            for value in p.lag.iter().chain(&p.processed) {
                let _ = write!(out, ",{value}");
            }
            out.push('\n');
        }
        out
    }
}

#[derive(Clone)]
pub(crate) struct Series {
    window: Duration,
    index: u64,
    sync: Histogram,
    event: Histogram,
    sync_succeeded: u64,
    sync_failed: u64,
    event_accepted: u64,
    lag_now: Vec<u64>,
    lag_max: Vec<u64>,
    processed: Vec<u64>,
    pub(crate) report: SeriesReport,
}

impl Series {
    pub(crate) fn new(window: Duration, services: Vec<alloc::string::String>) -> Self {
        let n = services.len();
        Self {
            window,
            index: 0,
            sync: Histogram::new(),
            event: Histogram::new(),
            sync_succeeded: 0,
            sync_failed: 0,
            event_accepted: 0,
            lag_now: alloc::vec![0; n],
            lag_max: alloc::vec![0; n],
            processed: alloc::vec![0; n],
            report: SeriesReport {
                window_ms: window.as_millis_f64(),
                services,
                points: Vec::new(),
                truncated: false,
            },
        }
    }

    /// Closes every window that ends at or before `now`. Once [`MAX_POINTS`] are kept, the windows still
    /// to close are skipped in one step, so a long idle stretch (an outage, a long backoff) costs nothing.
    pub(crate) fn advance_to(&mut self, now: Instant) {
        while now >= Instant::ZERO + self.window * (self.index + 1) {
            self.close_window();
            if self.report.truncated {
                self.index = self
                    .index
                    .max(now.as_micros() / self.window.as_micros().max(1));
            }
        }
    }

    fn close_window(&mut self) {
        // The histograms count whole microseconds.
        let ms = |us: u64| Duration::from_micros(us).as_millis_f64();
        if self.report.points.len() < MAX_POINTS {
            self.report.points.push(Point {
                t_ms: (self.window * self.index).as_millis_f64(),
                sync_p50_ms: ms(self.sync.percentile(50.0)),
                sync_p99_ms: ms(self.sync.percentile(99.0)),
                event_p50_ms: ms(self.event.percentile(50.0)),
                event_p99_ms: ms(self.event.percentile(99.0)),
                sync_succeeded: self.sync_succeeded,
                sync_failed: self.sync_failed,
                event_accepted: self.event_accepted,
                lag: self.lag_max.clone(),
                processed: self.processed.clone(),
            });
        } else {
            self.report.truncated = true;
        }
        self.index += 1;
        self.sync.clear();
        self.event.clear();
        self.sync_succeeded = 0;
        self.sync_failed = 0;
        self.event_accepted = 0;
        self.lag_max.clone_from(&self.lag_now);
        self.processed.iter_mut().for_each(|p| *p = 0);
    }

    /// Closes the window in progress at the end of the run.
    pub(crate) fn finish(&mut self) {
        self.close_window();
    }

    pub(crate) fn sync_answered(&mut self, waited: Duration, succeeded: bool) {
        self.sync.record(waited.as_micros());
        if succeeded {
            self.sync_succeeded += 1;
        } else {
            self.sync_failed += 1;
        }
    }

    pub(crate) fn event_accepted(&mut self, waited: Duration) {
        self.event.record(waited.as_micros());
        self.event_accepted += 1;
    }

    pub(crate) fn lag(&mut self, service: usize, lag: u64) {
        self.lag_now[service] = lag;
        self.lag_max[service] = self.lag_max[service].max(lag);
    }

    pub(crate) fn processed(&mut self, service: usize, records: u64) {
        self.processed[service] += records;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_idle_stretch_past_the_kept_points_is_skipped_in_one_step() {
        let mut series = Series::new(Duration::from_millis(100), alloc::vec!["s".into()]);
        series.lag(0, 7);
        // 10¹² windows of 100 ms: closing them one by one would never end.
        series.advance_to(Instant::from_millis(100_000_000_000_000));
        assert_eq!(series.report.points.len(), MAX_POINTS);
        assert!(series.report.truncated);
        assert_eq!(series.index, 1_000_000_000_000);
        assert_eq!(
            series.report.points[MAX_POINTS - 1].lag,
            [7],
            "lag carries over"
        );
        series.advance_to(Instant::from_millis(100_000_000_000_050));
        assert_eq!(series.index, 1_000_000_000_000, "still in the same window");
    }
}
