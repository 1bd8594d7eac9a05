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
    child
        .stdin
        .take()
        .expect("stdin is piped")
        .write_all(stdin)
        .expect("stdin accepts input");
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
    let cases: [(&[&str], &[u8], &str); 5] = [
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
