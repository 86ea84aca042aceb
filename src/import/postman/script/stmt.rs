//! One statement of a test script: a name for a part of the body (an alias), a status
//! condition kept in a name (a flag), a capture (`pm.environment.set`), an assertion, or a
//! one-line `pm.test`. Several statements on a line (`a; b`) are each recognised, or the
//! line is not.

use super::{Converted, Scope, guard, legacy};
use crate::import::out::Expect;
use crate::import::postman::chain;
use crate::import::postman::js::{Cursor, Seg, jsonpath};
use crate::import::yaml::Y;

/// Recognise `stmt` into `out` and `scope`; false when it is not one of the shapes above.
pub(super) fn statement(
    stmt: &str,
    scope: &mut Scope,
    reference: &dyn Fn(&str) -> String,
    out: &mut Converted,
    n: usize,
) -> bool {
    let parts = split_statements(stmt);
    if parts.len() > 1 {
        let mut trial = Converted::default();
        let mut trial_scope = scope.clone();
        for p in parts.iter().filter(|p| !is_logging(p)) {
            if !statement(p, &mut trial_scope, reference, &mut trial, n) {
                return false;
            }
        }
        *scope = trial_scope;
        merge(out, trial);
        return true;
    }
    if parts.is_empty() {
        return false;
    }
    // A test inside a one-line test is not read (nor its nesting followed).
    if let Some(body) = one_line_test(stmt).filter(|b| !b.starts_with("pm.test(")) {
        let mut inner = scope.clone();
        return statement(body, &mut inner, reference, out, n);
    }
    if let Some((name, segs)) = alias(&mut Cursor::new(stmt), scope) {
        scope.aliases.insert(name, segs);
        return true;
    }
    if let Some((name, codes)) = flag(stmt, scope) {
        scope.flags.insert(name, codes);
        return true;
    }
    if let Some((name, source)) = constant(stmt, scope) {
        scope.values.insert(name, source);
        return true;
    }
    if let Some((name, source)) = capture(&mut Cursor::new(stmt), scope) {
        out.captures.retain(|(n, _)| *n != name);
        out.captures.push((name, source));
        return true;
    }
    if super::schema::statement(stmt, scope, out, n) {
        return true;
    }
    let mut found = Expect::default();
    let mut c = Cursor::with(stmt, &scope.values);
    let recognised = if c.eat("tests[") {
        legacy::assignment(&mut c, scope, reference, &mut found)
    } else {
        chain::expectation(stmt, scope, reference, &mut found)
    };
    if !recognised {
        return false;
    }
    if !add_expect(&mut out.expect, &found) {
        out.notes.push((n, format!("`{}` checks what an earlier line checks, with another value: only the first is kept (an expectation holds one predicate of each kind)", stmt.trim())));
    }
    true
}

/// `console.log(…)` and its siblings, alone or several on a line.
pub(super) fn is_logging(stmt: &str) -> bool {
    let parts = split_statements(stmt);
    !parts.is_empty() && parts.iter().all(|p| p.starts_with("console."))
}

/// A statement that sets a variable (`pm.environment.set(…)` and its siblings).
pub(super) fn is_set(stmt: &str) -> bool {
    const SETTERS: &[&str] = &[
        "pm.environment.set(",
        "pm.globals.set(",
        "pm.collectionVariables.set(",
        "pm.variables.set(",
        "postman.setEnvironmentVariable(",
        "postman.setGlobalVariable(",
    ];
    let parts = split_statements(stmt);
    !parts.is_empty()
        && parts
            .iter()
            .all(|p| SETTERS.iter().any(|s| p.starts_with(s)))
}

/// `pm.test("…", () => S)` or `pm.test("…", function () { S })` on one line: S.
fn one_line_test(stmt: &str) -> Option<&str> {
    let t = stmt.trim_end_matches(';').trim_end().strip_suffix(')')?;
    if let Some((head, body)) = t.split_once('{') {
        let body = body.trim_end().strip_suffix('}')?;
        return (guard::head(head) == guard::Head::Test).then_some(body.trim());
    }
    let mut c = Cursor::new(t);
    let arrow = c.eat("pm.test(")
        && c.string().is_some()
        && c.eat(",")
        && c.eat("(")
        && c.eat(")")
        && c.eat("=>");
    arrow.then(|| c.rest().trim())
}

pub(super) fn merge(out: &mut Converted, other: Converted) {
    for (name, source) in other.captures {
        out.captures.retain(|(n, _)| *n != name);
        out.captures.push((name, source));
    }
    let _ = add_expect(&mut out.expect, &other.expect);
    out.notes.extend(other.notes);
    out.schema_lines.extend(other.schema_lines);
}

/// Add `found` to `into`; false when it contradicts what is there.
pub(super) fn add_expect(into: &mut Expect, found: &Expect) -> bool {
    let mut ok = true;
    if let Some(s) = &found.status {
        match &into.status {
            Some(existing) => ok &= existing == s,
            None => into.status = Some(s.clone()),
        }
    }
    for (list, theirs) in [
        (&mut into.headers, &found.headers),
        (&mut into.body, &found.body),
    ] {
        for (subject, preds) in theirs {
            for (op, v) in preds {
                if op == "length" && merge_length(list, subject, v) {
                    continue;
                }
                ok &= Expect::add(list, subject, op, v.clone());
            }
        }
    }
    for (op, v) in &found.duration {
        if !into.duration.iter().any(|(o, _)| o == op) {
            into.duration.push((op.clone(), v.clone()));
        }
    }
    if let Some(s) = &found.schema {
        match &into.schema {
            Some(existing) => ok &= existing == s,
            None => into.schema = Some(s.clone()),
        }
    }
    ok
}

/// Two checks of one length (`not.empty`, then `lengthOf(3)`) are one `length:` with both
/// predicates; true when `v` was merged so (or is already there).
fn merge_length(list: &mut [(String, Vec<(String, Y)>)], subject: &str, v: &Y) -> bool {
    fn preds(y: &Y) -> Option<Vec<(String, Y)>> {
        match y {
            Y::Int(_) => Some(vec![("eq".to_string(), y.clone())]),
            Y::Map(entries) => Some(
                entries
                    .iter()
                    .map(|e| (e.key.clone(), e.value.clone()))
                    .collect(),
            ),
            _ => None,
        }
    }
    let Some(existing) = list
        .iter_mut()
        .find(|(s, _)| s == subject)
        .and_then(|(_, p)| p.iter_mut().find(|(o, _)| o == "length"))
    else {
        return false;
    };
    let (Some(mut all), Some(more)) = (preds(&existing.1), preds(v)) else {
        return false;
    };
    for (op, value) in more {
        match all.iter().find(|(o, _)| *o == op) {
            Some((_, same)) if *same == value => {}
            Some(_) => return false,
            None => all.push((op, value)),
        }
    }
    existing.1 = match all.as_slice() {
        [(op, value)] if op == "eq" => value.clone(),
        _ => Y::map(all),
    };
    true
}

/// `a; b;` → [a, b] (semicolons outside strings and brackets).
fn split_statements(stmt: &str) -> Vec<&str> {
    let (mut parts, mut depth, mut start) = (Vec::new(), 0i32, 0);
    super::tree::scan(stmt, |i, c| {
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth -= 1,
            ';' if depth == 0 => {
                parts.push(stmt[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
        false
    });
    parts.push(stmt[start..].trim());
    parts.retain(|p| !p.is_empty());
    parts
}

/// `var|let|const NAME = PATH [|| {}];` or `NAME = PATH;`: NAME is that part of the body.
fn alias(c: &mut Cursor, scope: &Scope) -> Option<(String, Vec<Seg>)> {
    let save = c.pos;
    if !matches!(c.ident()?, "var" | "let" | "const") {
        c.pos = save;
    }
    let name = c.ident()?.to_string();
    if !c.eat("=") || c.rest().starts_with('=') {
        return None;
    }
    let segs = super::path(c, &scope.aliases)?;
    if matches!(segs.last(), Some(Seg::Name(n)) if n == "length" || n == "hasOwnProperty") {
        return None;
    }
    // `|| {}`: a default for when the part is missing; the checks on it fail the same way.
    if c.eat("||") && !(c.eat("{}") || c.eat("[]")) {
        return None;
    }
    c.at_end().then_some((name, segs))
}

/// `var ok = responseCode.code === 200;`: a name holding a status condition.
fn flag(stmt: &str, scope: &Scope) -> Option<(String, Vec<i64>)> {
    let mut c = Cursor::new(stmt);
    if !matches!(c.ident()?, "var" | "let" | "const") {
        return None;
    }
    let name = c.ident()?.to_string();
    if !c.eat("=") || c.rest().starts_with('=') {
        return None;
    }
    let cond = c.rest().trim().trim_end_matches(';');
    guard::status_cond(cond, &scope.flags).map(|codes| (name, codes))
}

/// `var|let|const NAME = VALUE;` (a literal, a list, a variable read) when the script gives
/// NAME no other value: `(name, the source of VALUE)`.
fn constant(stmt: &str, scope: &Scope) -> Option<(String, String)> {
    let mut c = Cursor::new(stmt);
    if !matches!(c.ident()?, "var" | "let" | "const") {
        return None;
    }
    let name = c.ident()?.to_string();
    if scope.assigned.contains(&name) || !c.eat("=") || c.rest().starts_with('=') {
        return None;
    }
    let start = c.pos;
    // Read with no reference recorded: the name counts as read only where it is used.
    c.value(&|n| n.to_string(), 0)?;
    let source = c.s[start..c.pos].trim().to_string();
    c.at_end().then_some((name, source))
}

/// `pm.environment.set("x", SOURCE)` and its siblings.
fn capture(c: &mut Cursor, scope: &Scope) -> Option<(String, Y)> {
    let setters = [
        "pm.environment.set(",
        "pm.collectionVariables.set(",
        "pm.globals.set(",
        "pm.variables.set(",
        "postman.setEnvironmentVariable(",
        "postman.setGlobalVariable(",
    ];
    if !setters.iter().any(|s| c.eat(s)) {
        return None;
    }
    let name = c.string()?;
    if !c.eat(",") {
        return None;
    }
    let source = if c.eat("pm.response.headers.get(") || c.eat("postman.getResponseHeader(") {
        let h = c.string()?;
        c.eat(")")
            .then(|| Y::map([("header", Y::Str(h.to_ascii_lowercase()))]))?
    } else if c.eat("pm.cookies.get(") {
        let k = c.string()?;
        c.eat(")").then(|| Y::map([("cookie", Y::Str(k))]))?
    } else if c.eat("pm.response.code") || c.eat("responseCode.code") {
        Y::map([("status", Y::Bool(true))])
    } else if c.eat("pm.response.text()") || c.eat("responseBody") {
        Y::map([("body", Y::Bool(true))])
    } else {
        let segs = super::path(c, &scope.aliases)?;
        if matches!(segs.last(), Some(Seg::Name(n)) if n == "length") {
            return None;
        }
        Y::Str(jsonpath(&segs))
    };
    (c.eat(")") && c.at_end()).then_some((name, source))
}
