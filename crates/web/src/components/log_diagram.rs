//! The log diagram (`log-diagram`): one partition's log as segments along the offset axis, oldest first,
//! each a block of offset slots with its base offset, size and the active segment marked.
//!
//! Read from the frame, never computed here: retention deletes whole segments, so the blocks before the
//! log start offset go and the log start moves to the next block's base; compaction keeps only each
//! key's newest record, so an offset whose record was superseded becomes a hole (dotted, still counted:
//! offsets never change), and a tombstone (†) disappears once `delete.retention.ms` has passed after a
//! cleaner pass. Slots arrive with a short animation and holes fade in, so a cleaner pass is seen as
//! records vanishing from their places; reduced motion turns both off.

use kplay_core::world::detail::{RecordView, SegmentView};
use yew::prelude::*;

/// Offset slots a segment shows, its newest: older ones are summed up in one slot.
const SLOTS: u64 = 24;

/// Props of [`LogDiagram`].
#[derive(Properties, PartialEq)]
pub struct LogDiagramProps {
    /// The newest segments, oldest first, the active one last.
    pub segments: Vec<SegmentView>,
    /// Segments the log has in all (more than listed when it is long).
    pub total: usize,
    /// The first offset still stored.
    pub log_start: u64,
    /// The next offset to be written.
    pub log_end: u64,
}

/// The segments along the offset axis.
#[function_component(LogDiagram)]
pub fn log_diagram(props: &LogDiagramProps) -> Html {
    let older = props.total.saturating_sub(props.segments.len());
    let ends = props
        .segments
        .iter()
        .skip(1)
        .map(|s| s.base_offset)
        .chain([props.log_end]);
    html! {
        <div class="log-diagram" data-testid="log-diagram">
            <span class="log-start" data-testid="log-start">
                { format!("log start offset {}", props.log_start) }
                if props.log_start > 0 {
                    <small>{ format!(" \u{b7} offsets below it deleted by retention{}",
                        if older > 0 { format!(", {older} older segment(s) not shown") } else { String::new() }) }</small>
                }
            </span>
            <ol class="segments">
                { for props.segments.iter().zip(ends).enumerate().map(|(i, (segment, end))| {
                    block(segment, end, i + 1 == props.segments.len())
                }) }
            </ol>
        </div>
    }
}

fn block(segment: &SegmentView, end: u64, active: bool) -> Html {
    let base = segment.base_offset;
    let span = end.saturating_sub(base);
    let first = end.saturating_sub(SLOTS).max(base);
    let mut listed = segment
        .records
        .iter()
        .filter(|r| r.offset >= first)
        .peekable();
    let slots = (first..end).map(|offset| match listed.next_if(|r| r.offset == offset) {
        Some(record) => slot(record),
        None => html! {
            <li key={offset} class="slot hole" title={format!("offset {offset}: no record (superseded and removed by compaction)")} />
        },
    });
    let elided = (first > base).then(|| html! {
        <li key="elided" class="slot elided" title={format!("offsets {base}\u{2013}{}", first - 1)}>{ format!("+{}", first - base) }</li>
    });
    html! {
        <li class={classes!("segment", active.then_some("active"))} data-testid={format!("segment-{base}")}>
            <span class="segment-label">
                { format!("base {base}{}", if active { " (active)" } else { "" }) }
                <small>{ format!("{} B \u{b7} {} record(s) in {span} offset(s)", segment.bytes, segment.record_count) }</small>
            </span>
            <ol class="slots">{ for elided.into_iter().chain(slots) }</ol>
        </li>
    }
}

fn slot(record: &RecordView) -> Html {
    let key = record.key.clone().unwrap_or_else(|| "\u{2205}".to_owned());
    html! {
        <li key={record.offset} class={classes!("slot", "record", record.tombstone.then_some("tombstone"))}
            title={format!("offset {}, written at {} s{}", record.offset, record.timestamp_ms / 1_000,
                if record.tombstone { ", tombstone" } else { "" })}>
            <span class="offset">{ record.offset }</span>
            <span class="key">{ format!("{key}{}", if record.tombstone { " \u{2020}" } else { "" }) }</span>
        </li>
    }
}
