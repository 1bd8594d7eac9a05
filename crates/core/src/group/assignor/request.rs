//! The assignment request `kplay assign` reads, as JSON: a strategy, topics with their partition counts
//! and the group's members with their subscriptions and what they owned.
//!
//! `{"strategy": "range" | "roundrobin" | "sticky" | "cooperative-sticky" | "uniform" | "server-range",
//! "topics": {"<topic>": <partitions>}, "members": [{"id": "<member.id>", "instance_id":
//! "<group.instance.id>" | null, "topics": ["<topic>"], "owned": [["<topic>", <partition>]], "generation":
//! <int>}]}`; `instance_id`, `owned` and `generation` are optional (null, [], -1). The first four are the
//! client's `partition.assignment.strategy`; `uniform` and `server-range` are the broker's KIP-848
//! assignors (`group.remote.assignor` `uniform` and `range`), which read `owned` as the group's current
//! target assignment and ignore `generation`. Kept here, beside the assignors, so the CLI and the fuzzer
//! read the same document the same way.

use alloc::collections::BTreeMap;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use serde::Deserialize;

use super::{
    AssignError, Assignment, Assignor, DEFAULT_GENERATION, Member, TopicPartition, assign,
};

/// One assignment request.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssignRequest {
    /// The assignor by name ([`super::Assignor::NAMED`]).
    pub strategy: String,
    /// Topic name → partition count.
    pub topics: BTreeMap<String, u64>,
    /// The members, in the order the answer lists them.
    pub members: Vec<MemberRequest>,
}

/// One member of an [`AssignRequest`].
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MemberRequest {
    /// `member.id`.
    pub id: String,
    /// `group.instance.id`, for a static member.
    #[serde(default)]
    pub instance_id: Option<String>,
    /// Topics it subscribes to.
    pub topics: Vec<String>,
    /// Partitions it owned in the previous generation.
    #[serde(default)]
    pub owned: Vec<(String, u32)>,
    /// The generation of `owned`.
    #[serde(default = "default_generation")]
    pub generation: i32,
}

fn default_generation() -> i32 {
    DEFAULT_GENERATION
}

impl AssignRequest {
    /// Runs the request's assignor; the answer lists the members' partitions in request order.
    ///
    /// # Errors
    /// One line naming the JSON path at fault: an unknown strategy (`strategy: …`), a partition count out
    /// of range, or any [`AssignError`].
    pub fn run(self) -> Result<(Vec<Member>, Assignment), String> {
        let assignor: Assignor = self
            .strategy
            .parse()
            .map_err(|err: super::UnknownStrategy| alloc::format!("strategy: {err}"))?;
        let mut topics = BTreeMap::new();
        for (topic, partitions) in self.topics {
            let Ok(count) = u32::try_from(partitions) else {
                return Err(AssignError::PartitionCount { topic, partitions }.to_string());
            };
            topics.insert(topic, count);
        }
        let members: Vec<Member> = self
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
        let assignment = assign(assignor, &topics, &members)
            .map_err(|err| crate::problem::shorten_quotes(&err.to_string()))?;
        Ok((members, assignment))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(strategy: &str, partitions: u64) -> AssignRequest {
        AssignRequest {
            strategy: strategy.into(),
            topics: BTreeMap::from([("orders".into(), partitions)]),
            members: alloc::vec![MemberRequest {
                id: "c1".into(),
                instance_id: None,
                topics: alloc::vec!["orders".into()],
                owned: Vec::new(),
                generation: DEFAULT_GENERATION,
            }],
        }
    }

    #[test]
    fn a_request_runs_its_assignor_and_bad_ones_name_the_field() {
        let (members, assignment) = request("range", 3).run().expect("a valid group");
        assert_eq!(members[0].id, "c1");
        assert_eq!(assignment.partitions[0].len(), 3);
        assert!(
            request("rangee", 3)
                .run()
                .expect_err("unknown")
                .starts_with("strategy: unknown strategy \"rangee\"")
        );
        assert_eq!(
            request("range", u64::MAX).run().expect_err("too many"),
            "topics.orders: 18446744073709551615 partitions is out of range (1..=1000000)"
        );
    }
}
