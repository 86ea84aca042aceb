//! The body of an imported curl command: `-d`/`--data-raw`/`--data-binary` (urlencoded,
//! `@file`), `--data-urlencode`, `--json`, `-F` (multipart, `@file`), and `-G` (the data as
//! the query), chosen as curl would send it: a form when the data is `name=value` pairs and
//! the content type is curl's default, JSON when the content type says so, else raw text.

use super::out::{OutRequest, pairs};
use super::yaml::Y;

/// One data argument.
pub(super) enum Data {
    /// Already urlencoded as written (`-d`, `--data-raw`).
    Raw(String),
    /// `--data-urlencode name=value`: `(name, value)` to encode.
    Encode(Option<String>, String),
    File(String),
}

/// The body arguments of the command.
pub(super) struct Given {
    pub data: Vec<Data>,
    pub json: Vec<String>,
    pub form: Vec<(String, Y)>,
    /// `-G`: the data goes to the query.
    pub get: bool,
}

/// Set the request's body (or query) from the arguments; `tpl` turns `{{var}}` into `<<var>>`.
pub(super) fn fill(
    req: &mut OutRequest,
    given: Given,
    headers: &[(String, String)],
    tpl: &mut dyn FnMut(&str) -> String,
) {
    let Given {
        data,
        json,
        form,
        get,
    } = given;
    let content_type = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-type"))
        .map(|(_, v)| v.to_ascii_lowercase());
    if !json.is_empty() {
        for (k, v) in [
            ("Content-Type", "application/json"),
            ("Accept", "application/json"),
        ] {
            if !headers.iter().any(|(h, _)| h.eq_ignore_ascii_case(k)) {
                req.headers.push((k.into(), v.into()));
            }
        }
        let text = json.join("");
        req.body = Some(match serde_json::from_str::<serde_json::Value>(&text) {
            Ok(v) => ("json".into(), json_templates(&Y::from_json(&v), tpl)),
            Err(_) => ("body".into(), Y::Str(tpl(&text))),
        });
    } else if !form.is_empty() {
        // A name given twice (`-F f=@a -F f=@b`) becomes a list: a mapping cannot repeat it.
        let mut parts: Vec<(String, Vec<Y>)> = Vec::new();
        for (k, v) in form {
            let v = json_templates(&v, tpl);
            match parts.iter_mut().find(|(n, _)| *n == k) {
                Some((_, values)) => values.push(v),
                None => parts.push((k, vec![v])),
            }
        }
        req.body = Some((
            "multipart".into(),
            Y::map(parts.into_iter().map(|(k, mut values)| {
                let v = if values.len() == 1 {
                    values.remove(0)
                } else {
                    Y::seq(values)
                };
                (k, v)
            })),
        ));
    } else if get {
        req.query = data_pairs(&data)
            .unwrap_or_default()
            .into_iter()
            .map(|(k, v)| (tpl(&k), tpl(&v)))
            .collect();
    } else if let Some(Data::File(path)) = data.iter().find(|d| matches!(d, Data::File(_))) {
        let ct = content_type
            .clone()
            .unwrap_or_else(|| "application/x-www-form-urlencoded".into());
        req.body = Some((
            "file".into(),
            if content_type.is_some() {
                Y::Str(tpl(path))
            } else {
                Y::map([("path", Y::Str(tpl(path))), ("content_type", Y::Str(ct))])
            },
        ));
    } else if !data.is_empty() {
        let is_form = content_type
            .as_deref()
            .is_none_or(|c| c.starts_with("application/x-www-form-urlencoded"));
        let raw = raw_text(&data);
        let parsed_json = content_type
            .as_deref()
            .filter(|c| c.contains("json"))
            .and_then(|_| serde_json::from_str::<serde_json::Value>(&raw).ok());
        req.body = Some(match (is_form, data_pairs(&data), parsed_json) {
            (true, Some(fields), _) => (
                "form".into(),
                pairs(
                    &fields
                        .iter()
                        .map(|(k, v)| (tpl(k), tpl(v)))
                        .collect::<Vec<_>>(),
                ),
            ),
            (_, _, Some(v)) => ("json".into(), json_templates(&Y::from_json(&v), tpl)),
            _ if content_type.is_some() => ("body".into(), Y::Str(tpl(&raw))),
            _ => (
                "body".into(),
                Y::map([
                    ("text", Y::Str(tpl(&raw))),
                    ("content_type", Y::str("application/x-www-form-urlencoded")),
                ]),
            ),
        });
    }
}

pub(super) fn form_part(v: &str, literal: bool, warn: &mut dyn FnMut(String)) -> Y {
    if literal {
        return Y::str(v);
    }
    if let Some(spec) = v.strip_prefix('@') {
        let mut parts = spec.split(';');
        let mut m = vec![("file".to_string(), Y::str(parts.next().unwrap_or_default()))];
        for p in parts {
            match p.split_once('=') {
                Some(("type", t)) => m.push(("content_type".into(), Y::str(t))),
                Some(("filename", f)) => m.push(("filename".into(), Y::str(f))),
                _ => warn(format!("`;{p}` of a -F file is not imported")),
            }
        }
        return Y::map(m);
    }
    if let Some(path) = v.strip_prefix('<') {
        warn(format!(
            "`-F name=<{path}` sends the file's content as a text field: imported as a file part"
        ));
        return Y::map([("file", Y::str(path))]);
    }
    Y::str(v)
}

/// The body as curl sends it (`&` between data arguments).
pub(super) fn raw_text(data: &[Data]) -> String {
    data.iter()
        .map(|d| match d {
            Data::Raw(s) | Data::File(s) => s.clone(),
            Data::Encode(Some(k), v) => format!(
                "{k}={}",
                url::form_urlencoded::byte_serialize(v.as_bytes()).collect::<String>()
            ),
            Data::Encode(None, v) => url::form_urlencoded::byte_serialize(v.as_bytes()).collect(),
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// The data as decoded `name=value` pairs, when every part is one.
pub(super) fn data_pairs(data: &[Data]) -> Option<Vec<(String, String)>> {
    let mut out = Vec::new();
    for d in data {
        match d {
            Data::Raw(s) => {
                for part in s.split('&').filter(|p| !p.is_empty()) {
                    let (k, _) = part.split_once('=')?;
                    if k.is_empty() || part.contains(char::is_whitespace) {
                        return None;
                    }
                    out.extend(url::form_urlencoded::parse(part.as_bytes()).into_owned());
                }
            }
            Data::Encode(Some(k), v) => out.push((k.clone(), v.clone())),
            Data::Encode(None, _) | Data::File(_) => return None,
        }
    }
    Some(out)
}

/// Every string of a YAML value with `{{var}}` as `<<var>>`.
pub(super) fn json_templates(y: &Y, tpl: &mut dyn FnMut(&str) -> String) -> Y {
    match y {
        Y::Str(s) => Y::Str(tpl(s)),
        Y::Seq(items) => Y::seq(items.iter().map(|i| json_templates(&i.value, tpl))),
        Y::Map(entries) => Y::map(
            entries
                .iter()
                .map(|e| (e.key.clone(), json_templates(&e.value, tpl))),
        ),
        other => other.clone(),
    }
}
