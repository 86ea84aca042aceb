//! `baton probe` against the third-party providers: the certified `oidc-provider` passes
//! every check, and Django OAuth Toolkit's real departures are found as what they are (a
//! MUST failed, SHOULDs warned, what its client may not do not applicable).

use super::Provider;
use crate::support::Baton;
use serde_json::Value;

fn verdicts(card: &Value) -> Vec<String> {
    card["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .filter(|c| c["verdict"] != "passed")
        .map(|c| {
            format!(
                "{}: {}",
                c["verdict"].as_str().unwrap_or(""),
                c["check"].as_str().unwrap_or("")
            )
        })
        .collect()
}

#[test]
fn probe_oidc_provider() {
    // oidc-provider's own login and consent pages, as the library ships them.
    let Some(p) = Provider::interop_stock_pages() else {
        return;
    };
    let out = Baton::new()
        .env("PROBE_SECRET", "basic-secret")
        .env("PROBE_PASSWORD", "wonderland")
        .args([
            "probe",
            p.issuer(),
            "--client-id",
            "cli-basic",
            "--client-secret-env",
            "PROBE_SECRET",
        ])
        .args([
            "--user",
            "alice",
            "--password-env",
            "PROBE_PASSWORD",
            "--json",
            "card.json",
        ])
        .run();
    out.code(0)
        .stdout_contains("64 checks: 56 passed, 0 failed, 8 not applicable");
    let card: Value = serde_json::from_str(&out.file("card.json")).expect("json");
    assert_eq!(
        verdicts(&card),
        [
            "not_applicable: client_secret_jwt authenticates (an HS256 assertion signed with the secret)",
            "not_applicable: private_key_jwt authenticates (an assertion signed with the client's key)",
            // Native clients always get a consent prompt at oidc-provider.
            "not_applicable: a signed-in user signs in again with prompt=none, no page shown",
            "not_applicable: prompt=none with id_token_hint signs in the user it names",
            "not_applicable: the address scope brings the address claim to userinfo",
            "not_applicable: the phone scope brings the phone_number claim to userinfo",
            "not_applicable: every standard scope brings its claims to userinfo",
            "not_applicable: an essential claim asked with the claims parameter reaches userinfo",
        ]
    );
    out.stdout_contains("(interaction_required)");
    out.output_lacks("basic-secret").output_lacks("wonderland");
}

#[test]
fn probe_django_oauth_toolkit() {
    let Some(dot) = super::dot::server::dot() else {
        return;
    };
    let out = Baton::new()
        .env("PROBE_SECRET", "code-secret")
        .env("PROBE_PASSWORD", "wonderland")
        .args([
            "probe",
            dot.issuer(),
            "--client-id",
            "dot-code",
            "--client-secret-env",
            "PROBE_SECRET",
        ])
        .args([
            "--user",
            "alice",
            "--password-env",
            "PROBE_PASSWORD",
            "--json",
            "card.json",
        ])
        .run();
    out.code(1);
    let card: Value = serde_json::from_str(&out.file("card.json")).expect("json");
    assert_eq!(
        verdicts(&card),
        [
            // Its 401 after Basic authentication challenges with Bearer.
            "warning: its challenge names the Basic scheme the client used",
            // oauthlib answers a missing grant_type as an unsupported one.
            "failed: a request without grant_type is invalid_request",
            "not_applicable: client_secret_jwt authenticates (an HS256 assertion signed with the secret)",
            "not_applicable: private_key_jwt authenticates (an assertion signed with the client's key)",
            // dot-code is an authorization-code client: one grant type per client.
            "not_applicable: the client credentials grant issues a token",
            "not_applicable: token responses are not cached (Cache-Control no-store)",
            // oauthlib leaves prompt=none unimplemented: a server error.
            "failed: a signed-in user signs in again with prompt=none, no page shown",
            "failed: prompt=none without a session answers login_required, to the client",
            // DOT lists plain beside S256.
            "not_applicable: PKCE plain is refused when only S256 is advertised, to the client",
            // A session older than max_age is taken as it is (auth_time unchanged).
            "failed: max_age=1 after two seconds signs the user in again",
            "failed: prompt=none with id_token_hint signs in the user it names",
            "not_applicable: the address scope brings the address claim to userinfo",
            "not_applicable: the phone scope brings the phone_number claim to userinfo",
            "not_applicable: every standard scope brings its claims to userinfo",
            "not_applicable: an essential claim asked with the claims parameter reaches userinfo",
            "not_applicable: the redirect names the issuer (iss)",
            // The tokens of a code used twice stay valid.
            "warning: the tokens of a code used twice are revoked",
        ],
        "{}",
        out.stdout
    );
    out.stdout_contains("actual: \"Bearer error=\\\"invalid_client\\\"\"");
    out.output_lacks("code-secret").output_lacks("wonderland");
}
