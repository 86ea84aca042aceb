//! Markers: how a variable without a value travels through a rendered request. A marker is
//! the variable's name between two private-use characters, so it survives the encodings a
//! snippet applies (form encoding, percent-encoding, base64 is never applied to one) and is
//! written at the end as a `<your-name>` placeholder (a snippet) or as the program's variable
//! (a program: `pieces` cuts a string into its text and its variables). URLs are
//! percent-encoded around them (`encode_url`).

pub(super) const OPEN: char = '\u{E000}';
pub(super) const CLOSE: char = '\u{E001}';

use super::model::{Body, HttpRequest, Part};
use std::fmt::Write as _;

pub(super) fn marker(name: &str) -> String {
    format!("{OPEN}{name}{CLOSE}")
}

/// Markers as `<your-client-id>`.
pub(super) fn placeholders(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find(OPEN) {
        out.push_str(&rest[..start]);
        let after = &rest[start + OPEN.len_utf8()..];
        match after.find(CLOSE) {
            Some(end) => {
                out.push_str(&format!(
                    "<your-{}>",
                    crate::import::names::kebab(&after[..end])
                ));
                rest = &after[end + CLOSE.len_utf8()..];
            }
            None => {
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Markers as the names of their variables (`<<baseAuthURL>>`), for a program's comments.
pub(super) fn names(text: &str) -> String {
    pieces(text)
        .into_iter()
        .map(|(t, var)| var.map_or(t, |v| format!("<<{v}>>")))
        .collect()
}

/// `application/x-www-form-urlencoded` encoding of the literal parts; markers kept.
pub(super) fn form_encode(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(start) = rest.find(OPEN) {
        out.extend(url::form_urlencoded::byte_serialize(
            &rest.as_bytes()[..start],
        ));
        let end = rest[start..]
            .find(CLOSE)
            .map_or(rest.len(), |e| start + e + CLOSE.len_utf8());
        out.push_str(&rest[start..end]);
        rest = &rest[end..];
    }
    out.extend(url::form_urlencoded::byte_serialize(rest.as_bytes()));
    out
}

/// The names of the markers in `s`, in order.
pub(super) fn markers(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(start) = rest.find(OPEN) {
        let after = &rest[start + OPEN.len_utf8()..];
        let Some(end) = after.find(CLOSE) else { break };
        out.push(after[..end].to_string());
        rest = &after[end + CLOSE.len_utf8()..];
    }
    out
}

/// `s` cut into literal text and marker names, in order: `(text, None)` or `(_, Some(name))`.
pub(super) fn pieces(s: &str) -> Vec<(String, Option<String>)> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(start) = rest.find(OPEN) {
        let after = &rest[start + OPEN.len_utf8()..];
        let Some(end) = after.find(CLOSE) else { break };
        if start > 0 {
            out.push((rest[..start].to_string(), None));
        }
        out.push((String::new(), Some(after[..end].to_string())));
        rest = &after[end + CLOSE.len_utf8()..];
    }
    if !rest.is_empty() {
        out.push((rest.to_string(), None));
    }
    out
}

pub(super) fn has_marker(s: &str) -> bool {
    s.contains(OPEN)
}

/// Whether every expression of a template is a variable's name (`<<a.b>>`): what a program
/// can write with its own variables.
pub(super) fn plain(text: &str) -> bool {
    if text.contains("<%") || text.contains("<#") {
        return false;
    }
    let ident = |w: &str| {
        w.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
            && w.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    };
    let mut rest = text;
    while let Some(i) = rest.find("<<") {
        let after = &rest[i + 2..];
        let Some(end) = after.find(">>") else {
            return false;
        };
        if !after[..end].trim().split('.').all(ident) {
            return false;
        }
        rest = &after[end + 2..];
    }
    true
}

impl HttpRequest {
    /// Every string of the request (URL, query, headers, credentials, body), in order.
    pub(super) fn strings(&self) -> Vec<&str> {
        let mut out = vec![self.url.as_str()];
        fn pairs(p: &[(String, String)]) -> Vec<&str> {
            p.iter()
                .flat_map(|(k, v)| [k.as_str(), v.as_str()])
                .collect()
        }
        out.extend(pairs(&self.query));
        out.extend(pairs(&self.headers));
        if let Some((u, p)) = &self.basic {
            out.extend([u.as_str(), p.as_str()]);
        }
        fn json<'a>(v: &'a serde_json::Value, out: &mut Vec<&'a str>) {
            match v {
                serde_json::Value::String(s) => out.push(s),
                serde_json::Value::Array(items) => items.iter().for_each(|i| json(i, out)),
                serde_json::Value::Object(m) => m.iter().for_each(|(k, v)| {
                    out.push(k);
                    json(v, out);
                }),
                _ => {}
            }
        }
        match &self.body {
            None => {}
            Some(Body::Form(fields)) => out.extend(pairs(fields)),
            Some(Body::Json(v)) => json(v, &mut out),
            Some(Body::Raw { text }) => out.push(text),
            Some(Body::File { path }) => out.push(path),
            Some(Body::Multipart(parts)) => {
                for (k, p) in parts {
                    out.push(k);
                    match p {
                        Part::Text(t) => out.push(t),
                        Part::File { path, .. } => out.push(path),
                    }
                }
            }
        }
        if let Some(c) = &self.client_cert {
            out.push(&c.cert);
            out.extend(c.key.as_deref());
        }
        out
    }
}

/// Whether `c` (ASCII) must be percent-encoded in a path or a query.
fn must_encode(c: u8) -> bool {
    c <= b' '
        || c >= 0x7f
        || matches!(
            c,
            b'"' | b'<' | b'>' | b'`' | b'{' | b'}' | b'|' | b'\\' | b'^' | b'[' | b']'
        )
}

/// `url` with its path and query percent-encoded where they must be, so that a snippet runs:
/// what a URL cannot hold as it is (a space, a quote, `<`, `>`, braces that curl reads as a
/// glob, characters outside ASCII) is encoded, as baton's own client does before sending.
/// The scheme and authority are left alone, as are `%` escapes already there and markers.
pub(super) fn encode_url(url: &str) -> String {
    // The authority ends at the first `/`, `?` or `#` after `scheme://`.
    let start = url.find("://").map_or(0, |i| {
        let rest = &url[i + 3..];
        i + 3 + rest.find(['/', '?', '#']).unwrap_or(rest.len())
    });
    let (head, tail) = url.split_at(start);
    let mut out = head.to_string();
    let mut in_marker = false;
    for ch in tail.chars() {
        match ch {
            OPEN => in_marker = true,
            CLOSE => in_marker = false,
            _ => {}
        }
        if in_marker || ch == CLOSE || (ch.is_ascii() && !must_encode(ch as u8)) {
            out.push(ch);
        } else {
            let mut buf = [0; 4];
            for b in ch.encode_utf8(&mut buf).bytes() {
                let _ = write!(out, "%{b:02X}");
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_survive_encoding_and_read_as_your_name() {
        let s = format!("a b&{}=x", marker("ClientId"));
        assert_eq!(form_encode(&s), format!("a+b%26{}%3Dx", marker("ClientId")));
        assert_eq!(placeholders(&form_encode(&s)), "a+b%26<your-client-id>%3Dx");
        assert_eq!(placeholders(&marker("access_token")), "<your-access-token>");
        assert!(!has_marker(&placeholders(&marker("x"))));
    }

    #[test]
    fn spaces_quotes_braces_and_unicode_are_encoded_markers_and_escapes_kept() {
        assert_eq!(
            encode_url("http://h:1/a b/{x}?q=a b&r=\"é\"&s=%20"),
            "http://h:1/a%20b/%7Bx%7D?q=a%20b&r=%22%C3%A9%22&s=%20"
        );
        let m = marker("id");
        assert_eq!(
            encode_url(&format!("{m}/users/{m} x")),
            format!("{m}/users/{m}%20x")
        );
        assert_eq!(encode_url("http://[::1]:8/p"), "http://[::1]:8/p");
    }

    #[test]
    fn plain_templates_only_name_variables() {
        assert!(plain("<<baseAuthURL>>/token?x=<< login.access_token >>"));
        assert!(plain("no template"));
        for computed in [
            "<<a | upper>>",
            "<<now()>>",
            "<<a ~ b>>",
            "<% if a %>x<% endif %>",
        ] {
            assert!(!plain(computed), "{computed}");
        }
    }
}
