//! Captures: values taken from a response into the variables of the requests that follow
//! (JSONPath, a header, a parameter of a redirect URL, a regex, a cookie, a JWT claim, the
//! status or the whole body). Each kind is a type that reads itself and takes its value
//! (json.rs, text.rs, response.rs); this module holds the one table of kinds, and how a
//! capture that finds nothing says why (its words apart from the values it quotes).

mod json;
mod response;
mod text;

use crate::diag::Loc;
use crate::http::Response;
use crate::query::{Path, compile_regex};
use crate::secret::Said;
use crate::yaml::node::{Kind, Node};
use crate::yaml::read::{Map, Reader};
use regex::Regex;
use serde_json::Value;

#[derive(Debug)]
pub struct Capture {
    pub name: String,
    pub loc: Loc,
    pub source: Source,
    /// `optional: true`: a capture that finds nothing leaves the variable as it was instead
    /// of failing its request (Postman's `if (typeof x !== "undefined") set(…)`).
    pub optional: bool,
}

/// Why a capture found nothing: baton's words, the names the capture reads and the
/// values it found instead (an excerpt of the body, a header's value), apart, so that
/// only the values are masked.
#[derive(Debug)]
pub struct Missing {
    pub message: Said,
}

impl Missing {
    fn said(message: Said) -> Missing {
        Missing { message }
    }

    /// Why the body is not JSON quotes the body: all of it a value.
    fn not_json(reason: String) -> Missing {
        Missing {
            message: Said::value(reason),
        }
    }
}

impl Capture {
    /// The captured value, or why nothing matched (with an excerpt of what was there).
    pub fn eval(&self, response: &Response) -> Result<Value, Missing> {
        self.source.take(response)
    }
}

/// What a kind of capture does with a response: its value, or why there was none.
trait Take {
    fn take(&self, response: &Response) -> Result<Value, Missing>;
}

/// How a kind reads its key: the reader, the key's node, the rest of the mapping (for its
/// modifiers: `query`, `claim`), the `regex:` written beside it, which it may take, and how
/// its messages name the capture.
type Read = fn(&mut Reader, &Node, &mut Map, &mut Option<Regex>, &str) -> Option<Source>;

/// The table of kinds: the enum, its dispatch and the keys that name each are made from
/// this one list, in the order the keys are looked for (`regex` last: beside `header`, it
/// is a modifier). A new kind is its type (with `Take`) plus one line here.
macro_rules! kinds {
    ($($(#[$doc:meta])* $variant:ident($ty:ty) = $key:literal by $read:path),* $(,)?) => {
        #[derive(Debug)]
        pub enum Source {
            $($(#[$doc])* $variant($ty)),*
        }

        impl Source {
            fn take(&self, response: &Response) -> Result<Value, Missing> {
                match self {
                    $(Source::$variant(k) => k.take(response)),*
                }
            }
        }

        const KINDS: &[(&str, Read)] = &[$(($key, $read)),*];
    };
}

kinds! {
    /// `$.access_token`, or `{ jsonpath: $.access_token }`.
    JsonPath(json::JsonPath) = "jsonpath" by json::READ_JSONPATH,
    /// `{ header: location }`, optionally `query: code` (a parameter of the URL in the
    /// header) or `regex:` (its first group).
    Header(text::Header) = "header" by text::READ_HEADER,
    Cookie(text::Cookie) = "cookie" by text::READ_COOKIE,
    /// `{ jwt: $.id_token, claim: sub }`: a claim of a JWT found by JSONPath (all claims
    /// when no claim is named).
    Jwt(json::Jwt) = "jwt" by json::READ_JWT,
    Status(response::Status) = "status" by response::READ_STATUS,
    Body(response::Body) = "body" by response::READ_BODY,
    /// `{ url: true }` the URL that answered (after redirects), or `{ url: query_param }`.
    Url(response::Url) = "url" by response::READ_URL,
    /// `{ regex: ... }` on the body: the first group, or the whole match.
    Regex(text::BodyRegex) = "regex" by text::READ_REGEX,
}

/// The keys of a capture's mapping: its kinds' and their modifiers.
pub(crate) const CAPTURE_KEYS: &[&str] = &[
    "jsonpath", "header", "query", "regex", "cookie", "jwt", "claim", "status", "body", "url",
    "optional",
];

pub(crate) fn read(r: &mut Reader, node: &Node) -> Vec<Capture> {
    let Some(mut map) = r.map(node, "capture") else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (k, v) in map.rest() {
        if !crate::yaml::read::is_identifier(&k.name) {
            let d = r.error(
                k.loc,
                format!("`{}` is not a valid variable name for a capture", k.name),
            );
            d.help = Some("use letters, digits and `_` (it is read back as <<name>>)".into());
            continue;
        }
        if let Some((source, optional)) = read_source(r, v, &k.name) {
            out.push(Capture {
                name: k.name.to_string(),
                loc: v.loc,
                source,
                optional,
            });
        }
    }
    out.shrink_to_fit();
    out
}

/// A capture's source, and whether it is optional.
fn read_source(r: &mut Reader, node: &Node, name: &str) -> Option<(Source, bool)> {
    if let Kind::Str(text) = &node.kind {
        if text.starts_with('$') {
            return Path::parse(r, node, text)
                .map(|p| (Source::JsonPath(json::JsonPath(p)), false));
        }
        let d = r.error(
            node.loc,
            format!("capture `{name}`: `{text}` is not a JSONPath"),
        );
        d.help = Some("use `$.field` for JSON, or a mapping: `{ header: location }`, `{ regex: ... }`, `{ cookie: name }`".into());
        return None;
    }
    let mut m = r.map(node, &format!("capture.{name}"))?;
    let what = format!("capture `{name}`");
    let optional = m
        .get("optional")
        .and_then(|n| r.bool(n, &format!("{what}: optional")))
        .unwrap_or(false);
    let mut regex = m.get("regex").and_then(|n| compile_regex(r, n));
    let found = KINDS.iter().find(|(key, _)| m.has(key));
    // An invalid regex was reported already: `regex` reads nothing then.
    let node_of = found.and_then(|(key, read)| Some((m.get(key)?, *read)));
    let source = if let Some((n, read)) = node_of {
        read(r, n, &mut m, &mut regex, &what)
    } else {
        let d = r.error(node.loc, format!("{what} says where to capture from"));
        d.help = Some("one of `jsonpath`, `header`, `regex`, `cookie`, `jwt`, `status: true`, `body: true`, `url: true`".into());
        None
    };
    m.finish(r, &what, CAPTURE_KEYS);
    source.map(|s| (s, optional))
}

#[cfg(test)]
mod tests {
    /// Every kind of the table is named by a key the loader accepts.
    #[test]
    fn every_kind_has_a_known_key() {
        for (key, _) in super::KINDS {
            assert!(super::CAPTURE_KEYS.contains(key), "{key}");
        }
    }
}
