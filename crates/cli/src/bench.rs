//! `kplay bench [--json]`: how fast the core model runs on this machine.
//!
//! Prints appends per second into a partition log, keys hashed per second by the partitioner, and the time
//! of a sticky assignment for 2,000 members over 100,000 partitions (50 topics × 2,000), fresh and then
//! after one member leaves. Build with `--release`; the figures are wall-clock and vary with the machine, so
//! compare them within one run.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::hint::black_box;
use std::io::Write;
use std::num::NonZeroU32;
use std::time::Instant as WallClock;

use kplay_core::group::assignor::{Member, Strategy, assign};
use kplay_core::log::{LogConfig, PartitionLog};
use kplay_core::partitioner::partition_for_key;
use kplay_core::time::Instant;

use crate::error::CliError;

const APPENDS: u64 = 5_000_000;
const APPEND_CHUNK: u64 = 1_000_000;
const KEYS: usize = 1_000_000;
const HASH_ROUNDS: usize = 10;
const MEMBERS: usize = 2_000;
const TOPICS: usize = 50;
const PARTITIONS_PER_TOPIC: u32 = 2_000;

pub(crate) fn run(args: Vec<OsString>, stdout: &mut dyn Write) -> Result<(), CliError> {
    use lexopt::prelude::*;

    let mut json = false;
    let mut parser = lexopt::Parser::from_args(args);
    while let Some(arg) = parser.next()? {
        match arg {
            Long("json") => json = true,
            other => return Err(other.unexpected().into()),
        }
    }
    let progress = |what: &str| eprintln!("kplay bench: {what}…");

    progress("appending records");
    let appends_per_s = appends_per_second();
    progress("hashing keys");
    let keys_per_s = keys_per_second();
    progress("assigning 100,000 partitions to 2,000 members");
    let (fresh_ms, rebalance_ms) = sticky_assignment_ms()?;

    if json {
        let figures = serde_json::json!({
            "appends_per_s": appends_per_s.round(),
            "keys_hashed_per_s": keys_per_s.round(),
            "sticky_2000_members_100000_partitions_ms": { "fresh": fresh_ms, "one_member_left": rebalance_ms },
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
    }
    Ok(())
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
