//! Saving files from the page: a link with `download` set, clicked on the user's behalf.

use wasm_bindgen::JsCast;

/// Saves what `href` points at (a `data:` or `blob:` URL) as `filename`.
pub fn url(href: &str, filename: &str) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Some(link) = document
        .create_element("a")
        .ok()
        .and_then(|e| e.dyn_into::<web_sys::HtmlAnchorElement>().ok())
    else {
        return;
    };
    link.set_href(href);
    link.set_download(filename);
    link.click();
}

/// Saves `text` as `filename` of type `mime`.
pub fn text(text: &str, mime: &str, filename: &str) {
    let parts = js_sys_array(text);
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    if let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options) {
        self::blob(&blob, filename);
    }
}

/// Saves `blob` as `filename`.
pub fn blob(blob: &web_sys::Blob, filename: &str) {
    let Ok(href) = web_sys::Url::create_object_url_with_blob(blob) else {
        return;
    };
    url(&href, filename);
    // The download reads the blob after this returns; let it go once that has surely started.
    gloo::timers::callback::Timeout::new(10_000, move || {
        let _ = web_sys::Url::revoke_object_url(&href);
    })
    .forget();
}

fn js_sys_array(text: &str) -> wasm_bindgen::JsValue {
    let array = web_sys::js_sys::Array::new();
    array.push(&text.into());
    array.into()
}
