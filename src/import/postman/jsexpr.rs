//! The values of the few expressions a pre-request script builds a variable or a token
//! request from: literals, variable reads, `+` of text, object and array literals, names
//! bound earlier, dates and uuids (as baton functions), paths into a `pm.sendRequest`
//! response. Anything else is `None`: the statement is not converted.

use super::jslex::{T, Tok, is_p};
use std::collections::HashMap;

/// A value a pre-request script computes.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Val {
    /// Text in Postman's spelling: `{{name}}` where a variable is read.
    Text(String),
    Obj(Vec<(String, Val)>),
    Arr(Vec<Val>),
    /// The response of `pm.sendRequest` (the callback's parameter).
    Response,
    /// A path into the JSON body of that response.
    Json(Vec<String>),
    /// `require('moment')` or `require('uuid')`.
    Module(String),
    /// `new Date()`, `moment()`: the time the script runs.
    Now,
}

/// Marks a baton expression inside [`Val::Text`]: `\0uuid()\0` is written `<<uuid()>>`.
pub(super) const EXPR: char = '\0';

fn expr(e: &str) -> Val {
    Val::Text(format!("{EXPR}{e}{EXPR}"))
}

/// Text as people read it: baton expressions as `<<e>>`.
pub(super) fn shown(text: &str) -> String {
    text.split(EXPR)
        .enumerate()
        .map(|(i, part)| {
            if i % 2 == 1 {
                format!("<<{part}>>")
            } else {
                part.to_string()
            }
        })
        .collect()
}

/// A moment.js format as strftime, when every token of it has one.
fn strftime(moment: &str) -> Option<String> {
    const TOKENS: &[(&str, &str)] = &[
        ("YYYY", "%Y"),
        ("YY", "%y"),
        ("MM", "%m"),
        ("DD", "%d"),
        ("HH", "%H"),
        ("hh", "%I"),
        ("mm", "%M"),
        ("ss", "%S"),
        ("SSS", "%3f"),
        ("A", "%p"),
    ];
    let mut out = String::new();
    let mut rest = moment;
    'next: while let Some(c) = rest.chars().next() {
        for (t, f) in TOKENS {
            if let Some(r) = rest.strip_prefix(t) {
                out.push_str(f);
                rest = r;
                continue 'next;
            }
        }
        if c.is_ascii_alphabetic() || c == '[' || c == '%' {
            return None;
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    Some(out)
}

/// Names bound by `const x = …`, with the names their value read.
#[derive(Default)]
pub(super) struct Scope {
    pub bound: HashMap<String, (Val, Vec<String>)>,
}

/// A cursor over the tokens of one statement.
pub(super) struct P<'a> {
    pub t: &'a [T],
    pub i: usize,
    /// Bound names read, so their lines count with the statement that used them.
    pub used: Vec<String>,
    /// How deep in brackets the reading is: a script of a million `[` is refused, not a
    /// stack overflow.
    depth: usize,
}

impl<'a> P<'a> {
    pub(super) fn new(t: &'a [T]) -> P<'a> {
        P {
            t,
            i: 0,
            used: Vec::new(),
            depth: 0,
        }
    }

    pub(super) fn peek(&self) -> Option<&'a Tok> {
        self.t.get(self.i).map(|t| &t.tok)
    }

    pub(super) fn at_end(&self) -> bool {
        self.i >= self.t.len()
    }

    /// The next tokens if they are these identifiers and punctuation (`"pm"`, `"."`, ...).
    pub(super) fn eat(&mut self, seq: &[&str]) -> bool {
        let ok = seq.iter().enumerate().all(|(k, s)| {
            matches!(self.t.get(self.i + k).map(|t| &t.tok),
                Some(Tok::Id(x) | Tok::P(x)) if x == s)
        });
        if ok {
            self.i += seq.len();
        }
        ok
    }

    pub(super) fn ident(&mut self) -> Option<String> {
        match self.peek()? {
            Tok::Id(x) => {
                self.i += 1;
                Some(x.clone())
            }
            _ => None,
        }
    }

    pub(super) fn string(&mut self) -> Option<String> {
        match self.peek()? {
            Tok::Str(s) => {
                self.i += 1;
                Some(s.clone())
            }
            Tok::Tpl(s) if !s.contains("${") => {
                self.i += 1;
                Some(s.clone())
            }
            _ => None,
        }
    }

    /// `a + b + …`: text joined; any other value alone.
    pub(super) fn expr(&mut self, scope: &Scope) -> Option<Val> {
        let first = self.primary(scope)?;
        if !is_p(self.t.get(self.i), "+") {
            return Some(first);
        }
        let Val::Text(mut s) = first else { return None };
        while self.eat(&["+"]) {
            match self.primary(scope)? {
                Val::Text(more) => s.push_str(&more),
                _ => return None,
            }
        }
        Some(Val::Text(s))
    }

    /// An object or array literal whose leaves are strings, numbers, `true`, `false` and
    /// `null` (what `JSON.stringify` of it writes is then known); anything else is `None`.
    fn json_literal(&mut self) -> Option<serde_json::Value> {
        use serde_json::Value;
        if self.depth > 64 {
            return None;
        }
        self.depth += 1;
        let v = match self.peek()?.clone() {
            Tok::Str(s) => {
                self.i += 1;
                Value::String(s)
            }
            Tok::Num(n) => {
                self.i += 1;
                Value::Number(n.parse().ok()?)
            }
            Tok::P(m) if m == "-" => {
                self.i += 1;
                let Tok::Num(n) = self.peek()?.clone() else {
                    return None;
                };
                self.i += 1;
                Value::Number(format!("-{n}").parse().ok()?)
            }
            Tok::Id(w) if matches!(w.as_str(), "true" | "false" | "null") => {
                self.i += 1;
                serde_json::from_str(&w).ok()?
            }
            Tok::P(b) if b == "{" => {
                Value::Object(self.object(Self::json_literal)?.into_iter().collect())
            }
            Tok::P(b) if b == "[" => Value::Array(self.array(Self::json_literal)?),
            _ => return None,
        };
        self.depth -= 1;
        Some(v)
    }

    /// `{ k: V, "k": V, }` at the cursor, each value read by `value`.
    fn object<T>(
        &mut self,
        mut value: impl FnMut(&mut Self) -> Option<T>,
    ) -> Option<Vec<(String, T)>> {
        self.i += 1;
        let mut fields = Vec::new();
        while !self.eat(&["}"]) {
            let key = match self.peek()? {
                Tok::Id(k) | Tok::Str(k) => k.clone(),
                _ => return None,
            };
            self.i += 1;
            if !self.eat(&[":"]) {
                return None;
            }
            fields.push((key, value(self)?));
            if !self.eat(&[","]) && !is_p(self.t.get(self.i), "}") {
                return None;
            }
        }
        Some(fields)
    }

    /// `[V, V, ]` at the cursor, each item read by `item`.
    fn array<T>(&mut self, mut item: impl FnMut(&mut Self) -> Option<T>) -> Option<Vec<T>> {
        self.i += 1;
        let mut items = Vec::new();
        while !self.eat(&["]"]) {
            items.push(item(self)?);
            if !self.eat(&[","]) && !is_p(self.t.get(self.i), "]") {
                return None;
            }
        }
        Some(items)
    }

    fn primary(&mut self, scope: &Scope) -> Option<Val> {
        if self.depth > 64 {
            return None;
        }
        self.depth += 1;
        let v = self.primary_at_depth(scope);
        self.depth -= 1;
        v
    }

    fn primary_at_depth(&mut self, scope: &Scope) -> Option<Val> {
        const GETTERS: &[&[&str]] = &[
            &["pm", ".", "environment", ".", "get", "("],
            &["pm", ".", "variables", ".", "get", "("],
            &["pm", ".", "collectionVariables", ".", "get", "("],
            &["pm", ".", "globals", ".", "get", "("],
            &["pm", ".", "iterationData", ".", "get", "("],
            &["postman", ".", "getEnvironmentVariable", "("],
            &["postman", ".", "getGlobalVariable", "("],
        ];
        if GETTERS.iter().any(|g| self.eat(g)) {
            let name = self.string()?;
            return self
                .eat(&[")"])
                .then(|| Val::Text(format!("{{{{{name}}}}}")));
        }
        if self.eat(&["pm", ".", "variables", ".", "replaceIn", "("]) {
            let v = self.expr(scope)?;
            return self.eat(&[")"]).then_some(v);
        }
        if self.eat(&["JSON", ".", "stringify", "("]) {
            // An object or array literal of literals: its JSON text, as JavaScript writes it.
            if matches!(self.peek()?, Tok::P(b) if b == "{" || b == "[") {
                let v = self.json_literal()?;
                return self.eat(&[")"]).then(|| Val::Text(v.to_string()));
            }
            // A JSON string of text that needs no escaping (a date, a uuid, a literal).
            let Val::Text(t) = self.expr(scope)? else {
                return None;
            };
            let plain = !t.contains(['"', '\\', '\n']) && !t.contains("{{");
            return (plain && self.eat(&[")"])).then(|| Val::Text(format!("\"{t}\"")));
        }
        if self.eat(&["JSON", ".", "parse", "("]) {
            let v = self.expr(scope)?;
            return (v == Val::Response && self.eat(&[")"])).then(|| Val::Json(Vec::new()));
        }
        let v = match self.peek()?.clone() {
            Tok::Str(s) => {
                self.i += 1;
                Val::Text(s)
            }
            Tok::Num(n) => {
                self.i += 1;
                Val::Text(n)
            }
            Tok::Tpl(raw) => {
                self.i += 1;
                Val::Text(self.interpolate(&raw, scope)?)
            }
            Tok::P(p) if p == "{" => Val::Obj(self.object(|me| me.expr(scope))?),
            Tok::P(p) if p == "[" => Val::Arr(self.array(|me| me.expr(scope))?),
            Tok::Id(w) if w == "true" || w == "false" => {
                self.i += 1;
                Val::Text(w)
            }
            Tok::Id(w) if w == "require" => {
                self.i += 1;
                if !self.eat(&["("]) {
                    return None;
                }
                let m = self.string()?;
                if !self.eat(&[")"]) || !matches!(m.as_str(), "moment" | "uuid") {
                    return None;
                }
                Val::Module(m)
            }
            Tok::Id(w) if w == "new" => {
                if !self.eat(&["new", "Date", "(", ")"]) {
                    return None;
                }
                Val::Now
            }
            Tok::Id(w) if w == "Date" => {
                if !self.eat(&["Date", ".", "now", "(", ")"]) {
                    return None;
                }
                // Milliseconds since the epoch, as JavaScript counts them.
                expr("now('%s%3f')")
            }
            Tok::P(p) if p == "(" => {
                self.i += 1;
                let v = self.expr(scope)?;
                if !self.eat(&[")"]) {
                    return None;
                }
                v
            }
            Tok::Id(name) => {
                let (v, _) = scope.bound.get(&name)?;
                self.i += 1;
                if !self.used.contains(&name) {
                    self.used.push(name.clone());
                }
                v.clone()
            }
            Tok::P(_) => return None,
        };
        self.accessors(v, scope)
    }

    /// `.a`, `["a"]`, `.json()` and `.text()` of a response; calls of a module, of a date
    /// and of text.
    fn accessors(&mut self, mut v: Val, scope: &Scope) -> Option<Val> {
        loop {
            match &v {
                Val::Module(m) if m == "moment" && self.eat(&["(", ")"]) => {
                    v = Val::Now;
                    continue;
                }
                Val::Module(m)
                    if m == "uuid"
                        && (self.eat(&["(", ")"]) || self.eat(&[".", "v4", "(", ")"])) =>
                {
                    v = expr("uuid()");
                    continue;
                }
                Val::Now if self.eat(&[".", "toISOString", "(", ")"]) => {
                    v = expr(crate::import::names::ISO_TIMESTAMP);
                    continue;
                }
                Val::Now
                    if self.eat(&[".", "getTime", "(", ")"])
                        || self.eat(&[".", "valueOf", "(", ")"]) =>
                {
                    v = expr("now('%s%3f')");
                    continue;
                }
                Val::Now if self.eat(&[".", "format", "("]) => {
                    let f = strftime(&self.string()?)?;
                    if !self.eat(&[")"]) {
                        return None;
                    }
                    v = expr(&format!("now('{f}')"));
                    continue;
                }
                Val::Text(t) if self.eat(&[".", "toString", "(", ")"]) => {
                    v = Val::Text(t.clone());
                    continue;
                }
                Val::Text(t) if self.eat(&[".", "concat", "("]) => {
                    let mut joined = t.clone();
                    while !self.eat(&[")"]) {
                        let Val::Text(more) = self.expr(scope)? else {
                            return None;
                        };
                        joined.push_str(&more);
                        if !self.eat(&[","]) && !is_p(self.t.get(self.i), ")") {
                            return None;
                        }
                    }
                    v = Val::Text(joined);
                    continue;
                }
                _ => {}
            }
            if v == Val::Response
                && (self.eat(&[".", "json", "(", ")"]) || self.eat(&[".", "text", "(", ")"]))
            {
                // `.text()` only means JSON inside `JSON.parse(…)`, which checks for it.
                v = if self.t[self.i - 3].tok == Tok::Id("json".into()) {
                    Val::Json(Vec::new())
                } else {
                    Val::Response
                };
                continue;
            }
            let key = if self.eat(&["."]) || self.eat(&["?."]) {
                self.ident()?
            } else if is_p(self.t.get(self.i), "[") && matches!(v, Val::Json(_) | Val::Obj(_)) {
                self.i += 1;
                let k = self.string()?;
                if !self.eat(&["]"]) {
                    return None;
                }
                k
            } else {
                return Some(v);
            };
            v = match v {
                Val::Json(mut path) => {
                    path.push(key);
                    Val::Json(path)
                }
                Val::Obj(fields) => fields.into_iter().find(|(k, _)| *k == key)?.1,
                _ => return None,
            };
        }
    }

    /// `` `a ${b}` ``: each `${name}` a bound text.
    fn interpolate(&mut self, raw: &str, scope: &Scope) -> Option<String> {
        let mut out = String::new();
        let mut rest = raw;
        while let Some(at) = rest.find("${") {
            out.push_str(&rest[..at]);
            let end = rest[at..].find('}')? + at;
            let name = rest[at + 2..end].trim();
            match scope.bound.get(name) {
                Some((Val::Text(t), _)) => out.push_str(t),
                _ => return None,
            }
            if !self.used.iter().any(|u| u == name) {
                self.used.push(name.to_string());
            }
            rest = &rest[end + 1..];
        }
        out.push_str(rest);
        Some(out)
    }
}
