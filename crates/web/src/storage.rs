//! The browser's local storage, when the page may use it. A store that is blocked or missing (a browser
//! setting, a sandboxed frame, some private modes) means nothing is remembered between visits — never a
//! page that fails to start.

fn store() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// The value under `key`, if there is a store and it holds one.
#[must_use]
pub fn get(key: &str) -> Option<String> {
    store()?.get_item(key).ok().flatten()
}

/// Keeps `value` under `key` if the store allows (it may be full or blocked; then nothing is kept).
pub fn set(key: &str, value: &str) {
    if let Some(store) = store() {
        let _ = store.set_item(key, value);
    }
}

/// Forgets `key`, if there is a store.
pub fn remove(key: &str) {
    if let Some(store) = store() {
        let _ = store.remove_item(key);
    }
}
