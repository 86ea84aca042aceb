//! Why a request could not be made: the errors of the HTTP layer (exit 3, or 2 for a
//! request that cannot be sent as written), reqwest's errors sorted into them, and
//! durations written as a collection writes them.

use super::MAX_REDIRECTS;
use std::time::Duration;

/// Why a request could not be made (exit code 3), naming the URL.
#[derive(Debug, thiserror::Error)]
pub(crate) enum HttpError {
    #[error("connection refused: {url}")]
    Refused { url: String },
    /// The proxy (`--proxy`, or HTTP_PROXY and the like) refused the connection: `proxy`
    /// is shown with its password masked.
    #[error("connection refused by the proxy {proxy} (sending to {url})")]
    ProxyRefused { url: String, proxy: String },
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
pub(crate) enum TimeoutCause {
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
    pub(crate) fn is_input(&self) -> bool {
        matches!(
            self,
            HttpError::InvalidUrl { .. } | HttpError::InvalidHeader { .. }
        )
    }
}

/// A reqwest error other than a timeout (the caller knows which limit that was).
pub(super) fn classify(e: reqwest::Error, url: &str) -> HttpError {
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
pub(crate) fn short_duration(d: &Duration) -> String {
    let ms = (d.as_secs_f64() * 1000.0).round() as u64;
    if ms >= 1000 && ms.is_multiple_of(1000) {
        format!("{}s", ms / 1000)
    } else {
        format!("{ms}ms")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts_read_as_written() {
        assert_eq!(short_duration(&Duration::from_millis(500)), "500ms");
        assert_eq!(short_duration(&Duration::from_secs(30)), "30s");
        assert_eq!(short_duration(&Duration::from_micros(299_715)), "300ms");
        assert_eq!(short_duration(&Duration::from_millis(1500)), "1500ms");
    }
}
