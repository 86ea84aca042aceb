//! Queries on a response, shared by captures (`capture:`) and expectations (`expect:`):
//! a JSONPath (`jsonpath`), a parameter of a URL's query or fragment, and a regex with its
//! first group. Both read and evaluate them the same way, so a path that captures also
//! checks, with the same messages.

mod jsonpath;

pub use jsonpath::{Path, parse_jsonpath};

use crate::yaml::node::Node;
use crate::yaml::read::Reader;
use regex::Regex;
use serde_json::Value;

/// A parameter from the query (or, for implicit-flow redirects, the fragment) of a URL,
/// absolute or relative.
pub(crate) fn query_param(url: &str, param: &str) -> Option<String> {
    let parsed = url::Url::parse(url)
        .or_else(|_| url::Url::parse("http://relative.invalid").and_then(|b| b.join(url)))
        .ok()?;
    if let Some((_, v)) = parsed.query_pairs().find(|(k, _)| k == param) {
        return Some(v.into_owned());
    }
    let fragment = parsed.fragment()?;
    url::form_urlencoded::parse(fragment.as_bytes())
        .find(|(k, _)| k == param)
        .map(|(_, v)| v.into_owned())
}

/// The first group a regex captures in `text`, else its whole match.
pub(crate) fn first_group(re: &Regex, text: &str) -> Option<Value> {
    let caps = re.captures(text)?;
    let m = caps.get(1).or_else(|| caps.get(0))?;
    Some(Value::String(m.as_str().to_string()))
}

/// A regex written in a collection, compiled with a size cap (a hostile pattern must not
/// take the memory of the run), or the error at its place.
pub(crate) fn compile_regex(r: &mut Reader, node: &Node) -> Option<Regex> {
    let text = r.text(node, "regex")?;
    match regex::RegexBuilder::new(&text).size_limit(1 << 20).build() {
        Ok(re) => Some(re),
        Err(e) => {
            let reason = e.to_string();
            let short = reason
                .lines()
                .last()
                .unwrap_or("invalid")
                .trim()
                .trim_start_matches("error: ");
            let d = r.error(node.loc, format!("invalid regex `{text}`: {short}"));
            d.label = Some("here".into());
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_params_from_redirects() {
        assert_eq!(
            query_param("http://127.0.0.1:8765/callback?code=abc&state=x", "code").as_deref(),
            Some("abc")
        );
        assert_eq!(
            query_param("/callback?code=a%20b", "code").as_deref(),
            Some("a b")
        );
        assert_eq!(
            query_param("http://x/cb#access_token=t&state=s", "access_token").as_deref(),
            Some("t")
        );
        assert_eq!(query_param("http://x/cb?a=1", "code"), None);
    }
}
