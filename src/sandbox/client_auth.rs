//! Request parameters (form bodies and query strings) and client authentication
//! (RFC 6749 2.3: a Basic header with form-encoded id and secret, or the body; JWT
//! assertions are checked in `assertion`), with each client's allowed methods enforced.

use axum::http::{HeaderMap, header};
use base64::Engine;
use base64::engine::general_purpose::STANDARD_PAD_INDIFFERENT;

use super::assertion::{self, JWT_BEARER};
use super::client::{AuthMethod, ClientConfig};
use super::error::OAuthError;
use super::routes::Shared;

/// Decoded `name=value` pairs, kept in order so that repeats can be detected.
#[derive(Debug, Default)]
pub(crate) struct Params(Vec<(String, String)>);

impl Params {
    pub(crate) fn parse(raw: &[u8]) -> Params {
        Params(
            url::form_urlencoded::parse(raw)
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }

    /// Pairs already decoded (a pushed request's).
    pub(crate) fn from_pairs(pairs: Vec<(String, String)>) -> Params {
        Params(pairs)
    }

    /// A form body; RFC 6749 3.2 requires `application/x-www-form-urlencoded`.
    pub(crate) fn from_form(headers: &HeaderMap, body: &[u8]) -> Result<Params, OAuthError> {
        let content_type = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let essence = content_type.split(';').next().unwrap_or("").trim();
        if !essence.eq_ignore_ascii_case("application/x-www-form-urlencoded") {
            return Err(OAuthError::invalid_request(format!(
                "the body must be application/x-www-form-urlencoded, not `{content_type}`"
            )));
        }
        Ok(Params::parse(body))
    }

    /// One parameter. Empty values count as absent (RFC 6749 3.1), and a parameter sent twice
    /// is an error (3.1, 3.2) rather than a silent pick of one of them.
    pub(crate) fn get(&self, name: &str) -> Result<Option<&str>, OAuthError> {
        let mut values = self
            .0
            .iter()
            .filter(|(k, v)| k == name && !v.is_empty())
            .map(|(_, v)| v.as_str());
        let first = values.next();
        if values.next().is_some() {
            return Err(OAuthError::invalid_request(format!(
                "parameter `{name}` is repeated"
            )));
        }
        Ok(first)
    }

    /// Every non-empty value of a parameter that may repeat (checkboxes of an HTML form).
    pub(crate) fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, v)| k == name && !v.is_empty())
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// Every pair, in the order received.
    pub(crate) fn pairs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// A parameter that must be present.
    pub(crate) fn require(&self, name: &str) -> Result<&str, OAuthError> {
        self.get(name)?
            .ok_or_else(|| OAuthError::invalid_request(format!("parameter `{name}` is missing")))
    }
}

/// Which clients an endpoint accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Accept {
    /// Public clients identify themselves with `client_id` alone.
    AnyClient,
    /// Only clients that can prove a secret (introspection).
    ConfidentialOnly,
}

/// Finds and authenticates the client of a token, device authorization, introspection or
/// revocation request sent to `endpoint` (a path, one of the audiences a JWT assertion may name).
pub(crate) fn authenticate<'c>(
    shared: &'c Shared,
    endpoint: &str,
    headers: &HeaderMap,
    params: &Params,
    accept: Accept,
) -> Result<&'c ClientConfig, OAuthError> {
    // The back channel is the client's, not the browser's: like providers that refuse it,
    // the sandbox turns away a request that carries the end user's session cookie.
    if super::session::cookie(headers, super::session::SESSION_COOKIE).is_some() {
        return Err(OAuthError::invalid_request(
            "this endpoint is not supposed to be called by authenticated users: the request \
             carries the end user's session cookie, which a client's back channel never sends",
        ));
    }
    let basic = basic_credentials(headers)?;
    let body_id = params.get("client_id")?;
    let body_secret = params.get("client_secret")?;
    let assertion = params.get("client_assertion")?;
    let assertion_type = params.get("client_assertion_type")?;

    let presented = [basic.is_some(), body_secret.is_some(), assertion.is_some()];
    if presented.iter().filter(|p| **p).count() > 1 {
        return Err(OAuthError::invalid_request(
            "the client authenticated twice (more than one of a Basic header, client_secret and \
             client_assertion); use one method (RFC 6749 2.3)",
        ));
    }
    if let Some(assertion) = assertion {
        match assertion_type {
            Some(JWT_BEARER) => {}
            Some(other) => {
                return Err(OAuthError::invalid_client(format!(
                    "client_assertion_type `{other}` is not supported; use {JWT_BEARER}"
                )));
            }
            None => {
                return Err(OAuthError::invalid_request(
                    "client_assertion_type is missing",
                ));
            }
        }
        return assertion::authenticate(shared, endpoint, assertion, body_id);
    }
    if assertion_type.is_some() {
        return Err(OAuthError::invalid_request(
            "client_assertion_type was sent without a client_assertion",
        ));
    }

    let (client_id, secret, method) = match (basic, body_id) {
        (Some((id, _)), Some(body_id)) if id != body_id => {
            return Err(OAuthError::invalid_request(
                "client_id in the body differs from the one in the Basic header",
            ));
        }
        (Some((id, secret)), _) => (id, secret, AuthMethod::ClientSecretBasic),
        (None, Some(id)) => match body_secret {
            Some(secret) => (
                id.to_string(),
                secret.to_string(),
                AuthMethod::ClientSecretPost,
            ),
            None => (id.to_string(), String::new(), AuthMethod::None),
        },
        (None, None) => {
            return Err(OAuthError::invalid_client(
                "no client authentication: send a Basic header, client_id (and client_secret) \
                 in the body, or a client_assertion",
            ));
        }
    };
    let Some(client) = shared.config.client(&client_id) else {
        return Err(OAuthError::invalid_client(format!(
            "unknown client `{client_id}`"
        )));
    };
    let methods = || {
        let names: Vec<&str> = client.auth_methods().iter().map(|m| m.as_str()).collect();
        names.join(" or ")
    };
    // RFC 8705 2: the certificate of the handshake authenticates the client.
    if method == AuthMethod::None && client.uses_certificate() {
        return super::mtls::authenticate(client).map(|()| client);
    }
    // A Basic header with an empty secret is how some tools send a public client's id.
    if method == AuthMethod::None || (secret.is_empty() && client.is_public()) {
        return match client.is_public() {
            true if accept == Accept::ConfidentialOnly => Err(OAuthError::invalid_client(format!(
                "client `{client_id}` is public and cannot use this endpoint"
            ))),
            true => Ok(client),
            false if client.secret.is_some() && client.accepts(AuthMethod::ClientSecretBasic) => {
                Err(OAuthError::invalid_client(format!(
                    "client `{client_id}` is confidential: send its secret"
                )))
            }
            false => Err(OAuthError::invalid_client(format!(
                "client `{client_id}` authenticates with {}: send a client_assertion",
                methods()
            ))),
        };
    }
    if client.is_public() {
        return Err(OAuthError::invalid_client(format!(
            "client `{client_id}` is public and has no secret"
        )));
    }
    if !client.accepts(method) {
        return Err(OAuthError::invalid_client(format!(
            "client `{client_id}` authenticates with {}, not {}",
            methods(),
            method.as_str()
        )));
    }
    match &client.secret {
        Some(expected) if secrets_equal(expected, &secret) => Ok(client),
        _ if method == AuthMethod::ClientSecretBasic => Err(OAuthError::invalid_client(format!(
            "wrong secret for client `{client_id}` (in a Basic header, id and secret are \
             form-encoded first, RFC 6749 2.3.1)"
        ))),
        _ => Err(OAuthError::invalid_client(format!(
            "wrong secret for client `{client_id}`"
        ))),
    }
}

/// Compares in constant time so that the sandbox does not teach bad habits.
fn secrets_equal(expected: &str, given: &str) -> bool {
    aws_lc_rs::constant_time::verify_slices_are_equal(expected.as_bytes(), given.as_bytes()).is_ok()
}

/// `Authorization: Basic base64(urlencode(id) ":" urlencode(secret))`, decoded. Another scheme
/// at a client-authenticated endpoint is an error, not something to ignore.
fn basic_credentials(headers: &HeaderMap) -> Result<Option<(String, String)>, OAuthError> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let bad = |why: &str| {
        OAuthError::invalid_client(format!("malformed Basic authorization header: {why}"))
    };
    let value = value.to_str().map_err(|_| bad("not ASCII"))?;
    let (scheme, encoded) = value.trim().split_once(' ').unwrap_or((value, ""));
    if !scheme.eq_ignore_ascii_case("basic") {
        return Err(OAuthError::invalid_client(format!(
            "the `{scheme}` scheme cannot authenticate a client here; use Basic or the body"
        )));
    }
    let decoded = STANDARD_PAD_INDIFFERENT
        .decode(encoded.trim())
        .map_err(|_| bad("not base64"))?;
    let decoded = String::from_utf8(decoded).map_err(|_| bad("not UTF-8"))?;
    let (id, secret) = decoded
        .split_once(':')
        .ok_or_else(|| bad("no `:` between id and secret"))?;
    let id = form_urldecode(id).ok_or_else(|| bad("client id is not UTF-8 once decoded"))?;
    let secret =
        form_urldecode(secret).ok_or_else(|| bad("client secret is not UTF-8 once decoded"))?;
    Ok(Some((id, secret)))
}

/// `application/x-www-form-urlencoded` decoding of one value: `+` is a space, `%XX` a byte.
/// A `%` not followed by two hex digits stays as it is, as browsers do.
pub(crate) fn form_urldecode(input: &str) -> Option<String> {
    let bytes = input.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = bytes
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok());
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(byte) => {
                        out.push(byte);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            other => out.push(other),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sandbox::config::SandboxConfig;
    use crate::sandbox::keys::SigningKey;
    use axum::http::HeaderValue;

    fn shared() -> Shared {
        let key = SigningKey::generate().expect("keygen");
        Shared::new(SandboxConfig::default(), "http://issuer".into(), key)
    }

    fn auth<'c>(
        shared: &'c Shared,
        headers: &HeaderMap,
        params: &Params,
        accept: Accept,
    ) -> Result<&'c ClientConfig, OAuthError> {
        authenticate(shared, "/connect/token", headers, params, accept)
    }

    fn basic(id: &str, secret: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        let value = format!(
            "Basic {}",
            STANDARD_PAD_INDIFFERENT.encode(format!("{id}:{secret}"))
        );
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_str(&value).expect("ascii"),
        );
        headers
    }

    #[test]
    fn form_urldecode_handles_plus_percent_and_stray_percent() {
        assert_eq!(
            form_urldecode("p%40ss%3Aw%2Frd%2B%3D%25").as_deref(),
            Some("p@ss:w/rd+=%")
        );
        assert_eq!(form_urldecode("a+b").as_deref(), Some("a b"));
        assert_eq!(form_urldecode("100%").as_deref(), Some("100%"));
        assert_eq!(form_urldecode("%zz").as_deref(), Some("%zz"));
        assert_eq!(form_urldecode("%ff"), None);
    }

    #[test]
    fn basic_special_secret_needs_form_encoding() {
        let shared = shared();
        let params = Params::default();
        let encoded = basic("baton-special", "p%40ss%3Aw%2Frd%2B%3D%25");
        let client = auth(&shared, &encoded, &params, Accept::AnyClient).expect("encoded works");
        assert_eq!(client.id, "baton-special");
        let raw = basic("baton-special", "p@ss:w/rd+=%");
        let err = auth(&shared, &raw, &params, Accept::AnyClient).expect_err("raw fails");
        assert_eq!(err.code.as_str(), "invalid_client");
    }

    #[test]
    fn two_methods_at_once_is_invalid_request() {
        let shared = shared();
        let params = Params::parse(b"client_id=baton-cli&client_secret=sandbox-secret");
        let err = auth(
            &shared,
            &basic("baton-cli", "sandbox-secret"),
            &params,
            Accept::AnyClient,
        )
        .expect_err("two methods");
        assert_eq!(err.code.as_str(), "invalid_request");
    }

    #[test]
    fn public_client_by_id_only_but_not_for_introspection() {
        let shared = shared();
        let params = Params::parse(b"client_id=baton-public");
        let headers = HeaderMap::new();
        assert!(auth(&shared, &headers, &params, Accept::AnyClient).is_ok());
        assert!(auth(&shared, &headers, &params, Accept::ConfidentialOnly).is_err());
    }

    #[test]
    fn restricted_methods_are_enforced() {
        let shared = shared();
        let none = HeaderMap::new();
        // baton-jwt has a secret but authenticates only with client_secret_jwt.
        let post = Params::parse(
            b"client_id=baton-jwt&client_secret=baton-jwt-hs256-secret-0123456789abcdef",
        );
        let err = auth(&shared, &none, &post, Accept::AnyClient).expect_err("post refused");
        assert!(
            err.description.contains("client_secret_jwt"),
            "{}",
            err.description
        );
        let by_id = Params::parse(b"client_id=baton-pkjwt");
        let err = auth(&shared, &none, &by_id, Accept::AnyClient).expect_err("id alone");
        assert!(
            err.description.contains("client_assertion"),
            "{}",
            err.description
        );
        let wrong_type = Params::parse(b"client_assertion=a.b.c&client_assertion_type=saml");
        let err = auth(&shared, &none, &wrong_type, Accept::AnyClient).expect_err("type");
        assert_eq!(err.code.as_str(), "invalid_client");
        let no_type = Params::parse(b"client_assertion=a.b.c");
        let err = auth(&shared, &none, &no_type, Accept::AnyClient).expect_err("no type");
        assert_eq!(err.code.as_str(), "invalid_request");
    }

    #[test]
    fn repeated_parameter_is_rejected_and_empty_is_absent() {
        let params = Params::parse(b"scope=a&scope=b&state=");
        assert!(params.get("scope").is_err());
        assert_eq!(params.get("state").expect("single"), None);
    }
}
