//! `pm.sendRequest` in a test script: requests sent after the response, one after another
//! when each callback sends the next. Each becomes a request of its own after the request
//! whose script sends it, with `expect: { status }` for `pm.expect(res.code).to.eql(N)`
//! (inside `pm.test` or not) and `capture:` for what the callback keeps. A callback that
//! does anything else (waits with `setTimeout`, compares two responses, reads headers) is
//! not converted, and neither is the statement holding it.

use super::jsexpr::{EXPR, P, Scope, Val};
use super::jslex::{T, Tok, statements, tokens};
use super::prerequest::{bind, changed, is_console, set};
use super::sendrequest::{Call, CallBody, call, callback_head, status_check};

/// What the `pm.sendRequest` calls of a test script became.
#[derive(Debug, Default, Clone)]
pub(super) struct After {
    /// In the order Postman sends them.
    pub calls: Vec<Call>,
    /// Lines of the statements the calls were read from, and of the names they read.
    pub lines: Vec<usize>,
}

/// The calls of a test script's top-level statements (`pm.sendRequest(…)`, or `pm.test`
/// holding only such calls); names bound at the top count with the calls that read them.
pub(super) fn convert(lines: &[String]) -> After {
    let toks = tokens(lines);
    let mut scope = Scope::default();
    let mut out = After::default();
    let mut binds: Vec<(String, usize, usize)> = Vec::new();
    let mut used: Vec<String> = Vec::new();
    let mut made: Vec<String> = Vec::new();
    for st in statements(&toks) {
        let (first, last) = (st[0].line, st[st.len() - 1].line);
        if is_console(&mut P::new(st)) {
            continue;
        }
        if let Some(names) = bind(&mut P::new(st), &mut scope) {
            binds.extend(names.into_iter().map(|n| (n, first, last)));
            continue;
        }
        let mut s = Sent {
            dynamic: made.clone(),
            ..Sent::default()
        };
        if sent(st, &scope, &mut s).is_some() && !s.calls.is_empty() {
            out.calls.append(&mut s.calls);
            used.append(&mut s.reads);
            made = s.dynamic;
            out.lines.extend(first..=last);
            continue;
        }
        // A name this statement may change is no longer the value it was bound to.
        for name in changed(st) {
            scope.bound.remove(&name);
        }
    }
    let mut i = 0;
    while i < used.len() {
        if let Some((_, deps)) = scope.bound.get(&used[i]) {
            for d in deps.clone() {
                if !used.contains(&d) {
                    used.push(d);
                }
            }
        }
        i += 1;
    }
    for (name, first, last) in binds {
        if used.contains(&name) {
            out.lines.extend(first..=last);
        }
    }
    out.lines.sort_unstable();
    out.lines.dedup();
    out
}

/// What the calls of one statement are read into.
#[derive(Default)]
struct Sent {
    calls: Vec<Call>,
    /// Names bound at the top that the calls read.
    reads: Vec<String>,
    /// Values made anew where they are written (`<<uuid()>>`, `{{$randomUUID}}`) that a
    /// call sends: one a second call also sends was one value in Postman, and two in
    /// baton, so that call is not converted.
    dynamic: Vec<String>,
}

/// One statement: a chain of calls, or `pm.test(name, function () { … })` around chains.
fn sent(st: &[T], scope: &Scope, s: &mut Sent) -> Option<()> {
    let mut p = P::new(st);
    if p.eat(&["pm", ".", "sendRequest", "("]) {
        return chain(&mut p, scope, s);
    }
    let body = test_body(st)?;
    for inner in statements(body) {
        if is_console(&mut P::new(inner)) {
            continue;
        }
        let mut p = P::new(inner);
        if !p.eat(&["pm", ".", "sendRequest", "("]) {
            return None;
        }
        chain(&mut p, scope, s)?;
    }
    Some(())
}

/// The body of `pm.test("name", function () { … })` (or an arrow function).
fn test_body(st: &[T]) -> Option<&[T]> {
    let mut p = P::new(st);
    if !p.eat(&["pm", ".", "test", "("]) {
        return None;
    }
    let _ = p.string()?;
    if !p.eat(&[","]) {
        return None;
    }
    let head = p.eat(&["function", "(", ")", "{"]) || p.eat(&["(", ")", "=>", "{"]);
    if !head {
        return None;
    }
    let start = p.i;
    let end = closing(&p)?;
    let mut q = P::new(&st[end + 1..]);
    (q.eat(&[")"]) && q.at_end()).then_some(&st[start..end])
}

/// The index of the `}` closing the block the cursor is in.
fn closing(p: &P) -> Option<usize> {
    let mut depth = 1;
    let mut i = p.i;
    loop {
        match &p.t.get(i)?.tok {
            Tok::P(x) if x == "{" => depth += 1,
            Tok::P(x) if x == "}" => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
        i += 1;
    }
}

/// `pm.sendRequest(OPTIONS, (err, res) => { … })` after its `pm.sendRequest(`: the call, then
/// the calls its callback sends.
fn chain(p: &mut P, scope: &Scope, s: &mut Sent) -> Option<()> {
    p.used.clear();
    let options = match p.expr(scope)? {
        Val::Obj(o) => o,
        Val::Text(url) => vec![("url".to_string(), Val::Text(url))],
        _ => return None,
    };
    s.reads.append(&mut p.used);
    if !p.eat(&[","]) {
        return None;
    }
    let response = callback_head(p)?;
    let start = p.i;
    let end = closing(p)?;
    let body = &p.t[start..end];
    p.i = end + 1;
    if !(p.eat(&[")"]) && p.at_end()) {
        return None;
    }
    let mut this = call(&options)?;
    let sent: Vec<&String> = match &this.body {
        Some(CallBody::Raw(text)) => vec![text],
        Some(CallBody::Form(_, rows)) => rows.iter().map(|(_, v)| v).collect(),
        None => Vec::new(),
    };
    let texts = std::iter::once(&this.url)
        .chain(this.headers.iter().map(|(_, v)| v))
        .chain(sent);
    let made: Vec<String> = texts.flat_map(|t| dynamic(t)).collect();
    if made.iter().any(|m| s.dynamic.contains(m)) {
        return None;
    }
    s.dynamic.extend(made);
    let at = s.calls.len();
    s.calls.push(this.clone());
    let mut inner = Scope::default();
    inner.bound.clone_from(&scope.bound);
    inner
        .bound
        .insert(response.clone(), (Val::Response, Vec::new()));
    callback(body, &response, &mut inner, &mut this, s)?;
    s.calls[at] = this;
    Some(())
}

/// The values made anew in a text: baton expressions and Postman's dynamic variables.
fn dynamic(text: &str) -> Vec<String> {
    let mut out: Vec<String> = text
        .split(EXPR)
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect();
    out.extend(
        text.split("{{$")
            .skip(1)
            .filter_map(|r| r.split_once("}}").map(|(n, _)| format!("${n}"))),
    );
    out
}

/// The statements of a callback: status checks, captures, logging, bindings, and further
/// calls (sent after this one answers), each possibly inside `pm.test`.
fn callback(
    body: &[T],
    response: &str,
    scope: &mut Scope,
    this: &mut Call,
    s: &mut Sent,
) -> Option<()> {
    for st in statements(body) {
        if is_console(&mut P::new(st)) || bind(&mut P::new(st), scope).is_some() {
            continue;
        }
        if let Some(code) = status_check(&mut P::new(st), response) {
            if this.status.replace(code).is_some() {
                return None;
            }
            continue;
        }
        let mut p = P::new(st);
        if p.eat(&["pm", ".", "sendRequest", "("]) {
            chain(&mut p, scope, s)?;
            continue;
        }
        if let Some(inner) = test_body(st) {
            callback(inner, response, scope, this, s)?;
            continue;
        }
        match set(&mut P::new(st), scope)? {
            (name, Val::Json(path)) => this.captures.push((name, path)),
            _ => return None,
        }
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::convert;

    fn lines(s: &str) -> Vec<String> {
        s.lines().map(str::to_string).collect()
    }

    #[test]
    fn chained_calls_in_order_with_their_statuses() {
        let src = lines(
            "var host = pm.variables.get('gw');\nvar req = {\n url: 'http://' + host + '/x',\n method: 'GET'\n};\nvar unused = 1;\npm.test('limited', function () {\n pm.sendRequest(req, function (err, response) {\n  pm.expect(response.code).to.eql(200);\n  pm.sendRequest(req, function (err, response) {\n   pm.expect(response.code).to.eql(429);\n  });\n });\n});",
        );
        let a = convert(&src);
        let got: Vec<(String, Option<String>)> = a
            .calls
            .iter()
            .map(|c| (c.url.clone(), c.status.clone()))
            .collect();
        assert_eq!(
            got,
            [
                ("http://{{gw}}/x".to_string(), Some("200".to_string())),
                ("http://{{gw}}/x".to_string(), Some("429".to_string())),
            ]
        );
        assert_eq!(a.lines, [1, 2, 3, 4, 5, 7, 8, 9, 10, 11, 12, 13, 14]);
    }

    #[test]
    fn a_callback_doing_more_is_not_converted() {
        let src = lines(
            "pm.sendRequest('http://a/b', function (err, response) {\n if (response.code == 503) {\n  setTimeout(f, 5000);\n }\n});\nvar id = pm.variables.replaceIn('{{$randomUUID}}');\npm.sendRequest({url: 'http://a/' + id, method: 'POST'}, (e, r) => {});\npm.sendRequest({url: 'http://a/' + id, method: 'DELETE'}, (e, r) => {});",
        );
        let a = convert(&src);
        // The uuid made once is sent by both calls in Postman: the first is converted (it
        // makes its own), the second would send another one and is not.
        assert_eq!(a.calls.len(), 1, "{:?}", a.calls);
        assert_eq!(a.calls[0].method, "POST");
        assert_eq!(a.lines, [6, 7]);
    }

    #[test]
    fn captures_and_an_empty_callback() {
        let src = lines(
            "pm.sendRequest({url: 'http://a/keys', method: 'POST'}, (err, res) => {\n pm.variables.set('key-id', res.json().key);\n});\npm.sendRequest({url: 'http://a/keys/{{key-id}}', method: 'DELETE'}, function (err, res) { });",
        );
        let a = convert(&src);
        assert_eq!(a.calls.len(), 2);
        assert_eq!(
            a.calls[0].captures,
            [("key-id".to_string(), vec!["key".to_string()])]
        );
        assert_eq!(a.calls[1].method, "DELETE");
        assert_eq!(a.calls[1].status, None);
        assert_eq!(a.lines, [1, 2, 3, 4]);
    }
}
