//! # Consumer groups
//!
//! Consumers that share a `group.id` split a topic's partitions between them: each partition is read by at
//! most one member of the group, so a group scales out up to one member per partition and a slow member
//! holds up only its own partitions. [`assignor`] decides who gets what, [`coordinator`] runs membership
//! and rebalances, and [`offsets`] keeps the group's progress.

pub mod assignor;
pub mod coordinator;
pub mod offsets;
pub mod share;
