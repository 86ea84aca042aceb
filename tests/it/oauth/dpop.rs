//! DPoP (RFC 9449) on both providers (oidc-provider with `features.dPoP`, a nonce always
//! required), asserted on the wire: a proof on every token request, the `use_dpop_nonce`
//! retry, a `DPoP` token bound to the key (`cnf.jkt` = `<<id.dpop_jkt>>`, shown by
//! introspection), userinfo through `Authorization: DPoP` with an `ath` proof; refused
//! proofs (replayed, wrong `htu`, none at all) reported as the provider words them.

use super::{Kind, Provider, Vars, both, own};
use crate::support::{Output, redact};
use serde_json::Value;

const SIGN_IN: &str = r"name: dpop
requests:
  - name: sign in
    id: tok
    oauth2:
      grant: authorization_code
      issuer: <<issuer>>
      client_id: <<client_id>>
      client_secret: <<client_secret>>
      redirect_uri: <<redirect_uri>>
      login: { username: <<username>>, password: <<password>> }
      scope: openid profile
      dpop: DPOP
    expect:
      status: 200
      body:
        $.token_type: DPoP
  - name: userinfo
    url: <<userinfo>>
    auth: { oauth2: tok }
    expect:
      status: 200
      body:
        $.sub: { exists: true }
  - name: introspect
    oauth2:
      grant: introspect
      issuer: <<issuer>>
      client_id: <<client_id>>
      client_secret: <<client_secret>>
      token: <<tok.access_token>>
    expect:
      body:
        $.active: true
        $.token_type: DPoP
        $.cnf.jkt: <<tok.dpop_jkt>>
";

fn sign_in(dpop: &str) -> String {
    SIGN_IN.replace("DPOP", dpop)
}

/// The proofs `-v` printed, decoded: (header, claims) in the order sent.
fn proofs(out: &Output) -> Vec<(Value, Value)> {
    let decode = |part: &str| -> Value {
        use base64::Engine as _;
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(part)
            .expect("base64url");
        serde_json::from_slice(&bytes).expect("JSON")
    };
    out.stdout
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix("> DPoP: "))
        .map(|jwt| {
            let parts: Vec<&str> = jwt.split('.').collect();
            (decode(parts[0]), decode(parts[1]))
        })
        .collect()
}

/// A proof per token request, the nonce retry, a bound token, userinfo with an `ath` proof.
fn proofs_nonce_and_binding(p: &Provider) {
    let out = p
        .run(&sign_in("true"))
        .client(&p.dpop_client())
        .arg("-v")
        .run();
    out.code(0).stdout_contains("3 passed, 0 failed");
    let token_url = format!("{}/connect/token", p.issuer());
    let proofs = proofs(&out);
    // The first token request has no nonce and is refused for one; the retry carries it.
    assert_eq!(
        proofs.len(),
        3,
        "two token requests and userinfo: {proofs:#?}"
    );
    out.stdout_contains("< dpop-nonce: ")
        .stdout_contains("\"error\": \"use_dpop_nonce\"")
        .stdout_contains("> authorization: DPoP •••");
    for (header, claims) in &proofs {
        assert_eq!(header["typ"], "dpop+jwt");
        assert_eq!(header["alg"], "ES256");
        assert!(header["jwk"]["x"].is_string() && header["jwk"].get("d").is_none());
        assert!(claims["jti"].is_string() && claims["iat"].is_i64());
    }
    let (first, retry, resource) = (&proofs[0].1, &proofs[1].1, &proofs[2].1);
    assert_eq!(first["htm"], "POST");
    assert_eq!(first["htu"], token_url.as_str());
    assert!(first.get("nonce").is_none(), "{first}");
    assert!(retry["nonce"].is_string(), "{retry}");
    assert_ne!(first["jti"], retry["jti"]);
    assert_eq!(resource["htm"], "GET");
    assert_eq!(
        resource["htu"],
        format!("{}/connect/userinfo", p.issuer()).as_str()
    );
    assert!(resource["ath"].is_string(), "{resource}");
    // The same key throughout, the code bound to it at the authorize request (RFC 9449 10).
    assert_eq!(proofs[0].0["jwk"], proofs[2].0["jwk"]);
    let jwk: jsonwebtoken::jwk::Jwk = serde_json::from_value(proofs[0].0["jwk"].clone()).unwrap();
    let jkt = jwk
        .thumbprint(jsonwebtoken::jwk::ThumbprintHash::SHA256)
        .unwrap();
    out.stdout_contains(&format!("dpop_jkt={jkt}"));
    if let Some(with_proof) = p.dpop_hits("/connect/token") {
        assert_eq!(with_proof, 2);
        assert_eq!(p.hits("/connect/token"), 2);
        assert_eq!(p.dpop_hits("/connect/userinfo"), Some(1));
    }
}
own!(proofs_nonce_and_binding, None);

/// A key file: its thumbprint is the `cnf.jkt` of the token (the sandbox's tokens are JWTs).
fn key_file_binds_the_token(p: &Provider) {
    let key = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/keys/ec-p256-pkcs8.pem");
    let dpop = format!("{{ alg: ES256, key: {} }}", key.display());
    let out = p.run(&sign_in(&dpop)).client(&p.dpop_client()).run();
    out.code(0).stdout_contains("3 passed, 0 failed");
}
both!(key_file_binds_the_token);

const FAPI: &str = r"name: fapi
requests:
  - name: sign in
    id: fapi
    oauth2:
      grant: authorization_code
      issuer: <<issuer>>
      client_id: <<client_id>>
      client_auth: private_key_jwt
      private_key: <<key>>
      assertion_audience: issuer
      redirect_uri: <<redirect_uri>>
      login: { username: <<username>>, password: <<password>> }
      scope: openid
      pkce: S256
      par: PAR
      dpop: DPOP
    expect:
      status: 200
      body:
        $.token_type: DPoP
  - name: userinfo
    url: <<userinfo>>
    auth: { oauth2: fapi }
    expect:
      status: 200
";

/// FAPI 2.0's client side as one headless flow: PAR, PKCE S256, private_key_jwt for the
/// issuer, DPoP; userinfo with the bound token.
fn fapi2_flow(p: &Provider) {
    let Some((client, key, _)) = p.fapi_client() else {
        return;
    };
    let yaml = FAPI.replace("PAR", "true").replace("DPOP", "true");
    let out = p
        .run(&yaml)
        .client(&client)
        .var("key", &key.display().to_string())
        .arg("-v")
        .run();
    out.code(0).stdout_contains("2 passed, 0 failed");
    let issuer = p.issuer();
    out.stdout_contains(&format!("> POST {issuer}/connect/par"))
        .stdout_contains("code_challenge_method=S256")
        .stdout_contains("> authorization: DPoP •••");
    let (_, token_proof) = &proofs(&out)[0];
    assert_eq!(
        token_proof["htu"],
        format!("{issuer}/connect/token").as_str()
    );
}
both!(fapi2_flow);

/// The sandbox's `baton-fapi` refuses a flow without DPoP and one without PAR.
#[test]
fn fapi2_deviations_refused() {
    let p = Provider::sandbox();
    let (client, key, _) = p.fapi_client().expect("baton-fapi");
    let run = |par: &str, dpop: &str| {
        let yaml = FAPI.replace("PAR", par).replace("DPOP", dpop);
        let sign_in_only = yaml.split("  - name: userinfo").next().unwrap_or_default();
        p.run(sign_in_only)
            .client(&client)
            .var("key", &key.display().to_string())
            .run()
    };
    let out = run("true", "false");
    out.code(1);
    insta::assert_snapshot!("fapi2_without_dpop", refusal_400(&out));
    let out = run("false", "true");
    out.code(1)
        .stdout_contains("must push its authorization requests");
}

fn refusal_400(out: &Output) -> String {
    let line = out
        .stdout
        .lines()
        .find(|l| l.contains("actual: 400"))
        .unwrap_or_else(|| panic!("no 400 reported:\n{}", out.stdout));
    redact(line.trim_start_matches(|c: char| c == ' ' || c == '|' || c.is_ascii_digit()))
}

const PASSWORD: &str = r"name: refresh
requests:
  - name: sign in
    id: tok
    oauth2:
      grant: password
      issuer: <<issuer>>
      client_id: <<client_id>>
      client_secret: <<client_secret>>
      username: <<username>>
      password: <<password>>
      scope: openid offline_access
      dpop: { key: <<key_a>> }
  - name: refresh with the same key
    id: again
    oauth2:
      grant: refresh_token
      issuer: <<issuer>>
      client_id: <<client_id>>
      client_secret: <<client_secret>>
      refresh_token: <<tok.refresh_token>>
      dpop: { key: <<key_a>> }
  - name: refresh with another key
    oauth2:
      grant: refresh_token
      issuer: <<issuer>>
      client_id: <<client_id>>
      client_secret: <<client_secret>>
      refresh_token: <<again.refresh_token>>
      dpop: { alg: EdDSA, key: <<key_b>> }
    expect:
      status: 200
";

/// The sandbox binds refresh tokens too: a refresh with another key is refused.
#[test]
fn refresh_tokens_are_bound() {
    let p = Provider::sandbox();
    let keys = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/keys");
    let out = p
        .run(PASSWORD)
        .client(&p.dpop_client())
        .var(
            "key_a",
            &keys.join("ec-p256-pkcs8.pem").display().to_string(),
        )
        .var("key_b", &keys.join("ed25519.pem").display().to_string())
        .run();
    out.code(1).stdout_contains("2 passed, 1 failed");
    insta::assert_snapshot!("dpop_refresh_other_key", refusal_400(&out));
}

const CC: &str = r"name: cc
requests:
  - name: token
    id: tok
    oauth2:
      grant: client_credentials
      issuer: <<issuer>>
      client_id: <<client_id>>
      client_secret: <<client_secret>>
      DPOP
";

/// `baton-dpop` refuses a token request without a proof; a provider that answers a proof
/// with a Bearer token fails the request (oidc-provider's custom password grant ignores DPoP).
#[test]
fn missing_proof_and_ignored_proof() {
    let p = Provider::sandbox();
    let out = p
        .run(&CC.replace("DPOP", "scope: api"))
        .client(&p.dpop_client())
        .run();
    out.code(1);
    out.stdout_contains("invalid_dpop_proof: client `baton-dpop` requires DPoP-bound tokens");
    if let Some(p) = Provider::interop_shared() {
        let yaml = PASSWORD
            .replace("dpop: { key: <<key_a>> }", "dpop: true")
            .split("  - name: refresh with the same key")
            .next()
            .unwrap()
            .to_string();
        let out = p.run(&yaml).client(&p.dpop_client()).run();
        out.code(1);
        let said = out
            .stdout
            .lines()
            .find(|l| l.starts_with("error: "))
            .unwrap_or_default();
        insta::assert_snapshot!("dpop_ignored_interop", redact(said));
    }
}

/// A renewal of `auth: { oauth2: id }` carries a proof too: access tokens living one second
/// are renewed (refresh grant) before userinfo.
#[test]
fn renewal_carries_a_proof() {
    let p = Provider::own(Kind::Sandbox, Some(1)).expect("the sandbox");
    let yaml = PASSWORD
        .split("  - name: refresh with the same key")
        .next()
        .unwrap()
        .replace("dpop: { key: <<key_a>> }", "dpop: true")
        + "  - name: userinfo\n    url: <<userinfo>>\n    auth: { oauth2: tok }\n    expect:\n      status: 200\n";
    let out = p.run(&yaml).client(&p.dpop_client()).arg("-v").run();
    out.code(0).stdout_contains("2 passed, 0 failed");
    out.stdout_contains("grant_type=refresh_token");
    // sign-in (nonce retry + retry) , the renewal, userinfo: every one with a proof.
    assert_eq!(proofs(&out).len(), 4, "{}", out.stdout);
}

/// A resource server that wants a nonce of its own (here: the sandbox addressed as
/// `localhost`, another origin than the token endpoint's `127.0.0.1`, so no nonce is known
/// for it) answers `401` with `WWW-Authenticate: DPoP error="use_dpop_nonce"`: baton sends
/// the request once more with the nonce.
#[test]
fn a_resource_nonce_is_retried_once() {
    let p = Provider::sandbox();
    let userinfo = format!("{}/connect/userinfo", p.issuer()).replace("127.0.0.1", "localhost");
    let yaml = CC.replace("DPOP", "scope: api\n      dpop: true")
        + "  - name: userinfo\n    url: <<userinfo>>\n    auth: { oauth2: tok }\n    expect:\n      status: 403\n";
    let out = p
        .run(&yaml)
        .client(&p.dpop_client())
        .var("userinfo", &userinfo)
        .arg("-v")
        .run();
    // Past the proof, the sandbox's userinfo wants a user's openid token: 403 shows the
    // retried proof was accepted.
    out.code(0).stdout_contains("2 passed, 0 failed");
    out.stdout_contains(r#"www-authenticate: DPoP error="use_dpop_nonce""#);
    let at_userinfo: Vec<(Value, Value)> = proofs(&out)
        .into_iter()
        .filter(|(_, c)| c["htm"] == "GET")
        .collect();
    assert_eq!(at_userinfo.len(), 2, "{}", out.stdout);
    assert!(at_userinfo[0].1.get("nonce").is_none());
    assert!(at_userinfo[1].1["nonce"].is_string());
    assert_ne!(at_userinfo[0].1["jti"], at_userinfo[1].1["jti"]);
}

const DEVICE: &str = r"name: device
requests:
  - name: sign in on another device
    id: device
    oauth2:
      grant: device_code
      issuer: <<issuer>>
      client_id: <<client_id>>
      client_secret: <<client_secret>>
      scope: openid profile
      wait: 40s
      dpop: true
  - name: userinfo
    GET: <<userinfo>>
    auth: { oauth2: device }
    expect:
      body: { $.preferred_username: alice }
";

/// The device grant polls the token endpoint: every poll carries a fresh proof (the
/// authorization request to the device endpoint none), and the token works at userinfo.
#[test]
fn every_device_poll_carries_a_proof() {
    use std::os::unix::fs::PermissionsExt as _;
    let config =
        baton::SandboxConfig::from_yaml_str("lifetimes:\n  device_interval: 1\n", "t.yaml")
            .expect("config");
    let p = Provider::sandbox_with(config);
    let baton = p.run(DEVICE).client(&p.dpop_client()).arg("-v");
    let script = baton.dir().join("approve.sh");
    std::fs::write(&script, super::grants::APPROVER).unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    let out = baton
        .env("BROWSER", &script)
        .env("APPROVE_URL", p.device_approve_url())
        .env("APPROVE_AFTER", "2.5")
        .env("APPROVE_LOG", script.with_file_name("approve.log"))
        .timeout(std::time::Duration::from_secs(50))
        .run();
    out.code(0).stdout_contains("2 passed, 0 failed");
    let posts = |path: &str| {
        let line = format!("> POST {}{path}", p.issuer());
        out.stdout
            .lines()
            .filter(|l| l.trim_start() == line)
            .count()
    };
    let token_proofs = proofs(&out)
        .iter()
        .filter(|(_, c)| c["htm"] == "POST")
        .count();
    assert!(
        posts("/connect/token") >= 3,
        "the nonce retry and a pending poll at least"
    );
    assert_eq!(
        token_proofs,
        posts("/connect/token"),
        "a proof per token request"
    );
    assert_eq!(posts("/connect/deviceauthorization"), 1);
}

/// Every grant of `collections/more-grants.yaml` (password, client credentials, token
/// exchange, JWT bearer, custom) with `dpop: true`: each gets a bound token, through a proof
/// on each token request.
#[test]
fn every_grant_carries_proofs() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let yaml = std::fs::read_to_string(root.join("collections/more-grants.yaml")).unwrap();
    let issuer = "\n      issuer: <<baseAuthURL>>\n";
    let yaml = yaml
        .replace(issuer, &format!("{issuer}      dpop: true\n"))
        .replace("$.token_type: Bearer", "$.token_type: DPoP");
    let out = crate::support::Baton::new()
        .file("c.yaml", &yaml)
        .args(["run", "c.yaml", "--sandbox", "-v"])
        .run();
    out.code(0).stdout_contains("5 passed, 0 failed");
    let posts = out
        .stdout
        .lines()
        .filter(|l| l.trim_start().starts_with("> POST ") && l.ends_with("/connect/token"))
        .count();
    assert_eq!(proofs(&out).len(), posts, "a proof per token request");
    assert_eq!(out.stdout.matches("\"token_type\": \"DPoP\"").count(), 5);
}
