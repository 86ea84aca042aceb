//! Deciding device codes (RFC 8628 3.3): the verification page `/device`, where a person
//! types the user code and signs in (or is already signed in) to approve or deny it, and
//! `POST /test/device/approve`, which does the same without a browser for tests.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::client_auth::Params;
use super::device::{Decision, UserCodeError};
use super::error::{ErrorCode, OAuthError, no_store};
use super::html::{self, escape};
use super::routes::{DEVICE_PAGE_PATH, Shared};
use super::session::{ANTIFORGERY_COOKIE, SESSION_COOKIE, set_cookie};

const TITLE: &str = "Connect a device";

/// `GET /device?user_code=...` (the `verification_uri`, or `verification_uri_complete`).
pub(crate) async fn page_get(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    let query = Params::parse(uri.query().unwrap_or("").as_bytes());
    let user_code = query.get("user_code").ok().flatten().unwrap_or_default();
    form(&shared, &headers, user_code, None)
}

/// `POST /device`: approves (or, with `button=deny`, denies) the user code as the user who
/// signs in with the form's username and password, or as the session's user.
pub(crate) async fn page_post(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let params = match Params::from_form(&headers, &body) {
        Ok(params) => params,
        Err(error) => return html::bad_request(TITLE, &error.description),
    };
    if !shared.antiforgery.verify(&headers, &params) {
        return html::bad_request(
            TITLE,
            "The anti-forgery token is missing or does not match its cookie. Load the page \
             again, and post its __RequestVerificationToken with the cookie it set.",
        );
    }
    let field = |name: &str| params.get(name).ok().flatten().unwrap_or_default();
    let user_code = field("user_code");
    if user_code.is_empty() {
        return form(
            &shared,
            &headers,
            "",
            Some("Enter the code your device shows."),
        );
    }
    let now = shared.clock.now();
    let (username, password) = (field("username"), field("password"));
    let mut new_session = None;
    let signed_in = if username.is_empty() {
        let session = shared.sessions().current(&headers, now).cloned();
        session.map(|s| (s.sub, s.auth_time))
    } else if let Some(user) = shared.config.sign_in(username, password) {
        new_session = Some(shared.sessions().create(user.sub(), now));
        Some((user.sub().to_string(), now))
    } else {
        let error = "Invalid username or password.";
        return form(&shared, &headers, user_code, Some(error));
    };
    let Some((sub, auth_time)) = signed_in else {
        let error = "Sign in with your username and password to approve the device.";
        return form(&shared, &headers, user_code, Some(error));
    };
    let deny = field("button") == "deny";
    let decision = if deny {
        Decision::Deny
    } else {
        Decision::Approve { sub, auth_time }
    };
    let decided = shared.devices().decide(user_code, decision, now);
    let mut response = match decided {
        Ok(request) => {
            let (title, text) = if deny {
                ("Request denied", "The device will not get access.")
            } else {
                (
                    "Device connected",
                    "The device now gets its tokens. You can close this page.",
                )
            };
            let body = format!(
                "<p>{} ({}): {text}</p>",
                escape(&request.user_code),
                escape(&request.client_id)
            );
            html::respond(StatusCode::OK, html::page(title, &body))
        }
        Err(error) => form(&shared, &headers, user_code, Some(error.message())),
    };
    if let Some(session) = new_session {
        set_cookie(&mut response, SESSION_COOKIE, &session);
    }
    response
}

fn form(shared: &Shared, headers: &HeaderMap, user_code: &str, error: Option<&str>) -> Response {
    let (token_field, new_cookie) = shared.antiforgery.field(headers);
    let now = shared.clock.now();
    let signed_in = shared
        .sessions()
        .current(headers, now)
        .and_then(|s| shared.config.user_by_sub(&s.sub))
        .map(|u| u.username.clone());
    let asks = match shared.devices().pending(user_code, now) {
        Ok(request) if error.is_none() => format!(
            "<p><b>{}</b> asks for: {}</p>\n",
            escape(&request.client_id),
            escape(&request.scope.join(" "))
        ),
        _ => String::new(),
    };
    let login = match &signed_in {
        Some(name) => format!(
            "<p>Signed in as <b>{}</b>; or sign in as someone else:</p>\n",
            escape(name)
        ),
        None => String::new(),
    };
    let body = format!(
        "{error}<form method=\"post\" action=\"{action}\">\n\
         <label>Code shown on your device <input type=\"text\" name=\"user_code\" \
         value=\"{user_code}\" placeholder=\"XXXX-XXXX\" autocomplete=\"off\" required></label>\n\
         {asks}{login}\
         <label>Username <input type=\"text\" name=\"username\" autocomplete=\"username\"></label>\n\
         <label>Password <input type=\"password\" name=\"password\" \
         autocomplete=\"current-password\"></label>\n{token_field}\
         <button type=\"submit\" name=\"button\" value=\"approve\">Approve</button>\
         <button type=\"submit\" name=\"button\" value=\"deny\">Deny</button>\n</form>",
        error = html::error_line(error),
        action = escape(&shared.url(DEVICE_PAGE_PATH)),
        user_code = escape(user_code),
    );
    let mut response = html::respond(StatusCode::OK, html::page(TITLE, &body));
    if let Some(value) = new_cookie {
        set_cookie(&mut response, ANTIFORGERY_COOKIE, &value);
    }
    response
}

/// `POST /test/device/approve` with `user_code`, optional `username` (default: the first
/// user) and `deny=1`: decides without a browser and answers JSON.
pub(crate) async fn test_approve(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    match approve(&shared, &headers, &body) {
        Ok(value) => {
            let mut response = axum::Json(value).into_response();
            no_store(response.headers_mut());
            response
        }
        Err(error) => error.into_response(),
    }
}

fn approve(
    shared: &Shared,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<serde_json::Value, OAuthError> {
    let params = Params::from_form(headers, body)?;
    let user_code = params.require("user_code")?;
    let deny = matches!(params.get("deny")?, Some("1" | "true" | "yes"));
    let user = match params.get("username")? {
        Some(name) => shared.config.user(name).ok_or_else(|| {
            OAuthError::invalid_request(format!("username `{name}` names no sandbox user"))
        })?,
        None => shared
            .config
            .users
            .first()
            .ok_or_else(|| OAuthError::invalid_request("the sandbox has no user"))?,
    };
    let now = shared.clock.now();
    let decision = if deny {
        Decision::Deny
    } else {
        Decision::Approve {
            sub: user.sub().to_string(),
            auth_time: now,
        }
    };
    let request =
        shared
            .devices()
            .decide(user_code, decision, now)
            .map_err(|error| match error {
                UserCodeError::Expired => OAuthError::new(
                    ErrorCode::ExpiredToken,
                    format!("user code `{user_code}` has expired"),
                ),
                UserCodeError::Unknown => {
                    OAuthError::invalid_request(format!("user code `{user_code}` is not known"))
                }
                UserCodeError::AlreadyDecided => OAuthError::invalid_request(format!(
                    "user code `{user_code}` was already approved or denied"
                )),
            })?;
    let mut value = json!({
        "user_code": request.user_code,
        "client_id": request.client_id,
        "scope": request.scope.join(" "),
        "approved": !deny,
    });
    if !deny {
        value["sub"] = json!(user.sub());
    }
    Ok(value)
}
