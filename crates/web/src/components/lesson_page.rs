//! The guided lessons: the list (`?lesson=`), and one lesson a step at a time (`?lesson=<id>&step=<n>`):
//! its prose, a live widget (the step's world or scenario in an embedded view, at its start before the
//! run and at the step's moment after it), the prediction, and the verdict with the model's own numbers.
//! `?embed=lesson&lesson=<id>&from=<n>&to=<m>` shows only those steps, with minimal chrome.

use kplay_worker::protocol::{LessonOutcome, LessonPage, LessonStep, LessonSummary};
use yew::prelude::*;

use super::prose::prose;
use crate::state::lesson::{LessonAction, LessonState};
use crate::state::share;

/// Props of [`LessonView`].
#[derive(Properties, PartialEq)]
pub struct LessonViewProps {
    /// The lessons' state.
    pub state: UseReducerHandle<LessonState>,
    /// Embedded in a tutorial: no navigation, no progress.
    pub embed: bool,
}

/// The widget's address: the step's view embedded with its world or scenario, at `at_ms`.
fn widget_src(step: &LessonStep, at_ms: u64) -> String {
    let mut query = format!("?embed={}", step.view);
    if let Some(script) = &step.script {
        query.push_str(&format!("&w={}", share::pack(script)));
    }
    if let Some(scenario) = &step.scenario {
        query.push_str(&format!("&s={}", share::pack(scenario)));
    }
    if let Some(preset) = &step.preset {
        query.push_str(&format!("&preset={preset}"));
    }
    query.push_str(&format!("&at={at_ms}"));
    query
}

/// The guided lessons' page.
#[function_component(LessonView)]
pub fn lesson_view(props: &LessonViewProps) -> Html {
    let state = &props.state;
    let notice = state.notice.as_ref().map(|message| {
        html! { <p class="notice refused" role="alert" data-testid="lesson-notice">{ message }</p> }
    });
    let body = match (&state.lesson, &state.index) {
        (Some(lesson), _) => lesson_body(state, lesson, props.embed),
        (None, Some(index)) => index_body(state, index),
        (None, None) if state.notice.is_none() => {
            html! { <p class="loading">{ "Loading the lessons\u{2026}" }</p> }
        }
        (None, None) => html! {},
    };
    html! {
        <div class={classes!("lessons", props.embed.then_some("embed"))}>
            { for notice }
            { body }
        </div>
    }
}

fn index_body(state: &LessonState, index: &[LessonSummary]) -> Html {
    html! {
        <article class="panel lesson-index" data-testid="lesson-index">
            <a class="docs-home" href="?view=sync-vs-event" data-testid="playground-link">{ "\u{2190} kplay playground" }</a>
            <h1>{ "Guided lessons" }</h1>
            <p>{ "From a synchronous chain of calls to Kafka, one idea at a time. Each step runs the model; predict what it will show, then check." }</p>
            <ol>
                { for index.iter().map(|l| {
                    let right = state.progress.get(&l.id).map_or(0, |p| p.right.len());
                    html! {
                        <li>
                            <a href={format!("?lesson={}", l.id)} data-testid={format!("lesson-{}", l.id)}>{ &l.title }</a>
                            <span class="lesson-meta">{ format!(" \u{b7} {} steps", l.steps) }
                                { if right > 0 { format!(" \u{b7} {right} answered right") } else { String::new() } }
                            </span>
                        </li>
                    }
                }) }
            </ol>
        </article>
    }
}

fn lesson_body(state: &UseReducerHandle<LessonState>, lesson: &LessonPage, embed: bool) -> Html {
    let (first, last) = state.bounds();
    let Some(step) = lesson.steps.get(state.step) else {
        return html! {};
    };
    let go = |to: usize| {
        let state = state.clone();
        Callback::from(move |_: MouseEvent| state.dispatch(LessonAction::Go(to)))
    };
    let check = {
        let state = state.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            state.dispatch(LessonAction::Check);
        })
    };
    let reset = {
        let state = state.clone();
        Callback::from(move |_: MouseEvent| state.dispatch(LessonAction::Reset))
    };
    let at_ms = state.outcome.as_ref().map_or(0, |o| o.at_ms);
    let summary = &lesson.summary;
    html! {
        <article class="panel lesson" data-testid={format!("lesson-{}", summary.id)}>
            if !embed {
                <a class="docs-home" href="?lesson=" data-testid="lesson-list-link">{ "\u{2190} All lessons" }</a>
                <h1>{ &summary.title }</h1>
                <p class="lesson-meta">{ format!("Teaches: {}", summary.teaches) }</p>
                if state.step == 0 { <div class="lesson-intro">{ prose(&lesson.intro) }</div> }
            }
            <section class="lesson-step" data-testid="lesson-step" data-step={(state.step + 1).to_string()}>
                <p class="lesson-meta">{ format!("Step {} of {}", state.step + 1, lesson.steps.len()) }</p>
                <h2>{ &step.title }</h2>
                { prose(&step.text) }
                <iframe class="widget lesson-widget" src={widget_src(step, at_ms)} title={format!("kplay: {}", step.title)}
                    data-testid="lesson-widget" loading="lazy" />
                <form class="prediction-form" onsubmit={check}>
                    { prediction(state, step) }
                    <button type="submit" disabled={state.checking} data-testid="check-prediction">
                        { if step.question.is_some() { "Check my prediction" } else { "Run the step" } }
                    </button>
                </form>
                { for state.outcome.as_ref().map(|o| result(o)) }
            </section>
            <nav class="lesson-nav" aria-label="Steps">
                <button type="button" disabled={state.step <= first} onclick={go(state.step.saturating_sub(1))} data-testid="lesson-back">{ "\u{2190} Back" }</button>
                <button type="button" disabled={state.step >= last} onclick={go(state.step + 1)} data-testid="lesson-next">{ "Next \u{2192}" }</button>
                if !embed {
                    <button type="button" class="secondary" onclick={reset} data-testid="lesson-reset">{ "Reset lesson" }</button>
                }
            </nav>
        </article>
    }
}

/// The question with its choices as radio buttons, or a number input.
fn prediction(state: &UseReducerHandle<LessonState>, step: &LessonStep) -> Html {
    let Some(question) = &step.question else {
        return html! {};
    };
    if step.choices.is_empty() {
        let oninput = {
            let state = state.clone();
            Callback::from(move |e: InputEvent| {
                let input: web_sys::HtmlInputElement = e.target_unchecked_into();
                state.dispatch(LessonAction::Type(input.value()));
            })
        };
        return html! {
            <label class="prediction">
                <span class="question">{ question }</span>
                <input type="text" inputmode="decimal" value={state.guess.number.clone()} {oninput}
                    aria-label={question.clone()} data-testid="prediction" />
                { for step.tolerance.as_ref().map(|t| html! { <span class="lesson-meta">{ format!("Within {t} of the model's figure counts as right.") }</span> }) }
            </label>
        };
    }
    html! {
        <fieldset class="prediction" data-testid="prediction">
            <legend class="question">{ question }</legend>
            { for step.choices.iter().enumerate().map(|(i, text)| {
                let i = u32::try_from(i).unwrap_or(u32::MAX);
                let onchange = {
                    let state = state.clone();
                    Callback::from(move |_: Event| state.dispatch(LessonAction::Choose(i)))
                };
                html! {
                    <label>
                        <input type="radio" name="prediction" value={i.to_string()} checked={state.guess.choice == Some(i)} {onchange} />
                        { text }
                    </label>
                }
            }) }
        </fieldset>
    }
}

/// The verdict, the model's answer, the `why:` line and the golden checks: all from the model.
fn result(outcome: &LessonOutcome) -> Html {
    let verdict = match outcome.right {
        Some(true) => "Right.",
        Some(false) => "Not quite.",
        None => "The model ran.",
    };
    html! {
        <div class={classes!("prediction-result", outcome.right.map(|r| if r { "right" } else { "wrong" }))}
            role="status" data-testid="prediction-result">
            <p>
                <strong>{ verdict }</strong>
                { for outcome.answer.as_ref().map(|a| html! { <>{ " The model: " }<strong>{ a }</strong>{ "." }</> }) }
            </p>
            { for outcome.why.as_ref().map(|why| prose(why)) }
            <ul class="lesson-checks">
                { for outcome.checks.iter().map(|(text, holds, readings)| html! {
                    <li class={if *holds { "holds" } else { "fails" }}>
                        { if *holds { "\u{2713} " } else { "\u{2717} " } }<code>{ text }</code>
                        { if readings.is_empty() { String::new() } else { format!(" ({readings})") } }
                    </li>
                }) }
            </ul>
        </div>
    }
}
