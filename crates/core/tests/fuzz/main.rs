//! Mutation fuzzing on the stable toolchain: every document a user can hand kplay — an order-flow
//! scenario (`kplay simulate`, links, files, the page's worker), a world script (`kplay world`), an
//! assignment request (`kplay assign`) and a lesson file (`kplay lessons check`, the worker) — is read,
//! validated and, when valid, run within a small budget, and must never panic.
//!
//! Each target is a `fn(&[u8])` (the shape cargo-fuzz and afl harnesses take). Inputs come from a seed
//! corpus (the presets, `examples/`, `lessons/`) changed by random mutations aimed at what breaks parsers and
//! validators (`mutate.rs`): numbers swapped for extremes, strings emptied or blown up, bytes flipped,
//! spans deleted or repeated. [`harness`] runs them: a panicking input is written to
//! `tests/fuzz/regressions/<target>/` and the run fails naming it; every saved input is replayed first on
//! each run, so a fixed crash stays fixed. The web crate's link targets (`crates/web/tests/fuzz.rs`) use
//! the same harness and mutations.
//!
//! `FUZZ_CASES` (default 300 per target: the suite's smoke), `FUZZ_SECONDS` (stop earlier) and
//! `FUZZ_SEED` (default fixed, so the suite explores the same cases every run) steer a run;
//! `scripts/fuzz.sh` runs each target for a given time with a fresh seed and prints cases per target.

mod harness;

use std::path::Path;

use kplay_core::config::{MAX_AT_MS, RUN_AFTER_LAST_ACTION};
use kplay_core::group::assignor::request::AssignRequest;
use kplay_core::json::parse;
use kplay_core::lesson::{Guess, format as lesson_format};
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

/// The longest message one problem may print: a sentence or two, however long the input it quotes (the
/// longest is an unknown producer config, which lists all 13 that exist).
const LONGEST_MESSAGE: usize = 500;

/// Checks that `message` reads as a message, not as a copy of the input.
fn readable(message: impl core::fmt::Display) {
    let message = message.to_string();
    assert!(
        message.chars().count() <= LONGEST_MESSAGE,
        "a {}-byte message: {message:.200}",
        message.len()
    );
}

/// A scenario: read, validated, and run to its budget when valid (with a picture on the way); validation
/// and the simulation agree.
fn scenario(data: &[u8]) {
    let scenario = match parse::<Scenario>(data) {
        Ok(scenario) => scenario,
        Err(err) => return readable(err),
    };
    let problems = scenario.validate();
    problems.iter().for_each(readable);
    match Simulation::new(&scenario) {
        Ok(simulation) => {
            assert!(problems.is_empty());
            let mut simulation = simulation.with_event_limit(EVENT_BUDGET);
            // Half-way, the picture's counts agree with the run (its subtractions would overflow if not).
            simulation.step(EVENT_BUDGET / 2);
            let picture = simulation.picture();
            assert_eq!(picture.sync.waiting, simulation.sync_in_flight() as u64);
            assert!(picture.sync.saving <= picture.sync.waiting);
            assert_eq!(
                picture.event.published + picture.event.publishing,
                simulation.orders()
            );
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
    let script = match parse::<Script>(data) {
        Ok(script) => script,
        Err(err) => return readable(err),
    };
    let world = match World::new(&script) {
        Ok(world) => world,
        Err(problems) => return problems.0.iter().for_each(readable),
    };
    let mut world = world.with_step_budget(STEP_BUDGET);
    if let Err(problems) = world.apply(&script, None) {
        problems.0.iter().for_each(readable);
    }
    world.run_until_idle(Instant::from_millis(MAX_AT_MS) + RUN_AFTER_LAST_ACTION);
    assert!(world.steps() <= STEP_BUDGET + 1, "{} steps", world.steps());
    serde_json::to_string(&world.state()).expect("a state serializes");
}

/// Partitions a fuzzed assignment request may hold in all: the assignors' logic, not their scale (which
/// `kplay bench` measures), at thousands of cases a second.
const PARTITION_BUDGET: u64 = 20_000;

/// An assignment request (`kplay assign`): read, checked, and run when small enough; every member gets an
/// answer, every partition at most one owner.
fn assign_request(data: &[u8]) {
    let request = match parse::<AssignRequest>(data) {
        Ok(request) => request,
        Err(err) => return readable(err),
    };
    let total: u64 = request
        .topics
        .values()
        .fold(0, |sum, &p| sum.saturating_add(p));
    if total > PARTITION_BUDGET {
        return;
    }
    let members = request.members.len();
    let assignment = match request.run() {
        Ok((_, assignment)) => assignment,
        Err(err) => return readable(err),
    };
    assert_eq!(assignment.partitions.len(), members);
    let mut owned: Vec<_> = assignment.partitions.iter().flatten().collect();
    let all = owned.len();
    owned.sort();
    owned.dedup();
    assert_eq!(owned.len(), all, "a partition with two owners");
}

/// The longest message about a lesson file: it quotes the author's own expression (at most
/// [`kplay_core::config::MAX_EXPR_CHARS`]) and a few of the model's values.
const LONGEST_LESSON_MESSAGE: usize = 1_500;

/// The model lesson expressions are put to: a world's state (the consumer-groups example at its end) and
/// an order-flow report (a short run of a preset), side by side, built once. Running each fuzzed step's
/// own script would test the script and scenario targets again, a thousand times slower.
fn lesson_model() -> &'static serde_json::Value {
    static MODEL: std::sync::OnceLock<serde_json::Value> = std::sync::OnceLock::new();
    MODEL.get_or_init(|| {
        let script: Script = parse(&harness::examples()[0]).expect("the first example reads");
        let world = World::run_script(&script, None, STEP_BUDGET * 100, &mut |_| {})
            .expect("the first example runs");
        let mut model = serde_json::to_value(world.state()).expect("a state serializes");
        let mut simulation = Simulation::new(&PRESETS[0].scenario(DEFAULT_SEED))
            .expect("a preset is valid")
            .with_event_limit(EVENT_BUDGET);
        while simulation.step(u64::MAX) == Status::Running {}
        let report = serde_json::to_value(simulation.report()).expect("a report serializes");
        for (key, value) in report.as_object().expect("an object") {
            model[key] = value.clone();
        }
        model
    })
}

/// A lesson file: read; when it reads, every step's expectations, prediction and `why:` are put to
/// [`lesson_model`], and guesses graded; every message stays a message.
fn lesson(data: &[u8]) {
    let message = |m: String| {
        assert!(
            m.chars().count() <= LONGEST_LESSON_MESSAGE,
            "a {}-byte message: {m:.200}",
            m.len()
        );
    };
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let lesson = match lesson_format::parse(text) {
        Ok(lesson) => lesson,
        Err(err) => return message(err.to_string()),
    };
    let model = lesson_model();
    for step in &lesson.steps {
        step.failures(model).into_iter().for_each(message);
        if let Some(prediction) = &step.prediction {
            for guess in [
                Guess::Choice(0),
                Guess::Choice(usize::MAX),
                Guess::Number(f64::MAX),
                Guess::Number(0.0),
            ] {
                match prediction.grade(guess, model) {
                    Ok(verdict) => message(verdict.model),
                    Err(err) => message(err),
                }
            }
        }
        if let Some(Err(err)) = step.why.as_ref().map(|why| why.render(model)) {
            message(err);
        }
    }
}

/// Where this crate's targets keep their saved inputs.
fn regressions() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz/regressions")
}

#[test]
fn scenarios_never_panic_and_run_within_their_budget() {
    let corpus: Vec<Vec<u8>> = PRESETS
        .iter()
        .map(|p| serde_json::to_vec_pretty(&p.scenario(DEFAULT_SEED)).expect("serializes"))
        .collect();
    harness::fuzz(&regressions(), "scenario", &corpus, scenario);
}

#[test]
fn world_scripts_never_panic_and_run_within_their_budget() {
    harness::fuzz(&regressions(), "script", &harness::examples(), script);
}

#[test]
fn assign_requests_never_panic_and_give_each_partition_one_owner() {
    let corpus: Vec<Vec<u8>> = [
        r#"{"strategy": "range", "topics": {"orders": 7, "payments": 3},
            "members": [{"id": "c1", "topics": ["orders", "payments"]}, {"id": "c2", "topics": ["orders"]},
                        {"id": "c3", "instance_id": "static-1", "topics": ["payments"]}]}"#,
        r#"{"strategy": "roundrobin", "topics": {"a": 5, "b": 2},
            "members": [{"id": "x", "topics": ["a", "b"]}, {"id": "y", "topics": ["b"]}]}"#,
        r#"{"strategy": "sticky", "topics": {"t": 6},
            "members": [{"id": "m1", "topics": ["t"], "owned": [["t", 0], ["t", 1], ["t", 2], ["t", 3]], "generation": 4},
                        {"id": "m2", "topics": ["t"], "owned": [["t", 4]], "generation": 3},
                        {"id": "m3", "topics": ["t"], "owned": [["t", 3]], "generation": 4}]}"#,
        r#"{"strategy": "cooperative-sticky", "topics": {"orders": 3},
            "members": [{"id": "c1", "topics": ["orders"], "owned": [["orders", 0], ["orders", 1], ["orders", 2]], "generation": 1},
                        {"id": "c2", "topics": ["orders"]}]}"#,
        r#"{"strategy": "uniform", "topics": {"t1": 6, "t2": 7},
            "members": [{"id": "A", "topics": ["t1"], "owned": [["t1", 0], ["t1", 2], ["t2", 0]]},
                        {"id": "B", "topics": ["t1", "t2"], "owned": [["t1", 1], ["t2", 1], ["t2", 2]]},
                        {"id": "C", "topics": ["t1", "t2"]}]}"#,
        r#"{"strategy": "server-range", "topics": {"t": 5},
            "members": [{"id": "A", "instance_id": "i1", "topics": ["t"]}, {"id": "B", "topics": ["t"]}]}"#,
    ]
    .map(|doc| doc.as_bytes().to_vec())
    .to_vec();
    harness::fuzz(&regressions(), "assign", &corpus, assign_request);
}

#[test]
fn lesson_files_never_panic_and_their_messages_stay_short() {
    harness::fuzz(
        &regressions(),
        "lesson",
        &harness::files("lessons", "md"),
        lesson,
    );
}
