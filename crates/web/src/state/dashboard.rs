//! The dashboard's figures and alerts, read from the running simulation's report — what an operator of
//! the Kafka pipeline would watch: throughput, error rate, processing time, dead-letter topic size and
//! consumer lag, with an alert when a threshold is crossed (and the simulated time it first was).
//!
//! Alerts are evaluated over the report's windows (`series.window_ms` each), like a metrics system
//! scraping once per window: lag is the highest seen in a window, the error rate that of the synchronous
//! calls answered in it, the wait its 99th percentile.

use kplay_core::sim::report::Report;

/// Alert thresholds, as set on the dashboard.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Thresholds {
    /// Consumer lag of any service, in records.
    pub lag: u64,
    /// Share of synchronous orders failing in a window, in percent.
    pub error_percent: f64,
    /// The user's 99th-percentile wait in the synchronous chain, in ms.
    pub p99_ms: f64,
    /// Records in the dead-letter topics.
    pub dead_letters: u64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Self {
            lag: 1_000,
            error_percent: 1.0,
            p99_ms: 1_000.0,
            dead_letters: 0,
        }
    }
}

/// What an alert watches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlertKind {
    /// Consumer lag above [`Thresholds::lag`].
    Lag,
    /// Synchronous error rate above [`Thresholds::error_percent`].
    ErrorRate,
    /// Synchronous p99 wait above [`Thresholds::p99_ms`].
    Latency,
    /// Dead-lettered records above [`Thresholds::dead_letters`].
    DeadLetters,
}

impl AlertKind {
    /// Every alert, in display order.
    pub const ALL: [Self; 4] = [Self::Lag, Self::ErrorRate, Self::Latency, Self::DeadLetters];

    /// The test id's suffix and a stable name.
    #[must_use]
    pub fn id(self) -> &'static str {
        match self {
            Self::Lag => "lag",
            Self::ErrorRate => "error-rate",
            Self::Latency => "latency",
            Self::DeadLetters => "dlq",
        }
    }
}

/// One alert's state.
#[derive(Debug, Clone, PartialEq)]
pub struct Alert {
    /// What it watches.
    pub kind: AlertKind,
    /// Whether the threshold is crossed in the latest window (or, for dead letters, now).
    pub firing: bool,
    /// Simulated seconds when the threshold was first crossed, if it ever was.
    pub first_s: Option<f64>,
    /// The worst value seen, in the alert's unit.
    pub worst: f64,
    /// What the alert says, for people.
    pub text: String,
}

/// The headline figures of the latest complete window and the run so far.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Figures {
    /// Orders accepted per second (event-driven flow), latest window.
    pub accepted_per_s: f64,
    /// Records finished per second over all services, latest window.
    pub processed_per_s: f64,
    /// Synchronous orders failed, percent of those answered so far.
    pub sync_error_percent: f64,
    /// Records dead-lettered, percent of those finished so far.
    pub dead_letter_percent: f64,
    /// Records in the dead-letter topics so far.
    pub dead_letters: u64,
    /// Per service: name, p50 and p99 processing time from publish to done (ms).
    pub processing_ms: Vec<(String, f64, f64)>,
}

fn percent(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 * 100.0 / whole as f64
    }
}

/// The figures of `report`.
#[must_use]
pub fn figures(report: &Report) -> Figures {
    let series = &report.series;
    let window_s = series.window_ms / 1_000.0;
    let last = series.points.last();
    let services = &report.event_driven.services.0;
    let dead_letters: u64 = services.iter().map(|(_, s)| s.dead_lettered).sum();
    let finished: u64 = services
        .iter()
        .map(|(_, s)| s.processed + s.dead_lettered)
        .sum();
    Figures {
        accepted_per_s: last.map_or(0.0, |p| p.event_accepted as f64 / window_s),
        processed_per_s: last.map_or(0.0, |p| p.processed.iter().sum::<u64>() as f64 / window_s),
        sync_error_percent: percent(
            report.sync.failed,
            report.sync.succeeded + report.sync.failed,
        ),
        dead_letter_percent: percent(dead_letters, finished),
        dead_letters,
        processing_ms: services
            .iter()
            .map(|(name, s)| (name.clone(), s.end_to_end_ms.p50, s.end_to_end_ms.p99))
            .collect(),
    }
}

/// Every alert's state for `report` under `thresholds`.
#[must_use]
pub fn alerts(report: &Report, thresholds: Thresholds) -> Vec<Alert> {
    let points = &report.series.points;
    // Per window: (start in s, value); an alert fires when the latest value is over the threshold.
    let watch =
        |kind: AlertKind, limit: f64, value: &dyn Fn(&kplay_core::sim::series::Point) -> f64| {
            let values: Vec<(f64, f64)> = points
                .iter()
                .map(|p| (p.t_ms / 1_000.0, value(p)))
                .collect();
            let first_s = values.iter().find(|(_, v)| *v > limit).map(|(t, _)| *t);
            let worst = values.iter().map(|(_, v)| *v).fold(0.0, f64::max);
            let firing = values.last().is_some_and(|(_, v)| *v > limit);
            (kind, firing, first_s, worst)
        };
    let dead_letters: u64 = report
        .event_driven
        .services
        .0
        .iter()
        .map(|(_, s)| s.dead_lettered)
        .sum();
    let states = [
        watch(AlertKind::Lag, thresholds.lag as f64, &|p| {
            p.lag.iter().copied().max().unwrap_or(0) as f64
        }),
        watch(AlertKind::ErrorRate, thresholds.error_percent, &|p| {
            percent(p.sync_failed, p.sync_failed + p.sync_succeeded)
        }),
        watch(AlertKind::Latency, thresholds.p99_ms, &|p| p.sync_p99_ms),
        {
            let over = dead_letters > thresholds.dead_letters;
            // The dead-letter count is a running total: once over, it stays over.
            (AlertKind::DeadLetters, over, None, dead_letters as f64)
        },
    ];
    states
        .into_iter()
        .map(|(kind, firing, first_s, worst)| {
            let (what, limit, unit) = match kind {
                AlertKind::Lag => ("Consumer lag", thresholds.lag as f64, " records"),
                AlertKind::ErrorRate => ("Sync error rate", thresholds.error_percent, " %"),
                AlertKind::Latency => ("Sync p99 wait", thresholds.p99_ms, " ms"),
                AlertKind::DeadLetters => {
                    ("Dead-lettered", thresholds.dead_letters as f64, " records")
                }
            };
            let state = match (firing, first_s) {
                (true, Some(t)) => format!("FIRING since {t:.0} s"),
                (true, None) => "FIRING".to_owned(),
                (false, Some(t)) => format!("resolved (first crossed at {t:.0} s)"),
                (false, None) => "ok".to_owned(),
            };
            Alert {
                kind,
                firing,
                first_s,
                worst,
                text: format!("{what} > {limit}{unit}: {state}; worst {worst:.0}{unit}"),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use kplay_core::presets::{self, DEFAULT_SEED};

    fn report(preset: &str) -> Report {
        kplay_core::sim::simulate(
            &presets::find(preset)
                .expect("preset")
                .scenario(DEFAULT_SEED),
        )
        .expect("valid")
    }

    fn alert(alerts: &[Alert], kind: AlertKind) -> &Alert {
        alerts.iter().find(|a| a.kind == kind).expect("every kind")
    }

    #[test]
    fn an_outage_fires_lag_and_error_alerts_that_resolve_after_it() {
        let report = report("inventory-outage");
        let alerts = alerts(&report, Thresholds::default());
        let lag = alert(&alerts, AlertKind::Lag);
        let errors = alert(&alerts, AlertKind::ErrorRate);
        // The preset's outage starts at 300 s: both alerts fire soon after, and the run ends drained.
        for a in [lag, errors] {
            let first = a.first_s.expect("crossed");
            assert!((290.0..=330.0).contains(&first), "{a:?}");
            assert!(!a.firing, "resolved by the end: {a:?}");
        }
        assert!(lag.worst > 10_000.0, "{lag:?}");
        assert!(
            lag.text
                .starts_with("Consumer lag > 1000 records: resolved (first crossed at 3"),
            "{}",
            lag.text
        );
    }

    #[test]
    fn thresholds_decide_and_dead_letters_count() {
        let report = report("poison-message");
        let quiet = Thresholds {
            lag: u64::MAX,
            error_percent: 100.0,
            p99_ms: f64::MAX,
            dead_letters: u64::MAX,
        };
        assert!(
            alerts(&report, quiet)
                .iter()
                .all(|a| !a.firing && a.first_s.is_none())
        );
        let dlq = alert(
            &alerts(&report, Thresholds::default()),
            AlertKind::DeadLetters,
        )
        .clone();
        let figures = figures(&report);
        assert!(dlq.firing);
        assert_eq!(dlq.worst, figures.dead_letters as f64);
        assert!(figures.dead_letters > 0 && figures.dead_letter_percent > 0.0);
        assert_eq!(
            figures.processing_ms.len(),
            report.event_driven.services.0.len()
        );
    }
}
