//! `kplay world [FILE | -] [--at-ms T] [--events] [--pretty]`: runs a world script and prints the state.
//!
//! Without `--at-ms` the world runs its actions and then its clock until nothing is pending, or until
//! `RUN_AFTER_LAST_ACTION` (60 s) after the last action; with it, the state at exactly `T` ms (a replay
//! of the actions up to `T`). `--events` adds what happened on the way. A bad script exits with status 2
//! and one line per problem, each naming its JSON path; every action is checked, whatever `T` is.

use std::ffi::OsString;
use std::io::{Read, Write};

use kplay_core::config::RUN_AFTER_LAST_ACTION;
use kplay_core::time::Instant;
use kplay_core::world::state::WorldState;
use kplay_core::world::{Script, World, WorldEvent};
use serde::Serialize;

use crate::error::CliError;
use crate::input::{parse_json, read_source};

#[derive(Serialize)]
struct Output<'a> {
    #[serde(flatten)]
    state: &'a WorldState,
    #[serde(skip_serializing_if = "Option::is_none")]
    events: Option<Vec<WorldEvent>>,
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
    let mut pretty = false;
    let mut parser = lexopt::Parser::from_args(args);
    while let Some(arg) = parser.next()? {
        match arg {
            Long("at-ms") => {
                let value = parser.value()?;
                let text = value.to_string_lossy();
                at_ms = Some(text.parse::<u64>().map_err(|_| {
                    CliError::Usage(format!(
                        "--at-ms: {text:?} is not a whole number of milliseconds (0..={})",
                        kplay_core::config::MAX_AT_MS
                    ))
                })?);
            }
            Long("events") => events = true,
            Long("pretty") => pretty = true,
            Value(file) if source.is_none() => source = Some(file),
            other => return Err(other.unexpected().into()),
        }
    }
    let script: Script = parse_json(&read_source(source.as_ref(), stdin)?)?;
    let mut world = World::from_script(&script).map_err(|p| CliError::problems(&p.0))?;
    match at_ms {
        Some(t) => {
            world = World::replay(&script, Instant::from_millis(t))
                .map_err(|p| CliError::problems(&p.0))?;
        }
        None => {
            let limit = Instant::from_millis(script.last_at_ms()) + RUN_AFTER_LAST_ACTION;
            world.run_until_idle(limit);
        }
    }
    let events = events.then(|| std::iter::from_fn(|| world.poll_event()).collect());
    let state = world.state();
    let output = Output {
        state: &state,
        events,
    };
    let json = if pretty {
        serde_json::to_string_pretty(&output)
    } else {
        serde_json::to_string(&output)
    };
    writeln!(stdout, "{}", json.map_err(|err| CliError::Io(err.into()))?)?;
    Ok(())
}
