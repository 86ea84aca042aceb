//! Captures of text: a response header (whole, one parameter of the URL it holds, or a
//! regex's first group), a regex over the body, a cookie the response sets.

use super::{Missing, Read, Source, Take};
use crate::http::Response;
use crate::query::{first_group, query_param};
use crate::secret::{Said, name, value};
use regex::Regex;
use serde_json::Value;

/// `{ header: location }`, optionally `query: code` or `regex:`.
#[derive(Debug)]
pub struct Header {
    name: String,
    query: Option<String>,
    regex: Option<Regex>,
}

pub(super) const READ_HEADER: Read = |r, n, m, regex, what| {
    // The modifier is taken first: a header that cannot be read does not leave it unknown.
    let query = m.get("query").and_then(|q| r.text(q, "query"));
    let header = r.text(n, "header")?.to_lowercase();
    if header.trim().is_empty() {
        r.error(n.loc, format!("{what}: `header` is empty")).help =
            Some("name the response header to read, e.g. `header: location`".into());
        return None;
    }
    Some(Source::Header(Header {
        name: header,
        query,
        regex: regex.take(),
    }))
};

impl Header {
    /// The header's name when the whole value is captured (no `query:`, no `regex:`): what
    /// an exported program can read as it is.
    pub(crate) fn whole(&self) -> Option<&str> {
        (self.query.is_none() && self.regex.is_none()).then_some(self.name.as_str())
    }
}

impl Take for Header {
    fn take(&self, response: &Response) -> Result<Value, Missing> {
        let header = &self.name;
        let Some(found) = response.header(header) else {
            return Err(Missing::said(Said::new(
                "the response has no `{}` header (it has: {})",
                [name(header), name(response.header_names())],
            )));
        };
        if let Some(param) = &self.query {
            return query_param(found, param).map(Value::String).ok_or_else(|| {
                Missing::said(Said::new(
                    "`{}` is not a parameter of the `{}` header: {}",
                    [name(param), name(header), value(found)],
                ))
            });
        }
        match &self.regex {
            Some(re) => first_group(re, found).ok_or_else(|| {
                Missing::said(Said::new(
                    "`{}` does not match the `{}` header: {}",
                    [name(re.as_str()), name(header), value(found)],
                ))
            }),
            None => Ok(Value::String(found.to_string())),
        }
    }
}

/// `{ regex: ... }` over the body: the first group, or the whole match.
#[derive(Debug)]
pub struct BodyRegex(Regex);

// An invalid regex was reported where it was compiled: it reads nothing then.
pub(super) const READ_REGEX: Read =
    |_, _, _, regex, _| regex.take().map(|re| Source::Regex(BodyRegex(re)));

impl Take for BodyRegex {
    fn take(&self, response: &Response) -> Result<Value, Missing> {
        let text = response.text();
        first_group(&self.0, &text).ok_or_else(|| {
            Missing::said(Said::new(
                "`{}` does not match the body: {}",
                [name(self.0.as_str()), value(response.excerpt())],
            ))
        })
    }
}

/// `{ cookie: session }`: the value of a cookie the response sets.
#[derive(Debug)]
pub struct Cookie(String);

pub(super) const READ_COOKIE: Read =
    |r, n, _, _, _| r.text(n, "cookie").map(|c| Source::Cookie(Cookie(c)));

impl Take for Cookie {
    fn take(&self, response: &Response) -> Result<Value, Missing> {
        response
            .set_cookie(&self.0)
            .map(Value::String)
            .ok_or_else(|| {
                Missing::said(Said::new(
                    "the response sets no cookie `{}`",
                    [name(&self.0)],
                ))
            })
    }
}
