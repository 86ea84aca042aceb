//! Postman's JSON Schema checks imported as `expect: { schema: ... }`: `tv4.validate` in
//! `tests[…]` and in `pm.expect(…).to.be.true`, and `pm.response.to.have.jsonSchema`, with
//! the schema a literal or a name declared over several lines. The imported collection
//! passes and fails where Postman would: tv4's draft 4 (a tuple `items`) and Ajv's draft 7
//! are kept by `$schema`; a schema tv4 let pass but that is not valid is left unconverted
//! with the reason.

use super::import;
use crate::support::{TestServer, redact};

const FIXTURE: &str = "schema-checks.postman_collection.json";

#[test]
fn schema_checks_import_inline() {
    let i = import(FIXTURE, &[]);
    let text = format!(
        "--- stdout\n{}--- stderr\n{}=== schema-checks.yaml\n{}",
        redact(&i.out.stdout),
        redact(&i.out.stderr),
        i.file("schema-checks.yaml")
    );
    insta::assert_snapshot!("postman_schema_checks", text);
    i.out.stderr_contains(
        "its schema is not valid (it is not a valid JSON Schema: at /properties/id/required",
    );
}

#[test]
fn imported_schema_checks_pass_and_fail_as_in_postman() {
    let i = import(FIXTURE, &[]);
    i.baton(&["check", "--var", "baseUrl=http://x", "--var", "id=1"])
        .run()
        .code(0);
    let server = TestServer::start();
    let base = format!("baseUrl={}", server.url());
    // The body matches every schema (its second tag, a number, is past draft 4's tuple).
    i.baton(&["run", "--no-progress", "--var", &base, "--var", "id=1"])
        .run()
        .code(0)
        .stdout_contains("4 passed, 0 failed");
    // An id below the minimum: only the jsonSchema check says anything about it.
    i.baton(&["run", "--no-progress", "--var", &base, "--var", "id=0"])
        .run()
        .code(1)
        .stdout_contains("3 passed, 1 failed")
        .stdout_contains("/json/id to satisfy `minimum` (must be >=1, but got 0)");
    // An id that is a string: both schemas that type it fail.
    i.baton(&[
        "run",
        "--no-progress",
        "--var",
        &base,
        "--var",
        "id=\"one\"",
    ])
    .run()
    .code(1)
    .stdout_contains("2 passed, 2 failed")
    .stdout_contains("/json/id to satisfy `type` (want integer, but got string)");
}
