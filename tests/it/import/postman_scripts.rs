//! Postman test scripts as real exports write them, converted: a `try` whose `catch` only
//! logs, branches that only log, a 2xx status guard, legacy `tests[…]` lines, chai chains;
//! what is converted passes on a good response and fails on a bad one, and what is not
//! converted is warned at its own line numbers (blank lines count).

use super::import;
use crate::support::{TestServer, redact};

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
    // The forEach stands on lines 45-47 of the script, after blank lines (`""` in `exec`).
    let i = import(FIXTURE, &[]);
    i.out.stderr_contains(
        "request 'user': test script, lines 45-47: not converted: `pm.response.json().json.items.forEach(function (item) {` …",
    );
    assert!(
        i.file("script-shapes.yaml")
            .contains("  #   45: pm.response.json().json.items.forEach(function (item) {\n"),
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
    // A name that does not start with A, and a status that is not an error.
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
        .output_contains("expectation failed: status");
}
