//! The groups' scoreboard: for every group reading the topic, what its rebalances cost and what its
//! members got done, from the world's own counters (`kplay world` prints the same fields). Side by side
//! it compares one workload under different settings, as `examples/rebalance-storm.json` does: the
//! groups that keep timing out on `max.poll.interval.ms` commit nothing and process the same records
//! again, the one with fewer records per poll does not.

use kplay_core::world::state::GroupView;
use kplay_worker::protocol::WorldFrame;

use super::partitions::groups;

/// One group's line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Score {
    /// The group's name.
    pub group: String,
    /// Its assignor, with "static" when its members have a `group.instance.id`.
    pub how: String,
    /// Rebalances completed.
    pub rebalances: u32,
    /// Milliseconds they lasted.
    pub rebalancing_ms: u64,
    /// Milliseconds its members waited for partitions, summed over members.
    pub paused_ms: u64,
    /// Times a member's processing outlasted `max.poll.interval.ms`.
    pub poll_timeouts: u32,
    /// Commits refused or failed.
    pub failed_commits: u32,
    /// Records handed to its members.
    pub delivered: u64,
    /// Of those, records processed again.
    pub redelivered: u64,
    /// Records behind its committed offsets, over all partitions (0 before any commit).
    pub committed: u64,
}

impl Score {
    fn of(name: &str, group: &GroupView) -> Self {
        let static_members = group
            .members
            .0
            .iter()
            .any(|(_, m)| m.group_instance_id.is_some());
        let protocol = if group.protocol == "consumer" {
            " (consumer protocol)"
        } else {
            ""
        };
        let how = format!(
            "{}{protocol}{}",
            group.strategy,
            if static_members { ", static" } else { "" }
        );
        Self {
            group: name.to_owned(),
            how,
            rebalances: group.rebalances,
            rebalancing_ms: group.rebalancing_ms,
            paused_ms: group.members.0.iter().map(|(_, m)| m.paused_ms).sum(),
            poll_timeouts: group.poll_timeouts,
            failed_commits: group.failed_commits,
            delivered: group.delivered,
            redelivered: group.redelivered,
            committed: group
                .offsets
                .0
                .iter()
                .flat_map(|(_, partitions)| partitions.0.iter().filter_map(|(_, o)| o.committed))
                .sum(),
        }
    }
}

/// Every group's line, in the frame's order.
#[must_use]
pub fn scores(frame: &WorldFrame) -> Vec<Score> {
    groups(frame)
        .into_iter()
        .map(|(name, group)| Score::of(name, group))
        .collect()
}

#[cfg(test)]
mod tests {
    use kplay_worker::engine::Engine;
    use kplay_worker::protocol::{Reply, Request};

    use super::*;
    use crate::state::examples;
    use crate::state::partitions::VIEW;

    /// The storm example at 900 s, as the page shows it: only the group with fewer records per poll
    /// commits, and it never timed out.
    #[test]
    fn the_storm_example_scores_each_fix() {
        let storm = examples::find("rebalance-storm").expect("the example");
        let reply = Engine::default().handle(
            Request::WorldOpen {
                view: VIEW,
                script: storm.script.to_owned(),
                at_ms: 900_000,
            },
            &|| 0.0,
        );
        let Reply::World { frame, .. } = reply else {
            panic!("no frame: {reply:?}");
        };
        let scores = scores(&frame);
        let line = |group: &str| {
            scores
                .iter()
                .find(|s| s.group == group)
                .cloned()
                .expect("group")
        };
        let fixed = line("fewer-records");
        assert_eq!(
            (fixed.poll_timeouts, fixed.redelivered, fixed.how.as_str()),
            (0, 0, "range")
        );
        assert!(fixed.committed >= 1_550);
        let stormy = line("static");
        assert_eq!(
            (stormy.committed, stormy.how.as_str()),
            (0, "range, static")
        );
        assert!(stormy.poll_timeouts > 0 && stormy.failed_commits > 0);
        assert_eq!(line("consumer-protocol").how, "uniform (consumer protocol)");
    }
}
