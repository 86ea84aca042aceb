//! `defaults:` of a file: `headers` merge by name (the request wins), `auth`, `timeout`,
//! `follow_redirects`, `expect` (the request's own overrides it key by key) and `tags` apply
//! to every request that does not set them.

use crate::support::{Baton, TestServer, place, run_yaml};

/// Header names compare as HTTP's do, whatever their case: the request's `x-team` replaces
/// the default `X-Team` (one value sent, not both). The issue says "by name"; HTTP names are
/// case-insensitive, so this test takes that reading.
#[test]
fn default_headers_merge_by_name_and_the_request_wins() {
    let server = TestServer::start();
    let yaml = r#"name: headers
defaults:
  headers: { Accept: application/json, X-Team: blue }
requests:
  - name: the defaults alone
    GET: <<base>>/echo
    expect:
      body:
        $.headers.accept: application/json
        $.headers['x-team']: blue
  - name: its own header wins, the other default stays
    GET: <<base>>/echo
    headers: { X-Team: red, X-Extra: "1" }
    expect:
      body:
        $.headers.accept: application/json
        $.headers['x-team']: red
        $.headers['x-extra']: "1"
  - name: a name in another case is the same name
    GET: <<base>>/echo
    headers: { x-team: green }
    expect:
      body:
        $.headers['x-team']: green
"#;
    run_yaml(&server.url(), yaml)
        .run()
        .code(0)
        .stdout_contains("3 passed, 0 failed");
}

/// A request's own `Authorization` header also counts as setting its auth: the default
/// `auth` is a default `Authorization` header, and headers merge by name with the request
/// winning (one value sent, not both).
#[test]
fn default_auth_applies_unless_the_request_sets_its_own() {
    let server = TestServer::start();
    let yaml = r"name: auth
vars: { token: t-123 }
defaults:
  auth: { bearer: <<token>> }
requests:
  - name: the default bearer
    GET: <<base>>/echo
    expect: { body: { $.headers.authorization: Bearer t-123 } }
  - name: its own Basic instead
    GET: <<base>>/echo
    auth: { basic: [u, p] }
    expect: { body: { $.headers.authorization: Basic dTpw } }
  - name: an Authorization header of its own instead
    GET: <<base>>/echo
    headers: { Authorization: Token abc }
    expect: { body: { $.headers.authorization: Token abc } }
";
    run_yaml(&server.url(), yaml)
        .run()
        .code(0)
        .stdout_contains("3 passed, 0 failed");
}

#[test]
fn default_timeout_applies_unless_the_request_sets_its_own() {
    let server = TestServer::start();
    let yaml = r"name: timeout
defaults:
  timeout: 300ms
requests:
  - name: its own longer limit
    GET: <<base>>/slow?ms=600
    timeout: 5s
  - name: the default limit
    GET: <<base>>/slow?ms=2000
";
    let out = run_yaml(&server.url(), yaml).run();
    out.code(3)
        .stdout_contains("✓ its own longer limit")
        .stdout_contains("✗ the default limit")
        .stdout_contains("1 passed, 1 failed");
    assert!(out.elapsed.as_millis() < 2000, "{:?}", out.elapsed);
}

#[test]
fn default_follow_redirects_applies_unless_the_request_sets_its_own() {
    let server = TestServer::start();
    let yaml = r"name: redirects
defaults:
  follow_redirects: true
requests:
  - name: followed by default
    GET: <<base>>/redirect?to=/echo
    expect: { status: 200, body: { $.path: /echo } }
  - name: its own false stops at the redirect
    GET: <<base>>/redirect?to=/echo
    follow_redirects: false
    expect: { status: 302, headers: { location: /echo } }
";
    run_yaml(&server.url(), yaml)
        .run()
        .code(0)
        .stdout_contains("2 passed, 0 failed");
    assert_eq!(server.hits("/echo"), 1);
}

const EXPECT: &str = r"name: expect
defaults:
  expect:
    status: 200
    headers: { content-type: { contains: application/json } }
    body:
      $.query.team: blue
requests:
  - name: the defaults hold
    GET: <<base>>/echo?team=blue
  - name: its own status replaces the default, and a body check of the same path
    GET: <<base>>/status/404
    expect:
      status: 404
      body:
        $.query.team: { exists: false }
        $.status: 404
  - name: its own body checks join the default ones
    GET: <<base>>/echo?team=blue
    expect:
      body:
        $.path: /echo
";

#[test]
fn a_request_s_own_expect_overrides_the_default_key_by_key() {
    let server = TestServer::start();
    run_yaml(&server.url(), EXPECT)
        .run()
        .code(0)
        .stdout_contains("3 passed, 0 failed");
}

/// The default checks that stay are judged as the request's own: a failure points at the
/// line of `defaults:` that holds the check.
#[test]
fn default_expectations_that_stay_fail_at_their_own_line() {
    let server = TestServer::start();
    let yaml = format!(
        "{EXPECT}  - name: its own body check, the default one fails\n    GET: <<base>>/echo?team=red\n    expect:\n      body:\n        $.path: /echo\n  - name: its own body checks, the default status fails\n    GET: <<base>>/status/201\n    expect:\n      body:\n        $.status: 201\n        $.query.team: {{ exists: false }}\n"
    );
    let out = run_yaml(&server.url(), &yaml).run();
    out.code(1)
        .stdout_contains("✗ its own body check, the default one fails")
        .stdout_contains("expectation failed: $.query.team")
        .stdout_contains(&place("c.yaml", &yaml, "$.query.team: ^blue"))
        .stdout_contains("✗ its own body checks, the default status fails")
        .stdout_contains("expectation failed: status")
        .stdout_contains(&place("c.yaml", &yaml, "status: ^200"))
        .stdout_contains("3 passed, 2 failed");
}

/// Default `tags` are the tags of every request without its own: a request's own `tags`
/// replace them (the issue: defaults apply to requests "that do not set them"; not a union).
#[test]
fn default_tags_select_the_requests_without_their_own() {
    let server = TestServer::start();
    let yaml = r"name: tags
defaults:
  tags: [smoke]
requests:
  - name: tagged smoke by default
    GET: <<base>>/status/200
  - name: tagged slow only
    GET: <<base>>/status/202
    tags: [slow]
";
    run_yaml(&server.url(), yaml)
        .args(["--only", "smoke"])
        .run()
        .code(0)
        .stdout_contains("✓ tagged smoke by default")
        .stdout_contains("tagged slow only (skipped: not selected by --only)")
        .stdout_contains("1 passed, 0 failed, 1 skipped");
    assert_eq!(server.hits("/status/202"), 0);
    run_yaml(&server.url(), yaml)
        .args(["--skip", "smoke"])
        .run()
        .code(0)
        .stdout_contains("1 passed, 0 failed, 1 skipped");
    assert_eq!(server.hits("/status/200"), 1);
}

/// A default is a default: unknown keys in `defaults:` are the same error as in a request.
#[test]
fn an_unknown_key_in_defaults_is_invalid_input_at_its_line() {
    let yaml = "name: d\ndefaults:\n  timout: 5s\nrequests:\n  - GET: http://127.0.0.1:1/\n";
    Baton::new()
        .file("c.yaml", yaml)
        .args(["run", "c.yaml"])
        .run()
        .code(2)
        .stderr_contains("unknown key 'timout'")
        .stderr_contains("did you mean 'timeout'?")
        .stderr_contains("c.yaml:3:3");
}
