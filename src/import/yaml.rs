//! A small YAML writer for what the importers produce: ordered mappings and lists with
//! comments, small mappings in flow style (`{ basic: [a, b] }`), multi-line text as literal
//! blocks, and every string quoted exactly when a plain scalar would read as something else.
//! (The model is read by hand from a located tree, so there is no serde type to serialize.)

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
pub fn document(header: &[String], value: &Y) -> String {
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

/// Multi-line text as `|` (with the chomping and indentation indicators it needs), or
/// quoted when a block cannot carry it (trailing spaces, control characters).
fn literal_block(s: &str, indent: usize) -> String {
    let awkward = s
        .chars()
        .any(|c| (c.is_control() && c != '\n') || c == '\u{feff}')
        || s.lines().any(|l| l.ends_with(' '))
        || s.starts_with('\n');
    if awkward || !s.contains('\n') {
        return format!("{}\n", quoted(s));
    }
    let body = s.trim_end_matches('\n');
    let trailing = s.len() - body.len();
    let chomp = match trailing {
        0 => "-",
        1 => "",
        _ => "+",
    };
    let indicator = if body.starts_with(' ') { "2" } else { "" };
    let pad = " ".repeat(indent);
    let mut out = format!("|{indicator}{chomp}\n");
    for line in body.split('\n') {
        if !line.is_empty() {
            out.push_str(&pad);
            out.push_str(line);
        }
        out.push('\n');
    }
    // `|+` keeps the blank lines after the text.
    for _ in 1..trailing {
        out.push('\n');
    }
    out
}

fn scalar_text(v: &Y, in_flow: bool) -> String {
    match v {
        Y::Str(s) => string_text(s, in_flow),
        Y::Int(i) => i.to_string(),
        Y::Float(f) if f.is_finite() => {
            let t = f.to_string();
            if t.contains(['.', 'e', 'E']) {
                t
            } else {
                format!("{t}.0")
            }
        }
        Y::Float(_) => ".nan".into(),
        Y::Bool(b) => b.to_string(),
        Y::Null => "null".into(),
        Y::Seq(_) | Y::Map(_) => String::new(),
    }
}

fn key_text(k: &str, in_flow: bool) -> String {
    if k.starts_with('<') {
        // `<<` as a key is YAML's merge key.
        return quoted(k);
    }
    string_text(k, in_flow)
}

fn string_text(s: &str, in_flow: bool) -> String {
    if plain_ok(s, in_flow) {
        s.to_string()
    } else {
        quoted(s)
    }
}

/// Double-quoted: JSON's escapes are valid YAML escapes.
pub fn quoted(s: &str) -> String {
    let json = serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into());
    // JSON escapes only what is below U+0020; YAML also refuses DEL, the C1 controls and a
    // few more raw characters (its `c-printable`), so those are written as escapes too.
    if !json.chars().any(unprintable) {
        return json;
    }
    let mut out = String::with_capacity(json.len() + 8);
    for c in json.chars() {
        if unprintable(c) {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// Characters YAML does not allow raw (outside `c-printable`) or reads as line breaks,
/// beyond the C0 controls.
fn unprintable(c: char) -> bool {
    matches!(
        c,
        '\u{7f}'..='\u{9f}' | '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}'
    )
}

/// True when `s` written plain reads back as the same string.
fn plain_ok(s: &str, in_flow: bool) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    if s != s.trim() || s.chars().any(|c| c.is_control() || c == '\u{feff}') {
        return false;
    }
    if "?:,[]{}#&*!|>'\"%@`".contains(first)
        || (first == '-' && (s.len() == 1 || s.as_bytes()[1] == b' '))
    {
        return false;
    }
    if s.contains(": ") || s.contains(" #") || s.ends_with(':') {
        return false;
    }
    if in_flow && s.contains([',', '[', ']', '{', '}']) {
        return false;
    }
    if s.starts_with("---") || s.starts_with("...") {
        return false;
    }
    let lower = s.to_ascii_lowercase();
    const SPECIAL: &[&str] = &[
        "true", "false", "yes", "no", "on", "off", "y", "n", "null", "~", ".nan", ".inf", "-.inf",
        "+.inf",
    ];
    !(SPECIAL.contains(&lower.as_str()) || looks_like_number(s))
}

/// Numbers in any YAML 1.1/1.2 spelling, kept quoted to stay strings (`007`, `1e3`, `0x1F`).
fn looks_like_number(s: &str) -> bool {
    let t = s.trim_start_matches(['+', '-']);
    if t.is_empty() {
        return false;
    }
    let starts_numeric = t.starts_with(|c: char| c.is_ascii_digit())
        || (t.starts_with('.') && t[1..].starts_with(|c: char| c.is_ascii_digit()));
    starts_numeric
        && t.chars()
            .all(|c| c.is_ascii_hexdigit() || "._:xXoObB+-eE".contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn round_trip(v: &Y) -> serde_json::Value {
        let text = document(&["a comment".into()], &Y::map([("v", v.clone())]));
        let node =
            crate::yaml::node::parse(&text).unwrap_or_else(|e| panic!("{text}\n{}", e.message));
        node.to_json()["v"].clone()
    }

    #[test]
    fn awkward_strings_read_back_unchanged() {
        for s in [
            "",
            "true",
            "No",
            "007",
            "1e3",
            "0x1F",
            "-1",
            "-x",
            "- x",
            "a: b",
            "a #b",
            "#x",
            "<<baseAuthURL>>/connect/token",
            "{{x}}",
            "[a]",
            "*a",
            "&a",
            "!t",
            "|",
            ">",
            "'q'",
            "\"q\"",
            "%x",
            "@x",
            "`x`",
            " lead",
            "trail ",
            "null",
            "~",
            "a,b",
            ":",
            "x:",
            "multi\nline\n",
            "multi\nline",
            "  indented\nsecond",
            "tab\tin",
            "ends\n\n",
            "---",
            "...",
            "é ünïcode",
            "?x",
            "a\r\nb",
            // Found by fuzzing (import_postman): DEL and C1 controls must be escaped.
            "del\u{7f}x",
            "c1\u{85}\u{9f}",
            "ls\u{2028}ps\u{2029}",
            "bom\u{feff}",
        ] {
            assert_eq!(round_trip(&Y::str(s)), json!(s), "{s:?}");
            let listed = round_trip(&Y::seq([Y::str(s), Y::str("b")]));
            assert_eq!(listed, json!([s, "b"]), "{s:?} in a list");
            let keyed = round_trip(&Y::map([(s, Y::Int(1))]));
            assert_eq!(keyed, json!({ s: 1 }), "{s:?} as a key");
        }
    }

    /// Found by fuzzing (import_curl, import_postman): control characters in comments (a
    /// variable name, a script line) made the file unreadable.
    #[test]
    fn comments_with_control_characters_stay_comments() {
        for c in [
            "a\u{1}b",
            "del\u{7f}",
            "nel\u{85}x",
            "ls\u{2028}",
            "cr\rx",
            "bom\u{feff}",
        ] {
            let text = document(&[c.to_string()], &Y::map([("v", Y::Int(1))]));
            let node = crate::yaml::node::parse(&text)
                .unwrap_or_else(|e| panic!("{c:?}: {text:?}\n{}", e.message));
            assert_eq!(node.to_json(), json!({ "v": 1 }), "{c:?}");
        }
    }

    /// Found by fuzzing (import_curl): a header name over 1,024 characters as an implicit key.
    #[test]
    fn very_long_keys_read_back() {
        let long = "x".repeat(3000);
        assert_eq!(
            round_trip(&Y::map([(long.as_str(), Y::Int(1))])),
            json!({ long.clone(): 1 })
        );
        let listed = round_trip(&Y::seq([Y::map([
            (long.as_str(), Y::Int(1)),
            ("b", Y::Int(2)),
        ])]));
        assert_eq!(listed, json!([{ long: 1, "b": 2 }]));
    }

    #[test]
    fn json_values_keep_their_types_and_order() {
        let v = json!({"b": 1, "a": [true, null, 1.5, "x", {"k": "v"}], "c": {"d": {"e": "f"}}});
        assert_eq!(round_trip(&Y::from_json(&v)), v);
    }

    #[test]
    fn small_mappings_are_written_in_flow_style() {
        let text = document(
            &[],
            &Y::map([(
                "auth",
                Y::map([("basic", Y::seq([Y::str("<<a>>"), Y::str("<<b>>")]))]),
            )]),
        );
        assert_eq!(text, "auth: { basic: [<<a>>, <<b>>] }\n");
    }
}
