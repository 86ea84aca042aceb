//! A file's `defaults:`: the auth its requests inherit from the collection or a folder,
//! written once instead of on each request, and Postman's redirect behaviour (Postman
//! follows redirects unless `protocolProfileBehavior.followRedirects` is false; baton
//! follows them only when told). Also how one request's auth becomes baton keys.

use super::Ctx;
use super::auth::{self, AuthOut, TokenUse};
use super::model::AuthDef;
use crate::import::names::identifier;
use crate::import::out::{OutRequest, pairs};
use crate::import::yaml::{Entry, Y};

/// What an `auth` adds to one request: the `auth:` value, headers, query parameters.
#[derive(Clone, Debug, Default, PartialEq)]
pub(super) struct Added {
    pub auth: Option<Y>,
    pub headers: Vec<(String, String)>,
    pub query: Vec<(String, String)>,
}

impl Added {
    fn apply(self, o: &mut OutRequest) {
        if self.auth.is_some() {
            o.auth = self.auth;
        }
        o.headers.extend(self.headers);
        o.query.extend(self.query);
    }
}

/// One request of a file and the auth it got (not yet written on it).
pub(super) struct Authed {
    /// Its index in the file's requests.
    pub index: usize,
    /// True when the auth is the folder's (or the collection's), not its own.
    pub inherited: bool,
    pub added: Added,
}

/// The `oauth2` requests made in one file: `(what they are made of, id)`.
#[derive(Default)]
pub(super) struct Tokens {
    pub list: Vec<(String, String)>,
}

/// One request's auth as baton keys; an OAuth 2.0 helper becomes an `oauth2` request pushed
/// to `reqs` the first time the file uses it (the same helper again reuses its id).
pub(super) fn resolve(
    def: &AuthDef,
    source: &str,
    cx: &mut Ctx,
    reqs: &mut Vec<OutRequest>,
    tokens: &mut Tokens,
) -> Added {
    match auth::convert(def, cx) {
        AuthOut::None => Added::default(),
        AuthOut::Plain {
            auth,
            headers,
            query,
        } => Added {
            auth,
            headers,
            query,
        },
        AuthOut::OAuth2(oa) => {
            let key = format!("{:?}{:?}", oa.block, oa.headers);
            let id = if let Some((_, id)) = tokens.list.iter().find(|(k, _)| *k == key) {
                id.clone()
            } else {
                let id = token_id(&oa.token_name, &tokens.list, cx);
                tokens.list.push((key, id.clone()));
                let label = if oa.token_name.trim().is_empty() {
                    "OAuth 2.0 token".to_string()
                } else {
                    oa.token_name.trim().to_string()
                };
                reqs.push(OutRequest {
                    comments: std::iter::once(format!(
                        "Postman's OAuth 2.0 helper of {source}, as a baton oauth2 request."
                    ))
                    .chain(oa.note.clone())
                    .collect(),
                    name: label,
                    id: Some(id.clone()),
                    method: "POST".into(),
                    headers: oa.headers,
                    oauth2: Some(oa.block),
                    ..OutRequest::default()
                });
                id
            };
            let mut added = Added::default();
            match oa.token_use {
                TokenUse::Bearer => added.auth = Some(Y::map([("oauth2", Y::Str(id))])),
                TokenUse::Header(p) => added
                    .headers
                    .push(("Authorization".into(), format!("{p} <<{id}.access_token>>"))),
                TokenUse::Query => added
                    .query
                    .push(("access_token".into(), format!("<<{id}.access_token>>"))),
            }
            added
        }
    }
}

/// An id for an oauth2 request: from Postman's token name, unique, and no variable's name.
fn token_id(token_name: &str, taken: &[(String, String)], cx: &Ctx) -> String {
    let base = match identifier(token_name) {
        b if token_name.trim().is_empty() || b == "var" => "oauth2_token".to_string(),
        b => b.to_ascii_lowercase(),
    };
    let mut id = base.clone();
    let mut i = 2;
    while taken.iter().any(|(_, t)| *t == id)
        || cx.is_known_variable(&id)
        || cx.names.is_captured(&id)
    {
        id = format!("{base}_{i}");
        i += 1;
    }
    id
}

fn has_header(headers: &[(String, String)], name: &str) -> bool {
    headers.iter().any(|(n, _)| n.eq_ignore_ascii_case(name))
}

/// Why `default` in `defaults:` would send this request something else than Postman does,
/// if it would (baton applies a default auth to every request without its own `auth` or
/// `Authorization` header, and default headers to those without a header of that name).
fn differs(default: &Added, a: &Authed, o: &OutRequest) -> Option<String> {
    if a.inherited || a.added == *default {
        let own = default.headers.iter().map(|(n, _)| n.as_str());
        let own = own
            .chain(default.auth.is_some().then_some("Authorization"))
            .find(|n| has_header(&o.headers, n))?;
        return Some(format!("sets the header `{own}` itself"));
    }
    let gets_auth = default.auth.is_some()
        && a.added.auth.is_none()
        && !has_header(&o.headers, "Authorization")
        && !has_header(&a.added.headers, "Authorization");
    let gets_header = default
        .headers
        .iter()
        .any(|(n, _)| !has_header(&o.headers, n) && !has_header(&a.added.headers, n));
    if !gets_auth && !gets_header {
        return None;
    }
    Some(if a.added == Added::default() {
        "sends no auth (Postman: No Auth, or a type baton lacks)".into()
    } else {
        "has an auth of its own that the default would be added to".into()
    })
}

/// Write each request's auth, except where the file's `defaults:` says the same: the
/// inherited auth goes there when every request then sends what it sends in Postman.
/// Returns the auth for `defaults:`. `label` names where the inherited auth is set.
pub(super) fn settle(
    reqs: &mut [OutRequest],
    authed: Vec<Authed>,
    label: &str,
    cx: &mut Ctx,
) -> Option<Added> {
    // A query parameter cannot be a default, and an auth that adds nothing needs none.
    let default = authed
        .iter()
        .find(|a| a.inherited)
        .map(|a| a.added.clone())
        .filter(|d| d.query.is_empty() && (d.auth.is_some() || !d.headers.is_empty()));
    let blocked = default.as_ref().and_then(|d| {
        authed.iter().find_map(|a| {
            let o = &reqs[a.index];
            differs(d, a, o).map(|why| format!("request '{}' {why}", o.name))
        })
    });
    let Some(default) = default.filter(|_| blocked.is_none()) else {
        if let Some(why) = blocked {
            cx.warn(format!(
                "the auth of '{label}' is written on each request that uses it, not once in `defaults:`: {why}, and `defaults:` cannot leave one request out"
            ));
        }
        for a in authed {
            a.added.apply(&mut reqs[a.index]);
        }
        return None;
    };
    for a in authed {
        if !(a.inherited || a.added == default) {
            a.added.apply(&mut reqs[a.index]);
        }
    }
    Some(default)
}

/// The `defaults:` entry: the inherited auth (if it went there) and whether to follow
/// redirects, which is always written because Postman's default is the opposite of baton's.
pub(super) fn entry(auth: Option<Added>, follow: bool, label: &str) -> Entry {
    let mut m: Vec<(&str, Y)> = Vec::new();
    let mut comments = Vec::new();
    if let Some(a) = auth {
        comments.push(format!(
            "Postman's auth of '{label}', for every request here without its own."
        ));
        if !a.headers.is_empty() {
            m.push(("headers", pairs(&a.headers)));
        }
        if let Some(y) = a.auth {
            m.push(("auth", y));
        }
    }
    m.push(("follow_redirects", Y::Bool(follow)));
    Entry {
        comments,
        key: "defaults".into(),
        value: Y::map(m),
    }
}
