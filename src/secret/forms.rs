//! The forms a secret travels in: every encoding baton applies (its `urlencode`, `base64`
//! and `base64url` filters, form bodies, JSON) and every one the URL layer applies (the
//! url crate's percent-encode sets for the query, the path, a path segment, the userinfo
//! and the fragment), computed once when the secret is learned.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};

/// Every distinct form of `value`, the value itself first.
pub(super) fn of(value: &str) -> Vec<String> {
    let mut out = vec![value.to_string()];
    let mut push = |f: String| {
        if !f.is_empty() && !out.contains(&f) {
            out.push(f);
        }
    };
    // Most secrets are tokens of letters, digits and `-._`: no percent or JSON escape
    // changes them, and building a dozen copies to find that out would cost every
    // token of a long refresh chain.
    if value.bytes().any(|b| !is_plain(b)) {
        for set in PERCENT_SETS {
            push(percent(value, set.keeps));
        }
        // In the path of an `http(s)` URL, the url crate reads `\` as `/`.
        if value.contains('\\') {
            push(percent(&value.replace('\\', "/"), |b| !path_encodes(b)));
        }
        // Forms as `application/x-www-form-urlencoded` writes them, `+` for a space, and
        // with `%20`, as some servers echo them back.
        let form: String = url::form_urlencoded::byte_serialize(value.as_bytes()).collect();
        push(form.replace('+', "%20"));
        push(form);
        for json in json_escapes(value) {
            push(json);
        }
        push(html(value, "&#39;"));
        push(html(value, "&#x27;"));
    }
    for engine in [&STANDARD, &STANDARD_NO_PAD, &URL_SAFE, &URL_SAFE_NO_PAD] {
        push(engine.encode(value));
    }
    // Inside a longer base64 text (`<<(id ~ ':' ~ secret) | base64>>`, a JWT's payload) the
    // secret's characters depend on where it starts modulo 3: the characters made only of
    // its bits, for each of the three alignments.
    for engine in [&STANDARD_NO_PAD, &URL_SAFE_NO_PAD] {
        for shift in 1..3 {
            push(base64_stem(engine, value, shift));
        }
        push(base64_stem(engine, value, 0));
    }
    // Any of them inside JSON from a server that writes `/` as `\/` (a percent-encoded
    // path echoed back, a base64 value).
    for i in 0..out.len() {
        if out[i].contains('/') && !out[i].contains("\\/") {
            let escaped = out[i].replace('/', "\\/");
            if !out.contains(&escaped) {
                out.push(escaped);
            }
        }
    }
    out
}

/// Bytes no encoding changes.
fn is_plain(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.')
}

/// A percent-encode set: the ASCII bytes it leaves as they are (non-ASCII bytes and
/// controls are always encoded).
struct Set {
    keeps: fn(u8) -> bool,
}

/// Bytes the url crate percent-encodes in the fragment (`FRAGMENT`).
fn fragment_encodes(b: u8) -> bool {
    !(0x20..0x7f).contains(&b) || matches!(b, b' ' | b'"' | b'<' | b'>' | b'`')
}

fn path_encodes(b: u8) -> bool {
    fragment_encodes(b) || matches!(b, b'#' | b'?' | b'{' | b'}')
}

fn query_encodes(b: u8) -> bool {
    !(0x20..0x7f).contains(&b) || matches!(b, b' ' | b'"' | b'#' | b'<' | b'>')
}

const PERCENT_SETS: &[Set] = &[
    // minijinja's `urlencode` filter (baton's): alphanumerics and `/._-` kept.
    Set {
        keeps: |b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'.' | b'-' | b'_'),
    },
    // The url crate, parsing a URL or setting its parts: query, special query...
    Set {
        keeps: |b| !query_encodes(b),
    },
    Set {
        keeps: |b| !query_encodes(b) && b != b'\'',
    },
    // ... path, path segment (`path_segments_mut`; `\\` too in `http(s)`), userinfo (`set_password`), fragment.
    Set {
        keeps: |b| !path_encodes(b),
    },
    Set {
        keeps: |b| !path_encodes(b) && !matches!(b, b'/' | b'%'),
    },
    Set {
        keeps: |b| !path_encodes(b) && !matches!(b, b'/' | b'%' | b'\\'),
    },
    Set {
        keeps: |b| {
            !path_encodes(b)
                && !matches!(
                    b,
                    b'/' | b':' | b';' | b'=' | b'@' | b'[' | b'\\' | b']' | b'^' | b'|'
                )
        },
    },
    Set {
        keeps: |b| !fragment_encodes(b),
    },
];

fn percent(value: &str, keeps: fn(u8) -> bool) -> String {
    let mut out = String::with_capacity(value.len() * 3);
    for &b in value.as_bytes() {
        if b.is_ascii() && keeps(b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The value inside a JSON string as serializers write it: serde_json's (`\"`, `\\`,
/// controls), ASCII-only (`\u00e9`, as Python's `json.dumps` does), each also with `\/`
/// (PHP's `json_encode`).
fn json_escapes(value: &str) -> [String; 4] {
    let plain = serde_json::to_string(value).unwrap_or_default();
    let plain = plain[1..plain.len().saturating_sub(1).max(1)].to_string();
    let mut ascii = String::with_capacity(plain.len());
    for c in plain.chars() {
        if c.is_ascii() {
            ascii.push(c);
        } else {
            let mut units = [0u16; 2];
            for u in c.encode_utf16(&mut units) {
                ascii.push_str(&format!("\\u{u:04x}"));
            }
        }
    }
    let slash = |s: &str| s.replace('/', "\\/");
    [slash(&plain), slash(&ascii), plain, ascii]
}

/// HTML-escaped, as a page quoting the value writes it (`'` written as `apostrophe`).
fn html(value: &str, apostrophe: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str(apostrophe),
            c => out.push(c),
        }
    }
    out
}

/// The base64 characters that hold only bits of `value` when it starts `shift` bytes
/// (0 to 2) after a 3-byte boundary of a longer encoded text.
fn base64_stem(engine: &base64::engine::GeneralPurpose, value: &str, shift: usize) -> String {
    let mut bytes = vec![0u8; shift];
    bytes.extend_from_slice(value.as_bytes());
    let encoded = engine.encode(&bytes);
    // Character i holds bits 6i..6i+6: the first made of the value's bits starts at or
    // after bit 8·shift, the last ends at or before the value's last bit.
    let start = (8 * shift).div_ceil(6);
    let end = (8 * bytes.len()) / 6;
    encoded.get(start..end).unwrap_or_default().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stem_is_found_in_the_encoding_of_any_longer_text() {
        let secret = "s3cr3t:value/+";
        for before in ["", "a", "ab", "abc", "client:"] {
            let encoded = STANDARD.encode(format!("{before}{secret}!"));
            let stem = base64_stem(&STANDARD_NO_PAD, secret, before.len() % 3);
            assert!(stem.len() >= 16, "{stem}");
            assert!(encoded.contains(&stem), "{before:?}: {stem} in {encoded}");
        }
    }

    #[test]
    fn forms_of_a_value_with_every_kind_of_character() {
        let forms = of("a b/é\"+'<");
        for f in [
            "a b/é\"+'<",
            "a%20b/%C3%A9%22%2B%27%3C", // urlencode filter
            "a+b%2F%C3%A9%22%2B%27%3C", // form
            "a%20b/%C3%A9%22+'%3C",     // query
            "a%20b/%C3%A9%22+%27%3C",   // special query
            "a%20b%2F%C3%A9%22+'%3C",   // path segment
            "a b\\/é\\\"+'<",           // JSON with \/
            "a b/\\u00e9\\\"+'<",       // JSON, ASCII only
            "a b/é&quot;+&#39;&lt;",    // HTML
        ] {
            assert!(forms.iter().any(|x| x == f), "{f} not in {forms:#?}");
        }
        // A token of plain characters has its base64 forms and nothing else: padded and
        // not, and the three stems (its alphabet needs no URL-safe variant).
        assert_eq!(of("at-0123abcd").len(), 1 + 2 + 3);
    }
}
