//! `kplay world [FILE | -] [--at-ms T] [--events] [--records] [--pretty] [--max-events N]`: runs a world
//! script and prints the state.
//!
//! Without `--at-ms` the world runs its actions and then its clock until nothing is pending, or until
//! `RUN_AFTER_LAST_ACTION` (60 s) after the last action; with it, the state at exactly `T` ms (a replay
//! of the actions up to `T`). `--events` adds what happened on the way; `--records` adds each partition's
//! records still in its log (offset, key, producer id, epoch and sequence, and which send wrote it). A bad script exits with status 2
//! and one line per problem, each naming its JSON path; every action is checked, whatever `T` is. A run
//! processes at most `--max-events` moments (20 million by default, about 40 s natively): past that it
//! stops, prints the state where it stopped with `"capped"` saying so, and says so on standard error.

use std::ffi::OsString;
use std::io::{Read, Write};

use kplay_core::config::{MAX_AT_MS, WORLD_STEP_BUDGET};
use kplay_core::time::Instant;
use kplay_core::world::state::WorldState;
use kplay_core::world::{Script, World, WorldEvent};
use serde::Serialize;

use crate::error::CliError;
use crate::input::{parse_json, read_source, whole_number};
use crate::output::{Progress, write_json};

#[derive(Serialize)]
struct Output<'a> {
    #[serde(flatten)]
    state: &'a WorldState,
    #[serde(skip_serializing_if = "Option::is_none")]
    events: Option<Vec<WorldEvent>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    capped: Option<String>,
}

pub(crate) fn run(
    args: Vec<OsString>,
    stdin: &mut dyn Read,
    stdout: &mut dyn Write,
) -> Result<(), CliError> {
    use lexopt::prelude::*;

    let mut source = None;
    let mut at_ms = None;
    let mut events = false;
    let mut records = false;
    let mut pretty = false;
    let mut budget = WORLD_STEP_BUDGET;
    let mut parser = lexopt::Parser::from_args(args);
    while let Some(arg) = parser.next()? {
        match arg {
            Long("at-ms") => {
                at_ms = Some(whole_number(&parser.value()?, "--at-ms", 0, MAX_AT_MS)?);
            }
            Long("events") => events = true,
            Long("records") => records = true,
            Long("max-events") => {
                budget = whole_number(&parser.value()?, "--max-events", 1, u64::MAX)?;
            }
            Long("pretty") => pretty = true,
            Value(file) if source.is_none() => source = Some(file),
            other => return Err(other.unexpected().into()),
        }
    }
    let script: Script = parse_json(&read_source(source.as_ref(), stdin)?)?;
    let mut progress = Progress::new("kplay world");
    // Reading the clock costs more than a step: look only every 4,096 steps.
    let mut show = |w: &World| {
        if w.steps().is_multiple_of(4_096) {
            progress.show(|| {
                format!(
                    "{} ms of simulated time, {} events",
                    w.now().as_millis(),
                    w.steps()
                )
            });
        }
    };
    let mut world = World::run_script(&script, at_ms.map(Instant::from_millis), budget, &mut show)
        .map_err(|p| CliError::problems(&p.0))?;
    progress.done();
    let capped = world.is_capped().then(|| {
        format!(
            "stopped after {} events at {} ms of simulated time; --max-events lifts the budget",
            world.steps(),
            world.now().as_millis()
        )
    });
    if let Some(message) = &capped {
        eprintln!("kplay world: {message}");
    }
    let events = events.then(|| std::iter::from_fn(|| world.poll_event()).collect());
    let state = world.state();
    let output = Output {
        state: &state,
        events,
        capped,
    };
    if !records {
        return write_json(stdout, &output, pretty);
    }
    let mut value = serde_json::to_value(&output).map_err(|e| CliError::Io(e.into()))?;
    kplay_core::json::add_records(&mut value, &world, &state)
        .map_err(|e| CliError::Io(e.into()))?;
    write_json(stdout, &value, pretty)
}
