//! What a world reports: one typed event per thing that happened, in the order it happened.
//!
//! Events are outputs ([`super::World::poll_event`]); views animate them, the CLI lists them
//! (`kplay world --events`) and [`digest`] folds them into one number that must be the same on every
//! platform. Each serializes as a flat JSON object with `at_ms` and a `kind`.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use serde::Serialize;

use crate::time::Instant;

/// Something that happened at a moment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WorldEvent {
    /// When, in milliseconds (microseconds are kept in [`Self::at`]).
    pub at_ms: u64,
    /// When, exactly.
    #[serde(skip)]
    pub at: Instant,
    /// What.
    #[serde(flatten)]
    pub kind: EventKind,
}

/// A `[topic, partition]` pair as the JSON writes it.
pub type TopicPartitionPair = (String, u32);

/// Everything a world reports.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
#[allow(missing_docs)]
pub enum EventKind {
    /// A record reached its partition leader's log.
    Appended {
        topic: String,
        partition: u32,
        offset: u64,
        key: Option<String>,
        producer: String,
    },
    /// The producer's acknowledgement arrived (for `acks=all`: once the ISR had it).
    Acknowledged {
        topic: String,
        partition: u32,
        offset: u64,
    },
    /// A batch failed with a retriable error; the producer sends it again (attempt `attempt + 1`) after
    /// its backoff.
    Retrying {
        producer: String,
        topic: String,
        partition: u32,
        records: u32,
        error: &'static str,
        attempt: u32,
    },
    /// A record failed for good, with Kafka's error name.
    WriteFailed {
        topic: String,
        partition: u32,
        error: &'static str,
    },
    /// An acknowledged write is no longer in its partition (an unclean election or `acks=1` lost it).
    Lost {
        topic: String,
        partition: u32,
        offset: u64,
    },
    /// A consumer read a record.
    Fetched {
        group: String,
        member: String,
        topic: String,
        partition: u32,
        offset: u64,
    },
    /// A share group's record went back from a member: its lock ran out (`lock-expired`), the member
    /// acknowledged it `RELEASE` (`released`) or `REJECT` (`rejected`: archived), or left (`left`,
    /// `session-expired`). `state` is `AVAILABLE`, or `ARCHIVED` when rejected or once delivered
    /// `group.share.delivery.count.limit` times.
    Released {
        group: String,
        member: String,
        topic: String,
        partition: u32,
        offset: u64,
        state: &'static str,
        reason: &'static str,
    },
    /// A share consumer's acknowledgement was refused (`INVALID_RECORD_STATE`: its lock had run out).
    AcknowledgeFailed {
        group: String,
        member: String,
        topic: String,
        partition: u32,
        offset: u64,
        error: &'static str,
    },
    /// A group committed an offset.
    Committed {
        group: String,
        member: String,
        topic: String,
        partition: u32,
        offset: u64,
    },
    /// The coordinator refused a commit.
    CommitFailed {
        group: String,
        member: String,
        topic: String,
        partition: u32,
        error: String,
    },
    /// A member's batch outlasted `max.poll.interval.ms`: its heartbeat thread left the group (a static
    /// member stopped heartbeating).
    PollTimeoutExpired { group: String, member: String },
    /// A member joined (or a static member came back).
    Joined { group: String, member: String },
    /// A member sent `LeaveGroup` (or a static one stopped).
    Left { group: String, member: String },
    /// A member stopped heartbeating.
    Crashed { group: String, member: String },
    /// A silent member's `session.timeout.ms` ran out and the coordinator removed it.
    SessionExpired { group: String, member: String },
    /// A rebalance began.
    RebalanceStarted { group: String, trigger: String },
    /// A member gave partitions up.
    Revoked {
        group: String,
        member: String,
        partitions: Vec<TopicPartitionPair>,
    },
    /// A member received partitions.
    Assigned {
        group: String,
        member: String,
        partitions: Vec<TopicPartitionPair>,
    },
    /// A rebalance round ended with a new generation; how long each member had partitions waiting.
    RebalanceCompleted {
        group: String,
        generation: i32,
        paused_ms: Vec<(String, u64)>,
    },
    /// `reset-offsets` moved a group's committed offsets.
    OffsetsReset {
        group: String,
        topic: String,
        offsets: Vec<(u32, u64)>,
    },
    /// `reset-offsets` was refused (the group has active members).
    ResetRefused {
        group: String,
        topic: String,
        error: String,
    },
    /// `delete-group` removed a group and its committed offsets.
    GroupDeleted { group: String },
    /// A replica left the ISR.
    IsrShrunk {
        topic: String,
        partition: u32,
        broker: u32,
        isr: Vec<u32>,
    },
    /// A replica (re)joined the ISR.
    IsrExpanded {
        topic: String,
        partition: u32,
        broker: u32,
        isr: Vec<u32>,
    },
    /// A partition got a new leader (`None`: offline), with its epoch.
    LeaderElected {
        topic: String,
        partition: u32,
        leader: Option<u32>,
        epoch: u32,
        unclean: bool,
    },
    /// A broker went down.
    BrokerKilled { broker: u32 },
    /// A broker came back.
    BrokerRestarted { broker: u32 },
    /// A broker stopped fetching.
    BrokerStalled { broker: u32 },
    /// A broker fetches again.
    BrokerUnstalled { broker: u32 },
    /// The active segment was closed and a new one started at `base_offset`.
    SegmentRolled {
        topic: String,
        partition: u32,
        base_offset: u64,
    },
    /// Retention deleted a segment.
    SegmentDeleted {
        topic: String,
        partition: u32,
        base_offset: u64,
        log_start_offset: u64,
    },
    /// The cleaner compacted a partition.
    Compacted {
        topic: String,
        partition: u32,
        superseded: u64,
        tombstones: u64,
    },
    /// A topic grew.
    PartitionsAdded { topic: String, partitions: u32 },
    /// A transactional producer registered its `transactional.id` (`InitProducerId`): its producer id
    /// and epoch, which fence any earlier producer with the same id.
    ProducerInitialized {
        producer: String,
        transactional_id: String,
        producer_id: u64,
        epoch: u16,
    },
    /// A producer began a transaction.
    TransactionBegun { producer: String },
    /// The coordinator ended a transaction: `commit` or `abort` markers written to `partitions`; `reason`
    /// says why an abort happened (`abort-transaction`, `fenced`, `timeout`, or a record's error).
    TransactionEnded {
        transactional_id: String,
        producer_id: u64,
        control: &'static str,
        reason: String,
        partitions: Vec<TopicPartitionPair>,
    },
    /// A transaction marker took an offset in a partition.
    MarkerWritten {
        topic: String,
        partition: u32,
        offset: u64,
        control: &'static str,
    },
    /// A transactional producer's call failed with Kafka's error (a fenced producer's commit:
    /// `PRODUCER_FENCED`); `call` is the action.
    TransactionFailed {
        producer: String,
        call: &'static str,
        error: &'static str,
    },
}

impl fmt::Display for WorldEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {:?}", self.at, self.kind)
    }
}

/// FNV-1a (64-bit) over each event's `Display` line: the same events give the same digest on every
/// platform, so a replay can be compared across x86_64 and wasm32 with one number.
#[must_use]
pub fn digest<'a>(events: impl IntoIterator<Item = &'a WorldEvent>) -> u64 {
    struct Fnv(u64);
    impl fmt::Write for Fnv {
        fn write_str(&mut self, s: &str) -> fmt::Result {
            for byte in s.bytes() {
                self.0 = (self.0 ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3);
            }
            Ok(())
        }
    }
    let mut hash = Fnv(0xcbf2_9ce4_8422_2325);
    for event in events {
        // Writing into the hasher cannot fail.
        let _ = fmt::write(&mut hash, format_args!("{event}\n"));
    }
    hash.0
}
