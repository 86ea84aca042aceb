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

/// Postman's runner is the reference: each schema check passes and fails in newman and in
/// the imported collection alike (tv4's draft 4 tuple `items`, Ajv's `minimum`).
#[test]
fn schema_checks_pass_and_fail_where_newman_s_do() {
    use super::newman::{Case, baton_results, collection, newman, unavailable};
    use serde_json::json;
    if let Some(why) = unavailable() {
        assert!(
            std::env::var_os("CI").is_none(),
            "newman is unavailable under CI: {why}"
        );
        eprintln!("skipped: newman unavailable ({why})");
        return;
    }
    let cases = vec![
        Case {
            name: "tv4 in tests[] with a schema over lines",
            tests: &[
                "var schema = {",
                "    type: 'object',",
                "    properties: { json: { required: ['id'], properties: { id: { type: 'integer' } } } }",
                "};",
                "tests['valid'] = tv4.validate(pm.response.json(), schema);",
            ],
            good: json!({ "id": 7 }),
            bad: json!({ "id": "7" }),
        },
        Case {
            name: "tv4 in pm.expect, draft 4 tuple items",
            tests: &[
                "pm.test('schema', function () {",
                "    pm.expect(tv4.validate(pm.response.json(), { properties: { json: { properties: { tags: { items: [{ type: 'string' }] } } } } })).to.be.true;",
                "});",
            ],
            good: json!({ "tags": ["a", 1] }),
            bad: json!({ "tags": [1, "a"] }),
        },
        Case {
            name: "jsonSchema",
            tests: &[
                "const schema = { properties: { json: { properties: { n: { type: 'integer', minimum: 1 } } } } };",
                "pm.test('schema', () => { pm.response.to.have.jsonSchema(schema); });",
            ],
            good: json!({ "n": 1 }),
            bad: json!({ "n": 0 }),
        },
    ];
    let text = collection(&cases);
    let i = super::import_with("c.json", &[], &[("c.json", &text)]);
    assert!(!i.out.stderr.contains("not converted"), "{}", i.out.stderr);
    let server = TestServer::start();
    let base = server.url();
    let theirs = newman(
        &i.dir.path().join("c.json"),
        &base,
        &i.dir.path().join("newman.json"),
    );
    let report = i.dir.path().join("baton.json");
    crate::support::Baton::new()
        .arg("run")
        .arg(i.path())
        .args([
            "--no-progress",
            "--var",
            &format!("baseUrl={base}"),
            "--json",
        ])
        .arg(&report)
        .run();
    let ours = baton_results(&report);
    assert_eq!(theirs.len(), cases.len() * 2, "{theirs:?}");
    for (name, passed) in &theirs {
        assert_eq!(*passed, name.ends_with("(good)"), "newman on {name}");
    }
    assert_eq!(ours, theirs, "baton (left) and newman (right) disagree");
}

/// A schema declared over lines whose check is not converted stays with it, warned whole:
/// the warned check must not lose the schema it names.
#[test]
fn a_schema_over_lines_is_warned_with_the_check_that_is_not_converted() {
    let c = serde_json::json!({
        "info": { "name": "U", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json" },
        "item": [{
            "name": "r",
            "event": [{ "listen": "test", "script": { "type": "text/javascript", "exec": [
                "var schema = {",
                "    properties: { id: { type: 'integer', required: true } }",
                "};",
                "tests['v'] = tv4.validate(pm.response.json(), schema);"
            ] } }],
            "request": { "method": "GET", "url": { "raw": "http://127.0.0.1:9/y" } }
        }]
    });
    let i = super::import_with("c.json", &[], &[("c.json", &c.to_string())]);
    i.out
        .stdout_contains("test 4 lines: 0 converted, 4 warned")
        .stderr_contains("lines 1-4: not converted: `var schema = {`");
    assert!(i.file("u.yaml").contains("  #   1: var schema = {\n"));
}
