//! The test server's OAuth 2.0 side: `POST /token` (RFC 6749 client authentication, the
//! password, client_credentials and rotating refresh_token grants) and `GET /me`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use serde_json::json;

use super::server::ServerState;

/// The ordinary confidential client.
pub(crate) const CLIENT_ID: &str = "app";
/// Secret of `CLIENT_ID`.
pub(crate) const CLIENT_SECRET: &str = "app-secret";
/// A client whose secret must be form-urlencoded inside HTTP Basic (RFC 6749 2.3.1).
pub(crate) const SPECIAL_CLIENT_ID: &str = "special";
/// Secret of `SPECIAL_CLIENT_ID`: `p%40ss%3Aw%2Frd%2B%3D%25` once encoded.
pub(crate) const SPECIAL_CLIENT_SECRET: &str = "p@ss:w/rd+=%";
/// The resource owner of the password grant.
pub(crate) const USERNAME: &str = "alice";
/// Password of `USERNAME`.
pub(crate) const PASSWORD: &str = "wonderland";

const CLIENTS: [(&str, &str); 2] = [
    (CLIENT_ID, CLIENT_SECRET),
    (SPECIAL_CLIENT_ID, SPECIAL_CLIENT_SECRET),
];

/// Who a token was issued to and for what.
#[derive(Clone)]
struct Grant {
    client_id: String,
    subject: String,
    scope: String,
}

/// Issued tokens. A refresh token is used once; a second use is refused.
#[derive(Default)]
pub(super) struct TokenStore {
    access: Mutex<HashMap<String, Grant>>,
    refresh: Mutex<HashMap<String, Option<Grant>>>,
}

impl TokenStore {
    /// Every access and refresh token issued so far.
    pub(super) fn issued(&self) -> Vec<String> {
        let mut all: Vec<String> = self.access.lock().unwrap().keys().cloned().collect();
        all.extend(self.refresh.lock().unwrap().keys().cloned());
        all
    }

    fn issue(&self, grant: Grant, with_refresh: bool) -> Response {
        let access_token = format!("at-{}", uuid::Uuid::new_v4().simple());
        let mut body = json!({
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": 3600,
            "scope": grant.scope,
        });
        if with_refresh {
            let refresh_token = format!("rt-{}", uuid::Uuid::new_v4().simple());
            self.refresh
                .lock()
                .unwrap()
                .insert(refresh_token.clone(), Some(grant.clone()));
            body["refresh_token"] = refresh_token.into();
        }
        self.access.lock().unwrap().insert(access_token, grant);
        no_store(StatusCode::OK, body)
    }
}

fn no_store(status: StatusCode, body: serde_json::Value) -> Response {
    (
        status,
        [
            (header::CACHE_CONTROL, "no-store"),
            (header::PRAGMA, "no-cache"),
        ],
        Json(body),
    )
        .into_response()
}

/// An RFC 6749 5.2 error; a 401 carries the Basic challenge.
struct OAuthError {
    status: StatusCode,
    code: &'static str,
    description: String,
}

impl IntoResponse for OAuthError {
    fn into_response(self) -> Response {
        let body = json!({"error": self.code, "error_description": self.description});
        let mut response = no_store(self.status, body);
        if self.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                "Basic realm=\"test\"".parse().unwrap(),
            );
        }
        response
    }
}

fn error(status: StatusCode, code: &'static str, description: &str) -> OAuthError {
    OAuthError {
        status,
        code,
        description: description.to_owned(),
    }
}

fn invalid_request(description: &str) -> OAuthError {
    error(StatusCode::BAD_REQUEST, "invalid_request", description)
}

fn invalid_client(description: &str) -> OAuthError {
    error(StatusCode::UNAUTHORIZED, "invalid_client", description)
}

fn invalid_grant(description: &str) -> OAuthError {
    error(StatusCode::BAD_REQUEST, "invalid_grant", description)
}

/// Strict application/x-www-form-urlencoded decoding of one Basic credential component.
fn form_decode(component: &str) -> Option<String> {
    let mut bytes = Vec::with_capacity(component.len());
    let mut input = component.bytes();
    while let Some(b) = input.next() {
        match b {
            b'+' => bytes.push(b' '),
            b'%' => {
                let hex = [input.next()?, input.next()?];
                bytes.push(u8::from_str_radix(std::str::from_utf8(&hex).ok()?, 16).ok()?);
            }
            b => bytes.push(b),
        }
    }
    String::from_utf8(bytes).ok()
}

/// `Some(Ok((id, secret)))` for a Basic header, `Some(Err(_))` for a malformed one.
fn basic_credentials(headers: &HeaderMap) -> Option<Result<(String, String), OAuthError>> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let parsed = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()
        .and_then(|raw| String::from_utf8(raw).ok())
        .and_then(|pair| {
            let (id, secret) = pair.split_once(':')?;
            Some((form_decode(id)?, form_decode(secret)?))
        });
    Some(parsed.ok_or_else(|| invalid_client("malformed Basic credentials")))
}

/// The authenticated client id.
fn authenticate(
    headers: &HeaderMap,
    params: &HashMap<String, String>,
) -> Result<String, OAuthError> {
    let body_id = params.get("client_id");
    let body_secret = params.get("client_secret");
    let (id, secret) = match (basic_credentials(headers), body_secret) {
        (Some(_), Some(_)) => {
            return Err(invalid_request(
                "client authenticated by both HTTP Basic and the request body",
            ));
        }
        (Some(basic), None) => {
            let (id, secret) = basic?;
            if body_id.is_some_and(|body_id| *body_id != id) {
                return Err(invalid_request("client_id differs from the Basic user"));
            }
            (id, secret)
        }
        (None, Some(secret)) => match body_id {
            Some(id) => (id.clone(), secret.clone()),
            None => return Err(invalid_request("client_secret without client_id")),
        },
        (None, None) => return Err(invalid_client("client authentication required")),
    };
    if CLIENTS.contains(&(id.as_str(), secret.as_str())) {
        Ok(id)
    } else {
        Err(invalid_client("unknown client or wrong secret"))
    }
}

/// `POST /token`.
pub(super) async fn token(
    State(state): State<Arc<ServerState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    grant(&state, &headers, &body).unwrap_or_else(IntoResponse::into_response)
}

fn grant(state: &ServerState, headers: &HeaderMap, body: &[u8]) -> Result<Response, OAuthError> {
    let is_form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return Err(invalid_request(
            "expected Content-Type: application/x-www-form-urlencoded",
        ));
    }
    let mut params = HashMap::new();
    for (name, value) in url::form_urlencoded::parse(body) {
        if params
            .insert(name.to_string(), value.into_owned())
            .is_some()
        {
            return Err(invalid_request(&format!("parameter {name} is repeated")));
        }
    }
    let client_id = authenticate(headers, &params)?;
    let scope = params.get("scope").cloned();
    let store = &state.tokens;
    match params.get("grant_type").map(String::as_str) {
        Some("password") => {
            let (Some(username), Some(password)) = (params.get("username"), params.get("password"))
            else {
                return Err(invalid_request("username and password are required"));
            };
            if (username.as_str(), password.as_str()) != (USERNAME, PASSWORD) {
                return Err(invalid_grant("wrong username or password"));
            }
            let grant = Grant {
                client_id,
                subject: username.clone(),
                scope: scope.unwrap_or_else(|| "read".to_owned()),
            };
            Ok(store.issue(grant, true))
        }
        Some("client_credentials") => {
            let grant = Grant {
                subject: client_id.clone(),
                client_id,
                scope: scope.unwrap_or_else(|| "read".to_owned()),
            };
            Ok(store.issue(grant, false))
        }
        Some("refresh_token") => {
            let Some(presented) = params.get("refresh_token") else {
                return Err(invalid_request("refresh_token is required"));
            };
            let grant = {
                let mut refresh = store.refresh.lock().unwrap();
                match refresh.get_mut(presented) {
                    None => return Err(invalid_grant("unknown refresh token")),
                    Some(None) => return Err(invalid_grant("refresh token was already used")),
                    Some(Some(grant)) if grant.client_id != client_id => {
                        return Err(invalid_grant("refresh token was issued to another client"));
                    }
                    Some(slot) => slot.take().unwrap(),
                }
            };
            Ok(store.issue(grant, true))
        }
        Some(other) => Err(error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            &format!("grant_type {other} is not supported"),
        )),
        None => Err(invalid_request("grant_type is required")),
    }
}

/// `GET /me`: who the Bearer token belongs to.
pub(super) async fn me(State(state): State<Arc<ServerState>>, headers: HeaderMap) -> Response {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim());
    let grant = token.and_then(|t| state.tokens.access.lock().unwrap().get(t).cloned());
    if let Some(grant) = grant {
        let name = if grant.subject == USERNAME {
            "Alice"
        } else {
            &grant.subject
        };
        Json(json!({"sub": grant.subject, "name": name})).into_response()
    } else {
        let challenge = if token.is_some() {
            "Bearer realm=\"test\", error=\"invalid_token\""
        } else {
            "Bearer realm=\"test\""
        };
        (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, challenge)],
            Json(json!({"error": "invalid_token"})),
        )
            .into_response()
    }
}
