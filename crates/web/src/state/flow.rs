//! The sync-vs-event-driven view's state: a running [`Simulation`] of the chosen scenario and the controls
//! around it.
//!
//! The simulation advances in slices so the page stays responsive: each animation tick moves simulated
//! time forward by the elapsed wall time × the speed, processing at most [`EVENTS_PER_TICK`] events (about
//! 3 ms of work in the browser, well inside the 8 ms budget per frame). "Finish" fast-forwards the same way, a slice per tick, until the run ends.
//! Changing a control restarts the run with the edited scenario; invalid values are refused with a message
//! and change nothing. A scenario loaded from a link or a file replaces the whole scenario; the preset
//! select shows the preset the scenario is named after, if any.

use std::cell::RefCell;
use std::rc::Rc;

use kplay_core::config::{ORDER_RATE_PER_S, PARTITIONS};
use kplay_core::presets::{self, PRESETS};
use kplay_core::scenario::{Outage, Scenario};
use kplay_core::sim::event_flow::PartitionLag;
use kplay_core::sim::report::Report;
use kplay_core::sim::{Simulation, Status};
use kplay_core::time::Instant;

/// Events processed per animation tick at most: about 3 ms of work at the wasm build's ~5 M events/s,
/// leaving the rest of a 16 ms frame for the report, the page and the charts.
pub const EVENTS_PER_TICK: u64 = 15_000;
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
    /// Advancing as fast as the tick budget allows until the end.
    FastForward,
}

/// Everything the view draws.
#[derive(Clone)]
pub struct FlowState {
    /// The preset the scenario is named after, if any.
    pub preset: Option<&'static str>,
    /// The scenario being run (the preset, edited by the controls); shared, so the state's per-frame clone
    /// and the views watching it for changes copy no scenario.
    pub scenario: Rc<Scenario>,
    simulation: Rc<RefCell<Simulation>>,
    /// The latest report.
    pub report: Rc<Report>,
    /// How the run advances.
    pub mode: Mode,
    /// Speed multiple while playing.
    pub speed: u32,
    /// Whether the run has ended (every order finished everywhere).
    pub finished: bool,
    /// How far the run is, 0 to 1.
    pub progress: f64,
    /// Why the last action was refused.
    pub error: Option<String>,
    /// Bumped on every change, so equality is cheap.
    version: u64,
}

impl PartialEq for FlowState {
    fn eq(&self, other: &Self) -> bool {
        self.version == other.version && Rc::ptr_eq(&self.simulation, &other.simulation)
    }
}

/// What the user (or the animation clock) can do.
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
    /// Set the speed, as chosen.
    SetSpeed(String),
    /// Run to the end as fast as possible (a slice per tick).
    Finish,
    /// The animation clock: `wall_ms` of real time passed.
    Tick {
        /// Real milliseconds since the last tick.
        wall_ms: f64,
    },
}

impl FlowState {
    /// The view for preset `name` (the default preset if unknown).
    #[must_use]
    pub fn for_preset(name: &str) -> Self {
        let preset = presets::find(name)
            .or_else(|| presets::find(DEFAULT_PRESET))
            .unwrap_or(&PRESETS[0]);
        Self::for_scenario(preset.scenario(presets::DEFAULT_SEED))
    }

    /// The view running `scenario`; an invalid one shows its problems and runs the first preset instead.
    #[must_use]
    pub fn for_scenario(scenario: Scenario) -> Self {
        Self::start(scenario, 1, 0).unwrap_or_else(Self::broken)
    }

    fn start(scenario: Scenario, speed: u32, version: u64) -> Result<Self, String> {
        let simulation = Simulation::new(&scenario)
            .map_err(|problems| super::share::problems_text(&problems))?;
        let report = Rc::new(simulation.report());
        Ok(Self {
            preset: scenario
                .name
                .as_deref()
                .and_then(presets::find)
                .map(|p| p.name),
            scenario: Rc::new(scenario),
            simulation: Rc::new(RefCell::new(simulation)),
            report,
            mode: Mode::Paused,
            speed,
            finished: false,
            progress: 0.0,
            error: None,
            version: version + 1,
        })
    }

    /// A state whose scenario failed to load: shows the message, runs the first preset.
    fn broken(message: String) -> Self {
        let scenario = PRESETS[0].scenario(presets::DEFAULT_SEED);
        let simulation = Simulation::new(&scenario)
            .unwrap_or_else(|_| unreachable!("built-in presets are valid"));
        Self {
            preset: Some(PRESETS[0].name),
            report: Rc::new(simulation.report()),
            scenario: Rc::new(scenario),
            simulation: Rc::new(RefCell::new(simulation)),
            mode: Mode::Paused,
            speed: 1,
            finished: false,
            progress: 0.0,
            error: Some(message),
            version: 0,
        }
    }

    /// Simulated time reached.
    #[must_use]
    pub fn now(&self) -> Instant {
        self.simulation.borrow().now()
    }

    /// Orders waiting on the synchronous chain right now, and each service's consumer lag.
    #[must_use]
    pub fn live(&self) -> (usize, Vec<u64>) {
        let simulation = self.simulation.borrow();
        (simulation.sync_in_flight(), simulation.lags().collect())
    }

    /// Per partition, service `service`'s consumer lag now and at its peak.
    #[must_use]
    pub fn partition_lags(&self, service: usize) -> Vec<PartitionLag> {
        self.simulation.borrow().partition_lags(service).to_vec()
    }

    /// Applies `action` in place.
    pub fn apply(&mut self, action: FlowAction) {
        self.version += 1;
        match action {
            FlowAction::SelectPreset(name) => match presets::find(&name) {
                Some(preset) => self.restart(preset.scenario(presets::DEFAULT_SEED)),
                None => self.error = Some(format!("Unknown preset {name:?}.")),
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
                        "Order rate: {typed:?} is not a number from {} to {}.",
                        ORDER_RATE_PER_S.start(),
                        ORDER_RATE_PER_S.end()
                    ))
                }
            },
            FlowAction::SetPartitions(typed) => match typed.trim().parse::<u32>() {
                Ok(partitions) if PARTITIONS.contains(&partitions) => {
                    let mut scenario = Scenario::clone(&self.scenario);
                    scenario.topic.partitions = partitions;
                    self.restart(scenario);
                }
                _ => {
                    self.error = Some(format!(
                        "Partitions: {typed:?} is not a whole number from {} to {}.",
                        PARTITIONS.start(),
                        PARTITIONS.end()
                    ))
                }
            },
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
                self.mode = match self.mode {
                    _ if self.finished => Mode::Paused,
                    Mode::Paused => Mode::Playing,
                    Mode::Playing | Mode::FastForward => Mode::Paused,
                };
            }
            FlowAction::Step => {
                self.mode = Mode::Paused;
                let target = self.now() + kplay_core::time::Duration::from_millis(STEP_MS);
                self.advance(target, u64::MAX);
            }
            FlowAction::SetSpeed(chosen) => match chosen.trim_end_matches('×').parse::<u32>() {
                Ok(speed) if SPEEDS.contains(&speed) => self.speed = speed,
                _ => {
                    self.error = Some(format!(
                        "Speed: {chosen:?} is not one of 1×, 10×, 100×, 1000×."
                    ))
                }
            },
            FlowAction::Finish => {
                if !self.finished {
                    self.mode = Mode::FastForward;
                }
            }
            FlowAction::Tick { wall_ms } => match self.mode {
                Mode::Paused => {}
                Mode::Playing => {
                    let simulated = (wall_ms.max(0.0) * f64::from(self.speed) * 1_000.0) as u64;
                    let target = self.now() + kplay_core::time::Duration::from_micros(simulated);
                    self.advance(target, EVENTS_PER_TICK);
                }
                Mode::FastForward => self.advance(Instant::from_micros(u64::MAX), EVENTS_PER_TICK),
            },
        }
    }

    fn restart(&mut self, scenario: Scenario) {
        match Self::start(scenario, self.speed, self.version) {
            Ok(fresh) => *self = fresh,
            Err(message) => self.error = Some(message),
        }
    }

    fn advance(&mut self, target: Instant, budget: u64) {
        let status = self.simulation.borrow_mut().run_until(target, budget);
        let simulation = self.simulation.borrow();
        self.report = Rc::new(simulation.report());
        self.progress = simulation.progress();
        if status != Status::Running {
            self.finished = true;
            self.mode = Mode::Paused;
        }
    }
}

super::reducible!(FlowState, FlowAction);

#[cfg(test)]
mod tests {
    use super::*;

    fn finish(state: &mut FlowState) {
        state.apply(FlowAction::Finish);
        while !state.finished {
            state.apply(FlowAction::Tick { wall_ms: 16.0 });
        }
    }

    #[test]
    fn finishing_in_slices_reproduces_the_cli_report() {
        let mut state = FlowState::for_preset("poison-message");
        finish(&mut state);
        let direct = kplay_core::sim::simulate(&state.scenario).expect("valid preset");
        assert_eq!(*state.report, direct);
        assert_eq!(state.mode, Mode::Paused);
        assert!((state.progress - 1.0).abs() < f64::EPSILON);
    }

    #[test]
    fn playing_advances_by_wall_time_times_speed() {
        let mut state = FlowState::for_preset("sync-vs-async");
        state.apply(FlowAction::SetSpeed("100×".into()));
        state.apply(FlowAction::ToggleRun);
        state.apply(FlowAction::Tick { wall_ms: 20.0 });
        assert_eq!(state.now(), Instant::from_millis(2_000));
        state.apply(FlowAction::ToggleRun);
        state.apply(FlowAction::Tick { wall_ms: 20.0 });
        assert_eq!(state.now(), Instant::from_millis(2_000), "paused");
        state.apply(FlowAction::Step);
        assert_eq!(state.now(), Instant::from_millis(3_000));
        assert!(state.report.sync.orders > 0);
    }

    #[test]
    fn invalid_controls_are_refused_and_change_nothing() {
        let mut state = FlowState::for_preset("sync-vs-async");
        let before = state.scenario.clone();
        for action in [
            FlowAction::SetRate("fast".into()),
            FlowAction::SetRate("0".into()),
            FlowAction::SetPartitions("0".into()),
            FlowAction::SetSpeed("3×".into()),
            FlowAction::SelectPreset("nope".into()),
        ] {
            state.error = None;
            state.apply(action.clone());
            assert!(state.error.is_some(), "{action:?}");
            assert_eq!(state.scenario, before, "{action:?}");
        }
        state.apply(FlowAction::SetRate("120".into()));
        assert_eq!(
            (state.scenario.arrivals.rate_per_s, state.error.clone()),
            (120.0, None)
        );
    }

    #[test]
    fn an_outage_toggle_restarts_with_an_outage_and_fails_sync_orders() {
        let mut state = FlowState::for_preset("sync-vs-async");
        state.apply(FlowAction::ToggleOutage(0));
        assert_eq!(state.scenario.services[0].outages.len(), 1);
        finish(&mut state);
        assert!(state.report.sync.failed > 0);
        assert_eq!(
            state.report.event_driven.accepted,
            state.report.event_driven.orders
        );
        state.apply(FlowAction::ToggleOutage(0));
        assert!(state.scenario.services[0].outages.is_empty());
        assert!(!state.finished, "a change restarts the run");
    }
}
