//! The theme switch: follow the system, or force light or dark. The choice is kept in local storage and
//! applied as `data-theme` on the document element, which the style sheet's `color-scheme` follows.

use yew::prelude::*;

/// The local-storage key of the chosen theme.
const THEME_KEY: &str = "kplay.theme";
/// The choices, in the order the button cycles through them.
const THEMES: [&str; 3] = ["auto", "light", "dark"];

fn apply(theme: &str) {
    let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    else {
        return;
    };
    let _ = if theme == "auto" {
        root.remove_attribute("data-theme")
    } else {
        root.set_attribute("data-theme", theme)
    };
}

/// A button cycling auto → light → dark.
#[function_component(ThemeToggle)]
pub fn theme_toggle() -> Html {
    let theme = use_state(|| {
        crate::storage::get(THEME_KEY)
            .and_then(|saved| THEMES.into_iter().find(|t| *t == saved))
            .unwrap_or("auto")
    });
    use_effect_with(*theme, |theme| apply(theme));
    let onclick = {
        let theme = theme.clone();
        Callback::from(move |_: MouseEvent| {
            let at = THEMES.iter().position(|t| t == &*theme).unwrap_or(0);
            let next = THEMES[(at + 1) % THEMES.len()];
            crate::storage::set(THEME_KEY, next);
            theme.set(next);
        })
    };
    html! {
        <button type="button" class="secondary theme-toggle" data-testid="theme-toggle" {onclick}
            title="Switch between the system's theme, light and dark">
            { format!("Theme: {}", *theme) }
        </button>
    }
}
