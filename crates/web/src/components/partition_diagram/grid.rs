//! A wide topic (more than [`kplay_worker::protocol::TAIL_PARTITIONS`] partitions) as a grid of one cell
//! per partition with the chosen group's owner, lag and the log end, so a thousand partitions stay
//! readable and fast; the groups are listed beside it without lines.

use yew::prelude::*;

use crate::state::partitions::Lane;

/// A lag as `kafka-consumer-groups.sh` shows it: `-` before the group's first commit.
pub(super) fn lag_text(lag: Option<u64>) -> String {
    lag.map_or_else(|| "-".to_owned(), |lag| lag.to_string())
}

/// Partitions per block of the grid: each block is laid out and painted only while on screen.
const GRID_BLOCK: usize = 100;

/// Every partition as a cell, in blocks of [`GRID_BLOCK`], for group `selected`.
pub(super) fn partition_grid(lanes: &[Lane], selected: usize) -> Html {
    html! {
        <div class="partition-blocks" aria-label="Partitions">
            { for lanes.chunks(GRID_BLOCK).enumerate().map(|(block, lanes)| {
                let first = block * GRID_BLOCK;
                html! {
                    <section class="partition-block">
                        <h4>{ format!("P{first}\u{2013}P{}", first + lanes.len() - 1) }</h4>
                        <ol class="partition-grid">
                            { for lanes.iter().enumerate().map(|(i, lane)| grid_cell(first + i, lane, selected)) }
                        </ol>
                    </section>
                }
            }) }
        </div>
    }
}

fn grid_cell(partition: usize, lane: &Lane, selected: usize) -> Html {
    let hold = lane.groups.get(selected).cloned().unwrap_or_default();
    let owner = hold.owner.as_deref().unwrap_or("no consumer");
    html! {
        <li class={classes!("cell", hold.owner.is_none().then_some("none"), (hold.lag.unwrap_or(0) > 0).then_some("lagging"))}
            data-testid={format!("partition-{partition}")}>
            <strong>{ format!("P{partition}") }</strong>
            <span data-testid={format!("owner-{partition}")}>{ owner }</span>
            <span>{ format!("lag {} \u{b7} end {}", lag_text(hold.lag), lane.log_end_offset) }</span>
        </li>
    }
}
