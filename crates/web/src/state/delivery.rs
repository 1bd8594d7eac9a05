//! The delivery-semantics view's state: one consumer crash in the middle of a batch
//! ([`kplay_core::delivery`]), told three times — once per commit strategy — so the view can set them side
//! by side. The core computes every outcome; this state only keeps the inputs, checks what the user typed
//! through the core's own [`CrashScenario::new`], and encodes the inputs for links (`d=` of
//! [`super::route`]) and the autosave.

use kplay_core::delivery::{CommitStrategy, CrashScenario, DeliveryReport, crash_mid_batch};
use kplay_core::problem::quote;

/// The local storage key of the autosaved incident.
pub const STORAGE_KEY: &str = "kplay.delivery";

/// What the view draws: the incident, and why the last edit was refused, if it was.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DeliveryState {
    /// The incident shown.
    pub scenario: CrashScenario,
    /// Why the last edit was refused, naming the input.
    pub error: Option<String>,
}

/// What the user can change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeliveryAction {
    /// Records in the partition, as typed. The crash point follows if it would fall past the end.
    SetRecords(String),
    /// `max.poll.records`, as typed.
    SetMaxPollRecords(String),
    /// The offset the consumer crashes before, as chosen.
    SetCrashBefore(String),
}

impl DeliveryState {
    /// The view opening `scenario` (the default incident if none).
    #[must_use]
    pub fn new(scenario: Option<CrashScenario>) -> Self {
        Self {
            scenario: scenario.unwrap_or_default(),
            error: None,
        }
    }

    /// Each strategy's outcome of the incident, from the weakest guarantee to the strongest.
    #[must_use]
    pub fn outcomes(&self) -> [(CommitStrategy, DeliveryReport); 3] {
        CommitStrategy::ALL.map(|strategy| (strategy, crash_mid_batch(strategy, self.scenario)))
    }

    /// Applies `action` in place.
    pub fn apply(&mut self, action: DeliveryAction) {
        let current = self.scenario;
        let (field, typed) = match &action {
            DeliveryAction::SetRecords(typed) => ("records", typed),
            DeliveryAction::SetMaxPollRecords(typed) => ("max.poll.records", typed),
            DeliveryAction::SetCrashBefore(typed) => ("crash_before", typed),
        };
        // The core names the input the same way when a number is out of range.
        let Ok(number) = typed.trim().parse::<u64>() else {
            self.error = Some(format!(
                "{field}: {typed} is not a whole number.",
                typed = quote(typed)
            ));
            return;
        };
        let edited = match action {
            DeliveryAction::SetRecords(_) => CrashScenario::new(
                number,
                current.max_poll_records(),
                current.crash_before().min(number),
            ),
            DeliveryAction::SetMaxPollRecords(_) => CrashScenario::new(
                current.records(),
                u32::try_from(number).unwrap_or(u32::MAX),
                current.crash_before(),
            ),
            DeliveryAction::SetCrashBefore(_) => {
                CrashScenario::new(current.records(), current.max_poll_records(), number)
            }
        };
        match edited {
            Ok(scenario) => {
                self.scenario = scenario;
                self.error = None;
            }
            Err(err) => self.error = Some(format!("{err}.")),
        }
    }
}

/// `scenario` as the value of a link's `d` parameter: `records.max_poll_records.crash_before`.
#[must_use]
pub fn encode(scenario: &CrashScenario) -> String {
    format!(
        "{}.{}.{}",
        scenario.records(),
        scenario.max_poll_records(),
        scenario.crash_before()
    )
}

/// The incident a link's `d` parameter (or the autosave) holds.
///
/// # Errors
/// What is wrong with it, for people: not three whole numbers, or one out of range (named).
pub fn decode(encoded: &str) -> Result<CrashScenario, String> {
    let numbers: Vec<u64> = encoded
        .split('.')
        .map(str::parse)
        .collect::<Result<_, _>>()
        .map_err(|_| {
            format!(
                "{encoded} is not records.max_poll_records.crash_before",
                encoded = quote(encoded)
            )
        })?;
    let [records, batch, crash] = numbers[..] else {
        return Err(format!(
            "{encoded} is not records.max_poll_records.crash_before",
            encoded = quote(encoded)
        ));
    };
    CrashScenario::new(records, u32::try_from(batch).unwrap_or(u32::MAX), crash)
        .map_err(|err| err.to_string())
}

super::reducible!(DeliveryState, DeliveryAction);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_outcomes_are_the_cores_for_each_strategy() {
        let state = DeliveryState::default();
        let [(weakest, at_most), (_, at_least), (strongest, once)] = state.outcomes();
        assert_eq!(
            (weakest, strongest),
            (
                CommitStrategy::BeforeProcessing,
                CommitStrategy::IdempotentProcessing
            )
        );
        assert_eq!(at_most.lost, [12, 13, 14]);
        assert_eq!(at_least.duplicated, [10, 11]);
        assert!(once.lost.is_empty() && once.duplicated.is_empty());
    }

    #[test]
    fn edits_are_checked_by_the_core_and_refusals_name_the_input() {
        let mut state = DeliveryState::default();
        state.apply(DeliveryAction::SetRecords("8".into()));
        assert_eq!(
            (state.scenario.records(), state.scenario.crash_before()),
            (8, 8),
            "the crash point follows the end of the partition"
        );
        state.apply(DeliveryAction::SetCrashBefore("3".into()));
        state.apply(DeliveryAction::SetMaxPollRecords("4".into()));
        assert_eq!(encode(&state.scenario), "8.4.3");
        assert_eq!(state.error, None);

        let before = state.scenario;
        for (action, message) in [
            (
                DeliveryAction::SetRecords("0".into()),
                "records: 0 is not a whole number from 1 to 100.",
            ),
            (
                DeliveryAction::SetMaxPollRecords("many".into()),
                "max.poll.records: \"many\" is not a whole number.",
            ),
            (
                DeliveryAction::SetCrashBefore("9".into()),
                "crash_before: 9 is not a whole number from 0 to 8.",
            ),
        ] {
            state.apply(action);
            assert_eq!(state.error.as_deref(), Some(message));
            assert_eq!(state.scenario, before, "a refused edit changes nothing");
        }
    }

    #[test]
    fn links_round_trip_and_bad_ones_say_why() {
        let scenario = CrashScenario::new(37, 6, 20).expect("in range");
        assert_eq!(decode(&encode(&scenario)), Ok(scenario));
        for bad in ["", "1.2", "1.2.3.4", "a.b.c", "20.5.21", "0.1.0", "-1.5.0"] {
            assert!(decode(bad).is_err(), "{bad}");
        }
        assert_eq!(
            decode("20.5.21"),
            Err("crash_before: 21 is not a whole number from 0 to 20".into())
        );
    }
}
