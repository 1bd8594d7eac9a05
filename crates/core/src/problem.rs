//! # Problems: what is wrong with an input, and where
//!
//! Every document a person writes — a scenario, a `kplay world` script, an assignment request — is checked
//! as a whole and every problem is reported with the JSON path at fault, so one run shows them all:
//! `actions[3].topic: unknown topic "ordrs"`, `topics[0].partitions: 0 is out of range (1..=1024)`. The
//! CLI prints one line per problem and the browser shows the same lines.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

/// One problem: where (a JSON path) and what is wrong there, with what is allowed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// JSON path of the field, such as `services[1].instances`.
    pub path: String,
    /// What is wrong and what is allowed.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

impl core::error::Error for Problem {}

/// Collects problems while walking a document.
#[derive(Debug, Default)]
pub struct Problems(pub Vec<Problem>);

impl Problems {
    /// Records a problem at `path`.
    pub fn add(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.0.push(Problem {
            path: path.into(),
            message: message.into(),
        });
    }

    /// Records a problem unless `min <= value <= max`.
    pub fn int_range(&mut self, path: &str, value: u64, min: u64, max: u64) {
        if !(min..=max).contains(&value) {
            self.add(path, format!("{value} is out of range ({min}..={max})"));
        }
    }

    /// Records a problem unless `value` is finite and `min <= value <= max`.
    pub fn float_range(&mut self, path: &str, value: f64, min: f64, max: f64) {
        if !value.is_finite() || value < min || value > max {
            self.add(path, format!("{value} is out of range ({min}..={max})"));
        }
    }

    /// Records a problem unless the document's `version` is the one this build reads.
    pub fn version(&mut self, path: &str, found: u32, supported: u32) {
        if found != supported {
            self.add(
                path,
                format!("{found} is not supported (this build reads version {supported})"),
            );
        }
    }

    /// Whether nothing was found.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}
/// Characters of a quoted input kept in a message; a longer one (`unknown variant` repeats what it was
/// given, which may be megabytes) is cut with its length said. The CLI's and the browser's JSON errors both pass through it.
pub const QUOTED_CHARS: usize = 40;

/// `message` with every `` `quoted` `` or `"quoted"` text longer than [`QUOTED_CHARS`] cut short.
pub fn shorten_quotes(message: &str) -> alloc::string::String {
    let mut out = alloc::string::String::with_capacity(message.len().min(512));
    let mut rest = message;
    while let Some(open) = rest.find(['`', '"']) {
        let quote = &rest[open..=open];
        out.push_str(&rest[..=open]);
        rest = &rest[open + 1..];
        let Some(close) = rest.find(quote) else {
            break;
        };
        let quoted = &rest[..close];
        let chars = quoted.chars().count();
        if chars > QUOTED_CHARS {
            out.extend(quoted.chars().take(QUOTED_CHARS));
            out.push_str(&alloc::format!("… ({} bytes)", quoted.len()));
        } else {
            out.push_str(quoted);
        }
        out.push_str(quote);
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_long_quotes_are_cut() {
        assert_eq!(
            shorten_quotes("`a` and \"b\" and `unclosed"),
            "`a` and \"b\" and `unclosed"
        );
        let long = "x".repeat(50);
        assert_eq!(
            shorten_quotes(&alloc::format!("unknown `{long}`, expected `y`")),
            alloc::format!(
                "unknown `{}… (50 bytes)`, expected `y`",
                &long[..QUOTED_CHARS]
            )
        );
    }
}
