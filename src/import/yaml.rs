//! A small YAML writer for what the importers produce: ordered mappings and lists with
//! comments, small mappings in flow style (`{ basic: [a, b] }`), multi-line text as literal
//! blocks, and every string quoted exactly when a plain scalar would read as something else.
//! (The model is read by hand from a located tree, so there is no serde type to serialize.)
//! This file holds the value and the layout (blocks, flow, comments); how one scalar is
//! written (plain, quoted, literal block) is `yaml/scalar.rs`.

mod scalar;
#[cfg(test)]
mod tests;

use scalar::{key_text, literal_block, scalar_text, unprintable};

/// A YAML value being written.
#[derive(Clone, Debug, PartialEq)]
pub enum Y {
    Str(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    Null,
    Seq(Vec<Item>),
    Map(Vec<Entry>),
}

/// A list item with the comment lines written above it.
#[derive(Clone, Debug, PartialEq)]
pub struct Item {
    pub comments: Vec<String>,
    pub value: Y,
}

/// A mapping entry with the comment lines written above it.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub comments: Vec<String>,
    pub key: String,
    pub value: Y,
}

impl Y {
    pub fn str(s: impl Into<String>) -> Y {
        Y::Str(s.into())
    }

    /// A mapping from `(key, value)` pairs without comments.
    pub fn map<K: Into<String>>(pairs: impl IntoIterator<Item = (K, Y)>) -> Y {
        Y::Map(
            pairs
                .into_iter()
                .map(|(k, v)| Entry {
                    comments: Vec::new(),
                    key: k.into(),
                    value: v,
                })
                .collect(),
        )
    }

    /// A list of values without comments.
    pub fn seq(values: impl IntoIterator<Item = Y>) -> Y {
        Y::Seq(
            values
                .into_iter()
                .map(|value| Item {
                    comments: Vec::new(),
                    value,
                })
                .collect(),
        )
    }

    /// A JSON value as YAML (object key order kept).
    pub fn from_json(v: &serde_json::Value) -> Y {
        use serde_json::Value;
        match v {
            Value::Null => Y::Null,
            Value::Bool(b) => Y::Bool(*b),
            Value::Number(n) => match n.as_i64() {
                Some(i) => Y::Int(i),
                None => Y::Float(n.as_f64().unwrap_or(0.0)),
            },
            Value::String(s) => Y::Str(s.clone()),
            Value::Array(items) => Y::seq(items.iter().map(Y::from_json)),
            Value::Object(m) => Y::map(m.iter().map(|(k, v)| (k.clone(), Y::from_json(v)))),
        }
    }

    fn is_scalar(&self) -> bool {
        !matches!(self, Y::Seq(_) | Y::Map(_))
    }

    /// The value on one line in flow style, when it is small and simple enough to read so.
    fn flow(&self) -> Option<String> {
        let text = match self {
            Y::Str(s) if s.contains('\n') => return None,
            Y::Seq(items) => {
                if items.is_empty() {
                    return Some("[]".into());
                }
                if items.len() > 4 || items.iter().any(|i| !i.comments.is_empty()) {
                    return None;
                }
                let parts: Option<Vec<String>> = items
                    .iter()
                    .map(|i| i.value.is_scalar().then(|| i.value.flow()).flatten())
                    .collect();
                format!("[{}]", parts?.join(", "))
            }
            Y::Map(entries) => {
                if entries.is_empty() {
                    return Some("{}".into());
                }
                if entries.len() > 3 || entries.iter().any(|e| !e.comments.is_empty()) {
                    return None;
                }
                let parts: Option<Vec<String>> = entries
                    .iter()
                    .map(|e| {
                        let v = match &e.value {
                            Y::Map(_) => None,
                            other => other.flow(),
                        }?;
                        Some(format!("{}: {v}", key_text(&e.key, true)))
                    })
                    .collect();
                format!("{{ {} }}", parts?.join(", "))
            }
            scalar => scalar_text(scalar, true),
        };
        (text.chars().count() <= 72).then_some(text)
    }
}

/// A whole document: header comments, then the value (a mapping or a list).
pub(crate) fn document(header: &[String], value: &Y) -> String {
    let mut out = String::new();
    for c in header {
        push_comment(&mut out, 0, c);
    }
    write_block(&mut out, value, 0);
    out
}

fn push_comment(out: &mut String, indent: usize, text: &str) {
    for line in text.lines() {
        out.push_str(&" ".repeat(indent));
        let line = line.trim_end();
        if line.is_empty() {
            out.push_str("#\n");
        } else {
            out.push_str("# ");
            // A comment holds only printable characters: the rest are shown escaped.
            for c in line.chars().filter(|c| *c != '\r') {
                if c != '\t' && (c.is_control() || unprintable(c)) {
                    out.push_str(&c.escape_unicode().to_string());
                } else {
                    out.push(c);
                }
            }
            out.push('\n');
        }
    }
    if text.is_empty() {
        out.push_str(&" ".repeat(indent));
        out.push_str("#\n");
    }
}

/// A mapping or list at `indent`, one entry per line.
fn write_block(out: &mut String, value: &Y, indent: usize) {
    let pad = " ".repeat(indent);
    match value {
        Y::Map(entries) if !entries.is_empty() => {
            for e in entries {
                for c in &e.comments {
                    push_comment(out, indent, c);
                }
                out.push_str(&pad);
                let key = key_text(&e.key, false);
                if key.chars().count() > 1000 {
                    // An implicit key may not exceed 1024 characters: an explicit `? key`.
                    out.push_str("? ");
                    out.push_str(&key);
                    out.push('\n');
                    out.push_str(&pad);
                } else {
                    out.push_str(&key);
                }
                out.push(':');
                write_after_key(out, &e.value, indent);
            }
        }
        Y::Seq(items) if !items.is_empty() => {
            let nested = matches!(items.first().map(|i| &i.value), Some(Y::Map(_)))
                && items
                    .iter()
                    .filter(|i| matches!(i.value, Y::Map(_)))
                    .count()
                    > 1;
            for (n, item) in items.iter().enumerate() {
                if nested && n > 0 {
                    out.push('\n');
                }
                for c in &item.comments {
                    push_comment(out, indent, c);
                }
                out.push_str(&pad);
                out.push('-');
                match &item.value {
                    Y::Map(entries) if !entries.is_empty() => {
                        // `- key: value` with the following keys aligned under the first.
                        let mut inner = String::new();
                        write_block(&mut inner, &item.value, indent + 2);
                        out.push(' ');
                        out.push_str(inner.trim_start());
                    }
                    other => write_after_key(out, other, indent),
                }
            }
        }
        other => {
            out.push_str(&pad);
            out.push_str(&scalar_or_flow(other));
            out.push('\n');
        }
    }
}

/// What follows `key:` or `-`: the value on the same line, or a nested block.
fn write_after_key(out: &mut String, value: &Y, indent: usize) {
    if value.is_scalar() && !matches!(value, Y::Str(s) if s.contains('\n')) {
        out.push(' ');
        out.push_str(&scalar_text(value, false));
        out.push('\n');
        return;
    }
    if let Some(flow) = value.flow() {
        out.push(' ');
        out.push_str(&flow);
        out.push('\n');
        return;
    }
    match value {
        Y::Str(s) => {
            out.push(' ');
            out.push_str(&literal_block(s, indent + 2));
        }
        Y::Map(_) | Y::Seq(_) => {
            out.push('\n');
            write_block(out, value, indent + 2);
        }
        other => {
            out.push(' ');
            out.push_str(&scalar_or_flow(other));
            out.push('\n');
        }
    }
}

fn scalar_or_flow(v: &Y) -> String {
    v.flow().unwrap_or_else(|| scalar_text(v, false))
}
