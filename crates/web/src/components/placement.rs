//! Explains how the partition of the last record was chosen: the hash steps, or the sticky partitioner.

use std::num::NonZeroU32;

use kplay_core::partitioner::KeyPlacement;
use yew::prelude::*;

/// Props of [`PlacementExplainer`].
#[derive(Properties, PartialEq)]
pub struct PlacementExplainerProps {
    /// The key of the last record produced (`Some(None)`: no key), if any was.
    pub produced_key: Option<Option<String>>,
    /// The partition the world's producer chose, and the offset it was told once acknowledged.
    pub placed: Option<(u32, Option<u64>)>,
    /// Partitions of the topic.
    pub partitions: u32,
}

/// How the last record's partition was chosen.
#[function_component(PlacementExplainer)]
pub fn placement_explainer(props: &PlacementExplainerProps) -> Html {
    let (Some(key), Some((partition, offset))) = (&props.produced_key, props.placed) else {
        return html! {
            <p class="placement" data-testid="placement">
                { "Type a key and press Enter. Kafka hashes the key's bytes with murmur2; equal keys always share a partition." }
            </p>
        };
    };
    let offset = offset.map_or_else(|| "not yet acknowledged".to_owned(), |o| o.to_string());
    let text = match (key, NonZeroU32::new(props.partitions)) {
        (Some(key), Some(partitions)) => {
            let hash = KeyPlacement::of(key.as_bytes(), partitions);
            format!(
                "key {key:?} \u{2192} murmur2 {} \u{2192} toPositive {} \u{2192} % {} = partition {partition}, offset {offset}",
                hash.murmur2, hash.positive, props.partitions
            )
        }
        _ => format!(
            "no key: sticky partitioner \u{2192} partition {partition}, offset {offset} (it keeps one partition until batch.size bytes went there and its open batch is complete, then picks another; no key, so no ordering guarantee across records)"
        ),
    };
    html! { <p class="placement" data-testid="placement" aria-live="polite">{ text }</p> }
}
