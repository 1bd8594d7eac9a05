//! # Guided lessons
//!
//! A lesson is a short story told with the model: each step runs a `kplay world` script or an order-flow
//! scenario to a moment, asks the learner to predict what the model will show, and says afterwards what it
//! did show. Lessons are data, one Markdown file each under `lessons/` ([`mod@format`], documented for authors
//! in `lessons/README.md`); nothing a lesson tells the learner after a run is canned: the verdict and the
//! `why:` line are computed from the run's own report through [`expr`] expressions.
//!
//! The same code serves both front ends. The browser grades a learner's guess with [`Prediction::grade`];
//! `kplay lessons check` runs every step natively and fails if an expectation does not hold or if a
//! prediction's declared answer is not what the model produces ([`Lesson::check`]). Steps run within the
//! budgets the browser has ([`WORLD_STEP_BUDGET`] moments of a world; an order flow's events and what it
//! holds, [`Simulation::with_browser_budgets`]), so a lesson that checks natively also runs in a tab. Only
//! with the `json` feature: expressions read the JSON report.

pub mod expr;
pub mod format;

use alloc::borrow::ToOwned;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;

use serde_json::Value;

use crate::config::{MAX_READINGS_SHOWN, WORLD_STEP_BUDGET};
use crate::presets::{self, PRESETS};
use crate::problem::quote;
use crate::scenario::Scenario;
use crate::sim::Simulation;
use crate::time::Instant;
use crate::world::{Script, World};
use expr::{Expr, show};

/// One lesson.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Lesson {
    /// Its id in links (`?lesson=<id>`).
    pub id: String,
    /// Its title.
    pub title: String,
    /// The configs and KIPs it teaches, as the author wrote them.
    pub teaches: String,
    /// Markdown before the first step.
    pub intro: String,
    /// The steps, in order.
    pub steps: Vec<Step>,
}

/// One step: what to run, what to ask, what the model must show.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// The `##` heading.
    pub title: String,
    /// The heading's line in the file.
    pub line: usize,
    /// Markdown the learner reads before running.
    pub text: String,
    /// What runs.
    pub run: Run,
    /// The question asked before the run, if any.
    pub prediction: Option<Prediction>,
    /// What must hold after the run (the golden checks).
    pub expect: Vec<Expr>,
    /// Said after the run, its `{expressions}` filled in from the model.
    pub why: Option<Template>,
    /// The playground view the step's widget shows its run in: one of [`VIEWS`].
    pub view: &'static str,
}

/// The views a step's widget can show, by their names in the playground's links (`embed=`): the world
/// views (`partitions` is a world step's default) and the order flow's (`sync-vs-event` is a scenario's).
pub const VIEWS: [&str; 5] = [
    "partitions",
    "retention",
    "replication",
    "sync-vs-event",
    "dashboard",
];

/// What a step runs.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    /// A world script or an order-flow scenario.
    pub kind: RunKind,
    /// Where it comes from.
    pub source: Source,
    /// The moment to stop at, in ms; without it the run goes to its end (a world: until idle, at most
    /// 60 s after its last action).
    pub at_ms: Option<u64>,
    /// A scenario's seed, instead of its own.
    pub seed: Option<u64>,
}

/// `world` or `simulate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunKind {
    /// A `kplay world` script; the model is the state `kplay world --at-ms T --records` prints.
    World,
    /// An order-flow scenario; the model is the report `kplay simulate --at-ms T` prints.
    Simulate,
}

/// Where a step's script or scenario comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A file, relative to the lesson file.
    File(String),
    /// A preset scenario by name.
    Preset(String),
    /// The step's own ` ```json ` block.
    Inline(String),
}

/// A question asked before the run.
#[derive(Debug, Clone, PartialEq)]
pub enum Prediction {
    /// Multiple choice: the choice whose condition holds in the model is the right one.
    Choice {
        /// The question.
        question: String,
        /// The choices.
        choices: Vec<Choice>,
        /// The author's answer (0-based), checked against the model by [`Lesson::check`].
        answer: usize,
    },
    /// A number, right within `tolerance` of the model's value.
    Number {
        /// The question.
        question: String,
        /// Where the model reports it.
        value: Expr,
        /// The author's answer, checked against the model.
        answer: f64,
        /// How far a guess may be off and still be right.
        tolerance: f64,
    },
}

/// One choice of a multiple-choice question.
#[derive(Debug, Clone, PartialEq)]
pub struct Choice {
    /// What the learner reads.
    pub text: String,
    /// When it is the right one.
    pub when: Expr,
}

/// A learner's guess.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Guess {
    /// A choice (0-based).
    Choice(usize),
    /// A number.
    Number(f64),
}

/// The verdict on a guess, with the model's own answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// Whether the guess held.
    pub right: bool,
    /// What the model produced: the right choice's text, or the number.
    pub model: String,
}

impl Prediction {
    /// The question.
    #[must_use]
    pub fn question(&self) -> &str {
        match self {
            Self::Choice { question, .. } | Self::Number { question, .. } => question,
        }
    }

    /// What the model answers: the index of the one choice that holds, or the number.
    ///
    /// # Errors
    /// An expression the model cannot answer, or not exactly one choice holding.
    pub fn truth(&self, model: &Value) -> Result<Guess, String> {
        match self {
            Self::Choice { choices, .. } => {
                let mut holding = Vec::new();
                for (i, choice) in choices.iter().enumerate() {
                    if choice.when.holds(model)? {
                        holding.push(i);
                    }
                }
                match holding.as_slice() {
                    [one] => Ok(Guess::Choice(*one)),
                    [] => Err("no choice holds in the model".to_owned()),
                    many => Err(format!(
                        "choices {} all hold in the model",
                        many.iter()
                            .map(|i| (i + 1).to_string())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )),
                }
            }
            Self::Number { value, .. } => value
                .eval(model)?
                .as_f64()
                .map(Guess::Number)
                .ok_or_else(|| format!("`{value}` is not a number")),
        }
    }

    /// Grades `guess` against the model.
    ///
    /// # Errors
    /// As [`Self::truth`].
    pub fn grade(&self, guess: Guess, model: &Value) -> Result<Verdict, String> {
        let truth = self.truth(model)?;
        let right = match (self, truth, guess) {
            (Self::Choice { .. }, Guess::Choice(right), Guess::Choice(g)) => right == g,
            (Self::Number { tolerance, .. }, Guess::Number(x), Guess::Number(g)) => {
                (g - x).abs() <= *tolerance
            }
            _ => return Err("the guess does not fit the question".to_owned()),
        };
        Ok(Verdict {
            right,
            model: self.say(truth),
        })
    }

    /// The model's answer for people: the right choice's text, or the number.
    ///
    /// # Errors
    /// As [`Self::truth`].
    pub fn answer(&self, model: &Value) -> Result<String, String> {
        self.truth(model).map(|truth| self.say(truth))
    }

    /// `truth` ([`Self::truth`]'s answer) in words.
    fn say(&self, truth: Guess) -> String {
        match (self, truth) {
            (Self::Choice { choices, .. }, Guess::Choice(i)) => choices[i].text.clone(),
            (_, Guess::Number(x)) => show(&Value::from(x)),
            (Self::Number { .. }, Guess::Choice(_)) => String::new(),
        }
    }
}

/// Text with `{expressions}` filled in from the model.
#[derive(Debug, Clone, PartialEq)]
pub struct Template(Vec<Piece>);

#[derive(Debug, Clone, PartialEq)]
enum Piece {
    Text(String),
    Value(Expr),
}

impl Template {
    /// Parses `text`, whose `{...}` are expressions.
    ///
    /// # Errors
    /// An unclosed `{` or an expression that does not parse.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut pieces = Vec::new();
        let mut rest = text;
        while let Some(open) = rest.find('{') {
            let close = rest[open..]
                .find('}')
                .ok_or_else(|| format!("the `{{` at {} is not closed", quote(&rest[open..])))?;
            pieces.push(Piece::Text(rest[..open].to_owned()));
            pieces.push(Piece::Value(Expr::parse(&rest[open + 1..open + close])?));
            rest = &rest[open + close + 1..];
        }
        pieces.push(Piece::Text(rest.to_owned()));
        Ok(Self(pieces))
    }

    /// The text, its expressions replaced by the model's values.
    ///
    /// # Errors
    /// An expression the model cannot answer.
    pub fn render(&self, model: &Value) -> Result<String, String> {
        let mut out = String::new();
        for piece in &self.0 {
            match piece {
                Piece::Text(t) => out.push_str(t),
                Piece::Value(e) => out.push_str(&show(&e.eval(model)?)),
            }
        }
        Ok(out)
    }
}

/// A lesson file that does not read, at a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LessonError {
    /// 1-based line in the file.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for LessonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

/// An expectation or answer the model does not bear out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// 1-based step number.
    pub step: usize,
    /// The step's title.
    pub title: String,
    /// What failed, with the model's values.
    pub message: String,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "step {} ({}): {}",
            self.step,
            quote(&self.title),
            self.message
        )
    }
}

impl Step {
    /// Runs the step and returns the model's report as JSON. `read` gives the text of a file the step
    /// names (relative to the lesson file).
    ///
    /// # Errors
    /// A file that cannot be read, a script or scenario with problems, an unknown preset, or a run that
    /// reached its budget.
    pub fn model(
        &self,
        read: &mut dyn FnMut(&str) -> Result<String, String>,
    ) -> Result<Value, String> {
        let run = &self.run;
        let (text, name) = match &run.source {
            Source::File(path) => (read(path)?, path.as_str()),
            Source::Inline(json) => (json.clone(), "the ```json block"),
            Source::Preset(_) => (String::new(), ""),
        };
        let at = run.at_ms.map(Instant::from_millis);
        let problems = |list: &[crate::problem::Problem]| {
            let lines: Vec<String> = list.iter().map(ToString::to_string).collect();
            format!("{name}: {}", lines.join("; "))
        };
        let json = |e: crate::problem::Problem| format!("{name}: {e}");
        match run.kind {
            RunKind::World => {
                let script: Script = crate::json::parse(text.as_bytes()).map_err(json)?;
                let world = World::run_script(&script, at, WORLD_STEP_BUDGET, &mut |_| {})
                    .map_err(|p| problems(&p.0))?;
                if world.is_capped() {
                    return Err(format!(
                        "{name}: the run stopped after {} moments, its budget",
                        world.steps()
                    ));
                }
                let state = world.state();
                let mut value = serde_json::to_value(&state).map_err(|e| e.to_string())?;
                crate::json::add_records(&mut value, &world, &state).map_err(|e| e.to_string())?;
                Ok(value)
            }
            RunKind::Simulate => {
                let mut scenario: Scenario = match &run.source {
                    Source::Preset(preset) => presets::find(preset)
                        .ok_or_else(|| {
                            let names: Vec<&str> = PRESETS.iter().map(|p| p.name).collect();
                            format!(
                                "unknown preset {}; presets are: {}",
                                quote(preset),
                                names.join(", ")
                            )
                        })?
                        .scenario(presets::DEFAULT_SEED),
                    _ => crate::json::parse(text.as_bytes()).map_err(json)?,
                };
                if let Some(seed) = run.seed {
                    scenario.seed = seed;
                }
                let mut simulation = Simulation::new(&scenario)
                    .map_err(|p| problems(&p))?
                    .with_browser_budgets();
                simulation.run_until(at.unwrap_or(Instant::from_micros(u64::MAX)), u64::MAX);
                let report = simulation.report();
                if let Some(why) = &report.run.capped {
                    return Err(format!("{name}: the run {why}"));
                }
                serde_json::to_value(report).map_err(|e| e.to_string())
            }
        }
    }

    /// What failed in `model`: each expectation that does not hold, a prediction whose declared answer
    /// is not the model's, a `why:` the model cannot fill in.
    #[must_use]
    pub fn failures(&self, model: &Value) -> Vec<String> {
        let mut out = Vec::new();
        let readings = |e: &Expr| match e.explain(model) {
            line if line.is_empty() => String::new(),
            line => format!(" (the model: {line})"),
        };
        for expect in &self.expect {
            match expect.holds(model) {
                Ok(true) => {}
                Ok(false) => out.push(format!(
                    "expect `{expect}` does not hold{}",
                    readings(expect)
                )),
                Err(e) => out.push(format!("expect `{expect}`: {e}")),
            }
        }
        match &self.prediction {
            Some(
                p @ Prediction::Choice {
                    choices, answer, ..
                },
            ) if p.truth(model).ok() != Some(Guess::Choice(*answer)) => {
                out.push(choice_failure(choices, *answer, model));
            }
            Some(
                p @ Prediction::Number {
                    answer,
                    tolerance,
                    value,
                    ..
                },
            ) => match p.truth(model) {
                Ok(Guess::Number(x)) if (x - answer).abs() <= *tolerance => {}
                Ok(_) => out.push(format!(
                    "answer {} ± {} but the model gives `{value}` = {}",
                    show(&Value::from(*answer)),
                    show(&Value::from(*tolerance)),
                    value.eval(model).map_or_else(|e| e, |v| show(&v))
                )),
                Err(e) => out.push(format!("number: {e}")),
            },
            Some(Prediction::Choice { .. }) | None => {}
        }
        if let Some(Err(e)) = self.why.as_ref().map(|w| w.render(model)) {
            out.push(format!("why: {e}"));
        }
        out
    }
}

impl Lesson {
    /// Runs every step and lists what the model does not bear out; empty when the lesson holds.
    pub fn check(&self, read: &mut dyn FnMut(&str) -> Result<String, String>) -> Vec<Failure> {
        let mut out = Vec::new();
        for (i, step) in self.steps.iter().enumerate() {
            let fail = |message: String| Failure {
                step: i + 1,
                title: step.title.clone(),
                message,
            };
            match step.model(read) {
                Ok(model) => out.extend(step.failures(&model).into_iter().map(fail)),
                Err(e) => out.push(fail(format!("run: {e}"))),
            }
        }
        out
    }
}

/// Why the model's right choice is not the author's `answer`: the choices that hold, or that the model
/// cannot evaluate, with the model's values of every query they read.
fn choice_failure(choices: &[Choice], answer: usize, model: &Value) -> String {
    let mut holding = Vec::new();
    let mut errors = Vec::new();
    let mut seen = Vec::new();
    for (i, choice) in choices.iter().enumerate() {
        match choice.when.holds(model) {
            Ok(true) => holding.push(format!("choice {} ({})", i + 1, choice.text)),
            Ok(false) => {}
            Err(e) => errors.push(format!("choice {}: {e}", i + 1)),
        }
        for reading in choice.when.readings(model) {
            if !seen.contains(&reading) && seen.len() < MAX_READINGS_SHOWN {
                seen.push(reading);
            }
        }
    }
    if !errors.is_empty() {
        return errors.join("; ");
    }
    let seen: Vec<String> = seen
        .into_iter()
        .map(|(q, v)| format!("{q} = {v}"))
        .collect();
    format!(
        "answer {} ({}) but the model makes {} hold (the model: {})",
        answer + 1,
        choices[answer].text,
        if holding.is_empty() {
            "no choice".to_owned()
        } else {
            holding.join(" and ")
        },
        seen.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const LESSON: &str = "---
id: t
title: T
---
## Idle

```kplay
run: world x.json
ask: How many idle?
number: empty(groups.g.members.*.assigned)
answer: 1
tolerance: 0.5
expect: len(groups.g.members) == 2
why: {empty(groups.g.members.*.assigned)} of {len(groups.g.members)} idle.
```

## Which

```kplay
run: world x.json
ask: Who reads?
choice: a {len(groups.g.members.a.assigned) > 0}
choice: b {len(groups.g.members.b.assigned) > 0}
answer: 1
expect: groups.g.state == \"Stable\"
```
";

    fn model() -> Value {
        json!({"groups": {"g": {"state": "Stable", "members": {"a": {"assigned": [1]}, "b": {"assigned": []}}}}})
    }

    #[test]
    fn guesses_are_graded_against_the_model_with_its_own_numbers() {
        let lesson = format::parse(LESSON).expect("parses");
        let (number, choice) = (&lesson.steps[0], &lesson.steps[1]);
        let p = number.prediction.as_ref().expect("a question");
        let grade = |g| p.grade(g, &model()).expect("graded");
        assert_eq!(
            grade(Guess::Number(1.4)),
            Verdict {
                right: true,
                model: "1".into()
            }
        );
        assert_eq!(
            grade(Guess::Number(2.0)),
            Verdict {
                right: false,
                model: "1".into()
            }
        );
        assert!(p.grade(Guess::Choice(0), &model()).is_err());
        let p = choice.prediction.as_ref().expect("a question");
        assert_eq!(p.question(), "Who reads?");
        assert_eq!(
            p.grade(Guess::Choice(0), &model()),
            Ok(Verdict {
                right: true,
                model: "a".into()
            })
        );
        assert_eq!(
            p.grade(Guess::Choice(1), &model()),
            Ok(Verdict {
                right: false,
                model: "a".into()
            })
        );
        let why = number.why.as_ref().expect("a why line");
        assert_eq!(why.render(&model()), Ok("1 of 2 idle.".to_owned()));
        assert!(number.failures(&model()).is_empty() && choice.failures(&model()).is_empty());
    }

    #[test]
    fn failures_say_what_the_model_shows_instead() {
        let lesson = format::parse(LESSON).expect("parses");
        let both = json!({"groups": {"g": {"state": "Empty", "members": {
            "a": {"assigned": [1]}, "b": {"assigned": [2]}, "c": {"assigned": [3]}
        }}}});
        assert_eq!(
            lesson.steps[0].failures(&both),
            [
                "expect `len(groups.g.members) == 2` does not hold (the model: len(groups.g.members) = 3)",
                "answer 1 ± 0.5 but the model gives `empty(groups.g.members.*.assigned)` = 0",
            ]
        );
        let failures = lesson.steps[1].failures(&both);
        assert_eq!(failures.len(), 2, "{failures:?}");
        assert!(
            failures[1]
                .starts_with("answer 1 (a) but the model makes choice 1 (a) and choice 2 (b) hold"),
            "{failures:?}"
        );
        let none = json!({});
        assert!(lesson.steps[0].failures(&none)[0].contains("no `groups` in the report"));
        let missing = lesson.check(&mut |path| Err(format!("{path}: cannot read")));
        assert_eq!(missing.len(), 2);
        assert_eq!(
            missing[0].to_string(),
            "step 1 (\"Idle\"): run: x.json: cannot read"
        );
    }
}
