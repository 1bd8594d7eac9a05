//! The replication view: the cluster's shape, a producer with its `acks`, the counts, and the replication
//! diagram of the brokers' replicas, on a timeline ([`crate::state::replication`]).

use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use super::notice::NoticeBar;
use super::number_field::NumberField;
use super::record_clip::RecordClip;
use super::replication_diagram::ReplicationDiagram;
use super::timeline::Timeline;
use crate::state::replication::{
    self, BATCH, BrokerChange, MAX_BROKERS, PASS_MS, Shape, TOPIC, acks,
};
use crate::state::world::{WorldAction, WorldView};

/// Props of [`ReplicationView`].
#[derive(Properties, PartialEq)]
pub struct ReplicationViewProps {
    /// The view's world (the app keeps it, so it survives switching views).
    pub world: UseReducerHandle<WorldView>,
}

/// The replication view.
#[function_component(ReplicationView)]
pub fn replication_view(props: &ReplicationViewProps) -> Html {
    let world = props.world.clone();
    let chosen_acks = use_state(|| "all".to_owned());
    let frame = world.frame.clone();
    let shape = frame.as_deref().map_or_else(Shape::default, |f| Shape {
        brokers: f.brokers.len() as u32,
        replication_factor: f.config.as_ref().map_or(1, |c| c.replication_factor),
        min_insync_replicas: f.config.as_ref().map_or(1, |c| c.min_insync_replicas),
        unclean: f
            .config
            .as_ref()
            .is_some_and(|c| c.unclean_leader_election_enable),
    });

    // Callbacks: a field changes the cluster's shape, which starts a new world. They stay the same
    // between frames, so a field being typed in is not redrawn (`NumberField`).
    let fields = use_memo((world.dispatcher(), shape), |(world, shape)| {
        [0, 1, 2].map(|which| {
            let (world, shape) = (world.clone(), *shape);
            Callback::from(move |typed: String| {
                let mut fields = [
                    shape.brokers.to_string(),
                    shape.replication_factor.to_string(),
                    shape.min_insync_replicas.to_string(),
                ];
                fields[which] = typed;
                reshape(
                    &world,
                    Shape::parse(&fields[0], &fields[1], &fields[2], shape.unclean),
                );
            })
        })
    });
    let on_unclean = {
        let world = world.dispatcher();
        Callback::from(move |e: Event| {
            let unclean = e.target_unchecked_into::<HtmlInputElement>().checked();
            reshape(&world, Ok(Shape { unclean, ..shape }));
        })
    };
    let on_acks = {
        let chosen = chosen_acks.clone();
        Callback::from(move |e: Event| {
            chosen.set(e.target_unchecked_into::<HtmlSelectElement>().value());
        })
    };
    let on_produce = {
        let (world, chosen) = (world.dispatcher(), chosen_acks.clone());
        Callback::from(move |_: MouseEvent| {
            world.dispatch(WorldAction::act(acks(&chosen).map(replication::produce)));
        })
    };
    let pass = {
        let world = world.clone();
        Callback::from(move |_: MouseEvent| {
            world.dispatch(WorldAction::Go(world.at_ms().saturating_add(PASS_MS)));
        })
    };
    let on_broker = {
        let world = world.dispatcher();
        Callback::from(move |(broker, change): (u32, BrokerChange)| {
            world.dispatch(WorldAction::Act(replication::broker(broker, change)));
        })
    };

    // Render
    let max = Some(AttrValue::from(MAX_BROKERS.to_string()));
    let controls = html! {
        <div class="controls">
            <NumberField label="Brokers" test_id="brokers-input" min="1" max={max.clone()}
                value={shape.brokers.to_string()} onchange={fields[0].clone()} />
            <NumberField label="Replication factor" test_id="replication-factor-input" min="1" max={max.clone()}
                value={shape.replication_factor.to_string()} onchange={fields[1].clone()} />
            <NumberField label="min.insync.replicas" test_id="min-isr-input" min="1" max={max}
                value={shape.min_insync_replicas.to_string()} onchange={fields[2].clone()} />
            <label class="field">
                <span>{ "acks" }</span>
                <select data-testid="acks-select" onchange={on_acks}>
                    { for ["0", "1", "all"].into_iter().map(|a| html! { <option value={a} selected={a == chosen_acks.as_str()}>{ a }</option> }) }
                </select>
            </label>
            <label class="field inline">
                <input type="checkbox" data-testid="unclean-election" checked={shape.unclean} onchange={on_unclean} />
                <span>{ "unclean.leader.election.enable" }</span>
            </label>
            <button type="button" data-testid="produce-replicated" onclick={on_produce}>{ format!("Produce {BATCH}") }</button>
            <button type="button" class="secondary" data-testid="advance-time" onclick={pass}>
                { format!("Let {} s pass", PASS_MS / 1_000) }
            </button>
        </div>
    };
    let header = html! {
        <>
            <h2 id="replication-title">{ "Replication: leaders, followers and the ISR" }</h2>
            <Timeline world={world.clone()} />
        </>
    };
    let Some(frame) = frame else {
        return html! {
            <section class="panel replication-view" aria-labelledby="replication-title">
                { header }
                <NoticeBar notice={world.notice.clone()} />
            </section>
        };
    };
    let partition = frame
        .state
        .topics
        .get(TOPIC)
        .and_then(|t| t.partitions.first());
    let (high_watermark, epoch) = partition.map_or((0, 0), |p| (p.high_watermark, p.leader_epoch));
    let tally = frame.tally;
    let error = frame
        .state
        .produced
        .last()
        .and_then(|p| p.error.clone())
        .filter(|_| world.notice.is_none());
    html! {
        <section class="panel replication-view" aria-labelledby="replication-title">
            { header }
            { controls }
            <p class="hint">{ "min.insync.replicas starts at 2 here, the usual production setting (Kafka's default is 1): acks=all then survives one broker down and is refused (NOT_ENOUGH_REPLICAS, retried by the producer) when two are." }</p>
            <NoticeBar notice={world.notice.clone()} />
            if let Some(error) = error {
                <p class="notice refused" role="alert" data-testid="replication-message">
                    { format!("{error}: the last write was refused or failed; the producer retries retriable errors until delivery.timeout.ms (120 s), then reports TIMEOUT.") }
                </p>
            }
            <p class="counts" data-testid="replication-counts">
                { format!("{} produced \u{b7} {} acknowledged \u{b7} {} retrying \u{b7} {} failed \u{b7} high watermark {high_watermark} \u{b7} leader epoch {epoch}",
                    tally.produced, tally.acknowledged, tally.retrying, tally.failed) }
                if tally.duplicates > 0 {
                    { format!(" \u{b7} {} written twice by retries", tally.duplicates) }
                }
            </p>
            if !frame.lost_writes.is_empty() {
                <p class="notice refused" data-testid="lost-writes">
                    { format!("{} acknowledged write(s) lost: {}", frame.lost_writes.len(),
                        frame.lost_writes.iter().map(|w| format!("#{w}")).collect::<Vec<_>>().join(", ")) }
                </p>
            }
            <RecordClip target="replication-diagram" />
            <ReplicationDiagram
                brokers={frame.brokers.clone()}
                partition={partition.cloned()}
                lost={frame.lost_writes.clone()}
                onchange={on_broker}
            />
        </section>
    }
}

/// Starts a world of `shape`, or says why the fields were refused.
fn reshape(world: &UseReducerDispatcher<WorldView>, shape: Result<Shape, String>) {
    world.dispatch(match shape {
        Ok(shape) => WorldAction::Restart(
            shape.script(),
            format!(
                "A new cluster: {} broker(s), replication factor {}, min.insync.replicas {}{}. The timeline starts again.",
                shape.brokers,
                shape.replication_factor,
                shape.min_insync_replicas,
                if shape.unclean {
                    ", unclean election on"
                } else {
                    ""
                }
            ),
        ),
        Err(message) => WorldAction::Refuse(message),
    });
}
