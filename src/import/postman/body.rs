//! Postman request bodies as baton bodies: `urlencoded` → `form`, `raw` → `json` (by its
//! language option, or when it parses as JSON once `{{var}}` placeholders are set aside) or
//! `body` with its content type, `formdata` → `multipart` (files as `{ file: path }`),
//! `graphql` → `json: { query, variables }`, `file` → `file`.

use super::Ctx;
use super::model::{params, text};
use crate::import::names::sole_variable;
use crate::import::out::pairs;
use crate::import::yaml::Y;
use serde_json::Value;

/// The body key and value, or nothing. `content_type` is the request's own header.
pub(super) fn convert(
    body: &Value,
    content_type: Option<&str>,
    cx: &mut Ctx,
) -> Option<(String, Y)> {
    let b = body.as_object()?;
    if b.get("disabled").and_then(Value::as_bool) == Some(true) {
        return None;
    }
    let mode = b.get("mode").map(text).unwrap_or_default();
    match mode.as_str() {
        "urlencoded" => {
            let fields: Vec<(String, String)> = params(b.get("urlencoded"))
                .into_iter()
                .filter(|p| !p.disabled)
                .map(|p| {
                    let v = cx.named(&p.key, &p.value);
                    (p.key, v)
                })
                .collect();
            (!fields.is_empty()).then(|| ("form".to_string(), pairs(&fields)))
        }
        "raw" => raw(b, content_type, cx),
        "formdata" => formdata(b.get("formdata"), cx),
        "file" => {
            let src = b
                .get("file")
                .and_then(|f| f.get("src"))
                .map(text)
                .unwrap_or_default();
            if src.is_empty() {
                cx.warn("the body is a file with no path: the request is sent without a body");
                return None;
            }
            Some(("file".into(), Y::Str(cx.text(&src))))
        }
        "graphql" => {
            let g = b.get("graphql")?.as_object()?;
            let mut m = vec![(
                "query".to_string(),
                Y::Str(cx.text(&g.get("query").map(text).unwrap_or_default())),
            )];
            let vars = match g.get("variables") {
                Some(Value::String(s)) if !s.trim().is_empty() => {
                    if let Some(v) = json_with_variables(s, cx) {
                        Some(v)
                    } else {
                        cx.warn("the GraphQL variables are not valid JSON: they are sent as text");
                        Some(Y::Str(cx.text(s)))
                    }
                }
                Some(v @ Value::Object(_)) => Some(json_value(v, cx, None)),
                _ => None,
            };
            if let Some(v) = vars {
                m.push(("variables".into(), v));
            }
            Some(("json".into(), Y::map(m)))
        }
        "" => None,
        other => {
            cx.warn(format!(
                "body mode `{other}` is not known: the request is sent without a body"
            ));
            None
        }
    }
}

fn raw(
    b: &serde_json::Map<String, Value>,
    content_type: Option<&str>,
    cx: &mut Ctx,
) -> Option<(String, Y)> {
    let text_body = b.get("raw").map(text).unwrap_or_default();
    if text_body.trim().is_empty() {
        return None;
    }
    let language = b
        .get("options")
        .and_then(|o| o.get("raw"))
        .and_then(|r| r.get("language"))
        .map(text)
        .unwrap_or_default();
    let says_json =
        language == "json" || content_type.is_some_and(|c| c.to_ascii_lowercase().contains("json"));
    let looks_json = text_body.trim_start().starts_with(['{', '[']);
    let parses = serde_json::from_str::<Value>(&text_body).is_ok();
    if (says_json || looks_json)
        && parses
        && let Some(y) = json_with_variables(&text_body, cx)
    {
        return Some(("json".into(), y));
    }
    // `{"n": {{count}}}`: Postman puts the variable's text in place; so does a raw body.
    let with_bare =
        (says_json || looks_json) && !parses && json_with_variables(&text_body, cx).is_some();
    if says_json && !with_bare {
        cx.warn("the raw JSON body does not parse (comments, or a variable where JSON needs a value?): it is sent as text");
    }
    let text_y = Y::Str(cx.text(&text_body));
    if content_type.is_some() {
        return Some(("body".into(), text_y));
    }
    let ct = match language.as_str() {
        _ if with_bare => "application/json",
        "json" => "application/json",
        "javascript" => "application/javascript",
        "html" => "text/html",
        "xml" => "application/xml",
        "graphql" => "application/graphql",
        _ => "text/plain",
    };
    Some((
        "body".into(),
        Y::map([("text", text_y), ("content_type", Y::str(ct))]),
    ))
}

fn formdata(rows: Option<&Value>, cx: &mut Ctx) -> Option<(String, Y)> {
    let Some(Value::Array(rows)) = rows else {
        return None;
    };
    let mut parts: Vec<(String, Y)> = Vec::new();
    for row in rows.iter().filter_map(Value::as_object) {
        let key = row.get("key").map(text).unwrap_or_default();
        let disabled = row
            .get("disabled")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        if key.is_empty() || disabled {
            continue;
        }
        if parts.iter().any(|(k, _)| *k == key) {
            cx.warn(format!("the multipart field `{key}` is repeated: only its first value is kept (baton's multipart is a mapping)"));
            continue;
        }
        let content_type = row.get("contentType").map(text).filter(|c| !c.is_empty());
        let value = if row.get("type").map(text).as_deref() == Some("file") {
            let srcs: Vec<String> = match row.get("src") {
                Some(Value::Array(list)) => {
                    list.iter().map(text).filter(|s| !s.is_empty()).collect()
                }
                Some(v) => Some(text(v))
                    .filter(|s| !s.is_empty())
                    .into_iter()
                    .collect(),
                None => Vec::new(),
            };
            let Some(first) = srcs.first() else {
                cx.warn(format!(
                    "the multipart file `{key}` has no file chosen: the field is left out"
                ));
                continue;
            };
            if srcs.len() > 1 {
                cx.warn(format!(
                    "the multipart field `{key}` has {} files: only `{first}` is sent",
                    srcs.len()
                ));
            }
            if !first.starts_with('/') {
                cx.warn(format!("the multipart file `{first}` is read relative to the collection file: copy it there or fix the path"));
            }
            let mut m = vec![("file".to_string(), Y::Str(cx.text(first)))];
            if let Some(ct) = content_type {
                m.push(("content_type".into(), Y::Str(cx.text(&ct))));
            }
            Y::map(m)
        } else {
            if content_type.is_some() {
                cx.warn(format!(
                    "the content type of the multipart text field `{key}` is not kept"
                ));
            }
            let v = row.get("value").map(text).unwrap_or_default();
            Y::Str(cx.named(&key, &v))
        };
        parts.push((key, value));
    }
    (!parts.is_empty()).then(|| ("multipart".to_string(), Y::map(parts)))
}

/// Marks a `{{var}}` that stands where JSON expects a value (`{"n": {{count}}}`).
const MARK: char = '\u{E000}';

/// JSON text with `{{var}}` both inside strings and in place of values; `None` when it
/// does not parse.
pub(super) fn json_with_variables(text_body: &str, cx: &mut Ctx) -> Option<Y> {
    let mut bare = Vec::new();
    let mut out = String::new();
    let mut in_string = false;
    let mut escaped = false;
    let mut rest = text_body;
    while let Some(c) = rest.chars().next() {
        if !in_string
            && rest.starts_with("{{")
            && let Some(end) = rest.find("}}")
        {
            let name = &rest[2..end];
            if !name.contains(['{', '}', '"']) {
                out.push_str(&format!("\"{MARK}{}{MARK}\"", bare.len()));
                bare.push(name.trim().to_string());
                rest = &rest[end + 2..];
                continue;
            }
        }
        if in_string {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
        } else if c == '"' {
            in_string = true;
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    let v: Value = serde_json::from_str(&out).ok()?;
    Some(json_value(&v, cx, Some(&bare)))
}

fn json_value(v: &Value, cx: &mut Ctx, bare: Option<&[String]>) -> Y {
    json_at(v, cx, bare.unwrap_or(&[]), None)
}

fn json_at(v: &Value, cx: &mut Ctx, bare: &[String], key: Option<&str>) -> Y {
    match v {
        Value::String(s) => {
            if let Some(i) = s.strip_prefix(MARK).and_then(|r| r.strip_suffix(MARK))
                && let Some(name) = i.parse::<usize>().ok().and_then(|i| bare.get(i))
            {
                return Y::Str(cx.text(&format!("{{{{{name}}}}}")));
            }
            if let Some(name) = sole_variable(s)
                && cx.names.is_captured(&cx.names.key(name))
            {
                // Quoted in Postman, so a string even when the capture is a number.
                let t = cx.text(s);
                return Y::Str(format!("{} | string>>", t.trim_end_matches(">>")));
            }
            match key {
                Some(k) => Y::Str(cx.named(k, s)),
                None => Y::Str(cx.text(s)),
            }
        }
        Value::Array(items) => Y::seq(items.iter().map(|i| json_at(i, cx, bare, None))),
        Value::Object(m) => Y::map(
            m.iter()
                .map(|(k, v)| (k.clone(), json_at(v, cx, bare, Some(k)))),
        ),
        other => Y::from_json(other),
    }
}
