//! Compiles the guided lessons into the worker: every `lessons/*.md` (but the README), and every world
//! script and scenario a lesson may name (`lessons/scripts/*.json`, `examples/*.json`), as
//! `(path from the project's root, text)` pairs in `$OUT_DIR/lesson_files.rs`. The page loads the worker
//! after its first render, so the lessons cost the landing view nothing.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn files(root: &Path, dir: &str, ext: &str) -> Vec<PathBuf> {
    let dir = root.join(dir);
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut out: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|err| panic!("{}: {err}", dir.display()))
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == ext))
        .filter(|p| p.file_name().is_some_and(|n| n != "README.md"))
        .collect();
    out.sort();
    out
}

fn list(root: &Path, paths: &[PathBuf]) -> String {
    let mut out = String::from("&[\n");
    for path in paths {
        let name = path
            .strip_prefix(root)
            .expect("under the root")
            .to_string_lossy()
            .replace('\\', "/");
        let _ = writeln!(
            out,
            "    ({name:?}, include_str!({:?})),",
            path.display().to_string()
        );
    }
    out.push(']');
    out
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let root = root.canonicalize().expect("the project's root");
    let lessons = files(&root, "lessons", "md");
    let mut sources = files(&root, "lessons/scripts", "json");
    sources.extend(files(&root, "examples", "json"));
    let code = format!(
        "/// Every lesson file, in reading order: (path from the project's root, text).\n\
         pub const LESSON_FILES: &[(&str, &str)] = {};\n\
         /// The scripts and scenarios lessons run: (path from the project's root, text).\n\
         pub const LESSON_SOURCES: &[(&str, &str)] = {};\n",
        list(&root, &lessons),
        list(&root, &sources)
    );
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    std::fs::write(out.join("lesson_files.rs"), code).expect("written");
}
