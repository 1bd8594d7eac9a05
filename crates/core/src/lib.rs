//! # kplay-core: Apache Kafka, modelled deterministically
//!
//! This crate is the model behind every view of kplay. It is `no_std` + `alloc`, performs no I/O and never
//! reads a clock: every operation that depends on time takes `now` ([`time`]), and everything random draws
//! from one seeded generator ([`rng`]), so the same inputs give the same outputs on x86_64 and wasm32.
//!
//! A tour, in the order a record travels:
//!
//! - [`partitioner`]: which partition a keyed record goes to — Kafka's murmur2,
//!   `toPositive(murmur2(key)) % partitions`, byte for byte.
//! - [`producer`]: batches (`batch.size`, `linger.ms`) and the sticky partitioner of KIP-794 for records
//!   without a key, round-robin, `partitioner.ignore.keys`; [`record_format`]: what a record and a batch
//!   weigh.
//! - [`topic`]: a topic as partitions of offsets; adding partitions moves keys.
//! - [`log`]: one partition's log — segments, high watermark, retention by time and size, compaction.
//! - [`cluster`]: replication — leaders, followers, the ISR, `acks`, `min.insync.replicas`, elections, and
//!   which acknowledged writes a failure lost.
//! - [`group`]: consumer groups — the four assignors, the coordinator's rebalances (eager and
//!   cooperative), static members, committed offsets, `auto.offset.reset` and lag.
//! - [`transaction`]: the transaction coordinator — transactional ids, epochs that fence zombies, commit
//!   and abort markers; [`log::transactions`]: the last stable offset and `read_committed`.
//! - [`delivery`]: at-most-once, at-least-once and effectively-once, counted record by record.
//!
//! And the story kplay tells with them:
//!
//! - [`scenario`]: the JSON scenario of an order flow; [`presets`]: the ones the playground ships.
//! - [`bridge`]: a scenario as the commands and client properties to run it against a real cluster.
//! - [`world`]: one whole cluster — brokers, topics, producers, consumer groups — driven by a timestamped
//!   action log that replays to any moment; the interactive views and `kplay world` project it.
//! - [`sim`]: the same seeded orders through a synchronous HTTP chain and a Kafka pipeline, as a
//!   discrete-event simulation; [`metrics`]: its histograms.
//!
//! ```
//! use kplay_core::topic::Topic;
//! use core::num::NonZeroU32;
//!
//! let mut orders = Topic::new("orders", NonZeroU32::new(3).unwrap());
//! let produced = orders.produce(Some(b"order-123"));
//! // Kafka puts the key "order-123" on partition 1 of a 3-partition topic.
//! assert_eq!((produced.partition, produced.offset), (1, 0));
//! ```
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub mod bridge;
pub mod cluster;
pub mod config;
pub mod delivery;
pub mod group;
#[cfg(feature = "json")]
pub mod json;
#[cfg(feature = "json")]
pub mod lesson;
pub mod log;
pub mod metrics;
pub mod named;
pub mod partitioner;
pub mod presets;
pub mod problem;
pub mod producer;
pub mod record_format;
pub mod rng;
pub mod scenario;
pub mod sim;
pub mod time;
pub mod topic;
pub mod transaction;
pub mod world;
