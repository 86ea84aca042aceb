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
        (self.loc.line, self.loc.col, self.raw.as_deref()).hash(h);
        match &self.kind {
            Kind::Null => 0u8.hash(h),
            Kind::Bool(b) => (1u8, b).hash(h),
            Kind::Int(i) => (2u8, i).hash(h),
            Kind::Float(f) => (3u8, f.to_bits()).hash(h),
            Kind::Str(s) => (4u8, s.as_ref()).hash(h),
            Kind::Seq(items) => {
                (5u8, items.len()).hash(h);
                items.iter().for_each(|i| i.hash_into(h));
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
            Kind::Float(f) => serde_json::Number::from_f64(*f)
                .map(Value::Number)
                .unwrap_or(Value::Null),
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
pub fn parse_streaming<'t>(
    text: &'t str,
    sink: &mut dyn FnMut(Node<'t>),
) -> Result<Node<'t>, SyntaxError> {
    super::tree::build_streaming(text, sink).map_err(|e| at_the_tab(e, text))
}

/// Why a file read from disk as it is parsed could not be parsed.
#[derive(Debug)]
pub enum FileProblem {
    Syntax(SyntaxError),
    Unreadable(super::stream::Unreadable),
}

/// `parse_streaming` over a file read from disk a block at a time (its text is never
/// whole in memory). Its locations have lines and columns, no byte offsets.
pub fn parse_streaming_file(
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
pub fn request_items_of_file(
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
mod tests {
    use super::*;

    /// Found by fuzzing (import_curl): a bracket-counting pre-scan took `[` inside a plain
    /// scalar for flow nesting and refused the file.
    #[test]
    fn brackets_inside_scalars_are_not_nesting() {
        let deep = "[".repeat(100);
        let text = format!("url: https://x/{deep}\nq: '{deep}'\nb: |\n  {deep}\n");
        let node = parse(&text).unwrap_or_else(|e| panic!("{}", e.message));
        assert_eq!(node.as_map().unwrap().len(), 3);
        let flow = format!("a: {}{}", "[".repeat(65), "]".repeat(65));
        let e = parse(&flow).unwrap_err();
        assert!(e.message.contains("nests deeper than 64"), "{}", e.message);
    }

    #[test]
    fn keeps_locations_of_keys_and_values() {
        let node = parse("name: x\nrequests:\n  - GET: http://a/b\n    methd: 1\n").unwrap();
        let map = node.as_map().unwrap();
        assert_eq!(map[0].0.name, "name");
        assert_eq!((map[0].0.loc.line, map[0].0.loc.col), (1, 1));
        let reqs = map[1].1.as_seq().unwrap();
        let req = reqs[0].as_map().unwrap();
        assert_eq!((req[1].0.loc.line, req[1].0.loc.col), (4, 5));
        assert_eq!(req[0].1.as_str(), Some("http://a/b"));
        assert_eq!((req[0].1.loc.line, req[0].1.loc.col), (3, 10));
        assert_eq!(req[1].1.kind, Kind::Int(1));
    }

    #[test]
    fn only_yaml_1_2_spellings_are_booleans() {
        let node = parse("{ n: y, yes: no, on: off, t: true, f: False }").unwrap();
        let map = node.as_map().unwrap();
        let names: Vec<&str> = map.iter().map(|(k, _)| &*k.name).collect();
        assert_eq!(names, ["n", "yes", "on", "t", "f"]);
        let kinds: Vec<&Kind> = map.iter().map(|(_, v)| &v.kind).collect();
        assert_eq!(
            kinds,
            [
                &Kind::Str("y".into()),
                &Kind::Str("no".into()),
                &Kind::Str("off".into()),
                &Kind::Bool(true),
                &Kind::Bool(false)
            ]
        );
    }

    #[test]
    fn messages_lose_the_parser_s_places_only() {
        let alias = "alias replay limit exceeded: total_replayed_events=100001 > 100000 at line 1, column 26 (defined at line 5, column 7) (used at line 6, column 8)";
        assert_eq!(
            first_line(alias),
            "alias replay limit exceeded: total_replayed_events=100001 > 100000"
        );
        assert_eq!(
            first_line(
                "duplicate mapping key: name, set DuplicateKeyPolicy in Options if acceptable at line 4 column 5\nmore"
            ),
            "duplicate mapping key: name"
        );
    }

    #[test]
    fn refuses_duplicate_keys_with_location() {
        let err = parse("a: 1\na: 2\n").unwrap_err();
        assert!(err.message.contains("duplicate"), "{}", err.message);
        assert_eq!(err.loc.line, 2);
    }

    #[test]
    fn refuses_alias_bombs_and_deep_nesting() {
        let mut bomb = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            let p = i - 1;
            bomb.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        assert!(parse(&bomb).is_err());
        let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        assert!(parse(&deep).unwrap_err().message.contains("deeper"));
        let mut block = String::new();
        for i in 0..200 {
            block.push_str(&" ".repeat(i * 2));
            block.push_str("a:\n");
        }
        assert!(parse(&block).is_err());
    }
}

#[cfg(test)]
mod yaml_tests {
    //! What serde-saphyr made of these snippets (checked against it when the tree began to
    //! be built from granit-parser's events): the builder must keep giving the same.
    use super::*;

    fn at(node: &Node) -> (u32, u32, usize, usize) {
        (node.loc.line, node.loc.col, node.loc.offset, node.loc.len)
    }

    fn value<'a>(node: &'a Node<'a>, key: &str) -> &'a Node<'a> {
        let map = node.as_map().unwrap();
        &map.iter().find(|(k, _)| k.name == key).unwrap().1
    }

    fn err(text: &str) -> (String, (u32, u32)) {
        let e = parse(text).unwrap_err();
        (e.message, (e.loc.line, e.loc.col))
    }

    #[test]
    fn plain_scalars_follow_the_core_schema() {
        let node = parse(
            "[1.10, 007, 0x1F, 1e3, 12345678901234567890, -0, .5, +1, 0o17, 1_000, yes, ~, '1', \"true\", inf]",
        )
        .unwrap();
        let kinds: Vec<Kind> = node
            .as_seq()
            .unwrap()
            .iter()
            .map(|n| n.kind.clone())
            .collect();
        assert_eq!(
            kinds,
            [
                Kind::Float(1.1),
                Kind::Float(7.0),
                Kind::Int(31),
                Kind::Float(1000.0),
                Kind::Float(12345678901234567890.0),
                Kind::Int(0),
                Kind::Float(0.5),
                Kind::Int(1),
                Kind::Int(15),
                Kind::Int(1000),
                Kind::Str("yes".into()),
                Kind::Null,
                Kind::Str("1".into()),
                Kind::Str("true".into()),
                Kind::Str("inf".into()),
            ]
        );
        let (message, place) = err("a: .inf\n");
        assert_eq!(
            message,
            "non-finite float `.inf` rejected by the configured policy"
        );
        assert_eq!(place, (1, 4));
    }

    #[test]
    fn tags_force_a_type_or_fail() {
        let node = parse("a: !!str 123\nb: !!int \"42\"\nc: !!float '1.5'\nd: !!null x\ne: ! 5\n")
            .unwrap();
        assert_eq!(value(&node, "a").kind, Kind::Str("123".into()));
        assert_eq!(at(value(&node, "a")), (1, 10, 9, 3));
        assert_eq!(value(&node, "b").kind, Kind::Int(42));
        assert_eq!(value(&node, "c").kind, Kind::Float(1.5));
        assert_eq!(value(&node, "d").kind, Kind::Null);
        assert_eq!(value(&node, "e").kind, Kind::Str("5".into()));
        assert_eq!(err("a: !!int abc\n"), ("invalid u64".into(), (1, 10)));
        assert_eq!(
            err("a: !!str [1]\n"),
            ("unsupported tag `!!str`".into(), (1, 10))
        );
    }

    /// A tag baton does not know was read as if it were not there: `!include body.json`
    /// sent the text "body.json".
    #[test]
    fn unknown_tags_are_refused_where_they_are() {
        let (message, place) = err("a: 1\nbody: !include body.json\n");
        assert!(
            message.starts_with("unsupported tag `!include`"),
            "{message}"
        );
        assert_eq!(place, (2, 16), "the value the tag is on");
        let (message, place) = err("a:\n  - !custom { k: v }\n");
        assert!(message.starts_with("unknown tag `!custom`"), "{message}");
        assert_eq!(place, (2, 13));
        assert!(err("!x key: 1\n").0.starts_with("unknown tag `!x`"));
        let kept = parse("a: !!binary aGk=\nb: !!float 1\n<<: { c: 1 }\n").unwrap();
        assert_eq!(value(&kept, "a").kind, Kind::Str("hi".into()));
        assert_eq!(value(&kept, "c").kind, Kind::Int(1));
    }

    #[test]
    fn scalar_spans_are_the_text_as_written() {
        let node = parse("a: |\n  x\n  y\nb:    spaced    \nc: 'it''s'\nd:\n").unwrap();
        assert_eq!(at(value(&node, "a")), (2, 3, 7, 6));
        assert_eq!(at(value(&node, "b")), (4, 7, 19, 6));
        assert_eq!(at(value(&node, "c")), (5, 4, 33, 7));
        assert_eq!(at(value(&node, "d")), (6, 2, 42, 0));
        assert_eq!(at(&node), (1, 1, 0, 0));
        let flow = parse("{a: [1]}").unwrap();
        assert_eq!(
            (at(&flow), at(value(&flow, "a"))),
            ((1, 1, 0, 1), (1, 5, 4, 1))
        );
    }

    #[test]
    fn an_alias_is_a_copy_placed_where_the_alias_is() {
        let node = parse("a: &x {k: [v]}\nb: *x\n").unwrap();
        let copy = value(&node, "b");
        assert_eq!(copy.to_json(), value(&node, "a").to_json());
        assert_eq!(at(copy), (2, 4, 18, 2));
        let inner = &copy.as_map().unwrap()[0];
        assert_eq!(
            (inner.0.loc, at(&inner.1.as_seq().unwrap()[0])),
            (copy.loc, (2, 4, 18, 2))
        );
        assert_eq!(
            err("a: &a\n  b: *a\n"),
            (
                "recursive references require weak recursion types".into(),
                (2, 6)
            )
        );
    }

    #[test]
    fn merge_keys_bring_entries_that_are_not_there_yet() {
        let node = parse(
            "b1: &b1 {x: 1, y: 1}\nb2: &b2 {y: 2, z: 2}\nd:\n  <<: [*b1, *b2]\n  x: 0\n  \"<<\": q\n",
        )
        .unwrap();
        let d = value(&node, "d").as_map().unwrap();
        let entries: Vec<(&str, String)> = d
            .iter()
            .map(|(k, v)| (&*k.name, v.to_json().to_string()))
            .collect();
        assert_eq!(
            entries,
            [
                ("x", "0".into()),
                ("<<", "\"q\"".into()),
                ("y", "1".into()),
                ("z", "2".into())
            ]
        );
        // Merged entries are placed at the alias (or mapping) they came from.
        assert_eq!((d[2].0.loc.col, d[2].1.loc.col, d[3].0.loc.col), (8, 8, 13));
        assert_eq!(
            err("b: &b [1, 2]\na:\n  <<: *b\n"),
            (
                "YAML merge value must be mapping or sequence of mappings".into(),
                (1, 8)
            )
        );
    }

    #[test]
    fn keys_are_the_same_by_value_and_text() {
        assert!(parse("1: a\n'1': b\n").is_ok());
        assert_eq!(
            err("0x10: a\n16: b\n"),
            ("duplicate mapping key: 16".into(), (2, 1))
        );
        assert_eq!(
            err("a: 1\n'a': 2\n"),
            ("duplicate mapping key: a".into(), (2, 1))
        );
        let node = parse("1: a\n2.5: b\ntrue: c\n~: d\n").unwrap();
        let names: Vec<&str> = node
            .as_map()
            .unwrap()
            .iter()
            .map(|(k, _)| &*k.name)
            .collect();
        assert_eq!(names, ["1", "2.5", "true", ""]);
        assert_eq!(
            err("? [a]\n: 1\n"),
            ("a mapping key must be text, found a list".into(), (1, 3))
        );
    }

    #[test]
    fn one_document_only_and_empty_is_null() {
        let (message, place) = err("a: 1\n---\nb: 2\n");
        assert_eq!(
            place,
            (3, 1),
            "a second document is refused where it starts"
        );
        assert!(message.contains("second YAML document"), "{message}");
        assert_eq!(parse("# nothing\n").unwrap().kind, Kind::Null);
        assert_eq!(parse("").unwrap().loc.line, 1);
        assert_eq!(
            parse("---\na: 1\n...\n").unwrap().as_map().unwrap().len(),
            1
        );
    }

    #[test]
    fn block_nesting_is_bounded_where_it_goes_too_deep() {
        let nested =
            |n: usize| -> String { (0..n).map(|i| format!("{}a:\n", "  ".repeat(i))).collect() };
        assert!(
            parse(&nested(64)).is_ok(),
            "64 mappings, the last holding null"
        );
        let (message, place) = err(&nested(65));
        assert_eq!(message, "the document nests deeper than 64 levels");
        assert_eq!(place, (65, 129), "at the 65th mapping");
    }

    #[test]
    fn long_comment_blocks_are_fine() {
        let text = format!("a:\n{}  b: 1\n", "  # note\n".repeat(40));
        assert_eq!(
            value(&parse(&text).unwrap(), "a").to_json(),
            serde_json::json!({"b": 1})
        );
    }

    #[test]
    fn scanner_errors_keep_their_place_and_mention_tabs() {
        let (message, place) = err("requests:\n\t- GET: http://127.0.0.1:9/\n");
        assert!(message.contains("tab"), "{message}");
        assert_eq!(place, (2, 1));
    }

    /// The parser noticed these tabs at the scalar before them, a line or more up.
    #[test]
    fn a_tab_error_is_on_the_tab_s_own_line() {
        let req = "requests:\n  - GET: http://127.0.0.1:9/\n";
        let cases = [
            (format!("{req}    headers:\n      a: 1\n\t  b: 2\n"), (5, 1)),
            (format!("{req}    headers:\n\t  b: 2\n"), (4, 1)),
            (
                format!("{req}    expect:\n      status: 200\n    \tcapture: {{}}\n"),
                (5, 5),
            ),
            (
                format!("{req}    expect:\n      status: 200\n\n  \t  x: 1\n"),
                (6, 3),
            ),
            (
                format!("{req}    expect:\n      status: 200\n  \t\n\t  x: 1\n"),
                (6, 1),
            ),
            (
                format!("{req}    expect:\r      status: 200\r    \tcapture: {{}}\r"),
                (5, 5),
            ),
        ];
        for (text, at) in cases {
            let (message, place) = err(&text);
            assert!(message.contains("tab"), "{message}");
            assert_eq!(place, at, "{text:?}");
        }
    }
}
