//! The groups beside the lanes: each group a band (`group-<name>`) with its generation, state, assignor
//! and lag, its consumers (`consumer-<name>`) busy, idle or crashed, and a line from each consumer to
//! each lane it owns. Bands are placed down the lanes' height, so the lines stay short; their geometry is
//! fixed in pixels ([`LANE_H`], [`HEADER_H`], [`MEMBER_H`]) so lines and boxes meet without measuring the
//! page.

use kplay_core::group::assignor::Assignor;
use kplay_core::world::state::MemberView;
use kplay_worker::protocol::WorldFrame;
use yew::prelude::*;

use super::LANE_H;
use crate::state::partitions::{GROUPS, TOPIC, epoch_label};
use crate::state::seconds;

/// Each group's glyph, by its mark: its committed offsets in the lanes and its band carry it, so groups
/// differ by shape as well as colour.
pub(super) const GLYPHS: [&str; 4] = ["\u{25b2}", "\u{25a0}", "\u{25cf}", "\u{25c6}"];
/// Height of a group's header, in pixels.
const HEADER_H: u32 = 64;
/// Height of one consumer, in pixels.
const MEMBER_H: u32 = 30;
/// Width of the lines between lanes and consumers, in pixels.
const LINKS_W: u32 = 90;
/// Consumers drawn one by one in a group; the others are summed up in one line (the lanes still name
/// every owner), so a rebalance of hundreds of consumers stays one short frame.
const LISTED: usize = 64;
/// A rebalance's pause bar is full after this long (simulated milliseconds).
const PAUSE_FULL_MS: u64 = 10_000;

/// A group as the diagram draws it.
#[derive(Debug, Clone, PartialEq)]
pub struct DiagramGroup {
    /// `group.id`.
    pub name: String,
    /// Its glyph and colour (one of four): its place in the view's list of groups, so it keeps them when
    /// another group goes.
    pub mark: usize,
    /// Its assignor: a classic strategy or, under the consumer protocol, the broker's.
    pub assignor: Option<Assignor>,
    /// Its assignor's name as Kafka gives it.
    pub strategy: String,
    /// `Empty`, `PreparingRebalance` or `Stable`; `Assigning` and `Reconciling` under the consumer
    /// protocol.
    pub state: String,
    /// "generation N", or "group epoch N" under the consumer protocol.
    pub epoch: String,
    /// Partition-milliseconds without an owner over its completed rebalances.
    pub unowned_partition_ms: u64,
    /// When the rebalance under way started.
    pub rebalance_since_ms: Option<u64>,
    /// Members in join order.
    pub members: Vec<(String, MemberView)>,
    /// Lag summed over the partitions it has committed on (`None` before its first commit).
    pub lag: Option<u64>,
}

impl DiagramGroup {
    /// Every group in `frame`, in its order.
    #[must_use]
    pub fn all(frame: &WorldFrame) -> Vec<Self> {
        frame
            .state
            .groups
            .0
            .iter()
            .enumerate()
            .map(|(i, (name, group))| Self {
                mark: GROUPS.iter().position(|g| g == name).unwrap_or(i) % GLYPHS.len(),
                name: name.clone(),
                assignor: Assignor::of_group(&group.protocol, &group.strategy),
                strategy: group.strategy.to_string(),
                state: group.state.to_string(),
                epoch: epoch_label(group),
                unowned_partition_ms: group.unowned_partition_ms,
                rebalance_since_ms: group.rebalance_since_ms,
                members: group.members.0.clone(),
                lag: group.offsets.get(TOPIC).and_then(|o| {
                    o.0.iter()
                        .filter_map(|(_, offset)| offset.lag)
                        .reduce(u64::saturating_add)
                }),
            })
            .collect()
    }
}

/// Props of [`GroupColumn`].
#[derive(Properties, PartialEq)]
pub(super) struct GroupColumnProps {
    pub groups: Vec<DiagramGroup>,
    /// Lanes beside the column.
    pub lanes: usize,
    pub selected: usize,
    pub at_ms: u64,
    /// Whether the lanes are drawn (then bands are placed along them with lines), or the grid is.
    pub drawn: bool,
    pub onselect: Callback<usize>,
    pub onremove: Callback<String>,
}

fn band_height(members: usize) -> u32 {
    let rows = members.min(LISTED) + usize::from(members > LISTED);
    HEADER_H + rows as u32 * MEMBER_H
}

/// Each band's top and the column's height: bands stacked with the lanes' spare height shared between
/// them, so a group sits beside the lanes it reads.
fn layout(members: &[usize], lanes: usize) -> (Vec<u32>, u32) {
    let needed: u32 = members.iter().map(|m| band_height(*m)).sum();
    let lanes_h = lanes as u32 * LANE_H;
    let gap = lanes_h.saturating_sub(needed) / (members.len().max(1) as u32);
    let mut top = 0;
    let tops = members
        .iter()
        .map(|m| {
            let this = top;
            top += band_height(*m) + gap;
            this
        })
        .collect();
    (tops, lanes_h.max(needed))
}

/// The groups, and the lines from their consumers to the lanes when `drawn`.
#[function_component(GroupColumn)]
pub(super) fn group_column(props: &GroupColumnProps) -> Html {
    let counts: Vec<usize> = props.groups.iter().map(|g| g.members.len()).collect();
    let (tops, height) = layout(&counts, props.lanes);
    let bands = props
        .groups
        .iter()
        .zip(&tops)
        .enumerate()
        .map(|(i, (group, top))| {
            let place = props.drawn.then(|| format!("top: {top}px"));
            let select = props.onselect.reform(move |_: MouseEvent| i);
            band(
                group,
                i == props.selected,
                props.at_ms,
                place,
                select,
                &props.onremove,
            )
        });
    if !props.drawn {
        return html! { <div class="group-column">{ for bands }</div> };
    }
    html! {
        <div class="group-column drawn" style={format!("height: {height}px; --header-h: {HEADER_H}px; --member-h: {MEMBER_H}px")}>
            <svg class="links" width={LINKS_W.to_string()} height={height.to_string()} aria-hidden="true">
                { for props.groups.iter().zip(&tops).map(|(group, top)| links(group, *top)) }
            </svg>
            <div class="bands">{ for bands }</div>
        </div>
    }
}

fn links(group: &DiagramGroup, top: u32) -> Html {
    let paths = group.members.iter().take(LISTED).enumerate().flat_map(|(k, (_, member))| {
        let to = top + HEADER_H + k as u32 * MEMBER_H + MEMBER_H / 2;
        let class = classes!("link", format!("g{}", group.mark), (!member.alive).then_some("ghost"));
        member
            .assigned
            .iter()
            .filter(|(topic, _)| topic == TOPIC)
            .map(move |(_, p)| {
                let from = p * LANE_H + LANE_H / 2;
                let mid = LINKS_W / 2;
                html! {
                    <path class={class.clone()} d={format!("M0 {from} C{mid} {from} {mid} {to} {LINKS_W} {to}")} />
                }
            })
    });
    html! { <g>{ for paths }</g> }
}

fn band(
    group: &DiagramGroup,
    selected: bool,
    at_ms: u64,
    place: Option<String>,
    select: Callback<MouseEvent>,
    onremove: &Callback<String>,
) -> Html {
    let name = group.name.clone();
    let remove = onremove.reform(move |_: MouseEvent| name.clone());
    let consumer_protocol = matches!(group.assignor, Some(Assignor::Server(_)));
    let paused_what = match group.assignor {
        Some(Assignor::Server(_)) => "reconciling, moving partitions paused",
        Some(a) if !a.is_eager() => "moving partitions paused",
        _ => "whole group paused",
    };
    let status = format!(
        "{} \u{b7} {} \u{b7} {}{} \u{b7} lag {}",
        group.epoch,
        group.state,
        group.strategy,
        if consumer_protocol {
            " (consumer protocol)"
        } else {
            ""
        },
        group.lag.map_or_else(|| "-".to_owned(), |l| l.to_string())
    );
    let unowned = format!(
        "{} partition-s without an owner in its rebalances",
        seconds(group.unowned_partition_ms)
    );
    html! {
        <section class={classes!("group-band", format!("g{}", group.mark), selected.then_some("selected"), place.is_some().then_some("placed"))}
            style={place.clone()} data-testid={format!("group-{}", group.name)} aria-label={format!("Consumer group {}", group.name)}>
            <header>
                <button type="button" class="group-name" aria-pressed={selected.to_string()}
                    title="Act on this group" onclick={select}>
                    { format!("{} {}", GLYPHS[group.mark], group.name) }
                </button>
                <button type="button" class="secondary icon" data-testid={format!("remove-group-{}", group.name)}
                    title={format!("Remove group {}", group.name)} aria-label={format!("Remove group {}", group.name)} onclick={remove}>
                    { "\u{2715}" }
                </button>
                <small class="group-status" data-testid={format!("group-status-{}", group.name)} title={unowned}>{ status }</small>
                if let Some(since) = group.rebalance_since_ms {
                    <div class="pause" data-testid={format!("pause-{}", group.name)}>
                        <span class="pause-bar" style={format!("width: {}%", at_ms.saturating_sub(since).min(PAUSE_FULL_MS) * 100 / PAUSE_FULL_MS)} />
                        <small>{ format!("{paused_what} {}", seconds(at_ms.saturating_sub(since))) }</small>
                    </div>
                }
            </header>
            <ul class="consumers" aria-label={format!("Consumers of {}", group.name)}>
                { for group.members.iter().take(LISTED).map(consumer_view) }
                if let Some(more) = summarise(group.members.get(LISTED..).unwrap_or_default()) {
                    <li class="consumer more">{ more }</li>
                }
            </ul>
        </section>
    }
}

/// "and N more: B busy, I idle, C crashed" for the consumers not drawn.
fn summarise(rest: &[(String, MemberView)]) -> Option<String> {
    if rest.is_empty() {
        return None;
    }
    let crashed = rest.iter().filter(|(_, m)| !m.alive).count();
    let idle = rest
        .iter()
        .filter(|(_, m)| m.alive && m.assigned.is_empty())
        .count();
    Some(format!(
        "and {} more: {} busy, {idle} idle, {crashed} crashed",
        rest.len(),
        rest.len() - idle - crashed
    ))
}

fn consumer_view((name, member): &(String, MemberView)) -> Html {
    let partitions: Vec<String> = member
        .assigned
        .iter()
        .map(|(_, partition)| format!("P{partition}"))
        .collect();
    // Consumer protocol: what its target holds that another member has not released yet.
    let waiting: Vec<String> = member
        .target
        .iter()
        .flatten()
        .filter(|tp| !member.assigned.contains(tp))
        .map(|(_, partition)| format!("P{partition}"))
        .collect();
    let waits = if waiting.is_empty() {
        String::new()
    } else {
        format!(" \u{b7} waits for {}", waiting.join(" "))
    };
    let (class, status) = match (member.alive, partitions.is_empty()) {
        (false, _) => {
            let until = member
                .session_expires_ms
                .map_or_else(String::new, |at| format!(" until {}", seconds(at)));
            let keeps = if partitions.is_empty() {
                String::new()
            } else {
                format!(" \u{b7} keeps {}", partitions.join(" "))
            };
            let how = if member.group_instance_id.is_some() {
                "stopped (static)"
            } else {
                "crashed"
            };
            ("crashed", format!("\u{2716} {how}{keeps}{until}"))
        }
        (true, true) if !waiting.is_empty() => {
            ("idle", format!("\u{25cb} waits for {}", waiting.join(" ")))
        }
        (true, true) => ("idle", "\u{25cb} idle".to_owned()),
        (true, false) => ("busy", format!("\u{25cf} {}{waits}", partitions.join(" "))),
    };
    let title = match (member.epoch, &member.member_state) {
        (Some(epoch), Some(state)) => format!(
            "member id {}, member epoch {epoch}, {state}{}",
            member.member_id,
            if waiting.is_empty() {
                ""
            } else {
                ": its target holds partitions another member has not released yet"
            }
        ),
        _ => format!("member id {}", member.member_id),
    };
    html! {
        <li class={classes!("consumer", class)} data-testid={format!("consumer-{name}")} {title}>
            <strong>{ name }</strong>
            if let Some(instance) = &member.group_instance_id {
                <abbr class="static" title={format!("static member, group.instance.id {instance}")}>{ "static" }</abbr>
            }
            <span>{ status }</span>
        </li>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands_share_the_lanes_height_and_grow_past_it() {
        // Six lanes (312 px), two groups of two consumers (124 px each): 64 px of spare height between.
        let (tops, height) = layout(&[2, 2], 6);
        assert_eq!(height, 6 * LANE_H);
        assert_eq!(
            tops,
            [0, band_height(2) + (6 * LANE_H - 2 * band_height(2)) / 2]
        );
        // More consumers than fit beside the lanes: the column grows, bands touch.
        let (tops, height) = layout(&[10, 3], 2);
        assert_eq!(tops, [0, band_height(10)]);
        assert_eq!(height, band_height(10) + band_height(3));
        // Past LISTED consumers, one line sums up the rest.
        assert_eq!(band_height(500), HEADER_H + (LISTED as u32 + 1) * MEMBER_H);
    }
}
