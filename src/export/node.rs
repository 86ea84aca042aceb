//! Node `axios` snippets, as the provider guides write them: `URLSearchParams` for form
//! bodies, `axios({ method, url, headers, auth, data })` then `console.log(response.data)`.
//! The request's parts ([`js_parts`]) are shared with the exported program
//! (`program/node.rs`), which writes its strings as expressions.

use super::code::{Quote, comments, lit, repeated};
use super::model::{Body, HttpRequest, Part};
use serde_json::Value;

pub(super) fn js_key(k: &str) -> String {
    let ident = k
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '$')
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$');
    if ident { k.to_string() } else { lit(k) }
}

pub(super) fn js_object(pairs: &[(String, String)], indent: usize, q: Quote) -> String {
    let pad = "  ".repeat(indent + 1);
    let close = "  ".repeat(indent);
    let inner: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{pad}{}: {},", js_key(k), q(v)))
        .collect();
    format!("{{\n{}\n{close}}}", inner.join("\n"))
}

/// A JSON value as JavaScript, laid out as `JSON.stringify(v, null, 2)` (and serde's
/// pretty printer) does, its strings written by `q`.
fn js_value(v: &Value, indent: usize, q: Quote) -> String {
    let pad = "  ".repeat(indent + 1);
    let close = "  ".repeat(indent);
    match v {
        Value::String(s) => q(s),
        Value::Array(items) if !items.is_empty() => {
            let inner: Vec<String> = items
                .iter()
                .map(|i| format!("{pad}{}", js_value(i, indent + 1, q)))
                .collect();
            format!("[\n{}\n{close}]", inner.join(",\n"))
        }
        Value::Object(m) if !m.is_empty() => {
            let inner: Vec<String> = m
                .iter()
                .map(|(k, v)| format!("{pad}{}: {}", lit(k), js_value(v, indent + 1, q)))
                .collect();
            format!("{{\n{}\n{close}}}", inner.join(",\n"))
        }
        other => other.to_string(),
    }
}

/// What a request is in axios: the modules it needs (`fs`, `form-data`), the statements
/// that make its `data`, and the fields of its config (each `  name: value,\n`).
pub(super) struct Parts {
    pub requires: String,
    pub data: String,
    pub fields: Vec<String>,
}

pub(super) fn js_parts(req: &HttpRequest, q: Quote) -> Parts {
    let mut requires = String::new();
    let mut data = String::new();
    let mut has_data = false;
    let mut extra_headers = false;
    match &req.body {
        None => {}
        Some(Body::Form(fields)) => {
            let init = if repeated(fields) {
                let rows: Vec<String> = fields
                    .iter()
                    .map(|(k, v)| format!("  [{}, {}],", q(k), q(v)))
                    .collect();
                format!("[\n{}\n]", rows.join("\n"))
            } else {
                js_object(fields, 0, q)
            };
            data.push_str(&format!("\nconst data = new URLSearchParams({init});\n"));
            has_data = true;
        }
        Some(Body::Json(v)) => {
            data.push_str(&format!("\nconst data = {};\n", js_value(v, 0, q)));
            has_data = true;
        }
        Some(Body::Raw { text }) => {
            data.push_str(&format!("\nconst data = {};\n", q(text)));
            has_data = true;
        }
        Some(Body::File { path }) => {
            requires.push_str("const fs = require(\"fs\");\n");
            data.push_str(&format!("\nconst data = fs.readFileSync({});\n", q(path)));
            has_data = true;
        }
        Some(Body::Multipart(parts)) => {
            requires.push_str(
                "const fs = require(\"fs\");\nconst FormData = require(\"form-data\");\n",
            );
            data.push_str("\nconst data = new FormData();\n");
            for (k, p) in parts {
                match p {
                    Part::Text(t) => {
                        data.push_str(&format!("data.append({}, {});\n", q(k), q(t)));
                    }
                    Part::File { path, .. } => data.push_str(&format!(
                        "data.append({}, fs.createReadStream({}));\n",
                        q(k),
                        q(path)
                    )),
                }
            }
            has_data = true;
            extra_headers = true;
        }
    }
    let mut fields = vec![format!(
        "  method: {},\n  url: {},\n",
        lit(&req.method.to_ascii_lowercase()),
        q(&req.url)
    )];
    if !req.query.is_empty() {
        fields.push(format!("  params: {},\n", js_object(&req.query, 1, q)));
    }
    let headers: Vec<(String, String)> = req
        .headers
        .iter()
        .filter(|(k, _)| !(extra_headers && k.eq_ignore_ascii_case("content-type")))
        .cloned()
        .collect();
    if !headers.is_empty() || extra_headers {
        let mut h = js_object(&headers, 1, q);
        if extra_headers {
            h = if headers.is_empty() {
                "{ ...data.getHeaders() }".into()
            } else {
                h.replacen("{\n", "{\n    ...data.getHeaders(),\n", 1)
            };
        }
        fields.push(format!("  headers: {h},\n"));
    }
    if let Some((u, p)) = &req.basic {
        fields.push(format!(
            "  auth: {{ username: {}, password: {} }},\n",
            q(u),
            q(p)
        ));
    }
    if has_data {
        fields.push("  data,\n".into());
    }
    if let Some(c) = &req.client_cert {
        if !requires.contains("require(\"fs\")") {
            requires.push_str("const fs = require(\"fs\");\n");
        }
        let (module, agent) = super::cert::js_agent(c, q);
        requires.push_str(&module);
        fields.push(agent);
    }
    Parts {
        requires,
        data,
        fields,
    }
}

pub(super) fn node(req: &HttpRequest, notes: &[String]) -> String {
    let mut out = comments(notes, "//");
    out.push_str("const axios = require(\"axios\");\n");
    let parts = js_parts(req, lit);
    out.push_str(&parts.requires);
    out.push_str(&parts.data);
    out.push_str("\naxios({\n");
    out.push_str(&parts.fields.concat());
    out.push_str("})\n  .then((response) => console.log(response.data))\n  .catch((error) => console.error(error.response ? error.response.data : error.message));\n");
    out
}
