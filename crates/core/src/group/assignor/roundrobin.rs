//! `RoundRobinAssignor`: every subscribed partition, topics in name order, dealt to members in turn,
//! skipping members not subscribed to the partition's topic.

use alloc::vec::Vec;

use super::{Group, Tp};

pub(super) fn assign(group: &Group<'_>) -> Vec<Vec<Tp>> {
    let order = group.members_in_member_info_order();
    let mut assignment = alloc::vec![Vec::new(); group.member_count()];
    let mut next = 0;
    for (t, &(_, partitions)) in group.topics.iter().enumerate() {
        let t = t as u32;
        for p in 0..partitions {
            // Every topic here has a subscriber, so this finds one within a lap.
            while !group.subscribes(order[next], t) {
                next = (next + 1) % order.len();
            }
            assignment[order[next]].push((t, p));
            next = (next + 1) % order.len();
        }
    }
    assignment
}
