//! "The console's last line is always `N passed, N failed`": whatever way a run ends once it
//! has started (passed, failed, invalid at run time, not made, stopped by --bail or
//! --max-time, interrupted), with the console on stdout or, under `--json -`, on stderr.
//! Input found invalid before the run starts has no summary: its diagnostics say it.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::{Baton, FaultServer, Output, TestServer, run_yaml};

#[track_caller]
fn last_line(text: &str) -> &str {
    text.trim_end().lines().last().unwrap_or_default()
}

#[track_caller]
fn ends_with_summary(out: &Output, code: i32, summary: &str) {
    out.code(code);
    assert_eq!(last_line(&out.stdout), summary, "{}", out.stdout);
}

#[test]
fn every_run_that_starts_ends_with_the_summary() {
    let server = TestServer::start();
    let url = server.url();
    let cases: [(&str, &[&str], i32, &str); 7] = [
        ("  - GET: <<base>>/echo\n", &[], 0, "1 passed, 0 failed"),
        (
            "  - GET: <<base>>/status/500\n",
            &[],
            1,
            "0 passed, 1 failed",
        ),
        (
            "  - GET: <<base>>/echo?x=<<nope>>\n",
            &[],
            2,
            "0 passed, 1 failed",
        ),
        (
            "  - GET: <<base>>/slow?ms=2000\n    timeout: 100ms\n",
            &[],
            3,
            "0 passed, 1 failed",
        ),
        (
            "  - GET: <<base>>/status/500\n  - GET: <<base>>/echo\n",
            &["--bail"],
            1,
            "0 passed, 1 failed, 1 skipped",
        ),
        (
            "  - GET: <<base>>/slow?ms=2000\n  - GET: <<base>>/echo\n",
            &["--max-time", "200ms"],
            3,
            "0 passed, 1 failed, 1 skipped",
        ),
        (
            "  - GET: <<base>>/echo\n    skip: true\n",
            &["--jobs", "2"],
            0,
            "0 passed, 0 failed, 1 skipped",
        ),
    ];
    for (requests, args, code, summary) in cases {
        let yaml = format!("requests:\n{requests}");
        let out = run_yaml(&url, &yaml).args(args).run();
        ends_with_summary(&out, code, summary);
        // Under `--json -` the console is on stderr, and ends there the same way.
        let out = run_yaml(&url, &yaml).args(args).args(["--json", "-"]).run();
        out.code(code);
        assert_eq!(last_line(&out.stderr), summary, "{}", out.stderr);
    }
}

/// Ctrl-C: the notice that the run was interrupted comes before the summary, which stays
/// last (it used to follow it on stderr, the console's stream under `--json -`).
#[test]
fn an_interrupted_run_still_ends_with_the_summary() {
    let hang = FaultServer::never_answers();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("c.yaml"),
        format!("requests:\n  - name: hangs\n    GET: {}/\n", hang.url()),
    )
    .unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_baton"))
        .args(["run", "c.yaml", "--json", "-"])
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while hang.connections() == 0 && started.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(20));
    }
    let killed = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{stderr}");
    assert!(
        stderr.contains("interrupted: the summary below holds what ran"),
        "{stderr}"
    );
    assert_eq!(
        last_line(&stderr),
        "0 passed, 0 failed, 1 skipped",
        "{stderr}"
    );
}

/// The one kind of run with no summary: input found invalid before anything is sent. Its
/// diagnostics are on stderr and stdout stays empty, so no summary can be mistaken for it.
#[test]
fn input_invalid_before_the_run_has_no_summary() {
    let out = Baton::new()
        .file(
            "c.yaml",
            "requests:\n  - methd: GET\n    url: http://127.0.0.1:9/\n",
        )
        .args(["run", "c.yaml"])
        .run();
    out.code(2).stderr_contains("unknown key 'methd'");
    assert_eq!(out.stdout, "");
}
