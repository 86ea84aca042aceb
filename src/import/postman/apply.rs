//! What converted pre-request scripts do to one file: the variables they set become the
//! file's `vars` (the first value wins; another value for the same name is left for a
//! person), and each token fetch becomes an `oauth2` request (through `defaults::resolve`,
//! as an OAuth 2.0 helper does) whose token the requests after it use in place of the
//! variable the script kept it in: `auth: { oauth2: id }` for a bearer token.

use super::defaults::{self, Added, Authed, Tokens};
use super::js::{Seg, jsonpath};
use super::jsexpr::{EXPR, shown};
use super::prerequest::{PreRequest, SetVar};
use super::sendrequest::{Call, CallBody, TokenFetch};
use super::{Ctx, script::Converted};
use crate::import::out::OutRequest;
use crate::import::yaml::{Entry, Y};

/// A file whose requests get a default auth also sends it with the requests made from
/// `pm.sendRequest`, which Postman sends without: said, since `defaults:` cannot leave one out.
pub(super) fn default_auth_note(default: Option<&Added>, cx: &mut Ctx) {
    if default.is_some_and(|d| d.auth.is_some() || !d.headers.is_empty()) {
        cx.warn("the requests made from pm.sendRequest calls get the file's default auth, which Postman does not send with them");
    }
}

/// The pre-request state of a file being written.
#[derive(Default)]
pub(super) struct Pre {
    /// `(baton key, Postman text, where it is set)`.
    pub vars: Vec<(String, String, String)>,
    /// `(the variable's reference, id, token field, index of the oauth2 request)`.
    pub fetched: Vec<(String, String, &'static str, usize)>,
}

impl Pre {
    /// Take a script's variables; one that another script of the file sets otherwise is
    /// moved back to `c.unconverted`. Returns the keys taken.
    pub(super) fn vars(
        &mut self,
        set: Vec<SetVar>,
        source: &str,
        c: &mut Converted,
        cx: &mut Ctx,
    ) -> Vec<String> {
        let mut taken = Vec::new();
        for v in set {
            let key = cx.names.key(&v.name);
            match self.vars.iter().find(|(k, _, _)| *k == key) {
                Some((_, value, from)) if *value != v.value => {
                    cx.warn(format!(
                        "`{}` is set to `{}` here and to `{}` by {from}: a file has one value for a variable, the first is kept",
                        v.name,
                        shown(&v.value),
                        shown(value)
                    ));
                    c.converted = c.converted.saturating_sub(v.lines.len());
                    c.unconverted.extend(v.lines);
                    c.unconverted.sort();
                }
                Some(_) => taken.push(key),
                None => {
                    self.vars.push((key.clone(), v.value, source.to_string()));
                    taken.push(key);
                }
            }
        }
        taken
    }

    /// An `oauth2` request for the fetch (the same fetch again reuses it); its id.
    pub(super) fn token(
        &mut self,
        t: &TokenFetch,
        source: &str,
        cx: &mut Ctx,
        reqs: &mut Vec<OutRequest>,
        tokens: &mut Tokens,
    ) -> Option<String> {
        let before = reqs.len();
        let added = defaults::resolve(&t.def, source, cx, reqs, tokens);
        let id = match &added.auth {
            Some(Y::Map(m)) => match m.first() {
                Some(Entry {
                    key,
                    value: Y::Str(id),
                    ..
                }) if key == "oauth2" => id.clone(),
                _ => return None,
            },
            _ => return None,
        };
        if reqs.len() > before
            && let Some(r) = reqs.last_mut()
        {
            r.comments[0] = format!(
                "The token that the pre-request script of {source} fetched with pm.sendRequest, as a baton oauth2 request."
            );
        }
        let at = reqs
            .iter()
            .position(|r| r.id.as_deref() == Some(id.as_str()))
            .unwrap_or(before);
        for (n, field) in &t.kept {
            let reference = cx.names.reference(n);
            if !self.fetched.iter().any(|f| f.0 == reference && f.1 == id) {
                self.fetched.push((reference, id.clone(), field, at));
            }
        }
        Some(id)
    }

    /// What the scripts of the folders above do, at the top of the file: the ids of the
    /// `oauth2` requests made and the names captured.
    pub(super) fn inherit(
        &mut self,
        scripts: &[(PreRequest, String)],
        cx: &mut Ctx,
        reqs: &mut Vec<OutRequest>,
        tokens: &mut Tokens,
    ) -> (Vec<String>, Vec<String>) {
        let (mut ids, mut keys) = (Vec::new(), Vec::new());
        for (script, source) in scripts {
            // Counted where the folder's script is; only a conflict is news here.
            let mut ignored = Converted::default();
            self.vars(script.vars.clone(), source, &mut ignored, cx);
            for t in &script.tokens {
                ids.extend(self.token(t, source, cx, reqs, tokens));
            }
            for c in &script.calls {
                keys.extend(Pre::call(c, source, false, cx, reqs));
            }
        }
        (ids, keys)
    }

    /// A request of its own for a call, before the request whose pre-request script sends
    /// it (or after the one whose test script does, `after`); the keys it captures.
    pub(super) fn call(
        c: &Call,
        source: &str,
        after: bool,
        cx: &mut Ctx,
        reqs: &mut Vec<OutRequest>,
    ) -> Vec<String> {
        let url = render(&c.url, cx);
        let comment = if after {
            format!(
                "The request the test script of {source} sends with pm.sendRequest after the response."
            )
        } else {
            format!("The request the pre-request script of {source} sends with pm.sendRequest.")
        };
        let mut o = OutRequest {
            comments: vec![comment],
            name: format!("{} {}", c.method, url),
            method: c.method.clone(),
            url,
            ..OutRequest::default()
        };
        for (k, v) in &c.headers {
            let v = render(v, cx);
            o.headers.push((k.clone(), v));
        }
        o.body = c.body.as_ref().map(|b| match b {
            CallBody::Raw(text) => ("body".to_string(), Y::Str(render(text, cx))),
            CallBody::Form(multipart, rows) => {
                let rows: Vec<(String, Y)> = rows
                    .iter()
                    .map(|(k, v)| (k.clone(), Y::Str(render(v, cx))))
                    .collect();
                let key = if *multipart { "multipart" } else { "form" };
                (key.to_string(), Y::map(rows))
            }
        });
        if let Some(code) = c.status.as_ref().and_then(|s| s.parse().ok()) {
            o.expect.status = Some(Y::Int(code));
        } else if after && c.captures.is_empty() {
            // Postman reports nothing of a call whose callback checks nothing, whatever it
            // answers; baton would fail a 4xx or 5xx.
            o.expect.status = Some(Y::Str("any".into()));
        }
        let mut keys = Vec::new();
        for (name, path) in &c.captures {
            let key = cx.names.key(name);
            let segs: Vec<Seg> = path.iter().map(|p| Seg::Name(p.clone())).collect();
            o.capture.retain(|(k, _)| *k != key);
            o.capture.push((key.clone(), Y::Str(jsonpath(&segs))));
            keys.push(key);
        }
        reqs.push(o);
        keys
    }

    /// The file's `vars` entries for what the scripts set (their reads recorded in `cx`).
    pub(super) fn entries(&self, cx: &mut Ctx) -> Vec<Entry> {
        self.vars
            .iter()
            .map(|(key, value, source)| Entry {
                comments: vec![format!(
                    "Set by the pre-request script of {source}: Postman sets it before each request, baton once per run of this file."
                )],
                key: key.clone(),
                value: Y::Str(render(value, cx)),
            })
            .collect()
    }

    /// The requests after each token request read its token, not the variable (the
    /// latest fetch before a request wins, as the variable's latest value does in Postman).
    pub(super) fn rewrite(&self, reqs: &mut [OutRequest], authed: &mut [Authed]) {
        for (i, o) in reqs.iter_mut().enumerate() {
            let mut done: Vec<&str> = Vec::new();
            for (reference, id, field, _) in self.fetched.iter().rev().filter(|f| f.3 < i) {
                if done.contains(&reference.as_str()) {
                    continue;
                }
                done.push(reference);
                let from = format!("<<{reference}>>");
                let to = format!("<<{id}.{field}>>");
                replace(o, &from, &to);
                for a in authed.iter_mut().filter(|a| a.index == i) {
                    added(&mut a.added, &from, &to);
                }
            }
            for a in authed.iter_mut().filter(|a| a.index == i) {
                bearer_to_oauth2(&mut a.added.auth);
            }
            bearer_to_oauth2(&mut o.auth);
            if o.auth.is_none()
                && let Some(pos) = o.headers.iter().position(|(n, v)| {
                    n.eq_ignore_ascii_case("authorization")
                        && token_of(v.trim(), "Bearer ").is_some()
                })
            {
                let (_, v) = o.headers.remove(pos);
                let id = token_of(v.trim(), "Bearer ").unwrap_or_default();
                o.auth = Some(Y::map([("oauth2", Y::Str(id))]));
            }
        }
    }
}

/// `PREFIX<<id.access_token>>`: the id.
fn token_of(v: &str, prefix: &str) -> Option<String> {
    let id = v
        .strip_prefix(prefix)?
        .strip_prefix("<<")?
        .strip_suffix(".access_token>>")?;
    crate::yaml::read::is_identifier(id).then(|| id.to_string())
}

/// `{ bearer: <<id.access_token>> }` is `{ oauth2: id }`, which also renews the token.
fn bearer_to_oauth2(auth: &mut Option<Y>) {
    let id = match auth {
        Some(Y::Map(m)) => match m.as_slice() {
            [
                Entry {
                    key,
                    value: Y::Str(v),
                    ..
                },
            ] if key == "bearer" => token_of(v, ""),
            _ => None,
        },
        _ => None,
    };
    if let Some(id) = id {
        *auth = Some(Y::map([("oauth2", Y::Str(id))]));
    }
}

/// Postman text with baton expressions (`jsexpr::EXPR`) as baton text.
fn render(value: &str, cx: &mut Ctx) -> String {
    value
        .split(EXPR)
        .enumerate()
        .map(|(i, part)| {
            if i % 2 == 1 {
                format!("<<{part}>>")
            } else {
                cx.text(part)
            }
        })
        .collect()
}

fn text(s: &mut String, from: &str, to: &str) {
    if s.contains(from) {
        *s = s.replace(from, to);
    }
}

fn walk(y: &mut Y, from: &str, to: &str) {
    match y {
        Y::Str(s) => text(s, from, to),
        Y::Seq(items) => items.iter_mut().for_each(|i| walk(&mut i.value, from, to)),
        Y::Map(entries) => entries
            .iter_mut()
            .for_each(|e| walk(&mut e.value, from, to)),
        _ => {}
    }
}

fn replace(o: &mut OutRequest, from: &str, to: &str) {
    text(&mut o.url, from, to);
    for (_, v) in o.headers.iter_mut().chain(o.query.iter_mut()) {
        text(v, from, to);
    }
    if let Some((_, b)) = &mut o.body {
        walk(b, from, to);
    }
    if let Some(a) = &mut o.auth {
        walk(a, from, to);
    }
    if let Some(a) = &mut o.oauth2 {
        walk(a, from, to);
    }
}

fn added(a: &mut Added, from: &str, to: &str) {
    if let Some(y) = &mut a.auth {
        walk(y, from, to);
    }
    for (_, v) in a.headers.iter_mut().chain(a.query.iter_mut()) {
        text(v, from, to);
    }
}
