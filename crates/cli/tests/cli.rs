//! The `kplay` binary as other tooling sees it: arguments, standard streams and exit status.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn kplay(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kplay"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the kplay binary starts");
    let written = child.stdin.take().expect("stdin is piped").write_all(stdin);
    // A usage error exits before reading its input: that pipe closes early.
    if let Err(err) = written {
        assert_eq!(err.kind(), std::io::ErrorKind::BrokenPipe, "{err}");
    }
    child.wait_with_output().expect("kplay finishes")
}

fn stdout(output: &Output) -> &str {
    std::str::from_utf8(&output.stdout).expect("output is UTF-8")
}

#[test]
fn partition_prints_one_line_per_key_in_order() {
    let output = kplay(
        &[
            "partition",
            "--partitions",
            "12",
            "hello world",
            "user-2",
            "0",
            "",
        ],
        b"",
    );
    assert!(output.status.success());
    assert_eq!(stdout(&output), "7\n8\n8\n9\n");
    assert!(output.stderr.is_empty());
}

#[test]
fn partition_reads_standard_input_when_no_keys_are_given() {
    let output = kplay(&["partition", "--partitions", "50"], b"21\nabc\n\n");
    assert!(output.status.success());
    assert_eq!(stdout(&output), "40\n7\n31\n");
}

#[test]
#[cfg(unix)]
fn partition_hashes_argument_bytes_even_when_not_utf8() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    let raw = OsStr::from_bytes(&[0xff, 0x80, 0xfe]);
    let output = Command::new(env!("CARGO_BIN_EXE_kplay"))
        .args([
            OsStr::new("partition"),
            OsStr::new("--partitions"),
            OsStr::new("100000"),
            raw,
        ])
        .output()
        .expect("kplay runs");
    let hex = kplay(
        &["partition", "--partitions", "100000", "--hex", "ff80fe"],
        b"",
    );
    assert!(output.status.success());
    assert_eq!(output.stdout, hex.stdout);
}

#[test]
fn bad_input_exits_2_with_one_line_naming_the_argument() {
    let cases: [(&[&str], &[u8], &str); 8] = [
        (
            &["partition", "--partitions", "0", "k"],
            b"",
            "--partitions",
        ),
        (&["partition", "--partitions", "many"], b"", "--partitions"),
        (
            &["partition", "--partitions", "3", "--hex", "0g"],
            b"",
            "KEY 1",
        ),
        (
            &["partition", "--partitions", "3", "--hex"],
            b"00\n123\n",
            "standard input line 2",
        ),
        (&["partiton"], b"", "partiton"),
        (&["delivery", "--records", "0"], b"", "--records"),
        (
            &["delivery", "--max-poll-records", "x"],
            b"",
            "--max-poll-records",
        ),
        (
            &["delivery", "--records", "8", "--crash-before", "9"],
            b"",
            "--crash-before: 9 is not a whole number from 0 to 8",
        ),
    ];
    for (args, stdin, named) in cases {
        let output = kplay(args, stdin);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let stderr = std::str::from_utf8(&output.stderr).expect("UTF-8 errors");
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        assert!(stderr.contains(named), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
}

#[test]
fn help_and_no_command() {
    let help = kplay(&["help"], b"");
    assert!(help.status.success());
    assert!(stdout(&help).contains("kplay partition --partitions N"));
    assert_eq!(kplay(&[], b"").status.code(), Some(2));
}

#[test]
fn assign_prints_every_member_in_input_order_with_sorted_partitions() {
    let input = br#"{"strategy": "range", "topics": {"topic1": 3, "topic2": 2},
        "members": [{"id": "consumer3", "topics": ["topic1"]},
                    {"id": "consumer2", "topics": ["topic2", "topic1"]},
                    {"id": "consumer1", "topics": ["topic1"]},
                    {"id": "idle", "instance_id": null, "topics": ["topic2"], "owned": [], "generation": -1}]}"#;
    assert_assigns(
        input,
        concat!(
            r#"{"assignment":{"consumer3":[["topic1",2]],"consumer2":[["topic1",1],["topic2",0]],"#,
            r#""consumer1":[["topic1",0]],"idle":[["topic2",1]]}}"#,
        ),
    );
}

/// Runs `kplay assign` on `input` and expects `expected` (one line) on standard output.
fn assert_assigns(input: &[u8], expected: &str) {
    let output = kplay(&["assign"], input);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(stdout(&output), format!("{expected}\n"));
}

#[test]
fn assign_cooperative_sticky_withholds_partitions_changing_owner() {
    let input = br#"{"strategy": "cooperative-sticky", "topics": {"topic": 3},
        "members": [{"id": "consumer1", "topics": ["topic"], "owned": [["topic", 0], ["topic", 1], ["topic", 2]], "generation": 1},
                    {"id": "consumer2", "topics": ["topic"], "generation": 1}]}"#;
    let dir = std::env::temp_dir().join(format!("kplay-assign-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("group.json");
    std::fs::write(&file, input).expect("write input");
    let output = kplay(&["assign", file.to_str().expect("UTF-8 path")], b"");
    std::fs::remove_dir_all(&dir).expect("clean up");
    assert!(output.status.success());
    assert_eq!(
        stdout(&output),
        "{\"assignment\":{\"consumer1\":[[\"topic\",0],[\"topic\",1]],\"consumer2\":[]}}\n"
    );
}

/// KIP-848's `uniform` assignor: a third member joins and only the partitions over the others' quota move
/// (`OptimizedUniformAssignmentBuilderTest.testReassignmentWhenOneMemberAddedAfterInitialAssignment...`).
#[test]
fn assign_uniform_moves_only_what_exceeds_each_quota() {
    let input = br#"{"strategy": "uniform", "topics": {"topic1": 3, "topic2": 3},
        "members": [{"id": "A", "topics": ["topic1", "topic2"], "owned": [["topic1", 0], ["topic1", 2], ["topic2", 0]]},
                    {"id": "B", "topics": ["topic1", "topic2"], "owned": [["topic1", 1], ["topic2", 1], ["topic2", 2]]},
                    {"id": "C", "topics": ["topic1", "topic2"]}]}"#;
    assert_assigns(
        input,
        concat!(
            r#"{"assignment":{"A":[["topic1",0],["topic1",2]],"B":[["topic1",1],["topic2",1]],"#,
            r#""C":[["topic2",0],["topic2",2]]}}"#,
        ),
    );
}

#[test]
fn assign_errors_name_the_json_path() {
    let cases: [(&[u8], &str); 6] = [
        (
            br#"{"strategy":"range","topics":{"orders":3},"members":[{"id":"a","topics":["orders"]},{"id":"b","topics":["orders"]},{"id":"c","topics":["ordrs"]}]}"#,
            "members[2].topics[0]: unknown topic \"ordrs\"\n",
        ),
        (
            br#"{"strategy":"rnage","topics":{},"members":[]}"#,
            "strategy: unknown strategy \"rnage\"; expected one of range, roundrobin, sticky, cooperative-sticky, uniform, server-range",
        ),
        (br#"{"strategy":"range","topics":{"t":0},"members":[]}"#, "topics.t: 0 partitions is out of range"),
        (br#"{"strategy":"range","topics":{"t":1},"members":[{"id":"a","topics":["t"],"generation":"x"}]}"#, "members[0].generation: invalid type"),
        (br#"{"strategy":"range","topics":{"t":1},"members":[{"id":"a","topics":["t"],"owned":[["t",5]]}]}"#, "members[0].owned[0]: topic \"t\" has no partition 5"),
        (br#"{"strategy":"range","#, "input: "),
    ];
    for (input, expected) in cases {
        let output = kplay(&["assign"], input);
        assert_eq!(output.status.code(), Some(2), "{expected}");
        let stderr = std::str::from_utf8(&output.stderr).expect("UTF-8");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(
            stderr.starts_with(expected),
            "{stderr:?} should start with {expected:?}"
        );
    }
}

#[test]
fn presets_lists_one_line_each() {
    let output = kplay(&["presets"], b"");
    assert!(output.status.success());
    let lines: Vec<&str> = stdout(&output).lines().collect();
    assert_eq!(lines.len(), kplay_core_preset_count());
    assert!(lines[0].starts_with("sync-vs-async "));
    assert!(lines.iter().any(|l| l.starts_with("db-buffer ")));
}

#[test]
fn simulate_prints_the_report_with_the_required_fields() {
    let output = kplay(
        &["simulate", "--preset", "poison-message", "--seed", "7"],
        b"",
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: serde_json::Value = serde_json::from_str(stdout(&output)).expect("JSON report");
    for path in [
        "/sync/orders",
        "/sync/succeeded",
        "/sync/failed",
        "/sync/response_ms/p99",
        "/event_driven/orders",
        "/event_driven/accepted",
        "/event_driven/response_ms/mean",
        "/event_driven/services/invoicing/processed",
        "/event_driven/services/invoicing/dead_lettered",
        "/event_driven/services/invoicing/max_lag",
        "/event_driven/services/invoicing/end_to_end_ms/p95",
        "/event_driven/services/invoicing/drain_ms",
        "/series/points/0/lag/0",
        "/run/seed",
    ] {
        assert!(report.pointer(path).is_some(), "missing {path}");
    }
    assert_eq!(report.pointer("/run/seed"), Some(&serde_json::json!(7)));
    assert_eq!(
        report.pointer("/event_driven/services/invoicing/drain_ms"),
        Some(&serde_json::Value::Null)
    );
}

#[test]
fn simulate_reads_a_scenario_from_standard_input_and_names_every_problem() {
    let scenario = br#"{"seed": 1, "duration_ms": 1000,
        "arrivals": {"process": "constant", "rate_per_s": 10},
        "order_service": {"db_write": {"dist": "constant", "ms": 2}, "publish": {"dist": "constant", "ms": 3}},
        "topic": {"partitions": 2, "key": "order_id"},
        "services": [{"name": "inventory", "latency": {"dist": "constant", "ms": 5}, "instances": 1}],
        "sync": {"timeout_ms": 1000}}"#;
    let good = kplay(&["simulate", "-"], scenario);
    assert!(good.status.success());
    let report: serde_json::Value = serde_json::from_str(stdout(&good)).expect("JSON");
    assert_eq!(
        report.pointer("/sync/orders"),
        Some(&serde_json::json!(10)),
        "constant arrivals: 10 in 1 s"
    );
    assert_eq!(
        report.pointer("/sync/response_ms/max"),
        Some(&serde_json::json!(7.0))
    );

    let bad = std::str::from_utf8(scenario)
        .expect("UTF-8")
        .replace("\"instances\": 1", "\"instances\": 0")
        .replace("\"partitions\": 2", "\"partitions\": 0");
    let output = kplay(&["simulate", "-"], bad.as_bytes());
    assert_eq!(output.status.code(), Some(2));
    let stderr = std::str::from_utf8(&output.stderr).expect("UTF-8");
    assert!(
        stderr.contains("services[0].instances: 0 is out of range (1..=1000)"),
        "{stderr}"
    );
    assert!(
        stderr.contains("topic.partitions: 0 is out of range (1..=1024)"),
        "{stderr}"
    );

    let unknown = kplay(&["simulate", "--preset", "nope"], b"");
    assert_eq!(unknown.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&unknown.stderr).starts_with("--preset: unknown preset \"nope\"")
    );
    assert_eq!(kplay(&["simulate"], b"").status.code(), Some(2));
}

#[test]
fn simulate_stops_at_its_budgets_and_says_where() {
    let report = |args: &[&str]| -> serde_json::Value {
        let output = kplay(args, b"");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let capped = String::from_utf8_lossy(&output.stderr);
        let report: serde_json::Value = serde_json::from_str(stdout(&output)).expect("JSON");
        let message = report
            .pointer("/run/capped")
            .and_then(|m| m.as_str())
            .expect("capped");
        assert_eq!(capped.trim_end(), format!("kplay simulate: {message}"));
        report
    };
    let events = report(&[
        "simulate",
        "--preset",
        "black-friday",
        "--max-events",
        "1000",
    ]);
    assert!(
        events["run"]["capped"]
            .as_str()
            .is_some_and(|m| m.starts_with("stopped after 1,000 events at ")),
        "{events}"
    );
    assert_eq!(events["run"]["events"], 1_000);
    // The preset's backlog stays small: at most a few thousand held at once.
    let held = report(&["simulate", "--preset", "black-friday", "--max-held", "50"]);
    assert!(
        held["run"]["capped"]
            .as_str()
            .is_some_and(|m| m.starts_with("stopped holding ")
                && m.contains(" records, calls and events at once (more than 50) at ")),
        "{held}"
    );
    for (flag, value) in [("--max-events", "0"), ("--max-held", "x")] {
        let output = kplay(&["simulate", "--preset", "black-friday", flag, value], b"");
        assert_eq!(output.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&output.stderr).starts_with(flag));
    }
}

#[test]
fn simulate_stops_at_a_moment_and_prints_the_picture_there() {
    // The slow chain of `kplay-core`'s picture test: at 1,000 ms order 4 is in service since 752 ms,
    // orders 5..=10 queue and order 11 is being saved.
    let scenario = br#"{"seed": 1, "duration_ms": 2000,
        "arrivals": {"process": "constant", "rate_per_s": 10},
        "order_service": {"db_write": {"dist": "constant", "ms": 2}, "publish": {"dist": "constant", "ms": 3}},
        "topic": {"partitions": 20, "key": "order_id"},
        "services": [{"name": "inventory", "latency": {"dist": "constant", "ms": 250}, "instances": 1}],
        "sync": {"timeout_ms": 30000}}"#;
    let output = kplay(&["simulate", "--at-ms", "1000", "--picture", "-"], scenario);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let picture: serde_json::Value = serde_json::from_str(stdout(&output)).expect("JSON");
    for (path, value) in [
        ("/now_ms", serde_json::json!(1000.0)),
        ("/sync/waiting", serde_json::json!(8)),
        ("/sync/saving", serde_json::json!(1)),
        ("/sync/hops/0/name", serde_json::json!("inventory")),
        ("/sync/hops/0/waiting", serde_json::json!(7)),
        (
            "/sync/timers",
            serde_json::json!([{"order": 4, "at": 0, "waited_ms": 700.0}]),
        ),
        ("/event/published", serde_json::json!(10)),
        ("/event/publishing", serde_json::json!(1)),
        ("/event/per_column", serde_json::json!(2)),
        ("/event/groups/0/topic", serde_json::json!("order-created")),
    ] {
        assert_eq!(picture.pointer(path), Some(&value), "{path}");
    }
    assert_eq!(
        picture
            .pointer("/event/columns")
            .and_then(|c| c.as_array())
            .map(Vec::len),
        Some(10)
    );

    // The report so far, at the same moment.
    let report = kplay(&["simulate", "--at-ms", "1000", "-"], scenario);
    let report: serde_json::Value = serde_json::from_str(stdout(&report)).expect("JSON");
    assert_eq!(
        report.pointer("/sync/succeeded"),
        Some(&serde_json::json!(3))
    );
    assert_eq!(
        report.pointer("/run/simulated_ms"),
        Some(&serde_json::json!(1000.0))
    );

    let alone = kplay(&["simulate", "--picture", "-"], scenario);
    assert_eq!(alone.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&alone.stderr).contains("--picture: give the moment"));
    let late = kplay(&["simulate", "--at-ms", "99999999999999", "-"], scenario);
    assert_eq!(late.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&late.stderr).starts_with("--at-ms: \"99999999999999\""));
}

/// The presets the library ships; `kplay presets` must list each.
fn kplay_core_preset_count() -> usize {
    kplay_core::presets::PRESETS.len()
}

#[test]
fn kafka_prints_a_setup_script_for_the_scenario_and_refuses_bad_ones() {
    let output = kplay(&["kafka", "--preset", "black-friday", "--seed", "7"], b"");
    assert_eq!(output.status.code(), Some(0));
    let script = stdout(&output);
    assert!(script.starts_with("#!/bin/sh\n"));
    assert!(script.contains("(seed 7)"));
    assert!(script.contains("--topic order-created \\\n  --partitions 3 --replication-factor 3"));
    assert!(
        script.contains(
            "partition.assignment.strategy=org.apache.kafka.clients.consumer.RangeAssignor"
        )
    );

    let output = kplay(&["kafka", "-"], br#"{"seed": 1}"#);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        std::str::from_utf8(&output.stderr)
            .expect("UTF-8")
            .starts_with("input: missing field")
    );
    let output = kplay(&["kafka", "--pretty", "--preset", "black-friday"], b"");
    assert_eq!(
        output.status.code(),
        Some(2),
        "--pretty is for simulate only"
    );
}

#[test]
fn world_prints_the_contract_fields_at_the_end_and_at_a_moment() {
    let script = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/consumer-groups.json"
    ))
    .expect("the example exists");
    let output = kplay(&["world", "-"], &script);
    assert!(output.status.success(), "{output:?}");
    let state: serde_json::Value = serde_json::from_str(stdout(&output)).expect("JSON");
    // The last action is at 12 s; the world runs 60 s past it.
    assert_eq!(state["at_ms"], 72_000);
    let partition = &state["topics"]["orders"]["partitions"][0];
    for field in [
        "partition",
        "leader",
        "leader_epoch",
        "replicas",
        "isr",
        "log_start_offset",
        "high_watermark",
        "log_end_offset",
    ] {
        assert!(!partition[field].is_null(), "{field} in {partition}");
    }
    let billing = &state["groups"]["billing"];
    assert_eq!(billing["state"], "Stable");
    assert_eq!(billing["generation"], 3);
    assert_eq!(billing["members"]["billing-2"]["alive"], true);
    assert_eq!(
        billing["members"]["billing-2"]["assigned"],
        serde_json::json!([["orders", 0], ["orders", 1], ["orders", 2]])
    );
    assert_eq!(billing["offsets"]["orders"]["0"]["lag"], 0);
    let produced = state["produced"].as_array().expect("produced");
    assert_eq!(produced.len(), 30);
    assert_eq!(produced[0]["action"], 2);
    assert!(
        produced
            .iter()
            .all(|p| p["error"].is_null() && !p["offset"].is_null())
    );
    assert!(state.get("events").is_none());

    // At 20 s billing-1 has crashed but its session (45 s) has not expired: a ghost that keeps its partitions.
    let output = kplay(&["world", "--at-ms", "20000", "--events"], &script);
    assert!(output.status.success(), "{output:?}");
    let state: serde_json::Value = serde_json::from_str(stdout(&output)).expect("JSON");
    assert_eq!(state["at_ms"], 20_000);
    let ghost = &state["groups"]["billing"]["members"]["billing-1"];
    assert_eq!(ghost["alive"], false);
    assert_eq!(
        ghost["assigned"],
        serde_json::json!([["orders", 0], ["orders", 1]])
    );
    let events = state["events"].as_array().expect("events");
    assert!(events.iter().any(|e| e["kind"] == "fetched"
        && e["group"] == "shipping"
        && e["member"] == "shipping-1"
        && e["topic"] == "orders"
        && !e["partition"].is_null()
        && !e["offset"].is_null()
        && !e["at_ms"].is_null()));
    assert!(events.iter().all(|e| e["at_ms"].as_u64() <= Some(20_000)));
}

#[test]
fn world_refuses_bad_scripts_with_one_line_per_problem() {
    let output = kplay(
        &["world"],
        br#"{"version": 1, "brokers": 1, "topics": [{"name": "t", "partitions": 1}],
             "actions": [{"at_ms": 5, "do": "produce", "topic": "x"},
                         {"at_ms": 1, "do": "crash", "group": "g", "member": "m"}]}"#,
    );
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        "actions[1].at_ms: 1 is earlier than the action before (5); actions must be in time order\n"
    );
    let output = kplay(
        &["world"],
        br#"{"version": 1, "brokers": 1, "topics": [{"name": "t", "partitions": 1}],
             "actions": [{"at_ms": 5, "do": "produce", "topic": "x"},
                         {"at_ms": 6, "do": "crash", "group": "g", "member": "m"}]}"#,
    );
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        "actions[0].topic: unknown topic \"x\"\nactions[1].group: unknown group \"g\"\n"
    );
    let output = kplay(
        &["world"],
        br#"{"version": 1, "brokers": 1, "topics": [], "actions": [{"at_ms": 0, "do": "explode"}]}"#,
    );
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.starts_with("actions[0]: unknown variant `explode`"),
        "{stderr}"
    );
    let output = kplay(&["world", "--at-ms", "soon"], b"");
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).starts_with("--at-ms: \"soon\""));
}

#[test]
fn every_example_script_runs() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples");
    let mut ran = 0;
    for entry in std::fs::read_dir(dir).expect("examples/ exists") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "json") {
            let output = kplay(&["world", path.to_str().expect("UTF-8 path")], b"");
            assert!(output.status.success(), "{}: {output:?}", path.display());
            ran += 1;
        }
    }
    assert!(ran >= 4, "{ran} examples");
}

#[test]
fn world_stops_at_its_event_budget_and_says_so() {
    let script = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/consumer-groups.json"
    ))
    .expect("the example exists");
    let output = kplay(&["world", "--max-events", "50"], &script);
    assert!(output.status.success(), "{output:?}");
    let state: serde_json::Value = serde_json::from_str(stdout(&output)).expect("JSON");
    let capped = state["capped"].as_str().expect("capped says why");
    assert!(
        capped.starts_with("stopped after 50 events at "),
        "{capped}"
    );
    assert!(state["at_ms"].as_u64() < Some(72_000));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--max-events lifts the budget"));
    let output = kplay(&["world", "--max-events", "0"], b"");
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn delivery_prints_each_strategys_outcome_of_one_crash() {
    let output = kplay(
        &[
            "delivery",
            "--records",
            "20",
            "--max-poll-records",
            "5",
            "--crash-before",
            "12",
        ],
        b"",
    );
    assert!(output.status.success(), "{output:?}");
    let json: serde_json::Value = serde_json::from_str(stdout(&output)).expect("JSON");
    assert_eq!(json["crash_before"], 12);
    let strategies = json["strategies"].as_array().expect("a list");
    let outcome = |i: usize| {
        let s = &strategies[i];
        (
            s["strategy"].as_str().expect("named").to_owned(),
            s["committed_at_crash"].as_u64().expect("an offset"),
            s["lost"].to_string(),
            s["duplicated"].to_string(),
        )
    };
    assert_eq!(
        outcome(0),
        ("at-most-once".into(), 15, "[12,13,14]".into(), "[]".into())
    );
    assert_eq!(
        outcome(1),
        ("at-least-once".into(), 10, "[]".into(), "[10,11]".into())
    );
    assert_eq!(
        outcome(2),
        ("effectively-once".into(), 10, "[]".into(), "[]".into())
    );
    assert_eq!(
        strategies[2]["delivered"][11], 2,
        "redelivered, but applied once"
    );
    // Without flags: the view's opening incident, the same one.
    assert_eq!(kplay(&["delivery"], b"").stdout, output.stdout);
}

#[test]
fn world_records_show_a_retry_without_idempotence_written_twice() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/retries-without-idempotence.json"
    );
    let output = kplay(&["world", path, "--records"], b"");
    assert!(output.status.success(), "{output:?}");
    let state: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let records = state["topics"]["t"]["partitions"][0]["records"]
        .as_array()
        .expect("records");
    let keys: String = records
        .iter()
        .map(|r| r["key"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(
        keys, "abba",
        "each batch twice, the retries in reverse order"
    );
    assert!(
        records
            .iter()
            .all(|r| r["producer_id"] == -1 && r["sequence"] == -1)
    );
    let appends: Vec<u64> = state["produced"]
        .as_array()
        .expect("produced")
        .iter()
        .map(|p| p["appends"].as_u64().unwrap_or_default())
        .collect();
    assert_eq!(appends, [2, 2]);
}

/// `kplay` run from `dir`, as `kplay lessons` is run from the project's root.
fn kplay_in(dir: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kplay"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("kplay finishes")
}

#[test]
fn every_lesson_holds_against_the_model() {
    let root = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."));
    let output = kplay_in(root, &["lessons", "check"]);
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{}{err}", stdout(&output));
    let lines: Vec<&str> = stdout(&output).lines().collect();
    assert!(lines.len() >= 16, "{} lessons", lines.len());
    assert!(lines.iter().all(|l| l.starts_with("ok ")), "{lines:?}");
    let list = kplay_in(root, &["lessons", "list"]);
    assert!(
        stdout(&list).starts_with("sync-chain "),
        "{}",
        stdout(&list)
    );
}

#[test]
fn a_wrong_answer_or_expectation_fails_the_check_naming_lesson_and_step() {
    let root = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../lessons/01-sync-chain.md"
    );
    let lesson = std::fs::read_to_string(root).expect("the first lesson exists");
    let dir = std::env::temp_dir().join(format!("kplay-lessons-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary folder");
    let cases = [
        (
            "answer: 390\n",
            "answer: 100\n",
            "wrong.md: lesson sync-chain, step 1 (\"The customer waits for the sum\"): answer 100 ± 40 but the model gives `sync.response_ms.p50` = 391.17",
        ),
        (
            "expect: sync.failed == 0\n",
            "expect: sync.failed == 1\n",
            "wrong.md: lesson sync-chain, step 1 (\"The customer waits for the sum\"): expect `sync.failed == 1` does not hold (the model: sync.failed = 0)",
        ),
        (
            "answer: 3\n",
            "answer: 2\n",
            "step 3 (\"One slow service slows every order\"): answer 2 (About a second) but the model makes choice 3 (About the 30-second timeout) hold",
        ),
        (
            "ask: What is the median",
            "asks: What is the median",
            "wrong.md: line 17: unknown key `asks`",
        ),
    ];
    for (from, to, want) in cases {
        assert!(lesson.contains(from), "{from}");
        std::fs::write(dir.join("wrong.md"), lesson.replacen(from, to, 1)).expect("written");
        let output = kplay_in(&dir, &["lessons", "check", "wrong.md"]);
        let err = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{to}: {err}");
        assert!(stdout(&output).starts_with("FAIL"), "{}", stdout(&output));
        assert!(err.contains(want), "{to}: {err}");
    }
    let output = kplay_in(&dir, &["lessons", "check"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).starts_with("lessons/: cannot read"));
    std::fs::remove_dir_all(&dir).expect("removed");
}

#[test]
fn the_example_lesson_of_the_format_guide_holds() {
    let root = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."));
    let guide = std::fs::read_to_string(root.join("lessons/README.md")).expect("the guide exists");
    let start = guide
        .find("````markdown\n")
        .expect("the guide has an example")
        + "````markdown\n".len();
    let example = &guide[start..start + guide[start..].find("````").expect("closed")];
    let dir = std::env::temp_dir().join(format!("kplay-guide-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("lessons")).expect("a temporary folder");
    std::fs::create_dir_all(dir.join("examples")).expect("a temporary folder");
    std::fs::copy(
        root.join("examples/consumer-groups.json"),
        dir.join("examples/consumer-groups.json"),
    )
    .expect("copied");
    std::fs::write(dir.join("lessons/example.md"), example).expect("written");
    let output = kplay_in(&dir, &["lessons", "check"]);
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{}{err}", stdout(&output));
    assert!(
        stdout(&output).starts_with("ok   consumer-group "),
        "{}",
        stdout(&output)
    );
    std::fs::remove_dir_all(&dir).expect("removed");
}
