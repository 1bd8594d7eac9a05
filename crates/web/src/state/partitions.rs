//! The partition view's state and actions (Yew's reducer pattern).
//!
//! The partition view shows one topic. Growing the partition count adds partitions exactly as Kafka does (the
//! records stay, keys may move); Kafka cannot remove partitions, so lowering the count recreates the topic
//! empty and says so.

use std::num::NonZeroU32;
use std::rc::Rc;

use kplay_core::topic::{Produced, Topic};
use yew::Reducible;

/// Partition counts the partition view offers.
pub const PARTITIONS: std::ops::RangeInclusive<u32> = 1..=64;
/// Partitions of the topic when the app starts.
pub const DEFAULT_PARTITIONS: u32 = 6;
/// Name of the topic the partition view produces to.
pub const TOPIC: &str = "orders";

/// Everything the partition view draws.
#[derive(Debug, Clone, PartialEq)]
pub struct State {
    /// The topic and its records.
    pub topic: Topic,
    /// Where the last produced record went, with the key it had.
    pub last: Option<(Option<String>, Produced)>,
    /// A message about the last action: what changed, or why it was refused.
    pub notice: Option<Notice>,
}

/// A message shown above the partitions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    /// Something happened that the user should know about.
    Info(String),
    /// The action was refused; nothing changed.
    Refused(String),
}

/// What the user can do in the partition view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Change the number of partitions, as typed by the user.
    SetPartitions(String),
    /// Produce a record with this key (`Some("")` is the empty key) or with no key at all.
    Produce(Option<String>),
}

impl Default for State {
    fn default() -> Self {
        Self {
            topic: Topic::new(TOPIC, partitions(DEFAULT_PARTITIONS)),
            last: None,
            notice: None,
        }
    }
}

fn partitions(count: u32) -> NonZeroU32 {
    NonZeroU32::new(count).unwrap_or(NonZeroU32::MIN)
}

impl State {
    /// Applies `action` to this state in place.
    pub fn apply(&mut self, action: Action) {
        match action {
            Action::SetPartitions(typed) => self.set_partitions(&typed),
            Action::Produce(key) => {
                let produced = self.topic.produce(key.as_deref().map(str::as_bytes));
                self.last = Some((key, produced));
                self.notice = None;
            }
        }
    }

    fn set_partitions(&mut self, typed: &str) {
        let (min, max) = (*PARTITIONS.start(), *PARTITIONS.end());
        let Some(requested) = typed
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|n| PARTITIONS.contains(n))
        else {
            self.notice = Some(Notice::Refused(format!(
                "Partitions: {typed:?} is not a whole number from {min} to {max}."
            )));
            return;
        };
        let current = self.topic.partition_count().get();
        self.notice = if requested > current {
            // `add_partitions` only refuses counts that are not larger, which was just ruled out.
            let _ = self.topic.add_partitions(partitions(requested));
            Some(Notice::Info(format!(
                "Added {} partition(s), as `kafka-topics.sh --alter --partitions {requested}` would. Existing records stay put; \
                 new records of the same key may now land on a different partition.",
                requested - current
            )))
        } else if requested < current {
            self.topic = Topic::new(TOPIC, partitions(requested));
            self.last = None;
            Some(Notice::Info(format!(
                "Kafka can't remove partitions, so the topic was recreated, empty, with {requested} partition(s)."
            )))
        } else {
            None
        };
    }
}

impl Reducible for State {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = Rc::unwrap_or_clone(self);
        next.apply(action);
        Rc::new(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state_after(actions: impl IntoIterator<Item = Action>) -> State {
        let mut state = State::default();
        actions.into_iter().for_each(|action| state.apply(action));
        state
    }

    #[test]
    fn keyed_produce_lands_where_kafka_puts_it() {
        let state = state_after([Action::Produce(Some("user-1".into()))]);
        let (key, produced) = state.last.expect("a record was produced");
        assert_eq!(key.as_deref(), Some("user-1"));
        assert_eq!(
            (produced.partition, produced.offset),
            (2, 0),
            "murmur2(user-1) % 6 = 2"
        );
    }

    #[test]
    fn growing_keeps_records_and_shrinking_recreates() {
        let grown = state_after([
            Action::Produce(Some("a".into())),
            Action::SetPartitions("12".into()),
        ]);
        assert_eq!(grown.topic.partition_count().get(), 12);
        assert_eq!(grown.topic.records(4).len(), 1);
        assert!(
            matches!(grown.notice, Some(Notice::Info(ref m)) if m.starts_with("Added 6 partition(s)"))
        );

        let shrunk = state_after([
            Action::Produce(Some("a".into())),
            Action::SetPartitions("2".into()),
        ]);
        assert_eq!(shrunk.topic.partition_count().get(), 2);
        assert!((0..2).all(|p| shrunk.topic.records(p).is_empty()));
        assert!(shrunk.last.is_none());
    }

    #[test]
    fn invalid_counts_are_refused_without_change() {
        for typed in ["0", "65", "", "six", "-1", "3.5"] {
            let state = state_after([Action::SetPartitions(typed.into())]);
            assert_eq!(
                state.topic.partition_count().get(),
                DEFAULT_PARTITIONS,
                "{typed:?}"
            );
            assert!(
                matches!(state.notice, Some(Notice::Refused(_))),
                "{typed:?}"
            );
        }
        let same = state_after([Action::SetPartitions(" 6 ".into())]);
        assert_eq!(same.notice, None);
    }
}
