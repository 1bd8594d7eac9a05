//! Integration tests of kplay-core, one binary with a module per concept.

mod assignors;
mod partitioner;
mod properties;
mod simulation;
mod transactions;
mod world;
