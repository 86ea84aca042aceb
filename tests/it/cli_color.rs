//! `--color auto|always|never` and the environment's say (NO_COLOR, FORCE_COLOR,
//! CLICOLOR_FORCE), on a pipe as CI logs are: the console, diagnostics and clap's own
//! errors agree. The test runner sets NO_COLOR=1; an empty NO_COLOR counts as unset
//! (no-color.org), which is how these tests lift it.

use crate::support::{Baton, Output, TestServer, redact, run_yaml};

const ESC: &str = "\u{1b}[";

const MIXED: &str = "requests:
  - name: passes
    GET: <<base>>/echo
    expect: { status: 200 }
  - name: fails
    GET: <<base>>/echo
    expect: { status: 418 }
";

fn mixed(server: &TestServer, env: &[(&str, &str)], args: &[&str]) -> Output {
    let mut baton = run_yaml(&server.url(), MIXED).args(args);
    for (k, v) in env {
        baton = baton.env(k, v);
    }
    baton.run()
}

fn coloured(out: &Output) -> bool {
    out.stdout.contains(ESC)
}

#[test]
fn force_color_colours_a_pipe() {
    let server = TestServer::start();
    let out = mixed(&server, &[("NO_COLOR", ""), ("FORCE_COLOR", "1")], &[]);
    out.code(1);
    assert!(coloured(&out), "{}", out.stdout);
    let out = mixed(&server, &[("NO_COLOR", ""), ("CLICOLOR_FORCE", "1")], &[]);
    assert!(coloured(&out), "{}", out.stdout);
}

#[test]
fn a_pipe_is_plain_unless_asked() {
    let server = TestServer::start();
    let out = mixed(&server, &[("NO_COLOR", "")], &[]);
    out.code(1);
    assert!(!coloured(&out), "{}", out.stdout);
    // FORCE_COLOR=0 forces nothing.
    let out = mixed(&server, &[("NO_COLOR", ""), ("FORCE_COLOR", "0")], &[]);
    assert!(!coloured(&out), "{}", out.stdout);
}

#[test]
fn no_color_beats_force_color() {
    let server = TestServer::start();
    let out = mixed(&server, &[("NO_COLOR", "1"), ("FORCE_COLOR", "1")], &[]);
    out.code(1);
    assert!(!coloured(&out), "{}", out.stdout);
    assert!(!out.stderr.contains(ESC));
}

#[test]
fn the_flag_beats_the_environment() {
    let server = TestServer::start();
    let out = mixed(
        &server,
        &[("NO_COLOR", ""), ("FORCE_COLOR", "1")],
        &["--color", "never"],
    );
    out.code(1);
    assert!(!coloured(&out), "{}", out.stdout);
    // `always` colours a pipe even with NO_COLOR set; `--color=always` before the
    // subcommand works too (a global option).
    let out = mixed(&server, &[("NO_COLOR", "1")], &["--color", "always"]);
    assert!(coloured(&out), "{}", out.stdout);
    let out = Baton::new()
        .file("c.yaml", MIXED)
        .args(["--color=always", "run", "c.yaml", "--var"])
        .arg(format!("base={}", server.url()))
        .run();
    assert!(coloured(&out), "{}", out.stdout);
}

/// What a CI log shows: ✓ green, ✗ red and bold, the summary's counts coloured.
#[test]
fn coloured_console_snapshot() {
    let server = TestServer::start();
    let out = mixed(&server, &[("NO_COLOR", ""), ("FORCE_COLOR", "1")], &[]);
    let shown = out.stdout.replace('\u{1b}', "\\e");
    insta::assert_snapshot!(redact(&shown));
}

/// Diagnostics on stderr and clap's own errors follow the same decision.
#[test]
fn diagnostics_and_usage_errors_agree() {
    let out = Baton::new()
        .file("bad.yaml", "requests:\n  - methd: GET\n")
        .args(["run", "bad.yaml"])
        .env("NO_COLOR", "")
        .env("FORCE_COLOR", "1")
        .run();
    out.code(2);
    assert!(out.stderr.contains(ESC), "{}", out.stderr);
    let out = Baton::new()
        .file("bad.yaml", "requests:\n  - methd: GET\n")
        .args(["run", "bad.yaml", "--color", "never"])
        .env("NO_COLOR", "")
        .env("FORCE_COLOR", "1")
        .run();
    out.code(2);
    assert!(!out.stderr.contains(ESC), "{}", out.stderr);

    let usage = |env: &[(&str, &str)], args: &[&str]| {
        let mut b = Baton::new()
            .args(["run", "x.yaml", "--jobs", "0"])
            .args(args);
        for (k, v) in env {
            b = b.env(k, v);
        }
        b.run()
    };
    let out = usage(&[("NO_COLOR", ""), ("FORCE_COLOR", "1")], &[]);
    out.code(2);
    assert!(out.stderr.contains(ESC), "{}", out.stderr);
    let out = usage(&[("NO_COLOR", "1")], &["--color", "always"]);
    assert!(out.stderr.contains(ESC), "{}", out.stderr);
    let out = usage(
        &[("NO_COLOR", ""), ("FORCE_COLOR", "1")],
        &["--color=never"],
    );
    assert!(!out.stderr.contains(ESC), "{}", out.stderr);
}

#[test]
fn a_bad_color_value_is_a_usage_error() {
    let out = Baton::new()
        .args(["run", "x.yaml", "--color", "sometimes"])
        .run();
    out.code(2).stderr_contains("sometimes");
    out.stderr_contains("auto, always, never");
}
