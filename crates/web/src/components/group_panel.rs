//! The consumer group: controls, its members with their partitions, and the rebalance log.

use kplay_core::group::assignor::Strategy;
use kplay_core::world::state::MemberView;
use web_sys::HtmlSelectElement;
use yew::prelude::*;

/// Rounds shown in the log, newest first.
/// Consumers listed one by one; a bigger group's others are summarised in a line (the partition grid
/// still names every owner), so a rebalance of hundreds of consumers stays one short frame.
const LISTED_CONSUMERS: usize = 64;

/// Props of [`GroupPanel`].
#[derive(Properties, PartialEq)]
pub struct GroupPanelProps {
    /// The assignor in use.
    pub strategy: Strategy,
    /// Members in join order.
    pub members: Vec<(String, MemberView)>,
    /// The group's generation.
    pub generation: i32,
    /// Whether a rebalance is under way.
    pub rebalancing: bool,
    /// Completed rounds, oldest first.
    pub rounds: Vec<String>,
    /// A consumer joins.
    pub onadd: Callback<()>,
    /// The newest consumer leaves.
    pub onremove: Callback<()>,
    /// The newest consumer crashes.
    pub oncrash: Callback<()>,
    /// The assignor changes (by name).
    pub onassignor: Callback<String>,
}

/// Group controls, members and rebalance log.
#[function_component(GroupPanel)]
pub fn group_panel(props: &GroupPanelProps) -> Html {
    // Callbacks
    let click = |callback: &Callback<()>| {
        let callback = callback.clone();
        Callback::from(move |_: MouseEvent| callback.emit(()))
    };
    let onassignor = {
        let callback = props.onassignor.clone();
        Callback::from(move |e: Event| {
            callback.emit(e.target_unchecked_into::<HtmlSelectElement>().value())
        })
    };

    // Render
    html! {
        <div class="group-panel">
            <div class="controls">
                <label class="field">
                    <span>{ "Assignor" }</span>
                    <select data-testid="assignor-select" onchange={onassignor}>
                        { for Strategy::ALL.iter().map(|s| html! {
                            <option value={s.name()} selected={*s == props.strategy}>{ s.name() }</option>
                        }) }
                    </select>
                </label>
                <button type="button" data-testid="add-consumer" onclick={click(&props.onadd)}>{ "Add consumer" }</button>
                <button type="button" class="secondary" data-testid="remove-consumer" onclick={click(&props.onremove)}>{ "Remove consumer" }</button>
                <button type="button" class="secondary" data-testid="crash-consumer" onclick={click(&props.oncrash)}>{ "Crash consumer" }</button>
                <span class="group-status" data-testid="group-status">
                    { format!("generation {}{}", props.generation, if props.rebalancing { " \u{b7} rebalancing\u{2026}" } else { "" }) }
                </span>
            </div>
            <ul class={classes!("consumers", (props.members.len() > LISTED_CONSUMERS).then_some("compact"))} aria-label="Consumers">
                { for props.members.iter().take(LISTED_CONSUMERS).map(consumer_view) }
            </ul>
            if let Some(summary) = summarise(props.members.get(LISTED_CONSUMERS..).unwrap_or_default()) {
                <p class="group-status" data-testid="more-consumers">{ summary }</p>
            }
            if !props.rounds.is_empty() {
                <details class="rebalance-log" open=true>
                    <summary>{ "Rebalance log" }</summary>
                    <ol reversed=true data-testid="rebalance-log">
                        { for props.rounds.iter().rev().map(|round| html! { <li>{ round }</li> }) }
                    </ol>
                </details>
            }
        </div>
    }
}

/// "and N more: B busy, I idle, C crashed" for the consumers not listed.
fn summarise(rest: &[(String, MemberView)]) -> Option<String> {
    if rest.is_empty() {
        return None;
    }
    let crashed = rest.iter().filter(|(_, m)| !m.alive).count();
    let idle = rest
        .iter()
        .filter(|(_, m)| m.alive && m.assigned.is_empty())
        .count();
    Some(format!(
        "and {} more: {} busy, {idle} idle, {crashed} crashed",
        rest.len(),
        rest.len() - idle - crashed
    ))
}

fn consumer_view((name, member): &(String, MemberView)) -> Html {
    let partitions: Vec<String> = member
        .assigned
        .iter()
        .map(|(_, partition)| format!("P{partition}"))
        .collect();
    let (class, status) = match (member.alive, partitions.is_empty()) {
        (false, _) => ("crashed", "\u{2716} crashed".to_owned()),
        (true, true) => ("idle", "\u{25cb} idle".to_owned()),
        (true, false) => ("busy", format!("\u{25cf} {}", partitions.join(" "))),
    };
    html! {
        <li class={classes!("consumer", class)} data-testid={format!("consumer-{name}")} title={format!("member id {}", member.member_id)}>
            <strong>{ name }</strong>
            <span>{ status }</span>
        </li>
    }
}
