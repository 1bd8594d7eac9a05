//! The order-flow diagram of the landing view: both architectures side by side, drawn from the model's
//! picture of the moment ([`kplay_core::sim::picture`]; `kplay simulate --at-ms T --picture` prints the
//! same figures).
//!
//! On the synchronous side the user waits while the order service calls each service in turn: every
//! order in flight is a dot at the service it waits on, each service's longest-waiting call carries a timer
//! with its user's whole wait, and a failed call
//! flashes at its service and in the failed orders. On the event-driven side the order service publishes
//! and answers; records fly into the topic's partitions, and every service's consumer group has its lag as
//! a pile of dots per partition, growing while the service is down and shrinking as it catches up.
//!
//! At high rates a dot stands for N orders (1, 2, 5, 10, 20, 50…): the smallest such N that keeps the
//! fullest place within its dots, the same N on both sides, said in the legend. A place holding any order
//! has at least one dot. Dots are background patterns, not elements, so a thousand orders cost one element.

use std::rc::Rc;

use kplay_core::sim::picture::{EventPicture, FlowPicture, GroupPicture, HopPicture, WaitingOrder};
use kplay_worker::protocol::Snapshot;
use yew::prelude::*;

/// Dots a service of the chain shows at most.
const HOP_DOTS: u64 = 24;
/// Dots a partition column of a group shows at most.
const CELL_DOTS: u64 = 5;
/// Records flying into each column at once at most.
const FLIGHTS: u64 = 3;
/// Consumers drawn one by one in a group at most (more are counted).
const CONSUMER_GLYPHS: u32 = 12;
/// Lag at which a group that is up is said to work through a backlog.
const BACKLOG: u64 = 100;
/// Pixels between dots (the CSS pattern's period).
const DOT_PX: u64 = 7;

/// Props of [`FlowDiagram`].
#[derive(Properties)]
pub struct FlowDiagramProps {
    /// The run's latest snapshot.
    pub snapshot: Rc<Snapshot>,
}

impl PartialEq for FlowDiagramProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.snapshot, &other.snapshot)
    }
}

/// Orders one dot stands for: the smallest of 1, 2, 5, 10, 20, 50… that keeps every service of the
/// chain within 24 dots and every partition column within 5.
#[must_use]
pub fn dot_size(picture: &FlowPicture) -> u64 {
    let hops = picture
        .sync
        .hops
        .iter()
        .map(|h| h.waiting.div_ceil(HOP_DOTS));
    let cells = picture
        .event
        .groups
        .iter()
        .flat_map(|g| g.columns.iter().map(|c| c.div_ceil(CELL_DOTS)));
    let need = hops.chain(cells).max().unwrap_or(1).max(1);
    let mut decade: u64 = 1;
    loop {
        for mantissa in [1, 2, 5] {
            let size = decade.saturating_mul(mantissa);
            if size >= need {
                return size;
            }
        }
        decade = decade.saturating_mul(10);
    }
}

/// Dots for `count` orders at `size` orders per dot: at least one for any order.
#[must_use]
pub fn dots(count: u64, size: u64) -> u64 {
    count.div_ceil(size.max(1))
}

/// The records in flight into a column that has had `published` records, at `size` per dot: the newest
/// three dot numbers, each in its own slot (the number modulo three), so a slot's element is replaced —
/// and flies again — only when a new dot's worth of records arrives, and no element ever moves.
#[must_use]
pub fn flights(published: u64, size: u64) -> Vec<Option<u64>> {
    let newest = published / size.max(1);
    (0..FLIGHTS)
        .map(|slot| {
            let back = (newest + FLIGHTS - slot) % FLIGHTS;
            newest.checked_sub(back).filter(|&n| n > 0)
        })
        .collect()
}

/// What is happening, in words, for the `aria-live` summary: it changes when a service goes down or comes
/// back, when a backlog starts or ends, not with every order.
#[must_use]
pub fn summary(picture: &FlowPicture) -> String {
    let mut lines = Vec::new();
    for (hop, group) in picture.sync.hops.iter().zip(&picture.event.groups) {
        if hop.down {
            lines.push(format!(
                "{} is down: the synchronous chain fails every order that calls it, while Kafka keeps its records until it is back.",
                hop.name
            ));
        } else if group.lag >= BACKLOG {
            lines.push(format!("{} works through a backlog.", group.name));
        }
    }
    if picture.sync.timers.iter().any(|o| o.waited_ms >= 1_000.0) {
        lines.push("Synchronous users have waited over a second.".into());
    }
    if lines.is_empty() {
        lines.push("Every service keeps up.".into());
    }
    lines.join(" ")
}

/// A wait as a timer shows it.
fn wait_text(ms: f64) -> String {
    if ms >= 1_000.0 {
        format!("{:.1} s", ms / 1_000.0)
    } else {
        format!("{ms:.0} ms")
    }
}

/// A waiting order's timer.
fn timer(order: &WaitingOrder) -> String {
    format!(
        "order #{} waits {}",
        order.order,
        wait_text(order.waited_ms)
    )
}

/// A row of `count` dots at `size` per dot, as one element whose width holds them.
fn dot_row(count: u64, size: u64) -> Html {
    let n = dots(count, size);
    html! {
        <span class="dots" style={format!("width: {}px", n * DOT_PX)}
            title={format!("{count} order(s)")}></span>
    }
}

/// The order-flow diagram; see the module doc.
#[function_component(FlowDiagram)]
pub fn flow_diagram(props: &FlowDiagramProps) -> Html {
    let snapshot = &props.snapshot;
    let picture = &snapshot.picture;
    let size = dot_size(picture);
    let sync = &snapshot.report.sync;
    let answered_ms = snapshot.report.event_driven.response_ms.mean;
    html! {
        <figure class="flow-diagram" data-testid="flow-diagram">
            <figcaption class="fd-legend" data-testid="flow-legend">
                <span class="dots legend" style={format!("width: {DOT_PX}px")}></span>
                { if size == 1 { " = 1 order".to_string() } else { format!(" = {size} orders") } }
            </figcaption>
            <div class="fd-halves">
                <section class="fd-half fd-sync" aria-label="Synchronous chain, now">
                    <div class="fd-actor">
                        <strong>{ "user" }</strong>
                        <span data-testid="flow-sync-waiting">{ format!("{} waiting", picture.sync.waiting) }</span>
                        if let Some(longest) = picture.sync.timers.iter().map(|t| t.waited_ms).reduce(f64::max) {
                            <span class="fd-timer">{ format!("longest wait {}", wait_text(longest)) }</span>
                        }
                    </div>
                    <div class="fd-arrow">{ "\u{2193} order" }</div>
                    <div class="fd-actor">
                        <strong>{ "order service" }</strong>
                        { dot_row(picture.sync.saving, size) }
                        <span>{ format!("{} saving", picture.sync.saving) }</span>
                    </div>
                    <ol class="fd-chain">
                        { for picture.sync.hops.iter().enumerate().map(|(i, hop)| hop_view(i, hop, picture, size)) }
                    </ol>
                    <div class="fd-outcome">
                        <span>{ format!("\u{2713} {} answered", sync.succeeded) }</span>
                        <span key={sync.failed.to_string()} data-testid="flow-sync-failed"
                            class={classes!("fd-failed", (sync.failed > 0).then_some("flash"))}>
                            { format!("\u{2717} {} failed", sync.failed) }
                        </span>
                    </div>
                </section>
                <section class="fd-half fd-event" aria-label="Kafka pipeline, now">
                    <div class="fd-actor">
                        <strong>{ "user" }</strong>
                        <span>{ format!("answered after {answered_ms:.1} ms on average") }</span>
                    </div>
                    <div class="fd-arrow">{ "\u{2193} order" }</div>
                    <div class="fd-actor">
                        <strong>{ "order service" }</strong>
                        <span>{ format!("{} publishing \u{b7} {} published", picture.event.publishing, picture.event.published) }</span>
                    </div>
                    { topic_view(picture, size) }
                    <ol class="fd-groups">
                        { for picture.event.groups.iter().map(|g| group_view(g, size, &picture.event)) }
                    </ol>
                </section>
            </div>
            <p class="fd-summary" aria-live="polite" data-testid="flow-summary">{ summary(picture) }</p>
        </figure>
    }
}

fn hop_view(index: usize, hop: &HopPicture, picture: &FlowPicture, size: u64) -> Html {
    let timers = picture.sync.timers.iter().filter(|o| o.at == index as u32);
    html! {
        <li class={classes!("fd-hop", hop.down.then_some("down"))} data-testid={format!("flow-hop-{}", hop.name)}>
            <span class="fd-name">{ &hop.name }</span>
            <span class="fd-detail">{ format!("{} waiting \u{b7} {}/{} busy", hop.waiting, hop.busy, hop.workers) }</span>
            if hop.down { <span class="fd-down">{ "down" }</span> }
            { dot_row(hop.waiting, size) }
            { for timers.map(|o| html! { <span class="fd-timer">{ timer(o) }</span> }) }
            if hop.failed_calls > 0 {
                <span key={hop.failed_calls.to_string()} class="fd-failed flash">
                    { format!("\u{2717} {} failed call(s)", hop.failed_calls) }
                </span>
            }
        </li>
    }
}

fn topic_view(picture: &FlowPicture, size: u64) -> Html {
    let event = &picture.event;
    html! {
        <div class="fd-topic" style={format!("--columns: {}", event.columns.len().max(1))}>
            <span class="fd-name">{ format!("order-created \u{b7} {} partitions", event.partitions) }</span>
            <div class="fd-columns">
                { for event.columns.iter().enumerate().map(|(c, &published)| html! {
                    <span class="fd-column" title={column_label(c, event.per_column, event.partitions)}>
                        { for flights(published, size).into_iter().map(|flight| match flight {
                            Some(n) => html! { <i key={n.to_string()} class="flight"></i> },
                            None => html! { <i class="flight idle"></i> },
                        }) }
                        <small>{ published }</small>
                    </span>
                }) }
            </div>
        </div>
    }
}

/// The partitions a column holds, for its tooltip.
fn column_label(column: usize, per: u32, partitions: u32) -> String {
    let first = column as u32 * per;
    let last = (first + per).min(partitions).saturating_sub(1);
    if first == last {
        format!("P{first}")
    } else {
        format!("P{first}\u{2013}P{last}")
    }
}

fn group_view(group: &GroupPicture, size: u64, event: &EventPicture) -> Html {
    let drawn = group.consumers.min(CONSUMER_GLYPHS);
    let glyphs: String = (0..drawn)
        .map(|i| {
            if i < group.busy {
                '\u{25cf}'
            } else {
                '\u{25cb}'
            }
        })
        .collect();
    let more = group.consumers - drawn;
    html! {
        <li class={classes!("fd-group", group.down.then_some("down"))} data-testid={format!("flow-group-{}", group.name)}
            style={format!("--columns: {}", group.columns.len().max(1))}>
            <span class="fd-name">{ &group.name }</span>
            <span class="fd-detail">
                { format!("reads {} \u{b7} lag {} \u{b7} ", group.topic, group.lag) }
                <span class="fd-consumers" title={format!("{} of {} consumers busy", group.busy, group.consumers)}>
                    { glyphs }
                    if more > 0 { { format!(" +{more}") } }
                </span>
                if group.down { <span class="fd-down">{ "down" }</span> }
            </span>
            <div class="fd-columns">
                { for group.columns.iter().enumerate().map(|(c, &lag)| html! {
                    <span class="fd-cell" title={format!("{}: lag {lag}", column_label(c, event.per_column, event.partitions))}>
                        <span class="dots pile" style={format!("height: {}px", dots(lag, size) * DOT_PX)}></span>
                    </span>
                }) }
            </div>
        </li>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kplay_core::sim::picture::SyncPicture;

    fn picture(hop_waiting: &[u64], cells: &[u64]) -> FlowPicture {
        FlowPicture {
            now_ms: 0.0,
            sync: SyncPicture {
                hops: hop_waiting
                    .iter()
                    .map(|&waiting| HopPicture {
                        name: "inventory".into(),
                        waiting,
                        ..HopPicture::default()
                    })
                    .collect(),
                ..SyncPicture::default()
            },
            event: EventPicture {
                groups: vec![GroupPicture {
                    name: "inventory".into(),
                    lag: cells.iter().sum(),
                    columns: cells.to_vec(),
                    ..GroupPicture::default()
                }],
                ..EventPicture::default()
            },
        }
    }

    #[test]
    fn a_dot_stands_for_the_fewest_orders_that_fit() {
        assert_eq!(dot_size(&FlowPicture::default()), 1);
        assert_eq!(dot_size(&picture(&[24], &[5, 0])), 1);
        assert_eq!(dot_size(&picture(&[25], &[0])), 2);
        assert_eq!(dot_size(&picture(&[0], &[6])), 2);
        assert_eq!(dot_size(&picture(&[0], &[11])), 5);
        assert_eq!(dot_size(&picture(&[241], &[0])), 20);
        assert_eq!(dot_size(&picture(&[0], &[40_000])), 10_000);
        assert_eq!(
            dot_size(&picture(&[u64::MAX], &[0])),
            1_000_000_000_000_000_000
        );
        // Whatever the size, no place overflows its dots and every order shows.
        for cells in [[1, 7_000], [40_001, 3]] {
            let p = picture(&[0], &cells);
            let size = dot_size(&p);
            assert!(
                cells
                    .iter()
                    .all(|&c| dots(c, size) <= CELL_DOTS && (c == 0 || dots(c, size) >= 1))
            );
        }
    }

    #[test]
    fn a_new_dots_worth_of_records_flies_in_its_own_slot() {
        assert_eq!(flights(0, 1), [None, None, None]);
        assert_eq!(flights(1, 1), [None, Some(1), None]);
        assert_eq!(flights(2, 1), [None, Some(1), Some(2)]);
        assert_eq!(flights(4, 1), [Some(3), Some(4), Some(2)]);
        assert_eq!(flights(5, 1), [Some(3), Some(4), Some(5)]);
        // At 10 records a dot, 19 records are one dot's flight, 20 start the second.
        assert_eq!(flights(19, 10), [None, Some(1), None]);
        assert_eq!(flights(20, 10), [None, Some(1), Some(2)]);
    }

    #[test]
    fn the_summary_says_what_is_happening_not_the_counts() {
        let mut p = picture(&[0], &[0]);
        assert_eq!(summary(&p), "Every service keeps up.");
        p.sync.hops[0].down = true;
        p.event.groups[0].lag = 5_000;
        let down = summary(&p);
        assert!(down.starts_with("inventory is down"), "{down}");
        p.event.groups[0].lag = 6_000;
        assert_eq!(summary(&p), down, "a growing lag says nothing new");
        p.sync.hops[0].down = false;
        assert_eq!(summary(&p), "inventory works through a backlog.");
        p.sync.timers.push(WaitingOrder {
            order: 3,
            at: 0,
            waited_ms: 2_500.0,
        });
        assert!(summary(&p).ends_with("Synchronous users have waited over a second."));
        assert_eq!(timer(&p.sync.timers[0]), "order #3 waits 2.5 s");
    }
}
