//! # kplay-web: the playground in the browser
//!
//! A Yew app that drives [`kplay_core`] and draws what it reports. It holds no Kafka logic of its own:
//! [`state`] keeps each view's state and turns user actions into calls on the model; [`model`] is the
//! page's end of the worker that runs the order flow off the page's thread; [`components`] render that
//! state and dispatch actions; [`charts`] draw on canvas with plotters. [`docs`] holds the concept pages of the docs
//! site, which the same build serves (`?page=<concept>`); [`state::route`] documents the address's
//! parameters (views, embedding, shared scenarios). The site loads it as two builds, the order flow's
//! landing page first and the full app on demand ([`loader`]).

pub mod charts;
pub mod components;
pub mod docs;
pub mod download;
pub mod loader;
pub mod model;
pub mod state;
pub mod storage;

pub use components::app::App;

/// Shows a panic to the user in an error banner (and on the console), instead of a silently dead page.
pub fn show_panic(info: &std::panic::PanicHookInfo<'_>) {
    let message =
        format!("kplay hit an internal error and stopped: {info}. Reload the page to start again.");
    web_sys::console::error_1(&message.clone().into());
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Ok(banner) = document.create_element("div") else {
        return;
    };
    banner.set_class_name("notice refused panic");
    let _ = banner.set_attribute("role", "alert");
    let _ = banner.set_attribute("data-testid", "error-banner");
    banner.set_text_content(Some(&message));
    if let Some(body) = document.body() {
        let _ = body.prepend_with_node_1(&banner);
    }
}
