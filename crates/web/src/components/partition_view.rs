//! The partition view: a topic as lanes, a producer, and how each record's partition was chosen.

use yew::prelude::*;

use super::notice::NoticeBar;
use super::partition_count::PartitionCount;
use super::partition_lanes::PartitionLanes;
use super::placement::PlacementExplainer;
use super::producer::Producer;
use crate::state::partitions::{Action, State};

/// The partition view, with its own state.
#[function_component(PartitionView)]
pub fn partition_view() -> Html {
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
    let highlight = state.last.as_ref().map(|(_, p)| (p.partition, p.offset));
    html! {
        <section class="panel partition-view" aria-labelledby="partition-view-title">
            <h2 id="partition-view-title">{ format!("Topic \u{201c}{}\u{201d}", state.topic.name()) }</h2>
            <div class="controls">
                <PartitionCount count={state.topic.partition_count().get()} onchange={on_partitions} />
                <Producer onproduce={on_produce} />
            </div>
            <NoticeBar notice={state.notice.clone()} />
            <PlacementExplainer last={state.last.clone()} partitions={state.topic.partition_count().get()} />
            <PartitionLanes topic={state.topic.clone()} {highlight} />
        </section>
    }
}
