//! The partition view: a topic as lanes, a producer, and how each record's partition was chosen.

use gloo::timers::callback::Interval;
use yew::prelude::*;

use super::group_panel::GroupPanel;
use super::notice::NoticeBar;
use super::partition_count::PartitionCount;
use super::partition_lanes::{LaneGroupInfo, PartitionLanes};
use super::placement::PlacementExplainer;
use super::producer::Producer;
use crate::state::partitions::{Action, State};

/// The partition view, with its own state.
#[function_component(PartitionView)]
pub fn partition_view() -> Html {
    let state = use_reducer(State::default);

    // The group's clock: ticks every 100 ms while the view is open.
    {
        let dispatcher = state.dispatcher();
        use_effect_with((), move |()| {
            let interval = Interval::new(100, move || dispatcher.dispatch(Action::Tick(100)));
            move || drop(interval)
        });
    }

    // Callbacks
    let on_partitions = {
        let state = state.dispatcher();
        Callback::from(move |typed: String| state.dispatch(Action::SetPartitions(typed)))
    };
    let on_produce = {
        let state = state.dispatcher();
        Callback::from(move |key: Option<String>| state.dispatch(Action::Produce(key)))
    };

    let send = |action: Action| {
        let dispatcher = state.dispatcher();
        Callback::from(move |()| dispatcher.dispatch(action.clone()))
    };
    let on_assignor = {
        let dispatcher = state.dispatcher();
        Callback::from(move |name: String| dispatcher.dispatch(Action::SetAssignor(name)))
    };

    // Render
    let highlight = state.last.as_ref().map(|(_, p)| (p.partition, p.offset));
    let lanes: Vec<LaneGroupInfo> = (0..state.topic.partition_count().get())
        .map(|p| {
            let (committed, lag) = state.progress(p);
            LaneGroupInfo {
                owner: state.owner(p).map(str::to_owned),
                committed,
                lag,
            }
        })
        .collect();
    html! {
        <section class="panel partition-view" aria-labelledby="partition-view-title">
            <h2 id="partition-view-title">{ format!("Topic \u{201c}{}\u{201d}", state.topic.name()) }</h2>
            <div class="controls">
                <PartitionCount count={state.topic.partition_count().get()} onchange={on_partitions} />
                <Producer onproduce={on_produce} />
            </div>
            <NoticeBar notice={state.notice.clone()} />
            <PlacementExplainer last={state.last.clone()} partitions={state.topic.partition_count().get()} />
            <GroupPanel
                strategy={state.group.config().strategy}
                members={state.group.members().to_vec()}
                generation={state.group.generation()}
                rebalancing={state.group.is_rebalancing()}
                rounds={state.group.rounds().to_vec()}
                onadd={send(Action::AddConsumer)}
                onremove={send(Action::RemoveConsumer)}
                oncrash={send(Action::CrashConsumer)}
                onassignor={on_assignor}
            />
            <PartitionLanes topic={state.topic.clone()} {highlight} group={lanes} />
        </section>
    }
}
