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
//! `lt`, `ge`, `le`, `lengthOf(n)` → `length` (`lengthOf.at.least(n)`: a predicate on the
//! length), `empty` → `length: 0` (`not.empty`: `length: { gt: 0 }`), `eql(undefined)` →
//! `exists: false`, `match(/re/)` → `matches`, `oneOf([…])` → `one_of`, `property("k"[, v])`
//! → the path below exists (or equals v), `all.keys(…)`/`keys(…)` → each key exists and the
//! object has that many (`include.all.keys(…)`: each exists). Several checks may be chained
//! with `and`. `pm.response.to.be.error` is a 4xx or a 5xx, as in chai-postman.

use super::js::{Cursor, Seg, jsonpath};
use super::script::{Scope, path};
use crate::import::out::Expect;
use crate::import::yaml::Y;
use std::collections::HashMap;
use std::ops::Not;

/// What `pm.expect(…)` is about.
pub(super) enum Subject {
    Path(Vec<Seg>),
    Status,
    Duration,
    Header(String),
    Raw,
}

/// One check a chain makes of its subject.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Check {
    /// A baton predicate: `(op, value)`.
    Op(String, Y),
    /// A predicate on the subject's length (`eq` is written bare: `length: 2`).
    Length(String, Y),
    /// `property("k"[, v])`: the path below exists (or equals v).
    Property(String, Option<Y>),
    /// `all.keys(…)` (exactly these: each exists, and the object has that many) or
    /// `include.all.keys(…)` (at least these).
    Keys(Vec<String>, bool),
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
];

const FILLER: &[&str] = &[
    "to", "be", "been", "is", "that", "which", "and", "has", "have", "with", "at", "of", "same",
    "but", "does", "still", "also", "deep", "an_", "all",
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
    scope: &Scope,
    reference: &dyn Fn(&str) -> String,
    out: &mut Expect,
) -> bool {
    let mut c = Cursor::with(stmt, &scope.values);
    if c.eat("pm.response.to.") {
        return shorthand(&mut c, out);
    }
    if !c.eat("pm.expect(") {
        return false;
    }
    let Some(subject) = subject(&mut c, &scope.aliases) else {
        return false;
    };
    // `pm.expect(x, "what it is")`: the message is for people.
    if c.eat(",") && c.string().is_none() {
        return false;
    }
    if !c.eat(")") {
        return false;
    }
    let Some(checks) = chain(&mut c, reference) else {
        return false;
    };
    c.at_end() && checks.into_iter().all(|k| apply(&subject, k, out))
}

/// The subject of an assertion: a path, the status, the time, a header or the raw body.
pub(super) fn subject(c: &mut Cursor, aliases: &HashMap<String, Vec<Seg>>) -> Option<Subject> {
    Some(if c.eat("pm.response.code") || c.eat("responseCode.code") {
        Subject::Status
    } else if c.eat("pm.response.responseTime") || c.eat("responseTime") {
        Subject::Duration
    } else if c.eat("pm.response.text()") || c.eat("responseBody") {
        Subject::Raw
    } else if c.eat("pm.response.headers.get(") || c.eat("postman.getResponseHeader(") {
        let h = c.string()?;
        c.eat(")").then_some(())?;
        Subject::Header(h.to_ascii_lowercase())
    } else {
        Subject::Path(path(c, aliases)?)
    })
}

/// The chai chain after `pm.expect(…)`: the checks it makes, in baton's words. `not`
/// negates what follows it (chai keeps the flag to the end of the chain).
fn chain(c: &mut Cursor, reference: &dyn Fn(&str) -> String) -> Option<Vec<Check>> {
    let mut checks = Vec::new();
    let (mut negated, mut length, mut superset) = (false, false, false);
    while c.eat(".") {
        let word = c.ident()?;
        if FILLER.contains(&word) {
            continue;
        }
        let call = c.rest().trim_start().starts_with('(');
        let arg = |c: &mut Cursor| -> Option<Y> {
            if !c.eat("(") {
                return None;
            }
            let v = c.value(reference, 0)?;
            c.eat(")").then_some(v)
        };
        let neg = |yes: &'static str, no: &'static str| if negated { no } else { yes };
        let (op, value) = match word {
            "not" => {
                negated = !negated;
                continue;
            }
            "lengthOf" | "length" if !call => {
                length = true;
                continue;
            }
            "include" | "includes" | "contain" | "contains" if !call => {
                superset = true;
                continue;
            }
            "eql" | "equal" | "equals" | "eq" => {
                if c.eat("(undefined)") {
                    ("exists", Y::Bool(negated))
                } else {
                    (neg("eq", "ne"), arg(c)?)
                }
            }
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
            "null" => (neg("eq", "ne"), Y::Null),
            "true" | "false" => (neg("eq", "ne"), Y::Bool(word == "true")),
            // chai: a string, an array or an object without keys.
            "empty" if !length => {
                checks.push(Check::Length(neg("eq", "gt").into(), Y::Int(0)));
                continue;
            }
            "include" | "includes" | "contain" | "contains" | "string" => {
                (neg("contains", "not_contains"), arg(c)?)
            }
            "above" | "gt" | "greaterThan" => (neg("gt", "le"), arg(c)?),
            "below" | "lt" | "lessThan" => (neg("lt", "ge"), arg(c)?),
            "least" | "gte" => (neg("ge", "lt"), arg(c)?),
            "most" | "lte" => (neg("le", "gt"), arg(c)?),
            "lengthOf" | "length" if !negated => {
                checks.push(Check::Length("eq".into(), arg(c)?));
                continue;
            }
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
                // chai moves the subject to the property: nothing may follow.
                checks.push(Check::Property(key, value));
                return c
                    .rest()
                    .trim_start()
                    .starts_with('.')
                    .not()
                    .then_some(checks);
            }
            "keys" | "key" if !negated => {
                checks.push(Check::Keys(keys(c)?, !superset));
                continue;
            }
            _ => return None,
        };
        if op == "one_of" && !matches!(value, Y::Seq(_)) {
            return None;
        }
        checks.push(if length && op != "exists" {
            Check::Length(op.to_string(), value)
        } else {
            Check::Op(op.to_string(), value)
        });
    }
    (!checks.is_empty()).then_some(checks)
}

/// `("a", "b")` or `(["a", "b"])`.
fn keys(c: &mut Cursor) -> Option<Vec<String>> {
    if !c.eat("(") {
        return None;
    }
    let bracket = c.eat("[");
    let mut out = vec![c.string()?];
    while c.eat(",") {
        out.push(c.string()?);
    }
    if bracket && !c.eat("]") {
        return None;
    }
    c.eat(")").then_some(out)
}

/// Put one check of `subject` into `out`; false when baton cannot say it.
pub(super) fn apply(subject: &Subject, check: Check, out: &mut Expect) -> bool {
    let (op, value) = match check {
        Check::Op(op, value) => (op, value),
        Check::Length(op, value) => return length(subject, &op, value, out),
        Check::Property(key, value) => {
            let Subject::Path(segs) = subject else {
                return false;
            };
            let mut segs = segs.clone();
            segs.push(Seg::Name(key));
            let (op, v) = match value {
                None => ("exists", Y::Bool(true)),
                Some(v) => ("eq", v),
            };
            return Expect::add(&mut out.body, &jsonpath(&segs), op, v);
        }
        Check::Keys(keys, exact) => {
            let Subject::Path(segs) = subject else {
                return false;
            };
            let mut ok = true;
            for k in &keys {
                let mut below = segs.clone();
                below.push(Seg::Name(k.clone()));
                ok &= Expect::add(&mut out.body, &jsonpath(&below), "exists", Y::Bool(true));
            }
            // Exactly these keys: each is there, and there are no more of them.
            if exact {
                let n = i64::try_from(keys.len()).unwrap_or(i64::MAX);
                ok &= Expect::add(&mut out.body, &jsonpath(segs), "length", Y::Int(n));
            }
            return ok;
        }
    };
    let op = op.as_str();
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
            Expect::add(&mut out.headers, h, op, value)
        }
        Subject::Raw => {
            if !matches!(op, "eq" | "ne" | "contains" | "not_contains" | "matches") {
                return false;
            }
            Expect::add(&mut out.body, op, "eq", value)
        }
        Subject::Path(segs) => {
            // `x.length` compared: a length check of x.
            if let Some((Seg::Name(last), parent)) = segs.split_last()
                && last == "length"
                && op != "exists"
            {
                return length(&Subject::Path(parent.to_vec()), op, value, out);
            }
            Expect::add(&mut out.body, &jsonpath(segs), op, value)
        }
    }
}

/// `length: v` (for `eq`) or `length: { op: v }` of a path or the raw body.
fn length(subject: &Subject, op: &str, value: Y, out: &mut Expect) -> bool {
    if !matches!(value, Y::Int(_)) || !matches!(op, "eq" | "ne" | "gt" | "ge" | "lt" | "le") {
        return false;
    }
    let inner = if op == "eq" {
        value
    } else {
        Y::map([(op, value)])
    };
    match subject {
        Subject::Path(segs) => Expect::add(&mut out.body, &jsonpath(segs), "length", inner),
        Subject::Raw => Expect::add(&mut out.body, "length", "eq", inner),
        _ => false,
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
        // chai-postman: `error` is a client or a server error.
        "error" if done(c) => {
            out.status = Some(Y::seq([Y::str("4xx"), Y::str("5xx")]));
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
