//! Exchanges as text a person reads (`-v`, failures, reports): the request line, headers
//! and body of each hop and its response, and the equivalent curl command, all redacted.

use crate::event::HopView;
use crate::http::{Hop, Prepared, Response};
use crate::secret::Redactor;

/// Bodies longer than this are cut in transcripts.
const BODY_LIMIT: usize = 8 * 1024;

pub(crate) fn hop(h: &Hop, r: &Redactor) -> HopView {
    HopView {
        request: request(&h.request, r),
        response: response(&h.response, r),
        curl: curl(&h.request, h.trust.as_deref(), r),
        timing: None,
        judged: false,
    }
}

pub(crate) fn request(p: &Prepared, r: &Redactor) -> String {
    let mut out = format!("{} {}\n", p.method, r.redact(&p.url));
    for (k, v) in &p.headers {
        out.push_str(&format!("{k}: {}\n", r.redact_header(k, v)));
    }
    // Presented in the TLS handshake: shown with the headers, as curl -v shows it.
    if let Some(cert) = p
        .client_cert
        .as_ref()
        .filter(|_| p.url.starts_with("https:"))
    {
        out.push_str(&format!("* {}\n", cert.describe()));
    }
    if let Some(body) = &p.body {
        out.push('\n');
        out.push_str(&body_text(body, p.header("content-type"), r));
    }
    out
}

pub(crate) fn response(resp: &Response, r: &Redactor) -> String {
    let reason = reqwest::StatusCode::from_u16(resp.status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("");
    let mut out = format!("{} {} {reason}\n", resp.version, resp.status);
    for (k, v) in &resp.headers {
        out.push_str(&format!("{k}: {}\n", r.redact_header(k, v)));
    }
    if !resp.body.is_empty() {
        out.push('\n');
        out.push_str(&body_text(&resp.body, resp.header("content-type"), r));
    }
    out
}

fn body_text(body: &[u8], content_type: Option<&str>, r: &Redactor) -> String {
    let ct = content_type.unwrap_or("").to_ascii_lowercase();
    let Ok(text) = std::str::from_utf8(body) else {
        return format!("[{} bytes of binary data]\n", body.len());
    };
    let shown = if ct.contains("json") || text.trim_start().starts_with('{') {
        match serde_json::from_str::<serde_json::Value>(text) {
            Ok(v) => serde_json::to_string_pretty(&r.redact_json(&v)).unwrap_or_default(),
            Err(_) => r.redact(text).into_owned(),
        }
    } else if ct.contains("x-www-form-urlencoded") {
        r.redact_form(text)
    } else {
        r.redact(text).into_owned()
    };
    let mut shown = cut(&shown);
    if !shown.ends_with('\n') {
        shown.push('\n');
    }
    shown
}

fn cut(text: &str) -> String {
    if text.len() <= BODY_LIMIT {
        return text.to_string();
    }
    let mut end = BODY_LIMIT;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}\n… ({} more bytes)", &text[..end], text.len() - end)
}

/// The request as a curl command line, redacted.
pub(crate) fn curl(p: &Prepared, trust: Option<&crate::http::curl::Trust>, r: &Redactor) -> String {
    use crate::http::curl::{Command, Data, ONE_LINE, render};
    // The headers every request gets (user agent, accept, encodings) are curl's own.
    let headers = p
        .headers
        .iter()
        .filter(|(k, _)| {
            !matches!(
                k.to_ascii_lowercase().as_str(),
                "user-agent" | "accept-encoding" | "accept"
            )
        })
        .map(|(k, v)| (k.clone(), r.redact_header(k, v)))
        .collect();
    let data = p.body.as_ref().map(|body| {
        let text = body_text(body, p.header("content-type"), r);
        let text = if p.header("content-type").is_some_and(|c| c.contains("json")) {
            serde_json::from_str::<serde_json::Value>(&text)
                .map(|v| v.to_string())
                .unwrap_or(text)
        } else {
            text
        };
        (Data::Raw, text.trim_end().to_string())
    });
    let command = Command {
        method: p.method.clone(),
        url: r.redact(&p.url).into_owned(),
        follow_redirects: false,
        headers,
        user: None,
        data: data.into_iter().collect(),
        trust: trust.cloned(),
        // Presented only where TLS is: a plain `http://` request shows none.
        cert: p
            .client_cert
            .as_ref()
            .filter(|_| p.url.starts_with("https:"))
            .map(|c| c.curl_flags()),
    };
    render(&command, &ONE_LINE)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prepared(method: &str, body: Option<&str>) -> Prepared {
        Prepared {
            method: method.into(),
            url: "http://x/a".into(),
            headers: Vec::new(),
            body: body.map(|b| b.as_bytes().to_vec()),
            timeout: None,
            follow_redirects: false,
            oauth1: None,
            dpop: None,
            client_cert: None,
        }
    }

    #[test]
    fn curl_names_the_method_only_when_curl_would_not_infer_it() {
        let r = Redactor::new(false);
        assert_eq!(curl(&prepared("GET", None), None, &r), "curl 'http://x/a'");
        assert_eq!(
            curl(&prepared("POST", Some("a=1")), None, &r),
            "curl 'http://x/a' --data-raw 'a=1'"
        );
        assert_eq!(
            curl(&prepared("POST", None), None, &r),
            "curl -X POST 'http://x/a'"
        );
        assert_eq!(
            curl(&prepared("GET", Some("a=1")), None, &r),
            "curl -X GET 'http://x/a' --data-raw 'a=1'"
        );
        assert_eq!(
            curl(&prepared("PUT", Some("a=1")), None, &r),
            "curl -X PUT 'http://x/a' --data-raw 'a=1'"
        );
    }
}
