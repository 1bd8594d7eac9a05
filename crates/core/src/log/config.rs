//! Topic-level log configuration: the subset of Kafka's `LogConfig` that shapes what a partition keeps.

use crate::time::Duration;

/// `cleanup.policy`: what happens to old data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CleanupPolicy {
    /// `delete`: whole segments are deleted by `retention.ms` / `retention.bytes` (Kafka's default).
    Delete,
    /// `compact`: the cleaner keeps the latest record of every key; nothing expires by age or size.
    Compact,
    /// `compact,delete`: both.
    CompactDelete,
}

impl CleanupPolicy {
    /// Every policy, as a topic may be configured.
    pub const ALL: [Self; 3] = [Self::Delete, Self::Compact, Self::CompactDelete];

    /// The policy `cleanup.policy` names: `delete`, `compact`, or both (`compact,delete` in either order).
    #[must_use]
    pub fn from_config(value: &str) -> Option<Self> {
        match value.replace(' ', "").as_str() {
            "delete" => Some(Self::Delete),
            "compact" => Some(Self::Compact),
            "compact,delete" | "delete,compact" => Some(Self::CompactDelete),
            _ => None,
        }
    }

    /// The policy as `cleanup.policy` spells it.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Delete => "delete",
            Self::Compact => "compact",
            Self::CompactDelete => "compact,delete",
        }
    }

    /// Whether retention deletes segments.
    #[must_use]
    pub const fn deletes(self) -> bool {
        matches!(self, Self::Delete | Self::CompactDelete)
    }

    /// Whether the log cleaner compacts.
    #[must_use]
    pub const fn compacts(self) -> bool {
        matches!(self, Self::Compact | Self::CompactDelete)
    }
}

/// The configs a partition log obeys, with Kafka's defaults.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LogConfig {
    /// `segment.bytes`: the active segment is rolled before it would exceed this size (default 1 GiB).
    pub segment_bytes: u64,
    /// `segment.ms`: the active segment is rolled once its first record is older than this (default 7 days).
    pub segment_ms: Duration,
    /// `retention.ms`: segments whose newest record is older than this are deleted; `None` is -1,
    /// unlimited (default 7 days).
    pub retention_ms: Option<Duration>,
    /// `retention.bytes`: oldest segments are deleted while the log exceeds this; `None` is -1, unlimited
    /// (the default).
    pub retention_bytes: Option<u64>,
    /// `cleanup.policy` (default `delete`).
    pub cleanup_policy: CleanupPolicy,
    /// `delete.retention.ms`: how long a tombstone survives cleaning (default 1 day).
    pub delete_retention_ms: Duration,
    /// `min.compaction.lag.ms`: records younger than this are not compacted (default 0).
    pub min_compaction_lag_ms: Duration,
    /// `min.cleanable.dirty.ratio`: the cleaner runs once dirty bytes exceed this share of the log (0.5).
    pub min_cleanable_dirty_ratio: f64,
}

impl Default for LogConfig {
    fn default() -> Self {
        const DAY_MS: u64 = 86_400_000;
        Self {
            segment_bytes: 1 << 30,
            segment_ms: Duration::from_millis(7 * DAY_MS),
            retention_ms: Some(Duration::from_millis(7 * DAY_MS)),
            retention_bytes: None,
            cleanup_policy: CleanupPolicy::Delete,
            delete_retention_ms: Duration::from_millis(DAY_MS),
            min_compaction_lag_ms: Duration::ZERO,
            min_cleanable_dirty_ratio: 0.5,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_kafkas() {
        let config = LogConfig::default();
        assert_eq!(config.segment_bytes, 1_073_741_824);
        assert_eq!(config.segment_ms.as_millis(), 604_800_000);
        assert_eq!(
            config.retention_ms.map(Duration::as_millis),
            Some(604_800_000)
        );
        assert_eq!(config.retention_bytes, None);
        assert_eq!(config.cleanup_policy, CleanupPolicy::Delete);
        assert_eq!(config.delete_retention_ms.as_millis(), 86_400_000);
        assert_eq!(config.min_compaction_lag_ms, Duration::ZERO);
        assert!((config.min_cleanable_dirty_ratio - 0.5).abs() < f64::EPSILON);
        assert!(CleanupPolicy::CompactDelete.compacts() && CleanupPolicy::CompactDelete.deletes());
    }
}
