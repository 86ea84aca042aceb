//! The authorization code grant: /connect/authorize, PKCE, redirect URIs, code reuse and expiry.

use super::*;

#[tokio::test]
async fn authorization_code_with_s256_yields_verified_id_token() {
    let f = start().await;
    let code = f
        .code(CLIENT, Some((&s256(VERIFIER), "S256")), REDIRECT)
        .await;
    let reply = f.exchange(&code, REDIRECT, Some(VERIFIER)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
    assert_no_store(&reply.headers);
    assert!(reply.json["refresh_token"].is_string());
    let access_token = reply.str("access_token");
    let id = f.verify(&reply.str("id_token"), CLIENT).await;
    assert_eq!(id["iss"], f.sandbox.issuer());
    assert_eq!(id["aud"], CLIENT);
    assert_eq!(id["sub"], "818727");
    assert_eq!(id["nonce"], "n0nce");
    assert!(id["auth_time"].is_i64());
    let digest = Sha256::digest(access_token.as_bytes());
    assert_eq!(id["at_hash"], URL_SAFE_NO_PAD.encode(&digest[..16]));
}

#[tokio::test]
async fn authorization_code_with_plain_pkce_and_public_client() {
    let f = start().await;
    let code = f.code(PUBLIC, Some((VERIFIER, "plain")), REDIRECT).await;
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", REDIRECT),
        ("code_verifier", VERIFIER),
        ("client_id", PUBLIC),
    ];
    let reply = f.post("/connect/token", &form).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
    let claims = f.verify(&reply.str("access_token"), "api").await;
    assert_eq!(claims["client_id"], PUBLIC);
}

#[tokio::test]
async fn public_client_without_pkce_gets_error_redirect() {
    let f = start().await;
    let params = [
        ("response_type", "code"),
        ("client_id", PUBLIC),
        ("redirect_uri", REDIRECT),
        ("state", "s1"),
    ];
    let (status, location, _) = f.authorize(&params).await;
    assert_eq!(status, StatusCode::FOUND);
    let q = query(&location.expect("Location"));
    assert_eq!(q["error"], "invalid_request");
    assert!(q["error_description"].contains("PKCE"));
    assert_eq!(q["state"], "s1");
    assert!(!q.contains_key("code"));
}

#[tokio::test]
async fn authorize_errors_redirect_with_state() {
    let f = start().await;
    let challenge = s256(VERIFIER);
    let cases = [
        (("response_type", "token"), "unsupported_response_type"),
        (("scope", "openid admin"), "invalid_scope"),
        (("code_challenge_method", "S512"), "invalid_request"),
    ];
    for ((name, value), expected) in cases {
        let mut params = vec![
            ("response_type", "code"),
            ("client_id", CLIENT),
            ("redirect_uri", REDIRECT),
            ("state", "xyz"),
            ("code_challenge", challenge.as_str()),
        ];
        params.retain(|(k, _)| *k != name);
        params.push((name, value));
        let (status, location, _) = f.authorize(&params).await;
        assert_eq!(status, StatusCode::FOUND, "{name}={value}");
        let q = query(&location.expect("Location"));
        assert!(
            q.get("error").is_some_and(|e| e == expected),
            "{name}={value}: {q:?}"
        );
        assert_eq!(q["state"], "xyz");
        assert!(q.contains_key("error_description"));
    }
}

#[tokio::test]
async fn authorize_with_bad_client_or_redirect_shows_page_not_redirect() {
    let f = start().await;
    let cases: [&[(&str, &str)]; 3] = [
        &[
            ("response_type", "code"),
            ("client_id", "nobody"),
            ("redirect_uri", REDIRECT),
        ],
        &[
            ("response_type", "code"),
            ("client_id", CLIENT),
            ("redirect_uri", "https://evil.example/cb"),
        ],
        &[
            ("response_type", "code"),
            ("client_id", CLIENT),
            ("redirect_uri", "http://127.0.0.1:8765/other"),
        ],
    ];
    for params in cases {
        let (status, location, body) = f.authorize(params).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{params:?}");
        assert!(location.is_none(), "never redirects: {params:?}");
        assert!(body.contains("Authorization request rejected"));
    }
    // A loopback redirect on another port is fine (RFC 8252 7.3), and the code goes there.
    let code_params = [
        ("response_type", "code"),
        ("client_id", CLIENT),
        ("redirect_uri", "http://localhost:50123/callback"),
    ];
    let (status, location, _) = f.authorize(&code_params).await;
    assert_eq!(status, StatusCode::FOUND);
    assert!(
        location
            .expect("Location")
            .starts_with("http://localhost:50123/callback?code=")
    );
}

#[tokio::test]
async fn login_hint_picks_the_user() {
    let f = start().await;
    let params = [
        ("response_type", "code"),
        ("client_id", CLIENT),
        ("redirect_uri", REDIRECT),
        ("login_hint", "bob"),
        ("scope", "api"),
    ];
    let (_, location, _) = f.authorize(&params).await;
    let code = query(&location.expect("Location"))["code"].clone();
    let reply = f.exchange(&code, REDIRECT, None).await;
    let claims = f.verify(&reply.str("access_token"), "api").await;
    assert_eq!(claims["sub"], "88421113");
}

#[tokio::test]
async fn reused_code_fails_and_revokes_its_tokens() {
    let f = start().await;
    let code = f
        .code(CLIENT, Some((&s256(VERIFIER), "S256")), REDIRECT)
        .await;
    let first = f.exchange(&code, REDIRECT, Some(VERIFIER)).await;
    assert_eq!(first.status, StatusCode::OK);
    let access_token = first.str("access_token");
    assert_eq!(f.introspect(&access_token).await["active"], true);
    let second = f.exchange(&code, REDIRECT, Some(VERIFIER)).await;
    assert_eq!(
        (second.status, second.error()),
        (StatusCode::BAD_REQUEST, "invalid_grant")
    );
    assert_eq!(f.introspect(&access_token).await["active"], false);
    assert_eq!(
        f.refresh(&first.str("refresh_token")).await.error(),
        "invalid_grant"
    );
}

#[tokio::test]
async fn expired_code_is_invalid_grant() {
    let mut config = SandboxConfig::default();
    config.lifetimes.code = 1;
    let f = start_with(config).await;
    let fresh = f.code(CLIENT, None, REDIRECT).await;
    let code = f.code(CLIENT, None, REDIRECT).await;
    assert_eq!(
        f.exchange(&fresh, REDIRECT, None).await.status,
        StatusCode::OK
    );
    f.sandbox.advance_clock(Duration::from_secs(2));
    let reply = f.exchange(&code, REDIRECT, None).await;
    assert_eq!(reply.error(), "invalid_grant");
    assert!(reply.str("error_description").contains("expired"));
}

#[tokio::test]
async fn token_request_must_repeat_the_authorize_redirect_uri() {
    let f = start().await;
    let code = f
        .code(CLIENT, None, "http://127.0.0.1:40001/callback")
        .await;
    // Another port matches the registration but is not the URI the code was sent to.
    let reply = f
        .exchange(&code, "http://127.0.0.1:40002/callback", None)
        .await;
    assert_eq!(
        (reply.status, reply.error()),
        (StatusCode::BAD_REQUEST, "invalid_grant")
    );
    let code = f.code(CLIENT, None, REDIRECT).await;
    assert_eq!(
        f.token(&[("grant_type", "authorization_code"), ("code", &code)])
            .await
            .error(),
        "invalid_grant"
    );
}

#[tokio::test]
async fn pkce_mismatch_fails_for_s256_and_plain() {
    let f = start().await;
    let other = "x".repeat(43);
    let code = f
        .code(CLIENT, Some((&s256(VERIFIER), "S256")), REDIRECT)
        .await;
    assert_eq!(
        f.exchange(&code, REDIRECT, Some(&other)).await.error(),
        "invalid_grant"
    );
    let code = f.code(CLIENT, Some((VERIFIER, "plain")), REDIRECT).await;
    assert_eq!(
        f.exchange(&code, REDIRECT, Some(&other)).await.error(),
        "invalid_grant"
    );
    let code = f.code(CLIENT, Some((VERIFIER, "plain")), REDIRECT).await;
    let reply = f.exchange(&code, REDIRECT, None).await;
    assert_eq!(
        reply.error(),
        "invalid_grant",
        "a challenge needs a verifier"
    );
    // The right verifier for a code whose challenge was S256 passes, so the failures above are PKCE's.
    let code = f
        .code(CLIENT, Some((&s256(VERIFIER), "S256")), REDIRECT)
        .await;
    assert_eq!(
        f.exchange(&code, REDIRECT, Some(VERIFIER)).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn repeated_authorize_parameter_is_invalid_request() {
    let f = start().await;
    let params = [
        ("response_type", "code"),
        ("client_id", CLIENT),
        ("redirect_uri", REDIRECT),
        ("state", "a"),
        ("state", "b"),
    ];
    let (status, location, _) = f.authorize(&params).await;
    assert_eq!(status, StatusCode::FOUND);
    let q = query(&location.expect("Location"));
    assert_eq!(q.get("error").map(String::as_str), Some("invalid_request"));
    assert!(!q.contains_key("code") && !q.contains_key("state"));
}
