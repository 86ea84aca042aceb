//! The HTML pages people see (errors, login, consent, device verification): one layout,
//! escaping of everything that came from a request, and never-cached responses.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

use super::error::no_store;

/// Request input ends up in pages, so it must not be able to inject markup.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A whole page around `body`, which must already be escaped markup.
pub(crate) fn page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>baton sandbox: {title}</title>\
         <style>body{{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem}}\
         label{{display:block;margin:.6rem 0}}input[type=text],input[type=password]{{width:100%;padding:.3rem}}\
         .error{{color:#b00020}}button{{margin:.6rem .4rem 0 0;padding:.4rem 1rem}}</style>\
         </head>\n<body>\n<h1>{title}</h1>\n{body}\n\
         <p><small>baton sandbox: a provider for tests, not for real accounts.</small></p>\n\
         </body></html>\n",
        title = escape(title),
    )
}

/// A hidden form field.
pub(crate) fn hidden(name: &str, value: &str) -> String {
    format!(
        "<input type=\"hidden\" name=\"{}\" value=\"{}\">\n",
        escape(name),
        escape(value)
    )
}

/// An error message paragraph, or nothing.
pub(crate) fn error_line(error: Option<&str>) -> String {
    error
        .map(|e| format!("<p class=\"error\" role=\"alert\">{}</p>\n", escape(e)))
        .unwrap_or_default()
}

/// An HTML response that no cache keeps and no other site frames (login forms).
pub(crate) fn respond(status: StatusCode, html: String) -> Response {
    let mut response = (status, Html(html)).into_response();
    let headers = response.headers_mut();
    no_store(headers);
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    response
}

/// A 400 page with one message.
pub(crate) fn bad_request(title: &str, message: &str) -> Response {
    let body = format!("<p>{}</p>", escape(message));
    respond(StatusCode::BAD_REQUEST, page(title, &body))
}

/// 302 to `location`; never cached, since it may carry a code.
pub(crate) fn found(location: &str) -> Response {
    let mut response = StatusCode::FOUND.into_response();
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(location) {
        headers.insert(header::LOCATION, value);
    }
    no_store(headers);
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            escape(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
        assert_eq!(
            hidden("ReturnUrl", "/a?b=\"c\""),
            "<input type=\"hidden\" name=\"ReturnUrl\" value=\"/a?b=&quot;c&quot;\">\n"
        );
        assert!(page("<t>", "").contains("<title>baton sandbox: &lt;t&gt;</title>"));
    }
}
