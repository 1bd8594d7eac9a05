//! The log-and-retention view: one partition's segments, the log start and end offsets, retention by
//! time and size, and compaction with keys and tombstones.

use kplay_core::log::CleanupPolicy;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use super::number_field::NumberField;
use crate::state::retention::{Action, RetentionState};

/// The log-and-retention view, with its own state.
#[function_component(RetentionView)]
pub fn retention_view() -> Html {
    let state = use_reducer(RetentionState::default);
    let key = use_node_ref();

    // Callbacks
    let send = |action: Action| {
        let dispatcher = state.dispatcher();
        Callback::from(move |_: MouseEvent| dispatcher.dispatch(action.clone()))
    };
    let produce_key = |tombstone: bool| {
        let (dispatcher, key) = (state.dispatcher(), key.clone());
        Callback::from(move |_: MouseEvent| {
            let typed = key
                .cast::<HtmlInputElement>()
                .map(|k| k.value())
                .unwrap_or_default();
            dispatcher.dispatch(Action::Produce {
                key: typed,
                tombstone,
            });
        })
    };
    let on_policy = {
        let dispatcher = state.dispatcher();
        Callback::from(move |e: Event| {
            dispatcher.dispatch(Action::SetPolicy(
                e.target_unchecked_into::<HtmlSelectElement>().value(),
            ))
        })
    };
    let on_retention_ms = use_callback(state.dispatcher(), |typed: String, d| {
        d.dispatch(Action::SetRetentionMs(typed))
    });
    let on_retention_bytes = use_callback(state.dispatcher(), |typed: String, d| {
        d.dispatch(Action::SetRetentionBytes(typed))
    });

    // Render
    let config = *state.log.config();
    let policy = match config.cleanup_policy {
        CleanupPolicy::Delete => "delete",
        CleanupPolicy::Compact => "compact",
        CleanupPolicy::CompactDelete => "compact,delete",
    };
    let segments = state.log.segments().len();
    html! {
        <section class="panel retention-view" aria-labelledby="retention-title">
            <h2 id="retention-title">{ "The log: segments, retention and compaction" }</h2>
            <div class="controls">
                <label class="field">
                    <span>{ "cleanup.policy" }</span>
                    <select data-testid="policy-select" onchange={on_policy}>
                        { for ["delete", "compact", "compact,delete"].into_iter().map(|p| html! { <option value={p} selected={p == policy}>{ p }</option> }) }
                    </select>
                </label>
                <NumberField label="retention.ms (-1: none)" test_id="retention-ms-input" min="-1"
                    value={config.retention_ms.map_or(-1, |d| d.as_millis() as i64).to_string()} onchange={on_retention_ms} />
                <NumberField label="retention.bytes (-1: none)" test_id="retention-bytes-input" min="-1"
                    value={config.retention_bytes.map_or(-1, |b| b as i64).to_string()} onchange={on_retention_bytes} />
                <button type="button" data-testid="produce-many" onclick={send(Action::ProduceMany(10))}>{ "Produce 10 (keys k0–k4)" }</button>
                <button type="button" class="secondary" data-testid="advance-clock" onclick={send(Action::Advance(30))}>{ "Let 30 s pass" }</button>
                <button type="button" class="secondary" data-testid="run-retention" onclick={send(Action::Retention)}>{ "Run retention check" }</button>
                <button type="button" class="secondary" data-testid="run-cleaner" onclick={send(Action::Clean)}>{ "Run cleaner" }</button>
            </div>
            <div class="controls">
                <label class="field">
                    <span>{ "Key" }</span>
                    <input ref={key.clone()} type="text" data-testid="retention-key" placeholder="k1" autocomplete="off" />
                </label>
                <button type="button" class="secondary" data-testid="produce-keyed" onclick={produce_key(false)}>{ "Produce" }</button>
                <button type="button" class="secondary" data-testid="produce-tombstone" onclick={produce_key(true)}>{ "Produce tombstone" }</button>
                <button type="button" class="secondary" data-testid="produce-no-key" onclick={send(Action::ProduceKeyless)}>{ "Produce without key" }</button>
            </div>
            if let Some((ok, message)) = &state.message {
                <p class={classes!("notice", if *ok { "info" } else { "refused" })} role={if *ok { "status" } else { "alert" }}
                    data-testid="retention-message">{ message }</p>
            }
            <p class="counts" data-testid="log-offsets">
                { format!("log start offset {} \u{b7} log end offset {} \u{b7} {} record(s) in {segments} segment(s), {} bytes \u{b7} clock {} s",
                    state.log.log_start_offset(), state.log.log_end_offset(), state.log.record_count(), state.log.size(),
                    state.clock.as_millis() / 1_000) }
            </p>
            <ol class="segments">
                { for state.log.segments().enumerate().map(|(i, segment)| html! {
                    <li class={classes!("segment", (i + 1 == segments).then_some("active"))} data-testid={format!("segment-{}", segment.base_offset)}>
                        <span class="segment-label">
                            { format!("base {}{}", segment.base_offset, if i + 1 == segments { " (active)" } else { "" }) }
                            <small>{ format!("{} B", segment.size()) }</small>
                        </span>
                        <span class="replica-log">
                            { for segment.records().iter().map(|r| {
                                let key = r.key.as_deref().map_or_else(|| "\u{2205}".to_owned(), |k| String::from_utf8_lossy(k).into_owned());
                                html! {
                                    <span class={classes!("record", r.is_tombstone().then_some("tombstone"))}
                                        title={format!("offset {}, written at {} s{}", r.offset, r.timestamp.as_millis() / 1_000, if r.is_tombstone() { ", tombstone" } else { "" })}>
                                        { format!("{}:{key}{}", r.offset, if r.is_tombstone() { " \u{2020}" } else { "" }) }
                                    </span>
                                }
                            }) }
                        </span>
                    </li>
                }) }
            </ol>
        </section>
    }
}
