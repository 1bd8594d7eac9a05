//! The partition diagram (`partition-diagram`): the topic's partitions as lanes of offset cells, newest
//! at the log end on the right, and every consumer group beside them with a line from each consumer to
//! each partition it owns.
//!
//! What it shows, all read from the world's frame: each record as a cell labelled with its offset and
//! key, coloured and shaped by its key (keyless records dashed), flying in from the producer as it is
//! appended and sliding left as newer ones arrive; the log start offset, high watermark and log end of
//! each lane; each group's committed offset as its own glyph under the lane (auto-committed every 5 s,
//! so it trails the owner's position by up to that much), so two groups reading one partition at
//! different offsets show publish–subscribe across groups and a queue within each. Idle consumers are
//! drawn idle, a crashed consumer as a ghost whose lines stay (dashed) until its session expires, and a
//! rebalance as the lines the protocol drops: every one of the group's under eager, only the moving
//! ones under cooperative, with the time paused so far. Motion is CSS only (a transition on each cell's
//! place, an animation when one appears), so `prefers-reduced-motion` turns it off and the states are the
//! same. Transactions show as they sit in the log: a marker is a narrow `COMMIT` / `ABORT` cell that
//! takes an offset, a record of an aborted transaction is struck through, one of an open transaction is
//! outlined, and a lane whose last stable offset trails its high watermark marks it (`LSO`), where
//! `read_committed` groups stop. Past [`TAIL_PARTITIONS`] partitions the lanes give way to a grid of
//! cells (`grid.rs`).

mod grid;
mod groups;

use kplay_core::world::detail::RecordView;
use kplay_worker::protocol::{LANE_RECORDS, TAIL_PARTITIONS};
use yew::prelude::*;

pub use groups::DiagramGroup;

use crate::state::partitions::Lane;

/// Height of one lane, in pixels: the group column's lines end at lane `p`'s middle, `(p + ½) × LANE_H`.
pub(crate) const LANE_H: u32 = 52;
/// Offset cells a lane shows, whatever its width (each is a twelfth of the lane): a committed offset
/// further back is drawn at the lane's left edge with its number.
const VISIBLE_CELLS: u64 = 12;
/// Records drawn per lane, all a frame lists: those in sight and a few more that slide out of it as new
/// ones arrive.
const DRAWN_CELLS: usize = LANE_RECORDS;

/// Props of [`PartitionDiagram`].
#[derive(Properties, PartialEq)]
pub struct PartitionDiagramProps {
    /// Every partition, with every group's hold on it.
    pub lanes: Vec<Lane>,
    /// Each partition's newest records, oldest first (empty past [`TAIL_PARTITIONS`] partitions).
    pub tails: Vec<Vec<RecordView>>,
    /// The groups, in the frame's order (the order of [`Lane::groups`]).
    pub groups: Vec<DiagramGroup>,
    /// The group the controls act on (its owner and lag are the lanes' text).
    pub selected: usize,
    /// The moment shown, for the time a rebalance has paused so far.
    pub at_ms: u64,
    /// The last produced record's partition and offset, to highlight.
    pub highlight: Option<(u32, u64)>,
    /// A group is chosen (by its index).
    pub onselect: Callback<usize>,
    /// A group is removed (by name).
    pub onremove: Callback<String>,
}

/// The partitions and the groups reading them.
#[function_component(PartitionDiagram)]
pub fn partition_diagram(props: &PartitionDiagramProps) -> Html {
    let wide =
        props.lanes.len() > TAIL_PARTITIONS as usize || props.tails.len() != props.lanes.len();
    let column = html! {
        <groups::GroupColumn
            groups={props.groups.clone()}
            lanes={props.lanes.len()}
            selected={props.selected}
            at_ms={props.at_ms}
            drawn={!wide}
            onselect={props.onselect.clone()}
            onremove={props.onremove.clone()}
        />
    };
    html! {
        <div class={classes!("partition-diagram", wide.then_some("wide"))} data-testid="partition-diagram">
            <div class="diagram-producer" aria-hidden="true">{ "producer \u{2192}" }</div>
            if wide {
                { grid::partition_grid(&props.lanes, props.selected) }
            } else {
                <ol class="lanes" aria-label="Partitions" style={format!("--lane-h: {LANE_H}px; --cells: {VISIBLE_CELLS}")}>
                    { for props.lanes.iter().zip(&props.tails).enumerate().map(|(p, (lane, records))| {
                        lane_view(p, lane, records, props)
                    }) }
                </ol>
            }
            { column }
        </div>
    }
}

/// A lane that gained more records than this in the last simulated second (a tenth of a real second, one
/// frame, at the views' speed) is drawn as a stream: one band saying how many records arrived and the
/// newest offset, instead of cells that would each be shown for a single frame.
const DENSE_PER_SECOND: usize = 6;

/// Offsets are placed from an origin that moves only every [`ORIGIN_STEP`] offsets, so a record's place
/// is written once when it appears; what slides as records arrive is the lane's strip (one style change
/// per lane, not one per record).
const ORIGIN_STEP: u64 = 4_096;

/// The strip's place: the cell before `end` is the lane's last in sight.
fn strip_style(end: u64, origin: u64) -> String {
    let shift = i128::from(VISIBLE_CELLS) - i128::from(end - origin);
    format!("transform: translateX(calc({shift} * 100% / {VISIBLE_CELLS}))")
}

/// The place of offset `offset`'s cell (or the boundary before it) on a strip, in cells (an element one
/// cell wide moves by its own width).
fn at_offset(offset: u64, origin: u64) -> String {
    format!(
        "transform: translateX({}00%)",
        offset.saturating_sub(origin)
    )
}

fn lane_view(
    partition: usize,
    lane: &Lane,
    records: &[RecordView],
    props: &PartitionDiagramProps,
) -> Html {
    let end = lane.log_end_offset;
    let hold = lane.groups.get(props.selected).cloned().unwrap_or_default();
    let read_below = hold.committed.unwrap_or(0);
    let recent = props.at_ms.saturating_sub(1_000);
    let arrived = records
        .iter()
        .rev()
        .take_while(|r| r.timestamp_ms > recent)
        .count();
    let dense = arrived > DENSE_PER_SECOND;
    let (drawn, origin) = if dense {
        (&[][..], end.saturating_sub(VISIBLE_CELLS))
    } else {
        let drawn = &records[records.len().saturating_sub(DRAWN_CELLS)..];
        let first = drawn
            .first()
            .map_or(end, |r| r.offset)
            .min(end.saturating_sub(VISIBLE_CELLS));
        (drawn, first / ORIGIN_STEP * ORIGIN_STEP)
    };
    // Records in ring order (offset modulo the cells drawn): a new record takes the place of the one it
    // pushes out of the lane and every other keeps its place among its siblings, so the page creates one
    // element per record and never moves one (moving restarts its animation and restyles it).
    let mut ring: Vec<&RecordView> = drawn.iter().collect();
    ring.sort_unstable_by_key(|r| r.offset % DRAWN_CELLS as u64);
    let stream = dense.then(|| stream_text(records, end));
    let in_sight = |offset: u64| end.saturating_sub(offset) <= VISIBLE_CELLS;
    html! {
        <li class={classes!("lane", dense.then_some("dense"))} data-testid={format!("partition-{partition}")} data-partition={partition.to_string()}>
            <span class="lane-label">
                { format!("P{partition}") }
                <small>{ format!("start {} \u{b7} HW {} \u{b7} end {end}", lane.log_start_offset, lane.high_watermark) }</small>
                if lane.last_stable_offset < lane.high_watermark {
                    <small class="lso" data-testid={format!("lso-{partition}")}>{ format!("LSO {}", lane.last_stable_offset) }</small>
                }
                { for lane.share.iter().map(|(group, p)| html! {
                    <small class="share-partition" data-testid={format!("share-{group}-{partition}")}
                        title="share group (KIP-932): the share-partition start and end offsets, and the records in flight">
                        { format!("{group}: SPSO {} \u{b7} SPEO {} \u{b7} {} acquired \u{b7} {} available", p.start_offset, p.end_offset, p.acquired, p.available) }
                    </small>
                }) }
            </span>
            <span class={classes!("lane-owner", hold.owner.is_none().then_some("none"))} data-testid={format!("owner-{partition}")}>
                { hold.owner.clone().unwrap_or_else(|| "no consumer".to_owned()) }
                <small>{ format!("lag {}", grid::lag_text(hold.lag)) }</small>
            </span>
            <div class="track">
                if let Some(stream) = stream {
                    // The stripes move 3 px per record written, so a faster lane runs faster.
                    <div class="stream" data-testid={format!("stream-{partition}")}
                        style={format!("background-position: {}px 0", end.wrapping_mul(3) % 40)}><span>{ stream }</span></div>
                }
                <div class="strip" style={strip_style(end, origin)}>
                    <ol class="records">
                        { for ring.into_iter().map(|record| record_view(
                            record,
                            origin,
                            props.highlight == Some((partition as u32, record.offset)),
                            record.offset < read_below,
                            record.offset >= lane.high_watermark,
                        )) }
                    </ol>
                    if in_sight(lane.high_watermark) {
                        <span class="hw-line" style={at_offset(lane.high_watermark, origin)} title={format!("high watermark {}", lane.high_watermark)} />
                    }
                    if lane.last_stable_offset < lane.high_watermark && in_sight(lane.last_stable_offset) {
                        <span class="lso-line" style={at_offset(lane.last_stable_offset, origin)}
                            title={format!("last stable offset {}: read_committed consumers stop here until the open transaction ends", lane.last_stable_offset)} />
                    }
                    { for lane.groups.iter().zip(&props.groups).filter_map(|(hold, group)| {
                        let committed = hold.committed?;
                        in_sight(committed).then(|| html! {
                            <span class={classes!("mark", format!("g{}", group.mark))} style={at_offset(committed, origin)}
                                title={format!("{} committed offset {committed}", group.name)}>
                                { groups::GLYPHS[group.mark] }
                            </span>
                        })
                    }) }
                </div>
                { for lane.groups.iter().zip(&props.groups).filter_map(|(hold, group)| {
                    let committed = hold.committed?;
                    (!in_sight(committed)).then(|| html! {
                        <span class={classes!("mark", "behind", format!("g{}", group.mark))}
                            title={format!("{} committed offset {committed}", group.name)}>
                            { format!("\u{25c2}{} {committed}", groups::GLYPHS[group.mark]) }
                        </span>
                    })
                }) }
            </div>
        </li>
    }
}

/// What a lane drawn as a stream says: the rate its listed records arrived at, and the newest offset.
fn stream_text(records: &[RecordView], end: u64) -> String {
    let span = match (records.first(), records.last()) {
        (Some(first), Some(last)) => last.timestamp_ms - first.timestamp_ms.min(last.timestamp_ms),
        _ => 0,
    };
    let gaps = (records.len() as u64).saturating_sub(1);
    let rate = (gaps * 1_000).checked_div(span).map_or_else(
        || format!("{}+ records at once", records.len()),
        |per_second| format!("\u{2248} {per_second} records/s"),
    );
    format!("{rate} \u{b7} newest offset {}", end.saturating_sub(1))
}

/// A key's look: a hue and one of four shapes, from a hash of its bytes (FNV-1a), so one key looks the
/// same in every lane and colour is never the only cue.
fn key_look(key: &str) -> (u32, u32) {
    let hash = key.bytes().fold(0x811c_9dc5_u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    });
    (hash % 360, (hash >> 9) % 4)
}

fn record_view(
    record: &RecordView,
    origin: u64,
    highlighted: bool,
    read: bool,
    uncommitted: bool,
) -> Html {
    let marker = record.control.as_deref();
    // Kafka's names of the control record types (no case tables for two words).
    let marker_name = marker.map(|c| if c == "commit" { "COMMIT" } else { "ABORT" });
    let label = match (marker_name, record.key.as_deref()) {
        (Some(control), _) => control.to_owned(),
        (None, None) => "\u{2205}".to_owned(),
        (None, Some("")) => "\"\"".to_owned(),
        (None, Some(text)) => text.to_owned(),
    };
    let txn = record.transaction.as_deref();
    let title = match (marker_name, txn) {
        (Some(control), _) => format!(
            "offset {}: a transaction marker ({control}); consumers skip it",
            record.offset
        ),
        (None, t) => format!(
            "offset {}, key {}{}",
            record.offset,
            record
                .key
                .as_deref()
                .map_or_else(|| "none".to_owned(), |k| format!("{k:?}")),
            match t {
                Some("aborted") => ", in an aborted transaction: read_committed consumers skip it",
                Some("open") => ", in an open transaction: read_committed consumers wait",
                Some(_) => ", in a committed transaction",
                None => "",
            }
        ),
    };
    let look = record
        .key
        .as_deref()
        .filter(|_| marker.is_none())
        .map(|key| {
            let (hue, shape) = key_look(key);
            classes!(format!("hue-{}", hue / 30), format!("shape-{shape}"))
        });
    html! {
        <li
            key={record.offset}
            class={classes!("record", look, (record.key.is_none() && marker.is_none()).then_some("keyless"), highlighted.then_some("highlight"),
                read.then_some("read"), uncommitted.then_some("uncommitted"), marker.map(|_| "marker"), txn.map(|t| format!("txn-{t}")))}
            style={at_offset(record.offset, origin)}
            data-testid="record"
            data-key={record.key.clone()}
            data-offset={record.offset.to_string()}
            data-control={marker.map(str::to_owned)}
            data-transaction={txn.map(str::to_owned)}
            {title}
        >
            <span class="face">
                <span class="offset">{ record.offset }</span>
                <span class="key">{ label }</span>
            </span>
        </li>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(offset: u64, timestamp_ms: u64) -> RecordView {
        RecordView {
            offset,
            key: None,
            tombstone: false,
            timestamp_ms,
            control: None,
            transaction: None,
        }
    }

    #[test]
    fn a_stream_says_its_rate_and_newest_offset() {
        // Sixteen records 10 ms apart: 15 gaps in 150 ms, 100 records a second.
        let records: Vec<_> = (0..16).map(|i| record(100 + i, 5_000 + 10 * i)).collect();
        assert_eq!(
            stream_text(&records, 116),
            "\u{2248} 100 records/s \u{b7} newest offset 115"
        );
        let burst: Vec<_> = (0..16).map(|i| record(i, 7)).collect();
        assert_eq!(
            stream_text(&burst, 16),
            "16+ records at once \u{b7} newest offset 15"
        );
    }

    #[test]
    fn a_key_always_looks_the_same_and_keys_differ() {
        assert_eq!(key_look("order-1"), key_look("order-1"));
        let looks: std::collections::BTreeSet<_> =
            (0..50).map(|i| key_look(&format!("key-{i}"))).collect();
        assert!(looks.len() > 40, "{looks:?}");
        assert!(looks.iter().all(|(hue, shape)| *hue < 360 && *shape < 4));
    }
}
