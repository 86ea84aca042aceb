//! Masking by structure: a JSON body (secret-looking fields, secret keys and numbers), a
//! header, a form, the userinfo and query of a URL, and a short secret where it stands as
//! a whole value. A secret shorter than `MIN_LEN` is masked only here: as a header value,
//! a form field, a JSON value or key, a query parameter, a cookie, a quoted literal or the
//! whole text, never inside other words.

use super::{MASK, Redactor, looks_secret};
use serde_json::Value;

impl Redactor {
    /// A JSON value with secret-looking fields masked and known secrets masked in strings,
    /// keys and numbers.
    pub(crate) fn redact_json(&self, value: &Value) -> Value {
        if self.show {
            return value.clone();
        }
        match value {
            Value::String(s) => Value::String(self.redact_value(s)),
            Value::Number(n) => {
                let text = n.to_string();
                if self.redact_value(&text) == text {
                    value.clone()
                } else {
                    Value::String(MASK.into())
                }
            }
            Value::Array(items) => {
                Value::Array(items.iter().map(|v| self.redact_json(v)).collect())
            }
            Value::Object(map) => {
                let mut out = serde_json::Map::new();
                for (k, v) in map {
                    let masked = looks_secret(k)
                        && match v {
                            Value::String(s) => !s.is_empty(),
                            Value::Number(_) => true,
                            _ => false,
                        };
                    let v = if masked {
                        Value::String(MASK.into())
                    } else {
                        self.redact_json(v)
                    };
                    let mut key = self.redact_value(k);
                    // Two keys masked alike stay two.
                    let mut n = 1;
                    while out.contains_key(&key) {
                        n += 1;
                        key = format!("{} ({n})", self.redact_value(k));
                    }
                    out.insert(key, v);
                }
                Value::Object(out)
            }
            other => other.clone(),
        }
    }

    /// A value standing whole (a JSON string, a header, a form field): masked whole when it
    /// is a secret of any length, else with the secrets inside it masked.
    pub(crate) fn redact_value(&self, value: &str) -> String {
        if self.is_secret(value) {
            return MASK.to_string();
        }
        self.redact(value).into_owned()
    }

    /// A header value for display: `Authorization` and `Cookie` are always masked after the
    /// scheme; others are masked for known secrets.
    pub(crate) fn redact_header(&self, name: &str, value: &str) -> String {
        if self.show {
            return value.to_string();
        }
        let n = name.to_ascii_lowercase();
        if matches!(n.as_str(), "authorization" | "proxy-authorization") {
            return match value.split_once(' ') {
                Some((scheme, _)) => format!("{scheme} {MASK}"),
                None => MASK.to_string(),
            };
        }
        if matches!(n.as_str(), "cookie" | "set-cookie") {
            return mask_cookie_values(value, n == "set-cookie", self);
        }
        if looks_secret(&n) || self.is_secret(value.trim()) {
            return MASK.to_string();
        }
        self.redact(value).into_owned()
    }

    /// A form body (`a=1&client_secret=x`) with secret-looking fields and fields whose
    /// value is a secret masked.
    pub(crate) fn redact_form(&self, body: &str) -> String {
        if self.show {
            return body.to_string();
        }
        let masked: Vec<String> = body
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((k, v))
                    if !v.is_empty()
                        && (looks_secret(&url_decode(k)) || self.is_secret(&url_decode(v))) =>
                {
                    format!("{k}={MASK}")
                }
                _ => pair.to_string(),
            })
            .collect();
        self.redact(&masked.join("&")).into_owned()
    }
}

/// Every URL in `text` with the password of its userinfo masked and each query parameter
/// whose value is a secret masked; `None` when nothing changed.
pub(super) fn mask_urls(text: &str, r: &Redactor) -> Option<String> {
    // Most texts hold no URL, or one without userinfo whose query needs no look (only a
    // short secret is looked for there): one pass over the bytes decides.
    let (mut at, mut query) = (false, false);
    for b in text.bytes() {
        at |= b == b'@';
        query |= b == b'?';
    }
    if !(at || (query && !r.short.is_empty())) || !text.contains("://") {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut changed = false;
    while let Some(at) = rest.find("://") {
        let start = at + 3;
        out.push_str(&rest[..start]);
        let after = &rest[start..];
        let len = after
            .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '<' | '>' | '`'))
            .unwrap_or(after.len());
        let url = &after[..len];
        let masked = mask_url(url, r);
        changed |= masked != url;
        out.push_str(&masked);
        rest = &after[len..];
    }
    out.push_str(rest);
    changed.then_some(out)
}

/// One URL after its `scheme://`.
fn mask_url(url: &str, r: &Redactor) -> String {
    let authority_end = url.find(['/', '?', '#']).unwrap_or(url.len());
    let (authority, path) = url.split_at(authority_end);
    let mut out = match authority.rfind('@') {
        Some(at) => mask_userinfo_part(&authority[..at]) + &authority[at..],
        None => authority.to_string(),
    };
    let Some(q) = path.find('?') else {
        out.push_str(path);
        return out;
    };
    out.push_str(&path[..=q]);
    let query = &path[q + 1..];
    let (query, fragment) = query.split_at(query.find('#').unwrap_or(query.len()));
    let pairs: Vec<String> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((k, v)) if r.is_secret(&url_decode(v)) => format!("{k}={MASK}"),
            _ => pair.to_string(),
        })
        .collect();
    out.push_str(&pairs.join("&"));
    out.push_str(fragment);
    out
}

/// `user:password` with the password masked (a URL's userinfo is a credential whether or
/// not baton knows it as a secret).
fn mask_userinfo_part(userinfo: &str) -> String {
    match userinfo.split_once(':') {
        Some((user, pass)) if !pass.is_empty() && pass != MASK => format!("{user}:{MASK}"),
        _ => userinfo.to_string(),
    }
}

impl Redactor {
    /// Learn the cookie values of a `Cookie` or `Set-Cookie` header (other headers are
    /// ignored): a session cookie is a credential, shown nowhere, not even echoed back in
    /// a body.
    pub(crate) fn add_cookies(&mut self, name: &str, value: &str) {
        let pairs: Vec<&str> = if name.eq_ignore_ascii_case("set-cookie") {
            value.split(';').take(1).collect()
        } else if name.eq_ignore_ascii_case("cookie") {
            value.split(';').collect()
        } else {
            return;
        };
        for pair in pairs {
            if let Some((_, v)) = pair.split_once('=') {
                let v = v.trim();
                self.add(v);
                // RFC 6265 allows a value in double quotes; the client sends it without.
                self.add(v.trim_matches('"'));
            }
        }
    }

    /// Learn the password of a URL's userinfo (`http://user:pass@host`): the HTTP client
    /// sends it as a Basic header, which a server may echo back.
    pub(crate) fn add_userinfo(&mut self, url: &str) {
        if !url.contains('@') {
            return;
        }
        let Ok(parsed) = url::Url::parse(url) else {
            return;
        };
        let Some(pass) = parsed.password() else {
            return;
        };
        let decode = |s: &str| url_decode(&s.replace('+', "%2B"));
        let (user, plain) = (decode(parsed.username()), decode(pass));
        self.add(pass);
        self.add(&plain);
        self.add_basic(&user, &plain);
    }
}

/// The password of a URL's userinfo as `mask`: `http://app:s3cr3t@host/` →
/// `http://app:<mask>@host/`. URLs without a password are returned as they are.
pub(crate) fn mask_userinfo(url: &str, mask: &str) -> String {
    match userinfo_password(url) {
        Some((start, end)) => format!("{}{mask}{}", &url[..start], &url[end..]),
        None => url.to_string(),
    }
}

/// Where the password of a URL's userinfo is (`start..end`), when it has one.
pub(crate) fn userinfo_password(url: &str) -> Option<(usize, usize)> {
    let scheme_end = url.find("://")? + 3;
    let after = &url[scheme_end..];
    let authority = &after[..after.find(['/', '?', '#']).unwrap_or(after.len())];
    let info = &authority[..authority.rfind('@')?];
    let colon = info.find(':')?;
    let (start, end) = (scheme_end + colon + 1, scheme_end + info.len());
    (end > start).then_some((start, end))
}

/// Short secrets where they stand whole in text: the whole text, a quoted literal (`"ab"`,
/// `'ab'`, `` `ab` ``, as baton quotes values in its messages), the value of a `name=value`
/// pair (a query, a form, a cookie) or of a `Name: value` line; `None` when none is there.
pub(super) fn mask_short(text: &str, r: &Redactor) -> Option<String> {
    let trimmed = text.trim();
    if r.short.iter().any(|s| s[0] == trimmed) {
        return Some(text.replace(trimmed, MASK));
    }
    let mut spans: Vec<(usize, usize)> = Vec::new();
    for form in r.short.iter().flatten() {
        for (at, _) in text.match_indices(form.as_str()) {
            let end = at + form.len();
            if stands_whole(&text[..at], &text[end..]) {
                spans.push((at, end));
            }
        }
    }
    if spans.is_empty() {
        return None;
    }
    spans.sort_unstable();
    let mut out = String::with_capacity(text.len());
    let mut done = 0;
    for (start, end) in spans {
        if start >= done {
            out.push_str(&text[done..start]);
            out.push_str(MASK);
            done = end;
        }
    }
    out.push_str(&text[done..]);
    Some(out)
}

/// Whether a value between `before` and `after` stands whole: between the same quotes,
/// after `=` up to a separator, or after `: ` up to the end of the line.
fn stands_whole(before: &str, after: &str) -> bool {
    let next = after.chars().next();
    match before.chars().next_back() {
        Some(q @ ('"' | '\'' | '`')) => next == Some(q),
        Some('=') => next.is_none_or(|c| c.is_whitespace() || "&;,#\"'`".contains(c)),
        Some(' ') if before.ends_with(": ") => {
            next.is_none_or(|c| matches!(c, '\n' | '\r' | '"' | '\''))
        }
        _ => false,
    }
}

/// Cookie values are credentials: names shown, values masked.
fn mask_cookie_values(value: &str, set_cookie: bool, r: &Redactor) -> String {
    let mut parts: Vec<String> = Vec::new();
    for (i, part) in value.split(';').enumerate() {
        if set_cookie && i > 0 {
            parts.push(part.to_string());
            continue;
        }
        match part.split_once('=') {
            Some((k, _)) => parts.push(format!("{k}={MASK}")),
            None => parts.push(part.to_string()),
        }
    }
    r.redact(&parts.join(";")).into_owned()
}

pub(super) fn url_decode(s: &str) -> String {
    url::form_urlencoded::parse(format!("k={s}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}
