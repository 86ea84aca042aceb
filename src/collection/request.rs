//! Reading one request of a collection: its method and URL, headers, body,
//! expectations, captures and the rest (settings.rs: auth, redirects, timeout, retry),
//! with every problem collected.

use super::model::{Body, METHOD_KEYS, Part, PartValue, Request, Templated};
use super::settings::{read_auth, read_follow_redirects, read_retry, read_timeout};
use crate::sendable::{header_name_problem, header_value_problem, url_problem};
use crate::yaml::node::{Key, Kind, Node};
use crate::yaml::read::{Map, Reader};
use crate::yaml::read::{is_identifier, read_json_tpl};
use std::sync::Arc;

pub(crate) const REQUEST_KEYS: &[&str] = &[
    "name",
    "id",
    "method",
    "url",
    "GET",
    "POST",
    "PUT",
    "PATCH",
    "DELETE",
    "HEAD",
    "OPTIONS",
    "headers",
    "query",
    "form",
    "json",
    "body",
    "multipart",
    "file",
    "auth",
    "follow_redirects",
    "timeout",
    "expect",
    "capture",
    "skip",
    "retry",
    "delay_ms",
    "tags",
    "description",
    "cookies",
    "clear_cookies",
    "save_body",
    "client_cert",
];
pub(crate) const BODY_KEYS: &[&str] = &["form", "json", "body", "multipart", "file"];

/// A request from its item in a `requests:` list, or `None` when it cannot be read (the
/// problems are pushed).
pub(super) fn read_request(r: &mut Reader, node: &Node) -> Option<Request> {
    let mut map = r.map(node, "a request")?;
    let oauth2 = match map.get("oauth2") {
        Some(n) => Some(Arc::new(crate::oauth::spec::read(r, n)?)),
        None => None,
    };
    let (method, url) = if let Some(spec) = &oauth2 {
        for key in [
            "form",
            "json",
            "body",
            "multipart",
            "file",
            "query",
            "auth",
            "follow_redirects",
            "method",
            "url",
        ]
        .into_iter()
        .chain(METHOD_KEYS.iter().copied())
        {
            if let Some((k, _)) = map.entry(key) {
                let d = r.error(
                    k.loc,
                    format!(
                        "an `oauth2` request builds its own HTTP request; `{key}` does not apply"
                    ),
                );
                d.help = Some(
                    "parameters of the grant go in `oauth2:` (extra ones under `oauth2.extra`)"
                        .into(),
                );
            }
        }
        let shown = spec
            .token_url
            .clone()
            .or_else(|| spec.issuer.clone())
            .unwrap_or_else(|| spec.client_id.clone());
        ("POST".to_string(), shown)
    } else {
        let (method, url) = read_method_and_url(r, &mut map, node)?;
        if let Some(problem) = url.is_literal().then(|| url_problem(&url.text)).flatten() {
            super::hints::url_error(r, &url, problem);
        }
        (method, url)
    };
    let name = match map.get("name") {
        Some(n) => r.text(n, "name").unwrap_or_default(),
        None => match &oauth2 {
            Some(spec) => format!("oauth2 {}", spec.grant.as_str()),
            None => format!("{method} {}", url.text),
        },
    };
    let id = map.get("id").and_then(|n| {
        let id = r.text(n, "id")?;
        if is_identifier(&id) {
            Some(id)
        } else {
            let d = r.error(n.loc, format!("`{id}` is not a valid id"));
            d.help = Some("an id is letters, digits and `_` (it is used as <<id.field>>); free text goes in `name`".into());
            None
        }
    });
    let _ = map.get("description");
    let headers = map
        .get("headers")
        .map(|n| read_headers(r, n))
        .unwrap_or_default();
    let query = map
        .get("query")
        .filter(|n| !super::hints::key_value_list(r, n, "query"))
        .map(|n| r.pairs(n, "query"))
        .unwrap_or_default();
    let body = read_body(r, &mut map).map(Box::new);
    let auth = map.get("auth").and_then(|n| read_auth(r, n)).map(Box::new);
    let own_follow_redirects = map.has("follow_redirects");
    let (follow_redirects, follow_tpl) = match map.get("follow_redirects") {
        Some(n) => read_follow_redirects(r, n),
        None => (None, None),
    };
    let (timeout, timeout_tpl) = match map.get("timeout") {
        Some(n) => read_timeout(r, n),
        None => (None, None),
    };
    let expect = map
        .get("expect")
        .map(|n| crate::expect::read(r, n))
        .unwrap_or_default();
    let capture = map
        .get("capture")
        .map(|n| crate::capture::read(r, n))
        .unwrap_or_default();
    let (skip, skip_tpl) = match map.get("skip") {
        Some(n) if super::settings::templated(n).is_some() => (false, r.tpl(n, "skip")),
        Some(n) => (r.bool(n, "skip").unwrap_or(false), None),
        None => (false, None),
    };
    let tags = match map.get("tags") {
        Some(n) => match &n.kind {
            Kind::Seq(items) => items.iter().filter_map(|i| r.text(i, "tags")).collect(),
            _ => r.text(n, "tags").into_iter().collect(),
        },
        None => Vec::new(),
    };
    let retry = map.get("retry").and_then(|n| read_retry(r, n));
    let cookies = map.get("cookies").and_then(|n| r.bool(n, "cookies"));
    let clear_cookies = map
        .get("clear_cookies")
        .and_then(|n| r.bool(n, "clear_cookies"))
        .unwrap_or(false);
    let save_body = map
        .get("save_body")
        .and_then(|n| r.tpl(n, "save_body"))
        .map(Box::new);
    let (delay, delay_tpl) = match map.get("delay_ms") {
        Some(n) if super::settings::templated(n).is_some() => (None, r.tpl(n, "delay_ms")),
        Some(n) => (
            r.u64(n, "delay_ms").map(std::time::Duration::from_millis),
            None,
        ),
        None => (None, None),
    };
    // Values written as templates, rendered per run (a data row may give another).
    let any = [&follow_tpl, &timeout_tpl, &skip_tpl, &delay_tpl]
        .iter()
        .any(|t| t.is_some());
    let templated = any.then(|| {
        Box::new(Templated {
            follow_redirects: follow_tpl,
            timeout: timeout_tpl,
            skip: skip_tpl,
            delay: delay_tpl,
        })
    });
    let client_cert = map
        .get("client_cert")
        .and_then(|n| super::client_cert::read(r, n, "client_cert"))
        .map(Arc::new);
    map.finish(r, "a request", REQUEST_KEYS);
    Some(Request {
        client_cert,
        retry,
        delay,
        included: None,
        name,
        id,
        loc: node.loc,
        method,
        url,
        headers,
        query,
        body,
        auth,
        follow_redirects: follow_redirects.unwrap_or(false),
        templated,
        own_follow_redirects,
        timeout,
        expect,
        capture,
        skip,
        tags,
        oauth2,
        cookies,
        clear_cookies,
        save_body,
    })
}

/// `headers:`, each name and literal value checked where it is written (the HTTP client
/// would refuse them only when the request is sent, and at the request's line).
pub(super) fn read_headers(r: &mut Reader, node: &Node) -> Vec<(String, crate::template::Tpl)> {
    if super::hints::key_value_list(r, node, "headers") {
        return Vec::new();
    }
    let headers = r.pairs(node, "headers");
    let keys: Vec<&Key> = match &node.kind {
        Kind::Map(entries) => entries.iter().map(|(k, _)| k).collect(),
        Kind::Seq(items) => items
            .iter()
            .filter_map(|i| i.as_map()?.first().map(|(k, _)| k))
            .collect(),
        _ => Vec::new(),
    };
    for key in keys {
        if let Some(problem) = header_name_problem(&key.name) {
            r.error(key.loc, problem);
        }
    }
    for (name, value) in &headers {
        let problem = value
            .is_literal()
            .then(|| header_value_problem(name, &value.text));
        if let Some(problem) = problem.flatten() {
            r.error(value.loc, problem);
        }
    }
    headers
}

fn read_method_and_url(
    r: &mut Reader,
    map: &mut Map,
    node: &Node,
) -> Option<(String, crate::template::Tpl)> {
    let keyed: Vec<&str> = METHOD_KEYS.iter().copied().filter(|m| map.has(m)).collect();
    if keyed.len() > 1 {
        let second = map.entry(keyed[1]).map_or(node.loc, |(k, _)| k.loc);
        r.error(
            second,
            format!(
                "a request has one method; found `{}` and `{}`",
                keyed[0], keyed[1]
            ),
        );
        return None;
    }
    if let Some(m) = keyed.first() {
        let (key, value) = map.entry(m)?;
        if let Some(extra) = map.entry("url") {
            r.error(
                extra.0.loc,
                format!("the URL is already given by `{}:`", key.name),
            );
        }
        if let Some(extra) = map.entry("method") {
            r.error(
                extra.0.loc,
                format!("the method is already given by `{}:`", key.name),
            );
        }
        let url = r.tpl(value, m)?;
        return Some((m.to_string(), url));
    }
    // A lowercase method key is a likely slip: say so rather than "unknown key".
    let lower = METHOD_KEYS.iter().find(|m| map.has(&m.to_lowercase()));
    if let Some(m) = lower {
        let (key, _) = map.entry(&m.to_lowercase())?;
        r.error(
            key.loc,
            format!("unknown key '{}' (did you mean '{m}'?)", key.name),
        )
        .label = Some("methods are written in capitals".into());
        return None;
    }
    let method = match map.get("method") {
        Some(n) => {
            let m = r.text(n, "method")?.to_uppercase();
            if m.is_empty() || !m.chars().all(|c| c.is_ascii_alphabetic()) {
                r.error(n.loc, format!("`{m}` is not an HTTP method"));
                return None;
            }
            m
        }
        None => "GET".to_string(),
    };
    if let Some(n) = map.get("url") {
        Some((method, r.tpl(n, "url")?))
    } else {
        let d = r.error(node.loc, "the request has no URL");
        d.help = Some(
            "write the method and URL as one key, e.g. `POST: <<baseURL>>/token`, or give `url:`"
                .into(),
        );
        None
    }
}

fn read_body(r: &mut Reader, map: &mut Map) -> Option<Body> {
    let present: Vec<&str> = BODY_KEYS.iter().copied().filter(|k| map.has(k)).collect();
    if present.len() > 1 {
        let loc = map.entry(present[1]).map_or(map.loc, |(k, _)| k.loc);
        let d = r.error(
            loc,
            format!(
                "a request has one body; found `{}` and `{}`",
                present[0], present[1]
            ),
        );
        d.label = Some("second body".into());
        for k in &present {
            map.get(k);
        }
        return None;
    }
    let kind = *present.first()?;
    let node = map.get(kind)?;
    match kind {
        "form" if super::hints::key_value_list(r, node, "form") => None,
        "form" => Some(Body::Form(r.pairs(node, "form"))),
        "json" => Some(Body::Json(read_json_tpl(r, node, "json"))),
        "body" => match &node.kind {
            Kind::Map(_) if super::hints::body_mapping(r, node) => None,
            Kind::Map(_) => {
                let mut m = r.map(node, "body")?;
                let text = m.get("text").and_then(|n| r.tpl(n, "body.text"));
                let content_type = m
                    .get("content_type")
                    .and_then(|n| r.tpl(n, "body.content_type"));
                m.finish(r, "body", &["text", "content_type"]);
                if let Some(text) = text {
                    Some(Body::Raw { text, content_type })
                } else {
                    r.error(node.loc, "`body` needs `text:`");
                    None
                }
            }
            _ => r.tpl(node, "body").map(|text| Body::Raw {
                text,
                content_type: None,
            }),
        },
        "file" => match &node.kind {
            Kind::Map(_) => {
                let mut m = r.map(node, "file")?;
                let path = m.get("path").and_then(|n| r.tpl(n, "file.path"));
                let content_type = m
                    .get("content_type")
                    .and_then(|n| r.tpl(n, "file.content_type"));
                m.finish(r, "file", &["path", "content_type"]);
                path.map(|path| Body::File { path, content_type })
            }
            _ => r.tpl(node, "file").map(|path| Body::File {
                path,
                content_type: None,
            }),
        },
        _ => read_multipart(r, node),
    }
}

fn read_multipart(r: &mut Reader, node: &Node) -> Option<Body> {
    let mut map = r.map(node, "multipart")?;
    let mut parts = Vec::new();
    for (k, v) in map.rest() {
        let what = format!("multipart.{}", k.name);
        // A list sends one part per item under the same name (`-F f=@a -F f=@b`).
        let values: Vec<&Node> = match &v.kind {
            Kind::Seq(items) if !items.is_empty() => items.iter().collect(),
            _ => vec![v],
        };
        for v in values {
            if let Some(value) = read_part(r, v, &what) {
                parts.push(Part {
                    name: k.name.to_string(),
                    value,
                });
            }
        }
    }
    Some(Body::Multipart(parts))
}

/// One multipart value: text, or `{ file: PATH, filename?, content_type? }`.
fn read_part(r: &mut Reader, v: &Node, what: &str) -> Option<PartValue> {
    match &v.kind {
        Kind::Map(_) => {
            let mut m = r.map(v, what)?;
            let path = m
                .get("file")
                .and_then(|n| r.tpl(n, &format!("{what}.file")));
            let filename = m
                .get("filename")
                .and_then(|n| r.tpl(n, &format!("{what}.filename")));
            let content_type = m
                .get("content_type")
                .and_then(|n| r.tpl(n, &format!("{what}.content_type")));
            m.finish(r, what, &["file", "filename", "content_type"]);
            if let Some(path) = path {
                Some(PartValue::File {
                    path,
                    filename,
                    content_type,
                })
            } else {
                r.error(
                    v.loc,
                    format!("`{what}` needs `file:` (a path) or a plain text value"),
                );
                None
            }
        }
        Kind::Seq(_) => {
            r.error(
                v.loc,
                format!("`{what}`: a list of parts cannot hold another list"),
            );
            None
        }
        _ => r.tpl(v, what).map(PartValue::Text),
    }
}
