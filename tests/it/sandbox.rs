//! Conformance tests of the embedded OIDC provider, in-process on a free port, over HTTP.
//! This file holds the fixture; the tests are grouped in the files of `sandbox/`.

mod assertion;
mod authorize;
mod client_auth;
mod device;
mod dpop;
mod login_form;
mod server;
mod tokens;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use baton::{Sandbox, SandboxConfig, SandboxError};
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use reqwest::StatusCode;
use reqwest::header::{CACHE_CONTROL, HeaderMap, LOCATION, PRAGMA, WWW_AUTHENTICATE};
use serde_json::Value;
use sha2::{Digest, Sha256};
use url::Url;

const CLIENT: &str = "baton-cli";
const SECRET: &str = "sandbox-secret";
const SPECIAL: &str = "baton-special";
const SPECIAL_SECRET: &str = "p@ss:w/rd+=%";
const PUBLIC: &str = "baton-public";
const JWT_CLIENT: &str = "baton-jwt";
const JWT_SECRET: &str = "baton-jwt-hs256-secret-0123456789abcdef";
const PKJWT_CLIENT: &str = "baton-pkjwt";
const FORM_CLIENT: &str = "baton-form";
const FORM_SECRET: &str = "form-secret";
const REDIRECT: &str = "http://127.0.0.1:8765/callback";
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

struct Fixture {
    sandbox: Sandbox,
    http: reqwest::Client,
}

/// A reply reduced to what the assertions look at.
struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    json: Value,
}

impl Reply {
    fn error(&self) -> &str {
        self.json["error"].as_str().unwrap_or("")
    }

    fn str(&self, field: &str) -> String {
        self.json[field].as_str().unwrap_or_default().to_string()
    }
}

async fn start() -> Fixture {
    start_with(SandboxConfig::default()).await
}

async fn start_with(config: SandboxConfig) -> Fixture {
    let sandbox = Sandbox::start(config).await.expect("sandbox starts");
    Fixture {
        sandbox,
        http: client(),
    }
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("http client")
}

/// A client that keeps cookies, as a browser (or a headless flow through the forms) does.
fn cookie_client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(true)
        .build()
        .expect("http client")
}

/// The value of a hidden form field in a page, unescaped.
fn hidden_value(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no field {name} in:\n{html}"))
        + marker.len();
    let value = &html[start..];
    let value = &value[..value.find('"').expect("closing quote")];
    value
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

fn s256(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

fn form_encode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

fn query(location: &str) -> HashMap<String, String> {
    let url = Url::parse(location).expect("absolute Location");
    url.query_pairs().into_owned().collect()
}

async fn read_reply(response: reqwest::Response) -> Reply {
    let status = response.status();
    let headers = response.headers().clone();
    let text = response.text().await.expect("body");
    let json = serde_json::from_str(&text).unwrap_or(Value::Null);
    Reply {
        status,
        headers,
        json,
    }
}

impl Fixture {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.sandbox.issuer())
    }

    async fn post(&self, path: &str, form: &[(&str, &str)]) -> Reply {
        read_reply(
            self.http
                .post(self.url(path))
                .form(form)
                .send()
                .await
                .expect("send"),
        )
        .await
    }

    /// A token request with the client's credentials in the body.
    async fn token(&self, form: &[(&str, &str)]) -> Reply {
        let mut form = form.to_vec();
        form.extend([("client_id", CLIENT), ("client_secret", SECRET)]);
        self.post("/connect/token", &form).await
    }

    async fn password(&self, scope: &str) -> Reply {
        let form = [
            ("grant_type", "password"),
            ("username", "alice"),
            ("password", "wonderland"),
            ("scope", scope),
        ];
        let reply = self.token(&form).await;
        assert_eq!(
            reply.status,
            StatusCode::OK,
            "password grant: {}",
            reply.json
        );
        reply
    }

    /// GET /connect/authorize; returns the status and the Location header.
    async fn authorize(&self, params: &[(&str, &str)]) -> (StatusCode, Option<String>, String) {
        let response = self
            .http
            .get(self.url("/connect/authorize"))
            .query(params)
            .send()
            .await
            .expect("send");
        let status = response.status();
        let location = response
            .headers()
            .get(LOCATION)
            .map(|v| v.to_str().expect("ascii").to_string());
        (status, location, response.text().await.expect("body"))
    }

    /// A code for the confidential client, with the given PKCE challenge and method.
    async fn code(&self, client: &str, challenge: Option<(&str, &str)>, redirect: &str) -> String {
        let mut params = vec![
            ("response_type", "code"),
            ("client_id", client),
            ("redirect_uri", redirect),
            ("scope", "openid profile email api offline_access"),
            ("state", "st4te"),
            ("nonce", "n0nce"),
        ];
        if let Some((challenge, method)) = challenge {
            params.extend([
                ("code_challenge", challenge),
                ("code_challenge_method", method),
            ]);
        }
        let (status, location, _) = self.authorize(&params).await;
        assert_eq!(status, StatusCode::FOUND);
        let query = query(&location.expect("Location"));
        assert_eq!(query.get("state").map(String::as_str), Some("st4te"));
        assert_eq!(
            query.get("iss").map(String::as_str),
            Some(self.sandbox.issuer())
        );
        query.get("code").cloned().expect("code in redirect")
    }

    async fn exchange(&self, code: &str, redirect: &str, verifier: Option<&str>) -> Reply {
        let mut form = vec![
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", redirect),
        ];
        if let Some(verifier) = verifier {
            form.push(("code_verifier", verifier));
        }
        self.token(&form).await
    }

    async fn introspect(&self, token: &str) -> Value {
        let form = [
            ("token", token),
            ("client_id", CLIENT),
            ("client_secret", SECRET),
        ];
        let reply = self.post("/connect/introspect", &form).await;
        assert_eq!(reply.status, StatusCode::OK);
        reply.json
    }

    async fn userinfo(&self, access_token: &str) -> Reply {
        read_reply(
            self.http
                .get(self.url("/connect/userinfo"))
                .bearer_auth(access_token)
                .send()
                .await
                .expect("send"),
        )
        .await
    }

    async fn revoke(&self, token: &str) -> Reply {
        let form = [
            ("token", token),
            ("client_id", CLIENT),
            ("client_secret", SECRET),
        ];
        self.post("/connect/revocation", &form).await
    }

    async fn refresh(&self, refresh_token: &str) -> Reply {
        self.token(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
        ])
        .await
    }

    async fn jwks(&self) -> JwkSet {
        let response = self
            .http
            .get(self.url("/.well-known/openid-configuration/jwks"))
            .send()
            .await
            .expect("send");
        response.json().await.expect("JWKS")
    }

    /// Verifies a JWT against the published JWKS and returns its claims.
    async fn verify(&self, jwt: &str, audience: &str) -> Value {
        let header = jsonwebtoken::decode_header(jwt).expect("header");
        let jwks = self.jwks().await;
        let jwk = jwks
            .find(header.kid.as_deref().expect("kid"))
            .expect("kid in JWKS");
        let key = DecodingKey::from_jwk(jwk).expect("RSA JWK");
        let mut validation = Validation::new(Algorithm::RS256);
        validation.set_issuer(&[self.sandbox.issuer()]);
        validation.set_audience(&[audience]);
        jsonwebtoken::decode::<Value>(jwt, &key, &validation)
            .expect("valid JWT")
            .claims
    }
}

fn assert_no_store(headers: &HeaderMap) {
    assert_eq!(
        headers
            .get(CACHE_CONTROL)
            .map(reqwest::header::HeaderValue::as_bytes),
        Some(&b"no-store"[..])
    );
    assert_eq!(
        headers
            .get(PRAGMA)
            .map(reqwest::header::HeaderValue::as_bytes),
        Some(&b"no-cache"[..])
    );
}
