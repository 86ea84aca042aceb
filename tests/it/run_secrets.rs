//! Secrets never reach the output: not as written, not base64-encoded inside a Basic
//! header, not URL-encoded in a query or form, not even when `/echo` reflects them back
//! and `-v` prints every exchange. `--show-secrets` shows them.

use base64::Engine as _;

use crate::support::{Baton, Output, TestServer};

/// Characters that change under every encoding: `/`, `+`, `:` and a space.
const MAGIC: &str = "Xyzzy/Plugh+42 x";
const DECLARED: &str = "Declared/in collection+1";
const PASSWORD: &str = "wonder land/42+";
const CLIENT_SECRET: &str = "s3cr3t:client/+=";

const COLLECTION: &str = r#"name: secrets
vars:
  password: wonder land/42+
  declared: Declared/in collection+1
  ClientId: app
requests:
  - name: reflect the secrets
    POST: <<base>>/echo
    query: { m: <<magic>>, d: <<declared>> }
    headers: { x-echo-magic: <<magic>>, x-note: "pw <<password>>" }
    auth: { basic: [<<ClientId>>, <<ClientSecret>>] }
    form: { username: alice, password: <<password>>, note: <<magic>>, both: "<<magic>>-<<password>>-<<declared>>" }
    expect:
      body:
        $.form.password: <<password>>
        $.headers['x-echo-magic']: <<magic>>
    capture: { reflected: $.query.m }
  - name: a failure quotes what it expected
    POST: <<base>>/echo
    json: { m: <<reflected>>, p: <<password>>, d: <<declared>> }
    expect:
      body:
        $.json.p: { ne: <<password>> }
        $.json.m: { eq: nope, ne: <<magic>> }
"#;

const ENVIRONMENT: &str = r"vars:
  magic: Xyzzy/Plugh+42 x
  ClientSecret: s3cr3t:client/+=
secrets: [magic, declared]
";

fn run(server: &TestServer, extra: &[&str]) -> Output {
    Baton::new()
        .file("c.yaml", COLLECTION)
        .file("environments/dev.yaml", ENVIRONMENT)
        .args(["run", "c.yaml", "-e", "dev", "-v", "--var"])
        .arg(format!("base={}", server.url()))
        .args(extra)
        .run()
}

/// Every form a secret travels in.
fn forms() -> Vec<String> {
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    let form = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    let mut out = Vec::new();
    for secret in [MAGIC, DECLARED, PASSWORD, CLIENT_SECRET] {
        out.push(secret.to_owned());
        out.push(form(secret));
        out.push(form(secret).replace('+', "%20"));
    }
    out.push(b64(&format!("app:{CLIENT_SECRET}")));
    out
}

#[test]
fn secrets_are_masked_in_verbose_output_and_failures() {
    let server = TestServer::start();
    let out = run(&server, &[]);
    out.code(1)
        .stdout_contains("✓ reflect the secrets")
        .stdout_contains("authorization: Basic •••")
        .stdout_contains("expected: not \"•••\"")
        .stdout_contains("1 passed, 1 failed");
    for form in forms() {
        let count = out.stdout.matches(&form).count() + out.stderr.matches(&form).count();
        assert_eq!(count, 0, "{form:?} appears {count} times\n{}", out.stdout);
    }
    assert_eq!(server.hits("/echo"), 2);
}

#[test]
fn show_secrets_shows_them() {
    let server = TestServer::start();
    let out = run(&server, &["--show-secrets"]);
    out.code(1);
    let b64 = base64::engine::general_purpose::STANDARD.encode(format!("app:{CLIENT_SECRET}"));
    out.stdout_contains(MAGIC)
        .stdout_contains(PASSWORD)
        .stdout_contains(DECLARED)
        .stdout_contains(&format!("authorization: Basic {b64}"))
        .stdout_contains(
            &url::form_urlencoded::byte_serialize(PASSWORD.as_bytes()).collect::<String>(),
        )
        .output_lacks("•••");
}

/// Every output baton has, in one run and around it: the console with `-v`, JUnit, JSON,
/// HTML, GitHub annotations, NDJSON events, an exported snippet, and an error message that
/// quotes a failing template. None holds a secret in any of its forms.
#[test]
fn no_output_of_any_kind_holds_a_secret() {
    let server = TestServer::start();
    let out = Baton::new()
        .file("c.yaml", COLLECTION)
        .file("environments/dev.yaml", ENVIRONMENT)
        .env("GITHUB_ACTIONS", "true")
        .args([
            "run", "c.yaml", "-e", "dev", "-v", "--junit", "r.xml", "--json", "r.json", "--html",
            "r.html", "--var",
        ])
        .arg(format!("base={}", server.url()))
        .run();
    out.code(1);
    let mut outputs = vec![("console", format!("{}{}", out.stdout, out.stderr))];
    for f in ["r.xml", "r.json", "r.html"] {
        outputs.push((f, out.file(f)));
    }
    assert!(
        outputs[0].1.contains("::error "),
        "annotations were printed"
    );
    let ndjson = Baton::new()
        .file("c.yaml", COLLECTION)
        .file("environments/dev.yaml", ENVIRONMENT)
        .args(["run", "c.yaml", "-e", "dev", "-v", "--json", "-", "--var"])
        .arg(format!("base={}", server.url()))
        .run();
    outputs.push(("ndjson", format!("{}{}", ndjson.stdout, ndjson.stderr)));
    let export = Baton::new()
        .file("c.yaml", COLLECTION)
        .file("environments/dev.yaml", ENVIRONMENT)
        .args([
            "export",
            "c.yaml",
            "--request",
            "reflect the secrets",
            "--as",
            "curl",
            "-e",
            "dev",
            "--var",
        ])
        .arg(format!("base={}", server.url()))
        .run();
    export.code(0);
    outputs.push(("export", export.stdout.clone()));
    let broken = COLLECTION.replace("note: <<magic>>", "note: <<magic | nosuchfilter>>");
    let error = Baton::new()
        .file("c.yaml", broken)
        .file("environments/dev.yaml", ENVIRONMENT)
        .args(["run", "c.yaml", "-e", "dev", "--var"])
        .arg(format!("base={}", server.url()))
        .run();
    outputs.push(("error", format!("{}{}", error.stdout, error.stderr)));
    for (name, text) in &outputs {
        assert!(!text.is_empty(), "{name} is empty");
        for secret in forms() {
            assert!(
                !text.contains(&secret),
                "{name} holds the secret form {secret:?}:\n{text}"
            );
        }
    }
}
