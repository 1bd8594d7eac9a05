//! `kplay simulate [--seed N] [--at-ms T [--picture]] [--pretty] [--max-events N] [--max-held N] (FILE | - |
//! --preset NAME)`, `kplay kafka [--seed N] (FILE | - | --preset NAME)` and `kplay presets`.
//!
//! `simulate` runs a scenario through both flows and prints the report as JSON; `kafka` prints the shell
//! commands and client properties that set the scenario up on a real cluster. A bad scenario exits with status 2
//! and one line per problem, each naming its JSON path. Long runs show progress on standard error when it
//! is a terminal; every run is capped so none can go on forever (`--max-events`, 2 billion events by default,
//! about five minutes natively), and a capped report says so in `run.capped`. `--max-held N` also stops a
//! run that holds more than N records, calls and events at once (no limit by default); with
//! `--max-events 50000000 --max-held 5000000` a run stops where the browser's does
//! (`config::BROWSER_EVENT_BUDGET`, `config::BROWSER_HELD_BUDGET`). `--at-ms T` stops at T ms of simulated time and prints the report so far, the
//! figures the landing view shows at that moment; `--picture` prints what its diagram draws instead
//! ([`kplay_core::sim::picture`]).

use std::ffi::OsString;
use std::io::{Read, Write};

use kplay_core::config::MAX_AT_MS;
use kplay_core::presets::{self, PRESETS};
use kplay_core::scenario::Scenario;
use kplay_core::sim::{DEFAULT_EVENT_LIMIT, Simulation, Status};
use kplay_core::time::Instant;

use crate::error::CliError;
use crate::input::{parse_json, read_source, whole_number};
use crate::output::{Progress, write_json};

/// Events per slice between progress updates.
const SLICE: u64 = 2_000_000;

enum Source {
    File(OsString),
    Preset(String),
}

/// What a scenario command prints.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Output {
    /// The simulation report, as JSON.
    Report,
    /// The scenario as commands and properties for a real cluster.
    Kafka,
}

pub(crate) fn run(
    args: Vec<OsString>,
    stdin: &mut dyn Read,
    stdout: &mut dyn Write,
    output: Output,
) -> Result<(), CliError> {
    use lexopt::prelude::*;

    let mut source = None;
    let mut seed = None;
    let mut pretty = false;
    let mut at_ms = None;
    let mut picture = false;
    let mut max_events = DEFAULT_EVENT_LIMIT;
    let mut max_held = u64::MAX;
    let mut parser = lexopt::Parser::from_args(args);
    while let Some(arg) = parser.next()? {
        match arg {
            Long("seed") => seed = Some(whole_number(&parser.value()?, "--seed", 0, u64::MAX)?),
            Long("preset") if source.is_none() => {
                source = Some(Source::Preset(parser.value()?.string()?))
            }
            Long("pretty") if output == Output::Report => pretty = true,
            Long("at-ms") if output == Output::Report => {
                at_ms = Some(whole_number(&parser.value()?, "--at-ms", 0, MAX_AT_MS)?);
            }
            Long("picture") if output == Output::Report => picture = true,
            Long("max-events") if output == Output::Report => {
                max_events = whole_number(&parser.value()?, "--max-events", 1, u64::MAX)?;
            }
            Long("max-held") if output == Output::Report => {
                max_held = whole_number(&parser.value()?, "--max-held", 1, u64::MAX)?;
            }
            Value(file) if source.is_none() => source = Some(Source::File(file)),
            other => return Err(other.unexpected().into()),
        }
    }
    let mut scenario: Scenario = match source {
        None => {
            return Err(CliError::Usage(
                "missing scenario: give a FILE, - for standard input, or --preset NAME (see `kplay presets`)".into(),
            ));
        }
        Some(Source::Preset(name)) => presets::find(&name)
            .ok_or_else(|| {
                let names: Vec<&str> = PRESETS.iter().map(|p| p.name).collect();
                CliError::Usage(format!(
                    "--preset: unknown preset {name:?}; presets are: {}",
                    names.join(", ")
                ))
            })?
            .scenario(presets::DEFAULT_SEED),
        Some(Source::File(path)) => parse_json(&read_source(Some(&path), stdin)?)?,
    };
    if let Some(seed) = seed {
        scenario.seed = seed;
    }
    if output == Output::Kafka {
        let problems = scenario.validate();
        if !problems.is_empty() {
            return Err(CliError::problems(&problems));
        }
        stdout.write_all(kplay_core::bridge::kafka_commands(&scenario).as_bytes())?;
        return Ok(());
    }

    if picture && at_ms.is_none() {
        return Err(CliError::Usage(
            "--picture: give the moment to draw with --at-ms T".into(),
        ));
    }
    let mut simulation = Simulation::new(&scenario)
        .map_err(|problems| CliError::problems(&problems))?
        .with_event_limit(max_events)
        .with_held_limit(max_held);
    let until = at_ms.map_or(Instant::from_micros(u64::MAX), Instant::from_millis);
    let mut progress = Progress::new("kplay simulate");
    while simulation.run_until(until, SLICE) == Status::Running && simulation.now() < until {
        progress.show(|| {
            format!(
                "{:>3.0}% ({} events)",
                simulation.progress() * 100.0,
                simulation.events()
            )
        });
    }
    progress.done();
    if picture {
        return write_json(stdout, &simulation.picture(), pretty);
    }
    let report = simulation.report();
    if let Some(capped) = &report.run.capped {
        eprintln!("kplay simulate: {capped}");
    }
    write_json(stdout, &report, pretty)
}

pub(crate) fn list(args: Vec<OsString>, stdout: &mut dyn Write) -> Result<(), CliError> {
    if let Some(extra) = args.first() {
        return Err(CliError::Usage(format!(
            "presets takes no arguments, got {:?}",
            extra.to_string_lossy()
        )));
    }
    for preset in PRESETS {
        writeln!(stdout, "{:<32} {}", preset.name, preset.summary)?;
    }
    Ok(())
}
