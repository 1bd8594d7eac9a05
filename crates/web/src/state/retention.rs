//! The log-and-retention view: one partition of a one-broker topic, as a world in the model's worker
//! ([`super::world`]), with segments small enough that retention and compaction show after a few records.
//!
//! Records are keyed `k0`…`k4` (or by the key typed) with 11-byte values, so each counts 81 bytes (a
//! 2-byte key, the value, 9 bytes of record framing and a 61-byte batch header:
//! [`kplay_core::record_format`]) and a 405-byte segment holds five. The broker
//! runs retention and the cleaner on its own, as Kafka does — every [`CHECK_MS`] here
//! (`log.retention.check.interval.ms`, 5 min in Kafka, and `log.cleaner.backoff.ms`, 15 s, shortened so
//! they show while the view plays); the cleaner compacts once `min.cleanable.dirty.ratio` (Kafka's 0.5)
//! of the log is dirty. Changing `cleanup.policy`, `retention.ms` or `retention.bytes` is an
//! `alter-config` action on the timeline, like `kafka-configs.sh --alter`.

use kplay_core::config::SCRIPT_VERSION;
use kplay_core::problem::quote;
use kplay_core::world::Action;
use kplay_core::world::script::TopicConfigSpec;
use kplay_worker::protocol::{Intent, WorldFrame};

/// The page's number for the log view's world.
pub const VIEW: u32 = 2;
/// The topic.
pub const TOPIC: &str = "log";
/// Keys "produce 10" cycles through.
pub const KEYS: u64 = 5;
/// Value size of produced records.
pub const VALUE_BYTES: u32 = 11;
/// `segment.bytes`: five records.
pub const SEGMENT_BYTES: u64 = 405;
/// `retention.ms` the view starts with.
pub const RETENTION_MS: u64 = 60_000;
/// How often the broker checks retention and the cleaner looks for dirty logs.
pub const CHECK_MS: u64 = 5_000;
/// The producer's name: `linger.ms` 0, so each record is written the moment it is produced.
const PRODUCER: &str = "producer";

/// The view's world when it starts, as the JSON `kplay world` reads. (Written out rather than
/// serialized: the page carries no code to read or write scripts.)
#[must_use]
pub fn script() -> String {
    format!(
        concat!(
            r#"{{"version":{version},"seed":0,"brokers":1,"#,
            r#""topics":[{{"name":"{TOPIC}","partitions":1,"replication_factor":1,"config":{{"segment.bytes":{SEGMENT_BYTES},"retention.ms":{RETENTION_MS},"delete.retention.ms":30000}}}}],"#,
            r#""producers":[{{"name":"{PRODUCER}","config":{{"linger.ms":0}}}}],"#,
            r#""broker_config":{{"log.retention.check.interval.ms":{CHECK_MS},"log.cleaner.backoff.ms":{CHECK_MS}}},"#,
            r#""actions":[]}}"#
        ),
        version = SCRIPT_VERSION,
        TOPIC = TOPIC,
        SEGMENT_BYTES = SEGMENT_BYTES,
        RETENTION_MS = RETENTION_MS,
        PRODUCER = PRODUCER,
        CHECK_MS = CHECK_MS,
    )
}

fn produce(key: Option<String>, tombstone: bool, count: u64) -> Action {
    Action::Produce {
        topic: TOPIC.into(),
        key,
        value_bytes: VALUE_BYTES,
        tombstone,
        acks: None,
        count,
        interval_ms: 0,
        producer: Some(PRODUCER.into()),
    }
}

/// Ten records, keys `k0`…`k4` twice.
#[must_use]
pub fn produce_ten() -> Intent {
    let round = || produce(Some("k{i}".into()), false, KEYS);
    Intent::Actions {
        actions: vec![round(), round()],
    }
}

/// One record with the key typed, or a tombstone for it.
///
/// # Errors
/// A message naming the field when no key was typed.
pub fn produce_keyed(typed: &str, tombstone: bool) -> Result<Intent, String> {
    if typed.is_empty() {
        return Err("Key: type a key (k1), or produce without one.".into());
    }
    Ok(Intent::Actions {
        actions: vec![produce(Some(typed.to_owned()), tombstone, 1)],
    })
}

/// One record without a key (a compacted topic refuses it).
#[must_use]
pub fn produce_keyless() -> Intent {
    Intent::Actions {
        actions: vec![produce(None, false, 1)],
    }
}

fn alter(config: TopicConfigSpec) -> Intent {
    Intent::Actions {
        actions: vec![Action::AlterConfig {
            topic: TOPIC.into(),
            config,
        }],
    }
}

/// `cleanup.policy` set to `policy` (the world checks the name).
#[must_use]
pub fn set_policy(policy: String) -> Intent {
    alter(TopicConfigSpec {
        cleanup_policy: Some(policy),
        ..TopicConfigSpec::default()
    })
}

/// Parses a config value where -1 means unlimited.
fn limit(typed: &str, what: &str) -> Result<i64, String> {
    typed
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|n| *n >= -1)
        .ok_or_else(|| {
            format!(
                "{what}: {typed} is not a whole number or -1.",
                typed = quote(typed)
            )
        })
}

/// `retention.ms` as typed (-1: unlimited).
///
/// # Errors
/// A message naming the config when `typed` is not a number from -1.
pub fn set_retention_ms(typed: &str) -> Result<Intent, String> {
    Ok(alter(TopicConfigSpec {
        retention_ms: Some(limit(typed, "retention.ms")?),
        ..TopicConfigSpec::default()
    }))
}

/// `retention.bytes` as typed (-1: unlimited).
///
/// # Errors
/// A message naming the config when `typed` is not a number from -1.
pub fn set_retention_bytes(typed: &str) -> Result<Intent, String> {
    Ok(alter(TopicConfigSpec {
        retention_bytes: Some(limit(typed, "retention.bytes")?),
        ..TopicConfigSpec::default()
    }))
}

/// Why the last record produced was refused, in words, if it was.
#[must_use]
pub fn refusal(frame: &WorldFrame) -> Option<String> {
    let last = frame.state.produced.last()?;
    let error = last.error.as_deref()?;
    Some(match error {
        "INVALID_RECORD" => {
            "Refused (INVALID_RECORD): a compacted topic takes only records with a key.".into()
        }
        other => format!("Refused ({other})."),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::testing::run;

    fn offsets(frame: &WorldFrame) -> (u64, u64) {
        let p = &frame.state.topics.0[0].1.partitions[0];
        (p.log_start_offset, p.log_end_offset)
    }

    #[test]
    fn retention_by_time_deletes_whole_expired_segments_at_the_next_check() {
        let steps = [(0, produce_ten()), (61_000, produce_ten())];
        let frame = run(VIEW, script(), &steps, 61_000);
        assert_eq!(
            frame
                .segments
                .iter()
                .map(|s| s.base_offset)
                .collect::<Vec<_>>(),
            [0, 5, 10, 15],
            "five 81-byte records per 405-byte segment; the check has not run yet"
        );
        let frame = run(VIEW, script(), &steps, 65_000);
        assert_eq!(
            offsets(&frame),
            (10, 20),
            "the check at 65 s deleted both old segments"
        );
    }

    #[test]
    fn compaction_keeps_the_latest_value_per_key_and_refuses_keyless_records() {
        let steps = [
            (0, set_policy("compact".into())),
            (0, produce_ten()),
            (0, produce_ten()),
            (100, produce_keyed("k1", true).expect("a key")),
            (200, produce_keyless()),
        ];
        let frame = run(VIEW, script(), &steps, 5_000);
        assert_eq!(
            refusal(&frame).as_deref(),
            Some("Refused (INVALID_RECORD): a compacted topic takes only records with a key.")
        );
        assert_eq!(
            frame.config.as_ref().map(|c| &*c.cleanup_policy),
            Some("compact")
        );
        let kept: u32 = frame.segments.iter().map(|s| s.record_count).sum();
        // The cleaner at 5 s compacted the closed segments (offsets 0..20): k0–k4 four times, three
        // copies of each superseded; the active segment (offset 20, the tombstone) stays.
        assert_eq!(kept, 21 - 15);
    }

    #[test]
    fn limits_take_minus_one_for_unlimited_and_name_the_config() {
        let frame = run(
            VIEW,
            script(),
            &[
                (0, set_retention_ms("-1").expect("valid")),
                (0, set_retention_bytes("405").expect("valid")),
            ],
            0,
        );
        let config = frame.config.expect("a topic");
        assert_eq!((config.retention_ms, config.retention_bytes), (-1, 405));
        assert_eq!(
            set_retention_bytes("lots"),
            Err("retention.bytes: \"lots\" is not a whole number or -1.".into())
        );
        assert!(produce_keyed("", true).is_err_and(|m| m.starts_with("Key")));
    }
}
