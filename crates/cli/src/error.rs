//! The ways a `kplay` command can fail, and the exit status of each.

use std::fmt;
use std::io;

/// A failed command.
#[derive(Debug)]
pub(crate) enum CliError {
    /// Wrong arguments or input; the message names the argument, field or line at fault.
    Usage(String),
    /// Reading input or writing output failed.
    Io(io::Error),
}

impl CliError {
    /// One line per problem, each starting with its JSON path.
    pub(crate) fn problems(problems: &[kplay_core::problem::Problem]) -> Self {
        Self::Usage(
            problems
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n"),
        )
    }

    /// 2 for anything the caller can fix in what they passed, 1 for I/O trouble.
    pub(crate) fn exit_status(&self) -> u8 {
        match self {
            Self::Usage(_) => 2,
            Self::Io(_) => 1,
        }
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Usage(message) => f.write_str(message),
            Self::Io(err) => write!(f, "kplay: I/O error: {err}"),
        }
    }
}

impl From<io::Error> for CliError {
    fn from(err: io::Error) -> Self {
        Self::Io(err)
    }
}

impl From<lexopt::Error> for CliError {
    fn from(err: lexopt::Error) -> Self {
        Self::Usage(format!("{err}; see `kplay help`"))
    }
}
