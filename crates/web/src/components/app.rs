//! The root component: navigation between views; each view owns its state.

use yew::prelude::*;

use super::flow_view::FlowView;
use super::partition_view::PartitionView;
use super::replication_view::ReplicationView;
use super::retention_view::RetentionView;

/// The views of the playground.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    /// Sync vs event-driven (the landing view).
    SyncVsEvent,
    /// Partitions and keys.
    Partitions,
    /// Log segments, retention and compaction.
    Retention,
    /// Replication.
    Replication,
}

impl View {
    const ALL: [Self; 4] = [
        Self::SyncVsEvent,
        Self::Partitions,
        Self::Retention,
        Self::Replication,
    ];

    fn test_id(self) -> &'static str {
        match self {
            Self::SyncVsEvent => "view-sync-vs-event",
            Self::Partitions => "view-partitions",
            Self::Retention => "view-retention",
            Self::Replication => "view-replication",
        }
    }

    fn title(self) -> &'static str {
        match self {
            Self::SyncVsEvent => "Sync vs event-driven",
            Self::Partitions => "Partitions and keys",
            Self::Retention => "Log and retention",
            Self::Replication => "Replication",
        }
    }
}

/// The kplay app.
#[function_component(App)]
pub fn app() -> Html {
    let view = use_state(|| View::SyncVsEvent);
    html! {
        <main class="app">
            <header class="app-header">
                <h1>{ "kplay" }</h1>
                <p class="tagline">{ "See how Apache Kafka places, orders and delivers records." }</p>
                <nav aria-label="Views">
                    { for View::ALL.into_iter().map(|v| {
                        let onclick = { let view = view.clone(); Callback::from(move |_: MouseEvent| view.set(v)) };
                        html! {
                            <button type="button" class={classes!("tab", (*view == v).then_some("current"))}
                                aria-current={(*view == v).then_some("page")} data-testid={v.test_id()} {onclick}>
                                { v.title() }
                            </button>
                        }
                    }) }
                </nav>
            </header>
            { match *view {
                View::SyncVsEvent => html! { <FlowView /> },
                View::Partitions => html! { <PartitionView /> },
                View::Retention => html! { <RetentionView /> },
                View::Replication => html! { <ReplicationView /> },
            } }
        </main>
    }
}
