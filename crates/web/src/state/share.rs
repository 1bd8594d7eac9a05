//! Scenarios in links, files and local storage.
//!
//! A link carries the whole scenario, seed included, in its `s` query parameter, and the partition view's
//! world script (its configuration and action log) in `w`, with the moment shown in `at` (simulated
//! milliseconds). Both are `1.` (the encoding's
//! version) followed by the JSON, deflated (RFC 1951) and written in unpadded URL-safe
//! base64 (RFC 4648 §5). A preset of four services takes about 400 characters. Files and local storage hold
//! the plain JSON that `kplay simulate` reads, so a scenario moves freely between the browser and the CLI.
//!
//! Whatever comes in is read like a file given to the CLI, so tampered or truncated state yields a message,
//! never a panic: broken encoding or JSON is refused here, with the line and column at fault; a scenario
//! that reads but is not valid is refused by the model's worker, which checks it before it replaces the
//! run, with every problem and its JSON path ([`crate::state::flow`]).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use kplay_core::problem::quote;
use kplay_core::scenario::Scenario;

/// The encoding version written before the first `.` of a link's scenario.
pub const LINK_VERSION: &str = "1";
/// The largest scenario a link may inflate to, in bytes (a guard against decompression bombs).
pub const MAX_SCENARIO_BYTES: usize = 256 * 1024;
/// The local-storage key of the autosaved scenario.
pub const STORAGE_KEY: &str = "kplay.scenario";
/// The local storage key of the order flow's autosaved moment (simulated ms).
pub const FLOW_AT_KEY: &str = "kplay.scenario.at";

/// `scenario` as the value of a link's `s` parameter.
#[must_use]
pub fn encode_link(scenario: &Scenario) -> String {
    pack(&to_json(scenario))
}

/// `json` as a link parameter: the version, a dot, the deflated JSON in URL-safe base64.
#[must_use]
pub fn pack(json: &str) -> String {
    let deflated = miniz_oxide::deflate::compress_to_vec(json.as_bytes(), 9);
    format!("{LINK_VERSION}.{}", URL_SAFE_NO_PAD.encode(deflated))
}

/// A world view's script (JSON) from its link parameter (`w`): unpacked here, read and checked by the
/// model's worker.
///
/// # Errors
/// Why the parameter cannot be unpacked.
pub fn decode_world(value: &str) -> Result<String, String> {
    String::from_utf8(unpack(value)?).map_err(|err| format!("it is not UTF-8 text: {err}"))
}

/// The scenario in a link's `s` parameter.
///
/// # Errors
/// A message saying what is wrong: an unknown version, broken encoding, or JSON that is not a scenario.
pub fn decode_link(value: &str) -> Result<Scenario, String> {
    from_json(&unpack(value)?)
}

/// The JSON a link parameter made by [`pack`] holds.
fn unpack(value: &str) -> Result<Vec<u8>, String> {
    let (version, data) = value.split_once('.').ok_or("it has no version")?;
    if version != LINK_VERSION {
        return Err(format!(
            "it is encoded with version {version}; this build reads version {LINK_VERSION}",
            version = quote(version)
        ));
    }
    let deflated = URL_SAFE_NO_PAD
        .decode(data)
        .map_err(|err| format!("it is not valid base64: {err}"))?;
    miniz_oxide::inflate::decompress_to_vec_with_limit(&deflated, MAX_SCENARIO_BYTES)
        // The error's status only: it also carries the output so far, up to the size limit.
        .map_err(|err| format!("it does not inflate ({:?})", err.status))
}

/// Reads a scenario file (the JSON `kplay simulate` reads); the model's worker validates it when it runs.
///
/// # Errors
/// The first JSON problem with its line and column.
pub fn from_json(bytes: &[u8]) -> Result<Scenario, String> {
    // serde_json's own errors (line and column) rather than the CLI's JSON paths: tracking paths costs
    // 8 KB of the page's gzipped download.
    serde_json::from_slice(bytes)
        .map_err(|err| kplay_core::problem::shorten_quotes(&err.to_string()))
}

/// `scenario` as indented JSON (one formatter for files, storage and links keeps the page smaller; deflate
/// makes the indentation nearly free in links).
#[must_use]
pub fn to_json(scenario: &Scenario) -> String {
    // A scenario has string keys and finite numbers only, which always serialize.
    serde_json::to_string_pretty(scenario).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use kplay_core::presets::{DEFAULT_SEED, PRESETS};

    #[test]
    fn every_preset_round_trips_through_a_short_link() {
        for preset in PRESETS {
            let mut scenario = preset.scenario(DEFAULT_SEED + 1);
            scenario.arrivals.rate_per_s *= 1.5;
            let link = encode_link(&scenario);
            assert!(
                link.len() < 700,
                "{}: {} characters",
                preset.name,
                link.len()
            );
            assert!(
                link.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
            );
            assert_eq!(decode_link(&link), Ok(scenario), "{}", preset.name);
        }
    }

    #[test]
    fn tampered_links_are_refused_with_a_reason() {
        let good = encode_link(&PRESETS[0].scenario(DEFAULT_SEED));
        let cases = [
            ("", "no version"),
            ("2.abc", "version \"2\""),
            ("1.***", "not valid base64"),
            ("1.AAAA", "does not inflate"),
            (&good[..good.len() / 2], "it "),
        ];
        for (value, expected) in cases {
            let err = decode_link(value).expect_err(value);
            assert!(err.contains(expected), "{value}: {err}");
        }
        let bomb = miniz_oxide::deflate::compress_to_vec(&vec![b' '; MAX_SCENARIO_BYTES + 1], 9);
        let err = decode_link(&format!("1.{}", URL_SAFE_NO_PAD.encode(bomb))).expect_err("too big");
        assert!(err.contains("inflate"), "{err}");
        assert!(
            err.len() < 100,
            "the message is short, not the inflated output: {err:.200}"
        );
    }

    #[test]
    fn files_are_the_cli_format() {
        let scenario = PRESETS[1].scenario(7);
        let text = to_json(&scenario);
        assert_eq!(from_json(text.as_bytes()), Ok(scenario));
        let err = from_json(br#"{"seed": "x"}"#).expect_err("bad seed");
        assert!(err.starts_with("invalid type: string \"x\""), "{err}");
        assert!(err.ends_with("line 1 column 12"), "{err}");
    }
}
