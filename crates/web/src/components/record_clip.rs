//! The `record-clip` button: saves a diagram as it runs as a video, for slides and tutorials.
//!
//! Clicking starts recording the element with test id `target`; clicking again (or `MAX_SECONDS` later)
//! stops and downloads the clip (WebM where the browser writes it). The recorder
//! (`crates/web/js/record-clip.js`) is fetched on the first click, so the first load does not carry it;
//! it draws the diagram onto a canvas about twelve times a second and encodes the canvas with the
//! browser's `MediaRecorder`. A browser without one gets a message saying so.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::js_sys::{Function, Promise};
use yew::prelude::*;

use crate::download;

/// The longest clip, in seconds.
const MAX_SECONDS: f64 = 60.0;

#[wasm_bindgen(
    inline_js = "export function loadRecorder() { return import(new URL('record-clip.js', document.baseURI).href); }"
)]
extern "C" {
    /// The recorder module, fetched on first use.
    #[wasm_bindgen(js_name = loadRecorder)]
    fn load_recorder() -> Promise;
}

/// Where a recording stands.
#[derive(Clone, PartialEq)]
enum Clip {
    Idle,
    Recording(f64),
    Saved(String),
    Failed(String),
}

/// What is kept while a clip records: the recorder's stop function and the callback it reports to.
#[derive(Default)]
struct Session {
    stop: Option<Function>,
    report: Option<Closure<dyn FnMut(String, JsValue)>>,
}

/// Props of [`RecordClip`].
#[derive(Properties, PartialEq)]
pub struct RecordClipProps {
    /// The test id of the element to record.
    pub target: AttrValue,
}

/// The file a clip of `target` is saved as, for a video of type `mime`.
#[must_use]
pub fn file_name(target: &str, mime: &str) -> String {
    let extension = if mime.starts_with("video/mp4") {
        "mp4"
    } else {
        "webm"
    };
    format!("kplay-{target}.{extension}")
}

/// The record button and what it says; see the module doc.
#[function_component(RecordClip)]
pub fn record_clip(props: &RecordClipProps) -> Html {
    let clip = use_state(|| Clip::Idle);
    let session = use_mut_ref(Session::default);
    let onclick = {
        let (clip, session, target) = (clip.clone(), session.clone(), props.target.clone());
        Callback::from(move |_: MouseEvent| {
            if let Some(stop) = session.borrow_mut().stop.take() {
                let _ = stop.call0(&JsValue::NULL);
                return;
            }
            if matches!(*clip, Clip::Recording(_)) {
                return;
            }
            start(&target, &clip, &session);
        })
    };
    let (label, status) = match &*clip {
        Clip::Idle => ("\u{25cf} Record clip", String::new()),
        Clip::Recording(seconds) => (
            "\u{25a0} Stop and save",
            format!("recording {seconds:.0} s (at most {MAX_SECONDS:.0} s)"),
        ),
        Clip::Saved(name) => ("\u{25cf} Record clip", format!("saved {name}")),
        Clip::Failed(message) => ("\u{25cf} Record clip", message.clone()),
    };
    html! {
        <span class="record-clip">
            <button class="secondary" data-testid="record-clip" onclick={onclick}
                title="Save the diagram as it runs as a video, for slides">{ label }</button>
            <small data-testid="record-clip-status" aria-live="polite"
                class={classes!(matches!(*clip, Clip::Failed(_)).then_some("refused"))}>{ status }</small>
        </span>
    }
}

/// Loads the recorder and starts it on the element with test id `target`.
fn start(target: &str, clip: &UseStateHandle<Clip>, session: &Rc<RefCell<Session>>) {
    let element = web_sys::window().and_then(|w| w.document()).and_then(|d| {
        d.query_selector(&format!("[data-testid=\"{target}\"]"))
            .ok()
            .flatten()
    });
    let Some(element) = element else {
        clip.set(Clip::Failed(format!(
            "There is no {target} on the page to record."
        )));
        return;
    };
    clip.set(Clip::Recording(0.0));
    let report = {
        let (clip, session, target) = (clip.clone(), session.clone(), target.to_string());
        Closure::<dyn FnMut(String, JsValue)>::new(move |kind: String, detail: JsValue| match kind
            .as_str()
        {
            "progress" => clip.set(Clip::Recording(detail.as_f64().unwrap_or(0.0))),
            "done" => {
                let name = detail
                    .dyn_ref::<web_sys::Blob>()
                    .map(|blob| {
                        let name = file_name(&target, &blob.type_());
                        download::blob(blob, &name);
                        name
                    })
                    .unwrap_or_default();
                clip.set(Clip::Saved(name));
                end(&session);
            }
            _ => {
                clip.set(Clip::Failed(detail.as_string().unwrap_or_default()));
                end(&session);
            }
        })
    };
    let begin = {
        let (session, element) = (session.clone(), element.clone());
        Closure::once(move |module: JsValue| {
            let recorder = web_sys::js_sys::Reflect::get(&module, &"recordClip".into())
                .ok()
                .and_then(|f| f.dyn_into::<Function>().ok());
            let mut held = session.borrow_mut();
            if let (Some(recorder), Some(report)) = (recorder, held.report.as_ref()) {
                let stop = recorder.call3(
                    &JsValue::NULL,
                    &element,
                    &MAX_SECONDS.into(),
                    report.as_ref(),
                );
                held.stop = stop.ok().and_then(|s| s.dyn_into::<Function>().ok());
            }
        })
    };
    let failed = {
        let (clip, session) = (clip.clone(), session.clone());
        Closure::once(move |_: JsValue| {
            clip.set(Clip::Failed(
                "The recorder could not be loaded; check the connection and try again.".into(),
            ));
            end(&session);
        })
    };
    session.borrow_mut().report = Some(report);
    let _ = load_recorder().then2(&begin, &failed);
    // Each runs at most once, when the module has loaded or failed to.
    begin.forget();
    failed.forget();
}

/// Lets the finished session go; the callbacks are dropped once the recorder's last report returned.
fn end(session: &Rc<RefCell<Session>>) {
    let session = session.clone();
    gloo::timers::callback::Timeout::new(0, move || {
        *session.borrow_mut() = Session::default();
    })
    .forget();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clips_are_named_by_their_diagram_and_type() {
        assert_eq!(
            file_name("flow-diagram", "video/webm;codecs=vp9"),
            "kplay-flow-diagram.webm"
        );
        assert_eq!(
            file_name("log-diagram", "video/mp4"),
            "kplay-log-diagram.mp4"
        );
        assert_eq!(
            file_name("partition-diagram", ""),
            "kplay-partition-diagram.webm"
        );
    }
}
