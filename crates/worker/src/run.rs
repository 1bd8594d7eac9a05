//! The order-flow run the page shows, and copies of it at earlier moments: going back re-simulates from
//! the last copy before the moment asked for, so time travel in the flow views costs at most one spacing
//! of events (the same numbers as running from the seed: the simulation is deterministic).
//!
//! A copy is taken every [`FLOW_CHECKPOINT_EVENTS`] events as the run moves forward; past
//! [`FLOW_CHECKPOINTS`] copies every other one is dropped and the spacing doubles, so a run of any length
//! keeps a bounded number. A copy that would take what the copies hold together past
//! [`FLOW_CHECKPOINTS_HELD`] is not kept: a heavy run's copies would otherwise cost many times its own
//! memory, and going back past the last copy re-simulates from an earlier one. Input: [`Run::go`] to a
//! moment with an event budget; output: the simulation there ([`Run::simulation`]).

use kplay_core::config::{FLOW_CHECKPOINT_EVENTS, FLOW_CHECKPOINTS, FLOW_CHECKPOINTS_HELD};
use kplay_core::sim::{Simulation, Status};
use kplay_core::time::Instant;

/// One numbered run with its copies.
pub(crate) struct Run {
    /// The page's number for it.
    pub(crate) id: u64,
    /// The run at time zero.
    start: Simulation,
    simulation: Simulation,
    /// Copies at earlier moments, oldest first, `spacing` events apart.
    checkpoints: Vec<Simulation>,
    spacing: u64,
    /// The event count at which the next copy is due.
    next_copy: u64,
    /// What the copies may hold together.
    copies_held: u64,
}

impl Run {
    /// Run `id` of `simulation`, at time zero.
    pub(crate) fn new(id: u64, simulation: Simulation) -> Self {
        Self::with_spacing(
            id,
            simulation,
            FLOW_CHECKPOINT_EVENTS,
            FLOW_CHECKPOINTS_HELD,
        )
    }

    /// [`Run::new`] with copies `spacing` events apart at first, holding at most `copies_held` together.
    fn with_spacing(id: u64, simulation: Simulation, spacing: u64, copies_held: u64) -> Self {
        Self {
            id,
            start: simulation.clone(),
            simulation,
            checkpoints: Vec::new(),
            spacing,
            next_copy: spacing,
            copies_held,
        }
    }

    /// The run at the moment reached.
    pub(crate) fn simulation(&self) -> &Simulation {
        &self.simulation
    }

    /// Moves the run to `to`, back or forth, processing at most `budget` events (it may stop short: the
    /// page asks again).
    pub(crate) fn go(&mut self, to: Instant, budget: u64) {
        if to < self.simulation.now() {
            let from = self
                .checkpoints
                .iter()
                .rev()
                .find(|c| c.now() <= to)
                .unwrap_or(&self.start);
            self.simulation = from.clone();
        }
        let mut left = budget;
        loop {
            let next = self.next_copy;
            let before = self.simulation.events();
            let chunk = left.min(next.saturating_sub(before).max(1));
            let status = self.simulation.run_until(to, chunk);
            let done = self.simulation.events() - before;
            left = left.saturating_sub(done);
            if status == Status::Running && self.simulation.events() >= next {
                self.checkpoint();
            }
            if status != Status::Running || done < chunk || left == 0 {
                return;
            }
        }
    }

    fn checkpoint(&mut self) {
        let held: u64 = self.checkpoints.iter().map(Simulation::held).sum();
        if held + self.simulation.held() <= self.copies_held {
            self.keep_copy();
        }
        self.next_copy = self.simulation.events() + self.spacing;
    }

    fn keep_copy(&mut self) {
        self.checkpoints.push(self.simulation.clone());
        if self.checkpoints.len() > FLOW_CHECKPOINTS {
            // Keep the newest and every other one before it.
            let newest = self.checkpoints.len() - 1;
            let mut index = 0;
            self.checkpoints.retain(|_| {
                let keep = (newest - index).is_multiple_of(2);
                index += 1;
                keep
            });
            self.spacing *= 2;
        }
    }
}

#[cfg(test)]
mod tests {
    use kplay_core::presets::{DEFAULT_SEED, find};

    use super::*;

    /// A preset's run with copies every 20,000 events (the presets are small), so that going back uses
    /// them and their number is thinned.
    fn run(preset: &str) -> Run {
        let scenario = find(preset).expect("preset").scenario(DEFAULT_SEED);
        Run::with_spacing(
            1,
            Simulation::new(&scenario).expect("valid"),
            20_000,
            u64::MAX,
        )
    }

    #[test]
    fn going_back_lands_on_the_same_numbers_as_going_forward() {
        let mut whole = run("black-friday");
        whole.go(Instant::from_micros(u64::MAX), u64::MAX);
        let eighth = whole.simulation().now().as_micros() / 8;
        let mut run = run("black-friday");
        let mut forward = Vec::new();
        for i in 1..=8 {
            run.go(Instant::from_micros(i * eighth), u64::MAX);
            forward.push(run.simulation().report());
        }
        assert!(
            run.checkpoints.len() > 2,
            "copies were taken: {} ({} events)",
            run.checkpoints.len(),
            whole.simulation().events()
        );
        for i in [3, 1, 7, 2, 8] {
            run.go(Instant::from_micros(i * eighth), u64::MAX);
            assert_eq!(
                run.simulation().report(),
                forward[i as usize - 1],
                "at {i} eighths"
            );
        }
    }

    #[test]
    fn copies_stay_bounded_and_a_slice_keeps_to_its_budget() {
        let mut run = run("black-friday");
        run.go(Instant::from_micros(u64::MAX), u64::MAX);
        assert!(run.checkpoints.len() <= FLOW_CHECKPOINTS);
        let end = run.simulation().events();
        run.go(Instant::from_millis(1), 0);
        assert!(run.simulation().events() < end, "back at a copy");
        let before = run.simulation().events();
        run.go(Instant::from_micros(u64::MAX), 1_000);
        assert_eq!(run.simulation().events(), before + 1_000);
    }

    #[test]
    fn a_heavy_run_keeps_only_the_copies_its_memory_allows() {
        // Black Friday at 1,000,000 orders/s: the backlog grows by about a million a second.
        let mut scenario = find("black-friday").expect("preset").scenario(DEFAULT_SEED);
        scenario.arrivals.rate_per_s = 1_000_000.0;
        let simulation = Simulation::new(&scenario).expect("valid");
        let mut run = Run::with_spacing(1, simulation, 50_000, 300_000);
        run.go(Instant::from_millis(400), u64::MAX);
        let held: Vec<u64> = run.checkpoints.iter().map(Simulation::held).collect();
        assert!(held.len() >= 2, "copies while they fit: {held:?}");
        assert!(held.iter().sum::<u64>() <= 300_000, "{held:?}");
        assert!(
            run.simulation().held() > 300_000,
            "the run outgrew them: {}",
            run.simulation().held()
        );
        // Going back past the copies still lands on the run's own numbers.
        let at = Instant::from_millis(350);
        run.go(at, u64::MAX);
        let mut straight = Simulation::new(&scenario).expect("valid");
        straight.run_until(at, u64::MAX);
        assert_eq!(run.simulation().report(), straight.report());
    }
}
