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
    /// Records a problem at `path`; a long quoted input in `message` is cut short ([`shorten_quotes`]).
    pub fn add(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.0.push(Problem {
            path: path.into(),
            message: shorten_quotes(&message.into()),
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

/// A run of decimal digits (`1234567`) as people read it in a message: `1,234,567`.
#[must_use]
pub fn group_digits(digits: &str) -> alloc::string::String {
    let mut out = alloc::string::String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `name` for a JSON path or a message, its first [`QUOTED_CHARS`] characters and `…` when longer: a path
/// through a huge key must not repeat the key.
pub fn cut(name: &str) -> alloc::borrow::Cow<'_, str> {
    match name.char_indices().nth(QUOTED_CHARS) {
        Some((at, _)) => alloc::borrow::Cow::Owned(alloc::format!("{}\u{2026}", &name[..at])),
        None => alloc::borrow::Cow::Borrowed(name),
    }
}

/// `value` quoted for a message, as `{:?}` would, its first [`QUOTED_CHARS`] characters only when longer
/// (with its length said): a message about a tampered input never repeats the whole input.
pub fn quote(value: &str) -> alloc::string::String {
    let start = cut(value);
    if start.len() == value.len() {
        alloc::format!("{value:?}")
    } else {
        alloc::format!("{start:?} ({} bytes)", value.len())
    }
}

/// `message` with every `` `quoted` `` or `"quoted"` text longer than [`QUOTED_CHARS`] cut short.
pub fn shorten_quotes(message: &str) -> alloc::string::String {
    let mut out = alloc::string::String::with_capacity(message.len().min(512));
    let mut rest = message;
    while let Some(open) = rest.find(['`', '"']) {
        let quote = &rest[open..=open];
        out.push_str(&rest[..=open]);
        rest = &rest[open + 1..];
        // The closing quote; `\"` inside a `{:?}`-quoted text is not one.
        let mut escaped = false;
        let close = rest.char_indices().find_map(|(i, c)| {
            let closes = !escaped && rest[i..].starts_with(quote);
            escaped = !escaped && c == '\\';
            closes.then_some(i)
        });
        let Some(close) = close else {
            break;
        };
        let quoted = &rest[..close];
        let chars = quoted.chars().count();
        // A text cut already (its first characters and `…`) stays as it is: cutting twice would lose
        // the length said the first time.
        let cut_already = chars == QUOTED_CHARS + 1 && quoted.ends_with('\u{2026}');
        if chars > QUOTED_CHARS && !cut_already {
            out.extend(quoted.chars().take(QUOTED_CHARS));
            out.push('\u{2026}');
            out.push_str(quote);
            out.push_str(&alloc::format!(" ({} bytes)", quoted.len()));
        } else {
            out.push_str(quoted);
            out.push_str(quote);
        }
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_are_grouped_in_threes() {
        for (digits, want) in [
            ("0", "0"),
            ("999", "999"),
            ("1000", "1,000"),
            ("50000000", "50,000,000"),
        ] {
            assert_eq!(group_digits(digits), want);
        }
    }

    #[test]
    fn an_escaped_quote_does_not_end_a_quoted_text() {
        let name = alloc::format!("a\"{}", "b".repeat(500));
        let message = shorten_quotes(&alloc::format!("unknown topic {name:?}"));
        assert!(message.len() < 100, "{message}");
        assert!(message.starts_with("unknown topic \"a\\\"bbb"), "{message}");
    }

    #[test]
    fn a_quoted_value_is_cut_after_its_first_characters() {
        assert_eq!(quote("soon"), "\"soon\"");
        assert_eq!(quote("a\"b"), "\"a\\\"b\"");
        let long = "\u{e9}".repeat(100);
        let quoted = quote(&long);
        assert_eq!(
            quoted,
            alloc::format!("\"{}\u{2026}\" (200 bytes)", "\u{e9}".repeat(QUOTED_CHARS))
        );
        assert_eq!(shorten_quotes(&quoted), quoted, "cut once only");
    }

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
                "unknown `{}…` (50 bytes), expected `y`",
                &long[..QUOTED_CHARS]
            )
        );
    }
}
