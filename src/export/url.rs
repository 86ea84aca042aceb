//! A snippet's URL encoded so that it runs: what a URL cannot hold as it is (a space, a
//! quote, `<`, `>`, braces that curl reads as a glob, characters outside ASCII) is
//! percent-encoded in the path and the query, as baton's own client does before sending.
//! The scheme and authority are left alone, as are `%` escapes already there and the markers
//! of variables without a value (a placeholder or, in a program, a variable the program
//! fills in at run time).

use super::model::{CLOSE, OPEN};
use std::fmt::Write as _;

/// Whether `c` (ASCII) must be percent-encoded in a path or a query.
fn must_encode(c: u8) -> bool {
    c <= b' '
        || c >= 0x7f
        || matches!(
            c,
            b'"' | b'<' | b'>' | b'`' | b'{' | b'}' | b'|' | b'\\' | b'^' | b'[' | b']'
        )
}

/// `url` with its path and query percent-encoded where they must be; markers kept.
pub(super) fn encode(url: &str) -> String {
    // The authority ends at the first `/`, `?` or `#` after `scheme://`.
    let start = url.find("://").map_or(0, |i| {
        let rest = &url[i + 3..];
        i + 3 + rest.find(['/', '?', '#']).unwrap_or(rest.len())
    });
    let (head, tail) = url.split_at(start);
    let mut out = head.to_string();
    let mut in_marker = false;
    for ch in tail.chars() {
        match ch {
            OPEN => in_marker = true,
            CLOSE => in_marker = false,
            _ => {}
        }
        if in_marker || ch == CLOSE || (ch.is_ascii() && !must_encode(ch as u8)) {
            out.push(ch);
        } else {
            let mut buf = [0; 4];
            for b in ch.encode_utf8(&mut buf).bytes() {
                let _ = write!(out, "%{b:02X}");
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::model::marker;

    #[test]
    fn spaces_quotes_braces_and_unicode_are_encoded_markers_and_escapes_kept() {
        assert_eq!(
            encode("http://h:1/a b/{x}?q=a b&r=\"é\"&s=%20"),
            "http://h:1/a%20b/%7Bx%7D?q=a%20b&r=%22%C3%A9%22&s=%20"
        );
        let m = marker("id");
        assert_eq!(
            encode(&format!("{m}/users/{m} x")),
            format!("{m}/users/{m}%20x")
        );
        assert_eq!(encode("http://[::1]:8/p"), "http://[::1]:8/p");
    }
}
