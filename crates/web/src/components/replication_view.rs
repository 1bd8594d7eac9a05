//! The replication view: brokers, each replica's log, the leader and the ISR, and what a producer's
//! `acks` buys when brokers fail.

use kplay_core::cluster::{Acks, BrokerId};
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use super::number_field::NumberField;
use crate::state::replication::{ADVANCE, Action, ReplicationState};

/// The replication view, with its own state.
#[function_component(ReplicationView)]
pub fn replication_view() -> Html {
    let state = use_reducer(ReplicationState::default);
    let config = *state.cluster.config();
    let draft = use_mut_ref(|| {
        (
            config.brokers.to_string(),
            config.replication_factor.to_string(),
            config.min_insync_replicas.to_string(),
        )
    });

    // Callbacks
    let configure = {
        let (dispatcher, draft) = (state.dispatcher(), draft.clone());
        move |unclean: bool| {
            let (brokers, replication_factor, min_isr) = draft.borrow().clone();
            dispatcher.dispatch(Action::Configure {
                brokers,
                replication_factor,
                min_isr,
                unclean,
            });
        }
    };
    let field = |slot: fn(&mut (String, String, String)) -> &mut String| {
        let (configure, draft) = (configure.clone(), draft.clone());
        let unclean = config.unclean_leader_election;
        Callback::from(move |typed: String| {
            *slot(&mut draft.borrow_mut()) = typed;
            configure(unclean);
        })
    };
    let on_unclean = {
        let configure = configure.clone();
        Callback::from(move |e: Event| {
            configure(e.target_unchecked_into::<HtmlInputElement>().checked())
        })
    };
    let on_acks = {
        let dispatcher = state.dispatcher();
        Callback::from(move |e: Event| {
            dispatcher.dispatch(Action::SetAcks(
                e.target_unchecked_into::<HtmlSelectElement>().value(),
            ))
        })
    };
    let send = |action: Action| {
        let dispatcher = state.dispatcher();
        Callback::from(move |_: MouseEvent| dispatcher.dispatch(action.clone()))
    };

    // Render
    let partition = &state.cluster.partitions()[0];
    let lost = state.cluster.lost_acknowledged();
    let acks_name = match state.acks {
        Acks::None => "0",
        Acks::Leader => "1",
        Acks::All => "all",
    };
    html! {
        <section class="panel replication-view" aria-labelledby="replication-title">
            <h2 id="replication-title">{ "Replication: leaders, followers and the ISR" }</h2>
            <div class="controls">
                <NumberField label="Brokers" test_id="brokers-input" min="1" max={Some(AttrValue::from("5"))}
                    value={config.brokers.to_string()} onchange={field(|d| &mut d.0)} />
                <NumberField label="Replication factor" test_id="replication-factor-input" min="1" max={Some(AttrValue::from("5"))}
                    value={config.replication_factor.to_string()} onchange={field(|d| &mut d.1)} />
                <NumberField label="min.insync.replicas" test_id="min-isr-input" min="1" max={Some(AttrValue::from("5"))}
                    value={config.min_insync_replicas.to_string()} onchange={field(|d| &mut d.2)} />
                <label class="field">
                    <span>{ "acks" }</span>
                    <select data-testid="acks-select" onchange={on_acks}>
                        { for ["0", "1", "all"].into_iter().map(|a| html! { <option value={a} selected={a == acks_name}>{ a }</option> }) }
                    </select>
                </label>
                <label class="field inline">
                    <input type="checkbox" data-testid="unclean-election" checked={config.unclean_leader_election} onchange={on_unclean} />
                    <span>{ "unclean.leader.election.enable" }</span>
                </label>
                <button type="button" data-testid="produce-replicated" onclick={send(Action::Produce(5))}>{ "Produce 5" }</button>
                <button type="button" class="secondary" data-testid="advance-time" onclick={send(Action::Advance)}>
                    { format!("Let {} s pass", ADVANCE.as_millis() / 1_000) }
                </button>
            </div>
            if let Some((ok, message)) = &state.message {
                <p class={classes!("notice", if *ok { "info" } else { "refused" })} role={if *ok { "status" } else { "alert" }}
                    data-testid="replication-message">{ message }</p>
            }
            <p class="counts" data-testid="replication-counts">
                { format!("{} produced \u{b7} {} acknowledged \u{b7} {} refused or failed \u{b7} high watermark {} \u{b7} leader epoch {}",
                    state.produced, state.acknowledged, state.refused, partition.high_watermark, partition.leader_epoch) }
            </p>
            if !lost.is_empty() {
                <p class="notice refused" data-testid="lost-writes">
                    { format!("{} acknowledged write(s) lost: {}", lost.len(), lost.iter().map(|w| format!("#{w}")).collect::<Vec<_>>().join(", ")) }
                </p>
            }
            <ol class="brokers">
                { for (0..config.brokers).map(|b| broker_view(&state, b, &send)) }
            </ol>
        </section>
    }
}

fn broker_view(
    state: &ReplicationState,
    broker: BrokerId,
    send: &dyn Fn(Action) -> Callback<MouseEvent>,
) -> Html {
    let partition = &state.cluster.partitions()[0];
    let alive = state.cluster.is_alive(broker);
    let replica = partition.replicas.iter().find(|r| r.broker == broker);
    let role = match replica {
        None => "no replica",
        Some(_) if partition.leader == Some(broker) => "\u{2605} leader",
        Some(_) if partition.isr.contains(&broker) => "\u{2713} in sync",
        Some(_) => "\u{2717} out of sync",
    };
    html! {
        <li class={classes!("broker", (!alive).then_some("down"))} data-testid={format!("broker-{broker}")}>
            <strong>{ format!("Broker {broker}") }</strong>
            <span class="broker-state">{ if alive { if state.stalled(broker) { "up, not fetching" } else { "up" } } else { "down" } }</span>
            <span class="broker-role">{ role }</span>
            if let Some(replica) = replica {
                <span class="replica-log">
                    { for replica.log.iter().enumerate().map(|(offset, record)| html! {
                        <span class={classes!("record", (offset as u64 >= partition.high_watermark).then_some("uncommitted"))}
                            title={format!("offset {offset}, write #{}, leader epoch {}", record.write, record.epoch)}>
                            { format!("{offset}:#{}", record.write) }
                        </span>
                    }) }
                </span>
            }
            <span class="broker-actions">
                if alive {
                    <button type="button" class="secondary" data-testid={format!("kill-broker-{broker}")} onclick={send(Action::Fail(broker))}>{ "Kill" }</button>
                    <button type="button" class="secondary" data-testid={format!("stall-broker-{broker}")} onclick={send(Action::ToggleStall(broker))}>
                        { if state.stalled(broker) { "Resume fetching" } else { "Stall" } }
                    </button>
                } else {
                    <button type="button" data-testid={format!("restore-broker-{broker}")} onclick={send(Action::Restore(broker))}>{ "Restore" }</button>
                }
            </span>
        </li>
    }
}
