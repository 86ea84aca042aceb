//! Self-tests of the test server's other routes and of the fault servers, through reqwest.

use std::time::{Duration, Instant};

use base64::Engine;
use reqwest::{Client, StatusCode, header};
use serde_json::{Value, json};

use super::client;
use crate::support::{FaultServer, JWT_SECRET, TestServer};

#[tokio::test]
async fn echo_reflects_the_request() {
    let server = TestServer::start();
    let response = client()
        .post(format!("{}/echo?a=1&b=x%20y&a=2", server.url()))
        .header("x-echo-trace", "t-1")
        .header("x-custom", "c")
        .json(&json!({"hello": [1, 2]}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["x-echo-trace"], "t-1");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["method"], "POST");
    assert_eq!(body["path"], "/echo");
    assert_eq!(body["query"], json!({"a": ["1", "2"], "b": "x y"}));
    assert_eq!(body["headers"]["x-custom"], "c");
    assert_eq!(body["headers"]["content-type"], "application/json");
    assert_eq!(body["body"], r#"{"hello":[1,2]}"#);
    assert_eq!(body["json"], json!({"hello": [1, 2]}));
    assert_eq!(body["form"], Value::Null);

    let response = client()
        .put(format!("{}/echo", server.url()))
        .form(&[("k", "v w")])
        .send()
        .await
        .unwrap();
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        (&body["method"], &body["form"], &body["json"]),
        (&json!("PUT"), &json!({"k": "v w"}), &Value::Null)
    );
    for method in ["GET", "PATCH", "DELETE"] {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let response = client()
            .request(method.clone(), format!("{}/echo", server.url()))
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.json::<Value>().await.unwrap()["method"],
            method.as_str()
        );
    }
    assert_eq!(server.hits("/echo"), 5);
}

#[tokio::test]
async fn status_text_html_jwt_and_many_headers() {
    let server = TestServer::start();
    let get = |path: &str| client().get(format!("{}{path}", server.url())).send();
    let response = get("/status/418").await.unwrap();
    assert_eq!(response.status(), 418);
    assert_eq!(
        response.json::<Value>().await.unwrap(),
        json!({"status": 418})
    );
    assert_eq!(get("/status/503").await.unwrap().status(), 503);
    assert_eq!(get("/status/99").await.unwrap().status(), 400);

    let response = get("/text").await.unwrap();
    assert!(
        response.headers()[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    assert_eq!(response.text().await.unwrap(), "hello world 42");
    let response = get("/html-form").await.unwrap();
    assert!(
        response.headers()[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains(r#"name="csrf_token" value="csrf-abc123""#)
    );

    let body: Value = get("/jwt").await.unwrap().json().await.unwrap();
    let jwt = body["id_token"].as_str().unwrap();
    assert_eq!(jwt, server.jwt());
    let payload = jwt.split('.').nth(1).unwrap();
    let claims: Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .unwrap(),
    )
    .unwrap();
    assert_eq!(
        claims,
        json!({"sub": "alice", "aud": "app", "iss": "http://test"})
    );
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::HS256);
    validation.required_spec_claims.clear();
    validation.set_audience(&["app"]);
    jsonwebtoken::decode::<Value>(
        jwt,
        &jsonwebtoken::DecodingKey::from_secret(JWT_SECRET),
        &validation,
    )
    .unwrap();

    // 100 header lines in all is exactly what a default client accepts; 101 is too many.
    let response = get("/headers-many").await.unwrap();
    assert_eq!(response.headers().len(), 100, "{:?}", response.headers());
    assert_eq!(response.headers()["x-header-042"], "value-042");
    let err = get("/headers-many?n=101").await.unwrap_err();
    assert!(format!("{err:?}").contains("TooLarge"), "{err:?}");
    let roomy = Client::builder()
        .no_proxy()
        .http1_max_headers(300)
        .build()
        .unwrap();
    let response = roomy
        .get(format!("{}/headers-many?n=250", server.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers().len(), 250);
    assert_eq!(get("/nope").await.unwrap().status(), 404);
    assert_eq!(
        (
            server.hits("/nope"),
            server.hits("/status/418"),
            server.total_hits()
        ),
        (1, 1, 10)
    );
}

#[tokio::test]
async fn redirects() {
    let server = TestServer::start();
    let get = |path: &str| client().get(format!("{}{path}", server.url())).send();
    let response = get("/redirect?to=/text&status=307").await.unwrap();
    assert_eq!(
        (response.status(), &response.headers()[header::LOCATION]),
        (StatusCode::TEMPORARY_REDIRECT, &"/text".parse().unwrap())
    );
    assert_eq!(get("/redirect?to=/text").await.unwrap().status(), 302);
    let response = get("/redirect-loop").await.unwrap();
    assert_eq!(response.headers()[header::LOCATION], "/redirect-loop");
    let response = get("/callback-redirect?code=abc&state=xyz").await.unwrap();
    assert_eq!(response.status(), 302);
    assert_eq!(
        response.headers()[header::LOCATION],
        "http://127.0.0.1:8765/callback?code=abc&state=xyz"
    );
    let response = get("/callback-redirect?redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2Fcb&code=c1")
        .await
        .unwrap();
    assert_eq!(
        response.headers()[header::LOCATION],
        "http://127.0.0.1:9/cb?code=c1"
    );

    // A following client ends at the target, and gives up on the loop.
    let following = Client::builder().no_proxy().build().unwrap();
    let response = following
        .get(format!("{}/redirect?to=/text", server.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(response.text().await.unwrap(), "hello world 42");
    let looped = following
        .get(format!("{}/redirect-loop", server.url()))
        .send()
        .await;
    assert!(looped.unwrap_err().is_redirect());
}

#[tokio::test]
async fn cookies_round_trip() {
    let server = TestServer::start();
    let jar = Client::builder()
        .no_proxy()
        .cookie_store(true)
        .build()
        .unwrap();
    let response = jar
        .get(format!(
            "{}/set-cookie?name=session&value=s3cr3t",
            server.url()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.headers()[header::SET_COOKIE],
        "session=s3cr3t; Path=/"
    );
    let body: Value = jar
        .get(format!("{}/cookies", server.url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body, json!({"session": "s3cr3t"}));
    let body: Value = client()
        .get(format!("{}/cookies", server.url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body, json!({}));
}

#[tokio::test]
async fn slow_and_slow_body() {
    let server = TestServer::start();
    let impatient = Client::builder()
        .no_proxy()
        .timeout(Duration::from_millis(150))
        .build()
        .unwrap();
    let err = impatient
        .get(format!("{}/slow?ms=5000", server.url()))
        .send()
        .await
        .unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    let body: Value = client()
        .get(format!("{}/slow?ms=30", server.url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["slept_ms"], 30);

    let started = Instant::now();
    let response = client()
        .get(format!("{}/slow-body?ms=1000", server.url()))
        .send()
        .await
        .unwrap();
    let headers_after = started.elapsed();
    let text = response.text().await.unwrap();
    let body_after = started.elapsed();
    assert!(
        headers_after < Duration::from_millis(500),
        "headers took {headers_after:?}"
    );
    assert!(
        body_after >= Duration::from_secs(1),
        "body took {body_after:?}"
    );
    assert!(
        text.starts_with("chunk 0\n") && text.ends_with("chunk 10\n"),
        "{text}"
    );
}

#[tokio::test]
async fn big_body_stops_when_the_client_goes_away() {
    let server = TestServer::start();
    let mut response = client()
        .get(format!("{}/big?bytes=1000000000", server.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(response.content_length(), Some(1_000_000_000));
    let mut read = 0;
    while read < 4 << 20 {
        let chunk = response.chunk().await.unwrap().expect("more body");
        assert!(chunk.iter().all(|&b| b == b'x'));
        read += chunk.len();
    }
    drop(response);
    // The server still answers, and stops promptly on drop: the stream is not spinning.
    let text = client()
        .get(format!("{}/text", server.url()))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(text, "hello world 42");
    assert_eq!(server.hits("/big"), 1);
    let small = client()
        .get(format!("{}/big?bytes=100000", server.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(small.bytes().await.unwrap().len(), 100_000);
    let started = Instant::now();
    drop(server);
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "shutdown took {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn gzip_is_encoded_on_the_wire() {
    let server = TestServer::start();
    let raw = Client::builder().no_proxy().no_gzip().build().unwrap();
    let response = raw
        .get(format!("{}/gzip", server.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()[header::CONTENT_ENCODING], "gzip");
    assert_eq!(response.bytes().await.unwrap()[..2], [0x1f, 0x8b]);
    let body: Value = client()
        .get(format!("{}/gzip", server.url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body, json!({"compressed": true, "message": "hello gzip"}));
}

#[test]
fn expect_hits_is_checked_on_drop() {
    let caught = std::panic::catch_unwind(|| {
        let server = TestServer::start();
        server.expect_hits("/token", 1);
    });
    let message = *caught.unwrap_err().downcast::<String>().unwrap();
    assert!(
        message.contains("/token: expected 1 hits, got 0"),
        "{message}"
    );
}

#[tokio::test]
async fn fault_servers() {
    let err = client()
        .get(FaultServer::refused_url())
        .send()
        .await
        .unwrap_err();
    assert!(err.is_connect(), "{err:?}");

    let silent = FaultServer::never_answers();
    let impatient = Client::builder()
        .no_proxy()
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let err = impatient.get(silent.url()).send().await.unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    assert_eq!(silent.connections(), 1);

    // The head and half the body arrive, then an RST (not a clean FIN).
    let reset = FaultServer::reset_mid_response();
    let response = client().get(reset.url()).send().await.unwrap();
    assert_eq!(response.content_length(), Some(1000));
    let err = response.bytes().await.unwrap_err();
    assert!(format!("{err:?}").contains("ConnectionReset"), "{err:?}");
}
