//! The HTTP layer: one reqwest client per run (connections reused), requests sent exactly
//! as prepared, redirects followed one hop at a time when asked (so each hop is visible
//! and `Authorization` never crosses origins), cookies per collection, bodies capped.
//! It knows nothing of YAML. This file holds what an exchange is made of (the options, a
//! prepared request, a hop); the cookie jar and `--cookies` files are in `jar.rs`, the
//! client and its TLS set-up in `client.rs`, sending with its hops and redirects in
//! `send.rs`, the response in `response.rs`, what can go wrong in `error.rs`, proxies in
//! `proxy.rs`, the timings of `-vv` in `timing.rs`.

mod client;
pub(crate) mod client_cert;
pub(crate) mod curl;
mod error;
mod jar;
pub(crate) mod oauth1;
mod pinned;
mod proxy;
mod resolve;
mod response;
mod send;
mod timing;

pub(crate) use client::Http;
pub(crate) use error::{HttpError, TimeoutCause, short_duration};
pub(crate) use jar::{CookieSeed, Jar, new_jar};
pub(crate) use proxy::Proxy;
pub(crate) use proxy::parse as parse_proxy;
pub use response::Response;
pub(crate) use send::default_headers;
pub(crate) use timing::Timing;

use std::path::PathBuf;
use std::time::Duration;

pub(crate) const USER_AGENT: &str = concat!("baton/", env!("CARGO_PKG_VERSION"));
/// The encodings this build decodes; sent explicitly so transcripts show what goes out.
const ACCEPT_ENCODING: &str = "gzip, deflate, br";
const MAX_REDIRECTS: usize = 10;

/// The TLS set-up of a command: what to trust (`--insecure`, `--cacert`, and under
/// `--sandbox` its CA) and what to present (`--cert`), from the flags to the client.
#[derive(Clone, Debug, Default)]
pub struct Tls {
    pub insecure: bool,
    pub cacert: Option<PathBuf>,
    /// `--cert`/`--key`/`--cert-password-env`: the client certificate of requests that do
    /// not name their own (`client_cert:`).
    pub cert: Option<client_cert::CertSource>,
    /// Roots trusted beside `cacert`'s: the `--sandbox`'s own CA, for its mTLS port.
    pub extra_roots: Vec<rustls::pki_types::CertificateDer<'static>>,
    /// The file holding `extra_roots` (the sandbox's `ca.pem`), for `-v`'s reproduce line.
    pub extra_roots_file: Option<PathBuf>,
}

#[derive(Clone, Debug)]
pub(crate) struct HttpOptions {
    pub timeout: Duration,
    pub max_body: u64,
    pub tls: Tls,
    pub proxy: Proxy,
}

impl Default for HttpOptions {
    fn default() -> Self {
        HttpOptions {
            timeout: Duration::from_secs(30),
            max_body: 64 * 1024 * 1024,
            tls: Tls::default(),
            proxy: Proxy::System,
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
    /// A DPoP-bound token's key: a fresh proof on each hop to the same origin.
    pub dpop: Option<std::sync::Arc<crate::oauth::dpop::Binding>>,
    /// The client certificate presented in the TLS handshake of an `https://` request.
    pub client_cert: Option<std::sync::Arc<client_cert::ClientCert>>,
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
    /// How the server's certificate was trusted beyond the system's roots (an `https://`
    /// hop with `--insecure`, `--cacert` or the sandbox's CA): `-v`'s reproduce line says it.
    pub trust: Option<std::sync::Arc<curl::Trust>>,
}
