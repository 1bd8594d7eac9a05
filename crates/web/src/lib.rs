//! # kplay-web: the playground in the browser
//!
//! A Yew app that drives [`kplay_core`] and draws what it reports. It holds no Kafka logic of its own:
//! [`state`] keeps the model and turns user actions into calls on it; [`components`] render that state and
//! dispatch actions; [`charts`] draw on canvas with plotters. [`docs`] holds the concept pages of the docs
//! site, which the same build serves (`?page=<concept>`); [`state::route`] documents the address's
//! parameters (views, embedding, shared scenarios).

pub mod charts;
pub mod components;
pub mod docs;
pub mod download;
pub mod state;

pub use components::app::App;

/// Runs the preset `name` to the end in this wasm build and returns simulated events per second of
/// wall-clock time. `scripts/bench.sh` calls it from headless Chromium to compare wasm with native.
///
/// # Errors
/// A message when the preset does not exist or the page has no `performance` clock.
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn bench_preset(name: &str) -> Result<f64, wasm_bindgen::JsValue> {
    let preset =
        kplay_core::presets::find(name).ok_or_else(|| format!("unknown preset {name:?}"))?;
    let performance = web_sys::window()
        .and_then(|w| w.performance())
        .ok_or("no performance clock")?;
    let scenario = preset.scenario(kplay_core::presets::DEFAULT_SEED);
    let mut simulation =
        kplay_core::sim::Simulation::new(&scenario).map_err(|e| format!("{e:?}"))?;
    let start = performance.now();
    while simulation.step(u64::MAX) == kplay_core::sim::Status::Running {}
    let seconds = (performance.now() - start) / 1_000.0;
    Ok(simulation.events() as f64 / seconds)
}

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
