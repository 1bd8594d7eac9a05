//! # kplay-web: the playground in the browser
//!
//! A Yew app that drives [`kplay_core`] and draws what it reports. It holds no Kafka logic of its own:
//! [`state`] keeps the model and turns user actions into calls on it; [`components`] render that state and
//! dispatch actions.

pub mod components;
pub mod state;

pub use components::app::App;
