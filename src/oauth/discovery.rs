//! Discovery of a provider's endpoints (OpenID Connect Discovery's
//! `/.well-known/openid-configuration`, and RFC 8414's `/.well-known/oauth-authorization-server`
//! for what the first lacks) and JWKS fetching, each done once per run per URL, with the issuer
//! check both specifications require. These are back-channel requests: no cookies.

use crate::http::Jar;
use crate::http::{Hop, Http, HttpError, Prepared};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Mutex;

/// The endpoints of a provider.
#[derive(Clone, Debug, Default)]
pub(crate) struct Endpoints {
    pub issuer: Option<String>,
    pub authorize: Option<String>,
    pub token: Option<String>,
    pub device: Option<String>,
    pub introspection: Option<String>,
    pub revocation: Option<String>,
    pub userinfo: Option<String>,
    pub jwks: Option<String>,
    /// RFC 9126 5: `pushed_authorization_request_endpoint`.
    pub par: Option<String>,
    /// RFC 9126 5: `require_pushed_authorization_requests`.
    pub require_par: bool,
    /// The documents these were read from, for messages.
    pub sources: Vec<String>,
    /// RFC 8705 5: `mtls_endpoint_aliases`, the endpoints of a client with a certificate.
    pub mtls_aliases: Option<Box<Endpoints>>,
}

impl Endpoints {
    pub(crate) fn from_document(doc: &Value) -> Endpoints {
        let s = |k: &str| doc.get(k).and_then(Value::as_str).map(str::to_string);
        Endpoints {
            issuer: s("issuer"),
            authorize: s("authorization_endpoint"),
            token: s("token_endpoint"),
            device: s("device_authorization_endpoint"),
            introspection: s("introspection_endpoint"),
            revocation: s("revocation_endpoint"),
            userinfo: s("userinfo_endpoint"),
            jwks: s("jwks_uri"),
            par: s("pushed_authorization_request_endpoint"),
            require_par: doc
                .get("require_pushed_authorization_requests")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            sources: Vec::new(),
            mtls_aliases: doc
                .get("mtls_endpoint_aliases")
                .filter(|a| a.is_object())
                .map(|a| Box::new(Endpoints::from_document(a))),
        }
    }

    /// Takes from `other` the endpoints this lacks.
    pub(crate) fn fill(&mut self, other: &Endpoints) {
        let pairs = [
            (&mut self.authorize, &other.authorize),
            (&mut self.token, &other.token),
            (&mut self.device, &other.device),
            (&mut self.introspection, &other.introspection),
            (&mut self.revocation, &other.revocation),
            (&mut self.userinfo, &other.userinfo),
            (&mut self.jwks, &other.jwks),
            (&mut self.par, &other.par),
        ];
        for (mine, theirs) in pairs {
            if mine.is_none() {
                mine.clone_from(theirs);
            }
        }
        if self.issuer.is_none() {
            self.issuer.clone_from(&other.issuer);
        }
        self.require_par |= other.require_par;
        if self.mtls_aliases.is_none() {
            self.mtls_aliases.clone_from(&other.mtls_aliases);
        }
        self.sources.extend(other.sources.iter().cloned());
    }
}

/// The RFC 8414 metadata URL of an issuer: the well-known segment goes between the host and
/// the issuer's path (RFC 8414 3.1): `https://h/tenant` -> `https://h/.well-known/oauth-authorization-server/tenant`.
pub(crate) fn metadata_url(issuer: &str) -> Option<String> {
    let url = url::Url::parse(issuer).ok()?;
    let path = url.path().trim_end_matches('/');
    let mut out = url.clone();
    out.set_path(&format!("/.well-known/oauth-authorization-server{path}"));
    out.set_query(None);
    Some(out.to_string())
}

/// Documents fetched during a run, by URL.
#[derive(Default)]
pub(crate) struct Cache {
    discovery: Mutex<HashMap<String, Endpoints>>,
    /// The RFC 8414 documents by issuer; `None` when the provider has none.
    metadata: Mutex<HashMap<String, Option<Endpoints>>>,
    jwks: Mutex<HashMap<String, Value>>,
}

#[derive(Debug, thiserror::Error)]
pub(crate) enum DiscoveryError {
    #[error(transparent)]
    Http(#[from] HttpError),
    #[error("{0}")]
    Invalid(String),
}

/// A document fetched: its JSON, or the status and error of a refusal.
pub(crate) enum Fetched {
    Json(Value),
    Refused(u16, String),
}

impl Cache {
    /// The provider's endpoints from `issuer`'s OpenID Connect discovery document, or, when
    /// the provider has none (404), from its RFC 8414 document. The hops are returned the
    /// first time, so that they show in the transcript.
    pub(crate) async fn discover(
        &self,
        http: &Http,
        issuer: &str,
        hops: &mut Vec<Hop>,
    ) -> Result<Endpoints, DiscoveryError> {
        let issuer = issuer.trim_end_matches('/');
        if let Some(found) = lock(&self.discovery).get(issuer) {
            return Ok(found.clone());
        }
        let url = format!("{issuer}/.well-known/openid-configuration");
        let endpoints = match fetch_json(http, &url, hops).await? {
            Fetched::Json(doc) => {
                read_document(&doc, &url, issuer, "OpenID Connect Discovery 4.3")?
            }
            Fetched::Refused(404, _) => match self.metadata(http, issuer, hops).await? {
                Some(found) => found,
                None => {
                    return Err(DiscoveryError::Invalid(format!(
                        "{issuer} has no discovery document: {url} and {} answered 404; give the endpoints (`token_url`, `authorize_url`, ...)",
                        metadata_url(issuer).unwrap_or_default()
                    )));
                }
            },
            Fetched::Refused(status, hint) => {
                return Err(DiscoveryError::Invalid(format!(
                    "{url} answered {status}{hint}"
                )));
            }
        };
        lock(&self.discovery).insert(issuer.to_string(), endpoints.clone());
        Ok(endpoints)
    }

    /// The endpoints of `issuer`'s RFC 8414 document, fetched once per run; `None` when the
    /// provider serves none. Read for the endpoints an OpenID Connect document leaves out
    /// (introspection and revocation, at some providers).
    pub(crate) async fn metadata(
        &self,
        http: &Http,
        issuer: &str,
        hops: &mut Vec<Hop>,
    ) -> Result<Option<Endpoints>, DiscoveryError> {
        let issuer = issuer.trim_end_matches('/');
        if let Some(found) = lock(&self.metadata).get(issuer) {
            return Ok(found.clone());
        }
        let Some(url) = metadata_url(issuer) else {
            return Ok(None);
        };
        let found = match fetch_json(http, &url, hops).await? {
            Fetched::Json(doc) => Some(read_document(&doc, &url, issuer, "RFC 8414 3.3")?),
            Fetched::Refused(..) => None,
        };
        lock(&self.metadata).insert(issuer.to_string(), found.clone());
        Ok(found)
    }

    pub(crate) async fn jwks(
        &self,
        http: &Http,
        url: &str,
        hops: &mut Vec<Hop>,
    ) -> Result<Value, DiscoveryError> {
        if let Some(found) = lock(&self.jwks).get(url) {
            return Ok(found.clone());
        }
        let doc = match fetch_json(http, url, hops).await? {
            Fetched::Json(doc) => doc,
            Fetched::Refused(status, hint) => {
                return Err(DiscoveryError::Invalid(format!(
                    "{url} answered {status}{hint}"
                )));
            }
        };
        lock(&self.jwks).insert(url.to_string(), doc.clone());
        Ok(doc)
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The endpoints of a metadata document, whose `issuer` must be the one asked for.
fn read_document(
    doc: &Value,
    url: &str,
    issuer: &str,
    rule: &str,
) -> Result<Endpoints, DiscoveryError> {
    let mut endpoints = Endpoints::from_document(doc);
    let advertised = endpoints.issuer.clone().unwrap_or_default();
    if advertised.trim_end_matches('/') != issuer {
        return Err(DiscoveryError::Invalid(format!(
            "the discovery document at {url} names the issuer `{advertised}`, not `{issuer}` ({rule}: they must match)"
        )));
    }
    endpoints.sources.push(url.to_string());
    Ok(endpoints)
}

/// GET a JSON document on the back channel: no cookies, redirects followed.
pub(crate) async fn fetch_json(
    http: &Http,
    url: &str,
    hops: &mut Vec<Hop>,
) -> Result<Fetched, DiscoveryError> {
    let jar = Jar::default();
    let mut req = Prepared {
        method: "GET".into(),
        url: url.to_string(),
        headers: vec![("accept".into(), "application/json".into())],
        body: None,
        timeout: None,
        follow_redirects: true,
        oauth1: None,
        dpop: None,
        client_cert: None,
    };
    crate::http::default_headers(&mut req, &jar);
    let mut got = http.exchange(req, &jar).await?;
    let Some(last) = got.pop() else {
        return Err(DiscoveryError::Invalid(format!("{url}: no response")));
    };
    let result = if last.response.status == 200 {
        last.response
            .json()
            .cloned()
            .map(Fetched::Json)
            .map_err(|e| DiscoveryError::Invalid(format!("{url}: {e}")))
    } else {
        Ok(Fetched::Refused(
            last.response.status,
            last.response.error_hint(),
        ))
    };
    hops.extend(got);
    hops.push(last);
    result
}

#[cfg(test)]
mod tests {
    use super::metadata_url;

    #[test]
    fn the_well_known_segment_goes_before_the_issuer_path() {
        assert_eq!(
            metadata_url("http://127.0.0.1:8000/o").as_deref(),
            Some("http://127.0.0.1:8000/.well-known/oauth-authorization-server/o")
        );
        assert_eq!(
            metadata_url("https://id.example/").as_deref(),
            Some("https://id.example/.well-known/oauth-authorization-server")
        );
        assert_eq!(
            metadata_url("https://id.example/realms/a/").as_deref(),
            Some("https://id.example/.well-known/oauth-authorization-server/realms/a")
        );
        assert_eq!(metadata_url("not a url"), None);
    }
}
