//! A YAML document as a tree of located nodes: every value and every key keeps its
//! line, column and byte span, so the model can be built by hand with errors that point
//! at the exact place (and with all problems collected, not just the first).

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;
use std::fmt;

/// Where a node starts in its file: 1-based line and column, and its byte span.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Loc {
    pub line: u32,
    pub col: u32,
    pub offset: usize,
    pub len: usize,
}

impl Loc {
    /// True when the parser could not say where the node was.
    pub fn is_unknown(&self) -> bool {
        self.line == 0
    }

    fn from_spanned(loc: &serde_saphyr::Location) -> Loc {
        let span = loc.span();
        Loc {
            line: loc.line() as u32,
            col: loc.column() as u32,
            offset: span.byte_offset().unwrap_or(0) as usize,
            len: span.byte_len().unwrap_or(0) as usize,
        }
    }
}

/// A YAML value with its location.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub kind: Kind,
    pub loc: Loc,
}

/// A mapping key: always text (numbers and booleans used as keys are kept as written).
#[derive(Clone, Debug, PartialEq)]
pub struct Key {
    pub name: String,
    pub loc: Loc,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Kind {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    Map(Vec<(Key, Node)>),
}

impl Kind {
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

impl Node {
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
            Kind::Str(s) => Some(s.clone()),
            Kind::Int(i) => Some(i.to_string()),
            Kind::Float(f) => Some(f.to_string()),
            Kind::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&[(Key, Node)]> {
        match &self.kind {
            Kind::Map(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_seq(&self) -> Option<&[Node]> {
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
            Kind::Str(s) => Value::String(s.clone()),
            Kind::Seq(items) => Value::Array(items.iter().map(Node::to_json).collect()),
            Kind::Map(entries) => Value::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.name.clone(), v.to_json()))
                    .collect(),
            ),
        }
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let spanned = Spanned::<Kind>::deserialize(d)?;
        Ok(Node {
            loc: Loc::from_spanned(&spanned.referenced),
            kind: spanned.value,
        })
    }
}

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let spanned = Spanned::<Kind>::deserialize(d)?;
        let name = match spanned.value {
            Kind::Str(s) => s,
            Kind::Int(i) => i.to_string(),
            Kind::Float(f) => f.to_string(),
            Kind::Bool(b) => b.to_string(),
            Kind::Null => String::new(),
            other => {
                return Err(de::Error::custom(format!(
                    "a mapping key must be text, found {}",
                    other.describe()
                )));
            }
        };
        Ok(Key {
            name,
            loc: Loc::from_spanned(&spanned.referenced),
        })
    }
}

impl<'de> Deserialize<'de> for Kind {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(KindVisitor)
    }
}

struct KindVisitor;

impl<'de> Visitor<'de> for KindVisitor {
    type Value = Kind;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Kind, E> {
        Ok(Kind::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Kind, E> {
        Ok(Kind::Int(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Kind, E> {
        Ok(i64::try_from(v).map_or(Kind::Float(v as f64), Kind::Int))
    }
    fn visit_i128<E>(self, v: i128) -> Result<Kind, E> {
        Ok(i64::try_from(v).map_or(Kind::Float(v as f64), Kind::Int))
    }
    fn visit_u128<E>(self, v: u128) -> Result<Kind, E> {
        Ok(i64::try_from(v).map_or(Kind::Float(v as f64), Kind::Int))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Kind, E> {
        Ok(Kind::Float(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Kind, E> {
        Ok(Kind::Str(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Kind, E> {
        Ok(Kind::Str(v))
    }
    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Kind, E> {
        String::from_utf8(v.to_vec())
            .map(Kind::Str)
            .map_err(|_| E::custom("binary values are not supported"))
    }
    fn visit_unit<E>(self) -> Result<Kind, E> {
        Ok(Kind::Null)
    }
    fn visit_none<E>(self) -> Result<Kind, E> {
        Ok(Kind::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Kind, D::Error> {
        Kind::deserialize(d)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Kind, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Node>()? {
            items.push(item);
        }
        Ok(Kind::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Kind, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key::<Key>()? {
            let value = map.next_value::<Node>()?;
            entries.push((key, value));
        }
        Ok(Kind::Map(entries))
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
const MAX_DEPTH: usize = 64;

/// Parse one YAML document into a located tree. Duplicate keys, alias bombs and absurd
/// nesting are refused by the parser's budget, not by running out of memory.
pub fn parse(text: &str) -> Result<Node, SyntaxError> {
    if let Some(loc) = too_deep(text) {
        return Err(SyntaxError {
            message: format!("the document nests deeper than {MAX_DEPTH} levels"),
            loc,
        });
    }
    // Deserializing is recursive and each level is deep in debug builds: give it a stack
    // that the depth budget, not the thread, bounds.
    let parse = || {
        let options = serde_saphyr::options! {
            budget: serde_saphyr::budget! {
                max_depth: MAX_DEPTH,
                max_nodes: 2_000_000,
                max_total_scalar_bytes: 256 * 1024 * 1024,
            },
            alias_limits: serde_saphyr::alias_limits! {
                max_total_replayed_events: 100_000,
            },
            // YAML 1.2 booleans only: with YAML 1.1's, `n: 5` in a JSON body became
            // `"false": 5` and a header value `no` was sent as `false`.
            strict_booleans: true,
        };
        serde_saphyr::from_str_with_options::<Node>(text, options).map_err(syntax_error)
    };
    std::thread::scope(|scope| {
        let worker = std::thread::Builder::new()
            .name("yaml".into())
            .stack_size(256 * 1024 * 1024)
            .spawn_scoped(scope, parse);
        match worker.map(|h| h.join()) {
            Ok(Ok(result)) => result,
            _ => Err(SyntaxError {
                message: "the YAML parser failed on this document".into(),
                loc: Loc::default(),
            }),
        }
    })
}

fn syntax_error(e: serde_saphyr::Error) -> SyntaxError {
    {
        let loc = e
            .location()
            .map(|l| Loc::from_spanned(&l))
            .unwrap_or_default();
        SyntaxError {
            message: first_line(&e.without_snippet().to_string()),
            loc,
        }
    }
}

fn first_line(message: &str) -> String {
    // The parser appends its own places ("at line X, column Y", and for aliases "(defined
    // at ...)" and "(used at ...)"), which we print ourselves, and advice for programmers
    // ("set DuplicateKeyPolicy in Options"), which a user of baton cannot follow.
    static PLACES: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r" *\((?:defined|used) at line \d+,? column \d+\)| at line \d+,? column \d+|, set \w+ in Options if acceptable").expect("a valid regex")
    });
    let line = message.lines().next().unwrap_or("invalid YAML").trim();
    PLACES.replace_all(line, "").trim().to_string()
}

/// Flow collections (`[[[[...`) are nested by brackets before the parser's depth budget
/// sees them; a cheap scan catches them first.
fn too_deep(text: &str) -> Option<Loc> {
    let (mut depth, mut line, mut col) = (0usize, 1u32, 0u32);
    for (offset, c) in text.char_indices() {
        col += 1;
        match c {
            '\n' => {
                line += 1;
                col = 0;
            }
            '[' | '{' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Some(Loc {
                        line,
                        col,
                        offset,
                        len: 1,
                    });
                }
            }
            ']' | '}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let names: Vec<&str> = map.iter().map(|(k, _)| k.name.as_str()).collect();
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
