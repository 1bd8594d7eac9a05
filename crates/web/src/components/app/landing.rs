//! The root component of the site's first load (the `kplay-web` build): the order flow's view, alone or
//! embedded, with the full app's header. It links none of the other views, the concept pages or the
//! lessons, which is what keeps the first load small; asking for any of them loads the full app
//! ([`crate::loader::open_full`]), which takes over the page where this one stood: the order flow's
//! scenario and moment carry over through the autosave, as on a reload. An address this build cannot
//! show (the page's loader sends those straight to the full app) hands over the same way at once.

use std::rc::Rc;

use yew::prelude::*;

use super::shell::{Header, layout, use_kept_address, use_start};
use crate::components::flow_controls::use_flow_clock;
use crate::components::flow_view::FlowView;
use crate::loader;
use crate::state::flow::FlowAction;
use crate::state::route::View;

/// Where the hand-over to the full app stands.
#[derive(Clone, Default, PartialEq)]
enum Handover {
    /// Not asked for.
    #[default]
    Idle,
    /// Loading, to open this view (`None`: the address as it is).
    Opening(Option<View>),
    /// The last attempt failed, for this reason (for people).
    Failed(Rc<str>),
}

/// What is being opened, for people: "the Partitions and groups view", or "the page" (an address).
fn what(view: Option<View>) -> String {
    view.map_or_else(
        || "the page".to_owned(),
        |v| format!("the {} view", v.title()),
    )
}

/// The landing page: the order flow's view.
#[function_component(Landing)]
pub fn landing() -> Html {
    let start = use_start();
    {
        let flow = start.flow.dispatcher();
        start.model.on_reply(Callback::from(move |reply| {
            flow.dispatch(FlowAction::Reply(reply))
        }));
    }
    let handover = use_state(Handover::default);
    use_flow_clock(&start.flow, true);
    let standalone = start.standalone();
    let link = use_kept_address(View::SyncVsEvent, &start.flow, None, None, standalone);
    let shows_address = start.route.on_landing();
    // The view asked for (in the address, or by `None` the address as it is) from the full app.
    let open = {
        let handover = handover.clone();
        Callback::from(move |view: Option<View>| {
            if matches!(*handover, Handover::Opening(_)) {
                return;
            }
            handover.set(Handover::Opening(view));
            let query = view.map(|v| format!("?view={}", v.slug()));
            let handover = handover.clone();
            wasm_bindgen_futures::spawn_local(async move {
                if let Err(reason) = loader::open_full(query.as_deref()).await {
                    let message = format!(
                        "Could not load {} ({reason}). Check the connection and try again.",
                        what(view)
                    );
                    handover.set(Handover::Failed(message.into()));
                }
            });
        })
    };
    {
        let open = open.clone();
        use_effect_with(shows_address, move |&shows| {
            if !shows {
                open.emit(None);
            }
        });
    }

    let progress = match &*handover {
        Handover::Opening(view) => html! {
            <p class="notice" aria-live="polite" data-testid="load-progress">
                { format!("Loading {}\u{2026}", what(*view)) }
            </p>
        },
        Handover::Failed(reason) => html! {
            <p class="notice refused" role="alert" data-testid="load-notice">{ reason.to_string() }</p>
        },
        Handover::Idle => html! {},
    };
    let opening = match *handover {
        Handover::Opening(view) => view,
        Handover::Idle | Handover::Failed(_) => None,
    };
    if !shows_address {
        return html! { <main class="app">{ progress }</main> };
    }
    let onselect = Callback::from(move |view: View| {
        if view != View::SyncVsEvent {
            open.emit(Some(view));
        }
    });
    let header = html! {
        <Header current={View::SyncVsEvent} {opening} {onselect} />
    };
    // While the full app loads, the order flow stays in view but takes no input: what the user did there
    // now would be gone when the full app takes over.
    let inert = matches!(*handover, Handover::Opening(_));
    let body = html! {
        <>
            { progress }
            <div class="handover" {inert}><FlowView play_only={start.route.play_only} /></div>
        </>
    };
    layout(&start, header, body, &link)
}
