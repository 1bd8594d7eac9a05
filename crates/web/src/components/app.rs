//! The root component: reads the address ([`Route`]), starts the model's worker ([`Model`]), owns the
//! order flow's state (shared by the views that show it through a context, fed by the worker's replies),
//! keeps the address and the autosave up to date, and lays out the full app, an embedded view, or a
//! concept page.

use std::rc::Rc;

use kplay_core::scenario::Scenario;
use kplay_worker::protocol::Reply;
use yew::prelude::*;

use super::dashboard_view::DashboardView;
use super::delivery_view::DeliveryView;
use super::docs_page::DocsPage;
use super::flow_controls::{FlowHandle, use_flow_clock};
use super::flow_view::FlowView;
use super::lesson_page::LessonView;
use super::partition_view::PartitionView;
use super::replication_view::ReplicationView;
use super::retention_view::RetentionView;
use super::scenario_tools::use_share_link;
use super::theme_toggle::ThemeToggle;
use crate::model::Model;
use crate::state::delivery::{self, DeliveryState};
use crate::state::flow::{FlowAction, FlowState};
use crate::state::lesson::{LessonAction, LessonState};
use crate::state::route::{Route, View};
use crate::state::share::{self, FLOW_AT_KEY, STORAGE_KEY};
use crate::state::world::{self, WorldAction, WorldView};
use crate::state::{link_moment, partitions, replication, retention};
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

/// Where a world view's clock stands for links and the autosave: its script and moment
/// ([`link_moment`]).
fn moment(world: &WorldView) -> Option<(Rc<str>, u64)> {
    let at = world.frame.as_ref()?.at_ms;
    let at = link_moment(at, world.playing.then_some(world::SPEED));
    Some((world.script.clone(), at))
}

/// The local storage keys of a world view's autosaved script and of its moment (ms).
fn world_keys(view: View) -> (String, String) {
    let script = format!("kplay.world.{}", view.slug());
    let at = format!("{script}.at");
    (script, at)
}

/// A world view's state: the link's world if the link opens this view, else (in the full app) the
/// autosaved one, else `empty()`. In the full app the view's script and moment are saved as they change.
#[hook]
fn use_world(
    route: &Route,
    model: &Model,
    view: View,
    id: u32,
    standalone: bool,
    empty: fn() -> String,
) -> UseReducerHandle<WorldView> {
    let (script_key, at_key) = world_keys(view);
    let world = use_reducer(|| {
        let saved = || {
            let script = storage::get(&script_key)?;
            let at = storage::get(&at_key)?;
            Some((script, at.parse().ok()?))
        };
        let opened = match &route.world {
            Some(linked) if route.view == view => Some((linked.clone(), route.at_ms)),
            _ if standalone => saved(),
            _ => None,
        };
        let mut world = match opened {
            Some((script, at_ms)) => WorldView::linked(id, model.outbox(), script, at_ms, empty()),
            None => WorldView::new(id, model.outbox(), empty(), 0),
        };
        if route.view == view {
            if let Some((from, to)) = route.repeat {
                world.apply(WorldAction::Repeat(from, to));
            }
            if let Some(playing) = route.autoplay {
                world.apply(WorldAction::SetPlaying(playing));
            }
        }
        world
    });
    // The script is written when it changes, the moment (a few bytes) as it moves.
    let (script, at) = moment(&world).unzip();
    use_effect_with(script, move |script| {
        if let (true, Some(script)) = (standalone, script) {
            storage::set(&script_key, script);
        }
    });
    use_effect_with(at, move |at| {
        if let (true, Some(at)) = (standalone, at) {
            storage::set(&at_key, &at.to_string());
        }
    });
    world
}

/// The kplay app.
#[function_component(App)]
pub fn app() -> Html {
    let route = use_memo((), |()| Route::parse(&location_search()));
    let started = use_memo((), |()| boot(&route));
    let model = use_memo((), |()| Model::spawn());
    let flow: FlowHandle =
        use_reducer(|| FlowState::new(started.0.clone(), started.1, model.outbox()));
    let standalone = !route.embed && route.page.is_none() && route.lesson.is_none();
    // The lessons' state exists on every page (hooks run in the same order every time) but asks the worker
    // for nothing unless the address opens a lesson.
    let lessons = use_reducer(|| {
        let link = route.lesson.clone().unwrap_or_default();
        let outbox = if route.lesson.is_some() {
            model.outbox()
        } else {
            crate::model::Outbox::new(|_| {})
        };
        LessonState::new(outbox, link, route.lesson.is_some() && !route.embed)
    });
    let partition_world = use_world(
        &route,
        &model,
        View::Partitions,
        partitions::VIEW,
        standalone,
        || partitions::script(partitions::DEFAULT_PARTITIONS),
    );
    let retention_world = use_world(
        &route,
        &model,
        View::Retention,
        retention::VIEW,
        standalone,
        retention::script,
    );
    let replication_world = use_world(
        &route,
        &model,
        View::Replication,
        replication::VIEW,
        standalone,
        || replication::Shape::default().script(),
    );
    {
        // Set before the first reply can arrive (replies come in later tasks), and on every render after.
        let flow = flow.dispatcher();
        let lessons = lessons.dispatcher();
        let worlds = [&partition_world, &retention_world, &replication_world]
            .map(|w| (w.view, w.dispatcher()));
        model.on_reply(Callback::from(move |reply| match reply {
            Reply::Lessons { .. }
            | Reply::Lesson { .. }
            | Reply::LessonChecked { .. }
            | Reply::LessonRefused { .. } => lessons.dispatch(LessonAction::Reply(reply)),
            Reply::World { view, .. } | Reply::WorldRefused { view, .. } => {
                if let Some((_, world)) = worlds.iter().find(|(v, _)| *v == view) {
                    world.dispatch(WorldAction::Reply(reply));
                }
            }
            Reply::Failed { .. } => {
                lessons.dispatch(LessonAction::Reply(reply.clone()));
                for (_, world) in &worlds {
                    world.dispatch(WorldAction::Reply(reply.clone()));
                }
                flow.dispatch(FlowAction::Reply(reply));
            }
            reply => flow.dispatch(FlowAction::Reply(reply)),
        }));
    }
    let delivery = use_reducer(|| {
        let saved = || delivery::decode(&storage::get(delivery::STORAGE_KEY)?).ok();
        let opened = match route.delivery {
            Some(linked) => Some(linked),
            None if standalone => saved(),
            None => None,
        };
        DeliveryState::new(opened)
    });
    use_effect_with(delivery.scenario, move |incident| {
        if standalone {
            storage::set(delivery::STORAGE_KEY, &delivery::encode(incident));
        }
    });
    let view = use_state(|| route.view);
    use_flow_clock(&flow, view.shows_flow());

    // The address and the autosave follow the scenario (not in embeds and docs pages: those are the host's)
    // and the world of the view shown, at its moment.
    let shown = match *view {
        View::Partitions => Some(&partition_world),
        View::Retention => Some(&retention_world),
        View::Replication => Some(&replication_world),
        View::SyncVsEvent | View::Delivery | View::Dashboard => None,
    };
    let link = use_share_link(
        *view,
        Some(&flow),
        shown.and_then(|w| moment(w)),
        (*view == View::Delivery).then_some(delivery.scenario),
    );
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

    let notices = html! {
        { for started.2.iter().map(|message| html! {
            <p class="notice refused" role="alert" data-testid="startup-notice">{ message }</p>
        }) }
    };
    let body = match *view {
        View::SyncVsEvent => html! { <FlowView play_only={route.play_only} /> },
        View::Partitions => html! { <PartitionView world={partition_world.clone()} /> },
        View::Retention => html! { <RetentionView world={retention_world.clone()} /> },
        View::Replication => html! { <ReplicationView world={replication_world.clone()} /> },
        View::Delivery => html! { <DeliveryView state={delivery.clone()} /> },
        View::Dashboard => html! { <DashboardView play_only={route.play_only} /> },
    };
    let provide = |content: Html| {
        html! { <ContextProvider<FlowHandle> context={flow.clone()}>{ content }</ContextProvider<FlowHandle>> }
    };

    if route.lesson.is_some() {
        return html! {
            <main class={classes!("app", "docs", route.embed.then_some("embed"))}>
                { notices }
                <LessonView state={lessons.clone()} embed={route.embed} />
            </main>
        };
    }
    if let Some(concept) = route.page {
        return html! { <main class="app docs">{ notices }<DocsPage {concept} /></main> };
    }
    if route.embed {
        return provide(html! {
            <main class="app embed">
                { notices }
                { body }
                <footer class="embed-footer">
                    <a href={(*link).clone()} target="_blank" rel="noopener" data-testid="open-in-kplay">{ "Open in kplay \u{2197}" }</a>
                </footer>
            </main>
        });
    }
    provide(html! {
        <main class="app">
            <header class="app-header">
                <div class="title-row">
                    <h1>{ "kplay" }</h1>
                    <a class="docs-link" href={format!("?page={}", crate::docs::CONCEPTS[0].id)} data-testid="docs-link">{ "Concepts" }</a>
                    <a class="docs-link" href="?lesson=" data-testid="lessons-link">{ "Lessons" }</a>
                    <ThemeToggle />
                </div>
                <p class="tagline">{ "See how Apache Kafka places, orders and delivers records." }</p>
                <nav aria-label="Views">
                    { for View::ALL.into_iter().map(|v| {
                        let onclick = { let view = view.clone(); Callback::from(move |_: MouseEvent| view.set(v)) };
                        html! {
                            <button type="button" class={classes!("tab", (*view == v).then_some("current"))}
                                aria-current={(*view == v).then_some("page")} data-testid={format!("view-{}", v.slug())} {onclick}>
                                { v.title() }
                            </button>
                        }
                    }) }
                </nav>
            </header>
            { notices }
            { body }
        </main>
    })
}
