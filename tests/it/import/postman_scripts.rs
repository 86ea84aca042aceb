//! Postman test scripts as real exports write them, converted: a `try` whose `catch` only
//! logs, branches that only log, a 2xx status guard, legacy `tests[…]` lines, chai chains;
//! what is converted passes on a good response and fails on a bad one, and what is not
//! converted is warned at its own line numbers (blank lines count).

use super::{import, import_with};
use crate::support::{TestServer, redact};
use serde_json::json;

const FIXTURE: &str = "scripts-shapes.postman_collection.json";

#[test]
fn script_shapes_import_as_expectations_and_captures() {
    let i = import(FIXTURE, &[]);
    let text = format!(
        "--- stdout\n{}--- stderr\n{}=== script-shapes.yaml\n{}",
        redact(&i.out.stdout),
        redact(&i.out.stderr),
        i.file("script-shapes.yaml")
    );
    insta::assert_snapshot!("postman_scripts_shapes", text);
}

#[test]
fn warned_line_numbers_count_blank_lines() {
    // The `if` stands on lines 56-58 of the script, after blank lines (`""` in `exec`).
    let i = import(FIXTURE, &[]);
    i.out.stderr_contains(
        "request 'user': test script, lines 56-58: not converted: `if (pm.response.json().json.count > 1) {` …",
    );
    assert!(
        i.file("script-shapes.yaml")
            .contains("  #   56: if (pm.response.json().json.count > 1) {\n"),
        "{}",
        i.file("script-shapes.yaml")
    );
}

#[test]
fn converted_checks_pass_on_a_good_response_and_fail_on_a_bad_one() {
    let i = import(FIXTURE, &[]);
    i.baton(&["check"]).run().code(0);
    let server = TestServer::start();
    let base = format!("baseUrl={}", server.url());
    i.baton(&["run", "--no-progress", "--var", &base])
        .run()
        .code(0)
        .stdout_contains("2 passed, 0 failed");
    // A name that does not start with A (nor is Ada, in each item), and a status that is not
    // an error.
    let bad = i
        .baton(&[
            "run",
            "--no-progress",
            "--var",
            &base,
            "--var",
            "name=Bob",
            "--var",
            "code=200",
        ])
        .run();
    bad.code(1).stdout_contains("0 passed, 2 failed");
    bad.output_contains("$.json.user.name")
        .output_contains("$.json.items[?@.name != 'Ada']")
        .output_contains("expectation failed: status");
}

#[test]
fn a_script_nested_beyond_reason_is_one_warning_not_a_crash() {
    // Thousands of nested blocks: read as one block not converted, without recursing into it.
    let mut exec: Vec<String> = vec!["if (a) {".to_string(); 2000];
    exec.push("pm.response.to.have.status(200);".into());
    exec.extend(vec!["}".to_string(); 2000]);
    let c = json!({
        "info": {
            "name": "Deep",
            "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"
        },
        "item": [{
            "name": "deep",
            "event": [{ "listen": "test", "script": { "exec": exec } }],
            "request": { "method": "GET", "url": "http://127.0.0.1:9/" }
        }]
    })
    .to_string();
    let i = import_with("deep.json", &[], &[("deep.json", &c)]);
    i.out
        .stderr_contains("request 'deep': test script, lines 1-4001: not converted: `if (a) {` …");
    assert!(!i.file("deep.yaml").contains("expect:"));
}
