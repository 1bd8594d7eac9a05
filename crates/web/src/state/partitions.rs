//! The partition view's state and actions (Yew's reducer pattern).
//!
//! The partition view shows one topic and one consumer group reading it. Growing the partition count adds
//! partitions exactly as Kafka does (the records stay, keys may move, the group rebalances); Kafka cannot
//! remove partitions, so lowering the count recreates the topic empty and says so.
//!
//! The group runs on a simulated clock ([`Action::Tick`], at [`SPEED`] × real time) so rebalances take the
//! time Kafka's protocol takes: a round completes a heartbeat interval (3 s) after it starts, and a crashed
//! consumer is noticed only when its session expires (45 s). Each consumer reads its partitions at
//! [`RECORDS_PER_SECOND`] per partition from the group's committed offset (`auto.offset.reset=earliest`)
//! and commits after each record, so lag is the log end offset minus the committed offset.
//!
//! It scales to 1,024 partitions and 1,000 consumers: the topic is [`Shared`] between successive states
//! (never copied per tick), a producer can write keyed records continuously ([`Action::SetProduceRate`]),
//! and the group can be sized in one step ([`Action::SetConsumers`]).

use std::collections::BTreeMap;
use std::num::NonZeroU32;

use kplay_core::group::assignor::{Strategy, TopicPartition};
use kplay_core::group::coordinator::{ConsumerGroup, GroupConfig};
use kplay_core::group::offsets::lag_between;
use kplay_core::time::{Duration, Instant};
use kplay_core::topic::{Produced, Topic};

use super::Shared;

/// Partition counts the partition view offers: the core's limit.
pub use kplay_core::config::PARTITIONS;
/// Partitions of the topic when the app starts.
pub const DEFAULT_PARTITIONS: u32 = 6;
/// Name of the topic the partition view produces to.
pub const TOPIC: &str = "orders";
/// The consumer group's id.
pub const GROUP: &str = "order-readers";
/// Simulated time runs this many times faster than real time in the partition view.
pub const SPEED: u64 = 10;
/// Records each consumer reads per second of simulated time, per partition it owns.
pub const RECORDS_PER_SECOND: u64 = 1;
/// Consumers a group may have in this view.
pub const MAX_CONSUMERS: usize = 1_000;
/// Most records per second the continuous producer writes.
pub const MAX_PRODUCE_RATE: u32 = 1_000;
/// Distinct keys the continuous producer cycles through (`key-0` … `key-9999`).
pub const PRODUCED_KEYS: u64 = 10_000;

/// Everything the partition view draws.
#[derive(Debug, Clone, PartialEq)]
pub struct State {
    /// The topic and its records.
    pub topic: Shared<Topic>,
    /// Where the last produced record went, with the key it had.
    pub last: Option<(Option<String>, Produced)>,
    /// A message about the last action: what changed, or why it was refused.
    pub notice: Option<Notice>,
    /// The consumer group reading the topic.
    pub group: ConsumerGroup,
    /// The simulated clock.
    pub clock: Instant,
    /// Per partition, simulated time already spent reading it (for the read rate).
    reading: BTreeMap<u32, Duration>,
    /// Records per real second the continuous producer writes (0: off).
    pub produce_rate: u32,
    /// Records the continuous producer has written (it numbers its keys with this).
    produced: u64,
    /// Real milliseconds owed to the continuous producer, below one record's worth.
    produce_due_ms: u64,
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
    /// A consumer joins the group.
    AddConsumer,
    /// Consumers join or the newest leave until the group has this many, as typed.
    SetConsumers(String),
    /// Records per second the continuous producer writes, as typed (0 stops it).
    SetProduceRate(String),
    /// The newest live consumer shuts down cleanly (`LeaveGroup`).
    RemoveConsumer,
    /// The newest live consumer crashes (stops heartbeating).
    CrashConsumer,
    /// Switch `partition.assignment.strategy`, by name; the group starts over with as many consumers.
    SetAssignor(String),
    /// Real milliseconds passed; the simulated clock moves [`SPEED`] times as far.
    Tick(u64),
}

impl Default for State {
    fn default() -> Self {
        let topic = Topic::new(TOPIC, partitions(DEFAULT_PARTITIONS));
        Self {
            group: new_group(Strategy::Range, &topic),
            topic: Shared::new(topic),
            last: None,
            notice: None,
            clock: Instant::ZERO,
            reading: BTreeMap::new(),
            produce_rate: 0,
            produced: 0,
            produce_due_ms: 0,
        }
    }
}

fn partitions(count: u32) -> NonZeroU32 {
    NonZeroU32::new(count).unwrap_or(NonZeroU32::MIN)
}

fn new_group(strategy: Strategy, topic: &Topic) -> ConsumerGroup {
    let config = GroupConfig {
        strategy,
        ..GroupConfig::default()
    };
    ConsumerGroup::new(
        GROUP,
        config,
        [(TOPIC.to_owned(), topic.partition_count().get())].into(),
    )
}

impl State {
    /// Applies `action` to this state in place.
    pub fn apply(&mut self, action: Action) {
        match action {
            Action::SetPartitions(typed) => self.set_partitions(&typed),
            Action::Produce(key) => {
                let produced = self
                    .topic
                    .borrow_mut()
                    .produce(key.as_deref().map(str::as_bytes));
                self.last = Some((key, produced));
                self.notice = None;
            }
            Action::AddConsumer => self.add_consumer(),
            Action::SetConsumers(typed) => self.set_consumers(&typed),
            Action::SetProduceRate(typed) => match typed.trim().parse::<u32>() {
                Ok(rate) if rate <= MAX_PRODUCE_RATE => {
                    self.produce_rate = rate;
                    self.notice = None;
                }
                _ => {
                    self.notice = Some(Notice::Refused(format!(
                        "Records per second: {typed:?} is not a whole number from 0 to {MAX_PRODUCE_RATE}."
                    )))
                }
            },
            Action::RemoveConsumer | Action::CrashConsumer => {
                let newest = self
                    .group
                    .members()
                    .iter()
                    .rev()
                    .find(|m| m.is_alive())
                    .map(|m| m.id.clone());
                let Some(id) = newest else {
                    self.notice = Some(Notice::Refused("There is no running consumer.".into()));
                    return;
                };
                let crash = action == Action::CrashConsumer;
                let outcome = if crash {
                    self.group.crash(self.clock, &id)
                } else {
                    self.group.leave(self.clock, &id)
                };
                self.notice = outcome.err().map(|e| Notice::Refused(e.to_string())).or_else(|| {
                    Some(Notice::Info(if crash {
                        format!("{id} crashed: its partitions wait until its session times out (45 s).")
                    } else {
                        format!("{id} left the group; its partitions are reassigned.")
                    }))
                });
            }
            Action::SetAssignor(name) => match name.parse::<Strategy>() {
                Ok(strategy) => {
                    let consumers = self.live_consumers();
                    self.group = new_group(strategy, &self.topic.borrow());
                    self.reading.clear();
                    self.join(consumers);
                    self.notice = Some(Notice::Info(format!(
                        "The group restarted with the {strategy} assignor ({} protocol).",
                        if strategy.is_cooperative() {
                            "cooperative"
                        } else {
                            "eager"
                        }
                    )));
                }
                Err(err) => self.notice = Some(Notice::Refused(err.to_string())),
            },
            Action::Tick(real_ms) => {
                self.produce_for(real_ms);
                self.tick(Duration::from_millis(real_ms.saturating_mul(SPEED)));
            }
        }
    }

    /// The continuous producer's records for `real_ms` of real time: keyed `key-<n>`, `n` cycling.
    fn produce_for(&mut self, real_ms: u64) {
        if self.produce_rate == 0 {
            return;
        }
        let owed = self.produce_due_ms + real_ms * u64::from(self.produce_rate);
        let (records, left) = (owed / 1_000, owed % 1_000);
        self.produce_due_ms = left;
        let mut topic = self.topic.borrow_mut();
        for _ in 0..records {
            let key = format!("key-{}", self.produced % PRODUCED_KEYS);
            let _ = topic.produce(Some(key.as_bytes()));
            self.produced += 1;
        }
    }

    /// Live consumers in the group.
    #[must_use]
    pub fn live_consumers(&self) -> usize {
        self.group.members().iter().filter(|m| m.is_alive()).count()
    }

    /// `count` consumers join, as far as the limit allows.
    fn join(&mut self, count: usize) {
        for _ in 0..count {
            if self.group.members().len() >= MAX_CONSUMERS {
                break;
            }
            let _ = self.group.join(self.clock, "consumer", None, &[TOPIC]);
        }
    }

    fn set_consumers(&mut self, typed: &str) {
        let Some(target) = typed
            .trim()
            .parse::<usize>()
            .ok()
            .filter(|n| *n <= MAX_CONSUMERS)
        else {
            self.notice = Some(Notice::Refused(format!(
                "Consumers: {typed:?} is not a whole number from 0 to {MAX_CONSUMERS}."
            )));
            return;
        };
        let live = self.live_consumers();
        if target > live {
            self.join(target - live);
        } else {
            let leaving: Vec<String> = self
                .group
                .members()
                .iter()
                .rev()
                .filter(|m| m.is_alive())
                .take(live - target)
                .map(|m| m.id.clone())
                .collect();
            for id in leaving {
                let _ = self.group.leave(self.clock, &id);
            }
        }
        self.notice = Some(Notice::Info(format!(
            "The group now has {} consumer(s); it rebalances.",
            self.live_consumers()
        )));
    }

    fn add_consumer(&mut self) {
        if self.group.members().len() >= MAX_CONSUMERS {
            self.notice = Some(Notice::Refused(format!(
                "This view runs at most {MAX_CONSUMERS} consumers."
            )));
            return;
        }
        self.notice = match self.group.join(self.clock, "consumer", None, &[TOPIC]) {
            Ok(id) => Some(Notice::Info(format!("{id} joined; the group rebalances."))),
            Err(err) => Some(Notice::Refused(err.to_string())),
        };
    }

    /// Moves the clock by `elapsed`: rebalances complete, sessions expire, owners read their partitions.
    fn tick(&mut self, elapsed: Duration) {
        self.clock += elapsed;
        // The group only fails on input the view never produces (unknown topics); nothing to report.
        let _ = self.group.handle_timeout(self.clock);
        let per_record = Duration::from_millis(1_000 / RECORDS_PER_SECOND);
        let topic = self.topic.borrow();
        let owners: Vec<(String, TopicPartition)> = self
            .group
            .members()
            .iter()
            .filter(|m| m.is_alive() && m.generation == self.group.generation())
            .flat_map(|m| m.assigned.iter().map(move |tp| (m.id.clone(), tp.clone())))
            .collect();
        for (member, tp) in owners {
            let end = topic.log_end_offset(tp.partition);
            let committed = self.group.offsets().get(&tp).unwrap_or(0);
            let spent = self.reading.entry(tp.partition).or_insert(Duration::ZERO);
            *spent = *spent + elapsed;
            let readable = spent.as_micros() / per_record.as_micros();
            let next = (committed + readable).min(end);
            *spent = Duration::from_micros(
                spent.as_micros() - (next - committed) * per_record.as_micros(),
            );
            if next == end {
                *spent = Duration::ZERO;
            }
            if next > committed || self.group.offsets().get(&tp).is_none() {
                let _ = self.group.commit(&member, &tp, next);
            }
        }
    }

    /// The group's committed offset of `partition` and its lag (log end − committed).
    #[must_use]
    pub fn progress(&self, partition: u32) -> (Option<u64>, u64) {
        let committed = self
            .group
            .offsets()
            .get(&TopicPartition::new(TOPIC, partition));
        let end = self.topic.borrow().log_end_offset(partition);
        (committed, unread(committed, end))
    }

    /// Every partition's [`Self::owner`] and [`Self::progress`], in one pass over the group: asking
    /// partition by partition scans every member's assignment each time, which at 1,000 partitions and 500
    /// consumers is a million comparisons per frame.
    #[must_use]
    pub fn all_progress(&self) -> Vec<(Option<&str>, Option<u64>, u64)> {
        let topic = self.topic.borrow();
        let count = topic.partition_count().get() as usize;
        let mut owners = vec![None; count];
        for member in self.group.members().iter().filter(|m| m.is_alive()) {
            for tp in member.assigned.iter().filter(|tp| tp.topic == TOPIC) {
                if let Some(slot) = owners.get_mut(tp.partition as usize) {
                    slot.get_or_insert(member.id.as_str());
                }
            }
        }
        let mut committed = vec![None; count];
        for (tp, offset) in self
            .group
            .offsets()
            .iter()
            .filter(|(tp, _)| tp.topic == TOPIC)
        {
            if let Some(slot) = committed.get_mut(tp.partition as usize) {
                *slot = Some(offset);
            }
        }
        owners
            .into_iter()
            .zip(committed)
            .enumerate()
            .map(|(p, (owner, committed))| {
                let end = topic.log_end_offset(p as u32);
                (owner, committed, unread(committed, end))
            })
            .collect()
    }

    /// The live consumer reading `partition`, if any.
    #[must_use]
    pub fn owner(&self, partition: u32) -> Option<&str> {
        self.group
            .consumer_of(&TopicPartition::new(TOPIC, partition))
            .map(|m| m.id.as_str())
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
        let current = self.topic.borrow().partition_count().get();
        self.notice = if requested > current {
            // Both only refuse counts that do not grow, which was just ruled out.
            let _ = self
                .topic
                .borrow_mut()
                .add_partitions(partitions(requested));
            let _ = self.group.add_partitions(self.clock, TOPIC, requested);
            Some(Notice::Info(format!(
                "Added {} partition(s), as `kafka-topics.sh --alter --partitions {requested}` would. Existing records stay put; \
                 new records of the same key may now land on a different partition.",
                requested - current
            )))
        } else if requested < current {
            let consumers = self.live_consumers();
            let strategy = self.group.config().strategy;
            let topic = Topic::new(TOPIC, partitions(requested));
            self.group = new_group(strategy, &topic);
            self.topic = Shared::new(topic);
            self.reading.clear();
            self.last = None;
            self.join(consumers);
            Some(Notice::Info(format!(
                "Kafka can't remove partitions, so the topic was recreated, empty, with {requested} partition(s)."
            )))
        } else {
            None
        };
    }
}

super::reducible!(State, Action);

/// The group's lag on a partition whose log ends at `end`: before the first commit its consumers start at
/// offset 0 (`auto.offset.reset=earliest`), so everything is unread.
fn unread(committed: Option<u64>, end: u64) -> u64 {
    lag_between(Some(committed.unwrap_or(0)), 0, end).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state_after(actions: impl IntoIterator<Item = Action>) -> State {
        let mut state = State::default();
        actions.into_iter().for_each(|action| state.apply(action));
        state
    }

    /// Lets `seconds` of simulated time pass in 100 ms ticks.
    fn wait(state: &mut State, seconds: u64) {
        for _ in 0..seconds * 10 / SPEED {
            state.apply(Action::Tick(100));
        }
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
        assert_eq!(grown.topic.borrow().partition_count().get(), 12);
        assert_eq!(grown.topic.borrow().records(4).len(), 1);
        assert!(
            matches!(grown.notice, Some(Notice::Info(ref m)) if m.starts_with("Added 6 partition(s)"))
        );

        let shrunk = state_after([
            Action::Produce(Some("a".into())),
            Action::SetPartitions("2".into()),
        ]);
        assert_eq!(shrunk.topic.borrow().partition_count().get(), 2);
        assert!((0..2).all(|p| shrunk.topic.borrow().records(p).is_empty()));
        assert!(shrunk.last.is_none());
    }

    #[test]
    fn invalid_counts_are_refused_without_change() {
        for typed in ["0", "1025", "", "six", "-1", "3.5"] {
            let state = state_after([Action::SetPartitions(typed.into())]);
            assert_eq!(
                state.topic.borrow().partition_count().get(),
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

    #[test]
    fn consumers_split_the_partitions_after_a_rebalance_and_read_them() {
        let mut state = state_after([
            Action::AddConsumer,
            Action::AddConsumer,
            Action::AddConsumer,
        ]);
        assert!(
            state.owner(0).is_none(),
            "the first rebalance takes a moment"
        );
        wait(&mut state, 4);
        let owners: Vec<&str> = (0..6).filter_map(|p| state.owner(p)).collect();
        assert_eq!(
            owners,
            [
                "consumer-1",
                "consumer-1",
                "consumer-2",
                "consumer-2",
                "consumer-3",
                "consumer-3"
            ]
        );
        state.apply(Action::Produce(Some("a".into())));
        let partition = state
            .last
            .as_ref()
            .map(|(_, p)| p.partition)
            .expect("produced");
        assert_eq!(partition, 4, "murmur2(a) % 6 = 4");
        assert_eq!(state.progress(partition).1, 1, "unread: lag 1");
        wait(&mut state, 2);
        assert_eq!(
            state.progress(partition),
            (Some(1), 0),
            "read and committed: lag 0"
        );
    }

    #[test]
    fn a_crash_leaves_partitions_unread_until_the_session_expires() {
        let mut state = state_after([Action::AddConsumer, Action::AddConsumer]);
        wait(&mut state, 4);
        state.apply(Action::CrashConsumer);
        assert!(
            state.owner(5).is_none(),
            "consumer-2's partitions have no live reader"
        );
        wait(&mut state, 30);
        assert!(
            state.owner(5).is_none(),
            "not yet: the session timeout is 45 s"
        );
        wait(&mut state, 20);
        assert_eq!(state.owner(5), Some("consumer-1"));
        state.apply(Action::RemoveConsumer);
        state.apply(Action::RemoveConsumer);
        assert!(
            matches!(state.notice, Some(Notice::Refused(_))),
            "nobody left to remove"
        );
    }

    #[test]
    fn switching_the_assignor_restarts_the_group() {
        let mut state = state_after([Action::AddConsumer, Action::AddConsumer]);
        wait(&mut state, 4);
        state.apply(Action::SetAssignor("roundrobin".into()));
        wait(&mut state, 4);
        assert_eq!(state.group.config().strategy, Strategy::RoundRobin);
        let owners: Vec<&str> = (0..6).filter_map(|p| state.owner(p)).collect();
        assert_eq!(
            owners,
            [
                "consumer-1",
                "consumer-2",
                "consumer-1",
                "consumer-2",
                "consumer-1",
                "consumer-2"
            ]
        );
        state.apply(Action::SetAssignor("rnage".into()));
        assert!(matches!(state.notice, Some(Notice::Refused(_))));
    }

    #[test]
    fn a_thousand_partitions_and_five_hundred_consumers_all_get_read() {
        let mut state = state_after([
            Action::SetPartitions("1000".into()),
            Action::SetConsumers("500".into()),
            Action::SetProduceRate("1000".into()),
        ]);
        assert_eq!(state.live_consumers(), 500);
        wait(&mut state, 10);
        let owned: std::collections::BTreeSet<_> = state
            .group
            .members()
            .iter()
            .flat_map(|m| m.assigned.iter().map(|tp| tp.partition))
            .collect();
        assert_eq!(
            owned.len(),
            1_000,
            "every partition owned once the group is stable"
        );
        // 10 s of simulated time is 1 s of real time: 1,000 keyed records, spread by murmur2.
        let topic = state.topic.borrow();
        let written: u64 = (0..1_000).map(|p| topic.log_end_offset(p)).sum();
        assert_eq!(written, 1_000);
        drop(topic);
        state.apply(Action::SetConsumers("3".into()));
        assert_eq!(state.live_consumers(), 3);
        for typed in ["1001", "-1", "many"] {
            state.apply(Action::SetConsumers(typed.into()));
            assert!(matches!(state.notice, Some(Notice::Refused(_))), "{typed}");
            assert_eq!(state.live_consumers(), 3);
        }
        state.apply(Action::SetProduceRate("1001".into()));
        assert!(matches!(state.notice, Some(Notice::Refused(_))));
        assert_eq!(state.produce_rate, 1_000);
    }

    #[test]
    fn all_progress_agrees_with_asking_partition_by_partition() {
        let mut state = state_after([
            Action::SetPartitions("40".into()),
            Action::SetConsumers("7".into()),
            Action::SetProduceRate("500".into()),
        ]);
        wait(&mut state, 20);
        state.apply(Action::CrashConsumer);
        wait(&mut state, 5);
        let all = state.all_progress();
        assert_eq!(all.len(), 40);
        for (p, (owner, committed, lag)) in all.into_iter().enumerate() {
            let p = p as u32;
            assert_eq!(
                (owner, (committed, lag)),
                (state.owner(p), state.progress(p)),
                "P{p}"
            );
        }
    }
}
