//! What a request can be sent with, checked on its text (below the model, since the OAuth
//! specs check their URLs and key files the same way): a URL that parses with an http(s)
//! scheme and a host, header names and values HTTP can carry, a body file that is a file.
//! Loading checks literal values (so `run` and `check` refuse them before sending
//! anything); the runner checks what templates render to, with the same messages.

use std::path::Path;

/// Why `url` cannot be sent to, if it cannot.
pub(crate) fn url_problem(url: &str) -> Option<String> {
    if let Some(whole) = without_scheme(url) {
        return Some(format!("invalid URL `{url}`: no scheme; write `{whole}`"));
    }
    let reason = match url::Url::parse(url) {
        Err(url::ParseError::RelativeUrlWithoutBase) => {
            "no scheme and host: write it whole, e.g. https://host/path, or <<baseURL>>/path"
                .to_string()
        }
        Err(e) => e.to_string(),
        Ok(parsed) if !matches!(parsed.scheme(), "http" | "https") => {
            format!("the scheme `{}` is not http or https", parsed.scheme())
        }
        Ok(parsed) if parsed.host_str().is_none_or(str::is_empty) => "empty host".to_string(),
        Ok(_) => return None,
    };
    Some(format!("invalid URL `{url}`: {reason}"))
}

/// `url` with the scheme it lacks (`localhost:8080/x`, `api.example.com/x`), when it starts
/// with a host (a name with a dot, `localhost`, an IP address) and maybe a port: `http://`
/// for a machine of one's own, where TLS is rare, else `https://`.
fn without_scheme(url: &str) -> Option<String> {
    if url.contains("://") {
        return None;
    }
    let authority = url.split(['/', '?', '#']).next()?;
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => (h, Some(p)),
        Some(_) => return None,
        None => (authority, None),
    };
    let label = |l: &str| {
        !l.is_empty()
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !l.starts_with('-')
    };
    let lower = host.to_ascii_lowercase();
    let local = lower == "localhost"
        || [".localhost", ".local"]
            .iter()
            .any(|end| lower.ends_with(end))
        || host.parse::<std::net::Ipv4Addr>().is_ok();
    let named = host.split('.').all(label) && (host.contains('.') || local);
    if !named || (port.is_none() && !host.contains('.') && !local) {
        return None;
    }
    let scheme = if local { "http" } else { "https" };
    Some(format!("{scheme}://{url}"))
}

/// `url_problem` for a URL rendered as a request is sent: the last URL found sendable is
/// remembered, as a run sends most of its requests to the same few URLs and parsing one
/// is a measurable part of a request (the client keeps its last parse for that reason).
pub(crate) fn rendered_url_problem(url: &str) -> Option<String> {
    thread_local! {
        static LAST_OK: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
    }
    if LAST_OK.with(|last| *last.borrow() == url) {
        return None;
    }
    let problem = url_problem(url);
    if problem.is_none() {
        LAST_OK.with(|last| {
            let mut last = last.borrow_mut();
            last.clear();
            last.push_str(url);
        });
    }
    problem
}

/// Why `name` cannot be a header name, if it cannot (RFC 9110: a token).
pub(crate) fn header_name_problem(name: &str) -> Option<String> {
    let token = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c);
    let found = match name.chars().find(|c| !token(*c)) {
        Some(c) => describe(c),
        None if name.is_empty() => "nothing".to_string(),
        None => return None,
    };
    Some(format!(
        "invalid header `{name}`: a header name is letters, digits and !#$%&'*+-.^_`|~, not {found}"
    ))
}

/// Why `value` cannot be the value of header `name`, if it cannot: no control characters
/// but tab (what the HTTP client accepts: RFC 9110 field values, bytes past ASCII as
/// obs-text, so UTF-8 text goes as its bytes).
pub(crate) fn header_value_problem(name: &str, value: &str) -> Option<String> {
    let bad = value.chars().find(|&c| c != '\t' && c.is_ascii_control())?;
    Some(format!(
        "invalid header `{name}`: the value holds {}, which headers cannot carry",
        describe(bad)
    ))
}

fn describe(c: char) -> String {
    match c {
        '\n' => "a newline".into(),
        '\r' => "a carriage return".into(),
        ' ' => "a space".into(),
        c if c.is_control() => format!("a control character (U+{:04X})", c as u32),
        c => format!("`{c}`"),
    }
}

/// Why the body file `shown` (at `full`) cannot be sent, if it cannot: it must be a file
/// (reading a directory fails, and a device such as /dev/zero never ends).
pub(crate) fn body_file_problem(full: &Path, shown: &str) -> Option<String> {
    not_a_file(full).map(|reason| format!("cannot read `{shown}`: {reason}"))
}

/// Why `full` is not a file that can be read whole, if it is not (`fsutil` says what it is:
/// one wording wherever baton reads a file).
pub(crate) fn not_a_file(full: &Path) -> Option<String> {
    crate::fsutil::kind_problem(full)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_need_an_http_scheme_a_host_and_a_port_that_is_one() {
        assert_eq!(url_problem("https://id.example/connect/token?a=1"), None);
        assert_eq!(url_problem("http://127.0.0.1:9/"), None);
        let problem = |u| url_problem(u).unwrap_or_default();
        assert_eq!(
            problem("http://:8080/x"),
            "invalid URL `http://:8080/x`: empty host"
        );
        assert_eq!(
            problem("http://h:99999/"),
            "invalid URL `http://h:99999/`: invalid port number"
        );
        assert!(problem("ftp://h/x").ends_with("the scheme `ftp` is not http or https"));
        assert!(problem("/token").contains("no scheme and host"));
        // A host without its scheme: the URL with the one meant.
        assert_eq!(
            problem("localhost:8080/x"),
            "invalid URL `localhost:8080/x`: no scheme; write `http://localhost:8080/x`"
        );
        assert!(
            problem("api.example.com/x?a=1").ends_with("write `https://api.example.com/x?a=1`")
        );
        assert!(problem("127.0.0.1:9").ends_with("write `http://127.0.0.1:9`"));
        assert!(problem("mailto:a@b").contains("the scheme `mailto`"));
        assert!(problem("token").contains("no scheme and host"));
    }

    #[test]
    fn header_names_are_tokens_and_values_without_controls() {
        assert_eq!(header_name_problem("X-Request-Id"), None);
        assert!(
            header_name_problem("x client")
                .unwrap()
                .ends_with("not a space")
        );
        assert!(header_name_problem("x:y").unwrap().ends_with("not `:`"));
        assert!(header_name_problem("").unwrap().ends_with("not nothing"));
        assert_eq!(header_value_problem("a", "Bearer x.y\tz ~"), None);
        assert!(
            header_value_problem("a", "a\nb")
                .unwrap()
                .contains("a newline")
        );
        // Text past ASCII goes as its UTF-8 bytes (obs-text), as the HTTP client sends it.
        assert_eq!(header_value_problem("a", "café"), None);
        assert!(header_value_problem("a", "a\u{7f}").is_some());
    }

    #[test]
    fn a_body_file_is_a_file() {
        let dir = std::env::temp_dir();
        assert_eq!(
            body_file_problem(&dir, "d"),
            Some("cannot read `d`: it is a directory, not a file".into())
        );
        assert_eq!(
            body_file_problem(&dir.join("baton-no-such-file"), "n"),
            Some("cannot read `n`: no such file or directory".into())
        );
        #[cfg(unix)]
        assert_eq!(
            body_file_problem(Path::new("/dev/null"), "/dev/null"),
            Some("cannot read `/dev/null`: it is a character device, not a regular file".into())
        );
    }
}
