//! What both builds of the app share ([`super::App`], the full app, and [`super::landing::Landing`], the
//! first load): reading the address, booting the order flow from it or the autosave, the model's worker,
//! keeping the address and the autosave up to date, the header with its navigation, and the page's
//! layout (full app or embed).

use std::rc::Rc;

use kplay_core::delivery::CrashScenario;
use kplay_core::scenario::Scenario;
use yew::prelude::*;

use crate::components::flow_controls::FlowHandle;
use crate::components::scenario_tools::use_share_link;
use crate::components::theme_toggle::ThemeToggle;
use crate::model::Model;
use crate::state::flow::FlowState;
use crate::state::route::{Route, View};
use crate::state::share::{self, FLOW_AT_KEY, STORAGE_KEY};
use crate::storage;

/// The page's query string.
fn location_search() -> String {
    web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default()
}

/// Where the order flow starts: the address's scenario and moment, else the autosaved ones, else the
/// default preset at its start; and what could not be read on the way.
fn boot(route: &Route) -> (Option<Scenario>, u64, Vec<String>) {
    let mut notices = route.problems.clone();
    if route.scenario.is_some() || route.embed || route.page.is_some() || route.lesson.is_some() {
        let at_ms = if route.view.shows_flow() {
            route.at_ms
        } else {
            0
        };
        return (route.scenario.clone(), at_ms, notices);
    }
    let Some(saved) = storage::get(STORAGE_KEY) else {
        return (None, 0, notices);
    };
    match share::from_json(saved.as_bytes()) {
        Ok(scenario) => {
            let at_ms = storage::get(FLOW_AT_KEY).and_then(|at| at.parse().ok());
            (Some(scenario), at_ms.unwrap_or(0), notices)
        }
        Err(err) => {
            storage::remove(STORAGE_KEY);
            notices.push(format!(
                "The autosaved scenario could not be read ({err}) and was discarded; the default is shown."
            ));
            (None, 0, notices)
        }
    }
}

/// How every build of the app starts.
pub(super) struct Start {
    /// The address, understood.
    pub(super) route: Rc<Route>,
    /// What could not be read from the address or the autosave, for people.
    pub(super) notices: Rc<Vec<String>>,
    /// The model's worker; closed when the app is.
    pub(super) model: Rc<Model>,
    /// The order flow's state, booted from the address or the autosave.
    pub(super) flow: FlowHandle,
}

impl Start {
    /// Whether the app stands on its own (not an embed, a concept page or a lesson): only then is the
    /// address rewritten and the autosave written.
    pub(super) fn standalone(&self) -> bool {
        !self.route.embed && self.route.page.is_none() && self.route.lesson.is_none()
    }
}

/// Reads the address, boots the order flow and starts the model's worker, which stops when the app
/// does (a landing page handing over to the full app leaves no worker behind).
#[hook]
pub(super) fn use_start() -> Start {
    let route = use_memo((), |()| Route::parse(&location_search()));
    let started = use_memo((), |()| boot(&route));
    let model = use_memo((), |()| Model::spawn());
    let flow: FlowHandle =
        use_reducer(|| FlowState::new(started.0.clone(), started.1, model.outbox()));
    {
        let model = Rc::clone(&model);
        use_effect_with((), move |()| move || model.close());
    }
    let notices = use_memo((), |()| started.2.clone());
    Start {
        route,
        notices,
        model,
        flow,
    }
}

/// The link to what `view` shows (see [`use_share_link`]), kept in the address and, with the order
/// flow's scenario and moment, in the autosave while the app is `standalone` (embeds, concept pages and
/// lessons leave both to their host).
#[hook]
pub(super) fn use_kept_address(
    view: View,
    flow: &FlowHandle,
    world: Option<(Rc<str>, u64)>,
    delivery: Option<CrashScenario>,
    standalone: bool,
) -> Rc<String> {
    let link = use_share_link(view, Some(flow), world, delivery);
    use_effect_with(link.clone(), move |link| {
        if let (true, Some(history)) =
            (standalone, web_sys::window().and_then(|w| w.history().ok()))
        {
            let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(link));
        }
    });
    // The scenario is written when it changes, the moment (a few bytes) as it moves.
    use_effect_with(flow.scenario.clone(), move |scenario| {
        if standalone {
            storage::set(STORAGE_KEY, &share::to_json(scenario));
        }
    });
    use_effect_with(flow.moment_ms(), move |at| {
        if standalone {
            storage::set(FLOW_AT_KEY, &at.to_string());
        }
    });
    link
}

/// The messages about what could not be read.
pub(super) fn notices(messages: &[String]) -> Html {
    html! {
        { for messages.iter().map(|message| html! {
            <p class="notice refused" role="alert" data-testid="startup-notice">{ message }</p>
        }) }
    }
}

/// A view's page: embedded (the view, and a link to open it in kplay) or in the full app (the header
/// with its navigation, then the view), inside the order flow's context.
pub(super) fn layout(start: &Start, header: Html, body: Html, link: &str) -> Html {
    let notices = notices(&start.notices);
    let page = if start.route.embed {
        html! {
            <main class="app embed">
                { notices }
                { body }
                <footer class="embed-footer">
                    <a href={link.to_owned()} target="_blank" rel="noopener" data-testid="open-in-kplay">{ "Open in kplay \u{2197}" }</a>
                </footer>
            </main>
        }
    } else {
        html! { <main class="app">{ header }{ notices }{ body }</main> }
    };
    html! { <ContextProvider<FlowHandle> context={start.flow.clone()}>{ page }</ContextProvider<FlowHandle>> }
}

/// [`Header`]'s properties.
#[derive(Properties, PartialEq)]
pub(super) struct HeaderProps {
    /// The view shown.
    pub(super) current: View,
    /// The view being opened, if one is on its way (marked busy).
    #[prop_or_default]
    pub(super) opening: Option<View>,
    /// Asks for a view.
    pub(super) onselect: Callback<View>,
}

/// The full app's header: the title, the docs and lessons links, the theme switch and the views.
#[function_component(Header)]
pub(super) fn header(props: &HeaderProps) -> Html {
    html! {
        <header class="app-header">
            <div class="title-row">
                <h1>{ "kplay" }</h1>
                <a class="docs-link" href={format!("?page={}", crate::docs::PAGES[0])} data-testid="docs-link">{ "Concepts" }</a>
                <a class="docs-link" href="?lesson=" data-testid="lessons-link">{ "Lessons" }</a>
                <ThemeToggle />
            </div>
            <p class="tagline">{ "See how Apache Kafka places, orders and delivers records." }</p>
            <nav aria-label="Views">
                { for View::ALL.into_iter().map(|v| {
                    let onclick = props.onselect.reform(move |_: MouseEvent| v);
                    html! {
                        <button type="button" class={classes!("tab", (props.current == v).then_some("current"))}
                            aria-current={(props.current == v).then_some("page")}
                            aria-busy={(props.opening == Some(v)).then_some("true")}
                            data-testid={format!("view-{}", v.slug())} {onclick}>
                            { v.title() }
                        </button>
                    }
                }) }
            </nav>
        </header>
    }
}
