//! Browser state for the login form mode and the device page: the sign-in session cookie,
//! consents given on the consent page, and anti-forgery tokens tied to a cookie, named as
//! ASP.NET Core names them so that the sandbox looks like the IdentityServer it stands in for.

use std::collections::HashMap;

use aws_lc_rs::hmac;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::Response;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use super::client_auth::Params;
use super::keys::random_token;

/// The sign-in cookie.
pub(crate) const SESSION_COOKIE: &str = ".AspNetCore.Identity.Application";
/// The cookie an anti-forgery token is tied to.
pub(crate) const ANTIFORGERY_COOKIE: &str = ".AspNetCore.Antiforgery.baton";
/// The hidden form field that carries the anti-forgery token.
pub(crate) const ANTIFORGERY_FIELD: &str = "__RequestVerificationToken";
/// How long a sign-in lasts.
const SESSION_LIFETIME: i64 = 8 * 3600;
/// Prune expired sessions after this many sign-ins.
const PRUNE_EVERY: u32 = 256;

/// What the user answered on the consent page, kept until the authorize request that
/// follows uses it (a consent is given for one authorization, not remembered).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Consent {
    /// The scopes the user left ticked; `None` when the form sent no list (all of them).
    Granted(Option<Vec<String>>),
    Denied,
}

/// One signed-in browser.
#[derive(Debug, Clone)]
pub(crate) struct Session {
    pub(crate) sub: String,
    pub(crate) auth_time: i64,
    expires_at: i64,
    consents: HashMap<String, Consent>,
}

/// Sessions by cookie value.
#[derive(Default)]
pub(crate) struct Sessions {
    map: HashMap<String, Session>,
    inserts: u32,
}

impl Sessions {
    /// Signs `sub` in and returns the new session's cookie value.
    pub(crate) fn create(&mut self, sub: &str, now: i64) -> String {
        self.inserts += 1;
        if self.inserts >= PRUNE_EVERY {
            self.inserts = 0;
            self.map.retain(|_, s| s.expires_at > now);
        }
        let id = random_token();
        let session = Session {
            sub: sub.to_string(),
            auth_time: now,
            expires_at: now.saturating_add(SESSION_LIFETIME),
            consents: HashMap::new(),
        };
        self.map.insert(id.clone(), session);
        id
    }

    /// The live session of a request, if its cookie names one.
    pub(crate) fn current(&self, headers: &HeaderMap, now: i64) -> Option<&Session> {
        let id = cookie(headers, SESSION_COOKIE)?;
        self.map.get(id).filter(|s| s.expires_at > now)
    }

    /// Records the user's answer for `client_id`; false without a live session.
    pub(crate) fn set_consent(
        &mut self,
        headers: &HeaderMap,
        client_id: &str,
        consent: Consent,
        now: i64,
    ) -> bool {
        let Some(id) = cookie(headers, SESSION_COOKIE) else {
            return false;
        };
        match self.map.get_mut(id).filter(|s| s.expires_at > now) {
            Some(session) => {
                session.consents.insert(client_id.to_string(), consent);
                true
            }
            None => false,
        }
    }

    /// Removes and returns the answer recorded for `client_id`.
    pub(crate) fn take_consent(&mut self, headers: &HeaderMap, client_id: &str) -> Option<Consent> {
        let id = cookie(headers, SESSION_COOKIE)?;
        self.map.get_mut(id)?.consents.remove(client_id)
    }
}

/// The value of cookie `name` in the request's `Cookie` headers.
pub(crate) fn cookie<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim_matches('"'))
}

/// Adds a `Set-Cookie` for a cookie scripts cannot read, sent back on top-level navigations.
pub(crate) fn set_cookie(response: &mut Response, name: &str, value: &str) {
    let cookie = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
}

/// Anti-forgery tokens: the form token is an HMAC of the cookie value under a key made at
/// start, so a form posted from elsewhere (without the cookie, or with a token for another
/// cookie) is refused.
pub(crate) struct Antiforgery {
    key: hmac::Key,
}

impl Antiforgery {
    pub(crate) fn new() -> Antiforgery {
        Antiforgery {
            key: hmac::Key::new(hmac::HMAC_SHA256, &rand::random::<[u8; 32]>()),
        }
    }

    /// The cookie value a form page should use: the request's own when it looks like one
    /// this server made, else a new one (`true`: the response must set it).
    pub(crate) fn cookie_for(&self, headers: &HeaderMap) -> (String, bool) {
        match cookie(headers, ANTIFORGERY_COOKIE) {
            Some(value)
                if value.len() == 43
                    && value
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') =>
            {
                (value.to_string(), false)
            }
            _ => (random_token(), true),
        }
    }

    /// The form token for a cookie value.
    pub(crate) fn token(&self, cookie_value: &str) -> String {
        URL_SAFE_NO_PAD.encode(hmac::sign(&self.key, cookie_value.as_bytes()))
    }

    /// Whether a posted form carries the token of the request's cookie.
    pub(crate) fn verify(&self, headers: &HeaderMap, params: &Params) -> bool {
        let (Some(cookie_value), Ok(Some(token))) = (
            cookie(headers, ANTIFORGERY_COOKIE),
            params.get(ANTIFORGERY_FIELD),
        ) else {
            return false;
        };
        let Ok(tag) = URL_SAFE_NO_PAD.decode(token) else {
            return false;
        };
        hmac::verify(&self.key, cookie_value.as_bytes(), &tag).is_ok()
    }

    /// The hidden field for a form, and sets the cookie on `response` when it is new.
    pub(crate) fn field(&self, headers: &HeaderMap) -> (String, Option<String>) {
        let (value, is_new) = self.cookie_for(headers);
        let field = super::html::hidden(ANTIFORGERY_FIELD, &self.token(&value));
        (field, is_new.then_some(value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_cookie(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::COOKIE, HeaderValue::from_str(value).expect("ascii"));
        headers
    }

    #[test]
    fn reads_cookies_among_others() {
        let headers = with_cookie("a=1; .AspNetCore.Identity.Application=xyz ;b=\"2\"");
        assert_eq!(cookie(&headers, SESSION_COOKIE), Some("xyz"));
        assert_eq!(cookie(&headers, "b"), Some("2"));
        assert_eq!(cookie(&headers, "c"), None);
    }

    #[test]
    fn antiforgery_token_is_tied_to_its_cookie() {
        let af = Antiforgery::new();
        let (value, is_new) = af.cookie_for(&HeaderMap::new());
        assert!(is_new);
        let headers = with_cookie(&format!("{ANTIFORGERY_COOKIE}={value}"));
        assert_eq!(af.cookie_for(&headers), (value.clone(), false));
        let token = af.token(&value);
        let good = Params::parse(format!("{ANTIFORGERY_FIELD}={token}").as_bytes());
        assert!(af.verify(&headers, &good));
        let other = Params::parse(format!("{ANTIFORGERY_FIELD}={}", af.token("x")).as_bytes());
        assert!(!af.verify(&headers, &other));
        assert!(!af.verify(&HeaderMap::new(), &good), "no cookie");
        assert!(!af.verify(&headers, &Params::default()), "no token");
    }

    #[test]
    fn consent_is_taken_once() {
        let mut sessions = Sessions::default();
        let id = sessions.create("818727", 100);
        let headers = with_cookie(&format!("{SESSION_COOKIE}={id}"));
        assert_eq!(
            sessions.current(&headers, 101).map(|s| s.auth_time),
            Some(100)
        );
        assert!(sessions.set_consent(&headers, "c", Consent::Denied, 101));
        assert_eq!(sessions.take_consent(&headers, "c"), Some(Consent::Denied));
        assert_eq!(sessions.take_consent(&headers, "c"), None);
        assert!(sessions.current(&headers, 100 + SESSION_LIFETIME).is_none());
    }
}
