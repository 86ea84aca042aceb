//! Secrets: values that must never reach an output (console, `-v`, reports, exports). A
//! `Redactor` knows every secret value of a run, with the encoded forms it travels in
//! (`forms.rs`), and masks them in any text; a secret too short to look for in text is
//! masked where it stands as a whole value (`whole.rs`). Messages keep baton's words apart
//! from the values they quote (`said.rs`), so that only the values are masked.

mod forms;
mod names;
mod said;
#[cfg(test)]
mod tests;
mod whole;

pub(crate) use names::{looks_secret, not_a_secret_value};
pub(crate) use said::{Said, name, value};
pub(crate) use whole::{mask_userinfo, userinfo_password};

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::hash::{BuildHasherDefault, Hasher};

/// What a redacted value is shown as.
pub(crate) const MASK: &str = "•••";

/// A value that prints as `•••`: it cannot be shown by accident.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Secret(String);

impl Secret {
    pub(crate) fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }
    /// The value itself, for the one place that needs it (the wire).
    pub(crate) fn expose(&self) -> &str {
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

/// Masks known secret values in text and JSON. `show` turns it off (`--show-secrets`).
///
/// A run that refreshes a token at every step learns two secrets a request, each in a
/// dozen forms: the values are indexed by their first `MIN_LEN` bytes (and a bit per
/// first two bytes), so masking a text costs a bit test per position of the text, and a
/// lookup where a secret may start, not a search per secret (a 1,000-step chain knew
/// 12,000 forms, and every output line searched for each).
#[derive(Clone, Debug, Default)]
pub(crate) struct Redactor {
    /// Every form of every secret, in the order learned.
    values: Vec<String>,
    /// The values given to `add`, so one added again (the same token captured at every
    /// step) costs a lookup, and so a whole value is recognised whatever its length.
    added: HashSet<String>,
    /// Indices into `values` by their first `MIN_LEN` bytes, longest value first.
    by_prefix: HashMap<u32, Vec<u32>, BuildHasherDefault<PrefixHasher>>,
    /// Which two-byte pairs start a value (a bit each, 8 KiB): most positions of a text
    /// are passed over on one bit, without a lookup in `by_prefix`.
    starts: Vec<u64>,
    /// Secrets shorter than `MIN_LEN`, each with its JSON-escaped form: masked only as
    /// whole values.
    short: Vec<[String; 2]>,
    show: bool,
}

/// Secrets shorter than this are not masked inside other text: masking `ab` everywhere
/// would garble every output (and baton's own words) while protecting nothing. They are
/// masked where they stand whole (see `whole.rs`).
const MIN_LEN: usize = 4;

impl Redactor {
    pub(crate) fn new(show: bool) -> Redactor {
        Redactor {
            show,
            ..Redactor::default()
        }
    }

    pub(crate) fn showing(&self) -> bool {
        self.show
    }

    /// Add a secret value and its encodings.
    pub(crate) fn add(&mut self, value: &str) {
        if value.is_empty() || self.added.contains(value) {
            return;
        }
        self.added.insert(value.to_string());
        if value.len() < MIN_LEN {
            let json = serde_json::to_string(value).unwrap_or_default();
            self.short
                .push([value.to_string(), json[1..json.len() - 1].to_string()]);
            return;
        }
        for f in forms::of(value) {
            self.index(f);
        }
    }

    fn index(&mut self, form: String) {
        let Some(prefix) = prefix_of_bytes(form.as_bytes()) else {
            return;
        };
        if self.starts.is_empty() {
            self.starts = vec![0; 1 << 10];
        }
        let two = usize::from(u16::from_le_bytes([form.as_bytes()[0], form.as_bytes()[1]]));
        self.starts[two >> 6] |= 1 << (two & 63);
        let same = self.by_prefix.entry(prefix).or_default();
        if same.iter().any(|&i| self.values[i as usize] == form) {
            return;
        }
        // Longest first, so a secret containing another is masked whole.
        let at = same.partition_point(|&i| self.values[i as usize].len() >= form.len());
        let index = self.values.len() as u32;
        same.insert(at, index);
        self.values.push(form);
    }

    /// Add the Basic credentials `user:password` as they appear base64-encoded in a header.
    pub(crate) fn add_basic(&mut self, user: &str, password: &str) {
        self.add(&format!("{user}:{password}"));
    }

    /// True when `value`, whole, is a secret (of any length).
    pub(crate) fn is_secret(&self, value: &str) -> bool {
        !self.show && !value.is_empty() && self.added.contains(value)
    }

    /// `text` with every secret masked: each form of a secret wherever it stands, the
    /// password of a URL's userinfo, and a short secret where it stands whole (the whole
    /// text, a quoted literal, a query parameter).
    pub(crate) fn redact<'a>(&self, text: &'a str) -> Cow<'a, str> {
        if self.show {
            return Cow::Borrowed(text);
        }
        let out = self.mask_forms(text);
        let out = match whole::mask_urls(&out, self) {
            Some(masked) => Cow::Owned(masked),
            None => out,
        };
        if self.short.is_empty() {
            out
        } else {
            match whole::mask_short(&out, self) {
                Some(masked) => Cow::Owned(masked),
                None => out,
            }
        }
    }

    /// Every known form of every secret masked, wherever it stands.
    fn mask_forms<'a>(&self, text: &'a str) -> Cow<'a, str> {
        if self.values.is_empty() || text.len() < MIN_LEN {
            return Cow::Borrowed(text);
        }
        // Leftmost, then longest: at each position the longest secret starting there. One
        // walk whatever the number of secrets (searching the text for each in turn was
        // slower from a dozen forms on, and a secret has a dozen forms).
        let bytes = text.as_bytes();
        let mut out = String::new();
        let (mut done, mut i) = (0, 0);
        while i + MIN_LEN <= bytes.len() {
            let two = usize::from(u16::from_le_bytes([bytes[i], bytes[i + 1]]));
            if self.starts[two >> 6] & (1 << (two & 63)) == 0 {
                i += 1;
                continue;
            }
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
}

/// The first `MIN_LEN` bytes as one number: the key of the prefix index.
fn prefix_of_bytes(bytes: &[u8]) -> Option<u32> {
    Some(u32::from_le_bytes(bytes.get(..MIN_LEN)?.try_into().ok()?))
}

/// Hashes a prefix with one multiplication: masking a text looks up every position of
/// it, and SipHash (the default) cost more than the rest of the walk.
#[derive(Default)]
struct PrefixHasher(u64);

impl Hasher for PrefixHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u32(u32::from(b));
        }
    }

    fn write_u32(&mut self, n: u32) {
        // Fibonacci hashing: the high bits, which the table uses, depend on every bit.
        self.0 = (self.0.rotate_left(5) ^ u64::from(n)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}
