//! # Presets: the scenarios the seeds tell
//!
//! Each preset is a complete [`Scenario`] with a one-line summary and a two-sentence note on what to
//! watch. Sizes are chosen so each shows its point clearly: the consumer groups have the capacity their
//! story needs (a partition count that lets the slowest service keep up, for instance) and no more.

use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use crate::scenario::{
    ArrivalProcess, Arrivals, BatchSpec, ConsumeMode, KeyChoice, Latency, OrderService, Outage,
    RetrySpec, SagaSpec, Scenario, ServiceSpec, SyncSpec, TopicSpec,
};

/// A named scenario.
#[derive(Debug, Clone, Copy)]
pub struct Preset {
    /// Its name, as `kplay simulate --preset NAME` takes it.
    pub name: &'static str,
    /// One line.
    pub summary: &'static str,
    /// What to watch, in two sentences.
    pub watch: &'static str,
    build: fn() -> Scenario,
}

impl Preset {
    /// The scenario, with the given seed.
    #[must_use]
    pub fn scenario(&self, seed: u64) -> Scenario {
        Scenario {
            seed,
            ..(self.build)()
        }
    }
}

/// The default seed of every preset.
pub const DEFAULT_SEED: u64 = 42;

/// Every preset, in the order the playground lists them.
pub const PRESETS: [Preset; 8] = [
    Preset {
        name: "sync-vs-async",
        summary: "inventory 100 ms, payment 200 ms, email 50 ms, analytics 30 ms: ~380 ms synchronous vs ~5 ms event-driven",
        watch: "The synchronous user waits for every call in turn, so their wait is the sum of all four services. \
                The event-driven user waits only for the database write and the publish; the services catch up in the background.",
        build: sync_vs_async,
    },
    Preset {
        name: "inventory-outage",
        summary: "a 10-minute inventory outage: synchronous orders fail, event-driven orders queue up and drain",
        watch: "While inventory is down every synchronous order fails, because inventory is a required call. \
                The event-driven flow keeps accepting orders; inventory's lag climbs, then drains once it is back.",
        build: inventory_outage,
    },
    Preset {
        name: "black-friday",
        summary: "2,000 orders/s against consumers that each handle 1,000/s: one consumer falls behind, three keep up",
        watch: "Both groups read the same three partitions: one consumer must do all the work and its lag grows without end. \
                Three consumers split the partitions and keep lag near zero.",
        build: black_friday,
    },
    Preset {
        name: "more-consumers-than-partitions",
        summary: "4 partitions, 6 consumers: 2 consumers sit idle",
        watch: "A partition is read by one consumer of a group, so consumers beyond the partition count get nothing. \
                Adding consumers past that point adds no throughput; add partitions instead.",
        build: more_consumers_than_partitions,
    },
    Preset {
        name: "payment-first",
        summary: "a saga: payment first, then inventory and shipping, then delivery; declined orders are cancelled",
        watch: "Orders move PENDING → PAID → SHIPPED → DELIVERED, and the 5 % that payment declines become CANCELLED instead of \
                being shipped. The order-state view built from the events is rebuilt by replaying them from offset 0 and matches; \
                duplicate deliveries are skipped by the idempotent payment service but send some customers a second email.",
        build: payment_first,
    },
    Preset {
        name: "poison-message",
        summary: "every 500th order always fails in invoicing: retried with backoff, then dead-lettered",
        watch: "Each poison message is retried three times with growing backoff and lands in the dead-letter topic. \
                While it is retried, the records behind it on its partition wait, which shows as a lag spike.",
        build: poison_message,
    },
    Preset {
        name: "kafka-vs-queue",
        summary: "the same work as a Kafka consumer group and as a share group (KIP-932, Kafka's queue)",
        watch: "The share group lets any free consumer take the next record, so waits are shorter (M/M/c vs c × M/M/1). \
                But it loses per-customer order, which the partitioned log keeps: see out_of_order. Every 1,000th order \
                always fails: the consumer group retries it in place and dead-letters it, the share group releases it \
                to be delivered again and archives it at the fifth delivery.",
        build: kafka_vs_queue,
    },
    Preset {
        name: "db-buffer",
        summary: "5,000 location updates/s into a database that writes ~2,000 rows/s one by one",
        watch: "Written directly, the database saturates: requests queue, time out and fail. \
                Through Kafka the log absorbs the burst and consumers write in batches of up to 500, at a rate the database sustains.",
        build: db_buffer,
    },
];

/// The preset called `name`.
#[must_use]
pub fn find(name: &str) -> Option<&'static Preset> {
    PRESETS.iter().find(|p| p.name == name)
}

fn service(name: &str, latency: Latency, instances: u32) -> ServiceSpec {
    ServiceSpec {
        name: String::from(name),
        latency,
        instances,
        outages: Vec::new(),
        error_rate: 0.0,
        required: true,
        mode: ConsumeMode::Kafka,
        retry: RetrySpec::default(),
        poison_every: None,
        batch: None,
        duplicate_rate: 0.0,
        idempotent: false,
    }
}

fn lognormal(median_ms: f64) -> Latency {
    Latency::Lognormal {
        median_ms,
        sigma: 0.2,
    }
}

fn base(
    name: &str,
    rate_per_s: f64,
    duration_ms: u64,
    partitions: u32,
    services: Vec<ServiceSpec>,
) -> Scenario {
    Scenario {
        version: crate::scenario::SCHEMA_VERSION,
        name: Some(String::from(name)),
        seed: DEFAULT_SEED,
        duration_ms,
        arrivals: Arrivals {
            process: ArrivalProcess::Poisson,
            rate_per_s,
        },
        order_service: OrderService {
            db_write: Latency::Constant { ms: 2.0 },
            publish: Latency::Constant { ms: 3.0 },
            producer: None,
        },
        topic: TopicSpec {
            partitions,
            key: KeyChoice::OrderId,
            customers: None,
        },
        services,
        sync: SyncSpec { timeout_ms: 30_000 },
        saga: None,
    }
}

/// The four services of the seeds, sized to keep up with 80 orders/s: 32 partitions let payment's 32
/// consumers (5 orders/s each) share the load.
fn four_services() -> Vec<ServiceSpec> {
    vec![
        service("inventory", lognormal(100.0), 16),
        service("payment", lognormal(200.0), 32),
        ServiceSpec {
            required: false,
            ..service("email", lognormal(50.0), 8)
        },
        ServiceSpec {
            required: false,
            ..service("analytics", lognormal(30.0), 4)
        },
    ]
}

fn sync_vs_async() -> Scenario {
    base("sync-vs-async", 80.0, 120_000, 32, four_services())
}

fn inventory_outage() -> Scenario {
    let mut services = four_services();
    services[0].outages = vec![Outage {
        from_ms: 300_000,
        to_ms: 900_000,
    }];
    base("inventory-outage", 80.0, 1_800_000, 32, services)
}

fn black_friday() -> Scenario {
    let one_ms = Latency::Constant { ms: 1.0 };
    let mut scenario = base(
        "black-friday",
        2_000.0,
        60_000,
        3,
        vec![
            service("fulfillment-1", one_ms, 1),
            service("fulfillment-3", one_ms, 3),
        ],
    );
    scenario.order_service.db_write = Latency::Constant { ms: 1.0 };
    scenario.order_service.publish = Latency::Constant { ms: 2.0 };
    scenario
}

fn more_consumers_than_partitions() -> Scenario {
    base(
        "more-consumers-than-partitions",
        100.0,
        60_000,
        4,
        vec![service(
            "shipping",
            Latency::Exponential { mean_ms: 20.0 },
            6,
        )],
    )
}

fn payment_first() -> Scenario {
    let services = vec![
        ServiceSpec {
            duplicate_rate: 0.01,
            idempotent: true,
            ..service("payment", lognormal(150.0), 12)
        },
        service("inventory", lognormal(80.0), 12),
        service("shipping", lognormal(100.0), 12),
        service("delivery", lognormal(100.0), 12),
        ServiceSpec {
            required: false,
            duplicate_rate: 0.01,
            ..service("email", lognormal(50.0), 4)
        },
    ];
    let mut scenario = base("payment-first", 50.0, 120_000, 12, services);
    scenario.saga = Some(SagaSpec {
        payment: String::from("payment"),
        decline_rate: 0.05,
        after_payment: vec![
            String::from("inventory"),
            String::from("shipping"),
            String::from("email"),
        ],
        shipping: Some(String::from("shipping")),
        delivery: Some(String::from("delivery")),
        view: true,
    });
    scenario
}

fn poison_message() -> Scenario {
    let invoicing = ServiceSpec {
        poison_every: Some(500),
        ..service("invoicing", Latency::Exponential { mean_ms: 20.0 }, 3)
    };
    base("poison-message", 50.0, 60_000, 3, vec![invoicing])
}

fn kafka_vs_queue() -> Scenario {
    let work = Latency::Exponential { mean_ms: 20.0 };
    let mut scenario = base(
        "kafka-vs-queue",
        120.0,
        120_000,
        4,
        vec![
            ServiceSpec {
                poison_every: Some(1_000),
                ..service("consumer-group", work, 4)
            },
            ServiceSpec {
                mode: ConsumeMode::Queue,
                poison_every: Some(1_000),
                ..service("share-group", work, 4)
            },
        ],
    );
    scenario.topic.key = KeyChoice::CustomerId;
    scenario.topic.customers = Some(50);
    scenario
}

fn db_buffer() -> Scenario {
    let database = ServiceSpec {
        batch: Some(BatchSpec {
            max_poll_records: 500,
            per_record_ms: 0.05,
        }),
        ..service("database", Latency::Constant { ms: 1.0 }, 2)
    };
    let mut scenario = base("db-buffer", 5_000.0, 60_000, 2, vec![database]);
    scenario.order_service.db_write = Latency::Constant { ms: 0.0 };
    scenario.order_service.publish = Latency::Constant { ms: 1.0 };
    scenario.topic.key = KeyChoice::CustomerId;
    scenario.topic.customers = Some(10_000);
    scenario.sync.timeout_ms = 2_000;
    scenario
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_preset_is_valid_and_named_uniquely() {
        for preset in PRESETS {
            let scenario = preset.scenario(DEFAULT_SEED);
            assert_eq!(scenario.validate(), [], "{}", preset.name);
            assert_eq!(scenario.name.as_deref(), Some(preset.name));
            assert!(
                preset.watch.split(". ").count() >= 2,
                "{}: two sentences",
                preset.name
            );
            assert_eq!(find(preset.name).map(|p| p.name), Some(preset.name));
        }
        assert!(find("nope").is_none());
        assert_eq!(preset_seed_override(), 7);
    }

    fn preset_seed_override() -> u64 {
        PRESETS[0].scenario(7).seed
    }
}
