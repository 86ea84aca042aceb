//! Client authentication (Basic and body) and token-endpoint request errors.

use super::*;

#[tokio::test]
async fn wrong_secret_or_unknown_client_is_401_with_challenge() {
    let f = start().await;
    for (id, secret) in [(CLIENT, "wrong"), ("nobody", SECRET), (CLIENT, "")] {
        let form = [
            ("grant_type", "client_credentials"),
            ("client_id", id),
            ("client_secret", secret),
        ];
        let reply = f.post("/connect/token", &form).await;
        assert_eq!(
            (reply.status, reply.error()),
            (StatusCode::UNAUTHORIZED, "invalid_client"),
            "{id}:{secret}"
        );
        let challenge = reply
            .headers
            .get(WWW_AUTHENTICATE)
            .expect("WWW-Authenticate");
        assert_eq!(challenge, r#"Basic realm="baton-sandbox""#);
    }
    let basic = f
        .http
        .post(f.url("/connect/token"))
        .basic_auth(CLIENT, Some("wrong"))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .expect("send");
    let reply = read_reply(basic).await;
    assert_eq!(
        (reply.status, reply.error()),
        (StatusCode::UNAUTHORIZED, "invalid_client")
    );
    assert!(reply.headers.contains_key(WWW_AUTHENTICATE));
}

#[tokio::test]
async fn basic_and_body_credentials_at_once_is_invalid_request() {
    let f = start().await;
    let response = f
        .http
        .post(f.url("/connect/token"))
        .basic_auth(CLIENT, Some(SECRET))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", CLIENT),
            ("client_secret", SECRET),
        ])
        .send()
        .await
        .expect("send");
    let reply = read_reply(response).await;
    assert_eq!(
        (reply.status, reply.error()),
        (StatusCode::BAD_REQUEST, "invalid_request")
    );
    // Each method alone works.
    let basic = f
        .http
        .post(f.url("/connect/token"))
        .basic_auth(CLIENT, Some(SECRET))
        .form(&[("grant_type", "client_credentials")]);
    assert_eq!(basic.send().await.expect("send").status(), StatusCode::OK);
}

#[tokio::test]
async fn basic_special_secret_must_be_form_encoded() {
    let f = start().await;
    let send = |id: String, secret: String| {
        f.http
            .post(f.url("/connect/token"))
            .basic_auth(id, Some(secret))
            .form(&[("grant_type", "client_credentials"), ("scope", "api")])
            .send()
    };
    let encoded = send(form_encode(SPECIAL), form_encode(SPECIAL_SECRET))
        .await
        .expect("send");
    assert_eq!(encoded.status(), StatusCode::OK);
    let raw = read_reply(
        send(SPECIAL.into(), SPECIAL_SECRET.into())
            .await
            .expect("send"),
    )
    .await;
    assert_eq!(
        (raw.status, raw.error()),
        (StatusCode::UNAUTHORIZED, "invalid_client")
    );
    // In the body, the form encoding is the transport's own, so the raw secret is right there.
    let body = f
        .post(
            "/connect/token",
            &[
                ("grant_type", "client_credentials"),
                ("client_id", SPECIAL),
                ("client_secret", SPECIAL_SECRET),
            ],
        )
        .await;
    assert_eq!(body.status, StatusCode::OK);
}

#[tokio::test]
async fn grant_type_and_body_errors() {
    let f = start().await;
    let reply = f
        .token(&[(
            "grant_type",
            "urn:ietf:params:oauth:grant-type:saml2-bearer",
        )])
        .await;
    assert_eq!(
        (reply.status, reply.error()),
        (StatusCode::BAD_REQUEST, "unsupported_grant_type")
    );
    assert_eq!(
        f.token(&[("scope", "api")]).await.error(),
        "invalid_request",
        "missing grant_type"
    );
    let public = f
        .post(
            "/connect/token",
            &[
                ("grant_type", "password"),
                ("client_id", PUBLIC),
                ("username", "alice"),
                ("password", "wonderland"),
            ],
        )
        .await;
    assert_eq!(public.error(), "unauthorized_client");
    let json = f
        .http
        .post(f.url("/connect/token"))
        .json(&serde_json::json!({ "grant_type": "client_credentials" }))
        .send()
        .await
        .expect("send");
    let json = read_reply(json).await;
    assert_eq!(
        (json.status, json.error()),
        (StatusCode::BAD_REQUEST, "invalid_request")
    );
    let twice = f
        .token(&[
            ("grant_type", "client_credentials"),
            ("grant_type", "password"),
        ])
        .await;
    assert_eq!(twice.error(), "invalid_request", "repeated parameter");
    let junk = f
        .http
        .post(f.url("/connect/token"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(vec![0xff, 0x00, b'&', b'=', b'%'])
        .send()
        .await
        .expect("send");
    assert_eq!(junk.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn oauth_token_alias_serves_the_token_endpoint() {
    let f = start().await;
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", CLIENT),
        ("client_secret", SECRET),
    ];
    let reply = f.post("/oauth/token", &form).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(f.sandbox.hits("/oauth/token"), 1);
    assert_eq!(f.sandbox.hits("/connect/token"), 0);
}

#[tokio::test]
async fn malformed_input_gets_4xx_never_a_crash() {
    let f = start().await;
    let token = f.url("/connect/token");
    let form = "application/x-www-form-urlencoded";
    let authorizations: [&[u8]; 6] = [
        b"Basic",
        b"Basic !!!",
        b"Basic bm9jb2xvbg==",
        b"Basic JWZmOiVmZg==",
        b"Bearer x",
        b"Basic \xe9\xff",
    ];
    for value in authorizations {
        let request = f
            .http
            .post(&token)
            .header("content-type", form)
            .header(
                "authorization",
                reqwest::header::HeaderValue::from_bytes(value).expect("obs-text is allowed"),
            )
            .body("grant_type=password");
        let status = request.send().await.expect("answered").status();
        assert!(
            status.is_client_error(),
            "{:?}: {status}",
            String::from_utf8_lossy(value)
        );
    }
    let bodies = [
        "%ff%fe=%00",
        "grant_type=refresh_token&refresh_token=%ff",
        "==&&=",
        "grant_type=authorization_code&code=\u{1F600}",
    ];
    for body in bodies {
        let request = f
            .http
            .post(&token)
            .header("content-type", form)
            .basic_auth(CLIENT, Some(SECRET))
            .body(body);
        let status = request.send().await.expect("answered").status();
        assert!(status.is_client_error(), "{body:?}: {status}");
    }
    for query in [
        "client_id=%ff",
        "client_id=baton-cli&redirect_uri=%ff%fe",
        "client_id=baton-cli&redirect_uri=http://[::1",
    ] {
        let url = format!("{}?{query}", f.url("/connect/authorize"));
        let status = f.http.get(url).send().await.expect("answered").status();
        assert!(status.is_client_error(), "{query}: {status}");
    }
    for bearer in ["a.b.c", "eyJhbGciOiJub25lIn0.e30.", "....", "\u{1}"] {
        let request = f
            .http
            .get(f.url("/connect/userinfo"))
            .header("authorization", format!("Bearer {bearer}"));
        if let Ok(response) = request.send().await {
            assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{bearer:?}");
        }
    }
    // Still serving after all that.
    assert_eq!(f.password("api").await.status, StatusCode::OK);
}
