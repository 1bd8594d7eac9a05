//! The log-and-retention view's state: one partition's [`PartitionLog`] with small segments so that
//! retention and compaction are visible after a few records, and a clock the user moves forward.
//!
//! Records are keyed `k0`…`k4` in turn (or by the key typed), each 81 bytes (a 2-byte key, a 9-byte
//! value and 70 bytes of batch framing), so a 405-byte segment holds five. Retention and the cleaner run
//! when asked, as the broker's periodic checks would.

use kplay_core::log::{CleanupPolicy, LogConfig, PartitionLog};
use kplay_core::time::{Duration, Instant};

/// How many distinct keys "produce 10" cycles through.
pub const KEYS: u64 = 5;
/// Value size of produced records.
pub const VALUE_BYTES: u32 = 9;

/// Everything the view draws.
#[derive(Debug, Clone, PartialEq)]
pub struct RetentionState {
    /// The partition's log.
    pub log: PartitionLog,
    /// The simulated clock.
    pub clock: Instant,
    /// What the last action did (`true`) or why it was refused (`false`).
    pub message: Option<(bool, String)>,
    next_key: u64,
}

/// What the user can do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Produce `n` records with keys `k0`, `k1`, … in turn.
    ProduceMany(u32),
    /// Produce one record with this key; a tombstone (null value) when `tombstone`.
    Produce {
        /// The key.
        key: String,
        /// Whether the value is null.
        tombstone: bool,
    },
    /// Produce a record without a key (refused on compacted topics).
    ProduceKeyless,
    /// Move the clock forward by this many seconds.
    Advance(u64),
    /// Run the retention check now.
    Retention,
    /// Run the log cleaner now, whatever the dirty ratio.
    Clean,
    /// `cleanup.policy`: "delete", "compact" or "compact,delete".
    SetPolicy(String),
    /// `retention.ms`, as typed (-1 for unlimited).
    SetRetentionMs(String),
    /// `retention.bytes`, as typed (-1 for unlimited).
    SetRetentionBytes(String),
}

impl Default for RetentionState {
    fn default() -> Self {
        let config = LogConfig {
            segment_bytes: 405,
            retention_ms: Some(Duration::from_secs(60)),
            delete_retention_ms: Duration::from_secs(30),
            ..LogConfig::default()
        };
        Self {
            log: PartitionLog::new(config),
            clock: Instant::ZERO,
            message: None,
            next_key: 0,
        }
    }
}

/// Parses a config value where -1 means unlimited.
fn limit(typed: &str, what: &str) -> Result<Option<u64>, String> {
    match typed.trim() {
        "-1" => Ok(None),
        text => text
            .parse::<u64>()
            .map(Some)
            .map_err(|_| format!("{what}: {typed:?} is not a whole number or -1.")),
    }
}

impl RetentionState {
    /// Applies `action` in place.
    pub fn apply(&mut self, action: Action) {
        self.message = None;
        let config = *self.log.config();
        match action {
            Action::ProduceMany(n) => {
                for _ in 0..n {
                    let key = format!("k{}", self.next_key % KEYS);
                    self.next_key += 1;
                    self.append(Some(&key), Some(VALUE_BYTES));
                }
            }
            Action::Produce { key, tombstone } => {
                self.append(Some(&key), (!tombstone).then_some(VALUE_BYTES))
            }
            Action::ProduceKeyless => self.append(None, Some(VALUE_BYTES)),
            Action::Advance(seconds) => self.clock += Duration::from_secs(seconds),
            Action::Retention => {
                let report = self.log.handle_retention(self.clock);
                self.message = Some((
                    true,
                    if report.deleted_segments.is_empty() {
                        "Retention check: no segment qualifies.".into()
                    } else {
                        format!(
                            "Retention deleted segment(s) {:?}: {} record(s), {} bytes; the log now starts at offset {}.",
                            report.deleted_segments,
                            report.deleted_records,
                            report.freed_bytes,
                            self.log.log_start_offset()
                        )
                    },
                ));
            }
            Action::Clean => {
                self.message = Some(match self.log.handle_cleaning(self.clock, true) {
                    None => (
                        false,
                        "The cleaner only runs when cleanup.policy includes compact.".into(),
                    ),
                    Some(report) => (
                        true,
                        format!(
                            "Cleaner compacted offsets {}..{}: {} superseded record(s) and {} expired tombstone(s) removed, {} bytes freed.",
                            report.cleaned_range.0,
                            report.cleaned_range.1,
                            report.superseded_records,
                            report.expired_tombstones,
                            report.freed_bytes
                        ),
                    ),
                });
            }
            Action::SetPolicy(name) => {
                let policy = match name.as_str() {
                    "delete" => CleanupPolicy::Delete,
                    "compact" => CleanupPolicy::Compact,
                    "compact,delete" => CleanupPolicy::CompactDelete,
                    other => {
                        self.message = Some((
                            false,
                            format!(
                                "cleanup.policy: {other:?} is not delete, compact or compact,delete."
                            ),
                        ));
                        return;
                    }
                };
                self.log.set_config(LogConfig {
                    cleanup_policy: policy,
                    ..config
                });
            }
            Action::SetRetentionMs(typed) => match limit(&typed, "retention.ms") {
                Ok(ms) => self.log.set_config(LogConfig {
                    retention_ms: ms.map(Duration::from_millis),
                    ..config
                }),
                Err(message) => self.message = Some((false, message)),
            },
            Action::SetRetentionBytes(typed) => match limit(&typed, "retention.bytes") {
                Ok(bytes) => self.log.set_config(LogConfig {
                    retention_bytes: bytes,
                    ..config
                }),
                Err(message) => self.message = Some((false, message)),
            },
        }
    }

    fn append(&mut self, key: Option<&str>, value: Option<u32>) {
        if let Err(err) = self
            .log
            .append_and_commit(self.clock, key.map(str::as_bytes), value)
        {
            self.message = Some((false, format!("Refused: {err}.")));
        }
    }
}

super::reducible!(RetentionState, Action);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retention_by_time_deletes_whole_old_segments() {
        let mut state = RetentionState::default();
        state.apply(Action::ProduceMany(10));
        assert_eq!(
            state.log.segments().len(),
            2,
            "five 81-byte records per 405-byte segment"
        );
        state.apply(Action::Advance(61));
        state.apply(Action::ProduceMany(1));
        state.apply(Action::Retention);
        assert_eq!(
            state.log.log_start_offset(),
            10,
            "both old segments went; the new record stays"
        );
        assert!(
            state
                .message
                .as_ref()
                .is_some_and(|(ok, m)| *ok && m.starts_with("Retention deleted segment(s) [0, 5]"))
        );
    }

    #[test]
    fn compaction_keeps_the_latest_value_per_key_and_refuses_keyless_records() {
        let mut state = RetentionState::default();
        state.apply(Action::SetPolicy("compact".into()));
        state.apply(Action::ProduceMany(15));
        state.apply(Action::Clean);
        // Offsets 0..10 are cleanable (the active segment starts at 10): keys k0..k4 twice each → 5 superseded.
        assert_eq!(state.log.record_count(), 10);
        state.apply(Action::ProduceKeyless);
        assert!(
            state
                .message
                .as_ref()
                .is_some_and(|(ok, m)| !ok && m.contains("without a key"))
        );
        state.apply(Action::SetPolicy("zip".into()));
        assert!(state.message.as_ref().is_some_and(|(ok, _)| !ok));
    }

    #[test]
    fn limits_take_minus_one_for_unlimited() {
        let mut state = RetentionState::default();
        state.apply(Action::SetRetentionMs("-1".into()));
        state.apply(Action::SetRetentionBytes("405".into()));
        assert_eq!(
            (
                state.log.config().retention_ms,
                state.log.config().retention_bytes
            ),
            (None, Some(405))
        );
        state.apply(Action::SetRetentionBytes("lots".into()));
        assert!(state.message.is_some());
        assert_eq!(state.log.config().retention_bytes, Some(405));
    }
}
