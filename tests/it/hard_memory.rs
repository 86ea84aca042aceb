//! A huge line under a memory cap: a 24 MB YAML key (one line) is loaded, checked and
//! reported with its error in a few times its size. The cap is the process's address
//! space (`ulimit -v`), not a timing: before, the error alone took 26 times the key's
//! size (annotate-snippets rendering it whole) and the process aborted under this cap.

use crate::support::Baton;

/// The address space baton may use: its code, the runtime, and a few times the file.
const CAP_KB: u64 = 400 * 1024;
const KEY_BYTES: usize = 24 << 20;

/// `baton ARGS` in `b`'s tempdir, with its address space capped at `CAP_KB`.
fn capped(b: Baton, args: &str) -> crate::support::Output {
    b.program("bash")
        .args([
            "-c",
            &format!("ulimit -v {CAP_KB} && exec \"$0\" {args}"),
            env!("CARGO_BIN_EXE_baton"),
        ])
        .run()
}

#[test]
fn an_unknown_key_of_24_mb_is_reported_within_the_cap() {
    let key = "k".repeat(KEY_BYTES);
    let yaml = format!("? {key}\n: 1\nrequests:\n  - GET: http://127.0.0.1:9/\n");
    for command in ["check", "run"] {
        let out = capped(
            Baton::new().file("big.yaml", &yaml),
            &format!("{command} big.yaml"),
        );
        out.code(2)
            .stderr_contains("big.yaml:1:3")
            .stderr_contains("unknown key 'kkkk")
            .stderr_contains("characters]…kkkk")
            .output_lacks("memory allocation");
        // What is printed is bounded too.
        assert!(out.stderr.len() < 4096, "{} bytes", out.stderr.len());
    }
}

#[test]
fn a_valid_24_mb_key_and_value_load_within_the_cap() {
    let big = "v".repeat(KEY_BYTES);
    let yaml = format!(
        "vars:\n  ? {big}\n  : 1\n  value: {big}\nrequests:\n  - GET: http://127.0.0.1:9/\n"
    );
    capped(Baton::new().file("big.yaml", &yaml), "check big.yaml")
        .code(0)
        .stdout_contains("ok: 1 file, 1 request");
}
