//! What the event-driven flow reports: per service throughput, lag, drain times, latencies and the
//! Little's-law check; the producer's batching; the saga's outcome.

use super::*;

impl EventFlow {
    pub(crate) fn report(&self, end: Instant) -> EventReport {
        let services = self
            .names
            .iter()
            .cloned()
            .zip(self.groups.iter().map(|g| {
                let owners = if g.mode == ConsumeMode::Kafka {
                    g.owner.as_slice()
                } else {
                    &[]
                };
                let idle = g.consumers.len()
                    - owners
                        .iter()
                        .collect::<alloc::collections::BTreeSet<_>>()
                        .len();
                EventServiceReport {
                    processed: g.processed,
                    dead_lettered: g.dead_lettered,
                    archived: g.archived,
                    retries: g.retries,
                    max_lag: g.max_lag,
                    end_to_end_ms: g.end_to_end.summary(),
                    drain_ms: g.drain.map(Duration::as_millis_f64),
                    caught_up_ms: g.caught_up.map(Duration::as_millis_f64),
                    consumers: g.consumers.len() as u32,
                    idle_consumers: if g.mode == ConsumeMode::Kafka {
                        idle as u32
                    } else {
                        0
                    },
                    out_of_order: g.out_of_order,
                    duplicates_skipped: g.duplicates_skipped,
                    duplicate_effects: g.duplicate_effects,
                    queue: g.little.stats(end),
                }
            }))
            .collect();
        let seconds = (end - Instant::ZERO).as_secs_f64();
        let producer = self.batching.then(|| ProducerReport {
            batches: self.batches_sent,
            records_per_batch: if self.batches_sent > 0 {
                self.accepted as f64 / self.batches_sent as f64
            } else {
                0.0
            },
            requests_per_s: if seconds > 0.0 {
                self.batches_sent as f64 / seconds
            } else {
                0.0
            },
        });
        EventReport {
            orders: self.arrived,
            accepted: self.accepted,
            response_ms: self.response.summary(),
            response_cdf: self.response.cdf(CDF_POINTS),
            services: Named(services),
            producer,
            saga: self.saga.as_ref().map(Saga::report),
        }
    }
}
