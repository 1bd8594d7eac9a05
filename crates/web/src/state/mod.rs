//! The app's state: one reducer per view (Yew's `use_reducer`), each holding the kplay-core model it
//! drives and the actions that change it. Components dispatch actions; they never simulate.

pub mod flow;
pub mod partitions;
pub mod replication;
pub mod retention;
