//! `defaults:` of a collection: headers, auth, timeout, follow_redirects, expectations,
//! tags and cookies that every request of the file gets unless it sets them itself. Read
//! once, then applied to each request after it is read (requests are read as the parser
//! ends them, possibly before `defaults:` is, and again from disk for files not kept).

use super::model::{Auth, Request, Templated};
use super::request::read_headers;
use super::settings::{read_auth, read_follow_redirects, read_timeout};
use crate::expect::{Expectation, Expectations};
use crate::template::Tpl;
use crate::yaml::node::{Kind, Node};
use crate::yaml::read::Reader;
use std::time::Duration;

pub(crate) const DEFAULTS_KEYS: &[&str] = &[
    "headers",
    "auth",
    "timeout",
    "follow_redirects",
    "expect",
    "tags",
    "cookies",
    "client_cert",
];

/// What `defaults:` gives each request of its file.
#[derive(Debug, Default)]
pub struct Defaults {
    pub headers: Vec<(String, Tpl)>,
    pub auth: Option<Auth>,
    pub timeout: Option<Duration>,
    pub follow_redirects: Option<bool>,
    /// `timeout` / `follow_redirects` written as templates.
    pub templated: Templated,
    pub expect: Expectations,
    /// `None` when not given (an empty list given is no tags).
    pub tags: Option<Vec<String>>,
    /// `cookies: false` for every request that does not say otherwise.
    pub cookies: Option<bool>,
    /// The client certificate of the requests without their own (nor their oauth2 block's).
    pub client_cert: Option<std::sync::Arc<super::client_cert::ClientCertSpec>>,
}

/// `defaults:` read like the same keys of a request, each problem at its own line.
pub(super) fn read(r: &mut Reader, node: &Node) -> Defaults {
    let Some(mut map) = r.map(node, "defaults") else {
        return Defaults::default();
    };
    let mut d = Defaults::default();
    if let Some(n) = map.get("headers") {
        d.headers = read_headers(r, n);
    }
    d.auth = map.get("auth").and_then(|n| read_auth(r, n));
    if let Some(n) = map.get("timeout") {
        (d.timeout, d.templated.timeout) = read_timeout(r, n);
    }
    if let Some(n) = map.get("follow_redirects") {
        (d.follow_redirects, d.templated.follow_redirects) = read_follow_redirects(r, n);
    }
    if let Some(n) = map.get("expect") {
        d.expect = crate::expect::read(r, n);
    }
    d.tags = map.get("tags").map(|n| match &n.kind {
        Kind::Seq(items) => items.iter().filter_map(|i| r.text(i, "tags")).collect(),
        _ => r.text(n, "tags").into_iter().collect(),
    });
    d.cookies = map.get("cookies").and_then(|n| r.bool(n, "cookies"));
    d.client_cert = map
        .get("client_cert")
        .and_then(|n| super::client_cert::read(r, n, "defaults.client_cert"))
        .map(std::sync::Arc::new);
    map.finish(r, "defaults", DEFAULTS_KEYS);
    d
}

impl Defaults {
    /// Give `req` what it does not set itself. An `oauth2` request builds its own HTTP
    /// request, so it takes no auth or redirect default.
    pub fn apply(&self, req: &mut Request) {
        let own_header = |req: &Request, name: &str| {
            req.headers
                .iter()
                .any(|(n, _)| n.eq_ignore_ascii_case(name))
        };
        // The default auth is a default `Authorization` header: a request with its own
        // `auth` or its own header keeps it (one value sent, not both).
        let own_auth = req.auth.is_some() || own_header(req, "authorization");
        let oauth2 = req.oauth2.is_some();
        let mut headers: Vec<(String, Tpl)> = self
            .headers
            .iter()
            .filter(|(n, _)| !own_header(req, n))
            .filter(|(n, _)| !(req.auth.is_some() && n.eq_ignore_ascii_case("authorization")))
            .cloned()
            .collect();
        if !headers.is_empty() {
            headers.append(&mut req.headers);
            req.headers = headers;
        }
        if !own_auth && !oauth2 {
            req.auth = self.auth.clone().map(Box::new);
        }
        let templated = req.templated.get_or_insert_with(Default::default);
        if req.timeout.is_none() && templated.timeout.is_none() {
            req.timeout = self.timeout;
            templated.timeout.clone_from(&self.templated.timeout);
        }
        if !req.own_follow_redirects && !oauth2 {
            if let Some(f) = self.follow_redirects {
                req.follow_redirects = f;
            }
            templated
                .follow_redirects
                .clone_from(&self.templated.follow_redirects);
            // Given now, so that an including file's default does not replace it.
            req.own_follow_redirects =
                self.follow_redirects.is_some() || templated.follow_redirects.is_some();
        }
        if templated.timeout.is_none() && templated.follow_redirects.is_none() {
            req.templated = None;
        }
        if req.cookies.is_none() {
            req.cookies = self.cookies;
        }
        // A request's own certificate, or its oauth2 block's, comes first.
        let own_cert = req.oauth2.as_ref().is_some_and(|o| o.client_cert.is_some());
        if req.client_cert.is_none() && !own_cert {
            req.client_cert.clone_from(&self.client_cert);
        }
        merge_expect(&self.expect, &mut req.expect);
        if req.tags.is_empty()
            && let Some(tags) = &self.tags
        {
            req.tags.clone_from(tags);
        }
    }
}

/// The default expectations a request's own do not replace, then its own: its `status`
/// replaces the default status, a header or JSONPath it checks replaces the default check
/// of the same name, and so do its raw body, `duration_ms` and `jwt` checks.
fn merge_expect(defaults: &Expectations, own: &mut Expectations) {
    if defaults.items.is_empty() {
        return;
    }
    let replaced = |d: &Expectation| own.items.iter().any(|o| d.replaced_by(o));
    let mut items: Vec<Expectation> = defaults
        .items
        .iter()
        .filter(|d| !replaced(d))
        .cloned()
        .collect();
    items.append(&mut own.items);
    own.items = items;
}

#[cfg(test)]
mod tests;
