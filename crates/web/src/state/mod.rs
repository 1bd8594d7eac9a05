//! The app's state: one reducer per view (Yew's `use_reducer`) and the actions that change it.
//! Components dispatch actions; they never simulate. The order flow ([`flow`]) and the partition view's
//! world ([`world`], [`partitions`]) live in the model's worker: their reducers send requests and keep
//! the replies. The retention and replication views still hold their own small kplay-core models.

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

pub mod dashboard;
pub mod flow;
pub mod partitions;
pub mod replication;
pub mod retention;
pub mod route;
pub mod share;
pub mod world;
