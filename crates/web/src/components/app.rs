//! The root component: owns the state and lays out the partition view.

use yew::prelude::*;

use super::notice::NoticeBar;
use super::partition_count::PartitionCount;
use super::partition_lanes::PartitionLanes;
use super::placement::PlacementExplainer;
use super::producer::Producer;
use crate::state::{Action, State};

/// The kplay app.
#[function_component(App)]
pub fn app() -> Html {
    let state = use_reducer(State::default);

    // Callbacks
    let on_partitions = {
        let state = state.dispatcher();
        Callback::from(move |typed: String| state.dispatch(Action::SetPartitions(typed)))
    };
    let on_produce = {
        let state = state.dispatcher();
        Callback::from(move |key: Option<String>| state.dispatch(Action::Produce(key)))
    };

    // Render
    html! {
        <main class="app">
            <header class="app-header">
                <h1>{ "kplay" }</h1>
                <p class="tagline">{ "See how Apache Kafka places, orders and delivers records." }</p>
            </header>
            <section class="partition-view" aria-labelledby="partition-view-title">
                <h2 id="partition-view-title">{ format!("Topic \u{201c}{}\u{201d}", state.topic.name()) }</h2>
                <div class="controls">
                    <PartitionCount count={state.topic.partition_count().get()} onchange={on_partitions} />
                    <Producer onproduce={on_produce} />
                </div>
                <NoticeBar notice={state.notice.clone()} />
                <PlacementExplainer last={state.last.clone()} partitions={state.topic.partition_count().get()} />
                <PartitionLanes topic={state.topic.clone()} highlight={state.last.as_ref().map(|(_, p)| (p.partition, p.offset))} />
            </section>
        </main>
    }
}
