//! A response as the runner keeps it, and what is read from it: headers by name, the body
//! as text or JSON (parsed once), an excerpt for messages, the hint an error response gives.

use serde_json::Value;
use std::borrow::Cow;
use std::sync::OnceLock;
use std::time::Duration;

/// A response as kept by the runner: status, headers in order (names lower-case), the
/// decoded body, and the time from sending to the last byte.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub version: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub duration: Duration,
    /// Where `duration` went (`-vv`).
    pub timing: crate::http::Timing,
    /// The URL that answered (after redirects).
    pub url: String,
    pub(super) json: OnceLock<Result<Value, String>>,
}

impl Response {
    #[must_use]
    pub fn new(status: u16, headers: Vec<(String, String)>, body: Vec<u8>) -> Response {
        Response {
            status,
            version: "HTTP/1.1".into(),
            headers,
            body,
            duration: Duration::ZERO,
            timing: crate::http::Timing::default(),
            url: String::new(),
            json: OnceLock::new(),
        }
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn header_all(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }

    pub fn header_names(&self) -> String {
        let mut names: Vec<&str> = self.headers.iter().map(|(k, _)| k.as_str()).collect();
        names.dedup();
        names.join(", ")
    }

    /// The body as text (lossy for invalid UTF-8).
    pub fn text(&self) -> Cow<'_, str> {
        String::from_utf8_lossy(&self.body)
    }

    /// The body parsed as JSON once, or why it is not JSON.
    pub fn json(&self) -> Result<&Value, String> {
        self.json
            .get_or_init(|| {
                if self.body.is_empty() {
                    return Err("the response body is empty, not JSON".into());
                }
                serde_json::from_slice(&self.body).map_err(|e| {
                    let kind = self.header("content-type").unwrap_or("no content type");
                    format!(
                        "the response body is not JSON ({kind}: {e}): {}",
                        self.excerpt()
                    )
                })
            })
            .as_ref()
            .map_err(Clone::clone)
    }

    /// The start of the body, for messages.
    pub fn excerpt(&self) -> String {
        let text = self.text();
        let one_line: String = text
            .chars()
            .take(300)
            .map(|c| if c == '\n' || c == '\r' { ' ' } else { c })
            .collect();
        if text.chars().count() > 300 {
            format!("{one_line}…")
        } else if one_line.is_empty() {
            "(empty body)".into()
        } else {
            one_line
        }
    }

    /// For error statuses, the OAuth error of the body (` invalid_grant: ...`), if any.
    pub fn error_hint(&self) -> String {
        if self.status < 400 {
            return String::new();
        }
        match self.json() {
            Ok(v) => match (
                v.get("error").and_then(Value::as_str),
                v.get("error_description").and_then(Value::as_str),
            ) {
                (Some(e), Some(d)) => format!(" ({e}: {d})"),
                (Some(e), None) => format!(" ({e})"),
                _ => String::new(),
            },
            Err(_) => String::new(),
        }
    }

    /// The value of a cookie this response sets.
    pub fn set_cookie(&self, name: &str) -> Option<String> {
        self.header_all("set-cookie").into_iter().find_map(|c| {
            let pair = c.split(';').next()?;
            let (k, v) = pair.split_once('=')?;
            (k.trim() == name).then(|| v.trim().trim_matches('"').to_string())
        })
    }
}
