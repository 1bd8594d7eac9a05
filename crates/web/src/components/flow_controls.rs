//! The order flow's controls, shared by the views that show the flow: preset, order rate, partitions,
//! run / pause / step back / step / speed / run to end, the timeline (scrub back and forth), the preset's
//! "what to watch", refusals and progress. With `play_only` (an embed that asked for it) only the run
//! controls remain.

use gloo::timers::callback::Interval;
use kplay_core::config::{BROWSER_EVENT_BUDGET, BROWSER_HELD_BUDGET, ORDER_RATE_PER_S, PARTITIONS};
use kplay_core::presets::PRESETS;
use kplay_core::problem::group_digits;
use web_sys::HtmlSelectElement;
use yew::prelude::*;

use super::number_field::NumberField;
use super::timeline::MomentRange;
use crate::state::flow::{FlowAction, FlowState, Mode, SPEEDS, STEP_MS};
use crate::state::seconds;

/// The order flow's state, provided by the app to every view that shows it.
pub type FlowHandle = UseReducerHandle<FlowState>;

/// Milliseconds between animation ticks while running (about 60 per second).
const TICK_MS: u32 = 16;

/// Milliseconds on the page's monotonic clock, if it has one.
fn performance_now() -> Option<f64> {
    web_sys::window()
        .and_then(|w| w.performance())
        .map(|p| p.now())
}

/// Runs the flow's animation clock while the flow advances and `active` (a view showing it is open).
#[hook]
pub fn use_flow_clock(flow: &FlowHandle, active: bool) {
    let dispatcher = flow.dispatcher();
    use_effect_with((flow.mode, active), move |&(mode, active)| {
        let interval = (active && mode != Mode::Paused).then(|| {
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

/// Props of [`FlowControls`].
#[derive(Properties, PartialEq)]
pub struct FlowControlsProps {
    /// Offer the run controls only.
    #[prop_or_default]
    pub play_only: bool,
}

/// The flow's controls, status and messages.
#[function_component(FlowControls)]
pub fn flow_controls(props: &FlowControlsProps) -> Html {
    let state = use_context::<FlowHandle>();
    // Stable across the run's re-renders, so the fields they go to keep what the user is typing.
    let dispatcher = state.as_ref().map(|s| s.dispatcher());
    let on_rate = use_callback(dispatcher.clone(), |typed: String, state| {
        if let Some(state) = state {
            state.dispatch(FlowAction::SetRate(typed));
        }
    });
    let on_partitions = use_callback(dispatcher, |typed: String, state| {
        if let Some(state) = state {
            state.dispatch(FlowAction::SetPartitions(typed));
        }
    });
    let Some(state) = state else {
        return html! {};
    };

    let on_select = |make: fn(String) -> FlowAction| {
        let dispatcher = state.dispatcher();
        Callback::from(move |event: Event| {
            let value = event.target_unchecked_into::<HtmlSelectElement>().value();
            dispatcher.dispatch(make(value));
        })
    };
    let action = |action: FlowAction| {
        let dispatcher = state.dispatcher();
        Callback::from(move |_: MouseEvent| dispatcher.dispatch(action.clone()))
    };
    let status = if state.loading() {
        "starting the model"
    } else if state.finished() {
        "finished"
    } else {
        match state.mode {
            Mode::Paused if state.now().as_micros() == 0 => "ready",
            Mode::Paused => "paused",
            Mode::Playing => "running",
            Mode::FastForward => "finishing",
        }
    };
    let preset = state.preset.and_then(kplay_core::presets::find);
    let now_ms = state.now().as_millis();
    let end_ms = state.furthest().as_millis().max(now_ms);
    let onseek = {
        let dispatcher = state.dispatcher();
        Callback::from(move |at_ms| dispatcher.dispatch(FlowAction::Seek(at_ms)))
    };

    html! {
        <>
            <div class="controls">
                if !props.play_only {
                    <label class="field">
                        <span>{ "Preset" }</span>
                        <select data-testid="preset-select" onchange={on_select(FlowAction::SelectPreset)}>
                            if state.preset.is_none() {
                                <option value="" selected=true disabled=true>{ "(custom scenario)" }</option>
                            }
                            { for PRESETS.iter().map(|p| html! {
                                <option value={p.name} selected={Some(p.name) == state.preset}>{ p.name }</option>
                            }) }
                        </select>
                    </label>
                    <NumberField label="Orders per second" test_id="rate-input" min={ORDER_RATE_PER_S.start().to_string()} step="any"
                        value={state.scenario.arrivals.rate_per_s.to_string()} onchange={on_rate} />
                    <NumberField label="Partitions" test_id="partitions-input" min={PARTITIONS.start().to_string()} max={Some(AttrValue::from(PARTITIONS.end().to_string()))}
                        value={state.scenario.topic.partitions.to_string()} onchange={on_partitions} />
                }
                <div class="run-controls" role="group" aria-label="Run">
                    <button type="button" data-testid="run-toggle" onclick={action(FlowAction::ToggleRun)} disabled={state.finished()}>
                        { if state.mode == Mode::Paused { "Run" } else { "Pause" } }
                    </button>
                    <button type="button" class="secondary" data-testid="step-back" onclick={action(FlowAction::StepBack)}
                        disabled={now_ms == 0} title={format!("Back {} s of simulated time", STEP_MS / 1_000)}>
                        { "\u{25c0} Step back" }
                    </button>
                    <button type="button" class="secondary" data-testid="step" onclick={action(FlowAction::Step)}
                        disabled={state.finished()} title={format!("Advance {} s of simulated time", STEP_MS / 1_000)}>
                        { "Step" }
                    </button>
                    <label class="field inline">
                        <span>{ "Speed" }</span>
                        <select data-testid="speed" onchange={on_select(FlowAction::SetSpeed)}>
                            { for SPEEDS.iter().map(|&s| html! {
                                <option value={s.to_string()} selected={s == state.speed}>{ format!("{s}\u{d7}") }</option>
                            }) }
                        </select>
                    </label>
                    <button type="button" class="secondary" data-testid="finish" onclick={action(FlowAction::Finish)} disabled={state.finished()}>
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
            if let Some(capped) = &state.report().run.capped {
                <p class="notice" role="status" data-testid="budget-notice">
                    { format!("The page's model {capped}. In the browser every run stops at {} events, or when it holds more than {} at once; `kplay simulate` runs the exported scenario to its end.",
                        group_digits(&BROWSER_EVENT_BUDGET.to_string()), group_digits(&BROWSER_HELD_BUDGET.to_string())) }
                </p>
            }
            <div class="timeline">
                <MomentRange at_ms={now_ms} end_ms={end_ms} {onseek} />
                <span class="moment" data-testid="moment">{ format!("{} of {}", seconds(now_ms), seconds(end_ms)) }</span>
            </div>
            <div class="progress">
                <progress max="1" value={state.progress().to_string()} aria-label="Run progress" />
                <span data-testid="run-status">{ format!("{status} \u{b7} {:.1} s simulated", state.now().as_micros() as f64 / 1e6) }</span>
            </div>
        </>
    }
}
