//! Cookies: the jar of one collection run (RFC 6265, `cookie_store`), and `--cookies FILE`,
//! a Netscape cookie file (curl's `-b`/`-c` format) read once and copied into each run's jar.

use crate::diag::{Diagnostic, display_path};
use reqwest::header::HeaderValue;
use std::path::Path;
use std::sync::Arc;

/// A fresh cookie jar: one per collection run, holding the cookies of `--cookies` if given.
pub(crate) fn new_jar(seed: Option<&CookieSeed>) -> Arc<Jar> {
    Arc::new(Jar {
        store: std::sync::Mutex::new(seed.map(|s| s.0.clone()).unwrap_or_default()),
        off: false,
    })
}

/// The cookies of one collection run. Kept here rather than through reqwest's `cookies`
/// feature: that feature adds a layer to every request which parses its URL again, and
/// baton sends the `Cookie` header itself so `-v` shows it.
#[derive(Default)]
pub(crate) struct Jar {
    store: std::sync::Mutex<cookie_store::CookieStore>,
    /// `cookies: false`: a jar that never sends and never keeps, redirect hops included.
    off: bool,
}

impl std::fmt::Debug for Jar {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Jar")
    }
}

impl Jar {
    /// The jar of a request written with `cookies: false`.
    pub(crate) fn off() -> Jar {
        Jar {
            off: true,
            ..Jar::default()
        }
    }

    /// Keep the `Set-Cookie` values of a response from `url`.
    pub(crate) fn set_cookies<'h>(
        &self,
        headers: impl Iterator<Item = &'h HeaderValue>,
        url: &reqwest::Url,
    ) {
        if self.off {
            return;
        }
        let cookies: Vec<cookie::Cookie<'static>> = headers
            .filter_map(|v| v.to_str().ok())
            .filter_map(|v| cookie::Cookie::parse(v.to_string()).ok())
            .collect();
        if cookies.is_empty() {
            return;
        }
        if let Ok(mut store) = self.store.lock() {
            store.store_response_cookies(cookies.into_iter(), url);
        }
    }

    /// True while no cookie has been kept.
    pub(crate) fn is_empty(&self) -> bool {
        self.store
            .lock()
            .map_or(true, |store| store.iter_any().next().is_none())
    }

    /// Forget every cookie (`clear_cookies: true`).
    pub(crate) fn clear(&self) {
        if let Ok(mut store) = self.store.lock() {
            store.clear();
        }
    }

    /// The `Cookie` header value for a request to `url`, if any cookie applies.
    pub(crate) fn cookies(&self, url: &reqwest::Url) -> Option<String> {
        let store = self.store.lock().ok()?;
        let value = store
            .get_request_values(url)
            .map(|(name, value)| format!("{name}={value}"))
            .collect::<Vec<_>>()
            .join("; ");
        (!value.is_empty()).then_some(value)
    }
}

/// The cookies of `--cookies FILE`, which every collection run's jar starts with.
#[derive(Clone, Default)]
pub(crate) struct CookieSeed(cookie_store::CookieStore);

impl std::fmt::Debug for CookieSeed {
    // Cookie values are credentials: never in debug output.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CookieSeed({} cookies)", self.0.iter_any().count())
    }
}

impl CookieSeed {
    /// Read a Netscape cookie file: one cookie a line, seven fields separated by tabs
    /// (domain, include subdomains, path, secure, expires, name, value); `#` comments and
    /// blank lines; the `#HttpOnly_` prefix curl writes before the domain. A cookie already
    /// expired is left out, as curl does; a malformed line is an error naming file:line.
    pub(crate) fn load(path: &Path) -> Result<CookieSeed, Diagnostic> {
        let shown = display_path(path);
        let text = crate::fsutil::read_to_string(path, crate::fsutil::MAX_INPUT).map_err(|e| {
            Diagnostic::error(format!(
                "{shown}: cannot read the cookie file: {}",
                crate::fsutil::io_reason(&e)
            ))
        })?;
        let mut store = cookie_store::CookieStore::default();
        for (i, line) in text.lines().enumerate() {
            let at = |why: String| {
                Diagnostic::error(format!("{shown}:{}: {why}", i + 1)).help(
                    "a Netscape cookie file (curl -c) has one cookie a line, 7 fields \
                     separated by tabs: domain, TRUE|FALSE (subdomains), path, TRUE|FALSE \
                     (secure), expires (Unix seconds, 0 for a session cookie), name, value",
                )
            };
            let line = line.trim_end_matches('\r');
            let (line, http_only) = match line.strip_prefix("#HttpOnly_") {
                Some(rest) => (rest, true),
                None => (line, false),
            };
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let cookie = parse_line(line, http_only).map_err(at)?;
            let url = cookie.url;
            match store.insert_raw(&cookie.raw, &url) {
                Ok(_) | Err(cookie_store::CookieError::Expired) => {}
                Err(e) => return Err(at(format!("the cookie is refused: {e}"))),
            }
        }
        Ok(CookieSeed(store))
    }
}

/// One line of a cookie file as the cookie a server at `url` would have set.
struct Parsed {
    raw: cookie::Cookie<'static>,
    url: url::Url,
}

fn parse_line(line: &str, http_only: bool) -> Result<Parsed, String> {
    let mut fields: Vec<&str> = line.split('\t').collect();
    // An empty value is written as a trailing tab; some tools leave even that out.
    if fields.len() == 6 {
        fields.push("");
    }
    let Ok([domain, subdomains, path, secure, expires, name, value]) =
        <[&str; 7]>::try_from(&fields[..])
    else {
        return Err(if line.contains('\t') {
            format!(
                "expected 7 fields separated by tabs, found {}",
                fields.len()
            )
        } else {
            "no tab in the line: fields are separated by tabs, not spaces".into()
        });
    };
    let flag = |text: &str, what: &str| match text.to_ascii_uppercase().as_str() {
        "TRUE" => Ok(true),
        "FALSE" => Ok(false),
        _ => Err(format!("{what} is `{text}`: expected TRUE or FALSE")),
    };
    let subdomains = flag(subdomains, "the subdomains field (2nd)")?;
    let secure = flag(secure, "the secure field (4th)")?;
    let expires: i64 = expires.trim().parse().map_err(|_| {
        format!(
            "the expiry (5th field) is `{expires}`: expected Unix seconds (0: a session cookie)"
        )
    })?;
    let host = domain.trim_start_matches('.');
    if host.is_empty() || name.is_empty() {
        return Err("the domain and the name (1st and 6th fields) must not be empty".into());
    }
    let url = url::Url::parse(&format!("https://{host}/"))
        .map_err(|e| format!("the domain `{domain}` is not a host name: {e}"))?;
    let mut raw = cookie::Cookie::new(name.to_string(), value.to_string());
    raw.set_path(if path.is_empty() { "/" } else { path }.to_string());
    // A domain cookie (sent to subdomains too) carries the Domain attribute; an IP
    // address cannot have one, so it stays host-only.
    let is_ip = host.parse::<std::net::IpAddr>().is_ok() || host.starts_with('[');
    if (subdomains || domain.starts_with('.')) && !is_ip {
        raw.set_domain(host.to_string());
    }
    raw.set_secure(secure);
    raw.set_http_only(http_only);
    if expires > 0 {
        let at = cookie::time::OffsetDateTime::from_unix_timestamp(expires)
            .map_err(|_| format!("the expiry (5th field) `{expires}` is out of range"))?;
        raw.set_expires(at);
    }
    Ok(Parsed { raw, url })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seed(text: &str) -> Result<CookieSeed, String> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cookies.txt");
        std::fs::write(&path, text).unwrap();
        CookieSeed::load(&path).map_err(|d| d.message)
    }

    fn sent(seed: &CookieSeed, url: &str) -> Option<String> {
        new_jar(Some(seed)).cookies(&reqwest::Url::parse(url).unwrap())
    }

    #[test]
    fn reads_what_curl_writes() {
        let s = seed(
            "# Netscape HTTP Cookie File\n\
             # https://curl.se/docs/http-cookies.html\n\n\
             .example.com\tTRUE\t/\tFALSE\t0\tsid\tabc\n\
             #HttpOnly_api.example.com\tFALSE\t/v1\tTRUE\t4102444800\ttok\txyz\n\
             old.example.org\tFALSE\t/\tFALSE\t1\tgone\tx\n\
             127.0.0.1\tFALSE\t/\tFALSE\t0\tlocal\t1\n",
        )
        .unwrap();
        assert_eq!(
            sent(&s, "http://www.example.com/").as_deref(),
            Some("sid=abc")
        );
        // Secure, and under /v1 only.
        assert_eq!(
            sent(&s, "http://api.example.com/v1/x").as_deref(),
            Some("sid=abc")
        );
        let both = sent(&s, "https://api.example.com/v1/x").unwrap();
        assert!(
            both.contains("tok=xyz") && both.contains("sid=abc"),
            "{both}"
        );
        assert_eq!(
            sent(&s, "http://127.0.0.1:8080/").as_deref(),
            Some("local=1")
        );
        assert_eq!(sent(&s, "http://old.example.org/"), None);
        assert!(!format!("{s:?}").contains("abc"));
    }

    #[test]
    fn a_malformed_line_names_its_line() {
        let e = seed("# c\nexample.com TRUE / FALSE 0 a b\n").unwrap_err();
        assert!(
            e.ends_with(
                "cookies.txt:2: no tab in the line: fields are separated by tabs, not spaces"
            ),
            "{e}"
        );
        let e = seed("example.com\tyes\t/\tFALSE\t0\ta\tb\n").unwrap_err();
        assert!(
            e.contains("cookies.txt:1: the subdomains field (2nd) is `yes`"),
            "{e}"
        );
        let e = seed("\n\nexample.com\tTRUE\t/\tFALSE\tsoon\ta\tb\n").unwrap_err();
        assert!(
            e.contains("cookies.txt:3: the expiry (5th field) is `soon`"),
            "{e}"
        );
        let e = seed("example.com\tTRUE\t/\n").unwrap_err();
        assert!(
            e.contains(":1: expected 7 fields separated by tabs, found 3"),
            "{e}"
        );
    }

    #[test]
    fn an_off_jar_neither_keeps_nor_sends() {
        let jar = Jar::off();
        let url = reqwest::Url::parse("http://example.com/").unwrap();
        let v = HeaderValue::from_static("a=1; Path=/");
        jar.set_cookies(std::iter::once(&v), &url);
        assert!(jar.is_empty());
        let on = new_jar(None);
        on.set_cookies(std::iter::once(&v), &url);
        assert_eq!(on.cookies(&url).as_deref(), Some("a=1"));
        on.clear();
        assert!(on.is_empty());
    }
}
