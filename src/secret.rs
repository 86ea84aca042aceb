//! Secrets: values that must never reach an output (console, `-v`, reports). A `Redactor`
//! knows every secret value of a run, with the encoded forms it travels in (base64 inside a
//! Basic header, URL-encoded inside a form or query), and masks them in any text.

use base64::Engine as _;
use serde_json::Value;
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::fmt;

/// What a redacted value is shown as.
pub const MASK: &str = "•••";

/// A value that prints as `•••`: it cannot be shown by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }
    /// The value itself, for the one place that needs it (the wire).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(MASK)
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(MASK)
    }
}

/// True for names that hold secrets by convention: `*secret*`, `*password*`, `*token*`,
/// API keys and assertions, but not their harmless neighbours (`token_type`,
/// `token_url`, `expires_in`, `token_endpoint_auth_method`).
pub fn looks_secret(name: &str) -> bool {
    // Lower-cased with `-` as `_`, on the stack for the usual short name (this runs for
    // every header, form field and JSON key that is shown).
    let mut stack = [0u8; 64];
    let mut heap = Vec::new();
    let folded: &mut [u8] = if name.len() <= stack.len() {
        &mut stack[..name.len()]
    } else {
        heap.resize(name.len(), 0);
        &mut heap
    };
    for (to, &b) in folded.iter_mut().zip(name.as_bytes()) {
        *to = if b == b'-' {
            b'_'
        } else {
            b.to_ascii_lowercase()
        };
    }
    // ASCII bytes were changed for ASCII bytes: still UTF-8.
    let n = std::str::from_utf8(folded).unwrap_or_default();
    const HARMLESS_SUFFIXES: &[&str] = &[
        "_type",
        "_url",
        "_uri",
        "_endpoint",
        "_in",
        "_at",
        "_hint",
        "_method",
        "_methods",
        "_supported",
        "_name",
    ];
    if HARMLESS_SUFFIXES.iter().any(|s| n.ends_with(s)) {
        return false;
    }
    const MARKERS: &[&str] = &[
        "secret",
        "password",
        "passwd",
        "token",
        "api_key",
        "apikey",
        "assertion",
        "authorization",
        "credential",
        "private_key",
        "code_verifier",
    ];
    // One pass over the name; at each place only the markers starting with its byte.
    let bytes = n.as_bytes();
    (0..bytes.len()).any(|i| {
        MARKERS
            .iter()
            .any(|m| m.as_bytes()[0] == bytes[i] && bytes[i..].starts_with(m.as_bytes()))
    })
}

/// Masks known secret values in text and JSON. `show` turns it off (`--show-secrets`).
///
/// A run that refreshes a token at every step learns two secrets a request, each in six
/// forms: the values are indexed by their first `MIN_LEN` bytes, so masking a text costs a
/// lookup per position of the text once there are many, not a search per secret (a
/// 1,000-step chain knew 12,000 forms, and every output line searched for each).
#[derive(Clone, Debug, Default)]
pub struct Redactor {
    /// Every form of every secret, in the order learned.
    values: Vec<String>,
    /// The values given to `add`, so one added again (the same token captured at every
    /// step) costs a lookup.
    added: HashSet<String>,
    /// Indices into `values` by their first `MIN_LEN` bytes, longest value first.
    by_prefix: HashMap<[u8; MIN_LEN], Vec<u32>>,
    /// Indices into `values`, longest first, while there are at most `SEARCH_EACH_UP_TO`.
    longest_first: Vec<u32>,
    show: bool,
}

/// Secrets shorter than this are not masked in free text: masking `ab` everywhere would
/// garble every output while protecting nothing.
const MIN_LEN: usize = 4;

/// Up to this many values, a text is searched for each in turn (memchr-fast for a few);
/// past it, the text is walked once against the prefix index.
const SEARCH_EACH_UP_TO: usize = 24;

impl Redactor {
    pub fn new(show: bool) -> Redactor {
        Redactor {
            show,
            ..Redactor::default()
        }
    }

    pub fn showing(&self) -> bool {
        self.show
    }

    /// Add a secret value and its encodings.
    pub fn add(&mut self, value: &str) {
        if value.len() < MIN_LEN || self.added.contains(value) {
            return;
        }
        self.added.insert(value.to_string());
        let forms = [
            value.to_string(),
            urlencoding(value, false),
            urlencoding(value, true),
            base64::engine::general_purpose::STANDARD.encode(value),
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(value),
            serde_json::to_string(value)
                .unwrap_or_default()
                .trim_matches('"')
                .to_string(),
        ];
        for f in forms {
            let Some(prefix) = prefix_of(&f) else {
                continue;
            };
            let same = self.by_prefix.entry(prefix).or_default();
            if same.iter().any(|&i| self.values[i as usize] == f) {
                continue;
            }
            // Longest first, so a secret containing another is masked whole.
            let at = same.partition_point(|&i| self.values[i as usize].len() >= f.len());
            let index = self.values.len() as u32;
            same.insert(at, index);
            if (index as usize) < SEARCH_EACH_UP_TO {
                let values = &self.values;
                let at = self
                    .longest_first
                    .partition_point(|&i| values[i as usize].len() >= f.len());
                self.longest_first.insert(at, index);
            }
            self.values.push(f);
        }
    }

    /// Add the Basic credentials `user:password` as they appear base64-encoded in a header.
    pub fn add_basic(&mut self, user: &str, password: &str) {
        self.add(&format!("{user}:{password}"));
    }

    pub fn redact<'a>(&self, text: &'a str) -> Cow<'a, str> {
        if self.show || self.values.is_empty() || text.len() < MIN_LEN {
            return Cow::Borrowed(text);
        }
        if self.values.len() <= SEARCH_EACH_UP_TO {
            let mut out = Cow::Borrowed(text);
            for &i in &self.longest_first {
                let v = self.values[i as usize].as_str();
                if out.contains(v) {
                    out = Cow::Owned(out.replace(v, MASK));
                }
            }
            return out;
        }
        // Leftmost, then longest: at each position the longest secret starting there.
        let bytes = text.as_bytes();
        let mut out = String::new();
        let (mut done, mut i) = (0, 0);
        while i + MIN_LEN <= bytes.len() {
            let found = prefix_of_bytes(&bytes[i..]).and_then(|p| {
                self.by_prefix.get(&p)?.iter().find_map(|&v| {
                    let v = &self.values[v as usize];
                    bytes[i..].starts_with(v.as_bytes()).then_some(v.len())
                })
            });
            match found {
                // A valid UTF-8 value matched at `i`: `i` and `i + len` are char boundaries.
                Some(len) => {
                    out.push_str(&text[done..i]);
                    out.push_str(MASK);
                    i += len;
                    done = i;
                }
                None => i += 1,
            }
        }
        if done == 0 {
            return Cow::Borrowed(text);
        }
        out.push_str(&text[done..]);
        Cow::Owned(out)
    }

    /// A JSON value with secret-looking fields masked and known secrets masked in strings.
    pub fn redact_json(&self, value: &Value) -> Value {
        if self.show {
            return value.clone();
        }
        match value {
            Value::String(s) => Value::String(self.redact(s).into_owned()),
            Value::Array(items) => {
                Value::Array(items.iter().map(|v| self.redact_json(v)).collect())
            }
            Value::Object(map) => Value::Object(
                map.iter()
                    .map(|(k, v)| {
                        let masked =
                            looks_secret(k) && matches!(v, Value::String(s) if !s.is_empty());
                        (
                            k.clone(),
                            if masked {
                                Value::String(MASK.into())
                            } else {
                                self.redact_json(v)
                            },
                        )
                    })
                    .collect(),
            ),
            other => other.clone(),
        }
    }

    /// A header value for display: `Authorization` and `Cookie` are always masked after the
    /// scheme; others are masked for known secrets.
    pub fn redact_header(&self, name: &str, value: &str) -> String {
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
        if looks_secret(&n) {
            return MASK.to_string();
        }
        self.redact(value).into_owned()
    }

    /// A form body (`a=1&client_secret=x`) with secret-looking fields masked.
    pub fn redact_form(&self, body: &str) -> String {
        if self.show {
            return body.to_string();
        }
        let masked: Vec<String> = body
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((k, v)) if !v.is_empty() && looks_secret(&url_decode(k)) => {
                    format!("{k}={MASK}")
                }
                _ => pair.to_string(),
            })
            .collect();
        self.redact(&masked.join("&")).into_owned()
    }
}

fn prefix_of(value: &str) -> Option<[u8; MIN_LEN]> {
    prefix_of_bytes(value.as_bytes())
}

fn prefix_of_bytes(bytes: &[u8]) -> Option<[u8; MIN_LEN]> {
    bytes.get(..MIN_LEN)?.try_into().ok()
}

fn mask_cookie_values(value: &str, set_cookie: bool, r: &Redactor) -> String {
    // Session cookies are credentials: show names, mask values.
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

fn url_decode(s: &str) -> String {
    url::form_urlencoded::parse(format!("k={s}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

/// Percent-encoding as in a URL path/query (`plus` false) or a form body (`plus` true).
fn urlencoding(value: &str, plus: bool) -> String {
    if plus {
        url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
    } else {
        url::form_urlencoded::byte_serialize(value.as_bytes())
            .collect::<String>()
            .replace('+', "%20")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_look_secret() {
        for n in [
            "ClientSecret",
            "client_secret",
            "password",
            "refresh_token",
            "access_token",
            "X-Api-Key",
            "apiKey",
        ] {
            assert!(looks_secret(n), "{n}");
        }
        for n in [
            "token_type",
            "token_url",
            "expires_in",
            "username",
            "ClientId",
            "scope",
            "token_endpoint_auth_method",
        ] {
            assert!(!looks_secret(n), "{n}");
        }
    }

    #[test]
    fn many_secrets_are_masked_like_a_few() {
        // Past `SEARCH_EACH_UP_TO` values the text is walked once against the prefix index:
        // the same masks, longest first, in text with multi-byte characters.
        let mut few = Redactor::new(false);
        few.add("tok-0001");
        few.add("tok-0001-long");
        let mut many = few.clone();
        for i in 0..500 {
            many.add(&format!("refresh-{i:04}-é"));
        }
        assert!(many.values.len() > SEARCH_EACH_UP_TO);
        let text = "é tok-0001-long, tok-0001; ünïcode tok-00 tok-0001é";
        assert_eq!(few.redact(text), "é •••, •••; ünïcode tok-00 •••é");
        assert_eq!(many.redact(text), few.redact(text));
        assert_eq!(
            many.redact("a refresh-0499-é b refresh-0499-%C3%A9 c refresh-0500-é"),
            "a ••• b ••• c refresh-0500-é"
        );
        assert!(matches!(many.redact("nothing here"), Cow::Borrowed(_)));
        // The same value added again adds nothing.
        let before = many.values.len();
        many.add("refresh-0007-é");
        assert_eq!(many.values.len(), before);
    }

    #[test]
    fn masks_values_and_their_encodings() {
        let mut r = Redactor::new(false);
        r.add("s3cr3t value/+");
        r.add_basic("app", "s3cr3t value/+");
        let b64 = base64::engine::general_purpose::STANDARD.encode("app:s3cr3t value/+");
        let text = format!("a s3cr3t value/+ b s3cr3t+value%2F%2B c s3cr3t%20value%2F%2B d {b64}");
        let out = r.redact(&text);
        assert_eq!(out, "a ••• b ••• c ••• d •••");
        assert_eq!(Redactor::new(true).redact("x s3cr3t"), "x s3cr3t");
    }

    #[test]
    fn masks_headers_forms_and_json_by_name() {
        let r = Redactor::new(false);
        assert_eq!(
            r.redact_header("Authorization", "Basic YWJjOmRlZg=="),
            "Basic •••"
        );
        assert_eq!(
            r.redact_form("grant_type=password&password=x1&client_secret=y"),
            "grant_type=password&password=•••&client_secret=•••"
        );
        let v = serde_json::json!({"access_token": "abc", "token_type": "Bearer", "nested": [{"refresh_token": "r"}]});
        assert_eq!(
            r.redact_json(&v),
            serde_json::json!({"access_token": "•••", "token_type": "Bearer", "nested": [{"refresh_token": "•••"}]})
        );
        assert_eq!(
            format!("{:?} {}", Secret::new("x"), Secret::new("y")),
            "••• •••"
        );
    }
}
