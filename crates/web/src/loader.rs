//! The site's two builds of this crate and the hand-over between them. `kplay-web` is the first load:
//! [`Landing`](crate::components::app::landing::Landing), the order flow's view alone. `kplay-full` is
//! [`App`](crate::App), every view, the concept pages and the lessons. wasm has no code splitting, so
//! the full app is a second module that shares nothing with the first: the page's loader (`index.html`,
//! `window.kplayLoad`) fetches and compiles one of them by name, and the landing page asks it for the
//! full app when the user wants more than the order flow.
//!
//! The hand-over keeps the landing page working until the full app is compiled, then stops it (what
//! the landing build's `main` registered with [`on_handover`]: its component, and with it the model's
//! worker, [`crate::model::Model::close`]) and starts the full app in its place; what the user had (the
//! scenario, the moment, each view's world) comes back from the autosave, as after a reload. A failed
//! download leaves the landing page as it was, with a message.

use std::cell::RefCell;

use crate::model::describe;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// The page's loader function: `kplayLoad(build)` resolves to a function that starts the build.
const LOADER: &str = "kplayLoad";

/// The full app's build, as the loader names it.
const FULL: &str = "kplay-full";

thread_local! {
    /// What stops the page's app when the full app takes over.
    static LEAVE: RefCell<Option<Box<dyn FnOnce()>>> = const { RefCell::new(None) };
}

/// Registers `leave`, which stops the page's app (the landing page) when the full app takes over.
pub fn on_handover(leave: impl FnOnce() + 'static) {
    LEAVE.with(|slot| *slot.borrow_mut() = Some(Box::new(leave)));
}

/// Loads the full app and hands the page over to it, at `query` (an address such as `?view=partitions`;
/// `None`: the address as it is).
///
/// # Errors
/// Why the full app could not be loaded (the page's loader is missing, the download or compilation
/// failed); the landing page then runs on.
pub async fn open_full(query: Option<&str>) -> Result<(), String> {
    let window = web_sys::window().ok_or("no window")?;
    let load = js_sys::Reflect::get(&window, &JsValue::from_str(LOADER))
        .ok()
        .and_then(|load| load.dyn_into::<js_sys::Function>().ok())
        .ok_or("the page has no loader")?;
    let loading = load
        .call1(&JsValue::NULL, &JsValue::from_str(FULL))
        .map_err(|err| describe(&err))?;
    let start = JsFuture::from(js_sys::Promise::resolve(&loading))
        .await
        .map_err(|err| describe(&err))?
        .dyn_into::<js_sys::Function>()
        .map_err(|_| "the loader gave no way to start it".to_owned())?;
    if let (Some(query), Ok(history)) = (query, window.history()) {
        let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(query));
    }
    if let Some(leave) = LEAVE.with(|slot| slot.borrow_mut().take()) {
        leave();
    }
    // From here the full app reports its own failures (the loader shows them on the page).
    let _ = start.call0(&JsValue::NULL);
    Ok(())
}
