//! `expect: { schema: ... }` against real responses: a schema file (2020-12 and draft 7,
//! `$ref`s within it and to a file beside it) and an inline schema hold and fail, a failure
//! names the JSON pointer, the keyword and the value at the `schema` key, and a body that
//! is not JSON fails clearly. Also `jwt:` lifetime bounds (`expires_in_at_most`).

use crate::support::{Baton, TestServer, place, redact, run_yaml};

/// The token response of `/token` (password grant), described in 2020-12 with a `$ref`
/// into a file beside it.
const TOKEN_SCHEMA: &str = r#"{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "type": "object",
  "required": ["access_token", "token_type", "expires_in"],
  "properties": {
    "access_token": { "type": "string", "minLength": 1 },
    "token_type": { "const": "Bearer" },
    "expires_in": { "$ref": "defs.json#/$defs/seconds" },
    "scope": { "type": "string" }
  }
}"#;

const DEFS: &str = r#"{ "$defs": { "seconds": { "type": "integer", "minimum": 1 } } }"#;

/// What `/echo` answers for `json: { n: 5, s: hello, list: [1, 2, 3] }`, in draft 7 with
/// a `$ref` within the document.
const ECHO_DRAFT7: &str = r##"{
  "$schema": "http://json-schema.org/draft-07/schema#",
  "definitions": { "small": { "type": "integer", "maximum": 10 } },
  "type": "object",
  "required": ["json"],
  "properties": {
    "json": {
      "type": "object",
      "properties": {
        "n": { "$ref": "#/definitions/small" },
        "list": { "type": "array", "items": [{ "const": 1 }] }
      }
    }
  }
}"##;

const TOKEN_FORM: &str = "form: { grant_type: password, username: alice, password: wonderland, client_id: app, client_secret: app-secret }";

/// `b` with the schemas in `dir/schemas/` (`dir` holding the collection).
fn with_schemas(b: Baton, dir: &str) -> Baton {
    b.file(format!("{dir}schemas/token.json"), TOKEN_SCHEMA)
        .file(format!("{dir}schemas/defs.json"), DEFS)
        .file(format!("{dir}schemas/echo.json"), ECHO_DRAFT7)
}

#[test]
fn schemas_hold_for_matching_bodies() {
    let server = TestServer::start();
    let yaml = format!(
        r#"requests:
  - name: a token response, 2020-12 with a file $ref
    POST: <<base>>/token
    {TOKEN_FORM}
    expect: {{ schema: schemas/token.json }}
  - name: draft 7 with a local $ref
    POST: <<base>>/echo
    json: {{ n: 5, list: [1, 2, 3] }}
    expect: {{ schema: schemas/echo.json }}
  - name: inline, with a $ref to a file beside the collection
    POST: <<base>>/echo
    json: {{ n: 5 }}
    expect:
      schema:
        type: object
        properties:
          json: {{ properties: {{ n: {{ $ref: "schemas/defs.json#/$defs/seconds" }} }} }}
"#
    );
    with_schemas(run_yaml(&server.url(), &yaml), "")
        .run()
        .code(0)
        .stdout_contains("3 passed, 0 failed");
}

struct Case {
    json: &'static str,
    schema: &'static str,
    subject: &'static str,
    expected: &'static str,
    actual: &'static str,
}

const FAILING: &[Case] = &[
    // Draft 7: tuple `items` is draft 7's; 2020-12 would read `items` as every item.
    Case {
        json: "{ n: 5, list: [2, 3] }",
        schema: "schemas/echo.json",
        subject: "schema schemas/echo.json",
        expected: "/json/list/0 to satisfy `const` (value must be 1)",
        actual: "2",
    },
    Case {
        json: "{ n: 50 }",
        schema: "schemas/echo.json",
        subject: "schema schemas/echo.json",
        expected: "/json/n to satisfy `maximum` (must be <=10, but got 50)",
        actual: "50",
    },
    Case {
        json: "{ n: five }",
        schema: "{ properties: { json: { properties: { n: { $ref: 'schemas/defs.json#/$defs/seconds' } } } } }",
        subject: "schema inline",
        expected: "/json/n to satisfy `type` (want integer, but got string)",
        actual: r#""five""#,
    },
    Case {
        json: "{ a: 1 }",
        schema: "{ required: [nope, other] }",
        subject: "schema inline",
        expected: "the body to satisfy `required` (missing properties 'nope', 'other')",
        actual: r#"{"method":"POST""#,
    },
    Case {
        json: "{ a: 1, b: x, c: [] }",
        schema: "{ properties: { json: { properties: { a: { type: string }, b: { type: integer }, c: { minItems: 1 } } } } }",
        subject: "schema inline",
        expected: "/json/a to satisfy `type` (want string, but got number); 2 more: /json/b `type`, /json/c `minItems`",
        actual: "1",
    },
    Case {
        json: "{ a: 1 }",
        schema: "{ properties: { json: { additionalProperties: false, properties: { b: {} } } } }",
        subject: "schema inline",
        expected: "/json to satisfy `additionalProperties` (additionalProperties 'a' not allowed)",
        actual: r#"{"a":1}"#,
    },
    Case {
        json: "{ a: 1 }",
        schema: "{ properties: { json: { properties: { a: { anyOf: [{ type: string }, { type: boolean }] } } } } }",
        subject: "schema inline",
        expected: "/json/a to satisfy `anyOf` (anyOf failed: want string, but got number)",
        actual: "1",
    },
];

#[test]
fn each_failure_names_pointer_keyword_and_value_at_the_schema_key() {
    let server = TestServer::start();
    let mut problems = Vec::new();
    for case in FAILING {
        let yaml = format!(
            "requests:\n  - name: checked\n    POST: <<base>>/echo\n    json: {}\n    expect:\n      schema: {}\n",
            case.json, case.schema
        );
        let out = with_schemas(run_yaml(&server.url(), &yaml), "").run();
        let at = place("c.yaml", &yaml, "schema:");
        let wanted = [
            at.as_str(),
            &format!("expectation failed: {}", case.subject),
            &format!("expected: {}", case.expected),
            &format!("actual: {}", case.actual),
            "0 passed, 1 failed",
        ];
        if out.code != 1 || wanted.iter().any(|w| !out.stdout.contains(w)) {
            problems.push(format!(
                "--- {} (exit {}), wanted {wanted:?}\n{}{}",
                case.schema, out.code, out.stdout, out.stderr
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn a_body_that_is_not_json_fails_the_schema() {
    let server = TestServer::start();
    let yaml = "requests:\n  - GET: <<base>>/text\n    expect: { schema: { type: object } }\n";
    run_yaml(&server.url(), yaml)
        .run()
        .code(1)
        .stdout_contains("c.yaml:3:15")
        .stdout_contains("expected: a JSON body that matches the schema")
        .stdout_contains("actual: the response body is not JSON");
}

/// A long value is cut in the failure, not printed whole.
#[test]
fn a_long_value_is_cut() {
    let server = TestServer::start();
    let long = "x".repeat(500);
    let yaml = format!(
        "requests:\n  - POST: <<base>>/echo\n    json: {{ s: {long} }}\n    expect: {{ schema: {{ properties: {{ json: {{ properties: {{ s: {{ maxLength: 3 }} }} }} }} }} }}\n"
    );
    let out = run_yaml(&server.url(), &yaml).run();
    out.code(1).stdout_contains("but got 500");
    // The response is shown whole below the failure; the failure's own value is cut.
    let actual = out.stdout.lines().find(|l| l.contains("actual: ")).unwrap();
    assert!(actual.ends_with("xxx…"), "{actual}");
    assert!(actual.len() < 260, "{actual}");
}

/// A schema's failure quoting a secret value masks it, as every failure does.
#[test]
fn a_secret_value_in_a_failure_is_masked() {
    let server = TestServer::start();
    let yaml = "requests:\n  - POST: <<base>>/echo\n    json: { password: <<password>> }\n    expect: { schema: { properties: { json: { properties: { password: { pattern: '^[0-9]+$' } } } } } }\n";
    run_yaml(&server.url(), yaml)
        .args(["--var", "password=hunter2-very-secret"])
        .run()
        .code(1)
        .stdout_contains("/json/password to satisfy `pattern`")
        .output_lacks("hunter2-very-secret");
}

/// Many rows of a data file run one schema (compiled once for them all:
/// `expect::schema::tests::compiled_once`), and every row is checked.
#[test]
fn every_row_of_a_data_file_is_checked() {
    let server = TestServer::start();
    let yaml = "requests:\n  - name: row <<n>>\n    POST: <<base>>/echo\n    json: { n: <<n>> }\n    expect: { schema: { properties: { json: { properties: { n: { pattern: '^[0-9]$' } } } } } }\n";
    let rows: String = std::iter::once("n\n".to_string())
        .chain((1..=12).map(|n| format!("{n}\n")))
        .collect();
    let out = run_yaml(&server.url(), yaml)
        .file("rows.csv", rows)
        .args(["--data", "rows.csv"])
        .run();
    out.code(1)
        .stdout_contains("9 passed, 3 failed")
        .stdout_contains("'10' does not match pattern")
        .stdout_contains("'12' does not match pattern");
}

const FAILING_RUN: &str = r"name: token shapes
requests:
  - name: the token response has its shape
    POST: <<base>>/token
    form: { grant_type: password, username: alice, password: wonderland, client_id: app, client_secret: app-secret }
    expect:
      schema: schemas/token.json
  - name: an echo that breaks the schema
    POST: <<base>>/echo
    json: { n: 50, list: [2] }
    expect:
      status: 200
      schema: schemas/echo.json
";

#[test]
fn failure_console_snapshot() {
    let server = TestServer::start();
    let out = with_schemas(Baton::new(), "collections/")
        .file("collections/shapes.yaml", FAILING_RUN)
        .args(["run", "collections/shapes.yaml", "--var"])
        .arg(format!("base={}", server.url()))
        .run();
    out.code(1);
    insta::assert_snapshot!(redact(&out.stdout));
}

#[test]
fn failure_verbose_snapshot() {
    let server = TestServer::start();
    let out = with_schemas(Baton::new(), "collections/")
        .file("collections/shapes.yaml", FAILING_RUN)
        .args(["run", "collections/shapes.yaml", "-v", "--var"])
        .arg(format!("base={}", server.url()))
        .run();
    out.code(1).output_lacks("app-secret");
    insta::assert_snapshot!(redact(&out.stdout));
}
