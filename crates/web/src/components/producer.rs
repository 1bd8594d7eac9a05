//! The producer form: type a key and produce it, or produce a record without a key.

use web_sys::HtmlInputElement;
use yew::prelude::*;

/// Props of [`Producer`].
#[derive(Properties, PartialEq)]
pub struct ProducerProps {
    /// Called with `Some(key)` for a keyed record (the key may be empty) or `None` for a keyless one.
    pub onproduce: Callback<Option<String>>,
}

/// A key input with "Produce" (also on Enter) and "Produce without key" buttons.
#[function_component(Producer)]
pub fn producer(props: &ProducerProps) -> Html {
    let input = use_node_ref();

    // Callbacks
    let produce_keyed = {
        let (input, onproduce) = (input.clone(), props.onproduce.clone());
        move || {
            if let Some(field) = input.cast::<HtmlInputElement>() {
                onproduce.emit(Some(field.value()));
                field.select();
            }
        }
    };
    let onkeydown = {
        let produce_keyed = produce_keyed.clone();
        Callback::from(move |event: KeyboardEvent| {
            if event.key() == "Enter" {
                event.prevent_default();
                produce_keyed();
            }
        })
    };
    let onclick = Callback::from(move |_: MouseEvent| produce_keyed());
    let onclick_keyless = {
        let onproduce = props.onproduce.clone();
        Callback::from(move |_: MouseEvent| onproduce.emit(None))
    };

    // Render
    html! {
        <div class="producer">
            <label class="field">
                <span>{ "Key" }</span>
                <input ref={input} type="text" data-testid="key-input" placeholder="e.g. order-123" {onkeydown} autocomplete="off" />
            </label>
            <button type="button" data-testid="produce" {onclick}>{ "Produce" }</button>
            <button type="button" data-testid="produce-keyless" class="secondary" onclick={onclick_keyless}>
                { "Produce without key" }
            </button>
        </div>
    }
}
