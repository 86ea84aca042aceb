//! What the leak test looks for: every encoding baton or the URL layer may apply to a
//! secret, each as every output writes text (JSON strings, HTML and XML, annotations),
//! written here from the standards and the url crate, not from baton's own list.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};

/// `(encoding, text)` for every encoding of `secret`.
pub(super) fn encodings(secret: &str) -> Vec<(&'static str, String)> {
    let pct = |keep: &dyn Fn(u8) -> bool| -> String {
        secret
            .bytes()
            .map(|b| {
                if b.is_ascii() && keep(b) {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect()
    };
    let base = || url::Url::parse("http://h/").unwrap();
    let mut segment = base();
    segment.path_segments_mut().unwrap().push(secret);
    let mut userinfo = base();
    userinfo.set_username("u").unwrap();
    userinfo.set_password(Some(secret)).unwrap();
    let mut query = base();
    query.set_query(Some(secret));
    query.set_fragment(Some(secret));
    let mut path = base();
    path.set_path(secret);
    let mut pairs = base();
    pairs.query_pairs_mut().append_pair("k", secret);
    let form: String = url::form_urlencoded::byte_serialize(secret.as_bytes()).collect();
    let json = serde_json::to_string(secret).unwrap();
    let json = json[1..json.len() - 1].to_string();
    let ascii: String = json
        .chars()
        .map(|c| {
            if c.is_ascii() {
                c.to_string()
            } else {
                c.encode_utf16(&mut [0; 2])
                    .iter()
                    .map(|u| format!("\\u{u:04x}"))
                    .collect()
            }
        })
        .collect();
    vec![
        ("raw", secret.to_string()),
        (
            "urlencode filter",
            pct(&|b| b.is_ascii_alphanumeric() || b"/._-".contains(&b)),
        ),
        ("url query", query.query().unwrap().to_string()),
        ("url query pair", pairs.query().unwrap()[2..].to_string()),
        ("url fragment", query.fragment().unwrap().to_string()),
        ("url path", path.path()[1..].to_string()),
        ("url path segment", segment.path()[1..].to_string()),
        ("url userinfo", userinfo.password().unwrap().to_string()),
        ("form", form.clone()),
        ("form %20", form.replace('+', "%20")),
        ("base64", STANDARD.encode(secret)),
        ("base64 no pad", STANDARD_NO_PAD.encode(secret)),
        ("base64url", URL_SAFE.encode(secret)),
        ("base64url no pad", URL_SAFE_NO_PAD.encode(secret)),
        ("json", json.clone()),
        ("json \\/", json.replace('/', "\\/")),
        ("json \\u", ascii.clone()),
        ("json \\u \\/", ascii.replace('/', "\\/")),
    ]
}

/// `text` as each output may write it: as it is, in a JSON string (reports), escaped for
/// HTML and XML (`--html`, `--junit`), and for a GitHub annotation; and as a server may
/// echo it inside JSON it shows as text (`/` as `\/`).
pub(super) fn as_written(text: &str) -> Vec<String> {
    let json = serde_json::to_string(text).unwrap();
    let markup = |apos: &str| {
        text.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
            .replace('\'', apos)
    };
    let mut out = vec![
        text.to_string(),
        json[1..json.len() - 1].to_string(),
        markup("&#39;"),
        markup("&apos;"),
        markup("&#x27;"),
        text.replace('%', "%25"),
        text.replace('/', "\\/"),
    ];
    out.sort();
    out.dedup();
    out
}

/// Where a short secret stands whole in an output: quoted, as a parameter, a header or
/// a field.
pub(super) fn whole(secret: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (before, after) in [
        ("\"", "\""),
        ("'", "'"),
        ("`", "`"),
        ("=", "&"),
        ("=", "\n"),
        ("=", "'"),
        ("=", "\""),
        ("=", ";"),
        ("=", " "),
        (": ", "\n"),
        (": ", "'"),
        (": ", "\""),
    ] {
        out.extend(as_written(&format!("{before}{secret}{after}")));
    }
    out.sort();
    out.dedup();
    out
}
