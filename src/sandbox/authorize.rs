//! The authorization endpoint: validates the request, signs a user in (auto-approving a test
//! user, or through the login and consent forms for `login_form` clients) and redirects with a
//! code, or with an error as RFC 6749 4.1.2.1 says (or shows an error page when the client or
//! redirect URI cannot be trusted).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use url::Url;

use super::client::{ClientConfig, GrantType};
use super::client_auth::Params;
use super::error::{ErrorCode, OAuthError};
use super::html::{self, found};
use super::keys::random_token;
use super::login::{self, Gate};
use super::routes::Shared;
use super::store::{CodeGrant, Pkce};
use super::{details, jar, par, pkce, scope};
use serde_json::Value;

/// `GET /connect/authorize?...`
pub(crate) async fn authorize_get(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    let params = Params::parse(uri.query().unwrap_or("").as_bytes());
    authorize(&shared, &headers, &params)
}

/// `POST /connect/authorize` with a form body (OIDC Core 3.1.2.1 requires both methods).
pub(crate) async fn authorize_post(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    match Params::from_form(&headers, &body) {
        Ok(params) => authorize(&shared, &headers, &params),
        Err(error) => error_page(&error.description),
    }
}

fn authorize(shared: &Shared, headers: &HeaderMap, given: &Params) -> Response {
    // RFC 9126 4: a pushed request stands for every parameter; the others are ignored.
    let (pushed, resolved) = match given.get("request_uri") {
        Ok(Some(uri)) => match given.get("client_id") {
            Ok(Some(id)) => match shared.pushed().resolve(uri, id, shared.clock.now()) {
                Ok(params) => (Some(uri.to_string()), Some(params)),
                Err(error) => return request_uri_refused(shared, id, &error),
            },
            Ok(None) => return error_page("The client_id parameter is missing."),
            Err(error) => return error_page(&error.description),
        },
        Ok(None) => (None, None),
        Err(error) => return error_page(&error.description),
    };
    let params = resolved.as_ref().unwrap_or(given);
    // RFC 9101 6.3: a request object by value stands for every parameter too.
    let unwrapped = match jar::unwrap(shared, params) {
        Ok(unwrapped) => unwrapped,
        Err(error) => {
            return error_page(&format!("{}: {}", error.code.as_str(), error.description));
        }
    };
    let params = unwrapped.as_ref().unwrap_or(params);
    // Until the client and its redirect URI are known to be genuine, redirecting would make
    // the sandbox an open redirector: such errors are shown, never sent back (RFC 6749 4.1.2.1).
    let client = match params.get("client_id") {
        Ok(Some(id)) => match shared.config.client(id) {
            Some(client) => client,
            None => return error_page(&format!("Unknown client_id `{id}`.")),
        },
        Ok(None) => return error_page("The client_id parameter is missing."),
        Err(error) => return error_page(&error.description),
    };
    let given_redirect = match params.get("redirect_uri") {
        Ok(uri) => uri,
        Err(error) => return error_page(&error.description),
    };
    let redirect = match given_redirect {
        Some(uri) if client.redirect_uri_allowed(uri) => uri,
        Some(uri) => {
            return error_page(&format!(
                "redirect_uri `{uri}` is not registered for client `{}`. Registered (loopback ones \
                 match any port): {}",
                client.id,
                client.redirect_uris.join(", ")
            ));
        }
        // RFC 6749 3.1.2.3: it may be omitted when only one is registered.
        None => match client.redirect_uris.as_slice() {
            [only] => only.as_str(),
            _ => return error_page("The redirect_uri parameter is missing."),
        },
    };
    let Ok(mut target) = Url::parse(redirect) else {
        return error_page(&format!(
            "redirect_uri `{redirect}` is not an absolute URL."
        ));
    };
    // A repeated state is itself an error below; echo nothing rather than one of them.
    let state = params.get("state").ok().flatten();
    let result = match validate(shared, client, params, given_redirect, pushed.is_some()) {
        Ok(request) => match sign_in(shared, headers, client, params, request.scope.clone()) {
            Ok(Gate::Proceed {
                sub,
                auth_time,
                scope,
            }) => Ok(record_code(shared, client, request, sub, auth_time, scope)),
            // To the login or consent form, which come back here when done.
            Ok(Gate::Redirect(location)) => return found(&location),
            Err(error) => Err(error),
        },
        Err(error) => Err(error),
    };
    // Answered: the pushed request is spent (not before, as a login form comes back to it).
    if let Some(uri) = &pushed {
        shared.pushed().consume(uri);
    }
    {
        let mut query = target.query_pairs_mut();
        match &result {
            Ok(code) => {
                query.append_pair("code", code);
            }
            Err(error) => {
                query.append_pair("error", error.code.as_str());
                query.append_pair("error_description", &error.description);
            }
        }
        if let Some(state) = state {
            query.append_pair("state", state);
        }
        // RFC 9207: tells the client which server answered, against mix-up attacks.
        query.append_pair("iss", &shared.issuer);
    }
    found(target.as_str())
}

/// An authorize request that passed every check but who signs in.
pub(crate) struct CodeRequest {
    redirect_uri: Option<String>,
    scope: Vec<String>,
    nonce: Option<String>,
    pkce: Option<Pkce>,
    authorization_details: Option<Value>,
    /// RFC 9449 10: the DPoP key the code may be redeemed with.
    dpop_jkt: Option<String>,
}

/// Checks everything but the client and redirect URI, which the caller checked; `pushed`
/// when the parameters came through the PAR endpoint (or are being pushed).
pub(crate) fn validate(
    shared: &Shared,
    client: &ClientConfig,
    params: &Params,
    redirect_uri: Option<&str>,
    pushed: bool,
) -> Result<CodeRequest, OAuthError> {
    if !pushed && par::required(shared, client) {
        return Err(OAuthError::invalid_request(format!(
            "client `{}` must push its authorization requests to {} and send the request_uri \
             (RFC 9126 6)",
            client.id,
            shared.url(super::routes::PAR_PATH)
        )));
    }
    // Checked here only to reject a repeated state; its value was taken by the caller.
    params.get("state")?;
    let response_type = params.require("response_type")?;
    if response_type != "code" {
        return Err(OAuthError::new(
            ErrorCode::UnsupportedResponseType,
            format!("response_type `{response_type}` is not supported; use code"),
        ));
    }
    if let Some(mode) = params.get("response_mode")?
        && mode != "query"
    {
        return Err(OAuthError::invalid_request(format!(
            "response_mode `{mode}` is not supported; use query"
        )));
    }
    if !client.allows(GrantType::AuthorizationCode) {
        return Err(OAuthError::new(
            ErrorCode::UnauthorizedClient,
            format!(
                "client `{}` may not use the authorization_code grant",
                client.id
            ),
        ));
    }
    let scope = scope::resolve(
        &shared.config,
        client,
        params.get("scope")?,
        GrantType::AuthorizationCode,
    )?;
    let pkce = pkce::from_authorize(
        params.get("code_challenge")?,
        params.get("code_challenge_method")?,
        client.requires_pkce(),
    )?;
    Ok(CodeRequest {
        redirect_uri: redirect_uri.map(str::to_string),
        scope,
        nonce: params.get("nonce")?.map(str::to_string),
        pkce,
        authorization_details: details::parse(params)?,
        dpop_jkt: params.get("dpop_jkt")?.map(str::to_string),
    })
}

/// Who the code is for. A `login_form` client goes through the forms; any other client gets
/// the user named by login_hint, or the first one, at once.
fn sign_in(
    shared: &Shared,
    headers: &HeaderMap,
    client: &ClientConfig,
    params: &Params,
    scope: Vec<String>,
) -> Result<Gate, OAuthError> {
    if client.login_form {
        return login::gate(shared, headers, client, params, scope);
    }
    let user = match params.get("login_hint")? {
        Some(hint) => shared
            .config
            .user(hint)
            .or_else(|| shared.config.user_by_sub(hint))
            .ok_or_else(|| {
                OAuthError::new(
                    ErrorCode::AccessDenied,
                    format!("login_hint `{hint}` names no sandbox user"),
                )
            })?,
        None => shared.config.users.first().ok_or_else(|| {
            OAuthError::new(
                ErrorCode::AccessDenied,
                "the sandbox has no user to sign in",
            )
        })?,
    };
    Ok(Gate::Proceed {
        sub: user.sub().to_string(),
        auth_time: shared.clock.now(),
        scope,
    })
}

fn record_code(
    shared: &Shared,
    client: &ClientConfig,
    request: CodeRequest,
    sub: String,
    auth_time: i64,
    scope: Vec<String>,
) -> String {
    let now = shared.clock.now();
    let code = random_token();
    let grant = CodeGrant {
        client_id: client.id.clone(),
        redirect_uri: request.redirect_uri,
        scope,
        sub,
        auth_time,
        nonce: request.nonce,
        pkce: request.pkce,
        authorization_details: request.authorization_details,
        dpop_jkt: request.dpop_jkt,
        expires_at: now.saturating_add_unsigned(shared.config.lifetimes.code),
    };
    shared.store().insert_code(code.clone(), grant, now);
    code
}

/// A request_uri refused: the error goes to the client's redirect URI when it has only one
/// (RFC 6749 3.1.2.3: the one a request without `redirect_uri` means), as oidc-provider
/// does, and is shown otherwise: the pushed one is not to be trusted any more.
fn request_uri_refused(shared: &Shared, client_id: &str, error: &OAuthError) -> Response {
    let only = shared
        .config
        .client(client_id)
        .and_then(|c| match c.redirect_uris.as_slice() {
            [only] => Url::parse(only).ok(),
            _ => None,
        });
    let Some(mut target) = only else {
        return error_page(&format!("{}: {}", error.code.as_str(), error.description));
    };
    target
        .query_pairs_mut()
        .append_pair("error", error.code.as_str())
        .append_pair("error_description", &error.description)
        .append_pair("iss", &shared.issuer);
    found(target.as_str())
}

/// A 400 page for a person, since there is nowhere safe to send the error.
fn error_page(message: &str) -> Response {
    let body = format!(
        "<p>{}</p>\n<p>The sandbox does not redirect this error back to the client \
         (RFC 6749 4.1.2.1).</p>",
        html::escape(message)
    );
    html::respond(
        StatusCode::BAD_REQUEST,
        html::page("Authorization request rejected", &body),
    )
}
