//! The number input that sets how many partitions the topic has.

use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::state::partitions::PARTITIONS;

/// Props of [`PartitionCount`].
#[derive(Properties, PartialEq)]
pub struct PartitionCountProps {
    /// The topic's current partition count.
    pub count: u32,
    /// Called with the text the user committed (on change), to be validated by the reducer.
    pub onchange: Callback<String>,
}

/// A labelled number input for the partition count.
#[function_component(PartitionCount)]
pub fn partition_count(props: &PartitionCountProps) -> Html {
    let onchange = {
        let onchange = props.onchange.clone();
        Callback::from(move |event: Event| {
            onchange.emit(event.target_unchecked_into::<HtmlInputElement>().value())
        })
    };
    html! {
        <label class="field">
            <span>{ "Partitions" }</span>
            <input
                type="number"
                data-testid="partition-count"
                min={PARTITIONS.start().to_string()}
                max={PARTITIONS.end().to_string()}
                value={props.count.to_string()}
                {onchange}
            />
        </label>
    }
}
