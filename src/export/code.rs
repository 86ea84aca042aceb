//! Python `requests` snippets, as the provider guides write them:
//! `requests.post(url, data={...}, headers={...}, auth=(...))` then
//! `print(response.json())`. The call itself ([`py_call`]) is shared with the exported
//! program (`program/python.rs`), which writes its strings as expressions.

use super::model::{Body, HttpRequest, Part};
use serde_json::Value;

/// How a string of the request is written: a literal ([`lit`]) in a snippet, an expression
/// that reads the program's variables in an exported program.
pub(super) type Quote = fn(&str) -> String;

/// A string literal both languages read (JSON escapes).
pub(super) fn lit(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

pub(super) fn comments(notes: &[String], prefix: &str) -> String {
    notes.iter().map(|n| format!("{prefix} {n}\n")).collect()
}

/// Whether a key of `pairs` is given twice (then a list of pairs, not a dict or object).
pub(super) fn repeated(pairs: &[(String, String)]) -> bool {
    pairs
        .iter()
        .enumerate()
        .any(|(i, (k, _))| pairs[..i].iter().any(|(o, _)| o == k))
}

/// A JSON value as a Python literal, indented by `indent` levels of 4.
pub(super) fn py_value(v: &Value, indent: usize, q: Quote) -> String {
    let pad = "    ".repeat(indent + 1);
    let close = "    ".repeat(indent);
    match v {
        Value::Null => "None".into(),
        Value::Bool(b) => if *b { "True" } else { "False" }.into(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => q(s),
        Value::Array(items) if items.is_empty() => "[]".into(),
        Value::Array(items) => {
            let inner: Vec<String> = items
                .iter()
                .map(|i| format!("{pad}{},", py_value(i, indent + 1, q)))
                .collect();
            format!("[\n{}\n{close}]", inner.join("\n"))
        }
        Value::Object(m) if m.is_empty() => "{}".into(),
        Value::Object(m) => {
            let inner: Vec<String> = m
                .iter()
                .map(|(k, v)| format!("{pad}{}: {},", q(k), py_value(v, indent + 1, q)))
                .collect();
            format!("{{\n{}\n{close}}}", inner.join("\n"))
        }
    }
}

pub(super) fn py_pairs(pairs: &[(String, String)], indent: usize, q: Quote) -> String {
    let pad = "    ".repeat(indent + 1);
    let close = "    ".repeat(indent);
    if repeated(pairs) {
        let inner: Vec<String> = pairs
            .iter()
            .map(|(k, v)| format!("{pad}({}, {}),", q(k), q(v)))
            .collect();
        format!("[\n{}\n{close}]", inner.join("\n"))
    } else {
        let inner: Vec<String> = pairs
            .iter()
            .map(|(k, v)| format!("{pad}{}: {},", q(k), q(v)))
            .collect();
        format!("{{\n{}\n{close}}}", inner.join("\n"))
    }
}

/// The `requests` function the request calls and its arguments, strings written by `q`.
pub(super) fn py_call(req: &HttpRequest, q: Quote) -> (String, Vec<String>) {
    let function = match req.method.as_str() {
        m @ ("GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "HEAD" | "OPTIONS") => {
            m.to_ascii_lowercase()
        }
        _ => "request".into(),
    };
    let mut args = Vec::new();
    if function == "request" {
        args.push(q(&req.method));
    }
    args.push(q(&req.url));
    if !req.query.is_empty() {
        args.push(format!("params={}", py_pairs(&req.query, 1, q)));
    }
    let mut files = None;
    match &req.body {
        None => {}
        Some(Body::Form(fields)) => args.push(format!("data={}", py_pairs(fields, 1, q))),
        Some(Body::Json(v)) => args.push(format!("json={}", py_value(v, 1, q))),
        Some(Body::Raw { text }) => args.push(format!("data={}", q(text))),
        Some(Body::File { path }) => args.push(format!("data=open({}, \"rb\")", q(path))),
        Some(Body::Multipart(parts)) => {
            let text: Vec<(String, String)> = parts
                .iter()
                .filter_map(|(k, p)| match p {
                    Part::Text(t) => Some((k.clone(), t.clone())),
                    Part::File { .. } => None,
                })
                .collect();
            if !text.is_empty() {
                args.push(format!("data={}", py_pairs(&text, 1, q)));
            }
            let f: Vec<String> = parts
                .iter()
                .filter_map(|(k, p)| match p {
                    Part::File {
                        path,
                        filename,
                        content_type,
                    } => {
                        let name = filename
                            .clone()
                            .unwrap_or_else(|| path.rsplit('/').next().unwrap_or(path).to_string());
                        let ct = content_type
                            .as_deref()
                            .map(|c| format!(", {}", q(c)))
                            .unwrap_or_default();
                        Some(format!(
                            "        {}: ({}, open({}, \"rb\"){ct}),",
                            q(k),
                            q(&name),
                            q(path)
                        ))
                    }
                    Part::Text(_) => None,
                })
                .collect();
            files = Some(format!("files={{\n{}\n    }}", f.join("\n")));
        }
    }
    args.extend(files);
    // requests sets the multipart type (with its boundary) itself.
    let headers: Vec<(String, String)> = req
        .headers
        .iter()
        .filter(|(k, v)| {
            !(matches!(req.body, Some(Body::Multipart(_)))
                && k.eq_ignore_ascii_case("content-type")
                && v.starts_with("multipart/"))
        })
        .cloned()
        .collect();
    if !headers.is_empty() {
        args.push(format!("headers={}", py_pairs(&headers, 1, q)));
    }
    if let Some((u, p)) = &req.basic {
        args.push(format!("auth=({}, {})", q(u), q(p)));
    }
    args.extend(
        req.client_cert
            .as_ref()
            .and_then(|c| super::cert::py_arg(c, q)),
    );
    (function, args)
}

pub(super) fn python(req: &HttpRequest, notes: &[String]) -> String {
    let mut out = comments(notes, "#");
    out.push_str("import requests\n\n");
    let (function, args) = py_call(req, lit);
    out.push_str(&format!("response = requests.{function}(\n"));
    for a in &args {
        out.push_str(&format!("    {a},\n"));
    }
    out.push_str(")\n");
    out.push_str(if req.method == "HEAD" {
        "print(response.status_code, response.headers)\n"
    } else {
        "print(response.json())\n"
    });
    out
}
