//! The consumer groups' controls: which group the controls act on, its assignor (one of the classic
//! protocol's, or the broker's under KIP-848's consumer protocol), its consumers joining,
//! leaving and crashing, a new group, an offset reset, and the chosen group's rebalance log. The groups
//! and their consumers are drawn in the partition diagram.

use kplay_core::group::assignor::Assignor;
use web_sys::HtmlSelectElement;
use yew::prelude::*;

/// Props of [`GroupPanel`].
#[derive(Properties, PartialEq)]
pub struct GroupPanelProps {
    /// The group the controls act on.
    pub group: String,
    /// Its assignor (a classic strategy, or the broker's under the consumer protocol).
    pub strategy: Assignor,
    /// Its generation or group epoch, and any rebalance under way, in words.
    pub status: String,
    /// Its completed rounds, oldest first.
    pub rounds: Vec<String>,
    /// A consumer joins.
    pub onadd: Callback<()>,
    /// The newest consumer leaves.
    pub onremove: Callback<()>,
    /// The newest consumer crashes.
    pub oncrash: Callback<()>,
    /// The assignor changes (by name).
    pub onassignor: Callback<String>,
    /// A new group starts reading.
    pub onaddgroup: Callback<()>,
    /// The group's offsets are reset: to `earliest`, `latest`, `offset` or `timestamp`, with the typed
    /// offset or time for the last two.
    pub onreset: Callback<(String, String)>,
    /// Whether consumers added now are static members.
    pub static_members: bool,
    /// Static membership is turned on or off for consumers added from now.
    pub onstatic: Callback<bool>,
    /// The newest stopped static consumer comes back.
    pub onrejoin: Callback<()>,
}

/// An assignor as the select offers it: the broker's ones say they switch the group to KIP-848's protocol.
fn label(assignor: Assignor) -> String {
    match assignor {
        Assignor::Client(_) => assignor.name().to_owned(),
        Assignor::Server(_) => format!("{} (consumer protocol, KIP-848)", assignor.name()),
    }
}

/// The controls of the chosen group, and its rebalance log.
#[function_component(GroupPanel)]
pub fn group_panel(props: &GroupPanelProps) -> Html {
    let reset_to = use_state(|| "earliest".to_owned());
    let reset_at = use_state(|| "0".to_owned());

    // Callbacks
    let click = |callback: &Callback<()>| {
        let callback = callback.clone();
        Callback::from(move |_: MouseEvent| callback.emit(()))
    };
    let selected_value = |e: Event| e.target_unchecked_into::<HtmlSelectElement>().value();
    let onassignor = props.onassignor.reform(selected_value);
    let onresetto = {
        let reset_to = reset_to.setter();
        Callback::from(move |e: Event| reset_to.set(selected_value(e)))
    };
    let onstatic = props.onstatic.reform(|e: Event| {
        e.target_unchecked_into::<web_sys::HtmlInputElement>()
            .checked()
    });
    let onresetat = {
        let reset_at = reset_at.setter();
        Callback::from(move |e: Event| {
            reset_at.set(
                e.target_unchecked_into::<web_sys::HtmlInputElement>()
                    .value(),
            );
        })
    };
    let onreset = {
        let (callback, to, at) = (
            props.onreset.clone(),
            (*reset_to).clone(),
            (*reset_at).clone(),
        );
        Callback::from(move |_: MouseEvent| callback.emit((to.clone(), at.clone())))
    };
    let at_label = match reset_to.as_str() {
        "offset" => Some("offset"),
        "timestamp" => Some("time (ms)"),
        _ => None,
    };

    // Render
    html! {
        <div class="group-panel">
            <div class="controls">
                <span class="group-status acting">{ "Acting on " }<strong data-testid="selected-group">{ &props.group }</strong></span>
                <label class="field">
                    <span>{ "Assignor" }</span>
                    <select data-testid="assignor-select" onchange={onassignor}>
                        { for Assignor::NAMED.iter().map(|&(name, a)| html! {
                            <option value={name} selected={a == props.strategy}>{ label(a) }</option>
                        }) }
                    </select>
                </label>
                <button type="button" data-testid="add-consumer" onclick={click(&props.onadd)}>{ "Add consumer" }</button>
                <button type="button" class="secondary" data-testid="remove-consumer" onclick={click(&props.onremove)}>{ "Remove consumer" }</button>
                <button type="button" class="secondary" data-testid="crash-consumer" onclick={click(&props.oncrash)}>{ "Crash consumer" }</button>
                <label class="field inline" title="Consumers added from now get a group.instance.id: one that stops keeps its partitions until its session expires">
                    <input type="checkbox" data-testid="static-members" checked={props.static_members} onchange={onstatic} />
                    <span>{ "static (group.instance.id)" }</span>
                </label>
                <button type="button" class="secondary" data-testid="rejoin-consumer" onclick={click(&props.onrejoin)}
                    title="The newest stopped static consumer comes back with its group.instance.id">{ "Restart static consumer" }</button>
                <span class="group-status" data-testid="group-status">
                    { &props.status }
                </span>
            </div>
            <div class="controls">
                <button type="button" class="secondary" data-testid="add-group" onclick={click(&props.onaddgroup)}
                    title="Another group reads every record of the topic on its own">{ "Add group" }</button>
                <label class="field inline">
                    <span>{ "Reset offsets to" }</span>
                    <select data-testid="reset-offsets-to" onchange={onresetto}>
                        <option value="earliest" selected={*reset_to == "earliest"}>{ "earliest" }</option>
                        <option value="latest" selected={*reset_to == "latest"}>{ "latest" }</option>
                        <option value="offset" selected={*reset_to == "offset"}>{ "an offset" }</option>
                        <option value="timestamp" selected={*reset_to == "timestamp"}>{ "a time" }</option>
                    </select>
                </label>
                if let Some(label) = at_label {
                    <label class="field inline">
                        <span>{ label }</span>
                        <input type="number" min="0" data-testid="reset-offsets-at" value={(*reset_at).clone()} onchange={onresetat} />
                    </label>
                }
                <button type="button" class="secondary" data-testid="reset-offsets" onclick={onreset}
                    title="kafka-consumer-groups.sh --reset-offsets: the group's consumers stop, its offsets move, they start again">
                    { "Reset offsets" }
                </button>
            </div>
            if !props.rounds.is_empty() {
                <details class="rebalance-log" open=true>
                    <summary>{ format!("Rebalance log of {}", props.group) }</summary>
                    <ol reversed=true data-testid="rebalance-log">
                        { for props.rounds.iter().rev().map(|round| html! { <li>{ round }</li> }) }
                    </ol>
                </details>
            }
        </div>
    }
}
