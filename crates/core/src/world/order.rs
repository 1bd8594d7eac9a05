//! Per-key order as a group processes records: a record processed after a later record of its key (in
//! the same partition) had been is **out of order**. A consumer group keeps each key's order while no
//! partition changes hands (redelivery after a crash or poll timeout processes older records again); a
//! share group (KIP-932) gives records of one partition to several members at once and keeps no order.

use alloc::boxed::Box;
use alloc::collections::BTreeMap;

use crate::group::assignor::TopicPartition;

/// The furthest offset processed per partition and key, and how many records came after it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct KeyOrder {
    furthest: BTreeMap<(TopicPartition, Box<[u8]>), u64>,
    out_of_order: u64,
}

impl KeyOrder {
    /// A record of `key` at `offset` of `tp` is processed. Keyless records have no order to keep.
    pub(super) fn note(&mut self, tp: &TopicPartition, key: Option<&[u8]>, offset: u64) {
        let Some(key) = key else { return };
        match self.furthest.get_mut(&(tp.clone(), Box::from(key))) {
            Some(furthest) if *furthest > offset => self.out_of_order += 1,
            Some(furthest) => *furthest = offset,
            None => {
                self.furthest.insert((tp.clone(), Box::from(key)), offset);
            }
        }
    }

    /// Records processed after a later record of their key.
    pub(super) fn out_of_order(&self) -> u64 {
        self.out_of_order
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_processed_after_a_later_one_of_its_key_is_out_of_order() {
        let tp = TopicPartition::new("orders", 0);
        let mut order = KeyOrder::default();
        for (key, offset) in [("a", 0), ("b", 1), ("a", 3), ("a", 2), ("b", 4), (("c"), 2)] {
            order.note(&tp, Some(key.as_bytes()), offset);
        }
        order.note(&tp, None, 0);
        assert_eq!(order.out_of_order(), 1, "a@2 after a@3");
        // The same key in another partition is another order.
        order.note(&TopicPartition::new("orders", 1), Some(b"a"), 0);
        assert_eq!(order.out_of_order(), 1);
    }
}
