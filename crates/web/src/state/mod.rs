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

/// A value shared between successive states and changed in place, so a reducer step costs nothing however
/// large it is (a topic's records). Two handles are equal when they point at the same value at the same
/// version; every mutable borrow bumps the version, so a changed value re-renders what shows it.
#[derive(Debug, Clone)]
pub struct Shared<T> {
    value: std::rc::Rc<std::cell::RefCell<T>>,
    version: u64,
}

impl<T> Shared<T> {
    /// Shares `value`.
    pub fn new(value: T) -> Self {
        Self {
            value: std::rc::Rc::new(std::cell::RefCell::new(value)),
            version: 0,
        }
    }

    /// Reads the value.
    #[must_use]
    pub fn borrow(&self) -> std::cell::Ref<'_, T> {
        self.value.borrow()
    }

    /// Changes the value in place, as a new version.
    pub fn borrow_mut(&mut self) -> std::cell::RefMut<'_, T> {
        self.version += 1;
        self.value.borrow_mut()
    }
}

impl<T> PartialEq for Shared<T> {
    fn eq(&self, other: &Self) -> bool {
        std::rc::Rc::ptr_eq(&self.value, &other.value) && self.version == other.version
    }
}

pub mod dashboard;
pub mod flow;
pub mod partitions;
pub mod replication;
pub mod retention;
pub mod route;
pub mod share;
