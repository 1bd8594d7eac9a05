//! The concept pages of the docs site: each explains one idea briefly and embeds the live view that shows
//! it, through the same `?embed=` contract tutorials use. The pages live in the app (`?page=<id>`), so the
//! one static build serves the playground and the docs from any sub-path.

/// One concept page.
#[derive(Debug, PartialEq, Eq)]
pub struct Concept {
    /// The page's id in links (`?page=<id>`).
    pub id: &'static str,
    /// The page's title.
    pub title: &'static str,
    /// The explanation, one paragraph per entry.
    pub paragraphs: &'static [&'static str],
    /// The embedded widget's query, without the leading `?`.
    pub widget: &'static str,
    /// What to try in the widget.
    pub try_this: &'static str,
    /// The guided lesson that teaches it (`?lesson=<id>`, a file in `lessons/`).
    pub lesson: &'static str,
}

/// Every concept page, in reading order.
pub const CONCEPTS: [Concept; 14] = [
    Concept {
        id: "topic",
        lesson: "topics-and-partitions",
        title: "Topic",
        paragraphs: &[
            "A topic is a named, append-only log of records. Producers append to it; consumers read it at their own pace, and reading does not remove anything: records stay until retention deletes them.",
            "Because the log is kept, several independent services can read the same records, and one can re-read history after a bug fix. That is the difference from a queue, where a message is gone once taken.",
        ],
        widget: "embed=partitions",
        try_this: "Produce a few records and watch each get the next offset of its partition.",
    },
    Concept {
        id: "partition",
        lesson: "topics-and-partitions",
        title: "Partition",
        paragraphs: &[
            "A topic is split into partitions, each its own ordered log with its own offsets 0, 1, 2, \u{2026}. Order holds within a partition, not across partitions.",
            "Partitions are the unit of parallelism: a consumer group can use at most one consumer per partition. Kafka can add partitions to a topic but never remove them, and adding them moves keys to new partitions.",
        ],
        widget: "embed=partitions",
        try_this: "Change the partition count: growing keeps the records, shrinking has to recreate the topic.",
    },
    Concept {
        id: "key-and-partitioner",
        lesson: "keys-and-order",
        title: "Keys and the partitioner",
        paragraphs: &[
            "A record's key decides its partition: the default partitioner computes murmur2 of the key bytes, clears the sign bit, and takes the remainder by the partition count. The same key always lands on the same partition, so a customer's orders stay in order.",
            "Records without a key are spread by the sticky partitioner (KIP-794): it sends to one partition until batch.size bytes went there and its open batch is complete (one to two batches' worth), then switches, which makes bigger batches than round-robin.",
        ],
        widget: "embed=partitions",
        try_this: "Produce the same key twice, then a record with no key; the explanation shows the hash arithmetic.",
    },
    Concept {
        id: "consumer-groups",
        lesson: "consumer-group",
        title: "Consumer groups and assignors",
        paragraphs: &[
            "Consumers sharing a group.id split a topic's partitions between them: each partition goes to exactly one consumer of the group, and a consumer may own several. Consumers beyond the partition count sit idle.",
            "Who gets what is decided by partition.assignment.strategy: range (contiguous blocks per topic), roundrobin, sticky (balanced, and keeps what each consumer had) and cooperative-sticky (sticky without stopping everyone).",
            "Each group reads every record on its own, from its own committed offsets: within a group the partitions are shared like a queue, across groups every group gets everything (publish-subscribe).",
        ],
        widget: "embed=partitions",
        try_this: "Add consumers past the partition count, then switch assignors and compare the owners. Add a second group: each lane shows both groups' committed offsets; reset one to earliest and watch it read the log again.",
    },
    Concept {
        id: "rebalance",
        lesson: "rebalancing",
        title: "Rebalancing",
        paragraphs: &[
            "When a consumer joins, leaves or stops heartbeating, the group rebalances. With the eager protocol every consumer gives up all its partitions first, so the whole group pauses; with the cooperative protocol only the partitions that move are revoked, over two rounds.",
            "A consumer that crashes is only noticed when its session times out (session.timeout.ms, 45 s by default); until then its partitions are not read.",
            "Kafka 4's consumer protocol (group.protocol=consumer, KIP-848) has no group-wide barrier: the broker computes the assignment and each member gives up and takes partitions on its own heartbeat, so a member that keeps its partitions never stops.",
        ],
        widget: "embed=partitions&example=rebalance-protocols&at=85000",
        try_this: "The same joins and leaves under eager, cooperative and the consumer protocol: compare the scoreboard's pauses and partition-time without an owner, step back to 60 s to watch the leave, then crash a consumer and watch its partitions wait for the session timeout.",
    },
    Concept {
        id: "rebalance-storm",
        lesson: "rebalancing",
        title: "Slow processing and the rebalance storm",
        paragraphs: &[
            "A consumer calls poll(), gets up to max.poll.records records (500 by default), processes them and polls again. If that takes longer than max.poll.interval.ms (300 s), the consumer is taken for stuck and leaves the group: its partitions go to others from the last committed offset, and what it processed since is processed again. With enable.auto.commit (the default) commits happen in poll(), so a consumer that never gets back to poll() in time never commits: when it does poll, its commit fails with CommitFailedException and it joins again, only to time out again. That loop is a rebalance storm.",
            "The example runs one backlog through five groups, each trying one fix. Static membership (group.instance.id) only delays the leave until session.timeout.ms; cooperative-sticky and the consumer protocol (KIP-848) spare the other members a pause, but the slow ones still time out. What ends the storm is a batch that fits in the interval: fewer records per poll (or faster processing, or a longer interval).",
        ],
        widget: "embed=partitions&example=rebalance-storm&at=900000",
        try_this: "Compare the rows: only the group with max.poll.records 200 has no poll timeouts and a committed offset. Step back through the timeline to watch the first timeouts at 307 s.",
    },
    Concept {
        id: "offsets-and-lag",
        lesson: "offsets-and-replay",
        title: "Offsets and lag",
        paragraphs: &[
            "A group commits, per partition, the offset of the next record it will read. Lag is the log end offset minus that committed offset: records written but not yet handled.",
            "Lag is the first thing to watch on a Kafka pipeline. Growing lag means consumers are slower than producers; a lag that stays high after an outage means the group cannot catch up.",
        ],
        widget: "embed=dashboard&preset=black-friday",
        try_this: "Run it: one service's lag climbs in every partition while the others stay near zero.",
    },
    Concept {
        id: "retention-and-compaction",
        lesson: "retention-and-compaction",
        title: "Retention and compaction",
        paragraphs: &[
            "A partition's log is stored in segments. Retention (retention.ms, retention.bytes) deletes whole segments, oldest first, at the broker's periodic check (log.retention.check.interval.ms), so the log start offset jumps forward a segment at a time; when every segment has expired the active one is rolled first.",
            "Compaction (cleanup.policy=compact) keeps only the latest record of each key; a record with a null value is a tombstone that deletes its key after delete.retention.ms.",
        ],
        widget: "embed=retention",
        try_this: "Write records until segments roll and let time pass; switch cleanup.policy to compact and write a tombstone, then step back through the timeline to see the log before each pass.",
    },
    Concept {
        id: "replication-and-acks",
        lesson: "replication",
        title: "Replication and acks",
        paragraphs: &[
            "Each partition has a leader and followers on other brokers. Followers that keep up form the in-sync replica set (ISR); the high watermark, the end of what consumers may read, is what every ISR member has.",
            "acks=all waits for the whole ISR, and min.insync.replicas refuses writes when too few replicas are in sync. With acks=1, a write acknowledged by a leader that then dies can be lost.",
        ],
        widget: "embed=replication",
        try_this: "Produce with acks=1, kill the leader before followers catch up, and see which acknowledged records were lost.",
    },
    Concept {
        id: "delivery-semantics",
        lesson: "delivery-semantics",
        title: "Delivery semantics",
        paragraphs: &[
            "A consumer polls a batch of records (up to max.poll.records), processes them and commits the offset of the next record to read. If it crashes mid-batch, another member of the group resumes from the committed offset, so when it commits decides what the crash costs.",
            "Committing before processing gives at-most-once: the rest of the batch is lost. Committing after gives at-least-once: the part of the batch already processed is processed again. Effectively-once is at-least-once with idempotent handling (or Kafka's transactions): a redelivered order is recognised by its identity and skipped instead of charged twice, the common choice in practice.",
        ],
        widget: "embed=delivery",
        try_this: "Move the crash along the batch and watch which offsets each strategy loses or applies twice; set max.poll.records to 1 and see the difference shrink to one record.",
    },
    Concept {
        id: "transactions",
        lesson: "transactions",
        title: "Transactions and exactly-once",
        paragraphs: &[
            "A producer with a transactional.id writes to several partitions as one unit: beginTransaction, its sends, then commitTransaction or abortTransaction. The transaction coordinator ends it by writing a marker, a control record that takes an offset of its own, into every partition the transaction wrote to.",
            "Consumers with isolation.level=read_committed read only below the last stable offset (LSO), the first offset of a transaction still open, and skip aborted records; consumers with read_uncommitted, the default, read everything up to the high watermark. A restarted producer with the same transactional.id gets a higher epoch, which fences the old instance and aborts what it left open.",
            "A service that consumes, transforms and produces commits its input offsets in the same transaction as its output (sendOffsetsToTransaction). If it crashes, its open transaction is aborted and the next owner starts from the last committed offsets, so read_committed readers downstream see every result once. Kafka Streams does this with processing.guarantee=exactly_once_v2.",
        ],
        widget: "embed=partitions",
        try_this: "Tick \u{201c}New consumers read_committed\u{201d} and add a consumer, untick it and add a group; then Begin, produce two keys and Abort: the marker takes an offset, the aborted records are struck through, and only the second group reads them.",
    },
    Concept {
        id: "dead-letter-queue",
        lesson: "retries-and-dead-letters",
        title: "Dead-letter topics",
        paragraphs: &[
            "A record that keeps failing would block its partition forever, since a consumer reads in order. After a few retries with backoff it is moved to a dead-letter topic, and the partition moves on.",
            "The dead-letter topic is then watched, fixed and replayed. Its size is a key alert on the dashboard.",
        ],
        widget: "embed=dashboard&preset=poison-message",
        try_this: "Run the poison-message preset: each poison record is retried, then dead-lettered, and the DLQ alert fires.",
    },
    Concept {
        id: "saga",
        lesson: "saga",
        title: "Sagas",
        paragraphs: &[
            "Without a distributed transaction, a multi-step business process becomes a saga: each service does its step and publishes an event that triggers the next, and a failed step triggers compensations.",
            "Here payment goes first; a declined payment cancels the order instead of shipping it, and a read model rebuilt by replaying the events agrees with the services.",
        ],
        widget: "embed=sync-vs-event&preset=payment-first",
        try_this: "Run it and compare the orders that ended delivered with those cancelled.",
    },
    Concept {
        id: "sync-vs-event-driven",
        lesson: "sync-chain",
        title: "Synchronous vs event-driven",
        paragraphs: &[
            "In a synchronous chain the user waits for every service in turn, and any service down fails the order. Event-driven, the order service saves the order, publishes an event and answers; the rest happens behind the topic.",
            "The user's wait drops to the cost of one write and one publish, and an outage becomes a backlog that drains afterwards instead of lost orders.",
        ],
        widget: "embed=sync-vs-event&preset=inventory-outage",
        try_this: "Run to the end: synchronous orders fail during the outage, event-driven ones wait in the backlog.",
    },
];

/// Every concept page's id, in reading order: what links may name. Checking a link needs these alone,
/// so the pages themselves ([`CONCEPTS`]) stay out of the landing build, which only reads links.
pub const PAGES: [&str; 14] = [
    "topic",
    "partition",
    "key-and-partitioner",
    "consumer-groups",
    "rebalance",
    "rebalance-storm",
    "offsets-and-lag",
    "retention-and-compaction",
    "replication-and-acks",
    "delivery-semantics",
    "transactions",
    "dead-letter-queue",
    "saga",
    "sync-vs-event-driven",
];

/// The concept page `id`'s id as [`PAGES`] holds it, if there is such a page.
#[must_use]
pub fn page(id: &str) -> Option<&'static str> {
    PAGES.iter().copied().find(|page| *page == id)
}

/// The concept page `id`.
#[must_use]
pub fn find(id: &str) -> Option<&'static Concept> {
    CONCEPTS.iter().find(|c| c.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::route::Route;

    #[test]
    fn the_pages_are_the_concepts_in_order() {
        assert_eq!(CONCEPTS.map(|c| c.id), PAGES);
    }

    #[test]
    fn every_widget_is_a_valid_embed() {
        for concept in &CONCEPTS {
            let route = Route::parse(concept.widget);
            assert!(route.embed, "{}", concept.id);
            assert!(
                route.problems.is_empty(),
                "{}: {:?}",
                concept.id,
                route.problems
            );
            assert_eq!(find(concept.id), Some(concept));
        }
    }

    #[test]
    fn every_concept_links_to_a_lesson_that_exists() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../lessons");
        let ids: Vec<String> = std::fs::read_dir(dir)
            .expect("lessons/ exists")
            .filter_map(|e| std::fs::read_to_string(e.ok()?.path()).ok())
            .filter_map(|text| {
                let line = text.lines().find(|l| l.starts_with("id: "))?;
                Some(line["id: ".len()..].trim().to_owned())
            })
            .collect();
        for concept in &CONCEPTS {
            assert!(
                ids.iter().any(|id| id == concept.lesson),
                "{}: {}",
                concept.id,
                concept.lesson
            );
        }
    }
}
