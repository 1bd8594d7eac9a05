//! The worker's answers: one order-flow [`Simulation`] at a time, advanced in slices the page asks for,
//! and the world views' worlds ([`crate::worlds`]).
//!
//! Inputs are [`Request`]s, handled in arrival order by [`Engine::handle`], which returns the one
//! [`Reply`] each gets; the engine has no clock and no browser in it (a benchmark's timing comes in as a
//! function). Every run has the browser's budgets ([`Simulation::with_browser_budgets`]: events and what it
//! holds at once), which the page cannot lift: the heaviest valid scenario ends
//! within about 10 s of the worker's time and a few hundred MB with the report's `run.capped` saying where
//! it stopped, and a slice never takes more than its `budget` of events, so a new request
//! (another scenario, a pause) is answered soon after it is sent.

use kplay_core::config::BROWSER_EVENT_BUDGET;
use kplay_core::presets;
use kplay_core::sim::{Simulation, Status};
use kplay_core::time::Instant;

use crate::lessons::Lessons;
use crate::protocol::{Reply, Request, Snapshot, one_line};
use crate::run::Run;
use crate::worlds::Worlds;

/// The model behind the page: the current run, if one was started.
pub struct Engine {
    current: Option<Run>,
    budget: u64,
    worlds: Worlds,
    lessons: Lessons,
}

impl Default for Engine {
    fn default() -> Self {
        Self::with_event_budget(BROWSER_EVENT_BUDGET)
    }
}

impl Engine {
    /// An engine whose runs stop after `budget` events (the page's engine uses [`BROWSER_EVENT_BUDGET`]).
    #[must_use]
    pub fn with_event_budget(budget: u64) -> Self {
        Self {
            current: None,
            budget,
            worlds: Worlds::default(),
            lessons: Lessons::default(),
        }
    }

    /// Answers `request`. `clock_ms` reads a monotonic clock in milliseconds; only benchmarks use it.
    pub fn handle(&mut self, request: Request, clock_ms: &dyn Fn() -> f64) -> Reply {
        match request {
            Request::Start { run, scenario } => match Simulation::new(&scenario) {
                Ok(simulation) => {
                    let simulation = simulation
                        .with_browser_budgets()
                        .with_event_limit(self.budget);
                    let snapshot = snapshot(&simulation, false);
                    self.current = Some(Run::new(run, simulation));
                    Reply::Snapshot { run, snapshot }
                }
                Err(problems) => Reply::Refused {
                    run,
                    problems: one_line(&problems),
                },
            },
            Request::Advance {
                run,
                to_us,
                budget,
                partitions,
            } => match &mut self.current {
                Some(current) if current.id == run => {
                    current.go(Instant::from_micros(to_us), budget);
                    Reply::Snapshot {
                        run,
                        snapshot: snapshot(current.simulation(), partitions),
                    }
                }
                _ => Reply::Failed {
                    message: format!("run {run} is not the model's current run"),
                },
            },
            Request::Bench { preset } => bench(&preset, clock_ms),
            Request::WorldOpen {
                view,
                script,
                at_ms,
            } => self.worlds.open(view, &script, at_ms),
            Request::WorldGo { view, at_ms } => self.worlds.go(view, at_ms),
            Request::WorldAct { view, intent } => self.worlds.act(view, intent),
            Request::WorldUndoFork { view } => self.worlds.undo_fork(view),
            Request::LessonIndex => self.lessons.index(),
            Request::LessonOpen { id } => self.lessons.open(&id),
            Request::LessonCheck { id, step, guess } => self.lessons.check(&id, step, guess),
        }
    }

    /// Answers a request given as JSON text with its reply's bytes: what the worker's message port
    /// carries ([`crate::protocol`]). Text that is not a request gets a [`Reply::Failed`] naming the
    /// problem.
    pub fn handle_message(&mut self, text: &str, clock_ms: &dyn Fn() -> f64) -> Vec<u8> {
        let reply = match serde_json::from_str::<Request>(text) {
            Ok(request) => self.handle(request, clock_ms),
            Err(err) => Reply::Failed {
                message: format!("The model could not read a request: {err}."),
            },
        };
        reply.to_bytes()
    }
}

fn snapshot(simulation: &Simulation, partitions: bool) -> Box<Snapshot> {
    let services = simulation.scenario().services.len();
    Box::new(Snapshot {
        now_us: simulation.now().as_micros(),
        progress: simulation.progress(),
        finished: simulation.status() != Status::Running,
        picture: simulation.picture(),
        partition_lags: if partitions {
            (0..services)
                .map(|i| simulation.partition_lags(i).to_vec())
                .collect()
        } else {
            Vec::new()
        },
        report: simulation.report(),
    })
}

fn bench(preset: &str, clock_ms: &dyn Fn() -> f64) -> Reply {
    let Some(found) = presets::find(preset) else {
        return Reply::Failed {
            message: format!("unknown preset {preset:?}"),
        };
    };
    let Ok(mut simulation) = Simulation::new(&found.scenario(presets::DEFAULT_SEED)) else {
        return Reply::Failed {
            message: format!("preset {preset:?} is invalid"),
        };
    };
    let start = clock_ms();
    while simulation.step(u64::MAX) == Status::Running {}
    let seconds = (clock_ms() - start) / 1_000.0;
    Reply::Bench {
        events_per_s: simulation.events() as f64 / seconds,
    }
}

#[cfg(test)]
mod tests {
    use kplay_core::presets::{DEFAULT_SEED, PRESETS};
    use kplay_core::scenario::Scenario;

    use super::*;

    fn no_clock() -> f64 {
        0.0
    }

    fn start(engine: &mut Engine, run: u64, scenario: Scenario) -> Reply {
        engine.handle(
            Request::Start {
                run,
                scenario: Box::new(scenario),
            },
            &no_clock,
        )
    }

    fn to_end(run: u64) -> Request {
        Request::Advance {
            run,
            to_us: u64::MAX,
            budget: u64::MAX,
            partitions: true,
        }
    }

    #[test]
    fn a_run_to_the_end_through_json_is_the_cli_report_exactly() {
        for preset in PRESETS {
            let scenario = preset.scenario(DEFAULT_SEED);
            let mut engine = Engine::default();
            let request = serde_json::to_string(&Request::Start {
                run: 7,
                scenario: Box::new(scenario.clone()),
            })
            .expect("serializes");
            engine.handle_message(&request, &no_clock);
            let bytes = engine.handle_message(
                &serde_json::to_string(&to_end(7)).expect("serializes"),
                &no_clock,
            );
            let Reply::Snapshot { run, snapshot } = Reply::from_bytes(&bytes) else {
                panic!("{}: {:?}", preset.name, Reply::from_bytes(&bytes));
            };
            let direct = kplay_core::sim::simulate(&scenario).expect("valid preset");
            assert_eq!((run, snapshot.report), (7, direct), "{}", preset.name);
            assert!(snapshot.finished);
            assert_eq!(snapshot.partition_lags.len(), scenario.services.len());
        }
    }

    #[test]
    fn slices_stop_at_their_time_and_budget() {
        let mut engine = Engine::default();
        start(&mut engine, 1, PRESETS[0].scenario(DEFAULT_SEED));
        let advance = |engine: &mut Engine, to_us, budget| match engine.handle(
            Request::Advance {
                run: 1,
                to_us,
                budget,
                partitions: false,
            },
            &no_clock,
        ) {
            Reply::Snapshot { snapshot, .. } => snapshot,
            other => panic!("{other:?}"),
        };
        let at_one_second = advance(&mut engine, 1_000_000, u64::MAX);
        assert_eq!(at_one_second.now_us, 1_000_000);
        assert!(at_one_second.partition_lags.is_empty(), "not asked for");
        let ten_events = advance(&mut engine, u64::MAX, 10);
        assert_eq!(
            ten_events.report.run.events,
            at_one_second.report.run.events + 10
        );
    }

    #[test]
    fn a_refused_start_names_the_field_and_keeps_the_previous_run() {
        let mut engine = Engine::default();
        start(&mut engine, 1, PRESETS[0].scenario(DEFAULT_SEED));
        let mut broken = PRESETS[0].scenario(DEFAULT_SEED);
        broken.arrivals.rate_per_s = -5.0;
        let Reply::Refused { run, problems } = start(&mut engine, 2, broken) else {
            panic!("a negative rate is refused");
        };
        assert_eq!(run, 2);
        assert!(problems.contains("arrivals.rate_per_s"), "{problems}");
        assert!(matches!(
            engine.handle(to_end(1), &no_clock),
            Reply::Snapshot { run: 1, .. }
        ));
        assert!(matches!(
            engine.handle(to_end(2), &no_clock),
            Reply::Failed { .. }
        ));
    }

    #[test]
    fn unreadable_requests_and_unknown_presets_fail_with_a_message() {
        let mut engine = Engine::default();
        for (text, expected) in [
            ("{", "could not read a request"),
            (r#"{"kind":"launch"}"#, "unknown variant"),
            (r#"{"kind":"bench","preset":"nope"}"#, "unknown preset"),
        ] {
            let reply = Reply::from_bytes(&engine.handle_message(text, &no_clock));
            assert!(
                matches!(&reply, Reply::Failed { message } if message.contains(expected)),
                "{text}: {reply:?}"
            );
        }
        assert!(matches!(
            Reply::from_bytes(&[0xff, 0xff]),
            Reply::Failed { message } if message.contains("unreadable reply")
        ));
    }

    #[test]
    fn a_run_stops_at_the_browser_budget_and_says_so() {
        let mut scenario = PRESETS[0].scenario(DEFAULT_SEED);
        scenario.arrivals.rate_per_s = 1_000_000.0;
        scenario.duration_ms = 60_000;
        assert_eq!(Engine::default().budget, BROWSER_EVENT_BUDGET);
        // A lower budget, so the test runs in milliseconds: the same path as the page's.
        let mut engine = Engine::with_event_budget(1_000);
        start(&mut engine, 1, scenario);
        let Reply::Snapshot { snapshot, .. } = engine.handle(to_end(1), &no_clock) else {
            panic!("advances");
        };
        assert!(snapshot.finished);
        assert_eq!(snapshot.report.run.events, 1_000);
        assert!(
            snapshot
                .report
                .run
                .capped
                .as_deref()
                .is_some_and(|m| m.starts_with("stopped after 1,000 events")),
            "{:?}",
            snapshot.report.run.capped
        );
    }
}
