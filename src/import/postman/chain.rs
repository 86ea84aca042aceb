//! Assertions of Postman test scripts as baton expectations: `pm.expect(SUBJECT)` followed by
//! a chai chain, and the `pm.response.to.…` shorthands.
//!
//! Subjects: a path into the JSON body (`jsonData.a`, `pm.response.json().a[0]`, with a final
//! `.length` read as a length check), `pm.response.code`/`responseCode.code` (status),
//! `pm.response.responseTime` (duration), `pm.response.headers.get("H")` (a header),
//! `pm.response.text()`/`responseBody` (the raw body).
//!
//! Chains (`to`, `be`, `have`, `deep`, `at`, … are filler; `not` negates): `eql`/`equal`/`eq`
//! → `eq` (`ne`), `a`/`an` → `type`, `exist` → `exists`, `undefined` → `exists: false`,
//! `null`/`true`/`false` → `eq`, `include`/`contain`/`string` → `contains` (`not_contains`),
//! `above`/`gt`/`greaterThan`, `below`/`lt`/`lessThan`, `least`/`gte`, `most`/`lte` → `gt`,
//! `lt`, `ge`, `le`, `lengthOf` → `length`, `match(/re/)` → `matches`, `oneOf([…])` →
//! `one_of`, `property("k"[, v])` → the path below exists (or equals v).

use super::js::{Cursor, Seg, jsonpath};
use super::script::path;
use crate::import::out::Expect;
use crate::import::yaml::Y;
use std::collections::HashMap;

enum Subject {
    Path(Vec<Seg>),
    Status,
    Duration,
    Header(String),
    Raw,
}

/// Status shorthands of `pm.response.to.be.X` (Postman's chai-postman).
const STATUS_WORDS: &[(&str, &str)] = &[
    ("ok", "200"),
    ("success", "2xx"),
    ("accepted", "202"),
    ("badRequest", "400"),
    ("unauthorized", "401"),
    ("unauthorised", "401"),
    ("forbidden", "403"),
    ("notFound", "404"),
    ("rateLimited", "429"),
    ("info", "1xx"),
    ("redirection", "3xx"),
    ("clientError", "4xx"),
    ("serverError", "5xx"),
    ("error", "4xx"),
];

const FILLER: &[&str] = &[
    "to", "be", "been", "is", "that", "which", "and", "has", "have", "with", "at", "of", "same",
    "but", "does", "still", "also", "deep", "an_",
];

fn status_value(text: &str) -> Y {
    match text.parse::<i64>() {
        Ok(n) => Y::Int(n),
        Err(_) => Y::str(text),
    }
}

/// Recognise one assertion statement into `out`; false when it is not one.
pub(super) fn expectation(
    stmt: &str,
    aliases: &HashMap<String, Vec<Seg>>,
    reference: &dyn Fn(&str) -> String,
    out: &mut Expect,
) -> bool {
    let mut c = Cursor::new(stmt);
    if c.eat("pm.response.to.") {
        return shorthand(&mut c, out);
    }
    if c.eat("tests[") {
        return legacy(&mut c, aliases, reference, out);
    }
    if !c.eat("pm.expect(") {
        return false;
    }
    let subject = if c.eat("pm.response.code") || c.eat("responseCode.code") {
        Subject::Status
    } else if c.eat("pm.response.responseTime") || c.eat("responseTime") {
        Subject::Duration
    } else if c.eat("pm.response.text()") || c.eat("responseBody") {
        Subject::Raw
    } else if c.eat("pm.response.headers.get(") || c.eat("postman.getResponseHeader(") {
        match c.string() {
            Some(h) if c.eat(")") => Subject::Header(h.to_ascii_lowercase()),
            _ => return false,
        }
    } else {
        match path(&mut c, aliases) {
            Some(segs) => Subject::Path(segs),
            None => return false,
        }
    };
    if !c.eat(")") {
        return false;
    }
    let Some((op, value)) = chain(&mut c, reference) else {
        return false;
    };
    if !c.at_end() {
        return false;
    }
    apply(subject, &op, value, out)
}

/// The chai chain after `pm.expect(…)`: `(op, value)` in baton's words.
fn chain(c: &mut Cursor, reference: &dyn Fn(&str) -> String) -> Option<(String, Y)> {
    let mut negated = false;
    loop {
        if !c.eat(".") {
            return None;
        }
        let word = c.ident()?;
        if FILLER.contains(&word) {
            continue;
        }
        if word == "not" {
            negated = !negated;
            continue;
        }
        let arg = |c: &mut Cursor| -> Option<Y> {
            if !c.eat("(") {
                return None;
            }
            let v = c.value(reference, 0)?;
            c.eat(")").then_some(v)
        };
        let (op, value) = match word {
            "eql" | "equal" | "equals" | "eq" => (if negated { "ne" } else { "eq" }, arg(c)?),
            "a" | "an" if !negated => {
                let t = match arg(c)? {
                    Y::Str(t) => t.to_ascii_lowercase(),
                    _ => return None,
                };
                if t == "undefined" {
                    ("exists", Y::Bool(false))
                } else if ["string", "number", "boolean", "array", "object", "null"]
                    .contains(&t.as_str())
                {
                    ("type", Y::Str(t))
                } else {
                    return None;
                }
            }
            "exist" | "exists" => ("exists", Y::Bool(!negated)),
            "undefined" => ("exists", Y::Bool(negated)),
            "null" => (if negated { "ne" } else { "eq" }, Y::Null),
            "true" | "false" => (if negated { "ne" } else { "eq" }, Y::Bool(word == "true")),
            "include" | "includes" | "contain" | "contains" | "string" => {
                (if negated { "not_contains" } else { "contains" }, arg(c)?)
            }
            "above" | "gt" | "greaterThan" => (if negated { "le" } else { "gt" }, arg(c)?),
            "below" | "lt" | "lessThan" => (if negated { "ge" } else { "lt" }, arg(c)?),
            "least" | "gte" => (if negated { "lt" } else { "ge" }, arg(c)?),
            "most" | "lte" => (if negated { "gt" } else { "le" }, arg(c)?),
            "lengthOf" | "length" if !negated => ("length", arg(c)?),
            "match" if !negated => {
                if !c.eat("(") {
                    return None;
                }
                let re = c.regex()?;
                if !c.eat(")") {
                    return None;
                }
                ("matches", Y::Str(crate::import::names::literal(&re)))
            }
            "oneOf" if !negated => ("one_of", arg(c)?),
            "property" if !negated => {
                if !c.eat("(") {
                    return None;
                }
                let key = c.string()?;
                let value = if c.eat(",") {
                    Some(c.value(reference, 0)?)
                } else {
                    None
                };
                if !c.eat(")") {
                    return None;
                }
                // Encoded as a pseudo-op read by `apply`.
                return Some((format!("property:{key}"), value.unwrap_or(Y::Null)));
            }
            _ => return None,
        };
        if op == "one_of" && !matches!(value, Y::Seq(_)) {
            return None;
        }
        return Some((op.to_string(), value));
    }
}

fn apply(subject: Subject, op: &str, value: Y, out: &mut Expect) -> bool {
    match subject {
        Subject::Status => match (op, value) {
            ("eq", v @ Y::Int(_)) => {
                out.status = Some(v);
                true
            }
            ("one_of", Y::Seq(items)) if items.iter().all(|i| matches!(i.value, Y::Int(_))) => {
                out.status = Some(Y::Seq(items));
                true
            }
            _ => false,
        },
        Subject::Duration => {
            if !matches!(op, "lt" | "le" | "gt" | "ge") || !matches!(value, Y::Int(_) | Y::Float(_))
            {
                return false;
            }
            out.duration.push((op.to_string(), value));
            true
        }
        Subject::Header(h) => {
            if !matches!(
                op,
                "eq" | "ne" | "contains" | "not_contains" | "matches" | "exists"
            ) {
                return false;
            }
            Expect::add(&mut out.headers, &h, op, value)
        }
        Subject::Raw => {
            if !matches!(op, "eq" | "ne" | "contains" | "not_contains" | "matches") {
                return false;
            }
            Expect::add(&mut out.body, op, "eq", value)
        }
        Subject::Path(mut segs) => {
            if let Some(key) = op.strip_prefix("property:") {
                segs.push(Seg::Name(key.to_string()));
                let (op, v) = match value {
                    Y::Null => ("exists", Y::Bool(true)),
                    v => ("eq", v),
                };
                return Expect::add(&mut out.body, &jsonpath(&segs), op, v);
            }
            let length = matches!(segs.last(), Some(Seg::Name(n)) if n == "length");
            if length {
                segs.pop();
                if op == "length" || !matches!(value, Y::Int(_)) {
                    return false;
                }
                let inner = if op == "eq" {
                    value
                } else {
                    Y::map([(op, value)])
                };
                return Expect::add(&mut out.body, &jsonpath(&segs), "length", inner);
            }
            Expect::add(&mut out.body, &jsonpath(&segs), op, value)
        }
    }
}

/// `pm.response.to.have.status(200)`, `.to.be.ok`, `.to.have.header("H"[, v])`, ….
fn shorthand(c: &mut Cursor, out: &mut Expect) -> bool {
    let reference = |n: &str| n.to_string();
    let mut word = c.ident();
    while let Some(w) = word
        && FILLER.contains(&w)
    {
        if !c.eat(".") {
            return false;
        }
        word = c.ident();
    }
    let Some(word) = word else { return false };
    let done = |c: &mut Cursor| c.at_end();
    match word {
        "status" => {
            if !c.eat("(") {
                return false;
            }
            match c.value(&reference, 0) {
                Some(v @ Y::Int(_)) if c.eat(")") && done(c) => {
                    out.status = Some(v);
                    true
                }
                _ => false,
            }
        }
        "header" => {
            if !c.eat("(") {
                return false;
            }
            let Some(h) = c.string() else { return false };
            let value = if c.eat(",") {
                c.value(&reference, 0)
            } else {
                Some(Y::Null)
            };
            let Some(value) = value else { return false };
            if !(c.eat(")") && done(c)) {
                return false;
            }
            let (op, v) = match value {
                Y::Null => ("exists", Y::Bool(true)),
                v => ("eq", v),
            };
            Expect::add(&mut out.headers, &h.to_ascii_lowercase(), op, v);
            true
        }
        "body" | "jsonBody" => {
            if !c.eat("(") {
                return false;
            }
            let Some(text) = c.string() else { return false };
            if !(c.eat(")") && done(c)) {
                return false;
            }
            if word == "body" {
                Expect::add(
                    &mut out.body,
                    "eq",
                    "eq",
                    Y::Str(crate::import::names::literal(&text)),
                );
            } else {
                let segs: Vec<Seg> = text.split('.').map(|s| Seg::Name(s.to_string())).collect();
                Expect::add(&mut out.body, &jsonpath(&segs), "exists", Y::Bool(true));
            }
            true
        }
        "json" if done(c) => {
            Expect::add(&mut out.headers, "content-type", "contains", Y::str("json"));
            true
        }
        w => match STATUS_WORDS.iter().find(|(name, _)| *name == w) {
            Some((_, status)) if done(c) => {
                out.status = Some(status_value(status));
                true
            }
            _ => false,
        },
    }
}

/// `tests["…"] = responseCode.code === 200;`, `= PATH === value;` and
/// `= responseBody.has("text");`.
fn legacy(
    c: &mut Cursor,
    aliases: &HashMap<String, Vec<Seg>>,
    reference: &dyn Fn(&str) -> String,
    out: &mut Expect,
) -> bool {
    if c.string().is_none() || !c.eat("]") || !c.eat("=") {
        return false;
    }
    if c.eat("responseCode.code") {
        if !(c.eat("===") || c.eat("==")) {
            return false;
        }
        return match c.number() {
            Some(v @ Y::Int(_)) if c.at_end() => {
                out.status = Some(v);
                true
            }
            _ => false,
        };
    }
    let save = c.pos;
    if let Some(segs) = path(c, aliases)
        && (c.eat("===") || c.eat("=="))
        && let Some(v) = c.value(reference, 0)
        && c.at_end()
    {
        Expect::add(&mut out.body, &jsonpath(&segs), "eq", v);
        return true;
    }
    c.pos = save;
    if c.eat("responseBody.has(") {
        let Some(text) = c.string() else { return false };
        if c.eat(")") && c.at_end() {
            Expect::add(
                &mut out.body,
                "contains",
                "eq",
                Y::Str(crate::import::names::literal(&text)),
            );
            return true;
        }
    }
    false
}
