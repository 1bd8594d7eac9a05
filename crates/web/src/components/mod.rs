//! The app's components, one per file. Each takes `XxxProps` and reports user intent through `on<verb>`
//! callbacks; the root ([`app::App`], the full app, or [`app::landing::Landing`], the first load) owns the
//! order flow's state and the other views'.

pub mod app;
pub mod chart;
pub mod dashboard_view;
pub mod delivery_view;
pub mod docs_page;
pub mod flow_controls;
pub mod flow_diagram;
pub mod flow_view;
pub mod group_panel;
pub mod group_scoreboard;
pub mod lesson_page;
pub mod log_diagram;
pub mod notice;
pub mod number_field;
pub mod partition_diagram;
pub mod partition_view;
pub mod placement;
pub mod producer;
pub mod prose;
pub mod record_clip;
pub mod replication_diagram;
pub mod replication_view;
pub mod retention_view;
pub mod scenario_tools;
pub mod theme_toggle;
pub mod timeline;
pub mod transaction_panel;
