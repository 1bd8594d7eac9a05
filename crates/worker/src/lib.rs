//! # kplay-worker: the model's own thread
//!
//! The playground's page never runs the model itself: a Web Worker does, so a heavy scenario slows the
//! run, never the page. This crate is that worker: [`protocol`] is everything the page and the worker say
//! to each other (JSON text in `postMessage`), [`engine`] answers each request by driving
//! [`kplay_core`] (the order flow's run with copies to go back to, the world views' [`worlds`], and the
//! guided [`lessons`]), and
//! the `kplay-worker` binary (built by Trunk as `data-type="worker"`) connects the two to the worker's
//! message port. The page's side of the port is `kplay_web::model`.
//!
//! The engine is plain Rust with no browser in it, so every answer the page can get is tested natively
//! (and, through `kplay-web`'s `inline-model` feature, in the browser tests, which have no worker).

pub mod engine;
pub mod lessons;
pub mod protocol;
mod run;
pub mod worlds;
