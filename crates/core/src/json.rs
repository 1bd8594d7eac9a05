//! Reading JSON documents (scenarios, assignment inputs) with errors that say where the problem is, for
//! every front end alike: the CLI's files and the browser's imports and links report the same
//! `services[1].latency: unknown variant ...` line; and writing a world's state with its records as JSON. Only with the
//! `json` feature (it needs `std`).

use serde::de::DeserializeOwned;

use crate::problem::{Problem, cut, shorten_quotes};
use crate::world::World;
use crate::world::state::WorldState;

/// Parses `bytes` as one JSON document of type `T`; trailing data is an error. The problem's path is
/// `input` when it concerns the whole document.
///
/// # Errors
/// The first problem found, with its path.
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Problem> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut deserializer).map_err(|err| {
        let path = short_path(err.path());
        Problem {
            // The whole document, or a key with no name (`{"": 1}`): say `input` rather than nothing.
            path: if path.is_empty() || path == "." || path == "?" {
                "input".to_owned()
            } else {
                path
            },
            message: shorten_quotes(&err.into_inner().to_string()),
        }
    })?;
    deserializer.end().map_err(|err| Problem {
        path: "input".to_owned(),
        message: err.to_string(),
    })?;
    Ok(value)
}

/// `path` as `serde_path_to_error` writes it (`members[0].topics`), each key [`cut`] short: a path through
/// a huge unknown key must not repeat the key.
fn short_path(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;

    let mut out = String::new();
    for segment in path.iter() {
        let name = match segment {
            Segment::Seq { index } => {
                out.push_str(&format!("[{index}]"));
                continue;
            }
            Segment::Map { key } | Segment::Enum { variant: key } => key.as_str(),
            Segment::Unknown => "?",
        };
        if !out.is_empty() {
            out.push('.');
        }
        out.push_str(&cut(name));
    }
    out
}

/// Adds each partition's records (`kplay world --records`: offset, key, producer id, epoch, sequence,
/// transaction marker and outcome) to `value`, the JSON of `state` (and whatever the caller put beside it).
///
/// # Errors
/// A record that does not serialize (never: every field is plain data).
pub fn add_records(
    value: &mut serde_json::Value,
    world: &World,
    state: &WorldState,
) -> Result<(), serde_json::Error> {
    for (topic, view) in &state.topics.0 {
        for (i, partition) in view.partitions.iter().enumerate() {
            let list = world
                .records(topic, partition.partition)
                .unwrap_or_default();
            value["topics"][topic]["partitions"][i]["records"] = serde_json::to_value(list)?;
        }
    }
    Ok(())
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
        let err = parse::<Scenario>(br#"{"": 1}"#).expect_err("a key with no name");
        assert!(
            err.to_string().starts_with("input: unknown field ``"),
            "{err}"
        );
        let key = "k".repeat(10_000);
        let err = parse::<Scenario>(format!(r#"{{"arrivals": {{"{key}": 1}}}}"#).as_bytes())
            .expect_err("an unknown key");
        assert!(
            err.path.starts_with("arrivals.kkkk") && err.path.ends_with("k\u{2026}"),
            "{}",
            err.path
        );
        assert!(err.to_string().len() < 300, "{err:.300}");
        let err = parse::<u32>(b"1 2").expect_err("trailing data");
        assert_eq!(err.path, "input");
        assert_eq!(parse::<u32>(b" 7 "), Ok(7));
    }

    #[test]
    fn a_huge_unknown_value_is_not_repeated_back() {
        let process = "p".repeat(100_000);
        let input =
            format!(r#"{{"seed": 1, "arrivals": {{"process": "{process}", "rate_per_s": 1}}}}"#);
        let err = parse::<Scenario>(input.as_bytes()).expect_err("unknown process");
        let text = err.to_string();
        assert!(text.len() < 300, "{} characters", text.len());
        assert!(
            text.starts_with(&format!(
                "arrivals.process: unknown variant `{}…` (100000 bytes), expected",
                &process[..crate::problem::QUOTED_CHARS]
            )),
            "{text}"
        );
    }
}
