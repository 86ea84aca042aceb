//! The HTTP layer: one reqwest client per run (connections reused), requests sent exactly
//! as prepared, redirects followed one hop at a time when asked (so each hop is visible
//! and `Authorization` never crosses origins), cookies per collection, bodies capped.
//! It knows nothing of YAML.

mod pinned;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use serde_json::Value;
use std::borrow::Cow;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

pub const USER_AGENT: &str = concat!("baton/", env!("CARGO_PKG_VERSION"));
/// The encodings this build decodes; sent explicitly so transcripts show what goes out.
const ACCEPT_ENCODING: &str = "gzip, deflate, br";
const MAX_REDIRECTS: usize = 10;

#[derive(Clone, Debug)]
pub struct HttpOptions {
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
pub struct Prepared {
    pub method: String,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<Vec<u8>>,
    pub timeout: Option<Duration>,
    pub follow_redirects: bool,
}

impl Prepared {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A response as kept by the runner: status, headers in order (names lower-case), the
/// decoded body, and the time from sending to the last byte.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub version: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub duration: Duration,
    /// The URL that answered (after redirects).
    pub url: String,
    json: OnceLock<Result<Value, String>>,
}

impl Response {
    pub fn new(status: u16, headers: Vec<(String, String)>, body: Vec<u8>) -> Response {
        Response {
            status,
            version: "HTTP/1.1".into(),
            headers,
            body,
            duration: Duration::ZERO,
            url: String::new(),
            json: OnceLock::new(),
        }
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn header_all(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }

    pub fn header_names(&self) -> String {
        let mut names: Vec<&str> = self.headers.iter().map(|(k, _)| k.as_str()).collect();
        names.dedup();
        names.join(", ")
    }

    /// The body as text (lossy for invalid UTF-8).
    pub fn text(&self) -> Cow<'_, str> {
        String::from_utf8_lossy(&self.body)
    }

    /// The body parsed as JSON once, or why it is not JSON.
    pub fn json(&self) -> Result<&Value, String> {
        self.json
            .get_or_init(|| {
                if self.body.is_empty() {
                    return Err("the response body is empty, not JSON".into());
                }
                serde_json::from_slice(&self.body).map_err(|e| {
                    let kind = self.header("content-type").unwrap_or("no content type");
                    format!(
                        "the response body is not JSON ({kind}: {e}): {}",
                        self.excerpt()
                    )
                })
            })
            .as_ref()
            .map_err(Clone::clone)
    }

    /// The start of the body, for messages.
    pub fn excerpt(&self) -> String {
        let text = self.text();
        let one_line: String = text
            .chars()
            .take(300)
            .map(|c| if c == '\n' || c == '\r' { ' ' } else { c })
            .collect();
        if text.chars().count() > 300 {
            format!("{one_line}…")
        } else if one_line.is_empty() {
            "(empty body)".into()
        } else {
            one_line
        }
    }

    /// For error statuses, the OAuth error of the body (` invalid_grant: ...`), if any.
    pub fn error_hint(&self) -> String {
        if self.status < 400 {
            return String::new();
        }
        match self.json() {
            Ok(v) => match (
                v.get("error").and_then(Value::as_str),
                v.get("error_description").and_then(Value::as_str),
            ) {
                (Some(e), Some(d)) => format!(" ({e}: {d})"),
                (Some(e), None) => format!(" ({e})"),
                _ => String::new(),
            },
            Err(_) => String::new(),
        }
    }

    /// The value of a cookie this response sets.
    pub fn set_cookie(&self, name: &str) -> Option<String> {
        self.header_all("set-cookie").into_iter().find_map(|c| {
            let pair = c.split(';').next()?;
            let (k, v) = pair.split_once('=')?;
            (k.trim() == name).then(|| v.trim().trim_matches('"').to_string())
        })
    }
}

/// One hop of an exchange: the request as sent and the response it got.
#[derive(Debug)]
pub struct Hop {
    pub request: Prepared,
    pub response: Response,
}

/// Why a request could not be made (exit code 3), naming the URL.
#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    #[error("connection refused: {url}")]
    Refused { url: String },
    #[error("cannot resolve host of {url}: {reason}")]
    Dns { url: String, reason: String },
    /// `cacert`: the `--cacert` file, when one was given.
    #[error("TLS error with {url}: {reason}")]
    Tls {
        url: String,
        reason: String,
        cacert: Option<String>,
    },
    #[error("{}", timeout_message(.url, .after, .cause))]
    Timeout {
        url: String,
        after: Duration,
        cause: TimeoutCause,
    },
    #[error("the response body of {url} is larger than the {cap} byte cap (--max-body)")]
    TooLarge { url: String, cap: u64 },
    #[error("more than {MAX_REDIRECTS} redirects, starting at {url}")]
    TooManyRedirects { url: String },
    /// A `Location` that cannot be followed: the server's doing, not the collection's.
    #[error("the redirect from {from} to `{location}` cannot be followed: {reason}")]
    BadRedirect {
        from: String,
        location: String,
        reason: String,
    },
    #[error("invalid URL `{url}`: {reason}")]
    InvalidUrl { url: String, reason: String },
    #[error("invalid header `{name}`: {reason}")]
    InvalidHeader { name: String, reason: String },
    #[error("request to {url} failed: {reason}")]
    Other { url: String, reason: String },
}

/// Which limit a request ran into: its own, its own across a redirect chain, or the run's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TimeoutCause {
    /// The request's `timeout:` (or --timeout), on its first hop.
    Request,
    /// The same limit, spent across the hops of a redirect chain that began at `from`.
    Redirects { from: String, hop: usize },
    /// What was left of --max-time (`after` is --max-time itself).
    RunLimit,
}

fn timeout_message(url: &str, after: &Duration, cause: &TimeoutCause) -> String {
    let after = short_duration(after);
    match cause {
        TimeoutCause::Request => format!("timed out after {after} waiting for {url}"),
        TimeoutCause::Redirects { from, hop } => format!(
            "timed out after {after} waiting for {url}, hop {hop} of the redirects from {from} \
             (the request's limit covers all its hops)"
        ),
        TimeoutCause::RunLimit => {
            format!("the run reached --max-time ({after}) waiting for {url}")
        }
    }
}

impl HttpError {
    /// True when the problem is in the request as written (exit 2), not the network.
    pub fn is_input(&self) -> bool {
        matches!(
            self,
            HttpError::InvalidUrl { .. } | HttpError::InvalidHeader { .. }
        )
    }
}

/// The client of a run. Plain `http://` goes through a client without certificate roots;
/// the TLS client (the platform's roots, `--cacert`, `--insecure`) is built on the first
/// `https://` request: loading the system's roots costs more than a whole run of
/// loopback requests, and a run against `http://` never needs them.
pub struct Http {
    plain: reqwest::Client,
    tls: std::sync::OnceLock<Result<reqwest::Client, String>>,
    /// The certificates of `--cacert`: roots, and each trusted as itself (`pinned`).
    cacert: Vec<CertificateDer<'static>>,
    options: HttpOptions,
    /// The last URL parsed, with its text: a collection sends most of its requests to the
    /// same few URLs (the token endpoint), and parsing one was 2% of a request.
    last_url: std::sync::Mutex<Option<(String, reqwest::Url)>>,
    /// When the run must be over (--max-time) and --max-time itself: every hop of every
    /// request, an oauth2 flow's and a JWKS fetch's included, ends by then.
    run_limit: OnceLock<(Instant, Duration)>,
}

impl Http {
    pub fn new(options: HttpOptions) -> Result<Http, String> {
        let mut cacert = Vec::new();
        if let Some(path) = &options.cacert {
            let pem = crate::fsutil::read(path, crate::fsutil::MAX_INPUT)
                .map_err(|e| format!("cannot read --cacert {}: {e}", path.display()))?;
            cacert = CertificateDer::pem_slice_iter(&pem)
                .collect::<Result<_, _>>()
                .map_err(|e| format!("--cacert {}: not a PEM certificate: {e}", path.display()))?;
            if cacert.is_empty() {
                return Err(format!("--cacert {}: no certificate found", path.display()));
            }
        }
        Self::with_roots(options, cacert)
    }

    fn with_roots(
        options: HttpOptions,
        cacert: Vec<CertificateDer<'static>>,
    ) -> Result<Http, String> {
        let plain = Self::builder(&options)
            .tls_certs_only(Vec::new())
            .build()
            .map_err(|e| format!("cannot set up HTTP: {e}"))?;
        Ok(Http {
            plain,
            tls: std::sync::OnceLock::new(),
            cacert,
            options,
            last_url: Default::default(),
            run_limit: OnceLock::new(),
        })
    }

    /// A client with the same settings and its own connections, for another thread's
    /// runtime (a connection lives on the runtime that opened it).
    pub fn fork(&self) -> Result<Http, String> {
        let http = Self::with_roots(self.options.clone(), self.cacert.clone())?;
        if let Some(&(deadline, limit)) = self.run_limit.get() {
            let _ = http.run_limit.set((deadline, limit));
        }
        Ok(http)
    }

    /// Ends every exchange by `deadline` (the run's --max-time, `limit`). Set once, by the
    /// runner as the run starts.
    pub fn set_run_limit(&self, deadline: Instant, limit: Duration) {
        let _ = self.run_limit.set((deadline, limit));
    }

    fn builder(options: &HttpOptions) -> reqwest::ClientBuilder {
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(options.timeout.min(Duration::from_secs(10)))
            .pool_idle_timeout(Duration::from_secs(30))
            .gzip(true)
            .brotli(true)
            .deflate(true)
    }

    /// The client for `url`: the TLS one (built now if it is the first) for `https`.
    fn client_for(&self, url: &reqwest::Url) -> Result<&reqwest::Client, String> {
        if url.scheme() != "https" {
            return Ok(&self.plain);
        }
        self.tls
            .get_or_init(|| {
                let mut builder = Self::builder(&self.options);
                if self.options.insecure {
                    builder = builder.tls_danger_accept_invalid_certs(true);
                } else if !self.cacert.is_empty() {
                    builder =
                        builder.tls_backend_preconfigured(pinned::client_config(&self.cacert)?);
                }
                builder
                    .build()
                    .map_err(|e| format!("cannot set up TLS: {e}"))
            })
            .as_ref()
            .map_err(Clone::clone)
    }

    /// Send `req`, following redirects when it asks, and return every hop (the last one is
    /// the response the request is judged on).
    /// The request's time limit covers the whole chain: a 10-hop chain with `--timeout 2s`
    /// ends within 2 s, not 2 s a hop.
    pub async fn exchange(&self, req: Prepared, jar: &Jar) -> Result<Vec<Hop>, HttpError> {
        let mut hops: Vec<Hop> = Vec::new();
        let limit = req.timeout.unwrap_or(self.options.timeout);
        let ends = Instant::now() + limit;
        let mut current = req;
        loop {
            let cause = match hops.first() {
                None => TimeoutCause::Request,
                Some(first) => TimeoutCause::Redirects {
                    from: first.request.url.clone(),
                    hop: hops.len() + 1,
                },
            };
            let left = ends.saturating_duration_since(Instant::now());
            let response = self.send(&current, jar, left, (limit, cause)).await?;
            let location = response.header("location").map(str::to_string);
            let redirect = matches!(response.status, 301 | 302 | 303 | 307 | 308);
            let next = if current.follow_redirects && redirect {
                location
            } else {
                None
            };
            let Some(location) = next else {
                hops.push(Hop {
                    request: current,
                    response,
                });
                return Ok(hops);
            };
            if hops.len() >= MAX_REDIRECTS {
                return Err(HttpError::TooManyRedirects {
                    url: hops[0].request.url.clone(),
                });
            }
            let mut next = redirect_request(&current, response.status, &location)?;
            default_headers(&mut next, jar);
            hops.push(Hop {
                request: current,
                response,
            });
            current = next;
        }
    }

    /// `text` as a URL, from the last one parsed when it is the same text.
    fn parse_url(&self, text: &str) -> Result<reqwest::Url, url::ParseError> {
        let mut last = self.last_url.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((known, url)) = &*last
            && known == text
        {
            return Ok(url.clone());
        }
        let url = reqwest::Url::parse(text)?;
        *last = Some((text.to_string(), url.clone()));
        Ok(url)
    }

    /// One hop, within `left` of the request's limit (`limit`: that limit and, past the first
    /// hop, the chain it is spent on, for the message) and within the run's limit.
    async fn send(
        &self,
        req: &Prepared,
        jar: &Jar,
        left: Duration,
        limit: (Duration, TimeoutCause),
    ) -> Result<Response, HttpError> {
        let url = self
            .parse_url(&req.url)
            .map_err(|e| HttpError::InvalidUrl {
                url: req.url.clone(),
                reason: e.to_string(),
            })?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(HttpError::InvalidUrl {
                url: req.url.clone(),
                reason: format!("the scheme `{}` is not http or https", url.scheme()),
            });
        }
        let method = reqwest::Method::from_bytes(req.method.as_bytes()).map_err(|_| {
            HttpError::InvalidHeader {
                name: "method".into(),
                reason: format!("`{}` is not a method", req.method),
            }
        })?;
        let mut headers = HeaderMap::new();
        for (k, v) in &req.headers {
            let name =
                HeaderName::from_bytes(k.as_bytes()).map_err(|e| HttpError::InvalidHeader {
                    name: k.clone(),
                    reason: e.to_string(),
                })?;
            let value = HeaderValue::from_str(v).map_err(|_| HttpError::InvalidHeader {
                name: k.clone(),
                reason: "the value holds a character headers cannot carry (a newline?)".into(),
            })?;
            headers.append(name, value);
        }
        // The run's limit, when it comes first, is the one named.
        let (timeout, after, cause) = match self.run_limit.get() {
            Some(&(deadline, max_time))
                if deadline.saturating_duration_since(Instant::now()) < left =>
            {
                let run_left = deadline.saturating_duration_since(Instant::now());
                (run_left, max_time, TimeoutCause::RunLimit)
            }
            _ => (left, limit.0, limit.1),
        };
        let timed_out = || HttpError::Timeout {
            url: req.url.clone(),
            after,
            cause: cause.clone(),
        };
        if timeout.is_zero() {
            return Err(timed_out());
        }
        let client = self.client_for(&url).map_err(|reason| HttpError::Other {
            url: req.url.clone(),
            reason,
        })?;
        let mut builder = client
            .request(method, url.clone())
            .headers(headers)
            .timeout(timeout);
        if let Some(body) = &req.body {
            builder = builder.body(body.clone());
        }
        let started = Instant::now();
        let fail = |e: reqwest::Error| {
            if e.is_timeout() {
                return timed_out();
            }
            match classify(e, &req.url) {
                HttpError::Tls { url, reason, .. } => HttpError::Tls {
                    url,
                    reason,
                    cacert: self
                        .options
                        .cacert
                        .as_deref()
                        .map(crate::diag::display_path),
                },
                other => other,
            }
        };
        let work = async {
            let mut resp = builder.send().await.map_err(fail)?;
            let status = resp.status().as_u16();
            let version = format!("{:?}", resp.version());
            let headers: Vec<(String, String)> = resp
                .headers()
                .iter()
                .map(|(k, v)| {
                    (
                        k.as_str().to_string(),
                        String::from_utf8_lossy(v.as_bytes()).into_owned(),
                    )
                })
                .collect();
            jar.set_cookies(resp.headers().get_all("set-cookie").iter(), &url);
            let cap = self.options.max_body;
            if resp.content_length().is_some_and(|n| n > cap) {
                return Err(HttpError::TooLarge {
                    url: req.url.clone(),
                    cap,
                });
            }
            let mut body = Vec::new();
            while let Some(chunk) = resp.chunk().await.map_err(fail)? {
                if body.len() as u64 + chunk.len() as u64 > cap {
                    return Err(HttpError::TooLarge {
                        url: req.url.clone(),
                        cap,
                    });
                }
                body.extend_from_slice(&chunk);
            }
            Ok(Response {
                status,
                version,
                headers,
                body,
                duration: started.elapsed(),
                url: req.url.clone(),
                json: OnceLock::new(),
            })
        };
        // reqwest's timeout covers the body too; this guard also bounds a stalled decoder.
        match tokio::time::timeout(timeout.saturating_add(Duration::from_millis(250)), work).await {
            Ok(result) => result,
            Err(_) => Err(timed_out()),
        }
    }
}

/// Headers a request gets unless it sets them itself, so that what `-v` shows is what is sent.
pub fn default_headers(req: &mut Prepared, jar: &Jar) {
    // Most runs never get a cookie: no URL parse for them.
    let cookies = if jar.is_empty() {
        None
    } else {
        reqwest::Url::parse(&req.url)
            .ok()
            .and_then(|url| jar.cookies(&url))
    };
    let mut add = |name: &str, value: String| {
        if req.header(name).is_none() {
            req.headers.push((name.to_string(), value));
        }
    };
    add("user-agent", USER_AGENT.to_string());
    add("accept", "*/*".to_string());
    add("accept-encoding", ACCEPT_ENCODING.to_string());
    if let Some(cookies) = cookies {
        add("cookie", cookies);
    }
}

/// The request for the next hop of a redirect: 303 (and 301/302 after a POST) become GET
/// without a body; `Authorization` and `Cookie` are dropped when the origin changes.
fn redirect_request(prev: &Prepared, status: u16, location: &str) -> Result<Prepared, HttpError> {
    let base = reqwest::Url::parse(&prev.url).map_err(|e| HttpError::InvalidUrl {
        url: prev.url.clone(),
        reason: e.to_string(),
    })?;
    let bad = |reason: String| HttpError::BadRedirect {
        from: prev.url.clone(),
        location: location.to_string(),
        reason,
    };
    let next = base.join(location).map_err(|e| bad(e.to_string()))?;
    // Checked here, not left to `send`: there a scheme is the collection's mistake (exit 2).
    if !matches!(next.scheme(), "http" | "https") {
        return Err(bad(format!(
            "the scheme `{}` is not http or https",
            next.scheme()
        )));
    }
    let same_origin = next.origin() == base.origin();
    let to_get = status == 303 || (matches!(status, 301 | 302) && prev.method == "POST");
    let mut headers: Vec<(String, String)> = prev
        .headers
        .iter()
        .filter(|(k, _)| {
            let k = k.to_ascii_lowercase();
            let sensitive = matches!(
                k.as_str(),
                "authorization" | "cookie" | "proxy-authorization"
            );
            let body_header = to_get && matches!(k.as_str(), "content-type" | "content-length");
            (!sensitive || same_origin) && !body_header && k != "cookie"
        })
        .cloned()
        .collect();
    headers.retain(|(k, _)| !k.eq_ignore_ascii_case("host"));
    Ok(Prepared {
        method: if to_get {
            "GET".into()
        } else {
            prev.method.clone()
        },
        url: next.to_string(),
        headers,
        body: if to_get { None } else { prev.body.clone() },
        timeout: prev.timeout,
        follow_redirects: true,
    })
}

/// A reqwest error other than a timeout (the caller knows which limit that was).
fn classify(e: reqwest::Error, url: &str) -> HttpError {
    let url = url.to_string();
    let chain = error_chain(&e);
    let lower = chain.to_lowercase();
    let mut source: Option<&dyn std::error::Error> = Some(&e);
    while let Some(s) = source {
        if let Some(io) = s.downcast_ref::<std::io::Error>()
            && io.kind() == std::io::ErrorKind::ConnectionRefused
        {
            return HttpError::Refused { url };
        }
        source = s.source();
    }
    if lower.contains("connection refused") {
        HttpError::Refused { url }
    } else if lower.contains("dns error") || lower.contains("failed to lookup") {
        HttpError::Dns { url, reason: chain }
    } else if lower.contains("certificate") || lower.contains("tls") || lower.contains("handshake")
    {
        HttpError::Tls {
            url,
            reason: chain,
            cacert: None,
        }
    } else {
        HttpError::Other { url, reason: chain }
    }
}

/// An error and its causes on one line, without repeats.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut current: Option<&dyn std::error::Error> = Some(e);
    while let Some(err) = current {
        let text = err.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        current = err.source();
    }
    parts.join(": ")
}

/// A duration as written in a collection: `500ms`, `30s` (Debug would print `299.715567ms`
/// for what is left of --max-time).
pub fn short_duration(d: &Duration) -> String {
    let ms = (d.as_secs_f64() * 1000.0).round() as u64;
    if ms >= 1000 && ms.is_multiple_of(1000) {
        format!("{}s", ms / 1000)
    } else {
        format!("{ms}ms")
    }
}

/// A fresh cookie jar: one per collection run.
pub fn new_jar() -> Arc<Jar> {
    Arc::new(Jar::default())
}

/// The cookies of one collection run (RFC 6265, `cookie_store`). Kept here rather than
/// through reqwest's `cookies` feature: that feature adds a layer to every request which
/// parses its URL again, and baton sends the `Cookie` header itself so `-v` shows it.
#[derive(Default)]
pub struct Jar(std::sync::Mutex<cookie_store::CookieStore>);

impl std::fmt::Debug for Jar {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Jar")
    }
}

impl Jar {
    /// Keep the `Set-Cookie` values of a response from `url`.
    pub fn set_cookies<'h>(
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
    pub fn is_empty(&self) -> bool {
        self.0
            .lock()
            .map_or(true, |store| store.iter_any().next().is_none())
    }

    /// The `Cookie` header value for a request to `url`, if any cookie applies.
    pub fn cookies(&self, url: &reqwest::Url) -> Option<String> {
        let store = self.0.lock().ok()?;
        let value = store
            .get_request_values(url)
            .map(|(name, value)| format!("{name}={value}"))
            .collect::<Vec<_>>()
            .join("; ");
        (!value.is_empty()).then_some(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_url_parsed_again_is_the_same_url() {
        let http = Http::new(HttpOptions::default()).unwrap();
        let a = http.parse_url("http://127.0.0.1:8080/token?x=1").unwrap();
        let b = http.parse_url("http://127.0.0.1:8080/token?x=1").unwrap();
        let c = http.parse_url("http://127.0.0.1:8080/other").unwrap();
        assert_eq!(a, b);
        assert_eq!(c.path(), "/other");
        assert_eq!(
            http.parse_url("http://127.0.0.1:8080/token?x=1").unwrap(),
            a
        );
        assert!(http.parse_url("http://[::1").is_err());
        // A failed parse does not replace the last good one.
        assert_eq!(http.parse_url("http://127.0.0.1:8080/other").unwrap(), c);
    }

    #[test]
    fn timeouts_read_as_written() {
        assert_eq!(short_duration(&Duration::from_millis(500)), "500ms");
        assert_eq!(short_duration(&Duration::from_secs(30)), "30s");
        assert_eq!(short_duration(&Duration::from_micros(299_715)), "300ms");
        assert_eq!(short_duration(&Duration::from_millis(1500)), "1500ms");
    }
}
