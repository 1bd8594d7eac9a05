//! A world view's timeline and clock (it ticks while shown): play or pause, step back and forth, scrub
//! to any moment, export the script (what `kplay world` reads), and the fork notice with its undo. The
//! range that scrubs ([`MomentRange`]) and the way a moment reads ([`crate::state::seconds`]) serve the order flow's
//! timeline too.

use gloo::timers::callback::Interval;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::download;
use crate::state::seconds;
use crate::state::world::{STEP_MS, WorldAction, WorldView};

/// Props of [`Timeline`].
#[derive(Properties, PartialEq)]
pub struct TimelineProps {
    /// The view's state.
    pub world: UseReducerHandle<WorldView>,
}

/// Real milliseconds between two clock ticks.
const TICK_MS: u32 = 100;

/// The timeline of a world view.
#[function_component(Timeline)]
pub fn timeline(props: &TimelineProps) -> Html {
    let world = &props.world;
    {
        // The view's clock runs while its timeline is shown.
        let dispatcher = world.dispatcher();
        use_effect_with((), move |()| {
            let interval = Interval::new(TICK_MS, move || {
                dispatcher.dispatch(WorldAction::Tick(u64::from(TICK_MS)));
            });
            move || drop(interval)
        });
    }
    let Some(frame) = world.frame.as_ref() else {
        return html! { <p class="timeline" data-testid="moment">{ "starting the model\u{2026}" }</p> };
    };
    let send = |action: WorldAction| {
        let world = world.clone();
        Callback::from(move |_: MouseEvent| world.dispatch(action.clone()))
    };
    let onseek = {
        let world = world.clone();
        Callback::from(move |at_ms| world.dispatch(WorldAction::Go(at_ms)))
    };
    let export = {
        let script = world.script.clone();
        Callback::from(move |_: MouseEvent| {
            download::text(&script, "application/json", "kplay-world.json");
        })
    };
    html! {
        <>
        <div class="timeline">
            <button type="button" data-testid="timeline-play" onclick={send(WorldAction::SetPlaying(!world.playing))}>
                { if world.playing { "Pause" } else { "Play" } }
            </button>
            <button type="button" class="secondary" data-testid="step-back" title={format!("Back {}", seconds(STEP_MS))}
                disabled={frame.at_ms == 0} onclick={send(WorldAction::StepBack)}>{ "\u{25c0} Step back" }</button>
            <button type="button" class="secondary" data-testid="step" title={format!("Forward {}", seconds(STEP_MS))}
                onclick={send(WorldAction::Step)}>{ "Step \u{25b6}" }</button>
            <MomentRange at_ms={frame.at_ms} end_ms={frame.end_ms} {onseek} />
            <span class="moment" data-testid="moment">
                { format!("{} of {} \u{b7} {} action(s)", seconds(frame.at_ms), seconds(frame.end_ms), frame.actions) }
            </span>
            <button type="button" class="secondary" data-testid="export-world" title="The script `kplay world` reads: the cluster and every action"
                onclick={export}>{ "Export script" }</button>
        </div>
        if let Some(dropped) = frame.fork {
            <p class="notice" role="status" data-testid="fork-notice">
                { format!("You acted in the past: the {dropped} later action(s) were set aside and the timeline goes on from here. ") }
                <button type="button" class="secondary" data-testid="undo-fork" onclick={send(WorldAction::UndoFork)}>{ "Undo fork" }</button>
            </p>
        }
        </>
    }
}

/// Props of [`MomentRange`].
#[derive(Properties, PartialEq)]
pub struct MomentRangeProps {
    /// The moment shown, in simulated milliseconds.
    pub at_ms: u64,
    /// The timeline's end.
    pub end_ms: u64,
    /// Called with the moment the range was moved to.
    pub onseek: Callback<u64>,
}

/// The range input (`timeline`) that scrubs a timeline, in simulated milliseconds, 100 ms a notch.
#[function_component(MomentRange)]
pub fn moment_range(props: &MomentRangeProps) -> Html {
    let oninput = {
        let onseek = props.onseek.clone();
        Callback::from(move |e: InputEvent| {
            let input: HtmlInputElement = e.target_unchecked_into();
            if let Ok(at_ms) = input.value().parse::<u64>() {
                onseek.emit(at_ms);
            }
        })
    };
    html! {
        <input type="range" data-testid="timeline" aria-label="Moment (simulated milliseconds)"
            min="0" max={props.end_ms.to_string()} step="100" value={props.at_ms.to_string()} {oninput} />
    }
}
