//! The partition view: a topic as lanes, a producer, and how each record's partition was chosen.

use gloo::timers::callback::Interval;
use yew::prelude::*;

use super::group_panel::GroupPanel;
use super::notice::NoticeBar;
use super::number_field::NumberField;
use super::partition_lanes::{LaneGroupInfo, PartitionLanes};
use super::placement::PlacementExplainer;
use super::producer::Producer;
use crate::state::partitions::{Action, MAX_CONSUMERS, MAX_PRODUCE_RATE, PARTITIONS, State};

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
    // Stable across the clock's re-renders, so the children they go to do not re-render (and reset
    // what the user is typing) with every tick.
    let on_partitions = use_callback(state.dispatcher(), |typed: String, state| {
        state.dispatch(Action::SetPartitions(typed))
    });
    let on_produce = use_callback(state.dispatcher(), |key: Option<String>, state| {
        state.dispatch(Action::Produce(key))
    });

    let on_add = use_callback(state.dispatcher(), |(), state| {
        state.dispatch(Action::AddConsumer)
    });
    let on_remove = use_callback(state.dispatcher(), |(), state| {
        state.dispatch(Action::RemoveConsumer)
    });
    let on_crash = use_callback(state.dispatcher(), |(), state| {
        state.dispatch(Action::CrashConsumer)
    });
    let on_consumers = use_callback(state.dispatcher(), |typed: String, state| {
        state.dispatch(Action::SetConsumers(typed))
    });
    let on_rate = use_callback(state.dispatcher(), |typed: String, state| {
        state.dispatch(Action::SetProduceRate(typed))
    });
    let on_assignor = use_callback(state.dispatcher(), |name: String, state| {
        state.dispatch(Action::SetAssignor(name))
    });

    // Render
    let highlight = state.last.as_ref().map(|(_, p)| (p.partition, p.offset));
    let (name, partition_count) = {
        let topic = state.topic.borrow();
        (topic.name().to_owned(), topic.partition_count().get())
    };
    let lanes: Vec<LaneGroupInfo> = state
        .all_progress()
        .into_iter()
        .map(|(owner, committed, lag)| LaneGroupInfo {
            owner: owner.map(str::to_owned),
            committed,
            lag,
        })
        .collect();
    html! {
        <section class="panel partition-view" aria-labelledby="partition-view-title">
            <h2 id="partition-view-title">{ format!("Topic \u{201c}{}\u{201d}", name) }</h2>
            <div class="controls">
                <NumberField
                    label="Partitions"
                    test_id="partition-count"
                    value={partition_count.to_string()}
                    min={PARTITIONS.start().to_string()}
                    max={Some(AttrValue::from(PARTITIONS.end().to_string()))}
                    onchange={on_partitions}
                />
                <Producer onproduce={on_produce} />
                <NumberField
                    label="Keyed records per second"
                    test_id="produce-rate"
                    value={state.produce_rate.to_string()}
                    min="0"
                    max={Some(AttrValue::from(MAX_PRODUCE_RATE.to_string()))}
                    onchange={on_rate}
                />
                <NumberField
                    label="Consumers"
                    test_id="consumers-input"
                    value={state.live_consumers().to_string()}
                    min="0"
                    max={Some(AttrValue::from(MAX_CONSUMERS.to_string()))}
                    onchange={on_consumers}
                />
            </div>
            <NoticeBar notice={state.notice.clone()} />
            <PlacementExplainer last={state.last.clone()} partitions={partition_count} />
            <GroupPanel
                strategy={state.group.config().strategy}
                members={state.group.members().to_vec()}
                generation={state.group.generation()}
                rebalancing={state.group.is_rebalancing()}
                rounds={state.group.rounds().to_vec()}
                onadd={on_add}
                onremove={on_remove}
                oncrash={on_crash}
                onassignor={on_assignor}
            />
            <PartitionLanes topic={state.topic.clone()} {highlight} group={lanes} />
        </section>
    }
}
