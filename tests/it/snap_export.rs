//! Pins every export snippet: each language `baton export --as` offers, for each request of
//! the example collections that use several grants (the oauth2 requests: authorization code
//! with PKCE, refresh, password, introspection, revocation, client credentials; and the
//! plain requests of the client-credentials example), with placeholders and with values.

use crate::support::{Output, examples};

/// The languages of `--as`, as `baton export --help` lists them.
const LANGUAGES: &[&str] = &["curl", "python", "node", "http"];

/// Requests by file, by id or name.
const REQUESTS: &[(&str, &str)] = &[
    ("collections/oauth2-requests.yaml", "login"),
    (
        "collections/oauth2-requests.yaml",
        "call an API with the token",
    ),
    ("collections/oauth2-requests.yaml", "refreshed"),
    ("collections/oauth2-requests.yaml", "password"),
    (
        "collections/oauth2-requests.yaml",
        "introspect the access token (RFC 7662)",
    ),
    (
        "collections/oauth2-requests.yaml",
        "revoke the refresh token (RFC 7009)",
    ),
    (
        "collections/oauth2-requests.yaml",
        "a wrong secret is refused with invalid_client",
    ),
    (
        "collections/client-credentials.yaml",
        "get a token for the API",
    ),
    ("collections/client-credentials.yaml", "the token is active"),
    (
        "collections/headless-sign-in.yaml",
        "sign in as alice (login form, then consent)",
    ),
];

fn section(file: &str, request: &str, out: &Output) -> String {
    let mut text = format!("### {file} / {request}\n");
    if out.code != 0 {
        text.push_str(&format!("exit {}\n", out.code));
    }
    text.push_str(&out.stdout_redacted());
    if !out.stderr.is_empty() {
        text.push_str(&format!("--- stderr\n{}", out.stderr_redacted()));
    }
    text.push('\n');
    text
}

/// One snapshot a language: every request in it, with `<your-name>` placeholders.
#[test]
fn every_snippet_of_every_language() {
    for lang in LANGUAGES {
        let mut text = String::new();
        for (file, request) in REQUESTS {
            let out = examples()
                .args(["export", file, "--request", request, "--as", lang])
                .run();
            out.code(0);
            text.push_str(&section(file, request, &out));
        }
        insta::assert_snapshot!(format!("export_{lang}"), text);
    }
}

/// Values from `--var` written in, secrets still placeholders; then `--show-secrets`.
#[test]
fn snippets_with_values() {
    let mut text = String::new();
    for lang in LANGUAGES {
        for extra in [&[][..], &["--show-secrets"][..]] {
            let out = examples()
                .args(["export", "collections/client-credentials.yaml"])
                .args(["--request", "get a token for the API", "--as", lang])
                .args(["--var", "baseAuthURL=https://id.example.com"])
                .args(["--var", "ClientId=app", "--var", "ClientSecret=s3cr3t"])
                .args(extra)
                .run();
            out.code(0);
            let label = format!("{lang} {}", extra.join(" "));
            text.push_str(&section("client-credentials.yaml", label.trim(), &out));
        }
    }
    insta::assert_snapshot!(text);
}
