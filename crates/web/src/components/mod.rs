//! The app's components, one per file. Each takes `XxxProps` and reports user intent through `on<verb>`
//! callbacks; only [`app::App`] owns state.

pub mod app;
pub mod chart;
pub mod flow_view;
pub mod group_panel;
pub mod notice;
pub mod number_field;
pub mod partition_lanes;
pub mod partition_view;
pub mod placement;
pub mod producer;
pub mod replication_view;
pub mod retention_view;
