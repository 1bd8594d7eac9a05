//! The page's end of the model's worker ([`kplay_worker`]): the page posts requests and draws the replies;
//! it never runs the model itself, so no scenario, however heavy, blocks the page.
//!
//! [`Model::spawn`] starts the worker from `kplay-worker_loader.js` next to the page (Trunk builds it from
//! `crates/worker`; the name is fixed, not hashed, so the page can find it). Requests go out as JSON text
//! in `postMessage`; each reply comes back as bytes ([`kplay_worker::protocol`]) and is handed to the
//! callback set with
//! [`Model::on_reply`]. If the worker cannot start or stops, every request is answered with a
//! [`Reply::Failed`] saying why, so the page shows a message instead of waiting forever.
//!
//! With the `inline-model` feature (the browser tests, whose runner serves no worker script) the same
//! engine answers on the page's own thread, through the same encodings, one task after the request.

use std::cell::RefCell;
use std::rc::Rc;

use kplay_worker::protocol::{Reply, Request};
use yew::Callback;

/// Where the page's requests go: a clonable handle to send one [`Request`].
#[derive(Clone)]
pub struct Outbox(Rc<dyn Fn(Request)>);

impl Outbox {
    /// Sends requests to `send`.
    pub fn new(send: impl Fn(Request) + 'static) -> Self {
        Self(Rc::new(send))
    }

    /// Sends `request`.
    pub fn send(&self, request: Request) {
        (self.0)(request);
    }
}

impl PartialEq for Outbox {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl std::fmt::Debug for Outbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Outbox")
    }
}

/// The page's handle on the model's worker.
#[derive(Clone)]
pub struct Model {
    port: Rc<Port>,
    sink: Rc<RefCell<Option<Callback<Reply>>>>,
}

enum Port {
    /// The worker, with the handlers it calls (kept alive as long as it is).
    #[cfg(not(feature = "inline-model"))]
    Worker {
        worker: web_sys::Worker,
        /// Requests held until the worker says it listens (`None` once it has).
        held: Rc<RefCell<Option<Vec<String>>>>,
        _on_message: wasm_bindgen::closure::Closure<dyn FnMut(web_sys::MessageEvent)>,
        _on_error: wasm_bindgen::closure::Closure<dyn FnMut(web_sys::ErrorEvent)>,
    },
    /// The engine on the page's own thread (browser tests).
    #[cfg(feature = "inline-model")]
    Inline(Box<RefCell<kplay_worker::engine::Engine>>),
    /// The worker could not start, for this reason.
    #[cfg_attr(feature = "inline-model", allow(dead_code))]
    Broken(String),
}

impl Drop for Port {
    fn drop(&mut self) {
        #[cfg(not(feature = "inline-model"))]
        if let Self::Worker { worker, .. } = self {
            worker.terminate();
        }
    }
}

/// The worker's script, relative to the page.
pub const WORKER_SCRIPT: &str = "kplay-worker_loader.js";

impl Model {
    /// Starts the model's worker.
    #[must_use]
    pub fn spawn() -> Self {
        let sink: Rc<RefCell<Option<Callback<Reply>>>> = Rc::default();
        Self {
            port: Rc::new(Self::port(&sink)),
            sink,
        }
    }

    #[cfg(not(feature = "inline-model"))]
    fn port(sink: &Rc<RefCell<Option<Callback<Reply>>>>) -> Port {
        use wasm_bindgen::JsCast;
        use wasm_bindgen::closure::Closure;

        let worker = match web_sys::Worker::new(WORKER_SCRIPT) {
            Ok(worker) => worker,
            Err(err) => {
                return Port::Broken(format!(
                    "The model's worker could not start ({}); reload the page to try again.",
                    describe(&err)
                ));
            }
        };
        let held: Rc<RefCell<Option<Vec<String>>>> = Rc::new(RefCell::new(Some(Vec::new())));
        let on_message = {
            let (sink, held, worker) = (Rc::clone(sink), Rc::clone(&held), worker.clone());
            Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |event: web_sys::MessageEvent| {
                let bytes = js_sys::Uint8Array::new(&event.data()).to_vec();
                match Reply::from_bytes(&bytes) {
                    Reply::Ready => {
                        for text in held.borrow_mut().take().unwrap_or_default() {
                            let _ = worker.post_message(&text.into());
                        }
                    }
                    reply => deliver(&sink, reply),
                }
            })
        };
        let on_error = {
            let sink = Rc::clone(sink);
            Closure::<dyn FnMut(web_sys::ErrorEvent)>::new(move |event: web_sys::ErrorEvent| {
                event.prevent_default();
                deliver(
                    &sink,
                    Reply::Failed {
                        message: format!(
                            "The model's worker stopped ({}); reload the page to start again.",
                            event.message()
                        ),
                    },
                );
            })
        };
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        Port::Worker {
            worker,
            held,
            _on_message: on_message,
            _on_error: on_error,
        }
    }

    #[cfg(feature = "inline-model")]
    fn port(_sink: &Rc<RefCell<Option<Callback<Reply>>>>) -> Port {
        Port::Inline(Box::default())
    }

    /// Stops the model: the worker ends and no reply is delivered any more (the app is closing).
    pub fn close(&self) {
        *self.sink.borrow_mut() = None;
        #[cfg(not(feature = "inline-model"))]
        if let Port::Worker { worker, .. } = &*self.port {
            worker.terminate();
        }
    }

    /// Hands every reply to `sink` from now on.
    pub fn on_reply(&self, sink: Callback<Reply>) {
        *self.sink.borrow_mut() = Some(sink);
    }

    /// An [`Outbox`] that sends to this model.
    #[must_use]
    pub fn outbox(&self) -> Outbox {
        let model = self.clone();
        Outbox::new(move |request| model.send(&request))
    }

    /// Sends `request`; its reply comes to the sink later, never during this call.
    pub fn send(&self, request: &Request) {
        // Requests hold strings, integers and finite numbers only, which always serialize.
        let text = serde_json::to_string(request).unwrap_or_default();
        match &*self.port {
            #[cfg(not(feature = "inline-model"))]
            Port::Worker { worker, held, .. } => {
                if let Some(held) = held.borrow_mut().as_mut() {
                    held.push(text);
                    return;
                }
                if let Err(err) = worker.post_message(&text.into()) {
                    self.later(Reply::Failed {
                        message: format!(
                            "The model's worker refused a request ({}).",
                            describe(&err)
                        ),
                    });
                }
            }
            #[cfg(feature = "inline-model")]
            Port::Inline(engine) => {
                let clock = || {
                    web_sys::window()
                        .and_then(|w| w.performance())
                        .map_or(0.0, |p| p.now())
                };
                let reply = engine.borrow_mut().handle_message(&text, &clock);
                self.later(Reply::from_bytes(&reply));
            }
            Port::Broken(message) => self.later(Reply::Failed {
                message: message.clone(),
            }),
        }
    }

    /// Delivers `reply` in a later task, as a worker's reply would arrive.
    fn later(&self, reply: Reply) {
        let sink = Rc::clone(&self.sink);
        wasm_bindgen_futures::spawn_local(async move { deliver(&sink, reply) });
    }
}

fn deliver(sink: &RefCell<Option<Callback<Reply>>>, reply: Reply) {
    let sink = sink.borrow().clone();
    if let Some(sink) = sink {
        sink.emit(reply);
    }
}

/// What a JavaScript error says, for people.
pub(crate) fn describe(err: &wasm_bindgen::JsValue) -> String {
    err.as_string()
        .or_else(|| {
            use wasm_bindgen::JsCast;
            err.dyn_ref::<js_sys::Error>()
                .map(|e| String::from(e.message()))
        })
        .unwrap_or_else(|| "no reason given".into())
}
