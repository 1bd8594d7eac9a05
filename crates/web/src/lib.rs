//! # kplay-web: the playground in the browser
//!
//! A Yew app that drives [`kplay_core`] and draws what it reports. It holds no Kafka logic of its own:
//! [`state`] keeps the model and turns user actions into calls on it; [`components`] render that state and
//! dispatch actions.

pub mod components;
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
