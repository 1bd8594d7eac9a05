//! What the page and the model's worker say to each other.
//!
//! The worker's first message is [`Reply::Ready`], once it listens: a message sent before that would be
//! lost, so the page holds its requests until then. The page then sends [`Request`]s; the worker answers
//! each with exactly one [`Reply`], in order. Requests
//! travel as JSON text, the format a scenario is written in everywhere else (links, files, the CLI).
//! Replies — a whole report many times a second — travel as postcard bytes (a compact binary serde
//! format, `to_bytes` / `from_bytes` here): a tenth of the JSON's size, read without parsing text, and
//! with every float bit for bit, so a figure drawn from a reply is the figure the model computed, as the
//! CLI prints it. (postcard needs every field present: the reply types skip none when they serialize.)
//!
//! Runs are numbered by the page: [`Request::Start`] names the run it starts and every reply names the
//! run it describes, so a reply that arrives after the page moved on to another scenario is recognised
//! and dropped. A refused start leaves the previous run in place.

use kplay_core::scenario::Scenario;
use kplay_core::sim::event_flow::PartitionLag;
use kplay_core::sim::picture::FlowPicture;
use kplay_core::sim::report::Report;
use kplay_core::world::Action;
use kplay_core::world::detail::{BrokerView, RecordView, SegmentView, Tally, TopicConfigView};
use kplay_core::world::script::ResetSpec;
use kplay_core::world::state::WorldState;
use serde::{Deserialize, Serialize};

/// What the page asks of the worker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Request {
    /// Check `scenario` and, if it is valid, replace the current run with it as run `run`.
    /// Answered by a [`Reply::Snapshot`] at time zero or a [`Reply::Refused`].
    Start {
        /// The page's number for the run.
        run: u64,
        /// What to simulate.
        scenario: Box<Scenario>,
    },
    /// Move the current run to simulated time `to_us` (µs; `u64::MAX` for the end), processing at most
    /// `budget` events; a moment before the run's goes back (re-simulating from the last copy before it,
    /// so the numbers are those of the way forward). Answered by a [`Reply::Snapshot`].
    Advance {
        /// The run the page believes is current.
        run: u64,
        /// Where to stop, in simulated microseconds.
        to_us: u64,
        /// Events to process at most before answering.
        budget: u64,
        /// Whether to include every service's per-partition lag (the dashboard's heatmap).
        partitions: bool,
    },
    /// Open world view `view` (a number the page gives each view) on `script` at `at_ms`, replacing what
    /// the view showed. Answered by a [`Reply::World`] (with the script) or a [`Reply::WorldRefused`].
    WorldOpen {
        /// The view.
        view: u32,
        /// The world's configuration and action log, as the JSON `kplay world` reads: the worker reads it,
        /// so the page carries no code to parse scripts.
        script: String,
        /// The moment to show, in simulated milliseconds.
        at_ms: u64,
    },
    /// Move view `view` to moment `at_ms`, forward (playing) or back (scrubbing, stepping back). The
    /// timeline keeps every action: moving back and forth changes nothing. Answered by a [`Reply::World`].
    WorldGo {
        /// The view.
        view: u32,
        /// The moment, in simulated milliseconds.
        at_ms: u64,
    },
    /// Do `intent` at view `view`'s current moment. In the past this forks: the later actions are set
    /// aside (a [`Request::WorldUndoFork`] restores them). Answered by a [`Reply::World`] with the script,
    /// or a [`Reply::WorldRefused`] that changes nothing.
    WorldAct {
        /// The view.
        view: u32,
        /// What the user did.
        intent: Intent,
    },
    /// Restore the actions view `view`'s last fork set aside. Answered by a [`Reply::World`].
    WorldUndoFork {
        /// The view.
        view: u32,
    },
    /// List the guided lessons. Answered by a [`Reply::Lessons`].
    LessonIndex,
    /// Open lesson `id`. Answered by a [`Reply::Lesson`] or a [`Reply::LessonRefused`].
    LessonOpen {
        /// The lesson's id.
        id: String,
    },
    /// Run step `step` (0-based) of lesson `id` and grade `guess` against the model (none: a step
    /// without a question, or just running it). Answered by a [`Reply::LessonChecked`] or a
    /// [`Reply::LessonRefused`].
    LessonCheck {
        /// The lesson's id.
        id: String,
        /// The step, from 0.
        step: u32,
        /// The learner's prediction.
        guess: Option<LessonGuess>,
    },
    /// Run preset `preset` to the end and measure the model's speed (`tests/bench/wasm.mjs`).
    /// Answered by a [`Reply::Bench`].
    Bench {
        /// A preset's name.
        preset: String,
    },
}

/// What the worker answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Reply {
    /// The worker listens: requests can be sent (its first message, answering no request).
    Ready,
    /// Where run `run` stands now.
    Snapshot {
        /// The run described.
        run: u64,
        /// Its state.
        snapshot: Box<Snapshot>,
    },
    /// Run `run` was not started, for these reasons (each with its JSON path); the previous run goes on.
    Refused {
        /// The run refused.
        run: u64,
        /// Every problem, in one line.
        problems: String,
    },
    /// A preset's speed in this build.
    Bench {
        /// Simulated events per second of wall-clock time.
        events_per_s: f64,
    },
    /// A request could not be answered (unreadable, an unknown preset) or the worker stopped.
    Failed {
        /// What went wrong, for people.
        message: String,
    },
    /// Where world view `view` stands.
    World {
        /// The view described.
        view: u32,
        /// What it shows.
        frame: Box<WorldFrame>,
    },
    /// A world view's request was refused and changed nothing: every problem, each at its JSON path.
    WorldRefused {
        /// The view.
        view: u32,
        /// Every problem, in one line.
        problems: String,
    },
    /// The guided lessons, in reading order.
    Lessons {
        /// Each lesson's id, title and size.
        lessons: Vec<LessonSummary>,
    },
    /// A lesson, opened.
    Lesson {
        /// Its text, steps and widgets.
        lesson: Box<LessonPage>,
    },
    /// A step's run and the verdict on the guess.
    LessonChecked {
        /// What the model showed.
        outcome: Box<LessonOutcome>,
    },
    /// A lesson request could not be answered: no such lesson or step, or its run failed.
    LessonRefused {
        /// What went wrong, for people.
        message: String,
    },
}

/// A learner's prediction.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LessonGuess {
    /// A choice, from 0.
    Choice(u32),
    /// A number (finite).
    Number(f64),
}

/// One lesson in the index.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LessonSummary {
    /// Its id (`?lesson=<id>`).
    pub id: String,
    /// Its title.
    pub title: String,
    /// What it teaches.
    pub teaches: String,
    /// How many steps it has.
    pub steps: u32,
}

/// A lesson as the page shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LessonPage {
    /// Its id, title and what it teaches.
    pub summary: LessonSummary,
    /// Markdown before the first step.
    pub intro: String,
    /// The steps.
    pub steps: Vec<LessonStep>,
}

/// A step as the page shows it: its prose and question, and the live widget it sets up.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LessonStep {
    /// The heading.
    pub title: String,
    /// Markdown to read before running.
    pub text: String,
    /// The question, if the step asks one.
    pub question: Option<String>,
    /// Its choices (empty for a number question).
    pub choices: Vec<String>,
    /// How far a number guess may be off and still be right, for people (`3,000`), when it may be.
    pub tolerance: Option<String>,
    /// The view the widget shows (`embed=<view>`).
    pub view: String,
    /// A world step's script, as `kplay world` reads it (the widget's `w=`).
    pub script: Option<String>,
    /// A scenario step's preset (the widget's `preset=`).
    pub preset: Option<String>,
    /// A scenario step's scenario as JSON, when it is not a preset (the widget's `s=`).
    pub scenario: Option<String>,
    /// The moment the step stops at, in ms (none: the run's end).
    pub at_ms: Option<u64>,
}

/// What running a step showed, every word of it from the model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LessonOutcome {
    /// The lesson.
    pub id: String,
    /// The step, from 0.
    pub step: u32,
    /// Whether the guess held (none without a guess).
    pub right: Option<bool>,
    /// The model's answer: the right choice's text or the number.
    pub answer: Option<String>,
    /// The step's `why:`, filled in from the model.
    pub why: Option<String>,
    /// Each expectation, whether it holds, and the model's values it read.
    pub checks: Vec<(String, bool, String)>,
    /// Where the run stopped, in simulated ms (the widget's moment after the run).
    pub at_ms: u64,
}

/// What a user does in a world view, at its current moment. Most intents are one script [`Action`];
/// those that depend on the world at that moment (which consumer is the newest, which names are free)
/// are worked out by the worker, which holds the world.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "intent", rename_all = "kebab-case")]
pub enum Intent {
    /// Actions of the script, as they are: all join the timeline at the moment shown, or none does.
    Actions {
        /// The actions.
        actions: Vec<Action>,
    },
    /// `count` consumers join `group`, subscribed to `topic`, named `consumer-<n>` with the first unused
    /// numbers, reading from the earliest offset when the group has none.
    Join {
        /// `group.id`.
        group: String,
        /// The topic they subscribe to.
        topic: String,
        /// How many.
        count: u32,
        /// `partition.assignment.strategy`.
        strategy: String,
        /// Records each processes per second.
        records_per_s: f64,
        /// Static members: each with a `group.instance.id` (`<name>-host`).
        #[serde(default)]
        static_members: bool,
        /// `isolation.level=read_committed`.
        #[serde(default)]
        read_committed: bool,
    },
    /// The newest static consumer of `group` that stopped rejoins with its `group.instance.id`: within
    /// `session.timeout.ms` it keeps its partitions and the group does not rebalance.
    Rejoin {
        /// `group.id`.
        group: String,
        /// The topic it subscribes to.
        topic: String,
        /// `partition.assignment.strategy`.
        strategy: String,
        /// Records it processes per second.
        records_per_s: f64,
    },
    /// The newest `count` live consumers of `group` leave (`LeaveGroup`) or, with `crash`, stop
    /// heartbeating.
    Stop {
        /// `group.id`.
        group: String,
        /// How many.
        count: u32,
        /// Crash instead of leaving.
        crash: bool,
    },
    /// Every live consumer of `group` leaves and as many new ones join with `strategy` (a group's
    /// members must agree on their protocol).
    Restart {
        /// `group.id`.
        group: String,
        /// The topic they subscribe to.
        topic: String,
        /// The new `partition.assignment.strategy`.
        strategy: String,
        /// Records each processes per second.
        records_per_s: f64,
    },
    /// Every live consumer of `group` leaves and the group is deleted with its committed offsets
    /// (`kafka-consumer-groups.sh --delete`; refused while a crashed member is still in it).
    RemoveGroup {
        /// `group.id`.
        group: String,
    },
    /// `kafka-consumer-groups.sh --reset-offsets` done as an operator does it: the group's live
    /// consumers stop, the committed offsets of `topic` move `to`, and as many consumers start again.
    ResetOffsets {
        /// `group.id`.
        group: String,
        /// The topic.
        topic: String,
        /// Where to.
        to: ResetSpec,
        /// `partition.assignment.strategy` of the consumers that start again.
        strategy: String,
        /// Records each processes per second.
        records_per_s: f64,
    },
    /// Start again with `topic` recreated with `partitions` partitions, empty, and no action (Kafka can
    /// add partitions but never remove them).
    Recreate {
        /// The topic.
        topic: String,
        /// Its partitions.
        partitions: u32,
    },
}

/// Records of each partition a frame lists ([`WorldFrame::tails`]).
pub const TAIL_RECORDS: usize = 40;
/// Records of each partition a frame lists ([`WorldFrame::tails`]): the partition diagram's cells in
/// sight and the few sliding out of it.
pub const LANE_RECORDS: usize = 16;
/// Topics with more partitions than this are drawn as a grid, without their records.
pub const TAIL_PARTITIONS: u32 = 64;
/// Segments a frame lists ([`WorldFrame::segments`]), the newest.
pub const FRAME_SEGMENTS: usize = 24;

/// A world view's state at one moment: everything the partition, retention and replication views draw.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorldFrame {
    /// The moment shown, in simulated milliseconds.
    pub at_ms: u64,
    /// The timeline's end: the furthest moment shown so far or the last action, whichever is later.
    pub end_ms: u64,
    /// Actions in the script.
    pub actions: u32,
    /// Actions the last fork set aside, which [`Request::WorldUndoFork`] restores (`None`: no fork).
    pub fork: Option<u32>,
    /// The world's state, with only the last record produced in `produced`.
    pub state: WorldState,
    /// The first topic's last [`LANE_RECORDS`] records per partition, oldest first (empty for a topic
    /// of more than [`TAIL_PARTITIONS`] partitions).
    pub tails: Vec<Vec<RecordView>>,
    /// Each group's latest rebalance rounds, oldest first, as sentences, in the groups' order.
    pub rounds: Vec<(String, Vec<String>)>,
    /// The first topic's partition 0: its newest [`FRAME_SEGMENTS`] segments, each with its last
    /// [`TAIL_RECORDS`] records (the log view).
    pub segments: Vec<SegmentView>,
    /// Every broker, with its replica of the first topic's partition 0 and that replica's last
    /// [`TAIL_RECORDS`] writes (the replication view).
    pub brokers: Vec<BrokerView>,
    /// The first topic's acknowledged writes lost with a leader, by write number.
    pub lost_writes: Vec<u64>,
    /// What producers of the first topic were told.
    pub tally: Tally,
    /// The first topic's configs in force.
    pub config: Option<TopicConfigView>,
    /// The script as JSON (what `kplay world` reads), when this reply changed it.
    pub script: Option<String>,
    /// What the request did, for people.
    pub notice: Option<String>,
}

/// A run's state at one moment: everything the order-flow views draw.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    /// Simulated time reached, in µs.
    pub now_us: u64,
    /// How far the run is, 0 to 1.
    pub progress: f64,
    /// Whether the run has ended (every order finished everywhere, or the event budget reached).
    pub finished: bool,
    /// Where the orders are now: the landing diagram's figures, and each service's lag.
    pub picture: FlowPicture,
    /// Each service's lag per partition, when the request asked for it (else empty).
    pub partition_lags: Vec<Vec<PartitionLag>>,
    /// The report so far (final once `finished`).
    pub report: Report,
}

/// Problems as the one line a refusal carries: `path: message; path: message`.
#[must_use]
pub fn one_line(problems: &[kplay_core::problem::Problem]) -> String {
    problems
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

impl Reply {
    /// The reply as the bytes the worker posts.
    #[must_use]
    pub fn to_bytes(&self) -> Vec<u8> {
        // Serializing into a growing buffer cannot fail for these types (no maps without a length).
        postcard::to_allocvec(self).unwrap_or_default()
    }

    /// A reply from the bytes the worker posted; bytes that are not one become a [`Reply::Failed`].
    #[must_use]
    pub fn from_bytes(bytes: &[u8]) -> Self {
        postcard::from_bytes(bytes).unwrap_or_else(|err| Self::Failed {
            message: format!("The model sent an unreadable reply ({err})."),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `tests/bench/wasm.mjs` reads these bytes in JavaScript: a change here must change it too.
    #[test]
    fn ready_and_bench_replies_have_the_bytes_the_benchmark_script_reads() {
        assert_eq!(Reply::Ready.to_bytes(), [0]);
        let mut bench = vec![3];
        bench.extend_from_slice(&1.5f64.to_le_bytes());
        assert_eq!(Reply::Bench { events_per_s: 1.5 }.to_bytes(), bench);
    }
}
