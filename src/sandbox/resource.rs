//! Endpoints that look at issued tokens: userinfo (Bearer, RFC 6750), introspection
//! (RFC 7662) and revocation (RFC 7009).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::client_auth::{Accept, Params, authenticate};
use super::error::{ErrorCode, OAuthError, no_store};
use super::routes::{INTROSPECT_PATH, REVOCATION_PATH, Shared};
use super::scope;

/// The claims of a sandbox access token, as `token::sign` writes them.
#[derive(Debug, Deserialize)]
pub(crate) struct AccessClaims {
    pub(crate) sub: String,
    client_id: String,
    pub(crate) scope: String,
    exp: i64,
    iat: i64,
    jti: String,
    aud: Value,
    /// What the token is bound to: a DPoP key (`jkt`, RFC 9449 6.1), the certificate it was
    /// issued over (`x5t#S256`, RFC 8705 3), or both.
    #[serde(default)]
    pub(crate) cnf: Option<Value>,
}

/// A signed access token of this sandbox, whether or not it is still active.
fn decode_access(shared: &Shared, token: &str) -> Option<AccessClaims> {
    shared.key.verify(token, "at+jwt", &shared.issuer)
}

/// An access token that may be used now: signed here, unexpired, not revoked.
pub(crate) fn active_access(shared: &Shared, token: &str) -> Option<AccessClaims> {
    let claims = decode_access(shared, token)?;
    let now = shared.clock.now();
    (claims.exp > now && shared.store().access_active(&claims.jti, now)).then_some(claims)
}

/// `GET|POST /connect/userinfo` with `Authorization: Bearer <access token>` (the header only;
/// RFC 6750's form and query alternatives are not accepted).
pub(crate) async fn userinfo(
    State(shared): State<Arc<Shared>>,
    method: axum::http::Method,
    uri: axum::http::Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let dpop_scheme = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().split_once(' '))
        .is_some_and(|(scheme, _)| scheme.eq_ignore_ascii_case("dpop"));
    let header_token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer") || dpop_scheme)
        .map(|(_, token)| token.trim().to_string());
    // RFC 6750 2.2: a POST may carry the token as the form parameter `access_token`.
    let body_token = || {
        let form = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|t| t.starts_with("application/x-www-form-urlencoded"));
        form.then(|| {
            url::form_urlencoded::parse(&body)
                .find(|(k, _)| k == "access_token")
                .map(|(_, v)| v.into_owned())
        })
        .flatten()
    };
    let Some(token) = header_token.or_else(body_token) else {
        return missing_token();
    };
    let token = token.as_str();
    let Some(claims) = active_access(&shared, token) else {
        return OAuthError::new(
            ErrorCode::InvalidToken,
            "the access token is malformed, not signed by this sandbox, expired or revoked",
        )
        .into_response();
    };
    // A DPoP-bound token is good only with a proof of its key (`dpop.rs`).
    let jkt = claims
        .cnf
        .as_ref()
        .and_then(|c| c.get("jkt"))
        .and_then(Value::as_str);
    if let Some(refused) = super::dpop::at_resource(
        &shared,
        method.as_str(),
        uri.path(),
        &headers,
        dpop_scheme,
        token,
        jkt,
    ) {
        return refused;
    }
    if let Err(refused) = super::mtls::check_binding(claims.cnf.as_ref()) {
        return refused.into_response();
    }
    let scopes = scope::parse(&claims.scope);
    if !scope::has(&scopes, "openid") {
        return OAuthError::new(
            ErrorCode::InsufficientScope,
            "userinfo needs the openid scope",
        )
        .into_response();
    }
    let Some(user) = shared.config.user_by_sub(&claims.sub) else {
        return OAuthError::new(
            ErrorCode::InvalidToken,
            "the token's subject is not a sandbox user",
        )
        .into_response();
    };
    let mut info = Map::new();
    info.insert("sub".into(), json!(user.sub()));
    if scope::has(&scopes, "profile") {
        if let Some(name) = &user.name {
            info.insert("name".into(), json!(name));
        }
        info.insert("preferred_username".into(), json!(user.username));
    }
    if scope::has(&scopes, "email")
        && let Some(email) = &user.email
    {
        info.insert("email".into(), json!(email));
        info.insert("email_verified".into(), json!(user.email_verified));
    }
    let mut response = axum::Json(Value::Object(info)).into_response();
    no_store(response.headers_mut());
    response
}

/// RFC 6750 3.1: without any credentials, the challenge carries no error code.
fn missing_token() -> Response {
    let body = json!({
        "error": "invalid_request",
        "error_description": "no access token: send Authorization: Bearer <access_token>",
    });
    let mut response = (StatusCode::UNAUTHORIZED, axum::Json(body)).into_response();
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static(r#"Bearer realm="baton-sandbox""#),
    );
    response
}

/// `POST /connect/introspect`: `{"active": false}` for anything not usable right now.
pub(crate) async fn introspect(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    match introspection(&shared, &headers, &body) {
        Ok(value) => {
            let mut response = axum::Json(value).into_response();
            no_store(response.headers_mut());
            response
        }
        Err(error) => error.into_response(),
    }
}

fn introspection(shared: &Shared, headers: &HeaderMap, body: &[u8]) -> Result<Value, OAuthError> {
    let params = Params::from_form(headers, body)?;
    authenticate(
        shared,
        INTROSPECT_PATH,
        headers,
        &params,
        Accept::ConfidentialOnly,
    )?;
    let token = params.require("token")?;
    // The hint only orders the lookups (RFC 7662 2.1); both kinds are always tried.
    let refresh_first = params.get("token_type_hint")? == Some("refresh_token");
    let as_refresh = || introspect_refresh(shared, token);
    let as_access = || introspect_access(shared, token);
    let found = if refresh_first {
        as_refresh().or_else(as_access)
    } else {
        as_access().or_else(as_refresh)
    };
    Ok(found.unwrap_or_else(|| json!({ "active": false })))
}

fn introspect_access(shared: &Shared, token: &str) -> Option<Value> {
    let claims = active_access(shared, token)?;
    let mut value = json!({
        "active": true,
        "scope": claims.scope,
        "client_id": claims.client_id,
        "token_type": "Bearer",
        "exp": claims.exp,
        "iat": claims.iat,
        "sub": claims.sub,
        "aud": claims.aud,
        "iss": shared.issuer,
        "jti": claims.jti,
    });
    if let Some(user) = shared.config.user_by_sub(&claims.sub) {
        value["username"] = json!(user.username);
    }
    if let Some(cnf) = claims.cnf {
        if cnf.get("jkt").is_some() {
            value["token_type"] = json!("DPoP");
        }
        value["cnf"] = cnf;
    }
    Some(value)
}

fn introspect_refresh(shared: &Shared, token: &str) -> Option<Value> {
    let now = shared.clock.now();
    let record = shared.store().refresh_active(token, now).cloned()?;
    let mut value = json!({
        "active": true,
        "scope": record.scope.join(" "),
        "client_id": record.client_id,
        "exp": record.expires_at,
        "sub": record.sub,
        "iss": shared.issuer,
    });
    if let Some(user) = shared.config.user_by_sub(&record.sub) {
        value["username"] = json!(user.username);
    }
    Some(value)
}

/// `POST /connect/revocation`: 200 with an empty body, also for unknown tokens (RFC 7009 2.2).
pub(crate) async fn revoke(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    match revocation(&shared, &headers, &body) {
        Ok(()) => {
            let mut response = StatusCode::OK.into_response();
            no_store(response.headers_mut());
            response
        }
        Err(error) => error.into_response(),
    }
}

fn revocation(shared: &Shared, headers: &HeaderMap, body: &[u8]) -> Result<(), OAuthError> {
    let params = Params::from_form(headers, body)?;
    let client = authenticate(shared, REVOCATION_PATH, headers, &params, Accept::AnyClient)?;
    let token = params.require("token")?;
    params.get("token_type_hint")?;
    let other_client = || {
        OAuthError::new(
            ErrorCode::UnauthorizedClient,
            "the token was issued to another client (RFC 7009 2.1)",
        )
    };
    {
        let mut store = shared.store();
        if let Some(record) = store.refresh_record(token) {
            if record.client_id != client.id {
                return Err(other_client());
            }
            // Revoking a refresh token ends the grant: its access tokens go with it.
            let family = record.family;
            store.revoke_family(family);
            return Ok(());
        }
    }
    // Expired access tokens are still recognised, so revoking one is a harmless no-op.
    if let Some(claims) = decode_access(shared, token) {
        if claims.client_id != client.id {
            return Err(other_client());
        }
        shared.store().revoke_access(&claims.jti);
    }
    Ok(())
}
