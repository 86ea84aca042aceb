//! JSONPath (RFC 9535) as captures and expectations both use it: parsed without panicking
//! and within a budget, compiled once per distinct text, and selecting one node for a
//! singular path or the list of matches for any other.

use crate::yaml::node::Node;
use crate::yaml::read::Reader;
use serde_json::Value;
use serde_json_path::JsonPath;
use std::collections::HashMap;
use std::sync::Arc;

/// `$.headers.content-type` rewritten as `$.headers['content-type']`: dotted names allow
/// only letters, digits and `_`. `None` for paths that are not simple dotted names.
fn bracketed(text: &str) -> Option<String> {
    let rest = text.strip_prefix("$.")?;
    if rest.contains(['[', ']', '\'', '"', '*', '?', ' ']) || rest.contains("..") {
        return None;
    }
    let plain = |s: &str| {
        s.chars().all(|c| c.is_alphanumeric() || c == '_')
            && !s.starts_with(|c: char| c.is_ascii_digit())
    };
    let segments: Vec<&str> = rest.split('.').collect();
    if segments.iter().all(|s| plain(s)) || segments.iter().any(|s| s.is_empty()) {
        return None;
    }
    let mut out = String::from("$");
    for s in segments {
        if plain(s) {
            out.push('.');
            out.push_str(s);
        } else {
            out.push_str(&format!("['{s}']"));
        }
    }
    Some(out)
}

/// A compiled JSONPath with its text for messages. Collections repeat the same paths
/// (`$.access_token` in every token request): each distinct text is compiled once per
/// thread and shared.
#[derive(Debug, Clone)]
pub struct Path {
    pub text: Arc<str>,
    pub path: Arc<JsonPath>,
    singular: bool,
}

impl Path {
    pub fn parse(r: &mut Reader, node: &Node, text: &str) -> Option<Path> {
        thread_local!(static COMPILED: std::cell::RefCell<HashMap<String, Path>> = std::cell::RefCell::default());
        if let Some(p) = COMPILED.with(|c| c.borrow().get(text).cloned()) {
            return Some(p);
        }
        match parse_jsonpath(text) {
            Ok(path) => {
                let compiled = Path::new(text, path);
                COMPILED.with(|c| {
                    let mut c = c.borrow_mut();
                    // Bounded: a generated collection of distinct paths must not grow it forever.
                    if c.len() < 4096 {
                        c.insert(text.to_string(), compiled.clone());
                    }
                });
                Some(compiled)
            }
            Err(e) => {
                let d = r.error(node.loc, format!("invalid JSONPath `{text}`: {e}"));
                d.help = Some(match bracketed(text) {
                    Some(fixed) => format!("a name with `-` or other punctuation is written in brackets: `{fixed}`"),
                    None => "JSONPath (RFC 9535) starts with `$`, e.g. `$.access_token` or `$.items[0].id`".into(),
                });
                None
            }
        }
    }

    #[must_use]
    pub fn new(text: &str, path: JsonPath) -> Path {
        Path {
            text: Arc::from(text),
            path: Arc::new(path),
            singular: singular(text),
        }
    }

    /// The nodes the path selects, as one value: a singular path gives its node, any
    /// other path (wildcards, filters, `..`) the list of what it matched.
    #[must_use]
    pub fn select(&self, json: &Value) -> Option<Value> {
        let nodes = self.path.query(json).all();
        if nodes.is_empty() && self.is_singular() {
            return None;
        }
        if self.is_singular() {
            return nodes.first().map(|v| (*v).clone());
        }
        Some(Value::Array(nodes.into_iter().cloned().collect()))
    }

    /// A path with only name and index selectors selects at most one node (RFC 9535 2.3.5.1).
    #[must_use]
    pub fn is_singular(&self) -> bool {
        self.singular
    }
}

fn singular(text: &str) -> bool {
    let mut in_quote: Option<char> = None;
    let mut in_bracket = false;
    let mut prev = ' ';
    for c in text.chars() {
        match in_quote {
            Some(q) => {
                if c == q && prev != '\\' {
                    in_quote = None;
                }
            }
            None => match c {
                '\'' | '"' => in_quote = Some(c),
                '[' => in_bracket = true,
                ']' => in_bracket = false,
                '*' | '?' => return false,
                '.' if prev == '.' => return false,
                ':' | ',' if in_bracket => return false,
                _ => {}
            },
        }
        prev = c;
    }
    true
}

/// Parse a JSONPath without ever panicking: serde_json_path 0.7.2 panics ("we do not use
/// streaming parsers") on some truncated escapes such as `$["\\\n\u`, found by
/// `fuzz/fuzz_targets/jsonpath.rs`. The panic is caught and silenced, and reported as an
/// invalid path. Nor does it take unbounded time: the parser backtracks through nested
/// filters, each level multiplying its work (`$[?@[?` ten times took 8 s, also found by
/// fuzzing), so a path nesting filters and parentheses deeper than real ones do is refused.
pub fn parse_jsonpath(text: &str) -> Result<JsonPath, String> {
    let depth = nesting(text);
    if depth > MAX_JSONPATH_NESTING {
        return Err(format!(
            "filters and parentheses nest {depth} deep; at most {MAX_JSONPATH_NESTING} are read (capture in smaller steps)"
        ));
    }
    static HOOK: std::sync::Once = std::sync::Once::new();
    thread_local!(static QUIET: std::cell::Cell<bool> = const { std::cell::Cell::new(false) });
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !QUIET.with(std::cell::Cell::get) {
                previous(info);
            }
        }));
    });
    QUIET.with(|q| q.set(true));
    let result = std::panic::catch_unwind(|| JsonPath::parse(text));
    QUIET.with(|q| q.set(false));
    match result {
        Ok(Ok(path)) => Ok(path),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err("the expression is cut off (an unfinished escape or string)".into()),
    }
}

/// The deepest nesting of filters (`[?`) and parentheses read in a JSONPath; real paths use
/// two or three, and the parser's time grows several-fold with each level.
pub(super) const MAX_JSONPATH_NESTING: usize = 10;

/// How deep filter brackets and parentheses nest in a JSONPath, quoted names aside
/// (`$[?(@.a && @[?@.b])]` is 3).
fn nesting(text: &str) -> usize {
    let (mut open, mut depth, mut deepest) = (Vec::new(), 0usize, 0usize);
    let mut quote = None;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if let Some(q) = quote {
            if c == '\\' {
                chars.next();
            } else if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            '\'' | '"' => quote = Some(c),
            '[' | '(' => {
                while chars.next_if(|c| c.is_whitespace()).is_some() {}
                let counts = c == '(' || chars.peek() == Some(&'?');
                open.push(counts);
                depth += usize::from(counts);
                deepest = deepest.max(depth);
            }
            ']' | ')' => depth -= usize::from(open.pop() == Some(true)),
            _ => {}
        }
    }
    deepest
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deeply_nested_filters_are_refused_before_the_parser_sees_them() {
        assert_eq!(nesting("$.a[0]['b[?(']"), 0);
        assert_eq!(nesting("$[?(@.a > 1 && (@.b == 2 || @.c))]"), 3);
        assert_eq!(nesting("$.a[?@.x][?@.y][?@.z]"), 1);
        assert_eq!(nesting("$[ ?@[?@.b]]"), 2);
        assert!(parse_jsonpath("$[?(@.a > 1 && (@.b == 2 || @.c))]").is_ok());
        // Found by fuzzing: each level multiplied the parser's time (these took 8 s and 1 s).
        for path in [
            "$[?@[?".repeat(10) + "$\u{8}",
            "$[?\t".repeat(17) + "$\u{8}",
        ] {
            let e = parse_jsonpath(&path).unwrap_err();
            assert!(e.contains("at most 10 are read"), "{e}");
        }
        let ten = "$[?@".to_string() + &"[?@".repeat(9) + &"]".repeat(10);
        assert_eq!(nesting(&ten), 10);
        assert!(parse_jsonpath(&ten).is_ok());
    }

    #[test]
    fn names_with_punctuation_are_suggested_in_brackets() {
        assert_eq!(
            bracketed("$.headers.content-type").as_deref(),
            Some("$.headers['content-type']")
        );
        assert_eq!(bracketed("$.a-b.c").as_deref(), Some("$['a-b'].c"));
        assert_eq!(bracketed("$.a.b"), None);
        assert_eq!(bracketed("$.a[0].b-c"), None);
        assert_eq!(bracketed("$..a-b"), None);
    }

    #[test]
    fn a_path_that_crashed_the_parser_is_an_error() {
        // Found by the jsonpath fuzz target (fuzz/artifacts/jsonpath).
        let err = parse_jsonpath("$[\"\\\\\\n\\u").unwrap_err();
        assert!(err.contains("cut off"), "{err}");
        assert!(parse_jsonpath("$.a").is_ok());
    }

    #[test]
    fn singular_paths() {
        let p = |t: &str| Path::new(t, JsonPath::parse(t).unwrap());
        assert!(p("$.a.b[0]").is_singular());
        assert!(p("$['a.*']").is_singular());
        assert!(!p("$.a[*]").is_singular());
        assert!(!p("$..id").is_singular());
        assert!(!p("$.a[?@.x > 1]").is_singular());
        assert!(!p("$.a[0:2]").is_singular());
        let json = serde_json::json!({"a": [{"id": 1}, {"id": 2}]});
        assert_eq!(
            p("$.a[*].id").select(&json),
            Some(serde_json::json!([1, 2]))
        );
        assert_eq!(p("$.a[0].id").select(&json), Some(serde_json::json!(1)));
        assert_eq!(p("$.nope").select(&json), None);
    }
}
