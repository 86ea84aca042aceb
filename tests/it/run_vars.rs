//! Variables: precedence (collection < environment < --var < capture), `.env` beside the
//! collection, `<<env.X>>` from the process, and an undefined variable as invalid input.

use crate::support::{Baton, TestServer, place, run_yaml};

const LAYERS: &str = r#"name: layers
vars: { a: collection, b: collection, c: collection, d: collection, url: "<<base>>/echo" }
requests:
  - name: capture d
    GET: <<url>>?d=capture
    capture: { d: $.query.d }
  - name: every layer
    POST: <<url>>
    json: { a: <<a>>, b: <<b>>, c: <<c>>, d: <<d>> }
    expect:
      body: { $.json: { eq: { a: collection, b: env, c: cli, d: capture } } }
"#;

#[test]
fn collection_then_environment_then_var_then_capture() {
    let server = TestServer::start();
    server.expect_hits("/echo", 2);
    let out = Baton::new()
        .file("c.yaml", LAYERS)
        .file(
            "environments/dev.yaml",
            "vars: { b: env, c: env, d: env }\n",
        )
        .args([
            "run", "c.yaml", "-e", "dev", "--var", "c=cli", "--var", "d=cli", "--var",
        ])
        .arg(format!("base={}", server.url()))
        .run();
    out.code(0).stdout_contains("2 passed, 0 failed");
}

#[test]
fn a_later_environment_wins_and_a_path_works_as_well_as_a_name() {
    let server = TestServer::start();
    let yaml = r"vars: { a: collection }
requests:
  - POST: <<base>>/echo
    json: { a: <<a>>, b: <<b>> }
    expect:
      body: { $.json.a: second, $.json.b: first }
";
    let out = Baton::new()
        .file("c.yaml", yaml)
        .file("environments/first.yaml", "vars: { a: first, b: first }\n")
        .file("elsewhere/second.yaml", "vars: { a: second }\n")
        .args([
            "run",
            "c.yaml",
            "-e",
            "first",
            "-e",
            "elsewhere/second.yaml",
            "--var",
        ])
        .arg(format!("base={}", server.url()))
        .run();
    out.code(0).stdout_contains("1 passed, 0 failed");
}

#[test]
fn dotenv_beside_the_collection_and_the_process_environment() {
    let server = TestServer::start();
    let yaml = r"requests:
  - POST: <<base>>/echo
    json: { dotenv: <<env.DOTENV_ONLY>>, both: <<env.BOTH_SET>>, process: <<env.PROCESS_ONLY>> }
    expect:
      body: { $.json: { eq: { dotenv: from-dotenv, both: from-process, process: from-process } } }
";
    let out = Baton::new()
        .file("api/c.yaml", yaml)
        .file(
            "api/.env",
            "DOTENV_ONLY=from-dotenv\nBOTH_SET=from-dotenv\n",
        )
        .env("BOTH_SET", "from-process")
        .env("PROCESS_ONLY", "from-process")
        .args(["run", "api/c.yaml", "--var"])
        .arg(format!("base={}", server.url()))
        .run();
    out.code(0).stdout_contains("1 passed, 0 failed");
}

#[test]
fn an_unset_environment_variable_is_invalid_input() {
    let server = TestServer::start();
    let yaml =
        "requests:\n  - name: reads env\n    GET: <<base>>/echo?k=<<env.SURELY_NOT_SET_X>>\n";
    run_yaml(&server.url(), yaml)
        .run()
        .code(2)
        .stdout_contains("✗ reads env")
        .stdout_contains("environment variable `SURELY_NOT_SET_X` is not set")
        .stdout_contains(&place("c.yaml", yaml, "GET: ^<<base>>"))
        .stdout_contains("export SURELY_NOT_SET_X=");
    assert_eq!(server.total_hits(), 0);
}

#[test]
fn an_undefined_variable_names_itself_the_request_and_the_line() {
    let server = TestServer::start();
    server.expect_hits("/echo", 2);
    let yaml = r#"requests:
  - name: fine
    GET: <<base>>/echo
  - name: uses an undefined variable
    GET: <<base>>/echo
    headers: { x-a: "<<nope>>" }
  - name: after
    GET: <<base>>/echo
"#;
    run_yaml(&server.url(), yaml)
        .run()
        .code(2)
        .stdout_contains("✗ uses an undefined variable")
        .stdout_contains("undefined variable `nope`")
        .stdout_contains(&place("c.yaml", yaml, "x-a: ^\"<<nope>>\""))
        .stdout_contains("define `nope` in the collection's `vars`")
        .stdout_contains("2 passed, 1 failed");
}

#[test]
fn a_misspelt_variable_gets_a_suggestion() {
    let server = TestServer::start();
    let yaml = "vars: { baseAuthURL: x }\nrequests:\n  - GET: <<base>>/echo?u=<<baseAuthUrl>>\n";
    run_yaml(&server.url(), yaml)
        .run()
        .code(2)
        .stdout_contains("undefined variable `baseAuthUrl`")
        .stdout_contains("did you mean `baseAuthURL`?");
    assert_eq!(server.total_hits(), 0);
}

/// A variable whose own template reads something undefined is reported where it is
/// defined, when a request uses it.
#[test]
fn a_variable_built_on_an_undefined_one() {
    let server = TestServer::start();
    let yaml = "vars:\n  unused: <<missing_a>>\n  url: <<base>>/<<missing_b>>\nrequests:\n  - name: uses url\n    GET: <<url>>\n";
    run_yaml(&server.url(), yaml)
        .run()
        .code(2)
        .stdout_contains("undefined variable `missing_b`")
        .stdout_contains(&place("c.yaml", yaml, "url: ^<<base>>"))
        .stdout_contains("while reading variable `url`")
        .output_lacks("missing_a");
    assert_eq!(server.total_hits(), 0);
}

/// A lone `<<nope>>` in a JSON body keeps its value's type; undefined is not `null`.
#[test]
fn an_undefined_variable_alone_in_json_is_invalid_input() {
    let server = TestServer::start();
    let yaml = "requests:\n  - name: posts json\n    POST: <<base>>/echo\n    json: { a: 1, b: <<nope>> }\n";
    run_yaml(&server.url(), yaml)
        .run()
        .code(2)
        .stdout_contains("undefined variable `nope`")
        .stdout_contains(&place("c.yaml", yaml, "b: ^<<nope>>"));
    assert_eq!(server.total_hits(), 0);
}

/// An undefined variable in an expected value is a mistake in the collection, not a
/// response that failed to match.
#[test]
fn an_undefined_variable_in_an_expectation_is_invalid_input() {
    let server = TestServer::start();
    let yaml = "requests:\n  - name: checks\n    GET: <<base>>/echo\n    expect: { body: { $.path: <<nope>> } }\n";
    run_yaml(&server.url(), yaml)
        .run()
        .code(2)
        .stdout_contains("✗ checks")
        .stdout_contains("undefined variable `nope`")
        .stdout_contains(&place("c.yaml", yaml, "$.path: ^<<nope>>"))
        .output_lacks("expectation failed");
}

/// Unless the variable was to come from a capture that failed: that failure is the news.
#[test]
fn an_expectation_reading_a_failed_capture_fails_with_the_capture() {
    let server = TestServer::start();
    let yaml = "requests:\n  - GET: <<base>>/echo\n    capture: { p: $.nope }\n  - GET: <<base>>/echo\n    expect: { body: { $.path: <<p>> } }\n";
    run_yaml(&server.url(), yaml)
        .run()
        .code(1)
        .stdout_contains("capture `p` failed")
        .stdout_contains("0 passed, 2 failed");
}
