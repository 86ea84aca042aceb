//! Sending: one exchange is every hop of a request, redirects followed one at a time within
//! the request's time limit (and the run's), with the headers every request gets unless it
//! sets them, and the request each redirect makes of the one before.

use super::client::Http;
use super::error::classify;
use super::{
    ACCEPT_ENCODING, Hop, HttpError, Jar, MAX_REDIRECTS, Prepared, Response, TimeoutCause,
    USER_AGENT,
};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

impl Http {
    /// Send `req`, following redirects when it asks, and return every hop (the last one is
    /// the response the request is judged on).
    /// The request's time limit covers the whole chain: a 10-hop chain with `--timeout 2s`
    /// ends within 2 s, not 2 s a hop.
    pub(crate) async fn exchange(&self, req: Prepared, jar: &Jar) -> Result<Vec<Hop>, HttpError> {
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
            crate::oauth::dpop::observe(&current.url, &response);
            let location = response.header("location").map(str::to_string);
            let redirect = matches!(response.status, 301 | 302 | 303 | 307 | 308);
            let next = if current.follow_redirects && redirect {
                location
            } else {
                None
            };
            let Some(location) = next else {
                let trust = self.trust_of(&current.url);
                hops.push(Hop {
                    request: current,
                    response,
                    trust,
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
            let trust = self.trust_of(&current.url);
            hops.push(Hop {
                request: current,
                response,
                trust,
            });
            current = next;
        }
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
        let client = self
            .client_for(&url, req.client_cert.as_deref())
            .map_err(|reason| HttpError::Other {
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
                        .tls
                        .cacert
                        .as_deref()
                        .map(crate::diag::display_path),
                },
                HttpError::Refused { url } => match self.options.proxy.used_for(&url) {
                    Some(proxy) => HttpError::ProxyRefused { url, proxy },
                    None => HttpError::Refused { url },
                },
                other => other,
            }
        };
        let work = async {
            let (resp, phases) = super::timing::timed(builder.send()).await;
            let mut resp = resp.map_err(fail)?;
            let first_byte = started.elapsed();
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
                timing: super::Timing {
                    dns: phases.dns,
                    connect: phases.connect,
                    first_byte,
                    body: started.elapsed().saturating_sub(first_byte),
                },
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
pub(crate) fn default_headers(req: &mut Prepared, jar: &Jar) {
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
                "authorization" | "cookie" | "proxy-authorization" | "dpop"
            );
            let body_header = to_get && matches!(k.as_str(), "content-type" | "content-length");
            (!sensitive || same_origin) && !body_header && k != "cookie"
        })
        .cloned()
        .collect();
    headers.retain(|(k, _)| !k.eq_ignore_ascii_case("host"));
    let mut next = Prepared {
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
        // Signed again with a fresh nonce; never sent to another origin, as `Authorization`.
        oauth1: prev.oauth1.clone().filter(|_| same_origin),
        // A fresh proof on each hop, as the token it goes with: same origin only.
        dpop: prev.dpop.clone().filter(|_| same_origin),
        // The TLS identity is the client's, not a credential of one origin: curl presents
        // it at every hop too.
        client_cert: prev.client_cert.clone(),
    };
    if let Some(binding) = next.dpop.clone() {
        binding.apply(&mut next).map_err(bad)?;
    }
    if let Some(signer) = next.oauth1.clone() {
        signer.sign(&mut next).map_err(bad)?;
    }
    Ok(next)
}
