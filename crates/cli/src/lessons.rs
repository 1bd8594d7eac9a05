//! `kplay lessons check [FILE ...]` and `kplay lessons list [FILE ...]`: the guided lessons of `lessons/`
//! ([`kplay_core::lesson`]) from a terminal.
//!
//! `check` runs every step of every lesson natively and verifies each expectation and each prediction's
//! declared answer against the model; it prints one line per lesson and exits with status 2 if any lesson
//! does not read or does not hold, naming the file, the lesson, the step and what failed. `list` prints
//! each lesson's id, step count and title. Without FILE, both take every `lessons/*.md` under the current
//! directory (but not `lessons/README.md`), in file-name order, which is the lessons' reading order.

use std::ffi::OsString;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use kplay_core::lesson::{Lesson, format};

use crate::error::CliError;
use crate::input::read_source;

pub(crate) fn run(
    args: Vec<OsString>,
    stdin: &mut dyn Read,
    stdout: &mut dyn Write,
) -> Result<(), CliError> {
    let mut args = args.into_iter();
    let command = args.next();
    let mut files: Vec<PathBuf> = args.map(PathBuf::from).collect();
    if files.is_empty() {
        files = default_files()?;
    }
    match command.as_ref().and_then(|c| c.to_str()) {
        Some("check") => check(&files, stdin, stdout),
        Some("list") => {
            for file in &files {
                let lesson = read_lesson(file, stdin)?;
                writeln!(
                    stdout,
                    "{:<32} {} steps  {}",
                    lesson.id,
                    lesson.steps.len(),
                    lesson.title
                )?;
            }
            Ok(())
        }
        _ => Err(CliError::Usage(
            "lessons: say `kplay lessons check [FILE ...]` or `kplay lessons list [FILE ...]`"
                .into(),
        )),
    }
}

/// Every `lessons/*.md` but the README, sorted.
fn default_files() -> Result<Vec<PathBuf>, CliError> {
    let dir = Path::new("lessons");
    let entries = std::fs::read_dir(dir).map_err(|err| {
        CliError::Usage(format!(
            "lessons/: cannot read ({err}); run from the project's root or name the lesson files"
        ))
    })?;
    let mut files = Vec::new();
    for entry in entries {
        let path = entry?.path();
        let is_lesson = path.extension().is_some_and(|e| e == "md")
            && path.file_name().is_some_and(|n| n != "README.md");
        if is_lesson {
            files.push(path);
        }
    }
    files.sort();
    if files.is_empty() {
        return Err(CliError::Usage(
            "lessons/: no lesson files (*.md) there".into(),
        ));
    }
    Ok(files)
}

fn read_lesson(file: &Path, stdin: &mut dyn Read) -> Result<Lesson, CliError> {
    let bytes = read_source(Some(&file.as_os_str().to_owned()), stdin)?;
    let text = String::from_utf8(bytes)
        .map_err(|_| CliError::Usage(format!("{}: not UTF-8 text", file.display())))?;
    format::parse(&text).map_err(|err| CliError::Usage(format!("{}: {err}", file.display())))
}

fn check(files: &[PathBuf], stdin: &mut dyn Read, stdout: &mut dyn Write) -> Result<(), CliError> {
    let mut failed = Vec::new();
    let mut ids: Vec<(String, &Path)> = Vec::new();
    for file in files {
        let lesson = match read_lesson(file, stdin) {
            Ok(lesson) => lesson,
            Err(CliError::Usage(message)) => {
                writeln!(stdout, "FAIL {}", file.display())?;
                failed.push(message);
                continue;
            }
            Err(err) => return Err(err),
        };
        if let Some((_, first)) = ids.iter().find(|(id, _)| *id == lesson.id) {
            failed.push(format!(
                "{}: lesson id {:?} is taken by {}",
                file.display(),
                lesson.id,
                first.display()
            ));
        }
        ids.push((lesson.id.clone(), file));
        let dir = file.parent().unwrap_or(Path::new("."));
        let mut read = |path: &str| {
            std::fs::read_to_string(dir.join(path))
                .map_err(|err| format!("{path}: cannot read: {err}"))
        };
        let failures = lesson.check(&mut read);
        let predictions = lesson
            .steps
            .iter()
            .filter(|s| s.prediction.is_some())
            .count();
        let expectations: usize = lesson.steps.iter().map(|s| s.expect.len()).sum();
        writeln!(
            stdout,
            "{} {:<32} {} steps, {expectations} expectations, {predictions} predictions",
            if failures.is_empty() { "ok  " } else { "FAIL" },
            lesson.id,
            lesson.steps.len(),
        )?;
        failed.extend(
            failures
                .into_iter()
                .map(|f| format!("{}: lesson {}, {f}", file.display(), lesson.id)),
        );
    }
    if failed.is_empty() {
        Ok(())
    } else {
        Err(CliError::Usage(failed.join("\n")))
    }
}
