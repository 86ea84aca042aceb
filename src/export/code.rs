//! Python `requests` and Node `axios` snippets, as the provider guides write them:
//! `requests.post(url, data={...}, headers={...}, auth=(...))` then
//! `print(response.json())`; axios with `URLSearchParams` for form bodies.

use super::model::{Body, HttpRequest, Part};
use serde_json::Value;

/// A string literal both languages read (JSON escapes).
fn lit(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

fn comments(notes: &[String], prefix: &str) -> String {
    notes.iter().map(|n| format!("{prefix} {n}\n")).collect()
}

/// A JSON value as a Python literal, indented by `indent` levels of 4.
fn py_value(v: &Value, indent: usize) -> String {
    let pad = "    ".repeat(indent + 1);
    let close = "    ".repeat(indent);
    match v {
        Value::Null => "None".into(),
        Value::Bool(b) => if *b { "True" } else { "False" }.into(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => lit(s),
        Value::Array(items) if items.is_empty() => "[]".into(),
        Value::Array(items) => {
            let inner: Vec<String> = items
                .iter()
                .map(|i| format!("{pad}{},", py_value(i, indent + 1)))
                .collect();
            format!("[\n{}\n{close}]", inner.join("\n"))
        }
        Value::Object(m) if m.is_empty() => "{}".into(),
        Value::Object(m) => {
            let inner: Vec<String> = m
                .iter()
                .map(|(k, v)| format!("{pad}{}: {},", lit(k), py_value(v, indent + 1)))
                .collect();
            format!("{{\n{}\n{close}}}", inner.join("\n"))
        }
    }
}

fn py_pairs(pairs: &[(String, String)], indent: usize) -> String {
    let repeated = pairs
        .iter()
        .enumerate()
        .any(|(i, (k, _))| pairs[..i].iter().any(|(o, _)| o == k));
    let pad = "    ".repeat(indent + 1);
    let close = "    ".repeat(indent);
    if repeated {
        let inner: Vec<String> = pairs
            .iter()
            .map(|(k, v)| format!("{pad}({}, {}),", lit(k), lit(v)))
            .collect();
        format!("[\n{}\n{close}]", inner.join("\n"))
    } else {
        let inner: Vec<String> = pairs
            .iter()
            .map(|(k, v)| format!("{pad}{}: {},", lit(k), lit(v)))
            .collect();
        format!("{{\n{}\n{close}}}", inner.join("\n"))
    }
}

pub(super) fn python(req: &HttpRequest, notes: &[String]) -> String {
    let mut out = comments(notes, "#");
    out.push_str("import requests\n\n");
    let function = match req.method.as_str() {
        m @ ("GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "HEAD" | "OPTIONS") => {
            m.to_ascii_lowercase()
        }
        _ => "request".into(),
    };
    let mut args = Vec::new();
    if function == "request" {
        args.push(lit(&req.method));
    }
    args.push(lit(&req.url));
    let mut files = None;
    match &req.body {
        None => {}
        Some(Body::Form(fields)) => args.push(format!("data={}", py_pairs(fields, 1))),
        Some(Body::Json(v)) => args.push(format!("json={}", py_value(v, 1))),
        Some(Body::Raw { text }) => args.push(format!("data={}", lit(text))),
        Some(Body::File { path }) => args.push(format!("data=open({}, \"rb\")", lit(path))),
        Some(Body::Multipart(parts)) => {
            let text: Vec<(String, String)> = parts
                .iter()
                .filter_map(|(k, p)| match p {
                    Part::Text(t) => Some((k.clone(), t.clone())),
                    Part::File { .. } => None,
                })
                .collect();
            if !text.is_empty() {
                args.push(format!("data={}", py_pairs(&text, 1)));
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
                            .map(|c| format!(", {}", lit(c)))
                            .unwrap_or_default();
                        Some(format!(
                            "        {}: ({}, open({}, \"rb\"){ct}),",
                            lit(k),
                            lit(&name),
                            lit(path)
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
        args.push(format!("headers={}", py_pairs(&headers, 1)));
    }
    if let Some((u, p)) = &req.basic {
        args.push(format!("auth=({}, {})", lit(u), lit(p)));
    }
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

fn js_key(k: &str) -> String {
    let ident = k
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '$')
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$');
    if ident { k.to_string() } else { lit(k) }
}

fn js_object(pairs: &[(String, String)], indent: usize) -> String {
    let pad = "  ".repeat(indent + 1);
    let close = "  ".repeat(indent);
    let inner: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{pad}{}: {},", js_key(k), lit(v)))
        .collect();
    format!("{{\n{}\n{close}}}", inner.join("\n"))
}

pub(super) fn node(req: &HttpRequest, notes: &[String]) -> String {
    let mut out = comments(notes, "//");
    out.push_str("const axios = require(\"axios\");\n");
    let mut data = None;
    let mut extra_headers = false;
    match &req.body {
        None => {}
        Some(Body::Form(fields)) => {
            let repeated = fields
                .iter()
                .enumerate()
                .any(|(i, (k, _))| fields[..i].iter().any(|(o, _)| o == k));
            let init = if repeated {
                let rows: Vec<String> = fields
                    .iter()
                    .map(|(k, v)| format!("  [{}, {}],", lit(k), lit(v)))
                    .collect();
                format!("[\n{}\n]", rows.join("\n"))
            } else {
                js_object(fields, 0)
            };
            out.push_str(&format!("\nconst data = new URLSearchParams({init});\n"));
            data = Some("data");
        }
        Some(Body::Json(v)) => {
            out.push_str(&format!(
                "\nconst data = {};\n",
                serde_json::to_string_pretty(v).unwrap_or_default()
            ));
            data = Some("data");
        }
        Some(Body::Raw { text }) => {
            out.push_str(&format!("\nconst data = {};\n", lit(text)));
            data = Some("data");
        }
        Some(Body::File { path }) => {
            out.push_str(&format!(
                "const fs = require(\"fs\");\n\nconst data = fs.readFileSync({});\n",
                lit(path)
            ));
            data = Some("data");
        }
        Some(Body::Multipart(parts)) => {
            out.push_str("const fs = require(\"fs\");\nconst FormData = require(\"form-data\");\n\nconst data = new FormData();\n");
            for (k, p) in parts {
                match p {
                    Part::Text(t) => {
                        out.push_str(&format!("data.append({}, {});\n", lit(k), lit(t)));
                    }
                    Part::File { path, .. } => out.push_str(&format!(
                        "data.append({}, fs.createReadStream({}));\n",
                        lit(k),
                        lit(path)
                    )),
                }
            }
            data = Some("data");
            extra_headers = true;
        }
    }
    out.push_str("\naxios({\n");
    out.push_str(&format!(
        "  method: {},\n  url: {},\n",
        lit(&req.method.to_ascii_lowercase()),
        lit(&req.url)
    ));
    let headers: Vec<(String, String)> = req
        .headers
        .iter()
        .filter(|(k, _)| !(extra_headers && k.eq_ignore_ascii_case("content-type")))
        .cloned()
        .collect();
    if !headers.is_empty() || extra_headers {
        let mut h = js_object(&headers, 1);
        if extra_headers {
            h = if headers.is_empty() {
                "{ ...data.getHeaders() }".into()
            } else {
                h.replacen("{\n", "{\n    ...data.getHeaders(),\n", 1)
            };
        }
        out.push_str(&format!("  headers: {h},\n"));
    }
    if let Some((u, p)) = &req.basic {
        out.push_str(&format!(
            "  auth: {{ username: {}, password: {} }},\n",
            lit(u),
            lit(p)
        ));
    }
    if let Some(d) = data {
        out.push_str(&format!("  {d},\n"));
    }
    out.push_str("})\n  .then((response) => console.log(response.data))\n  .catch((error) => console.error(error.response ? error.response.data : error.message));\n");
    out
}
