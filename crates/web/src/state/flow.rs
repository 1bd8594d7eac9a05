//! The sync-vs-event-driven view's state: the chosen scenario, the controls around it, and the latest
//! [`Snapshot`] of its run, which the model's worker computes ([`crate::model`]); the page never simulates.
//!
//! The state is a reducer that sends requests and takes replies. Changing a control starts a new run with
//! the edited scenario: the worker checks it and answers with the run at time zero, or refuses it with
//! every problem and the previous run goes on. While playing, each animation tick asks for the elapsed
//! wall time × the speed of simulated time (at most [`PLAY_BUDGET`] events); "Step" and "Run to end" ask
//! for slices of [`SLICE_BUDGET`] events one after the other until they are done, so a pause or a new
//! scenario is answered within one slice. One request is outstanding at a time: ticks that come while the
//! worker is busy add their time to the next request, so a slow model slows the run, never the page.
//! The timeline goes back as well as forth ([`FlowAction::Seek`], [`FlowAction::StepBack`]): the worker
//! re-simulates from its last copy of the run before that moment, so every moment shows the numbers the
//! run had there.

use std::rc::Rc;

use kplay_core::config::{ORDER_RATE_PER_S, PARTITIONS};
use kplay_core::presets::{self, PRESETS};
use kplay_core::problem::quote;
use kplay_core::scenario::{Outage, Scenario};
use kplay_core::sim::event_flow::PartitionLag;
use kplay_core::sim::picture::FlowPicture;
use kplay_core::sim::report::Report;
use kplay_core::time::{Duration, Instant};
use kplay_worker::protocol::{Reply, Request, Snapshot};

use super::MAX_CATCH_UP_MS;
use crate::model::Outbox;

/// Events the worker processes at most for one animation tick: about 20 ms of its time at the wasm
/// build's ~5 M events/s, so a tick's reply is back before the next few frames.
pub const PLAY_BUDGET: u64 = 100_000;
/// Events per slice of "Step" and "Run to end": about 50 ms of the worker's time.
pub const SLICE_BUDGET: u64 = 250_000;
/// Simulated time one press of "step" advances.
pub const STEP_MS: u64 = 1_000;
/// Speeds offered, as multiples of real time.
pub const SPEEDS: [u32; 4] = [1, 10, 100, 1_000];
/// The preset the view opens with.
pub const DEFAULT_PRESET: &str = "sync-vs-async";

/// How the run is advancing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Not advancing.
    Paused,
    /// Advancing at `speed` × real time.
    Playing,
    /// Advancing a slice after another until the end.
    FastForward,
}

/// Everything the view draws.
#[derive(Clone, Debug)]
pub struct FlowState {
    /// The preset the scenario is named after, if any.
    pub preset: Option<&'static str>,
    /// The scenario the controls show: the current run's, or the one being started. Shared, so the
    /// state's per-frame clone and the views watching it for changes copy no scenario.
    pub scenario: Rc<Scenario>,
    /// The worker's current run and its scenario (none until the first start is answered).
    current: Option<(u64, Rc<Scenario>)>,
    /// The run a start was requested for and not yet answered.
    starting: Option<u64>,
    last_run: u64,
    /// Whether an advance is outstanding.
    advancing: bool,
    snapshot: Rc<Snapshot>,
    /// How the run advances.
    pub mode: Mode,
    /// Speed multiple while playing.
    pub speed: u32,
    /// Why the last action was refused, or what went wrong.
    pub error: Option<String>,
    /// Where a step or a seek stops, in simulated µs.
    step_to: Option<u64>,
    /// The furthest moment the run has reached, in simulated µs (the timeline's end).
    furthest_us: u64,
    /// Wall time played and not yet asked for.
    owed_ms: f64,
    /// Whether replies should carry per-partition lags (a view shows them).
    partitions: bool,
    outbox: Outbox,
    /// Bumped on every change, so equality is cheap.
    version: u64,
}

impl PartialEq for FlowState {
    fn eq(&self, other: &Self) -> bool {
        self.version == other.version && self.outbox == other.outbox
    }
}

/// What the user, the animation clock or the model's worker can do.
#[derive(Debug, Clone, PartialEq)]
pub enum FlowAction {
    /// Load a preset by name.
    SelectPreset(String),
    /// Replace the scenario (from a link, a file or storage).
    Load(Box<Scenario>),
    /// Something the user asked for was refused; show why.
    Refuse(String),
    /// Set orders per second, as typed.
    SetRate(String),
    /// Set the topic's partition count, as typed.
    SetPartitions(String),
    /// Give service `index` an outage over the middle third of the arrival period, or remove its outages.
    ToggleOutage(usize),
    /// Start or pause.
    ToggleRun,
    /// Advance [`STEP_MS`] of simulated time.
    Step,
    /// Go back [`STEP_MS`] of simulated time, paused.
    StepBack,
    /// Go to this moment (ms of simulated time), back or forth, paused.
    Seek(u64),
    /// Set the speed, as chosen.
    SetSpeed(String),
    /// Run to the end as fast as the model goes.
    Finish,
    /// The animation clock: `wall_ms` of real time passed.
    Tick {
        /// Real milliseconds since the last tick.
        wall_ms: f64,
    },
    /// Whether a view showing per-partition lags is open.
    WatchPartitions(bool),
    /// The model's worker answered.
    Reply(Reply),
}

impl FlowState {
    /// The view starting `scenario` (the default preset if none) and going to moment `at_ms` (paused) once
    /// the run is there, sending its requests to `outbox`.
    #[must_use]
    pub fn new(scenario: Option<Scenario>, at_ms: u64, outbox: Outbox) -> Self {
        let scenario = scenario.unwrap_or_else(|| default_preset().scenario(presets::DEFAULT_SEED));
        let mut state = Self {
            preset: None,
            scenario: Rc::new(scenario.clone()),
            current: None,
            starting: None,
            last_run: 0,
            advancing: false,
            snapshot: Rc::default(),
            mode: Mode::Paused,
            speed: 1,
            error: None,
            step_to: None,
            furthest_us: 0,
            owed_ms: 0.0,
            partitions: false,
            outbox,
            version: 0,
        };
        state.start(scenario);
        state.step_to = (at_ms > 0).then(|| at_ms.saturating_mul(1_000));
        state
    }

    /// The latest report (all zeros until the model has answered).
    #[must_use]
    pub fn report(&self) -> &Report {
        &self.snapshot.report
    }

    /// The latest snapshot, shared (for what keeps it, like an export button).
    #[must_use]
    pub fn snapshot(&self) -> &Rc<Snapshot> {
        &self.snapshot
    }

    /// Simulated time reached.
    #[must_use]
    pub fn now(&self) -> Instant {
        Instant::from_micros(self.snapshot.now_us)
    }

    /// How far the run is, 0 to 1.
    #[must_use]
    pub fn progress(&self) -> f64 {
        self.snapshot.progress
    }

    /// Where the run stands for links and the autosave, in simulated ms ([`super::link_moment`]; running
    /// to the end counts as 1× real time: whole seconds).
    #[must_use]
    pub fn moment_ms(&self) -> u64 {
        let speed = match self.mode {
            Mode::Paused => None,
            Mode::Playing => Some(u64::from(self.speed)),
            Mode::FastForward => Some(1),
        };
        super::link_moment(self.now().as_millis(), speed)
    }

    /// The furthest moment the run has reached: the timeline's end.
    #[must_use]
    pub fn furthest(&self) -> Instant {
        Instant::from_micros(self.furthest_us)
    }

    /// Whether the run has ended (every order finished everywhere, or its event budget spent).
    #[must_use]
    pub fn finished(&self) -> bool {
        self.snapshot.finished
    }

    /// Whether the model has not answered yet: nothing to show.
    #[must_use]
    pub fn loading(&self) -> bool {
        self.current.is_none()
    }

    /// Where the orders are right now: waiting on the synchronous chain, in each group's lag.
    #[must_use]
    pub fn picture(&self) -> &FlowPicture {
        &self.snapshot.picture
    }

    /// Per partition, service `service`'s consumer lag now and at its peak (empty unless a view asked
    /// for them with [`FlowAction::WatchPartitions`]).
    #[must_use]
    pub fn partition_lags(&self, service: usize) -> &[PartitionLag] {
        self.snapshot
            .partition_lags
            .get(service)
            .map_or(&[], Vec::as_slice)
    }

    /// Applies `action` in place.
    pub fn apply(&mut self, action: FlowAction) {
        self.version += 1;
        match action {
            FlowAction::SelectPreset(name) => match presets::find(&name) {
                Some(preset) => self.restart(preset.scenario(presets::DEFAULT_SEED)),
                None => self.error = Some(format!("Unknown preset {name}.", name = quote(&name))),
            },
            FlowAction::Load(scenario) => self.restart(*scenario),
            FlowAction::Refuse(message) => self.error = Some(message),
            FlowAction::SetRate(typed) => match typed.trim().parse::<f64>() {
                Ok(rate) if ORDER_RATE_PER_S.contains(&rate) => {
                    let mut scenario = Scenario::clone(&self.scenario);
                    scenario.arrivals.rate_per_s = rate;
                    self.restart(scenario);
                }
                _ => {
                    self.error = Some(format!(
                        "Order rate: {typed} is not a number from {} to {}.",
                        ORDER_RATE_PER_S.start(),
                        ORDER_RATE_PER_S.end(),
                        typed = quote(&typed)
                    ))
                }
            },
            FlowAction::SetPartitions(typed) => {
                match super::whole_number("Partitions", &typed, PARTITIONS) {
                    Ok(partitions) => {
                        let mut scenario = Scenario::clone(&self.scenario);
                        scenario.topic.partitions = partitions;
                        self.restart(scenario);
                    }
                    Err(message) => self.error = Some(message),
                }
            }
            FlowAction::ToggleOutage(index) => {
                let mut scenario = Scenario::clone(&self.scenario);
                let third = scenario.duration_ms / 3;
                match scenario.services.get_mut(index) {
                    Some(service) if service.outages.is_empty() => {
                        service.outages = vec![Outage {
                            from_ms: third,
                            to_ms: 2 * third.max(1),
                        }];
                    }
                    Some(service) => service.outages.clear(),
                    None => return,
                }
                self.restart(scenario);
            }
            FlowAction::ToggleRun => {
                self.step_to = None;
                self.owed_ms = 0.0;
                self.mode = match self.mode {
                    _ if self.finished() => Mode::Paused,
                    Mode::Paused => Mode::Playing,
                    Mode::Playing | Mode::FastForward => Mode::Paused,
                };
            }
            FlowAction::Step => {
                self.mode = Mode::Paused;
                let target = self.now() + Duration::from_millis(STEP_MS);
                self.step_to = Some(target.as_micros());
                self.kick();
            }
            FlowAction::StepBack => {
                let back = self.now().as_millis().saturating_sub(STEP_MS);
                self.apply(FlowAction::Seek(back));
            }
            FlowAction::Seek(at_ms) => {
                self.mode = Mode::Paused;
                self.owed_ms = 0.0;
                self.step_to = Some(at_ms.saturating_mul(1_000));
                self.kick();
            }
            FlowAction::SetSpeed(chosen) => match chosen.trim_end_matches('×').parse::<u32>() {
                Ok(speed) if SPEEDS.contains(&speed) => self.speed = speed,
                _ => {
                    self.error = Some(format!(
                        "Speed: {chosen} is not one of 1×, 10×, 100×, 1000×.",
                        chosen = quote(&chosen)
                    ))
                }
            },
            FlowAction::Finish => {
                if !self.finished() {
                    self.mode = Mode::FastForward;
                    self.step_to = None;
                    self.kick();
                }
            }
            FlowAction::Tick { wall_ms } => {
                if self.mode == Mode::Playing {
                    self.owed_ms = (self.owed_ms + wall_ms.max(0.0)).min(MAX_CATCH_UP_MS as f64);
                    self.kick();
                }
            }
            FlowAction::WatchPartitions(on) => self.partitions = on,
            FlowAction::Reply(reply) => self.take(reply),
        }
    }

    /// Starts `scenario` for the user: a refusal shows why and keeps the current run.
    fn restart(&mut self, scenario: Scenario) {
        self.error = None;
        self.start(scenario);
    }

    /// Asks for a run of `scenario`. It starts paused, with what the user does meanwhile (run, run to end)
    /// applied once the model has accepted it.
    fn start(&mut self, scenario: Scenario) {
        self.mode = Mode::Paused;
        self.step_to = None;
        self.owed_ms = 0.0;
        self.furthest_us = 0;
        self.last_run += 1;
        self.starting = Some(self.last_run);
        self.preset = preset_named(&scenario);
        self.scenario = Rc::new(scenario.clone());
        self.outbox.send(Request::Start {
            run: self.last_run,
            scenario: Box::new(scenario),
        });
    }

    fn take(&mut self, reply: Reply) {
        match reply {
            Reply::Snapshot { run, snapshot } => {
                if self.starting == Some(run) {
                    // The new run, at time zero.
                    self.starting = None;
                    self.current = Some((run, Rc::clone(&self.scenario)));
                    self.snapshot = Rc::from(snapshot);
                } else {
                    self.advancing = false;
                    if self
                        .current
                        .as_ref()
                        .is_some_and(|(current, _)| *current == run)
                    {
                        self.snapshot = Rc::from(snapshot);
                    }
                }
                self.furthest_us = self.furthest_us.max(self.snapshot.now_us);
                if self.finished() {
                    self.mode = Mode::Paused;
                    self.step_to = None;
                }
                self.kick();
            }
            Reply::Refused { run, problems } if self.starting == Some(run) => {
                self.starting = None;
                self.error = Some(match self.current {
                    Some(_) => problems,
                    None => format!(
                        "The scenario could not be run ({problems}); the default scenario is shown instead."
                    ),
                });
                match &self.current {
                    Some((_, scenario)) => {
                        self.scenario = Rc::clone(scenario);
                        self.preset = preset_named(scenario);
                    }
                    // Nothing ran yet (a broken link or autosave): run the default instead.
                    None => self.start(default_preset().scenario(presets::DEFAULT_SEED)),
                }
            }
            Reply::Failed { message } => {
                self.advancing = false;
                self.mode = Mode::Paused;
                self.step_to = None;
                self.error = Some(message);
            }
            // World replies go to the world views (`crate::state::world`), lesson replies to the lesson
            // (`crate::state::lesson`).
            Reply::Refused { .. }
            | Reply::Bench { .. }
            | Reply::Ready
            | Reply::World { .. }
            | Reply::WorldRefused { .. }
            | Reply::Lessons { .. }
            | Reply::Lesson { .. }
            | Reply::LessonChecked { .. }
            | Reply::LessonRefused { .. } => {}
        }
    }

    /// Sends the next advance the mode calls for, unless the worker is busy or nothing is running.
    fn kick(&mut self) {
        let Some((run, _)) = self.current else {
            return;
        };
        let now = self.snapshot.now_us;
        let back = self.step_to.is_some_and(|target| target < now);
        if self.advancing || self.starting.is_some() || (self.finished() && !back) {
            return;
        }
        let (to_us, budget) = match (self.step_to, self.mode) {
            (Some(target), _) if now != target => (target, SLICE_BUDGET),
            (Some(_), _) => {
                self.step_to = None;
                return;
            }
            (None, Mode::FastForward) => (u64::MAX, SLICE_BUDGET),
            (None, Mode::Playing) if self.owed_ms > 0.0 => {
                let simulated_us = self.owed_ms * f64::from(self.speed) * 1_000.0;
                self.owed_ms = 0.0;
                (now.saturating_add(simulated_us as u64), PLAY_BUDGET)
            }
            (None, Mode::Playing | Mode::Paused) => return,
        };
        self.advancing = true;
        self.outbox.send(Request::Advance {
            run,
            to_us,
            budget,
            partitions: self.partitions,
        });
    }
}

fn default_preset() -> &'static presets::Preset {
    presets::find(DEFAULT_PRESET).unwrap_or(&PRESETS[0])
}

fn preset_named(scenario: &Scenario) -> Option<&'static str> {
    scenario
        .name
        .as_deref()
        .and_then(presets::find)
        .map(|p| p.name)
}

super::reducible!(FlowState, FlowAction);

#[cfg(test)]
mod tests {
    use std::cell::RefCell;
    use std::collections::VecDeque;

    use kplay_worker::engine::Engine;

    use super::*;

    /// A state wired to an engine on this thread: requests queue up until [`Harness::pump`] answers them.
    struct Harness {
        state: FlowState,
        sent: Rc<RefCell<VecDeque<Request>>>,
        engine: Engine,
    }

    impl Harness {
        fn new(scenario: Option<Scenario>) -> Self {
            Self::at(scenario, 0)
        }

        /// A state opened at moment `at_ms`, as a link with `at=` opens it.
        fn at(scenario: Option<Scenario>, at_ms: u64) -> Self {
            let sent: Rc<RefCell<VecDeque<Request>>> = Rc::default();
            let outbox = {
                let sent = Rc::clone(&sent);
                Outbox::new(move |request| sent.borrow_mut().push_back(request))
            };
            let mut harness = Self {
                state: FlowState::new(scenario, at_ms, outbox),
                sent,
                engine: Engine::default(),
            };
            harness.pump();
            harness
        }

        fn preset(name: &str) -> Self {
            Self::new(presets::find(name).map(|p| p.scenario(presets::DEFAULT_SEED)))
        }

        /// Answers every request, including those the answers lead to.
        fn pump(&mut self) {
            loop {
                let request = self.sent.borrow_mut().pop_front();
                let Some(request) = request else { break };
                let reply = self.engine.handle(request, &|| 0.0);
                self.state.apply(FlowAction::Reply(reply));
            }
        }

        fn apply(&mut self, action: FlowAction) {
            self.state.apply(action);
            self.pump();
        }
    }

    #[test]
    fn running_to_the_end_in_slices_reproduces_the_cli_report() {
        let mut run = Harness::preset("poison-message");
        assert!(!run.state.loading());
        run.apply(FlowAction::Finish);
        let direct = kplay_core::sim::simulate(&run.state.scenario).expect("valid preset");
        assert_eq!(*run.state.report(), direct);
        assert!(run.state.finished());
        assert_eq!(run.state.mode, Mode::Paused);
        assert!((run.state.progress() - 1.0).abs() < f64::EPSILON);
    }

    #[test]
    fn stepping_back_and_seeking_show_each_moment_as_the_run_had_it() {
        let mut run = Harness::preset("inventory-outage");
        let mut seen = Vec::new();
        for _ in 0..4 {
            run.apply(FlowAction::Step);
            seen.push(run.state.report().clone());
        }
        assert_eq!(run.state.now(), Instant::from_millis(4_000));
        run.apply(FlowAction::StepBack);
        assert_eq!(run.state.now(), Instant::from_millis(3_000));
        assert_eq!(*run.state.report(), seen[2]);
        run.apply(FlowAction::Seek(1_000));
        assert_eq!(*run.state.report(), seen[0]);
        assert_eq!(
            run.state.furthest(),
            Instant::from_millis(4_000),
            "the timeline's end stays"
        );
        // From the end, back: the finished run opens again at that moment.
        run.apply(FlowAction::Finish);
        assert!(run.state.finished());
        run.apply(FlowAction::Seek(2_000));
        assert!(!run.state.finished());
        assert_eq!(*run.state.report(), seen[1]);
        assert_eq!(run.state.mode, Mode::Paused);
    }

    #[test]
    fn opening_at_a_moment_shows_the_numbers_the_run_had_there() {
        let preset = presets::find("inventory-outage").expect("preset");
        let mut played = Harness::preset("inventory-outage");
        for _ in 0..7 {
            played.apply(FlowAction::Step);
        }
        played.apply(FlowAction::StepBack);
        assert_eq!(played.state.moment_ms(), 6_000);

        let opened = Harness::at(Some(preset.scenario(presets::DEFAULT_SEED)), 6_000);
        assert_eq!(opened.state.moment_ms(), 6_000);
        assert_eq!(opened.state.furthest(), Instant::from_millis(6_000));
        assert_eq!(opened.state.mode, Mode::Paused);
        assert_eq!(*opened.state.report(), *played.state.report());
        assert_eq!(opened.state.picture(), played.state.picture());
    }

    #[test]
    fn nothing_shows_until_the_model_answers() {
        let sent: Rc<RefCell<VecDeque<Request>>> = Rc::default();
        let outbox = {
            let sent = Rc::clone(&sent);
            Outbox::new(move |request| sent.borrow_mut().push_back(request))
        };
        let mut state = FlowState::new(None, 0, outbox);
        assert!(state.loading());
        state.apply(FlowAction::ToggleRun);
        state.apply(FlowAction::Tick { wall_ms: 16.0 });
        assert!(
            matches!(
                sent.borrow().iter().collect::<Vec<_>>()[..],
                [Request::Start { run: 1, .. }]
            ),
            "no advance before the run exists: {:?}",
            sent.borrow()
        );
    }

    #[test]
    fn what_the_user_does_while_a_run_starts_applies_to_it() {
        let mut run = Harness::preset("sync-vs-async");
        run.state
            .apply(FlowAction::SelectPreset("poison-message".into()));
        run.state.apply(FlowAction::Finish);
        assert_eq!(run.state.mode, Mode::FastForward);
        run.pump();
        assert!(run.state.finished(), "run to end once the new run exists");
        assert_eq!(
            run.state.report().run.name.as_deref(),
            Some("poison-message")
        );
    }

    #[test]
    fn playing_advances_by_wall_time_times_speed() {
        let mut run = Harness::preset("sync-vs-async");
        run.apply(FlowAction::SetSpeed("100×".into()));
        run.apply(FlowAction::ToggleRun);
        run.apply(FlowAction::Tick { wall_ms: 20.0 });
        assert_eq!(run.state.now(), Instant::from_millis(2_000));
        run.apply(FlowAction::ToggleRun);
        run.apply(FlowAction::Tick { wall_ms: 20.0 });
        assert_eq!(run.state.now(), Instant::from_millis(2_000), "paused");
        run.apply(FlowAction::Step);
        assert_eq!(run.state.now(), Instant::from_millis(3_000));
        assert!(run.state.report().sync.orders > 0);
    }

    #[test]
    fn ticks_while_the_model_is_busy_add_up_into_one_request() {
        let mut run = Harness::preset("sync-vs-async");
        run.apply(FlowAction::SetSpeed("10×".into()));
        run.apply(FlowAction::ToggleRun);
        for _ in 0..3 {
            run.state.apply(FlowAction::Tick { wall_ms: 10.0 });
        }
        assert_eq!(run.sent.borrow().len(), 1, "one request outstanding");
        let reply = run
            .engine
            .handle(run.sent.borrow_mut().remove(0).expect("sent"), &|| 0.0);
        run.state.apply(FlowAction::Reply(reply));
        assert_eq!(run.state.now(), Instant::from_millis(100), "the first tick");
        assert!(
            matches!(
                run.sent.borrow().front(),
                Some(Request::Advance { to_us: 300_000, .. })
            ),
            "the reply sends the two ticks that waited at once: {:?}",
            run.sent.borrow()
        );
        run.pump();
        assert_eq!(run.state.now(), Instant::from_millis(300));
    }

    #[test]
    fn invalid_controls_are_refused_and_change_nothing() {
        let mut run = Harness::preset("sync-vs-async");
        let before = run.state.scenario.clone();
        for action in [
            FlowAction::SetRate("fast".into()),
            FlowAction::SetRate("0".into()),
            FlowAction::SetPartitions("0".into()),
            FlowAction::SetSpeed("3×".into()),
            FlowAction::SelectPreset("nope".into()),
        ] {
            run.state.error = None;
            run.apply(action.clone());
            assert!(run.state.error.is_some(), "{action:?}");
            assert_eq!(run.state.scenario, before, "{action:?}");
        }
        run.apply(FlowAction::SetRate("120".into()));
        assert_eq!(
            (
                run.state.scenario.arrivals.rate_per_s,
                run.state.error.clone()
            ),
            (120.0, None)
        );
    }

    #[test]
    fn a_scenario_the_model_refuses_names_its_problems_and_keeps_the_run() {
        let mut run = Harness::preset("poison-message");
        run.apply(FlowAction::Step);
        let before = (run.state.scenario.clone(), run.state.now());
        let mut broken = Scenario::clone(&run.state.scenario);
        broken.services[0].instances = 0;
        run.apply(FlowAction::Load(Box::new(broken)));
        let error = run.state.error.clone().unwrap_or_default();
        assert!(error.contains("services[0].instances"), "{error}");
        assert_eq!((run.state.scenario.clone(), run.state.now()), before);
        assert_eq!(run.state.preset, Some("poison-message"));
        run.apply(FlowAction::Step);
        assert_eq!(
            run.state.now(),
            Instant::from_millis(2_000),
            "still running"
        );
    }

    #[test]
    fn a_broken_first_scenario_runs_the_default_and_says_why() {
        let mut broken = PRESETS[0].scenario(presets::DEFAULT_SEED);
        broken.arrivals.rate_per_s = f64::MAX;
        let run = Harness::new(Some(broken));
        assert!(!run.state.loading());
        assert_eq!(run.state.preset, Some(DEFAULT_PRESET));
        let error = run.state.error.clone().unwrap_or_default();
        assert!(error.contains("arrivals.rate_per_s"), "{error}");
    }

    #[test]
    fn a_model_failure_pauses_the_run_with_its_message() {
        let mut run = Harness::preset("sync-vs-async");
        run.state.apply(FlowAction::Finish);
        run.sent.borrow_mut().clear();
        run.state.apply(FlowAction::Reply(Reply::Failed {
            message: "The model's worker stopped.".into(),
        }));
        assert_eq!(run.state.mode, Mode::Paused);
        assert_eq!(
            run.state.error.as_deref(),
            Some("The model's worker stopped.")
        );
    }

    #[test]
    fn an_outage_toggle_restarts_with_an_outage_and_fails_sync_orders() {
        let mut run = Harness::preset("sync-vs-async");
        run.apply(FlowAction::ToggleOutage(0));
        assert_eq!(run.state.scenario.services[0].outages.len(), 1);
        run.apply(FlowAction::Finish);
        let report = run.state.report();
        assert!(report.sync.failed > 0);
        assert_eq!(report.event_driven.accepted, report.event_driven.orders);
        run.apply(FlowAction::ToggleOutage(0));
        assert!(run.state.scenario.services[0].outages.is_empty());
        assert!(!run.state.finished(), "a change restarts the run");
    }

    #[test]
    fn partition_lags_come_only_while_a_view_watches_them() {
        let mut run = Harness::preset("sync-vs-async");
        run.apply(FlowAction::Step);
        assert!(run.state.partition_lags(0).is_empty());
        run.apply(FlowAction::WatchPartitions(true));
        run.apply(FlowAction::Step);
        assert_eq!(
            run.state.partition_lags(0).len(),
            run.state.scenario.topic.partitions as usize
        );
    }
}
