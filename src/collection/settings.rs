//! The keys of a request that say how to send it rather than what to send: `auth`,
//! `follow_redirects`, `timeout`, `retry`. Shared by requests and `defaults:`; the scalars
//! may be templates the runner renders (`follow_redirects: <<follow>>`, for data rows).

use super::model::{Auth, Retry};
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
    } else {
        let d = r.error(map.loc, "`auth` needs `basic`, `bearer` or `oauth2`");
        d.help = Some("e.g. `auth: { basic: [<<ClientId>>, <<ClientSecret>>] }` or `auth: { bearer: <<access_token>> }`".into());
        None
    };
    map.finish(r, "auth", &["basic", "bearer", "oauth2"]);
    auth
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
