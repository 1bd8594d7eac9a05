//! Time travel: landing on any moment of a script cheaply.
//!
//! A world is a pure function of its script and the moment ([`World::replay`]), so any moment can be
//! recomputed from the start; a [`Timeline`] keeps a copy of the world every
//! [`CHECKPOINT_EVERY`] actions, so landing replays at most that many actions from the nearest
//! checkpoint before the moment. Acting "in the past" forks ([`Timeline::act`]): the actions after that
//! moment are dropped and kept aside in a [`Fork`], so the view can say so and [`Timeline::undo_fork`] can
//! bring them back.

use alloc::format;
use alloc::vec::Vec;

use super::{Action, ActionError, Script, ScriptAction, World};
use crate::config::CHECKPOINT_EVERY;
use crate::problem::Problems;
use crate::time::Instant;

/// What acting in the past cut from the timeline, to restore with [`Timeline::undo_fork`].
#[derive(Debug, Clone, PartialEq)]
pub struct Fork {
    /// The actions dropped, in order.
    pub dropped: Vec<ScriptAction>,
    /// How many actions the timeline kept before the new one.
    kept: usize,
}

/// A script with checkpoints.
#[derive(Debug, Clone)]
pub struct Timeline {
    script: Script,
    /// `checkpoints[k]`: the world before action `k × CHECKPOINT_EVERY`, events off.
    checkpoints: Vec<World>,
}

impl Timeline {
    /// Runs the script once, keeping checkpoints.
    ///
    /// # Errors
    /// Every problem of the script ([`World::from_script`]'s).
    pub fn new(script: Script) -> Result<Self, Problems> {
        let mut world = World::new(&script)?;
        world.keep_events(false);
        let mut checkpoints = Vec::with_capacity(script.actions.len() / CHECKPOINT_EVERY + 1);
        let mut problems = Problems::default();
        for (i, step) in script.actions.iter().enumerate() {
            if i % CHECKPOINT_EVERY == 0 {
                checkpoints.push(world.clone());
            }
            if let Err(err) = world.handle_action(Instant::from_millis(step.at_ms), &step.action) {
                problems.add(format!("actions[{i}].{}", err.field), err.message);
            }
        }
        if checkpoints.is_empty() {
            checkpoints.push(world);
        }
        if problems.is_empty() {
            Ok(Self {
                script,
                checkpoints,
            })
        } else {
            Err(problems)
        }
    }

    /// The script.
    #[must_use]
    pub fn script(&self) -> &Script {
        &self.script
    }

    /// The world at `at`: the same as [`World::replay`] gives, from the nearest checkpoint. Its events
    /// are on, empty, and start from `at`.
    #[must_use]
    pub fn land(&self, at: Instant) -> World {
        let k = self
            .checkpoints
            .partition_point(|w| w.now() <= at)
            .saturating_sub(1);
        let mut world = self.checkpoints[k].clone();
        self.advance(&mut world, at);
        world.keep_events(true);
        world
    }

    /// Moves `world`, a world of this timeline at or before `to`, on to `to`: the script's actions up to
    /// `to` that it has not applied yet, then its timers. Playing forward this way gives the world
    /// [`Self::land`] gives, without starting again from a checkpoint.
    pub fn advance(&self, world: &mut World, to: Instant) {
        let first = (world.actions_applied() as usize).min(self.script.actions.len());
        for step in &self.script.actions[first..] {
            let when = Instant::from_millis(step.at_ms);
            if when > to {
                break;
            }
            // The whole script was accepted when it joined the timeline, so each action is again.
            let _ = world.handle_action(when, &step.action);
        }
        world.handle_timeout(to);
    }

    /// Applies `action` at `at`. At or after the last action it is appended; earlier, the actions after
    /// `at` are dropped first (a fork), and returned so they can be restored. Only checkpoints after the cut
    /// are recomputed.
    ///
    /// # Errors
    /// [`ActionError`] if the world at `at` refuses the action; the timeline is then unchanged.
    pub fn act(&mut self, at: Instant, action: Action) -> Result<Option<Fork>, ActionError> {
        self.act_all(at, alloc::vec![action])
            .map_err(|(_, err)| err)
    }

    /// [`Self::act`] for several actions at one moment, in order: all of them join the timeline, or
    /// none does.
    ///
    /// # Errors
    /// The index of the first action the world refuses and why; the timeline is then unchanged.
    pub fn act_all(
        &mut self,
        at: Instant,
        actions: Vec<Action>,
    ) -> Result<Option<Fork>, (usize, ActionError)> {
        // Scripts count whole milliseconds.
        let at = Instant::from_millis(at.as_millis());
        let kept = self
            .script
            .actions
            .partition_point(|a| Instant::from_millis(a.at_ms) <= at);
        let mut world = self.land(at);
        world.keep_events(false);
        for (i, action) in actions.iter().enumerate() {
            world.handle_action(at, action).map_err(|err| (i, err))?;
        }
        let dropped = self.script.actions.split_off(kept);
        self.script
            .actions
            .extend(actions.into_iter().map(|action| ScriptAction {
                at_ms: at.as_millis(),
                action,
            }));
        self.recheckpoint(kept);
        Ok((!dropped.is_empty()).then_some(Fork { dropped, kept }))
    }

    /// Restores what `fork` dropped, undoing every action taken since the fork.
    pub fn undo_fork(&mut self, fork: Fork) {
        self.script.actions.truncate(fork.kept);
        self.script.actions.extend(fork.dropped);
        self.recheckpoint(fork.kept);
    }

    /// Recomputes the checkpoints from action `from` on (those before it still hold).
    fn recheckpoint(&mut self, from: usize) {
        let keep = from / CHECKPOINT_EVERY + 1;
        self.checkpoints.truncate(keep.min(self.checkpoints.len()));
        let Some(mut world) = self.checkpoints.last().cloned() else {
            return;
        };
        let start = world.actions_applied() as usize;
        for (i, step) in self.script.actions.iter().enumerate().skip(start) {
            if i % CHECKPOINT_EVERY == 0 && i > start {
                self.checkpoints.push(world.clone());
            }
            // Every action was accepted when it joined the script.
            let _ = world.handle_action(Instant::from_millis(step.at_ms), &step.action);
        }
    }
}
