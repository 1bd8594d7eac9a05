//! Reading JSON documents (scenarios, assignment inputs) with errors that say where the problem is, for
//! every front end alike: the CLI's files and the browser's imports and links report the same
//! `services[1].latency: unknown variant ...` line. Only with the `json` feature (it needs `std`).

use core::fmt;

use serde::de::DeserializeOwned;

/// Why a document was not read, at which JSON path (`input` for the whole document).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonError {
    /// Where: a JSON path such as `services[1].instances`, or `input`.
    pub path: String,
    /// What is wrong there.
    pub message: String,
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

impl std::error::Error for JsonError {}

/// Parses `bytes` as one JSON document of type `T`; trailing data is an error.
///
/// # Errors
/// The first problem found, with its path.
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, JsonError> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut deserializer).map_err(|err| {
        let path = err.path().to_string();
        JsonError {
            path: if path == "." || path == "?" {
                "input".to_owned()
            } else {
                path
            },
            message: err.into_inner().to_string(),
        }
    })?;
    deserializer.end().map_err(|err| JsonError {
        path: "input".to_owned(),
        message: err.to_string(),
    })?;
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Scenario;

    #[test]
    fn errors_name_the_path_at_fault() {
        let bad = br#"{"seed": 1, "duration_ms": "long"}"#;
        let err = parse::<Scenario>(bad).expect_err("a string is not a duration");
        assert_eq!(err.path, "duration_ms");
        assert!(
            err.to_string().starts_with("duration_ms: invalid type"),
            "{err}"
        );
        let err = parse::<u32>(b"1 2").expect_err("trailing data");
        assert_eq!(err.path, "input");
        assert_eq!(parse::<u32>(b" 7 "), Ok(7));
    }
}
