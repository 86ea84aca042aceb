//! Captures: values taken from a response into the variables of the requests that follow
//! (JSONPath, a header, a parameter of a redirect URL, a regex, a cookie, a JWT claim, the
//! status or the whole body): how they are written and read here, how they take their
//! value from a response in `eval.rs`.

mod eval;

use crate::diag::Loc;
use crate::query::{Path, compile_regex};
use crate::yaml::node::{Kind, Node};
use crate::yaml::read::Reader;
use regex::Regex;

#[derive(Debug)]
pub struct Capture {
    pub name: String,
    pub loc: Loc,
    pub source: Source,
}

#[derive(Debug)]
pub enum Source {
    /// `$.access_token`
    JsonPath(Path),
    /// `{ header: location }`, optionally `query: code` (a parameter of the URL in the
    /// header) or `regex:` (its first group).
    Header {
        name: String,
        query: Option<String>,
        regex: Option<Regex>,
    },
    /// `{ regex: ... }` on the body: the first group, or the whole match.
    Regex(Regex),
    Cookie(String),
    /// `{ jwt: $.id_token, claim: sub }`: a claim of a JWT found by JSONPath (all claims
    /// when no claim is named).
    Jwt {
        token: Path,
        claim: Option<String>,
    },
    Status,
    Body,
    /// `{ url: true }` the URL that answered (after redirects), or `{ url: query_param }`.
    Url(Option<String>),
}

pub(crate) const CAPTURE_KEYS: &[&str] = &[
    "jsonpath", "header", "query", "regex", "cookie", "jwt", "claim", "status", "body", "url",
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
        if let Some(source) = read_source(r, v, &k.name) {
            out.push(Capture {
                name: k.name.to_string(),
                loc: v.loc,
                source,
            });
        }
    }
    out.shrink_to_fit();
    out
}

fn read_source(r: &mut Reader, node: &Node, name: &str) -> Option<Source> {
    if let Kind::Str(text) = &node.kind {
        if text.starts_with('$') {
            return Path::parse(r, node, text).map(Source::JsonPath);
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
    let has_regex = m.has("regex");
    let regex = m.get("regex").and_then(|n| compile_regex(r, n));
    let source = if let Some(n) = m.get("jsonpath") {
        let text = r.text(n, "jsonpath")?;
        Path::parse(r, n, &text).map(Source::JsonPath)
    } else if let Some(n) = m.get("header") {
        let header = r.text(n, "header")?.to_lowercase();
        if header.trim().is_empty() {
            r.error(n.loc, format!("{what}: `header` is empty")).help =
                Some("name the response header to read, e.g. `header: location`".into());
            return None;
        }
        let query = m.get("query").and_then(|q| r.text(q, "query"));
        Some(Source::Header {
            name: header,
            query,
            regex,
        })
    } else if let Some(n) = m.get("cookie") {
        r.text(n, "cookie").map(Source::Cookie)
    } else if let Some(n) = m.get("jwt") {
        let text = r.text(n, "jwt")?;
        let token = Path::parse(r, n, &text)?;
        let claim = m.get("claim").and_then(|c| r.text(c, "claim"));
        Some(Source::Jwt { token, claim })
    } else if let Some(n) = m.get("status") {
        r.bool(n, "status").filter(|b| *b).map(|_| Source::Status)
    } else if let Some(n) = m.get("body") {
        r.bool(n, "body").filter(|b| *b).map(|_| Source::Body)
    } else if let Some(n) = m.get("url") {
        match &n.kind {
            Kind::Bool(true) => Some(Source::Url(None)),
            _ => r.text(n, "url").map(|p| Source::Url(Some(p))),
        }
    } else if has_regex {
        // An invalid regex was reported already.
        regex.map(Source::Regex)
    } else {
        let d = r.error(node.loc, format!("{what} says where to capture from"));
        d.help = Some("one of `jsonpath`, `header`, `regex`, `cookie`, `jwt`, `status: true`, `body: true`, `url: true`".into());
        None
    };
    m.finish(r, &what, CAPTURE_KEYS);
    source
}
