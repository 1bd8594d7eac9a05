//! A synthetic action log for benchmarks: a busy cluster of 3 brokers and a 12-partition topic, two
//! consumer groups (eager and cooperative) whose members come, go and crash, keyed and keyless records,
//! and now and then a broker failing and coming back. The same `actions` and `seed` give the same script;
//! every action in it is one the world accepts.

use alloc::format;
use alloc::vec::Vec;

use super::script::{AcksSpec, ScriptAction, TopicConfigSpec, TopicSpec};
use super::{Action, Script, World};
use crate::rng::SimRng;
use crate::time::Instant;

/// A script of `actions` accepted actions, 10 ms apart on average.
#[must_use]
pub fn mixed(actions: usize, seed: u64) -> Script {
    let topic = TopicSpec {
        name: "orders".into(),
        partitions: 12,
        replication_factor: 3,
        config: TopicConfigSpec {
            min_insync_replicas: Some(2),
            segment_bytes: Some(64 * 1024),
            retention_ms: Some(600_000),
            ..TopicConfigSpec::default()
        },
    };
    let mut script = Script::new(seed, 3, alloc::vec![topic]);
    let Ok(mut world) = World::new(&script) else {
        return script;
    };
    world.keep_events(false);
    let mut rng = SimRng::new(seed);
    let mut at_ms = 0;
    let mut attempts = 0;
    while script.actions.len() < actions && attempts < actions * 4 {
        attempts += 1;
        at_ms += u64::from(rng.below(20));
        let action = draw(&mut rng);
        if world
            .handle_action(Instant::from_millis(at_ms), &action)
            .is_ok()
        {
            script.actions.push(ScriptAction { at_ms, action });
        }
    }
    script
}

fn draw(rng: &mut SimRng) -> Action {
    let group = ["billing", "shipping"][rng.below(2) as usize];
    let member = format!("{group}-{}", rng.below(6));
    match rng.below(100) {
        0..=79 => Action::Produce {
            topic: "orders".into(),
            key: (rng.below(4) > 0).then(|| format!("order-{}", rng.below(10_000))),
            value_bytes: 200,
            tombstone: false,
            acks: Some(AcksSpec::All),
            count: u64::from(1 + rng.below(5)),
            interval_ms: 0,
            producer: None,
        },
        80..=89 => Action::Join {
            strategy: Some(
                if group == "billing" {
                    "range"
                } else {
                    "cooperative-sticky"
                }
                .into(),
            ),
            protocol: None,
            group_remote_assignor: None,
            group: group.into(),
            member,
            topics: alloc::vec!["orders".into()],
            group_instance_id: None,
            records_per_s: Some(200.0),
            auto_offset_reset: Some("earliest".into()),
            isolation_level: None,
            processing_ms: None,
            max_poll_records: None,
            max_poll_interval_ms: None,
            auto_commit_interval_ms: None,
            enable_auto_commit: None,
            forward_to: None,
            forward_producer: None,
            commit_interval_ms: None,
            group_type: None,
            acknowledge: None,
        },
        90..=94 => Action::Leave {
            group: group.into(),
            member,
        },
        95..=97 => Action::Crash {
            group: group.into(),
            member,
        },
        _ => {
            let broker = rng.below(3);
            if rng.below(2) == 0 {
                Action::KillBroker { broker }
            } else {
                Action::RestartBroker { broker }
            }
        }
    }
}

/// The moments of `script` spread evenly from its start to its last action, `count` of them.
#[must_use]
pub fn moments(script: &Script, count: u64) -> Vec<Instant> {
    let end = script.last_at_ms();
    (0..count)
        .map(|i| Instant::from_millis(end * i / count.max(1)))
        .collect()
}
