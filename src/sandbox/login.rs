//! The login form mode (IdentityServer style) for `login_form` clients: the gate that sends
//! `/connect/authorize` to `/account/login?ReturnUrl=...` or `/consent?returnUrl=...`, and the
//! login page itself, with an anti-forgery token and a session cookie.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;

use super::client::ClientConfig;
use super::client_auth::Params;
use super::error::{ErrorCode, OAuthError};
use super::html::{self, escape, found, hidden};
use super::routes::{AUTHORIZE_PATH, CONSENT_PATH, LOGIN_PATH, Shared};
use super::session::{Consent, SESSION_COOKIE, set_cookie};

/// What `/connect/authorize` does next for a `login_form` client.
pub(crate) enum Gate {
    /// Issue the code for this user and scope.
    Proceed {
        sub: String,
        auth_time: i64,
        scope: Vec<String>,
    },
    /// Send the browser to a form first.
    Redirect(String),
}

/// Sign-in and consent for a `login_form` client, honouring `prompt` (OIDC Core 3.1.2.1).
pub(crate) fn gate(
    shared: &Shared,
    headers: &HeaderMap,
    client: &ClientConfig,
    params: &Params,
    scope: Vec<String>,
) -> Result<Gate, OAuthError> {
    let prompt: Vec<&str> = params
        .get("prompt")?
        .map(|p| p.split(' ').filter(|s| !s.is_empty()).collect())
        .unwrap_or_default();
    if let Some(bad) = prompt
        .iter()
        .find(|p| !matches!(**p, "none" | "login" | "consent" | "select_account"))
    {
        return Err(OAuthError::invalid_request(format!(
            "prompt `{bad}` is not supported; use none, login or consent"
        )));
    }
    let none = prompt.contains(&"none");
    if none && prompt.len() > 1 {
        return Err(OAuthError::invalid_request(
            "prompt=none cannot be combined with other prompt values",
        ));
    }
    let now = shared.clock.now();
    let session = shared
        .sessions()
        .current(headers, now)
        .map(|s| (s.sub.clone(), s.auth_time));
    // max_age (OIDC Core 3.1.2.1): a session older than it asks for the login again.
    let max_age = params
        .get("max_age")?
        .map(|m| {
            m.trim().parse::<i64>().map_err(|_| {
                OAuthError::invalid_request(format!("max_age `{m}` is not a number of seconds"))
            })
        })
        .transpose()?;
    let fresh = |auth_time: i64| max_age.is_none_or(|age| now - auth_time <= age);
    let Some((sub, auth_time)) =
        session.filter(|(_, auth_time)| !prompt.contains(&"login") && fresh(*auth_time))
    else {
        if none {
            return Err(OAuthError::new(
                ErrorCode::LoginRequired,
                "nobody is signed in, and prompt=none forbids the login form",
            ));
        }
        return Ok(Gate::Redirect(login_url(
            shared,
            &return_url(params, "login"),
        )));
    };
    let needs_consent = client.consent || prompt.contains(&"consent");
    let scope = match shared.sessions().take_consent(headers, &client.id) {
        Some(Consent::Denied) => {
            return Err(OAuthError::new(
                ErrorCode::AccessDenied,
                "the user declined on the consent page",
            ));
        }
        Some(Consent::Granted(None)) => scope,
        Some(Consent::Granted(Some(chosen))) => {
            let kept: Vec<String> = scope.into_iter().filter(|s| chosen.contains(s)).collect();
            if kept.is_empty() {
                return Err(OAuthError::new(
                    ErrorCode::AccessDenied,
                    "the user consented to none of the requested scopes",
                ));
            }
            kept
        }
        None if needs_consent && none => {
            return Err(OAuthError::new(
                ErrorCode::ConsentRequired,
                "the client needs consent, and prompt=none forbids the consent form",
            ));
        }
        None if needs_consent => {
            let target = return_url(params, "consent");
            let encoded: String = url::form_urlencoded::byte_serialize(target.as_bytes()).collect();
            return Ok(Gate::Redirect(format!(
                "{}?returnUrl={encoded}",
                shared.url(CONSENT_PATH)
            )));
        }
        None => scope,
    };
    Ok(Gate::Proceed {
        sub,
        auth_time,
        scope,
    })
}

/// The authorize request to come back to, as a local URL, without the `prompt` value that
/// sent the browser away (or it would be sent away again).
fn return_url(params: &Params, satisfied: &str) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for (name, value) in params.pairs() {
        if name == "prompt" {
            let kept: Vec<&str> = value
                .split(' ')
                .filter(|p| !p.is_empty() && *p != satisfied)
                .collect();
            if !kept.is_empty() {
                query.append_pair(name, &kept.join(" "));
            }
        } else {
            query.append_pair(name, value);
        }
    }
    format!("{AUTHORIZE_PATH}?{}", query.finish())
}

/// The login page for a return URL.
pub(crate) fn login_url(shared: &Shared, return_url: &str) -> String {
    let encoded: String = url::form_urlencoded::byte_serialize(return_url.as_bytes()).collect();
    format!("{}?ReturnUrl={encoded}", shared.url(LOGIN_PATH))
}

/// The parameters of a return URL, which must be a local authorize URL: anything else would
/// make the forms an open redirector.
pub(crate) fn authorize_params(return_url: &str) -> Option<Params> {
    let rest = return_url.strip_prefix(AUTHORIZE_PATH)?;
    match rest.strip_prefix('?') {
        Some(query) => Some(Params::parse(query.as_bytes())),
        None if rest.is_empty() => Some(Params::default()),
        None => None,
    }
}

/// `ReturnUrl` as ASP.NET binds it: the name in any case.
pub(crate) fn return_url_param<'p>(params: &'p Params, name: &str) -> Option<&'p str> {
    params
        .pairs()
        .find(|(k, v)| k.eq_ignore_ascii_case(name) && !v.is_empty())
        .map(|(_, v)| v)
}

/// `GET /account/login?ReturnUrl=...`
pub(crate) async fn login_get(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    let query = Params::parse(uri.query().unwrap_or("").as_bytes());
    let return_url = return_url_param(&query, "ReturnUrl");
    let Some(authorize) = checked(return_url) else {
        return html::bad_request("Sign in", "ReturnUrl must be a /connect/authorize URL.");
    };
    let hint = authorize
        .as_ref()
        .and_then(|p| p.get("login_hint").ok().flatten())
        .unwrap_or_default()
        .to_string();
    login_page(&shared, &headers, return_url, &hint, None)
}

/// `POST /account/login`: signs in and returns to the authorize request.
pub(crate) async fn login_post(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let params = match Params::from_form(&headers, &body) {
        Ok(params) => params,
        Err(error) => return html::bad_request("Sign in", &error.description),
    };
    if !shared.antiforgery.verify(&headers, &params) {
        return html::bad_request(
            "Sign in",
            "The anti-forgery token is missing or does not match its cookie. Load the login \
             page again, and post its __RequestVerificationToken with the cookie it set.",
        );
    }
    let return_url = return_url_param(&params, "ReturnUrl");
    if checked(return_url).is_none() {
        return html::bad_request("Sign in", "ReturnUrl must be a /connect/authorize URL.");
    }
    let username = params.get("username").ok().flatten().unwrap_or_default();
    let password = params.get("password").ok().flatten().unwrap_or_default();
    let Some(user) = shared.config.sign_in(username, password) else {
        let error = "Invalid username or password.";
        return login_page(&shared, &headers, return_url, username, Some(error));
    };
    let session = shared.sessions().create(user.sub(), shared.clock.now());
    let mut response = if let Some(target) = return_url {
        found(&shared.url(target))
    } else {
        let body = format!("<p>Signed in as {}.</p>", escape(&user.username));
        html::respond(StatusCode::OK, html::page("Signed in", &body))
    };
    set_cookie(&mut response, SESSION_COOKIE, &session);
    response
}

/// `Some(None)` without a return URL, `Some(params)` for a valid one, `None` for another URL.
fn checked(return_url: Option<&str>) -> Option<Option<Params>> {
    match return_url {
        None => Some(None),
        Some(url) => authorize_params(url).map(Some),
    }
}

fn login_page(
    shared: &Shared,
    headers: &HeaderMap,
    return_url: Option<&str>,
    username: &str,
    error: Option<&str>,
) -> Response {
    let (token_field, new_cookie) = shared.antiforgery.field(headers);
    let client = return_url
        .and_then(authorize_params)
        .and_then(|p| p.get("client_id").ok().flatten().map(str::to_string));
    let users: Vec<&str> = shared
        .config
        .users
        .iter()
        .map(|u| u.username.as_str())
        .collect();
    let body = format!(
        "{error}{client}<form method=\"post\" action=\"{action}\">\n\
         <label>Username <input type=\"text\" name=\"username\" value=\"{username}\" \
         autocomplete=\"username\" required autofocus></label>\n\
         <label>Password <input type=\"password\" name=\"password\" \
         autocomplete=\"current-password\" required></label>\n\
         {return_field}{token_field}\
         <button type=\"submit\" name=\"button\" value=\"login\">Log in</button>\n</form>\n\
         <p>Sandbox users: {users} (passwords in the <code>baton sandbox</code> banner).</p>",
        error = html::error_line(error),
        client = client
            .map(|c| format!("<p>to continue to <b>{}</b></p>\n", escape(&c)))
            .unwrap_or_default(),
        action = escape(&shared.url(LOGIN_PATH)),
        username = escape(username),
        return_field = return_url
            .map(|r| hidden("ReturnUrl", r))
            .unwrap_or_default(),
        users = escape(&users.join(", ")),
    );
    let mut response = html::respond(StatusCode::OK, html::page("Sign in", &body));
    if let Some(value) = new_cookie {
        set_cookie(&mut response, super::session::ANTIFORGERY_COOKIE, &value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn return_url_drops_only_the_satisfied_prompt() {
        let params = Params::parse(b"client_id=c&prompt=login+consent&scope=openid+api");
        assert_eq!(
            return_url(&params, "login"),
            "/connect/authorize?client_id=c&prompt=consent&scope=openid+api"
        );
        let params = Params::parse(b"client_id=c&prompt=login");
        assert_eq!(
            return_url(&params, "login"),
            "/connect/authorize?client_id=c"
        );
    }

    #[test]
    fn only_local_authorize_urls_are_return_urls() {
        assert!(authorize_params("/connect/authorize?client_id=c").is_some());
        assert!(authorize_params("/connect/authorize").is_some());
        for bad in [
            "https://evil.example/connect/authorize?x",
            "//evil.example/connect/authorize",
            "/connect/authorize/../../evil",
            "/connect/authorizex?y",
        ] {
            assert!(authorize_params(bad).is_none(), "{bad}");
        }
    }
}
