//! DPoP (RFC 9449) inputs and what outlives a run: `dpop:` mistakes found by `baton check`
//! at their place, the `--save` rule (a token bound to a key made for one run is never
//! reused; one bound to a key file only with that key), and `baton token` refusing to print a
//! token nobody could use.

use super::{Provider, Vars};

const KEYED: &str = r"name: keyed
requests:
  - name: token
    id: tok
    oauth2:
      grant: client_credentials
      token_url: <<issuer>>/connect/token
      client_id: <<client_id>>
      client_secret: <<client_secret>>
      scope: api
      dpop: DPOP
  - name: introspect
    oauth2:
      grant: introspect
      issuer: <<issuer>>
      client_id: <<client_id>>
      client_secret: <<client_secret>>
      token: <<tok.access_token>>
    expect:
      body:
        $.cnf.jkt: <<tok.dpop_jkt>>
";

/// `--save`: a token bound to a key made for a run is never reused (that key is gone); one
/// bound to a key file is, while the file holds the same key.
#[test]
fn the_cache_keeps_only_tokens_of_key_files() {
    let p = Provider::sandbox();
    let state = tempfile::tempdir().unwrap();
    let keys = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/keys");
    let run = |dpop: &str, key: &str| {
        let out = p
            .run(&KEYED.replace("DPOP", dpop))
            .client(&p.dpop_client())
            .var("key", &keys.join(key).display().to_string())
            .arg("--save")
            .env("BATON_STATE_DIR", state.path())
            .run();
        out.code(0).stdout_contains("2 passed, 0 failed");
        out
    };
    let hits = p.token_hits();
    run("true", "");
    run("true", "");
    // Each run: the nonce retry and the token.
    assert_eq!(
        p.token_hits(),
        hits + 4,
        "a per-run key's token is requested again"
    );
    let keyed = "{ key: <<key>> }";
    run(keyed, "ec-p256-pkcs8.pem");
    let again = run(keyed, "ec-p256-pkcs8.pem");
    again.stdout_contains("token from the cache (--save): not requested again");
    assert_eq!(
        p.token_hits(),
        hits + 6,
        "the same key file: the cached token"
    );
    // Another key file: the cached token is bound to the other key, so it is not used.
    let other = run(keyed, "ed25519.pem");
    other.output_lacks("token from the cache");
    assert_eq!(p.token_hits(), hits + 8);
}

/// Mistakes in `dpop:` are input errors at their place, found by `baton check` too.
#[test]
fn check_finds_dpop_mistakes() {
    let ec = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/keys/ec-p256-pkcs8.pem"),
    )
    .unwrap();
    let block = |dpop: &str| {
        format!(
            "name: bad\nrequests:\n  - name: a\n    oauth2:\n      grant: client_credentials\n      token_url: http://127.0.0.1:9/token\n      client_id: x\n      client_secret: y\n      dpop: {dpop}\n"
        )
    };
    for (dpop, says) in [
        (
            "{ alg: RS256, key: ec.pem }",
            "the DPoP key `ec.pem` is an EC P-256 key, but `alg: RS256` signs with an RSA key",
        ),
        (
            "{ alg: ES256, kye: ec.pem }",
            "unknown key 'kye' in oauth2.dpop",
        ),
        ("{ alg: HS256 }", "unknown DPoP alg `HS256`"),
        ("yes", "`oauth2.dpop` is true or a mapping, not a string"),
        (
            "{ key: missing.pem }",
            "cannot read the DPoP key `missing.pem`",
        ),
    ] {
        let yaml = block(dpop);
        let out = crate::support::Baton::new()
            .file("c.yaml", &yaml)
            .file("ec.pem", &ec)
            .args(["check", "c.yaml"])
            .run();
        out.code(2)
            .stderr_contains(says)
            .stderr_contains("c.yaml:9:");
    }
    // On a grant that obtains no token it would bind nothing.
    let introspect = block("true").replace(
        "grant: client_credentials\n      token_url: http://127.0.0.1:9/token",
        "grant: introspect\n      introspection_url: http://127.0.0.1:9/i\n      token: t",
    );
    let out = crate::support::Baton::new()
        .file("c.yaml", &introspect)
        .args(["check", "c.yaml"])
        .run();
    out.code(2)
        .stderr_contains("`dpop` does not apply to grant introspect")
        .stderr_contains("c.yaml:10:13");
}

/// `baton token` will not print a token bound to a key that dies with the command.
#[test]
fn baton_token_refuses_a_per_run_key() {
    let p = Provider::sandbox();
    let hits = p.token_hits();
    let out = p
        .baton(
            &KEYED.replace("DPOP", "true"),
            &["token", "c.yaml", "--request", "tok"],
        )
        .client(&p.dpop_client())
        .run();
    out.code(2)
        .stderr_contains("a DPoP-bound token is useless without its key")
        .stderr_contains("c.yaml:3:");
    assert_eq!(p.token_hits(), hits, "nothing requested");
}
