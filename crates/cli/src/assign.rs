//! `kplay assign [FILE]`: runs a Kafka partition assignor over a group described in JSON.
//!
//! Input: `{"strategy": "range"|"roundrobin"|"sticky"|"cooperative-sticky", "topics": {"<topic>": <partitions>},
//! "members": [{"id": "<member.id>", "instance_id": "<group.instance.id>"|null, "topics": ["<topic>"],
//! "owned": [["<topic>", <partition>]], "generation": <int>}]}`; `instance_id`, `owned` and `generation` are
//! optional (null, [], -1). Output: `{"assignment": {"<member.id>": [["<topic>", <partition>], ...]}}` with
//! every member in input order, each list sorted by topic then partition. For `cooperative-sticky` the
//! output is this round's assignment, without the partitions that change owner.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::io::{Read, Write};

use kplay_core::group::assignor::{self, Member, Strategy, TopicPartition};
use serde::Deserialize;

use crate::error::CliError;
use crate::input::{parse_json, read_source};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GroupInput {
    strategy: String,
    topics: BTreeMap<String, u64>,
    members: Vec<MemberInput>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MemberInput {
    id: String,
    #[serde(default)]
    instance_id: Option<String>,
    topics: Vec<String>,
    #[serde(default)]
    owned: Vec<(String, u32)>,
    #[serde(default = "default_generation")]
    generation: i32,
}

fn default_generation() -> i32 {
    assignor::DEFAULT_GENERATION
}

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
    let input: GroupInput = parse_json(&read_source(file.as_ref(), stdin)?)?;
    let strategy: Strategy = input
        .strategy
        .parse()
        .map_err(|err| CliError::Usage(format!("strategy: {err}")))?;
    let mut topics = BTreeMap::new();
    for (topic, partitions) in input.topics {
        let count = u32::try_from(partitions)
            .ok()
            .filter(|p| (1..=assignor::MAX_PARTITIONS_PER_TOPIC).contains(p))
            .ok_or_else(|| {
                CliError::Usage(format!(
                    "topics.{topic}: {partitions} partitions is out of range (1..={})",
                    assignor::MAX_PARTITIONS_PER_TOPIC
                ))
            })?;
        topics.insert(topic, count);
    }
    let members: Vec<Member> = input
        .members
        .into_iter()
        .map(|m| Member {
            id: m.id,
            instance_id: m.instance_id,
            topics: m.topics,
            owned: m
                .owned
                .into_iter()
                .map(|(topic, partition)| TopicPartition { topic, partition })
                .collect(),
            generation: m.generation,
        })
        .collect();
    let result = assignor::assign(strategy, &topics, &members)
        .map_err(|err| CliError::Usage(err.to_string()))?;

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
