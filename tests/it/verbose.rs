//! `-v` shows the `reproduce: curl …` line of passing requests too (secrets masked as for
//! failures), and `-vv` each hop's timings: DNS, connect, first byte, body, with `n/a` for
//! what a hop did not do (an IP address needs no lookup; a kept connection no connect).

use crate::support::{TestServer, run_yaml};

const YAML: &str = r"requests:
  - name: passes
    POST: <<base>>/echo
    headers: { authorization: Bearer <<token>> }
    form: { q: one }
";

#[test]
fn verbose_shows_reproduce_for_a_passing_request_with_secrets_masked() {
    let server = TestServer::start();
    let out = run_yaml(&server.url(), YAML)
        .args(["--var", "token=t0ps3cret", "-v"])
        .run();
    out.code(0);
    out.output_lacks("t0ps3cret").output_lacks("timing:");
    insta::assert_snapshot!(out.stdout_redacted());
}

#[test]
fn double_verbose_adds_the_timings_of_each_hop() {
    let server = TestServer::start();
    let yaml = format!("{YAML}  - name: same connection\n    GET: <<base>>/text\n");
    let out = run_yaml(&server.url(), &yaml)
        .args(["--var", "token=t0ps3cret", "-vv"])
        .run();
    out.code(0);
    let stdout = out.stdout_redacted();
    // 127.0.0.1 needs no lookup; the first request opens the connection, the second
    // reuses it: what is shown is what happened, never an estimate.
    let timings: Vec<&str> = stdout.lines().filter(|l| l.contains("timing:")).collect();
    assert_eq!(
        timings,
        [
            "    timing: dns n/a, connect [DURATION], first byte [DURATION], body [DURATION]",
            "    timing: dns n/a, connect n/a, first byte [DURATION], body [DURATION]",
        ],
        "{stdout}"
    );
    insta::assert_snapshot!(stdout);
}

#[test]
fn double_verbose_times_a_name_lookup() {
    let server = TestServer::start();
    let base = server.url().replace("127.0.0.1", "localhost");
    let out = run_yaml(&base, "requests:\n  - GET: <<base>>/text\n")
        .arg("-vv")
        .run();
    out.code(0)
        .stdout_contains("timing: dns ")
        .output_lacks("dns n/a");
}
