//! The partitions of a topic drawn as lanes of records, newest on the right; a wide topic (more than
//! [`LANES_UP_TO`] partitions) as a grid of one cell per partition with its owner, end offset and lag, so a
//! thousand partitions stay readable and fast.

use kplay_core::topic::{Record, Topic};
use yew::prelude::*;

use crate::state::Shared;

/// Records drawn per lane; older ones are summarised by a count so wide topics stay fast.
const SHOWN_PER_LANE: usize = 40;
/// Most partitions drawn as lanes of records.
pub const LANES_UP_TO: u32 = 64;

/// What the consumer group does with one partition.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LaneGroupInfo {
    /// The live consumer reading it.
    pub owner: Option<String>,
    /// The group's committed offset (the next to read).
    pub committed: Option<u64>,
    /// Records not yet read.
    pub lag: u64,
}

/// Props of [`PartitionLanes`].
#[derive(Properties, PartialEq)]
pub struct PartitionLanesProps {
    /// The topic to draw.
    pub topic: Shared<Topic>,
    /// `(partition, offset)` of the record to highlight, usually the last produced.
    pub highlight: Option<(u32, u64)>,
    /// Per partition, the consumer group's view of it.
    #[prop_or_default]
    pub group: Vec<LaneGroupInfo>,
}

/// One lane per partition, labelled with its number and log end offset.
#[function_component(PartitionLanes)]
pub fn partition_lanes(props: &PartitionLanesProps) -> Html {
    let topic = props.topic.borrow();
    if topic.partition_count().get() > LANES_UP_TO {
        return partition_grid(&topic, &props.group);
    }
    html! {
        <ol class="lanes" aria-label="Partitions">
            { for (0..topic.partition_count().get()).map(|partition| {
                let records = topic.records(partition);
                let hidden = records.len().saturating_sub(SHOWN_PER_LANE);
                let info = props.group.get(partition as usize).cloned().unwrap_or_default();
                let committed = info.committed.unwrap_or(0);
                html! {
                    <li class="lane" data-testid={format!("partition-{partition}")} data-partition={partition.to_string()}>
                        <span class="lane-label">
                            { format!("P{partition}") }
                            <small>{ format!("end {}", topic.log_end_offset(partition)) }</small>
                        </span>
                        <span class={classes!("lane-owner", info.owner.is_none().then_some("none"))} data-testid={format!("owner-{partition}")}>
                            { info.owner.clone().unwrap_or_else(|| "no consumer".to_owned()) }
                            <small>{ format!("lag {}", info.lag) }</small>
                        </span>
                        <ol class="records">
                            if hidden > 0 {
                                <li class="record elided">{ format!("+{hidden} earlier") }</li>
                            }
                            { for records[hidden..].iter().map(|record| record_view(record, props.highlight == Some((partition, record.offset)), record.offset < committed)) }
                        </ol>
                    </li>
                }
            }) }
        </ol>
    }
}

/// One cell per partition: number, owner, lag and log end offset (shaded when lagging). No tooltip: at a
/// thousand cells every attribute that changes with the lag is a thousand DOM writes per frame.
fn partition_grid(topic: &Topic, group: &[LaneGroupInfo]) -> Html {
    html! {
        <ol class="partition-grid" aria-label="Partitions">
            { for (0..topic.partition_count().get()).map(|partition| {
                let info = group.get(partition as usize).cloned().unwrap_or_default();
                let end = topic.log_end_offset(partition);
                let owner = info.owner.as_deref().unwrap_or("no consumer");
                html! {
                    <li class={classes!("cell", info.owner.is_none().then_some("none"), (info.lag > 0).then_some("lagging"))}
                        data-testid={format!("partition-{partition}")}>
                        <strong>{ format!("P{partition}") }</strong>
                        <span data-testid={format!("owner-{partition}")}>{ owner }</span>
                        <span>{ format!("lag {} \u{b7} end {end}", info.lag) }</span>
                    </li>
                }
            }) }
        </ol>
    }
}

fn record_view(record: &Record, highlighted: bool, read: bool) -> Html {
    let (label, key_attr) = match &record.key {
        None => ("\u{2205} no key".to_owned(), None),
        Some(bytes) => {
            let text = String::from_utf8_lossy(bytes).into_owned();
            (
                if text.is_empty() {
                    "\"\" (empty)".to_owned()
                } else {
                    text.clone()
                },
                Some(text),
            )
        }
    };
    html! {
        <li
            class={classes!("record", record.key.is_none().then_some("keyless"), highlighted.then_some("highlight"), read.then_some("read"))}
            data-testid="record"
            data-key={key_attr}
            data-offset={record.offset.to_string()}
            title={format!("offset {}", record.offset)}
        >
            <span class="offset">{ record.offset }</span>
            <span class="key">{ label }</span>
        </li>
    }
}
