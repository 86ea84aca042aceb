//! Whole flows against the test server: the OAuth refresh-token flow of the design, and
//! `--bail`.

use crate::support::{Baton, TestServer, place, run_yaml};

pub(crate) const REFRESH_FLOW: &str = r"name: refresh a token
vars:
  ClientId: app
  ClientSecret: app-secret
  username: alice
  password: wonderland
requests:
  - name: sign in (password grant)
    POST: <<base>>/token
    form:
      grant_type: password
      username: <<username>>
      password: <<password>>
      client_id: <<ClientId>>
      client_secret: <<ClientSecret>>
      scope: api offline_access
    expect:
      status: 200
      headers: { content-type: { contains: application/json } }
      body:
        $.token_type: Bearer
        $.expires_in: { gt: 0 }
        $.scope: api offline_access
        $.refresh_token: { exists: true }
    capture:
      access_token: $.access_token
      refresh_token: $.refresh_token
      first_refresh_token: $.refresh_token

  - name: who am I
    GET: <<base>>/me
    auth: { bearer: <<access_token>> }
    expect:
      status: 200
      body: { $.sub: alice, $.name: Alice }

  - name: refresh (client authenticated with a Basic header)
    POST: <<base>>/token
    auth: { basic: [<<ClientId>>, <<ClientSecret>>] }
    form: { grant_type: refresh_token, refresh_token: <<refresh_token>> }
    expect:
      status: 200
      body: { $.refresh_token: { ne: <<refresh_token>> } }
    capture: { refresh_token: $.refresh_token }

  - name: refresh (client credentials in the body)
    POST: <<base>>/token
    form:
      grant_type: refresh_token
      refresh_token: <<refresh_token>>
      client_id: <<ClientId>>
      client_secret: <<ClientSecret>>
    expect:
      status: 200
      body:
        $.refresh_token: { ne: <<refresh_token>> }
        $.scope: api offline_access
    capture: { refresh_token: $.refresh_token, access_token: $.access_token }

  - name: the new access token works
    GET: <<base>>/me
    auth: { bearer: <<access_token>> }
    expect: { status: 200 }

  - name: the first refresh token was rotated away
    POST: <<base>>/token
    auth: { basic: [<<ClientId>>, <<ClientSecret>>] }
    form: { grant_type: refresh_token, refresh_token: <<first_refresh_token>> }
    expect:
      status: 400
      body:
        $.error: invalid_grant
        $.error_description: { contains: already used }
";

#[test]
fn refresh_token_flow_passes_end_to_end() {
    let server = TestServer::start();
    server.expect_hits("/token", 4).expect_hits("/me", 2);
    let out = run_yaml(&server.url(), REFRESH_FLOW).run();
    out.code(0)
        .stdout_contains("✓ sign in (password grant) 200")
        .stdout_contains("✓ the first refresh token was rotated away 400")
        .stdout_contains("6 passed, 0 failed");
    assert_eq!(server.total_hits(), 6, "{}", out.stdout);
}

/// `ne: <<refresh_token>>` compares with the token the request sent, even though the same
/// request captures a new `refresh_token`: a server that does not rotate fails it.
#[test]
fn rotation_check_fails_when_the_token_comes_back_unchanged() {
    let server = TestServer::start();
    let yaml = r"vars: { refresh_token: rt-same }
requests:
  - name: refresh without rotation
    POST: <<base>>/echo
    form: { refresh_token: <<refresh_token>> }
    expect:
      body: { $.form.refresh_token: { ne: <<refresh_token>> } }
    capture: { refresh_token: $.form.refresh_token }
";
    let out = run_yaml(&server.url(), yaml).arg("--show-secrets").run();
    out.code(1)
        .stdout_contains("expectation failed: $.form.refresh_token")
        .stdout_contains(&place("c.yaml", yaml, "<<refresh_token>> } }"))
        .stdout_contains("expected: not \"rt-same\"")
        .stdout_contains("0 passed, 1 failed");
}

/// An expectation may still read what its own request captured under a new name.
#[test]
fn expectations_see_new_captures_of_their_own_request() {
    let server = TestServer::start();
    let yaml = r"requests:
  - POST: <<base>>/echo
    json: { a: 1, b: 1 }
    capture: { a: $.json.a }
    expect:
      body: { $.json.b: <<a>> }
";
    run_yaml(&server.url(), yaml)
        .run()
        .code(0)
        .stdout_contains("1 passed, 0 failed");
}

const THREE: &str = r"requests:
  - name: broken
    GET: <<base>>/status/500
  - name: second
    GET: <<base>>/echo
  - name: third
    GET: <<base>>/echo
";

#[test]
fn bail_stops_after_the_first_failure() {
    let server = TestServer::start();
    server
        .expect_hits("/status/500", 1)
        .expect_hits("/echo", 0)
        .expect_hits("/text", 0);
    let out = Baton::new()
        .file("a.yaml", THREE)
        .file("b.yaml", "requests:\n  - GET: <<base>>/text\n")
        .args(["run", "a.yaml", "b.yaml", "--bail", "--var"])
        .arg(format!("base={}", server.url()))
        .run();
    // What --bail did not run is counted, never sent.
    out.code(1)
        .stdout_contains("✗ broken 500")
        .stdout_contains("second (skipped: --bail: an earlier request failed)")
        .stdout_contains("0 passed, 1 failed, 3 skipped");
}

#[test]
fn without_bail_every_request_runs() {
    let server = TestServer::start();
    server
        .expect_hits("/status/500", 1)
        .expect_hits("/echo", 2)
        .expect_hits("/text", 1);
    let out = Baton::new()
        .file("a.yaml", THREE)
        .file("b.yaml", "requests:\n  - GET: <<base>>/text\n")
        .args(["run", "a.yaml", "b.yaml", "--var"])
        .arg(format!("base={}", server.url()))
        .run();
    out.code(1)
        .stdout_contains("b.yaml")
        .stdout_contains("3 passed, 1 failed");
}
