//! `jwt:` lifetime bounds: `expires_in_at_most` and `expires_in_at_least` hold for a token
//! whose `exp` is within them, and a failure says the lifetime the token has (or how long
//! ago it expired), at the bound that does not hold.

use crate::support::{TestServer, place, redact, run_yaml};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// An unsigned-looking JWT with these claims (the checks read claims, not signatures,
/// without `jwks_url`).
fn jwt(claims: &serde_json::Value) -> String {
    let part = |v: &serde_json::Value| URL_SAFE_NO_PAD.encode(v.to_string());
    format!(
        "{}.{}.c2ln",
        part(&serde_json::json!({ "alg": "HS256", "typ": "JWT" })),
        part(claims)
    )
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        .try_into()
        .unwrap()
}

/// A request echoing the token `t` back, checked by `bounds`.
fn collection(bounds: &str) -> String {
    format!(
        "requests:\n  - name: token\n    POST: <<base>>/echo\n    json: {{ t: <<t>> }}\n    expect:\n      jwt:\n        $.json.t: {bounds}\n"
    )
}

#[test]
fn a_lifetime_within_the_bounds_holds() {
    let server = TestServer::start();
    let token = jwt(&serde_json::json!({ "sub": "alice", "exp": now() + 1800 }));
    for bounds in [
        "{ expires_in_at_most: 1h, expires_in_at_least: 5m }",
        "{ expires_in_at_most: 3600 }",
        "{ expires_in_at_least: 29m }",
    ] {
        run_yaml(&server.url(), &collection(bounds))
            .args(["--var", &format!("t={token}")])
            .run()
            .code(0)
            .stdout_contains("1 passed, 0 failed");
    }
}

#[test]
fn each_bound_that_fails_says_the_lifetime() {
    let server = TestServer::start();
    let cases: [(i64, &str, &str, &str, &str); 5] = [
        (
            7230,
            "{ expires_in_at_least: 5m, expires_in_at_most: 1h }",
            "expires_in_at_most: ^1h",
            "to expire in at most 1h",
            "expires in 2h 0m",
        ),
        (
            150,
            "{ expires_in_at_least: 5m }",
            "expires_in_at_least: ^5m",
            "to expire in at least 5m",
            "expires in 2m ",
        ),
        (
            -600,
            "{ expires_in_at_least: 1s }",
            "expires_in_at_least: ^1s",
            "to expire in at least 1s",
            "expired 10m ",
        ),
        (
            630,
            "{ expires_in_at_most: 60 }",
            "expires_in_at_most: ^60",
            "to expire in at most 60s",
            "expires in 10m ",
        ),
        (
            i64::MIN,
            "{ expires_in_at_most: 1h }",
            "expires_in_at_most: ^1h",
            "an exp claim",
            "no exp claim",
        ),
    ];
    let mut problems = Vec::new();
    for (lifetime, bounds, at, expected, actual) in cases {
        let claims = if lifetime == i64::MIN {
            serde_json::json!({ "sub": "alice" })
        } else {
            serde_json::json!({ "sub": "alice", "exp": now() + lifetime })
        };
        let yaml = collection(bounds);
        let out = run_yaml(&server.url(), &yaml)
            .args(["--var", &format!("t={}", jwt(&claims))])
            .run();
        let wanted = [
            place("c.yaml", &yaml, at),
            "expectation failed: jwt $.json.t exp".into(),
            format!("expected: {expected}"),
            format!("actual: {actual}"),
        ];
        if out.code != 1 || wanted.iter().any(|w| !out.stdout.contains(w.as_str())) {
            problems.push(format!("--- {bounds}: wanted {wanted:?}\n{}", out.stdout));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn an_expiry_failure_snapshot() {
    let server = TestServer::start();
    let token = jwt(&serde_json::json!({ "sub": "alice", "exp": now() + 7230 }));
    let out = run_yaml(
        &server.url(),
        &collection("{ expires_in_at_least: 5m, expires_in_at_most: 1h }"),
    )
    .args(["--var", &format!("t={token}")])
    .run();
    out.code(1);
    // The first lines: the failure itself (the response below it holds the token).
    let failure: String = out
        .stdout
        .lines()
        .take_while(|l| !l.contains("response:"))
        .map(|l| format!("{l}\n"))
        .collect();
    let exp = regex::Regex::new(r"\(exp \d+\)").unwrap();
    insta::assert_snapshot!(redact(&exp.replace_all(&failure, "(exp [TIMESTAMP])")));
}
