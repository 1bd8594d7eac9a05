//! Reading a lesson file: Markdown with a front matter, one `##` section per step, and in each step one
//! ` ```kplay ` block saying what to run, what to ask and what the model must show (the format is
//! documented for authors in `lessons/README.md`).

use alloc::borrow::ToOwned;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use super::expr::Expr;
use super::{Choice, Lesson, LessonError, Prediction, Run, RunKind, Source, Step, Template, VIEWS};
use crate::config::{MAX_AT_MS, MAX_CHOICE_CHARS, MAX_LESSON_STEPS};
use crate::problem::{cut, quote};

/// Parses a lesson file.
///
/// # Errors
/// The first problem, with its line.
pub fn parse(text: &str) -> Result<Lesson, LessonError> {
    let lines: Vec<&str> = text.lines().collect();
    let err = |line: usize, message: String| LessonError { line, message };
    if lines.first().map(|l| l.trim_end()) != Some("---") {
        return Err(err(
            1,
            "a lesson starts with a front matter: a `---` line, `id: ...`, `title: ...`, `---`"
                .to_owned(),
        ));
    }
    let close = lines
        .iter()
        .skip(1)
        .position(|l| l.trim_end() == "---")
        .ok_or_else(|| err(1, "the front matter has no closing `---` line".to_owned()))?
        + 1;
    let mut lesson = Lesson::default();
    for (i, line) in lines.iter().enumerate().take(close).skip(1) {
        let (key, value) = key_value(line).ok_or_else(|| {
            err(
                i + 1,
                format!("expected `key: value`, found {}", quote(line)),
            )
        })?;
        match key {
            "id" if is_id(value) => lesson.id = value.to_owned(),
            "id" => {
                return Err(err(
                    i + 1,
                    format!(
                        "id {}: use lowercase letters, digits and dashes",
                        quote(value)
                    ),
                ));
            }
            "title" => lesson.title = value.to_owned(),
            "teaches" => lesson.teaches = value.to_owned(),
            _ => {
                return Err(err(
                    i + 1,
                    format!(
                        "unknown front-matter key `{}`; keys are id, title, teaches",
                        cut(key)
                    ),
                ));
            }
        }
    }
    if lesson.id.is_empty() || lesson.title.is_empty() {
        return Err(err(
            1,
            "the front matter needs an `id` and a `title`".to_owned(),
        ));
    }

    let mut intro = Vec::new();
    let mut section: Option<Section<'_>> = None;
    let mut i = close + 1;
    while i < lines.len() {
        let line = lines[i];
        if let Some(title) = line.strip_prefix("## ") {
            if let Some(done) = section.take() {
                lesson.steps.push(done.finish()?);
            }
            section = Some(Section::new(title.trim(), i + 1));
            i += 1;
            continue;
        }
        let fence = line.trim_start().strip_prefix("```").map(str::trim);
        if let (Some(kind @ ("kplay" | "json")), Some(s)) = (fence, section.as_mut()) {
            let start = i + 1;
            let end = lines[start..]
                .iter()
                .position(|l| l.trim() == "```")
                .map(|n| start + n)
                .ok_or_else(|| err(i + 1, format!("the ```{kind} block is not closed")))?;
            let body = &lines[start..end];
            if kind == "json" {
                if s.inline.is_some() {
                    return Err(err(
                        i + 1,
                        "a step has at most one ```json block".to_owned(),
                    ));
                }
                s.inline = Some(body.join("\n"));
            } else if s.block.is_some() {
                return Err(err(i + 1, "a step has one ```kplay block".to_owned()));
            } else {
                s.block = Some((start + 1, body.iter().map(|l| (*l).to_owned()).collect()));
            }
            i = end + 1;
            continue;
        }
        match section.as_mut() {
            Some(s) => s.text.push(line),
            None => intro.push(line),
        }
        i += 1;
    }
    if let Some(done) = section.take() {
        lesson.steps.push(done.finish()?);
    }
    lesson.intro = prose(&intro);
    if lesson.steps.is_empty() {
        return Err(err(
            close + 1,
            "a lesson has at least one step: a `## ` heading with a ```kplay block".to_owned(),
        ));
    }
    if lesson.steps.len() > MAX_LESSON_STEPS {
        return Err(err(
            lesson.steps[MAX_LESSON_STEPS].line,
            format!("a lesson has at most {MAX_LESSON_STEPS} steps"),
        ));
    }
    Ok(lesson)
}

fn is_id(value: &str) -> bool {
    !value.is_empty()
        && value.len() <= 64
        && value
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

fn key_value(line: &str) -> Option<(&str, &str)> {
    let (key, value) = line.split_once(':')?;
    let key = key.trim();
    (!key.is_empty() && key.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'))
        .then(|| (key, value.trim()))
}

/// Paragraphs trimmed of leading and trailing blank lines.
fn prose(lines: &[&str]) -> String {
    let text = lines.join("\n");
    text.trim_matches('\n').trim_end().to_owned()
}

/// A step as read so far.
struct Section<'a> {
    title: String,
    line: usize,
    text: Vec<&'a str>,
    block: Option<(usize, Vec<String>)>,
    inline: Option<String>,
}

impl<'a> Section<'a> {
    fn new(title: &str, line: usize) -> Self {
        Self {
            title: title.to_owned(),
            line,
            text: Vec::new(),
            block: None,
            inline: None,
        }
    }

    fn finish(self) -> Result<Step, LessonError> {
        let here = self.line;
        let err = |line: usize, message: String| LessonError { line, message };
        let Some((first, block)) = self.block else {
            return Err(err(
                here,
                format!("step {} has no ```kplay block", quote(&self.title)),
            ));
        };
        let mut run = None;
        let mut at_ms = None;
        let mut seed = None;
        let mut ask = None;
        let mut choices = Vec::new();
        let mut number = None;
        let mut answer: Option<(usize, &str)> = None;
        let mut tolerance = None;
        let mut expect = Vec::new();
        let mut why = None;
        let mut view = None;
        for (n, raw) in block.iter().enumerate() {
            let line = first + n;
            let trimmed = raw.trim();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            let (key, value) = key_value(trimmed).ok_or_else(|| {
                err(
                    line,
                    format!("expected `key: value`, found {}", quote(trimmed)),
                )
            })?;
            let expr = |text: &str| Expr::parse(text).map_err(|e| err(line, format!("{key}: {e}")));
            let once = |slot: bool| {
                if slot {
                    Err(err(line, format!("`{}` is given twice", cut(key))))
                } else {
                    Ok(())
                }
            };
            match key {
                "run" => {
                    once(run.is_some())?;
                    run = Some((line, value));
                }
                "at_ms" => {
                    once(at_ms.is_some())?;
                    at_ms = Some(
                        whole(value, MAX_AT_MS).map_err(|e| err(line, format!("at_ms: {e}")))?,
                    );
                }
                "seed" => {
                    once(seed.is_some())?;
                    seed =
                        Some(whole(value, u64::MAX).map_err(|e| err(line, format!("seed: {e}")))?);
                }
                "ask" => {
                    once(ask.is_some())?;
                    ask = Some(value.to_owned());
                }
                "choice" => {
                    let (text, condition) = value
                        .strip_suffix('}')
                        .and_then(|v| v.rsplit_once('{'))
                        .ok_or_else(|| {
                            err(
                                line,
                                "choice: write `choice: <text> {<condition>}`".to_owned(),
                            )
                        })?;
                    if text.trim().chars().count() > MAX_CHOICE_CHARS {
                        return Err(err(
                            line,
                            format!("choice: a choice has at most {MAX_CHOICE_CHARS} characters"),
                        ));
                    }
                    choices.push(Choice {
                        text: text.trim().to_owned(),
                        when: expr(condition)?,
                    });
                }
                "number" => {
                    once(number.is_some())?;
                    number = Some(expr(value)?);
                }
                "answer" => {
                    once(answer.is_some())?;
                    answer = Some((line, value));
                }
                "tolerance" => {
                    once(tolerance.is_some())?;
                    tolerance = Some(decimal(value).filter(|t| *t >= 0.0).ok_or_else(|| {
                        err(
                            line,
                            format!("tolerance: {} is not a number ≥ 0", quote(value)),
                        )
                    })?);
                }
                "expect" => expect.push(expr(value)?),
                "view" => {
                    once(view.is_some())?;
                    let known = VIEWS.iter().find(|v| **v == value).ok_or_else(|| {
                        err(
                            line,
                            format!("view: {} is not one of {}", quote(value), VIEWS.join(", ")),
                        )
                    })?;
                    view = Some((line, *known));
                }
                "why" => {
                    once(why.is_some())?;
                    why = Some(Template::parse(value).map_err(|e| err(line, format!("why: {e}")))?);
                }
                _ => {
                    return Err(err(
                        line,
                        format!(
                            "unknown key `{}`; keys are run, at_ms, seed, view, ask, choice, number, answer, tolerance, expect, why",
                            cut(key)
                        ),
                    ));
                }
            }
        }
        let (run_line, run) = run.ok_or_else(|| {
            err(
                first,
                "the step needs `run: world FILE` or `run: simulate FILE | preset NAME`".to_owned(),
            )
        })?;
        let run = Run::parse(run, self.inline, at_ms, seed)
            .map_err(|e| err(run_line, format!("run: {e}")))?;
        if expect.is_empty() {
            return Err(err(first, "the step needs at least one `expect:` line: what the model must show after the run".to_owned()));
        }
        let prediction = match (ask, number, choices.is_empty(), answer) {
            (None, None, true, None) if tolerance.is_none() => None,
            (Some(question), Some(value), true, Some((line, answer))) => {
                let answer = decimal(answer).ok_or_else(|| {
                    err(line, format!("answer: {} is not a number", quote(answer)))
                })?;
                Some(Prediction::Number {
                    question,
                    value,
                    answer,
                    tolerance: tolerance.unwrap_or(0.0),
                })
            }
            (Some(question), None, false, Some((line, answer))) if tolerance.is_none() => {
                let index = answer
                    .parse::<usize>()
                    .ok()
                    .filter(|i| (1..=choices.len()).contains(i))
                    .ok_or_else(|| {
                        err(
                            line,
                            format!(
                                "answer: {} is not a choice from 1 to {}",
                                quote(answer),
                                choices.len()
                            ),
                        )
                    })?;
                if choices.len() < 2 {
                    return Err(err(
                        first,
                        "a multiple-choice question needs at least two `choice:` lines".to_owned(),
                    ));
                }
                Some(Prediction::Choice {
                    question,
                    choices,
                    answer: index - 1,
                })
            }
            _ => {
                return Err(err(
                    first,
                    "a prediction is `ask:` with either `choice:` lines and `answer: N`, or `number: EXPR`, `answer: X` and an optional `tolerance: T`".to_owned(),
                ));
            }
        };
        // The first three views show worlds, the last two the order flow.
        let fits = |v: &str| VIEWS[..3].contains(&v) == (run.kind == RunKind::World);
        let view = match view {
            Some((line, v)) if !fits(v) => {
                return Err(err(
                    line,
                    format!(
                        "view: {v} does not show a `{}` run",
                        match run.kind {
                            RunKind::World => "world",
                            RunKind::Simulate => "simulate",
                        }
                    ),
                ));
            }
            Some((_, v)) => v,
            None if run.kind == RunKind::World => VIEWS[0],
            None => VIEWS[3],
        };
        Ok(Step {
            title: self.title,
            line: here,
            text: prose(&self.text),
            run,
            prediction,
            expect,
            why,
            view,
        })
    }
}

/// A number as an author writes it: `40000`, `40,000`, `40_000`, `0.5`.
fn decimal(value: &str) -> Option<f64> {
    value
        .replace([',', '_'], "")
        .parse::<f64>()
        .ok()
        .filter(|x| x.is_finite())
}

fn whole(value: &str, max: u64) -> Result<u64, String> {
    value
        .replace(['_', ','], "")
        .parse::<u64>()
        .ok()
        .filter(|n| *n <= max)
        .ok_or_else(|| format!("{} is not a whole number from 0 to {max}", quote(value)))
}

impl Run {
    fn parse(
        value: &str,
        inline: Option<String>,
        at_ms: Option<u64>,
        seed: Option<u64>,
    ) -> Result<Self, String> {
        let mut words = value.split_whitespace();
        let kind = match words.next() {
            Some("world") => RunKind::World,
            Some("simulate") => RunKind::Simulate,
            other => {
                return Err(format!(
                    "{}: say `world` or `simulate`",
                    quote(other.unwrap_or(""))
                ));
            }
        };
        let rest: Vec<&str> = words.collect();
        let source = match (kind, rest.as_slice(), inline) {
            (_, [], Some(json)) => Source::Inline(json),
            (_, [file], None) => Source::File((*file).to_owned()),
            (RunKind::Simulate, ["preset", name], None) => Source::Preset((*name).to_owned()),
            (_, [], None) => {
                return Err("name a FILE, or put a ```json block in the step".to_owned());
            }
            (_, _, Some(_)) => {
                return Err("name a file or give a ```json block, not both".to_owned());
            }
            _ => {
                return Err(format!(
                    "{}: expected `world FILE` or `simulate FILE | preset NAME`",
                    quote(value)
                ));
            }
        };
        if seed.is_some() && kind == RunKind::World {
            return Err("a world script has its own seed; `seed:` is for `simulate`".to_owned());
        }
        Ok(Self {
            kind,
            source,
            at_ms,
            seed,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "---
id: groups
title: A consumer group shares the work
teaches: group.id
---
Intro.

## Three consumers

Watch the lanes.

```kplay
run: world ../examples/consumer-groups.json
at_ms: 60_000
ask: How many billing consumers sit idle?
number: empty(groups.billing.members.*.assigned)
answer: 0
expect: groups.billing.state == \"Stable\"
why: billing has {len(groups.billing.members)} members.
```

## Outage

```kplay
run: simulate preset inventory-outage
ask: What happens to orders during the outage?
choice: They fail {sync.failed > 0}
choice: They wait {sync.failed == 0}
answer: 1
expect: event_driven.services.inventory.max_lag > 40000
```
";

    #[test]
    fn a_lesson_reads_into_steps() {
        let lesson = parse(GOOD).expect("works");
        assert_eq!(
            (
                lesson.id.as_str(),
                lesson.intro.as_str(),
                lesson.steps.len()
            ),
            ("groups", "Intro.", 2)
        );
        let first = &lesson.steps[0];
        assert_eq!(
            (first.title.as_str(), first.text.as_str(), first.line),
            ("Three consumers", "Watch the lanes.", 8)
        );
        assert_eq!(first.run.at_ms, Some(60_000));
        assert!(
            matches!(&first.run.source, Source::File(f) if f == "../examples/consumer-groups.json")
        );
        assert!(
            matches!(first.prediction, Some(Prediction::Number { answer, tolerance, .. }) if answer == 0.0 && tolerance == 0.0)
        );
        let second = &lesson.steps[1];
        assert!(matches!(&second.run.source, Source::Preset(p) if p == "inventory-outage"));
        assert!(
            matches!(&second.prediction, Some(Prediction::Choice { choices, answer: 0, .. }) if choices[1].text == "They wait")
        );
    }

    #[test]
    fn each_mistake_names_its_line() {
        let cases = [
            ("id: groups", "id: Groups", 2, "lowercase"),
            (
                "title: A",
                "titel: A",
                3,
                "unknown front-matter key `titel`",
            ),
            ("at_ms: 60_000", "at_ms: soon", 14, "at_ms: \"soon\""),
            ("answer: 1\n", "answer: 3\n", 29, "not a choice from 1 to 2"),
            (
                "expect: event_",
                "expected: event_",
                30,
                "unknown key `expected`",
            ),
            (
                "number: empty(",
                "number: nothing(",
                16,
                "unknown function `nothing`",
            ),
            (
                "run: simulate",
                "run: replay",
                25,
                "say `world` or `simulate`",
            ),
            (
                "expect: groups.billing.state == \"Stable\"\n",
                "",
                13,
                "at least one `expect:`",
            ),
            (
                "They wait {sync.failed == 0}",
                "They wait",
                28,
                "choice: write",
            ),
            (
                "world ../examples/consumer-groups.json",
                "world",
                13,
                "name a FILE",
            ),
            ("\n---\nIntro", "\nIntro", 1, "no closing `---`"),
            ("{len(", "{lenn(", 19, "unknown function"),
            (
                "at_ms: 60_000",
                "view: flow",
                14,
                "view: \"flow\" is not one of partitions",
            ),
            (
                "at_ms: 60_000",
                "view: dashboard",
                14,
                "view: dashboard does not show a `world` run",
            ),
        ];
        for (from, to, line, want) in cases {
            let e = parse(&GOOD.replacen(from, to, 1)).expect_err(want);
            assert!(
                e.line == line && e.message.contains(want),
                "{want}: got line {}: {}",
                e.line,
                e.message
            );
        }
    }
}
