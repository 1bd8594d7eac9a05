//! The replication diagram (`replication-diagram`): the partition's replicas as columns, one per broker,
//! each a log growing upwards to its log end, with the high watermark as one line across them all.
//!
//! Read from the frame: the leader is starred with its leader epoch, every replica says whether it is in
//! the ISR, a follower's records arrive sideways as it fetches them from the leader, records above the
//! high watermark are dashed (written, not yet committed: `acks=all` producers wait for them), each
//! record is tinted by the leader epoch that wrote it, and a write that was acknowledged and then lost in
//! an unclean election is struck through on every replica that still holds it. A broker that is down is
//! greyed, a stalled one says it is not fetching; what happens to the ISR after
//! `replica.lag.time.max.ms` and which replica becomes leader is the world's, never the page's.

use kplay_core::world::detail::BrokerView;
use kplay_core::world::state::PartitionView;
use yew::prelude::*;

use crate::state::replication::BrokerChange;

/// Offsets a column shows, the newest; the columns share them, so one height is one offset everywhere.
const ROWS: u64 = 12;
/// Height of one offset, in pixels.
const ROW_H: u64 = 20;
/// Leader epochs told apart by tint (epoch modulo this); the title names the epoch itself.
const EPOCH_TINTS: u32 = 4;

/// Props of [`ReplicationDiagram`].
#[derive(Properties, PartialEq)]
pub struct ReplicationDiagramProps {
    /// Every broker with its replica of the partition.
    pub brokers: Vec<BrokerView>,
    /// The partition: leader, epoch, ISR, high watermark.
    pub partition: Option<PartitionView>,
    /// Writes acknowledged and then lost.
    pub lost: Vec<u64>,
    /// A broker's button was pressed.
    pub onchange: Callback<(u32, BrokerChange)>,
}

/// The replicas as columns with the high watermark across them.
#[function_component(ReplicationDiagram)]
pub fn replication_diagram(props: &ReplicationDiagramProps) -> Html {
    let newest = props
        .brokers
        .iter()
        .filter_map(|b| b.replica.as_ref().map(|r| r.log_end_offset))
        .max()
        .unwrap_or(0);
    let origin = newest.saturating_sub(ROWS);
    let high_watermark = props.partition.as_ref().map_or(0, |p| p.high_watermark);
    html! {
        <ol class="replication-diagram" data-testid="replication-diagram" aria-label="Replicas of partition 0"
            style={format!("--rows: {ROWS}; --row-h: {ROW_H}px")}>
            { for props.brokers.iter().enumerate().map(|(i, broker)| column(broker, i == 0, origin, high_watermark, props)) }
        </ol>
    }
}

/// Pixels above a column's floor of the boundary before `offset`.
fn height(offset: u64, origin: u64) -> u64 {
    offset.saturating_sub(origin).min(ROWS) * ROW_H
}

fn column(
    broker: &BrokerView,
    first: bool,
    origin: u64,
    high_watermark: u64,
    props: &ReplicationDiagramProps,
) -> Html {
    let id = broker.broker;
    let partition = props.partition.as_ref();
    let leader = partition.and_then(|p| p.leader) == Some(id);
    let in_sync = partition.is_some_and(|p| p.isr.contains(&id));
    let epoch = partition.map_or(0, |p| p.leader_epoch);
    let role = match &broker.replica {
        None => "no replica".to_owned(),
        Some(_) if leader => format!("\u{2605} leader \u{b7} epoch {epoch}"),
        Some(_) if in_sync => "\u{2713} follower in the ISR".to_owned(),
        Some(_) => "\u{2717} out of the ISR".to_owned(),
    };
    let state = match (broker.alive, broker.stalled) {
        (false, _) => "down",
        (true, true) => "up, not fetching",
        (true, false) => "up",
    };
    let button = |change: BrokerChange, label: &'static str, test: &str, class: &'static str| {
        let onclick = props.onchange.reform(move |_: MouseEvent| (id, change));
        html! { <button type="button" {class} data-testid={format!("{test}-{id}")} {onclick}>{ label }</button> }
    };
    html! {
        <li class={classes!("broker-column", (!broker.alive).then_some("down"), leader.then_some("leader"),
                (broker.replica.is_some() && !in_sync).then_some("out-of-sync"))}
            data-testid={format!("broker-{id}")}>
            <header>
                <strong>{ format!("Broker {id}") }</strong>
                <span class="broker-state">{ state }</span>
                <span class="broker-role">{ role }</span>
            </header>
            <div class="replica-stack">
                if let Some(replica) = &broker.replica {
                    <span class="log-end" style={format!("height: {}px", height(replica.log_end_offset, origin))}
                        title={format!("log end offset {}", replica.log_end_offset)} />
                    <ol class="replica-records">
                        { for replica.records.iter().filter(|(offset, ..)| *offset >= origin).map(|&(offset, write, epoch)| {
                            let lost = props.lost.contains(&write);
                            html! {
                                <li key={offset} class={classes!("replica-record", format!("epoch-{}", epoch % EPOCH_TINTS),
                                        (offset >= high_watermark).then_some("uncommitted"), lost.then_some("lost"),
                                        (!leader).then_some("fetched"))}
                                    style={format!("transform: translateY(-{}px)", height(offset, origin))}
                                    title={format!("offset {offset}, write #{write}, leader epoch {epoch}{}{}",
                                        if offset >= high_watermark { ", above the high watermark" } else { "" },
                                        if lost { ", acknowledged and lost" } else { "" })}>
                                    { format!("{offset}:#{write}") }
                                </li>
                            }
                        }) }
                    </ol>
                    <small class="log-end-label" style={format!("bottom: {}px", height(replica.log_end_offset, origin))}>
                        { format!("LEO {}", replica.log_end_offset) }
                    </small>
                }
                <span class="hw-rule" style={format!("bottom: {}px", height(high_watermark, origin))}>
                    if first { <small>{ format!("high watermark {high_watermark}") }</small> }
                </span>
            </div>
            <span class="broker-actions">
                if broker.alive {
                    { button(BrokerChange::Kill, "Kill", "kill-broker", "secondary") }
                    if broker.stalled {
                        { button(BrokerChange::Unstall, "Resume fetching", "stall-broker", "secondary") }
                    } else {
                        { button(BrokerChange::Stall, "Stall", "stall-broker", "secondary") }
                    }
                } else {
                    { button(BrokerChange::Restart, "Restore", "restore-broker", "") }
                }
            </span>
        </li>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heights_share_one_scale_and_stop_at_the_top() {
        assert_eq!(height(5, 0), 5 * ROW_H);
        assert_eq!(height(3, 10), 0, "below the columns' floor");
        assert_eq!(height(100, 10), ROWS * ROW_H, "past the top");
    }
}
