//! The groups' scoreboard: for every group reading the topic, what its rebalances cost and what its
//! members got done, from the world's own counters (`kplay world` prints the same fields). Side by side
//! it compares one workload under different settings, as `examples/rebalance-storm.json` does: the
//! groups that keep timing out on `max.poll.interval.ms` commit nothing and process the same records
//! again, the one with fewer records per poll does not. Share groups (KIP-932) get a line too, with
//! what a share group has: no rebalances or polls to time out, acknowledgements instead of commits.

use kplay_core::world::state::{GroupView, ShareGroupView};
use kplay_worker::protocol::WorldFrame;

use super::partitions::groups;

/// One group's line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Score {
    /// The group's name.
    pub group: String,
    /// Its assignor, with "static" when its members have a `group.instance.id`; "share group" for one.
    pub how: String,
    /// Rebalances completed (`None` for a share group).
    pub rebalances: Option<u32>,
    /// Milliseconds they lasted.
    pub rebalancing_ms: Option<u64>,
    /// Milliseconds its members waited for partitions, summed over members.
    pub paused_ms: Option<u64>,
    /// Partition-milliseconds without an owner over its rebalances.
    pub unowned_ms: Option<u64>,
    /// Times a member's processing outlasted `max.poll.interval.ms`.
    pub poll_timeouts: Option<u32>,
    /// Commits refused or failed (a share group: acknowledgements refused).
    pub failed_commits: u64,
    /// Records handed to its members.
    pub delivered: u64,
    /// Of those, records processed again.
    pub redelivered: u64,
    /// Records processed after a later record of their key.
    pub out_of_order: u64,
    /// Records behind its committed offsets, over all partitions (0 before any commit); a share
    /// group: records acknowledged or archived.
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
            rebalances: Some(group.rebalances),
            rebalancing_ms: Some(group.rebalancing_ms),
            paused_ms: Some(group.members.0.iter().map(|(_, m)| m.paused_ms).sum()),
            unowned_ms: Some(group.unowned_partition_ms),
            poll_timeouts: Some(group.poll_timeouts),
            failed_commits: group.failed_commits.into(),
            delivered: group.delivered,
            redelivered: group.redelivered,
            out_of_order: group.out_of_order,
            committed: group
                .offsets
                .0
                .iter()
                .flat_map(|(_, partitions)| partitions.0.iter().filter_map(|(_, o)| o.committed))
                .sum(),
        }
    }

    fn of_share(name: &str, group: &ShareGroupView) -> Self {
        let done = group
            .partitions
            .0
            .iter()
            .flat_map(|(_, partitions)| partitions.0.iter())
            .map(|(_, p)| p.acknowledged + p.archived)
            .sum();
        Self {
            group: name.to_owned(),
            how: "share group (KIP-932)".to_owned(),
            rebalances: None,
            rebalancing_ms: None,
            paused_ms: None,
            unowned_ms: None,
            poll_timeouts: None,
            failed_commits: group.failed_acks,
            delivered: group.delivered,
            redelivered: group.redelivered,
            out_of_order: group.out_of_order,
            committed: done,
        }
    }
}

/// Every group's line, in the frame's order, share groups last.
#[must_use]
pub fn scores(frame: &WorldFrame) -> Vec<Score> {
    let share = frame.state.share_groups.0.iter();
    groups(frame)
        .into_iter()
        .map(|(name, group)| Score::of(name, group))
        .chain(share.map(|(name, group)| Score::of_share(name, group)))
        .collect()
}

#[cfg(test)]
mod tests {
    use kplay_worker::engine::Engine;
    use kplay_worker::protocol::{Reply, Request};

    use super::*;
    use crate::state::examples;
    use crate::state::partitions::VIEW;

    fn scores_of(example: &str, at_ms: u64) -> Vec<Score> {
        let example = examples::find(example).expect("the example");
        let reply = Engine::default().handle(
            Request::WorldOpen {
                view: VIEW,
                script: example.script().to_owned(),
                at_ms,
            },
            &|| 0.0,
        );
        let Reply::World { frame, .. } = reply else {
            panic!("no frame: {reply:?}");
        };
        scores(&frame)
    }

    /// The share-group example at 120 s: the consumer group keeps key order, the share group does not,
    /// and has acknowledged or archived every record.
    #[test]
    fn a_share_group_has_its_own_line() {
        let scores = scores_of("share-group", 120_000);
        let [billing, queue] = scores.as_slice() else {
            panic!("two lines: {scores:?}");
        };
        assert_eq!(
            (billing.group.as_str(), billing.out_of_order),
            ("billing", 0)
        );
        assert_eq!(
            (queue.how.as_str(), queue.rebalances, queue.committed),
            ("share group (KIP-932)", None, 402)
        );
        assert!(queue.out_of_order > 0);
    }

    /// The rebalance-protocols example at 85 s, as `kplay world --at-ms 85000` reports it (README): eager
    /// left partitions without an owner for 36 partition-seconds, cooperative for 12, the consumer
    /// protocol for 7.5.
    #[test]
    fn the_protocols_example_scores_each_protocol() {
        let unowned: Vec<(String, Option<u64>)> = scores_of("rebalance-protocols", 85_000)
            .into_iter()
            .map(|s| (s.group, s.unowned_ms))
            .collect();
        assert_eq!(
            unowned,
            [
                ("eager".to_owned(), Some(36_000)),
                ("cooperative".to_owned(), Some(12_000)),
                ("kip848".to_owned(), Some(7_500))
            ]
        );
    }

    /// The storm example at 900 s, as the page shows it: only the group with fewer records per poll
    /// commits, and it never timed out.
    #[test]
    fn the_storm_example_scores_each_fix() {
        let scores = scores_of("rebalance-storm", 900_000);
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
            (Some(0), 0, "range")
        );
        assert!(fixed.committed >= 1_550);
        let stormy = line("static");
        assert_eq!(
            (stormy.committed, stormy.how.as_str()),
            (0, "range, static")
        );
        assert!(stormy.poll_timeouts > Some(0) && stormy.failed_commits > 0);
        assert_eq!(line("consumer-protocol").how, "uniform (consumer protocol)");
    }
}
