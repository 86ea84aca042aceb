//! `--output DIR` (every response body saved as DIR/<file>/<NN>-<request>.<ext>) and a
//! request's own `save_body: path`: names, extensions, data rows, retries, bodies as sent.

use crate::support::{Baton, TestServer};

#[test]
fn output_saves_every_body_under_its_file_and_request() {
    let server = TestServer::start();
    let yaml = r"requests:
  - name: Echo it!
    POST: <<base>>/echo
    headers: { authorization: Bearer s3cret-token }
    json: { a: 1 }
  - name: plain text
    GET: <<base>>/text
  - name: not found is saved too
    GET: <<base>>/nowhere
    expect: { status: 404 }
";
    let out = Baton::new()
        .file("api/users.yaml", yaml)
        .args(["run", "api/users.yaml", "--output", "saved", "-v", "--var"])
        .arg(format!("base={}", server.url()))
        .run();
    out.code(0).stdout_contains("3 passed, 0 failed");
    let echoed: serde_json::Value =
        serde_json::from_str(&out.file("saved/api/users/01-echo-it.json")).unwrap();
    // The body as the server sent it: what it echoed of the credential is in clear there,
    // while the console masks it.
    assert_eq!(echoed["headers"]["authorization"], "Bearer s3cret-token");
    assert_eq!(echoed["json"]["a"], 1);
    out.output_lacks("s3cret-token");
    assert_eq!(
        out.file("saved/api/users/02-plain-text.txt"),
        "hello world 42"
    );
    assert_eq!(
        out.file("saved/api/users/03-not-found-is-saved-too.json"),
        r#"{"error":"not found"}"#
    );
}

#[test]
fn data_rows_get_a_file_each_and_a_retry_keeps_the_last_attempt() {
    let server = TestServer::start();
    let yaml = r"requests:
  - name: echo <<who>>
    GET: <<base>>/echo?who=<<who>>
";
    let out = Baton::new()
        .file("c.yaml", yaml)
        .file("rows.csv", "who\nann\nbob\n")
        .args([
            "run", "c.yaml", "--data", "rows.csv", "--output", "o", "--var",
        ])
        .arg(format!("base={}", server.url()))
        .run();
    out.code(0).stdout_contains("2 passed, 0 failed");
    let first: serde_json::Value =
        serde_json::from_str(&out.file("o/c/01-echo-who.iter-1.json")).unwrap();
    let second: serde_json::Value =
        serde_json::from_str(&out.file("o/c/01-echo-who.iter-2.json")).unwrap();
    assert_eq!(first["query"]["who"], "ann");
    assert_eq!(second["query"]["who"], "bob");
}

#[test]
fn save_body_writes_beside_the_collection_and_is_templated() {
    let server = TestServer::start();
    let yaml = r"requests:
  - name: get text
    GET: <<base>>/text
    save_body: out/<<name>>.txt
  - name: expectation fails, body still saved
    GET: <<base>>/echo?x=1
    save_body: out/failed.json
    expect: { status: 201 }
";
    let out = Baton::new()
        .file("suite/c.yaml", yaml)
        .args(["run", "suite/c.yaml", "--var", "name=greeting", "--var"])
        .arg(format!("base={}", server.url()))
        .run();
    out.code(1).stdout_contains("1 passed, 1 failed");
    assert_eq!(out.file("suite/out/greeting.txt"), "hello world 42");
    assert!(out.file("suite/out/failed.json").contains(r#""x":"1""#));
}

#[test]
fn a_body_that_cannot_be_saved_fails_its_request_at_the_key() {
    let server = TestServer::start();
    let yaml = r"requests:
  - name: into a file that is a directory
    GET: <<base>>/text
    save_body: taken
  - name: the run goes on
    GET: <<base>>/text
";
    let out = Baton::new()
        .file("taken/keep", "")
        .file("c.yaml", yaml)
        .args(["run", "c.yaml", "--var"])
        .arg(format!("base={}", server.url()))
        .run();
    out.code(1)
        .stdout_contains("error: cannot save the response body to taken")
        .stdout_contains("c.yaml:4:16")
        .stdout_contains("1 passed, 1 failed");
}

#[test]
fn check_finds_an_undefined_variable_in_save_body() {
    let yaml = "requests:\n  - GET: http://127.0.0.1:9/\n    save_body: out/<<nobody>>.json\n";
    Baton::new()
        .file("c.yaml", yaml)
        .args(["check", "c.yaml"])
        .run()
        .code(2)
        .stderr_contains("nobody")
        .stderr_contains("c.yaml:3:16");
}
