//! Tests of the test support itself: the OAuth routes here, the other routes and fault
//! servers in `routes`, `redact` and the command runner in `runner`.

mod routes;
mod runner;

use base64::Engine;
use reqwest::{Client, StatusCode, header};
use serde_json::{Value, json};

use crate::support::{
    CLIENT_ID, CLIENT_SECRET, PASSWORD, SPECIAL_CLIENT_ID, SPECIAL_CLIENT_SECRET, TestServer,
    USERNAME,
};

/// A client that neither follows redirects nor uses a proxy.
fn client() -> Client {
    Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// POSTs a form to `/token` with optional Basic credentials (sent exactly as given).
async fn token(
    server: &TestServer,
    basic: Option<(&str, &str)>,
    form: &[(&str, &str)],
) -> (StatusCode, Value) {
    let mut request = client().post(format!("{}/token", server.url())).form(form);
    if let Some((user, pass)) = basic {
        let raw = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{pass}"));
        request = request.header(header::AUTHORIZATION, format!("Basic {raw}"));
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    if status.is_success() || status.is_client_error() {
        let cache = response.headers().get(header::CACHE_CONTROL);
        assert_eq!(cache.unwrap(), "no-store", "{status}");
    }
    (status, response.json().await.unwrap())
}

fn encode(component: &str) -> String {
    url::form_urlencoded::byte_serialize(component.as_bytes()).collect()
}

#[tokio::test]
async fn password_grant_then_me() {
    let server = TestServer::start();
    server.expect_hits("/token", 1).expect_hits("/me", 3);
    let form = [
        ("grant_type", "password"),
        ("username", USERNAME),
        ("password", PASSWORD),
        ("scope", "read write"),
    ];
    let (status, body) = token(&server, Some((CLIENT_ID, CLIENT_SECRET)), &form).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 3600);
    assert_eq!(body["scope"], "read write");
    let access = body["access_token"].as_str().unwrap();
    assert!(access.starts_with("at-"), "{access}");
    assert!(body["refresh_token"].as_str().unwrap().starts_with("rt-"));

    let me = format!("{}/me", server.url());
    let response = client().get(&me).bearer_auth(access).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.json::<Value>().await.unwrap(),
        json!({"sub": "alice", "name": "Alice"})
    );
    let response = client().get(&me).send().await.unwrap();
    assert_eq!(response.status(), 401);
    assert!(
        response.headers()[header::WWW_AUTHENTICATE]
            .to_str()
            .unwrap()
            .starts_with("Bearer")
    );
    let response = client()
        .get(&me)
        .bearer_auth("at-forged")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
}

#[tokio::test]
async fn client_credentials_in_body_has_no_refresh_token() {
    let server = TestServer::start();
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", CLIENT_ID),
        ("client_secret", CLIENT_SECRET),
    ];
    let (status, body) = token(&server, None, &form).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["scope"], "read");
    assert!(body.get("refresh_token").is_none(), "{body}");
}

#[tokio::test]
async fn refresh_tokens_rotate_and_reuse_is_refused() {
    let server = TestServer::start();
    let basic = Some((CLIENT_ID, CLIENT_SECRET));
    let form = [
        ("grant_type", "password"),
        ("username", USERNAME),
        ("password", PASSWORD),
    ];
    let (_, first) = token(&server, basic, &form).await;
    let rt1 = first["refresh_token"].as_str().unwrap();
    let (status, second) = token(
        &server,
        basic,
        &[("grant_type", "refresh_token"), ("refresh_token", rt1)],
    )
    .await;
    assert_eq!(status, 200, "{second}");
    let rt2 = second["refresh_token"].as_str().unwrap();
    assert_ne!(rt1, rt2);
    assert_ne!(first["access_token"], second["access_token"]);

    let (status, reused) = token(
        &server,
        basic,
        &[("grant_type", "refresh_token"), ("refresh_token", rt1)],
    )
    .await;
    assert_eq!(
        (status, &reused["error"]),
        (StatusCode::BAD_REQUEST, &json!("invalid_grant"))
    );
    let (status, third) = token(
        &server,
        basic,
        &[("grant_type", "refresh_token"), ("refresh_token", rt2)],
    )
    .await;
    assert_eq!(status, 200, "{third}");
    let other = Some((SPECIAL_CLIENT_ID, &*encode(SPECIAL_CLIENT_SECRET)));
    let rt3 = third["refresh_token"].as_str().unwrap();
    let (status, stolen) = token(
        &server,
        other,
        &[("grant_type", "refresh_token"), ("refresh_token", rt3)],
    )
    .await;
    assert_eq!(
        (status, &stolen["error"]),
        (StatusCode::BAD_REQUEST, &json!("invalid_grant"))
    );
}

#[tokio::test]
async fn client_authentication_rules() {
    let server = TestServer::start();
    let cc = ("grant_type", "client_credentials");
    let (status, body) = token(
        &server,
        Some((CLIENT_ID, CLIENT_SECRET)),
        &[cc, ("client_secret", CLIENT_SECRET)],
    )
    .await;
    assert_eq!(
        (status, &body["error"]),
        (StatusCode::BAD_REQUEST, &json!("invalid_request"))
    );

    let response = client()
        .post(format!("{}/token", server.url()))
        .basic_auth(CLIENT_ID, Some("wrong"))
        .form(&[cc])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    assert_eq!(
        response.headers()[header::WWW_AUTHENTICATE],
        "Basic realm=\"test\""
    );
    assert_eq!(
        response.json::<Value>().await.unwrap()["error"],
        "invalid_client"
    );

    let (status, body) = token(&server, None, &[cc]).await;
    assert_eq!(
        (status, &body["error"]),
        (StatusCode::UNAUTHORIZED, &json!("invalid_client"))
    );
    let (status, body) = token(
        &server,
        None,
        &[cc, ("client_id", CLIENT_ID), ("client_secret", "nope")],
    )
    .await;
    assert_eq!(
        (status, &body["error"]),
        (StatusCode::UNAUTHORIZED, &json!("invalid_client"))
    );
    let basic = Some((CLIENT_ID, CLIENT_SECRET));
    let (status, body) = token(
        &server,
        basic,
        &[
            ("grant_type", "password"),
            ("username", USERNAME),
            ("password", "x"),
        ],
    )
    .await;
    assert_eq!(
        (status, &body["error"]),
        (StatusCode::BAD_REQUEST, &json!("invalid_grant"))
    );
    let (status, body) = token(&server, basic, &[("grant_type", "implicit")]).await;
    assert_eq!(
        (status, &body["error"]),
        (StatusCode::BAD_REQUEST, &json!("unsupported_grant_type"))
    );
    let (status, body) = token(&server, basic, &[("scope", "x")]).await;
    assert_eq!(
        (status, &body["error"]),
        (StatusCode::BAD_REQUEST, &json!("invalid_request"))
    );
}

#[tokio::test]
async fn special_secret_must_be_form_encoded_inside_basic() {
    let server = TestServer::start();
    let cc = [("grant_type", "client_credentials")];
    let encoded = encode(SPECIAL_CLIENT_SECRET);
    assert_eq!(encoded, "p%40ss%3Aw%2Frd%2B%3D%25");
    let (status, body) = token(&server, Some((SPECIAL_CLIENT_ID, &encoded)), &cc).await;
    assert_eq!(status, 200, "{body}");
    let (status, _) = token(
        &server,
        Some((SPECIAL_CLIENT_ID, SPECIAL_CLIENT_SECRET)),
        &cc,
    )
    .await;
    assert_eq!(status, 401, "a raw secret inside Basic must be refused");
    let form = [
        cc[0],
        ("client_id", SPECIAL_CLIENT_ID),
        ("client_secret", SPECIAL_CLIENT_SECRET),
    ];
    let (status, body) = token(&server, None, &form).await;
    assert_eq!(status, 200, "{body}");
}
