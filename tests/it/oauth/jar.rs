//! Signed request objects (JAR, RFC 9101) on both providers (oidc-provider with its
//! `requestObjects` feature), asserted on the wire: the authorize parameters as the claims of
//! a JWT the client signed (`typ`, `alg`, `kid`, `iss`, `aud`, a minute of life), pushed or
//! by value; one signed with a key the client never registered refused.

use super::par::{body_after, hops};
use super::{Kind, Provider, Vars, both};

/// The header and claims of the compact JWT `jwt`, unverified.
fn jwt_parts(jwt: &str) -> (serde_json::Value, serde_json::Value) {
    use base64::Engine as _;
    let part = |i: usize| {
        let raw = jwt.split('.').nth(i).expect("a compact JWT");
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(raw)
            .expect("base64url");
        serde_json::from_slice(&bytes).expect("JSON")
    };
    (part(0), part(1))
}

const SIGNED: &str = r"name: jar
requests:
  - name: a signed request object, pushed
    oauth2: &signed
      grant: authorization_code
      issuer: <<issuer>>
      client_id: <<client_id>>
      client_auth: private_key_jwt
      private_key: <<key>>
      key_id: <<kid>>
      redirect_uri: <<redirect_uri>>
      scope: openid
      request_object: signed
      par: true
  - name: a signed request object, by value
    oauth2:
      <<: *signed
      par: false
";

/// RFC 9101 on the wire: the parameters as the claims of a JWT signed with the client's key,
/// `typ` oauth-authz-req+jwt, its `kid`, `iss` the client, `aud` the issuer, a minute of
/// life; by value the authorize request carries `client_id` and `request` only.
fn signed_request_objects(p: &Provider) {
    let Some((client, key, alg)) = p.pkjwt_client() else {
        return;
    };
    let kid = match p.kind {
        Kind::Sandbox => "any-kid",
        Kind::Interop => "pkjwt-fixture",
    };
    let out = p
        .run(SIGNED)
        .client(&client)
        .var("key", &key.display().to_string())
        .var("kid", kid)
        .arg("-v")
        .run();
    out.code(0).stdout_contains("2 passed, 0 failed");
    let issuer = p.issuer();
    let pushed = body_after(&out, &format!("POST {issuer}/connect/par"));
    let pushed: Vec<(String, String)> = url::form_urlencoded::parse(pushed.as_bytes())
        .into_owned()
        .collect();
    let names: Vec<&str> = pushed.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        names,
        [
            "request",
            "client_id",
            "client_assertion_type",
            "client_assertion"
        ]
    );
    let hops = hops(&out);
    let by_value = hops
        .iter()
        .find(|h| h.contains("/connect/authorize?client_id=") && h.contains("&request="))
        .expect("the authorize request by value");
    let (_, query) = by_value.split_once('?').unwrap();
    let sent: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    assert_eq!(sent.len(), 2, "{by_value}");
    for jwt in [&pushed[0].1, &sent[1].1] {
        let (header, claims) = jwt_parts(jwt);
        assert_eq!(header["typ"], "oauth-authz-req+jwt");
        assert_eq!(header["alg"], alg);
        assert_eq!(header["kid"], kid);
        assert_eq!(claims["iss"], client.id.as_str());
        assert_eq!(claims["client_id"], client.id.as_str());
        assert_eq!(claims["aud"], issuer);
        assert_eq!(claims["response_type"], "code");
        assert_eq!(claims["redirect_uri"], p.redirect_uri());
        assert_eq!(claims["code_challenge_method"], "S256");
        assert!(claims["state"].is_string() && claims["jti"].is_string());
        let (iat, exp) = (
            claims["iat"].as_i64().unwrap(),
            claims["exp"].as_i64().unwrap(),
        );
        assert_eq!((claims["nbf"].as_i64(), exp - iat), (Some(iat), 60));
    }
}
both!(signed_request_objects);

/// A request object signed with a key the client never registered is refused by the
/// provider, which baton reports.
fn a_request_object_with_another_key_is_refused(p: &Provider) {
    let Some((client, _, _)) = p.pkjwt_client() else {
        return;
    };
    let other = match p.kind {
        Kind::Sandbox => "interop-pkjwt-private.pem",
        Kind::Interop => "sandbox-pkjwt-private.pem",
    };
    let key = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/keys")
        .join(other);
    let yaml = r"name: jar refused
requests:
  - name: signed with a stranger's key
    oauth2:
      grant: authorization_code
      issuer: <<issuer>>
      client_id: <<client_id>>
      client_auth: private_key_jwt
      private_key: <<key>>
      redirect_uri: <<redirect_uri>>
      scope: openid
      request_object: signed
      exchange: false
    expect:
      status: any
";
    let out = p
        .run(yaml)
        .client(&client)
        .var("key", &key.display().to_string())
        .arg("-v")
        .run();
    out.stdout_contains("invalid_request_object");
    out.output_lacks("code=");
}
both!(a_request_object_with_another_key_is_refused);
