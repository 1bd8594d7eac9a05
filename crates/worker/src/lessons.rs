//! The guided lessons ([`kplay_core::lesson`]) in the worker: compiled in by `build.rs` (every
//! `lessons/*.md` and the scripts and scenarios they name), read once on the first lesson request, run
//! here so that a step's simulation never blocks the page. The page gets each lesson's text and widgets
//! ([`LessonPage`]) and, when the learner checks a prediction, the verdict with the model's own answer,
//! `why:` line and golden checks ([`LessonOutcome`]).

use kplay_core::lesson::expr::Expr;
use kplay_core::lesson::{Guess, Lesson, Prediction, RunKind, Source, Step, format};
use serde_json::Value;

use crate::protocol::{LessonGuess, LessonOutcome, LessonPage, LessonStep, LessonSummary, Reply};

include!(concat!(env!("OUT_DIR"), "/lesson_files.rs"));

/// The lessons, read on first use, and the last step's model (checking a step twice runs it once).
#[derive(Default)]
pub struct Lessons {
    read: Option<Vec<(&'static str, Lesson)>>,
    last: Option<((String, u32), Value)>,
}

/// `path` as written in the lesson file `lesson` (`../examples/x.json`), as a path from the root.
fn resolve(lesson: &str, path: &str) -> String {
    let mut parts: Vec<&str> = lesson.split('/').collect();
    parts.pop();
    for part in path.split('/') {
        match part {
            ".." => {
                parts.pop();
            }
            "." | "" => {}
            part => parts.push(part),
        }
    }
    parts.join("/")
}

/// The text of `path`, named by lesson file `lesson`.
fn source(lesson: &str, path: &str) -> Result<&'static str, String> {
    let full = resolve(lesson, path);
    LESSON_SOURCES
        .iter()
        .find(|(name, _)| *name == full)
        .map(|(_, text)| *text)
        .ok_or_else(|| format!("{path}: no such file in the site's lessons"))
}

impl Lessons {
    fn all(&mut self) -> &[(&'static str, Lesson)] {
        // The suite's `kplay lessons check` proves every file reads; one that does not is left out.
        self.read.get_or_insert_with(|| {
            LESSON_FILES
                .iter()
                .filter_map(|(file, text)| Some((*file, format::parse(text).ok()?)))
                .collect()
        })
    }

    fn find(&mut self, id: &str) -> Result<(&'static str, &Lesson), String> {
        self.all()
            .iter()
            .find(|(_, lesson)| lesson.id == id)
            .map(|(file, lesson)| (*file, lesson))
            .ok_or_else(|| format!("There is no lesson {}.", kplay_core::problem::quote(id)))
    }

    /// Every lesson's id, title and size.
    pub fn index(&mut self) -> Reply {
        Reply::Lessons {
            lessons: self.all().iter().map(|(_, l)| summary(l)).collect(),
        }
    }

    /// Lesson `id` with its widgets.
    pub fn open(&mut self, id: &str) -> Reply {
        let (file, lesson) = match self.find(id) {
            Ok(found) => found,
            Err(message) => return Reply::LessonRefused { message },
        };
        let steps: Result<Vec<LessonStep>, String> =
            lesson.steps.iter().map(|step| widget(file, step)).collect();
        match steps {
            Ok(steps) => Reply::Lesson {
                lesson: Box::new(LessonPage {
                    summary: summary(lesson),
                    intro: lesson.intro.clone(),
                    steps,
                }),
            },
            Err(message) => Reply::LessonRefused { message },
        }
    }

    /// Runs step `step` of lesson `id` and grades `guess`.
    pub fn check(&mut self, id: &str, step: u32, guess: Option<LessonGuess>) -> Reply {
        match self.outcome(id, step, guess) {
            Ok(outcome) => Reply::LessonChecked {
                outcome: Box::new(outcome),
            },
            Err(message) => Reply::LessonRefused { message },
        }
    }

    fn outcome(
        &mut self,
        id: &str,
        index: u32,
        guess: Option<LessonGuess>,
    ) -> Result<LessonOutcome, String> {
        let (file, lesson) = self.find(id)?;
        let step = lesson
            .steps
            .get(index as usize)
            .ok_or_else(|| format!("The lesson has no step {}.", index + 1))?
            .clone();
        let key = (id.to_owned(), index);
        let model = match self.last.take() {
            Some((k, model)) if k == key => model,
            _ => step
                .model(&mut |path| source(file, path).map(str::to_owned))
                .map_err(|e| format!("The step could not run: {e}"))?,
        };
        let verdict = match (&step.prediction, guess) {
            (Some(p), Some(guess)) => {
                let guess = match guess {
                    LessonGuess::Choice(i) => Guess::Choice(i as usize),
                    LessonGuess::Number(x) => Guess::Number(x),
                };
                Some(p.grade(guess, &model)?)
            }
            _ => None,
        };
        let answer = match (&verdict, &step.prediction) {
            (Some(v), _) => Some(v.model.clone()),
            (None, Some(p)) => p.answer(&model).ok(),
            (None, None) => None,
        };
        let outcome = LessonOutcome {
            id: id.to_owned(),
            step: index,
            right: verdict.map(|v| v.right),
            answer,
            why: step.why.as_ref().and_then(|w| w.render(&model).ok()),
            checks: step.expect.iter().map(|e| check(e, &model)).collect(),
            at_ms: stopped_at(&step, &model),
        };
        self.last = Some((key, model));
        Ok(outcome)
    }
}

fn summary(lesson: &Lesson) -> LessonSummary {
    LessonSummary {
        id: lesson.id.clone(),
        title: lesson.title.clone(),
        teaches: lesson.teaches.clone(),
        steps: u32::try_from(lesson.steps.len()).unwrap_or(u32::MAX),
    }
}

/// An expectation, whether it holds, and the model's values it read.
fn check(expect: &Expr, model: &Value) -> (String, bool, String) {
    (
        expect.text().to_owned(),
        expect.holds(model) == Ok(true),
        expect.explain(model),
    )
}

/// Where the step's run stopped, in ms: its `at_ms`, or the end the model reports.
fn stopped_at(step: &Step, model: &Value) -> u64 {
    step.run.at_ms.unwrap_or_else(|| {
        let end = match step.run.kind {
            RunKind::World => model["at_ms"].as_f64(),
            RunKind::Simulate => model["run"]["simulated_ms"].as_f64(),
        };
        // Whole milliseconds, rounded up so that the widget shows the run's end.
        end.map_or(0, |ms| ms.max(0.0).ceil() as u64)
    })
}

/// The step as the page shows it, with its script or scenario for the widget.
fn widget(file: &str, step: &Step) -> Result<LessonStep, String> {
    let text = |from: &Source| -> Result<Option<String>, String> {
        Ok(match from {
            Source::File(path) => Some(source(file, path)?.to_owned()),
            Source::Inline(json) => Some(json.clone()),
            Source::Preset(_) => None,
        })
    };
    let tolerance = match &step.prediction {
        Some(Prediction::Number { tolerance, .. }) if *tolerance > 0.0 => {
            Some(kplay_core::lesson::expr::show(&Value::from(*tolerance)))
        }
        _ => None,
    };
    let (question, choices) = match &step.prediction {
        Some(Prediction::Choice {
            question, choices, ..
        }) => (
            Some(question.clone()),
            choices.iter().map(|c| c.text.clone()).collect(),
        ),
        Some(Prediction::Number { question, .. }) => (Some(question.clone()), Vec::new()),
        None => (None, Vec::new()),
    };
    let run = &step.run;
    let (script, scenario, preset) = match (&run.kind, &run.source) {
        (RunKind::World, source) => (text(source)?, None, None),
        (RunKind::Simulate, Source::Preset(name)) => (None, None, Some(name.clone())),
        (RunKind::Simulate, source) => (None, text(source)?, None),
    };
    Ok(LessonStep {
        title: step.title.clone(),
        text: step.text.clone(),
        question,
        choices,
        tolerance,
        view: step.view.to_owned(),
        script,
        preset,
        scenario,
        at_ms: run.at_ms,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_lesson_is_compiled_in_and_opens_with_its_widgets() {
        let mut lessons = Lessons::default();
        let Reply::Lessons { lessons: index } = lessons.index() else {
            panic!("an index");
        };
        assert!(index.len() >= 16, "{} lessons", index.len());
        assert_eq!(index.len(), LESSON_FILES.len(), "every file reads");
        for summary in &index {
            let Reply::Lesson { lesson } = lessons.open(&summary.id) else {
                panic!("{} opens", summary.id);
            };
            for step in &lesson.steps {
                let widgets = [&step.script, &step.preset, &step.scenario];
                assert_eq!(
                    widgets.iter().filter(|w| w.is_some()).count(),
                    1,
                    "{}",
                    step.title
                );
            }
        }
        assert!(
            matches!(lessons.open("nope"), Reply::LessonRefused { message } if message.contains("no lesson \"nope\""))
        );
    }

    #[test]
    fn a_guess_is_graded_by_the_model_and_the_run_kept_for_the_next_guess() {
        let mut lessons = Lessons::default();
        let check = |lessons: &mut Lessons, guess| match lessons.check("consumer-group", 0, guess) {
            Reply::LessonChecked { outcome } => outcome,
            other => panic!("{other:?}"),
        };
        let wrong = check(&mut lessons, Some(LessonGuess::Number(2.0)));
        assert_eq!(
            (wrong.right, wrong.answer.as_deref()),
            (Some(false), Some("3"))
        );
        assert_eq!(
            wrong.why.as_deref(),
            Some("billing-1 is alone in the group, so it gets all 3 partitions.")
        );
        assert_eq!(
            wrong.checks,
            [(
                "len(groups.billing.members) == 1".to_owned(),
                true,
                "len(groups.billing.members) = 1".to_owned()
            )]
        );
        assert_eq!(wrong.at_ms, 4_000);
        let right = check(&mut lessons, Some(LessonGuess::Number(3.0)));
        assert_eq!(right.right, Some(true));
        assert!(
            matches!(lessons.check("consumer-group", 9, None), Reply::LessonRefused { message } if message == "The lesson has no step 10.")
        );
        let Reply::LessonChecked { outcome } =
            lessons.check("sync-chain", 1, Some(LessonGuess::Choice(0)))
        else {
            panic!("a scenario step runs");
        };
        assert_eq!(
            (outcome.right, outcome.answer.as_deref()),
            (Some(true), Some("They fail"))
        );
        assert!(
            outcome.at_ms > 1_800_000,
            "the run's end: {}",
            outcome.at_ms
        );
    }

    #[test]
    fn paths_resolve_from_the_lesson_file() {
        assert_eq!(
            resolve("lessons/05-x.md", "../examples/a.json"),
            "examples/a.json"
        );
        assert_eq!(
            resolve("lessons/05-x.md", "scripts/keys.json"),
            "lessons/scripts/keys.json"
        );
        assert_eq!(
            resolve("lessons/05-x.md", "./scripts/../scripts/k.json"),
            "lessons/scripts/k.json"
        );
    }
}
