//! OAuth 1.0a request signing (RFC 5849): the signature base string of a request as it is
//! sent (its final URL, its form body), HMAC-SHA1, HMAC-SHA256 or PLAINTEXT, and the
//! `Authorization: OAuth ...` header or the `oauth_*` query parameters. It lives in the HTTP
//! layer because a redirect is a new request and is signed again, with a fresh nonce.

use super::Prepared;
use crate::secret::Secret;
use aws_lc_rs::hmac;
use base64::Engine as _;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// RFC 5849 §3.6: every byte but ALPHA, DIGIT, `-`, `.`, `_`, `~` is percent-encoded.
const RESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// `oauth_signature_method`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SignatureMethod {
    HmacSha1,
    HmacSha256,
    Plaintext,
}

impl SignatureMethod {
    /// The names a collection may write, as the RFC spells them.
    pub(crate) const NAMES: &'static [&'static str] = &["HMAC-SHA1", "HMAC-SHA256", "PLAINTEXT"];

    pub(crate) fn parse(name: &str) -> Option<SignatureMethod> {
        match name.to_ascii_uppercase().as_str() {
            "HMAC-SHA1" => Some(SignatureMethod::HmacSha1),
            "HMAC-SHA256" => Some(SignatureMethod::HmacSha256),
            "PLAINTEXT" => Some(SignatureMethod::Plaintext),
            _ => None,
        }
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            SignatureMethod::HmacSha1 => "HMAC-SHA1",
            SignatureMethod::HmacSha256 => "HMAC-SHA256",
            SignatureMethod::Plaintext => "PLAINTEXT",
        }
    }
}

/// Where the protocol parameters travel (RFC 5849 §3.5.1 and §3.5.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Placement {
    #[default]
    Header,
    Query,
}

/// The rendered credentials of one request: what signs it and each redirect after it.
#[derive(Debug, Clone)]
pub(crate) struct Signer {
    pub consumer_key: String,
    pub consumer_secret: Secret,
    pub token: Option<Secret>,
    pub token_secret: Option<Secret>,
    pub method: SignatureMethod,
    pub placement: Placement,
    pub realm: Option<String>,
    pub callback: Option<String>,
    pub verifier: Option<String>,
    /// `oauth_version="1.0"`, OPTIONAL in RFC 5849 and sent by Postman; false only to
    /// check the RFC's own examples, which leave it out.
    pub version: bool,
}

impl Signer {
    /// Sign `req` with a fresh nonce and the current time: each send is a new signature,
    /// as a server refuses a nonce it has seen.
    pub(crate) fn sign(&self, req: &mut Prepared) -> Result<(), String> {
        let nonce = uuid::Uuid::new_v4().simple().to_string();
        let timestamp = chrono::Utc::now().timestamp().to_string();
        self.sign_with(req, &nonce, &timestamp)
    }

    /// `sign` with a given nonce and timestamp: the RFC's worked examples are tested with it.
    pub(crate) fn sign_with(
        &self,
        req: &mut Prepared,
        nonce: &str,
        timestamp: &str,
    ) -> Result<(), String> {
        let mut url = url::Url::parse(&req.url).map_err(|e| format!("invalid URL: {e}"))?;
        // A request signed again (a redirect that kept the query) drops the old parameters.
        if self.placement == Placement::Query {
            strip_oauth_query(&mut url);
        }
        let mut oauth = self.protocol_params(nonce, timestamp);
        let mut params: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        if is_form(req) {
            let body = req.body.as_deref().unwrap_or_default();
            params.extend(url::form_urlencoded::parse(body).into_owned());
        }
        params.extend(oauth.iter().cloned());
        let base = base_string(&req.method, &url, &params);
        let signature = self.signature(&base);
        oauth.push(("oauth_signature".into(), signature));
        req.headers
            .retain(|(k, _)| !k.eq_ignore_ascii_case("authorization"));
        match self.placement {
            Placement::Header => {
                let mut parts = Vec::new();
                if let Some(realm) = &self.realm {
                    parts.push(format!("realm=\"{}\"", encode(realm)));
                }
                parts.extend(
                    oauth
                        .iter()
                        .map(|(k, v)| format!("{}=\"{}\"", encode(k), encode(v))),
                );
                req.headers.push((
                    "authorization".into(),
                    format!("OAuth {}", parts.join(", ")),
                ));
            }
            Placement::Query => {
                let extra: Vec<String> = oauth
                    .iter()
                    .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
                    .collect();
                let query = match url.query() {
                    Some(q) if !q.is_empty() => format!("{q}&{}", extra.join("&")),
                    _ => extra.join("&"),
                };
                url.set_query(Some(&query));
            }
        }
        req.url = url.to_string();
        Ok(())
    }

    /// The `oauth_*` parameters but the signature, in the order they are sent.
    fn protocol_params(&self, nonce: &str, timestamp: &str) -> Vec<(String, String)> {
        let mut p = vec![("oauth_consumer_key".to_string(), self.consumer_key.clone())];
        if let Some(t) = self.token.as_ref().filter(|t| !t.expose().is_empty()) {
            p.push(("oauth_token".into(), t.expose().to_string()));
        }
        p.push(("oauth_signature_method".into(), self.method.name().into()));
        p.push(("oauth_timestamp".into(), timestamp.into()));
        p.push(("oauth_nonce".into(), nonce.into()));
        if self.version {
            p.push(("oauth_version".into(), "1.0".into()));
        }
        if let Some(c) = &self.callback {
            p.push(("oauth_callback".into(), c.clone()));
        }
        if let Some(v) = &self.verifier {
            p.push(("oauth_verifier".into(), v.clone()));
        }
        p
    }

    /// RFC 5849 §3.4.2–3.4.4: the key is both secrets encoded and joined by `&` (the token
    /// secret empty when there is none).
    fn signature(&self, base: &str) -> String {
        let key = format!(
            "{}&{}",
            encode(self.consumer_secret.expose()),
            encode(self.token_secret.as_ref().map_or("", Secret::expose))
        );
        let algorithm = match self.method {
            SignatureMethod::Plaintext => return key,
            SignatureMethod::HmacSha1 => hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY,
            SignatureMethod::HmacSha256 => hmac::HMAC_SHA256,
        };
        let tag = hmac::sign(&hmac::Key::new(algorithm, key.as_bytes()), base.as_bytes());
        base64::engine::general_purpose::STANDARD.encode(tag.as_ref())
    }
}

/// RFC 5849 §3.6 percent-encoding.
pub(crate) fn encode(s: &str) -> String {
    utf8_percent_encode(s, RESERVED).to_string()
}

/// The body is signed only when it is `application/x-www-form-urlencoded` (§3.4.1.3.1).
fn is_form(req: &Prepared) -> bool {
    req.header("content-type").is_some_and(|ct| {
        ct.split(';').next().is_some_and(|t| {
            t.trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        })
    })
}

fn strip_oauth_query(url: &mut url::Url) {
    if url.query().is_none() {
        return;
    }
    let kept: Vec<&str> = url
        .query()
        .unwrap_or_default()
        .split('&')
        .filter(|p| !p.is_empty() && !p.starts_with("oauth_"))
        .collect();
    let kept = kept.join("&");
    url.set_query((!kept.is_empty()).then_some(kept.as_str()));
}

/// RFC 5849 §3.4.1: the method, the base URI and the normalized parameters, each encoded
/// and joined by `&`.
pub(crate) fn base_string(method: &str, url: &url::Url, params: &[(String, String)]) -> String {
    // §3.4.1.2: scheme and host lower case (the parser already made them so), the port
    // only when it is not the scheme's default (`port()` is `None` then), no query.
    let mut base_uri = format!("{}://{}", url.scheme(), url.host_str().unwrap_or_default());
    if let Some(port) = url.port() {
        base_uri.push_str(&format!(":{port}"));
    }
    base_uri.push_str(url.path());
    // §3.4.1.3.2: encode, sort by name then value, `name=value` joined by `&`.
    let mut encoded: Vec<(String, String)> =
        params.iter().map(|(k, v)| (encode(k), encode(v))).collect();
    encoded.sort();
    let normalized = encoded
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&");
    format!(
        "{}&{}&{}",
        method.to_ascii_uppercase(),
        encode(&base_uri),
        encode(&normalized)
    )
}

#[cfg(test)]
#[path = "oauth1_tests.rs"]
mod tests;
