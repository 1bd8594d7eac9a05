//! The world views' answers: one time-travelling [`World`] per view, on its [`Timeline`].
//!
//! A view's state is its timeline (the script: configuration and action log, with checkpoints) and a
//! cursor: the world at the moment shown. Moving forward plays the cursor on ([`Timeline::advance`]);
//! moving back lands a copy from the nearest checkpoint ([`Timeline::land`]), so any moment of a long log
//! costs at most [`kplay_core::config::CHECKPOINT_EVERY`] actions to reach. Acting puts the intent's
//! actions on the timeline at the cursor's moment ([`Timeline::act_all`]); in the past that forks, and the
//! fork is kept so that [`Worlds::undo_fork`] can restore what it set aside. Inputs are the
//! `world-*` [`Request`](crate::protocol::Request)s, in arrival order; each returns its one [`Reply`].

use std::collections::{BTreeMap, BTreeSet};

use kplay_core::group::assignor::Assignor;
use kplay_core::time::Instant;
use kplay_core::world::script::{Script, ScriptAction};
use kplay_core::world::state::WorldState;
use kplay_core::world::timeline::{Fork, Timeline};
use kplay_core::world::{Action, World};

use crate::protocol::{
    FRAME_SEGMENTS, Intent, LANE_RECORDS, Reply, TAIL_PARTITIONS, TAIL_RECORDS, WorldFrame,
    one_line,
};

/// Rebalance rounds a frame carries.
const ROUNDS: usize = 6;

/// One view's world.
struct Session {
    timeline: Timeline,
    /// The world at the moment shown; it keeps no events.
    cursor: World,
    /// The furthest moment shown so far.
    end: Instant,
    /// The last fork, and the timeline's end before it.
    fork: Option<(Fork, Instant)>,
}

impl Session {
    fn new(script: Script, at: Instant) -> Result<Self, String> {
        let timeline = Timeline::new(script).map_err(|problems| one_line(&problems.0))?;
        let mut cursor = timeline.land(at);
        cursor.keep_events(false);
        Ok(Self {
            timeline,
            cursor,
            end: at,
            fork: None,
        })
    }

    fn go(&mut self, at: Instant) {
        if at >= self.cursor.now() {
            self.timeline.advance(&mut self.cursor, at);
        } else {
            self.cursor = self.timeline.land(at);
            self.cursor.keep_events(false);
        }
        self.end = self.end.max(at);
    }

    fn frame(&self, script_changed: bool, notice: Option<String>) -> Box<WorldFrame> {
        let state = self.cursor.glance();
        let last_action = Instant::from_millis(self.timeline.script().last_at_ms());
        let tails = state
            .topics
            .0
            .first()
            .filter(|(_, topic)| topic.partitions.len() <= TAIL_PARTITIONS as usize)
            .map(|(name, topic)| {
                (0..topic.partitions.len() as u32)
                    .map(|p| self.cursor.tail(name, p, LANE_RECORDS))
                    .collect()
            })
            .unwrap_or_default();
        let rounds = state
            .groups
            .0
            .iter()
            .map(|(name, _)| {
                let rounds = self.cursor.rounds(name);
                let latest = rounds[rounds.len().saturating_sub(ROUNDS)..]
                    .iter()
                    .map(ToString::to_string)
                    .collect();
                (name.clone(), latest)
            })
            .collect();
        let first = state.topics.0.first().map_or("", |(name, _)| name.as_str());
        Box::new(WorldFrame {
            segments: self.cursor.segments(first, 0, FRAME_SEGMENTS, TAIL_RECORDS),
            brokers: self.cursor.brokers(first, 0, TAIL_RECORDS),
            lost_writes: self.cursor.lost_writes(first),
            tally: self.cursor.tally(first),
            config: self.cursor.topic_config(first),
            at_ms: self.cursor.now().as_millis(),
            end_ms: self.end.max(last_action).as_millis(),
            actions: self.timeline.script().actions.len() as u32,
            fork: self.fork.as_ref().map(|(f, _)| f.dropped.len() as u32),
            state,
            tails,
            rounds,
            // A script always serializes: its maps have string keys and its numbers are finite.
            script: script_changed
                .then(|| serde_json::to_string(self.timeline.script()).unwrap_or_default()),
            notice,
        })
    }
}

/// Every world view's session, by the page's number for the view.
#[derive(Default)]
pub struct Worlds {
    sessions: BTreeMap<u32, Session>,
}

impl Worlds {
    /// Opens `view` on `script` (JSON) at `at_ms`; a script with problems is refused and the view keeps
    /// its world.
    pub fn open(&mut self, view: u32, script: &str, at_ms: u64) -> Reply {
        let script = match serde_json::from_str::<Script>(script) {
            Ok(script) => script,
            Err(err) => {
                return Reply::WorldRefused {
                    view,
                    problems: format!(
                        "the script cannot be read: {}",
                        kplay_core::problem::shorten_quotes(&err.to_string())
                    ),
                };
            }
        };
        match Session::new(script, Instant::from_millis(at_ms)) {
            Ok(session) => {
                let frame = session.frame(true, None);
                self.sessions.insert(view, session);
                Reply::World { view, frame }
            }
            Err(problems) => Reply::WorldRefused { view, problems },
        }
    }

    /// Moves `view` to `at_ms`.
    pub fn go(&mut self, view: u32, at_ms: u64) -> Reply {
        self.with(view, |session| {
            session.go(Instant::from_millis(at_ms));
            Ok(session.frame(false, None))
        })
    }

    /// Does `intent` at `view`'s moment.
    pub fn act(&mut self, view: u32, intent: Intent) -> Reply {
        if let Intent::Recreate { topic, partitions } = intent {
            return self.recreate(view, &topic, partitions);
        }
        self.with(view, |session| {
            let state = session.cursor.glance();
            let (actions, notice) = plan(session.timeline.script(), &state, intent)?;
            let at = session.cursor.now();
            match session.timeline.act_all(at, actions) {
                Ok(fork) => {
                    if let Some(fork) = fork {
                        session.fork = Some((fork, session.end));
                        session.end = at;
                    }
                    session.cursor = session.timeline.land(at);
                    session.cursor.keep_events(false);
                    Ok(session.frame(true, notice))
                }
                Err((_, err)) => Err(err.to_string()),
            }
        })
    }

    /// Restores what `view`'s last fork set aside.
    pub fn undo_fork(&mut self, view: u32) -> Reply {
        self.with(view, |session| {
            let Some((fork, end)) = session.fork.take() else {
                return Err("there is no fork to undo".into());
            };
            session.end = session.end.max(end);
            let restored = fork.dropped.len();
            session.timeline.undo_fork(fork);
            let at = session.cursor.now();
            session.cursor = session.timeline.land(at);
            session.cursor.keep_events(false);
            Ok(session.frame(
                true,
                Some(format!(
                    "Fork undone: {restored} later action(s) are back on the timeline."
                )),
            ))
        })
    }

    fn recreate(&mut self, view: u32, topic: &str, partitions: u32) -> Reply {
        let Some(session) = self.sessions.get(&view) else {
            return unknown(view);
        };
        let mut script = session.timeline.script().clone();
        script.actions.clear();
        let Some(spec) = script.topics.iter_mut().find(|t| t.name == topic) else {
            return Reply::WorldRefused {
                view,
                problems: format!("topic: there is no topic {topic:?}"),
            };
        };
        spec.partitions = partitions;
        match Session::new(script, Instant::ZERO) {
            Ok(session) => {
                let frame = session.frame(
                    true,
                    Some(format!(
                        "Kafka cannot remove partitions: {topic:?} was recreated with {partitions}, empty, and the timeline starts again."
                    )),
                );
                self.sessions.insert(view, session);
                Reply::World { view, frame }
            }
            Err(problems) => Reply::WorldRefused { view, problems },
        }
    }

    fn with(
        &mut self,
        view: u32,
        f: impl FnOnce(&mut Session) -> Result<Box<WorldFrame>, String>,
    ) -> Reply {
        match self.sessions.get_mut(&view) {
            Some(session) => match f(session) {
                Ok(frame) => Reply::World { view, frame },
                Err(problems) => Reply::WorldRefused { view, problems },
            },
            None => unknown(view),
        }
    }
}

fn unknown(view: u32) -> Reply {
    Reply::Failed {
        message: format!("world view {view} was never opened"),
    }
}

/// The script actions `intent` stands for in a world in `state`, and what to tell the user.
fn plan(
    script: &Script,
    state: &WorldState,
    intent: Intent,
) -> Result<(Vec<Action>, Option<String>), String> {
    let live = |group: &str| -> Vec<String> {
        state.groups.get(group).map_or_else(Vec::new, |g| {
            g.members
                .0
                .iter()
                .filter(|(_, m)| m.alive)
                .map(|(name, _)| name.clone())
                .collect()
        })
    };
    Ok(match intent {
        Intent::Actions { actions } => (actions, None),
        Intent::Join {
            group,
            topic,
            count,
            strategy,
            records_per_s,
            static_members,
            read_committed,
        } => {
            let names = free_names(script, state, count as usize);
            let notice = match names.as_slice() {
                [one] => format!("{one} joined; the group rebalances."),
                _ => format!("{count} consumers joined; the group rebalances."),
            };
            let joins = names
                .into_iter()
                .map(|member| {
                    let instance = static_members.then(|| format!("{member}-host"));
                    join(
                        &group,
                        member,
                        &topic,
                        &strategy,
                        records_per_s,
                        instance,
                        read_committed,
                    )
                })
                .collect();
            (joins, Some(notice))
        }
        Intent::Rejoin {
            group,
            topic,
            strategy,
            records_per_s,
        } => {
            let stopped = state.groups.get(&group).and_then(|g| {
                g.members.0.iter().rev().find_map(|(name, m)| {
                    m.group_instance_id
                        .clone()
                        .filter(|_| !m.alive)
                        .map(|instance| (name.clone(), instance))
                })
            });
            let Some((member, instance)) = stopped else {
                return Err("There is no stopped static consumer to restart (one away longer than session.timeout.ms has left the group).".into());
            };
            let action = join(
                &group,
                member.clone(),
                &topic,
                &strategy,
                records_per_s,
                Some(instance.clone()),
                reads_committed(state, &group),
            );
            let notice = format!(
                "{member} came back as {instance} before its session expired: it keeps its partitions and the group does not rebalance."
            );
            (vec![action], Some(notice))
        }
        Intent::Stop {
            group,
            count,
            crash,
        } => {
            let live = live(&group);
            if live.is_empty() {
                return Err("There is no running consumer.".into());
            }
            let newest: Vec<String> = live.into_iter().rev().take(count as usize).collect();
            let is_static = |name: &str| {
                state
                    .groups
                    .get(&group)
                    .and_then(|g| g.members.get(name))
                    .is_some_and(|m| m.group_instance_id.is_some())
            };
            let notice = match (newest.as_slice(), crash) {
                ([one], true) => format!(
                    "{one} crashed: its partitions wait until its session times out (45 s)."
                ),
                ([one], false) if is_static(one) => format!(
                    "{one} stopped. A static member sends no LeaveGroup: its partitions wait for it until its session times out (45 s); restart it before then and the group does not rebalance."
                ),
                ([one], false) => format!("{one} left the group; its partitions are reassigned."),
                (all, _) => format!(
                    "{} consumers {}.",
                    all.len(),
                    if crash { "crashed" } else { "left" }
                ),
            };
            let actions = newest
                .into_iter()
                .map(|member| {
                    let group = group.clone();
                    if crash {
                        Action::Crash { group, member }
                    } else {
                        Action::Leave { group, member }
                    }
                })
                .collect();
            (actions, Some(notice))
        }
        Intent::Restart {
            group,
            topic,
            strategy,
            records_per_s,
        } => {
            let live = live(&group);
            let joining = Joining {
                group: &group,
                topic: &topic,
                strategy: &strategy,
                records_per_s,
            };
            let actions = relaunch(script, state, &live, &joining, None);
            let notice = format!(
                "The group restarted with the {strategy} assignor: {} consumer(s) left and as many joined.",
                live.len()
            );
            (actions, Some(notice))
        }
        Intent::RemoveGroup { group } => {
            let mut actions = leaves(&group, &live(&group));
            actions.push(Action::DeleteGroup {
                group: group.clone(),
            });
            let notice = format!(
                "{group}: its consumers left and the group was deleted with its committed offsets."
            );
            (actions, Some(notice))
        }
        Intent::ResetOffsets {
            group,
            topic,
            to,
            strategy,
            records_per_s,
        } => {
            let crashed = state
                .groups
                .get(&group)
                .map_or(0, |g| g.members.0.iter().filter(|(_, m)| !m.alive).count());
            if crashed > 0 {
                return Err(format!(
                    "GROUP_NOT_EMPTY: {group} still has {crashed} crashed member(s) until their sessions expire; Kafka resets the offsets of an Empty group only"
                ));
            }
            let live = live(&group);
            let reset = Action::ResetOffsets {
                group: group.clone(),
                topic: topic.clone(),
                to,
            };
            let joining = Joining {
                group: &group,
                topic: &topic,
                strategy: &strategy,
                records_per_s,
            };
            let actions = relaunch(script, state, &live, &joining, Some(reset));
            let notice = format!(
                "{group}: {} consumer(s) stopped, the committed offsets were reset and as many started again from them (Kafka resets only an Empty group).",
                live.len()
            );
            (actions, Some(notice))
        }
        Intent::Recreate { .. } => (Vec::new(), None),
    })
}

/// `members` of `group` leave.
fn leaves(group: &str, members: &[String]) -> Vec<Action> {
    members
        .iter()
        .map(|member| Action::Leave {
            group: group.into(),
            member: member.clone(),
        })
        .collect()
}

/// Consumers that join a group, and how.
struct Joining<'a> {
    group: &'a str,
    topic: &'a str,
    strategy: &'a str,
    records_per_s: f64,
}

/// `live` members of the group leave, `between` happens, and as many new consumers join.
fn relaunch(
    script: &Script,
    state: &WorldState,
    live: &[String],
    joining: &Joining<'_>,
    between: Option<Action>,
) -> Vec<Action> {
    let mut actions = leaves(joining.group, live);
    actions.extend(between);
    actions.extend(
        free_names(script, state, live.len())
            .into_iter()
            .map(|member| {
                join(
                    joining.group,
                    member,
                    joining.topic,
                    joining.strategy,
                    joining.records_per_s,
                    None,
                    reads_committed(state, joining.group),
                )
            }),
    );
    actions
}

/// Whether `group`'s members read with `isolation.level=read_committed` (those who join it again do too).
fn reads_committed(state: &WorldState, group: &str) -> bool {
    state
        .groups
        .get(group)
        .is_some_and(|g| g.members.0.iter().any(|(_, m)| m.read_committed))
}

/// `member` joins `group` reading `topic` from the earliest offset, static with `instance`, with
/// `isolation.level=read_committed` when `read_committed`.
fn join(
    group: &str,
    member: String,
    topic: &str,
    strategy: &str,
    records_per_s: f64,
    instance: Option<String>,
    read_committed: bool,
) -> Action {
    // The page names the broker's assignors as `kplay assign` does: they mean the consumer protocol.
    let (strategy, protocol, group_remote_assignor) = match strategy.parse::<Assignor>() {
        Ok(Assignor::Server(server)) => (None, Some("consumer".into()), Some(server.name().into())),
        _ => (Some(strategy.into()), None, None),
    };
    Action::Join {
        group: group.into(),
        member,
        topics: vec![topic.into()],
        strategy,
        protocol,
        group_remote_assignor,
        group_instance_id: instance,
        records_per_s: Some(records_per_s),
        auto_offset_reset: Some("earliest".into()),
        isolation_level: read_committed.then(|| "read_committed".into()),
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
    }
}

/// `count` names `consumer-<n>` that no member of any group has had, lowest numbers first: names are
/// the consumers' `client.id`s, unique on the page so each can be told apart in every group.
fn free_names(script: &Script, state: &WorldState, count: usize) -> Vec<String> {
    let mut used: BTreeSet<&str> = script
        .actions
        .iter()
        .filter_map(|ScriptAction { action, .. }| match action {
            Action::Join { member, .. } => Some(member.as_str()),
            _ => None,
        })
        .collect();
    for (_, g) in &state.groups.0 {
        used.extend(g.members.0.iter().map(|(name, _)| name.as_str()));
    }
    (1..)
        .map(|n| format!("consumer-{n}"))
        .filter(|name| !used.contains(name.as_str()))
        .take(count)
        .collect()
}

#[cfg(test)]
mod tests {
    use kplay_core::world::script::TopicSpec;

    use super::*;

    const VIEW: u32 = 1;

    fn script(partitions: u32) -> String {
        let script = Script::new(
            7,
            1,
            vec![TopicSpec {
                name: "orders".into(),
                partitions,
                replication_factor: 1,
                config: Default::default(),
            }],
        );
        serde_json::to_string(&script).expect("a script serializes")
    }

    /// The frame of `reply`, which must also cross to the page intact (postcard needs every field).
    fn frame(reply: Reply) -> Box<WorldFrame> {
        assert_eq!(Reply::from_bytes(&reply.to_bytes()), reply);
        match reply {
            Reply::World { view, frame } if view == VIEW => frame,
            other => panic!("not a frame of view {VIEW}: {other:?}"),
        }
    }

    fn join(worlds: &mut Worlds, count: u32, strategy: &str) -> Box<WorldFrame> {
        frame(worlds.act(
            VIEW,
            Intent::Join {
                group: "g".into(),
                topic: "orders".into(),
                count,
                strategy: strategy.into(),
                records_per_s: 2.0,
                static_members: false,
                read_committed: false,
            },
        ))
    }

    fn crash_newest(worlds: &mut Worlds, group: &str) -> Box<WorldFrame> {
        frame(worlds.act(
            VIEW,
            Intent::Stop {
                group: group.into(),
                count: 1,
                crash: true,
            },
        ))
    }

    fn produce(worlds: &mut Worlds, key: &str, count: u64) -> Box<WorldFrame> {
        let action = serde_json::from_value(serde_json::json!(
            {"do": "produce", "topic": "orders", "key": key, "count": count}
        ))
        .expect("an action");
        frame(worlds.act(
            VIEW,
            Intent::Actions {
                actions: vec![action],
            },
        ))
    }

    fn members(frame: &WorldFrame) -> Vec<(String, bool)> {
        frame.state.groups.get("g").map_or_else(Vec::new, |g| {
            g.members
                .0
                .iter()
                .map(|(n, m)| (n.clone(), m.alive))
                .collect()
        })
    }

    #[test]
    fn consumers_get_the_first_free_names_and_the_newest_stops_first() {
        let mut worlds = Worlds::default();
        frame(worlds.open(VIEW, &script(6), 0));
        let joined = join(&mut worlds, 3, "range");
        assert_eq!(
            members(&joined),
            [
                ("consumer-1".into(), true),
                ("consumer-2".into(), true),
                ("consumer-3".into(), true)
            ]
        );
        frame(worlds.go(VIEW, 1_000));
        let crashed = frame(worlds.act(
            VIEW,
            Intent::Stop {
                group: "g".into(),
                count: 1,
                crash: true,
            },
        ));
        assert_eq!(members(&crashed)[2], ("consumer-3".into(), false));
        assert!(
            crashed
                .notice
                .as_deref()
                .is_some_and(|n| n.contains("consumer-3 crashed"))
        );
        let left = frame(worlds.act(
            VIEW,
            Intent::Stop {
                group: "g".into(),
                count: 1,
                crash: false,
            },
        ));
        assert_eq!(
            members(&left).len(),
            2,
            "consumer-2 left; the crashed one stays until its session ends"
        );
        let again = join(&mut worlds, 1, "range");
        assert_eq!(
            members(&again).last(),
            Some(&("consumer-4".into(), true)),
            "names are never reused"
        );
    }

    #[test]
    fn a_group_with_a_crashed_member_cannot_switch_protocol_until_its_session_expires() {
        let mut worlds = Worlds::default();
        frame(worlds.open(VIEW, &script(4), 0));
        join(&mut worlds, 2, "range");
        crash_newest(&mut worlds, "g");
        let restart = Intent::Restart {
            group: "g".into(),
            topic: "orders".into(),
            strategy: "roundrobin".into(),
            records_per_s: 2.0,
        };
        let Reply::WorldRefused { problems, .. } = worlds.act(VIEW, restart.clone()) else {
            panic!("a crashed member still holds the range protocol");
        };
        assert!(
            problems.contains("INCONSISTENT_GROUP_PROTOCOL"),
            "{problems}"
        );
        frame(worlds.go(VIEW, 60_000));
        let restarted = frame(worlds.act(VIEW, restart));
        let group = restarted.state.groups.get("g").expect("the group");
        assert_eq!(group.strategy, "roundrobin");
        assert_eq!(members(&restarted), [("consumer-3".into(), true)]);
    }

    #[test]
    fn going_back_and_forth_shows_what_landing_there_shows_and_changes_nothing() {
        let mut worlds = Worlds::default();
        frame(worlds.open(VIEW, &script(3), 0));
        join(&mut worlds, 2, "range");
        let mut last = None;
        for (at, key) in [(500, "a"), (2_000, "b"), (9_000, "c")] {
            frame(worlds.go(VIEW, at));
            last = produce(&mut worlds, key, 5).script;
        }
        let script: Script =
            serde_json::from_str(&last.expect("acting sends the script")).expect("a script");
        let late = frame(worlds.go(VIEW, 20_000));
        let early = frame(worlds.go(VIEW, 2_000));
        assert_eq!((early.end_ms, early.fork), (20_000, None));
        let replayed = World::replay(&script, Instant::from_millis(2_000)).expect("valid");
        assert_eq!(early.state, replayed.glance());
        assert_eq!(frame(worlds.go(VIEW, 20_000)).state, late.state);
        let records: u64 = early
            .state
            .topics
            .get("orders")
            .expect("topic")
            .partitions
            .iter()
            .map(|p| p.log_end_offset)
            .sum();
        assert_eq!(
            records, 5,
            "at 2 s the second batch still waits out linger.ms"
        );
    }

    #[test]
    fn acting_in_the_past_forks_and_undo_brings_the_later_actions_back() {
        let mut worlds = Worlds::default();
        frame(worlds.open(VIEW, &script(3), 0));
        for at in [1_000, 2_000, 3_000] {
            frame(worlds.go(VIEW, at));
            produce(&mut worlds, "k", 1);
        }
        let before = frame(worlds.go(VIEW, 5_000));
        frame(worlds.go(VIEW, 1_500));
        let forked = produce(&mut worlds, "fork", 4);
        assert_eq!(forked.fork, Some(2));
        assert_eq!(forked.actions, 2);
        assert_eq!(forked.end_ms, 1_500, "the future it replaced is gone");
        let undone = frame(worlds.undo_fork(VIEW));
        assert_eq!(undone.fork, None);
        assert_eq!(undone.actions, 3);
        assert_eq!(undone.at_ms, 1_500);
        assert_eq!(
            undone.end_ms, 5_000,
            "the timeline reaches as far as before the fork"
        );
        assert_eq!(frame(worlds.go(VIEW, 5_000)).state, before.state);
        assert!(matches!(worlds.undo_fork(VIEW), Reply::WorldRefused { .. }));
    }

    #[test]
    fn frames_list_the_newest_records_and_the_latest_rounds() {
        let mut worlds = Worlds::default();
        frame(worlds.open(VIEW, &script(1), 0));
        join(&mut worlds, 1, "range");
        produce(&mut worlds, "key-{i}", 50);
        let shown = frame(worlds.go(VIEW, 4_000));
        let tail = &shown.tails[0];
        assert_eq!(tail.len(), LANE_RECORDS);
        assert_eq!(
            tail.last().map(|r| (r.offset, r.key.as_deref())),
            Some((49, Some("key-49")))
        );
        assert_eq!(
            shown.state.produced.len(),
            1,
            "only the last record produced"
        );
        assert!(
            matches!(shown.rounds.as_slice(), [(group, rounds)] if group == "g" && !rounds.is_empty()),
            "the first join's rebalance: {:?}",
            shown.rounds
        );
        assert_eq!(shown.script, None, "moving does not change the script");
    }

    fn join_group(worlds: &mut Worlds, group: &str, count: u32) -> Box<WorldFrame> {
        frame(worlds.act(
            VIEW,
            Intent::Join {
                group: group.into(),
                topic: "orders".into(),
                count,
                strategy: "range".into(),
                records_per_s: 100.0,
                read_committed: false,
                static_members: false,
            },
        ))
    }

    fn lags(frame: &WorldFrame, group: &str) -> Vec<Option<u64>> {
        frame.state.groups.get(group).map_or_else(Vec::new, |g| {
            g.offsets.get("orders").map_or_else(Vec::new, |o| {
                o.0.iter().map(|(_, offset)| offset.lag).collect()
            })
        })
    }

    #[test]
    fn a_second_group_reads_everything_again_with_its_own_consumers() {
        let mut worlds = Worlds::default();
        frame(worlds.open(VIEW, &script(2), 0));
        join_group(&mut worlds, "g", 2);
        produce(&mut worlds, "key-{i}", 20);
        let second = join_group(&mut worlds, "billing", 1);
        let names: Vec<&str> = second
            .state
            .groups
            .get("billing")
            .expect("billing")
            .members
            .0
            .iter()
            .map(|(n, _)| n.as_str())
            .collect();
        assert_eq!(names, ["consumer-3"], "client ids are unique across groups");
        let read = frame(worlds.go(VIEW, 20_000));
        assert_eq!(lags(&read, "g"), [Some(0), Some(0)]);
        assert_eq!(lags(&read, "billing"), [Some(0), Some(0)]);
        assert_eq!(read.rounds.len(), 2, "each group's rounds");

        // Reset billing to the earliest offset: it reads the whole log again.
        let reset = frame(worlds.act(
            VIEW,
            Intent::ResetOffsets {
                group: "billing".into(),
                topic: "orders".into(),
                to: serde_json::from_value(serde_json::json!("earliest")).expect("a target"),
                strategy: "range".into(),
                records_per_s: 1.0,
            },
        ));
        let ends: Vec<Option<u64>> = reset
            .state
            .topics
            .get("orders")
            .expect("orders")
            .partitions
            .iter()
            .map(|p| Some(p.log_end_offset))
            .collect();
        assert_eq!(
            lags(&reset, "billing"),
            ends,
            "lag is the whole log after the reset"
        );
        assert_eq!(
            lags(&reset, "g"),
            [Some(0), Some(0)],
            "the other group is untouched"
        );
        let replaying = frame(worlds.go(VIEW, 30_000));
        let behind: u64 = lags(&replaying, "billing")
            .iter()
            .map(|l| l.unwrap_or(0))
            .sum();
        // 10 s later its consumer is replaying the batch its first poll returned (all 20 records, one
        // a second) and commits at its next poll, when the batch is done: the lag has not moved yet.
        assert_eq!(behind, 20, "records still to read again");

        // Removing or resetting a group with a crashed member is refused, as DeleteGroups and
        // kafka-consumer-groups.sh --reset-offsets refuse a group that is not Empty.
        crash_newest(&mut worlds, "g");
        match worlds.act(VIEW, Intent::RemoveGroup { group: "g".into() }) {
            Reply::WorldRefused { problems, .. } => {
                assert!(problems.contains("GROUP_NOT_EMPTY"), "{problems}")
            }
            other => panic!("removed a group with a crashed member: {other:?}"),
        }
        let reset_g = Intent::ResetOffsets {
            group: "g".into(),
            topic: "orders".into(),
            to: serde_json::from_value(serde_json::json!("earliest")).expect("a target"),
            strategy: "range".into(),
            records_per_s: 1.0,
        };
        match worlds.act(VIEW, reset_g) {
            Reply::WorldRefused { problems, .. } => {
                assert!(
                    problems.starts_with("GROUP_NOT_EMPTY: g still has 1 crashed member"),
                    "{problems}"
                )
            }
            other => panic!("reset a group with a crashed member: {other:?}"),
        }
        let waiting = frame(worlds.go(VIEW, 31_000));
        assert!(
            waiting
                .state
                .groups
                .get("g")
                .expect("g")
                .members
                .0
                .iter()
                .any(|(_, m)| m.session_expires_ms.is_some())
        );
        let removed = frame(worlds.act(
            VIEW,
            Intent::RemoveGroup {
                group: "billing".into(),
            },
        ));
        assert!(removed.state.groups.get("billing").is_none());
        assert_eq!(removed.rounds.len(), 1);
    }

    #[test]
    fn a_static_consumer_that_comes_back_in_time_keeps_its_partitions_without_a_rebalance() {
        let mut worlds = Worlds::default();
        frame(worlds.open(VIEW, &script(4), 0));
        let rejoin = || Intent::Rejoin {
            group: "g".into(),
            topic: "orders".into(),
            strategy: "range".into(),
            records_per_s: 2.0,
        };
        assert!(matches!(
            worlds.act(VIEW, rejoin()),
            Reply::WorldRefused { .. }
        ));
        frame(worlds.act(
            VIEW,
            Intent::Join {
                group: "g".into(),
                topic: "orders".into(),
                count: 2,
                strategy: "range".into(),
                records_per_s: 2.0,
                static_members: true,
                read_committed: false,
            },
        ));
        let stable = frame(worlds.go(VIEW, 10_000));
        let group = |f: &WorldFrame| f.state.groups.get("g").expect("g").clone();
        assert_eq!(group(&stable).generation, 1);
        let second = group(&stable)
            .members
            .get("consumer-2")
            .expect("consumer-2")
            .clone();
        assert_eq!(second.group_instance_id.as_deref(), Some("consumer-2-host"));
        // It stops (a static member sends no LeaveGroup) and comes back 20 s later, inside its session.
        frame(worlds.act(
            VIEW,
            Intent::Stop {
                group: "g".into(),
                count: 1,
                crash: false,
            },
        ));
        frame(worlds.go(VIEW, 30_000));
        let back = frame(worlds.act(VIEW, rejoin()));
        let later = frame(worlds.go(VIEW, 80_000));
        assert_eq!(
            group(&later).generation,
            1,
            "no rebalance: {:?}",
            later.rounds
        );
        let again = group(&later)
            .members
            .get("consumer-2")
            .expect("consumer-2")
            .clone();
        assert!(again.alive);
        assert_eq!(again.assigned, second.assigned);
        assert!(
            back.notice
                .as_deref()
                .is_some_and(|n| n.contains("does not rebalance"))
        );
    }

    #[test]
    fn recreating_the_topic_starts_an_empty_timeline_and_bad_scripts_are_refused() {
        let mut worlds = Worlds::default();
        frame(worlds.open(VIEW, &script(6), 0));
        produce(&mut worlds, "k", 3);
        let recreated = frame(worlds.act(
            VIEW,
            Intent::Recreate {
                topic: "orders".into(),
                partitions: 2,
            },
        ));
        assert_eq!(recreated.actions, 0);
        assert_eq!(
            recreated
                .state
                .topics
                .get("orders")
                .map(|t| t.partitions.len()),
            Some(2)
        );
        let Reply::WorldRefused { problems, .. } = worlds.open(VIEW, &script(0), 0) else {
            panic!("zero partitions")
        };
        assert!(problems.starts_with("topics[0].partitions"), "{problems}");
        let Reply::WorldRefused { problems, .. } = worlds.open(VIEW, "{\"version\": 1", 0) else {
            panic!("truncated JSON")
        };
        assert!(
            problems.starts_with("the script cannot be read: EOF"),
            "{problems}"
        );
        assert!(
            matches!(worlds.go(2, 0), Reply::Failed { .. }),
            "an unopened view"
        );
    }
}
