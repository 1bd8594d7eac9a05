//! `kplay delivery [--records N] [--max-poll-records N] [--crash-before OFFSET] [--pretty]`: one consumer
//! crash in the middle of a batch, under each commit strategy ([`kplay_core::delivery`]).
//!
//! Output: `{"records", "max_poll_records", "crash_before", "strategies": [{"strategy": "at-most-once" |
//! "at-least-once" | "effectively-once", "recipe", "committed_at_crash", "lost": [offset],
//! "duplicated": [offset], "applied", "processed", "delivered": [times per offset]}]}` (`processed`
//! exceeds `applied` where idempotent processing skipped a redelivered record), the
//! strategies from the weakest guarantee to the strongest. The defaults are the delivery-semantics view's
//! opening incident; the view shows the same numbers for the same inputs.

use std::ffi::OsString;
use std::io::Write;

use kplay_core::config::{DELIVERY_MAX_POLL_RECORDS, DELIVERY_RECORDS};
use kplay_core::delivery::{CommitStrategy, CrashScenario, crash_mid_batch};
use serde::Serialize;

use crate::error::CliError;
use crate::input::whole_number;
use crate::output::write_json;

#[derive(Serialize)]
struct Incident {
    records: u64,
    max_poll_records: u32,
    crash_before: u64,
    strategies: Vec<Outcome>,
}

#[derive(Serialize)]
struct Outcome {
    strategy: &'static str,
    recipe: &'static str,
    committed_at_crash: u64,
    lost: Vec<u64>,
    duplicated: Vec<u64>,
    applied: Vec<u32>,
    processed: Vec<u32>,
    delivered: Vec<u32>,
}

pub(crate) fn run(args: Vec<OsString>, stdout: &mut dyn Write) -> Result<(), CliError> {
    use lexopt::prelude::*;

    let default = CrashScenario::default();
    let (mut records, mut batch, mut crash) = (
        default.records(),
        default.max_poll_records(),
        default.crash_before(),
    );
    let mut pretty = false;
    let mut parser = lexopt::Parser::from_args(args);
    while let Some(arg) = parser.next()? {
        match arg {
            Long("records") => {
                let (low, high) = (*DELIVERY_RECORDS.start(), *DELIVERY_RECORDS.end());
                records = whole_number(&parser.value()?, "--records", low, high)?;
            }
            Long("max-poll-records") => {
                let (low, high) = DELIVERY_MAX_POLL_RECORDS.into_inner();
                let value = whole_number(
                    &parser.value()?,
                    "--max-poll-records",
                    low.into(),
                    high.into(),
                )?;
                batch = u32::try_from(value).unwrap_or(high);
            }
            Long("crash-before") => {
                crash = whole_number(&parser.value()?, "--crash-before", 0, u64::MAX)?;
            }
            Long("pretty") => pretty = true,
            other => return Err(other.unexpected().into()),
        }
    }
    // The crash point's range depends on the records; the core checks it with the others.
    let scenario = CrashScenario::new(records, batch, crash).map_err(|err| {
        let flag = match err.field {
            "records" => "--records",
            "max.poll.records" => "--max-poll-records",
            _ => "--crash-before",
        };
        CliError::Usage(format!("{flag}: {}", err.message))
    })?;
    let strategies = CommitStrategy::ALL
        .into_iter()
        .map(|strategy| {
            let report = crash_mid_batch(strategy, scenario);
            Outcome {
                strategy: strategy.guarantee(),
                recipe: strategy.recipe(),
                committed_at_crash: report.committed_at_crash,
                lost: report.lost,
                duplicated: report.duplicated,
                applied: report.applied,
                processed: report.processed,
                delivered: report.delivered,
            }
        })
        .collect();
    write_json(
        stdout,
        &Incident {
            records,
            max_poll_records: batch,
            crash_before: crash,
            strategies,
        },
        pretty,
    )
}
