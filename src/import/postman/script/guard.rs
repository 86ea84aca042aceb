//! What a block of a test script is, from its head, and the status conditions of `if`s and
//! legacy `tests[…]` lines: `pm.response.code === 200`, `responseCode.code == 201 || …`,
//! `pm.response.status === "OK"`, or a name that holds one (`var ok = responseCode.code
//! === 200;`).

use crate::import::postman::js::Cursor;
use crate::import::yaml::Y;
use std::collections::HashMap;

/// What a block's head says it is.
#[derive(Debug, PartialEq)]
pub(super) enum Head<'a> {
    /// `pm.test("…", function () {` or `() => {`: its body always runs.
    Test,
    /// `try {`, `finally {` or a bare `{`: the body runs.
    Plain,
    /// `catch (e) {`: runs only when something in `try` threw.
    Catch,
    If(&'a str),
    ElseIf(&'a str),
    Else,
    /// `LIST.forEach(function (item) {`, `LIST.forEach((item) => {`: `(list, item)`.
    Each(&'a str, &'a str),
    /// `for (var i = 0; i < LIST.length; i++) {`: `(list, i)`; the body writes `LIST[i]`.
    Index(&'a str, &'a str),
    Other,
}

pub(super) fn head(h: &str) -> Head<'_> {
    let h = h.trim();
    if matches!(h, "" | "try" | "finally") {
        return Head::Plain;
    }
    if h == "else" {
        return Head::Else;
    }
    if let Some(cond) = h.strip_prefix("else if") {
        return parens(cond).map_or(Head::Other, Head::ElseIf);
    }
    if let Some(cond) = h.strip_prefix("if") {
        return parens(cond).map_or(Head::Other, Head::If);
    }
    if let Some(rest) = h.strip_prefix("catch")
        && (rest.trim().is_empty() || parens(rest).is_some())
    {
        return Head::Catch;
    }
    if let Some(rest) = h.strip_prefix("pm.test(") {
        // The name may be any expression (`"Status is " + code`): only the callback matters.
        let rest = rest.trim_end();
        let callback = ["function ()", "function()", "() =>", "()=>"]
            .iter()
            .any(|f| {
                rest.strip_suffix(f)
                    .is_some_and(|r| r.trim_end().ends_with(','))
            });
        return if callback { Head::Test } else { Head::Other };
    }
    if let Some((list, var)) = index_loop(h) {
        return Head::Index(list, var);
    }
    each(h).map_or(Head::Other, |(list, item)| Head::Each(list, item))
}

/// `for (var i = 0; i < LIST.length; i++)`: `(LIST, i)`.
fn index_loop(h: &str) -> Option<(&str, &str)> {
    let inner = parens(h.strip_prefix("for")?)?;
    let mut parts = inner.split(';').map(str::trim);
    let (init, cond, step) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let init = init
        .strip_prefix("var ")
        .or_else(|| init.strip_prefix("let "))
        .unwrap_or(init);
    let (var, zero) = init.split_once('=')?;
    let var = var.trim();
    let ok_var = !var.is_empty() && var.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    let (lhs, list) = cond.split_once('<')?;
    let list = list.trim().strip_suffix(".length")?.trim();
    let steps = [
        format!("{var}++"),
        format!("++{var}"),
        format!("{var} += 1"),
    ];
    let ok = ok_var
        && zero.trim() == "0"
        && lhs.trim() == var
        && !list.starts_with('=')
        && steps.iter().any(|s| s == step);
    ok.then_some((list, var))
}

/// `(cond)` → `cond`.
/// The list of `L.length`, `L.length > 0`, `L.length !== 0`, `L.length >= 1`: a condition
/// that holds when the list is not empty.
/// `typeof X != "undefined"` (or `!==`, either quote): `X` is there.
pub(super) fn defined(cond: &str) -> Option<&str> {
    let rest = cond.trim().strip_prefix("typeof ")?;
    let (x, undefined) = rest.split_once("!==").or_else(|| rest.split_once("!="))?;
    let quoted = matches!(undefined.trim(), "\"undefined\"" | "'undefined'");
    let x = x.trim();
    let plain = x
        .chars()
        .all(|ch| ch.is_alphanumeric() || "_$.[]'\"".contains(ch));
    (quoted && !x.is_empty() && plain).then_some(x)
}

pub(super) fn non_empty(cond: &str) -> Option<&str> {
    let c = cond.trim();
    let list = ["!== 0", "!= 0", "> 0", ">= 1"]
        .iter()
        .find_map(|t| c.strip_suffix(t))
        .map_or(c, str::trim_end);
    let l = list.strip_suffix(".length")?;
    let plain = l
        .chars()
        .all(|ch| ch.is_alphanumeric() || "_$.[]'\"".contains(ch));
    (!l.is_empty() && plain).then_some(l)
}

/// `X` of a condition that holds when the variable `X` is not set: `!(environment.X)`,
/// `!environment.X`, `!globals.X`, `!pm.environment.get('X')` (and `pm.variables`,
/// `pm.globals`, `pm.collectionVariables`, `postman.getEnvironmentVariable`).
pub(in crate::import::postman) fn unset_variable(cond: &str) -> Option<&str> {
    let c = cond.trim().strip_prefix('!')?.trim();
    let c = parens(c).unwrap_or(c);
    let plain = |x: &str| {
        !x.is_empty()
            && x.chars()
                .all(|ch| ch.is_alphanumeric() || ch == '_' || ch == '$')
    };
    for object in ["environment.", "globals."] {
        if let Some(x) = c.strip_prefix(object).filter(|x| plain(x)) {
            return Some(x);
        }
    }
    let getters = [
        "pm.environment.get(",
        "pm.variables.get(",
        "pm.globals.get(",
        "pm.collectionVariables.get(",
        "postman.getEnvironmentVariable(",
    ];
    let arg = getters
        .iter()
        .find_map(|g| c.strip_prefix(g))?
        .strip_suffix(')')?
        .trim();
    ['\'', '"']
        .iter()
        .find_map(|q| arg.strip_prefix(*q)?.strip_suffix(*q))
        .filter(|x| !x.is_empty() && !x.contains(['\'', '"']))
}

fn parens(s: &str) -> Option<&str> {
    let s = s.trim();
    s.strip_prefix('(')?.strip_suffix(')').map(str::trim)
}

/// `LIST.forEach(function (item)`, `LIST.forEach((item) =>`, `LIST.forEach(item =>`.
fn each(h: &str) -> Option<(&str, &str)> {
    let (list, rest) = h.split_once(".forEach(")?;
    let rest = rest.trim();
    let params = if let Some(r) = rest.strip_prefix("function") {
        r.trim()
    } else {
        rest.strip_suffix("=>")?.trim()
    };
    let item = params
        .strip_prefix('(')
        .and_then(|p| p.strip_suffix(')'))
        .unwrap_or(params)
        .trim();
    let ok = !item.is_empty() && item.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    ok.then_some((list.trim(), item))
}

/// Status texts Postman's `pm.response.status` holds.
const TEXTS: &[(&str, i64)] = &[
    ("OK", 200),
    ("Created", 201),
    ("Accepted", 202),
    ("No Content", 204),
];

/// The statuses a condition accepts: `A === 200 || A == 201`, parenthesised or not; `flags`
/// are names that hold such a condition.
pub(super) fn status_cond(cond: &str, flags: &HashMap<String, Vec<i64>>) -> Option<Vec<i64>> {
    let mut c = Cursor::new(cond.trim());
    let codes = disjunction(&mut c, flags, 0)?;
    c.at_end().then_some(codes)
}

fn disjunction(
    c: &mut Cursor,
    flags: &HashMap<String, Vec<i64>>,
    depth: usize,
) -> Option<Vec<i64>> {
    let mut codes = Vec::new();
    loop {
        // Parentheses nest as deep as a script likes; a condition of interest does not.
        if depth < 8 && c.eat("(") {
            codes.extend(disjunction(c, flags, depth + 1)?);
            if !c.eat(")") {
                return None;
            }
        } else {
            codes.extend(comparison(c, flags)?);
        }
        if !c.eat("||") {
            return Some(codes);
        }
    }
}

/// `pm.response.code === 200`, `200 == responseCode.code`, `pm.response.status === "OK"`,
/// or a flag.
fn comparison(c: &mut Cursor, flags: &HashMap<String, Vec<i64>>) -> Option<Vec<i64>> {
    let eq = |c: &mut Cursor| c.eat("===") || c.eat("==");
    if c.eat("pm.response.code") || c.eat("responseCode.code") {
        if !eq(c) {
            return None;
        }
        return match c.number()? {
            Y::Int(n) => Some(vec![n]),
            _ => None,
        };
    }
    if c.eat("pm.response.status") {
        if !eq(c) {
            return None;
        }
        let text = c.string()?;
        return TEXTS
            .iter()
            .find(|(t, _)| *t == text)
            .map(|(_, n)| vec![*n]);
    }
    if let Some(Y::Int(n)) = c.number() {
        return (eq(c) && (c.eat("pm.response.code") || c.eat("responseCode.code")))
            .then(|| vec![n]);
    }
    let name = c.ident()?;
    flags.get(name).cloned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heads_and_status_conditions() {
        assert_eq!(head("pm.test(\"a\" + b, function ()"), Head::Test);
        assert_eq!(head("pm.test('a', () =>"), Head::Test);
        assert_eq!(head("if (x === 1)"), Head::If("x === 1"));
        assert_eq!(
            defined("typeof d.body.token != \"undefined\""),
            Some("d.body.token")
        );
        assert_eq!(defined("typeof d.a !== 'undefined'"), Some("d.a"));
        assert_eq!(defined("typeof d.a === 'undefined'"), None);
        assert_eq!(defined("typeof f() != 'undefined'"), None);
        assert_eq!(head("else if (y)"), Head::ElseIf("y"));
        assert_eq!(head("catch (e)"), Head::Catch);
        assert_eq!(head("try"), Head::Plain);
        assert_eq!(
            head("jsonData.items.forEach((item) =>"),
            Head::Each("jsonData.items", "item")
        );
        assert_eq!(head("data.forEach(function (u)"), Head::Each("data", "u"));
        assert_eq!(head("pm.sendRequest(req, function (err, res)"), Head::Other);
        assert_eq!(
            head("for (var i=0; i<jsonData.body.devices.length; i++)"),
            Head::Index("jsonData.body.devices", "i")
        );
        assert_eq!(head("for (let i = 0; i <= a.length; i++)"), Head::Other);
        let mut flags = HashMap::new();
        flags.insert("is200".to_string(), vec![200]);
        let s = |t: &str| status_cond(t, &flags);
        assert_eq!(s("pm.response.code === 200"), Some(vec![200]));
        assert_eq!(
            s("(responseCode.code == 200) || pm.response.code === 201"),
            Some(vec![200, 201])
        );
        assert_eq!(s("pm.response.status === 'OK'"), Some(vec![200]));
        assert_eq!(s("is200"), Some(vec![200]));
        assert_eq!(s("pm.response.code === 200 && x"), None);
        assert_eq!(s("pm.response.code !== 200"), None);
        assert_eq!(
            s(&format!("{}200 == pm.response.code", "(".repeat(100_000))),
            None
        );
    }
}
