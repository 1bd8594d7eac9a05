//! # Limits, named once
//!
//! Every bound an input is checked against lives here (smoltcp's `config` module), so validation, error
//! messages and the browser's inputs all import the same numbers instead of retyping them. Each limit says
//! what it protects: most keep a run inside a browser tab's time and memory; Kafka's own limits are cited
//! where they apply.

use core::ops::RangeInclusive;

use crate::time::Duration;

/// Partitions of one topic, in a scenario, a world script and the partition view. Kafka allows far more;
/// 1,024 keeps every view drawable.
pub const PARTITIONS: RangeInclusive<u32> = 1..=1_024;
/// Services of an order-flow scenario.
pub const MAX_SERVICES: u32 = 16;
/// Consumer instances of one service in a scenario.
pub const INSTANCES: RangeInclusive<u32> = 1..=1_000;
/// Orders per second of a scenario.
pub const ORDER_RATE_PER_S: RangeInclusive<f64> = 0.001..=1_000_000.0;

/// The longest order-flow scenario, and the latest moment any of its times (an outage's start and end)
/// may name: one day, in ms. Bounding the times as well as the duration keeps every derived instant
/// (ms → µs, an outage's end) far from overflow and every run's idle stretches finite.
pub const SCENARIO_MS: u64 = 86_400_000;
/// Outages of one service in a scenario.
pub const MAX_OUTAGES: usize = 64;
/// Events an order-flow run processes at most in the browser (the CLI's own limit is
/// [`crate::sim::DEFAULT_EVENT_LIMIT`]): at the wasm build's ~5 million events a second, about 10 s of the
/// model's worker thread. A capped run says where it stopped; the page cannot lift it.
pub const BROWSER_EVENT_BUDGET: u64 = 50_000_000;
/// Records, calls and events an order-flow run may hold at once in the browser
/// ([`crate::sim::Simulation::held`]; the CLI has no such limit): each costs about 30 bytes, so a run's
/// queues stay under about 150 MB (300 MB as their buffers double) however large its backlog grows. Black
/// Friday at 1,000,000 orders/s backs up by 5 million in about a second of simulated time; without the
/// limit it held 58 million (1.7 GB) after 35 million events. A capped run says where it stopped.
pub const BROWSER_HELD_BUDGET: u64 = 5_000_000;
/// Events between two copies of an order-flow run the browser keeps to go back in time (at first: the
/// spacing doubles whenever more than [`FLOW_CHECKPOINTS`] copies would be kept). Landing on an earlier
/// moment re-simulates from the copy before it: at most one spacing of events.
pub const FLOW_CHECKPOINT_EVENTS: u64 = 1_000_000;
/// Copies of an order-flow run kept at most (each holds the run's queues and series).
pub const FLOW_CHECKPOINTS: usize = 16;
/// What the copies of an order-flow run may hold together ([`crate::sim::Simulation::held`]): a copy that
/// would take them past it is not kept, so a heavy run's copies cost at most what the run itself may hold.
pub const FLOW_CHECKPOINTS_HELD: u64 = BROWSER_HELD_BUDGET;

/// Columns the order-flow picture ([`crate::sim::picture`]) gathers a topic's partitions into at most: a
/// diagram with more would draw cells too thin to read.
pub const PICTURE_COLUMNS: u32 = 16;

/// Records in the delivery-semantics incident ([`crate::delivery`]): one row of cells to draw.
pub const DELIVERY_RECORDS: RangeInclusive<u64> = 1..=100;
/// `max.poll.records` in the delivery-semantics incident (Kafka's default is 500, its minimum 1).
pub const DELIVERY_MAX_POLL_RECORDS: RangeInclusive<u32> = 1..=100;

/// The world script schema version this build reads and writes.
pub const SCRIPT_VERSION: u32 = 1;
/// Brokers in a world.
pub const BROKERS: RangeInclusive<u32> = 1..=32;
/// Topics in a world.
pub const MAX_TOPICS: u32 = 64;
/// Named producers in a world (besides the default one).
pub const MAX_PRODUCERS: u32 = 64;
/// Most `max.in.flight.requests.per.connection` a world's producer may set (Kafka allows any positive int;
/// beyond a few dozen nothing changes in a simulated cluster).
pub const MAX_IN_FLIGHT_REQUESTS: u32 = 100;
/// Consumer groups in a world.
pub const MAX_GROUPS: usize = 64;
/// Members (live or not yet expired) of one group in a world.
pub const MAX_MEMBERS: usize = 1_000;
/// Actions in one script.
pub const MAX_ACTIONS: usize = 1_000_000;
/// Records one `produce` action may write.
pub const RECORDS_PER_ACTION: RangeInclusive<u64> = 1..=1_000_000;
/// Records a whole script may write: bounds the world's memory (about 200 bytes a record with its
/// replicas and bookkeeping).
pub const MAX_RECORDS: u64 = 2_000_000;
/// A record's value: Kafka's default `max.message.bytes` is 1 MiB.
pub const VALUE_BYTES: RangeInclusive<u32> = 0..=1_048_576;
/// A key's length in bytes.
pub const MAX_KEY_BYTES: usize = 1_024;
/// Names (topics, groups, members, producers) in bytes; Kafka allows 249 characters for a topic.
pub const MAX_NAME_BYTES: usize = 249;
/// A consumer's processing rate in records per second.
pub const RECORDS_PER_S: RangeInclusive<f64> = 0.0..=1_000_000.0;
/// `max.poll.records` a world's consumer may set (Kafka's default is 500): what one member holds unprocessed
/// at most.
pub const MAX_POLL_RECORDS: RangeInclusive<u32> = 1..=100_000;
/// Keys each list of a share consumer's `acknowledge` may hold.
pub const MAX_ACKNOWLEDGE_KEYS: usize = 64;
/// The latest instant an action may happen at: 30 days.
pub const MAX_AT_MS: u64 = 30 * 86_400_000;
/// How long a world keeps running after its last action when nothing is pending (`kplay world` without
/// `--at-ms`).
pub const RUN_AFTER_LAST_ACTION: Duration = Duration::from_secs(60);
/// How long after a leader appends a follower's fetch brings the record over. Kafka's followers long-poll
/// (`replica.fetch.wait.max.ms`, 500 ms, returns as soon as there is data), so this is one round trip;
/// kplay uses 2 ms so that `acks=all` visibly waits for the followers.
pub const FOLLOWER_FETCH_DELAY: Duration = Duration::from_millis(2);
/// Moments a world processes at most unless the caller lifts it (`kplay world --max-events`): bounds the
/// time any script can take. `kplay bench` measures about 500,000 moments a second natively on a 2-core
/// machine, so a capped run ends within about 40 s there; the browser cannot lift it.
pub const WORLD_STEP_BUDGET: u64 = 20_000_000;
/// Actions between two checkpoints of a timeline: landing on any moment replays at most this many.
pub const CHECKPOINT_EVERY: usize = 256;
/// Steps of one lesson; the issue of guided lessons asks for 3 to 6, and a longer one should be split.
pub const MAX_LESSON_STEPS: usize = 12;
/// Characters of one expression in a lesson file: the longest a lesson needs is about 200 (a choice's
/// condition); messages quote expressions whole, so a bound here bounds them.
pub const MAX_EXPR_CHARS: usize = 300;
/// The model's values a lesson message lists after an expression that did not hold.
pub const MAX_READINGS_SHOWN: usize = 6;
/// Characters of one choice of a lesson's multiple-choice question: a short answer, which messages quote.
pub const MAX_CHOICE_CHARS: usize = 120;
