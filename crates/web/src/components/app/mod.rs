//! The root component of the full app (the `kplay-full` build): reads the address ([`Route`]), starts
//! the model's worker ([`Model`]), owns the order flow's state (shared by the views that show it through a
//! context, fed by the worker's replies) and each world view's, keeps the address and the autosave up to
//! date, and lays out the full app, an embedded view, a concept page or a lesson. The site's first load is
//! the lighter [`landing::Landing`], which shows the order flow alone and loads this app when another
//! view is asked for ([`crate::loader`]); `shell.rs` holds what the two share.

pub mod landing;
mod shell;

use std::rc::Rc;

use kplay_worker::protocol::Reply;
use yew::prelude::*;

use self::shell::{Header, Start, layout, notices, use_kept_address, use_start};
use super::dashboard_view::DashboardView;
use super::delivery_view::DeliveryView;
use super::docs_page::DocsPage;
use super::flow_controls::use_flow_clock;
use super::flow_view::FlowView;
use super::lesson_page::LessonView;
use super::partition_view::PartitionView;
use super::replication_view::ReplicationView;
use super::retention_view::RetentionView;
use crate::model::Model;
use crate::state::delivery::{self, DeliveryState};
use crate::state::flow::FlowAction;
use crate::state::lesson::{LessonAction, LessonState};
use crate::state::route::{Route, View};
use crate::state::world::{self, WorldAction, WorldView};
use crate::state::{link_moment, partitions, replication, retention};
use crate::storage;

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
            Some(linked) if route.view == view => Some((linked.script(), route.at_ms)),
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
    let start = use_start();
    let Start {
        route, model, flow, ..
    } = &start;
    let standalone = start.standalone();
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
        route,
        model,
        View::Partitions,
        partitions::VIEW,
        standalone,
        || partitions::script(partitions::DEFAULT_PARTITIONS),
    );
    let retention_world = use_world(
        route,
        model,
        View::Retention,
        retention::VIEW,
        standalone,
        retention::script,
    );
    let replication_world = use_world(
        route,
        model,
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
    use_flow_clock(flow, view.shows_flow());

    // The address and the autosave follow the scenario (not in embeds and docs pages: those are the host's)
    // and the world of the view shown, at its moment.
    let shown = match *view {
        View::Partitions => Some(&partition_world),
        View::Retention => Some(&retention_world),
        View::Replication => Some(&replication_world),
        View::SyncVsEvent | View::Delivery | View::Dashboard => None,
    };
    let link = use_kept_address(
        *view,
        flow,
        shown.and_then(|w| moment(w)),
        (*view == View::Delivery).then_some(delivery.scenario),
        standalone,
    );

    if route.lesson.is_some() {
        return html! {
            <main class={classes!("app", "docs", route.embed.then_some("embed"))}>
                { notices(&start.notices) }
                <LessonView state={lessons.clone()} embed={route.embed} />
            </main>
        };
    }
    if let Some(concept) = route.page.and_then(crate::docs::find) {
        return html! { <main class="app docs">{ notices(&start.notices) }<DocsPage {concept} /></main> };
    }
    let body = match *view {
        View::SyncVsEvent => html! { <FlowView play_only={route.play_only} /> },
        View::Partitions => html! { <PartitionView world={partition_world.clone()} /> },
        View::Retention => html! { <RetentionView world={retention_world.clone()} /> },
        View::Replication => html! { <ReplicationView world={replication_world.clone()} /> },
        View::Delivery => html! { <DeliveryView state={delivery.clone()} /> },
        View::Dashboard => html! { <DashboardView play_only={route.play_only} /> },
    };
    let onselect = {
        let view = view.clone();
        Callback::from(move |v| view.set(v))
    };
    let header = html! { <Header current={*view} {onselect} /> };
    layout(&start, header, body, &link)
}
