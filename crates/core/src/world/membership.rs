//! Members coming and going: the `join`, `leave` and `crash` actions, for consumer groups (whose
//! coordinator work is `group.rs` and poll loop `consumer.rs`) and share groups (`share.rs`).

use alloc::format;
use alloc::string::String;

use super::script::Action;
use super::{ActionError, EventKind, World, consumer, group, script, share};
use crate::time::Duration;

impl World {
    /// A `join` action. Says whether idle consumers should look again, as after most actions (a share
    /// consumer starts polling by itself).
    pub(super) fn handle_join(&mut self, action: &Action) -> Result<bool, ActionError> {
        let Action::Join {
            group,
            member,
            topics,
            strategy,
            protocol,
            group_remote_assignor,
            group_instance_id,
            records_per_s,
            processing_ms,
            max_poll_records,
            max_poll_interval_ms,
            auto_commit_interval_ms,
            auto_offset_reset,
            isolation_level,
            enable_auto_commit,
            forward_to,
            forward_producer,
            commit_interval_ms,
            group_type,
            acknowledge,
        } = action
        else {
            return Ok(false);
        };
        if *group_type == Some(script::GroupType::Share) {
            let interval = match (processing_ms, records_per_s.unwrap_or(100.0)) {
                (Some(ms), _) => Duration::from_millis(*ms),
                (None, rate) => per_record(rate),
            };
            self.share_join(&share::ShareJoin {
                group,
                member,
                topics,
                interval,
                max_poll_records: max_poll_records.unwrap_or(500),
                acknowledge: acknowledge.as_deref().cloned().unwrap_or_default(),
                earliest: auto_offset_reset.as_deref() == Some("earliest"),
            })?;
            return Ok(false);
        }
        let forward = self.forward_spec(
            topics,
            forward_to.as_deref(),
            forward_producer.as_deref(),
            *commit_interval_ms,
        )?;
        let max_poll_interval = Duration::from_millis(max_poll_interval_ms.unwrap_or(300_000));
        let mut config = script::group_config(
            protocol.as_deref(),
            strategy.as_deref(),
            group_remote_assignor.as_deref(),
        )
        .map_err(|err| ActionError::new(err.path, err.message))?;
        config.rebalance_timeout = max_poll_interval;
        let interval = match (processing_ms, records_per_s.unwrap_or(100.0)) {
            (Some(ms), _) => Some(Duration::from_millis(*ms)),
            (None, rate) if rate > 0.0 => Some(per_record(rate)),
            (None, _) => None,
        };
        let auto_commit = (forward.is_none() && enable_auto_commit.unwrap_or(true))
            .then(|| Duration::from_millis(auto_commit_interval_ms.unwrap_or(5_000)));
        self.join(&group::Join {
            group,
            member,
            topics,
            config,
            instance: group_instance_id.as_deref(),
            interval,
            reset: auto_offset_reset.as_deref(),
            reading: consumer::Reading {
                reset: crate::group::offsets::OffsetResetPolicy::Latest,
                read_committed: script::read_committed(isolation_level.as_deref())
                    .map_err(|message| ActionError::new("isolation_level", message))?,
                auto_commit,
                max_poll_records: max_poll_records.unwrap_or(500),
                max_poll_interval,
                forward,
            },
        })?;
        Ok(true)
    }

    /// A `leave` (`close()`) or `crash` action. Says whether idle consumers should look again.
    pub(super) fn handle_leave(
        &mut self,
        group: &str,
        member: &str,
        leaving: bool,
    ) -> Result<bool, ActionError> {
        if let Some(g) = self.share_index(group) {
            self.share_leave(g, member, leaving)?;
            return Ok(false);
        }
        let g = self.group_index(group)?;
        let m = self.member_index(g, member)?;
        let id = self.groups[g].members[m].id.clone();
        let (group, member) = (String::from(group), String::from(member));
        if self.groups[g].members[m].out_of_group {
            // Put out of the group on a poll timeout, it has nothing to leave.
            self.groups[g].members.remove(m);
            self.emit(if leaving {
                EventKind::Left { group, member }
            } else {
                EventKind::Crashed { group, member }
            });
            return Ok(false);
        }
        let alive = self.groups[g]
            .group
            .member(&id)
            .is_some_and(|x| x.is_alive());
        if !alive {
            return Err(ActionError::new(
                "member",
                format!("{member:?} has already stopped"),
            ));
        }
        if leaving {
            // close(): a stage, or an auto-committing member, commits what it processed.
            self.commit_stage(g, m);
            let member = &self.groups[g].members[m];
            if member.auto_commits() {
                for (tp, offset) in member.processed_uncommitted() {
                    self.commit(g, m, &tp, offset);
                }
            }
        } else if let Some(f) = self.groups[g].members[m].forward() {
            // A crashed process's producer buffers and pending offsets die with it; its open
            // transaction stays until transaction.timeout.ms.
            let p = f.producer;
            self.restart_stage_producer(p);
        }
        self.emit(if leaving {
            EventKind::Left { group, member }
        } else {
            EventKind::Crashed { group, member }
        });
        let now = self.now;
        self.group_op(g, |state| {
            if leaving {
                state.group.leave(now, &id)
            } else {
                state.group.crash(now, &id)
            }
        });
        Ok(true)
    }
}

/// The time to process one record at `rate` records a second: at least a microsecond (the rate was
/// checked to be at most 1,000,000/s).
fn per_record(rate: f64) -> Duration {
    Duration::from_micros(libm::round(1_000_000.0 / rate.max(f64::MIN_POSITIVE)).max(1.0) as u64)
}
