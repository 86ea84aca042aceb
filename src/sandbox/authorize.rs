//! The authorization endpoint: validates the request, auto-approves a test user and redirects
//! with a code, or with an error as RFC 6749 4.1.2.1 says (or shows an error page when the
//! client or redirect URI cannot be trusted).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{Html, IntoResponse, Response};
use url::Url;

use super::client_auth::Params;
use super::config::{ClientConfig, GrantType};
use super::error::{ErrorCode, OAuthError, no_store};
use super::keys::random_token;
use super::routes::Shared;
use super::store::CodeGrant;
use super::{pkce, scope};

/// `GET /connect/authorize?...`
pub(crate) async fn authorize_get(State(shared): State<Arc<Shared>>, uri: Uri) -> Response {
    let params = Params::parse(uri.query().unwrap_or("").as_bytes());
    authorize(&shared, &params)
}

/// `POST /connect/authorize` with a form body (OIDC Core 3.1.2.1 requires both methods).
pub(crate) async fn authorize_post(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    match Params::from_form(&headers, &body) {
        Ok(params) => authorize(&shared, &params),
        Err(error) => error_page(&error.description),
    }
}

fn authorize(shared: &Shared, params: &Params) -> Response {
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
    let result = issue_code(shared, client, params, given_redirect);
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

/// Checks everything else and records a code for the auto-approved user.
fn issue_code(
    shared: &Shared,
    client: &ClientConfig,
    params: &Params,
    redirect_uri: Option<&str>,
) -> Result<String, OAuthError> {
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
    let nonce = params.get("nonce")?.map(str::to_string);
    // The sandbox has no login form: it signs in the user named by login_hint, or the first one.
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
    let now = shared.clock.now();
    let code = random_token();
    let grant = CodeGrant {
        client_id: client.id.clone(),
        redirect_uri: redirect_uri.map(str::to_string),
        scope,
        sub: user.sub().to_string(),
        auth_time: now,
        nonce,
        pkce,
        expires_at: now.saturating_add_unsigned(shared.config.lifetimes.code),
    };
    shared.store().insert_code(code.clone(), grant, now);
    Ok(code)
}

/// 302 to the client; never cached since it carries a code.
fn found(location: &str) -> Response {
    let mut response = StatusCode::FOUND.into_response();
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(location) {
        headers.insert(header::LOCATION, value);
    }
    no_store(headers);
    response
}

/// A 400 page for a person, since there is nowhere safe to send the error.
fn error_page(message: &str) -> Response {
    let body = format!(
        "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>baton sandbox: authorization error</title></head>\n\
         <body><h1>Authorization request rejected</h1>\n<p>{}</p>\n\
         <p>The sandbox does not redirect this error back to the client (RFC 6749 4.1.2.1).</p></body></html>\n",
        html_escape(message)
    );
    let mut response = (StatusCode::BAD_REQUEST, Html(body)).into_response();
    no_store(response.headers_mut());
    response
}

/// Request input ends up in the page, so it must not be able to inject markup.
fn html_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            html_escape(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }
}
