//! cURL and raw HTTP snippets. cURL as the guides write it (`curl -X POST URL \`, one
//! option per line, `-d 'a=b&c=d'` for forms, `-u id:secret` for Basic), written by the
//! shared builder in `http/curl.rs`; this file says which curl option each body takes.

use super::model::{Body, HttpRequest, Part, form_encode, has_marker};
use crate::http::curl::Data;
use base64::Engine as _;

fn comments(notes: &[String], prefix: &str) -> String {
    notes.iter().map(|n| format!("{prefix} {n}\n")).collect()
}

/// The form body as sent: `a=b&c=d`.
pub(super) fn form_text(fields: &[(String, String)]) -> String {
    fields
        .iter()
        .map(|(k, v)| format!("{}={}", form_encode(k), form_encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// The curl options that send `body`.
pub(super) fn data(body: Option<&Body>) -> Vec<(Data, String)> {
    match body {
        None => Vec::new(),
        Some(Body::Form(fields)) => vec![(Data::Ascii, form_text(fields))],
        Some(Body::Json(v)) => vec![(Data::Ascii, v.to_string())],
        Some(Body::Raw { text }) => vec![(Data::Raw, text.clone())],
        Some(Body::File { path }) => vec![(Data::Binary, format!("@{path}"))],
        Some(Body::Multipart(parts)) => parts
            .iter()
            .map(|(name, part)| {
                let arg = match part {
                    Part::Text(t) => format!("{name}={t}"),
                    Part::File {
                        path,
                        filename,
                        content_type,
                    } => {
                        let mut a = format!("{name}=@{path}");
                        if let Some(ct) = content_type {
                            a.push_str(&format!(";type={ct}"));
                        }
                        if let Some(f) = filename {
                            a.push_str(&format!(";filename={f}"));
                        }
                        a
                    }
                };
                (Data::Field, arg)
            })
            .collect(),
    }
}

pub(super) fn curl(req: &HttpRequest, notes: &[String]) -> String {
    use crate::http::curl::{Command, SNIPPET, render};
    let data = data(req.body.as_ref());
    let command = Command {
        method: req.method.clone(),
        url: req.url.clone(),
        follow_redirects: req.follow_redirects,
        headers: req.headers.clone(),
        user: req.basic.as_ref().map(|(u, p)| format!("{u}:{p}")),
        data,
        trust: None,
        cert: req.client_cert.clone(),
    };
    format!("{}{}\n", comments(notes, "#"), render(&command, &SNIPPET))
}

/// `scheme://authority/path?query` → (authority, path and query); markers may be anywhere.
fn split_url(url: &str) -> (String, String) {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    match rest.find('/') {
        Some(i) => (rest[..i].to_string(), rest[i..].to_string()),
        None => match rest.find('?') {
            Some(i) => (rest[..i].to_string(), format!("/{}", &rest[i..])),
            None => (rest.to_string(), "/".to_string()),
        },
    }
}

/// The request as raw HTTP. `program`: for a `.http` file whose variables are only known
/// when it runs, so the request line holds the whole URL (the host may be a variable) and
/// Basic credentials are `user:password`, which the `.http` clients encode themselves.
pub(super) fn http(req: &HttpRequest, notes: &[String], program: bool) -> String {
    let mut out = comments(notes, "#");
    if program {
        out.push_str(&format!("{} {} HTTP/1.1\n", req.method, req.url));
    } else {
        let (host, target) = split_url(&req.url);
        out.push_str(&format!("{} {target} HTTP/1.1\nHost: {host}\n", req.method));
    }
    let boundary = "baton-boundary";
    for (k, v) in &req.headers {
        let v = if matches!(req.body, Some(Body::Multipart(_)))
            && k.eq_ignore_ascii_case("content-type")
        {
            continue;
        } else {
            v
        };
        out.push_str(&format!("{k}: {v}\n"));
    }
    if let Some((u, p)) = &req.basic {
        let pair = format!("{u}:{p}");
        let encoded = if program {
            pair
        } else if has_marker(&pair) {
            format!("<base64 of {pair}>")
        } else {
            base64::engine::general_purpose::STANDARD.encode(pair)
        };
        out.push_str(&format!("Authorization: Basic {encoded}\n"));
    }
    let body = match &req.body {
        None => return out,
        Some(Body::Form(fields)) => form_text(fields),
        Some(Body::Json(v)) => serde_json::to_string_pretty(v).unwrap_or_default(),
        Some(Body::Raw { text }) => text.clone(),
        Some(Body::File { path }) => format!("< {path}"),
        Some(Body::Multipart(parts)) => {
            out.push_str(&format!(
                "Content-Type: multipart/form-data; boundary={boundary}\n"
            ));
            let mut b = String::new();
            for (name, part) in parts {
                b.push_str(&format!("--{boundary}\n"));
                match part {
                    Part::Text(t) => b.push_str(&format!(
                        "Content-Disposition: form-data; name=\"{name}\"\n\n{t}\n"
                    )),
                    Part::File {
                        path,
                        filename,
                        content_type,
                    } => {
                        let file = filename
                            .clone()
                            .unwrap_or_else(|| path.rsplit('/').next().unwrap_or(path).to_string());
                        b.push_str(&format!(
                            "Content-Disposition: form-data; name=\"{name}\"; filename=\"{file}\"\n"
                        ));
                        b.push_str(&format!(
                            "Content-Type: {}\n\n< {path}\n",
                            content_type
                                .as_deref()
                                .unwrap_or("application/octet-stream")
                        ));
                    }
                }
            }
            b.push_str(&format!("--{boundary}--"));
            b
        }
    };
    out.push('\n');
    out.push_str(&body);
    out.push('\n');
    out
}
