//! # kplay-core: Apache Kafka, modelled deterministically
//!
//! This crate is the model behind every view of kplay. It is `no_std` + `alloc`, performs no I/O and never
//! reads a clock, so the same inputs give the same outputs on x86_64 and wasm32 alike.
//!
//! A tour, in the order a record travels:
//!
//! - [`partitioner`] decides which partition a record goes to: Kafka's murmur2 hash of the key bytes
//!   (`toPositive(murmur2(key)) % partitions`), or a round-robin counter for records without a key.
//! - [`topic`] holds the partitions of a topic and appends records to them, handing out offsets.
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

pub mod group;
pub mod log;
pub mod partitioner;
pub mod time;
pub mod topic;
