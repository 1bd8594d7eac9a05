//! The groups' scoreboard ([`crate::state::scoreboard`]): one row per group, so groups reading the same
//! topic under different settings can be compared at a glance. Shown once two groups read the topic.

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
    let rows = props.scores.iter().map(|s| {
        html! {
            <tr data-testid={format!("scoreboard-{}", s.group)}>
                <th scope="row">{ &s.group }</th>
                <td>{ &s.how }</td>
                <td data-col="rebalances">{ s.rebalances }</td>
                <td data-col="rebalancing">{ seconds(s.rebalancing_ms) }</td>
                <td data-col="paused">{ seconds(s.paused_ms) }</td>
                <td data-col="poll-timeouts">{ s.poll_timeouts }</td>
                <td data-col="failed-commits">{ s.failed_commits }</td>
                <td data-col="delivered">{ s.delivered }</td>
                <td data-col="redelivered">{ s.redelivered }</td>
                <td data-col="committed">{ s.committed }</td>
            </tr>
        }
    });
    html! {
        <div class="scoreboard">
            <table data-testid="group-scoreboard">
                <caption>
                    { "Each group on its own. A group whose polls keep timing out (max.poll.interval.ms) commits nothing and processes the same records again: a rebalance storm." }
                </caption>
                <thead>
                    <tr>
                        <th scope="col">{ "Group" }</th>
                        <th scope="col">{ "Assignor" }</th>
                        <th scope="col">{ "Rebalances" }</th>
                        <th scope="col">{ "Rebalancing" }</th>
                        <th scope="col">{ "Consumers paused" }</th>
                        <th scope="col">{ "Poll timeouts" }</th>
                        <th scope="col">{ "Failed commits" }</th>
                        <th scope="col">{ "Delivered" }</th>
                        <th scope="col">{ "Processed again" }</th>
                        <th scope="col">{ "Committed" }</th>
                    </tr>
                </thead>
                <tbody>{ for rows }</tbody>
            </table>
        </div>
    }
}
