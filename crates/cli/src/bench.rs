//! `kplay bench [--json]`: how fast the core model runs on this machine.
//!
//! Prints appends per second into a partition log, keys hashed per second by the partitioner, the time of
//! a sticky assignment for 2,000 members over 100,000 partitions (50 topics × 2,000), fresh and then after
//! one member leaves, simulated events per second on the `inventory-outage` preset, and a world's replay
//! of 100,000 actions and landings on moments of a 10,000-action timeline. `--hour` adds a
//! simulated hour at 10,000 orders/s (36 million orders) with the process's peak memory.
//! `--landing-script` prints the 10,000-action script instead, for the same landings in the browser. Build with
//! `--release`; the figures are wall-clock and vary with the machine, so compare them within one run.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::hint::black_box;
use std::io::Write;
use std::num::NonZeroU32;
use std::time::Instant as WallClock;

use kplay_core::group::assignor::{Member, Strategy, assign};
use kplay_core::log::{LogConfig, PartitionLog};
use kplay_core::partitioner::partition_for_key;
use kplay_core::scenario::Scenario;
use kplay_core::sim::{Simulation, Status};
use kplay_core::time::Instant;
use kplay_core::world::timeline::Timeline;
use kplay_core::world::{World, workload};

use crate::error::CliError;

const APPENDS: u64 = 5_000_000;
const APPEND_CHUNK: u64 = 1_000_000;
const KEYS: usize = 1_000_000;
const HASH_ROUNDS: usize = 10;
const MEMBERS: usize = 2_000;
const TOPICS: usize = 50;
const PARTITIONS_PER_TOPIC: u32 = 2_000;
const WORLD_ACTIONS: usize = 100_000;
const LANDING_ACTIONS: usize = 10_000;
const LANDINGS: u64 = 100;
const LANDING_SEED: u64 = 8;

pub(crate) fn run(args: Vec<OsString>, stdout: &mut dyn Write) -> Result<(), CliError> {
    use lexopt::prelude::*;

    let mut json = false;
    let mut hour = false;
    let mut parser = lexopt::Parser::from_args(args);
    while let Some(arg) = parser.next()? {
        match arg {
            Long("json") => json = true,
            Long("hour") => hour = true,
            Long("landing-script") => {
                // The script the landing benchmarks use, for the browser's (`tests/bench/landing.mjs`).
                let script = workload::mixed(LANDING_ACTIONS, LANDING_SEED);
                // A script always serializes: string keys, finite numbers.
                let text = serde_json::to_string(&script).unwrap_or_default();
                return Ok(writeln!(stdout, "{text}")?);
            }
            other => return Err(other.unexpected().into()),
        }
    }
    let progress = |what: &str| eprintln!("kplay bench: {what}…");

    // The hour runs first so that the peak memory it reports is its own, not the other benchmarks'.
    let hour_figures = if hour {
        progress("simulating an hour at 10,000 orders/s (36 million orders)");
        Some(simulated_hour()?)
    } else {
        None
    };
    progress("simulating a preset");
    let sim_events_per_s = simulation_events_per_second()?;
    progress("appending records");
    let appends_per_s = appends_per_second();
    progress("hashing keys");
    let keys_per_s = keys_per_second();
    progress("assigning 100,000 partitions to 2,000 members");
    let (fresh_ms, rebalance_ms) = sticky_assignment_ms()?;
    progress("replaying world scripts");
    let world = world_figures();

    if json {
        let figures = serde_json::json!({
            "appends_per_s": appends_per_s.round(),
            "keys_hashed_per_s": keys_per_s.round(),
            "sticky_2000_members_100000_partitions_ms": { "fresh": fresh_ms, "one_member_left": rebalance_ms },
            "simulated_events_per_s": sim_events_per_s.round(),
            "world": {
                "replay_100000_actions_ms": world.replay_ms,
                "actions_per_s": world.actions_per_s.round(),
                "steps_per_s": world.steps_per_s.round(),
                "timeline_10000_actions_ms": world.timeline_ms,
                "land_ms": { "mean": world.land_mean_ms, "max": world.land_max_ms },
            },
            "hour_at_10000_per_s": hour_figures.map(|h| serde_json::json!({
                "orders": h.orders, "events": h.events, "seconds": h.seconds, "peak_memory_mb": h.peak_mb,
            })),
        });
        writeln!(stdout, "{figures}")?;
    } else {
        writeln!(
            stdout,
            "appends:   {:>7.1} M records/s  (keyless, 100-byte values, {APPENDS} records)",
            appends_per_s / 1e6
        )?;
        writeln!(
            stdout,
            "hashing:   {:>7.1} M keys/s     (murmur2 + modulo, 9–14-byte keys)",
            keys_per_s / 1e6
        )?;
        writeln!(
            stdout,
            "sticky:    {fresh_ms:>7.1} ms fresh, {rebalance_ms:.1} ms after one member left  (2,000 members × 100,000 partitions)"
        )?;
        writeln!(
            stdout,
            "simulate:  {:>7.1} M events/s  ({SIMULATION_PRESET} preset, best of 3)",
            sim_events_per_s / 1e6
        )?;
        writeln!(
            stdout,
            "world:     {:>7.1} ms to replay {WORLD_ACTIONS} actions ({:.0} actions/s, {:.0} steps/s); a {LANDING_ACTIONS}-action timeline builds in {:.1} ms and lands in {:.2} ms mean, {:.2} ms max ({LANDINGS} moments)",
            world.replay_ms,
            world.actions_per_s,
            world.steps_per_s,
            world.timeline_ms,
            world.land_mean_ms,
            world.land_max_ms
        )?;
        if let Some(h) = hour_figures {
            let peak = h
                .peak_mb
                .map_or_else(|| "unknown".to_owned(), |mb| format!("{mb:.0} MB"));
            writeln!(
                stdout,
                "hour:      {:>7.1} s for {} orders ({} events, {:.1} M events/s), peak memory {peak}",
                h.seconds,
                h.orders,
                h.events,
                h.events as f64 / h.seconds / 1e6
            )?;
        }
    }
    Ok(())
}

struct WorldFigures {
    replay_ms: f64,
    actions_per_s: f64,
    steps_per_s: f64,
    timeline_ms: f64,
    land_mean_ms: f64,
    land_max_ms: f64,
}

/// Replays a 100,000-action script to its end, then builds a 10,000-action timeline and lands on 100
/// moments spread over it.
fn world_figures() -> WorldFigures {
    let script = workload::mixed(WORLD_ACTIONS, 7);
    let end = Instant::from_millis(script.last_at_ms());
    let started = WallClock::now();
    let world = World::replay(&script, end);
    let replay = started.elapsed().as_secs_f64();
    let steps = black_box(world.map(|w| w.steps()).unwrap_or(0));

    let script = workload::mixed(LANDING_ACTIONS, LANDING_SEED);
    let moments = workload::moments(&script, LANDINGS);
    let started = WallClock::now();
    let timeline = Timeline::new(script).ok();
    let timeline_ms = started.elapsed().as_secs_f64() * 1e3;
    let mut landings = Vec::new();
    for &at in &moments {
        let started = WallClock::now();
        black_box(timeline.as_ref().map(|t| t.land(at).now()));
        landings.push(started.elapsed().as_secs_f64() * 1e3);
    }
    WorldFigures {
        replay_ms: replay * 1e3,
        actions_per_s: WORLD_ACTIONS as f64 / replay,
        steps_per_s: steps as f64 / replay,
        timeline_ms,
        land_mean_ms: landings.iter().sum::<f64>() / landings.len() as f64,
        land_max_ms: landings.iter().copied().fold(0.0, f64::max),
    }
}

fn appends_per_second() -> f64 {
    let config = LogConfig {
        retention_ms: None,
        ..LogConfig::default()
    };
    let mut elapsed = 0.0;
    for chunk in 0..APPENDS / APPEND_CHUNK {
        let mut log = PartitionLog::new(config);
        let start = WallClock::now();
        for i in 0..APPEND_CHUNK {
            let now = Instant::from_micros(chunk * APPEND_CHUNK + i);
            // Keyless records always fit a 1 GiB segment; an error here would be a bug worth a panic-free skip.
            let _ = black_box(log.append_and_commit(now, None, Some(100)));
        }
        elapsed += start.elapsed().as_secs_f64();
        black_box(&log);
    }
    APPENDS as f64 / elapsed
}

fn keys_per_second() -> f64 {
    let keys: Vec<Vec<u8>> = (0..KEYS)
        .map(|i| format!("order-{i}").into_bytes())
        .collect();
    let partitions = NonZeroU32::new(12).unwrap_or(NonZeroU32::MIN);
    let start = WallClock::now();
    let mut sum = 0_u64;
    for _ in 0..HASH_ROUNDS {
        for key in &keys {
            sum += u64::from(partition_for_key(black_box(key), partitions));
        }
    }
    let elapsed = start.elapsed().as_secs_f64();
    black_box(sum);
    (KEYS * HASH_ROUNDS) as f64 / elapsed
}

fn sticky_assignment_ms() -> Result<(f64, f64), CliError> {
    let topics: BTreeMap<String, u32> = (0..TOPICS)
        .map(|t| (format!("topic-{t:02}"), PARTITIONS_PER_TOPIC))
        .collect();
    let names: Vec<&str> = topics.keys().map(String::as_str).collect();
    let mut members: Vec<Member> = (0..MEMBERS)
        .map(|m| Member::new(format!("consumer-{m:04}"), &names))
        .collect();
    let fail =
        |err: kplay_core::group::assignor::AssignError| CliError::Usage(format!("bench: {err}"));

    let start = WallClock::now();
    let fresh = assign(Strategy::Sticky, &topics, &members).map_err(fail)?;
    let fresh_ms = start.elapsed().as_secs_f64() * 1e3;

    for (member, owned) in members.iter_mut().zip(fresh.partitions) {
        member.owned = owned;
        member.generation = 1;
    }
    members.remove(MEMBERS / 2);
    let start = WallClock::now();
    let again = assign(Strategy::Sticky, &topics, &members).map_err(fail)?;
    let rebalance_ms = start.elapsed().as_secs_f64() * 1e3;
    black_box(again);
    Ok((fresh_ms, rebalance_ms))
}

/// The preset timed for simulated events per second (also timed in wasm by scripts/bench.sh).
pub(crate) const SIMULATION_PRESET: &str = "inventory-outage";

/// Best of three runs of [`SIMULATION_PRESET`]: short runs are noisy, and the best is the least disturbed.
fn simulation_events_per_second() -> Result<f64, CliError> {
    let preset = kplay_core::presets::find(SIMULATION_PRESET).ok_or_else(|| {
        CliError::Usage(format!("bench: the {SIMULATION_PRESET} preset is missing"))
    })?;
    let mut best: f64 = 0.0;
    for _ in 0..3 {
        let mut simulation = Simulation::new(&preset.scenario(kplay_core::presets::DEFAULT_SEED))
            .map_err(|e| CliError::Usage(format!("bench: {e:?}")))?;
        let start = WallClock::now();
        while simulation.step(u64::MAX) == Status::Running {}
        best = best.max(simulation.events() as f64 / start.elapsed().as_secs_f64());
    }
    Ok(best)
}

struct HourFigures {
    orders: u64,
    events: u64,
    seconds: f64,
    peak_mb: Option<f64>,
}

/// One simulated hour at 10,000 orders/s through one service that keeps up (ρ = 0.5).
fn simulated_hour() -> Result<HourFigures, CliError> {
    let scenario: Scenario = serde_json::from_str(
        r#"{"name": "hour", "seed": 1, "duration_ms": 3600000,
            "arrivals": {"process": "poisson", "rate_per_s": 10000},
            "order_service": {"db_write": {"dist": "constant", "ms": 1}, "publish": {"dist": "constant", "ms": 1}},
            "topic": {"partitions": 4, "key": "order_id"},
            "services": [{"name": "fulfillment", "latency": {"dist": "exponential", "mean_ms": 0.2}, "instances": 4}],
            "sync": {"timeout_ms": 30000}}"#,
    )
    .map_err(|e| CliError::Usage(format!("bench: {e}")))?;
    let mut simulation =
        Simulation::new(&scenario).map_err(|e| CliError::Usage(format!("bench: {e:?}")))?;
    let start = WallClock::now();
    while simulation.step(20_000_000) == Status::Running {
        eprint!("\rkplay bench: {:>3.0}%", simulation.progress() * 100.0);
    }
    eprintln!();
    let seconds = start.elapsed().as_secs_f64();
    Ok(HourFigures {
        orders: simulation.orders(),
        events: simulation.events(),
        seconds,
        peak_mb: peak_memory_mb(),
    })
}

/// The process's peak resident memory (`VmHWM`), where the platform reports it.
fn peak_memory_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}
