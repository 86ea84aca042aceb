//! The keys of a request that say how to send it rather than what to send: `auth`,
//! `follow_redirects`, `timeout`, `retry`. Shared by requests and `defaults:`; the scalars
//! may be templates the runner renders (`follow_redirects: <<follow>>`, for data rows).

use super::model::{Auth, OAuth1, Retry};
use crate::template::Tpl;
use crate::yaml::node::{Kind, Node};
use crate::yaml::read::Reader;
use std::time::Duration;

/// A string holding `<< >>`: a scalar whose value comes from a variable (data rows).
pub(super) fn templated<'n>(node: &'n Node) -> Option<&'n str> {
    match &node.kind {
        Kind::Str(s) if crate::template::has_template_syntax(s) => Some(s),
        _ => None,
    }
}

/// `follow_redirects: true`, or a template the runner renders (`<<follow>>`).
pub(super) fn read_follow_redirects(r: &mut Reader, n: &Node) -> (Option<bool>, Option<Tpl>) {
    match templated(n) {
        Some(_) => (None, r.tpl(n, "follow_redirects")),
        None => (r.bool(n, "follow_redirects"), None),
    }
}

/// `timeout: 30s`, or a template the runner renders (`<<limit>>`).
pub(super) fn read_timeout(r: &mut Reader, n: &Node) -> (Option<Duration>, Option<Tpl>) {
    if templated(n).is_some() {
        return (None, r.tpl(n, "timeout"));
    }
    let timeout = r.duration(n, "timeout").and_then(|d| {
        if d.is_zero() {
            // As `--timeout 0`: every request would time out at once, a slip likelier than a wish.
            r.error(n.loc, "`timeout` must be more than 0").help =
                Some("for no practical limit give a long one, such as 1h".into());
            return None;
        }
        Some(d)
    });
    (timeout, None)
}

pub(super) fn read_auth(r: &mut Reader, node: &Node) -> Option<Auth> {
    if super::hints::auth_string(r, node) {
        return None;
    }
    let mut map = r.map(node, "auth")?;
    let auth = if let Some(basic) = map.get("basic") {
        match &basic.kind {
            Kind::Seq(items) if items.len() == 2 => Some(Auth::Basic {
                username: r.tpl(&items[0], "auth.basic")?,
                password: r.tpl(&items[1], "auth.basic")?,
            }),
            Kind::Map(_) => {
                let mut m = r.map(basic, "auth.basic")?;
                let username = m
                    .get("username")
                    .and_then(|n| r.tpl(n, "auth.basic.username"));
                let password = m
                    .get("password")
                    .and_then(|n| r.tpl(n, "auth.basic.password"));
                m.finish(r, "auth.basic", &["username", "password"]);
                if let (Some(username), Some(password)) = (username, password) {
                    Some(Auth::Basic { username, password })
                } else {
                    r.error(basic.loc, "`auth.basic` needs `username` and `password`");
                    None
                }
            }
            _ => {
                let d = r.error(
                    basic.loc,
                    "`auth.basic` must be `[user, password]` or `{ username, password }`",
                );
                d.label = Some("expected a pair".into());
                None
            }
        }
    } else if let Some(bearer) = map.get("bearer") {
        r.tpl(bearer, "auth.bearer").map(Auth::Bearer)
    } else if let Some(o) = map.get("oauth2") {
        let id = r.text(o, "auth.oauth2")?;
        Some(Auth::OAuth2 { id, loc: o.loc })
    } else if let Some(o) = map.get("oauth1") {
        read_oauth1(r, o).map(|o| Auth::OAuth1(Box::new(o)))
    } else {
        let d = r.error(
            map.loc,
            "`auth` needs `basic`, `bearer`, `oauth1` or `oauth2`",
        );
        d.help = Some("e.g. `auth: { basic: [<<ClientId>>, <<ClientSecret>>] }` or `auth: { bearer: <<access_token>> }`".into());
        None
    };
    map.finish(r, "auth", &["basic", "bearer", "oauth1", "oauth2"]);
    auth
}

/// The keys of `auth.oauth1`, in the order the README documents them.
pub(crate) const OAUTH1_KEYS: &[&str] = &[
    "consumer_key",
    "consumer_secret",
    "token",
    "token_secret",
    "signature_method",
    "placement",
    "realm",
    "callback",
    "verifier",
];

/// `auth: { oauth1: { consumer_key, consumer_secret, token, token_secret, ... } }`.
fn read_oauth1(r: &mut Reader, node: &Node) -> Option<OAuth1> {
    use crate::http::oauth1::{Placement, SignatureMethod};
    let mut m = r.map(node, "auth.oauth1")?;
    let mut tpl = |r: &mut Reader, key: &str| {
        let n = m.get(key)?;
        r.tpl(n, &format!("auth.oauth1.{key}"))
    };
    let consumer_key = tpl(r, "consumer_key");
    let consumer_secret = tpl(r, "consumer_secret");
    let (token, token_secret) = (tpl(r, "token"), tpl(r, "token_secret"));
    let (realm, callback, verifier) = (tpl(r, "realm"), tpl(r, "callback"), tpl(r, "verifier"));
    let mut method = Some(SignatureMethod::HmacSha1);
    if let Some(n) = m.get("signature_method") {
        let name = r
            .text(n, "auth.oauth1.signature_method")
            .unwrap_or_default();
        method = SignatureMethod::parse(&name);
        if method.is_none() {
            let d = r.error(
                n.loc,
                format!("unknown OAuth 1.0a signature method `{name}`"),
            );
            d.help = Some(if name.eq_ignore_ascii_case("RSA-SHA1") {
                "baton does not sign with RSA-SHA1; the server may accept HMAC-SHA1 or HMAC-SHA256"
                    .into()
            } else {
                format!("one of: {}", SignatureMethod::NAMES.join(", "))
            });
        }
    }
    let mut placement = Some(Placement::Header);
    if let Some(n) = m.get("placement") {
        placement = match r.text(n, "auth.oauth1.placement").as_deref() {
            Some("header") => Some(Placement::Header),
            Some("query") => Some(Placement::Query),
            Some(other) => {
                r.error(
                    n.loc,
                    format!("`auth.oauth1.placement` is `header` or `query`, not `{other}`"),
                );
                None
            }
            None => None,
        };
    }
    for (key, value) in [
        ("consumer_key", &consumer_key),
        ("consumer_secret", &consumer_secret),
    ] {
        if value.is_none() && !m.has(key) {
            r.error(node.loc, format!("`auth.oauth1` needs `{key}`")).help = Some(
                "e.g. `auth: { oauth1: { consumer_key: <<consumer_key>>, consumer_secret: <<consumer_secret>> } }`".into(),
            );
        }
    }
    m.finish(r, "auth.oauth1", OAUTH1_KEYS);
    Some(OAuth1 {
        consumer_key: consumer_key?,
        consumer_secret: consumer_secret?,
        token,
        token_secret,
        method: method?,
        placement: placement?,
        realm,
        callback,
        verifier,
    })
}

/// `retry: 5` or `retry: { count: 5, interval_ms: 200 }`.
pub(super) fn read_retry(r: &mut Reader, node: &Node) -> Option<Retry> {
    if let Kind::Int(_) = node.kind {
        let count = r.u64(node, "retry")?;
        return Some(Retry {
            count: count.min(10_000) as u32,
            interval: std::time::Duration::from_millis(500),
        });
    }
    let mut m = r.map(node, "retry")?;
    let count = if let Some(n) = m.get("count") {
        r.u64(n, "retry.count")?
    } else {
        r.error(node.loc, "`retry` needs `count`").help =
            Some("e.g. `retry: { count: 10, interval_ms: 500 }`".into());
        return None;
    };
    let interval = m
        .get("interval_ms")
        .and_then(|n| r.u64(n, "retry.interval_ms"))
        .unwrap_or(500);
    m.finish(r, "retry", &["count", "interval_ms"]);
    Some(Retry {
        count: count.min(10_000) as u32,
        interval: std::time::Duration::from_millis(interval),
    })
}
