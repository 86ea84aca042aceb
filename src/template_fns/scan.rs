//! Finding the calls in a template's text without the template engine's parser (which
//! minijinja keeps private): the `<< >>` and `<% %>` regions, and in them each
//! `name(...)` or `| name(...)` with its arguments as written, for `baton check` to
//! evaluate the ones whose arguments are literals.

/// A call in an expression: `name(args)` as written, and whether it is a filter (`| name`).
#[derive(Debug, PartialEq)]
pub struct Call<'t> {
    pub name: &'t str,
    pub filter: bool,
    /// From the name to the closing parenthesis.
    pub text: &'t str,
    /// Where `text` starts in the region.
    pub start: usize,
}

/// The expressions of a template: what is between `<<` and `>>`, or `<%` and `%>`.
/// Comments and `<% raw %>` sections are not expressions.
pub fn expression_regions(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text;
    let mut raw = false;
    while let Some(open) = rest.find('<') {
        let after = &rest[open + 1..];
        let close = match after.as_bytes().first() {
            Some(b'<') if !raw => ">>",
            Some(b'%') => "%>",
            Some(b'#') if !raw => "#>",
            _ => {
                rest = after;
                continue;
            }
        };
        let inner = &after[1..];
        let end = if close == "#>" {
            inner.find(close)
        } else {
            end_outside_strings(inner, close)
        };
        let Some(end) = end else { break };
        let region = &inner[..end];
        rest = &inner[end + close.len()..];
        let words: Vec<&str> = region
            .trim_matches(|c: char| c.is_whitespace() || c == '-' || c == '+')
            .split_whitespace()
            .collect();
        match (close, words.first().copied()) {
            ("#>", _) => {}
            ("%>", Some("raw")) => raw = true,
            ("%>", Some("endraw")) => raw = false,
            _ if raw => {}
            _ => out.push(region),
        }
    }
    out
}

/// The offset of `close` in `text`, outside quoted strings.
fn end_outside_strings(text: &str, close: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            q @ (b'\'' | b'"') => i = skip_string(bytes, i, q),
            // Bytes, not `text[i..]`: `i` may be inside a character.
            _ if bytes[i..].starts_with(close.as_bytes()) => return Some(i),
            _ => i += 1,
        }
    }
    None
}

/// The index after the string that starts with the quote at `i`.
fn skip_string(bytes: &[u8], mut i: usize, quote: u8) -> usize {
    i += 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b if b == quote => return i + 1,
            _ => i += 1,
        }
    }
    bytes.len()
}

/// The calls in one expression, outer calls before the calls in their arguments.
pub fn calls(region: &str) -> Vec<Call<'_>> {
    let bytes = region.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'\'' || b == b'"' {
            i = skip_string(bytes, i, b);
            continue;
        }
        if !(b.is_ascii_alphabetic() || b == b'_') {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
            i += 1;
        }
        let before = region[..start].trim_end();
        // `x.now(...)` is a method of a value, not baton's function.
        if before.ends_with('.') {
            continue;
        }
        let open = i + region[i..].len() - region[i..].trim_start().len();
        if bytes.get(open) != Some(&b'(') {
            continue;
        }
        let Some(close) = matching_paren(bytes, open) else {
            continue;
        };
        out.push(Call {
            name: &region[start..i],
            filter: before.ends_with('|'),
            text: &region[start..=close],
            start,
        });
    }
    out
}

/// The `)` that closes the `(` at `open`.
fn matching_paren(bytes: &[u8], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut i = open;
    while i < bytes.len() {
        match bytes[i] {
            q @ (b'\'' | b'"') => {
                i = skip_string(bytes, i, q);
                continue;
            }
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return (bytes[i] == b')').then_some(i);
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_skip_comments_raw_sections_and_closers_in_strings() {
        let text =
            "a <<now('>>')>> <# <<random(0)>> #> <% raw %><<random(0)>><% endraw %> <%- if x %>";
        assert_eq!(expression_regions(text), ["now('>>')", "- if x "]);
        assert!(expression_regions("<<unclosed").is_empty());
        assert_eq!(expression_regions("<<é ü>> <%ß%>"), ["é ü", "ß"]);
        assert_eq!(calls("'é' | now('ü')")[0].text, "now('ü')");
    }

    #[test]
    fn calls_with_their_arguments_as_written() {
        let found = calls("x | now('%s') ~ random (n) ~ a.now(1) ~ now(\"(\" ~ random(3))");
        let shown: Vec<(&str, bool, &str)> =
            found.iter().map(|c| (c.name, c.filter, c.text)).collect();
        assert_eq!(
            shown,
            [
                ("now", true, "now('%s')"),
                ("random", false, "random (n)"),
                ("now", false, "now(\"(\" ~ random(3))"),
                ("random", false, "random(3)"),
            ]
        );
        assert!(calls("now(").is_empty());
        assert!(calls("now(]").is_empty());
    }
}
