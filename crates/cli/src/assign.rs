//! `kplay assign [FILE]`: runs a Kafka partition assignor over a group described in JSON.
//!
//! Input: the request of [`kplay_core::group::assignor::request`]. Output: `{"assignment":
//! {"<member.id>": [["<topic>", <partition>], ...]}}` with every member in input order, each list sorted
//! by topic then partition. For `cooperative-sticky` the output is this round's assignment, without the
//! partitions that change owner; for `uniform` and `server-range` (the broker's KIP-848 assignors) it is the
//! group's new target assignment, which members then reconcile towards.

use std::ffi::OsString;
use std::io::{Read, Write};

use kplay_core::group::assignor::request::AssignRequest;

use crate::error::CliError;
use crate::input::{parse_json, read_source};

pub(crate) fn run(
    args: Vec<OsString>,
    stdin: &mut dyn Read,
    stdout: &mut dyn Write,
) -> Result<(), CliError> {
    use lexopt::prelude::*;

    let mut file = None;
    let mut parser = lexopt::Parser::from_args(args);
    while let Some(arg) = parser.next()? {
        match arg {
            Value(path) if file.is_none() => file = Some(path),
            other => return Err(other.unexpected().into()),
        }
    }
    let request: AssignRequest = parse_json(&read_source(file.as_ref(), stdin)?)?;
    let (members, result) = request.run().map_err(CliError::Usage)?;

    let mut assignment = serde_json::Map::new();
    for (member, partitions) in members.iter().zip(result.partitions) {
        let list = partitions
            .into_iter()
            .map(|tp| serde_json::json!([tp.topic, tp.partition]))
            .collect();
        assignment.insert(member.id.clone(), serde_json::Value::Array(list));
    }
    serde_json::to_writer(
        &mut *stdout,
        &serde_json::json!({ "assignment": assignment }),
    )
    .map_err(|err| CliError::Io(err.into()))?;
    writeln!(stdout)?;
    Ok(())
}
