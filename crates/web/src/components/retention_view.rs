//! The log-and-retention view: one partition's segments, the log start and end offsets, retention by
//! time and size, and compaction with keys and tombstones, on a timeline ([`crate::state::retention`]).

use kplay_core::log::CleanupPolicy;
use kplay_worker::protocol::Intent;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use super::log_diagram::LogDiagram;
use super::notice::NoticeBar;
use super::number_field::NumberField;
use super::record_clip::RecordClip;
use super::timeline::Timeline;
use crate::state::retention::{self, CHECK_MS};
use crate::state::world::{WorldAction, WorldView};

/// Simulated milliseconds "let time pass" moves.
const PASS_MS: u64 = 30_000;

/// Props of [`RetentionView`].
#[derive(Properties, PartialEq)]
pub struct RetentionViewProps {
    /// The view's world (the app keeps it, so it survives switching views).
    pub world: UseReducerHandle<WorldView>,
}

/// The log-and-retention view.
#[function_component(RetentionView)]
pub fn retention_view(props: &RetentionViewProps) -> Html {
    let world = props.world.clone();
    let key = use_node_ref();

    // Callbacks
    let act = |intent: Intent| {
        let world = world.dispatcher();
        Callback::from(move |_: MouseEvent| world.dispatch(WorldAction::Act(intent.clone())))
    };
    let produce_key = |tombstone: bool| {
        let (world, key) = (world.dispatcher(), key.clone());
        Callback::from(move |_: MouseEvent| {
            let typed = key
                .cast::<HtmlInputElement>()
                .map(|k| k.value())
                .unwrap_or_default();
            world.dispatch(WorldAction::act(retention::produce_keyed(
                &typed, tombstone,
            )));
        })
    };
    let on_policy = {
        let world = world.dispatcher();
        Callback::from(move |e: Event| {
            let policy = e.target_unchecked_into::<HtmlSelectElement>().value();
            world.dispatch(WorldAction::Act(retention::set_policy(policy)));
        })
    };
    let on_retention_ms = use_callback(world.dispatcher(), |typed: String, world| {
        world.dispatch(WorldAction::act(retention::set_retention_ms(&typed)));
    });
    let on_retention_bytes = use_callback(world.dispatcher(), |typed: String, world| {
        world.dispatch(WorldAction::act(retention::set_retention_bytes(&typed)));
    });
    let pass = {
        let world = world.clone();
        Callback::from(move |_: MouseEvent| {
            world.dispatch(WorldAction::Go(world.at_ms().saturating_add(PASS_MS)));
        })
    };

    // Render
    let header = html! {
        <>
            <h2 id="retention-title">{ "The log: segments, retention and compaction" }</h2>
            <Timeline world={world.clone()} />
        </>
    };
    let Some(frame) = world.frame.clone() else {
        return html! {
            <section class="panel retention-view" aria-labelledby="retention-title">
                { header }
                <NoticeBar notice={world.notice.clone()} />
            </section>
        };
    };
    let (policy, retention_ms, retention_bytes) =
        frame
            .config
            .as_ref()
            .map_or(("delete".into(), -1, -1), |c| {
                (
                    c.cleanup_policy.to_string(),
                    c.retention_ms,
                    c.retention_bytes,
                )
            });
    let (log_start, log_end, segments) = frame
        .state
        .topics
        .get(retention::TOPIC)
        .and_then(|t| t.partitions.first())
        .map_or((0, 0, 0), |p| {
            (p.log_start_offset, p.log_end_offset, p.segments as usize)
        });
    let records: u32 = frame.segments.iter().map(|s| s.record_count).sum();
    let bytes: u64 = frame.segments.iter().map(|s| s.bytes).sum();
    let listed = frame.segments.len();
    let shown = if listed < segments {
        format!("the newest {listed} of {segments} segments")
    } else {
        format!("{segments} segment(s)")
    };
    let refusal = retention::refusal(&frame);
    html! {
        <section class="panel retention-view" aria-labelledby="retention-title">
            { header }
            <div class="controls">
                <label class="field">
                    <span>{ "cleanup.policy" }</span>
                    <select data-testid="policy-select" onchange={on_policy}>
                        { for CleanupPolicy::ALL.map(CleanupPolicy::name).into_iter().map(|p| html! { <option value={p} selected={p == policy}>{ p }</option> }) }
                    </select>
                </label>
                <NumberField label="retention.ms (-1: none)" test_id="retention-ms-input" min="-1"
                    value={retention_ms.to_string()} onchange={on_retention_ms} />
                <NumberField label="retention.bytes (-1: none)" test_id="retention-bytes-input" min="-1"
                    value={retention_bytes.to_string()} onchange={on_retention_bytes} />
                <button type="button" data-testid="produce-many" onclick={act(retention::produce_ten())}>{ "Produce 10 (keys k0–k4)" }</button>
                <button type="button" class="secondary" data-testid="advance-clock" onclick={pass}>
                    { format!("Let {} s pass", PASS_MS / 1_000) }
                </button>
            </div>
            <div class="controls">
                <label class="field">
                    <span>{ "Key" }</span>
                    <input ref={key.clone()} type="text" data-testid="retention-key" placeholder="k1" autocomplete="off" />
                </label>
                <button type="button" class="secondary" data-testid="produce-keyed" onclick={produce_key(false)}>{ "Produce" }</button>
                <button type="button" class="secondary" data-testid="produce-tombstone" onclick={produce_key(true)}>{ "Produce tombstone" }</button>
                <button type="button" class="secondary" data-testid="produce-no-key" onclick={act(retention::produce_keyless())}>{ "Produce without key" }</button>
            </div>
            <NoticeBar notice={world.notice.clone()} />
            if let Some(message) = refusal {
                <p class="notice refused" role="alert" data-testid="retention-message">{ message }</p>
            }
            <p class="counts" data-testid="log-offsets">
                { format!("log start offset {log_start} \u{b7} log end offset {log_end} \u{b7} {records} record(s) in {shown}, {bytes} bytes") }
            </p>
            <p class="hint">
                { format!("The broker checks retention every {} s and the cleaner looks for a dirty log every {} s (log.retention.check.interval.ms and log.cleaner.backoff.ms, shortened from 5 min and 15 s); the cleaner compacts once half the log is dirty (min.cleanable.dirty.ratio).",
                    CHECK_MS / 1_000, CHECK_MS / 1_000) }
            </p>
            <RecordClip target="log-diagram" />
            <LogDiagram segments={frame.segments.clone()} total={segments} log_start={log_start} log_end={log_end} />
        </section>
    }
}
