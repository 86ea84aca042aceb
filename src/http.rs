//! The HTTP layer: one reqwest client per run (connections reused), requests sent exactly
//! as prepared, redirects followed one hop at a time when asked (so each hop is visible
//! and `Authorization` never crosses origins), cookies per collection, bodies capped.
//! It knows nothing of YAML. This file holds what an exchange is made of (the options, a
//! prepared request, a hop, the cookie jar); the client and its TLS set-up are in
//! `client.rs`, sending with its hops and redirects in `send.rs`, the response in
//! `response.rs`, what can go wrong in `error.rs`.

mod client;
pub(crate) mod curl;
mod error;
pub(crate) mod oauth1;
mod pinned;
mod resolve;
mod response;
mod send;

pub(crate) use client::Http;
pub(crate) use error::{HttpError, TimeoutCause, short_duration};
pub use response::Response;
pub(crate) use send::default_headers;

use reqwest::header::HeaderValue;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

pub(crate) const USER_AGENT: &str = concat!("baton/", env!("CARGO_PKG_VERSION"));
/// The encodings this build decodes; sent explicitly so transcripts show what goes out.
const ACCEPT_ENCODING: &str = "gzip, deflate, br";
const MAX_REDIRECTS: usize = 10;

#[derive(Clone, Debug)]
pub(crate) struct HttpOptions {
    pub timeout: Duration,
    pub max_body: u64,
    pub insecure: bool,
    pub cacert: Option<PathBuf>,
}

impl Default for HttpOptions {
    fn default() -> Self {
        HttpOptions {
            timeout: Duration::from_secs(30),
            max_body: 64 * 1024 * 1024,
            insecure: false,
            cacert: None,
        }
    }
}

/// A request ready to go: everything rendered.
#[derive(Clone, Debug)]
pub(crate) struct Prepared {
    pub method: String,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<Vec<u8>>,
    pub timeout: Option<Duration>,
    pub follow_redirects: bool,
    /// OAuth 1.0a credentials: the request is signed as sent, and each redirect again.
    pub oauth1: Option<std::sync::Arc<oauth1::Signer>>,
}

impl Prepared {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// One hop of an exchange: the request as sent and the response it got.
#[derive(Debug)]
pub(crate) struct Hop {
    pub request: Prepared,
    pub response: Response,
}

/// A fresh cookie jar: one per collection run.
pub(crate) fn new_jar() -> Arc<Jar> {
    Arc::new(Jar::default())
}

/// The cookies of one collection run (RFC 6265, `cookie_store`). Kept here rather than
/// through reqwest's `cookies` feature: that feature adds a layer to every request which
/// parses its URL again, and baton sends the `Cookie` header itself so `-v` shows it.
#[derive(Default)]
pub(crate) struct Jar(std::sync::Mutex<cookie_store::CookieStore>);

impl std::fmt::Debug for Jar {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Jar")
    }
}

impl Jar {
    /// Keep the `Set-Cookie` values of a response from `url`.
    pub(crate) fn set_cookies<'h>(
        &self,
        headers: impl Iterator<Item = &'h HeaderValue>,
        url: &reqwest::Url,
    ) {
        let cookies: Vec<cookie::Cookie<'static>> = headers
            .filter_map(|v| v.to_str().ok())
            .filter_map(|v| cookie::Cookie::parse(v.to_string()).ok())
            .collect();
        if cookies.is_empty() {
            return;
        }
        if let Ok(mut store) = self.0.lock() {
            store.store_response_cookies(cookies.into_iter(), url);
        }
    }

    /// True while no cookie has been kept.
    pub(crate) fn is_empty(&self) -> bool {
        self.0
            .lock()
            .map_or(true, |store| store.iter_any().next().is_none())
    }

    /// The `Cookie` header value for a request to `url`, if any cookie applies.
    pub(crate) fn cookies(&self, url: &reqwest::Url) -> Option<String> {
        let store = self.0.lock().ok()?;
        let value = store
            .get_request_values(url)
            .map(|(name, value)| format!("{name}={value}"))
            .collect::<Vec<_>>()
            .join("; ");
        (!value.is_empty()).then_some(value)
    }
}
