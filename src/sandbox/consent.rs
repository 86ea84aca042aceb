//! The consent page of the login form mode (`consent: true` clients): after the login form,
//! `/consent?returnUrl=...` asks the signed-in user to allow the requested scopes, and its
//! answer (`button=yes` or `button=no`) is kept for the authorize request it returns to. The
//! declining button comes first, as on Django OAuth Toolkit's stock page: a client that
//! presses the first button declines.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;

use super::client::{ClientConfig, GrantType};
use super::client_auth::Params;
use super::html::{self, escape, found, hidden};
use super::login::{authorize_params, login_url, return_url_param};
use super::routes::{CONSENT_PATH, Shared};
use super::scope;
use super::session::{ANTIFORGERY_COOKIE, Consent, set_cookie};

const TITLE: &str = "Allow access";

/// The authorize request behind a return URL: its client and the scopes it asks for.
struct Asked<'s> {
    return_url: String,
    client: &'s ClientConfig,
    scope: Vec<String>,
}

/// `Err` is the message of a 400 page.
fn asked<'s>(shared: &'s Shared, params: &Params) -> Result<Asked<'s>, String> {
    let bad = |why: &str| Err(why.to_string());
    let Some(return_url) = return_url_param(params, "returnUrl") else {
        return bad("returnUrl is missing.");
    };
    let Some(authorize) = authorize_params(return_url) else {
        return bad("returnUrl must be a /connect/authorize URL.");
    };
    let client = match authorize.get("client_id") {
        Ok(Some(id)) => shared.config.client(id),
        _ => None,
    };
    let Some(client) = client else {
        return bad("returnUrl names no known client.");
    };
    let requested = authorize.get("scope").ok().flatten();
    let scope = scope::resolve(
        &shared.config,
        client,
        requested,
        GrantType::AuthorizationCode,
    )
    .map_err(|e| e.description.into_owned())?;
    Ok(Asked {
        return_url: return_url.to_string(),
        client,
        scope,
    })
}

/// `GET /consent?returnUrl=...`
pub(crate) async fn consent_get(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    let query = Params::parse(uri.query().unwrap_or("").as_bytes());
    let asked = match asked(&shared, &query) {
        Ok(asked) => asked,
        Err(why) => return html::bad_request(TITLE, &why),
    };
    let now = shared.clock.now();
    let user = shared
        .sessions()
        .current(&headers, now)
        .map(|s| s.sub.clone());
    let Some(sub) = user else {
        return found(&login_url(&shared, &asked.return_url));
    };
    let (token_field, new_cookie) = shared.antiforgery.field(&headers);
    let name = shared
        .config
        .user_by_sub(&sub)
        .map_or(sub.as_str(), |u| u.username.as_str());
    let mut scopes = String::new();
    for scope in &asked.scope {
        scopes.push_str(&format!(
            "<label><input type=\"checkbox\" name=\"ScopesConsented\" value=\"{s}\" checked> \
             {s}</label>\n",
            s = escape(scope)
        ));
    }
    let body = format!(
        "<p>Signed in as <b>{name}</b>. <b>{client}</b> asks for:</p>\n\
         <form method=\"post\" action=\"{action}\">\n{scopes}{return_field}{token_field}\
         <button type=\"submit\" name=\"button\" value=\"no\">No, do not allow</button>\
         <button type=\"submit\" name=\"button\" value=\"yes\">Yes, allow</button>\n</form>",
        name = escape(name),
        client = escape(&asked.client.id),
        action = escape(&shared.url(CONSENT_PATH)),
        return_field = hidden("returnUrl", &asked.return_url),
    );
    let mut response = html::respond(StatusCode::OK, html::page(TITLE, &body));
    if let Some(value) = new_cookie {
        set_cookie(&mut response, ANTIFORGERY_COOKIE, &value);
    }
    response
}

/// `POST /consent`: records yes (with the ticked scopes, or all when none are listed) or no,
/// and returns to the authorize request, which issues the code or the `access_denied` error.
pub(crate) async fn consent_post(
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
            "The anti-forgery token is missing or does not match its cookie. Load the consent \
             page again, and post its __RequestVerificationToken with the cookie it set.",
        );
    }
    let asked = match asked(&shared, &params) {
        Ok(asked) => asked,
        Err(why) => return html::bad_request(TITLE, &why),
    };
    let consent = match params.get("button") {
        Ok(Some("yes")) => {
            let ticked = params.all("ScopesConsented");
            Consent::Granted(
                (!ticked.is_empty()).then(|| ticked.into_iter().map(str::to_string).collect()),
            )
        }
        Ok(Some("no")) => Consent::Denied,
        _ => return html::bad_request(TITLE, "Answer with button=yes or button=no."),
    };
    let now = shared.clock.now();
    let recorded = shared
        .sessions()
        .set_consent(&headers, &asked.client.id, consent, now);
    if !recorded {
        return found(&login_url(&shared, &asked.return_url));
    }
    found(&shared.url(&asked.return_url))
}
