//! The partition view: a producer, how each record's partition was chosen, the consumer groups' controls,
//! the partition diagram, and the timeline of the world they live in ([`crate::state::partitions`]).

use kplay_core::group::assignor::{Assignor, Strategy};
use kplay_worker::protocol::Intent;
use yew::prelude::*;

use super::group_panel::GroupPanel;
use super::group_scoreboard::GroupScoreboard;
use super::notice::NoticeBar;
use super::number_field::NumberField;
use super::partition_diagram::{DiagramGroup, PartitionDiagram};
use super::placement::PlacementExplainer;
use super::producer::Producer;
use super::record_clip::RecordClip;
use super::timeline::Timeline;
use super::transaction_panel::TransactionPanel;
use crate::state::partitions::{
    self, GROUP, MAX_CONSUMERS, MAX_PRODUCE_RATE, PARTITIONS, TOPIC, lanes, live_consumers,
    partition_count,
};
use crate::state::scoreboard;
use crate::state::world::{WorldAction, WorldView};

/// Props of [`PartitionView`].
#[derive(Properties, PartialEq)]
pub struct PartitionViewProps {
    /// The view's world (the app keeps it, so it survives switching views).
    pub world: UseReducerHandle<WorldView>,
}

/// The partition view.
#[function_component(PartitionView)]
pub fn partition_view(props: &PartitionViewProps) -> Html {
    let world = props.world.clone();
    // The strategy new consumers join with while the group has none (then the group's own shows).
    let chosen = use_state(|| Assignor::Client(Strategy::Range));
    // The key of the last record produced here, for the placement explainer.
    let last_key = use_state(|| None::<Option<String>>);
    // The group the controls act on (the first one while it is not in the world).
    let picked = use_state(|| GROUP.to_owned());
    // Whether consumers added now are static members (`group.instance.id`).
    let static_members = use_state(|| false);
    // Whether consumers added now read only committed records (`isolation.level`).
    let read_committed = use_state(|| false);

    let frame = world.frame.clone();
    let group = frame.as_deref().map_or_else(
        || GROUP.to_owned(),
        |f| partitions::selected(f, &picked).to_owned(),
    );
    let group_view = frame.as_deref().and_then(|f| f.state.groups.get(&group));
    let count = frame.as_deref().map_or(0, partition_count);
    let live = frame.as_deref().map_or(0, |f| live_consumers(f, &group));
    let strategy = group_view
        .filter(|g| !g.members.0.is_empty())
        .and_then(|g| Assignor::of_group(&g.protocol, &g.strategy))
        .unwrap_or(*chosen);
    let status = group_view.map_or_else(|| "generation 0".to_owned(), partitions::group_status);
    let in_transaction = frame.as_deref().is_some_and(partitions::in_transaction);

    // Callbacks: stable between frames, so a field being typed in is not redrawn (`NumberField`).
    let on_partitions = use_callback(
        (world.dispatcher(), count),
        |typed: String, (world, count)| {
            act_on(world, partitions::set_partitions(*count, &typed));
        },
    );
    let on_produce = use_callback(
        (world.dispatcher(), last_key.setter(), in_transaction),
        |key: Option<String>, (world, last_key, in_transaction)| {
            last_key.set(Some(key.clone()));
            world.dispatch(WorldAction::Act(partitions::produce(key, *in_transaction)));
        },
    );
    let on_transaction = use_callback(world.dispatcher(), |call: &'static str, world| {
        world.dispatch(WorldAction::Act(partitions::transaction(call)));
    });
    let on_read_committed = use_callback(read_committed.setter(), |on: bool, read_committed| {
        read_committed.set(on);
    });
    let on_add = use_callback(
        (
            world.dispatcher(),
            group.clone(),
            strategy,
            *static_members,
            *read_committed,
        ),
        |(), (world, group, strategy, static_members, read_committed)| {
            world.dispatch(WorldAction::Act(partitions::join(
                group,
                1,
                *strategy,
                *static_members,
                *read_committed,
            )));
        },
    );
    let on_static = use_callback(static_members.setter(), |on: bool, static_members| {
        static_members.set(on);
    });
    let on_rejoin = use_callback(
        (world.dispatcher(), group.clone(), strategy),
        |(), (world, group, strategy)| {
            world.dispatch(WorldAction::Act(partitions::rejoin(group, *strategy)));
        },
    );
    let on_remove = use_callback((world.dispatcher(), group.clone()), |(), (world, group)| {
        world.dispatch(WorldAction::Act(partitions::stop_newest(group, false)));
    });
    let on_crash = use_callback((world.dispatcher(), group.clone()), |(), (world, group)| {
        world.dispatch(WorldAction::Act(partitions::stop_newest(group, true)));
    });
    let on_consumers = use_callback(
        (
            world.dispatcher(),
            group.clone(),
            live,
            strategy,
            *static_members,
            *read_committed,
        ),
        |typed: String, (world, group, live, strategy, static_members, read_committed)| {
            act_on(
                world,
                partitions::set_consumers(
                    group,
                    *live,
                    &typed,
                    *strategy,
                    *static_members,
                    *read_committed,
                ),
            );
        },
    );
    let on_rate = use_callback(world.dispatcher(), |typed: String, world| {
        act_on(world, partitions::stream(&typed).map(Some));
    });
    let on_assignor = use_callback(
        (world.dispatcher(), chosen.setter(), group.clone(), live),
        |name: String, (world, chosen, group, live)| match name.parse::<Assignor>() {
            Ok(next) => {
                chosen.set(next);
                if *live > 0 {
                    world.dispatch(WorldAction::Act(partitions::restart(group, next)));
                }
            }
            Err(err) => world.dispatch(WorldAction::Refuse(err.to_string())),
        },
    );
    let on_add_group = use_callback(
        (
            world.dispatcher(),
            frame.clone(),
            picked.setter(),
            *chosen,
            *read_committed,
        ),
        |(), (world, frame, picked, chosen, read_committed)| {
            let Some(frame) = frame else { return };
            match partitions::add_group(frame, *chosen, *read_committed) {
                Ok((name, intent)) => {
                    picked.set(name);
                    world.dispatch(WorldAction::Act(intent));
                }
                Err(message) => world.dispatch(WorldAction::Refuse(message)),
            }
        },
    );
    let on_remove_group = use_callback(world.dispatcher(), |name: String, world| {
        world.dispatch(WorldAction::Act(partitions::remove_group(&name)));
    });
    let on_reset = use_callback(
        (world.dispatcher(), group.clone(), strategy),
        |(to, at): (String, String), (world, group, strategy)| {
            world.dispatch(WorldAction::act(partitions::reset_offsets(
                group, &to, &at, *strategy,
            )));
        },
    );
    let groups = frame.as_deref().map(DiagramGroup::all).unwrap_or_default();
    let selected = groups.iter().position(|g| g.name == group).unwrap_or(0);
    let on_select = use_callback(
        (
            picked.setter(),
            groups.iter().map(|g| g.name.clone()).collect::<Vec<_>>(),
        ),
        |i: usize, (picked, names)| {
            if let Some(name) = names.get(i) {
                picked.set(name.clone());
            }
        },
    );

    let Some(frame) = frame else {
        return html! {
            <section class="panel partition-view" aria-labelledby="partition-view-title">
                <h2 id="partition-view-title">{ format!("Topic \u{201c}{TOPIC}\u{201d}") }</h2>
                <NoticeBar notice={world.notice.clone()} />
                <Timeline world={world.clone()} />
            </section>
        };
    };
    let placed = frame.state.produced.last().map(|p| (p.partition, p.offset));
    let highlight = placed.and_then(|(partition, offset)| offset.map(|o| (partition, o)));
    let rounds = frame
        .rounds
        .iter()
        .find(|(name, _)| *name == group)
        .map(|(_, rounds)| rounds.clone())
        .unwrap_or_default();
    html! {
        <section class="panel partition-view" aria-labelledby="partition-view-title">
            <h2 id="partition-view-title">{ format!("Topic \u{201c}{TOPIC}\u{201d}") }</h2>
            <Timeline world={world.clone()} />
            <div class="controls">
                <NumberField
                    label="Partitions"
                    test_id="partition-count"
                    value={count.to_string()}
                    min={PARTITIONS.start().to_string()}
                    max={Some(AttrValue::from(PARTITIONS.end().to_string()))}
                    onchange={on_partitions}
                />
                <Producer onproduce={on_produce} />
                <NumberField
                    label={format!("Keyed records per second, for {} s", partitions::STREAM_SECONDS)}
                    test_id="produce-rate"
                    value=""
                    min="1"
                    max={Some(AttrValue::from(MAX_PRODUCE_RATE.to_string()))}
                    onchange={on_rate}
                />
                <NumberField
                    label={format!("Consumers in {group}")}
                    test_id="consumers-input"
                    value={live.to_string()}
                    min="0"
                    max={Some(AttrValue::from(MAX_CONSUMERS.to_string()))}
                    onchange={on_consumers}
                />
            </div>
            <TransactionPanel
                status={partitions::transaction_status(&frame)}
                open={in_transaction}
                read_committed={*read_committed}
                oncall={on_transaction}
                onreadcommitted={on_read_committed}
            />
            <NoticeBar notice={world.notice.clone()} />
            <PlacementExplainer produced_key={(*last_key).clone()} {placed} partitions={count} />
            <GroupPanel
                group={group.clone()}
                {strategy}
                {status}
                {rounds}
                onadd={on_add}
                onremove={on_remove}
                oncrash={on_crash}
                onassignor={on_assignor}
                onaddgroup={on_add_group}
                onreset={on_reset}
                static_members={*static_members}
                onstatic={on_static}
                onrejoin={on_rejoin}
            />
            <p class="visually-hidden" aria-live="polite" data-testid="diagram-summary">{ partitions::summary(&frame) }</p>
            <RecordClip target="partition-diagram" />
            <PartitionDiagram
                lanes={lanes(&frame)}
                tails={frame.tails.clone()}
                {groups}
                {selected}
                at_ms={frame.at_ms}
                {highlight}
                onselect={on_select}
                onremove={on_remove_group}
            />
            <GroupScoreboard scores={scoreboard::scores(&frame)} />
        </section>
    }
}

/// Sends what a typed field asks for, or says why it was refused.
fn act_on(world: &UseReducerDispatcher<WorldView>, result: Result<Option<Intent>, String>) {
    if let Some(result) = result.transpose() {
        world.dispatch(WorldAction::act(result));
    }
}
