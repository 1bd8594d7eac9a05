//! The landing view: one seeded stream of orders through a synchronous HTTP chain and a Kafka pipeline,
//! side by side, with the user's wait, failures, lag and both latency distributions.

use gloo::timers::callback::Interval;
use kplay_core::presets::{self, PRESETS};
use web_sys::HtmlSelectElement;
use yew::prelude::*;

use super::chart::{LagChart, LatencyChart};
use super::number_field::NumberField;
use crate::charts::lag::LagData;
use crate::charts::latency::LatencyData;
use crate::state::flow::{DEFAULT_PRESET, FlowAction, FlowState, Mode, SPEEDS, STEP_MS};

/// Milliseconds between animation ticks while running (about 60 per second).
const TICK_MS: u32 = 16;

/// Milliseconds on the page's monotonic clock, if it has one.
fn performance_now() -> Option<f64> {
    web_sys::window()
        .and_then(|w| w.performance())
        .map(|p| p.now())
}

/// The sync-vs-event-driven view, with its own state.
#[function_component(FlowView)]
pub fn flow_view() -> Html {
    let state = use_reducer(|| FlowState::for_preset(DEFAULT_PRESET));

    // The animation clock runs only while the simulation advances.
    {
        let dispatcher = state.dispatcher();
        use_effect_with(state.mode, move |mode| {
            let interval = (*mode != Mode::Paused).then(|| {
                let mut last = performance_now();
                Interval::new(TICK_MS, move || {
                    let now = performance_now();
                    let wall_ms = match (last, now) {
                        (Some(a), Some(b)) => (b - a).clamp(0.0, 100.0),
                        _ => f64::from(TICK_MS),
                    };
                    last = now;
                    dispatcher.dispatch(FlowAction::Tick { wall_ms });
                })
            });
            move || drop(interval)
        });
    }

    // Callbacks
    let dispatch = |make: fn(String) -> FlowAction| {
        let dispatcher = state.dispatcher();
        Callback::from(move |value: String| dispatcher.dispatch(make(value)))
    };
    let on_preset = dispatch(FlowAction::SelectPreset);
    // Stable across the run's re-renders, so the fields they go to keep what the user is typing.
    let on_rate = use_callback(state.dispatcher(), |typed: String, state| {
        state.dispatch(FlowAction::SetRate(typed))
    });
    let on_partitions = use_callback(state.dispatcher(), |typed: String, state| {
        state.dispatch(FlowAction::SetPartitions(typed))
    });
    let on_speed = dispatch(FlowAction::SetSpeed);
    let action = |action: FlowAction| {
        let dispatcher = state.dispatcher();
        Callback::from(move |_: MouseEvent| dispatcher.dispatch(action.clone()))
    };
    let toggle_outage = |index: usize| {
        let dispatcher = state.dispatcher();
        Callback::from(move |_: Event| dispatcher.dispatch(FlowAction::ToggleOutage(index)))
    };

    // Render
    let report = &state.report;
    let preset = presets::find(state.preset);
    let (in_flight, lags) = state.live();
    let status = if state.finished {
        "finished"
    } else {
        match state.mode {
            Mode::Paused if state.now().as_micros() == 0 => "ready",
            Mode::Paused => "paused",
            Mode::Playing => "running",
            Mode::FastForward => "finishing",
        }
    };
    let latency = LatencyData {
        sync: report.sync.response_cdf.clone(),
        event: report.event_driven.response_cdf.clone(),
    };
    let lag = LagData {
        services: report
            .series
            .services
            .iter()
            .enumerate()
            .map(|(i, name)| {
                let line = report
                    .series
                    .points
                    .iter()
                    .map(|p| (p.t_ms / 1_000.0, p.lag[i] as f64))
                    .collect();
                (name.clone(), line)
            })
            .collect(),
    };

    html! {
        <section class="panel flow-view" aria-labelledby="flow-title">
            <h2 id="flow-title">{ "The same orders, two architectures" }</h2>
            <div class="controls">
                <label class="field">
                    <span>{ "Preset" }</span>
                    <select data-testid="preset-select" onchange={select_value(on_preset)}>
                        { for PRESETS.iter().map(|p| html! {
                            <option value={p.name} selected={p.name == state.preset}>{ p.name }</option>
                        }) }
                    </select>
                </label>
                <NumberField label="Orders per second" test_id="rate-input" min="0.001" step="any"
                    value={state.scenario.arrivals.rate_per_s.to_string()} onchange={on_rate} />
                <NumberField label="Partitions" test_id="partitions-input" min="1" max={Some(AttrValue::from("1024"))}
                    value={state.scenario.topic.partitions.to_string()} onchange={on_partitions} />
                <div class="run-controls" role="group" aria-label="Run">
                    <button type="button" data-testid="run-toggle" onclick={action(FlowAction::ToggleRun)} disabled={state.finished}>
                        { if state.mode == Mode::Paused { "Run" } else { "Pause" } }
                    </button>
                    <button type="button" class="secondary" data-testid="step" onclick={action(FlowAction::Step)}
                        disabled={state.finished} title={format!("Advance {} s of simulated time", STEP_MS / 1_000)}>
                        { "Step" }
                    </button>
                    <label class="field inline">
                        <span>{ "Speed" }</span>
                        <select data-testid="speed" onchange={select_value(on_speed)}>
                            { for SPEEDS.iter().map(|&s| html! {
                                <option value={s.to_string()} selected={s == state.speed}>{ format!("{s}\u{d7}") }</option>
                            }) }
                        </select>
                    </label>
                    <button type="button" class="secondary" data-testid="finish" onclick={action(FlowAction::Finish)} disabled={state.finished}>
                        { "Run to end" }
                    </button>
                </div>
            </div>
            if let Some(preset) = preset {
                <p class="watch" data-testid="preset-watch">{ preset.watch }</p>
            }
            if let Some(message) = &state.error {
                <p class="notice refused" role="alert" data-testid="error-banner">{ message }</p>
            }
            <div class="progress">
                <progress max="1" value={state.progress.to_string()} aria-label="Run progress" />
                <span data-testid="run-status">{ format!("{status} \u{b7} {:.1} s simulated", state.now().as_micros() as f64 / 1e6) }</span>
            </div>
            <div class="headline" aria-live="polite">
                { "The user waits " }
                <strong data-testid="headline-sync-ms">{ format!("{:.1}", report.sync.response_ms.mean) }</strong>
                { " ms in the synchronous chain vs " }
                <strong data-testid="headline-event-ms">{ format!("{:.1}", report.event_driven.response_ms.mean) }</strong>
                { " ms event-driven (mean so far)." }
            </div>
            <div class="lanes-2">
                <div class="flow-lane">
                    <h3>{ "Synchronous HTTP chain" }</h3>
                    <p class="counts">
                        <span data-testid="sync-succeeded">{ format!("{} succeeded", report.sync.succeeded) }</span>
                        { " \u{b7} " }
                        <span data-testid="sync-failed" class={classes!((report.sync.failed > 0).then_some("bad"))}>{ format!("{} failed", report.sync.failed) }</span>
                        { format!(" \u{b7} {in_flight} waiting") }
                    </p>
                    <ol class="chain">
                        { for state.scenario.services.iter().enumerate().map(|(i, s)| {
                            let failed = report.sync.failed_calls.0.get(i).map_or(0, |(_, f)| *f);
                            let down = !s.outages.is_empty();
                            html! {
                                <li class={classes!("hop", down.then_some("down"))}>
                                    <span class="hop-name">{ &s.name }</span>
                                    <span class="hop-detail">{ format!("{} worker(s) \u{b7} {failed} failed call(s){}", s.instances, if s.required { "" } else { " \u{b7} optional" }) }</span>
                                    <label class="outage">
                                        <input type="checkbox" data-testid={format!("outage-{}", s.name)} checked={down}
                                            onchange={toggle_outage(i)} />
                                        { " outage" }
                                    </label>
                                </li>
                            }
                        }) }
                    </ol>
                </div>
                <div class="flow-lane">
                    <h3>{ "Kafka pipeline" }</h3>
                    <p class="counts">
                        <span data-testid="event-accepted">{ format!("{} accepted", report.event_driven.accepted) }</span>
                        { format!(" of {} orders", report.event_driven.orders) }
                    </p>
                    <ol class="chain">
                        { for report.event_driven.services.0.iter().enumerate().map(|(i, (name, s))| html! {
                            <li class="hop">
                                <span class="hop-name">{ name }</span>
                                <span class="hop-detail">
                                    { format!("lag {} \u{b7} {} processed \u{b7} {} dead-lettered", lags.get(i).copied().unwrap_or(0), s.processed, s.dead_lettered) }
                                    if s.idle_consumers > 0 { { format!(" \u{b7} {} idle consumer(s)", s.idle_consumers) } }
                                </span>
                            </li>
                        }) }
                    </ol>
                </div>
            </div>
            <div class="charts">
                <LatencyChart data={latency} />
                <LagChart data={lag} />
            </div>
        </section>
    }
}

fn select_value(callback: Callback<String>) -> Callback<Event> {
    Callback::from(move |event: Event| {
        callback.emit(event.target_unchecked_into::<HtmlSelectElement>().value())
    })
}
