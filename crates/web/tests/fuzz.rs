//! Mutation fuzzing of what a link hands the page: the whole query string (`view`, `embed`, `s`, `w`,
//! `at`, `d`, `page`, …) and the documents packed into it. Opening any address must never panic, and every
//! message it yields must stay short enough to read (a tampered value is quoted at most in part).
//!
//! Two targets, on the harness and mutations of the core's fuzzing (`crates/core/tests/fuzz/`):
//! - `link`: mutations of real links (every view, with scenarios, world scripts and incidents), as the
//!   address bar would hold them after tampering;
//! - `link_payload`: mutated scenario and world-script JSON, packed as a link's `s` and `w` would be, so
//!   the hostile part survives the encoding and reaches the readers behind it.
//!
//! `FUZZ_CASES`, `FUZZ_SECONDS` and `FUZZ_SEED` steer a run as for the core's targets; `scripts/fuzz.sh`
//! runs these too.
#![cfg(not(target_arch = "wasm32"))]

#[path = "../../core/tests/fuzz/harness.rs"]
mod harness;

use std::path::Path;

use kplay_core::delivery::CrashScenario;
use kplay_core::presets::{DEFAULT_SEED, PRESETS};
use kplay_web::state::delivery;
use kplay_web::state::route::{Route, Showing, View};
use kplay_web::state::share;

/// The longest message a link may produce: a few sentences, whatever the link holds.
const LONGEST_MESSAGE: usize = 400;

/// Opens `query` as the page does and checks what it says.
fn open(query: &str) {
    let route = Route::parse(query);
    for problem in &route.problems {
        assert!(
            problem.chars().count() <= LONGEST_MESSAGE,
            "a {}-character message: {problem:.200}",
            problem.len()
        );
    }
    if let Some(incident) = route.delivery {
        assert_eq!(delivery::decode(&delivery::encode(&incident)), Ok(incident));
    }
}

/// A tampered address.
fn link(data: &[u8]) {
    open(&String::from_utf8_lossy(data));
}

/// A hostile document packed into a link's scenario and world script.
fn link_payload(data: &[u8]) {
    let packed = share::pack(&String::from_utf8_lossy(data));
    open(&format!("?view=partitions&s={packed}&w={packed}&at=1000"));
}

fn regressions() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz/regressions")
}

#[test]
fn links_never_panic_and_their_messages_stay_short() {
    let scripts = harness::examples();
    let mut corpus = Vec::new();
    for (i, preset) in PRESETS.iter().enumerate() {
        let scenario = preset.scenario(DEFAULT_SEED);
        let script = String::from_utf8_lossy(&scripts[i % scripts.len()]).into_owned();
        let packed = share::pack(&script);
        let incident = CrashScenario::new(20 + i as u64, 3, 7).expect("in range");
        for (view, showing) in [
            (View::SyncVsEvent, Showing::Flow(12_000)),
            (View::Dashboard, Showing::Flow(0)),
            (View::Partitions, Showing::World(Some(&packed), 3_000)),
            (View::Delivery, Showing::Delivery(incident)),
        ] {
            corpus.push(Route::link_query(view, &scenario, showing).into_bytes());
        }
        corpus.push(format!("?embed=dashboard&controls=play&preset={}", preset.name).into_bytes());
    }
    corpus.push(b"?page=delivery-semantics&utm_source=x".to_vec());
    harness::fuzz(&regressions(), "link", &corpus, link);
}

#[test]
fn packed_documents_never_panic_the_link_reader() {
    let mut corpus: Vec<Vec<u8>> = PRESETS
        .iter()
        .map(|p| share::to_json(&p.scenario(DEFAULT_SEED)).into_bytes())
        .collect();
    corpus.extend(harness::examples());
    harness::fuzz(&regressions(), "link_payload", &corpus, link_payload);
}
