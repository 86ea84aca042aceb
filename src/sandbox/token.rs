//! The token endpoint (`/connect/token`, `/oauth/token`): the grants (RFC 6749's and the
//! device grant here, token exchange, JWT bearer and the vendor grant in `exchange.rs`) and
//! the signed token response.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::client::{ClientConfig, GrantType};
use super::client_auth::{Accept, Params, authenticate};
use super::config::Fault;
use super::error::{ErrorCode, OAuthError, no_store};
use super::keys::{at_hash, random_token};
use super::routes::{Shared, TOKEN_PATH};
use super::store::RefreshRecord;
use super::{exchange, pkce, scope};

/// Handler for both token paths.
pub(crate) async fn token(
    State(shared): State<Arc<Shared>>,
    uri: axum::http::Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    match exchange(&shared, uri.path(), &headers, &body).await {
        Ok(response) => response,
        Err(error) => error.into_response(),
    }
}

async fn exchange(
    shared: &Arc<Shared>,
    path: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Response, OAuthError> {
    let params = Params::from_form(headers, body)?;
    let grant_type = params.require("grant_type")?;
    // Both token paths take the token endpoint URL as an assertion audience.
    let client = authenticate(shared, TOKEN_PATH, headers, &params, Accept::AnyClient)?;
    let Some(grant) = GrantType::parse(grant_type) else {
        return Err(OAuthError::new(
            ErrorCode::UnsupportedGrantType,
            format!(
                "grant_type `{grant_type}` is not supported; use password, client_credentials, \
                 authorization_code, refresh_token, {}, {}, {} or {}",
                GrantType::DeviceCode.as_str(),
                GrantType::TokenExchange.as_str(),
                GrantType::JwtBearer.as_str(),
                GrantType::ApiKey.as_str()
            ),
        ));
    };
    if !client.allows(grant) {
        return Err(OAuthError::new(
            ErrorCode::UnauthorizedClient,
            format!(
                "client `{}` may not use the {} grant",
                client.id,
                grant.as_str()
            ),
        ));
    }
    super::fapi::assertion_audience(shared, client, &params)?;
    // RFC 9449: a proof binds the tokens to its key (`dpop.rs`).
    let jkt = match super::dpop::at_token(shared, client, path, headers, &params) {
        Ok(jkt) => jkt,
        Err(refused) => return Ok(refused),
    };
    let issue = match grant {
        GrantType::Password => password(shared, client, &params)?,
        GrantType::ClientCredentials => client_credentials(shared, client, &params)?,
        GrantType::AuthorizationCode => {
            authorization_code(shared, client, &params, jkt.as_deref())?
        }
        GrantType::RefreshToken => refresh(shared, client, &params)?,
        GrantType::DeviceCode => device_code(shared, client, &params)?,
        GrantType::TokenExchange => {
            exchanged(shared, client, exchange::token_exchange(shared, &params)?)
        }
        GrantType::JwtBearer => exchanged(
            shared,
            client,
            exchange::jwt_bearer(shared, client, &params)?,
        ),
        GrantType::ApiKey => exchanged(shared, client, exchange::api_key(shared, &params)?),
    };
    super::dpop::bind_refresh(shared, issue.refresh_token.as_deref(), jkt.as_deref());
    // RFC 8705 3: a token asked for over mTLS is bound to the certificate presented.
    let mut issue = issue;
    issue.cnf = super::mtls::confirmation();
    let cache_headers = !shared.config.has(Fault::NoCacheHeaders);
    let shared = Arc::clone(shared);
    // RSA signing takes about a millisecond: keep it off the async workers so that fifty
    // clients at once do not stall the accept loop.
    let body = tokio::task::spawn_blocking(move || sign(&shared, issue, jkt))
        .await
        .map_err(|_| OAuthError::server_error("the signing task failed"))??;
    let mut response = axum::Json(body).into_response();
    if cache_headers {
        no_store(response.headers_mut());
    }
    Ok(response)
}

/// Everything needed to sign a response, decided and recorded while the store was locked.
struct Issue {
    client_id: String,
    sub: String,
    scope: Vec<String>,
    now: i64,
    jti: String,
    refresh_token: Option<String>,
    /// Present when `openid` was granted to a user.
    id_token: Option<IdToken>,
    /// `aud` asked for, `act` and `issued_token_type` (`exchange.rs`).
    aud: Option<String>,
    act: Option<Value>,
    issued_token_type: bool,
    /// RFC 9396 7: the details granted, in the token response and the access token.
    authorization_details: Option<Value>,
    /// RFC 8705 3: the certificate the token is bound to (`x5t#S256`).
    cnf: Option<Value>,
}

/// A token of the grants of `exchange.rs`: recorded as the others, with no refresh token
/// and no id_token (no user signed in here).
fn exchanged(shared: &Shared, client: &ClientConfig, e: exchange::Exchanged) -> Issue {
    let subject = Subject {
        sub: e.sub,
        auth_time: None,
        nonce: None,
    };
    let now = shared.clock.now();
    let mut issue = record(shared, client, subject, e.scope, None, now);
    issue.aud = e.aud;
    issue.act = e.act;
    issue.issued_token_type = e.exchanged;
    issue
}

struct IdToken {
    auth_time: i64,
    nonce: Option<String>,
}

/// Who the tokens are for: a user (with a sign-in time) or the client itself.
struct Subject {
    sub: String,
    auth_time: Option<i64>,
    nonce: Option<String>,
}

fn password(shared: &Shared, client: &ClientConfig, params: &Params) -> Result<Issue, OAuthError> {
    let username = params.require("username")?;
    let password = params.require("password")?;
    let scope = scope::resolve(
        &shared.config,
        client,
        params.get("scope")?,
        GrantType::Password,
    )?;
    let user = shared
        .config
        .sign_in(username, password)
        .ok_or_else(|| OAuthError::invalid_grant("wrong username or password"))?;
    let now = shared.clock.now();
    let subject = Subject {
        sub: user.sub().to_string(),
        auth_time: Some(now),
        nonce: None,
    };
    Ok(record(shared, client, subject, scope, None, now))
}

fn client_credentials(
    shared: &Shared,
    client: &ClientConfig,
    params: &Params,
) -> Result<Issue, OAuthError> {
    let scope = scope::resolve(
        &shared.config,
        client,
        params.get("scope")?,
        GrantType::ClientCredentials,
    )?;
    let details = super::details::parse(params)?;
    let now = shared.clock.now();
    // RFC 9068 2.2: with no user, `sub` is the client.
    let subject = Subject {
        sub: client.id.clone(),
        auth_time: None,
        nonce: None,
    };
    let mut issue = record(shared, client, subject, scope, None, now);
    issue.authorization_details = details;
    Ok(issue)
}

fn authorization_code(
    shared: &Shared,
    client: &ClientConfig,
    params: &Params,
    jkt: Option<&str>,
) -> Result<Issue, OAuthError> {
    let code = params.require("code")?;
    let redirect_uri = params.get("redirect_uri")?;
    let verifier = params.get("code_verifier")?;
    let now = shared.clock.now();
    let reusable = shared.config.has(Fault::ReusableCodes);
    let (grant, family) = shared
        .store()
        .redeem_code(code, &client.id, now, reusable)?;
    match (grant.redirect_uri.as_deref(), redirect_uri) {
        (Some(expected), Some(given)) if expected == given => {}
        (Some(expected), _) => {
            return Err(OAuthError::invalid_grant(format!(
                "redirect_uri must be `{expected}`, identical to the authorize request (RFC 6749 4.1.3)"
            )));
        }
        (None, Some(given)) if !client.redirect_uri_allowed(given) => {
            return Err(OAuthError::invalid_grant(format!(
                "redirect_uri `{given}` is not registered"
            )));
        }
        (None, _) => {}
    }
    if !shared.config.has(Fault::PkceNotEnforced) {
        pkce::verify(grant.pkce.as_ref(), verifier)?;
    }
    if let Some(bound) = &grant.dpop_jkt
        && jkt != Some(bound.as_str())
    {
        return Err(OAuthError::invalid_grant(
            "the code was asked for with dpop_jkt: redeem it with a DPoP proof of that key \
             (RFC 9449 10)",
        ));
    }
    let subject = Subject {
        sub: grant.sub,
        auth_time: Some(grant.auth_time),
        nonce: grant.nonce,
    };
    let mut issue = record(shared, client, subject, grant.scope, Some(family), now);
    issue.authorization_details = grant.authorization_details;
    Ok(issue)
}

/// RFC 8628 3.4: answers from the device code's state; tokens once, when approved.
fn device_code(
    shared: &Shared,
    client: &ClientConfig,
    params: &Params,
) -> Result<Issue, OAuthError> {
    let code = params.require("device_code")?;
    let approved = shared
        .devices()
        .poll(code, &client.id, shared.clock.now_ms())?;
    let subject = Subject {
        sub: approved.sub,
        auth_time: Some(approved.auth_time),
        nonce: None,
    };
    let now = shared.clock.now();
    Ok(record(shared, client, subject, approved.scope, None, now))
}

fn refresh(shared: &Shared, client: &ClientConfig, params: &Params) -> Result<Issue, OAuthError> {
    let token = params.require("refresh_token")?;
    let requested = params.get("scope")?.map(scope::parse);
    if requested.as_ref().is_some_and(Vec::is_empty) {
        return Err(OAuthError::invalid_scope(
            "the scope parameter holds no scope",
        ));
    }
    let now = shared.clock.now();
    let lifetimes = &shared.config.lifetimes;
    let jti = uuid::Uuid::new_v4().to_string();
    // The fault `no_refresh_rotation` hands the same token back, still valid.
    let new_token = if shared.config.has(Fault::NoRefreshRotation) {
        token.to_string()
    } else {
        random_token()
    };
    let old = {
        let mut store = shared.store();
        let old = store.rotate_refresh(token, &client.id, requested.as_deref(), now)?;
        let rotated = RefreshRecord {
            expires_at: now.saturating_add_unsigned(lifetimes.refresh_token),
            rotated: false,
            ..old.clone()
        };
        store.insert_refresh(new_token.clone(), rotated, now);
        store.insert_access(
            jti.clone(),
            old.family,
            now.saturating_add_unsigned(lifetimes.access_token),
            now,
        );
        old
    };
    let scope = requested.unwrap_or(old.scope);
    let id_token = scope::has(&scope, "openid").then_some(IdToken {
        auth_time: old.auth_time,
        nonce: None,
    });
    Ok(Issue {
        client_id: client.id.clone(),
        sub: old.sub,
        scope,
        now,
        jti,
        refresh_token: Some(new_token),
        id_token,
        aud: None,
        act: None,
        issued_token_type: false,
        authorization_details: None,
        cnf: None,
    })
}

/// Records a new access token (and a refresh token when `offline_access` was granted and the
/// client may refresh) under one family, in one short lock.
fn record(
    shared: &Shared,
    client: &ClientConfig,
    subject: Subject,
    scope: Vec<String>,
    family: Option<u64>,
    now: i64,
) -> Issue {
    let lifetimes = &shared.config.lifetimes;
    let jti = uuid::Uuid::new_v4().to_string();
    let wants_refresh = subject.auth_time.is_some()
        && scope::has(&scope, "offline_access")
        && client.allows(GrantType::RefreshToken);
    let refresh_token = wants_refresh.then(random_token);
    {
        let mut store = shared.store();
        let family = family.unwrap_or_else(|| store.new_family());
        if let (Some(token), Some(auth_time)) = (&refresh_token, subject.auth_time) {
            let record = RefreshRecord {
                family,
                client_id: client.id.clone(),
                sub: subject.sub.clone(),
                scope: scope.clone(),
                auth_time,
                expires_at: now.saturating_add_unsigned(lifetimes.refresh_token),
                rotated: false,
            };
            store.insert_refresh(token.clone(), record, now);
        }
        store.insert_access(
            jti.clone(),
            family,
            now.saturating_add_unsigned(lifetimes.access_token),
            now,
        );
    }
    let id_token = match subject.auth_time {
        Some(auth_time) if scope::has(&scope, "openid") => Some(IdToken {
            auth_time,
            nonce: subject.nonce,
        }),
        _ => None,
    };
    Issue {
        client_id: client.id.clone(),
        sub: subject.sub,
        refresh_token,
        scope,
        now,
        jti,
        id_token,
        aud: None,
        act: None,
        issued_token_type: false,
        authorization_details: None,
        cnf: None,
    }
}

/// Signs the access token (RFC 9068 claims) and id_token, and builds the RFC 6749 5.1 body.
fn sign(shared: &Shared, issue: Issue, jkt: Option<String>) -> Result<Value, OAuthError> {
    let lifetimes = &shared.config.lifetimes;
    let scope = issue.scope.join(" ");
    let mut claims = json!({
        "iss": shared.issuer,
        "sub": issue.sub,
        "aud": shared.config.audience,
        "client_id": issue.client_id,
        "scope": scope,
        "exp": issue.now.saturating_add_unsigned(lifetimes.access_token),
        "iat": issue.now,
        "jti": issue.jti,
    });
    if let Some(id) = &issue.id_token {
        claims["auth_time"] = json!(id.auth_time);
    }
    if let Some(aud) = &issue.aud {
        claims["aud"] = json!(aud);
    }
    if let Some(act) = &issue.act {
        claims["act"] = act.clone();
    }
    if let Some(details) = &issue.authorization_details {
        claims["authorization_details"] = details.clone();
    }
    // Bound to the certificate presented, to the DPoP key, or to both (one `cnf`).
    let mut cnf = issue.cnf.clone().unwrap_or_else(|| json!({}));
    if let (Some(jkt), Some(all)) = (&jkt, cnf.as_object_mut())
        && let Some(dpop) = super::dpop::cnf(jkt).as_object()
    {
        all.extend(dpop.clone());
    }
    if cnf.as_object().is_some_and(|o| !o.is_empty()) {
        claims["cnf"] = cnf;
    }
    let access_token = shared.key.sign("at+jwt", &claims)?;
    let mut body = json!({
        "access_token": access_token,
        "token_type": if jkt.is_some() { "DPoP" } else { "Bearer" },
        "expires_in": lifetimes.access_token,
        "scope": scope,
    });
    if let Some(refresh_token) = issue.refresh_token {
        body["refresh_token"] = json!(refresh_token);
    }
    if let Some(details) = issue.authorization_details {
        body["authorization_details"] = details;
    }
    if issue.issued_token_type {
        body["issued_token_type"] = json!(exchange::ACCESS_TOKEN_TYPE);
    }
    if let Some(id) = issue.id_token {
        let mut claims = json!({
            "iss": shared.issuer,
            "sub": issue.sub,
            "aud": issue.client_id,
            "exp": issue.now.saturating_add_unsigned(lifetimes.id_token),
            "iat": issue.now,
            "auth_time": id.auth_time,
            "at_hash": at_hash(&access_token),
        });
        if let Some(nonce) = id.nonce {
            claims["nonce"] = json!(nonce);
        }
        body["id_token"] = json!(shared.key.sign("JWT", &claims)?);
    }
    Ok(body)
}
