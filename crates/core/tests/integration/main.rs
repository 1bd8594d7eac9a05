//! Integration tests of kplay-core, one binary with a module per concept.

mod assignors;
mod liveness;
mod partitioner;
mod properties;
mod share;
mod simulation;
mod transactions;
mod world;
