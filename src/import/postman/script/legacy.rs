//! Legacy `tests["…"] = EXPR;` assertions (Postman's sandbox before `pm.*`) as
//! expectations. What EXPR may be, exactly:
//!
//! - `true`: asserts nothing, so nothing is written (the line still counts as converted);
//! - a status condition (`responseCode.code === 200 || …`, or a name holding one) → `status`;
//! - `responseBody.has("t")` → the body contains t;
//! - `PATH.hasOwnProperty("k")` (`!` before it: the opposite) → `$.path.k` exists;
//! - `Number.isInteger(PATH)`, `Array.isArray(PATH)` → `type: integer`, `type: array`;
//! - `/re/.test(PATH)` → `matches`;
//! - `SUBJECT OP VALUE` with `===`, `==`, `!==`, `!=`, `>`, `>=`, `<`, `<=` on a path (a
//!   final `.length` compares the length), `responseTime` or a header;
//! - `postman.getResponseHeader("H")` alone → the header exists.

use super::Scope;
use super::guard;
use crate::import::out::Expect;
use crate::import::postman::chain::{self, Check, Subject};
use crate::import::postman::js::{Cursor, Seg};
use crate::import::yaml::Y;

/// After `tests[`: the name, `] =` and the expression; false when it is not one of the above.
pub(super) fn assignment(
    c: &mut Cursor,
    scope: &Scope,
    reference: &dyn Fn(&str) -> String,
    out: &mut Expect,
) -> bool {
    // The name is for people, and may be built (`"token: " + value`): up to its `]`.
    let Some(end) = name_end(c.rest()) else {
        return false;
    };
    c.pos += end;
    if !c.eat("]") || !c.eat("=") || c.rest().starts_with('=') {
        return false;
    }
    let expr = c.rest().trim().trim_end_matches(';').trim();
    if expr == "true" {
        return true;
    }
    if let Some(codes) = guard::status_cond(expr, &scope.flags) {
        out.status = Some(status(&codes));
        return true;
    }
    let mut c = Cursor::with(expr, &scope.values);
    let Some((subject, check)) = check(&mut c, scope, reference) else {
        return false;
    };
    c.at_end() && chain::apply(&subject, check, out)
}

/// Where the `]` that closes `tests[` is (outside strings and inner brackets).
fn name_end(s: &str) -> Option<usize> {
    let (mut depth, mut quote, mut escaped) = (0usize, None::<char>, false);
    for (i, ch) in s.char_indices() {
        match quote {
            Some(q) => {
                if escaped {
                    escaped = false;
                } else if ch == '\\' {
                    escaped = true;
                } else if ch == q {
                    quote = None;
                }
            }
            None => match ch {
                '\'' | '"' | '`' => quote = Some(ch),
                '[' | '(' => depth += 1,
                ')' => depth = depth.checked_sub(1)?,
                ']' if depth == 0 => return Some(i),
                ']' => depth -= 1,
                _ => {}
            },
        }
    }
    None
}

/// The status expectation of one or several codes.
pub(super) fn status(codes: &[i64]) -> Y {
    match codes {
        [one] => Y::Int(*one),
        many => Y::seq(many.iter().map(|n| Y::Int(*n))),
    }
}

fn check(
    c: &mut Cursor,
    scope: &Scope,
    reference: &dyn Fn(&str) -> String,
) -> Option<(Subject, Check)> {
    let aliases = &scope.aliases;
    // `f(PATH)`: only a path of the body.
    let wrapped = |c: &mut Cursor| -> Option<Subject> {
        let s = chain::subject(c, aliases)?;
        (c.eat(")") && matches!(s, Subject::Path(_))).then_some(s)
    };
    if c.eat("responseBody.has(") {
        let text = c.string()?;
        c.eat(")").then_some(())?;
        let v = Y::Str(crate::import::names::literal(&text));
        return Some((Subject::Raw, Check::Op("contains".into(), v)));
    }
    if c.eat("Number.isInteger(") {
        let s = wrapped(c)?;
        return Some((s, Check::Op("type".into(), Y::str("integer"))));
    }
    if c.eat("Array.isArray(") {
        let s = wrapped(c)?;
        return Some((s, Check::Op("type".into(), Y::str("array"))));
    }
    if c.rest().trim_start().starts_with('/') {
        let re = c.regex()?;
        c.eat(".test(").then_some(())?;
        let s = wrapped(c)?;
        let v = Y::Str(crate::import::names::literal(&re));
        return Some((s, Check::Op("matches".into(), v)));
    }
    let negated = c.eat("!");
    let subject = chain::subject(c, aliases)?;
    if let Subject::Path(mut segs) = subject {
        // `x.hasOwnProperty("k")`: the accessors read the method name as a key.
        if matches!(segs.last(), Some(Seg::Name(n)) if n == "hasOwnProperty") && c.eat("(") {
            segs.pop();
            let key = c.string()?;
            c.eat(")").then_some(())?;
            segs.push(Seg::Name(key));
            return Some((
                Subject::Path(segs),
                Check::Op("exists".into(), Y::Bool(!negated)),
            ));
        }
        return compare(c, Subject::Path(segs), negated, reference);
    }
    if let Subject::Header(_) = subject
        && !negated
        && c.at_end()
    {
        return Some((subject, Check::Op("exists".into(), Y::Bool(true))));
    }
    compare(c, subject, negated, reference)
}

/// `OP VALUE` after a subject.
fn compare(
    c: &mut Cursor,
    subject: Subject,
    negated: bool,
    reference: &dyn Fn(&str) -> String,
) -> Option<(Subject, Check)> {
    if negated {
        return None;
    }
    let ops = [
        ("===", "eq"),
        ("!==", "ne"),
        ("==", "eq"),
        ("!=", "ne"),
        (">=", "ge"),
        ("<=", "le"),
        (">", "gt"),
        ("<", "lt"),
    ];
    let (_, op) = ops.iter().find(|(js, _)| c.eat(js))?;
    let value = c.value(reference, 0)?;
    Some((subject, Check::Op((*op).to_string(), value)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(line: &str, scope: &Scope) -> Option<Expect> {
        let mut out = Expect::default();
        let mut c = Cursor::new(line);
        (c.eat("tests[") && assignment(&mut c, scope, &|n| n.to_string(), &mut out)).then_some(out)
    }

    #[test]
    fn legacy_assignments() {
        let mut scope = Scope::default();
        scope
            .aliases
            .insert("user".into(), vec![Seg::Name("user".into())]);
        scope.flags.insert("ok".into(), vec![200]);
        let body = |l: &str| one(l, &scope).map(|e| e.body);
        let pred = |p: &str, op: &str, v: Y| Some(vec![(p.to_string(), vec![(op.to_string(), v)])]);
        assert_eq!(
            body("tests['has email'] = user.hasOwnProperty('email');"),
            pred("$.user.email", "exists", Y::Bool(true))
        );
        assert_eq!(
            body("tests['int'] = Number.isInteger(user.count);"),
            pred("$.user.count", "type", Y::str("integer"))
        );
        assert_eq!(
            body("tests['iso'] = /^\\d{4}-/.test(user.created);"),
            pred("$.user.created", "matches", Y::str("^\\d{4}-"))
        );
        assert_eq!(
            body("tests['n'] = user.items.length > 0;"),
            pred("$.user.items", "length", Y::map([("gt", Y::Int(0))]))
        );
        assert_eq!(
            body("tests['n'] = user.name !== 'x';"),
            pred("$.user.name", "ne", Y::str("x"))
        );
        assert_eq!(
            one("tests['s'] = ok;", &scope).unwrap().status,
            Some(Y::Int(200))
        );
        assert_eq!(
            one(
                "tests['s'] = responseCode.code === 200 || responseCode.code === 201;",
                &scope
            )
            .unwrap()
            .status,
            Some(Y::seq([Y::Int(200), Y::Int(201)]))
        );
        assert!(one("tests['t'] = true;", &scope).unwrap().is_empty());
        assert!(
            one("tests['id: ' + pm.environment.get('id')] = true;", &scope)
                .unwrap()
                .is_empty()
        );
        assert!(one("tests['f'] = false;", &scope).is_none());
        assert!(one("tests['x'] = user.a === other.b;", &scope).is_none());
    }
}
