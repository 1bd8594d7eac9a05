//! # Replication: brokers, leaders, the ISR, acks and lost writes
//!
//! Each partition has `replication.factor` replicas on different brokers. One replica is the **leader**;
//! producers write to it and **followers** fetch from it. The **in-sync replicas** (ISR) are the leader and
//! the followers that have caught up within `replica.lag.time.max.ms` (30 s). A record is **committed**
//! when every ISR member has it: the **high watermark** is the lowest log end offset in the ISR, and
//! consumers read only below it. Since Kafka 3.7 (KAFKA-15583) the HW does not advance while the ISR is
//! smaller than `min(min.insync.replicas, replication.factor)`.
//!
//! A producer chooses how much to wait for (`acks`): `0` not at all, `1` for the leader's write, `all` for
//! the whole ISR. With `acks=all` a write is refused up front (`NOT_ENOUGH_REPLICAS`) when the ISR is
//! smaller than `min.insync.replicas`. When a leader's broker fails, a new leader is elected from the ISR
//! (the first live ISR replica in assignment order); with `unclean.leader.election.enable` an out-of-sync
//! replica may be chosen when no ISR replica is alive, at the price of losing what it lacks. A replica that
//! comes back truncates its log to where the current leader's history diverged from its own (the start
//! offset of the leader epoch after its last one, KIP-101) and catches up; records that were acknowledged
//! only by the lost leader are gone for good, and [`Cluster::lost_acknowledged`] lists them.
//!
//! Replicas are placed as Kafka's rack-unaware `assignReplicasToBrokers` places them, with its random start
//! index and shift fixed at 0: partition `p`'s first replica is broker `p % n`, the others follow at
//! shifts `1 + (shift + j) % (n − 1)`, the shift growing by one every `n` partitions. The controller is
//! modelled as noticing a broker failure at once. Followers fetch when [`Cluster::replicate`] is called.

use alloc::collections::{BTreeSet, VecDeque};
use alloc::vec::Vec;
use core::fmt;

use crate::time::{Duration, Instant};

/// A broker's id (`node.id`), from 0.
pub type BrokerId = u32;

/// `acks`: what the producer waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Acks {
    /// `acks=0`: fire and forget; the producer learns nothing.
    None,
    /// `acks=1`: the leader has written it.
    Leader,
    /// `acks=all` (`-1`, the default since Kafka 3.0): every in-sync replica has it.
    All,
}

/// The cluster's replication settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClusterConfig {
    /// Brokers in the cluster.
    pub brokers: u32,
    /// Partitions of the (single) topic.
    pub partitions: u32,
    /// `replication.factor`.
    pub replication_factor: u32,
    /// `min.insync.replicas` (default 1).
    pub min_insync_replicas: u32,
    /// `replica.lag.time.max.ms` (default 30 s).
    pub replica_lag_time_max: Duration,
    /// `unclean.leader.election.enable` (default false).
    pub unclean_leader_election: bool,
}

impl Default for ClusterConfig {
    fn default() -> Self {
        Self {
            brokers: 3,
            partitions: 1,
            replication_factor: 3,
            min_insync_replicas: 1,
            replica_lag_time_max: Duration::from_millis(30_000),
            unclean_leader_election: false,
        }
    }
}

/// A configuration Kafka would refuse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidClusterConfig(pub &'static str);

impl fmt::Display for InvalidClusterConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl core::error::Error for InvalidClusterConfig {}

/// Why a produce request failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProduceError {
    /// The partition has no leader (every eligible replica is down): `LEADER_NOT_AVAILABLE`.
    NoLeader,
    /// `acks=all` and the ISR is smaller than `min.insync.replicas`: `NOT_ENOUGH_REPLICAS`, nothing written.
    NotEnoughReplicas {
        /// ISR size.
        isr: u32,
        /// `min.insync.replicas` in effect.
        required: u32,
    },
    /// The partition does not exist.
    UnknownPartition,
}

impl fmt::Display for ProduceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoLeader => {
                f.write_str("LEADER_NOT_AVAILABLE: no replica can lead this partition")
            }
            Self::NotEnoughReplicas { isr, required } => {
                write!(
                    f,
                    "NOT_ENOUGH_REPLICAS: the ISR has {isr} replica(s), min.insync.replicas is {required}"
                )
            }
            Self::UnknownPartition => f.write_str("UNKNOWN_TOPIC_OR_PARTITION"),
        }
    }
}

impl core::error::Error for ProduceError {}

/// A record in a replica's log: the producer's write id and the leader epoch it was written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReplicaRecord {
    /// Unique id of the write that produced it.
    pub write: u64,
    /// Leader epoch of the leader that appended it.
    pub epoch: u32,
}

/// One replica of a partition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replica {
    /// The broker holding it.
    pub broker: BrokerId,
    /// Its log, from offset 0.
    pub log: Vec<ReplicaRecord>,
    /// Last time it had everything the leader had.
    pub last_caught_up: Instant,
}

/// A replicated partition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Partition {
    /// Replicas in assignment order (the first is the preferred leader).
    pub replicas: Vec<Replica>,
    /// Broker of the current leader.
    pub leader: Option<BrokerId>,
    /// Brokers of the in-sync replicas.
    pub isr: BTreeSet<BrokerId>,
    /// Incremented at every leader change.
    pub leader_epoch: u32,
    /// `(epoch, start offset)` of every leader epoch, oldest first (the leader-epoch cache).
    pub epoch_starts: Vec<(u32, u64)>,
    /// The high watermark.
    pub high_watermark: u64,
    /// `acks=all` writes waiting for the ISR: (write id, offset), in offset order.
    pending: VecDeque<(u64, u64)>,
}

impl Partition {
    fn replica(&self, broker: BrokerId) -> Option<&Replica> {
        self.replicas.iter().find(|r| r.broker == broker)
    }

    /// The leader's log end offset (0 without a leader).
    #[must_use]
    pub fn log_end_offset(&self) -> u64 {
        self.leader
            .and_then(|b| self.replica(b))
            .map_or(0, |r| r.log.len() as u64)
    }
}

/// The outcome of a produce request that was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Written {
    /// The write's id, to follow it through [`Cluster::poll_acknowledged`] and [`Cluster::lost_acknowledged`].
    pub write: u64,
    /// Its offset in the leader's log.
    pub offset: u64,
    /// Whether the producer has its acknowledgement already (`acks=0` and `acks=1`); `acks=all` writes are
    /// acknowledged once the ISR has them.
    pub acknowledged: bool,
}

/// Brokers and one replicated topic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cluster {
    config: ClusterConfig,
    alive: Vec<bool>,
    /// Brokers that are up but not fetching (a slow or stuck follower).
    stalled: BTreeSet<BrokerId>,
    partitions: Vec<Partition>,
    next_write: u64,
    acknowledged: BTreeSet<u64>,
    newly_acknowledged: Vec<u64>,
    failed_writes: Vec<u64>,
}

impl Cluster {
    /// A healthy cluster at `now`, every replica in sync and empty.
    ///
    /// # Errors
    /// [`InvalidClusterConfig`] for zero brokers or partitions, a replication factor above the broker count,
    /// or `min.insync.replicas` of 0.
    pub fn new(now: Instant, config: ClusterConfig) -> Result<Self, InvalidClusterConfig> {
        if config.brokers == 0 || config.partitions == 0 {
            return Err(InvalidClusterConfig(
                "a cluster needs at least one broker and one partition",
            ));
        }
        if config.replication_factor == 0 || config.replication_factor > config.brokers {
            return Err(InvalidClusterConfig(
                "replication.factor must be between 1 and the number of brokers",
            ));
        }
        if config.min_insync_replicas == 0 {
            return Err(InvalidClusterConfig(
                "min.insync.replicas must be at least 1",
            ));
        }
        let mut cluster = Self {
            config: ClusterConfig {
                partitions: 0,
                ..config
            },
            alive: alloc::vec![true; config.brokers as usize],
            stalled: BTreeSet::new(),
            partitions: Vec::new(),
            next_write: 0,
            acknowledged: BTreeSet::new(),
            newly_acknowledged: Vec::new(),
            failed_writes: Vec::new(),
        };
        cluster.add_partitions(now, config.partitions)?;
        Ok(cluster)
    }

    /// The configuration.
    #[must_use]
    pub fn config(&self) -> &ClusterConfig {
        &self.config
    }

    /// Every partition.
    #[must_use]
    pub fn partitions(&self) -> &[Partition] {
        &self.partitions
    }

    /// Whether `broker` is up.
    #[must_use]
    pub fn is_alive(&self, broker: BrokerId) -> bool {
        self.alive.get(broker as usize).copied().unwrap_or(false)
    }

    /// Whether `broker`'s followers fetch from their leaders: it is up and not stalled.
    fn fetches(&self, broker: BrokerId) -> bool {
        self.is_alive(broker) && !self.stalled.contains(&broker)
    }

    fn effective_min_isr(&self) -> u32 {
        self.config
            .min_insync_replicas
            .min(self.config.replication_factor)
    }

    /// Whether [`Self::produce`] would accept a write to `partition` with `acks` now: a leader, and for
    /// `acks=all` an ISR of at least `min.insync.replicas`.
    ///
    /// # Errors
    /// The [`ProduceError`] `produce` would return.
    pub fn check_produce(&self, partition: u32, acks: Acks) -> Result<(), ProduceError> {
        let p = self
            .partitions
            .get(partition as usize)
            .ok_or(ProduceError::UnknownPartition)?;
        if p.leader.is_none() {
            return Err(ProduceError::NoLeader);
        }
        let isr = p.isr.len() as u32;
        if acks == Acks::All && isr < self.effective_min_isr() {
            return Err(ProduceError::NotEnoughReplicas {
                isr,
                required: self.config.min_insync_replicas,
            });
        }
        Ok(())
    }

    /// Whether write `write` has been acknowledged (`acks=1` at once, `acks=all` once the ISR had it).
    #[must_use]
    pub fn is_acknowledged(&self, write: u64) -> bool {
        self.acknowledged.contains(&write)
    }

    /// Writes one record to `partition`'s leader.
    ///
    /// # Errors
    /// [`ProduceError`] when there is no leader, or `acks=all` meets an ISR below `min.insync.replicas`.
    pub fn produce(
        &mut self,
        now: Instant,
        partition: u32,
        acks: Acks,
    ) -> Result<Written, ProduceError> {
        self.check_produce(partition, acks)?;
        let index = partition as usize;
        let end = self.partitions[index].log_end_offset();
        // Followers fetch all the time (`replica.fetch.wait.max.ms`): one that had the whole log was
        // caught up until this write (`Replica.lastCaughtUpTimeMs`), however long the log was idle.
        for r in 0..self.partitions[index].replicas.len() {
            let broker = self.partitions[index].replicas[r].broker;
            let replica = &self.partitions[index].replicas[r];
            if self.fetches(broker) && replica.log.len() as u64 == end {
                let replica = &mut self.partitions[index].replicas[r];
                replica.last_caught_up = replica.last_caught_up.max(now);
            }
        }
        let p = &mut self.partitions[index];
        let leader = p.leader.ok_or(ProduceError::NoLeader)?;
        let write = self.next_write;
        self.next_write += 1;
        let epoch = p.leader_epoch;
        let Some(log) = p
            .replicas
            .iter_mut()
            .find(|r| r.broker == leader)
            .map(|r| &mut r.log)
        else {
            return Err(ProduceError::NoLeader);
        };
        log.push(ReplicaRecord { write, epoch });
        let offset = log.len() as u64 - 1;
        let acknowledged = match acks {
            Acks::None => false,
            Acks::Leader => {
                self.acknowledged.insert(write);
                true
            }
            Acks::All => {
                p.pending.push_back((write, offset));
                false
            }
        };
        self.advance_high_watermark(partition as usize);
        Ok(Written {
            write,
            offset,
            acknowledged,
        })
    }

    /// Grows the topic to `partitions` (`kafka-topics.sh --alter --partitions`): new partitions are placed
    /// like the first ones, led by their first live replica, with the live replicas in sync.
    ///
    /// # Errors
    /// [`InvalidClusterConfig`] if `partitions` does not grow the topic.
    pub fn add_partitions(
        &mut self,
        now: Instant,
        partitions: u32,
    ) -> Result<(), InvalidClusterConfig> {
        if partitions <= self.config.partitions {
            return Err(InvalidClusterConfig(
                "the number of partitions can only grow",
            ));
        }
        for p in self.config.partitions..partitions {
            let replicas: Vec<Replica> =
                placement(p, self.config.replication_factor, self.config.brokers)
                    .into_iter()
                    .map(|broker| Replica {
                        broker,
                        log: Vec::new(),
                        last_caught_up: now,
                    })
                    .collect();
            let live: BTreeSet<BrokerId> = replicas
                .iter()
                .map(|r| r.broker)
                .filter(|&b| self.is_alive(b))
                .collect();
            let leader = replicas.iter().map(|r| r.broker).find(|b| live.contains(b));
            self.partitions.push(Partition {
                isr: if live.is_empty() {
                    replicas.iter().map(|r| r.broker).take(1).collect()
                } else {
                    live
                },
                replicas,
                leader,
                leader_epoch: 0,
                epoch_starts: alloc::vec![(0, 0)],
                high_watermark: 0,
                pending: VecDeque::new(),
            });
        }
        self.config.partitions = partitions;
        Ok(())
    }

    /// Followers on live, fetching brokers copy what they miss from their leader; the ISR grows and the HW
    /// advances accordingly.
    pub fn replicate(&mut self, now: Instant) {
        for index in 0..self.partitions.len() {
            let Some(leader) = self.partitions[index].leader else {
                continue;
            };
            let fetching: Vec<BrokerId> = self.partitions[index]
                .replicas
                .iter()
                .map(|r| r.broker)
                .filter(|&b| b != leader && self.fetches(b))
                .collect();
            let p = &mut self.partitions[index];
            let Some(leader_index) = p.replicas.iter().position(|r| r.broker == leader) else {
                continue;
            };
            let leader_log = core::mem::take(&mut p.replicas[leader_index].log);
            for replica in p
                .replicas
                .iter_mut()
                .filter(|r| fetching.contains(&r.broker))
            {
                // Keep what agrees with the leader (truncation at election makes this the whole log;
                // checking guards the invariant), then fetch the rest.
                let common = agreeing_prefix(&replica.log, &leader_log);
                replica.log.truncate(common);
                replica.log.extend_from_slice(&leader_log[common..]);
                replica.last_caught_up = now;
                // Back in the ISR once caught up to the HW.
                if replica.log.len() as u64 >= p.high_watermark {
                    p.isr.insert(replica.broker);
                }
            }
            p.replicas[leader_index].log = leader_log;
            p.replicas[leader_index].last_caught_up = now;
            self.advance_high_watermark(index);
        }
    }

    /// Shrinks the ISR by followers that have not caught up for `replica.lag.time.max.ms`.
    pub fn handle_timeout(&mut self, now: Instant) {
        let lag_max = self.config.replica_lag_time_max;
        for index in 0..self.partitions.len() {
            let p = &mut self.partitions[index];
            let leader_end = p.log_end_offset();
            let lagging: Vec<BrokerId> = p
                .replicas
                .iter()
                .filter(|r| Some(r.broker) != p.leader)
                .filter(|r| r.log.len() as u64 != leader_end && now - r.last_caught_up > lag_max)
                .map(|r| r.broker)
                .collect();
            for broker in lagging {
                p.isr.remove(&broker);
            }
            self.advance_high_watermark(index);
        }
    }

    /// The next instant at which [`Self::handle_timeout`] would shrink an ISR.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.partitions
            .iter()
            .flat_map(|p| {
                let end = p.log_end_offset();
                p.replicas
                    .iter()
                    .filter(move |r| {
                        p.isr.contains(&r.broker)
                            && Some(r.broker) != p.leader
                            && r.log.len() as u64 != end
                    })
                    .map(|r| {
                        r.last_caught_up
                            + self.config.replica_lag_time_max
                            + Duration::from_micros(1)
                    })
            })
            .min()
    }

    /// Whether `broker` has been told to stop fetching ([`Self::set_stalled`]).
    #[must_use]
    pub fn is_stalled(&self, broker: BrokerId) -> bool {
        self.stalled.contains(&broker)
    }

    /// Makes a live broker stop fetching (`true`) or resume (`false`), as a slow follower would.
    pub fn set_stalled(&mut self, broker: BrokerId, stalled: bool) {
        if stalled {
            self.stalled.insert(broker);
        } else {
            self.stalled.remove(&broker);
        }
    }

    /// Takes `broker` down: it leaves every ISR and its leaderships move to other ISR replicas (or, with
    /// unclean election, to any live replica).
    pub fn fail_broker(&mut self, broker: BrokerId) {
        let Some(alive) = self.alive.get_mut(broker as usize) else {
            return;
        };
        *alive = false;
        for index in 0..self.partitions.len() {
            let p = &mut self.partitions[index];
            let was_leader = p.leader == Some(broker);
            // The last ISR member stays in the ISR even when down (Kafka keeps it for a clean election later).
            if p.isr.len() > 1 {
                p.isr.remove(&broker);
            }
            if was_leader {
                self.elect_leader(index);
            } else {
                self.advance_high_watermark(index);
            }
        }
    }

    /// Brings `broker` back: its replicas truncate to the current leaders' history and resume fetching; an
    /// offline partition whose ISR it belongs to gets it as leader again.
    pub fn restore_broker(&mut self, now: Instant, broker: BrokerId) {
        let Some(alive) = self.alive.get_mut(broker as usize) else {
            return;
        };
        *alive = true;
        for index in 0..self.partitions.len() {
            let p = &mut self.partitions[index];
            if p.leader.is_none() {
                self.elect_leader(index);
                continue;
            }
            let Some(truncate_to) = self.divergence_point(index, broker) else {
                continue;
            };
            let p = &mut self.partitions[index];
            if let Some(replica) = p.replicas.iter_mut().find(|r| r.broker == broker) {
                replica.log.truncate(truncate_to as usize);
                replica.last_caught_up = now;
            }
        }
        self.replicate(now);
    }

    /// Where `broker`'s replica of partition `index` stops agreeing with the leader: the start of the first
    /// leader epoch after the replica's last one (`OffsetsForLeaderEpoch`), or its own end.
    fn divergence_point(&self, index: usize, broker: BrokerId) -> Option<u64> {
        let p = &self.partitions[index];
        let replica = p.replica(broker)?;
        let last_epoch = replica.log.last().map_or(0, |r| r.epoch);
        let end_for_epoch = p
            .epoch_starts
            .iter()
            .find(|&&(epoch, _)| epoch > last_epoch)
            .map_or(p.log_end_offset(), |&(_, start)| start);
        Some(end_for_epoch.min(replica.log.len() as u64))
    }

    fn elect_leader(&mut self, index: usize) {
        let unclean = self.config.unclean_leader_election;
        let alive = &self.alive;
        let p = &mut self.partitions[index];
        let is_up = |b: BrokerId| alive.get(b as usize).copied().unwrap_or(false);
        let clean = p
            .replicas
            .iter()
            .map(|r| r.broker)
            .find(|&b| p.isr.contains(&b) && is_up(b));
        let chosen = clean.or_else(|| {
            unclean
                .then(|| p.replicas.iter().map(|r| r.broker).find(|&b| is_up(b)))
                .flatten()
        });
        let Some(new_leader) = chosen else {
            self.failed_writes
                .extend(p.pending.drain(..).map(|(write, _)| write));
            p.leader = None;
            return;
        };
        if clean.is_none() {
            // An unclean leader becomes the whole ISR: the others may hold records it never had.
            p.isr = BTreeSet::from([new_leader]);
        }
        // The new leader's epoch cache knows only the epochs of records it holds: epochs it never
        // replicated are not part of its history (followers truncate against this cache).
        let last_epoch = p
            .replica(new_leader)
            .and_then(|r| r.log.last())
            .map_or(0, |r| r.epoch);
        p.epoch_starts.retain(|&(epoch, _)| epoch <= last_epoch);
        // Requests waiting on the old leader fail (NOT_LEADER_OR_FOLLOWER); the producer must retry them.
        self.failed_writes
            .extend(p.pending.drain(..).map(|(write, _)| write));
        p.leader = Some(new_leader);
        p.leader_epoch += 1;
        let start = p.replica(new_leader).map_or(0, |r| r.log.len() as u64);
        let epoch = p.leader_epoch;
        p.epoch_starts.push((epoch, start));
        // Truncate every live follower to the new leader's history.
        let followers: Vec<BrokerId> = p
            .replicas
            .iter()
            .map(|r| r.broker)
            .filter(|&b| b != new_leader && is_up(b))
            .collect();
        for broker in followers {
            if let Some(at) = self.divergence_point(index, broker) {
                let p = &mut self.partitions[index];
                if let Some(replica) = p.replicas.iter_mut().find(|r| r.broker == broker) {
                    replica.log.truncate(at as usize);
                }
            }
        }
        let p = &mut self.partitions[index];
        // The HW can drop below its old value on an unclean election; it never exceeds the new leader's log.
        p.high_watermark = p.high_watermark.min(start);
        self.advance_high_watermark(index);
    }

    /// HW = the lowest LEO in the ISR, but not while the ISR is under the effective `min.insync.replicas`.
    fn advance_high_watermark(&mut self, index: usize) {
        let min_isr = self.effective_min_isr() as usize;
        let p = &mut self.partitions[index];
        if p.leader.is_none() || p.isr.len() < min_isr {
            return;
        }
        let lowest = p
            .isr
            .iter()
            .filter_map(|&b| p.replica(b))
            .map(|r| r.log.len() as u64)
            .min()
            .unwrap_or(0);
        if lowest > p.high_watermark {
            p.high_watermark = lowest;
        }
        let hw = p.high_watermark;
        // Pending writes are in offset order (one leader appends them; a leader change fails them all),
        // so those below the high watermark are a prefix: no pass over the writes still waiting, which
        // may be millions while the ISR is too small.
        let done = p.pending.partition_point(|&(_, offset)| offset < hw);
        let done: Vec<(u64, u64)> = p.pending.drain(..done).collect();
        for (write, _) in done {
            self.acknowledged.insert(write);
            self.newly_acknowledged.push(write);
        }
    }

    /// `acks=all` writes acknowledged since the last call.
    pub fn poll_acknowledged(&mut self) -> Vec<u64> {
        core::mem::take(&mut self.newly_acknowledged)
    }

    /// `acks=all` writes whose wait failed since the last call because their leader changed
    /// (`NOT_LEADER_OR_FOLLOWER`): never acknowledged, to be retried by the producer.
    pub fn poll_failed(&mut self) -> Vec<u64> {
        core::mem::take(&mut self.failed_writes)
    }

    /// Writes that were acknowledged to a producer but are no longer in their partition's leader log.
    #[must_use]
    pub fn lost_acknowledged(&self) -> Vec<u64> {
        let present: BTreeSet<u64> = self
            .partitions
            .iter()
            .filter_map(|p| p.leader.and_then(|b| p.replica(b)))
            .flat_map(|r| r.log.iter().map(|rec| rec.write))
            .collect();
        let offline: BTreeSet<u64> = self
            .partitions
            .iter()
            .filter(|p| p.leader.is_none())
            .flat_map(|p| {
                p.replicas
                    .iter()
                    .flat_map(|r| r.log.iter().map(|rec| rec.write))
            })
            .collect();
        self.acknowledged
            .iter()
            .copied()
            .filter(|w| !present.contains(w) && !offline.contains(w))
            .collect()
    }
}

/// How many records two replica logs share from offset 0. A write is appended once, at one offset of one
/// leader's log, and replicas copy whole prefixes, so two logs that agree at an offset agree everywhere
/// before it: the shared prefix is found by bisection, in `O(log n)`.
#[must_use]
pub fn agreeing_prefix(a: &[ReplicaRecord], b: &[ReplicaRecord]) -> usize {
    let (mut agree, mut differ) = (0, a.len().min(b.len()));
    while agree < differ {
        let mid = agree + (differ - agree) / 2;
        if a[mid] == b[mid] {
            agree = mid + 1;
        } else {
            differ = mid;
        }
    }
    agree
}

/// Brokers for `partition`'s replicas: Kafka's rack-unaware placement with start index and shift 0.
#[must_use]
pub fn placement(partition: u32, replication_factor: u32, brokers: u32) -> Vec<BrokerId> {
    let first = partition % brokers;
    let shift = partition / brokers;
    let mut replicas = alloc::vec![first];
    for j in 0..replication_factor.saturating_sub(1) {
        let step = 1 + (shift + j) % (brokers - 1).max(1);
        replicas.push((first + step) % brokers);
    }
    replicas
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(ms: u64) -> Instant {
        Instant::from_millis(ms)
    }

    fn cluster(min_isr: u32, unclean: bool) -> Cluster {
        let config = ClusterConfig {
            min_insync_replicas: min_isr,
            unclean_leader_election: unclean,
            ..ClusterConfig::default()
        };
        Cluster::new(at(0), config).expect("valid config")
    }

    #[test]
    fn placement_matches_kafkas_rack_unaware_layout() {
        // 3 brokers, RF 3, start index 0, shift 0.
        let layout: Vec<Vec<BrokerId>> = (0..6).map(|p| placement(p, 3, 3)).collect();
        assert_eq!(
            layout,
            [
                [0, 1, 2],
                [1, 2, 0],
                [2, 0, 1],
                [0, 2, 1],
                [1, 0, 2],
                [2, 1, 0]
            ]
        );
        assert_eq!(placement(0, 1, 1), [0]);
    }

    #[test]
    fn acks_all_waits_for_the_isr_and_hw_is_the_lowest_isr_end() {
        let mut c = cluster(2, false);
        let w = c.produce(Instant::ZERO, 0, Acks::All).expect("leader up");
        assert!(!w.acknowledged);
        assert_eq!(c.partitions()[0].high_watermark, 0);
        c.replicate(at(1));
        assert_eq!(c.poll_acknowledged(), [w.write]);
        assert_eq!(c.partitions()[0].high_watermark, 1);
    }

    #[test]
    fn not_enough_replicas_rejects_acks_all_before_writing() {
        let mut c = cluster(2, false);
        c.fail_broker(1);
        c.fail_broker(2);
        let err = c
            .produce(Instant::ZERO, 0, Acks::All)
            .expect_err("ISR of 1 < 2");
        assert_eq!(
            err,
            ProduceError::NotEnoughReplicas {
                isr: 1,
                required: 2
            }
        );
        assert_eq!(c.partitions()[0].log_end_offset(), 0, "nothing was written");
        let w = c
            .produce(Instant::ZERO, 0, Acks::Leader)
            .expect("acks=1 bypasses the check");
        assert!(w.acknowledged);
        c.replicate(at(1));
        assert_eq!(
            c.partitions()[0].high_watermark,
            0,
            "since 3.7 the HW waits for min.insync.replicas"
        );
    }

    #[test]
    fn acks_all_writes_waiting_on_a_failed_leader_fail_rather_than_ack_later() {
        let mut c = cluster(2, false);
        let stranded = c.produce(Instant::ZERO, 0, Acks::All).expect("write");
        c.fail_broker(0);
        assert_eq!(c.poll_failed(), [stranded.write]);
        let retried = c.produce(Instant::ZERO, 0, Acks::All).expect("new leader");
        c.replicate(at(1));
        assert_eq!(
            c.poll_acknowledged(),
            [retried.write],
            "only the retry is acknowledged"
        );
    }

    #[test]
    fn a_new_leader_truncates_followers_against_its_own_epochs() {
        // Found by the durability property: broker 1 leads partition 1 and writes w (acks=all, not yet
        // committed) while broker 0 is stalled; broker 2 copies w. Broker 1 fails, broker 2 leads (epoch 1);
        // broker 2 fails, broker 0 — still in sync, time has not passed — leads with an empty log. Broker 1's
        // stale w must be truncated, or a later write at offset 0 would be "replicated" next to it.
        let config = ClusterConfig {
            partitions: 2,
            min_insync_replicas: 2,
            ..ClusterConfig::default()
        };
        let mut c = Cluster::new(at(0), config).expect("valid");
        c.set_stalled(0, true);
        c.fail_broker(2);
        let stale = c.produce(Instant::ZERO, 1, Acks::All).expect("leader 1");
        c.restore_broker(at(0), 2);
        c.set_stalled(1, true);
        c.fail_broker(1);
        c.restore_broker(at(0), 1);
        c.fail_broker(2);
        assert_eq!(c.partitions()[1].leader, Some(0));
        c.restore_broker(at(0), 2);
        c.set_stalled(1, false);
        let fresh = c.produce(Instant::ZERO, 1, Acks::All).expect("leader 0");
        c.replicate(at(0));
        assert!(c.poll_acknowledged().contains(&fresh.write));
        assert!(
            c.partitions()[1]
                .replicas
                .iter()
                .all(|r| r.log.iter().all(|rec| rec.write != stale.write))
        );
        c.fail_broker(0);
        assert!(c.lost_acknowledged().is_empty());
    }

    #[test]
    fn acks_1_writes_are_lost_when_the_leader_fails_before_replication() {
        let mut c = cluster(1, false);
        c.produce(Instant::ZERO, 0, Acks::All).expect("write");
        c.replicate(at(1));
        let lost = c.produce(Instant::ZERO, 0, Acks::Leader).expect("write");
        c.fail_broker(0);
        assert_eq!(
            c.partitions()[0].leader,
            Some(1),
            "next ISR replica in assignment order"
        );
        assert_eq!(c.lost_acknowledged(), [lost.write]);
        c.restore_broker(at(2), 0);
        assert_eq!(
            c.partitions()[0].replicas[0].log.len(),
            1,
            "the old leader truncated its unreplicated tail"
        );
        assert_eq!(c.lost_acknowledged(), [lost.write], "lost for good");
    }

    #[test]
    fn acks_all_survives_any_single_broker_failure() {
        for failed in 0..3 {
            let mut c = cluster(2, false);
            let mut acked = Vec::new();
            for i in 0..5 {
                c.produce(Instant::ZERO, 0, Acks::All).expect("write");
                c.replicate(at(i));
                acked.extend(c.poll_acknowledged());
            }
            assert_eq!(acked.len(), 5);
            c.fail_broker(failed);
            assert!(c.lost_acknowledged().is_empty(), "broker {failed}");
            assert_eq!(c.partitions()[0].log_end_offset(), 5);
        }
    }

    /// `Partition.maybeShrinkIsr` looks at `lastCaughtUpTimeMs`, which a follower that fetches while the
    /// log is idle keeps moving: a write after a quiet minute finds it caught up, not 60 s behind.
    #[test]
    fn an_idle_follower_stays_in_sync_when_writes_resume() {
        let mut c = cluster(2, false);
        c.produce(at(0), 0, Acks::All).expect("write");
        c.replicate(at(0));
        c.produce(at(60_000), 0, Acks::All).expect("write");
        assert_eq!(
            c.poll_timeout(),
            Some(at(90_000) + Duration::from_micros(1)),
            "lagging from the write on, not from the last fetch"
        );
        c.handle_timeout(at(60_000));
        assert_eq!(c.partitions()[0].isr.len(), 3);
        c.set_stalled(2, true);
        c.produce(at(120_000), 0, Acks::All).expect("write");
        c.handle_timeout(at(120_000));
        assert!(
            !c.partitions()[0].isr.contains(&2),
            "a stalled follower does not fetch: its last fetch was at 60 s"
        );
    }

    #[test]
    fn a_stalled_follower_leaves_the_isr_after_replica_lag_time_max() {
        let mut c = cluster(2, false);
        c.set_stalled(2, true);
        c.produce(Instant::ZERO, 0, Acks::All).expect("write");
        c.replicate(at(0));
        assert!(c.partitions()[0].isr.contains(&2));
        assert_eq!(
            c.poll_timeout(),
            Some(at(30_000) + Duration::from_micros(1))
        );
        c.handle_timeout(at(30_000));
        assert!(
            c.partitions()[0].isr.contains(&2),
            "exactly 30 s behind is still in sync"
        );
        c.handle_timeout(at(30_001));
        assert!(!c.partitions()[0].isr.contains(&2));
        assert_eq!(
            c.poll_acknowledged().len(),
            1,
            "the ISR of {{0, 1}} has it: acknowledged"
        );
        c.set_stalled(2, false);
        c.replicate(at(31_000));
        assert!(
            c.partitions()[0].isr.contains(&2),
            "caught up: back in the ISR"
        );
    }

    #[test]
    fn without_unclean_election_a_partition_whose_isr_is_gone_goes_offline() {
        for unclean in [false, true] {
            let mut c = cluster(1, unclean);
            c.set_stalled(1, true);
            c.set_stalled(2, true);
            let w = c.produce(Instant::ZERO, 0, Acks::All).expect("write");
            c.replicate(at(0));
            c.handle_timeout(at(40_000));
            assert_eq!(c.partitions()[0].isr.len(), 1);
            assert_eq!(c.poll_acknowledged(), [w.write]);
            c.fail_broker(0);
            if unclean {
                assert_eq!(
                    c.partitions()[0].leader,
                    Some(1),
                    "an out-of-sync replica takes over"
                );
                assert_eq!(
                    c.lost_acknowledged(),
                    [w.write],
                    "and the acknowledged write is gone"
                );
            } else {
                assert_eq!(
                    c.partitions()[0].leader,
                    None,
                    "offline rather than lose data"
                );
                assert_eq!(
                    c.produce(Instant::ZERO, 0, Acks::Leader),
                    Err(ProduceError::NoLeader)
                );
                assert!(c.lost_acknowledged().is_empty());
                c.restore_broker(at(50_000), 0);
                assert_eq!(
                    c.partitions()[0].leader,
                    Some(0),
                    "the last ISR member comes back as leader"
                );
            }
        }
    }

    #[test]
    fn invalid_configs_are_refused() {
        let bad = ClusterConfig {
            replication_factor: 4,
            ..ClusterConfig::default()
        };
        assert!(Cluster::new(at(0), bad).is_err());
        assert!(
            Cluster::new(
                at(0),
                ClusterConfig {
                    min_insync_replicas: 0,
                    ..ClusterConfig::default()
                }
            )
            .is_err()
        );
        assert!(
            Cluster::new(
                at(0),
                ClusterConfig {
                    brokers: 0,
                    ..ClusterConfig::default()
                }
            )
            .is_err()
        );
    }
}
