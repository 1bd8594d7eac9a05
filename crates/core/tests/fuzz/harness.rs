//! The fuzzing loop shared by the crates' fuzz targets (`crates/core/tests/fuzz/main.rs`,
//! `crates/web/tests/fuzz.rs`): replay every saved regression, then feed mutations of a corpus to the
//! target until `FUZZ_CASES` cases (default 300: the suite's smoke) or `FUZZ_SECONDS` have passed; a panic
//! saves its input and fails the run naming it. `FUZZ_SEED` picks the mutations (fixed by default, so the
//! suite explores the same cases every run).

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant as WallClock};

#[path = "mutate.rs"]
mod mutate;

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Runs `target` on every input saved under `regressions/<name>/`, then on mutations of `corpus`; fails on
/// the first panic, after saving its input there.
pub(crate) fn fuzz(regressions: &Path, name: &str, corpus: &[Vec<u8>], target: fn(&[u8])) {
    let dir: PathBuf = regressions.join(name);
    let mut saved: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|entries| entries.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    saved.sort();
    for path in &saved {
        let data = std::fs::read(path).expect("a saved input is readable");
        target(&data);
    }
    let cases = env_number("FUZZ_CASES", 300);
    let limit = std::env::var("FUZZ_SECONDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .map(Duration::from_secs);
    let seed = env_number("FUZZ_SEED", 20_261_122);
    let mut mutator = mutate::Mutator::new(seed, corpus);
    let started = WallClock::now();
    let mut slowest = Duration::ZERO;
    let mut slowest_input = Vec::new();
    let mut run = 0;
    // A panic is reported by this harness with its input; keep the default hook quiet meanwhile.
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let mut failure = None;
    while run < cases && limit.is_none_or(|limit| started.elapsed() < limit) {
        let input = mutator.next_input();
        let case = WallClock::now();
        if let Err(panic) = catch_unwind(AssertUnwindSafe(|| target(&input))) {
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_default();
            std::fs::create_dir_all(&dir).expect("the regressions folder can be made");
            let path = dir.join(format!("{:016x}.json", mutate::fnv(&input)));
            std::fs::write(&path, &input).expect("the input can be saved");
            failure = Some(format!(
                "{name}: case {run} panicked ({message}); input saved to {}",
                path.display()
            ));
            break;
        }
        if case.elapsed() > slowest {
            slowest = case.elapsed();
            slowest_input = input;
        }
        run += 1;
    }
    std::panic::set_hook(hook);
    if let Some(failure) = failure {
        panic!("{failure}");
    }
    // The slowest input, to look into (not a regression: slow is not wrong).
    let kept = std::env::temp_dir().join(format!("kplay-fuzz-slowest-{name}"));
    let _ = std::fs::write(&kept, &slowest_input);
    eprintln!(
        "fuzz {name}: {run} cases and {} saved in {:.1} s (seed {seed}), 0 panics; slowest case {:.0} ms ({})",
        saved.len(),
        started.elapsed().as_secs_f64(),
        slowest.as_secs_f64() * 1_000.0,
        kept.display()
    );
}

/// The world scripts of `examples/` (at the workspace's root), in name order: a corpus for every target
/// that reads scripts.
pub(crate) fn examples() -> Vec<Vec<u8>> {
    files("examples", "json")
}

/// Every `*.<ext>` file of `dir` (relative to the workspace's root) but a `README.md`, in name order.
pub(crate) fn files(dir: &str, ext: &str) -> Vec<Vec<u8>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(dir);
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|err| panic!("{}: {err}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == ext) && !p.ends_with("README.md"))
        .collect();
    paths.sort();
    assert!(!paths.is_empty(), "{} holds *.{ext} files", dir.display());
    paths
        .iter()
        .map(|p| std::fs::read(p).expect("a corpus file is readable"))
        .collect()
}
