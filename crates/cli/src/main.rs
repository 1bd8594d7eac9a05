//! `kplay`: the kplay Kafka model from a terminal.
//!
//! Argument parsing and I/O only; every answer comes from kplay-core. Exit status: 0 on success, 2 when the
//! arguments or input are wrong (with one line on standard error naming what was wrong), 1 when reading or
//! writing failed.

mod assign;
mod bench;
mod delivery;
mod error;
mod input;
mod lessons;
mod output;
mod partition;
mod simulate;
mod world;

use std::ffi::OsString;
use std::io::{self, Write};
use std::process::ExitCode;

use error::CliError;

const USAGE: &str = "\
kplay — the Kafka playground from a terminal

Usage:
  kplay partition --partitions N [--hex] [KEY ...]
      Prints the partition Kafka's default partitioner picks for each key, one per line.
      Without KEY arguments, reads keys from standard input, one per line.
  kplay assign [FILE]
      Runs a partition assignor over a consumer group described as JSON in FILE or standard input: the
      client's range, roundrobin, sticky, cooperative-sticky, or the broker's KIP-848 uniform and
      server-range; prints {\"assignment\": {member: [[topic, partition], ...]}}.
  kplay simulate [--seed N] [--at-ms T [--picture]] [--pretty] [--max-events N] [--max-held N]
                 (FILE | - | --preset NAME)
      Runs an order-flow scenario through a synchronous chain and a Kafka pipeline; prints the report.
      --at-ms T stops at T ms and prints the report so far; --picture prints instead where the orders
      are at T (the landing diagram: orders waiting at each service, each group's lag by partition).
      A run stops after N events (2 billion by default) or once it holds more than --max-held records,
      calls and events at once (no limit by default; the browser stops at 50000000 and 5000000).
  kplay kafka [--seed N] (FILE | - | --preset NAME)
      Prints the scenario as a shell script for a real cluster: kafka-topics.sh --create, producer and
      consumer properties (acks, linger.ms, partition.assignment.strategy, enable.auto.commit, ...),
      consumers per service, a load test at the scenario's rate and the lag checks.
  kplay world [--at-ms T] [--events] [--records] [--pretty] [--max-events N] [FILE | -]
      Runs a world script (brokers, topics, consumer groups and a timestamped action log) and prints the
      state: partitions with leaders, ISR and offsets (last stable offset too), groups with members,
      committed offsets and lag, transactions, and what became of each produced record. --at-ms T
      prints the state at T ms; --events lists what happened; --records lists each partition's records
      (producer id, epoch, sequence, transaction markers and outcomes). A run stops
      after N events (20 million by default) and says so. See examples/.
  kplay delivery [--records N] [--max-poll-records N] [--crash-before OFFSET] [--pretty]
      A consumer crashes before processing OFFSET of a partition of N records polled max.poll.records
      at a time; prints, for at-most-once, at-least-once and effectively-once, the committed offset at
      the crash, the records lost and those applied twice (defaults: 20, 5, 12).
  kplay lessons check [FILE ...]
      Runs every step of the guided lessons (default: lessons/*.md) and checks each expectation and each
      prediction's answer against the model; exits 2 naming the lesson, step and check that failed.
  kplay lessons list [FILE ...]
      Prints each lesson's id, number of steps and title.
  kplay presets
      Lists the preset scenarios, one per line.
  kplay bench [--json] [--hour] [--landing-script]
      Measures the core model: appends/s, keys hashed/s, a 2,000-member × 100,000-partition sticky
      assignment, simulated events/s, world replay and landing; --hour adds a simulated hour at 10,000
      orders/s with peak memory; --landing-script prints the landing benchmark's world script.
      Run a release build: cargo run --release -p kplay-cli -- bench
  kplay help
      Prints this text.
";

fn main() -> ExitCode {
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let result = run(
        std::env::args_os().skip(1).collect(),
        &mut io::stdin().lock(),
        &mut out,
    )
    .and_then(|()| out.flush().map_err(CliError::from));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        // A reader that stopped early (`kplay partition ... | head`) is not an error of ours.
        Err(CliError::Io(err)) if err.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(err) => {
            // The message starts with the argument or JSON path at fault, so it is printed as is. If standard
            // error is gone too there is nobody left to tell.
            let _ = writeln!(io::stderr(), "{err}");
            ExitCode::from(err.exit_status())
        }
    }
}

/// Runs one command line (without the program name) against the given standard input and output.
fn run(
    args: Vec<OsString>,
    stdin: &mut dyn io::BufRead,
    stdout: &mut dyn Write,
) -> Result<(), CliError> {
    let mut args = args.into_iter();
    let Some(command) = args.next() else {
        return Err(CliError::Usage("missing command; try `kplay help`".into()));
    };
    match command.to_str() {
        Some("partition") => partition::run(args.collect(), stdin, stdout),
        Some("assign") => assign::run(args.collect(), stdin, stdout),
        Some("bench") => bench::run(args.collect(), stdout),
        Some("simulate") => simulate::run(args.collect(), stdin, stdout, simulate::Output::Report),
        Some("kafka") => simulate::run(args.collect(), stdin, stdout, simulate::Output::Kafka),
        Some("world") => world::run(args.collect(), stdin, stdout),
        Some("delivery") => delivery::run(args.collect(), stdout),
        Some("lessons") => lessons::run(args.collect(), stdin, stdout),
        Some("presets") => simulate::list(args.collect(), stdout),
        Some("help" | "--help" | "-h") => Ok(stdout.write_all(USAGE.as_bytes())?),
        _ => Err(CliError::Usage(format!(
            "unknown command {:?}; commands are: partition, assign, simulate, kafka, world, delivery, lessons, presets, bench, help",
            command.to_string_lossy()
        ))),
    }
}
