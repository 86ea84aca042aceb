//! Pushed authorization requests (RFC 9126): `POST /connect/par` authenticates the client as
//! the token endpoint does, checks the parameters as the authorize endpoint would, and keeps
//! them for 60 s under a one-time `urn:ietf:params:oauth:request_uri:<random>`, which the
//! authorize endpoint resolves (its other parameters then ignored, RFC 9126 4).

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::client::ClientConfig;
use super::client_auth::{Accept, Params, authenticate};
use super::error::{ErrorCode, OAuthError, no_store};
use super::keys::random_token;
use super::routes::{PAR_PATH, Shared};

/// RFC 9126 2.2: the prefix of the references the endpoint hands out.
pub(crate) const REQUEST_URI_PREFIX: &str = "urn:ietf:params:oauth:request_uri:";
/// How long a pushed request may wait for its authorize request: RFC 9126 2.2 suggests a
/// short time, 5 to 600 s; oidc-provider uses 60 s too.
pub(crate) const LIFETIME_SECS: i64 = 60;
/// The fields of client authentication, which are not parameters of the authorize request.
const CLIENT_AUTH_FIELDS: [&str; 3] =
    ["client_secret", "client_assertion", "client_assertion_type"];

/// A pushed request: whose, its parameters, until when.
struct Pushed {
    client_id: String,
    params: Vec<(String, String)>,
    expires_at: i64,
    used: bool,
}

/// The pushed requests, by `request_uri`.
#[derive(Default)]
pub(crate) struct PushedRequests {
    by_uri: HashMap<String, Pushed>,
}

impl PushedRequests {
    fn insert(&mut self, client_id: &str, params: Vec<(String, String)>, now: i64) -> String {
        // Gone ones matter no more: a reference reused after its time is unknown, and still
        // refused.
        self.by_uri.retain(|_, p| p.expires_at > now);
        let uri = format!("{REQUEST_URI_PREFIX}{}", random_token());
        self.by_uri.insert(
            uri.clone(),
            Pushed {
                client_id: client_id.to_string(),
                params,
                expires_at: now + LIFETIME_SECS,
                used: false,
            },
        );
        uri
    }

    /// The parameters pushed under `uri` for `client_id`, with `request_uri` itself among
    /// them so that a sign-in that goes through the login form comes back to it; refused
    /// when unknown, expired, spent or another client's.
    pub(crate) fn resolve(
        &self,
        uri: &str,
        client_id: &str,
        now: i64,
    ) -> Result<Params, OAuthError> {
        let invalid = |why: &str| OAuthError::new(ErrorCode::InvalidRequestUri, why.to_string());
        let Some(pushed) = self.by_uri.get(uri) else {
            return Err(invalid("the request_uri is unknown (RFC 9126 4)"));
        };
        if pushed.used {
            return Err(invalid(
                "the request_uri was already used: a pushed request is good for one authorization",
            ));
        }
        if pushed.expires_at <= now {
            return Err(invalid("the request_uri has expired"));
        }
        if pushed.client_id != client_id {
            return Err(invalid("the request_uri was pushed by another client"));
        }
        let mut params = pushed.params.clone();
        params.push(("request_uri".into(), uri.to_string()));
        Ok(Params::from_pairs(params))
    }

    /// Spends `uri`: the authorization it carried has been answered.
    pub(crate) fn consume(&mut self, uri: &str) {
        if let Some(pushed) = self.by_uri.get_mut(uri) {
            pushed.used = true;
        }
    }
}

/// Whether `client` may only send pushed requests (its own registration, or the server's).
pub(crate) fn required(shared: &Shared, client: &ClientConfig) -> bool {
    client.require_pushed_authorization_requests
        || shared.config.require_pushed_authorization_requests
}

/// `POST /connect/par`.
pub(crate) async fn par(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    match push(&shared, &headers, &body) {
        Ok(body) => {
            let mut response = (StatusCode::CREATED, axum::Json(body)).into_response();
            no_store(response.headers_mut());
            response
        }
        Err(error) => error.into_response(),
    }
}

fn push(shared: &Shared, headers: &HeaderMap, body: &[u8]) -> Result<Value, OAuthError> {
    let params = Params::from_form(headers, body)?;
    let client = authenticate(shared, PAR_PATH, headers, &params, Accept::AnyClient)?;
    super::fapi::assertion_audience(shared, client, &params)?;
    super::fapi::pushed(client, &params)?;
    if params.get("request_uri")?.is_some() {
        return Err(OAuthError::invalid_request(
            "request_uri cannot be pushed: it is what this endpoint answers (RFC 9126 2.1)",
        ));
    }
    // RFC 9126 3: a request object pushed stands for the parameters; kept verified.
    let unwrapped = super::jar::unwrap(shared, &params)?;
    if let Some(inner) = &unwrapped
        && inner.get("client_id")?.is_some_and(|id| id != client.id)
    {
        return Err(OAuthError::invalid_request(
            "the request object is another client's",
        ));
    }
    let params = unwrapped.unwrap_or(params);
    // RFC 9126 2.1: the parameters are checked now as the authorize endpoint checks them, so
    // that a mistake is told to the client rather than shown to a user later.
    let redirect = params.get("redirect_uri")?;
    match redirect {
        Some(uri) if !client.redirect_uri_allowed(uri) => {
            return Err(OAuthError::invalid_request(format!(
                "redirect_uri `{uri}` is not registered for client `{}`",
                client.id
            )));
        }
        None if client.redirect_uris.len() != 1 => {
            return Err(OAuthError::invalid_request(
                "the redirect_uri parameter is missing",
            ));
        }
        _ => {}
    }
    super::authorize::validate(shared, client, &params, redirect, true)?;
    let mut kept: Vec<(String, String)> = params
        .pairs()
        .filter(|(k, _)| !CLIENT_AUTH_FIELDS.contains(k) && *k != "client_id")
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    kept.insert(0, ("client_id".into(), client.id.clone()));
    let uri = shared.pushed().insert(&client.id, kept, shared.clock.now());
    Ok(json!({ "request_uri": uri, "expires_in": LIFETIME_SECS }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_uri_is_for_one_client_once_and_for_a_minute() {
        let mut store = PushedRequests::default();
        let params = vec![("scope".to_string(), "api".to_string())];
        let uri = store.insert("c", params, 1000);
        assert!(uri.starts_with(REQUEST_URI_PREFIX));
        let got = store.resolve(&uri, "c", 1001).expect("fresh");
        assert_eq!(got.get("scope").unwrap(), Some("api"));
        assert_eq!(got.get("request_uri").unwrap(), Some(uri.as_str()));
        let other = store.resolve(&uri, "d", 1001).expect_err("another client");
        assert_eq!(other.code.as_str(), "invalid_request_uri");
        assert!(
            store.resolve(&uri, "c", 1000 + LIFETIME_SECS).is_err(),
            "expired"
        );
        store.consume(&uri);
        let spent = store.resolve(&uri, "c", 1001).expect_err("spent");
        assert!(
            spent.description.contains("already used"),
            "{}",
            spent.description
        );
        assert!(store.resolve("urn:nothing", "c", 1001).is_err());
    }
}
