//! Mutation fuzzing on the stable toolchain: every JSON document a user can hand kplay — an order-flow
//! scenario (`kplay simulate`, links, files, the page's worker) and a world script (`kplay world`) — is
//! read, validated and, when valid, run within a small budget, and must never panic.
//!
//! Each target is a `fn(&[u8])` (the shape cargo-fuzz and afl harnesses take). Inputs come from a seed
//! corpus (the presets, `examples/`) changed by random mutations aimed at what breaks parsers and
//! validators: numbers swapped for extremes, strings emptied or blown up, bytes flipped, spans deleted or
//! repeated. A panicking input is written to `tests/fuzz/regressions/<target>/` and the run fails naming
//! it; every saved input is replayed first on each run, so a fixed crash stays fixed.
//!
//! `FUZZ_CASES` (default 300 per target: the suite's smoke), `FUZZ_SECONDS` (stop earlier) and
//! `FUZZ_SEED` (default fixed, so the suite explores the same cases every run) steer a run;
//! `scripts/fuzz.sh` runs each target for a given time with a fresh seed and prints cases per target.

mod mutate;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant as WallClock};

use kplay_core::config::{MAX_AT_MS, RUN_AFTER_LAST_ACTION};
use kplay_core::json::parse;
use kplay_core::presets::{DEFAULT_SEED, PRESETS};
use kplay_core::scenario::Scenario;
use kplay_core::sim::{Simulation, Status};
use kplay_core::time::Instant;
use kplay_core::world::{Script, World};

/// Events one fuzzed scenario may simulate: enough to reach every kind of event, small enough for
/// thousands of cases a second.
const EVENT_BUDGET: u64 = 20_000;
/// Moments one fuzzed world may process.
const STEP_BUDGET: u64 = 5_000;

/// A scenario: read, validated, and run to its budget when valid; validation and the simulation agree.
fn scenario(data: &[u8]) {
    let Ok(scenario) = parse::<Scenario>(data) else {
        return;
    };
    let problems = scenario.validate();
    match Simulation::new(&scenario) {
        Ok(simulation) => {
            assert!(problems.is_empty());
            let mut simulation = simulation.with_event_limit(EVENT_BUDGET);
            while simulation.step(u64::MAX) == Status::Running {}
            let report = simulation.report();
            assert!(report.run.events <= EVENT_BUDGET);
            serde_json::to_string(&report).expect("a report serializes");
        }
        Err(refused) => assert_eq!(refused, problems),
    }
}

/// A world script: read, checked, applied and run until idle within the budget; its state serializes.
fn script(data: &[u8]) {
    let Ok(script) = parse::<Script>(data) else {
        return;
    };
    let Ok(world) = World::new(&script) else {
        return;
    };
    let mut world = world.with_step_budget(STEP_BUDGET);
    let _ = world.apply(&script, None);
    world.run_until_idle(Instant::from_millis(MAX_AT_MS) + RUN_AFTER_LAST_ACTION);
    assert!(world.steps() <= STEP_BUDGET + 1, "{} steps", world.steps());
    serde_json::to_string(&world.state()).expect("a state serializes");
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn regressions(target: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fuzz/regressions")
        .join(target)
}

/// Runs `target` on every saved regression, then on mutations of `corpus`; fails on the first panic,
/// after saving its input.
fn fuzz(name: &str, corpus: &[Vec<u8>], target: fn(&[u8])) {
    let dir = regressions(name);
    let mut saved: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|entries| entries.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    saved.sort();
    for path in &saved {
        let data = std::fs::read(path).expect("a saved input is readable");
        target(&data);
    }
    let cases = env_number("FUZZ_CASES", 300);
    let limit = std::env::var("FUZZ_SECONDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .map(Duration::from_secs);
    let seed = env_number("FUZZ_SEED", 20_261_122);
    let mut mutator = mutate::Mutator::new(seed, corpus);
    let started = WallClock::now();
    let mut slowest = Duration::ZERO;
    let mut run = 0;
    // A panic is reported by this harness with its input; keep the default hook quiet meanwhile.
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let mut failure = None;
    while run < cases && limit.is_none_or(|limit| started.elapsed() < limit) {
        let input = mutator.next_input();
        let case = WallClock::now();
        if let Err(panic) = catch_unwind(AssertUnwindSafe(|| target(&input))) {
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_default();
            std::fs::create_dir_all(&dir).expect("the regressions folder can be made");
            let path = dir.join(format!("{:016x}.json", mutate::fnv(&input)));
            std::fs::write(&path, &input).expect("the input can be saved");
            failure = Some(format!(
                "{name}: case {run} panicked ({message}); input saved to {}",
                path.display()
            ));
            break;
        }
        slowest = slowest.max(case.elapsed());
        run += 1;
    }
    std::panic::set_hook(hook);
    if let Some(failure) = failure {
        panic!("{failure}");
    }
    eprintln!(
        "fuzz {name}: {run} cases and {} saved in {:.1} s (seed {seed}), 0 panics; slowest case {:.0} ms",
        saved.len(),
        started.elapsed().as_secs_f64(),
        slowest.as_secs_f64() * 1_000.0
    );
}

#[test]
fn scenarios_never_panic_and_run_within_their_budget() {
    let corpus: Vec<Vec<u8>> = PRESETS
        .iter()
        .map(|p| serde_json::to_vec_pretty(&p.scenario(DEFAULT_SEED)).expect("serializes"))
        .collect();
    fuzz("scenario", &corpus, scenario);
}

#[test]
fn world_scripts_never_panic_and_run_within_their_budget() {
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let mut corpus: Vec<Vec<u8>> = std::fs::read_dir(examples)
        .expect("examples/ exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .map(|p| std::fs::read(p).expect("an example is readable"))
        .collect();
    corpus.sort();
    assert!(!corpus.is_empty());
    fuzz("script", &corpus, script);
}
