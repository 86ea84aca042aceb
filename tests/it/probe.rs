//! `baton probe`: the embedded sandbox passes every check, and each of its faults (a
//! `faults:` list in its configuration) is found by exactly the checks that cover it; the
//! card is the same on the console and in JSON, JUnit and HTML; what needs a client does
//! not apply without one; a provider that does not answer exits 3.

use crate::support::{Baton, FaultServer, Output, redact};
use serde_json::Value;

fn probe(args: &[&str]) -> Output {
    Baton::new().arg("probe").args(args).run()
}

/// The checks of a card that did not pass (and did apply), as `verdict: check`.
fn not_passed(card: &Value) -> Vec<String> {
    card["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .filter(|c| c["verdict"] != "passed" && c["verdict"] != "not_applicable")
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
fn the_sandbox_passes_every_check_and_the_card_is_in_every_report() {
    let out = Baton::new()
        .args([
            "probe",
            "--sandbox",
            "--json",
            "card.json",
            "--junit",
            "card.xml",
            "--html",
            "card.html",
        ])
        .run();
    out.code(0)
        .stdout_contains("64 checks: 55 passed, 0 failed, 9 not applicable");
    insta::assert_snapshot!("probe_sandbox_card", redact(&out.stdout));
    let card: Value = serde_json::from_str(&out.file("card.json")).expect("json");
    assert_eq!(card["summary"]["passed"], 55);
    assert_eq!(not_passed(&card), Vec::<String>::new());
    // The JWT methods are for clients registered for them (see below).
    assert_eq!(card["summary"]["not_applicable"], 9);
    let first = &card["checks"][0];
    assert_eq!(first["group"], "discovery");
    assert_eq!(first["level"], "MUST");
    assert_eq!(first["rule"], "OIDC Discovery 1.0 section 4");
    assert_eq!(first["modules"][0], "oidcc-discovery-endpoint-verification");
    let junit = out.file("card.xml");
    assert_eq!(junit.matches("<testcase ").count(), 64, "{junit}");
    assert_eq!(junit.matches("<testsuite ").count(), 7);
    assert!(!junit.contains("<failure"));
    let html = out.file("card.html");
    assert_eq!(html.matches("<tr class=\"Passed\">").count(), 55);
    // The sandbox's client secret and user password never show.
    out.output_lacks("form-secret").output_lacks("wonderland");
}

/// Each fault of the sandbox is found, by the checks of its rule and no other.
#[test]
fn every_sandbox_fault_is_found() {
    let cases: &[(&str, &[&str])] = &[
        (
            "no_refresh_rotation",
            &[
                "warning: refresh tokens rotate, and the one used is refused afterwards",
                "warning: reusing a rotated refresh token revokes the newest one too",
            ],
        ),
        (
            "reusable_codes",
            &[
                "failed: a code works only once",
                "warning: the tokens of a code used twice are revoked",
            ],
        ),
        (
            "pkce_not_enforced",
            &[
                "failed: a code exchanged without its verifier is refused",
                "failed: a code exchanged with a wrong verifier is refused",
            ],
        ),
        (
            "no_cache_headers",
            &[
                "failed: token responses are not cached (Cache-Control no-store)",
                "failed: a user signs in with authorization code + PKCE, and the id_token verifies",
            ],
        ),
        (
            "private_key_in_jwks",
            &["failed: no key holds private key material"],
        ),
    ];
    for (fault, expected) in cases {
        let out = Baton::new()
            .file("faults.yaml", format!("faults: [{fault}]\n"))
            .args([
                "probe",
                "--sandbox",
                "--sandbox-config",
                "faults.yaml",
                "--json",
                "card.json",
            ])
            .run();
        let card: Value = serde_json::from_str(&out.file("card.json")).expect("json");
        assert_eq!(
            not_passed(&card),
            *expected,
            "fault {fault}:\n{}",
            out.stdout
        );
        let failed = expected.iter().any(|e| e.starts_with("failed"));
        out.code(i32::from(failed));
    }
    // A wrong issuer in discovery is the discovery check's alone: the flows are given their
    // endpoints and check the id_token's issuer against the issuer itself.
    let out = Baton::new()
        .file("faults.yaml", "faults: [wrong_discovery_issuer]\n")
        .args([
            "probe",
            "--sandbox",
            "--sandbox-config",
            "faults.yaml",
            "--json",
            "card.json",
        ])
        .run();
    out.code(1).stdout_contains("/another-issuer");
    let card: Value = serde_json::from_str(&out.file("card.json")).expect("json");
    assert_eq!(
        not_passed(&card),
        ["failed: its issuer is the issuer, exactly"]
    );
    // Errors as HTML fail the JSON check; the checks that read an error code are not run,
    // pointing at it, rather than failing one by one.
    let out = Baton::new()
        .file("faults.yaml", "faults: [html_errors]\n")
        .args([
            "probe",
            "--sandbox",
            "--sandbox-config",
            "faults.yaml",
            "--json",
            "card.json",
        ])
        .run();
    out.code(1).stdout_contains("text/html");
    let card: Value = serde_json::from_str(&out.file("card.json")).expect("json");
    let found = not_passed(&card);
    assert_eq!(
        found
            .iter()
            .filter(|c| !c.starts_with("not_run"))
            .collect::<Vec<_>>(),
        ["failed: errors are JSON with an error code"]
    );
    assert_eq!(found.len(), 15, "{found:#?}");
    out.stdout_contains(
        "the provider's errors are not JSON (see 'errors are JSON with an error code')",
    );
}

/// The sandbox's JWT clients: client_secret_jwt as the method of every flow, and
/// private_key_jwt with the key.
#[test]
fn jwt_client_authentication_is_probed_with_the_client_registered_for_it() {
    let out = Baton::new()
        .env("PROBE_SECRET", "baton-jwt-hs256-secret-0123456789abcdef")
        .args([
            "probe",
            "--sandbox",
            "--client-id",
            "baton-jwt",
            "--client-secret-env",
        ])
        .args([
            "PROBE_SECRET",
            "--client-auth",
            "client_secret_jwt",
            "--json",
            "card.json",
        ])
        // The groups where the client authenticates (the sandbox's JWT client signs its
        // user in without a form, as if a session always existed: prompt=none cannot fail).
        .args([
            "--only",
            "errors",
            "--only",
            "client",
            "--only",
            "revocation",
        ])
        .run();
    out.code(0)
        .stdout_contains("✓ SHOULD  client_secret_jwt authenticates")
        .stdout_contains("the probe's client uses client_secret_jwt (--client-auth)");
    let card: Value = serde_json::from_str(&out.file("card.json")).expect("json");
    assert_eq!(card["summary"]["failed"], 0, "{}", out.stdout);
    assert_eq!(card["summary"]["passed"], 13, "{}", out.stdout);
    let key = format!(
        "{}/tests/fixtures/keys/sandbox-pkjwt-private.pem",
        env!("CARGO_MANIFEST_DIR")
    );
    probe(&[
        "--sandbox",
        "--client-id",
        "baton-pkjwt",
        "--private-key",
        &key,
        "--only",
        "client",
    ])
    .code(0)
    .stdout_contains("✓ MUST    private_key_jwt authenticates");
    probe(&["--sandbox", "--client-auth", "private_key_jwt"])
        .code(2)
        .stderr_contains("--client-auth `private_key_jwt`: one of basic, body, client_secret_jwt");
}

#[test]
fn without_a_client_its_checks_do_not_apply() {
    let p = crate::oauth::Provider::sandbox();
    let out = probe(&[p.issuer(), "--json", "card.json"]);
    out.code(0)
        .stdout_contains("n/a     an unknown token introspects as inactive")
        .stdout_contains("needs a confidential client: --client-id and --client-secret-env")
        .stdout_contains("needs a client and a user: --client-id, --user and --password-env");
    let card: Value = serde_json::from_str(&out.file("card.json")).expect("json");
    assert_eq!(card["summary"]["passed"], 19, "{}", out.stdout);
    assert_eq!(card["summary"]["not_applicable"], 45);
    assert_eq!(
        p.token_hits(),
        4,
        "only the unknown-client checks reach the token endpoint"
    );
}

#[test]
fn groups_can_be_chosen_and_printed() {
    let out = probe(&["--sandbox", "--only", "jwks"]);
    out.code(0)
        .stdout_contains("5 checks: 5 passed, 0 failed")
        .output_lacks("discovery\n");
    let out = probe(&["--print", "jwks"]);
    out.code(0);
    assert_eq!(out.stdout, include_str!("../../src/probe/checks/jwks.yaml"));
    probe(&["--sandbox", "--only", "nope"])
        .code(2)
        .stderr_contains("--only `nope`: no such group; the groups are discovery, jwks, errors, userinfo, revocation, client, sign-in");
    probe(&[
        "--sandbox",
        "--client-id",
        "x",
        "--client-secret-env",
        "BATON_PROBE_UNSET",
    ])
    .code(2)
    .stderr_contains("the environment variable BATON_PROBE_UNSET is not set");
}

#[test]
fn a_provider_that_does_not_answer_exits_3() {
    let url = FaultServer::refused_url();
    probe(&[&url])
        .code(3)
        .stderr_contains("the provider cannot be reached")
        .stderr_contains(&url);
}

#[test]
fn verbose_shows_every_exchange_of_the_checks() {
    let out = probe(&["--sandbox", "--only", "sign-in", "-v"]);
    out.code(0)
        .stdout_contains("> POST http://127.0.0.1:")
        .stdout_contains("code_verifier=•••")
        .output_lacks("wonderland");
}

/// `--json -` puts the card's JSON alone on stdout (the table and `-v` on stderr), for a
/// pipe; a zero timeout is refused as for `run`.
#[test]
fn the_card_as_json_on_stdout_and_limits_as_for_run() {
    let out = probe(&["--sandbox", "--only", "jwks", "--json", "-", "-v"]);
    out.code(0);
    let card: Value = serde_json::from_str(&out.stdout).expect("stdout is the JSON card");
    assert_eq!(card["summary"]["passed"], 5);
    out.stderr_contains("5 checks: 5 passed, 0 failed")
        .stderr_contains("> GET http://127.0.0.1:");
    probe(&["--sandbox", "--timeout", "0"])
        .code(2)
        .stderr_contains("must be more than 0");
}
