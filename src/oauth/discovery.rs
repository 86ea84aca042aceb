//! OIDC discovery (`/.well-known/openid-configuration`) and JWKS fetching, each done once
//! per run per URL, with the issuer check OpenID Connect Discovery 4.3 requires.

use crate::http::Jar;
use crate::http::{Hop, Http, HttpError, Prepared};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Mutex;

/// The endpoints of a provider.
#[derive(Clone, Debug, Default)]
pub struct Endpoints {
    pub issuer: Option<String>,
    pub authorize: Option<String>,
    pub token: Option<String>,
    pub device: Option<String>,
    pub introspection: Option<String>,
    pub revocation: Option<String>,
    pub userinfo: Option<String>,
    pub jwks: Option<String>,
}

impl Endpoints {
    pub fn from_document(doc: &Value) -> Endpoints {
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
        }
    }
}

/// Documents fetched during a run, by URL.
#[derive(Default)]
pub struct Cache {
    discovery: Mutex<HashMap<String, Endpoints>>,
    jwks: Mutex<HashMap<String, Value>>,
}

#[derive(Debug, thiserror::Error)]
pub enum DiscoveryError {
    #[error(transparent)]
    Http(#[from] HttpError),
    #[error("{0}")]
    Invalid(String),
}

impl Cache {
    /// The provider's endpoints from `issuer`'s discovery document. The hop is returned
    /// the first time, so that it shows in the transcript.
    pub async fn discover(
        &self,
        http: &Http,
        jar: &Jar,
        issuer: &str,
        hops: &mut Vec<Hop>,
    ) -> Result<Endpoints, DiscoveryError> {
        let issuer = issuer.trim_end_matches('/');
        if let Some(found) = self
            .discovery
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(issuer)
        {
            return Ok(found.clone());
        }
        let url = format!("{issuer}/.well-known/openid-configuration");
        let doc = fetch_json(http, jar, &url, hops).await?;
        let endpoints = Endpoints::from_document(&doc);
        let advertised = endpoints.issuer.clone().unwrap_or_default();
        if advertised.trim_end_matches('/') != issuer {
            return Err(DiscoveryError::Invalid(format!(
                "the discovery document at {url} names the issuer `{advertised}`, not `{issuer}` (OpenID Connect Discovery 4.3: they must match)"
            )));
        }
        self.discovery
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(issuer.to_string(), endpoints.clone());
        Ok(endpoints)
    }

    pub async fn jwks(
        &self,
        http: &Http,
        jar: &Jar,
        url: &str,
        hops: &mut Vec<Hop>,
    ) -> Result<Value, DiscoveryError> {
        if let Some(found) = self.jwks.lock().unwrap_or_else(|e| e.into_inner()).get(url) {
            return Ok(found.clone());
        }
        let doc = fetch_json(http, jar, url, hops).await?;
        self.jwks
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(url.to_string(), doc.clone());
        Ok(doc)
    }
}

async fn fetch_json(
    http: &Http,
    jar: &Jar,
    url: &str,
    hops: &mut Vec<Hop>,
) -> Result<Value, DiscoveryError> {
    let mut req = Prepared {
        method: "GET".into(),
        url: url.to_string(),
        headers: vec![("accept".into(), "application/json".into())],
        body: None,
        timeout: None,
        follow_redirects: true,
    };
    crate::http::default_headers(&mut req, jar);
    let mut got = http.exchange(req, jar).await?;
    let last = got.pop().expect("an exchange has a hop");
    let result = if last.response.status != 200 {
        Err(DiscoveryError::Invalid(format!(
            "{url} answered {}{}",
            last.response.status,
            last.response.error_hint()
        )))
    } else {
        last.response
            .json()
            .cloned()
            .map_err(|e| DiscoveryError::Invalid(format!("{url}: {e}")))
    };
    hops.extend(got);
    hops.push(last);
    result
}
