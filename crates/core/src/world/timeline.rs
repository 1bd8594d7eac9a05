//! Time travel: landing on any moment of a script cheaply.
//!
//! A world is a pure function of its script and the moment ([`World::replay`]), so any moment can be
//! recomputed from the start; a [`Timeline`] keeps a copy of the world every
//! [`CHECKPOINT_EVERY`] actions, so landing replays at most that many actions from the nearest
//! checkpoint before the moment. Acting "in the past" is the caller's fork: cut the script's actions after
//! the moment, append the new one, and build a new timeline.

use alloc::format;
use alloc::vec::Vec;

use super::{Script, World};
use crate::config::CHECKPOINT_EVERY;
use crate::problem::Problems;
use crate::time::Instant;

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
        let first = world.actions_applied() as usize;
        for step in &self.script.actions[first..] {
            let when = Instant::from_millis(step.at_ms);
            if when > at {
                break;
            }
            // The whole script was accepted in `new`, so each action is again.
            let _ = world.handle_action(when, &step.action);
        }
        world.handle_timeout(at);
        world.keep_events(true);
        world
    }
}
