//! Proxies: `--proxy URL`, `--no-proxy`, or (neither given) the environment's
//! HTTP_PROXY / HTTPS_PROXY / ALL_PROXY / NO_PROXY, upper or lower case, as reqwest's
//! `system-proxy` reads them. Loopback is not exempt unless NO_PROXY says so (curl exempts
//! nothing either). A proxy is shown with its password masked: its URL may carry one.

use crate::diag::Diagnostic;

/// Where requests go.
#[derive(Clone, Debug, Default)]
pub enum Proxy {
    /// The environment's proxy variables (and on macOS and Windows the system settings).
    #[default]
    System,
    /// `--proxy URL`: every request through it, except hosts NO_PROXY names (as curl).
    Via(reqwest::Url),
    /// `--no-proxy`: straight to the server, whatever the environment says.
    Direct,
}

/// `--proxy`'s value: `http://host:port`, `https://…`, or `host:port` (http, as curl).
pub(crate) fn parse(text: &str) -> Result<reqwest::Url, Diagnostic> {
    let bad = |why: &str| {
        Diagnostic::error(format!("--proxy `{}`: {why}", mask_text(text)))
            .help("give the proxy as http://HOST:PORT (or https://HOST:PORT)")
    };
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(bad("empty"));
    }
    let full = if trimmed.contains("://") {
        trimmed.to_string()
    } else {
        format!("http://{trimmed}")
    };
    let url = reqwest::Url::parse(&full).map_err(|e| bad(&format!("not a URL ({e})")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(bad(&format!(
            "the scheme must be http or https, not {} (SOCKS is not built in)",
            url.scheme()
        )));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(bad("no host"));
    }
    if !matches!(url.path(), "" | "/") || url.query().is_some() {
        return Err(bad("a proxy URL has no path or query"));
    }
    Ok(url)
}

/// The proxy as shown in messages: its password (if any) masked.
pub(crate) fn shown(url: &reqwest::Url) -> String {
    let mut text = format!("{}://", url.scheme());
    if !url.username().is_empty() || url.password().is_some() {
        text.push_str(url.username());
        if url.password().is_some() {
            // Written out: the URL's own setter would percent-encode the dots.
            text.push_str(":•••");
        }
        text.push('@');
    }
    text.push_str(url.host_str().unwrap_or(""));
    if let Some(port) = url.port() {
        text.push_str(&format!(":{port}"));
    }
    text
}

/// `text` with what looks like a password (`user:pass@`) masked, for a value that is not a
/// URL yet.
fn mask_text(text: &str) -> String {
    match reqwest::Url::parse(text) {
        Ok(url) if url.password().is_some() => shown(&url),
        _ => match (text.find("://"), text.rfind('@')) {
            (Some(start), Some(at)) if at > start => {
                format!("{}•••{}", &text[..start + 3], &text[at..])
            }
            _ => text.to_string(),
        },
    }
}

impl Proxy {
    /// reqwest's settings for this choice.
    pub(super) fn apply(
        &self,
        builder: reqwest::ClientBuilder,
    ) -> Result<reqwest::ClientBuilder, String> {
        Ok(match self {
            Proxy::System => builder,
            Proxy::Direct => builder.no_proxy(),
            Proxy::Via(url) => {
                let proxy = reqwest::Proxy::all(url.clone())
                    .map_err(|e| format!("--proxy {}: {e}", shown(url)))?
                    .no_proxy(reqwest::NoProxy::from_env());
                builder.proxy(proxy)
            }
        })
    }

    /// The proxy a request to `url` goes through, as shown in messages; `None` when it goes
    /// straight to the server.
    pub(super) fn used_for(&self, url: &str) -> Option<String> {
        let uri = url.parse().ok()?;
        match self {
            Proxy::Direct => None,
            Proxy::Via(proxy) => {
                // NO_PROXY still exempts hosts from --proxy.
                let no = hyper_util::client::proxy::matcher::Matcher::builder()
                    .all(proxy.to_string())
                    .no(std::env::var("NO_PROXY")
                        .or_else(|_| std::env::var("no_proxy"))
                        .unwrap_or_default())
                    .build();
                no.intercept(&uri).map(|_| shown(proxy))
            }
            Proxy::System => {
                let matcher = hyper_util::client::proxy::matcher::Matcher::from_system();
                let via = matcher.intercept(&uri)?;
                let text = via.uri().to_string();
                Some(match reqwest::Url::parse(&text) {
                    Ok(u) => shown(&u),
                    Err(_) => text,
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proxies_are_read_as_curl_reads_them() {
        assert_eq!(
            parse("127.0.0.1:3128").unwrap().as_str(),
            "http://127.0.0.1:3128/"
        );
        assert_eq!(
            parse("https://proxy.example:8443").unwrap().as_str(),
            "https://proxy.example:8443/"
        );
        for bad in [
            "",
            "socks5://h:1080",
            "http://",
            "http://h:1/path",
            "http://h:99999",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_proxy_password_is_never_shown() {
        let url = parse("http://me:hunter2@proxy:3128").unwrap();
        assert_eq!(shown(&url), "http://me:•••@proxy:3128");
        let e = parse("ftp://me:hunter2@proxy:3128").unwrap_err();
        assert!(!e.render(false).contains("hunter2"), "{}", e.render(false));
        let e = parse("http://me:hunter2@proxy:3128/x").unwrap_err();
        assert!(!e.render(false).contains("hunter2"));
    }
}
