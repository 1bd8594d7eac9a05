//! The partitions of a topic drawn as lanes of records, newest on the right; a wide topic (more than
//! [`TAIL_PARTITIONS`] partitions) as a grid of one cell per partition with its owner, end offset and lag, so a
//! thousand partitions stay readable and fast.

use kplay_core::world::detail::RecordView;
use kplay_worker::protocol::TAIL_PARTITIONS;
use yew::prelude::*;

use crate::state::partitions::Lane;

/// Props of [`PartitionLanes`].
#[derive(Properties, PartialEq)]
pub struct PartitionLanesProps {
    /// Every partition as the group sees it.
    pub lanes: Vec<Lane>,
    /// Each partition's newest records, oldest first (empty past [`TAIL_PARTITIONS`] partitions).
    pub tails: Vec<Vec<RecordView>>,
    /// The last produced record's partition and offset, to highlight.
    pub highlight: Option<(u32, u64)>,
}

/// The partitions as lanes of records, or as a grid of cells past [`TAIL_PARTITIONS`] partitions.
#[function_component(PartitionLanes)]
pub fn partition_lanes(props: &PartitionLanesProps) -> Html {
    if props.lanes.len() > TAIL_PARTITIONS as usize || props.tails.len() != props.lanes.len() {
        return partition_grid(&props.lanes);
    }
    html! {
        <ol class="lanes" aria-label="Partitions">
            { for props.lanes.iter().zip(&props.tails).enumerate().map(|(partition, (lane, records))| {
                let hidden = records.first().map_or(0, |r| r.offset);
                let committed = lane.committed.unwrap_or(0);
                html! {
                    <li class="lane" data-testid={format!("partition-{partition}")} data-partition={partition.to_string()}>
                        <span class="lane-label">
                            { format!("P{partition}") }
                            <small>{ format!("end {}", lane.log_end_offset) }</small>
                        </span>
                        <span class={classes!("lane-owner", lane.owner.is_none().then_some("none"))} data-testid={format!("owner-{partition}")}>
                            { lane.owner.clone().unwrap_or_else(|| "no consumer".to_owned()) }
                            <small>{ format!("lag {}", lag_text(lane.lag)) }</small>
                        </span>
                        <ol class="records">
                            if hidden > 0 {
                                <li class="record elided">{ format!("+{hidden} earlier") }</li>
                            }
                            { for records.iter().map(|record| record_view(record, props.highlight == Some((partition as u32, record.offset)), record.offset < committed)) }
                        </ol>
                    </li>
                }
            }) }
        </ol>
    }
}

/// A lag as `kafka-consumer-groups.sh` shows it: `-` before the group's first commit.
fn lag_text(lag: Option<u64>) -> String {
    lag.map_or_else(|| "-".to_owned(), |lag| lag.to_string())
}

/// Partitions per block of the grid: each block is laid out and painted only while on screen.
const GRID_BLOCK: usize = 100;

fn partition_grid(lanes: &[Lane]) -> Html {
    html! {
        <div class="partition-blocks" aria-label="Partitions">
            { for lanes.chunks(GRID_BLOCK).enumerate().map(|(block, lanes)| {
                let first = block * GRID_BLOCK;
                html! {
                    <section class="partition-block">
                        <h4>{ format!("P{first}\u{2013}P{}", first + lanes.len() - 1) }</h4>
                        <ol class="partition-grid">
                            { for lanes.iter().enumerate().map(|(i, lane)| grid_cell(first + i, lane)) }
                        </ol>
                    </section>
                }
            }) }
        </div>
    }
}

fn grid_cell(partition: usize, lane: &Lane) -> Html {
    let owner = lane.owner.as_deref().unwrap_or("no consumer");
    html! {
        <li class={classes!("cell", lane.owner.is_none().then_some("none"), (lane.lag.unwrap_or(0) > 0).then_some("lagging"))}
            data-testid={format!("partition-{partition}")}>
            <strong>{ format!("P{partition}") }</strong>
            <span data-testid={format!("owner-{partition}")}>{ owner }</span>
            <span>{ format!("lag {} \u{b7} end {}", lag_text(lane.lag), lane.log_end_offset) }</span>
        </li>
    }
}

fn record_view(record: &RecordView, highlighted: bool, read: bool) -> Html {
    let label = match record.key.as_deref() {
        None => "\u{2205} no key".to_owned(),
        Some("") => "\"\" (empty)".to_owned(),
        Some(text) => text.to_owned(),
    };
    html! {
        <li
            class={classes!("record", record.key.is_none().then_some("keyless"), highlighted.then_some("highlight"), read.then_some("read"))}
            data-testid="record"
            data-key={record.key.clone()}
            data-offset={record.offset.to_string()}
            title={format!("offset {}", record.offset)}
        >
            <span class="offset">{ record.offset }</span>
            <span class="key">{ label }</span>
        </li>
    }
}
