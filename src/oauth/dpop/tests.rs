//! The client side of DPoP, piece by piece: proofs, nonces asked for, bound token
//! responses, the cache rule.

use super::*;

fn response(status: u16, headers: &[(&str, &str)], body: &Value) -> Response {
    let headers = headers
        .iter()
        .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
        .collect();
    Response::new(status, headers, serde_json::to_vec(body).unwrap())
}

#[test]
fn htu_is_the_url_without_query_and_fragment() {
    assert_eq!(
        htu("https://as.example/token?x=1#frag"),
        "https://as.example/token"
    );
}

#[test]
fn a_nonce_is_asked_with_the_error_and_the_header_together() {
    let error = json!({ "error": "use_dpop_nonce" });
    let nonce = [("DPoP-Nonce", "n-1")];
    assert!(token_endpoint_wants_nonce(&response(400, &nonce, &error)));
    assert!(!token_endpoint_wants_nonce(&response(400, &[], &error)));
    let other = json!({ "error": "invalid_dpop_proof" });
    assert!(!token_endpoint_wants_nonce(&response(400, &nonce, &other)));
    let challenge = [
        ("WWW-Authenticate", r#"DPoP error="use_dpop_nonce""#),
        ("DPoP-Nonce", "n-2"),
    ];
    assert!(resource_wants_nonce(&response(401, &challenge, &json!({}))));
    assert!(!resource_wants_nonce(&response(
        401,
        &challenge[..1],
        &json!({})
    )));
    let bearer = [
        ("WWW-Authenticate", r#"Bearer error="invalid_token""#),
        ("DPoP-Nonce", "n"),
    ];
    assert!(!resource_wants_nonce(&response(401, &bearer, &json!({}))));
}

#[test]
fn a_token_response_must_be_bound_to_the_key() {
    let key = Key::generate(Alg::ES256).unwrap();
    let ok = json!({ "access_token": "opaque", "token_type": "dpop" });
    assert!(check_token_response(&key, &response(200, &[], &ok)).is_ok());
    let bearer = json!({ "access_token": "opaque", "token_type": "Bearer" });
    let e = check_token_response(&key, &response(200, &[], &bearer)).unwrap_err();
    assert!(e.contains("token_type `Bearer`, not `DPoP`"), "{e}");
    // A JWT access token bound to another key.
    let b64 = |v: &Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
    let jwt = format!(
        "{}.{}.sig",
        b64(&json!({ "alg": "RS256" })),
        b64(&json!({ "cnf": { "jkt": "another" } }))
    );
    let other = json!({ "access_token": jwt, "token_type": "DPoP" });
    let e = check_token_response(&key, &response(200, &[], &other)).unwrap_err();
    assert!(e.contains("its cnf.jkt is `another`"), "{e}");
    // Refusals are judged as responses, not as unbound tokens.
    assert!(check_token_response(&key, &response(400, &[], &json!({}))).is_ok());
}

#[test]
fn a_proof_carries_what_rfc_9449_asks() {
    let key = Key::generate(Alg::EdDSA).unwrap();
    let proof = proof(&key, "GET", "http://rs.example:8/api?q=1", Some("h")).unwrap();
    let header = crate::jwt::decode_header(&proof).unwrap();
    let claims = crate::jwt::decode_claims(&proof).unwrap();
    assert_eq!(header["typ"], "dpop+jwt");
    assert_eq!(header["alg"], "EdDSA");
    assert_eq!(header["jwk"]["kty"], "OKP");
    assert_eq!(claims["htm"], "GET");
    assert_eq!(claims["htu"], "http://rs.example:8/api");
    assert_eq!(claims["ath"], "h");
    assert!(claims["jti"].is_string() && claims["iat"].is_i64());
}

#[test]
fn only_key_files_let_a_cached_token_be_reused() {
    let key = Key::generate(Alg::ES256).unwrap();
    let dpop = |file: Option<&str>| Dpop {
        alg: None,
        key: file.map(|f| {
            let source = crate::diag::SourceFile::new("c.yaml", "");
            Tpl::literal_at(f, crate::diag::Loc::default(), &source)
        }),
        made: OnceLock::new(),
    };
    let cached = json!({ "dpop_jkt": key.jkt });
    assert!(!cache_usable(&dpop(None), &cached, Some(&key)));
    assert!(cache_usable(&dpop(Some("k.pem")), &cached, Some(&key)));
    let other = Key::generate(Alg::ES256).unwrap();
    assert!(!cache_usable(&dpop(Some("k.pem")), &cached, Some(&other)));
    assert!(!cache_usable(&dpop(Some("k.pem")), &json!({}), Some(&key)));
}
