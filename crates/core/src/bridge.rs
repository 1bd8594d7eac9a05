//! # From kplay to a real cluster
//!
//! What is learned in kplay should carry over to Kafka itself, so every scenario can be written out as the
//! shell commands and client properties that set the same thing up on a real cluster:
//!
//! - `kafka-topics.sh --create` for `order-created` with the scenario's partition count, the saga's
//!   `payment-confirmed` / `order-shipped` topics, and one dead-letter topic per service. The simulation
//!   has no brokers, so the topics get the production-typical `--replication-factor 3` with
//!   `min.insync.replicas=2` (the replication view shows why).
//! - The order service's producer properties: `acks=all` and `enable.idempotence=true` (the defaults
//!   since 3.0, KIP-679), `linger.ms` (default 5 since 4.0, KIP-1030) and `batch.size` (default 16384), or
//!   the scenario's batching; the key the records carry, which decides the partition through the default
//!   partitioner (murmur2), or none (the sticky partitioner of KIP-794).
//! - Each service's consumer properties: `group.id` = the service, `partition.assignment.strategy` = the
//!   `RangeAssignor` the simulation uses, `enable.auto.commit=false` (commit after processing:
//!   at-least-once), `auto.offset.reset=earliest`, `max.poll.records` (default 500, or the scenario's
//!   batch), and one consumer per instance. A service in `queue` mode is a share group (KIP-932, Kafka
//!   4.0+), whose consumers take records without owning partitions.
//! - Load at the scenario's rate with `kafka-producer-perf-test.sh`, and `kafka-consumer-groups.sh
//!   --describe` to watch the per-partition `LAG` the playground draws.
//!
//! Retries with backoff and dead-lettering are the consumer application's own logic in plain Kafka (only
//! Kafka Connect has them as configs), so the script states the scenario's policy in comments.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::Write as _;

use crate::scenario::{ConsumeMode, FlowTopic, KeyChoice, Scenario};

/// Replication factor of the exported topics (the simulation itself has no brokers).
pub const REPLICATION_FACTOR: u32 = 3;
/// `min.insync.replicas` of the exported topics: with `acks=all`, one broker may fail without stopping writes.
pub const MIN_INSYNC_REPLICAS: u32 = 2;
/// Kafka's `max.poll.records` default.
const MAX_POLL_RECORDS: u32 = 500;
/// Kafka's `batch.size` default.
const BATCH_SIZE: u64 = 16_384;
/// Kafka's `linger.ms` default since 4.0 (KIP-1030).
const LINGER_MS: f64 = 5.0;
/// Bytes per record assumed for the load generator.
const RECORD_BYTES: u32 = 200;

/// The scenario as a POSIX shell script: topics, property files, consumers, load and lag checks. The
/// cluster is `$BOOTSTRAP` (default `localhost:9092`).
#[must_use]
pub fn kafka_commands(scenario: &Scenario) -> String {
    let mut out = String::new();
    // Writing to a String cannot fail.
    let _ = write_script(&mut out, scenario);
    out
}

fn write_script(out: &mut String, scenario: &Scenario) -> core::fmt::Result {
    let name = scenario.name.as_deref().unwrap_or("scenario");
    let partitions = scenario.topic.partitions;
    writeln!(out, "#!/bin/sh")?;
    writeln!(
        out,
        "# kplay scenario {name:?} (seed {}) as a real Kafka setup.",
        scenario.seed
    )?;
    writeln!(
        out,
        "# Needs Kafka's bin/ scripts on PATH and a cluster of at least {REPLICATION_FACTOR} brokers."
    )?;
    writeln!(out, "set -e")?;
    writeln!(out, "BOOTSTRAP=\"${{BOOTSTRAP:-localhost:9092}}\"")?;

    writeln!(out, "\n# 1. Topics")?;
    let mut topics: Vec<FlowTopic> = Vec::new();
    for service in &scenario.services {
        let topic = scenario.subscription(service);
        if !topics.contains(&topic) {
            topics.push(topic);
        }
    }
    let dead_letter: Vec<String> = scenario
        .services
        .iter()
        .map(|s| format!("{}.{}.dlq", scenario.subscription(s).name(), s.name))
        .collect();
    for topic in topics
        .iter()
        .map(|t| t.name())
        .chain(dead_letter.iter().map(String::as_str))
    {
        writeln!(
            out,
            "kafka-topics.sh --bootstrap-server \"$BOOTSTRAP\" --create --if-not-exists --topic {topic} \\\n  \
             --partitions {partitions} --replication-factor {REPLICATION_FACTOR} --config min.insync.replicas={MIN_INSYNC_REPLICAS}"
        )?;
    }

    writeln!(out, "\n# 2. The order service's producer")?;
    let (linger_ms, batch_size) = scenario
        .order_service
        .producer
        .map_or((LINGER_MS, BATCH_SIZE), |p| (p.linger_ms, p.batch_size));
    match scenario.topic.key {
        KeyChoice::OrderId => writeln!(
            out,
            "# Key: the order id (order-<n>); the default partitioner puts a key on murmur2(key) % {partitions}."
        )?,
        KeyChoice::CustomerId => writeln!(
            out,
            "# Key: the customer id (customer-<k>); all of a customer's orders share a partition, in order."
        )?,
        KeyChoice::None => writeln!(
            out,
            "# No key: the sticky partitioner (KIP-794) sends a batch or two to one partition, then moves on."
        )?,
    }
    writeln!(
        out,
        "cat > order-service-producer.properties <<'PROPERTIES'"
    )?;
    writeln!(out, "acks=all\nenable.idempotence=true")?;
    writeln!(
        out,
        "linger.ms={}\nbatch.size={batch_size}",
        libm::round(linger_ms) as u64
    )?;
    string_codecs(out, "Serializer")?;
    writeln!(out, "PROPERTIES")?;

    writeln!(out, "\n# 3. Consumers: one group per service")?;
    for (service, dlq) in scenario.services.iter().zip(&dead_letter) {
        let topic = scenario.subscription(service).name();
        let file = format!("{}-consumer.properties", service.name);
        let retry = service.retry;
        writeln!(
            out,
            "# {}: {} instance(s); a failed record is retried {} time(s) (backoff {} ms, x{}), then sent to {dlq}.",
            service.name,
            service.instances,
            retry.max_attempts.saturating_sub(1),
            retry.backoff_ms,
            retry.multiplier
        )?;
        if service.duplicate_rate > 0.0 {
            let handling = if service.idempotent {
                "skips a second copy by its order id (idempotent)"
            } else {
                "applies a second copy again (not idempotent)"
            };
            writeln!(
                out,
                "# Redelivered copies reach it ({} %); it {handling}.",
                service.duplicate_rate * 100.0
            )?;
        }
        writeln!(out, "cat > {file} <<'PROPERTIES'")?;
        writeln!(out, "group.id={}", service.name)?;
        let max_poll = service
            .batch
            .map_or(MAX_POLL_RECORDS, |b| b.max_poll_records);
        match service.mode {
            ConsumeMode::Kafka => {
                writeln!(
                    out,
                    "partition.assignment.strategy=org.apache.kafka.clients.consumer.RangeAssignor"
                )?;
                writeln!(out, "enable.auto.commit=false\nauto.offset.reset=earliest")?;
            }
            ConsumeMode::Queue => {
                writeln!(
                    out,
                    "# A share group (KIP-932): records go to whichever consumer asks, per-key order is not kept."
                )?;
                writeln!(out, "share.acknowledgement.mode=explicit")?;
            }
        }
        writeln!(out, "max.poll.records={max_poll}")?;
        string_codecs(out, "Deserializer")?;
        writeln!(out, "PROPERTIES")?;
        let (console, _) = tools(service.mode);
        writeln!(out, "for i in $(seq {}); do", service.instances)?;
        writeln!(
            out,
            "  {console} --bootstrap-server \"$BOOTSTRAP\" --topic {topic} --consumer.config {file} > /dev/null &"
        )?;
        writeln!(out, "done")?;
    }

    let records =
        libm::round(scenario.arrivals.rate_per_s * scenario.duration_ms as f64 / 1_000.0) as u64;
    writeln!(
        out,
        "\n# 4. Load: {records} orders at {} per second (the perf tool sends no keys)",
        scenario.arrivals.rate_per_s
    )?;
    writeln!(
        out,
        "kafka-producer-perf-test.sh --topic order-created --num-records {records} --record-size {RECORD_BYTES} \\\n  \
         --throughput {} --producer.config order-service-producer.properties \\\n  \
         --producer-props bootstrap.servers=\"$BOOTSTRAP\"",
        libm::ceil(scenario.arrivals.rate_per_s) as u64
    )?;

    writeln!(out, "\n# 5. Lag per partition, the figures kplay draws")?;
    for service in &scenario.services {
        let (_, tool) = tools(service.mode);
        writeln!(
            out,
            "{tool} --bootstrap-server \"$BOOTSTRAP\" --describe --group {}",
            service.name
        )?;
    }
    Ok(())
}

/// The `key.` and `value.` (de)serializer properties for string records; `kind` is `Serializer` or
/// `Deserializer`.
fn string_codecs(out: &mut String, kind: &str) -> core::fmt::Result {
    for part in ["key", "value"] {
        writeln!(
            out,
            "{part}.{}=org.apache.kafka.common.serialization.String{kind}",
            kind.to_lowercase()
        )?;
    }
    Ok(())
}

/// The console consumer that stands in for a service, and the tool that describes its group.
fn tools(mode: ConsumeMode) -> (&'static str, &'static str) {
    match mode {
        ConsumeMode::Kafka => ("kafka-console-consumer.sh", "kafka-consumer-groups.sh"),
        ConsumeMode::Queue => ("kafka-console-share-consumer.sh", "kafka-share-groups.sh"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::presets::{self, DEFAULT_SEED};

    fn script(preset: &str) -> String {
        kafka_commands(
            &presets::find(preset)
                .expect("preset")
                .scenario(DEFAULT_SEED),
        )
    }

    #[test]
    fn topics_follow_the_scenario() {
        let scenario = presets::find("black-friday")
            .expect("preset")
            .scenario(DEFAULT_SEED);
        let text = kafka_commands(&scenario);
        let create = format!(
            "--create --if-not-exists --topic order-created \\\n  --partitions {} --replication-factor 3 --config min.insync.replicas=2",
            scenario.topic.partitions
        );
        assert!(text.contains(&create), "{text}");
        for service in &scenario.services {
            assert!(text.contains(&format!("--topic order-created.{}.dlq", service.name)));
            assert!(text.contains(&format!("group.id={}\n", service.name)));
            assert!(text.contains(&format!("for i in $(seq {}); do", service.instances)));
            assert!(text.contains(&format!("--describe --group {}\n", service.name)));
        }
        assert!(text.starts_with("#!/bin/sh\n"));
        assert!(
            text.contains("acks=all\nenable.idempotence=true\nlinger.ms=5\nbatch.size=16384\n")
        );
    }

    #[test]
    fn saga_topics_queue_mode_and_batching_carry_over() {
        let saga = script("payment-first");
        for topic in ["order-created", "payment-confirmed", "order-shipped"] {
            assert!(saga.contains(&format!("--topic {topic} \\")), "{topic}");
        }
        let queue = script("kafka-vs-queue");
        assert!(queue.contains("share.acknowledgement.mode=explicit"));
        assert!(queue.contains("kafka-console-share-consumer.sh"));
        assert!(queue.contains("kafka-share-groups.sh"));
        assert!(queue.contains("RangeAssignor"), "the Kafka-mode service");

        let mut scenario = presets::find("sync-vs-async")
            .expect("preset")
            .scenario(DEFAULT_SEED);
        scenario.order_service.producer = Some(crate::scenario::ProducerSpec {
            linger_ms: 20.0,
            batch_size: 65_536,
        });
        scenario.topic.key = KeyChoice::None;
        let text = kafka_commands(&scenario);
        assert!(text.contains("linger.ms=20\nbatch.size=65536\n"));
        assert!(text.contains("sticky partitioner (KIP-794)"));
    }
}
