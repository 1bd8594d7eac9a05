//! A world view's state and actions (Yew's reducer pattern): the page's side of one world in the model's
//! worker ([`kplay_worker::worlds`]).
//!
//! The page holds no world: it sends requests (open a script, go to a moment, act, undo a fork) and draws
//! the [`WorldFrame`] each reply carries. Playing moves the moment [`SPEED`] times faster than real time,
//! one request at a time: ticks that come while the worker is busy add up into the next request, so a slow
//! world slows the clock, never the page. Scrubbing the timeline or stepping pauses. Acting happens at the
//! moment shown; in the past the worker forks the timeline and the frame says how many actions it set
//! aside, which [`WorldAction::UndoFork`] restores. Each reply that changed the script carries it as JSON:
//! the state keeps it for links, autosave and "Export".

use std::rc::Rc;

use kplay_worker::protocol::{Intent, Reply, Request, WorldFrame};

use super::MAX_CATCH_UP_MS;
use crate::model::Outbox;

/// The simulated clock runs this many times faster than real time while a world view plays.
pub const SPEED: u64 = 10;
/// Simulated milliseconds a step moves, forward or back.
pub const STEP_MS: u64 = 1_000;

/// A message shown in a world view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    /// Something happened that the user should know about.
    Info(String),
    /// The action was refused; nothing changed.
    Refused(String),
}

/// What the user, the view's clock or the worker can do.
#[derive(Debug, Clone, PartialEq)]
pub enum WorldAction {
    /// The worker answered this view.
    Reply(Reply),
    /// Real milliseconds passed; while playing, the moment moves [`SPEED`] times as far.
    Tick(u64),
    /// Go to this moment (the timeline was moved) and pause.
    Go(u64),
    /// One step forward, paused.
    Step,
    /// One step back, paused.
    StepBack,
    /// Play or pause.
    SetPlaying(bool),
    /// Do this at the moment shown.
    Act(Intent),
    /// Restore what the last fork set aside.
    UndoFork,
    /// Start again from this script (JSON) at this moment.
    Open(String, u64),
    /// Start a new world from this script (JSON), playing from 0, and say this.
    Restart(String, String),
    /// The page refused an input before sending anything: say why.
    Refuse(String),
    /// Play `from..to` on repeat (an embed's `loop=`): reaching `to` goes back to `from`.
    Repeat(u64, u64),
}

impl WorldAction {
    /// Acting on what a control asked for, or saying why its input was refused.
    #[must_use]
    pub fn act(intent: Result<Intent, String>) -> Self {
        match intent {
            Ok(intent) => Self::Act(intent),
            Err(message) => Self::Refuse(message),
        }
    }
}

/// One world view as the page knows it.
#[derive(Debug, Clone, PartialEq)]
pub struct WorldView {
    /// The page's number for the view (the worker keeps one world per number).
    pub view: u32,
    outbox: Outbox,
    /// What the worker last reported (`None` until it answers).
    pub frame: Option<Rc<WorldFrame>>,
    /// The script as JSON, as last reported.
    pub script: Rc<str>,
    /// Whether the clock moves.
    pub playing: bool,
    /// The stretch of the timeline played on repeat, if any.
    repeat: Option<(u64, u64)>,
    /// Requests sent and not yet answered (the worker answers each once, in order). The clock asks for a
    /// later moment only when none is outstanding: a tick computed from an older frame while an action or
    /// another move is on its way would send the view back in time.
    outstanding: u32,
    /// Simulated milliseconds owed to the clock while a `world-go` was on its way.
    owed_ms: u64,
    /// What the last action did, or why it was refused.
    pub notice: Option<Notice>,
    /// What to open instead if the worker refuses the first script (one from a link).
    fallback: Option<String>,
}

impl WorldView {
    /// A view that opens `script` at `at_ms` in the worker.
    #[must_use]
    pub fn new(view: u32, outbox: Outbox, script: String, at_ms: u64) -> Self {
        let mut state = Self {
            view,
            outbox,
            frame: None,
            script: Rc::from(""),
            playing: true,
            repeat: None,
            outstanding: 0,
            owed_ms: 0,
            notice: None,
            fallback: None,
        };
        state.apply(WorldAction::Open(script, at_ms));
        state
    }

    /// A view that opens `script` at `at_ms` (from a link: paused at that moment), or `fallback` if the
    /// worker refuses it.
    #[must_use]
    pub fn linked(view: u32, outbox: Outbox, script: String, at_ms: u64, fallback: String) -> Self {
        let mut state = Self::new(view, outbox, script, at_ms);
        state.playing = false;
        state.fallback = Some(fallback);
        state
    }

    /// The moment shown, in simulated milliseconds.
    #[must_use]
    pub fn at_ms(&self) -> u64 {
        self.frame.as_ref().map_or(0, |f| f.at_ms)
    }

    /// Applies `action` in place.
    pub fn apply(&mut self, action: WorldAction) {
        let view = self.view;
        match action {
            WorldAction::Reply(Reply::World { frame, .. }) => {
                self.outstanding = self.outstanding.saturating_sub(1);
                if let Some(script) = &frame.script {
                    self.script = Rc::from(script.as_str());
                }
                if let Some(notice) = &frame.notice {
                    self.notice = Some(Notice::Info(notice.clone()));
                }
                self.frame = Some(Rc::from(frame));
                if self.owed_ms > 0 && self.outstanding == 0 {
                    let owed = std::mem::take(&mut self.owed_ms);
                    self.go(self.ahead(owed));
                }
            }
            WorldAction::Reply(Reply::WorldRefused { problems, .. }) => {
                self.outstanding = self.outstanding.saturating_sub(1);
                if let (None, Some(fallback)) = (&self.frame, self.fallback.take()) {
                    self.apply(WorldAction::Open(fallback, 0));
                    self.notice = Some(Notice::Refused(format!(
                        "The world could not be opened ({problems}); the view starts empty."
                    )));
                } else {
                    self.notice = Some(Notice::Refused(problems));
                }
            }
            WorldAction::Reply(Reply::Failed { message }) => {
                // The worker is gone: nothing more will be answered.
                self.outstanding = 0;
                self.playing = false;
                self.notice = Some(Notice::Refused(message));
            }
            WorldAction::Reply(_) => {}
            WorldAction::Tick(real_ms) => {
                if !self.playing || self.frame.is_none() {
                    return;
                }
                let sim_ms = real_ms.saturating_mul(SPEED);
                if self.outstanding > 0 {
                    self.owed_ms = (self.owed_ms + sim_ms).min(MAX_CATCH_UP_MS * SPEED);
                } else {
                    self.go(self.ahead(sim_ms));
                }
            }
            WorldAction::Go(at_ms) => {
                self.playing = false;
                self.owed_ms = 0;
                self.go(at_ms);
            }
            WorldAction::Step => self.apply(WorldAction::Go(self.at_ms().saturating_add(STEP_MS))),
            WorldAction::StepBack => {
                self.apply(WorldAction::Go(self.at_ms().saturating_sub(STEP_MS)));
            }
            WorldAction::SetPlaying(playing) => self.playing = playing,
            WorldAction::Act(intent) => {
                self.notice = None;
                self.send(Request::WorldAct { view, intent });
            }
            WorldAction::UndoFork => self.send(Request::WorldUndoFork { view }),
            WorldAction::Open(script, at_ms) => {
                self.notice = None;
                self.owed_ms = 0;
                self.send(Request::WorldOpen {
                    view,
                    script,
                    at_ms,
                });
            }
            WorldAction::Restart(script, notice) => {
                self.apply(WorldAction::Open(script, 0));
                self.playing = true;
                self.notice = Some(Notice::Info(notice));
            }
            WorldAction::Refuse(message) => self.notice = Some(Notice::Refused(message)),
            WorldAction::Repeat(from, to) => {
                self.repeat = Some((from, to));
                self.playing = true;
                self.owed_ms = 0;
                self.go(from);
            }
        }
    }

    /// The moment `sim_ms` after the one shown, back at the start of the repeated stretch once past its
    /// end.
    fn ahead(&self, sim_ms: u64) -> u64 {
        let next = self.at_ms().saturating_add(sim_ms);
        match self.repeat {
            Some((from, to)) if next >= to || next < from => from,
            _ => next,
        }
    }

    fn go(&mut self, at_ms: u64) {
        self.send(Request::WorldGo {
            view: self.view,
            at_ms,
        });
    }

    fn send(&mut self, request: Request) {
        self.outstanding += 1;
        self.outbox.send(request);
    }
}

super::reducible!(WorldView, WorldAction);

#[cfg(test)]
mod tests {
    use std::cell::RefCell;

    use kplay_worker::engine::Engine;

    use super::*;

    /// A view wired to the real engine (natively), with the requests it sent kept until answered.
    struct Harness {
        state: WorldView,
        engine: Engine,
        sent: Rc<RefCell<Vec<Request>>>,
    }

    impl Harness {
        fn open(at_ms: u64) -> Self {
            let sent = Rc::new(RefCell::new(Vec::new()));
            let outbox = {
                let sent = Rc::clone(&sent);
                Outbox::new(move |request| sent.borrow_mut().push(request))
            };
            let script = crate::state::partitions::script(2);
            let mut harness = Self {
                state: WorldView::new(1, outbox, script, at_ms),
                engine: Engine::default(),
                sent,
            };
            harness.answer();
            harness
        }

        /// The worker answers every request sent so far.
        fn answer(&mut self) {
            let requests: Vec<Request> = self.sent.borrow_mut().drain(..).collect();
            for request in requests {
                let reply = self.engine.handle(request, &|| 0.0);
                self.state.apply(WorldAction::Reply(reply));
            }
        }

        /// The moments of the `world-go` requests waiting for an answer.
        fn going_to(&self) -> Vec<u64> {
            self.sent
                .borrow()
                .iter()
                .filter_map(|r| match r {
                    Request::WorldGo { at_ms, .. } => Some(*at_ms),
                    _ => None,
                })
                .collect()
        }
    }

    #[test]
    fn a_repeated_stretch_plays_from_its_start_again_once_past_its_end() {
        let mut h = Harness::open(0);
        h.state.apply(WorldAction::Repeat(2_000, 3_500));
        assert!(h.state.playing);
        assert_eq!(h.going_to(), [2_000]);
        h.answer();
        let mut seen = Vec::new();
        for _ in 0..4 {
            h.state.apply(WorldAction::Tick(100));
            seen.extend(h.going_to());
            h.answer();
        }
        assert_eq!(seen, [3_000, 2_000, 3_000, 2_000]);
    }

    #[test]
    fn ticks_while_the_worker_is_busy_add_up_into_the_next_request() {
        let mut h = Harness::open(0);
        for ms in [100, 100, 50] {
            h.state.apply(WorldAction::Tick(ms));
        }
        assert_eq!(h.going_to(), [1_000], "one request; the rest is owed");
        h.answer();
        assert_eq!(h.state.at_ms(), 1_000);
        assert_eq!(h.going_to(), [2_500]);
    }

    #[test]
    fn the_clock_waits_for_an_action_on_its_way_so_the_view_never_goes_back() {
        let mut h = Harness::open(0);
        h.state.apply(WorldAction::Tick(100));
        h.state
            .apply(WorldAction::Act(crate::state::partitions::join(
                crate::state::partitions::GROUP,
                1,
                kplay_core::group::assignor::Assignor::Client(
                    kplay_core::group::assignor::Strategy::Range,
                ),
                false,
                false,
            )));
        for _ in 0..3 {
            h.state.apply(WorldAction::Tick(100));
        }
        assert_eq!(
            h.going_to(),
            [1_000],
            "no move computed from the frame before the action"
        );
        let mut shown = Vec::new();
        for _ in 0..3 {
            h.answer();
            shown.push(h.state.at_ms());
        }
        // 300 ms owed, of which the clock catches up 250 ms × SPEED at most.
        assert_eq!(shown, [1_000, 3_500, 3_500], "{shown:?}");
        assert!(h.going_to().is_empty());
    }

    #[test]
    fn moving_the_timeline_pauses_and_steps_move_from_the_moment_shown() {
        let mut h = Harness::open(5_000);
        h.state.apply(WorldAction::StepBack);
        assert!(!h.state.playing);
        assert_eq!(h.going_to(), [4_000]);
        h.answer();
        h.state.apply(WorldAction::Tick(100));
        assert_eq!(h.going_to(), [0u64; 0], "paused: the clock stays");
        h.state.apply(WorldAction::Step);
        assert_eq!(h.going_to(), [5_000]);
    }

    #[test]
    fn a_linked_world_the_worker_refuses_gives_way_to_the_fallback() {
        let sent = Rc::new(RefCell::new(Vec::new()));
        let outbox = {
            let sent = Rc::clone(&sent);
            Outbox::new(move |request| sent.borrow_mut().push(request))
        };
        let broken = r#"{"version": 1, "brokers": 0, "topics": []}"#.to_owned();
        let fallback = crate::state::partitions::script(1);
        let mut state = WorldView::linked(1, outbox, broken, 7_000, fallback);
        assert!(!state.playing, "a link shows its moment");
        let mut engine = Engine::default();
        for _ in 0..2 {
            let requests: Vec<Request> = sent.borrow_mut().drain(..).collect();
            for request in requests {
                state.apply(WorldAction::Reply(engine.handle(request, &|| 0.0)));
            }
        }
        assert_eq!(state.at_ms(), 0, "the fallback opened");
        let Some(Notice::Refused(notice)) = &state.notice else {
            panic!("no notice: {:?}", state.notice)
        };
        assert!(notice.contains("brokers"), "{notice}");
    }

    #[test]
    fn a_refusal_is_shown_and_the_frame_kept() {
        let mut h = Harness::open(0);
        let before = h.state.frame.clone();
        assert!(
            h.state.script.contains("\"partitions\":2"),
            "{}",
            h.state.script
        );
        h.state.apply(WorldAction::Act(Intent::Stop {
            group: "g".into(),
            count: 1,
            crash: false,
        }));
        h.answer();
        assert_eq!(
            h.state.notice,
            Some(Notice::Refused("There is no running consumer.".into()))
        );
        assert_eq!(h.state.frame, before);
    }
}
