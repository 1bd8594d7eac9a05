//! What commands write: JSON on standard output, and a progress line on standard error for long runs.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant as WallClock};

use serde::Serialize;

use crate::error::CliError;

/// Writes `value` as one line of JSON, or indented with `pretty`.
pub(crate) fn write_json<T: Serialize>(
    stdout: &mut dyn Write,
    value: &T,
    pretty: bool,
) -> Result<(), CliError> {
    let json = if pretty {
        serde_json::to_string_pretty(value)
    } else {
        serde_json::to_string(value)
    };
    writeln!(stdout, "{}", json.map_err(|err| CliError::Io(err.into()))?)?;
    Ok(())
}

/// A progress line on standard error, `kplay <command>: <what>`, for runs longer than half a second and
/// only when standard error is a terminal; rewritten at most every 100 ms, then closed by [`Self::done`].
pub(crate) struct Progress {
    command: &'static str,
    started: WallClock,
    last: WallClock,
    enabled: bool,
    shown: bool,
}

impl Progress {
    pub(crate) fn new(command: &'static str) -> Self {
        let now = WallClock::now();
        Self {
            command,
            started: now,
            last: now,
            enabled: std::io::stderr().is_terminal(),
            shown: false,
        }
    }

    /// Shows the line `what` makes, if one is due.
    pub(crate) fn show(&mut self, what: impl FnOnce() -> String) {
        if !self.enabled {
            return;
        }
        let now = WallClock::now();
        if now - self.started > Duration::from_millis(500)
            && now - self.last > Duration::from_millis(100)
        {
            self.last = now;
            self.shown = true;
            eprint!("\r{}: {}", self.command, what());
        }
    }

    /// Ends the line with how long the run took, if a line was shown.
    pub(crate) fn done(&self) {
        if self.shown {
            eprintln!(
                "\r{}: done in {:.1} s{:30}",
                self.command,
                self.started.elapsed().as_secs_f64(),
                ""
            );
        }
    }
}
