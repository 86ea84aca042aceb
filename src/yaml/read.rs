//! Reading the located YAML tree into the model by hand: type checks, unknown keys with a
//! did-you-mean, and every problem collected (so `baton check` lists them all).

use super::node::{Key, Kind, Node};
use crate::diag::Loc;
use crate::diag::{Diagnostic, SourceFile, did_you_mean};
use crate::template::{JsonTpl, Templates, Tpl};
use std::sync::Arc;
use std::time::Duration;

/// What a reader needs: the file (for locations), the problems found so far, and the
/// run's templates (each string is compiled once, here).
pub struct Reader<'a> {
    pub file: &'a Arc<SourceFile>,
    pub problems: &'a mut Vec<Diagnostic>,
    pub templates: Compiler<'a>,
}

/// Where a reader's templates come from: compiled now (loading a file), or found among
/// those compiled when the file was loaded (a request read again at run time, when the
/// templates are shared by the running files).
pub enum Compiler<'a> {
    New(&'a mut Templates),
    Known(&'a Templates),
}

impl Reader<'_> {
    pub fn error(&mut self, loc: Loc, message: impl Into<String>) -> &mut Diagnostic {
        let d = Diagnostic::error(message).at(self.file, loc);
        self.problems.push(d);
        self.problems.last_mut().expect("just pushed")
    }

    pub fn warning(&mut self, loc: Loc, message: impl Into<String>) {
        let d = Diagnostic::warning(message).at(self.file, loc);
        self.problems.push(d);
    }

    fn wrong_type(&mut self, node: &Node, what: &str, expected: &str) {
        let found = node.kind.describe();
        let d = self.error(
            node.loc,
            format!("`{what}` must be {expected}, found {found}"),
        );
        d.label = Some(format!("expected {expected}"));
    }

    /// A mapping, or an error saying what was found instead.
    pub fn map<'n>(&mut self, node: &'n Node<'n>, what: &str) -> Option<Map<'n>> {
        if let Kind::Map(entries) = &node.kind {
            Some(Map {
                loc: node.loc,
                entries,
                used: vec![false; entries.len()],
            })
        } else {
            self.wrong_type(node, what, "a mapping");
            None
        }
    }

    pub fn seq<'n>(&mut self, node: &'n Node<'n>, what: &str) -> Option<&'n [Node<'n>]> {
        if let Kind::Seq(items) = &node.kind {
            Some(items)
        } else {
            self.wrong_type(node, what, "a list");
            None
        }
    }

    /// Plain text (names, ids, header and form values): numbers and booleans are taken as
    /// written, so `version: 1.10` sends `1.10` and `zip: 007` sends `007`.
    pub fn text(&mut self, node: &Node, what: &str) -> Option<String> {
        let text = match (&node.kind, &node.raw) {
            (Kind::Int(_) | Kind::Float(_) | Kind::Bool(_), Some(raw)) => {
                Some(raw.trim().to_string())
            }
            _ => node.scalar_text(),
        };
        if text.is_none() {
            self.wrong_type(node, what, "a string");
        }
        text
    }

    /// A string that may hold `<< >>` templates, compiled now.
    pub fn tpl(&mut self, node: &Node, what: &str) -> Option<Tpl> {
        let text = self.text(node, what)?;
        if node.literal {
            return Some(Tpl::literal_at(&text, node.loc, self.file));
        }
        let compiled = match &mut self.templates {
            Compiler::New(t) => t.compile(&text, node.loc, self.file),
            Compiler::Known(t) => t.known(&text, node.loc, self.file).ok_or_else(|| {
                Diagnostic::error(format!(
                    "`{text}` was not compiled when the file was loaded"
                ))
                .at(self.file, node.loc)
            }),
        };
        match compiled {
            Ok(t) => Some(t),
            Err(d) => {
                self.problems.push(d);
                None
            }
        }
    }

    pub fn bool(&mut self, node: &Node, what: &str) -> Option<bool> {
        if let Kind::Bool(b) = node.kind {
            Some(b)
        } else {
            self.wrong_type(node, what, "true or false");
            None
        }
    }

    pub fn u64(&mut self, node: &Node, what: &str) -> Option<u64> {
        match node.kind {
            Kind::Int(i) if i >= 0 => Some(i as u64),
            _ => {
                self.wrong_type(node, what, "a whole number, 0 or more");
                None
            }
        }
    }

    /// A duration: a number of seconds, or text such as `500ms`, `30s`, `2m`.
    pub fn duration(&mut self, node: &Node, what: &str) -> Option<Duration> {
        let parsed = match &node.kind {
            Kind::Int(i) => seconds(*i as f64),
            Kind::Float(f) => seconds(*f),
            Kind::Str(s) => parse_duration(s),
            _ => None,
        };
        if parsed.is_none() {
            let d = self.error(
                node.loc,
                format!(
                    "`{what}` must be a duration such as 30, 30s, 500ms or 2m (at most a year)"
                ),
            );
            d.label = Some("not a duration".into());
        }
        parsed
    }

    /// `key: value` pairs whose values are templates (headers, query, form fields). A list
    /// of one-entry mappings is accepted too, for repeated names.
    pub fn pairs(&mut self, node: &Node, what: &str) -> Vec<(String, Tpl)> {
        let mut out = Vec::new();
        match &node.kind {
            Kind::Map(entries) => {
                for (k, v) in entries {
                    self.pair_values(k, v, what, &mut out);
                }
            }
            Kind::Seq(items) => {
                for item in items {
                    match &item.kind {
                        Kind::Map(entries) if entries.len() == 1 => {
                            self.pair_values(&entries[0].0, &entries[0].1, what, &mut out);
                        }
                        _ => self.wrong_type(item, what, "a `name: value` mapping"),
                    }
                }
            }
            Kind::Null => {}
            _ => self.wrong_type(node, what, "a mapping of names to values"),
        }
        // Loaded collections are kept whole for the run: no spare capacity per request.
        out.shrink_to_fit();
        out
    }

    fn pair_values(&mut self, k: &Key, v: &Node, what: &str, out: &mut Vec<(String, Tpl)>) {
        let label = format!("{what}.{}", k.name);
        match &v.kind {
            // A list repeats the name: `scope: [a, b]` sends scope=a&scope=b.
            Kind::Seq(items) => {
                for item in items {
                    if let Some(t) = self.tpl(item, &label) {
                        out.push((k.name.to_string(), t));
                    }
                }
            }
            Kind::Null => {
                let d = self.error(v.loc, format!("`{label}` has no value"));
                d.help = Some("write an empty string as \"\"".into());
            }
            _ => {
                if let Some(t) = self.tpl(v, &label) {
                    out.push((k.name.to_string(), t));
                }
            }
        }
    }
}

/// A mapping being read: keys are taken one by one, and those never taken are reported
/// as unknown when the reader is finished.
pub struct Map<'n> {
    pub loc: Loc,
    entries: &'n [(Key<'n>, Node<'n>)],
    used: Vec<bool>,
}

impl<'n> Map<'n> {
    pub fn get(&mut self, key: &str) -> Option<&'n Node<'n>> {
        self.entry(key).map(|(_, v)| v)
    }

    pub fn entry(&mut self, key: &str) -> Option<(&'n Key<'n>, &'n Node<'n>)> {
        let i = self.entries.iter().position(|(k, _)| k.name == key)?;
        self.used[i] = true;
        Some((&self.entries[i].0, &self.entries[i].1))
    }

    pub fn has(&self, key: &str) -> bool {
        self.entries.iter().any(|(k, _)| k.name == key)
    }

    /// Entries not taken yet, in file order (for maps whose keys are data, such as `vars`).
    pub fn rest(&mut self) -> Vec<(&'n Key<'n>, &'n Node<'n>)> {
        let mut out = Vec::new();
        for (i, (k, v)) in self.entries.iter().enumerate() {
            if !self.used[i] {
                self.used[i] = true;
                out.push((k, v));
            }
        }
        out
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Report every key not taken, suggesting the closest of `known`.
    pub fn finish(self, r: &mut Reader, what: &str, known: &[&str]) {
        for (i, (k, _)) in self.entries.iter().enumerate() {
            if self.used[i] {
                continue;
            }
            let suggestion = did_you_mean(&k.name, known.iter().copied());
            let message = match suggestion {
                Some(s) => format!("unknown key '{}' in {what} (did you mean '{s}'?)", k.name),
                None => format!("unknown key '{}' in {what}", k.name),
            };
            let d = r.error(k.loc, message);
            d.label = Some("unknown key".into());
            if suggestion.is_none() {
                d.help = Some(format!("expected one of: {}", known.join(", ")));
            }
        }
    }
}

/// The longest duration accepted: a deadline past it is a typo, and far enough out it
/// overflows the clock (`--max-time 055555555555555555555555`, found by fuzzing).
pub(crate) const MAX_DURATION_SECS: f64 = 365.0 * 24.0 * 3600.0;

/// A number of seconds as a duration, if it is one (finite, 0 or more, at most a year).
fn seconds(n: f64) -> Option<Duration> {
    (n.is_finite() && (0.0..=MAX_DURATION_SECS).contains(&n)).then(|| Duration::from_secs_f64(n))
}

/// `30`, `30s`, `500ms`, `2m`, `1.5s`; at most a year.
pub(crate) fn parse_duration(text: &str) -> Option<Duration> {
    let text = text.trim();
    let (number, unit) = match text.find(|c: char| c.is_ascii_alphabetic()) {
        Some(i) => (&text[..i], &text[i..]),
        None => (text, "s"),
    };
    let n: f64 = number.trim().parse().ok()?;
    let secs = match unit {
        "ms" => n / 1000.0,
        "s" | "sec" => n,
        "m" | "min" => n * 60.0,
        "h" => n * 3600.0,
        _ => return None,
    };
    seconds(secs)
}

/// Letters, digits and `_`, not starting with a digit.
pub(crate) fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// A JSON-shaped value whose strings are compiled as templates.
pub(crate) fn read_json_tpl(r: &mut Reader, node: &Node, what: &str) -> JsonTpl {
    match &node.kind {
        // Text without templates is a value as it is: compiling it kept two more copies.
        // `!literal` text is never a template.
        Kind::Str(s) if node.literal || !crate::template::has_template_syntax(s) => {
            JsonTpl::Value(serde_json::Value::String(s.to_string()))
        }
        Kind::Str(_) => match r.tpl(node, what) {
            Some(t) if t.is_literal() => {
                JsonTpl::Value(serde_json::Value::String(t.text.to_string()))
            }
            Some(t) => JsonTpl::Str(t),
            None => JsonTpl::Value(serde_json::Value::Null),
        },
        Kind::Seq(items) => {
            JsonTpl::Array(items.iter().map(|i| read_json_tpl(r, i, what)).collect())
        }
        Kind::Map(entries) => JsonTpl::Object(
            entries
                .iter()
                .map(|(k, v)| {
                    (
                        k.name.to_string(),
                        read_json_tpl(r, v, &format!("{what}.{}", k.name)),
                    )
                })
                .collect(),
        ),
        _ => JsonTpl::Value(node.to_json()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalars_are_text_as_written() {
        let text = "a: { v: 1.10, zip: 007, e: 1e3, big: 12345678901234567890, b: True }\nc: 2.50   # a comment\nd: &x 0.10\ne: *x\n";
        let file = SourceFile::new("t.yaml", text);
        let tree = super::super::node::parse(text).unwrap();
        let (mut problems, mut templates) = (Vec::new(), Templates::new());
        let mut r = Reader {
            file: &file,
            problems: &mut problems,
            templates: Compiler::New(&mut templates),
        };
        let map = tree.as_map().unwrap();
        let flow: Vec<String> = map[0]
            .1
            .as_map()
            .unwrap()
            .iter()
            .map(|(_, v)| r.text(v, "x").unwrap())
            .collect();
        assert_eq!(flow, ["1.10", "007", "1e3", "12345678901234567890", "True"]);
        assert_eq!(r.text(&map[1].1, "c").as_deref(), Some("2.50"));
        assert_eq!(r.text(&map[2].1, "d").as_deref(), Some("0.10"));
        // An alias is spelled as its anchor is.
        assert_eq!(r.text(&map[3].1, "e").as_deref(), Some("0.10"));
        // A tagged number is its value.
        let tagged = super::super::node::parse("v: !!float 1.10\n").unwrap();
        let v = &tagged.as_map().unwrap()[0].1;
        assert_eq!(r.text(v, "v").as_deref(), Some("1.1"));
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("500ms"), Some(Duration::from_millis(500)));
        assert_eq!(parse_duration("2m"), Some(Duration::from_secs(120)));
        assert_eq!(parse_duration("3"), Some(Duration::from_secs(3)));
        assert_eq!(parse_duration("3 parsecs"), None);
        assert_eq!(parse_duration("-1s"), None);
        // Past a year, or past what a clock holds: refused, not a panic (fuzzing found one).
        assert_eq!(parse_duration("8761h"), None);
        assert_eq!(parse_duration("055555555555555555555555"), None);
        assert_eq!(parse_duration("1e308m"), None);
        assert_eq!(
            parse_duration("8760h"),
            Some(Duration::from_secs(365 * 24 * 3600))
        );
    }
}
