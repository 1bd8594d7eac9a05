//! What the order flow looks like at one moment: where the synchronous chain's orders are waiting and for
//! how long, and how far behind each consumer group is on each partition. The landing view's diagram
//! draws it; `kplay simulate --at-ms T --picture` prints it.
//!
//! A picture is a query ([`super::Simulation::picture`]): taking one changes nothing, so a run with
//! pictures taken is the run without them. Every figure is a count of the model's own state at that
//! moment, never an estimate:
//!
//! - a synchronous order is *saving* (its database write) or *at* the service whose answer it awaits
//!   (queued or in service); its wait is the time since it arrived, the time the user has been looking
//!   at a spinner. Each service's timer is on its oldest unanswered call, the front of its queue: the
//!   orders being saved are counted, not timed;
//! - a record is in a group's lag from its publish (the producer's acknowledgement) until the group has
//!   finished it, processed or dead-lettered — `kafka-consumer-groups.sh --describe`'s `LAG`.
//!
//! Simplification: a topic's partitions are gathered into at most [`PICTURE_COLUMNS`] columns of
//! consecutive partitions (summing their counts), so a 1,024-partition topic draws as 16 readable
//! columns; with 16 partitions or fewer a column is a partition.

use alloc::string::String;
use alloc::vec::Vec;

use serde::{Deserialize, Serialize};

use crate::config::PICTURE_COLUMNS;

/// The order flow at one moment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct FlowPicture {
    /// The moment, in simulated ms.
    pub now_ms: f64,
    /// The synchronous chain.
    pub sync: SyncPicture,
    /// The Kafka pipeline.
    pub event: EventPicture,
}

/// Where the synchronous chain's orders are.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct SyncPicture {
    /// Orders the user is waiting for (every order not yet answered).
    pub waiting: u64,
    /// Of those, orders still being saved to the order service's database.
    pub saving: u64,
    /// Every service of the chain, in calling order.
    pub hops: Vec<HopPicture>,
    /// For each service with calls waiting, in chain order, the order that called it first among them:
    /// the call that has waited there longest, timed with the user's whole wait.
    pub timers: Vec<WaitingOrder>,
}

/// One service of the synchronous chain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct HopPicture {
    /// The service.
    pub name: String,
    /// Orders whose call to it is unanswered (queued or being served).
    pub waiting: u64,
    /// Workers busy, some maybe on calls their client gave up on (the server never learns).
    pub busy: u32,
    /// Workers in all.
    pub workers: u32,
    /// Whether it is in an outage now (calls fail at once).
    pub down: bool,
    /// Calls failed so far (errors, outages, timeouts).
    pub failed_calls: u64,
}

/// One order the user is still waiting for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct WaitingOrder {
    /// The order's number (the first order is 1).
    pub order: u64,
    /// The index of the service it waits on.
    pub at: u32,
    /// How long the user has waited so far, in ms.
    pub waited_ms: f64,
}

/// Where the Kafka pipeline's records are.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct EventPicture {
    /// Orders arrived and not yet answered: being saved, in a producer batch or being sent.
    pub publishing: u64,
    /// Orders published to `order-created` (answered).
    pub published: u64,
    /// Partitions of every topic.
    pub partitions: u32,
    /// Consecutive partitions per column (the last column may hold fewer).
    pub per_column: u32,
    /// Per column, records published to `order-created`.
    pub columns: Vec<u64>,
    /// Every service's consumer group, in scenario order.
    pub groups: Vec<GroupPicture>,
}

/// One service's consumer group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct GroupPicture {
    /// The service (its `group.id`).
    pub name: String,
    /// The topic it reads.
    pub topic: String,
    /// Records published and not yet finished: its lag.
    pub lag: u64,
    /// Per column, the lag on those partitions.
    pub columns: Vec<u64>,
    /// Consumers in the group.
    pub consumers: u32,
    /// Consumers processing a record or waiting out a retry backoff now.
    pub busy: u32,
    /// Whether the service is in an outage now (it starts nothing, its lag grows).
    pub down: bool,
}

/// Consecutive partitions per column for a topic of `partitions`.
#[must_use]
pub fn per_column(partitions: u32) -> u32 {
    partitions.div_ceil(PICTURE_COLUMNS).max(1)
}

/// `per_partition` summed over columns of `per` consecutive partitions.
pub(crate) fn columns(per_partition: impl Iterator<Item = u64>, per: u32) -> Vec<u64> {
    let mut columns = Vec::new();
    for (i, count) in per_partition.enumerate() {
        if i % per as usize == 0 {
            columns.push(0);
        }
        if let Some(last) = columns.last_mut() {
            *last += count;
        }
    }
    columns
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::presets;
    use crate::sim::{Simulation, Status};
    use crate::time::Instant;

    fn at(scenario: &crate::scenario::Scenario, ms: u64) -> (Simulation, FlowPicture) {
        let mut simulation = Simulation::new(scenario).expect("valid");
        simulation.run_until(Instant::from_millis(ms), u64::MAX);
        let picture = simulation.picture();
        (simulation, picture)
    }

    #[test]
    fn columns_gather_consecutive_partitions() {
        assert_eq!(per_column(6), 1);
        assert_eq!(per_column(16), 1);
        assert_eq!(per_column(17), 2);
        assert_eq!(per_column(1_024), 64);
        assert_eq!(columns([1, 2, 3, 4, 5].into_iter(), 2), [3, 7, 5]);
        assert_eq!(columns([1, 2, 3].into_iter(), 1), [1, 2, 3]);
        assert_eq!(columns(core::iter::empty(), 1), Vec::<u64>::new());
        assert_eq!(
            columns(core::iter::repeat_n(1, 1_024), per_column(1_024)).len(),
            16
        );
    }

    #[test]
    fn the_picture_counts_what_the_run_holds() {
        let scenario = presets::find("inventory-outage")
            .expect("preset")
            .scenario(presets::DEFAULT_SEED);
        let outage = scenario
            .services
            .iter()
            .position(|s| !s.outages.is_empty())
            .expect("an outage");
        let during = scenario.services[outage].outages[0].from_ms + 1_000;
        let (simulation, picture) = at(&scenario, during);
        let lags: Vec<u64> = simulation.lags().collect();
        assert_eq!(picture.now_ms, during as f64);
        // Every order the chain holds is saving or at one service.
        assert_eq!(picture.sync.waiting, simulation.sync_in_flight() as u64);
        let at_hops: u64 = picture.sync.hops.iter().map(|h| h.waiting).sum();
        assert_eq!(picture.sync.saving + at_hops, picture.sync.waiting);
        // The lags are the model's, whole and by column.
        for (group, lag) in picture.event.groups.iter().zip(&lags) {
            assert_eq!(group.lag, *lag);
            assert_eq!(group.columns.iter().sum::<u64>(), *lag);
        }
        assert!(picture.event.groups[outage].down && picture.sync.hops[outage].down);
        assert!(picture.event.groups[outage].lag > 0);
        assert_eq!(
            picture.event.groups[outage].busy, 0,
            "a service that is down starts nothing"
        );
        // Every order arrived is published or being published.
        let report = simulation.report();
        assert_eq!(picture.event.published, report.event_driven.accepted);
        assert_eq!(
            picture.event.columns.iter().sum::<u64>(),
            picture.event.published
        );
        assert_eq!(
            picture.event.publishing + picture.event.published,
            simulation.orders()
        );
        // One timer for each service with calls waiting, in chain order, none longer than the run.
        let timed: Vec<u32> = picture.sync.timers.iter().map(|t| t.at).collect();
        let waiting: Vec<u32> = (0..picture.sync.hops.len() as u32)
            .filter(|&i| picture.sync.hops[i as usize].waiting > 0)
            .collect();
        assert_eq!(timed, waiting);
        assert!(
            picture
                .sync
                .timers
                .iter()
                .all(|t| t.waited_ms <= during as f64 && t.order <= simulation.orders())
        );
        // After the run, nothing waits anywhere.
        let mut simulation = simulation;
        while simulation.step(u64::MAX) == Status::Running {}
        let end = simulation.picture();
        assert_eq!(end.sync.waiting, 0);
        assert!(end.sync.timers.is_empty());
        assert!(end.event.groups.iter().all(|g| g.lag == 0 && g.busy == 0));
    }

    #[test]
    fn a_slow_chain_shows_the_users_wait() {
        // An order every 100 ms (from 0 ms), saved in 2 ms, then one worker taking 250 ms per call: orders
        // 1..=3 are answered at 252, 502 and 752 ms; at 1,000 ms order 4 is in service (since 752),
        // orders 5..=10 queue behind it and order 11, arrived at 1,000 ms, is being saved.
        let mut scenario = presets::find("sync-vs-async").expect("preset").scenario(7);
        scenario.arrivals.process = crate::scenario::ArrivalProcess::Constant;
        scenario.arrivals.rate_per_s = 10.0;
        scenario.duration_ms = 2_000;
        scenario.services.truncate(1);
        scenario.services[0].latency = crate::scenario::Latency::Constant { ms: 250.0 };
        scenario.services[0].instances = 1;
        let (simulation, picture) = at(&scenario, 1_000);
        assert_eq!(simulation.orders(), 11);
        assert_eq!((picture.sync.waiting, picture.sync.saving), (8, 1));
        let hop = &picture.sync.hops[0];
        assert_eq!(
            (hop.waiting, hop.busy, hop.workers, hop.down),
            (7, 1, 1, false)
        );
        let timers: Vec<(u64, u32, f64)> = picture
            .sync
            .timers
            .iter()
            .map(|o| (o.order, o.at, o.waited_ms))
            .collect();
        assert_eq!(
            timers,
            [(4, 0, 700.0)],
            "order 4 called first and waits since 300 ms"
        );
        let again = simulation.clone().picture();
        assert_eq!(again, picture, "taking a picture changes nothing");
    }
}
