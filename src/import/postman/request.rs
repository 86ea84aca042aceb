//! One Postman request as a baton request: method and URL (path variables `:id` as
//! variables, the query from its enabled parameters), enabled headers, the body, and the
//! request's test script as `capture` and `expect`. Auth is added by the caller, which knows
//! the file the request goes to.

use super::model::{Param, PmRequest};
use super::{Ctx, body, prerequest, script};
use crate::import::names::dynamic_variable;
use crate::import::out::OutRequest;

/// A path variable of a file: `(key, value)`.
pub(super) type PathVar = (String, String);

pub(super) fn convert(req: &PmRequest, cx: &mut Ctx, path_vars: &mut Vec<PathVar>) -> OutRequest {
    let mut out = OutRequest {
        method: req.method.clone(),
        ..OutRequest::default()
    };
    if !out.method.chars().all(|c| c.is_ascii_alphabetic()) {
        cx.warn(format!(
            "`{}` is not an HTTP method: GET is used",
            out.method
        ));
        out.method = "GET".into();
    }
    out.url = url(req, cx, path_vars);
    out.name = if req.name.trim().is_empty() {
        format!("{} {}", out.method, out.url)
    } else {
        req.name.trim().to_string()
    };
    if let Some(d) = &req.description {
        out.comments.push(d.clone());
    }
    let is_multipart = req
        .body
        .as_ref()
        .and_then(|b| b.get("mode"))
        .and_then(|m| m.as_str())
        == Some("formdata");
    let mut content_type = None;
    for p in req
        .headers
        .iter()
        .chain(&req.url.query)
        .filter(|p| !p.disabled)
    {
        if let Some(d) = &p.description {
            out.comments.push(format!("{}: {d}", p.key));
        }
    }
    for h in req.headers.iter().filter(|h| !h.disabled) {
        let lower = h.key.to_ascii_lowercase();
        if lower == "content-type" {
            // Without its boundary, a hand-set multipart type would break the body.
            if is_multipart && h.value.to_ascii_lowercase().starts_with("multipart/") {
                continue;
            }
            content_type = Some(h.value.clone());
        }
        let value = if lower == "authorization" {
            let why = format!("the `Authorization` header in {}", cx.place);
            cx.secret_because(&h.key, &h.value, &why)
        } else {
            cx.named(&h.key, &h.value)
        };
        out.headers.push((cx.text(&h.key), value));
    }
    out.query = query(&req.url.query, cx, &mut out.url);
    if let Some(b) = &req.body {
        out.body = body::convert(b, content_type.as_deref(), cx);
    }
    out
}

/// The URL without its query: `:name` path segments become `<<name>>` with the variable's
/// value kept in the file's `vars` (or the variable it refers to, directly).
fn url(req: &PmRequest, cx: &mut Ctx, path_vars: &mut Vec<PathVar>) -> String {
    let mut base = req.url.base.trim().to_string();
    if base.is_empty() {
        cx.warn("the request has no URL");
        base = "http://localhost/".into();
    }
    let mut segments: Vec<String> = Vec::new();
    for (i, seg) in base.split('/').enumerate() {
        // Segment 0 is the scheme (`https:`) or a host; `:port` never starts a segment.
        let declared = seg
            .strip_prefix(':')
            .and_then(|name| req.url.path_variables.iter().find(|p| p.key == name));
        match declared {
            Some(p) if i > 0 => segments.push(path_variable(p, cx, path_vars)),
            _ => segments.push(cx.text(seg)),
        }
    }
    let mut url = placeholders(&segments.join("/"), cx);
    let has_scheme = base.contains("://");
    if !has_scheme && !base.starts_with("{{") {
        cx.warn("the URL has no scheme: http:// is assumed, as Postman does");
        url = format!("http://{url}");
    } else if let Some(var) = leading_variable(&base)
        && cx.value_of(var) == Some("")
    {
        // Defined, but empty: the URL has no host until somebody fills it in.
        let key = cx.names.key(var);
        if !cx.blank.contains(&key) {
            cx.blank.push(key);
        }
    } else if let Some(var) = leading_variable(&base)
        && let Some(value) = cx.value_of(var)
        && !value.contains("://")
        && !value.starts_with("{{")
    {
        // `{{host}}/x` with `host: localhost:8080`: Postman sends http://localhost:8080/x.
        // Said once for the variable, not for each of its requests.
        let message = format!(
            "`{{{{{var}}}}}` holds `{value}`, with no scheme: http:// is written before it in each URL it starts, as Postman assumes"
        );
        let place = std::mem::take(&mut cx.place);
        cx.warn(message);
        cx.place = place;
        url = format!("http://{url}");
    }
    url
}

/// `<name>` placeholders of a URL that a guide left for the reader to fill in
/// (`https://<app-name>.example.net/Patient/<Id>`): Postman sends them as they are and fails;
/// as variables they are named by `baton check` and given with `--var`.
fn placeholders(url: &str, cx: &mut Ctx) -> String {
    let mut out = String::with_capacity(url.len());
    let mut rest = url;
    while let Some(open) = rest.find('<') {
        let after = &rest[open + 1..];
        let close = after.find('>');
        let inner = close.map(|c| &after[..c]);
        match inner {
            Some(name)
                if !name.is_empty()
                    && !name.starts_with('<')
                    && name
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || "-_ .".contains(c)) =>
            {
                let key = crate::import::names::identifier(name);
                out.push_str(&rest[..open]);
                out.push_str(&format!("<<{key}>>"));
                cx.warn(format!(
                    "the URL holds the placeholder `<{name}>`: written as the variable <<{key}>>, to give with --var or an environment"
                ));
                if !cx.blank.contains(&key) {
                    cx.blank.push(key.clone());
                }
                if !cx.seen.contains(&key) {
                    cx.seen.push(key);
                }
                rest = &after[name.len() + 1..];
            }
            _ => {
                // `<<var>>` already, or not a placeholder: as it is.
                let skip = if after.starts_with('<') {
                    after.find(">>").map_or(after.len(), |e| e + 2)
                } else {
                    0
                };
                out.push_str(&rest[..open + 1 + skip]);
                rest = &after[skip..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// `host` of `{{host}}/path`.
fn leading_variable(base: &str) -> Option<&str> {
    let rest = base.strip_prefix("{{")?;
    let end = rest.find("}}")?;
    Some(&rest[..end])
}

/// A request Postman sends only to run its scripts (`about:blank`, a common placeholder of
/// script-only steps): nothing to send.
pub(super) fn scripts_only(req: &PmRequest) -> bool {
    req.url
        .base
        .trim()
        .to_ascii_lowercase()
        .starts_with("about:")
}

fn path_variable(p: &Param, cx: &mut Ctx, path_vars: &mut Vec<PathVar>) -> String {
    if crate::import::names::sole_variable(p.value.trim()).is_some() {
        return cx.text(p.value.trim());
    }
    let value = cx.text(&p.value);
    let mut base = crate::import::names::identifier(&p.key);
    if cx.is_known_variable(&base) {
        base.push_str("_path");
    }
    let mut key = base.clone();
    let mut n = 2;
    loop {
        match path_vars.iter().find(|(k, _)| *k == key) {
            Some((_, v)) if *v == value => break,
            Some(_) => {
                key = format!("{base}_{n}");
                n += 1;
            }
            None => {
                path_vars.push((key.clone(), value));
                break;
            }
        }
    }
    if !cx.seen.contains(&key) {
        cx.seen.push(key.clone());
    }
    if p.value.is_empty() {
        cx.warn(format!(
            "the path variable `:{}` has no value: it is sent empty",
            p.key
        ));
    }
    format!("<<{key}>>")
}

/// Enabled query parameters: as `query:` when baton's encoding sends them as Postman does,
/// else written into the URL as they are (already percent-encoded, or with `+`).
fn query(params: &[Param], cx: &mut Ctx, url: &mut String) -> Vec<(String, String)> {
    let enabled: Vec<&Param> = params.iter().filter(|p| !p.disabled).collect();
    let as_written = enabled
        .iter()
        .any(|p| p.key.contains(['%', '+']) || p.value.contains(['%', '+']));
    let pairs: Vec<(String, String)> = enabled
        .iter()
        .map(|p| {
            let v = cx.named(&p.key, &p.value);
            (cx.text(&p.key), v)
        })
        .collect();
    if as_written && !pairs.is_empty() {
        let q: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect();
        url.push('?');
        url.push_str(&q.join("&"));
        return Vec::new();
    }
    pairs
}

/// One script of a request or folder, converted.
pub(super) struct Script {
    /// `test` or `prerequest`.
    pub listen: String,
    pub converted: script::Converted,
    /// Code lines of the source (not blank, not comments), and those none of converted,
    /// unconverted and logging holds.
    pub code: usize,
    pub dropped: usize,
    /// What a pre-request script set and fetched.
    pub pre: prerequest::PreRequest,
    /// The requests a test script sends after the response (`pm.sendRequest`).
    pub after: Vec<super::sendrequest::Call>,
}

/// The scripts of a request (or of a folder, applied to its requests): test scripts as
/// captures and expectations, pre-request scripts as variables and token requests. A
/// request's test script may send requests after the response (`sends`); a folder's, which
/// runs after each of its requests, is not converted there.
pub(super) fn tests(events: &[super::model::Event], sends: bool, cx: &mut Ctx) -> Vec<Script> {
    let read = std::cell::RefCell::new(Vec::new());
    let names = cx.names;
    let known = cx.known.clone();
    let out = events
        .iter()
        .filter(|e| !e.disabled)
        .map(|e| {
            let code = script::code_lines(&e.lines).len();
            if e.listen == "test" {
                let mut converted = script::convert_with(
                    &e.lines,
                    &|n| {
                        read.borrow_mut().push(names.key(n));
                        names.reference(n)
                    },
                    &|n| known.iter().any(|k| k == n),
                );
                let after = if sends {
                    sent_after(&e.lines, &mut converted)
                } else {
                    Vec::new()
                };
                return Script {
                    listen: e.listen.clone(),
                    dropped: converted.dropped(&e.lines),
                    converted,
                    code,
                    pre: prerequest::PreRequest::default(),
                    after,
                };
            }
            let pre = if e.listen == "prerequest"
                && super::oauth1_script::signing_script(&e.lines).is_some()
            {
                // The script signs the request by hand: `auth: { oauth1 }` signs it the same
                // way (the caller writes it, `oauth1_script::signed`).
                prerequest::PreRequest {
                    converted: script::Converted {
                        converted: code,
                        ..script::Converted::default()
                    },
                    ..prerequest::PreRequest::default()
                }
            } else if e.listen == "prerequest" {
                prerequest::convert(&e.lines, &|n| dynamic_variable(n).is_some())
            } else {
                prerequest::PreRequest {
                    converted: script::Converted {
                        unconverted: script::code_lines(&e.lines),
                        ..script::Converted::default()
                    },
                    ..prerequest::PreRequest::default()
                }
            };
            Script {
                listen: e.listen.clone(),
                dropped: pre.converted.dropped(&e.lines),
                converted: pre.converted.clone(),
                code,
                pre,
                after: Vec::new(),
            }
        })
        .collect();
    for key in read.into_inner() {
        if !cx.seen.contains(&key) {
            cx.seen.push(key);
        }
    }
    out
}

/// The calls a test script sends after the response: the lines they were read from, left
/// unconverted by the script's checks and captures, are converted.
fn sent_after(
    lines: &[String],
    converted: &mut script::Converted,
) -> Vec<super::sendrequest::Call> {
    if !converted
        .unconverted
        .iter()
        .any(|(_, l)| l.contains("sendRequest"))
    {
        return Vec::new();
    }
    let after = super::after::convert(lines);
    let before = converted.unconverted.len();
    converted
        .unconverted
        .retain(|(n, _)| after.lines.binary_search(n).is_err());
    converted.converted += before - converted.unconverted.len();
    after.calls
}
