//! # Consumer groups
//!
//! Consumers that share a `group.id` split a topic's partitions between them: each partition is read by at
//! most one member of the group, so a group scales out up to one member per partition and a slow member
//! holds up only its own partitions. [`assignor`] decides who gets what.

pub mod assignor;
