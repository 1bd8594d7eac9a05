//! The app's state: one reducer per view (Yew's `use_reducer`), each holding the kplay-core model it
//! drives and the actions that change it. Components dispatch actions; they never simulate.

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

pub mod flow;
pub mod partitions;
pub mod replication;
pub mod retention;
