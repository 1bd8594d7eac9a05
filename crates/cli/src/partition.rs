//! `kplay partition --partitions N [--hex] [KEY ...]`: where Kafka's default partitioner puts each key.
//!
//! Keys come from the arguments or, when there are none, from standard input, one per line; the newline is
//! not part of the key and an empty line is the empty key (which Kafka hashes; it is not a missing key).
//! With `--hex` every key is hex-encoded bytes, so any byte string can be given. A key that starts with `-`
//! goes after `--`. Output is one partition number per line, in input order, written as keys are read.

use std::ffi::{OsStr, OsString};
use std::io::{BufRead, Write};
use std::num::NonZeroU32;

use kplay_core::partitioner::partition_for_key;

use crate::error::CliError;

/// The partition counts accepted, as the contract states them.
const PARTITIONS: std::ops::RangeInclusive<u32> = 1..=100_000;

struct Options {
    partitions: NonZeroU32,
    hex: bool,
    keys: Vec<OsString>,
}

pub(crate) fn run(
    args: Vec<OsString>,
    stdin: &mut dyn BufRead,
    stdout: &mut dyn Write,
) -> Result<(), CliError> {
    let options = parse(args)?;
    let mut emit = |where_: &dyn Fn() -> String, raw: &[u8]| -> Result<(), CliError> {
        let key = if options.hex {
            decode_hex(raw, where_)?
        } else {
            raw.to_vec()
        };
        writeln!(stdout, "{}", partition_for_key(&key, options.partitions))?;
        Ok(())
    };

    if options.keys.is_empty() {
        let mut line = Vec::new();
        let mut number = 0_u64;
        loop {
            line.clear();
            if stdin.read_until(b'\n', &mut line)? == 0 {
                return Ok(());
            }
            number += 1;
            if line.last() == Some(&b'\n') {
                line.pop();
            }
            emit(&|| format!("standard input line {number}"), &line)?;
        }
    }
    for (index, key) in options.keys.iter().enumerate() {
        let raw = os_bytes(key).ok_or_else(|| {
            CliError::Usage(format!(
                "KEY {}: not valid Unicode on this platform",
                index + 1
            ))
        })?;
        emit(&|| format!("KEY {}", index + 1), &raw)?;
    }
    Ok(())
}

fn parse(args: Vec<OsString>) -> Result<Options, CliError> {
    use lexopt::prelude::*;

    let mut partitions = None;
    let mut hex = false;
    let mut keys = Vec::new();
    let mut parser = lexopt::Parser::from_args(args);
    while let Some(arg) = parser.next()? {
        match arg {
            Long("partitions") => partitions = Some(parse_partitions(&parser.value()?)?),
            Long("hex") => hex = true,
            Value(key) => keys.push(key),
            other => return Err(other.unexpected().into()),
        }
    }
    let partitions = partitions.ok_or_else(|| {
        CliError::Usage(format!(
            "--partitions: missing; give the topic's partition count ({}..={})",
            PARTITIONS.start(),
            PARTITIONS.end()
        ))
    })?;
    Ok(Options {
        partitions,
        hex,
        keys,
    })
}

fn parse_partitions(value: &OsStr) -> Result<NonZeroU32, CliError> {
    let text = value.to_string_lossy();
    let range = format!("{}..={}", PARTITIONS.start(), PARTITIONS.end());
    let number: u64 = text.trim().parse().map_err(|_| {
        CliError::Usage(format!(
            "--partitions: {text:?} is not a whole number ({range})"
        ))
    })?;
    u32::try_from(number)
        .ok()
        .filter(|n| PARTITIONS.contains(n))
        .and_then(NonZeroU32::new)
        .ok_or_else(|| CliError::Usage(format!("--partitions: {number} is out of range ({range})")))
}

fn decode_hex(raw: &[u8], where_: &dyn Fn() -> String) -> Result<Vec<u8>, CliError> {
    hex::decode(raw).map_err(|err| {
        CliError::Usage(format!(
            "{}: {:?} is not hex-encoded bytes ({err})",
            where_(),
            String::from_utf8_lossy(raw)
        ))
    })
}

#[cfg(unix)]
fn os_bytes(arg: &OsStr) -> Option<Vec<u8>> {
    use std::os::unix::ffi::OsStrExt;
    Some(arg.as_bytes().to_vec())
}

#[cfg(not(unix))]
fn os_bytes(arg: &OsStr) -> Option<Vec<u8>> {
    arg.to_str().map(|text| text.as_bytes().to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn partition(args: &[&str], stdin: &str) -> Result<String, CliError> {
        let mut out = Vec::new();
        let args = args.iter().map(OsString::from).collect();
        run(args, &mut stdin.as_bytes(), &mut out)?;
        Ok(String::from_utf8(out).expect("output is ASCII digits"))
    }

    fn usage_error(args: &[&str], stdin: &str) -> String {
        match partition(args, stdin) {
            Err(CliError::Usage(message)) => message,
            other => panic!("expected a usage error, got {other:?}"),
        }
    }

    #[test]
    fn keys_from_arguments_in_order() {
        let out =
            partition(&["--partitions", "3", "order-123", "user-1", "abc", ""], "").expect("valid");
        assert_eq!(out, "1\n2\n0\n0\n");
    }

    #[test]
    fn keys_from_standard_input_without_their_newlines() {
        // The last line has no newline; the empty line is the empty key (275646681 % 6 = 3).
        let out = partition(&["--partitions=6"], "user-1\n\nfoobar").expect("valid");
        assert_eq!(out, "2\n3\n0\n");
        assert_eq!(partition(&["--partitions", "6"], "").expect("valid"), "");
    }

    #[test]
    fn hex_keys_are_bytes() {
        // "abc" = 616263; the empty hex string is the empty key.
        let out =
            partition(&["--partitions", "50", "--hex", "616263", "", "3231"], "").expect("valid");
        assert_eq!(out, "7\n31\n40\n");
        assert_eq!(
            partition(&["--hex", "--partitions", "3"], "6b61666b61\n").expect("valid"),
            "1\n"
        );
    }

    #[test]
    fn keys_that_look_like_options_follow_a_double_dash() {
        let out = partition(&["--partitions", "10", "--", "--hex"], "").expect("valid");
        let direct = partition_for_key(b"--hex", NonZeroU32::new(10).expect("10 > 0"));
        assert_eq!(out, format!("{direct}\n"));
    }

    #[test]
    fn bad_partition_counts_name_the_argument() {
        assert_eq!(
            usage_error(&["--partitions", "0", "k"], ""),
            "--partitions: 0 is out of range (1..=100000)"
        );
        assert_eq!(
            usage_error(&["--partitions", "100001"], ""),
            "--partitions: 100001 is out of range (1..=100000)"
        );
        assert_eq!(
            usage_error(&["--partitions", "-3"], ""),
            "--partitions: \"-3\" is not a whole number (1..=100000)"
        );
        assert_eq!(
            usage_error(&["--partitions", "99999999999999999999999"], ""),
            "--partitions: \"99999999999999999999999\" is not a whole number (1..=100000)"
        );
        assert!(usage_error(&["k"], "").starts_with("--partitions: missing"));
        assert!(usage_error(&["--partitions"], "").contains("--partitions"));
        assert!(usage_error(&["--partitions", "3", "--color"], "").contains("--color"));
        assert!(partition(&["--partitions", "100000", "k"], "").is_ok());
    }

    #[test]
    fn bad_hex_names_the_key_or_line() {
        let arg = usage_error(&["--partitions", "3", "--hex", "00", "zz"], "");
        assert!(
            arg.starts_with("KEY 2: \"zz\" is not hex-encoded bytes"),
            "{arg}"
        );
        let line = usage_error(&["--partitions", "3", "--hex"], "00\nabc\n");
        assert!(
            line.starts_with("standard input line 2: \"abc\" is not hex-encoded bytes"),
            "{line}"
        );
        assert!(!line.contains('\n'), "errors are one line");
    }
}
