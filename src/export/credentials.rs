//! No literal credential in a snippet: a Bearer token, a Basic password, an `Authorization`
//! or `Cookie` header, a header, form, query or JSON field named like a secret, and the
//! password of a URL's userinfo are written as `<your-name>` placeholders, as secret
//! variables are, unless `--show-secrets`. A value that is already a placeholder (it reads
//! a variable without a value) is left as it is.

use super::model::{Body, HttpRequest, Part, form_encode, has_marker, marker};
use crate::secret::{looks_secret, mask_userinfo, userinfo_password};

/// Replace every literal credential of `req` by a placeholder; a note says which.
pub(super) fn hide(req: &mut HttpRequest, notes: &mut Vec<String>) {
    let mut hidden: Vec<String> = Vec::new();
    if let Some((start, end)) = userinfo_password(&req.url)
        && !has_marker(&req.url[start..end])
    {
        req.url = mask_userinfo(&req.url, &marker("password"));
        hidden.push("the URL's password".into());
    }
    let mut hide = |what: String, name: &str, value: &mut String| {
        if !value.trim().is_empty() && !has_marker(value) {
            *value = marker(name);
            if !hidden.contains(&what) {
                hidden.push(what);
            }
        }
    };
    req.url = hide_query(&req.url, &mut |name, value| {
        hide(format!("the query parameter `{name}`"), name, value);
    });
    if let Some((_, password)) = &mut req.basic {
        hide("the Basic password".into(), "password", password);
    }
    for (name, value) in &mut req.headers {
        let lower = name.to_ascii_lowercase();
        if lower == "authorization" || lower == "proxy-authorization" {
            let what = format!("the {name} header");
            match value.split_once(' ') {
                Some((scheme, credential)) => {
                    let placeholder = match scheme.to_ascii_lowercase().as_str() {
                        "bearer" => "access_token",
                        "basic" => "basic_credentials",
                        _ => "credentials",
                    };
                    let mut credential = credential.to_string();
                    hide(what, placeholder, &mut credential);
                    *value = format!("{scheme} {credential}");
                }
                None => hide(what, &lower, value),
            }
        } else if lower == "cookie" {
            let pairs: Vec<String> = value
                .split(';')
                .map(|pair| match pair.split_once('=') {
                    Some((k, v)) => {
                        let mut v = v.to_string();
                        hide(format!("the cookie `{}`", k.trim()), k.trim(), &mut v);
                        format!("{k}={v}")
                    }
                    None => pair.to_string(),
                })
                .collect();
            *value = pairs.join(";");
        } else if looks_secret(name) {
            hide(format!("the {name} header"), name, value);
        }
    }
    match &mut req.body {
        Some(Body::Form(fields)) => {
            for (k, v) in fields.iter_mut().filter(|(k, _)| looks_secret(k)) {
                hide(format!("the form field `{k}`"), k, v);
            }
        }
        Some(Body::Multipart(parts)) => {
            for (k, part) in parts.iter_mut() {
                if let Part::Text(v) = part
                    && looks_secret(k)
                {
                    hide(format!("the form field `{k}`"), k, v);
                }
            }
        }
        Some(Body::Json(json)) => hide_json(json, &mut |k, v| {
            hide(format!("the JSON field `{k}`"), k, v);
        }),
        Some(Body::Raw { .. } | Body::File { .. }) | None => {}
    }
    if !hidden.is_empty() {
        notes.push(format!(
            "{} written as placeholders (--show-secrets writes the values)",
            hidden.join(", ")
        ));
    }
}

/// The query of `url` with the values of parameters named like a secret passed to `hide`.
fn hide_query(url: &str, hide: &mut dyn FnMut(&str, &mut String)) -> String {
    let Some((before, query)) = url.split_once('?') else {
        return url.to_string();
    };
    let (query, fragment) = query.split_at(query.find('#').unwrap_or(query.len()));
    let pairs: Vec<String> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((k, v)) if looks_secret(k) => {
                let mut value = v.to_string();
                hide(k, &mut value);
                if has_marker(&value) && !has_marker(v) {
                    format!("{k}={}", form_encode(&value))
                } else {
                    pair.to_string()
                }
            }
            _ => pair.to_string(),
        })
        .collect();
    format!("{before}?{}{fragment}", pairs.join("&"))
}

/// Every string under a key named like a secret, at any depth.
fn hide_json(value: &mut serde_json::Value, hide: &mut dyn FnMut(&str, &mut String)) {
    match value {
        serde_json::Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                match v {
                    serde_json::Value::String(s) if looks_secret(k) => hide(k, s),
                    serde_json::Value::Number(n) if looks_secret(k) => {
                        let mut text = n.to_string();
                        hide(k, &mut text);
                        *v = serde_json::Value::String(text);
                    }
                    other => hide_json(other, hide),
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(|i| hide_json(i, hide)),
        _ => {}
    }
}
