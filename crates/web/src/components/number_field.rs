//! A labelled number input that reports what the user committed (on change) for a reducer to validate.
//!
//! It re-renders only when its props change, so a view that redraws many times a second (a running
//! simulation, the group's clock) does not overwrite what the user is typing — as long as the parent
//! passes a stable `onchange` (`use_callback`).

use web_sys::HtmlInputElement;
use yew::prelude::*;

/// Props of [`NumberField`].
#[derive(Properties, PartialEq)]
pub struct NumberFieldProps {
    /// The visible label.
    pub label: AttrValue,
    /// `data-testid` of the input.
    pub test_id: AttrValue,
    /// The current value.
    pub value: AttrValue,
    /// Lowest value offered.
    pub min: AttrValue,
    /// Highest value offered, if any.
    #[prop_or_default]
    pub max: Option<AttrValue>,
    /// Step, `any` for decimals.
    #[prop_or(AttrValue::Static("1"))]
    pub step: AttrValue,
    /// Called with the text the user committed.
    pub onchange: Callback<String>,
}

/// A labelled number input.
#[function_component(NumberField)]
pub fn number_field(props: &NumberFieldProps) -> Html {
    let onchange = {
        let onchange = props.onchange.clone();
        Callback::from(move |event: Event| {
            onchange.emit(event.target_unchecked_into::<HtmlInputElement>().value())
        })
    };
    html! {
        <label class="field">
            <span>{ props.label.clone() }</span>
            <input
                type="number"
                data-testid={props.test_id.clone()}
                min={props.min.clone()}
                max={props.max.clone()}
                step={props.step.clone()}
                value={props.value.clone()}
                {onchange}
            />
        </label>
    }
}
