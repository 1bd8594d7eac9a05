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

/// The whole number `value` of flag `flag` (`--seed`), if it lies in `min..=max`; the error names the flag,
/// what was given and what is allowed.
pub(crate) fn whole_number(
    value: &OsString,
    flag: &str,
    min: u64,
    max: u64,
) -> Result<u64, CliError> {
    let text = value.to_string_lossy();
    text.parse::<u64>()
        .ok()
        .filter(|n| (min..=max).contains(n))
        .ok_or_else(|| {
            CliError::Usage(format!(
                "{flag}: {text:?} is not a whole number from {min} to {max}"
            ))
        })
}
