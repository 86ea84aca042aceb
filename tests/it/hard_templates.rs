//! Template functions and filters given a wrong argument: `run`, `check` and `export` each
//! answer with the error and its place (exit 2), never a panic, and a run still writes its
//! report.

use crate::support::{Baton, TestServer, place};

/// One request per wrong call, each with the words its error must hold.
const WRONG_CALLS: &[(&str, &str)] = &[
    ("<<now('%Q')>>", "`%Q` is not a strftime specifier"),
    ("<<now(5)>>", "the format must be text"),
    ("<<base | now('%Y-%')>>", "`%` is not a strftime specifier"),
    ("<<random(0)>>", "from 1 to 4096, found the number 0"),
    ("<<random(99999)>>", "from 1 to 4096"),
    ("<<random('a')>>", "found the text \"a\""),
    ("<<uuid(1)>>", "uuid() takes no arguments, found 1"),
    ("<<base | uuid(1)>>", "the `uuid` filter takes no arguments"),
    ("<<timestamp(1)>>", "timestamp() takes no arguments"),
    (
        "<<now('%s', 'UTC')>>",
        "now(format) takes at most one argument, found 2",
    ),
    (
        "<<base | sha256('x')>>",
        "the `sha256` filter takes no arguments, found 1",
    ),
    (
        "<<obj | base64>>",
        "the `base64` filter takes text, found a mapping",
    ),
    ("<<obj | base64url>>", "the `base64url` filter takes text"),
    (
        "<<list | sha256>>",
        "the `sha256` filter takes text, found a list",
    ),
    (
        "<<obj | sha256_base64url>>",
        "the `sha256_base64url` filter takes text",
    ),
    ("<<'%%' | b64decode>>", "b64decode: not base64"),
    ("<<'abc' | jwt_claims>>", "jwt_claims: not a JWT"),
];

/// Whether a call reads no variable: such a call fails whatever the variables, and is refused
/// when the file loads (by `run` and `check` alike), before any request.
fn literal(call: &str) -> bool {
    !["base", "obj", "list"].iter().any(|v| call.contains(v))
}

fn collection(base: &str, calls: &[&(&str, &str)]) -> String {
    let mut yaml = String::from("vars:\n  obj: { a: 1 }\n  list: [1]\nrequests:\n");
    for (i, (call, _)) in calls.iter().enumerate() {
        yaml.push_str(&format!(
            "  - name: r{i}\n    GET: {base}/echo\n    headers: {{ x: \"{call}\" }}\n"
        ));
    }
    yaml
}

#[test]
fn every_wrong_call_is_an_input_error_with_its_place_and_the_run_writes_its_report() {
    let server = TestServer::start();
    // Calls that read a variable fail as their request renders: the run goes on, says
    // where, and writes its report.
    let at_run: Vec<_> = WRONG_CALLS.iter().filter(|(c, _)| !literal(c)).collect();
    let yaml = collection("<<base>>", &at_run);
    let out = Baton::new()
        .file("c.yaml", &yaml)
        .args(["run", "c.yaml", "--json", "r.json", "--var"])
        .arg(format!("base={}", server.url()))
        .run();
    out.code(2).output_lacks("panicked");
    for (call, message) in &at_run {
        out.stdout_contains(message).stdout_contains(&place(
            "c.yaml",
            &yaml,
            &format!("^\"{call}"),
        ));
    }
    out.stdout_contains(&format!("0 passed, {} failed", at_run.len()));
    let report: serde_json::Value = serde_json::from_str(&out.file("r.json")).unwrap();
    assert_eq!(report["exit_code"], 2);
    // Calls that read no variable are refused when the file loads, each at its place.
    let at_load: Vec<_> = WRONG_CALLS.iter().filter(|(c, _)| literal(c)).collect();
    let yaml = collection("<<base>>", &at_load);
    let out = Baton::new()
        .file("c.yaml", &yaml)
        .args(["run", "c.yaml", "--var"])
        .arg(format!("base={}", server.url()))
        .run();
    out.code(2).output_lacks("panicked");
    for (call, message) in &at_load {
        out.stderr_contains(message)
            .stderr_contains(&format!("invalid call `{}`", &call[2..call.len() - 2]));
    }
    assert_eq!(
        server.total_hits(),
        0,
        "a request with a wrong call is not sent"
    );
}

/// `check` evaluates the calls whose arguments are literals: it finds a bad format or
/// length without sending, once per template, and says which call.
#[test]
fn check_finds_wrong_literal_arguments_without_sending() {
    let server = TestServer::start();
    let yaml = "vars:\n  stamp: <<now('%Y-%Q')>>\nrequests:\n  - GET: <<base>>/echo?n=<<random(5000)>>&s=<<stamp>>\n    headers: { x: <<base | now(\"%s\")>> }\n  - GET: <<base>>/echo?v=<<random(n)>>&t=<<now('%s')>>\n";
    let out = Baton::new()
        .file("c.yaml", yaml)
        .args(["check", "c.yaml", "--var", "n=3", "--var"])
        .arg(format!("base={}", server.url()))
        .run();
    out.code(2)
        .stderr_contains(&place("c.yaml", yaml, "<<now('%Y-%Q')>>"))
        .stderr_contains("`%Q` is not a strftime specifier")
        .stderr_contains("invalid call `now('%Y-%Q')`")
        .stderr_contains(&place("c.yaml", yaml, "<<base>>/echo?n="))
        .stderr_contains("invalid call `random(5000)`")
        .stderr_contains("2 errors in c.yaml")
        .output_lacks("panicked");
    assert_eq!(server.total_hits(), 0);
}

#[test]
fn export_of_a_request_with_a_wrong_call_is_an_error_not_a_panic() {
    Baton::new()
        .file(
            "c.yaml",
            "requests:\n  - name: stamped\n    GET: http://127.0.0.1:9/?t=<<now('%Q')>>\n",
        )
        .args(["export", "c.yaml", "--request", "stamped", "--as", "curl"])
        .run()
        .code(2)
        .stderr_contains("c.yaml:3")
        .stderr_contains("`%Q` is not a strftime specifier")
        .output_lacks("panicked");
}
