//! Request parameters (form bodies and query strings) and client authentication
//! (RFC 6749 2.3: a Basic header with form-encoded id and secret, or the body).

use axum::http::{HeaderMap, header};
use base64::Engine;
use base64::engine::general_purpose::STANDARD_PAD_INDIFFERENT;

use super::config::{ClientConfig, SandboxConfig};
use super::error::OAuthError;

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

/// Finds and authenticates the client of a token, introspection or revocation request.
pub(crate) fn authenticate<'c>(
    config: &'c SandboxConfig,
    headers: &HeaderMap,
    params: &Params,
    accept: Accept,
) -> Result<&'c ClientConfig, OAuthError> {
    let basic = basic_credentials(headers)?;
    let body_id = params.get("client_id")?;
    let body_secret = params.get("client_secret")?;

    let (client_id, secret) = match (basic, body_id, body_secret) {
        (Some(_), _, Some(_)) => {
            return Err(OAuthError::invalid_request(
                "the client authenticated twice (Basic header and client_secret in the body); \
                 use one method (RFC 6749 2.3)",
            ));
        }
        (Some((id, _)), Some(body_id), None) if id != body_id => {
            return Err(OAuthError::invalid_request(
                "client_id in the body differs from the one in the Basic header",
            ));
        }
        (Some((id, secret)), _, None) => (id, Some(secret)),
        (None, Some(id), secret) => (id.to_string(), secret.map(str::to_string)),
        (None, None, _) => {
            return Err(OAuthError::invalid_client(
                "no client authentication: send a Basic header or client_id (and client_secret) in the body",
            ));
        }
    };

    let Some(client) = config.client(&client_id) else {
        return Err(OAuthError::invalid_client(format!(
            "unknown client `{client_id}`"
        )));
    };
    match (&client.secret, secret.as_deref()) {
        (Some(expected), Some(given)) if secrets_equal(expected, given) => Ok(client),
        (Some(_), Some(_)) => Err(OAuthError::invalid_client(format!(
            "wrong secret for client `{client_id}` (in a Basic header, id and secret are form-encoded first, RFC 6749 2.3.1)"
        ))),
        (Some(_), None) => Err(OAuthError::invalid_client(format!(
            "client `{client_id}` is confidential: send its secret"
        ))),
        (None, Some(given)) if !given.is_empty() => Err(OAuthError::invalid_client(format!(
            "client `{client_id}` is public and has no secret"
        ))),
        (None, _) if accept == Accept::ConfidentialOnly => Err(OAuthError::invalid_client(
            format!("client `{client_id}` is public and cannot use this endpoint"),
        )),
        (None, _) => Ok(client),
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
    use axum::http::HeaderValue;

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
        let config = SandboxConfig::default();
        let params = Params::default();
        let encoded = basic("baton-special", "p%40ss%3Aw%2Frd%2B%3D%25");
        let client =
            authenticate(&config, &encoded, &params, Accept::AnyClient).expect("encoded works");
        assert_eq!(client.id, "baton-special");
        let raw = basic("baton-special", "p@ss:w/rd+=%");
        let err = authenticate(&config, &raw, &params, Accept::AnyClient).expect_err("raw fails");
        assert_eq!(err.code.as_str(), "invalid_client");
    }

    #[test]
    fn two_methods_at_once_is_invalid_request() {
        let config = SandboxConfig::default();
        let params = Params::parse(b"client_id=baton-cli&client_secret=sandbox-secret");
        let err = authenticate(
            &config,
            &basic("baton-cli", "sandbox-secret"),
            &params,
            Accept::AnyClient,
        )
        .expect_err("two methods");
        assert_eq!(err.code.as_str(), "invalid_request");
    }

    #[test]
    fn public_client_by_id_only_but_not_for_introspection() {
        let config = SandboxConfig::default();
        let params = Params::parse(b"client_id=baton-public");
        let headers = HeaderMap::new();
        assert!(authenticate(&config, &headers, &params, Accept::AnyClient).is_ok());
        assert!(authenticate(&config, &headers, &params, Accept::ConfidentialOnly).is_err());
    }

    #[test]
    fn repeated_parameter_is_rejected_and_empty_is_absent() {
        let params = Params::parse(b"scope=a&scope=b&state=");
        assert!(params.get("scope").is_err());
        assert_eq!(params.get("state").expect("single"), None);
    }
}
