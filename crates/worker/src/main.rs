//! The `kplay-worker` binary: the model's Web Worker. Trunk builds it (`data-type="worker"`, loaded by
//! `kplay-worker_loader.js`); it answers each message the page posts — a [`kplay_worker::protocol::Request`]
//! as JSON text — with the engine's reply, as bytes. A panic is posted to the page as a `failed` reply before the
//! worker stops, so the page can say what happened.

#[cfg(target_arch = "wasm32")]
fn main() {
    use std::cell::RefCell;

    use kplay_worker::engine::Engine;
    use kplay_worker::protocol::Reply;
    use wasm_bindgen::JsCast;
    use wasm_bindgen::closure::Closure;
    use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

    fn scope() -> DedicatedWorkerGlobalScope {
        js_sys::global().unchecked_into()
    }
    fn post(bytes: &[u8]) {
        let _ = scope().post_message(&js_sys::Uint8Array::from(bytes));
    }
    fn clock_ms() -> f64 {
        scope().performance().map_or(0.0, |p| p.now())
    }

    std::panic::set_hook(Box::new(|info| {
        let reply = Reply::Failed {
            message: format!("The model stopped on an internal error: {info}."),
        };
        post(&reply.to_bytes());
    }));
    let engine = RefCell::new(Engine::default());
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        let text = event.data().as_string().unwrap_or_default();
        let reply = engine.borrow_mut().handle_message(&text, &clock_ms);
        post(&reply);
    });
    scope().set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The handler lives as long as the worker.
    on_message.forget();
    post(&Reply::Ready.to_bytes());
}

/// Natively there is no page to serve: the engine is a library, tested with `cargo test`.
#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!(
        "kplay-worker runs as the Web Worker of the kplay site (trunk serve); it has no native use."
    );
    std::process::exit(2);
}
