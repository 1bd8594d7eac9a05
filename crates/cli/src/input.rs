//! Reading a JSON document from a file or standard input, with errors that name where the problem is.

use std::ffi::OsString;
use std::io::Read;

use serde::de::DeserializeOwned;

use crate::error::CliError;

/// Reads all of `path` (or standard input for `None` or `-`).
pub(crate) fn read_source(
    path: Option<&OsString>,
    stdin: &mut dyn Read,
) -> Result<Vec<u8>, CliError> {
    let mut bytes = Vec::new();
    match path {
        Some(path) if path != "-" => {
            bytes = std::fs::read(path).map_err(|err| {
                CliError::Usage(format!("{}: cannot read: {err}", path.to_string_lossy()))
            })?;
        }
        _ => {
            stdin.read_to_end(&mut bytes)?;
        }
    }
    Ok(bytes)
}

/// Parses JSON into `T`; an error names the JSON path at fault (`members[2].topics[0]: …`).
pub(crate) fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, CliError> {
    kplay_core::json::parse(bytes).map_err(|err| CliError::Usage(err.to_string()))
}
