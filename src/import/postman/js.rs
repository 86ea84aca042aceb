//! The small part of JavaScript that Postman test scripts are made of, read with a cursor:
//! string, number and literal values, `pm.environment.get("x")`, paths into the response
//! (`jsonData.a["b-c"][0]`) turned into JSONPath, and regex literals. Anything else makes
//! the reader return `None`, and the caller reports the line as not converted.

use crate::import::yaml::Y;
use std::collections::HashMap;

/// One step of a path into the JSON body.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Seg {
    Name(String),
    Index(i64),
}

/// JSONPath for `segs`: `$.a['b-c'][0]`.
pub(super) fn jsonpath(segs: &[Seg]) -> String {
    let mut out = String::from("$");
    for s in segs {
        match s {
            Seg::Name(n) if crate::yaml::read::is_identifier(n) => {
                out.push('.');
                out.push_str(n);
            }
            Seg::Name(n) => {
                out.push_str("['");
                out.push_str(&n.replace('\\', "\\\\").replace('\'', "\\'"));
                out.push_str("']");
            }
            Seg::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

/// A position in one line of script.
pub(super) struct Cursor<'a> {
    pub s: &'a str,
    pub pos: usize,
    /// Names the script gave a value once (`const codes = [200, 201]`), with the source of
    /// that value: read where a value is, when the name is.
    pub values: Option<&'a HashMap<String, String>>,
}

impl<'a> Cursor<'a> {
    pub(super) fn new(s: &'a str) -> Cursor<'a> {
        Cursor {
            s,
            pos: 0,
            values: None,
        }
    }

    /// The same, reading `values` for names.
    pub(super) fn with(s: &'a str, values: &'a HashMap<String, String>) -> Cursor<'a> {
        Cursor {
            values: Some(values),
            ..Cursor::new(s)
        }
    }

    pub(super) fn rest(&self) -> &'a str {
        &self.s[self.pos..]
    }

    pub(super) fn ws(&mut self) {
        let r = self.rest();
        self.pos += r.len() - r.trim_start().len();
    }

    /// Skip blanks, then `lit` if it comes next.
    pub(super) fn eat(&mut self, lit: &str) -> bool {
        self.ws();
        if self.rest().starts_with(lit) {
            self.pos += lit.len();
            true
        } else {
            false
        }
    }

    /// Only blanks and an optional `;` are left.
    pub(super) fn at_end(&mut self) -> bool {
        self.eat(";");
        self.ws();
        self.rest().is_empty()
    }

    pub(super) fn ident(&mut self) -> Option<&'a str> {
        self.ws();
        let r = self.rest();
        let len = r
            .char_indices()
            .find(|(i, c)| {
                !(c.is_ascii_alphanumeric() || *c == '_' || *c == '$')
                    || (*i == 0 && c.is_ascii_digit())
            })
            .map_or(r.len(), |(i, _)| i);
        (len > 0).then(|| {
            self.pos += len;
            &r[..len]
        })
    }

    /// A string literal in `'`, `"` or `` ` `` (without `${}`), unescaped.
    pub(super) fn string(&mut self) -> Option<String> {
        self.ws();
        let mut chars = self.rest().char_indices();
        let (_, quote) = chars.next()?;
        if !matches!(quote, '\'' | '"' | '`') {
            return None;
        }
        let mut out = String::new();
        while let Some((i, c)) = chars.next() {
            match c {
                c if c == quote => {
                    self.pos += i + c.len_utf8();
                    return Some(out);
                }
                '$' if quote == '`' && self.rest()[i..].starts_with("${") => return None,
                '\\' => {
                    let (_, e) = chars.next()?;
                    match e {
                        'n' => out.push('\n'),
                        't' => out.push('\t'),
                        'r' => out.push('\r'),
                        'u' => {
                            let hex: String = (0..4)
                                .filter_map(|_| chars.next())
                                .map(|(_, c)| c)
                                .collect();
                            out.push(char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?);
                        }
                        other => out.push(other),
                    }
                }
                c => out.push(c),
            }
        }
        None
    }

    pub(super) fn number(&mut self) -> Option<Y> {
        self.ws();
        let r = self.rest();
        let len = r
            .char_indices()
            .find(|(i, c)| {
                !(c.is_ascii_digit()
                    || *c == '.'
                    || (*i == 0 && *c == '-')
                    || *c == 'e'
                    || *c == 'E')
            })
            .map_or(r.len(), |(i, _)| i);
        let text = &r[..len];
        let y = match text.parse::<i64>() {
            Ok(i) => Y::Int(i),
            Err(_) => Y::Float(text.parse::<f64>().ok().filter(|f| f.is_finite())?),
        };
        self.pos += len;
        Some(y)
    }

    /// `pm.environment.get("x")` and its siblings: the Postman name read.
    pub(super) fn variable_get(&mut self) -> Option<String> {
        let save = self.pos;
        for prefix in [
            "pm.environment.get(",
            "pm.collectionVariables.get(",
            "pm.globals.get(",
            "pm.variables.get(",
            "pm.iterationData.get(",
            "postman.getEnvironmentVariable(",
            "postman.getGlobalVariable(",
        ] {
            if self.eat(prefix) {
                if let Some(name) = self.string()
                    && self.eat(")")
                {
                    return Some(name);
                }
                break;
            }
        }
        self.pos = save;
        None
    }

    /// A literal value: string, number, `true`/`false`/`null`, an array or object of them,
    /// or a variable read (as the template that reads it, through `reference`).
    pub(super) fn value(&mut self, reference: &dyn Fn(&str) -> String, depth: usize) -> Option<Y> {
        self.ws();
        if depth > 32 {
            return None;
        }
        let first = self.rest().chars().next()?;
        match first {
            '\'' | '"' | '`' => self
                .string()
                .map(|s| Y::Str(crate::import::names::literal(&s))),
            '-' | '0'..='9' => self.number(),
            '[' => {
                self.pos += 1;
                let mut items = Vec::new();
                if self.eat("]") {
                    return Some(Y::seq(items));
                }
                loop {
                    items.push(self.value(reference, depth + 1)?);
                    if self.eat("]") {
                        return Some(Y::seq(items));
                    }
                    if !self.eat(",") {
                        return None;
                    }
                }
            }
            '{' => {
                self.pos += 1;
                let mut entries = Vec::new();
                if self.eat("}") {
                    return Some(Y::map(entries));
                }
                loop {
                    let key = match self.string() {
                        Some(k) => k,
                        None => self.ident()?.to_string(),
                    };
                    if !self.eat(":") {
                        return None;
                    }
                    entries.push((key, self.value(reference, depth + 1)?));
                    if self.eat("}") {
                        return Some(Y::map(entries));
                    }
                    if !self.eat(",") {
                        return None;
                    }
                }
            }
            _ => {
                if let Some(name) = self.variable_get() {
                    return Some(Y::Str(format!("<<{}>>", reference(&name))));
                }
                let save = self.pos;
                match self.ident()? {
                    "true" => Some(Y::Bool(true)),
                    "false" => Some(Y::Bool(false)),
                    "null" => Some(Y::Null),
                    name => {
                        // A name with a value, unless a path follows it (`codes.length`).
                        let source = self.values.and_then(|v| v.get(name));
                        let at_path = self.rest().trim_start().starts_with(['.', '[', '(']);
                        match source {
                            Some(src) if !at_path => Cursor::new(src).value(reference, depth + 1),
                            _ => {
                                self.pos = save;
                                None
                            }
                        }
                    }
                }
            }
        }
    }

    /// Accessors after a root: `.a`, `["b-c"]`, `[0]`.
    pub(super) fn accessors(&mut self) -> Option<Vec<Seg>> {
        let mut segs = Vec::new();
        loop {
            let save = self.pos;
            if self.eat("?.") || self.eat(".") {
                if let Some(name) = self.ident() {
                    segs.push(Seg::Name(name.to_string()));
                } else {
                    self.pos = save;
                    return Some(segs);
                }
            } else if self.eat("[") {
                let seg = match self.string() {
                    Some(s) => Seg::Name(s),
                    None => match self.number()? {
                        Y::Int(i) if i >= 0 => Seg::Index(i),
                        _ => return None,
                    },
                };
                if !self.eat("]") {
                    return None;
                }
                segs.push(seg);
            } else {
                return Some(segs);
            }
        }
    }

    /// `/re/flags` as a Rust regex (`i`, `m`, `s` become inline flags; `g`, `u`, `y` ignored).
    pub(super) fn regex(&mut self) -> Option<String> {
        self.ws();
        let r = self.rest().strip_prefix('/')?;
        let mut escaped = false;
        let mut in_class = false;
        for (i, c) in r.char_indices() {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '[' => in_class = true,
                ']' => in_class = false,
                '/' if !in_class => {
                    let pattern = &r[..i];
                    let flags: String = r[i + 1..]
                        .chars()
                        .take_while(char::is_ascii_alphabetic)
                        .collect();
                    self.pos += 1 + i + 1 + flags.len();
                    let inline: String = flags.chars().filter(|f| "ims".contains(*f)).collect();
                    let re = if inline.is_empty() {
                        pattern.to_string()
                    } else {
                        format!("(?{inline}){pattern}")
                    };
                    return regex::Regex::new(&re).is_ok().then_some(re);
                }
                _ => {}
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_paths_and_regexes() {
        let refer = |n: &str| n.to_string();
        let v = Cursor::new(r#"{a: 'x', "b": [1, -2.5, true, null]}"#).value(&refer, 0);
        assert_eq!(
            v.unwrap(),
            Y::map([
                ("a", Y::str("x")),
                (
                    "b",
                    Y::seq([Y::Int(1), Y::Float(-2.5), Y::Bool(true), Y::Null])
                )
            ])
        );
        let v = Cursor::new(r#"pm.environment.get("user_id")"#).value(&refer, 0);
        assert_eq!(v.unwrap(), Y::str("<<user_id>>"));
        let mut c = Cursor::new(r#".data["user-id"][0].name)"#);
        let segs = c.accessors().unwrap();
        assert_eq!(jsonpath(&segs), "$.data['user-id'][0].name");
        assert_eq!(c.rest(), ")");
        assert_eq!(Cursor::new("/^ab\\/c$/i").regex().unwrap(), "(?i)^ab\\/c$");
        assert!(Cursor::new("`a ${b}`").string().is_none());
        assert!(Cursor::new("'unterminated").string().is_none());
        assert!(Cursor::new("[1, 2").value(&refer, 0).is_none());
    }
}
