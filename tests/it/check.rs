//! `baton check`: load, validate and resolve variables, send nothing. Every undefined
//! variable is reported, not only the first; a capture of an earlier request counts as a
//! definition, one of a later request is pointed out.

use crate::support::{Baton, Output, TestServer, place, redact};

fn check(server: &TestServer, files: &[(&str, &str)], extra: &[&str]) -> Output {
    let mut baton = Baton::new();
    for (path, text) in files {
        baton = baton.file(path, text);
    }
    baton
        .arg("check")
        .args(
            files
                .iter()
                .map(|(p, _)| *p)
                .filter(|p| !p.starts_with("environments/")),
        )
        .args(extra)
        .arg("--var")
        .arg(format!("base={}", server.url()))
        .run()
}

const UNDEFINED: &str = r"name: undefined
vars: { ClientId: app }
requests:
  - name: sign in
    POST: <<base>>/token
    form: { client_id: <<ClientId>>, client_secret: <<ClientSecret>>, username: <<user>> }
    capture: { access_token: $.access_token }
  - name: me
    GET: <<base>>/me
    auth: { bearer: <<access_token>> }
    headers: { x-id: <<clientId>> }
  - name: uses a token captured later
    GET: <<base>>/echo?r=<<refresh_token>>
  - name: refresh
    POST: <<base>>/token
    form: { grant_type: refresh_token }
    capture: { refresh_token: $.refresh_token }
    expect:
      body: { $.scope: <<expected_scope>> }
";

#[test]
fn reports_every_undefined_variable_and_sends_nothing() {
    let server = TestServer::start();
    let out = check(&server, &[("c.yaml", UNDEFINED)], &[]);
    out.code(2)
        .stderr_contains("undefined variable `ClientSecret` in request 'sign in'")
        .stderr_contains(&place(
            "c.yaml",
            UNDEFINED,
            "client_secret: ^<<ClientSecret>>",
        ))
        .stderr_contains("undefined variable `user` in request 'sign in'")
        .stderr_contains("undefined variable `clientId` in request 'me'")
        .stderr_contains("did you mean `ClientId`?")
        .stderr_contains(
            "undefined variable `refresh_token` in request 'uses a token captured later'",
        )
        .stderr_contains(
            "`refresh_token` is captured by a later request, 'refresh': move this request after it",
        )
        .stderr_contains("undefined variable `expected_scope` in request 'refresh'")
        .stderr_contains("5 errors in c.yaml")
        // Captured by an earlier request: defined.
        .output_lacks("`access_token`");
    assert_eq!(server.total_hits(), 0);
}

#[test]
fn a_complete_collection_passes_and_sends_nothing() {
    let server = TestServer::start();
    let env = "vars: { ClientSecret: app-secret }\nsecrets: [ClientSecret]\n";
    let out = check(
        &server,
        &[
            ("c.yaml", crate::run_flow::REFRESH_FLOW),
            ("environments/dev.yaml", env),
        ],
        &["-e", "dev"],
    );
    out.code(0)
        .stdout_contains("ok: 1 file, 6 requests, every variable defined");
    assert_eq!(server.total_hits(), 0);
}

#[test]
fn variables_from_the_environment_and_process_count() {
    let server = TestServer::start();
    let yaml = "requests:\n  - GET: <<base>>/echo?a=<<from_env>>&b=<<env.CHECK_PROC>>&c=<<env.CHECK_MISSING>>\n";
    let mut baton = Baton::new()
        .file("c.yaml", yaml)
        .file("environments/dev.yaml", "vars: { from_env: 1 }\n");
    baton = baton
        .env("CHECK_PROC", "x")
        .args(["check", "c.yaml", "-e", "dev", "--var"])
        .arg(format!("base={}", server.url()));
    baton
        .run()
        .code(2)
        .stderr_contains("environment variable `CHECK_MISSING` is not set")
        .stderr_contains("1 error in c.yaml")
        .output_lacks("`from_env`")
        .output_lacks("`CHECK_PROC`");
    assert_eq!(server.total_hits(), 0);
}

/// As at run time: captures are made before expectations, so an expectation may read
/// what its own request captured, but the request itself cannot send it.
#[test]
fn a_request_s_own_capture_is_defined_for_its_expectations_only() {
    let server = TestServer::start();
    let fine = "requests:\n  - POST: <<base>>/echo\n    json: { a: 1, b: 1 }\n    capture: { a: $.json.a }\n    expect: { body: { $.json.b: <<a>> } }\n";
    check(&server, &[("c.yaml", fine)], &[])
        .code(0)
        .stdout_contains("every variable defined");
    let early = "requests:\n  - name: sends its own capture\n    GET: <<base>>/echo?a=<<a>>\n    capture: { a: $.query.a }\n";
    check(&server, &[("c.yaml", early)], &[])
        .code(2)
        .stderr_contains("undefined variable `a` in request 'sends its own capture'")
        .stderr_contains("`a` is captured by this request, from its response");
    assert_eq!(server.total_hits(), 0);
}

#[test]
fn check_reports_load_errors_of_every_file() {
    let server = TestServer::start();
    let out = check(
        &server,
        &[
            ("a.yaml", "requests:\n  - methd: GET\n    url: <<base>>\n"),
            (
                "b.yaml",
                "requests:\n  - GET: <<base>>\n    expect: { status: 6xx }\n",
            ),
        ],
        &[],
    );
    out.code(2)
        .stderr_contains("a.yaml:2:5")
        .stderr_contains("unknown key 'methd'")
        .stderr_contains("b.yaml:3:23")
        .stderr_contains("invalid status");
    assert_eq!(server.total_hits(), 0);
}

#[test]
fn check_output_snapshot() {
    let server = TestServer::start();
    let out = check(&server, &[("c.yaml", UNDEFINED)], &[]);
    out.code(2);
    insta::assert_snapshot!(redact(&out.stderr));
}
