//! Postman pre-request scripts, where they say something declarative: a variable set from a
//! literal, another variable or a dynamic variable (`{{$guid}}`) becomes a file variable; a
//! `pm.sendRequest` that fetches a token with the password, client credentials or refresh
//! token grant and keeps its `access_token` becomes an `oauth2` request (built by `auth.rs`,
//! as the OAuth 2.0 helper is); `console.*` is logging. The rest is reported line by line.

use super::jsexpr::{P, Scope, Val};
use super::jslex::{T, Tok, statements, tokens};
use super::script::{self, Converted};
use super::sendrequest::{Call, Fetch, TokenFetch, send_request};

/// A variable the script sets before the request: `(Postman name, Postman text, lines)`.
#[derive(Clone, Debug)]
pub(super) struct SetVar {
    pub name: String,
    pub value: String,
    pub lines: Vec<(usize, String)>,
}

/// What a pre-request script became.
#[derive(Clone, Debug, Default)]
pub(super) struct PreRequest {
    pub converted: Converted,
    pub vars: Vec<SetVar>,
    pub tokens: Vec<TokenFetch>,
    pub calls: Vec<Call>,
}

#[derive(Clone, Copy, PartialEq, PartialOrd)]
enum Status {
    Logging,
    Converted,
    Unconverted,
}

const SETTERS: &[&[&str]] = &[
    &["pm", ".", "environment", ".", "set", "("],
    &["pm", ".", "variables", ".", "set", "("],
    &["pm", ".", "collectionVariables", ".", "set", "("],
    &["pm", ".", "globals", ".", "set", "("],
    &["postman", ".", "setEnvironmentVariable", "("],
    &["postman", ".", "setGlobalVariable", "("],
];

/// Convert one pre-request script. `known_dynamic` says whether baton has a function for
/// Postman's dynamic variable `{{$name}}`.
pub(super) fn convert(lines: &[String], known_dynamic: &dyn Fn(&str) -> bool) -> PreRequest {
    let toks = tokens(lines);
    let mut scope = Scope::default();
    let mut out = PreRequest::default();
    // (first line, last line, status, names used) of each statement, and the bindings' lines.
    let mut marks: Vec<(usize, usize, Status)> = Vec::new();
    let mut binds: Vec<(String, usize, usize)> = Vec::new();
    let mut keep: Vec<String> = Vec::new();
    for st in statements(&toks) {
        let (first, last) = (st[0].line, st[st.len() - 1].line);
        let mut p = P::new(st);
        if is_console(&mut p) {
            marks.push((first, last, Status::Logging));
            continue;
        }
        let mut p = P::new(st);
        if let Some(names) = bind(&mut p, &mut scope) {
            binds.extend(names.into_iter().map(|n| (n, first, last)));
            continue;
        }
        let mut p = P::new(st);
        // A value that reads the variable it sets (`n = n + 1`) would be a cycle in `vars`.
        if let Some((name, Val::Text(value))) = set(&mut p, &scope)
            && dynamic_ok(&value, known_dynamic)
            && !value.contains(&format!("{{{{{name}}}}}"))
        {
            keep.append(&mut p.used);
            out.vars.push(SetVar {
                name,
                value,
                lines: code_in(lines, first, last),
            });
            marks.push((first, last, Status::Converted));
            continue;
        }
        let mut p = P::new(st);
        let fetch = send_request(&mut p, &scope);
        if let Some(fetch) = fetch.or_else(|| guarded(st, &scope, &mut p).map(Fetch::Token)) {
            keep.append(&mut p.used);
            match fetch {
                Fetch::Token(t) => out.tokens.push(t),
                Fetch::Call(c) => out.calls.push(c),
            }
            marks.push((first, last, Status::Converted));
            continue;
        }
        // A name this statement may change is no longer the value it was bound to
        // (`d.setHours(12)` after `const d = new Date()`); one it only reads still is.
        for name in changed(st) {
            scope.bound.remove(&name);
        }
        marks.push((first, last, Status::Unconverted));
    }
    // A binding counts with what used it (through other bindings); unused, it is not converted.
    let mut i = 0;
    while i < keep.len() {
        if let Some((_, deps)) = scope.bound.get(&keep[i]) {
            for d in deps.clone() {
                if !keep.contains(&d) {
                    keep.push(d);
                }
            }
        }
        i += 1;
    }
    for (name, first, last) in binds {
        let status = if keep.contains(&name) {
            Status::Converted
        } else {
            Status::Unconverted
        };
        marks.push((first, last, status));
    }
    // A line two statements share is as good as the worse of them; a line none holds
    // (which should not happen) is not converted.
    let mut status: Vec<Option<Status>> = vec![None; lines.len() + 1];
    for (a, b, s) in marks {
        for slot in &mut status[a.min(lines.len())..=b.min(lines.len())] {
            if slot.is_none_or(|old| s > old) {
                *slot = Some(s);
            }
        }
    }
    for (n, text) in script::code_lines(lines) {
        match status[n].unwrap_or(Status::Unconverted) {
            Status::Logging => out.converted.logging.push((n, text)),
            Status::Converted => out.converted.converted += 1,
            Status::Unconverted => out.converted.unconverted.push((n, text)),
        }
    }
    out
}

/// Names a statement may change: assigned (`x = …`, `x.a = …`, `x += …`, `x++`) or given
/// to a method that changes its object (`x.setHours(…)`, `x.add(…)`, `x.push(…)`).
pub(super) fn changed(st: &[T]) -> Vec<String> {
    const MUTATORS: &[&str] = &[
        "add", "subtract", "push", "pop", "shift", "unshift", "splice", "sort", "reverse",
        "remove", "delete", "clear", "update", "upsert", "assign", "startOf", "endOf",
    ];
    let mut out = Vec::new();
    for (i, t) in st.iter().enumerate() {
        let Tok::Id(name) = &t.tok else { continue };
        let property = i > 0 && matches!(&st[i - 1].tok, Tok::P(p) if p == "." || p == "?.");
        if property {
            continue;
        }
        let mut j = i + 1;
        // Past `.a` and `["a"]` accessors to what is done with the name.
        loop {
            match (st.get(j).map(|t| &t.tok), st.get(j + 1).map(|t| &t.tok)) {
                (Some(Tok::P(dot)), Some(Tok::Id(m))) if dot == "." => {
                    if matches!(st.get(j + 2).map(|t| &t.tok), Some(Tok::P(p)) if p == "(")
                        && (m.starts_with("set") || MUTATORS.contains(&m.as_str()))
                    {
                        out.push(name.clone());
                    }
                    j += 2;
                }
                (Some(Tok::P(open)), _) if open == "[" => {
                    while !matches!(st.get(j).map(|t| &t.tok), Some(Tok::P(p)) if p == "]") {
                        if j >= st.len() {
                            break;
                        }
                        j += 1;
                    }
                    j += 1;
                }
                _ => break,
            }
        }
        if matches!(st.get(j).map(|t| &t.tok), Some(Tok::P(p)) if matches!(p.as_str(), "=" | "+=" | "++" | "--" | "-"))
            && !out.contains(name)
        {
            out.push(name.clone());
        }
    }
    out
}

fn code_in(lines: &[String], first: usize, last: usize) -> Vec<(usize, String)> {
    script::code_lines(lines)
        .into_iter()
        .filter(|(n, _)| (first..=last).contains(n))
        .collect()
}

/// Every `{{$name}}` in the text has a baton function.
fn dynamic_ok(text: &str, known: &dyn Fn(&str) -> bool) -> bool {
    text.split("{{")
        .skip(1)
        .filter_map(|s| s.split_once("}}").map(|(n, _)| n.trim()))
        .filter_map(|n| n.strip_prefix('$'))
        .all(known)
}

pub(super) fn is_console(p: &mut P) -> bool {
    p.eat(&["console", "."]) && p.ident().is_some() && p.eat(&["("])
}

/// `const a = X, b = Y` (or `a = X` without a keyword): the names bound.
pub(super) fn bind(p: &mut P, scope: &mut Scope) -> Option<Vec<String>> {
    let _ = p.eat(&["var"]) || p.eat(&["let"]) || p.eat(&["const"]);
    let mut names = Vec::new();
    loop {
        let name = p.ident()?;
        if !p.eat(&["="]) {
            return None;
        }
        p.used.clear();
        let v = p.expr(scope)?;
        scope.bound.insert(name.clone(), (v, p.used.clone()));
        names.push(name);
        if p.at_end() {
            return Some(names);
        }
        if !p.eat(&[","]) {
            return None;
        }
    }
}

/// `pm.environment.set("name", X)` and its siblings: the name and the value.
pub(super) fn set(p: &mut P, scope: &Scope) -> Option<(String, Val)> {
    if !SETTERS.iter().any(|s| p.eat(s)) {
        return None;
    }
    let name = p.string()?;
    if !p.eat(&[","]) {
        return None;
    }
    let v = p.expr(scope)?;
    (p.eat(&[")"]) && p.at_end()).then_some((name, v))
}

/// `if (!pm.environment.get("token") || …) { pm.sendRequest(…) }`: a token fetched only when
/// there is none or it expired, which is what `auth: { oauth2: id }` does (renewed when
/// expired). The condition may only read; the block holds the fetch, names it binds, logging.
fn guarded(st: &[T], scope: &Scope, p: &mut P) -> Option<TokenFetch> {
    let mut c = P::new(st);
    if !c.eat(&["if", "("]) {
        return None;
    }
    let mut depth = 1;
    while depth > 0 {
        match c.peek()? {
            Tok::P(x) if x == "(" => depth += 1,
            Tok::P(x) if x == ")" => depth -= 1,
            Tok::P(x) if matches!(x.as_str(), "=" | "++" | "--" | "+=") => return None,
            Tok::Id(x) if x == "sendRequest" || x.starts_with("set") || x == "unset" => {
                return None;
            }
            _ => {}
        }
        c.i += 1;
    }
    if !c.eat(&["{"]) || !matches!(st.last().map(|t| &t.tok), Some(Tok::P(x)) if x == "}") {
        return None;
    }
    let body = &st[c.i..st.len() - 1];
    let mut inner = Scope::default();
    inner.bound.clone_from(&scope.bound);
    let mut fetch = None;
    for part in statements(body) {
        let mut q = P::new(part);
        if is_console(&mut P::new(part)) || bind(&mut q, &mut inner).is_some() {
            p.used.append(&mut q.used);
            continue;
        }
        let mut q = P::new(part);
        match send_request(&mut q, &inner) {
            Some(Fetch::Token(f)) if fetch.is_none() => {
                p.used.append(&mut q.used);
                fetch = Some(f);
            }
            _ => return None,
        }
    }
    fetch
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(s: &str) -> PreRequest {
        let lines: Vec<String> = s.lines().map(str::to_string).collect();
        convert(&lines, &|n| n == "guid")
    }

    #[test]
    fn literals_and_dynamic_variables_become_variables() {
        let c = run(
            "// ids\npm.environment.set(\"order\", pm.variables.replaceIn('{{$guid}}'));\nconst who = pm.environment.get('user');\npm.variables.set('greeting', 'hi ' + who)\nconsole.log(who)\npm.globals.set('n', '{{$randomInt}}');\nconst unused = 'x';\npm.variables.set('user', pm.environment.get('user') + '!');",
        );
        let names: Vec<(&str, &str)> = c
            .vars
            .iter()
            .map(|v| (v.name.as_str(), v.value.as_str()))
            .collect();
        assert_eq!(names, [("order", "{{$guid}}"), ("greeting", "hi {{user}}")]);
        assert_eq!(c.converted.converted, 3);
        assert_eq!(c.converted.logging.len(), 1);
        let lines: Vec<usize> = c.converted.unconverted.iter().map(|(n, _)| *n).collect();
        assert_eq!(lines, [6, 7, 8]);
    }

    #[test]
    fn a_fetch_only_when_the_token_is_missing_is_the_same_oauth2_request() {
        let c = run(
            r#"if (!pm.environment.get("token") || Date.now() > pm.environment.get("expiry")) {
  console.log("fetching a token");
  const form = [{ key: "grant_type", value: "client_credentials" }, { key: "client_id", value: "app" }];
  pm.sendRequest({ url: "https://id.example/token", method: "POST", body: { mode: "urlencoded", urlencoded: form } },
    (err, res) => { pm.environment.set("token", res.json().access_token); });
}
if (pm.environment.get("x")) { pm.environment.set("y", "1"); }"#,
        );
        assert_eq!(c.tokens.len(), 1);
        assert_eq!(c.converted.converted, 6);
        assert_eq!(c.converted.unconverted.len(), 1);
    }

    #[test]
    fn another_call_keeps_what_its_callback_sets() {
        let c = run(
            r#"pm.sendRequest({ url: "https://api.example/items", method: "POST",
  header: "X-Key: " + pm.environment.get("key"),
  body: { mode: "raw", raw: "{}" } }, function (err, res) {
    pm.expect(res.code).to.eql(201);
    pm.variables.set("item", res.json().data["item-id"]);
});"#,
        );
        assert!(c.tokens.is_empty());
        let call = &c.calls[0];
        assert_eq!(call.headers, [("X-Key".to_string(), "{{key}}".to_string())]);
        assert_eq!(call.status.as_deref(), Some("201"));
        assert_eq!(
            call.captures,
            [(
                "item".to_string(),
                vec!["data".to_string(), "item-id".to_string()]
            )]
        );
        assert_eq!(c.converted.converted, 6);
    }

    #[test]
    fn a_name_is_changed_by_assignments_and_mutators_not_by_reads() {
        let toks = tokens(&[
            "a.setHours(1); b = 2; c.x.add(1, 'd'); e.substring(1); f++; g == 1".to_string(),
        ]);
        let changed: Vec<String> = statements(&toks).into_iter().flat_map(changed).collect();
        assert_eq!(changed, ["a", "b", "c", "f"]);
    }

    #[test]
    fn a_token_fetch_is_a_helper() {
        let c = run(r#"const url = pm.environment.get("base") + "/token";
pm.sendRequest({
  url: url,
  method: 'POST',
  header: { 'Content-Type': 'application/x-www-form-urlencoded' },
  body: { mode: 'urlencoded', urlencoded: [
    { key: 'grant_type', value: 'client_credentials' },
    { key: 'client_id', value: pm.environment.get('id') },
    { key: 'client_secret', value: pm.environment.get('secret'), disabled: false },
  ]}
}, (err, res) => {
  console.log(err);
  const body = res.json();
  pm.environment.set('token', body.access_token);
});"#);
        assert_eq!(c.converted.unconverted, []);
        assert_eq!(c.converted.converted, 15);
        let t = &c.tokens[0];
        assert_eq!(t.kept, [("token".to_string(), "access_token")]);
        assert_eq!(t.def.get("accessTokenUrl"), "{{base}}/token");
        assert_eq!(t.def.get("clientSecret"), "{{secret}}");
    }
}
