//! Every capture kind: what it takes from a response reaches a later request, and when it
//! finds nothing the request fails with the capture's name and what was there, and the
//! requests that needed the value are skipped with the reason.

use crate::support::{TestServer, place, run_yaml};

const EVERY_KIND: &str = r#"name: every capture kind
requests:
  - name: json
    GET: <<base>>/echo?x=hello
    capture:
      q: $.query.x
      q2: { jsonpath: $.query.x }
      all_query: $.query.*
  - name: redirect
    GET: <<base>>/redirect
    query: { to: "/callback?code=abc123&state=s42" }
    expect: { status: 302 }
    capture:
      loc: { header: location }
      code: { header: location, query: code }
      state: { header: Location, regex: "state=(\\w+)" }
  - name: text
    GET: <<base>>/text
    capture:
      word: { regex: "hello (\\w+)" }
      whole: { body: true }
  - name: cookie
    GET: <<base>>/set-cookie?name=sid&value=s3ss10n
    capture: { sid: { cookie: sid } }
  - name: jwt
    GET: <<base>>/jwt
    capture:
      sub: { jwt: $.id_token, claim: sub }
      claims: { jwt: $.id_token }
  - name: status
    GET: <<base>>/status/201
    expect: { status: 201 }
    capture: { st: { status: true } }
  - name: followed
    GET: <<base>>/redirect
    query: { to: "/echo?done=yes" }
    follow_redirects: true
    capture: { landed: { url: true }, done: { url: done } }
  - name: use them all
    POST: <<base>>/echo
    json:
      q: <<q>>
      q2: <<q2>>
      all_query: <<all_query>>
      loc: <<loc>>
      code: <<code>>
      state: <<state>>
      word: <<word>>
      whole: <<whole>>
      sid: <<sid>>
      sub: <<sub>>
      iss: <<claims.iss>>
      st: <<st>>
      landed: <<landed>>
      done: <<done>>
    expect:
      body:
        $.json.q: hello
        $.json.q2: hello
        $.json.all_query: [hello]
        $.json.loc: /callback?code=abc123&state=s42
        $.json.code: abc123
        $.json.state: s42
        $.json.word: world
        $.json.whole: hello world 42
        $.json.sid: s3ss10n
        $.json.sub: alice
        $.json.iss: http://test
        $.json.st: { eq: 201, type: integer }
        $.json.landed: { matches: "^http://127\\.0\\.0\\.1:\\d+/echo\\?done=yes$" }
        $.json.done: "yes"
"#;

#[test]
fn every_capture_kind_reaches_a_later_request() {
    let server = TestServer::start();
    server.expect_hits("/echo", 3).expect_hits("/redirect", 2);
    let out = run_yaml(&server.url(), EVERY_KIND).arg("-v").run();
    out.code(0)
        .stdout_contains("captured: q = hello, q2 = hello")
        .stdout_contains("8 passed, 0 failed");
}

/// A file past what `baton run` keeps in memory (1 MiB) has its requests read again one
/// at a time as it runs: captures still reach the later requests, line numbers still
/// point into the file.
#[test]
fn captures_reach_later_requests_in_a_file_read_again_as_it_runs() {
    let server = TestServer::start();
    server.expect_hits("/echo", 4).expect_hits("/redirect", 2);
    let padding = "x".repeat(1_100_000);
    let yaml = EVERY_KIND.replacen(
        "requests:",
        &format!("description: {padding}\nrequests:"),
        1,
    ) + "  - name: fails late\n    GET: <<base>>/echo\n    expect: { status: 204 }\n";
    let out = run_yaml(&server.url(), &yaml).arg("-v").run();
    out.code(1)
        .stdout_contains("captured: q = hello, q2 = hello")
        .stdout_contains("8 passed, 1 failed")
        .stdout_contains(&place("c.yaml", &yaml, "204 }"))
        .stdout_contains("actual: 200");
}

struct Failing {
    kind: &'static str,
    path: &'static str,
    capture: &'static str,
    /// A part of the message that says what was there instead.
    shows: &'static str,
}

const FAILING: &[Failing] = &[
    Failing {
        kind: "jsonpath",
        path: "/echo?x=1",
        capture: "$.nope",
        shows: r#"`$.nope` matched nothing in the response body: {"method":"GET""#,
    },
    Failing {
        kind: "jsonpath on text",
        path: "/text",
        capture: "$.a",
        shows: "the response body is not JSON",
    },
    Failing {
        kind: "jsonpath mapping",
        path: "/echo",
        capture: "{ jsonpath: $.query.x }",
        shows: "`$.query.x` matched nothing",
    },
    Failing {
        kind: "header",
        path: "/echo",
        capture: "{ header: location }",
        shows: "the response has no `location` header (it has: content-type",
    },
    Failing {
        kind: "header query",
        path: "/redirect?to=/cb%3Fx%3D1",
        capture: "{ header: location, query: code }",
        shows: "`code` is not a parameter of the `location` header: /cb?x=1",
    },
    Failing {
        kind: "header regex",
        path: "/redirect?to=/cb",
        capture: r#"{ header: location, regex: "code=(\\w+)" }"#,
        shows: r"`code=(\w+)` does not match the `location` header: /cb",
    },
    Failing {
        kind: "regex",
        path: "/text",
        capture: r#"{ regex: "bye (\\w+)" }"#,
        shows: r"`bye (\w+)` does not match the body: hello world 42",
    },
    Failing {
        kind: "cookie",
        path: "/echo",
        capture: "{ cookie: sid }",
        shows: "the response sets no cookie `sid`",
    },
    Failing {
        kind: "jwt that is no JWT",
        path: "/echo",
        capture: "{ jwt: $.method, claim: sub }",
        shows: "not a JWT: expected three dot-separated parts, found 1",
    },
    Failing {
        kind: "jwt claim",
        path: "/jwt",
        capture: "{ jwt: $.id_token, claim: nope }",
        shows: "the JWT at `$.id_token` has no claim `nope`",
    },
    Failing {
        kind: "url parameter",
        path: "/echo",
        capture: "{ url: code }",
        shows: "`code` is not a parameter of http://127.0.0.1:",
    },
];

#[test]
fn a_capture_that_finds_nothing_fails_and_skips_what_needs_it() {
    let server = TestServer::start();
    for case in FAILING {
        let yaml = format!(
            "requests:\n  - name: first\n    GET: <<base>>{}\n    expect: {{ status: any }}\n    capture:\n      got: {}\n  - name: second\n    POST: <<base>>/echo\n    json: {{ v: <<got>> }}\n",
            case.path, case.capture
        );
        let out = run_yaml(&server.url(), &yaml).run();
        let context = format!("case `{}`", case.kind);
        assert_eq!(out.code, 1, "{context}\n{}", out.stdout);
        for needle in [
            "capture `got` failed",
            &place("c.yaml", &yaml, case.capture),
            case.shows,
            "- second (skipped: needs `got`, which request 'first' did not capture)",
            "0 passed, 1 failed, 1 skipped",
        ] {
            assert!(
                out.stdout.contains(needle),
                "{context}: stdout lacks {needle:?}\n{}",
                out.stdout
            );
        }
        assert!(
            !out.stdout.contains("panicked") && !out.stderr.contains("panicked"),
            "{context}"
        );
    }
    // The skipped requests were never sent.
    assert_eq!(
        server.hits("/echo") as usize,
        FAILING
            .iter()
            .filter(|c| c.path.starts_with("/echo"))
            .count()
    );
}

/// A capture that failed and then succeeded in a later request: what follows runs again.
#[test]
fn a_later_successful_capture_clears_the_failure() {
    let server = TestServer::start();
    let yaml = r"requests:
  - name: misses
    GET: <<base>>/echo
    capture: { x: $.nope }
  - name: hits
    GET: <<base>>/echo?x=found
    capture: { x: $.query.x }
  - name: uses
    POST: <<base>>/echo
    json: { v: <<x>> }
    expect: { body: { $.json.v: found } }
";
    run_yaml(&server.url(), yaml)
        .run()
        .code(1)
        .stdout_contains("✓ uses")
        .stdout_contains("2 passed, 1 failed");
}

/// `optional: true`: a capture that finds nothing leaves the variable as it was and fails
/// nothing; one that finds its value takes it; the same capture without it still fails.
#[test]
fn an_optional_capture_that_finds_nothing_keeps_the_old_value() {
    let server = TestServer::start();
    let yaml = r"vars: { x: old, y: old }
requests:
  - name: maybe
    GET: <<base>>/echo?y=new
    capture:
      x: { jsonpath: $.query.x, optional: true }
      y: { jsonpath: $.query.y, optional: true }
  - name: uses
    POST: <<base>>/echo
    json: { x: <<x>>, y: <<y>> }
    expect: { body: { $.json.x: old, $.json.y: new } }
";
    run_yaml(&server.url(), yaml)
        .run()
        .code(0)
        .stdout_contains("2 passed, 0 failed");
    let strict = yaml.replace(", optional: true", "");
    run_yaml(&server.url(), &strict)
        .run()
        .code(1)
        .stdout_contains("capture `x` failed");
    let bad = yaml.replace("optional: true }\n  ", "optional: maybe }\n  ");
    run_yaml(&server.url(), &bad)
        .run()
        .code(2)
        .stderr_contains("optional");
}
