//! `RangeAssignor`: per topic, contiguous ranges of partitions to the members subscribed to it.

use alloc::vec::Vec;

use super::{Group, Tp};

pub(super) fn assign(group: &Group<'_>) -> Vec<Vec<Tp>> {
    let order = group.members_in_member_info_order();
    let mut assignment = alloc::vec![Vec::new(); group.member_count()];
    for (t, &(_, partitions)) in group.topics.iter().enumerate() {
        let t = t as u32;
        let consumers: Vec<usize> = order
            .iter()
            .copied()
            .filter(|&m| group.subscribes(m, t))
            .collect();
        let count = consumers.len() as u32;
        let (per_consumer, with_extra) = (partitions / count, partitions % count);
        for (i, &member) in consumers.iter().enumerate() {
            let i = i as u32;
            let start = per_consumer * i + i.min(with_extra);
            let length = per_consumer + u32::from(i < with_extra);
            assignment[member].extend((start..start + length).map(|p| (t, p)));
        }
    }
    assignment
}
