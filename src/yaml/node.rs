//! A YAML document as a tree of located nodes: every value and every key keeps its
//! line, column and byte span, so the model can be built by hand with errors that point
//! at the exact place (and with all problems collected, not just the first).

use crate::diag::Loc;
use std::borrow::Cow;

/// A YAML value with its location. Its text is borrowed from the document where it can be
/// (a plain or quoted scalar without escapes or folded lines, the usual case): reading a
/// collection allocated a string for every key and value, a fifth of its cost.
#[derive(Clone, Debug, PartialEq)]
pub struct Node<'t> {
    pub kind: Kind<'t>,
    pub loc: Loc,
    /// A number or boolean as written (a plain scalar without a tag; an alias to it keeps
    /// it too): `1.10` is sent as `1.10` and `007` as `007` where baton takes it as text.
    pub raw: Option<Cow<'t, str>>,
    /// Tagged `!literal`: text to send as written, never a template.
    pub literal: bool,
}

/// A mapping key: always text (numbers and booleans used as keys are kept as written).
#[derive(Clone, Debug, PartialEq)]
pub struct Key<'t> {
    pub name: Cow<'t, str>,
    pub loc: Loc,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Kind<'t> {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(Cow<'t, str>),
    Seq(Vec<Node<'t>>),
    Map(Vec<(Key<'t>, Node<'t>)>),
}

impl Kind<'_> {
    /// The name of this kind of value, for messages ("expected a mapping, found a list").
    pub fn describe(&self) -> &'static str {
        match self {
            Kind::Null => "nothing (null)",
            Kind::Bool(_) => "a boolean",
            Kind::Int(_) | Kind::Float(_) => "a number",
            Kind::Str(_) => "a string",
            Kind::Seq(_) => "a list",
            Kind::Map(_) => "a mapping",
        }
    }
}

impl<'t> Node<'t> {
    pub fn new(kind: Kind<'t>, loc: Loc) -> Node<'t> {
        Node {
            kind,
            loc,
            raw: None,
            literal: false,
        }
    }

    /// The node with its text its own, for a tree that outlives the text it was read from.
    pub fn into_owned(self) -> Node<'static> {
        let kind = match self.kind {
            Kind::Null => Kind::Null,
            Kind::Bool(b) => Kind::Bool(b),
            Kind::Int(i) => Kind::Int(i),
            Kind::Float(f) => Kind::Float(f),
            Kind::Str(s) => Kind::Str(Cow::Owned(s.into_owned())),
            Kind::Seq(items) => Kind::Seq(items.into_iter().map(Node::into_owned).collect()),
            Kind::Map(entries) => Kind::Map(
                entries
                    .into_iter()
                    .map(|(k, v)| {
                        let name = Cow::Owned(k.name.into_owned());
                        (Key { name, loc: k.loc }, v.into_owned())
                    })
                    .collect(),
            ),
        };
        Node {
            kind,
            loc: self.loc,
            raw: self.raw.map(|r| Cow::Owned(r.into_owned())),
            literal: self.literal,
        }
    }

    /// A hash of all that reading a request looks at: each value, its text as written, its
    /// keys and where each is. Two parses of an unchanged file agree; an edit shows.
    pub fn fingerprint(&self) -> u64 {
        use std::hash::Hasher;
        let mut h = std::hash::DefaultHasher::new();
        self.hash_into(&mut h);
        h.finish()
    }

    fn hash_into(&self, h: &mut std::hash::DefaultHasher) {
        use std::hash::Hash;
        (
            self.loc.line,
            self.loc.col,
            self.raw.as_deref(),
            self.literal,
        )
            .hash(h);
        match &self.kind {
            Kind::Null => 0u8.hash(h),
            Kind::Bool(b) => (1u8, b).hash(h),
            Kind::Int(i) => (2u8, i).hash(h),
            Kind::Float(f) => (3u8, f.to_bits()).hash(h),
            Kind::Str(s) => (4u8, s.as_ref()).hash(h),
            Kind::Seq(items) => {
                (5u8, items.len()).hash(h);
                for i in items {
                    i.hash_into(h);
                }
            }
            Kind::Map(entries) => {
                (6u8, entries.len()).hash(h);
                for (k, v) in entries {
                    (k.name.as_ref(), k.loc.line, k.loc.col).hash(h);
                    v.hash_into(h);
                }
            }
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            Kind::Str(s) => Some(s),
            _ => None,
        }
    }

    /// A scalar as the text a user wrote (numbers and booleans included), for values that
    /// are strings to baton (URLs, header values, form fields).
    pub fn scalar_text(&self) -> Option<String> {
        match &self.kind {
            Kind::Str(s) => Some(s.to_string()),
            Kind::Int(i) => Some(i.to_string()),
            Kind::Float(f) => Some(f.to_string()),
            Kind::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&[(Key<'t>, Node<'t>)]> {
        match &self.kind {
            Kind::Map(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_seq(&self) -> Option<&[Node<'t>]> {
        match &self.kind {
            Kind::Seq(s) => Some(s),
            _ => None,
        }
    }

    /// The value as plain JSON (locations dropped), for JSON bodies and expected values.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value;
        match &self.kind {
            Kind::Null => Value::Null,
            Kind::Bool(b) => Value::Bool(*b),
            Kind::Int(i) => Value::from(*i),
            Kind::Float(f) => serde_json::Number::from_f64(*f).map_or(Value::Null, Value::Number),
            Kind::Str(s) => Value::String(s.to_string()),
            Kind::Seq(items) => Value::Array(items.iter().map(Node::to_json).collect()),
            Kind::Map(entries) => Value::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.name.to_string(), v.to_json()))
                    .collect(),
            ),
        }
    }
}

/// Why a YAML document could not be read, with the place the parser stopped at.
#[derive(Debug)]
pub struct SyntaxError {
    pub message: String,
    pub loc: Loc,
}

/// The deepest nesting a collection may have: real collections use under 15 levels;
/// the limit keeps a hostile 10,000-deep file from exhausting the stack.
pub(super) const MAX_DEPTH: usize = 64;

/// Parse one YAML document into a located tree. Duplicate keys, alias bombs and absurd
/// nesting are refused by budgets, not by running out of memory.
pub fn parse(text: &str) -> Result<Node<'_>, SyntaxError> {
    // granit-parser keeps its own state stack (no recursion, flow nesting capped at 255)
    // and the builder refuses depth past MAX_DEPTH where it happens, so brackets inside
    // scalars (`url: https://x/[[[...`) are text, not nesting.
    super::tree::build(text).map_err(|e| at_the_tab(e, text))
}

/// A scanner error about a tab, placed at the tab. The parser says where it noticed it,
/// which can be the scalar before (`a: 1` when the next line is indented with a tab):
/// the tab is the first one in the indentation of that line or a line after it.
fn at_the_tab(mut e: SyntaxError, text: &str) -> SyntaxError {
    if !e.message.contains("tab") || e.loc.is_unknown() {
        return e;
    }
    let starts = crate::diag::line_starts(text);
    let first = (e.loc.line as usize).saturating_sub(1);
    for (i, &start) in starts.iter().enumerate().skip(first) {
        let end = starts.get(i + 1).copied().unwrap_or(text.len());
        let line = &text[start..end];
        let indent = line.len() - line.trim_start_matches([' ', '\t']).len();
        // A blank line may hold tabs: only indentation before text is refused.
        let blank = line.trim().is_empty();
        if let Some(tab) = line[..indent].find('\t').filter(|_| !blank) {
            e.loc = Loc {
                line: i as u32 + 1,
                col: tab as u32 + 1,
                offset: start + tab,
                len: 1,
            };
            break;
        }
    }
    e
}

/// `parse`, with each item of the request list handed to `sink` as it ends instead of kept
/// in the tree (see `tree::build_streaming`).
pub(crate) fn parse_streaming<'t>(
    text: &'t str,
    sink: &mut dyn FnMut(Node<'t>),
) -> Result<Node<'t>, SyntaxError> {
    super::tree::build_streaming(text, sink).map_err(|e| at_the_tab(e, text))
}

/// Why a file read from disk as it is parsed could not be parsed.
#[derive(Debug)]
pub(crate) enum FileProblem {
    Syntax(SyntaxError),
    Unreadable(super::stream::Unreadable),
}

/// `parse_streaming` over a file read from disk a block at a time (its text is never
/// whole in memory). Its locations have lines and columns, no byte offsets.
pub(crate) fn parse_streaming_file(
    path: &std::path::Path,
    sink: &mut dyn FnMut(Node<'static>),
) -> Result<Node<'static>, FileProblem> {
    super::tree::build_streaming_file(path, sink).map_err(|problem| match problem {
        // The text is read again only to place a tab error.
        FileProblem::Syntax(e) if e.message.contains("tab") => {
            let text = std::fs::read_to_string(path).unwrap_or_default();
            FileProblem::Syntax(at_the_tab(e, &text))
        }
        other => other,
    })
}

/// The items `parse_streaming_file` hands to its sink, one at a time as they end: a file
/// checked before is read again as it runs without its requests all being in memory.
pub(crate) fn request_items_of_file(
    path: &std::path::Path,
) -> Result<impl Iterator<Item = Result<Node<'static>, FileProblem>>, FileProblem> {
    super::tree::file_items(path)
}

pub(super) fn first_line(message: &str) -> String {
    // The parser appends its own places ("at line X, column Y", and for aliases "(defined
    // at ...)" and "(used at ...)"), which we print ourselves, and advice for programmers
    // ("set DuplicateKeyPolicy in Options"), which a user of baton cannot follow.
    static PLACES: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r" *\((?:defined|used) at line \d+,? column \d+\)| at line \d+,? column \d+|, set \w+ in Options if acceptable").expect("a valid regex")
    });
    let line = message.lines().next().unwrap_or("invalid YAML").trim();
    PLACES.replace_all(line, "").trim().to_string()
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod yaml_tests;
