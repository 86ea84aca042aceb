//! What a file knows of its tokens: each `oauth2` request's tokens and when they expire,
//! the browsers of its sign-ins, and the value `<<id>>` takes after a token response
//! (`<<login.access_token>>`, `.refresh_token`, `.id_token`, `.expires_at`, `.claims`).

use crate::http::Jar;
use crate::oauth::flow::UsedCode;
use crate::oauth::spec::OAuth2;
use crate::secret::Secret;
use crate::template::{Scope, Templates};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;

/// Renew a token this long before it expires, so it does not expire in flight.
pub(super) const SKEW_SECS: i64 = 30;

/// The tokens an `oauth2` request obtained, and how to get new ones.
#[derive(Clone)]
pub(crate) struct TokenState {
    /// Shared with the request that obtained the tokens, which may be gone (a big file's
    /// requests are read one at a time while it runs).
    pub spec: std::sync::Arc<OAuth2>,
    pub expires_at: Option<i64>,
    /// The credential the runner holds longest, across requests: typed, so that no debug
    /// print or message formats it (it leaves only for the provider, in `cache::renew`).
    pub refresh_token: Option<Secret>,
    /// The client certificate the tokens were obtained with (RFC 8705 3: bound to it): every
    /// `auth: { oauth2: id }` request and each renewal present it.
    pub client_cert: Option<Arc<crate::http::client_cert::ClientCert>>,
}

impl TokenState {
    pub(crate) fn expired(&self, now: i64) -> bool {
        self.expires_at.is_some_and(|t| t - SKEW_SECS <= now)
    }
}

pub(super) fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// The value of `<<id>>` after a token response: the response's fields plus `expires_at`
/// (unix seconds) and, when verified, the id_token's `claims`.
pub(super) fn token_value(response: &Value, id_claims: Option<&Value>) -> Value {
    let mut v = response.clone();
    if let Value::Object(map) = &mut v {
        if let Some(secs) = map.get("expires_in").and_then(Value::as_i64) {
            map.insert("expires_at".into(), json!(now().saturating_add(secs)));
        }
        if let Some(c) = id_claims {
            map.insert("claims".into(), c.clone());
        }
    }
    v
}

/// A token value with the authorization code it was exchanged for and the PKCE verifier
/// sent (`<<id.code>>`, `<<id.code_verifier>>`).
pub(super) fn with_code(mut value: Value, used: Option<&UsedCode>) -> Value {
    if let (Value::Object(map), Some(used)) = (&mut value, used) {
        map.insert("code".into(), Value::String(used.code.clone()));
        if let Some(v) = &used.verifier {
            map.insert("code_verifier".into(), Value::String(v.clone()));
        }
        if let Some(uri) = &used.request_uri {
            map.insert("request_uri".into(), Value::String(uri.clone()));
        }
    }
    value
}

/// Whom a headless sign-in is for, as its `login:` says (the values that are not secrets)
/// and a `login_hint`: the key of the browser it runs in.
pub(super) fn identity(
    spec: &OAuth2,
    templates: &crate::template::Templates,
    scope: &Scope,
) -> String {
    who_signs_in(spec)
        .map(|(k, v)| format!("{k}={}", templates.render(v, scope).unwrap_or_default()))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The fields of a headless sign-in that say who signs in: the `login:` values that are not
/// secrets (nor the button), and a `login_hint`.
pub(super) fn who_signs_in(spec: &OAuth2) -> impl Iterator<Item = &(String, crate::template::Tpl)> {
    let login = spec
        .login
        .iter()
        .filter(|(k, _)| k != "button" && !crate::secret::looks_secret(k));
    login.chain(spec.extra.iter().filter(|(k, _)| k == "login_hint"))
}

/// The tokens of a file's `oauth2` requests, by id, and the user agents of its headless
/// sign-ins, one per `login:` identity: their cookies (the provider's session) never reach
/// plain requests or the back channel.
#[derive(Default)]
pub(crate) struct Tokens {
    states: HashMap<String, TokenState>,
    browsers: HashMap<String, Arc<Jar>>,
}

impl Tokens {
    /// Whether the oauth2 request `id` obtained tokens.
    pub(crate) fn holds(&self, id: &str) -> bool {
        self.states.contains_key(id)
    }

    /// The tokens of `id`, for the files that need this one (an exported id).
    pub(crate) fn state(&self, id: &str) -> Option<&TokenState> {
        self.states.get(id)
    }

    /// Tokens another file obtained (a needed file's exported id): renewed here as if
    /// this file had obtained them.
    pub(crate) fn adopt(&mut self, id: &str, state: TokenState) {
        self.states.insert(id.to_string(), state);
    }

    /// The tokens of `id` when they have expired (or are about to).
    pub(crate) fn expired(&self, id: &str) -> Option<&TokenState> {
        self.states.get(id).filter(|s| s.expired(now()))
    }

    /// The user agent a headless sign-in of `spec` runs in: the file's browser for its
    /// `login:` identity (a second sign-in of the same user rides on the provider's
    /// session, as in a browser; another user gets a browser of their own), or a new one
    /// for `session: fresh`, which later sign-ins of that user then share.
    pub(crate) fn browser(
        &mut self,
        spec: &OAuth2,
        templates: &Templates,
        scope: &Scope,
    ) -> Arc<Jar> {
        let key = identity(spec, templates, scope);
        if spec.session == crate::oauth::spec::Session::Fresh {
            let jar = crate::http::new_jar(None);
            self.browsers.insert(key, jar.clone());
            return jar;
        }
        self.browsers
            .entry(key)
            .or_insert_with(|| crate::http::new_jar(None))
            .clone()
    }

    /// Keeps a token response under `id`, in the scope and in the token states.
    pub(crate) fn remember(
        &mut self,
        spec: &Arc<OAuth2>,
        id: &str,
        value: &Value,
        scope: &mut Scope,
    ) {
        let value = &crate::oauth::dpop::with_jkt(spec.dpop.as_ref(), value.clone());
        scope.set_json(id, value);
        if !spec.grant.issues_tokens() || value.get("access_token").is_none() {
            return;
        }
        let refresh_token = value
            .get("refresh_token")
            .and_then(Value::as_str)
            .map(Secret::new)
            .or_else(|| self.states.get(id).and_then(|t| t.refresh_token.clone()));
        let client_cert = self.states.get(id).and_then(|t| t.client_cert.clone());
        self.states.insert(
            id.to_string(),
            TokenState {
                spec: spec.clone(),
                expires_at: value.get("expires_at").and_then(Value::as_i64),
                refresh_token,
                client_cert,
            },
        );
    }

    /// The tokens of `id` were obtained presenting `cert` (or none): the requests that use
    /// them present the same.
    pub(crate) fn bind(
        &mut self,
        id: &str,
        cert: Option<Arc<crate::http::client_cert::ClientCert>>,
    ) {
        if let Some(state) = self.states.get_mut(id) {
            state.client_cert = cert;
        }
    }
}
