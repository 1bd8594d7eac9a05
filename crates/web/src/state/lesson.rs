//! The guided lessons' reducer: which lesson and step is open, the learner's prediction, the verdict the
//! model's worker sent back, and the progress kept in local storage.
//!
//! Inputs are [`LessonAction`]s: the worker's replies ([`Reply::Lessons`], [`Reply::Lesson`],
//! [`Reply::LessonChecked`], [`Reply::LessonRefused`]) and what the learner does. The only output is the
//! requests it sends through its [`Outbox`]: the index or the lesson when it opens, and a
//! [`Request::LessonCheck`] when the learner checks a prediction. The page holds no lesson logic: the
//! worker runs each step and grades the guess against the model ([`kplay_core::lesson`]).
//!
//! Progress is kept under [`PROGRESS_KEY`] as `id=step:right,right;id=step:...` (per lesson id, the step
//! reached and the steps answered right, from 0; a few lines of code instead of a JSON reader in the
//! page's download). A value that does not read is reported once and replaced. An embedded lesson keeps
//! no progress: the page around it is its host's.

use std::collections::BTreeMap;
use std::rc::Rc;

use kplay_worker::protocol::{
    LessonGuess, LessonOutcome, LessonPage, LessonSummary, Reply, Request,
};
use yew::Reducible;

use super::route::LessonLink;
use crate::model::Outbox;
use crate::storage;

/// Where the learner's progress is kept.
pub const PROGRESS_KEY: &str = "kplay.lessons";

/// One lesson's progress.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Progress {
    /// The step reached, from 0.
    pub step: usize,
    /// Steps answered right, from 0.
    pub right: Vec<usize>,
}

/// Progress by lesson id.
pub type ProgressMap = BTreeMap<String, Progress>;

/// `progress` as it is kept.
#[must_use]
pub fn encode(progress: &ProgressMap) -> String {
    let lessons: Vec<String> = progress
        .iter()
        .map(|(id, p)| {
            let right: Vec<String> = p.right.iter().map(ToString::to_string).collect();
            format!("{id}={}:{}", p.step, right.join(","))
        })
        .collect();
    lessons.join(";")
}

/// Progress as [`encode`] keeps it.
///
/// # Errors
/// The part that does not read.
pub fn decode(text: &str) -> Result<ProgressMap, String> {
    let mut map = ProgressMap::new();
    for part in text.split(';').filter(|p| !p.is_empty()) {
        let bad = || {
            format!(
                "{:?} is not id=step:right,...",
                kplay_core::problem::cut(part)
            )
        };
        let (id, rest) = part.split_once('=').ok_or_else(bad)?;
        let (step, right) = rest.split_once(':').ok_or_else(bad)?;
        let id_ok = !id.is_empty()
            && id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        let number = |n: &str| n.parse::<usize>().map_err(|_| bad());
        let right: Result<Vec<usize>, String> = right
            .split(',')
            .filter(|r| !r.is_empty())
            .map(number)
            .collect();
        if !id_ok {
            return Err(bad());
        }
        map.insert(
            id.to_owned(),
            Progress {
                step: number(step)?,
                right: right?,
            },
        );
    }
    Ok(map)
}

/// The saved progress, and a message if what was saved could not be read (it is then discarded).
#[must_use]
pub fn load_progress() -> (ProgressMap, Option<String>) {
    let Some(saved) = storage::get(PROGRESS_KEY) else {
        return (ProgressMap::new(), None);
    };
    match decode(&saved) {
        Ok(map) => (map, None),
        Err(err) => {
            storage::remove(PROGRESS_KEY);
            (
                ProgressMap::new(),
                Some(format!(
                    "Your saved lesson progress could not be read ({err}) and was reset."
                )),
            )
        }
    }
}

/// The learner's prediction as typed or picked so far.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Guess {
    /// The choice picked, from 0.
    pub choice: Option<u32>,
    /// The number typed.
    pub number: String,
}

impl Guess {
    /// The guess to send, if it is complete: a choice, or a finite number.
    #[must_use]
    pub fn to_send(&self, choices: usize) -> Option<LessonGuess> {
        if choices > 0 {
            return self.choice.map(LessonGuess::Choice);
        }
        let typed = self.number.trim().replace(',', "");
        typed
            .parse::<f64>()
            .ok()
            .filter(|x| x.is_finite())
            .map(LessonGuess::Number)
    }
}

/// The lessons as the page shows them.
#[derive(Clone, PartialEq)]
pub struct LessonState {
    outbox: Outbox,
    /// What the address asked for.
    pub link: LessonLink,
    /// Whether progress is kept (not in an embed).
    pub keeps_progress: bool,
    /// The list of lessons, once the worker sent it.
    pub index: Option<Rc<Vec<LessonSummary>>>,
    /// The lesson open, once the worker sent it.
    pub lesson: Option<Rc<LessonPage>>,
    /// The step shown, from 0.
    pub step: usize,
    /// The prediction so far.
    pub guess: Guess,
    /// The verdict on the step shown, once checked.
    pub outcome: Option<Rc<LessonOutcome>>,
    /// Whether a check is on its way.
    pub checking: bool,
    /// What went wrong, for people.
    pub notice: Option<String>,
    /// Progress by lesson id.
    pub progress: ProgressMap,
}

/// What changes the lessons' state.
#[derive(Debug, Clone)]
pub enum LessonAction {
    /// A reply of the worker.
    Reply(Reply),
    /// Show step `n` (from 0).
    Go(usize),
    /// Pick choice `n`.
    Choose(u32),
    /// The number typed so far.
    Type(String),
    /// Run the step and grade the prediction.
    Check,
    /// Forget this lesson's progress and start it again.
    Reset,
}

impl LessonState {
    /// The state for `link`, asking the worker for what it shows. `progress` is the saved progress (and
    /// the message if it could not be read); an embed keeps none.
    #[must_use]
    pub fn new(outbox: Outbox, link: LessonLink, keeps_progress: bool) -> Self {
        let (progress, notice) = if keeps_progress {
            load_progress()
        } else {
            (ProgressMap::new(), None)
        };
        match &link.id {
            Some(id) => outbox.send(Request::LessonOpen { id: id.clone() }),
            None => outbox.send(Request::LessonIndex),
        }
        Self {
            outbox,
            link,
            keeps_progress,
            index: None,
            lesson: None,
            step: 0,
            guess: Guess::default(),
            outcome: None,
            checking: false,
            notice,
            progress,
        }
    }

    /// The steps this page may show, from 0, both included: all, or an embed's range.
    #[must_use]
    pub fn bounds(&self) -> (usize, usize) {
        let steps = self.lesson.as_ref().map_or(1, |l| l.steps.len()).max(1);
        let (from, to) = self.link.range.unwrap_or((1, steps));
        let last = to.min(steps) - 1;
        ((from - 1).min(last), last)
    }

    fn save(&self) {
        if self.keeps_progress {
            storage::set(PROGRESS_KEY, &encode(&self.progress));
        }
    }

    fn lesson_id(&self) -> Option<String> {
        self.lesson.as_ref().map(|l| l.summary.id.clone())
    }

    fn go(&mut self, step: usize) {
        let (first, last) = self.bounds();
        self.step = step.clamp(first, last);
        self.guess = Guess::default();
        self.outcome = None;
        if let (true, Some(id)) = (self.keeps_progress, self.lesson_id()) {
            self.progress.entry(id).or_default().step = self.step;
            self.save();
        }
    }

    /// Applies `action`.
    pub fn apply(&mut self, action: LessonAction) {
        match action {
            LessonAction::Reply(Reply::Lessons { lessons }) => self.index = Some(Rc::new(lessons)),
            LessonAction::Reply(Reply::Lesson { lesson }) => {
                let id = lesson.summary.id.clone();
                self.lesson = Some(Rc::from(lesson));
                let saved = self.progress.get(&id).map_or(0, |p| p.step);
                let asked = self.link.step.map(|n| n - 1);
                let (first, _) = self.bounds();
                self.go(asked.unwrap_or(if self.link.range.is_some() {
                    first
                } else {
                    saved
                }));
            }
            LessonAction::Reply(Reply::LessonChecked { outcome }) => {
                let current = self.lesson_id().is_some_and(|id| id == outcome.id)
                    && outcome.step as usize == self.step;
                if current {
                    self.checking = false;
                    if outcome.right == Some(true) && self.keeps_progress {
                        let progress = self.progress.entry(outcome.id.clone()).or_default();
                        if !progress.right.contains(&self.step) {
                            progress.right.push(self.step);
                            progress.right.sort_unstable();
                        }
                        self.save();
                    }
                    self.outcome = Some(Rc::from(outcome));
                }
            }
            LessonAction::Reply(Reply::LessonRefused { message } | Reply::Failed { message }) => {
                self.checking = false;
                self.notice = Some(message);
            }
            LessonAction::Reply(_) => {}
            LessonAction::Go(step) => self.go(step),
            LessonAction::Choose(choice) => {
                self.guess.choice = Some(choice);
                self.outcome = None;
            }
            LessonAction::Type(text) => {
                self.guess.number = text;
                self.outcome = None;
            }
            LessonAction::Check => {
                let Some(lesson) = &self.lesson else { return };
                let Some(step) = lesson.steps.get(self.step) else {
                    return;
                };
                let guess = self.guess.to_send(step.choices.len());
                if step.question.is_some() && guess.is_none() {
                    self.notice = Some(if step.choices.is_empty() {
                        "Type a number as your prediction first.".to_owned()
                    } else {
                        "Pick one of the answers as your prediction first.".to_owned()
                    });
                    return;
                }
                self.notice = None;
                self.checking = true;
                self.outbox.send(Request::LessonCheck {
                    id: lesson.summary.id.clone(),
                    step: u32::try_from(self.step).unwrap_or(u32::MAX),
                    guess,
                });
            }
            LessonAction::Reset => {
                if let Some(id) = self.lesson_id() {
                    self.progress.remove(&id);
                    self.save();
                }
                let (first, _) = self.bounds();
                self.go(first);
            }
        }
    }
}

impl Reducible for LessonState {
    type Action = LessonAction;

    fn reduce(self: Rc<Self>, action: LessonAction) -> Rc<Self> {
        let mut next = (*self).clone();
        next.apply(action);
        Rc::new(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_reads_back_and_a_damaged_value_is_refused() {
        let mut map = ProgressMap::new();
        map.insert(
            "consumer-group".into(),
            Progress {
                step: 2,
                right: vec![0, 1],
            },
        );
        map.insert("saga".into(), Progress::default());
        let text = encode(&map);
        assert_eq!(text, "consumer-group=2:0,1;saga=0:");
        assert_eq!(decode(&text), Ok(map));
        for damaged in ["{broken", "saga=x:", "Saga=0:", "saga=1:2,y", "=1:"] {
            assert!(decode(damaged).is_err(), "{damaged}");
        }
    }

    #[test]
    fn a_guess_is_sent_only_when_complete() {
        let typed = |text: &str| Guess {
            choice: None,
            number: text.to_owned(),
        };
        assert_eq!(
            typed(" 40,000 ").to_send(0),
            Some(LessonGuess::Number(40_000.0))
        );
        assert_eq!(typed("lots").to_send(0), None);
        assert_eq!(typed("inf").to_send(0), None);
        let picked = Guess {
            choice: Some(1),
            number: String::new(),
        };
        assert_eq!(picked.to_send(3), Some(LessonGuess::Choice(1)));
        assert_eq!(Guess::default().to_send(3), None);
    }
}
