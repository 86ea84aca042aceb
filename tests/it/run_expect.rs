//! Every expectation kind and predicate, holding and failing: a failure exits 1 and shows
//! what was expected, what came back, and the `file:line:col` of the expected value. Also
//! the default status rule.

use crate::support::{Baton, TestServer, place, redact, run_yaml};

const EVERY_PREDICATE: &str = r#"name: every expectation
requests:
  - name: every predicate
    POST: <<base>>/echo
    headers: { x-echo-a: one }
    json: { n: 5, f: 1.5, s: hello world, t: true, nul: null, list: [1, 2, 3], obj: { a: 1 } }
    expect:
      status: 200
      headers:
        content-type: application/json
        X-Echo-A: { eq: one, ne: two, contains: on, not_contains: tw, matches: "^o", length: 3, one_of: [one, two] }
        x-nope: { exists: false }
      body:
        $.json.n: { eq: 5, ne: 6, gt: 4, ge: 5, lt: 6, le: 5, type: integer, one_of: [4, 5] }
        $.json.f: { gt: 1, ge: 1.5, lt: 2, le: 1.5, type: number, eq: 1.5 }
        $.json.s: { contains: world, not_contains: bye, matches: "^hello", length: 11, type: string }
        $.json.t: true
        $.json.nul: { exists: true, type: "null", eq: null }
        $.json.list: { contains: 2, length: { ge: 3, lt: 4 }, type: array, eq: [1, 2, 3] }
        $.json.obj: { eq: { a: 1 }, contains: a, type: object, length: 1 }
        $.json.missing: { exists: false }
        $.json.list[*]: [1, 2, 3]
        $.method: { type: string, eq: POST }
        contains: hello world
        not_contains: goodbye
        matches: '"n":\s*5'
        length: { gt: 10 }
      duration_ms: 5000
  - name: the raw body as a string
    GET: <<base>>/text
    expect:
      body: hello world 42
  - name: raw body predicates
    GET: <<base>>/text
    expect:
      body: { eq: hello world 42, ne: bye, length: 14 }
      duration_ms: { lt: 5000, ge: 0 }
  - name: a list of statuses
    GET: <<base>>/status/201
    expect: { status: [200, 201] }
  - name: a status class
    GET: <<base>>/status/202
    expect: { status: 2xx }
  - name: an error status that is expected
    GET: <<base>>/status/404
    expect: { status: 404, body: { $.status: 404 } }
"#;

#[test]
fn every_kind_and_predicate_holds() {
    let server = TestServer::start();
    let out = run_yaml(&server.url(), EVERY_PREDICATE).run();
    out.code(0).stdout_contains("6 passed, 0 failed");
    assert_eq!(server.total_hits(), 6);
}

struct Case {
    /// The `expect:` mapping, on one line.
    expect: &'static str,
    /// Where the caret must point: the expected value, marked with `^`.
    at: &'static str,
    expected: &'static str,
    actual: &'static str,
    /// Request line, when not `POST: <<base>>/echo`.
    request: &'static str,
}

const fn case(
    expect: &'static str,
    at: &'static str,
    expected: &'static str,
    actual: &'static str,
) -> Case {
    Case {
        expect,
        at,
        expected,
        actual,
        request: "POST: <<base>>/echo",
    }
}

const FAILING: &[Case] = &[
    case("{ status: 201 }", "status: ^201", "201", "200"),
    case(
        "{ status: [201, 202] }",
        "status: ^[201",
        "201 or 202",
        "200",
    ),
    case("{ status: 4xx }", "status: ^4xx", "4xx", "200"),
    case(
        "{ headers: { content-type: text/html } }",
        "content-type: ^text/html",
        r#""text/html""#,
        r#""application/json""#,
    ),
    case(
        "{ headers: { x-nope: { exists: true } } }",
        "exists: ^true",
        "to exist",
        "no such header",
    ),
    case(
        r#"{ headers: { x-echo-a: { matches: "^two" } } }"#,
        r#"matches: ^"^two""#,
        "matches /^two/",
        r#""one""#,
    ),
    case("{ body: { $.json.n: 6 } }", "$.json.n: ^6", "6", "5"),
    case("{ body: { $.json.n: { ne: 5 } } }", "ne: ^5", "not 5", "5"),
    case("{ body: { $.json.n: { gt: 5 } } }", "gt: ^5", "> 5", "5"),
    case("{ body: { $.json.n: { ge: 6 } } }", "ge: ^6", ">= 6", "5"),
    case("{ body: { $.json.n: { lt: 5 } } }", "lt: ^5", "< 5", "5"),
    case("{ body: { $.json.n: { le: 4 } } }", "le: ^4", "<= 4", "5"),
    case(
        "{ body: { $.json.s: { contains: bye } } }",
        "contains: ^bye",
        r#"contains "bye""#,
        r#""hello world""#,
    ),
    case(
        "{ body: { $.json.s: { not_contains: world } } }",
        "not_contains: ^world",
        r#"does not contain "world""#,
        r#""hello world""#,
    ),
    case(
        r#"{ body: { $.json.s: { matches: "^bye" } } }"#,
        r#"matches: ^"^bye""#,
        "matches /^bye/",
        r#""hello world""#,
    ),
    case(
        "{ body: { $.json.nope: { exists: true } } }",
        "exists: ^true",
        "to exist",
        "nothing matched",
    ),
    case(
        "{ body: { $.json.n: { exists: false } } }",
        "exists: ^false",
        "not to exist",
        "5",
    ),
    case(
        "{ body: { $.json.n: { type: string } } }",
        "type: ^string",
        "of type string",
        "5",
    ),
    case(
        "{ body: { $.json.list: { length: 2 } } }",
        "length: ^2",
        "length 2",
        "[1,2,3]",
    ),
    case(
        "{ body: { $.json.list: { length: { gt: 3 } } } }",
        "length: ^{ gt: 3",
        "length > 3",
        "[1,2,3]",
    ),
    case(
        "{ body: { $.json.n: { one_of: [1, 2] } } }",
        "one_of: ^[1",
        "one of [1, 2]",
        "5",
    ),
    case(
        "{ body: { $.json.nope: 1 } }",
        "$.json.nope: ^1",
        "1 (but nothing matched)",
        "nothing matched",
    ),
    case(
        "{ body: { contains: goodbye } }",
        "contains: ^goodbye",
        r#"contains "goodbye""#,
        r#"{"method":"POST""#,
    ),
    case(
        "{ body: { not_contains: hello } }",
        "not_contains: ^hello",
        r#"does not contain "hello""#,
        r#"{"method":"POST""#,
    ),
    case(
        r#"{ body: { matches: "^<html" } }"#,
        r#"matches: ^"^<html""#,
        "matches /^<html/",
        r#"{"method":"POST""#,
    ),
    case(
        "{ body: { eq: nope } }",
        "eq: ^nope",
        r#""nope""#,
        r#"{"method":"POST""#,
    ),
    case(
        "{ body: { length: 3 } }",
        "length: ^3",
        "length 3",
        r#"{"method":"POST""#,
    ),
    case("{ duration_ms: { lt: 0 } }", "lt: ^0", "< 0", ""),
    Case {
        request: "GET: <<base>>/slow?ms=40",
        ..case("{ duration_ms: 1 }", "duration_ms: ^1", "<= 1", "")
    },
    Case {
        request: "GET: <<base>>/text",
        ..case(
            "{ body: hello }",
            "body: ^hello",
            r#""hello""#,
            "hello world 42",
        )
    },
    Case {
        request: "GET: <<base>>/text",
        ..case(
            "{ body: { $.a: 1 } }",
            "$.a: ^1",
            "a JSON body",
            "the response body is not JSON",
        )
    },
    Case {
        request: "GET: <<base>>/text",
        ..case(
            "{ body: { ne: hello world 42 } }",
            "ne: ^hello",
            r#"not "hello world 42""#,
            "hello world 42",
        )
    },
];

#[test]
fn each_failing_predicate_shows_expected_actual_and_place() {
    let server = TestServer::start();
    let mut problems = Vec::new();
    for case in FAILING {
        let yaml = format!(
            "name: failing\nrequests:\n  - name: checked\n    {}\n    headers: {{ x-echo-a: one }}\n    json: {{ n: 5, s: hello world, list: [1, 2, 3] }}\n    expect: {}\n",
            case.request, case.expect
        );
        let out = run_yaml(&server.url(), &yaml).run();
        let at = place("c.yaml", &yaml, case.at);
        let wanted = [
            at.as_str(),
            "expectation failed",
            &format!("expected: {}", case.expected),
            &format!("actual: {}", case.actual),
            "0 passed, 1 failed",
        ];
        if out.code != 1
            || wanted.iter().any(|w| !out.stdout.contains(w))
            || out.stderr.contains("panicked")
        {
            problems.push(format!(
                "--- {} (exit {}), wanted {wanted:?}\n{}{}",
                case.expect, out.code, out.stdout, out.stderr
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "{} of {} cases:\n{}",
        problems.len(),
        FAILING.len(),
        problems.join("\n")
    );
}

#[test]
fn an_error_status_fails_by_default() {
    let server = TestServer::start();
    let yaml = "requests:\n  - name: who am I\n    GET: <<base>>/me\n";
    run_yaml(&server.url(), yaml)
        .run()
        .code(1)
        .stdout_contains("✗ who am I 401")
        .stdout_contains("status 401 (invalid_token)")
        .stdout_contains("c.yaml:2:5")
        .stdout_contains("add `expect: { status: 401 }`")
        .stdout_contains("\n1 file, 1 request in ")
        .stdout_contains("0 passed, 1 failed");
}

#[test]
fn status_any_accepts_an_error_status() {
    let server = TestServer::start();
    for expect in [
        "{ status: any }",
        "{ status: 4xx }",
        "{ status: [200, 401] }",
        "{ status: 401, body: { $.error: invalid_token } }",
    ] {
        let yaml =
            format!("requests:\n  - name: who am I\n    GET: <<base>>/me\n    expect: {expect}\n");
        run_yaml(&server.url(), &yaml)
            .run()
            .code(0)
            .stdout_contains("✓ who am I 401")
            .stdout_contains("1 passed, 0 failed");
    }
    assert_eq!(server.hits("/me"), 4);
}

/// Expectations other than status do not switch the default rule off.
#[test]
fn body_expectations_alone_keep_the_default_rule() {
    let server = TestServer::start();
    let yaml = "requests:\n  - GET: <<base>>/status/503\n    expect: { body: { $.status: 503 } }\n";
    run_yaml(&server.url(), yaml)
        .run()
        .code(1)
        .stdout_contains("status 503");
}

#[test]
fn failure_output_snapshot() {
    let server = TestServer::start();
    let yaml = r"name: sign in
requests:
  - name: health
    GET: <<base>>/status/200
  - name: sign in with a wrong password
    POST: <<base>>/token
    form: { grant_type: password, username: alice, password: not-the-password, client_id: app, client_secret: app-secret }
    expect:
      status: 200
      body:
        $.token_type: Bearer
";
    let out = Baton::new()
        .file("collections/login.yaml", yaml)
        .args(["run", "collections/login.yaml", "--var"])
        .arg(format!("base={}", server.url()))
        .run();
    out.code(1)
        .output_lacks("not-the-password")
        .output_lacks("app-secret");
    insta::assert_snapshot!(redact(&out.stdout));
}
