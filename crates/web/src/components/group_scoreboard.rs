//! The groups' scoreboard ([`crate::state::scoreboard`]): one row per group (share groups included), so
//! groups reading the same topic under different settings can be compared at a glance. Shown once two
//! groups read the topic.

use yew::prelude::*;

use crate::state::scoreboard::Score;
use crate::state::seconds;

/// Props of [`GroupScoreboard`].
#[derive(Properties, PartialEq)]
pub struct GroupScoreboardProps {
    /// Every group's line.
    pub scores: Vec<Score>,
}

/// The table, with a caption saying what a storm looks like in it.
#[function_component(GroupScoreboard)]
pub fn group_scoreboard(props: &GroupScoreboardProps) -> Html {
    if props.scores.len() < 2 {
        return Html::default();
    }
    let or_dash = |n: Option<String>| n.unwrap_or_else(|| "\u{2013}".to_owned());
    let rows = props.scores.iter().map(|s| {
        html! {
            <tr data-testid={format!("scoreboard-{}", s.group)}>
                <th scope="row">{ &s.group }</th>
                <td>{ &s.how }</td>
                <td data-col="rebalances">{ or_dash(s.rebalances.map(|n| n.to_string())) }</td>
                <td data-col="rebalancing">{ or_dash(s.rebalancing_ms.map(seconds)) }</td>
                <td data-col="paused">{ or_dash(s.paused_ms.map(seconds)) }</td>
                <td data-col="unowned">{ or_dash(s.unowned_ms.map(seconds)) }</td>
                <td data-col="poll-timeouts">{ or_dash(s.poll_timeouts.map(|n| n.to_string())) }</td>
                <td data-col="failed-commits">{ s.failed_commits }</td>
                <td data-col="delivered">{ s.delivered }</td>
                <td data-col="redelivered">{ s.redelivered }</td>
                <td data-col="out-of-order">{ s.out_of_order }</td>
                <td data-col="committed">{ s.committed }</td>
            </tr>
        }
    });
    html! {
        <div class="scoreboard">
            <table data-testid="group-scoreboard">
                <caption>
                    { "Each group on its own. A group whose polls keep timing out (max.poll.interval.ms) commits nothing and processes the same records again: a rebalance storm. A share group has every member read every partition, acknowledges record by record, and keeps no per-key order." }
                </caption>
                <thead>
                    <tr>
                        <th scope="col">{ "Group" }</th>
                        <th scope="col">{ "Assignor" }</th>
                        <th scope="col">{ "Rebalances" }</th>
                        <th scope="col">{ "Rebalancing" }</th>
                        <th scope="col">{ "Consumers paused" }</th>
                        <th scope="col">{ "Partition-time unowned" }</th>
                        <th scope="col">{ "Poll timeouts" }</th>
                        <th scope="col">{ "Failed commits (acks)" }</th>
                        <th scope="col">{ "Delivered" }</th>
                        <th scope="col">{ "Processed again" }</th>
                        <th scope="col">{ "Out of key order" }</th>
                        <th scope="col">{ "Committed (acknowledged)" }</th>
                    </tr>
                </thead>
                <tbody>{ for rows }</tbody>
            </table>
        </div>
    }
}
