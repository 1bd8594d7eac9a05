//! Explains how the partition of the last record was chosen: the hash steps, or the sticky partitioner.

use kplay_core::topic::{Placement, Produced};
use yew::prelude::*;

/// Props of [`PlacementExplainer`].
#[derive(Properties, PartialEq)]
pub struct PlacementExplainerProps {
    /// The last record's key and where it went.
    pub last: Option<(Option<String>, Produced)>,
    /// The topic's partition count, the modulus of the hash.
    pub partitions: u32,
}

/// One line: `key "user-1" → murmur2 1404122828 → toPositive 1404122828 → % 6 = partition 2, offset 0`.
#[function_component(PlacementExplainer)]
pub fn placement_explainer(props: &PlacementExplainerProps) -> Html {
    let Some((key, produced)) = &props.last else {
        return html! {
            <p class="placement" data-testid="placement">
                { "Type a key and press Enter. Kafka hashes the key's bytes with murmur2; equal keys always share a partition." }
            </p>
        };
    };
    let text = match (key, produced.placement) {
        (Some(key), Placement::Keyed(hash)) => format!(
            "key {key:?} \u{2192} murmur2 {} \u{2192} toPositive {} \u{2192} % {} = partition {}, offset {}",
            hash.murmur2, hash.positive, props.partitions, produced.partition, produced.offset
        ),
        _ => format!(
            "no key: sticky partitioner \u{2192} partition {}, offset {} (it keeps one partition until a batch is full, then picks another; no key, so no ordering guarantee across records)",
            produced.partition, produced.offset
        ),
    };
    html! { <p class="placement" data-testid="placement" aria-live="polite">{ text }</p> }
}
