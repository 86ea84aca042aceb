//! Limits that hold: `--timeout` bounds a request with all its redirects, `--max-time` the
//! whole run (retries, delays, redirects and oauth2 flows included) and counts what it
//! prevented as skipped, `--bail` counts what it did not run; zero limits are refused.

use std::time::Duration;

use crate::support::{TestServer, run_yaml};

/// Each hop of a 5-hop chain answers in 400 ms, under the 1 s limit; all five take 2 s. The
/// limit is the request's, so the third hop is cut where the 1 s runs out.
#[test]
fn the_timeout_covers_every_hop_of_a_redirect_chain() {
    let server = TestServer::start();
    let yaml = "requests:\n  - name: chain\n    GET: <<base>>/slow-redirect?ms=400&n=5\n    follow_redirects: true\n";
    let out = run_yaml(&server.url(), yaml)
        .args(["--timeout", "1s"])
        .timeout(Duration::from_secs(20))
        .run();
    out.code(3)
        .stdout_contains(&format!(
            "timed out after 1s waiting for {}/slow-redirect?ms=400&n=3, hop 3 of the redirects from {}/slow-redirect?ms=400&n=5",
            server.url(),
            server.url()
        ))
        .stdout_contains("0 passed, 1 failed");
    assert!(
        out.elapsed < Duration::from_millis(1800),
        "took {:?}",
        out.elapsed
    );
}

/// The loose bound on a run limited to `limit`: twice the limit and a second of start-up.
#[track_caller]
fn within(out: &crate::support::Output, limit: Duration) {
    assert!(
        out.elapsed < limit * 2 + Duration::from_secs(1),
        "took {:?} under --max-time {limit:?}\n{}",
        out.elapsed,
        out.stdout
    );
}

/// 21 attempts 200 ms apart need 4 s; the run has 1 s. Retrying stops when the next attempt
/// could not start in time, which is said beside the last attempt made; the next request
/// gets what is left of the second, and the one after is skipped.
#[test]
fn max_time_ends_retries_and_skips_what_follows() {
    let server = TestServer::start();
    let yaml = "requests:\n  - name: not ready\n    GET: <<base>>/status/503\n    retry: { count: 20, interval_ms: 200 }\n  - name: next\n    GET: <<base>>/slow?ms=3000\n  - name: last\n    GET: <<base>>/echo\n";
    let out = run_yaml(&server.url(), yaml)
        .args(["--max-time", "1s"])
        .timeout(Duration::from_secs(20))
        .run();
    out.code(3)
        .stdout_contains("; --max-time reached before attempt")
        .stdout_contains("the run reached --max-time (1s) waiting for")
        .stdout_contains("last (skipped: --max-time reached)")
        .stdout_contains("1 not made in --max-time")
        .stdout_contains("0 passed, 2 failed, 1 skipped")
        .output_lacks("not sent")
        .output_lacks("attempt 21 of 21");
    within(&out, Duration::from_secs(1));
    let hits = server.hits("/status/503");
    assert!((2..=6).contains(&hits), "{hits} attempts");
    assert_eq!(server.hits("/echo"), 0);
}

/// `delay_ms` counts against the run: the third 400 ms delay would end past 1 s, so the run
/// ends there, and the requests it did not reach are skipped.
#[test]
fn max_time_bounds_delays() {
    let server = TestServer::start();
    let mut yaml = String::from("requests:\n");
    for i in 1..=5 {
        yaml.push_str(&format!(
            "  - name: r{i}\n    GET: <<base>>/echo\n    delay_ms: 400\n"
        ));
    }
    let out = run_yaml(&server.url(), &yaml)
        .args(["--max-time", "1s", "--json", "r.json", "--junit", "r.xml"])
        .timeout(Duration::from_secs(20))
        .run();
    out.code(3)
        .stdout_contains("r3 (skipped: --max-time reached)")
        .stdout_contains("r5 (skipped: --max-time reached)")
        .stdout_contains("2 passed, 0 failed, 3 skipped");
    within(&out, Duration::from_secs(1));
    assert_eq!(server.hits("/echo"), 2);
    let json: serde_json::Value = serde_json::from_str(&out.file("r.json")).unwrap();
    assert_eq!(json["counts"]["skipped"], 3, "{json}");
    assert_eq!(json["exit_code"], 3);
    let junit = out.file("r.xml");
    assert!(junit.contains(r#"skipped="3""#), "{junit}");
    assert!(junit.contains(r#"message="--max-time reached""#), "{junit}");
}

/// A chain of redirects to a slow server: each hop (400 ms) is well under --timeout, the
/// chain (4.4 s) is not under --max-time.
#[test]
fn max_time_bounds_a_redirect_chain() {
    let server = TestServer::start();
    let yaml = "requests:\n  - name: chain\n    GET: <<base>>/slow-redirect?ms=400&n=10\n    follow_redirects: true\n  - name: after\n    GET: <<base>>/echo\n";
    let out = run_yaml(&server.url(), yaml)
        .args(["--max-time", "1s", "--timeout", "30s"])
        .timeout(Duration::from_secs(20))
        .run();
    out.code(3)
        .stdout_contains("the run reached --max-time (1s) waiting for")
        .stdout_contains("raise --max-time if the run is just long")
        .stdout_contains("after (skipped: --max-time reached)")
        .stdout_contains("0 passed, 1 failed, 1 skipped");
    within(&out, Duration::from_secs(1));
    assert_eq!(server.hits("/echo"), 0);
}

/// An oauth2 flow's token request is bounded by --max-time like any other request.
#[test]
fn max_time_bounds_an_oauth2_flow() {
    let server = TestServer::start();
    let yaml = "requests:\n  - name: sign in\n    oauth2:\n      grant: client_credentials\n      token_url: <<base>>/slow?ms=5000\n      client_id: app\n      client_secret: s3cret\n  - name: after\n    GET: <<base>>/echo\n";
    let out = run_yaml(&server.url(), yaml)
        .args(["--max-time", "1s"])
        .timeout(Duration::from_secs(20))
        .run();
    out.code(3)
        .stdout_contains(&format!(
            "the run reached --max-time (1s) waiting for {}/slow?ms=5000",
            server.url()
        ))
        .stdout_contains("after (skipped: --max-time reached)")
        .stdout_contains("0 passed, 1 failed, 1 skipped");
    within(&out, Duration::from_secs(1));
}

/// What --bail did not run is skipped with the reason, in the console's last line and in
/// the JSON and JUnit counts, in this file and the next; none of it is sent. With --jobs 2
/// the other file runs at once: its request waits out a delay meanwhile, and is not sent
/// after it.
#[test]
fn bail_counts_what_it_did_not_run_as_skipped() {
    let server = TestServer::start();
    let first = "requests:\n  - name: fine\n    GET: <<base>>/echo\n  - name: broken\n    GET: <<base>>/status/500\n  - name: then\n    GET: <<base>>/echo\n";
    let second = "requests:\n  - name: other file\n    GET: <<base>>/echo?b\n    delay_ms: 500\n";
    for jobs in ["1", "2"] {
        let out = crate::support::Baton::new()
            .file("a.yaml", first)
            .file("b.yaml", second)
            .args(["run", "a.yaml", "b.yaml", "--bail", "--json", "r.json"])
            .args(["--junit", "r.xml", "--jobs", jobs, "--var"])
            .arg(format!("base={}", server.url()))
            .run();
        out.code(1)
            .stdout_contains("then (skipped: --bail: an earlier request failed)")
            .stdout_contains("1 passed, 1 failed, 2 skipped");
        let last = out.stdout.trim_end().lines().last().unwrap_or_default();
        assert_eq!(last, "1 passed, 1 failed, 2 skipped", "--jobs {jobs}");
        let json: serde_json::Value = serde_json::from_str(&out.file("r.json")).unwrap();
        assert_eq!(json["counts"]["skipped"], 2, "{json}");
        assert_eq!(json["exit_code"], 1);
        let junit = out.file("r.xml");
        assert!(junit.contains(r#"skipped="2""#), "{junit}");
        assert!(
            junit.contains(r#"message="--bail: an earlier request failed""#),
            "{junit}"
        );
    }
    // `fine`, twice; `then` and the other file's request never.
    assert_eq!(server.hits("/echo"), 2);
}

/// A redirect to `file:` or `ftp:` is what the server answered (exit 3), said as a redirect
/// from its URL; the collection is not at fault (exit 2 was wrong).
#[test]
fn a_redirect_to_another_scheme_is_the_server_s_doing() {
    let server = TestServer::start();
    for to in [
        "file:///etc/passwd",
        "ftp://127.0.0.1/x",
        "javascript:alert(1)",
    ] {
        let yaml = "requests:\n  - name: away\n    GET: <<base>>/redirect\n    query: { to: <<to>> }\n    follow_redirects: true\n";
        let out = run_yaml(&server.url(), yaml)
            .arg("--var")
            .arg(format!("to={to}"))
            .run();
        let scheme = to.split(':').next().unwrap();
        out.code(3)
            .stdout_contains(&format!("the redirect from {}/redirect?to=", server.url()))
            .stdout_contains(&format!(
                "cannot be followed: the scheme `{scheme}` is not http or https"
            ))
            .stdout_contains("the server sent this redirect")
            .stdout_contains("0 passed, 1 failed");
    }
}

/// What a server sends reaches the console escaped: in `-v` transcripts, failure excerpts,
/// OAuth error hints, expectation values, captured values and GitHub annotations, no ESC,
/// BEL, C1 control or lone CR is printed raw (the console has no colours under NO_COLOR).
#[test]
fn terminal_escapes_from_a_server_are_shown_escaped() {
    let server = TestServer::start();
    let yaml = r"requests:
  - name: error hint
    GET: <<base>>/escapes
  - name: expectation
    GET: <<base>>/escapes
    expect: { status: 400, body: { $.name: plain } }
  - name: raw body
    GET: <<base>>/escapes?text
    capture: { whole: { body: true } }
    expect: { body: { contains: nothing like it } }
";
    for verbose in [false, true] {
        let mut run = run_yaml(&server.url(), yaml).env("GITHUB_ACTIONS", "true");
        if verbose {
            run = run.arg("-v");
        }
        let out = run.run();
        out.code(1)
            .stdout_contains(r"status 400 (bad\e[2J: \e]0;pwned\u{7} retitled)")
            .stdout_contains(r#"actual: "\u{9b}31mred\u001b[2J""#)
            .stdout_contains(r"before\e[2J\e]0;pwned\u{7}\u{9b}31m fake\rOK")
            .stdout_contains("::error file=c.yaml");
        if verbose {
            out.stdout_contains(r"x-c1: a\u{9b}31mb")
                .stdout_contains(r"captured: whole = before\e[2J");
        }
        for raw in ['\u{1b}', '\u{7}', '\u{9b}', '\r'] {
            assert!(
                !out.stdout.contains(raw) && !out.stderr.contains(raw),
                "{raw:?} printed raw (-v: {verbose}):\n{}",
                out.stdout
            );
        }
    }
}
