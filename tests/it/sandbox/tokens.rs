//! Password, client credentials and refresh grants; revocation, introspection, userinfo.

use super::*;

#[tokio::test]
async fn password_grant_issues_signed_access_and_refresh_tokens() {
    let f = start().await;
    let reply = f.password("api offline_access").await;
    assert_no_store(&reply.headers);
    assert_eq!(reply.json["token_type"], "Bearer");
    assert_eq!(reply.json["expires_in"], 3600);
    assert_eq!(reply.json["scope"], "api offline_access");
    assert!(
        reply.json["refresh_token"]
            .as_str()
            .is_some_and(|t| t.len() >= 32)
    );
    assert!(
        reply.json.get("id_token").is_none(),
        "no openid, no id_token"
    );
    let claims = f.verify(&reply.str("access_token"), "api").await;
    assert_eq!(claims["sub"], "818727");
    assert_eq!(claims["client_id"], CLIENT);
    assert_eq!(claims["scope"], "api offline_access");
    assert!(claims["jti"].is_string() && claims["iat"].is_i64());
    assert_eq!(
        claims["exp"].as_i64().expect("exp") - claims["iat"].as_i64().expect("iat"),
        3600
    );

    let wrong = f
        .token(&[
            ("grant_type", "password"),
            ("username", "alice"),
            ("password", "nope"),
        ])
        .await;
    assert_eq!(
        (wrong.status, wrong.error()),
        (StatusCode::BAD_REQUEST, "invalid_grant")
    );
}

#[tokio::test]
async fn client_credentials_grant_has_no_user_and_no_refresh_token() {
    let f = start().await;
    let reply = f
        .token(&[("grant_type", "client_credentials"), ("scope", "api")])
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
    assert!(reply.json.get("refresh_token").is_none());
    let claims = f.verify(&reply.str("access_token"), "api").await;
    assert_eq!(claims["sub"], CLIENT);

    let reply = f
        .token(&[
            ("grant_type", "client_credentials"),
            ("scope", "api offline_access"),
        ])
        .await;
    assert_eq!(
        (reply.status, reply.error()),
        (StatusCode::BAD_REQUEST, "invalid_scope")
    );
    let reply = f
        .token(&[("grant_type", "client_credentials"), ("scope", "api admin")])
        .await;
    assert_eq!(reply.error(), "invalid_scope");
}

#[tokio::test]
async fn refresh_rotates_and_may_narrow_but_not_widen_scope() {
    let f = start().await;
    let first = f.password("openid api offline_access").await;
    let rt1 = first.str("refresh_token");
    let second = f.refresh(&rt1).await;
    assert_eq!(second.status, StatusCode::OK, "{}", second.json);
    assert_no_store(&second.headers);
    let rt2 = second.str("refresh_token");
    assert!(!rt2.is_empty() && rt2 != rt1, "rotated");
    assert!(second.json["id_token"].is_string());

    let narrow = f
        .token(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", &rt2),
            ("scope", "api"),
        ])
        .await;
    assert_eq!(narrow.status, StatusCode::OK);
    assert_eq!(narrow.json["scope"], "api");
    let rt3 = narrow.str("refresh_token");
    let wide = f
        .token(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", &rt3),
            ("scope", "api email"),
        ])
        .await;
    assert_eq!(wide.error(), "invalid_scope");
    // The narrowed refresh keeps the original grant's scope for the next refresh.
    let again = f.refresh(&rt3).await;
    assert_eq!(again.json["scope"], "openid api offline_access");
}

#[tokio::test]
async fn reused_refresh_token_revokes_the_whole_family() {
    let f = start().await;
    let first = f.password("openid api offline_access").await;
    let rt1 = first.str("refresh_token");
    let second = f.refresh(&rt1).await;
    let (rt2, at2) = (second.str("refresh_token"), second.str("access_token"));
    assert_eq!(f.userinfo(&at2).await.status, StatusCode::OK);

    let reuse = f.refresh(&rt1).await;
    assert_eq!(
        (reuse.status, reuse.error()),
        (StatusCode::BAD_REQUEST, "invalid_grant")
    );
    let newest = f.refresh(&rt2).await;
    assert_eq!(
        newest.error(),
        "invalid_grant",
        "the newest refresh token dies with its family"
    );
    assert_eq!(
        f.introspect(&rt2).await,
        serde_json::json!({ "active": false })
    );
    assert_eq!(f.introspect(&at2).await["active"], false);
    assert_eq!(f.userinfo(&at2).await.status, StatusCode::UNAUTHORIZED);
    // Another family is untouched.
    let other = f.password("api offline_access").await;
    assert_eq!(
        f.refresh(&other.str("refresh_token")).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn revocation_of_access_and_refresh_tokens() {
    let f = start().await;
    let tokens = f.password("openid api offline_access").await;
    let (at, rt) = (tokens.str("access_token"), tokens.str("refresh_token"));
    let reply = f.revoke(&at).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(f.userinfo(&at).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        f.refresh(&rt).await.status,
        StatusCode::OK,
        "revoking an access token leaves the grant"
    );

    let tokens = f.password("openid api offline_access").await;
    assert_eq!(
        f.revoke(&tokens.str("refresh_token")).await.status,
        StatusCode::OK
    );
    assert_eq!(
        f.refresh(&tokens.str("refresh_token")).await.error(),
        "invalid_grant"
    );
    assert_eq!(
        f.introspect(&tokens.str("access_token")).await["active"],
        false,
        "the family goes"
    );

    assert_eq!(
        f.revoke("not-a-token").await.status,
        StatusCode::OK,
        "unknown tokens: 200"
    );
    let anonymous = f.post("/connect/revocation", &[("token", "x")]).await;
    assert_eq!(anonymous.error(), "invalid_client");
}

#[tokio::test]
async fn introspection_reports_active_tokens_and_needs_a_confidential_client() {
    let f = start().await;
    let tokens = f.password("api offline_access").await;
    let at = f.introspect(&tokens.str("access_token")).await;
    assert_eq!(at["active"], true);
    assert_eq!(at["client_id"], CLIENT);
    assert_eq!(at["scope"], "api offline_access");
    assert_eq!(at["sub"], "818727");
    assert_eq!(at["username"], "alice");
    assert!(at["exp"].is_i64());
    let rt = f.introspect(&tokens.str("refresh_token")).await;
    assert_eq!(rt["active"], true);
    assert_eq!(
        f.introspect("garbage").await,
        serde_json::json!({ "active": false })
    );
    f.sandbox.advance_clock(Duration::from_secs(3601));
    assert_eq!(
        f.introspect(&tokens.str("access_token")).await["active"],
        false,
        "expired"
    );

    let public = f
        .post(
            "/connect/introspect",
            &[("token", "x"), ("client_id", PUBLIC)],
        )
        .await;
    assert_eq!(
        (public.status, public.error()),
        (StatusCode::UNAUTHORIZED, "invalid_client")
    );
    let missing = f
        .post(
            "/connect/introspect",
            &[("client_id", CLIENT), ("client_secret", SECRET)],
        )
        .await;
    assert_eq!(missing.error(), "invalid_request");
}

#[tokio::test]
async fn userinfo_returns_claims_by_scope_and_rejects_bad_tokens() {
    let f = start().await;
    let tokens = f.password("openid profile email api").await;
    let info = f.userinfo(&tokens.str("access_token")).await;
    assert_eq!(info.status, StatusCode::OK);
    assert_no_store(&info.headers);
    assert_eq!(info.json["sub"], "818727");
    assert_eq!(info.json["name"], "Alice Liddell");
    assert_eq!(info.json["preferred_username"], "alice");
    assert_eq!(info.json["email"], "alice@example.com");
    assert_eq!(info.json["email_verified"], true);

    let narrow = f.password("openid api").await;
    let info = f.userinfo(&narrow.str("access_token")).await;
    assert_eq!(
        info.json.as_object().map(serde_json::Map::len),
        Some(1),
        "only sub: {}",
        info.json
    );

    let bad = f.userinfo("abc.def.ghi").await;
    assert_eq!(bad.status, StatusCode::UNAUTHORIZED);
    let challenge = bad
        .headers
        .get(WWW_AUTHENTICATE)
        .expect("challenge")
        .to_str()
        .expect("ascii");
    assert!(
        challenge.starts_with("Bearer ") && challenge.contains(r#"error="invalid_token""#),
        "{challenge}"
    );

    let no_openid = f.password("api").await;
    assert_eq!(
        f.userinfo(&no_openid.str("access_token")).await.status,
        StatusCode::FORBIDDEN
    );

    let none = read_reply(
        f.http
            .get(f.url("/connect/userinfo"))
            .send()
            .await
            .expect("send"),
    )
    .await;
    assert_eq!(none.status, StatusCode::UNAUTHORIZED);
    assert!(none.headers.contains_key(WWW_AUTHENTICATE));

    f.sandbox.advance_clock(Duration::from_secs(3601));
    let expired = f.userinfo(&tokens.str("access_token")).await;
    assert_eq!(expired.status, StatusCode::UNAUTHORIZED, "expired");
}
