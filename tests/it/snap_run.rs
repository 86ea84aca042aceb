//! Pins the console of `baton run` as users read it: a passing run of every example against
//! the sandbox, a failing run, and the `-v` transcripts of both (the oauth2 flows with their
//! hops, secrets as `•••`). Ports, durations, dates, JWTs and the flows' random values go
//! through `redact`.

use crate::support::{Baton, examples};

/// A run with one of each outcome against the sandbox: an oauth2 request that passes, a
/// request whose expectation and capture fail on a real response, and one skipped.
pub(crate) const FAILING: &str = r"name: A run that fails
requests:
  - name: get a token
    id: cc
    oauth2:
      grant: client_credentials
      issuer: <<baseAuthURL>>
      client_id: <<ClientId>>
      client_secret: <<ClientSecret>>
      scope: api
  - name: expect the wrong scope
    POST: <<baseAuthURL>>/connect/introspect
    auth: { basic: [<<ClientId>>, <<ClientSecret>>] }
    form: { token: <<cc.access_token>> }
    expect:
      status: 200
      headers: { content-type: { contains: text/html } }
      body:
        $.active: true
        $.scope: admin
    capture:
      owner: $.owner
  - name: skipped on purpose
    skip: true
    GET: <<baseAuthURL>>/connect/userinfo
";

/// `baton run ARGS --sandbox` on the failing collection, as `fail.yaml`.
pub(crate) fn failing(args: &[&str]) -> Baton {
    Baton::new()
        .file("fail.yaml", FAILING)
        .args(["run", "fail.yaml", "--sandbox"])
        .args(args)
}

#[test]
fn console_of_every_example_passing() {
    let out = examples().args(["run", "collections", "--sandbox"]).run();
    out.code(0).stderr_is("");
    insta::assert_snapshot!(out.stdout_redacted());
}

#[test]
fn console_of_a_failing_run() {
    let out = failing(&[]).run();
    out.code(1).stderr_is("");
    insta::assert_snapshot!(out.stdout_redacted());
}

/// `--bail` stops at the failure: the skipped rest and its reason are part of the console.
#[test]
fn console_of_a_failing_run_with_bail() {
    let out = failing(&["--bail"]).run();
    out.code(1).stderr_is("");
    insta::assert_snapshot!(out.stdout_redacted());
}

/// Every hop of the authorization code flow (discovery, authorize, token, JWKS), then the
/// requests that use its tokens: the transcript a user reads to debug a flow.
#[test]
fn verbose_transcript_of_the_oauth2_flows() {
    let out = examples()
        .args(["run", "collections/oauth2-requests.yaml", "--sandbox", "-v"])
        .run();
    out.code(0)
        .stderr_is("")
        .output_lacks("sandbox-secret")
        .output_lacks("wonderland");
    insta::assert_snapshot!(out.stdout_redacted());
}

#[test]
fn verbose_transcript_of_a_failing_run() {
    let out = failing(&["-v"]).run();
    out.code(1).stderr_is("");
    insta::assert_snapshot!(out.stdout_redacted());
}

/// The headless sign-in through the login form and the consent page, hop by hop.
#[test]
fn verbose_transcript_of_a_headless_sign_in() {
    let out = examples()
        .args([
            "run",
            "collections/headless-sign-in.yaml",
            "--sandbox",
            "-v",
        ])
        .run();
    out.code(0).stderr_is("").output_lacks("wonderland");
    insta::assert_snapshot!(out.stdout_redacted());
}

/// On GitHub Actions a failure is also a `::error file=…,line=…::` annotation: the line
/// format the Actions UI parses.
#[test]
fn console_of_a_failing_run_on_github_actions() {
    let out = failing(&[]).env("GITHUB_ACTIONS", "true").run();
    out.code(1);
    insta::assert_snapshot!(format!(
        "--- stdout\n{}--- stderr\n{}",
        out.stdout_redacted(),
        out.stderr_redacted()
    ));
}

/// `--iterations`: each pass of a file under a header of its own.
#[test]
fn console_of_iterations() {
    let out = examples()
        .args(["run", "collections/client-credentials.yaml", "--sandbox"])
        .args(["--iterations", "2"])
        .run();
    out.code(0).stderr_is("");
    insta::assert_snapshot!(out.stdout_redacted());
}

/// FAPI 2.0's headless flow, hop by hop: the push, the authorize request with only
/// `client_id` and `request_uri`, the code exchange with its DPoP proof refused once for a
/// nonce and sent again with it, userinfo with `Authorization: DPoP` and its proof.
#[test]
fn verbose_transcript_of_the_fapi2_flow() {
    let out = examples()
        .args(["run", "collections/fapi2.yaml", "--sandbox", "-v"])
        .run();
    out.code(0).stderr_is("");
    insta::assert_snapshot!(out.stdout_redacted());
}
