//! The app's state: one reducer per view (Yew's `use_reducer`) and the actions that change it.
//! Components dispatch actions; they never simulate. The order flow ([`flow`]) and the worlds of the
//! partition, retention and replication views ([`world`]; [`partitions`], [`retention`],
//! [`replication`] build their scripts and intents) live in the model's worker: the reducers send
//! requests and keep the replies.

/// Implements Yew's `Reducible` for a state with `fn apply(&mut self, action)`: each action yields a
/// new state, the old one cloned and changed in place (or reused without a clone when unshared).
macro_rules! reducible {
    ($state:ty, $action:ty) => {
        impl yew::Reducible for $state {
            type Action = $action;

            fn reduce(self: std::rc::Rc<Self>, action: $action) -> std::rc::Rc<Self> {
                let mut next = std::rc::Rc::unwrap_or_clone(self);
                next.apply(action);
                std::rc::Rc::new(next)
            }
        }
    };
}
pub(crate) use reducible;

/// The whole number the user typed into the field labelled `field`, if it lies in `range`.
///
/// # Errors
/// `"{field}: "typed" is not a whole number from {min} to {max}."`, the typed text quoted in part only.
pub fn whole_number<T>(
    field: &str,
    typed: &str,
    range: std::ops::RangeInclusive<T>,
) -> Result<T, String>
where
    T: std::str::FromStr + PartialOrd + std::fmt::Display,
{
    typed
        .trim()
        .parse::<T>()
        .ok()
        .filter(|n| range.contains(n))
        .ok_or_else(|| {
            format!(
                "{field}: {} is not a whole number from {} to {}.",
                kplay_core::problem::quote(typed),
                range.start(),
                range.end()
            )
        })
}

/// Seconds with one decimal, truncated, as the timelines show a moment.
#[must_use]
pub fn seconds(ms: u64) -> String {
    format!("{}.{} s", ms / 1_000, ms % 1_000 / 100)
}

/// A moment (simulated ms) as links and the autosave write it: exact while paused, else (`speed` ×
/// real time) rounded down to the simulated time of one real second, so the address changes about once a
/// second at most while a clock runs: rewriting a long address costs the page milliseconds each time.
#[must_use]
pub fn link_moment(at_ms: u64, speed: Option<u64>) -> u64 {
    match speed {
        None => at_ms,
        Some(speed) => {
            let second = speed.max(1) * 1_000;
            at_ms / second * second
        }
    }
}

/// Real milliseconds a playing clock catches up at most after the model kept it waiting: after a long
/// stall the run resumes where it was, it does not leap (one leap is one huge frame to draw).
pub const MAX_CATCH_UP_MS: u64 = 250;

pub mod dashboard;
pub mod delivery;
pub mod examples;
pub mod flow;
pub mod lesson;
pub mod partitions;
pub mod replication;
pub mod retention;
pub mod route;
pub mod scoreboard;
pub mod share;
pub mod world;

/// A world view's script driven through the real engine (natively), for the views' tests.
#[cfg(test)]
pub(crate) mod testing {
    use kplay_worker::engine::Engine;
    use kplay_worker::protocol::{Intent, Reply, Request, WorldFrame};

    /// The frame at `end_ms` after opening `script` as `view` and doing each intent at its moment (ms);
    /// anything but a frame in reply panics with what the worker said.
    pub(crate) fn run(
        view: u32,
        script: String,
        steps: &[(u64, Intent)],
        end_ms: u64,
    ) -> Box<WorldFrame> {
        let mut engine = Engine::default();
        let mut ask = |request| match engine.handle(request, &|| 0.0) {
            Reply::World { frame, .. } => frame,
            other => panic!("not a frame: {other:?}"),
        };
        ask(Request::WorldOpen {
            view,
            script,
            at_ms: 0,
        });
        for (at_ms, intent) in steps {
            ask(Request::WorldGo {
                view,
                at_ms: *at_ms,
            });
            ask(Request::WorldAct {
                view,
                intent: intent.clone(),
            });
        }
        ask(Request::WorldGo {
            view,
            at_ms: end_ms,
        })
    }
}
